"""The machinery shared by baclotrack's CSV formats: typed columns, whole-file checks, canonical writing.

A format (:class:`CsvFormat`) is a tuple of :class:`Column` declarations. :func:`validate_table`
reads every cell as text, parses each column with vectorised polars expressions and collects
every impossible value as a :class:`RowProblem` (data row, column, reason) and every implausible
one as a warning; :func:`finish` raises one :class:`CsvFormatError` carrying all problems, so a
caller never gets half a file. :func:`write_table` writes a frame back in the canonical spelling
that reads back to the same bytes. The formats themselves are in
:mod:`baclotrack.exchange.csv_formats`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

import polars as pl

from baclotrack.core.errors import InputError
from baclotrack.core.i18n import N_, Message, refusal_of
from baclotrack.core.instruments import INSTRUMENTS, InstrumentInputError

# The limits' one home is the core (the web forms use them too); re-exported for the CSV formats.
from baclotrack.core.plausibility import DEFAULT_LIMITS as DEFAULT_LIMITS
from baclotrack.core.plausibility import PlausibilityLimits as PlausibilityLimits

#: Most problems listed in an error message; the full list is on the exception.
MAX_PROBLEMS_IN_MESSAGE: Final = 20


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One problem in a CSV file: the data row (None for the whole file), the column and why."""

    row: int | None
    column: str | None
    reason: str
    #: The reason as a core message, which the web shows in the reader's language (decision 0170);
    #: None where only the English text is known (a refusal the core raised without a message).
    message: Message | None = field(default=None, compare=False)

    @classmethod
    def said(cls, row: int | None, column: str | None, message: Message) -> RowProblem:
        """The problem whose reason is ``message`` (its English text is the ``reason``)."""
        return cls(row, column, message.text(), message)

    @classmethod
    def refused(cls, row: int | None, column: str | None, error: InputError) -> RowProblem:
        """The problem that a core refusal ``error`` states, kept as its message when it has one."""
        said = refusal_of(error)
        return cls.said(row, column, said) if isinstance(said, Message) else cls(row, column, said)

    def __str__(self) -> str:
        where = [] if self.row is None else [f"data row {self.row}"]
        where += [] if self.column is None else [f"column {self.column}"]
        return f"{', '.join(where) or 'file'}: {self.reason}"


#: What an import says happened to a refused file; readers that import nothing say nothing.
IMPORT_REFUSED: Final = "nothing was imported"


class CsvFormatError(InputError):
    """A CSV file with bad rows or columns; ``problems`` lists every one of them.

    ``outcome`` follows the count in the message ("2 problems, nothing was imported"); None
    leaves it out, for readers such as the CLI's that import nothing.
    """

    def __init__(
        self, source: str, problems: Sequence[RowProblem], outcome: str | None = IMPORT_REFUSED
    ) -> None:
        self.source = source
        self.problems = tuple(problems)
        shown = [f"  {p}" for p in self.problems[:MAX_PROBLEMS_IN_MESSAGE]]
        more = len(self.problems) - len(shown)
        if more:
            shown.append(f"  ... and {more} more")
        count = f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        said = count if outcome is None else f"{count}, {outcome}"
        super().__init__(f"{source}: {said}:\n" + "\n".join(shown))


@dataclass(frozen=True)
class CsvImport:
    """A validated file: typed ``frame`` plus warnings that need the importer's confirmation."""

    frame: pl.DataFrame
    warnings: tuple[RowProblem, ...] = ()

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.warnings)


