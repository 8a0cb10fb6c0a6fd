"""CSV and Excel exports of referrals and of the monthly report (issue 5). Pure functions, no web.

The referral exports read only the attributes of the rows passed; ``Referral.station`` and
``Referral.claimed_by`` (经办人) are read too, so load them with the rows (``selectinload``) or
have them in the session already, to avoid one query per row. No code in English reaches a file:
statuses, matters, channels, priorities and closing outcomes are in words; percentages are numbers
under a heading that says 「（%）」.
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
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from referral.db import as_utc
from referral.desk import is_overdue
from referral.models import Referral, ReferralStatus
from referral.rules.contract import CHINA_TZ
from referral.statistics import (
    PRIORITY_LABELS,
    STATUS_LABELS,
    Report,
    channel_label,
    compare,
    matter_label,
    outcome_label,
)

BOM = "\ufeff"  # Excel reads a CSV as UTF-8 (and shows the Chinese) only with it
REFERRAL_HEADERS: tuple[str, ...] = (
    "受理编号", "收到时间(北京时间)", "渠道", "姓名", "电话", "县区", "乡镇", "事项", "优先级", "状态", "站点",
    "经办人", "决定期限", "是否超期", "作出决定时间", "决定理由", "承办人员", "承办单位", "案件编号",
    "结案时间", "结案方式", "申请人陈述",
)
# Excel column widths, in characters
_WIDTHS = (16, 18, 12, 10, 14, 10, 12, 22, 14, 14, 22, 10, 12, 9, 18, 40, 10, 22, 16, 18, 14, 60)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TIME_FORMAT = "%Y-%m-%d %H:%M"
NONE = "—"  # a figure that cannot be computed (no decision yet)
TOTAL = "合计"


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
    """One referral as typed values (datetimes in Beijing time, dates), in REFERRAL_HEADERS order.

    Every code is in words: an unknown channel is 「其他渠道」, an unknown matter 「其他事项」."""
    status, priority = referral.status.value, referral.priority.value
    closed = referral.status == ReferralStatus.closed
    return [
        referral.ticket_number,
        _china_time(referral.created_at),
        channel_label(referral.channel),
        referral.applicant_name,
        referral.applicant_phone,
        referral.region,
        referral.township or "",
        matter_label(referral.matter),
        PRIORITY_LABELS.get(priority, priority),
        STATUS_LABELS.get(status, status),
        referral.station.name if referral.station is not None else "",
        referral.claimed_by.display_name if referral.claimed_by is not None else "",
        referral.decision_due,
        "是" if is_overdue(referral, today) else "否",
        _china_time(referral.decided_at),
        referral.decision_reason or "",
        referral.aid_provider_name or "",
        referral.aid_provider_org or "",
        referral.case_number or "",
        _china_time(referral.closed_at),
        outcome_label(referral.closing_outcome) if closed else "",
        referral.description or "",
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


def _header(sheet, headers: Iterable[object], widths: Iterable[int]) -> None:
    sheet.append(list(headers))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _append(sheet, values: Iterable[object]) -> None:
    # control characters a citizen's text may carry (\x01, \x1b) are not allowed in a workbook
    sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in map(_safe, values)])
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

def _value(value: object) -> object:
    return NONE if value is None else value


def _period(report: Report) -> str:
    return f"{report.start.isoformat()} 至 {report.end.isoformat()}"


def _overview(report: Report, previous: Report | None) -> list[list[object]]:
    """The headline figures as rows: 项目/数值, or with the month before 项目/本月/上月/增减/增减幅度（%）.

    Percentages are numbers (66.7 under a 「（%）」 heading), never "66.7%" text."""
    if previous is None:
        return [["项目", "数值"], ["统计范围", report.scope], ["统计期间（按收到申请的北京时间）", _period(report)],
                ["超期统计截至", report.as_of],
                *([label, _value(value)] for _, label, value in report.figures())]
    rows: list[list[object]] = [["项目", "本月", "上月", "增减", "增减幅度（%）"], ["统计范围", report.scope],
                                ["统计期间（按收到申请的北京时间）", _period(report), _period(previous)],
                                ["超期统计截至", report.as_of, previous.as_of]]
    rows += [[c.label, _value(c.current), _value(c.previous), _value(c.difference), _value(c.percent)]
             for c in compare(report, previous)]
    return rows


def report_csv(report: Report, previous: Report | None = None) -> str:
    """The report as CSV text with a BOM: the title, the headline figures (with the month before and
    the change when ``previous`` is given), then one section per breakdown (a title line, a 项目/件数
    header, its rows and a 合计 row at the bottom, as one would add it in Excel), sections separated
    by an empty line."""
    rows: list[list[object]] = [["法律援助转介统计"], *_overview(report, previous)]
    for _, title, counts in report.breakdowns():
        rows += [[], [title], ["项目", "件数"], *([c.label, c.count] for c in counts),
                 [TOTAL, sum(c.count for c in counts)]]
    return _csv(rows)


def report_xlsx(report: Report, previous: Report | None = None) -> bytes:
    """The report as an Excel workbook: a sheet "概况" with the headline figures (and the month before
    when ``previous`` is given), then one sheet per breakdown (named by its BREAKDOWNS title) with
    项目/件数 columns and a bold 合计 row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "概况"
    overview = _overview(report, previous)
    _header(sheet, overview[0], (40, 26, 26, 10, 14)[:len(overview[0])])
    for row in overview[1:]:
        _append(sheet, row)
    sheet.freeze_panes = "A2"
    for _, title, counts in report.breakdowns():
        sheet = workbook.create_sheet(title)
        _header(sheet, ("项目", "件数"), (30, 10))
        for count in counts:
            _append(sheet, (count.label, count.count))
        _append(sheet, (TOTAL, sum(c.count for c in counts)))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    return _save(workbook)
