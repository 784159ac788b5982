"""Validation against simulated truth: the summary arithmetic and the rendered section."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from baclotrack.analysis.validate import indifference_section, indifference_summary, render
from baclotrack.analysis.validate_trial import (
    DOSE_TREND,
    estimates_figure_png,
    performance,
    reading,
    run_study,
    summarise_truth,
    trial_section,
    truth_replicate,
)

D = dt.date(2026, 1, 1)


def test_summary_counts_detection_bias_delay_and_coverage_per_course() -> None:
    rows = pl.DataFrame(
        {
            "patient_id": ["a", "b", "c", "d"],
            "course": ["responder-low-dose", "responder-low-dose", "non-responder", "non-responder"],
            "settled_mg": [60.0, 40.0, 300.0, 300.0],
            "settled_from": [D, D, D, D],
            "true_ed50_mg": [10.0, 8.0, 30.0, 30.0],
            "detected": [True, False, True, False],
            "detected_mg": [70.0, None, 300.0, None],
            "detected_on": [D + dt.timedelta(days=20), None, D + dt.timedelta(days=14), None],
            "identifiable": [True, True, False, True],
            "ed50_covered": [True, False, None, True],
        }
    )
    summary = {row["course"]: row for row in indifference_summary(rows).iter_rows(named=True)}
    low = summary["responder-low-dose"]
    assert (low["clients"], low["detected_pct"], low["exact_dose_pct"]) == (2, 50.0, 0.0)
    assert (low["median_bias_mg"], low["median_delay_days"], low["ed50_coverage_pct"]) == (10.0, 20, 50.0)
    non = summary["non-responder"]
    assert (non["identifiable_pct"], non["ed50_coverage_pct"], non["exact_dose_pct"]) == (50.0, 100.0, 50.0)


def test_section_reports_detection_and_coverage_for_the_simulated_clinic() -> None:
    text = render([indifference_section(10, seed=3)])
    assert text.startswith("# Validation against simulated truth")
    assert "10 clients of the `clinic` design (seed 3)" in text
    assert "| course | clients | detected_pct |" in text
    assert "responder-low-dose" in text


def test_truth_replicate_gives_every_arm_difference_and_the_least_squares_dose_slope() -> None:
    truth = truth_replicate(seed=5, n=300)
    assert set(truth) == {
        "baclofen-30 vs placebo",
        "baclofen-60 vs placebo",
        "baclofen-60 vs baclofen-30",
        DOSE_TREND,
    }
    assert truth["baclofen-60 vs baclofen-30"] == pytest.approx(
        truth["baclofen-60 vs placebo"] - truth["baclofen-30 vs placebo"]
    )
    # Equally spaced doses 0, 30, 60: the least-squares slope is (high - low) / 60.
    assert truth[DOSE_TREND] == pytest.approx(truth["baclofen-60 vs placebo"] / 60)
    assert truth["baclofen-60 vs placebo"] < 0


def test_truth_is_the_mean_of_replicates_with_its_monte_carlo_error() -> None:
    truth = summarise_truth([{"a vs b": 1.0}, {"a vs b": 3.0}, {"a vs b": 2.0}, {"a vs b": 2.0}])
    assert truth.row(0) == ("a vs b", 2.0, pytest.approx(math.sqrt(2 / 3) / 2))


def test_performance_measures_bias_spread_and_coverage_against_the_truth() -> None:
    estimates = pl.DataFrame(
        {
            "seed": [1, 2, 3, 4],
            "contrast": ["a vs b"] * 4,
            "estimate": [-1.0, -2.0, -3.0, -2.0],
            "se": [0.5, 0.5, 0.5, 0.7],
            "low": [-2.0, -3.0, -3.5, -2.9],
            "high": [0.0, -1.0, -2.5, -1.1],
        }
    )
    truth = pl.DataFrame({"contrast": ["a vs b"], "truth": [-2.2], "mc_se": [0.01]})
    row = performance(estimates, truth).row(0, named=True)
    assert row["bias"] == pytest.approx(0.2)
    assert row["empirical_sd"] == pytest.approx(math.sqrt(2 / 3))
    assert row["bias_mc_se"] == pytest.approx(math.sqrt(2 / 3) / 2)
    assert row["mean_se"] == pytest.approx(0.55)
    assert row["coverage_pct"] == 50.0  # the first interval lies above the truth, the third below
    assert row["coverage_mc_se_pct"] == pytest.approx(25.0)


def test_small_study_reports_each_contrast_with_a_chart() -> None:
    estimates, truth = run_study(3, seed=7, workers=1, truth_replicates=2, truth_patients=150)
    assert estimates.height == 3 * 4 and estimates["seed"].unique().sort().to_list() == [7, 8, 9]
    assert (estimates["low"] < estimates["estimate"]).all() and (
        estimates["estimate"] < estimates["high"]
    ).all()
    assert truth.height == 4 and (truth["mc_se"] > 0).all()
    text = trial_section(estimates, truth, 3, 7, "img/x.png")
    assert "3 trials of the `addolorato-2011` design" in text
    assert "| baclofen-60 vs placebo | 3 |" in text
    assert "![Estimates of 3 simulated trials against the truth](img/x.png)" in text
    assert text.count("- baclofen-") == 3 and "- dose trend (per mg/day): bias" in text
    assert estimates_figure_png(estimates, truth).startswith(b"\x89PNG")


def test_reading_flags_undercoverage_and_bias_beyond_monte_carlo_error() -> None:
    row = {
        "contrast": "a vs b",
        "trials": 1000,
        "truth": -4.0,
        "bias": -0.2,
        "bias_mc_se": 0.02,
        "coverage_pct": 90.0,
        "coverage_mc_se_pct": 0.95,
        "mean_se": 0.6,
        "empirical_sd": 0.75,
    }
    text = reading(row)
    assert "bias -0.2 (beyond Monte-Carlo error; -5.0 % of the truth)" in text
    assert "coverage 90.0 %, below nominal" in text
    assert "model SE / empirical SD = 0.80" in text
    assert "within Monte-Carlo error of 0" in reading({**row, "bias": -0.03})
    assert "close to nominal" in reading({**row, "coverage_pct": 94.0})
