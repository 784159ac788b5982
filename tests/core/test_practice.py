"""Practice outcomes of a caseload (core/practice.py), against values worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from scipy import stats

from baclotrack.core.practice import PracticeInputError, mean_change, practice_outcomes, proportion

TODAY = dt.date(2026, 3, 20)
#: A start 60 days ago: the 28-day baseline and the last 28 days do not touch.
STARTED = TODAY - dt.timedelta(days=60)


def patients(*rows: tuple[str, str, dt.date]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "patient_id": [r[0] for r in rows],
            "sex": [r[1] for r in rows],
            "start_date": [r[2] for r in rows],
            "country": ["FR"] * len(rows),
        }
    )


def days(pid: str, first: dt.date, grams: list[float | None]) -> pl.DataFrame:
    """Diary rows on consecutive dates from ``first`` (None: the day is not reported)."""
    dates = [first + dt.timedelta(days=i) for i in range(len(grams))]
    rows = [(pid, d, g) for d, g in zip(dates, grams, strict=True) if g is not None]
    return pl.DataFrame(
        rows, schema={"patient_id": pl.Utf8, "date": pl.Date, "grams": pl.Float64}, orient="row"
    )


def course(
    pid: str, start: dt.date, baseline: list[float | None], recent: list[float | None]
) -> pl.DataFrame:
    """28 baseline days before ``start`` and the 28 days ending TODAY."""
    return pl.concat(
        [
            days(pid, start - dt.timedelta(days=28), baseline),
            days(pid, TODAY - dt.timedelta(days=27), recent),
        ]
    )


def test_abstinent_counts_only_clients_with_enough_reported_days() -> None:
    diary = pl.concat(
        [
            course("dry", STARTED, [80.0] * 28, [0.0] * 28),
            # 20 of 28 days reported, all dry: below the 75 % needed (21 days), so not counted.
            course("sparse", STARTED, [80.0] * 28, [0.0] * 20 + [None] * 8),
            course("wet", STARTED, [80.0] * 28, [0.0] * 27 + [10.0]),
        ]
    )
    result = practice_outcomes(
        diary, patients(("dry", "M", STARTED), ("sparse", "M", STARTED), ("wet", "F", STARTED)), TODAY
    )
    assert (result.abstinent.events, result.abstinent.n) == (1, 2)
    assert result.abstinent.percent == pytest.approx(50.0)


def test_a_lower_reporting_threshold_counts_the_sparse_diary() -> None:
    diary = course("sparse", STARTED, [80.0] * 28, [0.0] * 20 + [None] * 8)
    result = practice_outcomes(diary, patients(("sparse", "M", STARTED)), TODAY, min_reported_share=0.7)
    assert (result.abstinent.events, result.abstinent.n) == (1, 1)


def test_clients_in_treatment_under_four_weeks_are_not_eligible() -> None:
    recent_start = TODAY - dt.timedelta(days=26)  # treatment day 27 today
    diary = days("new", recent_start - dt.timedelta(days=28), [80.0] * 28 + [0.0] * 27)
    result = practice_outcomes(diary, patients(("new", "M", recent_start), ("old", "M", STARTED)), TODAY)
    assert (result.clients, result.eligible) == (2, 1)
    assert result.abstinent.n == 0  # "old" has no diary at all


def test_who_reduction_needs_a_drinking_baseline_and_a_lower_level() -> None:
    # Men: 80 g/day is WHO high (>60-100), 50 g/day medium (>40-60), 30 g/day low (<=40).
    diary = pl.concat(
        [
            course("fell-one", STARTED, [80.0] * 28, [50.0] * 28),
            course("fell-two", STARTED, [80.0] * 28, [30.0] * 28),
            course("same", STARTED, [80.0] * 28, [90.0] * 28),
            course("dry-before", STARTED, [0.0] * 28, [0.0] * 28),
        ]
    )
    people = patients(*((p, "M", STARTED) for p in ("fell-one", "fell-two", "same", "dry-before")))
    one = practice_outcomes(diary, people, TODAY)
    assert (one.who_reduced.events, one.who_reduced.n) == (2, 3)
    two = practice_outcomes(diary, people, TODAY, levels_reduced=2)
    assert (two.who_reduced.events, two.who_reduced.n) == (1, 3)


def test_pda_change_is_the_mean_of_paired_changes_with_a_t_interval() -> None:
    # Baseline 0 % days abstinent for both; recent 14/28 = 50 % and 21/28 = 75 %.
    diary = pl.concat(
        [
            course("a", STARTED, [60.0] * 28, [0.0] * 14 + [20.0] * 14),
            course("b", STARTED, [60.0] * 28, [0.0] * 21 + [20.0] * 7),
        ]
    )
    result = practice_outcomes(diary, patients(("a", "F", STARTED), ("b", "F", STARTED)), TODAY)
    change = result.pda_change
    assert change.n == 2
    assert (change.baseline_mean, change.recent_mean, change.mean_change) == pytest.approx((0.0, 62.5, 62.5))
    half_width = stats.t.ppf(0.975, 1) * 12.5  # SD of (50, 75) is 17.68, SEM 12.5
    assert (change.ci_low, change.ci_high) == pytest.approx((62.5 - half_width, 62.5 + half_width))


def test_reported_share_is_the_mean_over_eligible_clients() -> None:
    diary = pl.concat(
        [
            course("full", STARTED, [0.0] * 28, [0.0] * 28),
            course("half", STARTED, [0.0] * 14 + [None] * 14, [0.0] * 14 + [None] * 14),
        ]
    )
    result = practice_outcomes(diary, patients(("full", "M", STARTED), ("half", "M", STARTED)), TODAY)
    assert result.baseline_reported_percent == pytest.approx(75.0)
    assert result.recent_reported_percent == pytest.approx(75.0)


def test_days_after_today_do_not_count() -> None:
    diary = pl.concat(
        [course("x", STARTED, [80.0] * 28, [0.0] * 28), days("x", TODAY + dt.timedelta(days=1), [90.0])]
    )
    result = practice_outcomes(diary, patients(("x", "M", STARTED)), TODAY)
    assert result.abstinent.events == 1


def test_an_empty_caseload_gives_no_numbers() -> None:
    empty = pl.DataFrame(schema={"patient_id": pl.Utf8, "date": pl.Date, "grams": pl.Float64})
    result = practice_outcomes(empty, patients(), TODAY)
    assert (result.clients, result.eligible) == (0, 0)
    assert result.abstinent.percent is None and result.pda_change.mean_change is None


def test_wilson_interval_stays_inside_0_to_100() -> None:
    none = proportion(0, 5)
    assert none.percent == 0.0 and none.ci_low == pytest.approx(0.0) and 0 < (none.ci_high or 0) < 100
    assert proportion(0, 0).percent is None


def test_one_client_has_a_mean_change_but_no_interval() -> None:
    single = mean_change([10.0], [30.0])
    assert single.mean_change == 20.0 and single.ci_low is None


@pytest.mark.parametrize(
    ("setting", "field"),
    [
        ({"window_days": 3}, "window_days"),
        ({"min_reported_share": 0.0}, "min_reported_share"),
        ({"levels_reduced": 3}, "levels_reduced"),
    ],
)
def test_bad_settings_name_the_setting(setting: dict[str, float], field: str) -> None:
    empty = pl.DataFrame(schema={"patient_id": pl.Utf8, "date": pl.Date, "grams": pl.Float64})
    with pytest.raises(PracticeInputError, match=field):
        practice_outcomes(empty, patients(), TODAY, **setting)  # type: ignore[arg-type]
