"""`baclotrack doseresponse`: summary, JSON and figure for one client of a diary file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baclotrack.cli import main


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    assert main(["simulate", "--design", "clinic", "--seed", "1", "--out", str(out)]) == 0
    return out


def _args(files: Path, *extra: str) -> list[str]:
    return [
        "doseresponse",
        "--diary",
        str(files / "DIARY.csv"),
        "--patients",
        str(files / "PATIENTS.csv"),
        *extra,
    ]


def test_summary_names_the_client_the_indifference_dose_and_the_curve(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_args(files, "--patient", "CLI-008")) == 0
    out = capsys.readouterr().out
    assert out.startswith("Dose-response for CLI-008")
    assert "Indifference dose: 120 mg/day" in out
    assert "ED50" in out


def test_json_carries_lag_indifference_and_emax(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_args(files, "--patient", "CLI-008", "--lag", "2", "--json")) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["lag_days"] == 2
    assert result["indifference"]["reached"] is True
    assert result["emax"]["identifiable"] is True
    assert result["emax"]["ed50"]["ci_lower"] < result["emax"]["ed50"]["estimate"]


def test_outcome_drinks_fits_the_curve_to_drinks(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_args(files, "--patient", "CLI-008", "--outcome", "drinks", "--json")) == 0
    assert json.loads(capsys.readouterr().out)["emax"]["outcome"] == "drinks"


def test_plot_writes_a_png(files: Path, tmp_path: Path) -> None:
    target = tmp_path / "curve.png"
    assert main(_args(files, "--patient", "CLI-001", "--plot", str(target))) == 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_patient_exits_2_naming_it(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_args(files, "--patient", "CLI-999")) == 2
    assert "--patient: 'CLI-999' is not in PATIENTS.csv" in capsys.readouterr().err


def test_bad_value_in_the_diary_is_named_by_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "DIARY.csv").write_text("patient_id,date,drinks,dose_mg,craving\nP1,2026-01-01,2,30,lots\n")
    (tmp_path / "PATIENTS.csv").write_text("patient_id,sex,country\nP1,F,FR\n")
    assert main(_args(tmp_path, "--patient", "P1")) == 2
    error = capsys.readouterr().err
    assert "DIARY.csv: 1 problem:" in error
    assert "data row 1, column craving: must be a whole number from 0 to 10 (got 'lots')" in error


def test_every_problem_of_both_files_is_listed_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The shared CSV machinery of the imports and the other commands (decision 0093): not only the
    first bad cell, and the patient file's problems in the same run."""
    (tmp_path / "DIARY.csv").write_text(
        "patient_id,date,drinks,dose_mg,craving,extra\n"
        "P1,2026-01-01,2,30,11,x\n"
        "P1,2026-01-0X,-1,30,4,y\n"
        "P1,2026-01-03,1,,,\n"
    )
    (tmp_path / "PATIENTS.csv").write_text("patient_id,sex,weight_kg\nP1,X,heavy\n")
    assert main(_args(tmp_path, "--patient", "P1")) == 2
    error = capsys.readouterr().err
    assert "data row 1, column craving: must be a whole number from 0 to 10 (got '11')" in error
    assert "data row 2, column date: not a date (YYYY-MM-DD)" in error
    assert "data row 2, column drinks: must not be negative" in error
    assert "PATIENTS.csv: 2 problems" in error and "column sex" in error and "column weight_kg" in error
    assert "extra" not in error and "data row 3" not in error  # other columns and blank cells are fine


def test_a_patient_file_without_country_or_start_date_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [f"P1,2026-01-{d:02d},0,{30 if d < 10 else 60},{6 if d < 10 else 2}" for d in range(1, 29)]
    (tmp_path / "DIARY.csv").write_text("patient_id,date,drinks,dose_mg,craving\n" + "\n".join(rows) + "\n")
    (tmp_path / "PATIENTS.csv").write_text("patient_id,sex\nP1,f\n")
    assert main(_args(tmp_path, "--patient", "P1", "--json")) == 0
    assert json.loads(capsys.readouterr().out)["indifference"]["reached"] is True


def test_plot_into_a_missing_directory_is_refused_before_anything_is_printed(
    files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_args(files, "--patient", "CLI-001", "--plot", str(tmp_path / "no" / "x.png"))) == 2
    captured = capsys.readouterr()
    assert "does not exist" in captured.err and captured.out == ""
