"""CSV import and export formats: daily diaries, baseline drinking calendars, visits and drink logs.

Every reader validates the WHOLE file before it returns anything. Impossible values
(negative drinks, craving 11, a severity of 4, a date after ``today``) are collected for
every row and raised together as one :class:`CsvFormatError`; implausible but possible
values (more than 40 drinks in a day, a dose above 300 mg/day) come back as
``warnings`` that the person importing must confirm. Nothing is returned half-read.

The writers produce the same formats in a canonical spelling (columns in the documented
order, ISO dates, numbers without trailing zeros), so ``write(read(text)) == text`` for
every canonical file. The formats are documented in docs/data-formats.md; the diary is
the ``baclotrack endpoints`` DIARY.csv (patient_id, date, drinks) with optional columns.

The CLI's analysis tables (:data:`ANALYSIS_DIARY_FORMAT`, :data:`ANALYSIS_PATIENTS_FORMAT`,
:data:`TRIAL_PATIENTS_FORMAT`, read from files by :mod:`baclotrack.exchange.diary_csv`) are
formats of the same kind built from the same columns: they read only the columns they need
and ignore the others, so a simulated or exported file with more columns is accepted.

Rows are named by their 1-based position under the header ("data row 3"), as in
:mod:`baclotrack.core.diaryframe`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Final

import polars as pl

from baclotrack.core.alcohol import MAX_ABV_PERCENT, drinks_to_grams
from baclotrack.core.diary import (
    MAX_DOSE_MG_PER_DAY,
    MAX_GRAMS_PER_DAY,
    MAX_RATING,
    MAX_SEVERITY,
    SIDE_EFFECTS,
    DiaryDay,
)
from baclotrack.core.diaryframe import MAX_DIARY_AMOUNT, SEX_CODES, validate_diary
from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import ETHANOL_DENSITY_G_PER_ML, STANDARD_DRINK_GRAMS, Country
from baclotrack.core.i18n import N_, Message
from baclotrack.core.instruments import INSTRUMENTS
from baclotrack.exchange.csv_table import (
    DEFAULT_LIMITS,
    Column,
    CsvFormat,
    CsvFormatError,
    CsvImport,
    PlausibilityLimits,
    RowProblem,
    finish,
    validate_table,
    write_table,
)

__all__ = [
    "ANALYSIS_DIARY_FORMAT",
    "ANALYSIS_PATIENTS_FORMAT",
    "BASELINE_FORMAT",
    "DIARY_FORMAT",
    "DOSE_RESPONSE_DIARY_FORMAT",
    "DOSE_RESPONSE_PATIENTS_FORMAT",
    "DRINK_LOG_FORMAT",
    "PATIENT_COLUMNS",
    "TRIAL_PATIENTS_FORMAT",
    "VISITS_FORMAT",
    "BaselineImport",
    "CsvFormatError",
    "DiaryImport",
    "DrinkLogImport",
    "PlausibilityLimits",
    "RowProblem",
    "VisitsImport",
    "daily_grams",
    "to_diary_days",
    "validate_baseline_csv",
    "validate_diary_csv",
    "validate_drink_log_csv",
    "validate_visits_csv",
    "write_baseline_csv",
    "write_diary_csv",
    "write_drink_log_csv",
    "write_visits_csv",
]

#: More standard drinks than this in one day is impossible whatever the country: even in the
#: smallest standard drink (the 8 g UK unit) it exceeds MAX_GRAMS_PER_DAY (core/diary.py).
MAX_DRINKS_PER_DAY: Final = MAX_GRAMS_PER_DAY / min(STANDARD_DRINK_GRAMS.values())

#: Days of drinking a baseline calendar covers: the 28-day Timeline Followback before the
#: start date (the baseline window of core/endpoints.py DEFAULT_WINDOWS).
BASELINE_DAYS: Final = 28


class DiaryImport(CsvImport):
    """A validated diary file (see :func:`validate_diary_csv`)."""


class BaselineImport(CsvImport):
    """A validated baseline drinking calendar (see :func:`validate_baseline_csv`)."""


class DrinkLogImport(CsvImport):
    """A validated drink log, one row per drink (see :func:`validate_drink_log_csv`)."""


class VisitsImport(CsvImport):
    """A validated visits file; instrument columns hold item answers as lists (validate_visits_csv)."""


def _side_effect_columns() -> tuple[Column, ...]:
    return tuple(
        Column(
            name,
            "integer",
            maximum=MAX_SEVERITY,
            what=Message(N_("a severity from 0 (none) to {maximum} (severe)"), {"maximum": MAX_SEVERITY}),
        )
        for name in SIDE_EFFECTS
    )


_PATIENT = Column("patient_id", "id", required=True, filled=True)
_DATE = Column("date", "date", required=True, filled=True)
_DRINKS = Column(
    "drinks", "number", required=True, maximum=MAX_DRINKS_PER_DAY, plausible=lambda lim: lim.drinks_per_day
)
_DOSE = Column("dose_mg", "number", maximum=MAX_DOSE_MG_PER_DAY, plausible=lambda lim: lim.dose_mg_per_day)
_RATING = Message(N_("a whole number from 0 to {maximum}"), {"maximum": MAX_RATING})

DIARY_FORMAT: Final = CsvFormat(
    "diary",
    (
        _PATIENT,
        _DATE,
        _DRINKS,
        _DOSE,
        Column("craving", "integer", maximum=MAX_RATING, what=_RATING),
        Column("anxiety", "integer", maximum=MAX_RATING, what=_RATING),
        Column("note", "text"),
        *_side_effect_columns(),
    ),
)

BASELINE_FORMAT: Final = CsvFormat("baseline calendar", (_PATIENT, _DATE, _DRINKS))

#: The columns every patient table has (the CLI's PATIENTS.csv, the clinic's patients.csv).
#: Country is optional here (US when the column is absent, core/diaryframe.py); a country
#: column must be filled, so that a blank cell is never silently read as US.
PATIENT_COLUMNS: Final = (
    _PATIENT,
    Column("sex", "code", required=True, filled=True, choices=SEX_CODES),
    Column("start_date", "date", required=True, filled=True),
    Column("country", "code", filled=True, choices=tuple(c.value for c in Country)),
)

#: DIARY.csv of `baclotrack endpoints`, `trial`: patient_id, date, drinks; other columns ignored.
#: Any amount up to the core's MAX_DIARY_AMOUNT is read: these files are analysed, not entered,
#: so the importer's plausibility questions do not apply.
ANALYSIS_DIARY_FORMAT: Final = CsvFormat(
    "analysis diary",
    (_PATIENT, _DATE, replace(_DRINKS, maximum=MAX_DIARY_AMOUNT, plausible=None)),
    other_columns="ignore",
    outcome=None,
)

#: PATIENTS.csv of `baclotrack endpoints`: patient_id, sex, start_date, country; others ignored.
ANALYSIS_PATIENTS_FORMAT: Final = CsvFormat(
    "analysis patients", PATIENT_COLUMNS, unique=("patient_id",), other_columns="ignore", outcome=None
)

#: DIARY.csv of `baclotrack doseresponse`: the day's drinks (standard drinks) or grams, the dose
#: taken and the craving (a blank cell is a day not reported), and anxiety; other columns ignored.
#: Whether drinks or grams is there is the analysis's check (analysis/doseresponse.py).
DOSE_RESPONSE_DIARY_FORMAT: Final = CsvFormat(
    "dose-response diary",
    (
        _PATIENT,
        _DATE,
        replace(_DRINKS, required=False, maximum=MAX_DIARY_AMOUNT, plausible=None),
        Column("grams", "number", maximum=MAX_DIARY_AMOUNT),
        replace(_DOSE, required=True, plausible=None),
        Column("craving", "integer", required=True, maximum=MAX_RATING, what=_RATING),
        Column("anxiety", "integer", maximum=MAX_RATING, what=_RATING),
    ),
    other_columns="ignore",
    outcome=None,
)

#: PATIENTS.csv of `baclotrack doseresponse`: patient_id, sex, country (US when the column is
#: absent) and weight_kg (optional, for mg/kg/day); no start date is needed.
DOSE_RESPONSE_PATIENTS_FORMAT: Final = CsvFormat(
    "dose-response patients",
    (
        *(c for c in PATIENT_COLUMNS if c.name != "start_date"),
        Column("weight_kg", "number", what=Message(N_("a weight in kg (a number of 0 or more)"))),
    ),
    unique=("patient_id",),
    other_columns="ignore",
    outcome=None,
)

#: PATIENTS.csv of `baclotrack trial`: the patient columns plus each patient's arm and the arm's
#: daily dose (blank for an arm titrated per patient; docs/methods/trial-analysis.md).
TRIAL_PATIENTS_FORMAT: Final = replace(
    ANALYSIS_PATIENTS_FORMAT,
    name="trial patients",
    columns=(
        *PATIENT_COLUMNS,
        Column("arm", "id", required=True),
        Column("dose_mg", "number", required=True),
    ),
)


def _grams_of_drink() -> pl.Expr:
    """Grams of ethanol of each logged drink: ml x ABV/100 x density (core/guidelines.py)."""
    return pl.col("volume_ml") * pl.col("abv_percent") / 100.0 * ETHANOL_DENSITY_G_PER_ML


def _day_within_gram_limit(frame: pl.DataFrame) -> list[RowProblem]:
    """A problem for each patient-day whose logged drinks add up to more than MAX_GRAMS_PER_DAY."""
    if frame.height == 0 or frame.select(pl.col("volume_ml").is_null().all()).item():
        return []
    days = (
        frame.with_row_index("__row__", offset=1)
        .drop_nulls(["patient_id", "date"])
        .group_by("patient_id", "date")
        .agg(_grams_of_drink().sum().alias("grams"), pl.col("__row__").min().alias("first"))
        .filter(pl.col("grams") > MAX_GRAMS_PER_DAY)
        .sort("first")
    )
    return [
        RowProblem.said(
            int(first),
            "volume_ml",
            Message(
                N_(
                    "patient {patient} on {date}: the drinks logged add up to {grams:.0f} g of ethanol; "
                    "more than {maximum:g} g in a day is impossible"
                ),
                {"patient": repr(patient), "date": str(date), "grams": grams, "maximum": MAX_GRAMS_PER_DAY},
            ),
        )
        for patient, date, grams, first in days.iter_rows()
    ]


#: A drink log lists each drink (a volume and its strength), several per day; see
#: :func:`validate_drink_log_csv`. ABV above 100 % is impossible (core/alcohol.py MAX_ABV_PERCENT).
DRINK_LOG_FORMAT: Final = CsvFormat(
    "drink log",
    (
        _PATIENT,
        _DATE,
        Column(
            "volume_ml", "number", required=True, filled=True, what=Message(N_("a volume in ml, 0 or more"))
        ),
        Column(
            "abv_percent",
            "number",
            required=True,
            filled=True,
            maximum=MAX_ABV_PERCENT,
            what=Message(
                N_("a strength from 0 to {maximum:g} % alcohol by volume"), {"maximum": MAX_ABV_PERCENT}
            ),
        ),
        Column("beverage", "text"),
    ),
    (_day_within_gram_limit,),
    unique=(),
)


def _reason_needs_dose(frame: pl.DataFrame) -> list[RowProblem]:
    if "dose_reason" not in frame.columns:
        return []
    dose = pl.col("dose_mg_per_day") if "dose_mg_per_day" in frame.columns else pl.lit(None)
    hits = frame.with_row_index("__row__", offset=1).filter(
        pl.col("dose_reason").is_not_null() & dose.is_null()
    )
    return [
        RowProblem.said(int(r), "dose_reason", Message(N_("a reason is given but dose_mg_per_day is blank")))
        for r in hits["__row__"]
    ]


VISITS_FORMAT: Final = CsvFormat(
    "visits",
    (
        _PATIENT,
        _DATE,
        *(Column(instrument_id, "answers") for instrument_id in INSTRUMENTS),
        Column(
            "dose_mg_per_day",
            "number",
            maximum=MAX_DOSE_MG_PER_DAY,
            plausible=lambda lim: lim.dose_mg_per_day,
        ),
        Column("dose_reason", "text"),
        *_side_effect_columns(),
    ),
    (_reason_needs_dose,),
)


def validate_diary_csv(
    text: str | bytes,
    *,
    today: dt.date,
    source: str = "diary",
    limits: PlausibilityLimits = DEFAULT_LIMITS,
) -> DiaryImport:
    """Read and validate a diary CSV (docs/data-formats.md, "Diary").

    Required columns: patient_id, date (YYYY-MM-DD, not after ``today``), drinks (standard
    drinks of the client's country; blank = not reported). Optional: dose_mg (taken that day),
    craving and anxiety (0-10), note, and one column per side effect in
    :data:`baclotrack.core.diary.SIDE_EFFECTS` with a severity 0-3. Raises
    :class:`CsvFormatError` listing every bad row; the frame keeps only the columns the file had,
    in canonical order, and passes :func:`baclotrack.core.diaryframe.validate_diary`.
    """
    frame, errors, warnings = validate_table(text, DIARY_FORMAT, source, today, limits)
    frame, cautions = finish(DIARY_FORMAT, frame, errors, warnings, source)
    validate_diary(frame, amount="drinks", source=source)
    return DiaryImport(frame, cautions)


def validate_baseline_csv(
    text: str | bytes,
    *,
    today: dt.date,
    start_dates: Mapping[str, dt.date] | None = None,
    source: str = "baseline calendar",
    limits: PlausibilityLimits = DEFAULT_LIMITS,
) -> BaselineImport:
    """Read and validate a baseline drinking calendar: patient_id, date, drinks.

    With ``start_dates`` (patient_id -> treatment start), every patient must be known and every
    date must fall in the :data:`BASELINE_DAYS` days before that start (study days -28 to -1);
    a patient whose calendar covers fewer days gets a warning, because the missing days are
    not reported (never counted as abstinent).
    """
    frame, errors, warnings = validate_table(text, BASELINE_FORMAT, source, today, limits)
    if start_dates is not None:
        errors += _baseline_window_problems(frame, start_dates)
        warnings += _baseline_coverage_warnings(frame, start_dates)
    frame, cautions = finish(BASELINE_FORMAT, frame, errors, warnings, source)
    validate_diary(frame, amount="drinks", source=source)
    return BaselineImport(frame, cautions)


def _baseline_window_problems(frame: pl.DataFrame, start_dates: Mapping[str, dt.date]) -> list[RowProblem]:
    problems: list[RowProblem] = []
    for row, (patient, date) in enumerate(frame.select("patient_id", "date").iter_rows(), start=1):
        if patient is None or date is None:
            continue
        start = start_dates.get(patient)
        if start is None:
            no_start = Message(N_("patient {patient} has no start date"), {"patient": repr(patient)})
            problems.append(RowProblem.said(row, "patient_id", no_start))
        elif not start - dt.timedelta(days=BASELINE_DAYS) <= date < start:
            first = start - dt.timedelta(days=BASELINE_DAYS)
            problems.append(
                RowProblem.said(
                    row,
                    "date",
                    Message(
                        N_(
                            "{date} is not in the {days} days before the start date {start} "
                            "({first} to {last})"
                        ),
                        {
                            "date": str(date),
                            "days": BASELINE_DAYS,
                            "start": str(start),
                            "first": str(first),
                            "last": str(start - dt.timedelta(days=1)),
                        },
                    ),
                )
            )
    return problems


def _baseline_coverage_warnings(frame: pl.DataFrame, start_dates: Mapping[str, dt.date]) -> list[RowProblem]:
    reported = frame.filter(pl.col("drinks").is_not_null()).group_by("patient_id").len()
    counts = dict(reported.iter_rows())
    return [
        RowProblem.said(
            None,
            "drinks",
            Message(
                N_(
                    "patient {patient}: {reported} of {days} baseline days reported; the others count "
                    "as not reported, never as abstinent"
                ),
                {"patient": repr(patient), "reported": counts.get(patient, 0), "days": BASELINE_DAYS},
            ),
        )
        for patient in sorted(set(frame.get_column("patient_id").drop_nulls()))
        if patient in start_dates and counts.get(patient, 0) < BASELINE_DAYS
    ]


def validate_visits_csv(
    text: str | bytes,
    *,
    today: dt.date,
    source: str = "visits",
    limits: PlausibilityLimits = DEFAULT_LIMITS,
) -> VisitsImport:
    """Read and validate a visits CSV: one row per patient and visit date.

    Optional columns: one per instrument id in :data:`baclotrack.core.instruments.INSTRUMENTS`
    holding the item answers in item order separated by spaces (validated by the instrument;
    totals are not stored, they are scored by the core), dose_mg_per_day (the dose decided),
    dose_reason (why; needs a dose), and one severity column (0-3) per side effect.
    """
    frame, errors, warnings = validate_table(text, VISITS_FORMAT, source, today, limits)
    frame, cautions = finish(VISITS_FORMAT, frame, errors, warnings, source)
    return VisitsImport(frame, cautions)


def validate_drink_log_csv(
    text: str | bytes,
    *,
    today: dt.date,
    source: str = "drink log",
    limits: PlausibilityLimits = DEFAULT_LIMITS,
) -> DrinkLogImport:
    """Read and validate a drink log: patient_id, date, volume_ml, abv_percent, optional beverage.

    Each row is one drink, so a day may have several rows. Volumes must be 0 or more, strengths
    0-100 % ABV, and a day's drinks may not add up to more than 1000 g of ethanol. Turn the log
    into daily grams with :func:`daily_grams`.
    """
    frame, errors, warnings = validate_table(text, DRINK_LOG_FORMAT, source, today, limits)
    frame, cautions = finish(DRINK_LOG_FORMAT, frame, errors, warnings, source)
    return DrinkLogImport(frame, cautions)


def daily_grams(drink_log: pl.DataFrame) -> pl.DataFrame:
    """Grams of ethanol per patient and day from a validated drink log (columns patient_id, date, grams)."""
    return (
        drink_log.group_by("patient_id", "date")
        .agg(_grams_of_drink().sum().alias("grams"))
        .sort("patient_id", "date")
    )


def to_diary_days(
    diary: pl.DataFrame, countries: Mapping[str, Country | str] | Country | str
) -> dict[str, list[DiaryDay]]:
    """A validated diary frame as :class:`~baclotrack.core.diary.DiaryDay` records per patient.

    Drinks become grams with the standard drink of each patient's country (``countries`` maps
    patient_id to a country, or gives one country for all). Notes are not part of a DiaryDay and
    stay in the frame. Raises :class:`CsvFormatError` listing every row the core refuses (for
    example 80 US drinks, more than 1000 g) or whose patient has no country.
    """
    days: dict[str, list[DiaryDay]] = {}
    problems: list[RowProblem] = []
    effects = [name for name in SIDE_EFFECTS if name in diary.columns]
    for row, values in enumerate(diary.iter_rows(named=True), start=1):
        patient = values["patient_id"]
        country = countries.get(patient) if isinstance(countries, Mapping) else countries
        if country is None:
            no_country = Message(N_("patient {patient} has no country"), {"patient": repr(patient)})
            problems.append(RowProblem.said(row, "patient_id", no_country))
            continue
        try:
            drinks = values["drinks"]
            day = DiaryDay(
                date=values["date"],
                grams=None if drinks is None else drinks_to_grams(drinks, country),
                craving=values.get("craving"),
                anxiety=values.get("anxiety"),
                dose_taken_mg=values.get("dose_mg"),
                side_effects={name: values[name] for name in effects if values[name] is not None},
            )
        except InputError as exc:
            problems.append(RowProblem.refused(row, None, exc))
            continue
        days.setdefault(patient, []).append(day)
    if problems:
        raise CsvFormatError("diary", problems)
    return {patient: sorted(entries, key=lambda d: d.date) for patient, entries in days.items()}


def write_diary_csv(frame: pl.DataFrame) -> str:
    """A diary frame (as :func:`validate_diary_csv` returns) as canonical diary CSV text."""
    return write_table(frame, DIARY_FORMAT)


def write_baseline_csv(frame: pl.DataFrame) -> str:
    """A baseline calendar frame as canonical CSV text (patient_id, date, drinks)."""
    return write_table(frame, BASELINE_FORMAT)


def write_visits_csv(frame: pl.DataFrame) -> str:
    """A visits frame (as :func:`validate_visits_csv` returns) as canonical visits CSV text."""
    return write_table(frame, VISITS_FORMAT)


def write_drink_log_csv(frame: pl.DataFrame) -> str:
    """A drink log frame as canonical CSV text."""
    return write_table(frame, DRINK_LOG_FORMAT)
