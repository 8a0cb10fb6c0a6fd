"""City configuration: regions (counties and districts) citizens can name.

Plain Python plus PyYAML so that the bot environment can import it. The file is
read and checked once; a broken file fails at start-up, never mid-conversation.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from referral.matters import MATTER_CODES

DEFAULT_CITY_CONFIG = Path(__file__).with_name("city.yaml")


class CityConfigError(ValueError):
    """The city configuration file is missing or malformed."""


@dataclass(frozen=True)
class Region:
    name: str
    aliases: tuple[str, ...] = ()
    townships: tuple[str, ...] = ()  # towns, townships and sub-districts (镇、乡、街道) in the region

    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases, *self.townships)


@dataclass(frozen=True)
class HardshipThreshold:
    regions: tuple[str, ...] | None  # None: every region
    amount: float  # yuan per person per month, at or below passes
    effective_from: dt.date
    source: str


@dataclass(frozen=True)
class CityConfig:
    city: str
    regions: tuple[Region, ...]
    hardship_thresholds: tuple[HardshipThreshold, ...] = ()
    poverty_statuses: frozenset[str] = field(default_factory=lambda: frozenset({"poverty_registered"}))
    local_matters: frozenset[str] = frozenset()
    own_income_matters: frozenset[str] = frozenset()

    def hardship_threshold(self, region: str | None, on: dt.date) -> HardshipThreshold | None:
        """The threshold in force on ``on`` for ``region``: a rule naming the region beats a general one."""
        in_force = [t for t in self.hardship_thresholds if t.effective_from <= on]
        specific = [t for t in in_force if t.regions is not None and region in t.regions]
        general = [t for t in in_force if t.regions is None]
        candidates = specific or general
        return max(candidates, key=lambda t: t.effective_from) if candidates else None

    def thresholds_differ_by_region(self, on: dt.date) -> bool:
        """Whether the region changes the hardship threshold in force on ``on`` (then it must be asked)."""
        amounts = {t.amount if (t := self.hardship_threshold(r.name, on)) else None for r in self.regions}
        return len(amounts) > 1

    def region_names(self) -> list[str]:
        return [r.name for r in self.regions]

    def find_region(self, text: str) -> Region | None:
        """Return the one region that ``text`` names, or None.

        Accepts the official name, an alias or one of its townships anywhere in the text
        (「我在镇雄」「镇雄县」「不对，是镇雄县」「龙头山镇」). When the text names two
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
        townships = entry.get("townships") or []
        if not isinstance(townships, list) or not all(isinstance(t, str) and t for t in townships):
            raise CityConfigError(f"{source}: regions[{i}].townships must be a list of strings")
        region = Region(entry["name"], tuple(aliases), tuple(townships))
        for spelling in region.spellings():
            if spelling in seen:
                raise CityConfigError(f"{source}: regions[{i}]: '{spelling}' is used twice")
            seen.add(spelling)
        regions.append(region)
    names = {r.name for r in regions}
    thresholds = tuple(_threshold(t, i, names, source) for i, t in enumerate(raw.get("hardship_thresholds") or []))
    if not thresholds:
        raise CityConfigError(f"{source}: 'hardship_thresholds' needs at least one rule")
    def codes(key: str) -> frozenset[str]:
        value = raw.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CityConfigError(f"{source}: '{key}' must be a list of strings")
        return frozenset(value)

    local, own = codes("local_matters"), codes("own_income_matters")
    unknown = sorted((local | own) - MATTER_CODES)
    if unknown:
        raise CityConfigError(f"{source}: unknown matter codes {unknown}")
    return CityConfig(
        city=city,
        regions=tuple(regions),
        hardship_thresholds=thresholds,
        poverty_statuses=codes("poverty_statuses") or frozenset({"poverty_registered"}),
        local_matters=local,
        own_income_matters=own,
    )


def _threshold(entry: object, i: int, region_names: set[str], source: str) -> HardshipThreshold:
    where = f"{source}: hardship_thresholds[{i}]"
    if not isinstance(entry, dict):
        raise CityConfigError(f"{where} must be a mapping")
    regions = entry.get("regions")
    if regions == "*":
        scope = None
    elif isinstance(regions, list) and regions and set(regions) <= region_names:
        scope = tuple(regions)
    else:
        raise CityConfigError(f"{where}.regions must be \"*\" or a list of the config's regions")
    if entry.get("kind") != "per_capita_monthly_income":
        raise CityConfigError(f"{where}.kind must be per_capita_monthly_income")
    amount = entry.get("amount")
    if not isinstance(amount, (int, float)) or isinstance(amount, bool) or amount <= 0:
        raise CityConfigError(f"{where}.amount must be a positive number (yuan)")
    effective = entry.get("effective_from")
    if not isinstance(effective, dt.date):
        raise CityConfigError(f"{where}.effective_from must be a date (YYYY-MM-DD)")
    if not isinstance(entry.get("source"), str) or not entry["source"]:
        raise CityConfigError(f"{where}.source must say where the amount comes from")
    return HardshipThreshold(scope, float(amount), effective, entry["source"])


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
