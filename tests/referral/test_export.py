"""CSV and Excel exports (referral.export): of referrals from the database (SQLite and PostgreSQL),
of the monthly report, and the guard against formula injection."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timezone

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import event, select
from sqlalchemy.orm import selectinload

from referral import export, statistics
from referral.models import Priority, Referral, ReferralEvent, ReferralStatus, Role, StaffUser, Station
from referral.staff_auth import create_user
from tests.support.console import login as console_login
from tests.support.referrals import submit

HEADERS = ["受理编号", "收到时间(北京时间)", "渠道", "姓名", "电话", "县区", "乡镇", "事项", "优先级", "状态", "站点",
           "经办人", "决定期限", "是否超期", "作出决定时间", "决定理由", "承办人员", "承办单位", "案件编号",
           "结案时间", "结案方式", "申请人陈述"]
ENGLISH = re.compile(r"[A-Za-z]{3,}")  # a code left untranslated (none of the test's own text has one)
TODAY = date(2026, 12, 5)


def parse_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def open_xlsx(data: bytes):
    return load_workbook(io.BytesIO(data))


@pytest.fixture
def rows(client, auth) -> list[Referral]:
    """Three referrals read back from the database: one refused and closed without a recorded outcome,
    one open, overdue and with hostile text, one given aid, assigned and withdrawn."""
    first = submit(client, auth, applicant_name="张三", region="镇雄县", township="乌峰街道")
    second = submit(client, auth, applicant_name="=HYPERLINK(\"http://evil.example\",\"点我\")", region="鲁甸县",
                    matter="divorce", channel="+wechat", description="@1+1 他打我")
    third = submit(client, auth, applicant_name="李四", region="鲁甸县")  # taken at the counter (below)
    with client.app.state.session_factory() as session:
        holder = create_user(session, username="ld", display_name="王芳", password="0123456789ab", role=Role.staff,
                             station=session.scalar(select(Station).where(Station.code == "ludian")))
        by_ticket = {r.ticket_number: r for r in session.scalars(select(Referral))}
        decided = by_ticket[first]
        decided.created_at = datetime(2026, 10, 31, 16, 30, tzinfo=timezone.utc)  # 1 Nov 00:30 Beijing time
        decided.status, decided.priority = ReferralStatus.refused, Priority.fast_track
        decided.decided_at = datetime(2026, 11, 3, 1, 5, tzinfo=timezone.utc)
        decided.decision_reason = "-不在法律援助范围"
        decided.decision_due = date(2026, 11, 10)
        pending = by_ticket[second]
        pending.created_at = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
        pending.decision_due = date(2026, 11, 30)
        pending.station_id = None  # no station: an empty cell
        withdrawn = by_ticket[third]
        withdrawn.channel = "counter"  # the console's own channel: the API refuses it
        withdrawn.created_at = datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc)
        withdrawn.status, withdrawn.closing_outcome = ReferralStatus.closed, "withdrawn"
        withdrawn.claimed_by_id = holder.id
        withdrawn.decided_at = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
        withdrawn.decision_due = date(2026, 12, 1)
        withdrawn.aid_provider_kind, withdrawn.aid_provider_name = "lawyer", "赵律师"
        withdrawn.aid_provider_org, withdrawn.case_number = "云南某某律师事务所", "=2026-援-0012"
        withdrawn.closed_at = datetime(2026, 11, 30, 8, 15, tzinfo=timezone.utc)
        # the refused referral was closed before outcomes were recorded
        decided.status, decided.closed_at = ReferralStatus.closed, datetime(2026, 11, 4, 1, 0, tzinfo=timezone.utc)
        session.add_all([ReferralEvent(referral_id=decided.id, at=decided.decided_at, kind="refused"),
                         ReferralEvent(referral_id=withdrawn.id, at=withdrawn.decided_at, kind="accepted")])
        session.commit()
        loaded = session.scalars(select(Referral).options(selectinload(Referral.station),
                                                          selectinload(Referral.claimed_by))
                                 .order_by(Referral.created_at)).all()
        session.expunge_all()  # the export reads only what was loaded
    return list(loaded)


def test_referrals_csv(rows):
    table = parse_csv(export.referrals_csv(rows, today=TODAY))
    assert table[0] == HEADERS
    assert len(table) == 4  # a list for archiving: no totals row to get in the way of sorting
    assert table[1] == [rows[0].ticket_number, "2026-11-01 00:30", "网页或接口", "张三", "13812345678", "镇雄县",
                        "乌峰街道", "拖欠劳动报酬（讨薪）", "绿色通道", "已结案",
                        "镇雄县乌峰街道法律援助工作站", "", "2026-11-10", "否", "2026-11-03 09:05",
                        "'-不在法律援助范围", "", "", "", "2026-11-04 09:00", "结案（未注明）",
                        "老板拖欠我三个月工资，一共九千元。"]
    assert table[2] == [rows[1].ticket_number, "2026-11-20 10:00", "其他渠道",
                        "'=HYPERLINK(\"http://evil.example\",\"点我\")", "13812345678", "鲁甸县", "", "婚姻家庭",
                        "普通", "待认领", "", "", "2026-11-30", "是", "", "", "", "", "", "", "", "'@1+1 他打我"]
    assert table[3] == [rows[2].ticket_number, "2026-11-21 10:00", "窗口来访", "李四", "13812345678", "鲁甸县", "",
                        "拖欠劳动报酬（讨薪）", "普通", "已结案", rows[2].station.name, "王芳", "2026-12-01", "否",
                        "2026-11-23 10:00", "", "赵律师", "云南某某律师事务所", "'=2026-援-0012", "2026-11-30 16:15",
                        "申请人撤回", "老板拖欠我三个月工资，一共九千元。"]
    codes = [cell for row in table[1:] for cell in row[2:] if ENGLISH.search(cell) and "HYPERLINK" not in cell]
    assert codes == [] and all("lawyer" not in cell for row in table for cell in row)


def test_referrals_xlsx(rows):
    workbook = open_xlsx(export.referrals_xlsx(rows, today=TODAY))
    sheet = workbook["转介单"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == HEADERS
    assert len(values) == 4
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["P"].width >= 30  # the decision reason
    assert sheet.column_dimensions["V"].width >= 40  # the applicant's account
    first, second, third = values[1], values[2], values[3]
    assert first[0] == rows[0].ticket_number
    assert first[1] == datetime(2026, 11, 1, 0, 30)  # an Excel date-time, Beijing time
    assert first[4] == "13812345678"  # text, not a number
    assert first[12] == datetime(2026, 11, 10)
    assert first[13:16] == ["否", datetime(2026, 11, 3, 9, 5), "'-不在法律援助范围"]
    assert first[19:21] == [datetime(2026, 11, 4, 9, 0), "结案（未注明）"]
    assert second[2:4] == ["其他渠道", "'=HYPERLINK(\"http://evil.example\",\"点我\")"]
    assert second[10] is None and second[13] == "是" and second[21] == "'@1+1 他打我"
    assert third[11] == "王芳" and third[16:21] == ["赵律师", "云南某某律师事务所", "'=2026-援-0012",
                                                    datetime(2026, 11, 30, 16, 15), "申请人撤回"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_empty_exports_have_the_header_only():
    assert parse_csv(export.referrals_csv([])) == [HEADERS]
    sheet = open_xlsx(export.referrals_xlsx([])).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [HEADERS]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"])
def test_formula_starts_get_an_apostrophe(text):
    assert export.safe_text(text) == "'" + text


@pytest.mark.parametrize("text", ["张三", "13812345678", "a=b", " =1", "'=1", ""])
def test_other_text_is_unchanged(text):
    assert export.safe_text(text) == text


def test_transient_referrals_without_a_station():
    referral = Referral(ticket_number="@1", status=ReferralStatus.claimed, priority=Priority.urgent,
                        created_at=datetime(2026, 11, 2, 3, 4), channel="hotline", applicant_name="李四",
                        applicant_phone="13900000000", region="巧家县", matter="unknown_code",
                        decision_due=date(2026, 11, 1))  # naive created_at: UTC, as SQLite returns it
    table = parse_csv(export.referrals_csv([referral], today=TODAY))
    assert table[1][:3] == ["'@1", "2026-11-02 11:04", "热线电话"]
    assert table[1][7:14] == ["其他事项", "紧急", "已认领，待决定", "", "", "2026-11-01", "是"]  # no English code
    assert table[1][16:] == ["", "", "", "", "", ""]


# --- the monthly report ---

COUNTIES = ["昭阳区", "鲁甸县", "巧家县", "盐津县", "大关县", "永善县", "绥江县", "镇雄县", "彝良县", "威信县",
            "水富市"]


@pytest.fixture
def reports(client, auth, rows) -> tuple[statistics.Report, statistics.Report]:
    """November 2026 (the three referrals of ``rows``) and October (none), for the whole city."""
    with client.app.state.session_factory() as session:
        create_user(session, username="admin", display_name="管理员", password="0123456789ab", role=Role.admin,
                    station=None)
        admin = session.scalar(select(StaffUser).where(StaffUser.username == "admin"))
        mom = statistics.month_on_month(session, admin, 2026, 11, today=TODAY)
        return mom.report, mom.previous


def section(table: list[list[str]], title: str) -> list[list[str]]:
    """The rows of a CSV section after its title, up to the empty line."""
    start = table.index([title]) + 1
    end = table.index([], start) if [] in table[start:] else len(table)
    return table[start:end]


def test_report_csv_with_the_month_before(reports):
    table = parse_csv(export.report_csv(*reports))
    assert table[0] == ["法律援助转介统计"]
    assert table[1] == ["项目", "本月", "上月", "增减", "增减幅度（%）"]
    assert table[2] == ["统计范围", "全市"]
    assert table[3] == ["统计期间（按收到申请的北京时间）", "2026-11-01 至 2026-11-30", "2026-10-01 至 2026-10-31"]
    assert table[4] == ["超期统计截至", "2026-12-05", "2026-12-05"]
    figures = {row[0]: row[1:] for row in table[5:table.index([])]}
    assert list(figures) == list(statistics.FIGURES.values())
    assert figures["收到申请（件）"] == ["3", "0", "3", "—"]  # no percentage of zero
    assert figures["其中绿色通道（脱贫户）（件）"] == ["1", "0", "1", "—"]
    assert figures["已作决定（件）"] == ["2", "0", "2", "—"]
    assert figures["给予法律援助（件）"] == ["1", "0", "1", "—"]  # the withdrawn one, after an acceptance
    assert figures["不予法律援助（件）"] == ["1", "0", "1", "—"]
    assert figures["给予援助比例（%）"] == ["50.0", "—", "—", "—"]  # a number, not "50.0%"
    assert figures["从申请到决定（中位数，按工作日计）"] == ["1.5", "—", "—", "—"]  # 2 (Sun-Tue) and 1 (Sat-Mon)
    assert figures["已超期未决定（件）"] == ["1", "0", "1", "—"]
    assert figures["申请人撤回（件）"] == ["1", "0", "1", "—"]
    assert figures["结案（未注明）（件）"] == ["1", "0", "1", "—"]
    assert figures["终止法律援助（件）"] == figures["办结（件）"] == ["0", "0", "0", "—"]
    assert section(table, "按申请渠道") == [["项目", "件数"], ["其他渠道", "1"], ["窗口来访", "1"], ["网页或接口", "1"],
                                            ["合计", "3"]]
    assert section(table, "按县区") == [["项目", "件数"],
                                        *([name, "2" if name == "鲁甸县" else "1" if name == "镇雄县" else "0"]
                                          for name in COUNTIES), ["合计", "3"]]
    assert section(table, "按办理状态") == [["项目", "件数"], ["结案（未注明）", "1"], ["待认领", "1"],
                                            ["结案：申请人撤回", "1"], ["合计", "3"]]
    assert section(table, "热线来电（按话务员，全市）") == [["项目", "件数"], ["合计", "0"]]
    for title in statistics.BREAKDOWNS.values():  # every section ends with its total, as in Excel
        rows = section(table, title)
        assert rows[-1] == ["合计", str(sum(int(n) for _, n in rows[1:-1]))]
    assert not any(ENGLISH.search(cell) for row in table for cell in row)  # no English codes, no station codes


def test_report_csv_alone(reports):
    table = parse_csv(export.report_csv(reports[0]))
    assert table[1] == ["项目", "数值"]
    figures = {row[0]: row[1] for row in table[2:table.index([])]}
    assert figures["统计范围"] == "全市" and figures["超期统计截至"] == "2026-12-05"
    assert figures["收到申请（件）"] == "3" and figures["给予援助比例（%）"] == "50.0"


def test_report_xlsx(reports):
    workbook = open_xlsx(export.report_xlsx(*reports))
    assert workbook.sheetnames == ["概况", *statistics.BREAKDOWNS.values()]
    overview = workbook["概况"]
    assert [c.value for c in overview[1]] == ["项目", "本月", "上月", "增减", "增减幅度（%）"]
    figures = {row[0]: list(row[1:]) for row in overview.iter_rows(min_row=2, values_only=True)}
    assert figures["收到申请（件）"] == [3, 0, 3, "—"]
    assert figures["给予援助比例（%）"] == [50.0, "—", "—", "—"]  # a number Excel can compute with
    assert figures["从申请到决定（中位数，按工作日计）"][0] == 1.5
    assert figures["超期统计截至"][:2] == [datetime(2026, 12, 5), datetime(2026, 12, 5)]
    assert overview["A1"].font.bold and overview.freeze_panes == "A2"
    stations = [list(r) for r in workbook["按站点"].iter_rows(values_only=True)]
    assert stations == [["项目", "件数"], ["未分到站点", 1], ["鲁甸县法律援助中心", 1],
                        ["镇雄县乌峰街道法律援助工作站", 1], ["合计", 3]]
    assert all(cell.font.bold for cell in workbook["按站点"][5])
    channels = [list(r) for r in workbook["按申请渠道"].iter_rows(min_row=2, values_only=True)]
    assert channels[0] == ["其他渠道", 1]
    texts = [cell for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row
             if isinstance(cell, str)]
    assert not any(ENGLISH.search(text) for text in texts)


def test_report_xlsx_alone(reports):
    overview = open_xlsx(export.report_xlsx(reports[0]))["概况"]
    assert [c.value for c in overview[1]] == ["项目", "数值"]
    assert {row[0]: row[1] for row in overview.iter_rows(min_row=2, values_only=True)}["收到申请（件）"] == 3


def test_empty_report_exports(client, auth):
    with client.app.state.session_factory() as session:
        create_user(session, username="admin", display_name="管理员", password="0123456789ab", role=Role.admin,
                    station=None)
        admin = session.scalar(select(StaffUser).where(StaffUser.username == "admin"))
        empty = statistics.report(session, admin, *statistics.month_bounds(2026, 1))
    table = parse_csv(export.report_csv(empty))
    assert ["从申请到决定（中位数，按工作日计）", "—"] in table and ["给予援助比例（%）", "—"] in table
    assert section(table, "按事项") == [["项目", "件数"], ["合计", "0"]]
    workbook = open_xlsx(export.report_xlsx(empty))
    assert [list(r) for r in workbook["按事项"].iter_rows(values_only=True)] == [["项目", "件数"], ["合计", 0]]
    assert len(list(workbook["按县区"].iter_rows())) == 1 + len(COUNTIES) + 1  # every county at zero, and 合计


# --- the console's downloads ---

def login(app, username: str) -> TestClient:
    """A new browser signed in as ``username`` (password 0123456789ab)."""
    return console_login(app, username, "0123456789ab")


def test_console_export_has_the_holders_without_a_query_per_row(client, auth):
    engine = client.app.state.engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    def hold(tickets: list[str]) -> None:
        """Each referral held by a colleague of its own at its station."""
        with client.app.state.session_factory() as session:
            for ticket in tickets:
                referral = session.scalar(select(Referral).where(Referral.ticket_number == ticket))
                holder = create_user(session, username=f"s-{ticket}", display_name=f"经办{ticket[-4:]}",
                                     password="0123456789ab", role=Role.staff, station=referral.station)
                referral.claimed_by_id, referral.status = holder.id, ReferralStatus.claimed
            session.commit()

    def download() -> tuple[list[list[str]], int]:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            response = browser.get("/console/export/referrals.csv?status=all")
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return parse_csv(response.text), len(statements)

    with client.app.state.session_factory() as session:
        create_user(session, username="admin", display_name="管理员", password="0123456789ab", role=Role.admin,
                    station=None)
    browser = login(client.app, "admin")
    first = [submit(client, auth, region=region) for region in ("镇雄县", "鲁甸县")]
    hold(first)
    table, few = download()
    holders = {row[0]: row[HEADERS.index("经办人")] for row in table[1:]}
    assert holders == {ticket: f"经办{ticket[-4:]}" for ticket in first}
    more = [submit(client, auth, region=region) for region in ("镇雄县", "鲁甸县", "巧家县", "彝良县")]
    hold(more)
    table, many = download()
    assert len(table) == 1 + 6 and {row[HEADERS.index("经办人")] for row in table[1:]} == {
        f"经办{ticket[-4:]}" for ticket in first + more}
    assert many == few  # six rows with six holders and four stations: as many queries as two rows


def test_control_characters_in_an_account_do_not_break_the_workbook():
    from referral.export import _append

    sheet = Workbook().active
    _append(sheet, ["老板\x01欠薪\x1b", 3])
    assert [c.value for c in sheet[1]] == ["老板欠薪", 3]