#: How a column's cells are read. "code" is an identifier from a fixed list (``choices``), compared
#: upper-cased ("f" is F), so a spreadsheet's spelling of a sex or country code is accepted.
Kind = Literal["id", "code", "date", "number", "integer", "text", "answers"]
_DTYPES: Final[dict[Kind, pl.DataType]] = {
    "id": pl.String(),
    "code": pl.String(),
    "date": pl.Date(),
    "number": pl.Float64(),
    "integer": pl.Int64(),
    "text": pl.String(),
    "answers": pl.List(pl.Int64),
}


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a format: its type, whether it must be present and filled, and its range."""

    name: str
    kind: Kind
    required: bool = False
    filled: bool = False
    maximum: float | None = None
    plausible: Callable[[PlausibilityLimits], float] | None = None
    #: What a valid value is ("a rating from 0 to 10"), for the problem "must be ...".
    what: Message | None = None
    choices: tuple[str, ...] = ()

    @property
    def dtype(self) -> pl.DataType:
        """The polars type of the parsed column (the type a frame to write should have)."""
        return _DTYPES[self.kind]


@dataclass(frozen=True)
class CsvFormat:
    """A CSV format: its columns in canonical order."""

    name: str
    columns: tuple[Column, ...]
    extra_checks: tuple[Callable[[pl.DataFrame], list[RowProblem]], ...] = field(default=())
    #: Columns no two rows may share: a patient's day (a day's totals), a patient (a patient
    #: table), or nothing (a drink log has several rows per day).
    unique: tuple[str, ...] = ("patient_id", "date")
    #: Whether a column the format does not know is refused (an import, where a misspelt column
    #: would lose data) or ignored (the CLI's tables, which read a few columns of richer files).
    other_columns: Literal["refuse", "ignore"] = "refuse"
    #: What the message of a refused file says happened (see :class:`CsvFormatError`).
    outcome: str | None = IMPORT_REFUSED

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


# -- reading ---------------------------------------------------------------------------------------


def _read_text(text: str | bytes, source: str, outcome: str | None) -> pl.DataFrame:
    """All cells as text; a UTF-8 byte-order mark (as Excel writes) is dropped."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            problem = RowProblem.said(
                None, None, Message(N_("not UTF-8 text ({reason})"), {"reason": exc.reason})
            )
            raise CsvFormatError(source, [problem], outcome) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        problem = RowProblem.said(None, None, Message(N_("the file is empty (a header row is needed)")))
        raise CsvFormatError(source, [problem], outcome)
    # Spreadsheets often write "patient_id, date": names are compared without surrounding spaces.
    names = [name.strip() for name in next(csv.reader(io.StringIO(text)))]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        twice = [RowProblem.said(None, name, Message(N_("column appears twice"))) for name in repeated]
        raise CsvFormatError(source, twice, outcome)
    try:
        return pl.read_csv(io.StringIO(text), infer_schema=False, new_columns=names)
    except pl.exceptions.PolarsError as exc:
        # polars stops at the first bad record without saying where; the csv module finds them all.
        ragged = [
            RowProblem.said(
                row,
                None,
                Message(
                    N_("has {fields} fields but the header has {names}"),
                    {"fields": len(record), "names": len(names)},
                ),
            )
            for row, record in enumerate(csv.reader(io.StringIO(text)), start=0)
            if row > 0 and record and len(record) != len(names)
        ]
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        unreadable = [
            RowProblem.said(
                None, None, Message(N_("not a readable CSV file ({error})"), {"error": first_line})
            )
        ]
        raise CsvFormatError(source, ragged or unreadable, outcome) from None


def _check_header(frame: pl.DataFrame, fmt: CsvFormat) -> list[RowProblem]:
    problems = [
        RowProblem.said(None, c.name, Message(N_("column is missing")))
        for c in fmt.columns
        if c.required and c.name not in frame
    ]
    refused = fmt.other_columns == "refuse"
    unknown = [name for name in frame.columns if refused and name not in fmt.names]
    problems += [
        RowProblem.said(
            None, name, Message(N_("unknown column (known: {known})"), {"known": ", ".join(fmt.names)})
        )
        for name in unknown
    ]
    return problems


def _rows_where(
    frame: pl.DataFrame, bad: pl.Expr, column: str, reason: Callable[[str], Message]
) -> list[RowProblem]:
    """A problem for every row where ``bad`` holds; ``reason`` gets the cell text."""
    hits = frame.with_row_index("__row__", offset=1).filter(bad.fill_null(False))
    return [
        RowProblem.said(int(r), column, reason(t))
        for r, t in zip(hits["__row__"], hits[f"{column}__text"], strict=True)
    ]


def _got(problem: Message | str) -> Callable[[str], Message]:
    """The problem followed by the cell as read; a quoted core refusal without a message is a str."""
    return lambda cell: Message(N_("{problem} (got {cell})"), {"problem": problem, "cell": repr(cell)})


def _must_be(what: Message) -> Message:
    return Message(N_("must be {what}"), {"what": what})


