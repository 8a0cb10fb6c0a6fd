"""City configuration: regions (counties and districts) citizens can name.

Plain Python plus PyYAML so that the bot environment can import it. The file is
read and checked once; a broken file fails at start-up, never mid-conversation.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DEFAULT_CITY_CONFIG = Path(__file__).with_name("city.yaml")


class CityConfigError(ValueError):
    """The city configuration file is missing or malformed."""


@dataclass(frozen=True)
class Region:
    name: str
    aliases: tuple[str, ...] = ()

    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class CityConfig:
    city: str
    regions: tuple[Region, ...]

    def region_names(self) -> list[str]:
        return [r.name for r in self.regions]

    def find_region(self, text: str) -> Region | None:
        """Return the one region that ``text`` names, or None.

        Accepts the official name or an alias anywhere in the text
        (「我在镇雄」「镇雄县」「不对，是镇雄县」). When the text names two
        different regions it is ambiguous and None is returned.
        """
        if not text:
            return None
        found = {r for r in self.regions if any(s in text for s in r.spellings())}
        return found.pop() if len(found) == 1 else None

    def is_region(self, name: str) -> bool:
        return name in self.region_names()


def _parse(raw: object, source: str) -> CityConfig:
    if not isinstance(raw, dict):
        raise CityConfigError(f"{source}: expected a mapping at the top level")
    city = raw.get("city")
    if not isinstance(city, str) or not city.strip():
        raise CityConfigError(f"{source}: 'city' must be a non-empty string")
    entries = raw.get("regions")
    if not isinstance(entries, list) or not entries:
        raise CityConfigError(f"{source}: 'regions' must be a non-empty list")
    regions: list[Region] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise CityConfigError(f"{source}: regions[{i}] needs a string 'name'")
        aliases = entry.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
            raise CityConfigError(f"{source}: regions[{i}].aliases must be a list of strings")
        region = Region(entry["name"], tuple(aliases))
        for spelling in region.spellings():
            if spelling in seen:
                raise CityConfigError(f"{source}: regions[{i}]: '{spelling}' is used twice")
            seen.add(spelling)
        regions.append(region)
    return CityConfig(city=city, regions=tuple(regions))


def load_city_config(path: str | os.PathLike[str] | None = None) -> CityConfig:
    """Read and check a city configuration file (default: $CITY_CONFIG or city.yaml)."""
    source = Path(path or os.environ.get("CITY_CONFIG") or DEFAULT_CITY_CONFIG)
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CityConfigError(f"{source}: file not found") from exc
    except yaml.YAMLError as exc:
        raise CityConfigError(f"{source}: not valid YAML: {exc}") from exc
    return _parse(raw, str(source))


@lru_cache(maxsize=1)
def city_config() -> CityConfig:
    """The process-wide city configuration, read once."""
    return load_city_config()
