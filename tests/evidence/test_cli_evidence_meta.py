"""`baclotrack evidence meta OUTCOME`: pooled results, JSON, forest plot files and refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baclotrack.cli import main

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_meta_writes_the_forest_png_and_prints_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forest = tmp_path / "dropout.png"
    assert main(["evidence", "meta", "dropout", "--forest", str(forest), "--json"]) == 0
    assert forest.read_bytes().startswith(PNG_SIGNATURE)
    data = json.loads(capsys.readouterr().out)
    assert data["outcome"] == "dropout" and data["measure"] == "RR" and data["method"] == "REML"
    assert data["pooled"]["k"] == 4
    assert data["pooled"]["estimate"] == pytest.approx(-0.3510801836, rel=1e-6)  # metafor, see test_pooling


def test_forest_without_a_file_name_writes_the_default_name_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["evidence", "meta", "abstinence", "--forest"]) == 0
    assert (tmp_path / "evidence-abstinence-forest.png").read_bytes().startswith(PNG_SIGNATURE)
    assert "Forest plot written to evidence-abstinence-forest.png" in capsys.readouterr().out


def test_no_forest_file_is_written_unless_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["evidence", "meta", "abstinence"]) == 0
    assert list(tmp_path.iterdir()) == []


def test_by_dose_json_carries_the_meta_regression(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evidence", "meta", "dropout", "--by", "dose", "--json"]) == 0
    by_dose = json.loads(capsys.readouterr().out)["by_dose"]
    slope = by_dose["meta_regression"]["coefficients"][1]
    assert slope["term"] == "dose_mg"
    assert slope["estimate"] == pytest.approx(0.0051377212, rel=1e-6)
    assert by_dose["high_dose_above_mg"] == 80
    assert by_dose["without_dose"] == []


def test_by_dose_text_shows_the_regression_and_why_there_is_no_subgroup_test(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["evidence", "meta", "dropout", "--by", "dose"]) == 0
    out = capsys.readouterr().out
    assert "Meta-regression on dose_mg" in out
    assert "No subgroup comparison" in out and "high (> 80 mg/day) has 1" in out


def test_text_shows_risk_ratios_back_transformed_and_the_cochrane_figure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["evidence", "meta", "return_to_drinking"]) == 0
    out = capsys.readouterr().out
    # Addolorato 2007: 12/42 vs 30/42 returned to drinking, RR 0.40.
    addolorato = next(line for line in out.splitlines() if line.startswith("Addolorato 2007"))
    assert "0.40" in addolorato
    assert "Cochrane 2023" in out and "RR 0.87 (0.77 to 0.99, 12 studies)" in out


def test_outcome_without_data_says_so_and_writes_no_plot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forest = tmp_path / "hdd.png"
    assert main(["evidence", "meta", "percent_heavy_drinking_days", "--forest", str(forest)]) == 0
    captured = capsys.readouterr()
    assert "No pooled result: no bundled trial reports percent_heavy_drinking_days" in captured.out
    assert "no forest plot written" in captured.err
    assert not forest.exists()


def test_json_without_data_has_a_null_result_and_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evidence", "meta", "drinks_per_drinking_day", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["pooled"] is None and data["comparisons"] == 0
    assert "drinks_per_drinking_day" in data["reason"]


def test_method_is_case_insensitive_and_reaches_the_engine(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evidence", "meta", "dropout", "--method", "dl", "--knha", "--json"]) == 0
    pooled = json.loads(capsys.readouterr().out)["pooled"]
    assert pooled["method"] == "DL" and pooled["test"] == "t" and pooled["df"] == 3


def test_forest_with_an_unknown_file_type_is_refused_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forest = tmp_path / "forest.txt"
    assert main(["evidence", "meta", "dropout", "--forest", str(forest)]) == 2
    assert "--forest" in capsys.readouterr().err
    assert not forest.exists()


def test_forest_in_a_missing_folder_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["evidence", "meta", "dropout", "--forest", str(tmp_path / "nope" / "f.png")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_mantel_haenszel_for_a_continuous_outcome_is_an_input_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["evidence", "meta", "percent_days_abstinent", "--method", "MH"]) == 2
    assert "Mantel-Haenszel needs a binary outcome" in capsys.readouterr().err
