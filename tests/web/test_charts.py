"""The timeline chart: one SVG for screen and print, deterministic, honest about missing columns."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from baclotrack.reports.charts import ChartInputError, timeline_svg

DAY = dt.date(2026, 3, 1)


def frame(days: int = 5) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "date": [DAY + dt.timedelta(days=i) for i in range(days)],
            "drinks": [6.0, None, 2.0, 0.0, 8.0][:days],
            "heavy": [True, None, False, False, True][:days],
            "dose_mg": [15.0, 15.0, 30.0, None, 30.0][:days],
            "planned_mg": [15.0, 15.0, 30.0, 30.0, 30.0][:days],
            "craving": [7.0, None, 5.0, 4.0, 6.0][:days],
            "anxiety": [5.0, None, 4.0, 4.0, 3.0][:days],
            "side_effect_max": [0, None, 2, 0, 3][:days],
        }
    )


def test_timeline_is_an_svg_with_the_given_title_and_labels() -> None:
    svg = timeline_svg(frame(), title="A-001", labels={"craving": "envie de boire"})
    assert svg.startswith("<?xml") and "<svg" in svg
    assert "A-001" in svg
    assert "envie de boire" in svg


def test_timeline_is_the_same_for_the_same_data() -> None:
    assert timeline_svg(frame(), title="X") == timeline_svg(frame(), title="X")


def test_a_dollar_in_a_client_code_is_drawn_as_text() -> None:
    assert "A$1$" in timeline_svg(frame(), title="A$1$")


def test_an_empty_timeline_says_so() -> None:
    assert "No diary or plan yet" in timeline_svg(frame().clear())


def test_a_missing_column_is_named() -> None:
    with pytest.raises(ChartInputError, match=r"missing column.*planned_mg"):
        timeline_svg(frame().drop("planned_mg"))
