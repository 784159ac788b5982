"""The loader refuses a broken copy of trials.csv and names the line and column at fault."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from baclotrack.core.errors import InputError
from baclotrack.evidence import EvidenceDataError, load_trials
from baclotrack.evidence.data import COLUMNS, parse_trials

from .conftest import Row, bundled_rows, find

TRIAL, ARM = "addolorato2007", "baclofen"


def _line() -> int:
    return find(bundled_rows(), TRIAL, ARM)[0]


def _set(column: str, value: str) -> Callable[[list[Row]], None]:
    def edit(rows: list[Row]) -> None:
        find(rows, TRIAL, ARM)[1][column] = value

    return edit


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("abstinence_events", "43", "exceed n = 42"),
        ("abstinence_events", "thirty", "not a whole number"),
        ("abstinence_events", "", "give both events and n"),
        ("abstinence_source", "", "every number needs its source"),
        ("dropout_n", "50", "exceeds the 42 randomised"),
        ("population", "cirrhotic", "is not one of"),
        ("arm_role", "drug", "is not one of"),
        ("regimen", "weekly", "is not one of"),
        ("year", "", "blank but required"),
        ("pmid", "PMID123", "not a PubMed id"),
        ("doi", "doi.org/10.1016/x", "not a DOI"),
        ("control_arm", "baclofen", "is not a placebo arm"),
        ("duration_weeks", "-12", "below the minimum"),
        ("percent_days_abstinent_source", "Table 2", "numbers it describes are all blank"),
    ],
)
def test_loader_names_line_and_column_of_a_bad_value(
    edited_copy: Callable[..., Path], column: str, value: str, problem: str
) -> None:
    path = edited_copy(_set(column, value))
    with pytest.raises(EvidenceDataError) as caught:
        load_trials(path)
    message = str(caught.value)
    assert f"line {_line()}" in message
    assert f"column '{column}'" in message
    assert problem in message
    assert str(path) in message


def test_negative_standard_deviation_is_refused(edited_copy: Callable[..., Path]) -> None:
    def edit(rows: list[Row]) -> None:
        row = find(rows, TRIAL, ARM)[1]
        row.update(
            percent_days_abstinent_mean="60", percent_days_abstinent_sd="-3", percent_days_abstinent_n="40"
        )
        row["percent_days_abstinent_source"] = "Table 2"

    with pytest.raises(
        EvidenceDataError, match=rf"line {_line()}, column 'percent_days_abstinent_sd'.*minimum"
    ):
        load_trials(edited_copy(edit))


def test_percent_of_days_above_100_is_refused(edited_copy: Callable[..., Path]) -> None:
    def edit(rows: list[Row]) -> None:
        row = find(rows, TRIAL, ARM)[1]
        row.update(percent_days_abstinent_mean="120", percent_days_abstinent_source="Table 2")

    with pytest.raises(
        EvidenceDataError, match=rf"line {_line()}, column 'percent_days_abstinent_mean'.*percentage"
    ):
        load_trials(edited_copy(edit))


def test_arms_of_one_trial_must_agree_on_the_population(edited_copy: Callable[..., Path]) -> None:
    line, _ = find(bundled_rows(), TRIAL, "placebo")
    with pytest.raises(EvidenceDataError, match=rf"line {line}, column 'population': differs"):
        load_trials(edited_copy(lambda rows: find(rows, TRIAL, "placebo")[1].update(population="general")))


def test_a_repeated_arm_is_refused(edited_copy: Callable[..., Path]) -> None:
    rows = bundled_rows()

    def edit(edited: list[Row]) -> None:
        edited.append(dict(find(edited, TRIAL, ARM)[1]))

    with pytest.raises(EvidenceDataError, match=rf"line {len(rows) + 2}, column 'arm'.*repeats"):
        load_trials(edited_copy(edit))


def test_a_missing_column_is_named(edited_copy: Callable[..., Path]) -> None:
    names = [c for c in COLUMNS if c != "dropout_source"]

    def edit(rows: list[Row]) -> None:
        for row in rows:
            del row["dropout_source"]

    with pytest.raises(EvidenceDataError, match=r"line 1: missing column 'dropout_source'"):
        load_trials(edited_copy(edit, names))


def test_a_row_with_too_many_fields_is_refused_by_line() -> None:
    text = ",".join(COLUMNS) + "\n" + ",".join(["x"] * (len(COLUMNS) + 1)) + "\n"
    with pytest.raises(EvidenceDataError, match=r"in-memory: line 2: wrong number of fields"):
        parse_trials(text, "in-memory")


def test_evidence_errors_are_input_errors_so_the_cli_prints_them_cleanly() -> None:
    assert issubclass(EvidenceDataError, InputError)
