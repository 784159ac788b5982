"""The bulk drinking generator: reproducible, shaped like a diary, and drawn from the simulator's model."""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from baclotrack.analysis.simulate import (
    DrinkingModel,
    ModelParameters,
    SimulationError,
    simulate_drinking_matrix,
)
from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import STANDARD_DRINK_GRAMS


def test_same_seed_gives_identical_frames_and_another_seed_does_not() -> None:
    first = simulate_drinking_matrix(50, 60, seed=3)
    again = simulate_drinking_matrix(50, 60, seed=3)
    other = simulate_drinking_matrix(50, 60, seed=4)
    assert_frame_equal(first[0], again[0])
    assert_frame_equal(first[1], again[1])
    assert not first[1].equals(other[1])


def test_diary_runs_from_the_baseline_days_before_the_start_with_gaps_of_both_kinds() -> None:
    patients, diary = simulate_drinking_matrix(300, 100, seed=1, baseline_days=28)
    assert patients.columns == ["patient_id", "sex", "start_date", "country", "baseline_grams_per_day"]
    assert diary.columns == ["patient_id", "date", "drinks", "grams"]
    offset = diary.join(patients, on="patient_id").select(
        (pl.col("date") - pl.col("start_date")).dt.total_days().alias("day")
    )
    assert offset["day"].min() == -28 and offset["day"].max() == 71
    assert not diary.select("patient_id", "date").is_duplicated().any()
    assert diary.equals(diary.sort("patient_id", "date"))
    absent = 1 - diary.height / (300 * 100)
    blank = diary["drinks"].null_count() / diary.height
    # AdherenceModel: 8 % of days unreported on average; absent_share 0.4 of them have no row.
    assert 0.02 < absent < 0.045 and 0.03 < blank < 0.07
    assert set(patients["country"]) == {c.value for c in STANDARD_DRINK_GRAMS}


def test_drinks_are_half_drinks_and_grams_follow_each_clients_country() -> None:
    patients, diary = simulate_drinking_matrix(100, 60, seed=2, countries=["UK", "US"])
    rows = diary.drop_nulls("drinks").join(patients, on="patient_id")
    assert ((rows["drinks"] * 2) % 1 == 0).all()
    per_drink = rows.filter(pl.col("drinks") > 0).select(pl.col("grams") / pl.col("drinks"), "country")
    expected = per_drink["country"].replace_strict({"UK": 8.0, "US": 14.0}, return_dtype=pl.Float64)
    np.testing.assert_allclose(per_drink["grams"], expected)


def test_clients_drink_at_their_drawn_baseline_level() -> None:
    patients, diary = simulate_drinking_matrix(200, 365, seed=5)
    observed = diary.group_by("patient_id").agg(pl.col("grams").mean()).join(patients, on="patient_id")
    assert np.corrcoef(observed["grams"], observed["baseline_grams_per_day"])[0, 1] > 0.9
    ratio = observed["grams"].sum() / observed["baseline_grams_per_day"].sum()
    assert 0.9 < ratio < 1.1  # half-drink rounding and the daily cap move the mean only slightly


def test_drinking_model_parameters_are_used() -> None:
    fewer = ModelParameters(drinking=dataclasses.replace(DrinkingModel(), drinking_day_beta_a=1.0))
    usual = simulate_drinking_matrix(200, 120, seed=6)[1]
    sparse = simulate_drinking_matrix(200, 120, seed=6, params=fewer)[1]
    drinking_days = [(d["drinks"] > 0).mean() for d in (usual, sparse)]
    assert drinking_days[0] > 0.75 and drinking_days[1] < 0.6


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_patients": 0}, "n_patients: must be a whole number from 1 to 100000"),
        ({"n_days": 4000}, "n_days: must be a whole number from 1 to 3653"),
        ({"seed": -1}, "seed: must be a whole number >= 0"),
        ({"baseline_days": 61}, "baseline_days: must be a whole number from 0 to 60"),
        ({"absent_share": 1.5}, "absent_share: must be between 0 and 1"),
        ({"countries": ["XX"]}, "country: unknown code 'XX'"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"n_patients": 10, "n_days": 60, "seed": 1, **kwargs}
    with pytest.raises(InputError, match=message) as raised:
        simulate_drinking_matrix(**arguments)  # type: ignore[arg-type]
    # Arguments of the generator are its own errors; a country code is the core's.
    assert isinstance(raised.value, SimulationError) == ("countries" not in kwargs)