def _parse_column(
    frame: pl.DataFrame, column: Column, today: dt.date, limits: PlausibilityLimits
) -> tuple[pl.Series, list[RowProblem], list[RowProblem]]:
    """The parsed column, its impossible values (errors) and its implausible ones (warnings)."""
    name = column.name
    raw = pl.col(f"{name}__text")
    # Free text keeps its spaces; everything else is compared without them.
    text = raw if column.kind == "text" else raw.str.strip_chars()
    if column.kind == "code":
        text = text.str.to_uppercase()
    blank = text.is_null() | (text == "")
    parsed: pl.Expr
    if column.kind == "date":
        parsed = text.str.to_date("%Y-%m-%d", strict=False)
    elif column.kind == "number":
        parsed = text.cast(pl.Float64, strict=False)
    elif column.kind == "integer":
        parsed = text.cast(pl.Int64, strict=False)
    else:
        parsed = pl.when(blank).then(None).otherwise(text)
    work = frame.select(pl.col(name).alias(f"{name}__text")).with_columns(
        parsed.alias(name), blank.alias("__blank")
    )
    value = pl.col(name)
    errors: list[RowProblem] = []
    if column.filled:
        errors += _rows_where(work, pl.col("__blank"), name, lambda _t: Message(N_("is blank")))
    unparsed = value.is_null() & ~pl.col("__blank")
    if column.choices:
        known = sorted(column.choices)
        allowed = (
            Message(N_("{first} or {second}"), {"first": known[0], "second": known[1]})
            if len(known) == 2
            else Message(N_("one of {choices}"), {"choices": ", ".join(known)})
        )
        errors += _rows_where(work, ~value.is_in(known), name, _got(_must_be(column.what or allowed)))
    if column.kind == "date":
        errors += _rows_where(work, unparsed, name, _got(Message(N_("not a date (YYYY-MM-DD)"))))
        future = Message(N_("is in the future (after {today})"), {"today": today.isoformat()})
        errors += _rows_where(work, value > today, name, _got(future))
    elif column.kind in ("number", "integer"):
        errors += _rows_where(work, unparsed, name, _got(_must_be(column.what or Message(N_("a number")))))
        if column.kind == "number":
            errors += _rows_where(
                work, value.is_nan() | value.is_infinite(), name, _got(Message(N_("must be a finite number")))
            )
            # "-inf" is already reported as not finite; do not report it again as negative.
            value = pl.when(value.is_finite()).then(value)
        # Ratings and severities name their whole scale; amounts say which end was crossed.
        too_low = _must_be(column.what) if column.what else Message(N_("must not be negative"))
        errors += _rows_where(work, value < 0, name, _got(too_low))
        if column.maximum is not None:
            too_high = (
                _must_be(column.what)
                if column.what
                else Message(
                    N_("more than {maximum} is impossible"), {"maximum": _format_number(column.maximum)}
                )
            )
            errors += _rows_where(work, value > column.maximum, name, _got(too_high))
    warnings: list[RowProblem] = []
    if column.plausible is not None and column.maximum is not None:
        limit = column.plausible(limits)
        implausible = (value > limit) & (value <= column.maximum)
        confirm = Message(N_("more than {limit:g}: please confirm"), {"limit": limit})
        warnings += _rows_where(work, implausible, name, _got(confirm))
    return work.get_column(name), errors, warnings


def _parse_answers(frame: pl.DataFrame, instrument_id: str) -> tuple[pl.Series, list[RowProblem]]:
    """Item answers ("4 4 3 2 1 2 1 0 2 4", space-separated in item order), validated by the instrument."""
    instrument = INSTRUMENTS[instrument_id]
    values: list[list[int] | None] = []
    problems: list[RowProblem] = []
    for row, cell in enumerate(frame.get_column(instrument_id).to_list(), start=1):
        if cell is None or not cell.strip():
            values.append(None)
            continue
        try:
            answers = [int(token) for token in cell.split()]
            values.append(list(instrument.validate(answers).values()))
        except ValueError as exc:
            reason: Message | str = (
                refusal_of(exc)
                if isinstance(exc, InstrumentInputError)
                else Message(N_("answers must be whole numbers"))
            )
            problems.append(RowProblem.said(row, instrument_id, _got(reason)(cell)))
            values.append(None)
    return pl.Series(instrument_id, values, dtype=pl.List(pl.Int64)), problems


