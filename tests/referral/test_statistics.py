"""The monthly report figures (referral.statistics) on SQLite and PostgreSQL, against referrals whose
figures were counted by hand; working days; the statistics page."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from referral import statistics
from referral.models import Priority, Referral, ReferralEvent, ReferralStatus, Role, Station
from referral.staff_auth import create_user
from tests.support.console import login as console_login
from tests.support.referrals import referral_body

TODAY = date(2026, 12, 5)  # China date the overdue figure is counted on
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
PASSWORD = "0123456789ab"


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
            create_user(session, username=username, display_name=username, password=PASSWORD, role=role,
                        station=station[code] if code else None)
    return ("admin", "zx", "ld")


def make_report(client, username: str, start: date, end: date, today: date = TODAY) -> statistics.Report:
    from referral.models import StaffUser

    with client.app.state.session_factory() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == username))
        return statistics.report(session, user, start, end, today=today)


@pytest.fixture
def referrals(client, auth, users) -> dict[str, str]:
    """Fourteen referrals around November 2026 (China time), counted by hand in the tests below.

    November: A, C, E, F, G, H, I, J, K, L, M (11); October: B, N; December: D.
    Working days (the official calendar): 1-7 Oct 2026 are National Day holidays and Sat 10 Oct is
    a working day; November has no holiday.
    """
    specs = {
        # name: (region, matter, channel, created_at UTC, status, priority, decided after, decision_due, station,
        #        other columns)
        "A": ("镇雄县", "labor_wage", "rest", utc(2026, 10, 31, 16, 30), ReferralStatus.new, Priority.normal,
              None, date(2026, 12, 5), "zhenxiong", {}),  # 1 Nov 00:30 in China; due today: not overdue yet
        "B": ("镇雄县", "work_injury", "rest", utc(2026, 10, 31, 15, 59), ReferralStatus.new, Priority.normal,
              None, date(2026, 11, 9), "zhenxiong", {}),  # 31 Oct 23:59 in China: October; overdue
        # 30 Nov 23:59:59 (Mon) to 2 Dec 11:59 (Wed): 2 working days; aid given, nobody assigned by 4 Dec
        "C": ("镇雄县", "labor_wage", "wechat", utc(2026, 11, 30, 15, 59, 59), ReferralStatus.accepted,
              Priority.fast_track, timedelta(hours=36), date(2026, 12, 9), "zhenxiong",
              {"assignment_due": date(2026, 12, 4)}),
        "D": ("鲁甸县", "divorce", "rest", utc(2026, 11, 30, 16, 0), ReferralStatus.new, Priority.normal,
              None, date(2026, 12, 9), "ludian", {}),  # 1 Dec 00:00 in China: December
        # 10 Nov 10:00 (Tue) to 13 Nov 22:00 (Fri): 3 working days
        "E": ("鲁甸县", "divorce", "wechat", utc(2026, 11, 10, 2, 0), ReferralStatus.refused, Priority.normal,
              timedelta(days=3, hours=12), date(2026, 11, 19), "ludian", {}),
        # 15 Nov (Sun) to 22 Nov (Sun): 5 working days; aid given, assigned, then concluded
        "F": ("鲁甸县", "labor_wage", "rest", utc(2026, 11, 15, 2, 0), ReferralStatus.closed, Priority.fast_track,
              timedelta(days=7), date(2026, 11, 24), "ludian",
              {"closing_outcome": "concluded", "assigned_at": utc(2026, 11, 23, 2, 0)}),
        "G": ("镇雄县", "work_injury", "rest", utc(2026, 11, 20, 2, 0), ReferralStatus.claimed, Priority.urgent,
              None, date(2026, 12, 4), "zhenxiong", {}),  # overdue
        "H": ("鲁甸县", "other", "line", utc(2026, 11, 21, 2, 0), ReferralStatus.transferred, Priority.normal,
              None, date(2026, 11, 25), None, {}),  # overdue, no station: only administrators see it
        "I": ("镇雄县", "labor_wage", "rest", utc(2026, 11, 3, 2, 0), ReferralStatus.closed, Priority.normal,
              None, date(2026, 11, 12), "zhenxiong", {"closing_outcome": "withdrawn"}),  # withdrawn, no decision
        # 5 Nov 10:00 (Thu) to 9 Nov 10:00 (Mon): 2 working days; aid given, assigned, then terminated (Art. 48)
        "J": ("鲁甸县", "work_injury", "rest", utc(2026, 11, 5, 2, 0), ReferralStatus.closed, Priority.normal,
              timedelta(days=4), date(2026, 11, 16), "ludian",
              {"closing_outcome": "terminated", "assigned_at": utc(2026, 11, 10, 2, 0)}),
        "K": ("镇雄县", "divorce", "rest", utc(2026, 11, 6, 2, 0), ReferralStatus.closed, Priority.normal,
              None, date(2026, 11, 17), "zhenxiong", {}),  # closed before outcomes were recorded
        "L": ("鲁甸县", "labor_wage", "rest", utc(2026, 11, 12, 2, 0), ReferralStatus.claimed, Priority.normal,
              None, date(2026, 11, 20), "ludian",  # past its date, but the clock is paused: not overdue
              {"paused_at": utc(2026, 11, 13, 2, 0), "paused_days_left": 4}),
        "M": ("彝良", "other", "telegram", utc(2026, 11, 25, 2, 0), ReferralStatus.new, Priority.normal,
              None, date(2026, 12, 7), None, {}),  # the county as the chat wrote it; no station
        # 1 Oct 10:00 (holiday) to Sat 10 Oct 10:00 (a working day): 8, 9 and 10 Oct = 3 working days
        "N": ("鲁甸县", "divorce", "rest", utc(2026, 10, 1, 2, 0), ReferralStatus.refused, Priority.normal,
              timedelta(days=9), date(2026, 10, 13), "ludian", {}),
    }
    tickets = {}
    for name, (region, matter, channel, created, status, priority, after, due, station, other) in specs.items():
        ticket = submit(client, auth, region="鲁甸县" if region == "彝良" else region, matter=matter, channel=channel)
        adjust(client, ticket, station=station, created_at=created, status=status, priority=priority,
               decided_at=created + after if after else None, decision_due=due, accepted_event=name in "FJ",
               region=region, **other)
        tickets[name] = ticket
    return tickets


def pairs(counts: list[statistics.Count]) -> list[tuple[str, int]]:
    return [(c.key, c.count) for c in counts]


COUNTIES = ["昭阳区", "鲁甸县", "巧家县", "盐津县", "大关县", "永善县", "绥江县", "镇雄县", "彝良县", "威信县",
            "水富市"]


def test_administrator_sees_the_whole_city_for_november(client, referrals):
    report = make_report(client, "admin", *NOVEMBER)
    assert (report.start, report.end, report.scope, report.as_of) == (*NOVEMBER, "全市", TODAY)
    assert report.total == 11  # A, C, E-M: by China time, B and N are October and D December
    assert pairs(report.by_matter) == [("labor_wage", 5), ("divorce", 2), ("other", 2), ("work_injury", 2)]
    assert report.by_matter[0].label == "拖欠劳动报酬（讨薪）"
    # every county in the city's order, zeros included; 「彝良」 (M) is 彝良县
    assert pairs(report.by_region) == [(name, {"鲁甸县": 5, "镇雄县": 5, "彝良县": 1}.get(name, 0))
                                       for name in COUNTIES]  # 鲁甸 E F H J L, 镇雄 A C G I K
    assert pairs(report.by_station) == [("zhenxiong", 5), ("ludian", 4), (statistics.NO_STATION, 2)]
    assert [c.label for c in report.by_station] == ["镇雄县法律援助中心", "鲁甸县法律援助中心", "未分到站点"]
    # new A M, claimed G L; closed ones by how they ended: F concluded, I withdrawn, J terminated, K not recorded
    assert pairs(report.by_outcome) == [("claimed", 2), ("new", 2), ("accepted", 1), ("closed", 1), ("concluded", 1),
                                        ("refused", 1), ("terminated", 1), ("transferred", 1), ("withdrawn", 1)]
    labels = {c.key: c.label for c in report.by_outcome}
    assert (labels["closed"], labels["concluded"], labels["withdrawn"], labels["terminated"]) == (
        "结案（未注明）", "结案：办结", "结案：申请人撤回", "结案：终止法律援助")
    assert labels["new"] == statistics.STATUS_LABELS["new"]
    # unknown channel codes (H line, M telegram) are one row in words, not English codes
    assert pairs(report.by_channel) == [("rest", 7), ("line", 2), ("wechat", 2)]
    assert [c.label for c in report.by_channel] == ["网页或接口", "其他渠道", "微信公众号"]
    assert pairs(report.by_priority) == [("normal", 8), ("fast_track", 2), ("urgent", 1)]
    assert report.fast_track == 2  # C, F
    assert report.decided == 4  # C, E, F, J
    assert (report.accepted, report.refused, report.accepted_percent) == (3, 1, 75.0)  # C, F, J; E
    assert report.median_working_days == 2.5  # of 2 (C), 2 (J), 3 (E) and 5 (F) working days
    assert report.assigned == 2  # F, J
    assert (report.concluded, report.withdrawn, report.terminated, report.closed_unspecified) == (1, 1, 1, 1)
    assert report.overdue == 2  # G and H; A is due today, L is paused, F is closed, M is due 7 Dec
    assert report.assignment_overdue == 1  # C: aid given, nobody assigned by 4 Dec
    assert [name for name, _, _ in report.breakdowns()] == list(statistics.BREAKDOWNS)
    assert [name for name, _, _ in report.figures()] == list(statistics.FIGURES)


def test_station_staff_count_only_their_station(client, referrals):
    zx = make_report(client, "zx", *NOVEMBER)
    assert zx.scope == "镇雄县法律援助中心"
    assert zx.total == 5  # A, C, G, I, K
    assert pairs(zx.by_station) == [("zhenxiong", 5)]
    assert pairs(zx.by_region) == [("镇雄县", 5)]  # the counties the station serves
    assert (zx.decided, zx.median_working_days, zx.overdue, zx.fast_track) == (1, 2.0, 1, 1)  # C; G; C
    assert (zx.accepted, zx.refused, zx.accepted_percent) == (1, 0, 100.0)
    assert (zx.concluded, zx.withdrawn, zx.terminated, zx.closed_unspecified) == (0, 1, 0, 1)  # I; K
    assert zx.assignment_overdue == 1  # C

    ld = make_report(client, "ld", *NOVEMBER)
    assert ld.total == 4  # E, F, J, L (H has no station)
    assert pairs(ld.by_outcome) == [("claimed", 1), ("concluded", 1), ("refused", 1), ("terminated", 1)]
    assert (ld.decided, ld.median_working_days, ld.overdue) == (3, 3.0, 0)  # 2, 3, 5 working days; L is paused
    assert (ld.accepted, ld.refused, ld.accepted_percent) == (2, 1, 66.7)  # 2/3 rounded half up
    assert ld.assigned == 2 and ld.assignment_overdue == 0


def test_month_on_month(client, referrals):
    from referral.models import StaffUser

    with client.app.state.session_factory() as session:
        admin = session.scalar(select(StaffUser).where(StaffUser.username == "admin"))
        mom = statistics.month_on_month(session, admin, 2026, 11, today=TODAY)
    assert mom.report.total == 11 and mom.report.by_matter  # November with its breakdowns
    assert (mom.previous.start, mom.previous.end) == statistics.month_bounds(2026, 10)
    assert all(counts == [] for _, _, counts in mom.previous.breakdowns())  # figures only
    changes = {c.key: (c.current, c.previous, c.difference, c.percent) for c in mom.changes}
    assert list(changes) == list(statistics.FIGURES)
    # October: B (new, overdue) and N (refused after 3 working days)
    assert changes["total"] == (11, 2, 9, 450.0)
    assert changes["decided"] == (4, 1, 3, 300.0)
    assert changes["accepted"] == (3, 0, 3, None)  # no percentage of zero
    assert changes["refused"] == (1, 1, 0, 0.0)
    assert changes["accepted_percent"] == (75.0, 0.0, 75.0, None)  # a change in points
    assert changes["overdue"] == (2, 1, 1, 100.0)
    assert changes["withdrawn"] == (1, 0, 1, None)
    assert changes["median_working_days"] == (2.5, 3.0, -0.5, -16.7)  # -0.5 / 3, rounded half up
    assert mom.changes[0].label == "收到申请（件）"


def test_period_boundaries_are_china_days(client, referrals):
    october = make_report(client, "admin", *statistics.month_bounds(2026, 10))
    assert october.total == 2 and pairs(october.by_matter) == [("divorce", 1), ("work_injury", 1)]  # B, N
    assert october.median_working_days == 3.0  # N: the National Day holidays are not counted
    first_of_december = make_report(client, "admin", date(2026, 12, 1), date(2026, 12, 1))
    assert first_of_december.total == 1 and pairs(first_of_december.by_matter) == [("divorce", 1)]  # D
    first_of_november = make_report(client, "admin", date(2026, 11, 1), date(2026, 11, 1))
    assert first_of_november.total == 1 and first_of_november.overdue == 0  # A
    last_of_november = make_report(client, "admin", date(2026, 11, 30), date(2026, 11, 30))
    assert pairs(last_of_november.by_priority) == [("fast_track", 1)]  # C
    both = make_report(client, "admin", date(2026, 10, 1), date(2026, 12, 31))
    assert both.total == 14


def test_overdue_depends_on_the_day(client, referrals):
    assert make_report(client, "admin", *NOVEMBER, today=date(2026, 12, 6)).overdue == 3  # + A, due 5 Dec
    assert make_report(client, "admin", *NOVEMBER, today=date(2026, 12, 8)).overdue == 4  # + M, due 7 Dec
    assert make_report(client, "admin", *NOVEMBER, today=date(2026, 11, 25)).overdue == 0  # L is paused
    assert make_report(client, "admin", *NOVEMBER, today=date(2026, 12, 4)).assignment_overdue == 0  # C due today


def test_empty_period(client, users):
    report = make_report(client, "admin", *statistics.month_bounds(2026, 1))
    assert (report.total, report.decided, report.overdue, report.fast_track, report.withdrawn) == (0, 0, 0, 0, 0)
    assert report.median_working_days is None and report.accepted_percent is None
    assert pairs(report.by_region) == [(name, 0) for name in COUNTIES]  # every county, even in an empty month
    assert all(counts == [] for name, _, counts in report.breakdowns() if name != "by_region")


def test_start_after_end_is_refused(client, users):
    with pytest.raises(ValueError, match="开始日期不能晚于结束日期"):
        make_report(client, "admin", date(2026, 11, 2), date(2026, 11, 1))


def login(app, username: str) -> TestClient:
    """A new browser signed in as ``username``."""
    return console_login(app, username, PASSWORD)


def test_statistics_page_shows_the_month_before_and_working_days(client, referrals):
    page = login(client.app, "admin").get("/console/statistics?month=2026-11").text
    assert re.search(r'id="fig-total">11<', page)
    assert re.search(r'id="fig-withdrawn">1<', page) and re.search(r'id="fig-terminated">1<', page)
    assert re.search(r'id="fig-closed-unspecified">1<', page) and re.search(r'id="fig-concluded">1<', page)
    assert "从申请到决定（中位数，按工作日计）" in page
    assert re.search(r'id="fig-accepted-percent">75\.0%<', page)
    assert "与上月比较（10 月 → 11 月）" in page
    assert re.search(r"收到申请（件）</th><td>11</td><td>2</td>\s*<td>\+9</td><td>\+450\.0%</td>", page)
    assert "威信县 0 件" in page  # a county without referrals is in the chart's accessible name
    assert 'class="table-scroll"' in page
    staff = login(client.app, "zx").get("/console/statistics?month=2026-11").text
    assert re.search(r'id="fig-total">5<', staff) and "按站点" not in staff  # one station: no station breakdown


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


@pytest.mark.parametrize(("received", "decided", "days"), [
    (date(2026, 11, 10), date(2026, 11, 10), 0),  # the same day
    (date(2026, 11, 13), date(2026, 11, 14), 0),  # Friday to Saturday
    (date(2026, 11, 13), date(2026, 11, 16), 1),  # Friday to Monday
    (date(2026, 9, 30), date(2026, 10, 9), 2),  # across the National Day holidays: 8 and 9 Oct
    (date(2026, 10, 9), date(2026, 10, 12), 2),  # Saturday 10 Oct is a working day
    (date(2026, 11, 16), date(2026, 11, 13), 0),  # a decision dated before the receipt counts as none
])
def test_working_days(received, decided, days):
    assert statistics.working_days([(received, decided)]) == [days]


def test_working_days_of_many_pairs_and_none():
    assert statistics.working_days([(date(2026, 11, 2), date(2026, 11, 6)), (date(2026, 11, 5), date(2026, 11, 9))]) \
        == [4, 2]
    assert statistics.working_days([]) == []


def test_labels_are_chinese_for_unknown_codes():
    assert statistics.channel_label("telegram") == "其他渠道" and statistics.channel_label("counter") == "窗口来访"
    assert statistics.matter_label("unknown_code") == "其他事项"
    assert statistics.outcome_label(None) == "结案（未注明）" and statistics.outcome_label("withdrawn") == "申请人撤回"
    assert statistics.region_name("彝良") == "彝良县" and statistics.region_name("外地") == "外地"
