"""The CLI's diary and patient tables (DIARY.csv, PATIENTS.csv) read from files.

The files are checked whole by the same machinery as the clinic's imports
(:mod:`baclotrack.exchange.csv_table`, formats in :mod:`baclotrack.exchange.csv_formats`):
every bad cell is listed as file, 1-based data row (the first row under the header is data
row 1) and column, in one :class:`~baclotrack.exchange.csv_table.CsvFormatError`. Columns
the command does not use are ignored. The frames then pass the core's checks
(:mod:`baclotrack.core.diaryframe`), which every caller of the endpoints relies on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import polars as pl

from baclotrack.core.diaryframe import validate_diary, validate_patients, with_default_country
from baclotrack.core.errors import InputError
from baclotrack.exchange.csv_formats import (
    ANALYSIS_DIARY_FORMAT,
    ANALYSIS_PATIENTS_FORMAT,
    DOSE_RESPONSE_DIARY_FORMAT,
    DOSE_RESPONSE_PATIENTS_FORMAT,
)
from baclotrack.exchange.csv_table import (
    DEFAULT_LIMITS,
    CsvFormat,
    CsvFormatError,
    RowProblem,
    finish,
    validate_table,
)


def _read_table(path: Path, fmt: CsvFormat) -> pl.DataFrame:
    """The columns of ``fmt`` that the file has, parsed, or every problem of the file raised."""
    source = str(path)
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise  # the CLI names the missing file
    except OSError as exc:
        problem = RowProblem(None, None, f"cannot be read ({exc.strerror or exc})")
        raise CsvFormatError(source, [problem], fmt.outcome) from None
    # These files describe the past or a simulated future: no date is refused as "after today".
    frame, errors, warnings = validate_table(content, fmt, source, dt.date.max, DEFAULT_LIMITS)
    return finish(fmt, frame, errors, warnings, source)[0]


def read_diary_csv(path: Path) -> pl.DataFrame:
    """Diary rows (patient_id, date, drinks) in file order; a blank drinks cell is null.

    Other columns are ignored. Raises :class:`CsvFormatError` listing every blank patient_id
    or date, date not written YYYY-MM-DD, drinks value that is not a finite number of 0 or
    more, and repeated patient and date.
    """
    diary = _read_table(path, ANALYSIS_DIARY_FORMAT)
    validate_diary(diary, amount="drinks", source=str(path))
    return diary


def read_patients_csv(path: Path, fmt: CsvFormat = ANALYSIS_PATIENTS_FORMAT) -> pl.DataFrame:
    """Patients (patient_id, sex, start_date, country and the other columns of ``fmt``) in file order.

    ``sex`` and ``country`` are upper-cased; without a country column every patient is US.
    Raises :class:`CsvFormatError` listing every blank or repeated patient_id, sex other than
    F or M, bad start_date and unknown or blank country.
    """
    patients = with_default_country(_read_table(path, fmt)).select(fmt.names)
    validate_patients(patients, source=str(path))
    return patients


def _unknown_patients(diary: pl.DataFrame, patients: pl.DataFrame, patients_source: str) -> list[RowProblem]:
    unknown = ~pl.col("patient_id").is_in(patients.get_column("patient_id").implode())
    rows = diary.select("patient_id").with_row_index("row", offset=1).filter(unknown)
    return [
        RowProblem(int(row), "patient_id", f"patient {patient!r} is not in {patients_source}")
        for row, patient in rows.iter_rows()
    ]


def _both(
    read_diary: Callable[[], pl.DataFrame], read_patients: Callable[[], pl.DataFrame]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Both tables, or the problems of both files reported together, so one run names every row to fix."""
    refusals: list[CsvFormatError] = []
    try:
        patients = read_patients()
    except CsvFormatError as refused:
        refusals.append(refused)
    try:
        diary = read_diary()
    except CsvFormatError as refused:
        refusals.append(refused)
    if len(refusals) > 1:
        raise InputError("\n".join(str(refused) for refused in refusals))
    if refusals:
        raise refusals[0]
    return diary, patients


def read_diary_and_patients(
    diary_path: Path, patients_path: Path, patients_format: CsvFormat = ANALYSIS_PATIENTS_FORMAT
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Both tables, checked against each other: every diary patient must be in the patient file.

    The problems of both files are reported together, so one run names every row to fix.
    """
    diary, patients = _both(
        lambda: read_diary_csv(diary_path), lambda: read_patients_csv(patients_path, patients_format)
    )
    unknown = _unknown_patients(diary, patients, str(patients_path))
    if unknown:
        raise CsvFormatError(str(diary_path), unknown, ANALYSIS_DIARY_FORMAT.outcome)
    return diary, patients


def read_dose_response_tables(diary_path: Path, patients_path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """DIARY.csv and PATIENTS.csv of ``baclotrack doseresponse`` (formats in csv_formats.py), every
    problem of both files reported at once; a patient without a country is US, as elsewhere."""
    return _both(
        lambda: _read_table(diary_path, DOSE_RESPONSE_DIARY_FORMAT),
        lambda: with_default_country(_read_table(patients_path, DOSE_RESPONSE_PATIENTS_FORMAT)),
    )
