"""Estimator classes, sensitivity analyses and plots: behaviour beyond the numbers pinned to R."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from matplotlib.figure import Figure

from baclotrack.analysis.meta import (
    ConvergenceError,
    EffectSizes,
    Measure,
    MetaAnalysis,
    MetaInputError,
    MetaRegression,
    StatisticalWarning,
    effect_sizes_from_frame,
    forest_plot,
    funnel_plot,
    leave_one_out,
    subgroup_analysis,
    tau2_reml,
)

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference" / "meta"


@pytest.fixture(scope="module")
def bcg() -> EffectSizes:
    return effect_sizes_from_frame(pl.read_csv(REFERENCE_DIR / "bcg.csv"), "RR")


@pytest.fixture(scope="module")
def normand_md() -> EffectSizes:
    return effect_sizes_from_frame(pl.read_csv(REFERENCE_DIR / "normand1999.csv"), "MD")


def test_fit_returns_the_estimator_with_results(bcg: EffectSizes) -> None:
    model = MetaAnalysis("DL")
    assert model.fit(bcg) is model
    assert model.k_ == 13
    assert model.ci_low_ < model.estimate_ < model.ci_high_
    assert model.pi_low_ is not None and model.pi_low_ < model.ci_low_


def test_results_before_fit_raise_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="call fit"):
        MetaAnalysis("REML").to_dict()


def test_common_effect_model_has_no_prediction_interval(bcg: EffectSizes) -> None:
    result = MetaAnalysis("FE").fit(bcg).to_dict()
    assert (result["pi_low"], result["pi_high"], result["tau2"]) == (None, None, 0.0)


def test_ratio_measures_report_log_scale_with_back_transformed_copy(bcg: EffectSizes) -> None:
    result = MetaAnalysis("REML").fit(bcg).to_dict()
    assert result["exp"]["estimate"] == pytest.approx(np.exp(result["estimate"]))
    assert result["exp"]["pi_high"] == pytest.approx(np.exp(result["pi_high"]))
    json.dumps(result)  # plain numbers only


def test_mean_difference_has_no_back_transformed_copy(normand_md: EffectSizes) -> None:
    assert "exp" not in MetaAnalysis("REML").fit(normand_md).to_dict()


def test_knapp_hartung_widens_the_interval_with_t_quantiles(bcg: EffectSizes) -> None:
    plain = MetaAnalysis("REML").fit(bcg)
    knha = MetaAnalysis("REML", knha=True).fit(bcg)
    assert knha.df_ == 12 and plain.df_ is None
    assert knha.ci_high_ - knha.ci_low_ > plain.ci_high_ - plain.ci_low_
    assert knha.estimate_ == pytest.approx(plain.estimate_)


def test_knapp_hartung_with_a_common_effect_model_warns(bcg: EffectSizes) -> None:
    with pytest.warns(StatisticalWarning, match="random-effects"):
        MetaAnalysis("FE", knha=True).fit(bcg)


def test_mantel_haenszel_refuses_continuous_outcomes(normand_md: EffectSizes) -> None:
    with pytest.raises(MetaInputError, match="Mantel-Haenszel needs 2x2 counts"):
        MetaAnalysis("MH").fit(normand_md)


def test_mantel_haenszel_refuses_knapp_hartung(bcg: EffectSizes) -> None:
    with pytest.raises(MetaInputError, match="knha"):
        MetaAnalysis("MH", knha=True).fit(bcg)


def test_mantel_haenszel_weights_sum_to_one_hundred(bcg: EffectSizes) -> None:
    assert MetaAnalysis("MH").fit(bcg).weights_.sum() == pytest.approx(100)


def test_knapp_hartung_needs_more_than_one_study() -> None:
    one = EffectSizes(("A",), np.array([0.2]), np.array([0.04]), Measure.GEN)
    with pytest.raises(MetaInputError, match="Knapp-Hartung needs more than 1"):
        MetaAnalysis("DL", knha=True).fit(one)


def test_single_study_pools_to_itself_with_tau2_zero() -> None:
    one = EffectSizes(("A",), np.array([0.2]), np.array([0.04]), Measure.GEN)
    fit = MetaAnalysis("REML").fit(one)
    assert (fit.estimate_, fit.se_, fit.tau2_, fit.q_) == pytest.approx((0.2, 0.2, 0.0, 0.0))


def test_reml_that_cannot_converge_says_what_to_do(bcg: EffectSizes) -> None:
    with pytest.raises(ConvergenceError, match="use method DL or PM, or raise max_iter"):
        MetaAnalysis("REML", max_iter=1).fit(bcg)


def test_reml_reports_its_iterations(bcg: EffectSizes) -> None:
    tau2, iterations = tau2_reml(bcg.yi, bcg.vi, np.ones((bcg.k, 1)))
    assert 1 < iterations <= 100
    assert tau2 == pytest.approx(0.3132, abs=1e-4)


def test_level_outside_zero_to_hundred_is_refused() -> None:
    with pytest.raises(MetaInputError, match="level"):
        MetaAnalysis("DL", level=0.95 * 200)


def test_ninety_percent_interval_is_narrower_than_ninety_five(bcg: EffectSizes) -> None:
    wide = MetaAnalysis("DL").fit(bcg)
    narrow = MetaAnalysis("DL", level=90).fit(bcg)
    assert narrow.ci_high_ - narrow.ci_low_ < wide.ci_high_ - wide.ci_low_


def test_summary_names_model_and_heterogeneity(bcg: EffectSizes) -> None:
    text = MetaAnalysis("REML", knha=True).fit(bcg).summary()
    assert "Random-effects (REML), measure RR (log scale), k = 13, test Knapp-Hartung t" in text
    assert "I^2 = 92.22 %" in text
    assert "exp" in text


def test_study_frame_has_one_row_per_study_with_weights(bcg: EffectSizes) -> None:
    frame = MetaAnalysis("REML").fit(bcg).to_frame()
    assert frame.height == 13
    assert frame["weight_percent"].sum() == pytest.approx(100)


def test_leave_one_out_rows_equal_refits_without_each_study(bcg: EffectSizes) -> None:
    frame = leave_one_out(bcg, "DL")
    assert frame["omitted"].to_list() == list(bcg.study)
    refit = MetaAnalysis("DL").fit(bcg.without(4))
    assert frame["estimate"][4] == pytest.approx(refit.estimate_)


def test_subgroup_analysis_needs_two_subgroups(bcg: EffectSizes) -> None:
    with pytest.raises(MetaInputError, match="at least 2 subgroups"):
        subgroup_analysis(bcg, ["all"] * bcg.k)


def test_subgroup_frame_has_one_row_per_subgroup(bcg: EffectSizes) -> None:
    alloc = pl.read_csv(REFERENCE_DIR / "bcg.csv")["alloc"].to_numpy()
    result = subgroup_analysis(bcg, alloc, "REML")
    assert result.to_frame()["subgroup"].to_list() == ["random", "alternate", "systematic"]
    assert result.to_dict()["df"] == 2


def test_meta_regression_refuses_a_constant_moderator(bcg: EffectSizes) -> None:
    with pytest.raises(MetaInputError, match="moderator that varies"):
        MetaRegression("REML").fit(bcg, np.full(bcg.k, 40.0), name="ablat")


def test_meta_regression_refuses_mantel_haenszel() -> None:
    with pytest.raises(MetaInputError, match="not MH"):
        MetaRegression("MH")


def test_meta_regression_summary_and_table(bcg: EffectSizes) -> None:
    ablat = pl.read_csv(REFERENCE_DIR / "bcg.csv")["ablat"]
    fit = MetaRegression("REML").fit(bcg, ablat, name="ablat")
    assert fit.to_frame()["term"].to_list() == ["intercept", "ablat"]
    assert "Meta-regression on ablat" in fit.summary()
    assert json.loads(json.dumps(fit.to_dict()))["moderator"] == "ablat"


def test_forest_plot_draws_ratios_on_a_log_axis(bcg: EffectSizes) -> None:
    figure = forest_plot(MetaAnalysis("REML").fit(bcg))
    assert isinstance(figure, Figure)
    ax = figure.axes[0]
    assert ax.get_xscale() == "log"
    assert ax.get_yticklabels()[-1].get_text() == "Pooled (REML)"


def test_forest_plot_of_mean_differences_is_linear(normand_md: EffectSizes) -> None:
    assert forest_plot(MetaAnalysis("DL").fit(normand_md)).axes[0].get_xscale() == "linear"


def test_funnel_plot_puts_precise_studies_at_the_top(bcg: EffectSizes) -> None:
    ax = funnel_plot(MetaAnalysis("FE").fit(bcg)).axes[0]
    bottom, top = ax.get_ylim()
    assert top == 0.0 and bottom > float(bcg.sei.max())
