"""The trial analysis against R: lme4 1.1-31 for the mixed models, geepack 1.3.9 for the GEE models.

Reference values: tests/reference/trial/reference.json, written by reference.R from the CSVs that
make_data.py generates with a fixed seed. The tests read the JSON and never run R.

Tolerances. The contract is 1e-5 (relative) on estimates and 1e-4 on standard errors. Both
programs optimise the same profiled REML deviance; R's reference is fitted with tightened
optimiser tolerances (reference.R) so that it is the optimum rather than lme4's default stopping
point, which lies about 5e-6 (relative) away in the estimates (``primary_default_optimizer`` in
the JSON). baclotrack reaches the optimum to about 1e-7, so the contract's tolerances leave a
margin of 100 for differences in the optimisers' last steps. Variance components sit on a flat
ridge of the deviance near a boundary (the ``flatslope`` and ``unbalanced`` designs put the slope
variance, or the intercept-slope correlation, on the boundary), so they are compared at 1e-4
absolute plus relative. GEE estimating equations are solved exactly (no optimiser), so the
agreement with geepack is held to 1e-6.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from baclotrack.analysis.lmm import LinearMixedModel
from baclotrack.analysis.trial import TrialAnalysis
from baclotrack.exchange.csv_formats import TRIAL_PATIENTS_FORMAT
from baclotrack.exchange.diary_csv import read_diary_and_patients

pytestmark = pytest.mark.r_reference

HERE = Path(__file__).resolve().parents[1] / "reference" / "trial"
DESIGNS = ("addolorato", "unbalanced", "flatslope")
ESTIMATE_RTOL = 1e-5
SE_RTOL = 1e-4


@cache
def reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((HERE / "reference.json").read_text())
    return data


@cache
def fitted(design: str) -> TrialAnalysis:
    diary, patients = read_diary_and_patients(
        HERE / f"{design}_diary.csv", HERE / f"{design}_patients.csv", TRIAL_PATIENTS_FORMAT
    )
    return TrialAnalysis().fit(diary, patients)


@pytest.mark.parametrize("design", DESIGNS)
def test_fixed_effects_match_lme4(design: str) -> None:
    ref = reference()[design]["primary"]
    model = fitted(design).primary_
    assert list(model.fixed_names) == ref["terms"]
    np.testing.assert_allclose(model.fe_params_, ref["estimate"], rtol=ESTIMATE_RTOL)
    np.testing.assert_allclose(model.bse_, ref["se"], rtol=SE_RTOL)


@pytest.mark.parametrize("design", DESIGNS)
def test_fixed_effect_covariance_is_lme4_vcov(design: str) -> None:
    ref = np.array(reference()[design]["primary"]["vcov"])
    scale = np.sqrt(np.outer(np.diag(ref), np.diag(ref)))
    np.testing.assert_allclose(fitted(design).primary_.cov_fe_ / scale, ref / scale, atol=2 * SE_RTOL)


@pytest.mark.parametrize("design", DESIGNS)
def test_reml_criterion_and_variance_components_match_lme4(design: str) -> None:
    ref = reference()[design]["primary"]
    model = fitted(design).to_dict()["model"]
    assert model["reml_criterion"] == pytest.approx(ref["reml_criterion"], rel=1e-9)
    assert model["n_obs"] == ref["n_obs"]
    assert model["n_patients"] == ref["n_patients"]
    assert model["residual_sd"] == pytest.approx(ref["sigma"], rel=ESTIMATE_RTOL)
    effects = model["random_effects"]
    assert effects["sd_intercept"] == pytest.approx(ref["sd_intercept"], rel=1e-4, abs=1e-4)
    assert effects["sd_week"] == pytest.approx(ref["sd_week"], rel=1e-4, abs=1e-4)
    assert effects["corr_intercept_week"] == pytest.approx(ref["corr"], rel=1e-4, abs=1e-4)
    assert model["converged"] is True


def test_boundary_designs_reach_lme4_boundary_optimum() -> None:
    # In both designs lme4 puts the third theta (slope SD given the intercept) exactly on 0.
    for design in ("unbalanced", "flatslope"):
        assert reference()[design]["primary"]["theta"][2] == 0.0
        assert fitted(design).primary_.theta_[2] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("design", DESIGNS)
def test_dose_trend_matches_lme4(design: str) -> None:
    ref = reference()[design]["dose_trend"]
    analysis = fitted(design)
    assert ref["terms"][1] == "dose_mg"
    assert analysis.dose_trend_.estimate == pytest.approx(ref["estimate"][1], rel=ESTIMATE_RTOL)
    assert analysis.dose_trend_.se == pytest.approx(ref["se"][1], rel=SE_RTOL)
    np.testing.assert_allclose(analysis.dose_model_.fe_params_, ref["estimate"], rtol=ESTIMATE_RTOL)


@pytest.mark.parametrize("design", DESIGNS)
def test_adjacent_dose_contrast_uses_lme4_covariance(design: str) -> None:
    ref = reference()[design]["primary"]
    vcov = np.array(ref["vcov"])
    estimate = ref["estimate"][2] - ref["estimate"][1]
    se = math.sqrt(vcov[2, 2] + vcov[1, 1] - 2 * vcov[1, 2])
    adjacent = fitted(design).contrasts_[-1]
    assert (adjacent.arm, adjacent.reference) == ("20mg_tid", "10mg_tid")
    assert adjacent.estimate == pytest.approx(estimate, rel=ESTIMATE_RTOL)
    assert adjacent.se == pytest.approx(se, rel=SE_RTOL)


@pytest.mark.parametrize("design", DESIGNS)
def test_arm_means_match_r_aggregates(design: str) -> None:
    arms = fitted(design).arms_
    for arm, ref in zip(arms, reference()[design]["arms"], strict=True):
        assert arm.arm == ref["arm"]
        assert arm.n == ref["n"]
        assert arm.baseline_drinks_per_day == pytest.approx(ref["baseline"], rel=1e-12)
        assert arm.treatment_drinks_per_day == pytest.approx(ref["treatment"], rel=1e-12)


@pytest.mark.parametrize("design", DESIGNS)
@pytest.mark.parametrize(
    ("model", "key"),
    [
        ("drinks_per_day", "gee_rate"),
        ("any_drinking", "gee_any_drinking"),
        ("drinks_per_drinking_day", "gee_drinks_per_drinking_day"),
    ],
)
def test_secondary_gee_matches_geepack(design: str, model: str, key: str) -> None:
    ref = reference()[design][key]
    secondary = fitted(design).secondary_
    assert secondary is not None
    fit = getattr(secondary, model)
    assert list(fit.terms) == ref["terms"]
    np.testing.assert_allclose(fit.estimates, ref["estimate"], rtol=1e-6)
    np.testing.assert_allclose(fit.se, ref["se"], rtol=1e-6)
    assert fit.working_correlation == pytest.approx(ref["alpha"], rel=1e-6)
    assert fit.contrasts[0].ratio == pytest.approx(math.exp(ref["estimate"][1]), rel=1e-6)


def fit_weekly(frame: pl.DataFrame) -> LinearMixedModel:
    arm = frame.get_column("arm").to_numpy()
    week = frame.get_column("week").to_numpy().astype(float)
    ones = np.ones(frame.height)
    X = np.column_stack(
        [ones, arm == "10mg_tid", arm == "20mg_tid", week, frame.get_column("baseline").to_numpy()]
    ).astype(float)
    return LinearMixedModel().fit(
        frame.get_column("y").to_numpy(),
        X,
        np.column_stack([ones, week]),
        frame.get_column("patient_id").to_numpy(),
        fixed_names=["(Intercept)", "arm10mg_tid", "arm20mg_tid", "week", "baseline"],
        random_names=["(Intercept)", "week"],
    )


def test_thirty_deviance_shapes_match_lme4_at_its_best_optimum() -> None:
    """Thirty weekly datasets from zero to large random-effect variances (make_data.py).

    The reference is lme4's lowest REML criterion over four starting points (reference.R). From
    its default start alone lme4 stops early in datasets 10 and 23, with the intercept's theta at 0
    and a criterion higher by 1.28 and 0.17 (docs/decisions/0061-lmm-optimiser.md); baclotrack must
    reach the lower optimum and agree there within the contract's tolerances.
    """
    weekly = pl.read_csv(HERE / "stress_weekly.csv")
    stopped_early = []
    for ref in reference()["stress"]:
        model = fit_weekly(weekly.filter(pl.col("dataset") == ref["dataset"]))
        assert model.criterion_ == pytest.approx(ref["reml_criterion"], rel=1e-9), ref["dataset"]
        np.testing.assert_allclose(model.fe_params_, ref["estimate"], rtol=ESTIMATE_RTOL)
        np.testing.assert_allclose(model.bse_, ref["se"], rtol=SE_RTOL)
        if ref["reml_criterion_default_start"] > ref["reml_criterion"] + 1e-6:
            stopped_early.append(ref["dataset"])
    assert stopped_early == [10, 23]
