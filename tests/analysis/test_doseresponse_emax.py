"""The Emax fit: pinned to R's nls, and honest about what the data cannot identify."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclotrack.analysis.emax import (
    GRID_POINTS,
    EmaxNotIdentifiable,
    _linear_given_ed50,
    _rss_given_ed50_grid,
    emax_curve,
    fit_emax,
)

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "doseresponse"
DATASETS = ("steps_15mg", "ameisen_like", "mg_per_kg")


def _reference(name: str) -> tuple[np.ndarray, np.ndarray, dict]:
    frame = pl.read_csv(REFERENCE / f"emax_{name}.csv")
    ref = json.loads((REFERENCE / "reference.json").read_text())[name]
    return frame["dose"].to_numpy(), frame["response"].to_numpy(), ref


@pytest.mark.r_reference
@pytest.mark.parametrize("name", DATASETS)
def test_emax_estimates_and_standard_errors_match_r_nls(name: str) -> None:
    # R's Gauss-Newton stops at a relative convergence criterion of about 1e-6, so the last
    # digits of its estimates are its own; 1e-4 relative is far below any clinical meaning
    # and far above the difference between two converged least-squares solutions.
    dose, response, ref = _reference(name)
    fit = fit_emax(dose, response)
    for param in ("e0", "emax", "ed50"):
        assert getattr(fit, param) == pytest.approx(ref["estimate"][param], rel=1e-4)
        assert fit.se[param] == pytest.approx(ref["se"][param], rel=1e-3)
    assert fit.sigma == pytest.approx(ref["sigma"], rel=1e-5)
    assert fit.rss == pytest.approx(ref["rss"], rel=1e-6)
    assert fit.df == ref["df"]


@pytest.mark.r_reference
@pytest.mark.parametrize("name", DATASETS)
def test_emax_profile_intervals_match_r_confint(name: str) -> None:
    # R (MASS confint.profile.nls) interpolates a spline through a coarse grid of profile
    # points; baclotrack finds the exact crossing, so the two agree to about 1 %.
    dose, response, ref = _reference(name)
    fit = fit_emax(dose, response)
    for param in ("e0", "emax", "ed50"):
        lower, upper = fit.ci[param]
        assert lower == pytest.approx(ref["ci_lower"][param], rel=1e-2)
        assert upper == pytest.approx(ref["ci_upper"][param], rel=1e-2)


def test_noise_free_curve_is_recovered_exactly() -> None:
    dose = np.repeat([0.0, 20, 40, 80, 160, 240], 4)
    response = emax_curve(dose, 8.0, 6.0, 50.0) + np.tile([0.01, -0.01, 0.005, -0.005], 6)
    fit = fit_emax(dose, response)
    assert (fit.e0, fit.emax, fit.ed50) == pytest.approx((8.0, 6.0, 50.0), rel=1e-3)


def test_ed50_interval_is_asymmetric_on_the_dose_scale() -> None:
    # The ED50 profile is close to symmetric on the log scale, so its upper arm is longer.
    dose, response, _ = _reference("ameisen_like")
    fit = fit_emax(dose, response)
    lower, upper = fit.ci["ed50"]
    assert lower is not None and upper is not None
    assert lower < fit.ed50 < upper
    assert upper - fit.ed50 > 2 * (fit.ed50 - lower)


def test_confidence_band_surrounds_the_curve_and_is_narrowest_where_data_are_dense() -> None:
    dose, response, _ = _reference("steps_15mg")
    fit = fit_emax(dose, response)
    grid = np.array([0.0, 75.0, 150.0, 600.0])
    lower, upper = fit.band(grid)
    centre = fit.predict(grid)
    assert np.all(lower < centre) and np.all(centre < upper)
    width = upper - lower
    assert width[1] < width[3]  # extrapolating far past 150 mg is less certain


def test_fewer_than_three_distinct_doses_are_not_identifiable() -> None:
    with pytest.raises(EmaxNotIdentifiable, match="only 2 distinct dose"):
        fit_emax(np.array([0.0, 0, 0, 30, 30, 30]), np.array([7.0, 8, 7, 3, 2, 3]))


def test_craving_that_never_changes_is_not_identifiable() -> None:
    with pytest.raises(EmaxNotIdentifiable, match="never changed"):
        fit_emax(np.array([0.0, 30, 60, 90, 120]), np.full(5, 4.0))


def test_a_straight_line_puts_ed50_at_the_edge_of_its_range() -> None:
    dose = np.repeat([0.0, 50, 100, 150], 5)
    response = 8 - 0.03 * dose + np.tile([0.1, -0.1, 0.05, -0.05, 0.0], 4)
    with pytest.raises(EmaxNotIdentifiable, match="edge of its range"):
        fit_emax(dose, response)


def test_craving_rising_with_dose_is_not_identifiable() -> None:
    dose = np.repeat([0.0, 30, 60, 120], 4)
    response = emax_curve(dose, 3.0, -4.0, 40.0) + np.tile([0.1, -0.1, 0.2, -0.2], 4)
    with pytest.raises(EmaxNotIdentifiable, match="does not fall"):
        fit_emax(dose, response)


def test_negative_doses_are_rejected() -> None:
    with pytest.raises(ValueError, match="dose must not be negative"):
        fit_emax(np.array([-1.0, 0, 30, 60]), np.array([7.0, 6, 4, 3]))


def test_ed50_below_every_dose_taken_has_an_unbounded_lower_limit() -> None:
    # Craving has already fallen most of the way on the first dose (15 mg, ED50 2 mg): the diary
    # shows ED50 is small but cannot say how small, so the lower limit is None, not a number.
    dose = np.repeat([0.0, 15, 30, 60, 90], 6)
    response = emax_curve(dose, 7.0, 6.0, 2.0) + np.tile([0.8, -0.8, 0.4, -0.4, 0.0, 0.0], 5)
    fit = fit_emax(dose, response)
    lower, upper = fit.ci["ed50"]
    assert lower is None
    assert upper is not None and fit.ed50 < upper < 15


def test_not_identifiable_reason_is_the_english_of_a_message_with_its_numbers() -> None:
    with pytest.raises(EmaxNotIdentifiable) as raised:
        fit_emax(np.array([0.0, 0, 0, 30, 30, 30]), np.array([7.0, 8, 7, 3, 2, 3]))
    message = raised.value.message
    assert raised.value.reason == str(raised.value) == message.text()
    assert message.text() == "only 2 distinct dose(s); an Emax curve needs at least 3 to show its shape"
    assert message.params == {"count": 2}


def test_the_side_of_an_ed50_at_the_edge_is_translated_with_the_sentence() -> None:
    dose = np.repeat([0.0, 50, 100, 150], 5)
    response = 8 - 0.03 * dose + np.tile([0.1, -0.1, 0.05, -0.05, 0.0], 4)
    with pytest.raises(EmaxNotIdentifiable) as raised:
        fit_emax(dose, response)
    message = raised.value.message
    assert "(far above the largest dose taken)" in message.text()
    # The side is a nested message, translated before it is put into the sentence.
    assert "([far above the largest] dose taken)" in message.render(lambda template: f"[{template}]")


@given(
    st.lists(st.sampled_from([0.0, 10.0, 30.0, 60.0, 120.0, 270.0]), min_size=5, max_size=60),
    st.integers(0, 2**32 - 1),
)
@settings(max_examples=60, deadline=None)
def test_the_grid_that_finds_the_ed50_basin_gives_each_point_the_least_squares_rss(
    doses: list[float], seed: int
) -> None:
    # The grid is evaluated in closed form, all at once; each of its points must be the RSS of the
    # least-squares fit at that ED50, or the grid could choose the wrong basin.
    dose = np.array(doses)
    response = np.random.default_rng(seed).normal(5.0, 2.0, dose.size)
    grid = np.linspace(np.log(0.1), np.log(27_000.0), GRID_POINTS)
    at_once = _rss_given_ed50_grid(dose, response, grid)
    one_by_one = [_linear_given_ed50(dose, response, float(np.exp(g)))[2] for g in grid]
    scale = float(((response - response.mean()) ** 2).sum())
    assert at_once == pytest.approx(one_by_one, rel=1e-9, abs=1e-12 * scale)
