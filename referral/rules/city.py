"""City configuration: regions (counties and districts) citizens can name.

Plain Python plus PyYAML so that the bot environment can import it. The file is
read and checked once; a broken file fails at start-up, never mid-conversation.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from referral.rules.matters import MATTER_CODES

DEFAULT_CITY_CONFIG = Path(__file__).parent.parent / "city.yaml"


# What may stand around a place name in an answer that says nothing else (「我在镇雄县的。」).
_PLACE_NOISE = re.compile(r"[\s，,。.！!？?、~～]")
_PLACE_WORDS = re.compile(r"^(?:我|我们|我家|家)?(?:是|在|住在|住)?|(?:的|这边|那边|这里|那里)?$")


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


# Applicant groups that specialised stations serve (routing derives them from the case).
APPLICANT_GROUPS: dict[str, str] = {
    "women_children": "妇女儿童",
    "elderly": "老年人",
    "disabled": "残疾人",
    "ethnic_minority": "少数民族",
    "migrant_worker": "农民工",
}
STATION_KINDS: dict[str, str] = {
    "city_centre": "市法律援助中心",
    "county_centre": "县区法律援助中心",
    "specialised": "专门工作站",
    "workstation": "乡镇（街道）工作站",
}
AGENCY_KINDS = frozenset({"city_centre", "county_centre"})  # legal-aid agencies: they decide (Art. 43)


@dataclass(frozen=True)
class StationConfig:
    code: str
    name: str
    kind: str
    regions: tuple[str, ...] | None  # None: every region
    townships: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    parent: str | None = None  # the agency that decides for a workstation
    justice_bureau: str | None = None
    phone: str | None = None
    phone_sample: bool = False  # a sample value of the shipped config: shown to staff, never told to citizens


@dataclass(frozen=True)
class CityConfig:
    city: str
    regions: tuple[Region, ...]
    hardship_thresholds: tuple[HardshipThreshold, ...] = ()
    poverty_statuses: frozenset[str] = field(default_factory=lambda: frozenset({"poverty_registered"}))
    local_matters: frozenset[str] = frozenset()
    own_income_matters: frozenset[str] = frozenset()
    stations: tuple[StationConfig, ...] = ()
    # The police SMS alarm number (12110 usually needs a local suffix): None when not configured
    # or only a sample; the bot then does not mention SMS alarms at all.
    sms_alarm: str | None = None
    # Places outside the city that citizens name (the province's other cities, where people from
    # here go to work): a case handled there is applied for there (法律援助法第三十八条).
    elsewhere: tuple[str, ...] = ()

    def place_elsewhere(self, text: str) -> str | None:
        """The first place outside the city that ``text`` names (「在浙江义乌打工」→ 浙江), or None.

        A place of the city named in the same words does not cancel it: 「我是彝良的 在浙江打工」
        still names 浙江. 「外地」「外省」 count as a place too.
        """
        if not text:
            return None
        found = [(text.find(place), place) for place in self.elsewhere if place in text]
        return min(found)[1] if found else None

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

    def names_only_a_place(self, text: str) -> bool:
        """Whether ``text`` is nothing but a place's name (「威信县」「彝良」「在镇雄」「乌峰街道。」): no account
        of a problem. The chat once filed such answers as the account of what happened."""
        bare = _PLACE_NOISE.sub("", text or "")
        bare = _PLACE_WORDS.sub("", bare)
        return bool(bare) and any(bare == s for r in self.regions for s in r.spellings())


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
    stations = _stations(raw.get("stations"), regions, source)
    sms_alarm, sms_alarm_sample = _phone(raw.get("sms_alarm"), f"{source}: sms_alarm")
    elsewhere = raw.get("elsewhere") or []
    if not isinstance(elsewhere, list) or not all(isinstance(v, str) and v for v in elsewhere):
        raise CityConfigError(f"{source}: 'elsewhere' must be a list of place names")
    inside = sorted(place for place in elsewhere if place in seen or any(place in s for s in seen))
    if inside:
        raise CityConfigError(f"{source}: 'elsewhere' names places of the city's own regions: {inside}")
    return CityConfig(
        elsewhere=tuple(elsewhere),
        sms_alarm=None if sms_alarm_sample else sms_alarm,
        city=city,
        stations=stations,
        regions=tuple(regions),
        hardship_thresholds=thresholds,
        poverty_statuses=codes("poverty_statuses") or frozenset({"poverty_registered"}),
        local_matters=local,
        own_income_matters=own,
    )


def _stations(entries: object, regions: list[Region], source: str) -> tuple[StationConfig, ...]:
    if not isinstance(entries, list) or not entries:
        raise CityConfigError(f"{source}: 'stations' must be a non-empty list")
    region_names = {r.name for r in regions}
    townships = {t for r in regions for t in r.townships}
    stations: list[StationConfig] = []
    for i, entry in enumerate(entries):
        where = f"{source}: stations[{i}]"
        if not isinstance(entry, dict):
            raise CityConfigError(f"{where} must be a mapping")
        for key in ("code", "name", "kind"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise CityConfigError(f"{where} needs a string '{key}'")
        if entry["kind"] not in STATION_KINDS:
            raise CityConfigError(f"{where}.kind must be one of {sorted(STATION_KINDS)}")
        scope = entry.get("regions")
        if scope == "*":
            station_regions = None
        elif isinstance(scope, list) and scope and set(scope) <= region_names:
            station_regions = tuple(scope)
        else:
            raise CityConfigError(f"{where}.regions must be \"*\" or a list of the config's regions")
        station_townships = tuple(entry.get("townships") or ())
        if not set(station_townships) <= townships:
            raise CityConfigError(f"{where}.townships must be townships of the config's regions")
        groups = tuple(entry.get("groups") or ())
        if not set(groups) <= set(APPLICANT_GROUPS):
            raise CityConfigError(f"{where}.groups must be among {sorted(APPLICANT_GROUPS)}")
        phone, phone_sample = _phone(entry.get("phone"), f"{where}.phone")
        stations.append(StationConfig(
            code=entry["code"], name=entry["name"], kind=entry["kind"], regions=station_regions,
            townships=station_townships, groups=groups, parent=entry.get("parent"),
            justice_bureau=entry.get("justice_bureau"), phone=phone, phone_sample=phone_sample,
        ))
    codes = [s.code for s in stations]
    if len(set(codes)) != len(codes):
        raise CityConfigError(f"{source}: station codes must be unique")
    for station in stations:
        if station.kind in AGENCY_KINDS:
            if station.parent is not None or not station.justice_bureau:
                raise CityConfigError(f"{source}: station {station.code}: an agency names its justice_bureau, "
                                      "not a parent")
        elif station.parent not in codes or next(s for s in stations if s.code == station.parent).kind \
                not in AGENCY_KINDS:
            raise CityConfigError(f"{source}: station {station.code}: 'parent' must be a city or county centre")
    if not any(s.kind == "city_centre" and s.regions is None and not s.groups for s in stations):
        raise CityConfigError(f"{source}: one city_centre must serve every region (regions: \"*\")")
    return tuple(stations)


def _phone(value: object, where: str) -> tuple[str | None, bool]:
    """A phone number setting: a string (a real number), a mapping ``{number: ..., sample: true}``
    (a sample value: staff see it marked, citizens never hear it) or absent. Returns (number, sample)."""
    if value is None:
        return None, False
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip(), False
    if isinstance(value, dict) and set(value) <= {"number", "sample"} and isinstance(value.get("number"), (str, int)) \
            and str(value["number"]).strip() and isinstance(value.get("sample", False), bool):
        return str(value["number"]).strip(), bool(value.get("sample", False))
    raise CityConfigError(f"{where} must be a phone number or {{number: ..., sample: true}}")


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
