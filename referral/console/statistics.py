"""The monthly statistics page (figures and server-drawn SVG bar charts) and the CSV/Excel exports.

The figures come from referral.statistics, the files from referral.export; every export of
referral rows is recorded in the audit trail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from referral import desk, export, statistics
from referral.console.referrals import QueueQ, QueueQuery, queue_filter
from referral.console.web import ConsoleRoute, PageError, UserDep, render
from referral.dependencies import SessionDep, client_address
from referral.models import StaffUser, Station
from referral.rules.contract import CHINA_TZ

router = APIRouter(prefix="/console", tags=["console"], route_class=ConsoleRoute)

EXPORT_LIMIT = 100_000
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Bar chart geometry (px, in the SVG's own units; the chart scales to its box, down to a 390-px phone):
# each row is a label line with its bar and count below it, so long station names need no label column.
BAR_W, COUNT_W, ROW_H, LABEL_H, BAR_H = 330, 50, 46, 20, 14


def _month(value: str | None) -> tuple[int, int]:
    """``YYYY-MM``, default this month in China time."""
    if not value:
        now = datetime.now(CHINA_TZ)
        return now.year, now.month
    try:
        return statistics.parse_month(value)
    except ValueError as exc:
        raise PageError(422, str(exc)) from None


def _shift(year: int, month: int, by: int) -> str:
    year, month = statistics.shift_month(year, month, by)
    return f"{year:04d}-{month:02d}"


def bar_chart(counts) -> dict:
    """Geometry for a horizontal bar chart of Count rows (drawn as inline SVG by the template): for
    each row the label at ``label_y``, the bar from ``bar_y`` and the count after the bar."""
    rows = list(counts)
    top = max((c.count for c in rows), default=0) or 1
    bars = [{"label": c.label, "count": c.count, "label_y": i * ROW_H + LABEL_H - 4, "bar_y": i * ROW_H + LABEL_H,
             "width": round(BAR_W * c.count / top, 1)} for i, c in enumerate(rows)]
    return {"bars": bars, "height": max(len(rows), 1) * ROW_H, "width": BAR_W + COUNT_W, "bar_h": BAR_H}


def _report(session, user, year: int, month: int) -> statistics.MonthOnMonth:
    return statistics.month_on_month(session, user, year, month)


def _shown(user, key: str, counts) -> bool:
    """按站点 is for administrators, and for a county centre whose workstations' referrals are counted
    too; the staff of a single station would only see their own station in it."""
    return user.is_admin or key != "by_station" or len(counts) > 1


@router.get("/statistics", response_class=HTMLResponse, summary="Console: monthly statistics")
def statistics_page(request: Request, session: SessionDep, user: UserDep,
                    month: Annotated[str | None, Query(description="YYYY-MM; default this month (China time)")] = None):
    """Headline figures with the month before (环比) and bar charts for one month (the user's station;
    every station for administrators)."""
    year, mon = _month(month)
    mom = _report(session, user, year, mon)
    charts = [(key, title, counts, bar_chart(counts)) for key, title, counts in mom.report.breakdowns()
              if _shown(user, key, counts)]
    return render(request, "statistics.html", {
        "report": mom.report, "changes": mom.changes, "charts": charts, "month": f"{year:04d}-{mon:02d}",
        "year": year, "mon": mon, "previous": _shift(year, mon, -1), "next": _shift(year, mon, 1),
        "previous_mon": statistics.shift_month(year, mon, -1)[1],
    })


def _download(content: str | bytes, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _rows(session, user, request: Request, query: QueueQuery, fmt: str):
    filters, _ = queue_filter(session, user, query)
    rows, _total = desk.queue(session, user, filters, limit=EXPORT_LIMIT)
    _load_people_and_stations(session, rows)
    desk.audit(session, user, "export", detail=f"referrals.{fmt} n={len(rows)}", client=client_address(request))
    session.commit()
    return rows


def _load_people_and_stations(session, rows) -> None:
    """Give the rows their stations and holders (经办人) from two queries, so that the export reads
    ``referral.station`` and ``referral.claimed_by`` without one query per row."""
    for name, model, key in (("station", Station, "station_id"), ("claimed_by", StaffUser, "claimed_by_id")):
        ids = {getattr(r, key) for r in rows} - {None}
        loaded = {item.id: item for item in session.scalars(select(model).where(model.id.in_(ids)))} if ids else {}
        for referral in rows:
            set_committed_value(referral, name, loaded.get(getattr(referral, key)))


_FILE = {200: {"description": "The file, as an attachment"}}


def _today() -> str:
    return datetime.now(CHINA_TZ).strftime("%Y-%m-%d")


@router.get("/export/referrals.csv", response_class=Response, summary="Console: export the queue as CSV",
            responses={200: {"content": {CSV: {}}, "description": "CSV, one referral a row"}})
def export_referrals_csv(request: Request, session: SessionDep, user: UserDep, query: QueueQ):
    """The referrals the queue shows with these filters, as CSV (recorded in the audit trail)."""
    rows = _rows(session, user, request, query, "csv")
    return _download(export.referrals_csv(rows), CSV, f"referrals-{_today()}.csv")


@router.get("/export/referrals.xlsx", response_class=Response, summary="Console: export the queue as Excel",
            responses={200: {"content": {XLSX: {}}, "description": "Excel workbook, one referral a row"}})
def export_referrals_xlsx(request: Request, session: SessionDep, user: UserDep, query: QueueQ):
    """The referrals the queue shows with these filters, as an Excel workbook (recorded in the audit trail)."""
    rows = _rows(session, user, request, query, "xlsx")
    return _download(export.referrals_xlsx(rows), XLSX, f"referrals-{_today()}.xlsx")


def _report_file(request: Request, session, user, month: str | None, fmt: str):
    year, mon = _month(month)
    mom = _report(session, user, year, mon)
    desk.audit(session, user, "export", detail=f"report.{fmt} {year:04d}-{mon:02d}", client=client_address(request))
    session.commit()
    return mom, f"report-{year:04d}-{mon:02d}.{fmt}"


MonthQ = Annotated[str | None, Query(description="YYYY-MM; default this month (China time)")]


@router.get("/export/report.csv", response_class=Response, summary="Console: export the monthly report as CSV",
            responses={200: {"content": {CSV: {}}, "description": "CSV of the month's figures"}})
def export_report_csv(request: Request, session: SessionDep, user: UserDep, month: MonthQ = None):
    """The month's figures with the month before (环比) and the breakdowns as CSV."""
    mom, filename = _report_file(request, session, user, month, "csv")
    return _download(export.report_csv(mom.report, mom.previous), CSV, filename)


@router.get("/export/report.xlsx", response_class=Response, summary="Console: export the monthly report as Excel",
            responses={200: {"content": {XLSX: {}}, "description": "Excel workbook of the month's figures"}})
def export_report_xlsx(request: Request, session: SessionDep, user: UserDep, month: MonthQ = None):
    """The month's figures with the month before (环比) and the breakdowns as an Excel workbook."""
    mom, filename = _report_file(request, session, user, month, "xlsx")
    return _download(export.report_xlsx(mom.report, mom.previous), XLSX, filename)
