"""Figures for the monthly report (issues 5 and 17): pure query code, no web.

A report covers the referrals *received* in a period of China-local dates (a cohort): every
figure, decisions, closings and overdue included, is about the applications that arrived in the
period. ``created_at`` is stored in UTC (SQLite hands it back naive), so the period becomes UTC
datetime bounds computed from CHINA_TZ and the filter works the same on SQLite and PostgreSQL.

The headline figures come from one aggregate query and each breakdown from one GROUP BY (no
query per referral); the median is computed in Python so it is portable, in working days of the
official calendar (referral.rules.deadlines), as the Art. 43 deadline counts them.

Closed referrals are counted by how they ended (``Referral.closing_outcome``: 办结, 申请人撤回,
终止法律援助); those closed before outcomes were recorded are shown as 「结案（未注明）」, never
merged into one of the others.

Public API: ``report``, ``month_on_month``, ``Report``, ``MonthOnMonth``, ``Change``, ``Count``,
``FIGURES``, ``parse_month``, ``month_bounds``, ``shift_month``, ``utc_bounds`` and the label
dictionaries (``STATUS_LABELS``, ``PRIORITY_LABELS``, ``CHANNEL_LABELS``, ``CLOSING_OUTCOMES``,
``BREAKDOWNS``, ``NO_STATION``).
"""

from __future__ import annotations

import calendar
import re
import statistics as pystats
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from referral.db import as_utc
from referral.desk import CLOSING_OUTCOMES, visible_referrals
from referral.labels import CHANNEL_LABELS, PRIORITY_LABELS, STATUS_LABELS
from referral.models import OPEN_STATUSES, Call, Priority, Referral, ReferralEvent, ReferralStatus, StaffUser, Station
from referral.rules.city import city_config
from referral.rules.contract import CHINA_TZ, china_today
from referral.rules.deadlines import is_working_day
from referral.rules.matters import MATTERS

NO_STATION = ""  # the by_station key of referrals no station serves (administrators transfer them by hand)
NO_STATION_LABEL = "未分到站点"
WHOLE_CITY = "全市"
CLOSED_UNSPECIFIED = "结案（未注明）"  # closed before the outcome was recorded
OTHER_CHANNEL = "其他渠道"  # a channel code without a Chinese label: exports carry no English codes
OTHER_MATTER = "其他事项"
OTHER_REGION = "其他地区"

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

# The headline figures of a Report: attribute name -> Chinese label (with its unit), in the order
# pages and exports show them and the month-on-month comparison lists them.
FIGURES: dict[str, str] = {
    "total": "收到申请（件）",
    "fast_track": "其中绿色通道（脱贫户）（件）",
    "decided": "已作决定（件）",
    "accepted": "给予法律援助（件）",
    "refused": "不予法律援助（件）",
    "accepted_percent": "给予援助比例（%）",
    "assigned": "已指派承办人员（件）",
    "concluded": "办结（件）",
    "withdrawn": "申请人撤回（件）",
    "terminated": "终止法律援助（件）",
    "closed_unspecified": "结案（未注明）（件）",
    "overdue": "已超期未决定（件）",
    "assignment_overdue": "给予援助后超期未指派（件）",
    "median_working_days": "从申请到决定（中位数，按工作日计）",
}

_SHARES = frozenset({"accepted_percent"})  # already a percentage: the change is in points, no relative change
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


