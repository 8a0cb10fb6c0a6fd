"""Figures for the monthly report (issue 5): pure query code, no web.

A report covers the referrals *received* in a period of China-local dates (a cohort): every
figure, decisions and overdue included, is about the applications that arrived in the period.
``created_at`` is stored in UTC (SQLite hands it back naive), so the period becomes UTC datetime
bounds computed from CHINA_TZ and the filter works the same on SQLite and PostgreSQL.
Counts use SQL GROUP BY; the median is computed in Python so it is portable.

Public API: ``report``, ``Report``, ``Count``, ``parse_month``, ``month_bounds``, ``shift_month``, ``utc_bounds``
and the label dictionaries (``STATUS_LABELS``, ``PRIORITY_LABELS``, ``CHANNEL_LABELS``,
``BREAKDOWNS``, ``NO_STATION``).
"""

from __future__ import annotations

import calendar
import re
import statistics as pystats
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from referral.db import as_utc
from referral.desk import visible_referrals
from referral.labels import CHANNEL_LABELS, PRIORITY_LABELS, STATUS_LABELS
from referral.models import OPEN_STATUSES, Call, Priority, Referral, ReferralEvent, ReferralStatus, StaffUser, Station
from referral.rules.contract import CHINA_TZ, china_today
from referral.rules.matters import MATTERS

NO_STATION = ""  # the by_station key of referrals no station serves (administrators transfer them by hand)
NO_STATION_LABEL = "未分到站点"
WHOLE_CITY = "全市"

# The breakdowns of a Report: attribute name -> Chinese title, in the order pages and exports show them.
BREAKDOWNS: dict[str, str] = {
    "by_matter": "按事项",
    "by_region": "按县区",
    "by_station": "按站点",
    "by_outcome": "按办理状态",
    "by_channel": "按申请渠道",
    "by_priority": "按优先级",
    "calls_by_operator": "热线来电（按话务员，全市）",
    "hotline_tickets_by_operator": "热线来电登记的申请（按话务员，全市）",
}

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


