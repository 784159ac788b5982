"""Trial endpoints from a diary, against values worked out by hand (core/endpoints.py)."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from baclotrack.core.endpoints import (
    DEFAULT_WINDOWS,
    ENDPOINT_COLUMNS,
    Window,
    compute_endpoints,
    diary_grams_from_drinks,
    study_day,
)
from baclotrack.core.guidelines import HEAVY_DAY_EMA, HEAVY_DAY_FDA, HeavyDayDefinition

START = dt.date(2024, 3, 1)
PRE, POST = Window("pre", -3, -1), Window("post", 1, 4)


def day(n: int) -> dt.date:
    """Calendar date of study day ``n`` (no day 0) for a patient starting on START."""
    return START + dt.timedelta(days=n - 1 if n > 0 else n)


def patients(*rows: tuple[str, str, str]) -> pl.DataFrame:
    """Patients (id, sex, country), all starting on START."""
    return pl.DataFrame(
        {
            "patient_id": [r[0] for r in rows],
            "sex": [r[1] for r in rows],
            "start_date": [START] * len(rows),
            "country": [r[2] for r in rows],
        }
    )


def diary(patient_id: str, grams_by_day: dict[int, float | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "patient_id": [patient_id] * len(grams_by_day),
            "date": [day(n) for n in grams_by_day],
            "grams": pl.Series(list(grams_by_day.values()), dtype=pl.Float64),
        }
    )


# A woman in the US (14 g drinks): day -3 four drinks (56 g), day -2 none, day -1 blank;
# day 1 two drinks (28 g), day 2 absent, day 3 none, day 4 three drinks (42 g).
WOMAN_US = diary("F1", {-3: 56.0, -2: 0.0, -1: None, 1: 28.0, 3: 0.0, 4: 42.0})


def one_row(result: pl.DataFrame, window: str) -> dict[str, object]:
    return result.filter(pl.col("window") == window).row(0, named=True)


def test_columns_are_the_csv_contract_in_order() -> None:
    result = compute_endpoints(WOMAN_US, patients(("F1", "F", "US")))
    assert tuple(result.columns) == ENDPOINT_COLUMNS
    assert result["window"].to_list() == [w.name for w in DEFAULT_WINDOWS]


def test_baseline_window_counts_blank_day_as_not_reported() -> None:
    pre = one_row(compute_endpoints(WOMAN_US, patients(("F1", "F", "US")), [PRE, POST]), "pre")
    assert pre == {
        "patient_id": "F1",
        "window": "pre",
        "days": 3,
        "days_reported": 2,  # day -1 is blank
        "drinking_days": 1,
        "pda": 50.0,
        "hdd": 1,  # 56 g is heavy for a woman (FDA, inclusive)
        "phdd": 50.0,
        "drinks_per_day": 2.0,  # 4 drinks over 2 reported days
        "drinks_per_drinking_day": 4.0,
        "grams_per_day": 28.0,
        "who_level": 2,  # women: medium is >20-40 g
    }


def test_absent_day_counts_in_days_but_not_in_days_reported() -> None:
    post = one_row(compute_endpoints(WOMAN_US, patients(("F1", "F", "US")), [PRE, POST]), "post")
    assert (post["days"], post["days_reported"], post["drinking_days"]) == (4, 3, 2)
    assert post["pda"] == pytest.approx(100 / 3)
    assert post["drinks_per_day"] == pytest.approx(5 / 3)  # 2 + 0 + 3 drinks over 3 days
    assert post["drinks_per_drinking_day"] == pytest.approx(2.5)
    assert post["grams_per_day"] == pytest.approx(70 / 3)
    assert post["who_level"] == 2


def test_42_grams_is_heavy_for_a_woman_by_ema_but_not_by_fda() -> None:
    fda = one_row(compute_endpoints(WOMAN_US, patients(("F1", "F", "US")), [POST], HEAVY_DAY_FDA), "post")
    ema = one_row(compute_endpoints(WOMAN_US, patients(("F1", "F", "US")), [POST], HEAVY_DAY_EMA), "post")
    assert (fda["hdd"], fda["phdd"]) == (0, 0.0)
    assert ema["hdd"] == 1
    assert ema["phdd"] == pytest.approx(100 / 3)


@pytest.mark.parametrize(
    ("sex", "grams", "heavy", "is_heavy"),
    [
        ("F", 56.0, HEAVY_DAY_FDA, True),
        ("F", 55.99, HEAVY_DAY_FDA, False),
        ("M", 70.0, HEAVY_DAY_FDA, True),
        ("M", 69.99, HEAVY_DAY_FDA, False),
        ("M", 56.0, HEAVY_DAY_FDA, False),
        ("F", 40.0, HEAVY_DAY_EMA, False),
        ("F", 40.01, HEAVY_DAY_EMA, True),
        ("M", 60.0, HEAVY_DAY_EMA, False),
        ("M", 60.01, HEAVY_DAY_EMA, True),
        ("M", 41.0, HEAVY_DAY_EMA, False),
    ],
)
def test_heavy_day_boundaries_fda_inclusive_ema_exclusive(
    sex: str, grams: float, heavy: HeavyDayDefinition, is_heavy: bool
) -> None:
    result = compute_endpoints(
        diary("P", {1: grams}), patients(("P", sex, "US")), [Window("d1", 1, 1)], heavy
    )
    assert result["hdd"].item() == int(is_heavy)


def test_binary_rounding_just_under_a_threshold_still_counts_as_heavy() -> None:
    # 0.1 + 0.2 style error: a day meant as 56 g must not slip under the FDA threshold.
    grams = 56.0 - 1e-12
    result = compute_endpoints(diary("P", {1: grams}), patients(("P", "F", "US")), [Window("d1", 1, 1)])
    assert result["hdd"].item() == 1


@pytest.mark.parametrize(
    ("sex", "grams", "level"),
    [
        ("F", 0.0, 0),
        ("F", 0.5, 1),
        ("F", 20.0, 1),
        ("F", 20.5, 2),
        ("F", 40.0, 2),
        ("F", 60.0, 3),
        ("F", 60.5, 4),
        ("M", 40.0, 1),
        ("M", 40.5, 2),
        ("M", 60.0, 2),
        ("M", 100.0, 3),
        ("M", 100.5, 4),
    ],
)
def test_who_level_upper_bounds_are_inclusive(sex: str, grams: float, level: int) -> None:
    result = compute_endpoints(diary("P", {1: grams}), patients(("P", sex, "US")), [Window("d1", 1, 1)])
    assert result["who_level"].item() == level


def test_uk_units_are_eight_grams() -> None:
    drinks = pl.DataFrame({"patient_id": ["U"], "date": [day(1)], "drinks": [10.0]})
    men = patients(("U", "M", "UK"))
    result = compute_endpoints(diary_grams_from_drinks(drinks, men), men, [Window("d1", 1, 1)])
    row = result.row(0, named=True)
    assert row["grams_per_day"] == 80.0
    assert row["drinks_per_day"] == 10.0  # in UK units, the patient's own standard drink
    assert row["hdd"] == 1  # 80 g >= 70 g (FDA, men)
    assert row["who_level"] == 3  # men: high is >60-100 g


def test_drinks_are_per_patient_country() -> None:
    both = patients(("FR", "M", "FR"), ("US", "M", "US"))
    grams = pl.concat([diary("FR", {1: 30.0}), diary("US", {1: 28.0})])
    result = compute_endpoints(grams, both, [Window("d1", 1, 1)])
    assert result["drinks_per_day"].to_list() == [3.0, 2.0]  # 10 g French, 14 g US drinks


def test_drinks_column_gives_the_plain_mean_of_entries() -> None:
    # 13.45 g Canadian drinks: 1 and 2 drinks average exactly 1.5, as R's mean() gives it.
    entries = pl.DataFrame({"patient_id": ["C", "C"], "date": [day(1), day(2)], "drinks": [1.0, 2.0]})
    canada = patients(("C", "F", "CA"))
    result = compute_endpoints(diary_grams_from_drinks(entries, canada), canada, [Window("w", 1, 2)])
    assert result["drinks_per_day"].item() == 1.5
    assert result["grams_per_day"].item() == pytest.approx(1.5 * 13.45)


def test_patient_with_no_reported_days_has_blank_figures_and_zero_counts() -> None:
    blanks = diary("B", {1: None, 2: None})
    result = compute_endpoints(blanks, patients(("B", "F", "US")), [Window("w", 1, 7)])
    assert result.row(0, named=True) == {
        "patient_id": "B",
        "window": "w",
        "days": 7,
        "days_reported": 0,
        "drinking_days": 0,
        "pda": None,
        "hdd": 0,
        "phdd": None,
        "drinks_per_day": None,
        "drinks_per_drinking_day": None,
        "grams_per_day": None,
        "who_level": None,
    }


def test_patient_without_any_diary_row_still_gets_every_window() -> None:
    result = compute_endpoints(WOMAN_US, patients(("F1", "F", "US"), ("NONE", "M", "FR")))
    nobody = result.filter(pl.col("patient_id") == "NONE")
    assert nobody.height == len(DEFAULT_WINDOWS)
    assert nobody["days_reported"].to_list() == [0] * len(DEFAULT_WINDOWS)
    assert nobody["pda"].null_count() == len(DEFAULT_WINDOWS)


def test_abstinent_window_has_blank_drinks_per_drinking_day_and_level_zero() -> None:
    dry = one_row(compute_endpoints(diary("D", {1: 0.0, 2: 0.0}), patients(("D", "M", "US")), [POST]), "post")
    assert (dry["pda"], dry["drinks_per_day"], dry["grams_per_day"]) == (100.0, 0.0, 0.0)
    assert dry["drinks_per_drinking_day"] is None
    assert dry["who_level"] == 0


def test_no_day_zero_start_date_is_day_one_and_day_before_is_minus_one() -> None:
    frame = pl.DataFrame({"date": [START - dt.timedelta(days=2), START - dt.timedelta(days=1), START]})
    assert frame.select(study_day("date", pl.lit(START))).to_series().to_list() == [-2, -1, 1]


def test_day_minus_one_and_day_one_are_consecutive_calendar_days() -> None:
    result = compute_endpoints(
        diary("P", {-1: 14.0, 1: 28.0}),
        patients(("P", "F", "US")),
        [Window("last", -1, -1), Window("first", 1, 1)],
    )
    assert result["grams_per_day"].to_list() == [14.0, 28.0]
    assert day(1) - day(-1) == dt.timedelta(days=1)


def test_days_outside_every_window_are_ignored() -> None:
    result = compute_endpoints(diary("P", {-40: 500.0, 100: 500.0}), patients(("P", "M", "US")))
    assert result["days_reported"].sum() == 0


def test_rows_sorted_by_patient_then_window_order_as_given() -> None:
    both = patients(("b", "F", "US"), ("a", "M", "US"))
    result = compute_endpoints(diary("a", {1: 0.0}), both, [POST, PRE])
    assert result.select("patient_id", "window").rows() == [
        ("a", "post"),
        ("a", "pre"),
        ("b", "post"),
        ("b", "pre"),
    ]


def test_country_column_absent_means_us_drinks() -> None:
    result = compute_endpoints(
        diary("P", {1: 28.0}), patients(("P", "M", "US")).drop("country"), [Window("d1", 1, 1)]
    )
    assert result["drinks_per_day"].item() == 2.0


def test_other_diary_columns_are_ignored() -> None:
    extra = WOMAN_US.with_columns(craving=pl.lit(7))
    who = patients(("F1", "F", "US"))
    assert compute_endpoints(extra, who).equals(compute_endpoints(WOMAN_US, who))


def test_one_patient_alone_equals_their_rows_in_a_cohort() -> None:
    cohort = patients(("F1", "F", "US"), ("M2", "M", "UK"), ("M3", "M", "FR"))
    days = pl.concat([WOMAN_US, diary("M2", {-2: 80.0, 1: 16.0, 2: None}), diary("M3", {-1: 90.0, 3: 0.0})])
    together = compute_endpoints(days, cohort)
    for pid in ["F1", "M2", "M3"]:
        alone = compute_endpoints(
            days.filter(pl.col("patient_id") == pid), cohort.filter(pl.col("patient_id") == pid)
        )
        assert alone.equals(together.filter(pl.col("patient_id") == pid))


@pytest.mark.parametrize("order", [[0.1, 0.2, 0.3], [0.3, 0.2, 0.1], [0.2, 0.3, 0.1]])
def test_totals_are_exact_sums_whatever_the_row_order(order: list[float]) -> None:
    # (0.1 + 0.2) + 0.3 != 0.1 + (0.2 + 0.3) in floating point; the exact sum, rounded once, is
    # what math.fsum and R's sum() give, and it must not depend on row order or threads.
    rows = diary("P", dict(enumerate(order, start=1)))
    result = compute_endpoints(rows, patients(("P", "F", "WHO")), [Window("w", 1, 3)])
    assert result["grams_per_day"].item() == math.fsum(order) / 3
    assert result["drinks_per_day"].item() == math.fsum(order) / 10 / 3


def test_overlapping_windows_each_count_their_own_days() -> None:
    rows = diary("P", {1: 14.0, 2: 0.0, 3: 28.0, 4: None, 5: 70.0})
    windows = [Window("a", 1, 3), Window("b", 3, 5), Window("c", 2, 2), Window("d", 1, 5)]
    result = compute_endpoints(rows, patients(("P", "M", "US")), windows)
    assert result["days_reported"].to_list() == [3, 2, 1, 4]
    assert result["drinking_days"].to_list() == [2, 2, 0, 3]
    assert result["hdd"].to_list() == [0, 1, 0, 1]
    assert result["grams_per_day"].to_list() == [14.0, 49.0, 0.0, 28.0]