@dataclass(frozen=True)
class Count:
    """One row of a breakdown: the code (``key``), its Chinese ``label`` and how many referrals."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Report:
    """The figures for the referrals received from ``start`` to ``end`` (China-local dates, inclusive).

    Breakdowns are lists of Count sorted by count (largest first), then key; codes with no
    referral are left out, except counties: ``by_region`` lists every county of the scope in the
    city's order, zeros included. ``overdue`` and ``assignment_overdue`` are counted as of
    ``as_of`` (China date).
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
    accepted_percent: float | None  # accepted / (accepted + refused) x 100, 1 decimal half up; None without any
    median_working_days: float | None  # median working days from receipt to decision (China dates); None if none
    overdue: int  # no decision, clock running and past decision_due as of ``as_of``
    assigned: int = 0  # a legal-aid provider was assigned (assigned_at set)
    assignment_overdue: int = 0  # aid given, no provider yet and past assignment_due as of ``as_of``
    concluded: int = 0  # closed: 办结
    withdrawn: int = 0  # closed: 申请人撤回
    terminated: int = 0  # closed: 终止法律援助 (Art. 48)
    closed_unspecified: int = 0  # closed without a recorded outcome (before outcomes were recorded)
    by_matter: list[Count] = field(default_factory=list)
    by_region: list[Count] = field(default_factory=list)
    by_station: list[Count] = field(default_factory=list)
    # by current status; closed referrals split by how they ended (keys concluded, withdrawn, terminated,
    # closed for 结案（未注明）)
    by_outcome: list[Count] = field(default_factory=list)
    by_channel: list[Count] = field(default_factory=list)
    by_priority: list[Count] = field(default_factory=list)
    # Hotline calls started in the period, by the operator who took them (administrators only: calls
    # belong to no station); and those that ended with a ticket.
    calls_by_operator: list[Count] = field(default_factory=list)
    hotline_tickets_by_operator: list[Count] = field(default_factory=list)

    def breakdowns(self) -> list[tuple[str, str, list[Count]]]:
        """``(attribute, Chinese title, counts)`` for each breakdown, in the order of BREAKDOWNS."""
        return [(name, title, getattr(self, name)) for name, title in BREAKDOWNS.items()]

    def figures(self) -> list[tuple[str, str, int | float | None]]:
        """``(attribute, Chinese label, value)`` for each headline figure, in the order of FIGURES."""
        return [(name, label, getattr(self, name)) for name, label in FIGURES.items()]


@dataclass(frozen=True)
class Change:
    """One headline figure this month and the month before: ``difference`` is this minus previous,
    ``percent`` the difference as a percentage of the previous figure (1 decimal; None when the
    previous figure is 0 or either is missing, and for a figure that is a percentage itself)."""

    key: str
    label: str
    current: int | float | None
    previous: int | float | None
    difference: int | float | None
    percent: float | None


@dataclass(frozen=True)
class MonthOnMonth:
    """A month's report, the previous month's (figures only, no breakdowns) and the change of each figure."""

    report: Report
    previous: Report
    changes: list[Change]


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


# --- labels (no code reaches a page or an export untranslated) ---

def channel_label(code: str | None) -> str:
    return CHANNEL_LABELS.get(code or "", OTHER_CHANNEL)


def matter_label(code: str | None) -> str:
    return MATTERS.get(code or "", OTHER_MATTER)


def status_label(status: str, closing_outcome: str | None = None) -> str:
    """The current status in words; a closed referral with how it ended (「结案：申请人撤回」)."""
    if status == ReferralStatus.closed.value:
        outcome = CLOSING_OUTCOMES.get(closing_outcome or "")
        return f"结案：{outcome}" if outcome else CLOSED_UNSPECIFIED
    return STATUS_LABELS.get(status, status)


def outcome_label(closing_outcome: str | None) -> str:
    """How a closed referral ended, in words (「结案（未注明）」 when it was not recorded)."""
    return CLOSING_OUTCOMES.get(closing_outcome or "", CLOSED_UNSPECIFIED)


def region_name(text: str | None) -> str:
    """The county's official name for a stored region (「彝良」 -> 彝良县); text naming no county as is."""
    region = city_config().find_region(text or "")
    return region.name if region else (text or OTHER_REGION)


# --- the report ---

