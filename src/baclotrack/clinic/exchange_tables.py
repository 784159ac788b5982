"""A caseload as the CSV tables of docs/data-formats.md, and as the research-export input tables.

Read side only: this module turns model rows into rows of the exchange formats
(:mod:`baclotrack.exchange.csv_formats`) and writes nothing to the database. The import
services (:mod:`baclotrack.clinic.services.exchange`) compare an uploaded row with the row the
stored record gives here, so "unchanged" means "would export as the same row" and re-importing
an exported file changes nothing.

The patient table is the ``PATIENTS.csv`` of ``baclotrack endpoints`` (patient_id, sex,
start_date, country) with the clinic's extra columns; its ranges come from the Client model's
validators, their one home.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Final

import polars as pl

from baclotrack.clinic.models import Assessment, Caution, Client, DiaryDay, DiarySource, Visit
from baclotrack.core.alcohol import standard_drink_grams
from baclotrack.core.diary import SIDE_EFFECTS
from baclotrack.core.errors import InputError
from baclotrack.core.i18n import N_, Message
from baclotrack.core.instruments import INSTRUMENTS
from baclotrack.core.plausibility import PlausibilityLimits
from baclotrack.core.titration.caps import Jurisdiction
from baclotrack.exchange.csv_formats import (
    BASELINE_FORMAT,
    DIARY_FORMAT,
    PATIENT_COLUMNS,
    VISITS_FORMAT,
    write_baseline_csv,
    write_diary_csv,
    write_visits_csv,
)
from baclotrack.exchange.csv_table import (
    Column,
    CsvFormat,
    CsvImport,
    RowProblem,
    finish,
    validate_table,
    write_table,
)

#: Standard drinks are written with 3 decimals (a thousandth of a drink is 0.008-0.014 g of
#: ethanol). Rounding makes the export stable: grams -> drinks -> grams -> drinks gives the same
#: text, which floating-point division alone does not promise (decision 0110).
DRINKS_DECIMALS: Final = 3

#: File names of a caseload export, in the order an import applies them (clients first).
PATIENTS_FILE: Final = "patients.csv"
BASELINE_FILE: Final = "baseline_calendar.csv"
DIARY_FILE: Final = "diary.csv"
VISITS_FILE: Final = "visits.csv"
CASELOAD_FILES: Final = (PATIENTS_FILE, BASELINE_FILE, DIARY_FILE, VISITS_FILE)
#: The kind of each file, as `baclotrack import KIND` names it.
FILE_KINDS: Final = {
    "patients": PATIENTS_FILE,
    "baseline": BASELINE_FILE,
    "diary": DIARY_FILE,
    "visits": VISITS_FILE,
}
#: Largest file read out of an uploaded zip: a guard against a small zip that unpacks to gigabytes.
MAX_UNZIPPED_BYTES: Final = 50_000_000

#: Length of the baseline calendar: the 28 days before treatment start (services/diary.py).
BASELINE_DAYS: Final = 28


def _model_range(field: str) -> tuple[float, float]:
    """(minimum, maximum) of a Client field, from the model's validators (their one home)."""
    validators = Client._meta.get_field(field).validators  # type: ignore[union-attr]
    bounds: dict[str, float] = {type(v).__name__: getattr(v, "limit_value", 0.0) for v in validators}
    return float(bounds["MinValueValidator"]), float(bounds["MaxValueValidator"])


def _range_problems(frame: pl.DataFrame) -> list[RowProblem]:
    problems: list[RowProblem] = []
    for name in ("birth_year", "weight_kg", "creatinine_clearance"):
        if name not in frame.columns:
            continue
        low, high = _model_range(name)
        for row, value in enumerate(frame.get_column(name).to_list(), start=1):
            if value is not None and not low <= value <= high:
                problems.append(RowProblem(row, name, f"must be from {low:g} to {high:g} (got {value:g})"))
    return problems


def _caution_problems(frame: pl.DataFrame) -> list[RowProblem]:
    if "cautions" not in frame.columns:
        return []
    problems: list[RowProblem] = []
    cautions = set(Caution.values)
    for row, listed in enumerate(frame.get_column("cautions").to_list(), start=1):
        for caution in (listed or "").split():
            if caution not in cautions:
                known = ", ".join(cautions)
                problems.append(RowProblem(row, "cautions", f"unknown caution {caution!r} (known: {known})"))
    return problems


#: The clinic's patient table: the endpoints PATIENTS.csv columns first (their codes and dates
#: checked as the CLI checks them, csv_formats.PATIENT_COLUMNS), then the record's own.
_PATIENT_ID, _SEX, _START_DATE, _COUNTRY = PATIENT_COLUMNS
PATIENTS_FORMAT: Final = CsvFormat(
    "patients",
    (
        _PATIENT_ID,
        _SEX,
        _START_DATE,
        replace(_COUNTRY, required=True),
        # Optional, so that files written before decision 0175 still import (the prescribing
        # country then defaults to the standard-drink country's); filled when present.
        Column("prescribing_country", "code", filled=True, choices=tuple(j.value for j in Jurisdiction)),
        Column("birth_year", "integer", required=True, filled=True),
        Column("weight_kg", "number", required=True, filled=True),
        Column("creatinine_clearance", "number"),
        Column("cautions", "id", what=Message(N_("caution ids separated by spaces"))),
    ),
    (_caution_problems, _range_problems),
    unique=("patient_id",),
)


