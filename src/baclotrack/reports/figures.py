"""The report's descriptive figures: dose history, craving and anxiety means, side-effect course.

These are counts, means, first and last dates of what the client reported: no threshold or
clinical rule is applied here (those live in the core). Each figure carries a
:class:`Coverage` so the report can say how many days it rests on, and a figure with no
reported day is ``None``, never zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import polars as pl

from baclotrack.core.diary import SEVERITY_LABELS, SIDE_EFFECTS, DiaryDay
from baclotrack.core.titration.plan import Plan, PlanDay

#: Craving and anxiety are summarised over the last 7 days too: a week smooths day-to-day
#: swings yet still shows the latest change (the caseload's "last 7 days", clinic/adapters/endpoints.py).
LAST_WEEK_DAYS: Final = 7
#: Windows of 28 days, the length of the baseline (reports/prescriber.py BASELINE_WINDOW).
WINDOW_DAYS: Final = 28


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many of a window's days the figure rests on."""

    reported: int
    days: int

    def text(self, what: str = "days reported") -> str:
        """E.g. 'based on 24 of 28 days reported', or 'no day reported (0 of 28)'."""
        if self.reported == 0:
            return f"no day reported (0 of {self.days})"
        return f"based on {self.reported} of {self.days} {what}"

    @property
    def percent(self) -> float | None:
        return None if self.days == 0 else 100.0 * self.reported / self.days


@dataclass(frozen=True, slots=True)
class DoseHistory:
    """Doses taken (from the diary) and planned (from the plan). None where unknown."""

    start_mg: float | None
    start_date: dt.date | None
    max_mg: float | None
    max_first_date: dt.date | None
    days_at_max: int
    current_mg: float | None
    current_date: dt.date | None
    current_source: str  # "diary" (last dose reported taken), "plan" (planned today) or "none"
    planned_today_mg: float | None
    plan_title: str | None
    plan_max_mg: float | None
    weight_kg: float | None
    coverage: Coverage  # treatment days with a dose reported

    @property
    def current_mg_per_kg(self) -> float | None:
        return _per_kg(self.current_mg, self.weight_kg)

    @property
    def max_mg_per_kg(self) -> float | None:
        return _per_kg(self.max_mg, self.weight_kg)


def _per_kg(mg: float | None, weight_kg: float | None) -> float | None:
    return None if mg is None or weight_kg is None else mg / weight_kg


def _planned_on(plan: Plan, date: dt.date) -> PlanDay | None:
    """The plan's day for ``date``; after its last day a plan holds its final dose."""
    if not plan.steps or date < plan.steps[0].date:
        return None
    step = plan.on(date)
    if step is not None:
        return step
    earlier = [s for s in plan.steps if s.date <= date]
    return max(earlier, key=lambda s: s.date) if earlier else None


def dose_history(
    days: Sequence[DiaryDay], plan: Plan | None, start: dt.date, weight_kg: float | None, today: dt.date
) -> DoseHistory:
    """Start, highest and current dose; the current one is the last dose reported taken."""
    treatment = [d for d in days if start <= d.date <= today]
    taken = [d for d in treatment if d.dose_taken_mg is not None]
    positive = [d for d in taken if d.dose_taken_mg]
    planned = _planned_on(plan, today) if plan is not None else None
    first_planned = plan.steps[0] if plan is not None and plan.steps else None
    max_mg = max((d.dose_taken_mg for d in positive if d.dose_taken_mg), default=None)
    if positive:
        start_mg, start_date = positive[0].dose_taken_mg, positive[0].date
    elif first_planned is not None:
        start_mg, start_date = first_planned.mg_per_day, first_planned.date
    else:
        start_mg, start_date = None, None
    if taken:
        current_mg, current_date, source = taken[-1].dose_taken_mg, taken[-1].date, "diary"
    elif planned is not None:
        current_mg, current_date, source = planned.mg_per_day, today, "plan"
    else:
        current_mg, current_date, source = None, None, "none"
    treatment_days = max((today - start).days + 1, 0)
    return DoseHistory(
        start_mg=start_mg,
        start_date=start_date,
        max_mg=max_mg,
        max_first_date=next((d.date for d in positive if d.dose_taken_mg == max_mg), None),
        days_at_max=sum(1 for d in positive if d.dose_taken_mg == max_mg),
        current_mg=current_mg,
        current_date=current_date,
        current_source=source,
        planned_today_mg=None if planned is None else planned.mg_per_day,
        plan_title=None if plan is None else plan.title,
        plan_max_mg=None if plan is None else plan.max_mg_per_day,
        weight_kg=weight_kg,
        coverage=Coverage(len(taken), treatment_days),
    )


