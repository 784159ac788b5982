"""De-identified research export: no identifiers, shifted dates, bands, k-anonymity, identical endpoints."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclotrack.core.endpoints import compute_endpoints, diary_grams_from_drinks
from baclotrack.core.errors import InputError
from baclotrack.exchange.research import deidentify, k_anonymity

COUNTRIES = ["US", "FR", "UK"]


def cohort(n: int = 24, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A synthetic caseload with identifying columns and per-patient random diaries (baseline + 12 weeks)."""
    rng = np.random.default_rng(seed)
    starts = [dt.date(2024, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 200, n)]
    patients = pl.DataFrame(
        {
            "patient_id": [f"CLIENT-{i:03d}" for i in range(n)],
            "sex": rng.choice(["F", "M"], n).tolist(),
            "start_date": starts,
            "country": rng.choice(COUNTRIES, n).tolist(),
            "arm": rng.choice(["placebo", "baclofen"], n).tolist(),
            "dose_mg": rng.choice([0.0, 30.0, 90.0], n).tolist(),
            "birth_year": rng.integers(1950, 2000, n).tolist(),
            "weight_kg": rng.uniform(40, 140, n).round(1).tolist(),
            "full_name": [f"Name {i}" for i in range(n)],
        }
    )
    rows = []
    for pid, start in zip(patients["patient_id"], starts, strict=True):
        for offset in range(-28, 84):
            if rng.random() < 0.1:
                continue  # a day the client did not fill in
            drinks = None if rng.random() < 0.05 else float(rng.poisson(3))
            rows.append(
                (pid, start + dt.timedelta(days=offset), drinks, int(rng.integers(0, 11)), "free text")
            )
    diary = pl.DataFrame(
        rows,
        schema={
            "patient_id": pl.String,
            "date": pl.Date,
            "drinks": pl.Float64,
            "craving": pl.Int64,
            "note": pl.String,
        },
        orient="row",
    )
    return patients, diary


def endpoints_by_patient(diary: pl.DataFrame, patients: pl.DataFrame) -> list[tuple[tuple[object, ...], ...]]:
    """Each patient's endpoint rows without the id, sorted, so two cohorts compare without the id mapping."""
    result = compute_endpoints(diary_grams_from_drinks(diary, patients), patients)
    per_patient = result.group_by("patient_id", maintain_order=True).agg(pl.all())
    return sorted(tuple(tuple(v) for v in row[1:]) for row in per_patient.iter_rows())


def test_endpoints_of_the_export_equal_those_of_the_original():
    patients, diary = cohort()
    export = deidentify(patients, diary, seed=11)
    assert endpoints_by_patient(export.diary, export.patients) == endpoints_by_patient(diary, patients)


def test_no_client_code_name_or_free_text_leaves():
    patients, diary = cohort()
    export = deidentify(patients, diary, seed=11)
    text = "".join(export.to_csv().values())
    assert "CLIENT-" not in text and "Name " not in text and "free text" not in text
    assert export.patients.columns == [
        "patient_id",
        "sex",
        "start_date",
        "country",
        "arm",
        "dose_mg",
        "birth_year_band",
        "weight_band",
    ]
    assert export.diary.columns == ["patient_id", "date", "drinks", "craving"]


def test_study_ids_are_random_and_rows_sorted_by_them():
    patients, diary = cohort()
    first = deidentify(patients, diary, seed=1).patients
    second = deidentify(patients, diary, seed=2).patients
    assert first["patient_id"].to_list() == sorted(first["patient_id"].to_list())
    assert first["patient_id"].str.starts_with("S").all()
    # A different seed gives a different assignment (the start dates follow the patients).
    assert first["start_date"].to_list() != second["start_date"].to_list()


def test_same_seed_gives_the_same_export():
    patients, diary = cohort()
    assert deidentify(patients, diary, seed=3).to_csv() == deidentify(patients, diary, seed=3).to_csv()


