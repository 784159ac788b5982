"""The client timeline chart: one code path for the screen and for print (matplotlib -> SVG).

Three panels share the date axis: the baclofen dose as a step line (taken, and planned when a
plan exists), standard drinks per day as bars with heavy days marked, and craving and anxiety
(0-10) as lines with side-effect marks. The input is a polars frame the caller builds from its
own records (the clinic's adapters, or a report); this module decides nothing clinical:
which days are heavy arrives in the ``heavy`` column.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Final

import matplotlib

matplotlib.use("Agg")  # no display: the chart is rendered to a string, never shown

import matplotlib.dates as mdates
import numpy as np
import polars as pl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path
from matplotlib.transforms import Bbox, blended_transform_factory

from baclotrack.core.errors import InputError


class ChartInputError(InputError):
    """A timeline frame without the columns the chart needs."""


TIMELINE_COLUMNS: Final = (
    "date",
    "drinks",
    "heavy",
    "dose_mg",
    "planned_mg",
    "craving",
    "anxiety",
    "side_effect_max",
)

#: Texts on the chart; callers pass translations.
DEFAULT_LABELS: Final[Mapping[str, str]] = {
    "dose": "Baclofen, mg/day",
    "taken": "taken",
    "planned": "planned",
    "drinks": "Standard drinks",
    "heavy": "heavy day",
    "scales": "0-10",
    "craving": "craving",
    "anxiety": "anxiety",
    "side_effects": "side effect (size = severity)",
    "empty": "No diary or plan yet",
}

# Colour-blind-safe palette (Okabe and Ito 2008).
_BLUE, _ORANGE, _GREEN, _VERMILION, _GREY, _PURPLE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#999999",
    "#CC79A7",
)


#: Width of a day's drinks bar, in days (a small gap between neighbouring days).
BAR_WIDTH_DAYS: Final = 0.85
#: Above this many rated days the craving and anxiety lines have no dot per day: on a long diary
#: the dots merge into a thick line anyway, and each one is an element of the SVG.
MARKERS_UP_TO_DAYS: Final = 120


def _check(frame: pl.DataFrame) -> None:
    missing = [c for c in TIMELINE_COLUMNS if c not in frame.columns]
    if missing:
        raise ChartInputError(f"timeline: missing column(s) {', '.join(missing)}")


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    # No date in the metadata and a fixed hash salt: the same data gives the same SVG. The layout
    # is fixed (margins in inches, :func:`_layout`), not ``bbox_inches="tight"``: measuring the
    # tight box draws the whole figure a second time, which was 40 % of the chart's cost.
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


#: Fixed margins around the three panels, in inches: the rotated y labels on the left, the
#: title on top, the date labels and the legend under the bottom panel.
MARGINS_IN: Final[Mapping[str, float]] = {"left": 0.75, "right": 0.15, "top": 0.32, "bottom": 0.62}
#: Height of the figure, in inches.
HEIGHT_IN: Final = 6.0


def _layout(fig: Figure, width_in: float) -> None:
    fig.subplots_adjust(
        left=MARGINS_IN["left"] / width_in,
        right=1 - MARGINS_IN["right"] / width_in,
        top=1 - MARGINS_IN["top"] / HEIGHT_IN,
        bottom=MARGINS_IN["bottom"] / HEIGHT_IN,
        hspace=0.18,
    )


def _style() -> AbstractContextManager[None]:
    """matplotlib settings of the chart. A fixed title position (axes.titley) spares matplotlib
    measuring every panel's tick labels to move titles clear of them; the only title sits above
    the top panel, which has no tick labels there."""
    return matplotlib.rc_context(
        {"svg.hashsalt": "baclotrack", "font.size": 9, "svg.fonttype": "none", "axes.titley": 1.02}
    )


def timeline_svg(
    frame: pl.DataFrame, *, title: str = "", labels: Mapping[str, str] | None = None, width_in: float = 10.0
) -> str:
    """The timeline of ``frame`` (columns :data:`TIMELINE_COLUMNS`, one row per date) as an SVG string."""
    if frame.height == 0:  # the empty chart changes the panels' ticks: a new figure (it checks the frame)
        with _style():
            return _svg(timeline_figure(frame, title=title, labels=labels, width_in=width_in))
    _check(frame)
    with _style(), _BLANK_FIGURES.borrow(width_in) as (fig, panels):
        _draw(panels, frame, title=title, labels=labels, width_in=width_in)
        return _svg(fig)


def timeline_figure(
    frame: pl.DataFrame, *, title: str = "", labels: Mapping[str, str] | None = None, width_in: float = 10.0
) -> Figure:
    """The timeline as a new matplotlib figure (what :func:`timeline_svg` writes)."""
    _check(frame)
    with _style():
        fig, panels = _blank_figure(width_in)
        if frame.height == 0:
            empty = {**DEFAULT_LABELS, **(labels or {})}["empty"]
            ax_drinks = panels[1]
            ax_drinks.text(0.5, 0.5, empty, ha="center", va="center", transform=ax_drinks.transAxes)
            for ax in panels:
                ax.set_yticks([])
            return fig
        _draw(panels, frame, title=title, labels=labels, width_in=width_in)
        return fig


Panels = tuple[Axes, Axes, Axes]


def _blank_figure(width_in: float) -> tuple[Figure, Panels]:
    """A figure with the three empty panels laid out (to be called inside :func:`_style`)."""
    # A bare Figure, not pyplot: nothing to register with, or to close in, a figure manager.
    fig = Figure(figsize=(width_in, HEIGHT_IN))
    ax_dose, ax_drinks, ax_scales = fig.subplots(3, 1, sharex=True, height_ratios=(1.0, 1.2, 1.0))
    _layout(fig, width_in)
    return fig, (ax_dose, ax_drinks, ax_scales)


class _BlankFigures:
    """One blank figure per thread and width, lent to :func:`timeline_svg` and wiped after use.

    Building a figure and its three panels' axes, and the axes' tick objects on the first
    drawing, is about a third of a two-year chart's cost; the data drawn on them is a small part
    (docs/decisions/0181-reused-chart-figure.md). A borrowed figure is emptied of everything
    :func:`_draw` adds as soon as its SVG is written, so no client's data stays in it between
    charts; one that cannot be restored to its blank state (a drawing that failed half-way, or
    matplotlib keeping something the wipe does not know) is dropped and a new one built. A test
    checks that a reused figure writes the very bytes a new one writes.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def borrow(self, width_in: float) -> Iterator[tuple[Figure, Panels]]:
        shelf: dict[float, tuple[Figure, Panels, int]] = self._local.__dict__.setdefault("shelf", {})
        found = shelf.pop(width_in, None)
        if found is None:
            fig, panels = _blank_figure(width_in)
            found = (fig, panels, _children(panels))
        fig, panels, blank = found
        yield fig, panels  # an exception here leaves the figure off the shelf
        _wipe(panels)
        if _children(panels) == blank:
            shelf[width_in] = found


