"""The client timeline chart: one code path for the screen and for print (matplotlib -> SVG).

Three panels share the date axis: the baclofen dose as a step line (taken, and planned when a
plan exists), standard drinks per day as bars with heavy days marked, and craving and anxiety
(0-10) as lines with side-effect marks. The input is a polars frame the caller builds from its
own records (the clinic's adapters, or a report); this module decides nothing clinical:
which days are heavy arrives in the ``heavy`` column.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Final

import matplotlib

matplotlib.use("Agg")  # no display: the chart is rendered to a string, never shown

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import polars as pl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path

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
    # No date in the metadata and a fixed hash salt: the same data gives the same SVG.
    fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def timeline_svg(
    frame: pl.DataFrame, *, title: str = "", labels: Mapping[str, str] | None = None, width_in: float = 10.0
) -> str:
    """The timeline of ``frame`` (columns :data:`TIMELINE_COLUMNS`, one row per date) as an SVG string."""
    _check(frame)
    text = {**DEFAULT_LABELS, **(labels or {})}
    with plt.rc_context({"svg.hashsalt": "baclotrack", "font.size": 9, "svg.fonttype": "none"}):
        fig, (ax_dose, ax_drinks, ax_scales) = plt.subplots(
            3, 1, sharex=True, figsize=(width_in, 6.0), height_ratios=(1.0, 1.2, 1.0)
        )
        if frame.height == 0:
            ax_drinks.text(0.5, 0.5, text["empty"], ha="center", va="center", transform=ax_drinks.transAxes)
            for ax in (ax_dose, ax_drinks, ax_scales):
                ax.set_yticks([])
            return _svg(fig)
        frame = frame.sort("date")
        _dose_panel(ax_dose, frame, text)
        _drinks_panel(ax_drinks, frame, text)
        _scales_panel(ax_scales, frame, text)
        if title:
            # A dollar sign would start matplotlib's mathtext; a client code is plain text.
            ax_dose.set_title(title.replace("$", r"\$"), loc="left", fontweight="bold")
        locator = mdates.AutoDateLocator(minticks=3, maxticks=10)  # type: ignore[no-untyped-call]
        ax_scales.xaxis.set_major_locator(locator)
        ax_scales.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
        for ax in (ax_dose, ax_drinks, ax_scales):
            ax.spines[["top", "right"]].set_visible(False)
            ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
        fig.align_ylabels()
        return _svg(fig)


def _dose_panel(ax: Axes, frame: pl.DataFrame, text: Mapping[str, str]) -> None:
    dates = frame["date"].to_list()
    planned = frame["planned_mg"].to_list()
    if any(v is not None for v in planned):
        ax.step(
            dates,
            [float("nan") if v is None else v for v in planned],
            where="post",
            color=_GREY,
            linestyle="--",
            linewidth=1.2,
            label=text["planned"],
        )
    taken = frame["dose_mg"].to_list()
    if any(v is not None for v in taken):
        ax.step(
            dates,
            [float("nan") if v is None else v for v in taken],
            where="post",
            color=_BLUE,
            linewidth=1.8,
            label=text["taken"],
        )
    ax.set_ylabel(text["dose"])
    ax.set_ylim(bottom=0)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", frameon=False, ncols=2)


def _drinks_panel(ax: Axes, frame: pl.DataFrame, text: Mapping[str, str]) -> None:
    days = frame.filter(pl.col("drinks").is_not_null())
    heavy = days.filter(pl.col("heavy").fill_null(False))
    light = days.filter(~pl.col("heavy").fill_null(False))
    _bars(ax, light, _ORANGE)
    _bars(ax, heavy, _VERMILION, label=text["heavy"])
    if heavy.height:
        ax.plot(
            heavy["date"].to_list(),
            [v * 1.05 + 0.2 for v in heavy["drinks"].to_list()],
            linestyle="none",
            marker="v",
            color=_VERMILION,
            markersize=4,
        )
        ax.legend(loc="upper right", frameon=False)
    ax.set_ylabel(text["drinks"])
    ax.set_ylim(bottom=0)


def _bars(ax: Axes, days: pl.DataFrame, colour: str, label: str | None = None) -> None:
    """The days' drinks as bars drawn as ONE compound path: ``ax.bar`` makes a patch per day (730
    for two years), each updating the axis limits and written as its own SVG element."""
    drawn = days.filter(pl.col("drinks") > 0)  # a zero-height bar is invisible
    if drawn.height == 0:
        return
    centre = np.asarray(mdates.date2num(drawn["date"].to_list()), dtype=np.float64)  # type: ignore[no-untyped-call]
    top = drawn["drinks"].to_numpy().astype(np.float64)
    left, right, base = centre - BAR_WIDTH_DAYS / 2, centre + BAR_WIDTH_DAYS / 2, np.zeros_like(top)
    corners = [(left, base), (left, top), (right, top), (right, base), (left, base)]
    vertices = np.stack([np.column_stack(xy) for xy in corners], axis=1).reshape(-1, 2)
    codes = np.tile([Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY], drawn.height)
    ax.add_patch(PathPatch(Path(vertices, codes), facecolor=colour, edgecolor="none", label=label))
    ax.xaxis_date()


def _scales_panel(ax: Axes, frame: pl.DataFrame, text: Mapping[str, str]) -> None:
    for column, colour in (("craving", _PURPLE), ("anxiety", _GREEN)):
        rated = frame.filter(pl.col(column).is_not_null())
        if rated.height:
            ax.plot(
                rated["date"].to_list(),
                rated[column].to_list(),
                color=colour,
                marker="o" if rated.height <= MARKERS_UP_TO_DAYS else "",
                markersize=2.5,
                linewidth=1.2,
                label=text[column],
            )
    marks = frame.filter(pl.col("side_effect_max").fill_null(0) > 0)
    if marks.height:
        ax.scatter(
            marks["date"].to_list(),
            [10.8] * marks.height,
            s=[12.0 * s for s in marks["side_effect_max"].to_list()],
            marker="D",
            color=_BLUE,
            label=text["side_effects"],
            clip_on=False,
        )
    ax.set_ylim(0, 11.5)
    ax.set_yticks([0, 5, 10])
    ax.set_ylabel(text["scales"])
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", frameon=False, ncols=3, bbox_to_anchor=(0, -0.25))
