"""Trial endpoints from a daily drinking diary, per patient and study window.

One vectorised polars query serves one client in the clinic and a cohort of 100,000 in a
trial: there is no loop over patients, so both give the same numbers by construction.

Definitions (see docs/methods/endpoints.md for sources and worked examples):

- Study day 1 is the start date, day -1 the day before; there is no day 0 (the convention
  of Timeline Followback windows in trials, e.g. Falk et al. 2010, ACER 34:2022).
- A day is *reported* when the diary holds an amount for it (zero included). A blank
  amount or an absent day is not reported and is never counted as abstinent.
- ``days`` counts calendar days in the window; every other figure counts reported days.
- ``pda``: percent days abstinent, 100 x abstinent days / reported days.
- ``hdd``: heavy drinking days by the chosen definition (FDA default, or EMA), and ``phdd``
  the percentage of reported days that were heavy.
- ``drinks_per_day`` and ``grams_per_day``: total over reported days;
  ``drinks_per_drinking_day``: total over drinking days (grams > 0). Drinks are standard
  drinks of the patient's country (core/guidelines.py, STANDARD_DRINK_GRAMS).
- ``who_level``: WHO risk drinking level of grams_per_day (0 abstinent ... 4 very high),
  each level's upper bound inclusive (core/guidelines.py, WHO_LEVEL_UPPER_BOUNDS_G).
- A figure that needs a reported day (or, for drinks_per_drinking_day, a drinking day) is
  null when there is none. Counts (days_reported, drinking_days, hdd) are then 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

import polars as pl

from baclotrack.core.diaryframe import (
    DiaryFrameError,
    check_patients_known,
    validate_diary,
    validate_patients,
    with_default_country,
)
from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import (
    DEFAULT_HEAVY_DAY,
    STANDARD_DRINK_GRAMS,
    THRESHOLD_TOLERANCE_G,
    WHO_LEVEL_UPPER_BOUNDS_G,
    HeavyDayDefinition,
    WhoRiskLevel,
)

#: Output columns, in order (the ``baclotrack endpoints`` CSV contract).
ENDPOINT_COLUMNS: Final[tuple[str, ...]] = (
    "patient_id",
    "window",
    "days",
    "days_reported",
    "drinking_days",
    "pda",
    "hdd",
    "phdd",
    "drinks_per_day",
    "drinks_per_drinking_day",
    "grams_per_day",
    "who_level",
)


class WindowError(InputError):
    """A study window that cannot be used (bad range, day 0, bad text)."""


@dataclass(frozen=True, slots=True)
class Window:
    """A named range of study days, both ends inclusive; study days skip 0."""

    name: str
    first: int
    last: int

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise WindowError("window: the name is blank")
        if self.first > self.last:
            raise WindowError(f"window {self.name!r}: FIRST {self.first} is after LAST {self.last}")
        if self.first <= 0 <= self.last:
            raise WindowError(
                f"window {self.name!r}: {self.first}:{self.last} contains day 0, which does not exist "
                "(day 1 is the start date, day -1 the day before)"
            )

    @property
    def days(self) -> int:
        """Calendar days in the window (never includes a day 0)."""
        return self.last - self.first + 1


#: Four-week baseline before the start date, the three four-week blocks of a 12-week
#: treatment and the whole treatment period (the 28-day Timeline Followback baseline and
#: 12-week treatment of e.g. Addolorato 2011, Alcohol Alcohol 46:312).
DEFAULT_WINDOWS: Final[tuple[Window, ...]] = (
    Window("baseline", -28, -1),
    Window("week1-4", 1, 28),
    Window("week5-8", 29, 56),
    Window("week9-12", 57, 84),
    Window("treatment", 1, 84),
)


def parse_window(text: str) -> Window:
    """Window from ``NAME:FIRST:LAST`` text.

    >>> parse_window("baseline:-28:-1")
    Window(name='baseline', first=-28, last=-1)
    """
    parts = text.rsplit(":", 2)
    if len(parts) != 3:
        raise WindowError(f"window {text!r}: expected NAME:FIRST:LAST, e.g. baseline:-28:-1")
    name, first, last = parts
    try:
        return Window(name.strip(), int(first), int(last))
    except ValueError as exc:
        if isinstance(exc, WindowError):
            raise
        raise WindowError(f"window {text!r}: FIRST and LAST must be whole study days, e.g. -28:-1") from None


def check_windows(windows: Sequence[Window]) -> None:
    """Raise unless there is at least one window and no two share a name."""
    if not windows:
        raise WindowError("windows: at least one window is needed")
    seen: set[str] = set()
    for window in windows:
        if window.name in seen:
            raise WindowError(f"window {window.name!r}: the name is used twice")
        seen.add(window.name)


def _expr(column: pl.Expr | str) -> pl.Expr:
    return pl.col(column) if isinstance(column, str) else column


def study_day(date: pl.Expr | str, start_date: pl.Expr | str) -> pl.Expr:
    """Study day of ``date`` for a patient who started on ``start_date``: 1, 2, ... or -1, -2, ...

    There is no day 0: the start date is day 1 and the day before it is day -1.

    >>> import datetime as dt
    >>> frame = pl.DataFrame({"date": [dt.date(2024, 3, 1), dt.date(2024, 3, 2), dt.date(2024, 3, 3)]})
    >>> frame.select(study_day("date", pl.lit(dt.date(2024, 3, 2)))).to_series().to_list()
    [-1, 1, 2]
    """
    # Whole days between the dates from their physical form (days since 1970) instead of a
    # Duration: the same number, a tenth of the work on a cohort diary. Days on or after
    # the start move up by one, which skips day 0.
    offset = (_expr(date).cast(pl.Date).to_physical() - _expr(start_date).cast(pl.Date).to_physical()).cast(
        pl.Int64
    )
    return (offset + (offset >= 0).cast(pl.Int64)).alias("study_day")


def _drink_grams_by_patient(patients: pl.DataFrame) -> pl.Expr:
    """Grams per standard drink of each patient's country, from STANDARD_DRINK_GRAMS."""
    sizes = {country.value: grams for country, grams in STANDARD_DRINK_GRAMS.items()}
    return pl.col("country").replace_strict(sizes, return_dtype=pl.Float64)