_BLANK_FIGURES: Final = _BlankFigures()


def _children(panels: Panels) -> int:
    return sum(len(ax.get_children()) for ax in panels)


def _wipe(panels: Panels) -> None:
    """Take off what :func:`_draw` put on the panels and give their limits back to autoscaling."""
    for ax in panels:
        for artist in (*ax.lines, *ax.patches, *ax.collections, *ax.texts, *ax.artists, *ax.images):
            artist.remove()
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
        ax.set_title("", loc="left")
        ax.dataLim.set_points(Bbox.null().get_points())
        ax.ignore_existing_data_limits = True
        # A new axes' limits: a chart with nothing to scale to (no value in a panel) keeps them.
        ax.viewLim.set_points(Bbox.unit().get_points())
        ax.set_autoscale_on(True)


def _draw(
    panels: Panels, frame: pl.DataFrame, *, title: str, labels: Mapping[str, str] | None, width_in: float
) -> None:
    """Draw a non-empty ``frame`` on blank panels."""
    text = {**DEFAULT_LABELS, **(labels or {})}
    ax_dose, ax_drinks, ax_scales = panels
    axes_width_in = width_in - MARGINS_IN["left"] - MARGINS_IN["right"]
    frame = frame.sort("date")
    # Dates as matplotlib's day numbers, converted once for the whole frame: every plot call given
    # Python dates converts them again, one object at a time.
    frame = frame.with_columns(pl.Series(_X, mdates.date2num(frame["date"].to_numpy()), dtype=pl.Float64))  # type: ignore[no-untyped-call]
    for ax in panels:
        ax.xaxis_date()
    _dose_panel(ax_dose, frame, text)
    _drinks_panel(ax_drinks, frame, text)
    _scales_panel(ax_scales, frame, text)
    if title:
        # A dollar sign would start matplotlib's mathtext; a client code is plain text.
        ax_dose.set_title(title.replace("$", r"\$"), loc="left", fontweight="bold")
    locator = mdates.AutoDateLocator(minticks=3, maxticks=10)  # type: ignore[no-untyped-call]
    ax_scales.xaxis.set_major_locator(locator)
    ax_scales.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    # The date axis has no label. Left to place it, matplotlib would lay out and measure every
    # date label a second time (about 6 % of a chart); a fixed position skips that.
    ax_scales.xaxis.set_label_coords(0.5, 0.0)
    for ax in (ax_dose, ax_drinks, ax_scales):
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
        # The grid lines mark the values; tick marks beside them would repeat them (and each is
        # drawn on its own: about 8 % of a chart).
        ax.tick_params(axis="y", left=False)
        # One x position for the three y labels (what fig.align_ylabels() measures, at no cost).
        ax.yaxis.set_label_coords(-(MARGINS_IN["left"] - 0.2) / axes_width_in, 0.5)
    for ax in (ax_dose, ax_drinks):
        # The dates are written once, under the bottom panel; the upper panels' x axes (hidden
        # labels, tick marks) are not drawn at all, which spares laying out their ticks.
        ax.xaxis.set_visible(False)


#: The frame's column of matplotlib date numbers (:func:`_draw`).
_X: Final = "_x"


