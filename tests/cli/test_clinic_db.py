"""Clinic commands on a database that was never set up say what to do instead of crashing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize(
    "command",
    [
        ["report", "AMEISEN-2005", "--out", "report.pdf"],
        ["export", "caseload", "--clinician", "demo", "--out", "caseload"],
        ["research-export", "--out", "research"],
    ],
)
def test_an_unmigrated_clinic_database_is_refused_with_the_fix(tmp_path: Path, command: list[str]) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "baclotrack.cli", *command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "not set up" in proc.stderr
    assert "baclotrack manage migrate" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.sqlite3"]
