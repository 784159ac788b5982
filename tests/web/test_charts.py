"""The timeline chart: one SVG for screen and print, deterministic, honest about missing columns."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg

from baclotrack.reports import charts
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


def _fresh_svg(timeline: pl.DataFrame, title: str, width_in: float) -> str:
    """What a new figure writes (timeline_figure always builds one)."""
    with charts._style():
        return charts._svg(timeline_figure(timeline, title=title, width_in=width_in))


@st.composite
def timelines(draw: st.DrawFn) -> pl.DataFrame:
    days = draw(st.integers(1, 60))
    start = draw(st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)))
    drinks = st.none() | st.floats(0, 30, allow_nan=False)
    scale = st.none() | st.floats(0, 10, allow_nan=False)
    dose = st.none() | st.sampled_from([0.0, 15.0, 30.0, 90.0, 270.0])
    rows = draw(
        st.lists(
            st.tuples(drinks, dose, dose, scale, scale, st.none() | st.integers(0, 3)),
            min_size=days,
            max_size=days,
        )
    )
    return pl.DataFrame(
        {
            "date": [start + dt.timedelta(days=i) for i in range(days)],
            "drinks": [r[0] for r in rows],
            "heavy": [None if r[0] is None else r[0] >= 5 for r in rows],
            "dose_mg": [r[1] for r in rows],
            "planned_mg": [r[2] for r in rows],
            "craving": [r[3] for r in rows],
            "anxiety": [r[4] for r in rows],
            "side_effect_max": [r[5] for r in rows],
        },
        schema_overrides={
            "drinks": pl.Float64,
            "dose_mg": pl.Float64,
            "planned_mg": pl.Float64,
            "craving": pl.Float64,
            "anxiety": pl.Float64,
            "side_effect_max": pl.Int64,
        },
    )


@given(
    st.lists(
        st.tuples(timelines(), st.sampled_from(["", "A-1", "B-2"]), st.sampled_from([7.0, 10.0])),
        min_size=2,
        max_size=4,
    )
)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_reused_figure_writes_the_same_svg_as_a_new_one(
    charts_in_turn: list[tuple[pl.DataFrame, str, float]],
) -> None:
    # timeline_svg draws on a figure kept from the previous chart of the thread, wiped: nothing of
    # one client's chart (limits, legend, title, lines) may show in the next one's.
    for timeline, title, width_in in charts_in_turn:
        assert timeline_svg(timeline, title=title, width_in=width_in) == _fresh_svg(timeline, title, width_in)


def test_a_kept_figure_holds_no_data_between_charts() -> None:
    timeline_svg(frame(), title="B-002")
    kept = charts._BLANK_FIGURES._local.shelf[10.0][0]
    timeline_svg(frame(), title="A-001")
    assert charts._BLANK_FIGURES._local.shelf[10.0][0] is kept  # drawn on the kept figure
    for fig, panels, _blank in charts._BLANK_FIGURES._local.shelf.values():
        for ax in panels:
            assert not ax.lines and not ax.patches and ax.get_legend() is None
            assert ax.get_title(loc="left") == ""
        assert "A-001" not in charts._svg(fig)


def test_a_figure_whose_drawing_failed_is_not_used_again(monkeypatch: pytest.MonkeyPatch) -> None:
    first = timeline_svg(frame(), title="A-001")

    def fails_half_way(panels: charts.Panels, timeline: pl.DataFrame, **kwargs: object) -> None:
        panels[0].plot([1.0, 2.0], [400.0, 500.0])  # drawn, then the drawing fails
        raise RuntimeError("matplotlib failed")

    with monkeypatch.context() as patch:
        patch.setattr(charts, "_draw", fails_half_way)
        with pytest.raises(RuntimeError):
            timeline_svg(frame(), title="B-002")
    assert timeline_svg(frame(), title="A-001") == first
