"""`baclotrack simulate`: files in the endpoints/trial formats, reproducible, never half-written."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from baclotrack.cli import main


def test_writes_diary_and_patients_that_reload_with_the_same_content(tmp_path: Path) -> None:
    assert main(["simulate", "--design", "clinic", "--seed", "4", "--out", str(tmp_path / "out")]) == 0
    diary = pl.read_csv(tmp_path / "out" / "DIARY.csv", try_parse_dates=True)
    patients = pl.read_csv(tmp_path / "out" / "PATIENTS.csv", try_parse_dates=True)
    assert diary.columns[:7] == ["patient_id", "date", "drinks", "grams", "dose_mg", "craving", "anxiety"]
    assert {"patient_id", "sex", "start_date", "country", "arm", "dose_mg", "course"} <= set(patients.columns)
    assert patients.height == 30
    assert diary.schema["date"] == pl.Date


def test_same_seed_writes_identical_files(tmp_path: Path) -> None:
    for name in ("a", "b"):
        main(["simulate", "--design", "addolorato-2011", "--seed", "9", "--out", str(tmp_path / name)])
    for file in ("DIARY.csv", "PATIENTS.csv"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_n_sets_the_number_of_clients(tmp_path: Path) -> None:
    main(["simulate", "--design", "bacloville", "--seed", "1", "--out", str(tmp_path), "--n", "12"])
    assert pl.read_csv(tmp_path / "PATIENTS.csv").height == 12


def test_unknown_design_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["simulate", "--design", "nope", "--seed", "1", "--out", str(out)]) == 2
    assert (
        "design: unknown design 'nope' (known: addolorato-2011, bacloville, clinic)"
        in capsys.readouterr().err
    )
    assert not out.exists()


def test_out_that_is_a_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "file"
    target.write_text("keep me")
    assert main(["simulate", "--design", "clinic", "--seed", "1", "--out", str(target)]) == 2
    assert "is not a directory" in capsys.readouterr().err
    assert target.read_text() == "keep me"