def report(session: Session, user: StaffUser, start: date, end: date, *, today: date | None = None,
           breakdowns: bool = True) -> Report:
    """The figures for the referrals ``user`` may see (desk.visible_referrals) received from ``start``
    to ``end`` (China-local dates, inclusive). ``today`` (China date, default now) dates ``overdue``.
    ``breakdowns=False`` leaves the breakdowns empty (the month before, for a comparison).

    Raises ValueError (Chinese message) when ``start`` is after ``end``.
    """
    if start > end:
        raise ValueError("开始日期不能晚于结束日期")
    as_of = today or china_today()
    since, until = utc_bounds(start, end)
    r = aliased(Referral, visible_referrals(user).where(Referral.created_at >= since,
                                                        Referral.created_at < until).subquery())
    figures = _figures(session, r, as_of)
    accepted, refused = figures["accepted"], figures["refused"]
    station = _station(session, user)
    lists: dict[str, list[Count]] = {}
    if breakdowns:
        lists = {
            "by_matter": _group(session, r.matter, matter_label),
            "by_region": _by_region(session, r, _scope_regions(user, station)),
            "by_station": _by_station(session, r),
            "by_outcome": _by_outcome(session, r),
            "by_channel": _group(session, r.channel, channel_label),
            "by_priority": _group(session, r.priority, lambda key: PRIORITY_LABELS.get(key, key)),
            "calls_by_operator": _calls_by_operator(session, since, until) if user.is_admin else [],
            "hotline_tickets_by_operator": (_calls_by_operator(session, since, until, Call.referral_id.is_not(None))
                                            if user.is_admin else []),
        }
    return Report(
        start=start, end=end, scope=station.name if station else WHOLE_CITY, as_of=as_of,
        accepted_percent=_round(100 * accepted / (accepted + refused), 1) if accepted + refused else None,
        median_working_days=_median_working_days(session, r),
        **cast(dict[str, Any], figures), **cast(dict[str, Any], lists),
    )


def month_on_month(session: Session, user: StaffUser, year: int, month: int, *,
                   today: date | None = None) -> MonthOnMonth:
    """The report of a month with the month before it for comparison (环比), both as of ``today``."""
    current = report(session, user, *month_bounds(year, month), today=today)
    previous = report(session, user, *month_bounds(*shift_month(year, month, -1)), today=today, breakdowns=False)
    return MonthOnMonth(current, previous, compare(current, previous))


def compare(current: Report, previous: Report) -> list[Change]:
    """The change of every headline figure (FIGURES) from ``previous`` to ``current``."""
    changes = []
    for key, label in FIGURES.items():
        now, before = getattr(current, key), getattr(previous, key)
        difference = None if now is None or before is None else now - before
        if isinstance(difference, float):
            difference = _round(difference, 1)
        percent = None
        if difference is not None and before and key not in _SHARES:
            percent = _round(100 * difference / before, 1)
        changes.append(Change(key, label, now, before, difference, percent))
    return changes


def _station(session: Session, user: StaffUser) -> Station | None:
    if user.is_admin or user.station_id is None:
        return None
    return session.get(Station, user.station_id)


def _scope_regions(user: StaffUser, station: Station | None) -> list[str]:
    """The counties a report lists even at zero: the city's, or those the user's station serves."""
    names = city_config().region_names()
    if station is None or not station.regions:
        return names
    served = {region_name(name) for name in station.regions}
    return [name for name in names if name in served]