def _values(frame: pl.DataFrame, column: str) -> np.ndarray:
    """A column as floats, a missing value as NaN (a gap in a line)."""
    return frame[column].cast(pl.Float64).to_numpy()


def _dose_panel(ax: Axes, frame: pl.DataFrame, text: Mapping[str, str]) -> None:
    x = frame[_X].to_numpy()
    if frame["planned_mg"].null_count() < frame.height:
        ax.step(
            x,
            _values(frame, "planned_mg"),
            where="post",
            color=_GREY,
            linestyle="--",
            linewidth=1.2,
            label=text["planned"],
        )
    if frame["dose_mg"].null_count() < frame.height:
        ax.step(
            x,
            _values(frame, "dose_mg"),
            where="post",
            color=_BLUE,
            linewidth=1.8,
            label=text["taken"],
        )
    ax.set_ylabel(text["dose"])
    ax.set_ylim(bottom=0)
    if ax.get_legend_handles_labels()[0]:
        # Above the panel, right of the title: inside it would hide the start of the dose line.
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False, ncols=2, borderaxespad=0)


def _drinks_panel(ax: Axes, frame: pl.DataFrame, text: Mapping[str, str]) -> None:
    days = frame.filter(pl.col("drinks").is_not_null())
    heavy = days.filter(pl.col("heavy").fill_null(False))
    light = days.filter(~pl.col("heavy").fill_null(False))
    _bars(ax, light, _ORANGE)
    _bars(ax, heavy, _VERMILION, label=text["heavy"])
    if heavy.height:
        ax.plot(
            heavy[_X].to_numpy(),
            _values(heavy, "drinks") * 1.05 + 0.2,
            linestyle="none",
            marker="v",
            color=_VERMILION,
            markersize=4,
        )
        # Above the panel's top right corner, in the gap between panels: inside, bars ran under it.
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False, borderaxespad=0)
    ax.set_ylabel(text["drinks"])
    ax.set_ylim(bottom=0)


def _bars(ax: Axes, days: pl.DataFrame, colour: str, label: str | None = None) -> None:
    """The days' drinks as bars drawn as ONE compound path: ``ax.bar`` makes a patch per day (730
    for two years), each updating the axis limits and written as its own SVG element."""
    drawn = days.filter(pl.col("drinks") > 0)  # a zero-height bar is invisible
    if drawn.height == 0:
        return
    centre, top = drawn[_X].to_numpy(), _values(drawn, "drinks")
    left, right, base = centre - BAR_WIDTH_DAYS / 2, centre + BAR_WIDTH_DAYS / 2, np.zeros_like(top)
    corners = [(left, base), (left, top), (right, top), (right, base), (left, base)]
    vertices = np.stack([np.column_stack(xy) for xy in corners], axis=1).reshape(-1, 2)
    codes = np.tile([Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY], drawn.height)
    # add_artist, not add_patch: add_patch walks the path's 5 vertices per day to update the data
    # limits; the limits are the bars' corners, given at once.
    ax.add_artist(PathPatch(Path(vertices, codes), facecolor=colour, edgecolor="none", label=label))
    ax.update_datalim([(left.min(), 0.0), (right.max(), float(top.max()))])
    ax.autoscale_view()


def _scales_panel(ax: Axes, frame: pl.DataFrame, text: Mapping[str, str]) -> None:
    for column, colour in (("craving", _PURPLE), ("anxiety", _GREEN)):
        rated = frame.filter(pl.col(column).is_not_null())
        if rated.height:
            ax.plot(
                rated[_X].to_numpy(),
                _values(rated, column),
                color=colour,
                marker="o" if rated.height <= MARKERS_UP_TO_DAYS else "",
                markersize=2.5,
                linewidth=1.2,
                label=text[column],
            )
    # One marker line per severity (1-3), marker area proportional to severity: a scatter's path
    # collection costs several times more to write as SVG than a line's markers.
    label: str | None = text["side_effects"]
    for severity in (1, 2, 3):
        marks = frame.filter(pl.col("side_effect_max") == severity)
        if marks.height:
            ax.plot(
                marks[_X].to_numpy(),
                np.full(marks.height, 10.8),
                linestyle="none",
                marker="D",
                markersize=(12.0 * severity) ** 0.5,
                markeredgewidth=0,
                color=_BLUE,
                label=label,
                clip_on=False,
            )
            label = None  # one legend entry for the three sizes
    ax.set_ylim(0, 11.5)
    ax.set_yticks([0, 5, 10])
    ax.set_ylabel(text["scales"])
    if ax.get_legend_handles_labels()[0]:
        # Under the date labels, at the foot of the figure (x in the panel's terms, y in the
        # figure's), so that it stays inside the fixed bottom margin whatever the panel's height.
        foot = blended_transform_factory(ax.transAxes, ax.figure.transFigure)
        ax.legend(
            loc="lower left",
            frameon=False,
            ncols=3,
            bbox_to_anchor=(0, 0.005),
            bbox_transform=foot,
            borderaxespad=0,
        )
