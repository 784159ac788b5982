"""The prescriber's report, as data: every figure with the diary coverage behind it.

:func:`build_report_data` takes plain typed inputs (no Django, no I/O) and returns a
:class:`ReportData` that :func:`baclotrack.reports.render.render_report` turns into HTML or PDF.
Nothing clinical is decided here: drinking endpoints and WHO levels come from
:func:`baclotrack.core.endpoints.compute_endpoints`, heavy days from the chosen
:class:`~baclotrack.core.guidelines.HeavyDayDefinition`, the indifference dose from
:func:`baclotrack.core.titration.indifference.find_indifference_dose`, and the evidence box
from :mod:`baclotrack.evidence` (see :mod:`baclotrack.reports.evidence_box`). The report only
chooses which windows to show and counts how many days each figure rests on.

The diary is a polars frame, one row per calendar day of one client: ``date`` (Date) and
``grams`` and/or ``drinks`` (null = not reported), and optionally ``dose_mg`` (taken that
day), ``craving`` and ``anxiety`` (0-10), and one 0-3 severity column per side effect named
as in :data:`baclotrack.core.diary.SIDE_EFFECTS` (null = not reported). The frames of
:func:`baclotrack.analysis.simulate.simulate` have this shape. See docs/prescriber-report.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import polars as pl

from baclotrack import __version__
from baclotrack.core.alcohol import parse_country, standard_drink_grams
from baclotrack.core.diary import SIDE_EFFECTS, DiaryDay
from baclotrack.core.endpoints import Window, compute_endpoints, diary_grams_from_drinks
from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import DEFAULT_HEAVY_DAY, HeavyDayDefinition, Sex, WhoRiskLevel
from baclotrack.core.titration.indifference import IndifferenceResult, find_indifference_dose
from baclotrack.core.titration.plan import Plan, validate_weight
from baclotrack.evidence.data import TrialArm
from baclotrack.reports.evidence_box import DEFAULT_COMPARABLE_DOSE_RATIO, EvidenceBox, evidence_box
from baclotrack.reports.figures import (
    Coverage,
    DoseHistory,
    ScaleTrend,
    SideEffectCourse,
    dose_history,
    scale_trend,
    side_effect_courses,
)

#: The baseline: the 28 days before the start date, as the Timeline Followback baseline of
#: trials (e.g. Addolorato 2011, Alcohol Alcohol 46:312; core/endpoints.py DEFAULT_WINDOWS).
BASELINE_WINDOW: Final = Window("baseline", -28, -1)
#: "Now" is the last 28 days, the same length as the baseline so the two compare like for like.
RECENT_DAYS: Final = 28
#: Treatment is also shown in 4-week blocks (the windows of a 12-week trial, core/endpoints.py).
BLOCK_DAYS: Final = 28
#: A report names a client by a short code; longer text is a pasted note, not a code.
MAX_CODE_LENGTH: Final = 40


class ReportInputError(InputError):
    """A client record or diary the report cannot use; the message names the field or date."""


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """Who the report is about. ``code`` is pseudonymous; ``name`` only when the clinician adds one."""

    code: str
    sex: Sex
    start_date: dt.date
    country: str = "US"
    weight_kg: float | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code.strip() or len(self.code) > MAX_CODE_LENGTH:
            raise ReportInputError(
                f"client code: must be 1 to {MAX_CODE_LENGTH} characters, got {self.code!r}"
            )
        if self.sex not in ("F", "M"):
            raise ReportInputError(f"client {self.code}: sex must be F or M, got {self.sex!r}")
        if not isinstance(self.start_date, dt.date) or isinstance(self.start_date, dt.datetime):
            raise ReportInputError(f"client {self.code}: start_date must be a date, got {self.start_date!r}")
        object.__setattr__(self, "country", parse_country(self.country).value)
        validate_weight(self.weight_kg)


@dataclass(frozen=True, slots=True)
class DrinkingWindow:
    """Drinking endpoints over one window, from compute_endpoints; None where no day was reported."""

    label: str
    first: dt.date
    last: dt.date
    coverage: Coverage
    drinks_per_day: float | None
    grams_per_day: float | None
    heavy_days: int | None
    percent_heavy_days: float | None
    percent_days_abstinent: float | None
    who_level: WhoRiskLevel | None


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything the prescriber's report shows, computed; rendering adds no numbers."""

    client: ClientInfo
    today: dt.date
    period_first: dt.date
    period_last: dt.date
    treatment_day: int
    heavy: HeavyDayDefinition
    drink_grams: float
    adherence: Coverage
    baseline: DrinkingWindow
    recent: DrinkingWindow | None
    blocks: tuple[DrinkingWindow, ...]
    who_change: int | None
    dose: DoseHistory
    indifference: IndifferenceResult
    first_indifference: IndifferenceResult
    craving: ScaleTrend
    anxiety: ScaleTrend
    side_effects: tuple[SideEffectCourse, ...]
    side_effect_coverage: Coverage
    evidence: EvidenceBox
    timeline: pl.DataFrame
    notes: tuple[str, ...] = field(default=())
    version: str = __version__