class PatientsImport(CsvImport):
    """A validated patients file (see :func:`validate_patients_csv`)."""


def validate_patients_csv(text: str | bytes, *, source: str = PATIENTS_FILE) -> PatientsImport:
    """Read and validate the whole patients file; :class:`CsvFormatError` lists every bad row.

    A start date may lie in the future (a planned start), so no "after today" check applies.
    """
    frame, errors, warnings = validate_table(text, PATIENTS_FORMAT, source, dt.date.max, PlausibilityLimits())
    frame, cautions = finish(PATIENTS_FORMAT, frame, errors, warnings, source)
    return PatientsImport(frame, cautions)


# -- rows of stored records ------------------------------------------------------------------------
def drinks_of(grams: float, country: str) -> float:
    return round(grams / standard_drink_grams(country), DRINKS_DECIMALS)


def patient_row(client: Client) -> dict[str, Any]:
    return {
        "patient_id": client.code,
        "sex": client.sex,
        "start_date": client.treatment_start,
        "country": client.country,
        "prescribing_country": client.prescribing_country,
        "birth_year": client.birth_year,
        "weight_kg": float(client.weight_kg),
        "creatinine_clearance": client.creatinine_clearance,
        "cautions": " ".join(sorted(client.cautions)) or None,
    }


def diary_row(code: str, country: str, date: dt.date, values: Mapping[str, Any]) -> dict[str, Any]:
    """A diary day's row; ``values`` are DiaryDay field values (grams, doses_mg, craving, ...)."""
    effects = values.get("side_effects") or {}
    return {
        "patient_id": code,
        "date": date,
        "drinks": drinks_of(float(values["grams"]), country),
        "dose_mg": float(sum(values["doses_mg"])) if values.get("doses_mg") else None,
        "craving": values.get("craving"),
        "anxiety": values.get("anxiety"),
        "note": values.get("note") or None,
        **{name: effects.get(name) or None for name in SIDE_EFFECTS},
    }


def baseline_row(code: str, country: str, date: dt.date, grams: float) -> dict[str, Any]:
    return {"patient_id": code, "date": date, "drinks": drinks_of(grams, country)}


def diary_values(day: DiaryDay) -> dict[str, Any]:
    return {
        "grams": day.grams,
        "doses_mg": day.doses_mg,
        "craving": day.craving,
        "anxiety": day.anxiety,
        "note": day.note,
        "side_effects": day.side_effects,
    }


def is_baseline_day(client: Client, day: DiaryDay) -> bool:
    """Baseline calendar days go to baseline_calendar.csv: entered as baseline, in the 28-day window."""
    first = client.treatment_start - dt.timedelta(days=BASELINE_DAYS)
    return day.source == DiarySource.BASELINE and first <= day.date < client.treatment_start


def visit_row(
    code: str, date: dt.date, visit: Visit | None, assessments: Iterable[Assessment]
) -> dict[str, Any]:
    """The visits.csv row of one date: the last visit recorded that day and the last answers per
    instrument. A "continue the plan" visit has no dose of its own, so its dose cell is blank."""
    row: dict[str, Any] = {"patient_id": code, "date": date}
    row |= dict.fromkeys(INSTRUMENTS)
    for assessment in assessments:
        row[assessment.instrument] = answers_list(assessment.answers)
    decided = visit is not None and visit.decision != "continue"
    row["dose_mg_per_day"] = float(visit.dose_mg) if decided and visit is not None else None
    row["dose_reason"] = visit.reason if decided and visit is not None else None
    effects = visit.side_effects if visit is not None else {}
    row |= {name: effects.get(name) or None for name in SIDE_EFFECTS}
    return row


def answers_list(answers: Mapping[str, Any]) -> list[int]:
    """Stored answers {"1": 4, "2": 3, ...} in item order."""
    return [int(answers[key]) for key in sorted(answers, key=int)]


def client_visit_rows(client: Client) -> dict[dt.date, dict[str, Any]]:
    """visits.csv rows of one client by date (visits and questionnaires of the same day merge)."""
    visits: dict[dt.date, Visit] = {}
    for visit in client.visits.filter(deleted_at__isnull=True).order_by("date", "created_at", "pk"):
        visits[visit.date] = visit  # the last one recorded that day
    by_date: dict[dt.date, dict[str, Assessment]] = {}
    for assessment in client.assessments.filter(deleted_at__isnull=True).order_by("date", "created_at", "pk"):
        by_date.setdefault(assessment.date, {})[assessment.instrument] = assessment
    dates = sorted(set(visits) | set(by_date))
    return {
        date: visit_row(client.code, date, visits.get(date), by_date.get(date, {}).values()) for date in dates
    }


