"""CSV import formats: whole-file validation, every bad row reported, warnings, canonical round trips."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclotrack.core.diary import SIDE_EFFECTS
from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import Country
from baclotrack.core.instruments import INSTRUMENTS
from baclotrack.exchange.csv_formats import (
    CsvFormatError,
    PlausibilityLimits,
    RowProblem,
    daily_grams,
    to_diary_days,
    validate_baseline_csv,
    validate_diary_csv,
    validate_drink_log_csv,
    validate_visits_csv,
    write_baseline_csv,
    write_diary_csv,
    write_drink_log_csv,
    write_visits_csv,
)

TODAY = dt.date(2024, 6, 30)
HEADER = "patient_id,date,drinks,dose_mg,craving,anxiety,note,somnolence,nausea\n"


def problems_of(
    text: str, reader=validate_diary_csv, **kwargs: object
) -> list[tuple[int | None, str | None]]:
    with pytest.raises(CsvFormatError) as caught:
        reader(text, today=TODAY, **kwargs)
    assert isinstance(caught.value, InputError)
    return [(p.row, p.column) for p in caught.value.problems]


def test_every_bad_row_is_reported_not_only_the_first():
    text = HEADER + (
        "C1,2024-01-01,-1,30,5,2,,0,0\n"  # negative drinks
        "C1,2024-01-02,2,30,11,2,,0,0\n"  # craving 11
        "C1,2024-01-03,2,30,5,2,,4,0\n"  # severity 4
        "C1,2025-01-01,2,30,5,2,,0,0\n"  # after today
        "C1,2024-01-05,2,-5,5,2,,0,0\n"  # negative dose
        "C1,2024-01-06,2,30,5,2,,0,0\n"  # fine
    )
    assert problems_of(text) == [
        (1, "drinks"),
        (2, "craving"),
        (3, "somnolence"),
        (4, "date"),
        (5, "dose_mg"),
    ]


def test_error_message_names_row_column_and_value():
    with pytest.raises(CsvFormatError) as caught:
        validate_diary_csv(HEADER + "C1,2024-01-01,2,30,11,2,,0,0\n", today=TODAY, source="DIARY.csv")
    message = str(caught.value)
    assert message.startswith("DIARY.csv: 1 problem, nothing was imported")
    assert "data row 1, column craving: must be a whole number from 0 to 10 (got '11')" in message


def test_long_error_lists_are_cut_in_the_message_but_complete_on_the_exception():
    rows = "".join(f"C1,2024-01-{d:02d},-1,,,,,,\n" for d in range(1, 31))
    with pytest.raises(CsvFormatError) as caught:
        validate_diary_csv(HEADER + rows, today=TODAY)
    assert len(caught.value.problems) == 30
    assert "... and 10 more" in str(caught.value)


def test_blank_drinks_is_not_reported_not_zero():
    diary = validate_diary_csv(HEADER + "C1,2024-01-01,,30,5,,,,\n", today=TODAY).frame
    assert diary.get_column("drinks").to_list() == [None]


def test_text_and_fractional_values_are_refused_where_whole_numbers_are_needed():
    text = HEADER + "C1,2024-01-01,two,30,5.5,x,,1.0,\nC1,2024-02-30,1,,,,,,\n"
    assert problems_of(text) == [
        (1, "drinks"),
        (1, "craving"),
        (1, "anxiety"),
        (1, "somnolence"),
        (2, "date"),
    ]


def test_missing_and_unknown_columns_are_refused_before_reading_rows():
    assert problems_of("patient_id,date,drinkz\nC1,2024-01-01,2\n") == [(None, "drinks"), (None, "drinkz")]


def test_same_patient_and_date_twice_is_refused_naming_the_first_row():
    with pytest.raises(CsvFormatError) as caught:
        validate_diary_csv(
            "patient_id,date,drinks\nC1,2024-01-01,2\nC2,2024-01-01,2\nC1,2024-01-01,3\n", today=TODAY
        )
    assert caught.value.problems == (
        RowProblem(3, "date", "patient 'C1' already has 2024-01-01 in data row 1"),
    )


def test_implausible_values_come_back_as_warnings_to_confirm():
    result = validate_diary_csv(
        HEADER + "C1,2024-01-01,41,310,5,2,,0,0\nC1,2024-01-02,40,300,,,,,\n", today=TODAY
    )
    assert result.needs_confirmation
    assert [(w.row, w.column) for w in result.warnings] == [(1, "drinks"), (1, "dose_mg")]
    assert result.frame.height == 2


def test_plausibility_limits_are_parameters():
    limits = PlausibilityLimits(drinks_per_day=20, dose_mg_per_day=80)
    result = validate_diary_csv(HEADER + "C1,2024-01-01,25,90,,,,,\n", today=TODAY, limits=limits)
    assert [w.column for w in result.warnings] == ["drinks", "dose_mg"]


def test_drinks_beyond_a_kilogram_of_ethanol_are_impossible_not_implausible():
    # 130 UK units (8 g) would be 1040 g: more than core.diary.MAX_GRAMS_PER_DAY in any country.
    assert problems_of("patient_id,date,drinks\nC1,2024-01-01,130\n") == [(1, "drinks")]


def test_bytes_with_an_excel_byte_order_mark_are_read():
    result = validate_diary_csv("\ufeffpatient_id,date,drinks\nC1,2024-01-01,2\n".encode(), today=TODAY)
    assert result.frame.columns == ["patient_id", "date", "drinks"]


def test_empty_file_is_refused():
    assert problems_of("") == [(None, None)]


def test_diary_frame_is_the_endpoints_contract():
    frame = validate_diary_csv(HEADER + "C1,2024-01-01,2.5,30,5,2,hello,1,0\n", today=TODAY).frame
    assert frame.schema["date"] == pl.Date
    assert frame.schema["drinks"] == pl.Float64
    assert frame.row(0) == ("C1", dt.date(2024, 1, 1), 2.5, 30.0, 5, 2, "hello", 1, 0)


def test_baseline_dates_must_fall_in_the_28_days_before_start():
    start = {"C1": dt.date(2024, 2, 1)}
    text = "patient_id,date,drinks\nC1,2024-01-04,2\nC1,2024-01-03,2\nC1,2024-02-01,2\nC9,2024-01-10,1\n"
    assert problems_of(text, validate_baseline_csv, start_dates=start) == [
        (2, "date"),
        (3, "date"),
        (4, "patient_id"),
    ]


def test_incomplete_baseline_warns_that_missing_days_are_not_abstinent():
    result = validate_baseline_csv(
        "patient_id,date,drinks\nC1,2024-01-31,2\n", today=TODAY, start_dates={"C1": dt.date(2024, 2, 1)}
    )
    assert len(result.warnings) == 1
    assert "1 of 28 baseline days reported" in result.warnings[0].reason


def test_visit_answers_are_validated_by_the_instrument():
    text = (
        "patient_id,date,audit,gad-7\nC1,2024-01-01,4 4 3 2 1 2 1 0 2 4,0 1 2 3 0 1 5\nC1,2024-01-08,1 2,\n"
    )
    with pytest.raises(CsvFormatError) as caught:
        validate_visits_csv(text, today=TODAY)
    assert [(p.row, p.column) for p in caught.value.problems] == [(1, "gad-7"), (2, "audit")]
    assert "GAD-7 item 7: 5 is not an allowed answer" in str(caught.value)


def test_visit_dose_reason_needs_a_dose_decision():
    text = (
        "patient_id,date,dose_mg_per_day,dose_reason\nC1,2024-01-01,,somnolence\nC1,2024-01-08,40,craving\n"
    )
    assert problems_of(text, validate_visits_csv) == [(1, "dose_reason")]


def test_visit_answers_are_read_as_lists_in_item_order():
    frame = validate_visits_csv("patient_id,date,pacs\nC1,2024-01-01,1 2 3 4 5\n", today=TODAY).frame
    assert frame.get_column("pacs").to_list() == [[1, 2, 3, 4, 5]]


def test_example_files_are_valid_canonical_files():
    examples = resources.files("baclotrack.exchange") / "examples"
    readers = {
        "diary.csv": (validate_diary_csv, write_diary_csv),
        "baseline_calendar.csv": (validate_baseline_csv, write_baseline_csv),
        "visits.csv": (validate_visits_csv, write_visits_csv),
        "drink_log.csv": (validate_drink_log_csv, write_drink_log_csv),
    }
    for name, (read, write) in readers.items():
        text = (examples / name).read_text(encoding="utf-8")
        assert write(read(text, today=TODAY).frame) == text, name


# -- round trips -----------------------------------------------------------------------------------

dates = st.dates(dt.date(2020, 1, 1), TODAY)
amounts = st.one_of(
    st.none(), st.integers(0, 40).map(float), st.floats(0, 40, allow_nan=False).map(lambda x: round(x, 3))
)
ratings = st.one_of(st.none(), st.integers(0, 10))
severities = st.one_of(st.none(), st.integers(0, 3))
notes = st.one_of(
    st.none(), st.text(st.characters(codec="utf-8", exclude_characters="\r\x00"), min_size=1, max_size=30)
)
codes = st.text("ABCXYZ0123-_é", min_size=1, max_size=6).filter(lambda s: s.strip() == s)


@st.composite
def diary_frames(draw: st.DrawFn) -> pl.DataFrame:
    keys = draw(st.lists(st.tuples(codes, dates), min_size=1, max_size=12, unique=True))
    optional = draw(
        st.lists(st.sampled_from(["dose_mg", "craving", "anxiety", "note", *SIDE_EFFECTS]), unique=True)
    )
    strategies = {"dose_mg": amounts, "craving": ratings, "anxiety": ratings, "note": notes}
    columns: dict[str, list[object]] = {"patient_id": [k[0] for k in keys], "date": [k[1] for k in keys]}
    columns["drinks"] = [draw(amounts) for _ in keys]
    for name in optional:
        columns[name] = [draw(strategies.get(name, severities)) for _ in keys]
    return pl.DataFrame(columns)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(diary_frames())
def test_diary_write_then_read_is_identity_and_canonical_text_round_trips(frame: pl.DataFrame):
    text = write_diary_csv(frame)
    parsed = validate_diary_csv(text, today=TODAY).frame
    assert write_diary_csv(parsed) == text
    canonical_order = list(parsed.columns)
    assert (
        parsed.to_dicts()
        == frame.select(canonical_order)
        .with_columns(pl.col(c).cast(parsed.schema[c]) for c in canonical_order)
        .to_dicts()
    )


@settings(derandomize=True, max_examples=80, deadline=None)
@given(st.lists(st.tuples(codes, dates, amounts), min_size=1, max_size=10, unique_by=lambda r: r[:2]))
def test_baseline_calendar_round_trips(rows: list[tuple[str, dt.date, float | None]]):
    frame = pl.DataFrame(
        rows, schema={"patient_id": pl.String, "date": pl.Date, "drinks": pl.Float64}, orient="row"
    )
    text = write_baseline_csv(frame)
    assert write_baseline_csv(validate_baseline_csv(text, today=TODAY).frame) == text


@st.composite
def visit_rows(draw: st.DrawFn) -> str:
    instruments = draw(st.lists(st.sampled_from(list(INSTRUMENTS)), min_size=1, max_size=3, unique=True))
    header = [
        "patient_id",
        "date",
        *[i for i in INSTRUMENTS if i in instruments],
        "dose_mg_per_day",
        "dose_reason",
    ]
    lines = [",".join(header)]
    for day in draw(st.lists(dates, min_size=1, max_size=5, unique=True)):
        cells = ["C1", day.isoformat()]
        for instrument_id in header[2:-2]:
            items = INSTRUMENTS[instrument_id].items
            cells.append(" ".join(str(draw(st.sampled_from(item.allowed))) for item in items))
        dose = draw(st.one_of(st.none(), st.integers(0, 300)))
        cells += [
            "" if dose is None else str(dose),
            "" if dose is None else draw(st.sampled_from(["", "craving"])),
        ]
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


@settings(derandomize=True, max_examples=80, deadline=None)
@given(visit_rows())
def test_canonical_visits_file_round_trips(text: str):
    assert write_visits_csv(validate_visits_csv(text, today=TODAY).frame) == text


def test_writer_refuses_columns_outside_the_format():
    frame = pl.DataFrame(
        {"patient_id": ["C1"], "date": [dt.date(2024, 1, 1)], "drinks": [1.0], "name": ["Ann"]}
    )
    with pytest.raises(InputError, match="unknown column"):
        write_diary_csv(frame)


# -- drink log and DiaryDay records ---------------------------------------------------------------


def test_drink_log_refuses_strength_above_100_percent_and_negative_volume():
    text = "patient_id,date,volume_ml,abv_percent,beverage\nC1,2024-01-01,330,5,beer\n"
    text += "C1,2024-01-01,-10,12,wine\nC1,2024-01-02,40,140,spirit\n"
    assert problems_of(text, validate_drink_log_csv) == [(2, "volume_ml"), (3, "abv_percent")]


def test_drink_log_sums_drinks_into_grams_per_day():
    text = "patient_id,date,volume_ml,abv_percent\nC1,2024-01-01,330,5\nC1,2024-01-01,125,12\n"
    text += "C1,2024-01-02,40,40\n"
    log = validate_drink_log_csv(text, today=TODAY)
    daily = daily_grams(log.frame)
    grams = dict(zip(daily["date"], daily["grams"], strict=True))
    assert grams[dt.date(2024, 1, 1)] == pytest.approx(330 * 0.05 * 0.789 + 125 * 0.12 * 0.789)
    assert grams[dt.date(2024, 1, 2)] == pytest.approx(40 * 0.40 * 0.789)
    assert write_drink_log_csv(log.frame) == text


def test_drink_log_day_above_a_kilogram_of_ethanol_is_impossible():
    rows = "".join("C1,2024-01-01,700,40\n" for _ in range(5))  # 5 x 221 g
    assert problems_of("patient_id,date,volume_ml,abv_percent\n" + rows, validate_drink_log_csv) == [
        (1, "volume_ml")
    ]


def test_diary_rows_become_diary_days_in_grams_of_the_patients_country():
    text = "patient_id,date,drinks,craving,somnolence,nausea\nC1,2024-01-02,2,5,1,\nC2,2024-01-01,3,,,0\n"
    frame = validate_diary_csv(text, today=TODAY).frame
    days = to_diary_days(frame, {"C1": Country.UK, "C2": "FR"})
    (c1,) = days["C1"]
    assert (c1.grams, c1.craving, dict(c1.side_effects)) == (16.0, 5, {"somnolence": 1})
    assert days["C2"][0].grams == 30.0
    assert dict(days["C2"][0].side_effects) == {"nausea": 0}


def test_diary_days_refuse_rows_the_core_refuses_and_unknown_countries():
    frame = validate_diary_csv(
        "patient_id,date,drinks\nC1,2024-01-01,80\nC2,2024-01-01,1\n", today=TODAY
    ).frame
    with pytest.raises(CsvFormatError) as caught:
        to_diary_days(frame, {"C1": Country.US})
    assert [(p.row, p.column) for p in caught.value.problems] == [(1, None), (2, "patient_id")]
    assert "grams: must be between 0 and 1000" in str(caught.value)
