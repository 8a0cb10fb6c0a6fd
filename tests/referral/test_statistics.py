"""The monthly report figures (referral.statistics) on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from referral import statistics
from referral.models import Priority, Referral, ReferralEvent, ReferralStatus, Role, Station
from referral.staff_auth import create_user
from tests.support.referrals import referral_body

TODAY = date(2026, 12, 5)  # China date the overdue figure is counted on
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def submit(client, auth, **overrides) -> str:
    response = client.post("/api/referrals", json=referral_body(**overrides),
                           headers={**auth, "Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 201, response.text
    return response.json()["ticket_number"]


def adjust(client, ticket: str, *, station: str | None = "keep", accepted_event: bool = False, **values) -> None:
    """Set columns of a referral directly; ``station`` is a station code or None (no station)."""
    with client.app.state.session_factory() as session:
        referral = session.scalar(select(Referral).where(Referral.ticket_number == ticket))
        for name, value in values.items():
            setattr(referral, name, value)
        if station != "keep":
            referral.station_id = session.scalar(select(Station.id).where(Station.code == station)) \
                if station else None
        if accepted_event:
            session.add(ReferralEvent(referral_id=referral.id, at=values.get("decided_at"), kind="accepted",
                                      from_status="claimed", to_status="accepted"))
        session.commit()


@pytest.fixture
def users(client):
    """A city administrator and one staff member each at the 镇雄县 and 鲁甸县 centres."""
    with client.app.state.session_factory() as session:
        station = {code: session.scalar(select(Station).where(Station.code == code))
                   for code in ("zhenxiong", "ludian")}
        for username, role, code in (("admin", Role.admin, None), ("zx", Role.staff, "zhenxiong"),
                                     ("ld", Role.staff, "ludian")):
            create_user(session, username=username, display_name=username, password="0123456789ab", role=role,
                        station=station[code] if code else None)
    return ("admin", "zx", "ld")


def make_report(client, username: str, start: date, end: date, today: date = TODAY) -> statistics.Report:
    from referral.models import StaffUser

    with client.app.state.session_factory() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == username))
        return statistics.report(session, user, start, end, today=today)


@pytest.fixture
def referrals(client, auth, users) -> dict[str, str]:
    """Eight referrals around November 2026 (China time); A, C, E, F, G and H are in November."""
    specs = {
        # name: (region, matter, channel, created_at UTC, status, priority, decided after, decision_due, station)
        "A": ("镇雄县", "labor_wage", "rest", utc(2026, 10, 31, 16, 30), ReferralStatus.new, Priority.normal,
              None, date(2026, 12, 5), "zhenxiong"),  # 1 Nov 00:30 in China; due today: not overdue yet
        "B": ("镇雄县", "work_injury", "rest", utc(2026, 10, 31, 15, 59), ReferralStatus.new, Priority.normal,
              None, date(2026, 11, 9), "zhenxiong"),  # 31 Oct 23:59 in China: October
        "C": ("镇雄县", "labor_wage", "wechat", utc(2026, 11, 30, 15, 59, 59), ReferralStatus.accepted,
              Priority.fast_track, timedelta(hours=36), date(2026, 12, 9), "zhenxiong"),  # 30 Nov 23:59:59
        "D": ("鲁甸县", "divorce", "rest", utc(2026, 11, 30, 16, 0), ReferralStatus.new, Priority.normal,
              None, date(2026, 12, 9), "ludian"),  # 1 Dec 00:00 in China: December
        "E": ("鲁甸县", "divorce", "wechat", utc(2026, 11, 10, 2, 0), ReferralStatus.refused, Priority.normal,
              timedelta(days=3, hours=12), date(2026, 11, 19), "ludian"),
        "F": ("鲁甸县", "labor_wage", "rest", utc(2026, 11, 15, 2, 0), ReferralStatus.closed, Priority.fast_track,
              timedelta(days=7), date(2026, 11, 24), "ludian"),  # closed after an acceptance
        "G": ("镇雄县", "work_injury", "rest", utc(2026, 11, 20, 2, 0), ReferralStatus.claimed, Priority.urgent,
              None, date(2026, 12, 4), "zhenxiong"),  # overdue
        "H": ("鲁甸县", "other", "rest", utc(2026, 11, 21, 2, 0), ReferralStatus.transferred, Priority.normal,
              None, date(2026, 11, 25), None),  # overdue, no station: only administrators see it
    }
    tickets = {}
    for name, (region, matter, channel, created, status, priority, after, due, station) in specs.items():
        ticket = submit(client, auth, region=region, matter=matter, channel=channel)
        adjust(client, ticket, station=station, created_at=created, status=status, priority=priority,
               decided_at=created + after if after else None, decision_due=due, accepted_event=name == "F")
        tickets[name] = ticket
    return tickets


def pairs(counts: list[statistics.Count]) -> list[tuple[str, int]]:
    return [(c.key, c.count) for c in counts]


def test_administrator_sees_the_whole_city_for_november(client, referrals):
    report = make_report(client, "admin", *NOVEMBER)
    assert (report.start, report.end, report.scope, report.as_of) == (*NOVEMBER, "全市", TODAY)
    assert report.total == 6  # A, C, E, F, G, H: by China time, B is October and D December
    assert pairs(report.by_matter) == [("labor_wage", 3), ("divorce", 1), ("other", 1), ("work_injury", 1)]
    assert report.by_matter[0].label == "拖欠劳动报酬（讨薪）"
    assert pairs(report.by_region) == [("镇雄县", 3), ("鲁甸县", 3)]  # a tie: by key
    assert pairs(report.by_station) == [("zhenxiong", 3), ("ludian", 2), (statistics.NO_STATION, 1)]
    assert [c.label for c in report.by_station] == ["镇雄县法律援助中心", "鲁甸县法律援助中心", "未分到站点"]
    assert pairs(report.by_outcome) == [(s, 1) for s in ("accepted", "claimed", "closed", "new", "refused",
                                                         "transferred")]
    assert {c.key: c.label for c in report.by_outcome} == statistics.STATUS_LABELS
    assert pairs(report.by_channel) == [("rest", 4), ("wechat", 2)]
    assert [c.label for c in report.by_channel] == ["网页或接口", "微信公众号"]
    assert pairs(report.by_priority) == [("normal", 3), ("fast_track", 2), ("urgent", 1)]
    assert report.fast_track == 2
    assert report.decided == 3  # C, E, F
    assert report.median_days_to_decision == 3.5  # of 1.5, 3.5 and 7 days
    assert (report.accepted, report.refused, report.accepted_rate) == (2, 1, 0.667)
    assert report.overdue == 2  # G and H; A is due today, F is closed
    assert [name for name, _, _ in report.breakdowns()] == list(statistics.BREAKDOWNS)


def test_station_staff_count_only_their_station(client, referrals):
    zx = make_report(client, "zx", *NOVEMBER)
    assert zx.scope == "镇雄县法律援助中心"
    assert zx.total == 3  # A, C, G
    assert pairs(zx.by_station) == [("zhenxiong", 3)]
    assert pairs(zx.by_region) == [("镇雄县", 3)]
    assert (zx.decided, zx.median_days_to_decision, zx.overdue, zx.fast_track) == (1, 1.5, 1, 1)
    assert (zx.accepted, zx.refused, zx.accepted_rate) == (1, 0, 1.0)

    ld = make_report(client, "ld", *NOVEMBER)
    assert ld.total == 2  # E, F (H has no station)
    assert pairs(ld.by_outcome) == [("closed", 1), ("refused", 1)]
    assert (ld.decided, ld.median_days_to_decision, ld.overdue) == (2, 5.3, 0)  # median 5.25, rounded half up


def test_period_boundaries_are_china_days(client, referrals):
    october = make_report(client, "admin", *statistics.month_bounds(2026, 10))
    assert october.total == 1 and pairs(october.by_matter) == [("work_injury", 1)]  # B
    first_of_december = make_report(client, "admin", date(2026, 12, 1), date(2026, 12, 1))
    assert first_of_december.total == 1 and pairs(first_of_december.by_matter) == [("divorce", 1)]  # D
    first_of_november = make_report(client, "admin", date(2026, 11, 1), date(2026, 11, 1))
    assert first_of_november.total == 1 and first_of_november.overdue == 0  # A
    last_of_november = make_report(client, "admin", date(2026, 11, 30), date(2026, 11, 30))
    assert pairs(last_of_november.by_priority) == [("fast_track", 1)]  # C
    both = make_report(client, "admin", date(2026, 10, 1), date(2026, 12, 31))
    assert both.total == 8


def test_overdue_depends_on_the_day(client, referrals):
    assert make_report(client, "admin", *NOVEMBER, today=date(2026, 12, 6)).overdue == 3  # A is due 5 Dec
    assert make_report(client, "admin", *NOVEMBER, today=date(2026, 11, 25)).overdue == 0


def test_empty_period(client, users):
    report = make_report(client, "admin", *statistics.month_bounds(2026, 1))
    assert (report.total, report.decided, report.overdue, report.fast_track) == (0, 0, 0, 0)
    assert report.median_days_to_decision is None and report.accepted_rate is None
    assert all(counts == [] for _, _, counts in report.breakdowns())


def test_start_after_end_is_refused(client, users):
    with pytest.raises(ValueError, match="开始日期不能晚于结束日期"):
        make_report(client, "admin", date(2026, 11, 2), date(2026, 11, 1))


# --- months (no database) ---

@pytest.mark.parametrize(("text", "expected"), [("2026-11", (2026, 11)), ("2026-1", (2026, 1)),
                                                 (" 2027-02 ", (2027, 2))])
def test_parse_month(text, expected):
    assert statistics.parse_month(text) == expected


@pytest.mark.parametrize(("text", "message"), [("2026-13", "1 到 12"), ("2026-00", "1 到 12"), ("11/2026", "年-月"),
                                                ("", "年-月"), ("2026-11-01", "年-月"), ("0001-01", "年份")])
def test_parse_month_refuses_bad_input_in_chinese(text, message):
    with pytest.raises(ValueError, match=message):
        statistics.parse_month(text)


def test_month_bounds_and_shift():
    assert statistics.month_bounds(2026, 11) == (date(2026, 11, 1), date(2026, 11, 30))
    assert statistics.month_bounds(2028, 2) == (date(2028, 2, 1), date(2028, 2, 29))
    assert statistics.month_bounds(2026, 12) == (date(2026, 12, 1), date(2026, 12, 31))
    with pytest.raises(ValueError):
        statistics.month_bounds(2026, 13)
    assert statistics.shift_month(2026, 1, -1) == (2025, 12)
    assert statistics.shift_month(2026, 12, 1) == (2027, 1)
    assert statistics.shift_month(2026, 11, 0) == (2026, 11)


def test_utc_bounds():
    assert statistics.utc_bounds(*NOVEMBER) == (utc(2026, 10, 31, 16), utc(2026, 11, 30, 16))