def _study_day(date: dt.date, start: dt.date) -> int:
    """Study day by the core's convention (core/endpoints.py study_day): day 1 = start, no day 0."""
    offset = (date - start).days
    return offset + 1 if offset >= 0 else offset


def _date_of(day: int, start: dt.date) -> dt.date:
    return start + dt.timedelta(days=day - 1 if day > 0 else day)


def _prepare_diary(client: ClientInfo, diary: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """The client's rows up to ``today`` with patient_id, date, grams (and drinks when given)."""
    if "date" not in diary.columns:
        raise ReportInputError(f"diary: column 'date' is missing (columns: {', '.join(diary.columns)})")
    if diary.schema["date"] != pl.Date:
        raise ReportInputError(f"diary: column 'date' must hold dates, got {diary.schema['date']}")
    if "grams" not in diary.columns and "drinks" not in diary.columns:
        raise ReportInputError("diary: needs a 'grams' or a 'drinks' column (null = not reported)")
    if "patient_id" in diary.columns:
        # A cohort frame may be passed: keep this client's rows, but never report on nobody.
        mine = diary.filter(pl.col("patient_id") == client.code)
        if diary.height and not mine.height:
            raise ReportInputError(f"diary: no rows for client {client.code!r} in column patient_id")
        diary = mine.drop("patient_id")
    # A report is "as of" a date: later rows (a re-printed past report) are left out.
    diary = diary.filter(pl.col("date") <= today).with_columns(patient_id=pl.lit(client.code))
    for column in ("drinks", "grams", "dose_mg", "craving", "anxiety", *SIDE_EFFECTS):
        if (
            column in diary.columns
            and not diary.schema[column].is_numeric()
            and diary.schema[column] != pl.Null
        ):
            raise ReportInputError(f"diary: column {column!r} must be numeric, got {diary.schema[column]}")
    if "grams" not in diary.columns:
        patients = _patients(client)
        diary = diary_grams_from_drinks(diary, patients)
    return diary.sort("date")


def _patients(client: ClientInfo) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "patient_id": [client.code],
            "sex": [client.sex],
            "start_date": [client.start_date],
            "country": [client.country],
        }
    )


def _windows(treatment_day: int) -> tuple[list[Window], Window | None]:
    """Baseline, the 4-week blocks begun by today (the last cut at today), and the last 28 days."""
    windows = [BASELINE_WINDOW]
    if treatment_day < 1:
        return windows, None
    first = 1
    while first <= treatment_day:
        last = min(first + BLOCK_DAYS - 1, treatment_day)
        week = (first - 1) // 7
        windows.append(Window(f"block:weeks {week + 1}-{week + BLOCK_DAYS // 7}", first, last))
        first += BLOCK_DAYS
    recent = Window("recent", max(1, treatment_day - RECENT_DAYS + 1), treatment_day)
    windows.append(recent)
    return windows, recent


def _window_label(window: Window, treatment_day: int) -> str:
    if window.name == "baseline":
        return "Baseline"
    if window.name == "recent":
        if window.first == 1 and treatment_day < RECENT_DAYS:
            return f"Treatment so far ({treatment_day} days)"
        return "Last 28 days"
    label = window.name.removeprefix("block:").capitalize()
    return label if window.days == BLOCK_DAYS else f"{label}, partial"


