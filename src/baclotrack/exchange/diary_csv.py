"""Diary and patient tables from CSV files, and CSV output written all-or-nothing.

Every value is read as text and parsed here, so that a bad value is reported with the
file, the 1-based data row (the first row under the header is data row 1, line 2 of a
file without quoted line breaks) and the column, instead of a parser's generic error.
The checks that do not depend on the file format (sex and country codes, duplicates,
unknown patients) are the core's, in :mod:`baclotrack.core.diaryframe`.
"""

from __future__ import annotations

import csv
import errno
import os
from pathlib import Path

import polars as pl

from baclotrack.core.diaryframe import (
    check_patients_known,
    validate_diary,
    validate_patients,
    with_default_country,
)
from baclotrack.core.errors import InputError
from baclotrack.exchange.files import write_bytes_atomically

DIARY_COLUMNS = ("patient_id", "date", "drinks")
PATIENT_COLUMNS = ("patient_id", "sex", "start_date")
DATE_FORMAT = "%Y-%m-%d"

_ROW = "__row__"


class CsvFileError(InputError):
    """A CSV file that cannot be read as the table it should be."""


def _read_text_table(path: Path, required: tuple[str, ...]) -> pl.DataFrame:
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except FileNotFoundError:
        # polars does not say which file; the CLI prints exc.filename.
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path)) from None
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        ragged = _first_ragged_record(path)
        if ragged is not None:
            record, fields, expected = ragged
            raise CsvFileError(
                f"{path}, data row {record}: has {fields} fields but the header has {expected}"
            ) from None
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CsvFileError(f"{path}: cannot be read as CSV: {first_line}") from None
    frame = frame.rename({name: name.strip() for name in frame.columns})
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise CsvFileError(
            f"{path}: column {', '.join(missing)} is missing (header has: {', '.join(frame.columns)})"
        )
    # Surrounding spaces are never meaningful in these columns; a cell of spaces is blank.
    stripped = (pl.col(c).str.strip_chars() for c in frame.columns)
    return frame.with_columns(stripped).with_columns(
        pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in frame.columns
    )


def _first_ragged_record(path: Path) -> tuple[int, int, int] | None:
    """(data row, fields, header fields) of the first record whose width differs from the header.

    Only called after polars has refused the file, to say where; the csv module is slow
    but reads quoted fields the same way.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            records = csv.reader(handle)
            header = next(records, None)
            if header is None:
                return None
            for number, record in enumerate(records, start=1):
                if record and len(record) != len(header):
                    return number, len(record), len(header)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return None


def _fail_first(frame: pl.DataFrame, bad: pl.Expr, path: Path, column: str, problem: str) -> None:
    """Raise naming the first data row where ``bad`` holds, showing the text as written."""
    if not frame.select(bad.any()).item():
        return
    hit = frame.with_row_index(_ROW, offset=1).filter(bad).row(0, named=True)
    raise CsvFileError(f"{path}, data row {hit[_ROW]}, column {column}: {problem} (got {hit[column]!r})")


def _parse_dates(frame: pl.DataFrame, column: str, path: Path) -> pl.Expr:
    _fail_first(frame, pl.col(column).is_null(), path, column, "is blank")
    parsed = pl.col(column).str.strptime(pl.Date, DATE_FORMAT, strict=False)
    _fail_first(frame, parsed.is_null(), path, column, "is not a date written YYYY-MM-DD")
    return parsed.alias(column)


def read_diary_csv(path: Path) -> pl.DataFrame:
    """Diary rows (patient_id, date, drinks) in file order; a blank drinks cell is null.

    Other columns are dropped. Raises an InputError naming file, data row and column for
    a blank patient_id, a bad date, a drinks value that is not a finite number of 0 or
    more, or two rows for the same patient and date.
    """
    frame = _read_text_table(path, DIARY_COLUMNS).select(DIARY_COLUMNS)
    _fail_first(frame, pl.col("patient_id").is_null(), path, "patient_id", "is blank")
    drinks = pl.col("drinks").cast(pl.Float64, strict=False)
    not_number = (pl.col("drinks").is_not_null() & drinks.is_null()) | drinks.is_nan() | drinks.is_infinite()
    _fail_first(frame, not_number, path, "drinks", "is not a number of standard drinks")
    _fail_first(frame, drinks < 0, path, "drinks", "must not be negative")
    diary = frame.with_columns(_parse_dates(frame, "date", path), drinks)
    validate_diary(diary, amount="drinks", source=str(path))
    return diary


def read_patients_csv(path: Path) -> pl.DataFrame:
    """Patients (patient_id, sex, start_date, country) in file order.

    ``sex`` and ``country`` are upper-cased; without a country column every patient is
    US. Raises an InputError naming file, data row and column for a blank or repeated
    patient_id, a sex other than F or M, a bad start_date or an unknown country.
    """
    frame = with_default_country(_read_text_table(path, PATIENT_COLUMNS))
    frame = frame.select(
        "patient_id",
        pl.col("sex").str.to_uppercase(),
        "start_date",
        pl.col("country").str.to_uppercase(),
    )
    _fail_first(frame, pl.col("country").is_null(), path, "country", "is blank (leave the column out for US)")
    patients = frame.with_columns(_parse_dates(frame, "start_date", path))
    validate_patients(patients, source=str(path))
    return patients


def read_diary_and_patients(diary_path: Path, patients_path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Both tables, checked against each other: every diary patient must be in the patient file."""
    patients = read_patients_csv(patients_path)
    diary = read_diary_csv(diary_path)
    check_patients_known(diary, patients, source=str(diary_path), patients_source=str(patients_path))
    return diary, patients


def write_csv_atomically(frame: pl.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` as CSV (nulls as blank cells), all or nothing (exchange/files.py)."""
    write_bytes_atomically(frame.write_csv(), path)