def diary_grams_from_drinks(diary: pl.DataFrame, patients: pl.DataFrame) -> pl.DataFrame:
    """``diary`` with a ``grams`` column: its ``drinks`` times the drink size of each patient's country.

    Blank drinks stay blank (not reported). Rows keep their order; other columns are kept.
    Raises :class:`~baclotrack.core.diaryframe.DiaryFrameError` for a patient not in ``patients``.
    """
    validate_diary(diary, amount="drinks")
    patients = with_default_country(patients)
    validate_patients(patients)
    check_patients_known(diary, patients)
    sizes = patients.select("patient_id", _drink_grams_by_patient(patients).alias("__drink_g__"))
    return (
        diary.join(sizes, on="patient_id", how="left", maintain_order="left")
        .with_columns(grams=pl.col("drinks").cast(pl.Float64) * pl.col("__drink_g__"))
        .drop("__drink_g__")
    )


def _patient_rules(patients: pl.DataFrame, heavy: HeavyDayDefinition) -> pl.DataFrame:
    """Per patient: integer key, start date, drink size, heavy-day threshold and WHO bounds."""
    women, men = WHO_LEVEL_UPPER_BOUNDS_G["F"], WHO_LEVEL_UPPER_BOUNDS_G["M"]
    by_sex = {"F": heavy.threshold("F"), "M": heavy.threshold("M")}
    return patients.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("_patient"),
        "patient_id",
        "start_date",
        _drink_grams_by_patient(patients).alias("_drink_g"),
        pl.col("sex").replace_strict(by_sex, return_dtype=pl.Float64).alias("_heavy_g"),
        *(
            pl.when(pl.col("sex") == "F").then(f).otherwise(m).alias(f"_who{i}_g")
            for i, (f, m) in enumerate(zip(women, men, strict=True), start=1)
        ),
    )


def heavy_day_expr(grams: pl.Expr, threshold: pl.Expr, heavy: HeavyDayDefinition) -> pl.Expr:
    """Vectorised ``heavy.is_heavy``: the same edge and tolerance as the scalar rule in guidelines."""
    if heavy.inclusive:
        return grams >= threshold - THRESHOLD_TOLERANCE_G
    return grams > threshold + THRESHOLD_TOLERANCE_G


#: Fixed-point scale for exact sums: every amount of at least 2**-8 g (or drinks) is a whole
#: multiple of 2**-60, so x * 2**60 is an exact integer and 128-bit integer sums of those are
#: exact. See _exact_total.
_FIXED_POINT: Final = 2.0**60


def _fixed_point(amount: pl.Expr) -> pl.Expr:
    return (amount * _FIXED_POINT).cast(pl.Int128)


def _exact_total(fixed_point_sum: pl.Expr) -> pl.Expr:
    """A float sum that does not depend on row order or threads: the exact sum, rounded once.

    Floating-point addition is not associative and polars adds in an order that varies
    with joins and threads, so plain sums can differ in the last digit between runs. The
    exact total rounded once is what math.fsum gives and, for diary-sized sums, what R's
    sum() gives with its extended-precision accumulator (docs/decisions/0022).
    """
    return fixed_point_sum.cast(pl.Float64) / _FIXED_POINT


