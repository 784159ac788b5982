"""`baclotrack trial`: JSON contract, readable tables, the HTML report and clean errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from baclotrack.cli import main

DATA = Path(__file__).resolve().parents[1] / "reference" / "trial"
DIARY = str(DATA / "addolorato_diary.csv")
PATIENTS = str(DATA / "addolorato_patients.csv")


def test_json_output_follows_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trial", "--diary", DIARY, "--patients", PATIENTS, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [a["arm"] for a in result["arms"]] == ["placebo", "10mg_tid", "20mg_tid"]
    assert set(result["arms"][0]) >= {
        "arm",
        "n",
        "baseline_drinks_per_day",
        "treatment_drinks_per_day",
        "percent_reduction",
    }
    assert [t["term"] for t in result["fixed_effects"]] == [
        "(Intercept)",
        "arm10mg_tid",
        "arm20mg_tid",
        "week",
        "baseline",
    ]
    adjacent = result["contrasts"][-1]
    assert (adjacent["arm"], adjacent["reference"]) == ("20mg_tid", "10mg_tid")
    assert set(adjacent) == {"arm", "reference", "estimate", "se", "ci_low", "ci_high", "p"}
    assert set(result["dose_trend"]) >= {"estimate_per_mg", "se", "p"}
    assert result["model"]["n_patients"] == 42
    assert result["model"]["converged"] is True
    assert set(result["secondary"]) >= {"drinks_per_day", "any_drinking", "drinks_per_drinking_day"}


def test_readable_tables_without_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trial", "--diary", DIARY, "--patients", PATIENTS, "--no-secondary"]) == 0
    out = capsys.readouterr().out
    assert "20mg_tid vs 10mg_tid" in out
    assert "REML criterion 1983.0232" in out
    assert "Dose trend per mg" in out


def test_report_is_a_self_contained_page_with_an_embedded_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "trial.html"
    assert main(["trial", "--diary", DIARY, "--patients", PATIENTS, "--report", str(report)]) == 0
    page = report.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert 'src="data:image/png;base64,' in page
    assert "http://" not in page
    assert "https://" not in page
    assert "20mg_tid vs 10mg_tid" in page
    assert list(tmp_path.iterdir()) == [report]  # no temporary file left behind


def test_bad_drinks_value_is_reported_by_row_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    diary = tmp_path / "diary.csv"
    lines = Path(DIARY).read_text().splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ",lots"
    diary.write_text("\n".join(lines) + "\n")
    report = tmp_path / "trial.html"
    code = main(["trial", "--diary", str(diary), "--patients", PATIENTS, "--report", str(report)])
    assert code == 2
    err = capsys.readouterr().err
    assert f"{diary}: 1 problem:\n  data row 3, column drinks: must be a number (got 'lots')" in err
    assert not report.exists()


def test_patient_file_without_dose_column_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patients = tmp_path / "patients.csv"
    rows = [line.rsplit(",", 1)[0] for line in Path(PATIENTS).read_text().splitlines()]
    patients.write_text("\n".join(rows) + "\n")
    assert main(["trial", "--diary", DIARY, "--patients", str(patients)]) == 2
    assert f"{patients}: 1 problem:\n  column dose_mg: column is missing" in capsys.readouterr().err


def test_missing_file_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trial", "--diary", str(tmp_path / "none.csv"), "--patients", PATIENTS]) == 2
    assert "no such file" in capsys.readouterr().err


def test_dose_that_is_not_a_number_is_reported_by_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patients = tmp_path / "patients.csv"
    lines = Path(PATIENTS).read_text().splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0] + ",thirty"
    patients.write_text("\n".join(lines) + "\n")
    assert main(["trial", "--diary", DIARY, "--patients", str(patients)]) == 2
    err = capsys.readouterr().err
    assert f"{patients}: 1 problem:\n  data row 2, column dose_mg: must be a number (got 'thirty')" in err


def test_two_placebo_arms_are_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    patients = tmp_path / "patients.csv"
    shutil.copy(PATIENTS, patients)
    patients.write_text(patients.read_text().replace("10mg_tid,30", "10mg_tid,0"))
    assert main(["trial", "--diary", DIARY, "--patients", str(patients)]) == 2
    assert "exactly one arm must have dose_mg 0" in capsys.readouterr().err


def test_model_that_cannot_be_fitted_exits_3_with_advice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every patient drinks the same every day: baseline is constant, so it duplicates the intercept.
    diary = tmp_path / "diary.csv"
    lines = Path(DIARY).read_text().splitlines()
    diary.write_text("\n".join([lines[0], *(line.rsplit(",", 1)[0] + ",2" for line in lines[1:])]) + "\n")
    assert main(["trial", "--diary", str(diary), "--patients", PATIENTS, "--json"]) == 3
    captured = capsys.readouterr()
    assert "the model could not be fitted" in captured.err
    assert "rank deficient" in captured.err
    assert captured.out == ""


def test_simulated_bacloville_with_a_titrated_arm_is_analysed_without_a_dose_trend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bcv"
    assert main(["simulate", "--design", "bacloville", "--seed", "11", "--n", "40", "--out", str(out)]) == 0
    files = ["--diary", str(out / "DIARY.csv"), "--patients", str(out / "PATIENTS.csv"), "--no-secondary"]
    capsys.readouterr()
    report = tmp_path / "bcv.html"
    assert main(["trial", *files, "--json", "--report", str(report)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [(a["arm"], a["dose_mg"]) for a in result["arms"]] == [("placebo", 0.0), ("baclofen", None)]
    assert [(c["arm"], c["reference"]) for c in result["contrasts"]] == [("baclofen", "placebo")]
    assert result["dose_trend"] is None
    assert "no fixed dose (titrated per patient)" in result["dose_trend_reason"]
    assert "Dose trend not estimated: arm &#x27;baclofen&#x27; has no fixed dose" in report.read_text()
    assert main(["trial", *files]) == 0
    assert "Dose trend per mg: not estimated" in capsys.readouterr().out
