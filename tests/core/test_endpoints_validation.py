"""Bad diaries, patient tables and windows are refused with a message naming row and column."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from baclotrack.core.diaryframe import DiaryFrameError, validate_diary, validate_patients
from baclotrack.core.endpoints import (
    Window,
    WindowError,
    compute_endpoints,
    diary_grams_from_drinks,
    parse_window,
)
from baclotrack.core.errors import InputError

START = dt.date(2024, 3, 1)
PATIENTS = pl.DataFrame(
    {"patient_id": ["A", "B"], "sex": ["F", "M"], "start_date": [START, START], "country": ["US", "UK"]}
)


def diary(ids: list[str], days: list[int], grams: list[float | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "patient_id": ids,
            "date": [START + dt.timedelta(days=d) for d in days],
            "grams": pl.Series(grams, dtype=pl.Float64),
        }
    )


def test_errors_are_input_errors() -> None:
    assert issubclass(DiaryFrameError, InputError)
    assert issubclass(WindowError, InputError)


def test_duplicate_patient_and_date_names_both_rows() -> None:
    rows = diary(["A", "B", "A", "A"], [0, 0, 1, 0], [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(DiaryFrameError, match=r"data rows 1 and 4 are duplicates: both give patient_id A"):
        compute_endpoints(rows, PATIENTS)


def test_duplicate_found_when_rows_are_in_random_order() -> None:
    rows = diary(["B", "A", "B", "A", "B"], [3, 1, 1, 2, 3], [0.0, 0.0, 0.0, 0.0, None])
    with pytest.raises(
        DiaryFrameError, match=r"data rows 1 and 5 .* date 2024-03-04 \(columns patient_id, date\)"
    ):
        validate_diary(rows)


def test_sorted_diary_without_duplicates_passes() -> None:
    validate_diary(diary(["A", "A", "B", "B"], [0, 1, 0, 1], [0.0, 1.0, None, 2.0]))


def test_same_date_for_two_patients_is_not_a_duplicate() -> None:
    validate_diary(diary(["B", "A"], [0, 0], [1.0, 1.0]))


def test_unknown_patient_in_diary_is_named_with_its_row() -> None:
    rows = diary(["A", "Z"], [0, 0], [1.0, 1.0])
    with pytest.raises(DiaryFrameError, match=r"diary, data row 2, column patient_id: patient 'Z' is not in"):
        compute_endpoints(rows, PATIENTS)


def test_negative_grams_are_refused() -> None:
    with pytest.raises(DiaryFrameError, match=r"data row 2, column grams: must not be negative \(got -1.0\)"):
        compute_endpoints(diary(["A", "A"], [0, 1], [1.0, -1.0]), PATIENTS)


def test_not_a_number_grams_are_refused() -> None:
    with pytest.raises(DiaryFrameError, match=r"data row 1, column grams: must be a finite number"):
        compute_endpoints(diary(["A"], [0], [float("nan")]), PATIENTS)


def test_unknown_sex_is_refused() -> None:
    bad = PATIENTS.with_columns(sex=pl.Series(["F", "X"]))
    with pytest.raises(
        DiaryFrameError, match=r"patients, data row 2, column sex: must be F or M \(got 'X'\)"
    ):
        validate_patients(bad)


def test_unknown_country_is_refused() -> None:
    bad = PATIENTS.with_columns(country=pl.Series(["US", "DE"]))
    with pytest.raises(DiaryFrameError, match=r"data row 2, column country: unknown country code"):
        compute_endpoints(diary(["A"], [0], [1.0]), bad)


def test_repeated_patient_id_in_patient_table_names_both_rows() -> None:
    twice = pl.concat([PATIENTS, PATIENTS.head(1)])
    with pytest.raises(DiaryFrameError, match=r"patients: data rows 1 and 3 are duplicates"):
        validate_patients(twice)


def test_missing_column_is_named() -> None:
    with pytest.raises(DiaryFrameError, match=r"column 'grams' is missing"):
        compute_endpoints(diary(["A"], [0], [1.0]).drop("grams"), PATIENTS)


def test_text_dates_are_refused_with_the_column_type() -> None:
    rows = diary(["A"], [0], [1.0]).with_columns(pl.col("date").cast(pl.String))
    with pytest.raises(DiaryFrameError, match=r"column 'date' must be Date"):
        compute_endpoints(rows, PATIENTS)


def test_source_names_the_file_in_messages() -> None:
    with pytest.raises(DiaryFrameError, match=r"^my_diary.csv, data row 1, column drinks"):
        validate_diary(
            pl.DataFrame({"patient_id": ["A"], "date": [START], "drinks": [-2.0]}),
            amount="drinks",
            source="my_diary.csv",
        )


def test_drinks_and_grams_must_be_blank_on_the_same_days() -> None:
    rows = diary(["A", "A"], [0, 1], [14.0, None]).with_columns(drinks=pl.Series([1.0, 1.0]))
    with pytest.raises(DiaryFrameError, match=r"data row 2, columns drinks and grams"):
        compute_endpoints(rows, PATIENTS)


def test_grams_from_drinks_refuses_unknown_patient() -> None:
    drinks = pl.DataFrame({"patient_id": ["Q"], "date": [START], "drinks": [1.0]})
    with pytest.raises(DiaryFrameError, match=r"patient 'Q' is not in patients"):
        diary_grams_from_drinks(drinks, PATIENTS)


def test_grams_from_drinks_keeps_blank_days_blank_and_row_order() -> None:
    drinks = pl.DataFrame(
        {
            "patient_id": ["B", "A", "B"],
            "date": [START, START, START + dt.timedelta(days=1)],
            "drinks": [2.5, None, 1.0],
        }
    )
    result = diary_grams_from_drinks(drinks, PATIENTS)
    assert result["patient_id"].to_list() == ["B", "A", "B"]
    assert result["grams"].to_list() == [20.0, None, 8.0]  # UK units of 8 g


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("baseline:-28:-1", Window("baseline", -28, -1)),
        ("week1-4:1:28", Window("week1-4", 1, 28)),
        ("a:b:3:5", Window("a:b", 3, 5)),
        ("day7:7:7", Window("day7", 7, 7)),
    ],
)
def test_parse_window_reads_name_first_last(text: str, window: Window) -> None:
    assert parse_window(text) == window


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("baseline", "expected NAME:FIRST:LAST"),
        ("x:1:two", "must be whole study days"),
        ("x:10:1", "FIRST 10 is after LAST 1"),
        ("x:-1:1", "contains day 0"),
        ("x:0:0", "contains day 0"),
        ("x:0:7", "contains day 0"),
        (":1:7", "the name is blank"),
    ],
)
def test_parse_window_refuses_bad_windows(text: str, message: str) -> None:
    with pytest.raises(WindowError, match=message):
        parse_window(text)


def test_two_windows_with_one_name_are_refused() -> None:
    with pytest.raises(WindowError, match="used twice"):
        compute_endpoints(diary(["A"], [0], [1.0]), PATIENTS, [Window("w", 1, 2), Window("w", 3, 4)])


def test_no_windows_is_refused() -> None:
    with pytest.raises(WindowError, match="at least one window"):
        compute_endpoints(diary(["A"], [0], [1.0]), PATIENTS, [])


def test_absurd_amount_is_refused_before_it_can_overflow_the_exact_sums() -> None:
    with pytest.raises(DiaryFrameError, match=r"data row 1, column grams: is more than 1,000,000"):
        compute_endpoints(diary(["A"], [0], [1e30]), PATIENTS)
