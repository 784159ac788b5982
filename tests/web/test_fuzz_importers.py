"""The CSV and FHIR importers of baclotrack.exchange, fed damaged files (hypothesis, derandomized).

A file is either read whole or refused with an InputError whose message names the row, column
or field; nothing else escapes (no KeyError, no polars exception, no traceback for the user).
Damaged files start from the bundled examples, so most of each file is valid and the damage is
what gets tested.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from importlib import resources
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baclotrack.core.diary import DiaryDay
from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import Country
from baclotrack.exchange import csv_formats
from baclotrack.exchange.fhir import (
    AssessmentRecord,
    ClientData,
    ClientRecord,
    DosePeriod,
    export_client_bundle,
)
from baclotrack.exchange.fhir_import import parse_client_bundle

FUZZ = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TODAY = dt.date(2026, 3, 20)
JUNK = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "-1", "1e309", "nan", "inf", "101", "10000", "2024-02-30", "31/12/2024", '"']),
    st.just("\x00"),
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
    st.floats().map(str),
)
#: Where the message of a refused file points (csv_table.RowProblem, fhir_import's entry paths).
PLACE = re.compile(
    r"data row \d+|column |file|row \d+|entry \d+|field |bundle|header|line \d+", re.IGNORECASE
)


def example(name: str) -> str:
    return resources.files("baclotrack.exchange").joinpath("examples", name).read_text()


@st.composite
def damaged_csv(draw: st.DrawFn, text: str) -> str:
    """The example with some cells replaced, rows dropped or duplicated, or raw noise appended."""
    lines = text.splitlines()
    rows = [line.split(",") for line in lines]
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        row = draw(st.integers(min_value=0, max_value=len(rows) - 1))
        if not rows[row]:
            continue
        col = draw(st.integers(min_value=0, max_value=len(rows[row]) - 1))
        rows[row][col] = draw(JUNK).replace("\n", " ")
    if draw(st.booleans()):
        rows.append(list(rows[-1]))  # a duplicated day
    out = "\n".join(",".join(r) for r in rows) + "\n"
    return out + draw(st.sampled_from(["", ",,,\n", "x\n", "\ufeff", "a,b\n1,2,3,4,5\n"]))


def refusal(validate: Any, text: str | bytes) -> str | None:
    """The message of an InputError refusing ``text`` (None when it was read)."""
    try:
        validate(text)
    except InputError as exc:
        return str(exc)
    return None


def check_refusal_or_success(validate: Any, text: str | bytes) -> None:
    message = refusal(validate, text)
    assert message is None or PLACE.search(message), message


@FUZZ
@given(damaged_csv(example("diary.csv")))
def test_diary_csv_is_read_whole_or_refused_with_the_place(text: str) -> None:
    check_refusal_or_success(lambda t: csv_formats.validate_diary_csv(t, today=TODAY), text)


@FUZZ
@given(damaged_csv(example("visits.csv")))
def test_visits_csv_is_read_whole_or_refused_with_the_place(text: str) -> None:
    check_refusal_or_success(lambda t: csv_formats.validate_visits_csv(t, today=TODAY), text)


@FUZZ
@given(damaged_csv(example("baseline_calendar.csv")))
def test_baseline_csv_is_read_whole_or_refused_with_the_place(text: str) -> None:
    check_refusal_or_success(lambda t: csv_formats.validate_baseline_csv(t, today=TODAY), text)


@FUZZ
@given(damaged_csv(example("drink_log.csv")))
def test_drink_log_csv_is_read_whole_or_refused_with_the_place(text: str) -> None:
    check_refusal_or_success(lambda t: csv_formats.validate_drink_log_csv(t, today=TODAY), text)


@FUZZ
@given(st.binary(max_size=200))
def test_csv_of_arbitrary_bytes_is_refused_cleanly(data: bytes) -> None:
    check_refusal_or_success(lambda t: csv_formats.validate_diary_csv(t, today=TODAY), data)


def sample_bundle() -> dict[str, Any]:
    data = ClientData(
        client=ClientRecord("C-017", "F", 1975, 62.5, Country.FR),
        diary=(DiaryDay(dt.date(2024, 3, 2), grams=30.0, craving=5, anxiety=3, dose_taken_mg=30.0),),
        assessments=(AssessmentRecord("gad-7", dt.date(2024, 3, 1), (2, 2, 1, 1, 0, 1, 0), 7),),
        doses=(DosePeriod(dt.date(2024, 3, 1), 15.0),),
    )
    return export_client_bundle(data)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a leaf or a container in a JSON document."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


BUNDLE = sample_bundle()
PATHS = _paths(BUNDLE)
JSON_JUNK = st.one_of(
    JUNK,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False),
    st.just([]),
    st.just({}),
)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), JSON_JUNK, st.booleans()), min_size=1, max_size=4))
def test_fhir_bundle_is_imported_whole_or_refused_with_the_place(damage: list[tuple[Any, ...]]) -> None:
    bundle = copy.deepcopy(BUNDLE)
    for path, value, delete in damage:
        parent: Any = bundle
        try:
            for step in path[:-1]:
                parent = parent[step]
            if delete and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this path
    check_refusal_or_success(parse_client_bundle, json.dumps(bundle))


@FUZZ
@given(st.one_of(st.text(max_size=60), st.binary(max_size=60)))
def test_fhir_text_that_is_not_a_bundle_is_refused(text: str | bytes) -> None:
    check_refusal_or_success(parse_client_bundle, text)
