"""Validation of the diary and patient tables that the endpoint calculations read.

The tables are polars DataFrames already parsed into their types (reading files, with every
bad cell of a file listed, is the job of :mod:`baclotrack.exchange.diary_csv`). Every check
is vectorised; only when a check fails is the offending row looked up, so a clean cohort of
millions of diary days costs a few passes over the columns.

Rows are named by their 1-based position in the frame ("data row 3" is the third row
under the header of the file the frame was read from). ``source`` names the table in
messages: the CLI passes the file name, other callers may keep the default.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from typing import Final

import polars as pl

from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import DEFAULT_COUNTRY, Country

#: Sex codes the heavy-day and WHO-level thresholds are defined for (core/guidelines.py).
SEX_CODES: tuple[str, ...] = ("F", "M")

#: Largest amount a diary day may hold, in its own unit (grams or drinks). Not a clinical
#: limit (that is a plausibility question for the data-entry layer): a million grams is a
#: tonne of ethanol, so anything above is a typing or unit error, and the bound keeps the
#: exact 128-bit sums of core/endpoints.py far from overflow.
MAX_DIARY_AMOUNT: Final = 1_000_000.0

_ROW = "__row__"


class DiaryFrameError(InputError):
    """A diary or patient table that cannot be used: the message names table, row and column."""


def _first_row(frame: pl.DataFrame, bad: pl.Expr) -> tuple[int, dict[str, object]] | None:
    """1-based data row number and values of the first row where ``bad`` holds, if any."""
    # One cheap pass to ask whether any row is bad; numbering rows costs a column the
    # size of the table, so it is paid only when there is something to report.
    if not frame.select(bad.any()).item():
        return None
    values = frame.with_row_index(_ROW, offset=1).filter(bad).row(0, named=True)
    return int(values.pop(_ROW)), values


def _require_columns(frame: pl.DataFrame, columns: dict[str, tuple[pl.DataType, ...]], source: str) -> None:
    for column, dtypes in columns.items():
        if column not in frame.columns:
            raise DiaryFrameError(
                f"{source}: column {column!r} is missing (columns: {', '.join(frame.columns)})"
            )
        dtype = frame.schema[column]
        if not any(dtype == wanted for wanted in dtypes):
            names = " or ".join(str(d) for d in dtypes)
            raise DiaryFrameError(f"{source}: column {column!r} must be {names}, got {dtype}")


def _reject(frame: pl.DataFrame, bad: pl.Expr, source: str, column: str, problem: str) -> None:
    found = _first_row(frame, bad)
    if found is not None:
        row, values = found
        raise DiaryFrameError(
            f"{source}, data row {row}, column {column}: {problem} (got {values[column]!r})"
        )


def _strictly_ascending(keys: Sequence[str]) -> pl.Expr:
    """True when every row sorts strictly after the one before it by ``keys`` (no nulls)."""
    later: pl.Expr = pl.lit(False)
    for key in reversed(keys):
        column, before = pl.col(key), pl.col(key).shift()
        later = (column > before) | ((column == before) & later)
    return later.slice(1).all()


def _reject_duplicates(frame: pl.DataFrame, keys: Sequence[str], source: str) -> None:
    """Raise naming the first two data rows that share the same ``keys``."""
    # Two screens that prove there is no duplicate without comparing rows in a hash table:
    # rows strictly ascending by the keys (how diaries are usually exported), else as many
    # distinct hashes as rows (equal rows have equal hashes). Only when both fail are the
    # rows whose hash repeats compared exactly.
    if frame.height < 2 or frame.select(_strictly_ascending(keys)).item():
        return
    hashed = reduce(lambda a, b: a.xor(b), (pl.col(k).hash(seed=i) for i, k in enumerate(keys)))
    if frame.select(hashed.n_unique()).item() == frame.height:
        return
    dupes = (
        frame.select(*keys)
        .with_row_index(_ROW, offset=1)
        .filter(hashed.is_duplicated())
        .group_by(*keys, maintain_order=True)
        .agg(pl.col(_ROW).head(2))
        .filter(pl.col(_ROW).list.len() == 2)
        .sort(pl.col(_ROW).list.first())
    )
    if dupes.height == 0:  # only a hash collision
        return
    found = dupes.row(0, named=True)
    first, second = found[_ROW]
    what = " and ".join(f"{k} {found[k]!s}" for k in keys)
    raise DiaryFrameError(
        f"{source}: data rows {first} and {second} are duplicates: both give {what} "
        f"(columns {', '.join(keys)})"
    )


def with_default_country(patients: pl.DataFrame) -> pl.DataFrame:
    """``patients`` with a ``country`` column, :data:`DEFAULT_COUNTRY` (US) when the table has none."""
    if "country" in patients.columns:
        return patients
    return patients.with_columns(country=pl.lit(DEFAULT_COUNTRY.value, dtype=pl.String))


def validate_patients(patients: pl.DataFrame, source: str = "patients") -> None:
    """Check a patient table: patient_id (str, unique), sex (F or M), start_date (date), country.

    ``country`` may be absent (then US, see :func:`with_default_country`); when present every
    value must be a known code (US, UK, FR, AU, CA, WHO).
    """
    patients = with_default_country(patients)
    _require_columns(
        patients,
        {
            "patient_id": (pl.String(),),
            "sex": (pl.String(),),
            "start_date": (pl.Date(),),
            "country": (pl.String(),),
        },
        source,
    )
    _reject(patients, pl.col("patient_id").is_null(), source, "patient_id", "is blank")
    _reject(
        patients, ~pl.col("sex").is_in(SEX_CODES) | pl.col("sex").is_null(), source, "sex", "must be F or M"
    )
    _reject(patients, pl.col("start_date").is_null(), source, "start_date", "is blank")
    known = [c.value for c in Country]
    _reject(
        patients,
        ~pl.col("country").is_in(known) | pl.col("country").is_null(),
        source,
        "country",
        f"unknown country code (known: {', '.join(known)})",
    )
    _reject_duplicates(patients, ["patient_id"], source)


def validate_diary(diary: pl.DataFrame, amount: str = "grams", source: str = "diary") -> None:
    """Check a diary table: patient_id (str), date (date), ``amount`` (numeric, null = not reported).

    Amounts must be finite and not negative; a (patient_id, date) pair may appear only once,
    because two entries for one day cannot both be the day's total.
    """
    numeric = (
        pl.Float64(),
        pl.Float32(),
        pl.Int64(),
        pl.Int32(),
        pl.Int16(),
        pl.Int8(),
        pl.UInt32(),
        pl.Null(),
    )
    _require_columns(diary, {"patient_id": (pl.String(),), "date": (pl.Date(),), amount: numeric}, source)
    _reject(diary, pl.col("patient_id").is_null(), source, "patient_id", "is blank")
    _reject(diary, pl.col("date").is_null(), source, "date", "is blank")
    value = pl.col(amount).cast(pl.Float64)
    _reject(diary, value.is_nan() | value.is_infinite(), source, amount, "must be a finite number")
    _reject(diary, value < 0, source, amount, "must not be negative")
    _reject(diary, value > MAX_DIARY_AMOUNT, source, amount, f"is more than {MAX_DIARY_AMOUNT:,.0f}")
    _reject_duplicates(diary, ["patient_id", "date"], source)


def check_patients_known(
    diary: pl.DataFrame, patients: pl.DataFrame, source: str = "diary", patients_source: str = "patients"
) -> None:
    """Raise naming the first diary row whose patient_id is not in the patient table."""
    unknown = ~pl.col("patient_id").is_in(patients.get_column("patient_id").implode())
    found = _first_row(diary.select("patient_id"), unknown)
    if found is not None:
        row, values = found
        raise DiaryFrameError(
            f"{source}, data row {row}, column patient_id: patient {values['patient_id']!r} "
            f"is not in {patients_source}"
        )