def _sum(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _figures(session: Session, r, as_of: date) -> dict[str, int]:
    """The headline counts of the cohort ``r`` in one aggregate query."""
    closed = r.status == ReferralStatus.closed
    conditions = {
        "fast_track": r.priority == Priority.fast_track,
        "decided": r.decided_at.is_not(None),
        "accepted": _decided_as(r, ReferralStatus.accepted),
        "refused": _decided_as(r, ReferralStatus.refused),
        "assigned": r.assigned_at.is_not(None),
        "concluded": and_(closed, r.closing_outcome == "concluded"),
        "withdrawn": and_(closed, r.closing_outcome == "withdrawn"),
        "terminated": and_(closed, r.closing_outcome == "terminated"),
        "closed_unspecified": and_(closed, or_(r.closing_outcome.is_(None),
                                               r.closing_outcome.not_in(list(CLOSING_OUTCOMES)))),
        "overdue": and_(r.status.in_(OPEN_STATUSES), r.paused_at.is_(None), r.decision_due < as_of),
        "assignment_overdue": and_(r.status == ReferralStatus.accepted, r.assigned_at.is_(None),
                                   r.assignment_due.is_not(None), r.assignment_due < as_of),
    }
    row = session.execute(select(func.count(), *(_sum(c) for c in conditions.values())).select_from(r)).one()
    values: list[int] = [int(value) for value in row]
    return {"total": values[0], **dict(zip(conditions, values[1:], strict=True))}


def _decided_as(r, status: ReferralStatus):
    """Decided ``status``: the status itself, or closed after that decision (the decision event tells)."""
    event = select(ReferralEvent.id).where(ReferralEvent.referral_id == r.id,
                                           ReferralEvent.kind == status.value).exists()
    return or_(r.status == status, and_(r.status == ReferralStatus.closed, r.decided_at.is_not(None), event))


def _china_date(value: datetime) -> date:
    return as_utc(value).astimezone(CHINA_TZ).date()


def working_days(pairs: list[tuple[date, date]]) -> list[int]:
    """For each (received, decided) pair of China dates, the working days after the day of receipt up
    to and including the day of the decision (0: decided the day it arrived, or over a weekend).
    The calendar is walked once over the whole span, not once per referral."""
    if not pairs:
        return []
    first, last = min(start for start, _ in pairs), max(end for _, end in pairs)
    counted, running, day = {first: 0}, 0, first
    while day < last:
        day += timedelta(days=1)
        running += is_working_day(day)[0]
        counted[day] = running
    return [counted[end] - counted[start] if end > start else 0 for start, end in pairs]


def _median_working_days(session: Session, r) -> float | None:
    rows = session.execute(select(r.created_at, r.decided_at).where(r.decided_at.is_not(None))).all()
    days = working_days([(_china_date(created), _china_date(decided)) for created, decided in rows])
    return _round(pystats.median(days), 1) if days else None


def _round(value: float, places: int) -> float:
    """Rounded half up (四舍五入), as a report reader expects: 5.25 -> 5.3."""
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _code(value: object) -> str:
    return value.value if hasattr(value, "value") else str(value)


def _sorted(counts: list[Count]) -> list[Count]:
    return sorted(counts, key=lambda c: (-c.count, c.key))


def _merged(rows: list[tuple[str, str, int]]) -> list[Count]:
    """Counts summed by label (two unknown channel codes are both 「其他渠道」), keyed by the first code."""
    by_label: dict[str, list] = {}
    for key, label, n in sorted(rows):
        by_label.setdefault(label, [key, 0])[1] += n
    return _sorted([Count(key, label, n) for label, (key, n) in by_label.items()])


def _group(session: Session, column, label: Callable[[str], str]) -> list[Count]:
    rows = session.execute(select(column, func.count()).group_by(column)).all()
    return _merged([(_code(key), label(_code(key)), n) for key, n in rows])


def _by_region(session: Session, r, regions: list[str]) -> list[Count]:
    """Every county of ``regions`` in the city's order (zeros too), then any other region counted."""
    counted: dict[str, int] = {}
    for key, n in session.execute(select(r.region, func.count()).group_by(r.region)).all():
        name = region_name(key)
        counted[name] = counted.get(name, 0) + n
    listed = [Count(name, name, counted.pop(name, 0)) for name in regions]
    return listed + _sorted([Count(name, name, n) for name, n in counted.items()])


def _by_outcome(session: Session, r) -> list[Count]:
    rows = session.execute(select(r.status, r.closing_outcome, func.count())
                           .group_by(r.status, r.closing_outcome)).all()
    keyed = []
    for status, outcome, n in rows:
        code = _code(status)
        if code == ReferralStatus.closed.value:
            code = outcome if outcome in CLOSING_OUTCOMES else ReferralStatus.closed.value
        keyed.append((code, status_label(_code(status), outcome), n))
    return _merged(keyed)


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