@dataclass(frozen=True, slots=True)
class ScaleWindow:
    """Mean of a 0-10 rating over a window, with the days it rests on."""

    label: str
    first: dt.date
    last: dt.date
    mean: float | None
    coverage: Coverage


@dataclass(frozen=True, slots=True)
class ScaleTrend:
    """A rating's means at baseline, in the first four weeks, the last 28 days and the last 7 days."""

    name: str
    windows: tuple[ScaleWindow, ...]


def _scale_windows(start: dt.date, today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    baseline = ("Baseline", start - dt.timedelta(days=WINDOW_DAYS), start - dt.timedelta(days=1))
    if today < start:
        return [baseline]
    first_block = ("Weeks 1-4", start, min(start + dt.timedelta(days=WINDOW_DAYS - 1), today))
    last_28 = ("Last 28 days", max(start, today - dt.timedelta(days=WINDOW_DAYS - 1)), today)
    last_7 = ("Last 7 days", max(start, today - dt.timedelta(days=LAST_WEEK_DAYS - 1)), today)
    windows = [baseline, first_block]
    # Early in treatment the later windows repeat the first; show each span once.
    for window in (last_28, last_7):
        if all(window[1:] != w[1:] for w in windows):
            windows.append(window)
    return windows


def scale_trend(diary: pl.DataFrame, column: str, start: dt.date, today: dt.date) -> ScaleTrend:
    """Means of ``column`` (craving or anxiety, 0-10) per window; None where nothing was rated."""
    windows = []
    for label, first, last in _scale_windows(start, today):
        days = (last - first).days + 1
        if column not in diary.columns:
            windows.append(ScaleWindow(label, first, last, None, Coverage(0, days)))
            continue
        values = diary.filter(pl.col("date").is_between(first, last), pl.col(column).is_not_null())[column]
        mean = None if values.len() == 0 else float(values.cast(pl.Float64).mean())  # type: ignore[arg-type]
        windows.append(ScaleWindow(label, first, last, mean, Coverage(values.len(), days)))
    return ScaleTrend(column, tuple(windows))


@dataclass(frozen=True, slots=True)
class SideEffectCourse:
    """One side effect over treatment: how often, how bad, when, and in the last 28 days."""

    key: str
    label: str
    days_present: int
    max_severity: int
    first_date: dt.date
    last_date: dt.date
    recent_days: int
    recent_max: int

    @property
    def max_label(self) -> str:
        return SEVERITY_LABELS[self.max_severity]

    @property
    def recent_label(self) -> str:
        return SEVERITY_LABELS[self.recent_max]


def side_effect_courses(
    diary: pl.DataFrame, start: dt.date, today: dt.date
) -> tuple[tuple[SideEffectCourse, ...], Coverage]:
    """Each side effect reported (severity >= 1) since ``start``, and the treatment days with any entry."""
    present = [s for s in SIDE_EFFECTS if s in diary.columns]
    treatment = diary.filter(pl.col("date").is_between(start, today))
    days = max((today - start).days + 1, 0)
    if not present:
        return (), Coverage(0, days)
    answered = treatment.select(pl.any_horizontal(pl.col(present).is_not_null()).sum()).item()
    recent_first = max(start, today - dt.timedelta(days=WINDOW_DAYS - 1))
    courses = []
    for key in present:
        rows = treatment.filter(pl.col(key) > 0).select("date", pl.col(key).cast(pl.Int64))
        if rows.height == 0:
            continue
        recent = rows.filter(pl.col("date") >= recent_first)
        courses.append(
            SideEffectCourse(
                key=key,
                label=SIDE_EFFECTS[key],
                days_present=rows.height,
                max_severity=int(rows[key].max()),  # type: ignore[arg-type]
                first_date=rows["date"].min(),  # type: ignore[arg-type]
                last_date=rows["date"].max(),  # type: ignore[arg-type]
                recent_days=recent.height,
                recent_max=int(recent[key].max()) if recent.height else 0,  # type: ignore[arg-type]
            )
        )
    courses.sort(key=lambda c: (-c.max_severity, -c.days_present, c.key))
    return tuple(courses), Coverage(int(answered), days)
