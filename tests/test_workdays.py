"""Chinese working days (official holidays and 调休 make-up days) and the quarter dates of the plan."""
from __future__ import annotations

from datetime import date

import pytest

from workflows.holidays import book
from workflows.workdays import (GuessedWorkdays, add_workdays, is_workday, month_end, quarter_of, quarter_report_date,
                                quarter_window_opens, workdays_between)


@pytest.mark.parametrize("day", [date(2017, 10, d) for d in range(1, 9)], ids=lambda d: d.isoformat())
def test_the_national_day_week_of_2017_is_a_holiday_from_the_first_to_the_eighth(day):
    assert not is_workday(day)


def test_the_saturday_before_national_day_2017_is_a_make_up_workday():
    assert date(2017, 9, 30).weekday() == 5
    assert is_workday(date(2017, 9, 30))


def test_an_ordinary_weekend_is_not_a_workday_and_an_ordinary_weekday_is():
    assert not is_workday(date(2017, 6, 10)) and not is_workday(date(2017, 6, 11))
    assert is_workday(date(2017, 6, 12))


def test_outside_the_years_the_calendar_knows_monday_to_friday_are_workdays_with_a_warning():
    book.forget()  # the warning comes with a day's first count; start from an empty cache
    with pytest.warns(GuessedWorkdays, match="2100 年的节假日和调休安排尚未完整录入") as said:
        assert is_workday(date(2100, 1, 4))  # a Monday
        assert not is_workday(date(2100, 1, 2))  # a Saturday
    assert len(said) == 1  # once a year, not once a day


@pytest.mark.parametrize("start, count, expected", [
    (date(2017, 9, 29), 1, date(2017, 9, 30)),
    (date(2017, 9, 29), 2, date(2017, 10, 9)),
    (date(2017, 9, 29), 10, date(2017, 10, 19)),
    (date(2017, 6, 8), 2, date(2017, 6, 12)),
    (date(2017, 10, 9), -1, date(2017, 9, 30)),
    (date(2017, 10, 9), -2, date(2017, 9, 29)),
    (date(2017, 10, 3), 0, date(2017, 10, 3)),
], ids=["into the make-up saturday", "across national day", "ten across national day", "over a weekend",
        "back across national day", "back to friday", "zero stays put"])
def test_adding_workdays_skips_holidays_and_weekends_and_counts_make_up_days(start, count, expected):
    assert add_workdays(start, count) == expected


def test_workdays_between_counts_from_the_day_after_start_to_end_inclusive():
    assert workdays_between(date(2017, 9, 29), date(2017, 10, 9)) == 2
    assert workdays_between(date(2017, 9, 29), date(2017, 9, 29)) == 0
    assert workdays_between(date(2017, 10, 1), date(2017, 10, 8)) == 0


def test_workdays_between_is_negative_when_the_end_comes_first():
    assert workdays_between(date(2017, 10, 9), date(2017, 9, 29)) == -2


def test_workdays_between_undoes_add_workdays():
    start = date(2017, 9, 25)
    assert all(workdays_between(start, add_workdays(start, count)) == count for count in range(0, 25))


@pytest.mark.parametrize("day, quarter", [(date(2017, 1, 1), 1), (date(2017, 3, 31), 1), (date(2017, 4, 1), 2),
                                          (date(2017, 9, 30), 3), (date(2017, 12, 31), 4)])
def test_a_day_belongs_to_its_calendar_quarter(day, quarter):
    assert quarter_of(day) == quarter


def test_the_quarterly_report_is_due_on_the_twentieth_of_the_quarters_last_month():
    assert [quarter_report_date(2017, q) for q in range(1, 5)] == [
        date(2017, 3, 20), date(2017, 6, 20), date(2017, 9, 20), date(2017, 12, 20)]


def test_the_quarterly_report_window_opens_on_the_first_of_the_quarters_last_month():
    assert [quarter_window_opens(2017, q) for q in range(1, 5)] == [
        date(2017, 3, 1), date(2017, 6, 1), date(2017, 9, 1), date(2017, 12, 1)]


def test_month_end_knows_february_in_leap_years():
    assert (month_end(2017, 2), month_end(2016, 2), month_end(2017, 12)) == (
        date(2017, 2, 28), date(2016, 2, 29), date(2017, 12, 31))