def test_dates_shift_by_whole_weeks_per_client_and_intervals_are_kept():
    patients, diary = cohort(n=6)
    export = deidentify(patients, diary, seed=5)
    original = sorted(
        (d - s).days
        for d, s in diary.join(patients, on="patient_id").select("date", "start_date").iter_rows()
    )
    shifted = sorted(
        (d - s).days
        for d, s in export.diary.join(export.patients, on="patient_id")
        .select("date", "start_date")
        .iter_rows()
    )
    assert original == shifted
    # The id mapping is not returned, so compare the cohorts as multisets.
    weekdays = sorted(d.weekday() for d in patients["start_date"])
    assert sorted(d.weekday() for d in export.patients["start_date"]) == weekdays
    assert set(export.patients["start_date"]) != set(patients["start_date"])


def test_shifts_without_weekday_stay_within_the_maximum():
    patients, diary = cohort(n=30)
    export = deidentify(patients, diary, seed=9, keep_weekday=False, max_shift_days=3)
    low = min(patients["start_date"]) - dt.timedelta(days=3)
    high = max(patients["start_date"]) + dt.timedelta(days=3)
    assert all(low <= d <= high for d in export.patients["start_date"])


def test_birth_year_and_weight_are_banded_with_open_extremes():
    patients = pl.DataFrame(
        {
            "patient_id": ["a", "b", "c", "d"],
            "sex": ["F", "M", "M", "F"],
            "start_date": [dt.date(2024, 1, 1)] * 4,
            "birth_year": [1970, 1974, 1975, None],
            "weight_kg": [49.9, 50.0, 119.9, 120.0],
        }
    )
    diary = pl.DataFrame(schema={"patient_id": pl.String, "date": pl.Date, "drinks": pl.Float64})
    export = deidentify(patients, diary, seed=0)
    bands = set(export.patients.select("birth_year_band", "weight_band").iter_rows())
    assert bands == {("1970-1974", "<50"), ("1970-1974", "50-59"), ("1975-1979", "110-119"), (None, "120+")}


def test_k_anonymity_lists_classes_below_k():
    patients = pl.DataFrame(
        {"sex": ["F"] * 5 + ["M"] * 2, "birth_year_band": ["1970-1974"] * 7, "country": ["FR"] * 7}
    )
    report = k_anonymity(patients, k=5)
    assert report.smallest_class == 2
    assert report.below_k.rows() == [("M", "1970-1974", "FR", 2)]
    assert not report.satisfied
    assert k_anonymity(patients, k=2).satisfied


def test_export_reports_k_anonymity_on_sex_age_band_and_country():
    patients, diary = cohort(n=40)
    report = deidentify(patients, diary, seed=4).k_anonymity
    assert report.quasi_identifiers == ("sex", "birth_year_band", "country")
    assert report.classes["patients"].sum() == 40
    assert report.smallest_class == report.classes["patients"].min()


def test_csv_output_reads_back_as_the_endpoints_input():
    patients, diary = cohort(n=5)
    files = deidentify(patients, diary, seed=4).to_csv()
    read_patients = pl.read_csv(io.StringIO(files["PATIENTS.csv"]), try_parse_dates=True)
    read_diary = pl.read_csv(io.StringIO(files["DIARY.csv"]), try_parse_dates=True)
    assert endpoints_by_patient(read_diary, read_patients) == endpoints_by_patient(diary, patients)


def test_unknown_diary_patient_is_refused():
    patients, diary = cohort(n=2)
    stray = pl.DataFrame(
        {
            "patient_id": ["NOBODY"],
            "date": [dt.date(2024, 1, 1)],
            "drinks": [1.0],
            "craving": [1],
            "note": [None],
        },
        schema=diary.schema,
    )
    with pytest.raises(InputError, match="NOBODY"):
        deidentify(patients, pl.concat([diary, stray]), seed=0)


def test_bad_parameters_are_refused():
    patients, diary = cohort(n=2)
    with pytest.raises(InputError, match="max_shift_days"):
        deidentify(patients, diary, seed=0, max_shift_days=3)
    with pytest.raises(InputError, match="k: must be at least 1"):
        deidentify(patients, diary, seed=0, k=0)


@settings(derandomize=True, max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans(), st.integers(7, 400))
def test_endpoints_are_kept_for_any_seed_and_shift(seed: int, keep_weekday: bool, max_shift_days: int):
    patients, diary = cohort(n=8, seed=seed % 1000)
    export = deidentify(patients, diary, seed=seed, keep_weekday=keep_weekday, max_shift_days=max_shift_days)
    assert endpoints_by_patient(export.diary, export.patients) == endpoints_by_patient(diary, patients)
