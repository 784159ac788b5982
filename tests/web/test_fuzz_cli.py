"""The command line, fed arbitrary arguments and damaged files (hypothesis, derandomized).

Every run ends with exit 0, or exit 2 and a one-line "baclotrack CMD: error: ..." (or argparse's
usage message); never a traceback. A refused run leaves no output file behind.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baclotrack.cli import main

FUZZ = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
VALUES = st.one_of(
    st.sampled_from(["0", "1", "-1", "4", "11", "40", "300", "3651", "nan", "inf", "1e309", "", "x"]),
    st.sampled_from(["2024-01-01", "2024-02-30", "9999-12-31", "audit", "gad-7", "resab", "ameisen-2005"]),
    st.text(max_size=10).filter(lambda s: not s.startswith("-")),
)


def run(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse refusing an argument
            code = exc.code if isinstance(exc.code, int) else 2
    return code, err.getvalue()


def assert_clean(argv: list[str], code: int, err: str) -> None:
    assert code in {0, 2}, (argv, code, err)
    assert "Traceback" not in err, (argv, err)
    if code == 2:
        assert f"baclotrack {argv[0]}: error:" in err or "usage:" in err, (argv, err)


@FUZZ
@given(st.lists(VALUES, max_size=12), st.sampled_from([[], ["--sex", "F"], ["--sex", "X"], ["--json"]]))
def test_score_with_any_answers_exits_cleanly(values: list[str], options: list[str]) -> None:
    argv = ["score", *options, *values]
    assert_clean(argv, *run(argv))


OPTIONS = ["--protocol", "--start", "--weight-kg", "--days", "--max-mg-per-day", "--crcl", "--tablets"]


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(OPTIONS), VALUES), max_size=6))
def test_titrate_with_any_options_exits_cleanly(options: list[tuple[str, str]]) -> None:
    argv = ["titrate"] + [part for pair in options for part in pair]
    assert_clean(argv, *run(argv))


def _damage(text: str, cells: list[tuple[int, int, str]]) -> str:
    rows = [line.split(",") for line in text.splitlines()]
    for row, col, value in cells:
        target = rows[row % len(rows)]
        target[col % len(target)] = value.replace("\n", " ").replace(",", ";")
    return "\n".join(",".join(r) for r in rows) + "\n"


DIARY = "patient_id,date,drinks\nP1,2024-01-01,3\nP1,2024-01-02,0\nP2,2024-01-01,7\n"
PATIENTS = "patient_id,sex,start_date,country\nP1,F,2024-01-02,FR\nP2,M,2024-01-01,US\n"
CELLS = st.lists(st.tuples(st.integers(0, 9), st.integers(0, 4), VALUES), min_size=1, max_size=4)


@FUZZ
@given(CELLS, CELLS)
def test_endpoints_with_damaged_files_exits_cleanly_and_writes_nothing_on_refusal(
    tmp_path: Path, diary_damage: Any, patient_damage: Any
) -> None:
    diary, patients, out = tmp_path / "DIARY.csv", tmp_path / "PATIENTS.csv", tmp_path / "OUT.csv"
    out.unlink(missing_ok=True)
    diary.write_text(_damage(DIARY, diary_damage))
    patients.write_text(_damage(PATIENTS, patient_damage))
    argv = ["endpoints", "--diary", str(diary), "--patients", str(patients), "--out", str(out)]
    code, err = run(argv)
    assert_clean(argv, code, err)
    assert out.exists() == (code == 0), (argv, err)


STUDIES = "study,events_t,n_t,events_c,n_c\nA,4,123,11,139\nB,6,306,29,303\nC,3,231,11,220\n"


@FUZZ
@given(CELLS, st.sampled_from(["RR", "OR", "RD"]), st.sampled_from(["FE", "DL", "REML", "MH"]))
def test_meta_with_a_damaged_study_table_exits_cleanly(
    tmp_path: Path, damage: Any, measure: str, method: str
) -> None:
    studies = tmp_path / "studies.csv"
    studies.write_text(_damage(STUDIES, damage))
    argv = ["meta", "--studies", str(studies), "--measure", measure, "--method", method]
    assert_clean(argv, *run(argv))
