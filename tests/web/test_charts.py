"""The timeline chart: one SVG for screen and print, deterministic, honest about missing columns."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from baclotrack.reports.charts import ChartInputError, timeline_figure, timeline_svg

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


@pytest.mark.parametrize("width_in", [7.0, 10.0, 11.0])
def test_every_text_and_legend_fits_inside_the_fixed_layout(width_in: float) -> None:
    # The layout is fixed (no "tight" bounding box): labels, titles, legends and date labels
    # must still be inside the canvas, at the dashboard's and the report's widths, in French too.
    labels = {"dose": "Baclofène, mg/jour", "side_effects": "effet indésirable (taille = sévérité)"}
    fig = timeline_figure(frame(), title="CLIENT-0001", labels=labels, width_in=width_in)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    drawn = fig.get_tightbbox(canvas.get_renderer())  # what is drawn, in inches
    page = fig.bbox_inches
    assert drawn is not None and drawn.width > 0.5 * page.width
    slack = 0.01
    assert drawn.x0 >= page.x0 - slack and drawn.x1 <= page.x1 + slack, (drawn, page)
    assert drawn.y0 >= page.y0 - slack and drawn.y1 <= page.y1 + slack, (drawn, page)
    assert fig.axes[0].get_legend() is not None  # the dose legend (above the panel) is counted


def test_side_effect_marks_are_one_per_day_with_a_size_for_each_severity() -> None:
    fig = timeline_figure(frame())
    scales = fig.axes[2]
    marks = {
        round(line.get_markersize() ** 2 / 12): len(line.get_xdata())
        for line in scales.lines
        if line.get_marker() == "D"
    }
    assert marks == {2: 1, 3: 1}  # days 3 (severity 2) and 5 (severity 3); severity 0 is no mark
