"""`baclotrack meta`: pooled results as text or JSON, forest plot, and bad input exiting 2 with the row
and column named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baclotrack.cli import EXIT_INPUT_ERROR, main

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference" / "meta"
BCG = str(REFERENCE_DIR / "bcg.csv")


def reference_fit(dataset: str, measure: str, key: str) -> dict[str, float]:
    ref = json.loads((REFERENCE_DIR / "reference.json").read_text())
    fit: dict[str, float] = ref["datasets"][dataset][measure]["fits"][key]
    return fit


def test_json_has_the_contract_keys_and_metafor_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["meta", "--studies", BCG, "--measure", "RR", "--method", "REML", "--knha", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    expected = reference_fit("bcg", "RR", "REML_knha")
    assert (data["measure"], data["method"], data["k"]) == ("RR", "REML", 13)
    for key in ("estimate", "se", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "i2", "q"):
        assert data[key] == pytest.approx(expected[key], rel=1e-6)
    assert data["exp"]["ci_high"] == pytest.approx(2.718281828459045 ** expected["ci_high"], rel=1e-9)


def test_json_prediction_interval_is_null_for_common_effect(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["meta", "--studies", BCG, "--measure", "OR", "--method", "MH", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["pi_low"], data["pi_high"]) == (None, None)


def test_mean_difference_json_has_no_exp_object(capsys: pytest.CaptureFixture[str]) -> None:
    studies = str(REFERENCE_DIR / "normand1999.csv")
    assert main(["meta", "--studies", studies, "--measure", "md", "--method", "dl", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "exp" not in data
    assert data["tau2"] == pytest.approx(reference_fit("normand1999", "MD", "DL_z")["tau2"], rel=1e-6)


def test_text_output_is_a_summary_and_a_study_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["meta", "--studies", BCG, "--measure", "RR", "--method", "DL"]) == 0
    out = capsys.readouterr().out
    assert "Random-effects (DerSimonian-Laird), measure RR (log scale), k = 13" in out
    assert "pooled" in out and "weight %" in out
    assert "Aronson 1948" in out


def test_forest_option_saves_a_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = tmp_path / "forest.png"
    assert main(["meta", "--studies", BCG, "--measure", "RR", "--method", "PM", "--forest", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_knapp_hartung_with_common_effect_prints_a_plain_warning(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["meta", "--studies", BCG, "--measure", "RR", "--method", "FE", "--knha", "--json"]) == 0
    captured = capsys.readouterr()
    assert "baclotrack meta: warning: Knapp-Hartung is meant for random-effects models" in captured.err
    assert json.loads(captured.out)["df"] == 12


def test_generic_effect_sizes_pool_as_given(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    studies = write(tmp_path, "study,yi,vi\nA,0.1,0.01\nB,0.3,0.02\nC,0.2,0.04\n")
    assert main(["meta", "--studies", studies, "--measure", "GEN", "--method", "FE", "--json"]) == 0
    # Inverse-variance mean: (0.1/0.01 + 0.3/0.02 + 0.2/0.04) / (1/0.01 + 1/0.02 + 1/0.04)
    assert json.loads(capsys.readouterr().out)["estimate"] == pytest.approx(30 / 175)


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "studies.csv"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("csv", "measure", "method", "message"),
    [
        ("study,events_t,n_t,events_c\nA,1,10,2\n", "RR", "DL", "missing n_c"),
        ("study,events_t,n_t,events_c,n_c\nA,1,10,2,10\nB,1,-5,2,10\n", "OR", "FE",
         "row 2 (study 'B'), column n_t: must not be negative"),
        ("study,events_t,n_t,events_c,n_c\nA,1,10,2,10\nB,12,10,2,10\n", "RR", "REML",
         "row 2 (study 'B'), column events_t: more events than n_t"),
        ("study,mean_t,sd_t,n_t,mean_c,sd_c,n_c\nA,5,2,20,6,2,20\n", "MD", "MH",
         "--method MH: Mantel-Haenszel needs a binary measure"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_naming_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], csv: str, measure: str, method: str, message: str
) -> None:
    studies = write(tmp_path, csv)
    assert main(["meta", "--studies", studies, "--measure", measure, "--method", method]) == EXIT_INPUT_ERROR
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""


def test_bad_input_never_writes_the_forest_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    studies = write(tmp_path, "study,events_t,n_t,events_c,n_c\nA,12,10,2,10\n")
    png = tmp_path / "forest.png"
    code = main(["meta", "--studies", studies, "--measure", "RR", "--method", "DL", "--forest", str(png)])
    assert code == EXIT_INPUT_ERROR
    assert not png.exists()


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["meta", "--studies", "/nonexistent/studies.csv", "--measure", "RR", "--method", "DL"])
    assert code == EXIT_INPUT_ERROR
    assert "no such file" in capsys.readouterr().err
