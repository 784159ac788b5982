"""The indifference dose: 14 consecutive diary days at one dose, low craving, no heavy day."""

from __future__ import annotations

import datetime as dt

import pytest

from baclotrack.core.diary import DiaryDay
from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import HEAVY_DAY_EMA
from baclotrack.core.titration.indifference import find_indifference_dose, qualifying_runs

START = dt.date(2026, 2, 1)


def days(
    n: int, *, dose: float = 120, craving: int | None = 1, grams: float | None = 10, first: int = 0
) -> list[DiaryDay]:
    return [
        DiaryDay(START + dt.timedelta(days=first + i), grams=grams, craving=craving, dose_taken_mg=dose)
        for i in range(n)
    ]


def test_fourteen_calm_days_at_one_dose_reach_indifference() -> None:
    result = find_indifference_dose(days(14), "M")
    assert result.reached
    assert result.dose_mg == 120
    assert result.date_reached == START + dt.timedelta(days=13)
    assert "14 consecutive diary days at 120 mg/day" in result.reason


def test_thirteen_days_are_not_enough() -> None:
    result = find_indifference_dose(days(13), "M")
    assert not result.reached and result.dose_mg is None
    assert "13 day(s) at 120 mg/day" in result.reason


def test_a_missing_diary_day_breaks_the_run() -> None:
    diary = days(7) + days(7, first=8)  # day 8 missing
    assert not find_indifference_dose(diary, "M").reached


def test_unreported_craving_or_grams_break_the_run() -> None:
    assert not find_indifference_dose(days(7) + days(7, first=7, craving=None), "M").reached
    assert not find_indifference_dose(days(7) + days(7, first=7, grams=None), "M").reached


def test_a_heavy_day_breaks_the_run() -> None:
    heavy = DiaryDay(START + dt.timedelta(days=7), grams=70, craving=0, dose_taken_mg=120)
    diary = [*days(7), heavy, *days(6, first=8)]
    assert not find_indifference_dose(diary, "M").reached


def test_craving_above_the_threshold_breaks_the_run() -> None:
    assert not find_indifference_dose(days(14, craving=3), "M").reached
    assert find_indifference_dose(days(14, craving=3), "M", craving_threshold=3).reached


def test_a_dose_change_starts_a_new_run() -> None:
    diary = days(7, dose=100) + days(7, dose=120, first=7)
    assert not find_indifference_dose(diary, "M").reached


def test_the_lowest_qualifying_dose_wins() -> None:
    diary = days(14, dose=150) + days(3, dose=200, craving=6, first=14) + days(14, dose=90, first=17)
    result = find_indifference_dose(diary, "F")
    assert result.dose_mg == 90


def test_heavy_definition_is_a_parameter() -> None:
    # 50 g is not heavy for a woman under FDA (>= 56 g) but is under EMA (> 40 g).
    diary = days(14, grams=50)
    assert find_indifference_dose(diary, "F").reached
    assert not find_indifference_dose(diary, "F", heavy=HEAVY_DAY_EMA).reached


def test_diary_order_does_not_matter() -> None:
    assert find_indifference_dose(list(reversed(days(14))), "M").reached


def test_bad_threshold_is_rejected_naming_it() -> None:
    with pytest.raises(InputError, match="craving_threshold"):
        find_indifference_dose(days(3), "M", craving_threshold=11)


def test_qualifying_runs_lists_each_run_with_its_dates() -> None:
    diary = [*days(3, dose=100), *days(2, dose=120, first=3), *days(4, dose=120, first=6)]
    assert qualifying_runs(diary, "M") == [
        (100, START, START + dt.timedelta(days=2)),
        (120, START + dt.timedelta(days=3), START + dt.timedelta(days=4)),
        (120, START + dt.timedelta(days=6), START + dt.timedelta(days=9)),
    ]


def test_first_reached_differs_from_lowest_after_a_step_down() -> None:
    # 14 indifferent days at 270 mg/day, then 14 at 120 mg/day (Ameisen 2005's course).
    start = dt.date(2004, 2, 1)
    high = [DiaryDay(start + dt.timedelta(days=i), 0.0, 1, 2, 270.0, {}) for i in range(14)]
    low = [DiaryDay(start + dt.timedelta(days=14 + i), 0.0, 1, 2, 120.0, {}) for i in range(14)]
    lowest = find_indifference_dose(high + low, "M")
    first = find_indifference_dose(high + low, "M", which="first")
    assert (lowest.dose_mg, lowest.date_reached) == (120.0, dt.date(2004, 2, 28))
    assert (first.dose_mg, first.date_reached) == (270.0, dt.date(2004, 2, 14))