def _drinking_windows(
    client: ClientInfo, diary: pl.DataFrame, heavy: HeavyDayDefinition, treatment_day: int
) -> tuple[DrinkingWindow, DrinkingWindow | None, tuple[DrinkingWindow, ...], Coverage]:
    windows, recent = _windows(treatment_day)
    # Adherence over treatment so far; before the start, over the baseline days gone by.
    adherence_window = None
    if treatment_day >= 1:
        adherence_window = Window("adherence", 1, treatment_day)
    elif treatment_day >= BASELINE_WINDOW.first:
        adherence_window = Window("adherence", BASELINE_WINDOW.first, treatment_day)
    columns = ["patient_id", "date", "grams"] + (["drinks"] if "drinks" in diary.columns else [])
    asked = [*windows, *([adherence_window] if adherence_window else [])]
    endpoints = compute_endpoints(diary.select(columns), _patients(client), asked, heavy)
    rows = {r["window"]: r for r in endpoints.iter_rows(named=True)}
    by_window = {
        w.name: _drinking_window(_window_label(w, treatment_day), w, rows[w.name], client.start_date)
        for w in windows
    }
    blocks = tuple(by_window[w.name] for w in windows if w.name.startswith("block:"))
    counts = rows.get("adherence", {"days_reported": 0, "days": 0})
    adherence = Coverage(int(counts["days_reported"]), int(counts["days"]))
    return by_window["baseline"], None if recent is None else by_window["recent"], blocks, adherence


def _drinking_window(label: str, window: Window, row: dict[str, Any], start: dt.date) -> DrinkingWindow:
    reported = int(row["days_reported"])
    level = row["who_level"]
    return DrinkingWindow(
        label=label,
        first=_date_of(window.first, start),
        last=_date_of(window.last, start),
        coverage=Coverage(reported, window.days),
        drinks_per_day=row["drinks_per_day"],
        grams_per_day=row["grams_per_day"],
        # compute_endpoints counts 0 heavy days when nothing was reported; the report says "unknown".
        heavy_days=int(row["hdd"]) if reported else None,
        percent_heavy_days=row["phdd"],
        percent_days_abstinent=row["pda"],
        who_level=None if level is None else WhoRiskLevel(level),
    )


def _int_rating(value: float | None, date: dt.date, column: str) -> int | None:
    if value is None:
        return None
    if value != int(value):
        raise ReportInputError(f"diary {date}: {column}: must be a whole number, got {value:g}")
    return int(value)


def core_diary_days(diary: pl.DataFrame) -> list[DiaryDay]:
    """The diary as the core's DiaryDay records; DiaryDay validates every value and names the date."""
    days = []
    present = [s for s in SIDE_EFFECTS if s in diary.columns]
    for row in diary.iter_rows(named=True):
        date = row["date"]
        effects = {s: _int_rating(row[s], date, s) for s in present}
        days.append(
            DiaryDay(
                date=date,
                grams=row["grams"],
                craving=_int_rating(row.get("craving"), date, "craving"),
                anxiety=_int_rating(row.get("anxiety"), date, "anxiety"),
                dose_taken_mg=row.get("dose_mg"),
                side_effects={s: v for s, v in effects.items() if v},
            )
        )
    return days


def first_indifference_dose(
    days: Sequence[DiaryDay], sex: Sex, heavy: HeavyDayDefinition = DEFAULT_HEAVY_DAY
) -> IndifferenceResult:
    """The dose at which indifference was first reached (the core's ``which="first"``).

    The core's default answer is the LOWEST dose held long enough; after a step-down (Ameisen
    2005: 270, then 120 mg/day) the prescriber also needs the first one
    (docs/decisions/0101-first-indifference-dose.md).
    """
    return find_indifference_dose(days, sex, heavy=heavy, which="first")


