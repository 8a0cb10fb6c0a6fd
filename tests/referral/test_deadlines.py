"""The Art. 43 decision deadline in working days, with China's official calendar."""

from __future__ import annotations

import datetime as dt

from referral.rules.deadlines import add_working_days, decision_due


def test_ordinary_week_skips_the_weekend():
    # Mon 2026-11-23 + 7 working days = Wed 2026-12-02
    assert decision_due(dt.date(2026, 11, 23)) == dt.date(2026, 12, 2)


def test_application_on_a_saturday_starts_counting_on_monday():
    assert decision_due(dt.date(2026, 11, 28)) == dt.date(2026, 12, 8)


def test_national_day_holiday_is_not_counted():
    # 2026-10-01..07 are holidays, Saturday 10-10 is a working day (调休):
    # 10-08, 09, 10, 12, 13, 14, 15
    assert decision_due(dt.date(2026, 9, 30)) == dt.date(2026, 10, 15)


def test_adjusted_working_weekend_counts():
    # Sunday 2026-09-20 is an official working day (调休) before National Day
    assert add_working_days(dt.date(2026, 9, 19), 1) == (dt.date(2026, 9, 20), True)


def test_year_unknown_to_the_calendar_counts_weekdays_and_says_so():
    due, exact = add_working_days(dt.date(2027, 3, 1), 7)
    assert due == dt.date(2027, 3, 10) and exact is False
