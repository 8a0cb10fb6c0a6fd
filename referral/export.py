"""CSV and Excel exports of referrals and of the monthly report (issue 5). Pure functions, no web.

The referral exports read only the attributes of the rows passed; ``Referral.station`` is read
too, so load it with the rows (``selectinload(Referral.station)``) to avoid one query per row.
Times are shown in Beijing time (CHINA_TZ); naive datetimes (SQLite) are UTC.

Formula injection: applicants, API clients and administrators choose much of this text, and a
spreadsheet runs a cell starting with = + - @ (or tab/CR) as a formula. Every such text cell
gets a leading apostrophe, in CSV and in Excel alike (``safe_text``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from referral.db import as_utc
from referral.desk import is_overdue
from referral.models import Referral
from referral.rules.contract import CHINA_TZ
from referral.rules.matters import MATTERS
from referral.statistics import CHANNEL_LABELS, PRIORITY_LABELS, STATUS_LABELS, Report

BOM = "\ufeff"  # Excel reads a CSV as UTF-8 (and shows the Chinese) only with it
REFERRAL_HEADERS: tuple[str, ...] = (
    "受理编号", "收到时间(北京时间)", "渠道", "姓名", "手机号", "县区", "乡镇", "事项", "优先级", "状态", "站点",
    "决定期限", "是否超期", "作出决定时间", "决定理由",
)
_WIDTHS = (16, 18, 12, 10, 14, 10, 12, 22, 14, 14, 22, 12, 9, 18, 40)  # Excel column widths, in characters
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TIME_FORMAT = "%Y-%m-%d %H:%M"


def safe_text(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _safe(value: object) -> object:
    return safe_text(value) if isinstance(value, str) else value


def _china_time(value: datetime | None) -> datetime | None:
    """Beijing time without tzinfo (Excel cannot store a zone); naive input is UTC."""
    if value is None:
        return None
    return as_utc(value).astimezone(CHINA_TZ).replace(tzinfo=None)


def _referral_row(referral: Referral, today: date | None) -> list[object]:
    """One referral as typed values (datetimes in Beijing time, dates), in REFERRAL_HEADERS order."""
    status, priority = referral.status.value, referral.priority.value
    return [
        referral.ticket_number,
        _china_time(referral.created_at),
        CHANNEL_LABELS.get(referral.channel, referral.channel),
        referral.applicant_name,
        referral.applicant_phone,
        referral.region,
        referral.township or "",
        MATTERS.get(referral.matter, referral.matter),
        PRIORITY_LABELS.get(priority, priority),
        STATUS_LABELS.get(status, status),
        referral.station.name if referral.station is not None else "",
        referral.decision_due,
        "是" if is_overdue(referral, today) else "否",
        _china_time(referral.decided_at),
        referral.decision_reason or "",
    ]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(_TIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    return safe_text(str(value))


def _csv(rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_text(value) for value in row])
    return BOM + buffer.getvalue()


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header(sheet, headers: Iterable[str], widths: Iterable[int]) -> None:
    sheet.append(list(headers))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _append(sheet, values: Iterable[object]) -> None:
    sheet.append([_safe(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula, whatever the text
        elif isinstance(cell.value, datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(cell.value, date):
            cell.number_format = "yyyy-mm-dd"


# --- referrals ---

def referrals_csv(rows: list[Referral], *, today: date | None = None) -> str:
    """The referrals as CSV text with a BOM and a Chinese header row (REFERRAL_HEADERS).

    Encode the result as UTF-8. ``today`` (China date, default now) decides 是否超期.
    """
    return _csv([REFERRAL_HEADERS, *(_referral_row(r, today) for r in rows)])


def referrals_xlsx(rows: list[Referral], *, today: date | None = None) -> bytes:
    """The referrals as an Excel workbook (one sheet "转介单"): the same columns as the CSV,
    a bold and frozen header row with a filter; times are Excel date-times in Beijing time."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "转介单"
    _header(sheet, REFERRAL_HEADERS, _WIDTHS)
    for referral in rows:
        _append(sheet, _referral_row(referral, today))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    return _save(workbook)


# --- the monthly report ---

def _figures(report: Report) -> list[tuple[str, object]]:
    """The headline figures as (Chinese label, value) pairs."""
    rate = f"{report.accepted_rate * 100:.1f}%" if report.accepted_rate is not None else "—"
    median = report.median_days_to_decision if report.median_days_to_decision is not None else "—"
    return [
        ("统计范围", report.scope),
        ("统计期间（按收到申请的北京时间）", f"{report.start.isoformat()} 至 {report.end.isoformat()}"),
        ("超期统计截至", report.as_of),
        ("收到申请（件）", report.total),
        ("其中绿色通道（建档立卡贫困户）", report.fast_track),
        ("已作决定（件）", report.decided),
        ("给予法律援助（件）", report.accepted),
        ("不予法律援助（件）", report.refused),
        ("给予援助比例", rate),
        ("从申请到决定（中位数，天）", median),
        ("已超期未决定（件）", report.overdue),
    ]


def report_csv(report: Report) -> str:
    """The report as CSV text with a BOM: the headline figures, then one section per breakdown
    (a title line, a 项目/件数 header, its rows), sections separated by an empty line."""
    rows: list[list[object]] = [["法律援助转介统计"], ["项目", "数值"], *([k, v] for k, v in _figures(report))]
    for _, title, counts in report.breakdowns():
        rows += [[], [title], ["项目", "件数"], *([c.label, c.count] for c in counts)]
        if not counts:
            rows.append(["（无）", 0])
    return _csv(rows)


def report_xlsx(report: Report) -> bytes:
    """The report as an Excel workbook: a sheet "概况" with the headline figures, then one
    sheet per breakdown (named by its BREAKDOWNS title) with 项目/代码/件数 columns and a total."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "概况"
    _header(sheet, ("项目", "数值"), (34, 28))
    for label, value in _figures(report):
        _append(sheet, (label, value))
    sheet.freeze_panes = "A2"
    for _, title, counts in report.breakdowns():
        sheet = workbook.create_sheet(title)
        _header(sheet, ("项目", "代码", "件数"), (30, 20, 10))
        for count in counts:
            _append(sheet, (count.label, count.key, count.count))
        _append(sheet, ("合计", "", sum(c.count for c in counts)))
        sheet[sheet.max_row][0].font = Font(bold=True)
        sheet.freeze_panes = "A2"
    return _save(workbook)