def timeline_frame(
    diary: pl.DataFrame, plan: Plan | None, client: ClientInfo, heavy: HeavyDayDefinition, today: dt.date
) -> pl.DataFrame:
    """The chart's frame (reports/charts.py TIMELINE_COLUMNS); heavy days by ``heavy`` (core)."""
    size = standard_drink_grams(client.country)
    present = [s for s in SIDE_EFFECTS if s in diary.columns]

    def optional(column: str) -> pl.Expr:
        return pl.col(column).cast(pl.Float64) if column in diary.columns else pl.lit(None, pl.Float64)

    days = diary.select(
        "date",
        (pl.col("grams") / size).alias("drinks"),
        pl.Series(
            "heavy",
            [None if g is None else heavy.is_heavy(g, client.sex) for g in diary["grams"].to_list()],
            dtype=pl.Boolean,
        ),
        optional("dose_mg").alias("dose_mg"),
        optional("craving").alias("craving"),
        optional("anxiety").alias("anxiety"),
        (pl.max_horizontal(*present).cast(pl.Int64) if present else pl.lit(None, pl.Int64)).alias(
            "side_effect_max"
        ),
    )
    steps = [(s.date, s.mg_per_day) for s in plan.steps if s.date <= today] if plan else []
    planned = pl.DataFrame(steps, schema={"date": pl.Date, "planned_mg": pl.Float64}, orient="row")
    return days.join(planned, on="date", how="full", coalesce=True).sort("date")


def build_report_data(
    client: ClientInfo,
    diary: pl.DataFrame,
    plan: Plan | None,
    *,
    today: dt.date,
    heavy: HeavyDayDefinition = DEFAULT_HEAVY_DAY,
    trials: Sequence[TrialArm] | None = None,
    comparable_dose_ratio: float = DEFAULT_COMPARABLE_DOSE_RATIO,
) -> ReportData:
    """The prescriber's report for ``client`` as of ``today``, from the diary and the active plan.

    ``trials`` defaults to the bundled evidence dataset. Bad input raises a
    :class:`~baclotrack.core.errors.InputError` subclass naming the column, date or field.
    """
    if not isinstance(today, dt.date) or isinstance(today, dt.datetime):
        raise ReportInputError(f"today: must be a date, got {today!r}")
    rows = _prepare_diary(client, diary, today)
    treatment_day = _study_day(today, client.start_date)
    baseline, recent, blocks, adherence = _drinking_windows(client, rows, heavy, treatment_day)
    days = core_diary_days(rows)
    dose = dose_history(days, plan, client.start_date, client.weight_kg, today)
    indifference = find_indifference_dose(days, client.sex, heavy=heavy)
    first_indifference = first_indifference_dose(days, client.sex, heavy)
    effects, effect_coverage = side_effect_courses(rows, client.start_date, today)
    who_change = None
    if recent is not None and baseline.who_level is not None and recent.who_level is not None:
        who_change = int(recent.who_level) - int(baseline.who_level)
    reference_dose = dose.current_mg if dose.current_mg else dose.max_mg
    first_dates = [d for d in (rows["date"].min(), plan.start if plan else None) if isinstance(d, dt.date)]
    return ReportData(
        client=client,
        today=today,
        period_first=min([*first_dates, _date_of(BASELINE_WINDOW.first, client.start_date)]),
        period_last=today,
        treatment_day=treatment_day,
        heavy=heavy,
        drink_grams=standard_drink_grams(client.country),
        adherence=adherence,
        baseline=baseline,
        recent=recent,
        blocks=blocks,
        who_change=who_change,
        dose=dose,
        indifference=indifference,
        first_indifference=first_indifference,
        craving=scale_trend(rows, "craving", client.start_date, today),
        anxiety=scale_trend(rows, "anxiety", client.start_date, today),
        side_effects=effects,
        side_effect_coverage=effect_coverage,
        evidence=evidence_box(reference_dose, trials, ratio=comparable_dose_ratio),
        timeline=timeline_frame(rows, plan, client, heavy, today),
        notes=_missing_data_notes(baseline, recent, dose, treatment_day),
    )


def _missing_data_notes(
    baseline: DrinkingWindow, recent: DrinkingWindow | None, dose: DoseHistory, treatment_day: int
) -> tuple[str, ...]:
    """Plain statements of what the report cannot say, and why."""
    notes = []
    if treatment_day < 1:
        notes.append("Treatment has not started yet: only the baseline is shown.")
    if baseline.coverage.reported == 0:
        notes.append("No baseline diary: change from baseline cannot be computed.")
    if recent is not None and recent.coverage.reported == 0:
        notes.append("No drinking reported in the recent window: current drinking is unknown.")
    if dose.current_mg is None:
        notes.append("No dose taken has been reported and no plan covers today: the current dose is unknown.")
    return tuple(notes)
