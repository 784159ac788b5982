"""Properties of the endpoints that must hold for any diary (hypothesis, fixed seed)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from baclotrack.core.endpoints import Window, compute_endpoints
from baclotrack.core.guidelines import (
    HEAVY_DAY_DEFINITIONS,
    STANDARD_DRINK_GRAMS,
    Country,
    HeavyDayDefinition,
)

WINDOWS = (Window("before", -10, -1), Window("early", 1, 5), Window("late", 6, 10), Window("all", 1, 10))
COUNTRIES = [c.value for c in STANDARD_DRINK_GRAMS]
# Amounts that sit on and around the heavy-day and WHO thresholds as well as everyday ones.
GRAMS = st.one_of(
    st.none(),
    st.sampled_from([0.0, 0.0, 0.0, 14.0, 20.0, 40.0, 56.0, 60.0, 70.0, 100.0]),
    st.floats(min_value=0, max_value=400, allow_nan=False),
)


@st.composite
def cohorts(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame]:
    """1-4 patients with random sex, country and start; each day in -12..12 present or absent."""
    n = draw(st.integers(min_value=1, max_value=4))
    ids = [f"P{i}" for i in range(n)]
    starts = [dt.date(2024, 1, 1) + dt.timedelta(days=draw(st.integers(0, 60))) for _ in ids]
    patients = pl.DataFrame(
        {
            "patient_id": ids,
            "sex": [draw(st.sampled_from(["F", "M"])) for _ in ids],
            "start_date": starts,
            "country": [draw(st.sampled_from(COUNTRIES)) for _ in ids],
        }
    )
    rows: list[tuple[str, dt.date, float | None]] = []
    for pid, start in zip(ids, starts, strict=True):
        offsets = draw(st.sets(st.integers(-12, 11), max_size=24))
        rows.extend((pid, start + dt.timedelta(days=o), draw(GRAMS)) for o in sorted(offsets))
    diary = pl.DataFrame(
        rows, schema={"patient_id": pl.String, "date": pl.Date, "grams": pl.Float64}, orient="row"
    )
    return diary, patients


HEAVY = st.sampled_from(sorted(HEAVY_DAY_DEFINITIONS.values(), key=lambda h: h.name))


@seed(20261127)
@settings(max_examples=60, deadline=None)
@given(cohort=cohorts(), heavy=HEAVY, data=st.data())
def test_row_order_does_not_matter(
    cohort: tuple[pl.DataFrame, pl.DataFrame], heavy: HeavyDayDefinition, data: st.DataObject
) -> None:
    diary, patients = cohort
    order = data.draw(st.permutations(range(diary.height)))
    shuffled = diary[list(order)] if diary.height else diary
    patient_order = data.draw(st.permutations(range(patients.height)))
    expected = compute_endpoints(diary, patients, WINDOWS, heavy)
    assert compute_endpoints(shuffled, patients[list(patient_order)], WINDOWS, heavy).equals(expected)


@seed(20261127)
@settings(max_examples=80, deadline=None)
@given(cohort=cohorts(), heavy=HEAVY)
def test_counts_nest_and_percentages_add_up(
    cohort: tuple[pl.DataFrame, pl.DataFrame], heavy: HeavyDayDefinition
) -> None:
    result = compute_endpoints(*cohort, WINDOWS, heavy)
    for row in result.iter_rows(named=True):
        assert 0 <= row["hdd"] <= row["drinking_days"] <= row["days_reported"] <= row["days"]
        if row["days_reported"] > 0:
            percent_drinking_days = 100 * row["drinking_days"] / row["days_reported"]
            assert row["pda"] + percent_drinking_days == pytest.approx(100.0)
            assert row["phdd"] <= 100 - row["pda"] + 1e-9
        else:
            assert row["pda"] is None and row["phdd"] is None and row["who_level"] is None


@seed(20261127)
@settings(max_examples=80, deadline=None)
@given(cohort=cohorts())
def test_grams_per_day_is_drinks_per_day_times_the_standard_drink(
    cohort: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    diary, patients = cohort
    drink_g = {
        p: STANDARD_DRINK_GRAMS[Country(c)] for p, c in patients.select("patient_id", "country").iter_rows()
    }
    for row in compute_endpoints(diary, patients, WINDOWS).iter_rows(named=True):
        if row["days_reported"] == 0:
            assert row["grams_per_day"] is None and row["drinks_per_day"] is None
            continue
        size = drink_g[row["patient_id"]]
        assert row["grams_per_day"] == pytest.approx(row["drinks_per_day"] * size)
        if row["drinking_days"]:
            total = row["drinks_per_drinking_day"] * row["drinking_days"]
            assert total == pytest.approx(row["drinks_per_day"] * row["days_reported"])
        else:
            assert row["drinks_per_drinking_day"] is None and row["who_level"] == 0


@seed(20261127)
@settings(max_examples=40, deadline=None)
@given(cohort=cohorts())
def test_each_patient_alone_equals_their_rows_in_the_cohort(
    cohort: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    diary, patients = cohort
    together = compute_endpoints(diary, patients, WINDOWS)
    for pid in patients["patient_id"]:
        alone = compute_endpoints(
            diary.filter(pl.col("patient_id") == pid), patients.filter(pl.col("patient_id") == pid), WINDOWS
        )
        assert alone.equals(together.filter(pl.col("patient_id") == pid))
