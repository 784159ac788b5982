"""`baclotrack titrate`: the PLAN.csv contract, the readable table, --list and clean errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from baclotrack.cli import EXIT_INPUT_ERROR, main
from baclotrack.core.titration.protocols import PROTOCOLS


def read_plan(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def test_plan_csv_has_the_contract_columns(tmp_path: Path) -> None:
    out = tmp_path / "plan.csv"
    code = main(
        [
            "titrate",
            "--protocol",
            "ameisen-2005",
            "--start",
            "2026-01-05",
            "--weight-kg",
            "75",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    rows = read_plan(out)
    assert list(rows[0]) == ["day", "date", "mg_per_day", "intakes", "mg_per_kg", "note"]
    assert rows[0] == {
        "day": "1",
        "date": "2026-01-05",
        "mg_per_day": "30",
        "intakes": "10+10+10",
        "mg_per_kg": "0.40",
        "note": "start at 30 mg/day: held 3 days (Ameisen 2005 high-dose self-case)",
    }
    assert rows[36]["mg_per_day"] == "270" and rows[36]["mg_per_kg"] == "3.60"


def test_default_days_reach_the_ceiling_and_hold_it_a_week(tmp_path: Path) -> None:
    out = tmp_path / "plan.csv"
    assert main(["titrate", "--protocol", "ameisen-2005", "--start", "2026-01-05", "--out", str(out)]) == 0
    rows = read_plan(out)
    assert len(rows) == 49
    assert [r["mg_per_day"] for r in rows[-7:]] == ["300"] * 7


def test_mg_per_kg_is_blank_without_a_weight(tmp_path: Path) -> None:
    out = tmp_path / "plan.csv"
    main(["titrate", "--protocol", "rtu-2014", "--start", "2026-01-05", "--days", "3", "--out", str(out)])
    assert {r["mg_per_kg"] for r in read_plan(out)} == {""}


def test_capped_days_say_why_in_the_note(tmp_path: Path) -> None:
    out = tmp_path / "plan.csv"
    argv = ["titrate", "--protocol", "rtu-2014", "--start", "2026-01-05", "--days", "30", "--out", str(out)]
    assert main([*argv, "--regulatory-cap", "fr-2017", "--max-mg-per-day", "100"]) == 0
    last = read_plan(out)[-1]
    assert last["mg_per_day"] == "80"
    assert "capped at 80 mg/day: FR-2017 regulatory cap (ANSM, 24 July 2017)" in last["note"]


def test_crcl_reduces_the_plan(tmp_path: Path) -> None:
    out = tmp_path / "plan.csv"
    argv = [
        "titrate",
        "--protocol",
        "spasticity-label",
        "--start",
        "2026-01-05",
        "--crcl",
        "40",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    rows = read_plan(out)
    assert max(float(r["mg_per_day"]) for r in rows) == 30.0
    assert "dose halved for CrCl 40 ml/min" in rows[0]["note"]


def test_without_out_a_readable_table_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["titrate", "--protocol", "spasticity-label", "--start", "2026-01-05", "--days", "4"]) == 0
    out = capsys.readouterr().out
    assert "Source: FDA baclofen tablets label" in out
    assert "Caps: 80 mg/day" in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("day"))
    assert lines[header].split() == ["day", "date", "mg/day", "intakes", "mg/kg", "note"]
    assert lines[header + 4].split()[:4] == ["4", "2026-01-08", "30", "10+10+10"]


def test_list_shows_every_protocol_with_its_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["titrate", "--list"]) == 0
    out = capsys.readouterr().out
    for protocol in PROTOCOLS.values():
        assert f"{protocol.id}: {protocol.name}" in out
        assert f"source: {protocol.source}" in out
    assert "fr-2017: 80 mg/day" in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--protocol", "nope", "--start", "2026-01-05"],
            "protocol: unknown protocol 'nope' (known: ameisen-2005",
        ),
        (["--start", "2026-01-05"], "--protocol: required"),
        (["--protocol", "resab"], "--start: required (YYYY-MM-DD)"),
        (
            ["--protocol", "resab", "--start", "05/01/2026"],
            "--start: expected a date as YYYY-MM-DD, got '05/01/2026'",
        ),
        (
            ["--protocol", "resab", "--start", "2026-01-05", "--weight-kg", "heavy"],
            "--weight-kg: expected a number",
        ),
        (
            ["--protocol", "resab", "--start", "2026-01-05", "--weight-kg", "7"],
            "weight_kg: must be between 20",
        ),
        (["--protocol", "resab", "--start", "2026-01-05", "--days", "0"], "days: must be between 1 and 3650"),
        (
            ["--protocol", "resab", "--start", "2026-01-05", "--days", "two"],
            "--days: expected a whole number",
        ),
        (
            ["--protocol", "resab", "--start", "2026-01-05", "--crcl", "-5"],
            "crcl: creatinine clearance must be",
        ),
        (
            ["--protocol", "resab", "--start", "2026-01-05", "--max-mg-per-day", "0"],
            "max_mg_per_day: must be",
        ),
        (
            ["--protocol", "resab", "--start", "2026-01-05", "--regulatory-cap", "xx"],
            "regulatory cap: unknown cap",
        ),
        (["--protocol", "resab", "--start", "2026-01-05", "--tablets", "xx"], "tablets: unknown tablet set"),
    ],
)
def test_bad_input_exits_2_with_a_message_naming_the_field(
    extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["titrate", *extra]) == EXIT_INPUT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("baclotrack titrate: error: ")
    assert message in err


def test_bad_input_writes_no_file(tmp_path: Path) -> None:
    out = tmp_path / "plan.csv"
    argv = ["titrate", "--protocol", "resab", "--start", "2026-01-05", "--days", "-1", "--out", str(out)]
    assert main(argv) == EXIT_INPUT_ERROR
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
