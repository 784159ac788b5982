"""Helpers to write edited copies of the bundled trials.csv for the loader's refusal tests."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

BUNDLED_CSV = resources.files("baclotrack.evidence").joinpath("trials.csv").read_text(encoding="utf-8")

Row = dict[str, str]


def bundled_rows() -> list[Row]:
    return list(csv.DictReader(io.StringIO(BUNDLED_CSV, newline="")))


def write_rows(path: Path, rows: list[Row], fieldnames: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def find(rows: list[Row], trial_id: str, arm: str) -> tuple[int, Row]:
    """The row and its CSV line number (header is line 1, one line per row)."""
    for index, row in enumerate(rows):
        if row["trial_id"] == trial_id and row["arm"] == arm:
            return index + 2, row
    raise KeyError((trial_id, arm))


@pytest.fixture
def edited_copy(tmp_path: Path) -> Callable[..., Path]:
    """Write the bundled CSV with one change to ``tmp_path`` and return the file's path."""

    def make(edit: Callable[[list[Row]], None], fieldnames: list[str] | None = None) -> Path:
        rows = bundled_rows()
        names = fieldnames or list(rows[0].keys())
        edit(rows)
        return write_rows(tmp_path / "trials.csv", rows, names)

    return make
