"""Ameisen's 2005 self-case: the reported facts hold in the reconstructed diary."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from baclotrack.analysis.doseresponse import DoseResponse
from baclotrack.analysis.simulate import ameisen_2005_case
from baclotrack.core.diary import DiaryDay
from baclotrack.core.diaryframe import validate_diary, validate_patients
from baclotrack.core.titration.indifference import qualifying_runs


def _treatment() -> pl.DataFrame:
    case = ameisen_2005_case()
    start = case.patients["start_date"][0]
    return case.diary.filter(pl.col("date") >= start).with_row_index("day", offset=1)


def test_case_is_deterministic_and_passes_the_table_checks() -> None:
    first, second = ameisen_2005_case(), ameisen_2005_case()
    assert_frame_equal(first.diary, second.diary)
    assert_frame_equal(first.patients, second.patients)
    assert first.patients["patient_id"].to_list() == ["AMEISEN-2005"]
    validate_patients(first.patients)
    validate_diary(first.diary)


def test_dose_starts_at_30_mg_and_rises_by_20_mg_every_third_day() -> None:
    doses = _treatment()["dose_mg"].to_list()
    assert doses[:7] == [30.0, 30.0, 30.0, 50.0, 50.0, 50.0, 70.0]
    assert doses[36] == 270.0 and doses[35] == 250.0  # day 37: after about five weeks


def test_craving_is_first_suppressed_at_270_mg() -> None:
    days = _treatment()
    suppressed = days.filter(pl.col("craving") <= 2)
    assert suppressed["dose_mg"][0] == 270.0
    assert suppressed["day"][0] == days.filter(pl.col("dose_mg") == 270)["day"].min()


def test_somnolence_at_high_dose_resolves_on_120_mg_maintenance() -> None:
    days = _treatment()
    assert (days.filter(pl.col("dose_mg") == 270)["somnolence"] >= 2).all()
    maintenance = days.filter(pl.col("dose_mg") == 120)
    assert maintenance["day"].min() > 37
    assert (maintenance["somnolence"] == 0).all()
    assert days["dose_mg"][-1] == 120.0


def test_core_finds_indifference_runs_at_270_and_on_maintenance() -> None:
    case = ameisen_2005_case()
    days = [
        DiaryDay(date=d, grams=g, craving=c, dose_taken_mg=m)
        for d, g, c, m in case.diary.select("date", "grams", "craving", "dose_mg").iter_rows()
    ]
    runs = {(dose, (last - first).days + 1) for dose, first, last in qualifying_runs(days, "M")}
    assert (270.0, 14) in runs
    result = DoseResponse().fit(case.diary, case.patients.row(0, named=True)).indifference_
    # The core reports the LOWEST dose held 14 days with low craving: the 120 mg maintenance.
    assert result.reached and result.dose_mg == 120.0