def _duplicates(frame: pl.DataFrame, keys: tuple[str, ...]) -> list[RowProblem]:
    """A problem, on the last key column, for every row whose ``keys`` an earlier row already gave."""
    if not keys:
        return []
    indexed = frame.select(*keys).with_row_index("__row__", offset=1).drop_nulls()
    first = indexed.group_by(*keys).agg(pl.col("__row__").min().alias("__first__"))
    repeats = indexed.join(first, on=list(keys)).filter(pl.col("__row__") > pl.col("__first__"))
    *owner, key = keys
    problems = []
    for r in repeats.sort("__row__").iter_rows(named=True):
        # "patient 'C1' already has 2024-01-01", or "'C1' is already" for a patient table.
        message = (
            Message(
                N_("patient {patient} already has {value} in data row {first}"),
                {"patient": repr(r[owner[0]]), "value": str(r[key]), "first": r["__first__"]},
            )
            if owner
            else Message(
                N_("{value} is already in data row {first}"), {"value": repr(r[key]), "first": r["__first__"]}
            )
        )
        problems.append(RowProblem.said(int(r["__row__"]), key, message))
    return problems


def validate_table(
    text: str | bytes, fmt: CsvFormat, source: str, today: dt.date, limits: PlausibilityLimits
) -> tuple[pl.DataFrame, list[RowProblem], list[RowProblem]]:
    """Parse every column of ``fmt`` present in the file; returns (frame, errors, warnings)."""
    raw = _read_text(text, source, fmt.outcome)
    header = _check_header(raw, fmt)
    if header:
        raise CsvFormatError(source, header, fmt.outcome)
    errors: list[RowProblem] = []
    warnings: list[RowProblem] = []
    columns: list[pl.Series] = []
    for column in fmt.columns:
        if column.name not in raw.columns:
            continue
        if column.kind == "answers":
            series, problems = _parse_answers(raw, column.name)
            errors += problems
        else:
            series, problems, cautions = _parse_column(raw, column, today, limits)
            errors += problems
            warnings += cautions
        columns.append(series)
    frame = pl.DataFrame(columns)
    errors += _duplicates(frame, tuple(k for k in fmt.unique if k in frame.columns))
    for check in fmt.extra_checks:
        errors += check(frame)
    return frame, errors, warnings


def finish(
    fmt: CsvFormat, frame: pl.DataFrame, errors: list[RowProblem], warnings: list[RowProblem], source: str
) -> tuple[pl.DataFrame, tuple[RowProblem, ...]]:
    order = {name: i for i, name in enumerate(fmt.names)}

    def key(p: RowProblem) -> tuple[int, int]:
        return (p.row or 0, order.get(p.column or "", -1))

    if errors:
        raise CsvFormatError(source, sorted(errors, key=key), fmt.outcome)
    return frame, tuple(sorted(warnings, key=key))


# -- writing ---------------------------------------------------------------------------------------


def _format_number(value: float) -> str:
    """Shortest text that reads back as the same float: 2 not 2.0, 2.5, 0.1."""
    if not math.isfinite(value):
        raise InputError(f"cannot write the non-finite number {value!r}")
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _cell_text(column: Column, value: object) -> str | None:
    if value is None:
        return None
    if column.kind == "date":
        assert isinstance(value, dt.date)
        return value.isoformat()
    if column.kind == "number":
        assert isinstance(value, int | float)
        return _format_number(float(value))
    if column.kind == "integer":
        assert isinstance(value, int)
        return str(value)
    if column.kind == "answers":
        assert isinstance(value, pl.Series | list)
        return " ".join(str(v) for v in value)
    return str(value) if str(value) != "" else None


def write_table(frame: pl.DataFrame, fmt: CsvFormat) -> str:
    unknown = [name for name in frame.columns if name not in fmt.names]
    if unknown:
        raise InputError(
            f"{fmt.name} export: unknown column(s) {', '.join(unknown)} (known: {', '.join(fmt.names)})"
        )
    missing = [c.name for c in fmt.columns if c.required and c.name not in frame.columns]
    if missing:
        raise InputError(f"{fmt.name} export: required column(s) {', '.join(missing)} missing")
    present = [c for c in fmt.columns if c.name in frame.columns]
    text = pl.DataFrame(
        {c.name: [_cell_text(c, v) for v in frame.get_column(c.name).to_list()] for c in present},
        schema={c.name: pl.String for c in present},
    )
    return text.write_csv(null_value="", line_terminator="\n")