def _segments(windows: Sequence[Window]) -> tuple[list[int], pl.DataFrame]:
    """Cut the study days at every window edge: (segment starts, which windows hold which segment).

    Each day then falls in at most one segment, so one pass over the diary sums every
    segment, and a window's totals are the sum of its segments' (exact, since counts and
    fixed-point totals are integers). Overlapping windows (week1-4 within treatment) cost
    nothing extra.
    """
    edges = sorted({w.first for w in windows} | {w.last + 1 for w in windows})
    pairs = [
        (segment, order)
        for segment, (begin, end) in enumerate(pairwise(edges))
        for order, w in enumerate(windows)
        if w.first <= begin and end - 1 <= w.last
    ]
    cover = pl.DataFrame(pairs, schema={"_segment": pl.Int64, "_window": pl.UInt32}, orient="row")
    return edges, cover


def _window_totals(
    diary: pl.DataFrame,
    patient_key: pl.Series,
    rules: pl.DataFrame,
    heavy: HeavyDayDefinition,
    windows: Sequence[Window],
) -> pl.LazyFrame:
    """Counts and exact totals per patient and window, for patients with a diary row in it."""
    edges, cover = _segments(windows)
    kinds = ("grams", "drinks") if "drinks" in diary.columns else ("grams",)
    sums = [pl.col(c).sum() for c in ("_reported", "_drinking", "_heavy", *(f"_{k}_fx" for k in kinds))]
    return (
        _diary_days(diary, patient_key, rules, heavy, edges, cover.get_column("_segment").unique().to_list())
        .group_by("_patient", "_segment")
        .agg(sums)
        .join(cover.lazy(), on="_segment")  # a segment shared by windows counts in each
        .group_by("_patient", "_window")
        .agg(pl.exclude("_segment").sum())
        .select(
            "_patient",
            "_window",
            pl.col("_reported").alias("days_reported"),
            pl.col("_drinking").alias("drinking_days"),
            pl.col("_heavy").alias("hdd"),
            *(_exact_total(pl.col(f"_{k}_fx")).alias(f"_{k}_total") for k in kinds),
        )
    )


def _who_level(grams_per_day: pl.Expr, drinking_days: pl.Expr) -> pl.Expr:
    """WHO risk level of grams per day, bounds inclusive (WHO_LEVEL_UPPER_BOUNDS_G via _patient_rules)."""
    tol = THRESHOLD_TOLERANCE_G
    return (
        pl.when(grams_per_day.is_null())
        .then(None)
        .when(drinking_days == 0)
        .then(pl.lit(int(WhoRiskLevel.ABSTINENT)))
        .when(grams_per_day <= pl.col("_who1_g") + tol)
        .then(pl.lit(int(WhoRiskLevel.LOW)))
        .when(grams_per_day <= pl.col("_who2_g") + tol)
        .then(pl.lit(int(WhoRiskLevel.MEDIUM)))
        .when(grams_per_day <= pl.col("_who3_g") + tol)
        .then(pl.lit(int(WhoRiskLevel.HIGH)))
        .otherwise(pl.lit(int(WhoRiskLevel.VERY_HIGH)))
        .cast(pl.Int64)
    )


def _diary_days(
    diary: pl.DataFrame,
    patient_key: pl.Series,
    rules: pl.DataFrame,
    heavy: HeavyDayDefinition,
    edges: list[int],
    used: list[int],
) -> pl.LazyFrame:
    """Diary days inside some window: patient key, segment, the day's flags and fixed-point amounts.

    Days outside every window are dropped as soon as their study day is known, before the
    per-day work; in a year-long diary with the default windows that is two thirds of it.
    """
    # Drinks as entered, when the diary has them, so that drinks per day is the plain mean
    # of the entries (as R's mean() gives it) rather than grams divided back by drink size.
    drinks = (
        [_fixed_point(pl.col("drinks").cast(pl.Float64)).alias("_drinks_fx")]
        if "drinks" in diary.columns
        else []
    )
    segment = pl.lit(pl.Series(edges, dtype=pl.Int64)).search_sorted(
        study_day("date", "start_date"), side="right"
    )
    grams = pl.col("grams").cast(pl.Float64)
    # Each patient's start date and threshold by position (an eager gather, cheap), so the
    # lazy query below is column arithmetic only and runs in parallel.
    keyed = diary.select(
        "date",
        "grams",
        *(["drinks"] if drinks else []),
        patient_key.alias("_patient"),
        rules.get_column("start_date").gather(patient_key).alias("start_date"),
        rules.get_column("_heavy_g").gather(patient_key).alias("_heavy_g"),
    )
    return (
        keyed.lazy()
        .with_columns(_segment=segment.cast(pl.Int64) - 1)
        .filter(pl.col("_segment").is_in(used))
        .select(
            "_patient",
            "_segment",
            _fixed_point(grams).alias("_grams_fx"),
            *drinks,
            grams.is_not_null().alias("_reported"),
            (grams > 0).alias("_drinking"),
            heavy_day_expr(grams, pl.col("_heavy_g"), heavy).alias("_heavy"),
        )
    )


