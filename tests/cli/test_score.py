"""`baclotrack score`: prints total, subscales, band and flags; bad items exit 2 naming the item."""

from __future__ import annotations

import json

import pytest

from baclotrack.cli import EXIT_INPUT_ERROR, main

AUDIT_EXAMPLE = ["audit", "4", "4", "3", "2", "1", "2", "1", "0", "2", "4"]


def test_score_prints_total_subscales_band_and_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", *AUDIT_EXAMPLE]) == 0
    out = capsys.readouterr().out
    assert "total: 23 (range 0-40)" in out
    assert "subscales: consumption 11, dependence 5, harm 7" in out
    assert "band: Zone IV: possible alcohol dependence" in out
    assert "suggests alcohol dependence" in out


def test_score_json_is_the_score_as_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", *AUDIT_EXAMPLE, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["instrument"] == "audit"
    assert data["total"] == 23
    assert data["band"] == "Zone IV: possible alcohol dependence"


def test_bad_item_exits_2_naming_the_item(capsys: pytest.CaptureFixture[str]) -> None:
    bad = [*AUDIT_EXAMPLE]
    bad[9] = "3"  # item 9
    assert main(["score", *bad]) == EXIT_INPUT_ERROR
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "AUDIT item 9: 3 is not an allowed answer (0, 2 or 4)" in captured.err


def test_word_that_is_not_a_number_is_named_by_item(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "gad-7", "1", "two", "1", "1", "1", "1", "1"]) == EXIT_INPUT_ERROR
    assert "GAD-7 item 2: 'two' is not a whole number" in capsys.readouterr().err


def test_missing_items_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "pacs", "1", "2"]) == EXIT_INPUT_ERROR
    assert "PACS item 3: missing" in capsys.readouterr().err


def test_audit_c_needs_sex_and_uses_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "audit-c", "1", "1", "1"]) == EXIT_INPUT_ERROR
    assert "AUDIT-C sex: needed" in capsys.readouterr().err
    assert main(["score", "audit-c", "1", "1", "1", "--sex", "f"]) == 0
    assert "band: Positive screen" in capsys.readouterr().out
    assert main(["score", "audit-c", "1", "1", "1", "--sex", "M"]) == 0
    assert "band: Negative screen" in capsys.readouterr().out


def test_variant_changes_the_bands(capsys: pytest.CaptureFixture[str]) -> None:
    items = ["2", "2", "2", "2", "0", "0", "0", "0", "0", "0"]  # CIWA-Ar total 8
    assert main(["score", "ciwa-ar", *items]) == 0
    assert "band: Mild withdrawal" in capsys.readouterr().out
    assert main(["score", "ciwa-ar", *items, "--variant", "8-15"]) == 0
    out = capsys.readouterr().out
    assert "band: Moderate withdrawal" in out and "scored with: 8-15" in out


def test_list_shows_every_instrument_with_source_and_default_variant(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["score", "--list"]) == 0
    out = capsys.readouterr().out
    for key in ("audit", "audit-c", "ocds", "pacs", "gad-7", "ciwa-ar", "stai-y1"):
        assert f"\n{key} " in f"\n{out}"
    assert "Babor et al. 2001" in out
    assert "variant sum (default)" in out


def test_unknown_instrument_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "phq-9", "1"]) == EXIT_INPUT_ERROR
    assert "instrument: unknown 'phq-9'" in capsys.readouterr().err


def test_no_instrument_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score"]) == EXIT_INPUT_ERROR
    assert "--list" in capsys.readouterr().err