@dataclass(frozen=True)
class Count:
    """One row of a breakdown: the code (``key``), its Chinese ``label`` and how many referrals."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Report:
    """The figures for referrals received from ``start`` to ``end`` (China-local dates, inclusive).

    Breakdowns are lists of Count sorted by count (largest first), then key; codes with no
    referral are left out. ``overdue`` is counted as of ``as_of`` (China date).
    """

    start: date
    end: date
    scope: str  # "全市" for an administrator, else the user's station name
    as_of: date
    total: int
    fast_track: int  # priority fast_track: registered poverty households (the green channel)
    decided: int  # referrals with a decision (decided_at set), whatever their status now
    accepted: int  # decided to give legal aid (status accepted, or closed after an acceptance)
    refused: int  # decided not to give legal aid (status refused, or closed after a refusal)
    accepted_rate: float | None  # accepted / (accepted + refused), 0..1, 3 places half up; None without decisions
    median_days_to_decision: float | None  # median of decided_at - created_at in days, 1 decimal half up; None if none
    overdue: int  # open (no decision) and past decision_due as of ``as_of``
    by_matter: list[Count] = field(default_factory=list)
    by_region: list[Count] = field(default_factory=list)
    by_station: list[Count] = field(default_factory=list)
    by_outcome: list[Count] = field(default_factory=list)  # by current status, labels from STATUS_LABELS
    by_channel: list[Count] = field(default_factory=list)
    by_priority: list[Count] = field(default_factory=list)
    # Hotline calls started in the period, by the operator who took them (administrators only: calls
    # belong to no station); and those that ended with a ticket.
    calls_by_operator: list[Count] = field(default_factory=list)
    hotline_tickets_by_operator: list[Count] = field(default_factory=list)

    def breakdowns(self) -> list[tuple[str, str, list[Count]]]:
        """``(attribute, Chinese title, counts)`` for each breakdown, in the order of BREAKDOWNS."""
        return [(name, title, getattr(self, name)) for name, title in BREAKDOWNS.items()]


# --- periods ---

def parse_month(text: str) -> tuple[int, int]:
    """``"2026-11"`` -> ``(2026, 11)``; anything else raises ValueError with a Chinese message."""
    match = _MONTH.match(text or "")
    if not match:
        raise ValueError(f"月份要写成“年-月”，比如 2026-11（收到的是“{(text or '')[:20]}”）")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise ValueError(f"月份要在 1 到 12 之间（收到的是 {month}）")
    if not 1900 <= year <= 9998:
        raise ValueError(f"年份不对（收到的是 {year}）")
    return year, month


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first and the last day of a month (China-local dates, both inclusive)."""
    if not 1 <= month <= 12:
        raise ValueError(f"月份要在 1 到 12 之间（收到的是 {month}）")
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    """The month ``delta`` months after (negative: before) the given one, e.g. for 上个月/下个月 links."""
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants ``[from, until)`` covering China-local days ``start``..``end`` inclusive."""
    since = datetime.combine(start, time.min, CHINA_TZ).astimezone(timezone.utc)
    until = datetime.combine(end + timedelta(days=1), time.min, CHINA_TZ).astimezone(timezone.utc)
    return since, until


# --- the report ---

def report(session: Session, user: StaffUser, start: date, end: date, *, today: date | None = None) -> Report:
    """The figures for the referrals ``user`` may see (desk.visible_referrals) received from ``start``
    to ``end`` (China-local dates, inclusive). ``today`` (China date, default now) dates ``overdue``.

    Raises ValueError (Chinese message) when ``start`` is after ``end``.
    """
    if start > end:
        raise ValueError("开始日期不能晚于结束日期")
    as_of = today or china_today()
    since, until = utc_bounds(start, end)
    r = aliased(Referral, visible_referrals(user).where(Referral.created_at >= since,
                                                        Referral.created_at < until).subquery())
    accepted = _count(session, r, _decided_as(r, ReferralStatus.accepted))
    refused = _count(session, r, _decided_as(r, ReferralStatus.refused))
    return Report(
        start=start, end=end, scope=_scope(session, user), as_of=as_of,
        total=_count(session, r),
        fast_track=_count(session, r, r.priority == Priority.fast_track),
        decided=_count(session, r, r.decided_at.is_not(None)),
        accepted=accepted,
        refused=refused,
        accepted_rate=_round(accepted / (accepted + refused), 3) if accepted + refused else None,
        median_days_to_decision=_median_days_to_decision(session, r),
        overdue=_count(session, r, r.status.in_(OPEN_STATUSES), r.decision_due < as_of),
        by_matter=_group(session, r.matter, lambda key: MATTERS.get(key, key)),
        by_region=_group(session, r.region, lambda key: key),
        by_station=_by_station(session, r),
        by_outcome=_group(session, r.status, lambda key: STATUS_LABELS.get(key, key)),
        by_channel=_group(session, r.channel, lambda key: CHANNEL_LABELS.get(key, key)),
        by_priority=_group(session, r.priority, lambda key: PRIORITY_LABELS.get(key, key)),
        calls_by_operator=_calls_by_operator(session, since, until) if user.is_admin else [],
        hotline_tickets_by_operator=(_calls_by_operator(session, since, until, Call.referral_id.is_not(None))
                                     if user.is_admin else []),
    )


def _scope(session: Session, user: StaffUser) -> str:
    if user.is_admin or user.station_id is None:
        return WHOLE_CITY
    station = session.get(Station, user.station_id)
    return station.name if station else WHOLE_CITY


def _count(session: Session, r, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(r).where(*conditions)) or 0


def _decided_as(r, status: ReferralStatus):
    """Decided ``status``: the status itself, or closed after that decision (the decision event tells)."""
    event = select(ReferralEvent.id).where(ReferralEvent.referral_id == r.id,
                                           ReferralEvent.kind == status.value).exists()
    return or_(r.status == status, and_(r.status == ReferralStatus.closed, r.decided_at.is_not(None), event))


def _median_days_to_decision(session: Session, r) -> float | None:
    pairs = session.execute(select(r.created_at, r.decided_at).where(r.decided_at.is_not(None))).all()
    days = [(as_utc(decided) - as_utc(created)).total_seconds() / 86400 for created, decided in pairs]
    return _round(pystats.median(days), 1) if days else None


def _round(value: float, places: int) -> float:
    """Rounded half up (四舍五入), as a report reader expects: 5.25 -> 5.3."""
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _code(value: object) -> str:
    return value.value if hasattr(value, "value") else str(value)


def _sorted(counts: list[Count]) -> list[Count]:
    return sorted(counts, key=lambda c: (-c.count, c.key))


def _group(session: Session, column, label) -> list[Count]:
    rows = session.execute(select(column, func.count()).group_by(column)).all()
    return _sorted([Count(_code(key), label(_code(key)), n) for key, n in rows])


def _calls_by_operator(session: Session, since: datetime, until: datetime, *conditions) -> list[Count]:
    rows = session.execute(
        select(StaffUser.username, StaffUser.display_name, func.count())
        .select_from(Call).join(StaffUser, StaffUser.id == Call.operator_id)
        .where(Call.started_at >= since, Call.started_at < until, *conditions)
        .group_by(StaffUser.username, StaffUser.display_name)
    ).all()
    return _sorted([Count(username, name, n) for username, name, n in rows])


def _by_station(session: Session, r) -> list[Count]:
    rows = session.execute(
        select(Station.code, Station.name, func.count())
        .select_from(r).outerjoin(Station, Station.id == r.station_id)
        .group_by(r.station_id, Station.code, Station.name)
    ).all()
    return _sorted([Count(code or NO_STATION, name or NO_STATION_LABEL, n) for code, name, n in rows])
