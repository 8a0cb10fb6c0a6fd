"""Staff deadlines (法律援助法第四十三条): the decision is due 7 days after the application.

The Ministry of Justice's procedure rules (办理法律援助案件程序规定, 2023) count these days as
working days; China's official calendar, with its adjusted working weekends, comes from the
`chinesecalendar` package. For a year the package does not know yet, weekdays are counted
and the result is flagged, so a deployment notices that the package needs an update.
"""

from __future__ import annotations

import datetime as dt
import logging

import chinese_calendar

logger = logging.getLogger(__name__)

DECISION_WORKING_DAYS = 7  # Art. 43


def is_working_day(day: dt.date) -> tuple[bool, bool]:
    """(whether ``day`` is a working day, whether the official calendar knew the year)."""
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


def add_working_days(start: dt.date, days: int) -> tuple[dt.date, bool]:
    """The date ``days`` working days after ``start`` (the day itself not counted), and whether
    every day on the way was in the official calendar."""
    day, counted, exact = start, 0, True
    while counted < days:
        day += dt.timedelta(days=1)
        working, known = is_working_day(day)
        exact = exact and known
        counted += working
    if not exact:
        logger.warning("chinesecalendar has no data for %s; counted weekdays only", day.year)
    return day, exact


def decision_due(applied_on: dt.date) -> dt.date:
    """The day by which staff must decide on an application made on ``applied_on``."""
    return add_working_days(applied_on, DECISION_WORKING_DAYS)[0]


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier:
    the working days from ``end`` to ``start``, ``start`` included and ``end`` not)."""
    if end < start:
        return -working_days_between(end, start) if end != start else 0
    return sum(is_working_day(start + dt.timedelta(days=i))[0] for i in range(1, (end - start).days + 1))