def _patient_key(diary: pl.DataFrame, patients: pl.DataFrame) -> pl.Series:
    """Row number in ``patients`` of each diary row's patient; raises for a patient not there.

    A cast to an Enum of the (unique) patient ids is one lookup per diary row, several times
    cheaper than joining the diary to the patient table on a text key.
    """
    ids = pl.Enum(patients.get_column("patient_id"))
    key = diary.get_column("patient_id").cast(ids, strict=False)
    if key.null_count():
        check_patients_known(diary, patients)
    return key.to_physical().alias("_patient")


def _check_drinks_match_grams(diary: pl.DataFrame) -> None:
    """A diary with both drinks and grams must leave the same days blank in both."""
    if "drinks" not in diary.columns:
        return
    validate_diary(diary, amount="drinks")
    mismatch = diary.select(
        (pl.col("drinks").is_null() != pl.col("grams").is_null()).arg_true().first()
    ).item()
    if mismatch is not None:
        raise DiaryFrameError(
            f"diary, data row {mismatch + 1}, columns drinks and grams: one is blank and the other is not"
        )


def compute_endpoints(
    diary: pl.DataFrame,
    patients: pl.DataFrame,
    windows: Sequence[Window] = DEFAULT_WINDOWS,
    heavy: HeavyDayDefinition = DEFAULT_HEAVY_DAY,
) -> pl.DataFrame:
    """Endpoints per patient and window, columns :data:`ENDPOINT_COLUMNS`.

    ``diary``: patient_id (str), date (date), grams (float; null = not reported), and
    optionally drinks (as entered, in the country's standard drinks, e.g. from
    :func:`diary_grams_from_drinks`; then drinks figures are means of these rather than of
    grams / drink size); other columns are ignored. ``patients``: patient_id, sex (F/M),
    start_date (date), country (US when absent). Every patient gets a row per window, diary
    or not, sorted by patient_id, then in the order of ``windows``. Bad input raises an
    InputError subclass naming the row and column.
    """
    check_windows(windows)
    patients = with_default_country(patients)
    validate_patients(patients)
    validate_diary(diary, amount="grams")
    _check_drinks_match_grams(diary)

    rules = _patient_rules(patients, heavy)
    frame = pl.DataFrame(
        {
            "_window": pl.Series(range(len(windows)), dtype=pl.UInt32),
            "window": [w.name for w in windows],
            "days": pl.Series([w.days for w in windows], dtype=pl.Int64),
        }
    )
    counts = ("days_reported", "drinking_days", "hdd")
    with_drinks = "drinks" in diary.columns
    drinks_total = pl.col("_drinks_total") if with_drinks else pl.col("_grams_total") / pl.col("_drink_g")
    totals = _window_totals(diary, _patient_key(diary, patients), rules, heavy, windows)
    return (
        rules.lazy()
        .join(frame.lazy(), how="cross")
        .join(totals, on=["_patient", "_window"], how="left")
        .with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)
        .select(*_endpoint_columns(drinks_total), "_window")
        .sort("patient_id", "_window")
        .drop("_window")
        .collect()
    )


def _endpoint_columns(drinks_total: pl.Expr) -> list[pl.Expr]:
    """The output columns from per-window counts and totals; null where nothing can be computed."""
    reported, drinking = pl.col("days_reported"), pl.col("drinking_days")
    grams_per_day = pl.when(reported > 0).then(pl.col("_grams_total") / reported)
    return [
        pl.col("patient_id"),
        pl.col("window"),
        pl.col("days"),
        reported,
        drinking,
        pl.when(reported > 0).then(100.0 * (reported - drinking) / reported).alias("pda"),
        pl.col("hdd"),
        pl.when(reported > 0).then(100.0 * pl.col("hdd") / reported).alias("phdd"),
        pl.when(reported > 0).then(drinks_total / reported).alias("drinks_per_day"),
        pl.when(drinking > 0).then(drinks_total / drinking).alias("drinks_per_drinking_day"),
        grams_per_day.alias("grams_per_day"),
        _who_level(grams_per_day, drinking).alias("who_level"),
    ]
