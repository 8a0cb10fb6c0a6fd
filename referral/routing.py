"""Routing: which station a referral goes to, by region, township and applicant group.

Stations come from city.yaml (seeded into the database, then edited by administrators).
The most specific active station wins: one serving the applicant's group before a general
one, a township workstation before its county centre, a county centre before the city centre.
A station where nobody works yet (no active staff account) is passed over for a staffed one,
so no referral waits at an empty desk; before any account exists, configuration alone decides.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from referral.models import StaffUser, Station
from referral.rules.city import CityConfig, city_config

# Screening statuses and criminal flags (shared/domain/eligibility.md) that name a group.
_STATUS_GROUPS = {
    "migrant_worker": "migrant_worker",
    "elderly_no_income": "elderly",
    "disabled_no_income": "disabled",
    "minor_no_income": "women_children",
    "abuse_victim": "women_children",
}
# Matters whose applicants a women-and-children station serves (the Anti-Domestic Violence Law's
# protection orders and the like). Support payments may be for a child or a parent: not mapped.
_MATTER_GROUPS = {"domestic_violence": "women_children"}


def applicant_groups(matter: str, screening: dict | None) -> list[str]:
    """The groups a specialised station may serve, read from what the citizen already told.

    None for a defence the authorities must have appointed (a detained minor, a blind, deaf or mute
    suspect...: Art. 25): the county's legal-aid agency must assign a lawyer to it within days, so
    it goes to the agency, not to a thematic workstation.
    """
    screening = screening or {}
    if matter == "criminal_defense" and screening.get("criminal_flags"):
        return []
    groups = {_STATUS_GROUPS[s] for s in screening.get("statuses") or () if s in _STATUS_GROUPS}
    if matter in _MATTER_GROUPS:
        groups.add(_MATTER_GROUPS[matter])
    return sorted(groups)


def serves(station: Station, region: str, township: str | None, groups: Iterable[str]) -> bool:
    if not station.active:
        return False
    if station.regions is not None and region not in station.regions:
        return False
    if station.townships and township not in station.townships:
        return False
    return not station.groups or bool(set(station.groups) & set(groups))


def specificity(station: Station) -> tuple[int, int, int]:
    return (bool(station.groups), bool(station.townships), station.regions is not None)


def choose_station(stations: Iterable[Station], region: str, township: str | None, groups: Iterable[str],
                   staffed: frozenset[int] = frozenset()) -> Station:
    """The station for a referral; ``staffed`` holds the ids of stations with active staff."""
    groups = list(groups)
    candidates = [s for s in stations if serves(s, region, township, groups)]
    if not candidates:
        raise LookupError(f"no active station serves region {region!r}; check the stations in the staff console")
    # Among equally specific stations the one listed first in the configuration (lowest id) wins.
    return max(candidates, key=lambda s: (s.id in staffed, specificity(s), -s.id))


def staffed_station_ids(session: Session) -> frozenset[int]:
    station_ids = session.scalars(
        select(StaffUser.station_id).where(StaffUser.active.is_(True), StaffUser.station_id.is_not(None)).distinct()
    )
    return frozenset(station_id for station_id in station_ids if station_id is not None)


def route(session: Session, region: str, township: str | None, groups: Iterable[str]) -> Station:
    return choose_station(session.scalars(select(Station).order_by(Station.id)).all(), region, township, groups,
                          staffed_station_ids(session))


def seed_stations(session: Session, config: CityConfig | None = None) -> int:
    """Insert the configured stations missing from the database; never overwrite an administrator's edits.

    Returns how many were added.
    """
    config = config or city_config()
    existing = {s.code: s for s in session.scalars(select(Station)).all()}
    added = 0
    for entry in config.stations:
        if entry.code in existing:
            continue
        station = Station(
            code=entry.code, name=entry.name, kind=entry.kind,
            regions=list(entry.regions) if entry.regions is not None else None,
            townships=list(entry.townships), groups=list(entry.groups),
            justice_bureau=entry.justice_bureau, phone=entry.phone, phone_sample=entry.phone_sample, active=True,
        )
        session.add(station)
        existing[entry.code] = station
        added += 1
    session.flush()
    for entry in config.stations:
        if entry.parent and existing[entry.code].parent_id is None:
            existing[entry.code].parent_id = existing[entry.parent].id
    session.commit()
    return added
