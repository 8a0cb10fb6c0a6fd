"""CSV and Excel exports (referral.export): of referrals from the database (SQLite and PostgreSQL),
of the monthly report, and the guard against formula injection."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from referral import export, statistics
from referral.models import Priority, Referral, ReferralStatus, Role, StaffUser, Station
from referral.staff_auth import create_user
from tests.support.referrals import referral_body

HEADERS = ["受理编号", "收到时间(北京时间)", "渠道", "姓名", "手机号", "县区", "乡镇", "事项", "优先级", "状态", "站点",
           "决定期限", "是否超期", "作出决定时间", "决定理由"]
TODAY = date(2026, 12, 5)


def submit(client, auth, **overrides) -> str:
    response = client.post("/api/referrals", json=referral_body(**overrides),
                           headers={**auth, "Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 201, response.text
    return response.json()["ticket_number"]


def parse_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def open_xlsx(data: bytes):
    return load_workbook(io.BytesIO(data))


@pytest.fixture
def rows(client, auth) -> list[Referral]:
    """Two referrals read back from the database: one decided, one open, overdue and with hostile text."""
    first = submit(client, auth, applicant_name="张三", region="镇雄县", township="乌峰街道")
    second = submit(client, auth, applicant_name="=HYPERLINK(\"http://evil.example\",\"点我\")", region="鲁甸县",
                    matter="divorce", channel="+wechat")
    with client.app.state.session_factory() as session:
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
        session.commit()
        loaded = session.scalars(select(Referral).options(selectinload(Referral.station))
                                 .order_by(Referral.created_at)).all()
        session.expunge_all()  # the export reads only what was loaded
    return list(loaded)


def test_referrals_csv(rows):
    table = parse_csv(export.referrals_csv(rows, today=TODAY))
    assert table[0] == HEADERS
    assert len(table) == 3
    assert table[1] == [rows[0].ticket_number, "2026-11-01 00:30", "网页或接口", "张三", "13812345678", "镇雄县",
                        "乌峰街道", "拖欠劳动报酬（讨薪）", "绿色通道", "已决定不予法律援助",
                        "镇雄县乌峰街道法律援助工作站", "2026-11-10", "否", "2026-11-03 09:05", "'-不在法律援助范围"]
    assert table[2] == [rows[1].ticket_number, "2026-11-20 10:00", "'+wechat",
                        "'=HYPERLINK(\"http://evil.example\",\"点我\")", "13812345678", "鲁甸县", "", "婚姻家庭",
                        "普通", "待认领", "", "2026-11-30", "是", "", ""]


def test_referrals_xlsx(rows):
    workbook = open_xlsx(export.referrals_xlsx(rows, today=TODAY))
    sheet = workbook["转介单"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == HEADERS
    assert len(values) == 3
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["O"].width >= 30  # the decision reason
    first, second = values[1], values[2]
    assert first[0] == rows[0].ticket_number
    assert first[1] == datetime(2026, 11, 1, 0, 30)  # an Excel date-time, Beijing time
    assert first[4] == "13812345678"  # text, not a number
    assert first[11] == datetime(2026, 11, 10)
    assert first[12:] == ["否", datetime(2026, 11, 3, 9, 5), "'-不在法律援助范围"]
    assert second[2:4] == ["'+wechat", "'=HYPERLINK(\"http://evil.example\",\"点我\")"]
    assert second[10] is None and second[12] == "是"
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
    assert table[1][7:13] == ["unknown_code", "紧急", "已认领，待决定", "", "2026-11-01", "是"]


# --- the monthly report ---

@pytest.fixture
def report(client, auth, rows) -> statistics.Report:
    with client.app.state.session_factory() as session:
        station = session.scalar(select(Station).where(Station.code == "zhenxiong"))
        create_user(session, username="admin", display_name="管理员", password="0123456789ab", role=Role.admin,
                    station=None)
        create_user(session, username="zx", display_name="王芳", password="0123456789ab", role=Role.staff,
                    station=station)
        admin = session.scalar(select(StaffUser).where(StaffUser.username == "admin"))
        return statistics.report(session, admin, date(2026, 11, 1), date(2026, 11, 30), today=TODAY)


def test_report_csv(report):
    table = parse_csv(export.report_csv(report))
    assert table[0] == ["法律援助转介统计"]
    figures = {row[0]: row[1] for row in table[1:14] if len(row) == 2}
    assert figures["统计范围"] == "全市"
    assert figures["统计期间（按收到申请的北京时间）"] == "2026-11-01 至 2026-11-30"
    assert figures["收到申请（件）"] == "2"
    assert figures["其中绿色通道（建档立卡贫困户）"] == "1"
    assert figures["已作决定（件）"] == "1"
    assert figures["不予法律援助（件）"] == "1"
    assert figures["给予援助比例"] == "0.0%"
    assert figures["从申请到决定（中位数，天）"] == "2.4"  # 1 Nov 00:30 to 3 Nov 09:05
    assert figures["已超期未决定（件）"] == "1"
    channel = table.index(["按申请渠道"])
    assert table[channel + 1] == ["项目", "件数"]
    assert table[channel + 2:channel + 4] == [["'+wechat", "1"], ["网页或接口", "1"]]
    for title in statistics.BREAKDOWNS.values():
        assert [title] in table


def test_report_xlsx(report):
    workbook = open_xlsx(export.report_xlsx(report))
    assert workbook.sheetnames == ["概况", *statistics.BREAKDOWNS.values()]
    overview = {row[0]: row[1] for row in workbook["概况"].iter_rows(min_row=2, values_only=True)}
    assert overview["收到申请（件）"] == 2
    assert overview["从申请到决定（中位数，天）"] == 2.4
    assert overview["超期统计截至"] == datetime(2026, 12, 5)
    assert workbook["概况"]["A1"].font.bold and workbook["概况"].freeze_panes == "A2"
    stations = [list(r) for r in workbook["按站点"].iter_rows(values_only=True)]
    assert stations == [["项目", "代码", "件数"], ["未分到站点", None, 1], ["镇雄县乌峰街道法律援助工作站",
                                                                  "zhenxiong_wufeng", 1], ["合计", None, 2]]
    channels = [list(r) for r in workbook["按申请渠道"].iter_rows(min_row=2, values_only=True)]
    assert channels[0] == ["'+wechat", "'+wechat", 1]


def test_empty_report_exports(client, auth):
    with client.app.state.session_factory() as session:
        create_user(session, username="admin", display_name="管理员", password="0123456789ab", role=Role.admin,
                    station=None)
        admin = session.scalar(select(StaffUser).where(StaffUser.username == "admin"))
        empty = statistics.report(session, admin, *statistics.month_bounds(2026, 1))
    table = parse_csv(export.report_csv(empty))
    assert ["从申请到决定（中位数，天）", "—"] in table and ["给予援助比例", "—"] in table
    workbook = open_xlsx(export.report_xlsx(empty))
    assert [list(r) for r in workbook["按事项"].iter_rows(values_only=True)] == [["项目", "代码", "件数"],
                                                                               ["合计", None, 0]]
