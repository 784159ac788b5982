"""Validation against simulated truth: the summary arithmetic and the rendered section."""

from __future__ import annotations

import datetime as dt

import polars as pl

from baclotrack.analysis.validate import indifference_section, indifference_summary, render

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