# -- whole tables ------------------------------------------------------------------------------------
def _frame(rows: list[dict[str, Any]], fmt: CsvFormat) -> pl.DataFrame:
    schema = {c.name: c.dtype for c in fmt.columns}
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def caseload_frames(clients: Sequence[Client]) -> dict[str, pl.DataFrame]:
    """The four tables of a caseload, rows sorted by client code then date."""
    ordered = sorted(clients, key=lambda c: c.code)
    patients: list[dict[str, Any]] = []
    diary: list[dict[str, Any]] = []
    baseline: list[dict[str, Any]] = []
    visits: list[dict[str, Any]] = []
    for client in ordered:
        patients.append(patient_row(client))
        for day in client.diary_days.filter(deleted_at__isnull=True).order_by("date"):
            if is_baseline_day(client, day):
                baseline.append(baseline_row(client.code, client.country, day.date, day.grams))
            else:
                diary.append(diary_row(client.code, client.country, day.date, diary_values(day)))
        visits.extend(client_visit_rows(client).values())
    return {
        PATIENTS_FILE: _frame(patients, PATIENTS_FORMAT),
        BASELINE_FILE: _frame(baseline, BASELINE_FORMAT),
        DIARY_FILE: _frame(diary, DIARY_FORMAT),
        VISITS_FILE: _frame(visits, VISITS_FORMAT),
    }


def caseload_csv(clients: Sequence[Client]) -> dict[str, str]:
    """The caseload as CSV texts by file name (the canonical spelling of csv_formats.py)."""
    frames = caseload_frames(clients)
    return {
        PATIENTS_FILE: write_table(frames[PATIENTS_FILE], PATIENTS_FORMAT),
        BASELINE_FILE: write_baseline_csv(frames[BASELINE_FILE]),
        DIARY_FILE: write_diary_csv(frames[DIARY_FILE]),
        VISITS_FILE: write_visits_csv(frames[VISITS_FILE]),
    }


#: A fixed time stamp for zip members, so the same caseload gives the same zip bytes.
ZIP_TIMESTAMP: Final = (2000, 1, 1, 0, 0, 0)


class CaseloadArchiveError(InputError):
    """A caseload zip that cannot be read, or holds none of the caseload files."""


def caseload_zip_files(data: bytes, source: str) -> list[tuple[str, str, bytes]]:
    """(kind, name, content) of the caseload files in a zip (as :func:`caseload_zip` writes it);
    files it does not hold are skipped, other members ignored."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise CaseloadArchiveError(f"{source}: not a zip file") from None
    with archive:
        members = {info.filename: info for info in archive.infolist()}
        found = []
        for kind, name in FILE_KINDS.items():
            info = members.get(name)
            if info is None:
                continue
            if info.file_size > MAX_UNZIPPED_BYTES:
                raise CaseloadArchiveError(f"{source}: {name} is larger than {MAX_UNZIPPED_BYTES} bytes")
            found.append((kind, name, archive.read(info)))
    if not found:
        raise CaseloadArchiveError(f"{source}: holds none of {', '.join(CASELOAD_FILES)}")
    return found


def caseload_zip(clients: Sequence[Client]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in caseload_csv(clients).items():
            archive.writestr(zipfile.ZipInfo(name, ZIP_TIMESTAMP), text.encode("utf-8"))
    return buffer.getvalue()


# -- research export input -----------------------------------------------------------------------------
def research_tables(clients: Sequence[Client]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(patients, diary) as :func:`baclotrack.exchange.research.deidentify` takes them: the
    endpoints tables plus birth year, weight, dose, craving and anxiety. Drinks are not rounded.
    Client codes are the patient ids here; ``deidentify`` replaces them by study ids."""
    patient_schema = {
        "patient_id": pl.Utf8,
        "sex": pl.Utf8,
        "start_date": pl.Date,
        "country": pl.Utf8,
        "birth_year": pl.Int64,
        "weight_kg": pl.Float64,
    }
    patients = pl.DataFrame(
        [(c.code, c.sex, c.treatment_start, c.country, c.birth_year, float(c.weight_kg)) for c in clients],
        schema=patient_schema,
        orient="row",
    )
    sizes = {c.pk: (c.code, standard_drink_grams(c.country)) for c in clients}
    days = DiaryDay.objects.filter(client__in=list(clients), deleted_at__isnull=True).order_by(
        "client_id", "date"
    )
    rows = [
        (
            sizes[d.client_id][0],
            d.date,
            d.grams / sizes[d.client_id][1],
            float(sum(d.doses_mg)) if d.doses_mg else None,
            d.craving,
            d.anxiety,
        )
        for d in days
    ]
    diary_schema = {
        "patient_id": pl.Utf8,
        "date": pl.Date,
        "drinks": pl.Float64,
        "dose_mg": pl.Float64,
        "craving": pl.Int64,
        "anxiety": pl.Int64,
    }
    return patients, pl.DataFrame(rows, schema=diary_schema, orient="row")
