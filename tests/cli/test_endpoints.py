"""`baclotrack endpoints`: diary and patient CSVs in, one CSV row per patient and window out."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import pytest

from baclotrack.cli import EXIT_INPUT_ERROR, main
from baclotrack.core.endpoints import DEFAULT_WINDOWS, ENDPOINT_COLUMNS

PATIENTS = "patient_id,sex,start_date,country\nW,F,2024-03-01,US\nM,M,2024-03-01,UK\n"
# W: day -1 four US drinks (56 g), day 1 blank, day 2 three drinks (42 g), day 3 absent.
# M: day 1 ten UK units (80 g), day 2 none.
DIARY = (
    "patient_id,date,drinks,craving\n"
    "W,2024-02-29,4,7\n"
    "W,2024-03-01,,6\n"
    "W,2024-03-02,3,5\n"
    "M,2024-03-01,10,8\n"
    "M,2024-03-02,0,3\n"
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def run(folder: Path, diary: str = DIARY, patients: str = PATIENTS, *extra: str) -> tuple[int, Path]:
    out = folder / "out.csv"
    argv = ["endpoints", "--diary", str(write(folder, "diary.csv", diary))]
    argv += ["--patients", str(write(folder, "patients.csv", patients)), "--out", str(out), *extra]
    return main(argv), out


def read(out: Path) -> list[dict[str, str]]:
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_writes_one_row_per_patient_and_default_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(tmp_path)
    assert code == 0
    rows = read(out)
    assert list(rows[0]) == list(ENDPOINT_COLUMNS)
    assert [(r["patient_id"], r["window"]) for r in rows] == [
        (p, w.name) for p in ("M", "W") for w in DEFAULT_WINDOWS
    ]
    assert "wrote 10 rows (2 patients x 5 windows, fda heavy days)" in capsys.readouterr().out


def test_values_and_blank_cells_by_hand(tmp_path: Path) -> None:
    code, out = run(tmp_path, DIARY, PATIENTS, "--window", "pre:-1:-1", "--window", "post:1:3")
    assert code == 0
    rows = {(r["patient_id"], r["window"]): r for r in read(out)}
    assert rows["W", "pre"] == {
        "patient_id": "W",
        "window": "pre",
        "days": "1",
        "days_reported": "1",
        "drinking_days": "1",
        "pda": "0.0",
        "hdd": "1",
        "phdd": "100.0",
        "drinks_per_day": "4.0",
        "drinks_per_drinking_day": "4.0",
        "grams_per_day": "56.0",
        "who_level": "3",
    }
    post = rows["W", "post"]  # day 1 blank, day 3 absent: one reported day of 42 g
    assert (post["days"], post["days_reported"], post["hdd"], post["who_level"]) == ("3", "1", "0", "3")
    men = rows["M", "post"]  # 10 UK units = 80 g, then a dry day
    assert (men["drinks_per_day"], men["grams_per_day"], men["hdd"], men["pda"]) == (
        "5.0",
        "40.0",
        "1",
        "50.0",
    )
    nothing = rows["M", "pre"]
    assert (nothing["days_reported"], nothing["pda"], nothing["drinks_per_day"], nothing["who_level"]) == (
        "0",
        "",
        "",
        "",
    )


def test_window_option_replaces_the_defaults(tmp_path: Path) -> None:
    code, out = run(tmp_path, DIARY, PATIENTS, "--window", "first-week:1:7")
    assert code == 0
    assert {r["window"] for r in read(out)} == {"first-week"}


def test_heavy_ema_counts_more_than_40_grams_for_women(tmp_path: Path) -> None:
    fda_code, fda_out = run(tmp_path, DIARY, PATIENTS, "--window", "post:1:3")
    fda = {r["patient_id"]: r["hdd"] for r in read(fda_out)}
    ema_code, ema_out = run(tmp_path, DIARY, PATIENTS, "--window", "post:1:3", "--heavy", "ema")
    ema = {r["patient_id"]: r["hdd"] for r in read(ema_out)}
    assert (fda_code, ema_code) == (0, 0)
    assert (fda["W"], ema["W"]) == ("0", "1")  # 42 g: not >= 56, but > 40


def test_patients_without_country_column_are_us(tmp_path: Path) -> None:
    patients = "patient_id,sex,start_date\nW,F,2024-03-01\nM,M,2024-03-01\n"
    code, out = run(tmp_path, DIARY, patients, "--window", "post:1:3")
    assert code == 0
    men = next(r for r in read(out) if r["patient_id"] == "M")
    assert men["grams_per_day"] == "70.0"  # 10 US drinks of 14 g over 2 days


def test_bundled_sample_runs(tmp_path: Path) -> None:
    data = resources.files("baclotrack") / "data"
    out = tmp_path / "sample.csv"
    argv = [
        "endpoints",
        "--diary",
        str(data / "sample_diary.csv"),
        "--patients",
        str(data / "sample_patients.csv"),
    ]
    assert main([*argv, "--out", str(out)]) == 0
    rows = read(out)
    assert len(rows) == 6 * len(DEFAULT_WINDOWS)
    assert all(int(r["days_reported"]) <= int(r["days"]) for r in rows)


def assert_refused(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    file: str,
    problems: list[str],
    diary: str = DIARY,
    patients: str = PATIENTS,
) -> None:
    """The command exits 2 naming ``file`` and each of ``problems``, and writes nothing."""
    out = tmp_path / "out.csv"
    out.write_text("previous results\n")
    code, _ = run(tmp_path, diary, patients)
    assert code == EXIT_INPUT_ERROR
    err = capsys.readouterr().err
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}:"
    assert f"{tmp_path / file}: {count}" in err, err
    for problem in problems:
        assert f"\n  {problem}\n" in err, err
    assert out.read_text() == "previous results\n"  # never half-written, never clobbered
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_duplicate_day_names_both_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    diary = DIARY + "W,2024-03-02,1,5\n"
    problem = "data row 6, column date: patient 'W' already has 2024-03-02 in data row 3"
    assert_refused(tmp_path, capsys, "diary.csv", [problem], diary)


def test_unknown_patients_are_each_named_by_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    diary = DIARY + "X,2024-03-02,1,5\nY,2024-03-02,1,5\n"
    known = tmp_path / "patients.csv"
    problems = [
        f"data row 6, column patient_id: patient 'X' is not in {known}",
        f"data row 7, column patient_id: patient 'Y' is not in {known}",
    ]
    assert_refused(tmp_path, capsys, "diary.csv", problems, diary)


def test_bad_date_names_row_column_and_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    diary = DIARY.replace("2024-03-02,3", "02/03/2024,3")
    problem = "data row 3, column date: not a date (YYYY-MM-DD) (got '02/03/2024')"
    assert_refused(tmp_path, capsys, "diary.csv", [problem], diary)


def test_negative_drinks_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    diary = DIARY.replace("M,2024-03-02,0", "M,2024-03-02,-1")
    problem = "data row 5, column drinks: must not be negative (got '-1')"
    assert_refused(tmp_path, capsys, "diary.csv", [problem], diary)


def test_drinks_that_are_not_numbers_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    diary = DIARY.replace("W,2024-02-29,4", "W,2024-02-29,four")
    problem = "data row 1, column drinks: must be a number (got 'four')"
    assert_refused(tmp_path, capsys, "diary.csv", [problem], diary)


def test_every_bad_row_of_the_diary_is_listed_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    diary = (
        DIARY.replace("W,2024-02-29,4", "W,2024-02-29,four")
        .replace("2024-03-02,3", "2024/03/02,3")
        .replace("M,2024-03-02,0", ",2024-03-02,-1")
    )
    problems = [
        "data row 1, column drinks: must be a number (got 'four')",
        "data row 3, column date: not a date (YYYY-MM-DD) (got '2024/03/02')",
        "data row 5, column patient_id: is blank",
        "data row 5, column drinks: must not be negative (got '-1')",
    ]
    assert_refused(tmp_path, capsys, "diary.csv", problems, diary)


def test_problems_of_both_files_are_listed_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    diary = DIARY.replace("M,2024-03-02,0", "M,2024-03-02,-1")
    patients = PATIENTS.replace("W,F,", "W,X,").replace(",UK", ",DE")
    assert_refused(
        tmp_path,
        capsys,
        "patients.csv",
        [
            "data row 1, column sex: must be F or M (got 'X')",
            "data row 2, column country: must be one of AU, CA, FR, UK, US, WHO (got 'DE')",
        ],
        diary,
        patients,
    )
    assert_refused(
        tmp_path,
        capsys,
        "diary.csv",
        ["data row 5, column drinks: must not be negative (got '-1')"],
        diary,
        patients,
    )


def test_unknown_sex_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    patients = PATIENTS.replace("M,M,", "M,X,")
    problem = "data row 2, column sex: must be F or M (got 'X')"
    assert_refused(tmp_path, capsys, "patients.csv", [problem], patients=patients)


def test_repeated_patient_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    patients = PATIENTS + "W,F,2024-04-01,US\n"
    problem = "data row 3, column patient_id: 'W' is already in data row 1"
    assert_refused(tmp_path, capsys, "patients.csv", [problem], patients=patients)


def test_missing_column_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    diary = DIARY.replace("drinks", "units", 1)
    assert_refused(tmp_path, capsys, "diary.csv", ["column drinks: column is missing"], diary)


def test_columns_the_command_does_not_use_are_ignored_whatever_they_hold(tmp_path: Path) -> None:
    diary = DIARY.replace("drinks,craving", "drinks,craving,mood").replace(",7\n", ",7,awful\n")
    diary = diary.replace(",8\n", ",eight,\n")
    patients = PATIENTS.replace("country", "country,arm").replace(",US\n", ",US,placebo\n")
    code, out = run(tmp_path, diary, patients, "--window", "post:1:3")
    assert code == 0
    assert {r["patient_id"] for r in read(out)} == {"M", "W"}


def test_lower_case_codes_and_dates_after_today_are_accepted(tmp_path: Path) -> None:
    patients = "patient_id,sex,start_date,country\nW,f,2099-03-01,us\n"
    diary = "patient_id,date,drinks\nW,2099-03-01,2\n"
    code, out = run(tmp_path, diary, patients, "--window", "post:1:1")
    assert code == 0
    assert read(out)[0]["grams_per_day"] == "28.0"


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ("bad:5:1", "FIRST 5 is after LAST 1"),
        ("bad:-3:3", "contains day 0"),
        ("bad", "expected NAME:FIRST:LAST"),
    ],
)
def test_bad_window_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], window: str, message: str
) -> None:
    code, out = run(tmp_path, DIARY, PATIENTS, "--window", window)
    assert code == EXIT_INPUT_ERROR
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_missing_diary_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "endpoints",
        "--diary",
        str(tmp_path / "none.csv"),
        "--patients",
        str(write(tmp_path, "p.csv", PATIENTS)),
    ]
    assert main([*argv, "--out", str(tmp_path / "out.csv")]) == EXIT_INPUT_ERROR
    assert "none.csv" in capsys.readouterr().err


def test_row_with_extra_fields_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    diary = DIARY.replace("M,2024-03-01,10,8", "M,2024-03-01,10,8,9")
    assert_refused(tmp_path, capsys, "diary.csv", ["data row 4: has 5 fields but the header has 4"], diary)


def test_blank_country_cell_is_refused_rather_than_taken_as_us(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patients = PATIENTS.replace(",UK", ",")
    problem = "data row 2, column country: is blank"
    assert_refused(tmp_path, capsys, "patients.csv", [problem], patients=patients)
