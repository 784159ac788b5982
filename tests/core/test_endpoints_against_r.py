"""Endpoints of the bundled sample diary equal an independent base-R computation to the last digit.

The reference CSV is made by tests/reference/endpoints/endpoints.R (run it from the repository
root to regenerate); it writes 17 significant digits, enough to round-trip every double.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from baclotrack.core.endpoints import compute_endpoints, diary_grams_from_drinks
from baclotrack.exchange.diary_csv import read_diary_and_patients

REFERENCE = Path(__file__).parents[1] / "reference" / "endpoints" / "sample_endpoints_r.csv"


@pytest.mark.r_reference
def test_sample_endpoints_against_r() -> None:
    data = resources.files("baclotrack") / "data"
    diary, patients = read_diary_and_patients(
        Path(str(data / "sample_diary.csv")), Path(str(data / "sample_patients.csv"))
    )
    ours = compute_endpoints(diary_grams_from_drinks(diary, patients), patients)
    expected = pl.read_csv(REFERENCE, schema=ours.schema)
    # Exact: same sums over the same values in the same order, divided once.
    assert_frame_equal(ours, expected, check_exact=True)
