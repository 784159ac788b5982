"""The lme4-style linear mixed model (analysis/lmm.py) on cases with closed-form answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from baclotrack.analysis.lmm import ConvergenceError, LinearMixedModel


def one_way(group_effect_sd: float, seed: int) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Balanced one-way layout: 8 groups of 5, outcome = group effect + noise."""
    rng = np.random.default_rng(seed)
    groups, per_group = 8, 5
    labels = np.repeat(np.arange(groups), per_group)
    y = 3.0 + rng.normal(0.0, group_effect_sd, groups)[labels] + rng.normal(0.0, 1.0, groups * per_group)
    return y, labels, groups, per_group


def anova_mean_squares(y: np.ndarray, labels: np.ndarray, groups: int, per_group: int) -> tuple[float, float]:
    means = np.array([y[labels == g].mean() for g in range(groups)])
    msb = per_group * float(np.sum((means - y.mean()) ** 2)) / (groups - 1)
    msw = float(np.sum((y - means[labels]) ** 2)) / (groups * (per_group - 1))
    return msb, msw


def fit_intercepts(y: np.ndarray, labels: np.ndarray, *, reml: bool = True) -> LinearMixedModel:
    ones = np.ones((len(y), 1))
    return LinearMixedModel(reml=reml).fit(
        y, ones, ones, labels, fixed_names=["(Intercept)"], random_names=["(Intercept)"]
    )


@pytest.mark.parametrize(
    ("group_effect_sd", "seed"),
    [
        (2.0, 1),
        # A small positive variance: a gradient optimiser started at lme4's theta = 1 jumps to
        # theta = 0, where the deviance's slope is exactly zero, and must restart from inside.
        (0.0, 7),
    ],
)
def test_balanced_random_intercept_reml_equals_anova_estimates(group_effect_sd: float, seed: int) -> None:
    # REML in a balanced one-way layout is the ANOVA estimator when it is positive
    # (Searle, Casella and McCulloch 1992, Variance Components, section 4.7).
    y, labels, groups, per_group = one_way(group_effect_sd, seed)
    msb, msw = anova_mean_squares(y, labels, groups, per_group)
    assert msb > msw
    model = fit_intercepts(y, labels)
    assert model.sigma_**2 == pytest.approx(msw, rel=1e-6)
    assert model.random_cov_[0, 0] == pytest.approx((msb - msw) / per_group, rel=1e-5)
    assert model.fe_params_[0] == pytest.approx(y.mean(), rel=1e-12)
    # lme4's SE of the mean given the variance components: sqrt(MSB / N).
    assert model.bse_[0] == pytest.approx(math.sqrt(msb / len(y)), rel=1e-5)
    assert model.converged_


def test_group_variance_below_noise_lands_on_the_zero_boundary() -> None:
    y, labels, groups, per_group = one_way(group_effect_sd=0.0, seed=2)
    msb, msw = anova_mean_squares(y, labels, groups, per_group)
    assert msb < msw
    model = fit_intercepts(y, labels)
    assert model.theta_[0] == pytest.approx(0.0, abs=1e-7)
    # With no group variance the model is ordinary least squares on the pooled data.
    assert model.sigma_ == pytest.approx(float(np.std(y, ddof=1)), rel=1e-6)
    assert model.bse_[0] == pytest.approx(float(np.std(y, ddof=1)) / math.sqrt(len(y)), rel=1e-6)
    assert model.converged_


def test_maximum_likelihood_divides_by_n_where_reml_divides_by_n_minus_p() -> None:
    y, labels, _, _ = one_way(group_effect_sd=0.0, seed=2)
    ml = fit_intercepts(y, labels, reml=False)
    assert ml.sigma_**2 == pytest.approx(float(np.var(y)), rel=1e-6)
    assert ml.criterion_ == pytest.approx(len(y) * (1 + math.log(2 * math.pi * float(np.var(y)))), rel=1e-9)


def test_rank_deficient_design_raises_convergence_error_naming_the_fix() -> None:
    y, labels, _, _ = one_way(group_effect_sd=1.0, seed=3)
    X = np.column_stack([np.ones(len(y)), np.ones(len(y))])
    with pytest.raises(ConvergenceError, match="rank deficient"):
        LinearMixedModel().fit(
            y, X, X[:, :1], labels, fixed_names=["(Intercept)", "copy"], random_names=["(Intercept)"]
        )


def test_names_must_cover_every_column() -> None:
    y, labels, _, _ = one_way(group_effect_sd=1.0, seed=3)
    ones = np.ones((len(y), 1))
    with pytest.raises(ValueError, match="fixed_names"):
        LinearMixedModel().fit(y, ones, ones, labels, fixed_names=[], random_names=["(Intercept)"])


def test_contrast_and_export_use_the_fitted_covariance() -> None:
    rng = np.random.default_rng(11)
    labels = np.repeat(np.arange(20), 6)
    x = rng.normal(size=labels.size)
    y = 1.0 + 0.5 * x + rng.normal(0, 0.7, 20)[labels] + rng.normal(0, 1, labels.size)
    X = np.column_stack([np.ones(labels.size), x])
    model = LinearMixedModel().fit(
        y, X, X, labels, fixed_names=["(Intercept)", "x"], random_names=["(Intercept)", "x"]
    )
    estimate, se = model.contrast([1.0, -1.0])
    assert estimate == pytest.approx(model.fe_params_[0] - model.fe_params_[1])
    cov = model.cov_fe_
    assert se == pytest.approx(math.sqrt(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]))
    exported = model.to_dict()
    assert [row["term"] for row in exported["fixed_effects"]] == ["(Intercept)", "x"]
    assert set(exported["random_sd"]) == {"(Intercept)", "x"}
    assert exported["random_corr"][0]["terms"] == ["x", "(Intercept)"]
    assert "REML criterion" in model.summary()


def test_constant_outcome_raises_convergence_error() -> None:
    labels = np.repeat(np.arange(6), 4)
    X = np.column_stack([np.ones(24), np.tile(np.arange(4.0), 6)])
    with pytest.raises(ConvergenceError, match="not finite"):
        LinearMixedModel().fit(
            np.full(24, 2.0),
            X,
            X,
            labels,
            fixed_names=["(Intercept)", "week"],
            random_names=["(Intercept)", "week"],
        )
