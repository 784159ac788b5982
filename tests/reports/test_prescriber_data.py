"""The prescriber's report data: every figure from the core, with the days it rests on."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from baclotrack.analysis.simulate import ameisen_2005_case
from baclotrack.core.endpoints import Window, compute_endpoints
from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import HEAVY_DAY_EMA, WhoRiskLevel
from baclotrack.core.titration.plan import generate_plan
from baclotrack.core.titration.protocols import get_protocol
from baclotrack.evidence import trial_overview
from baclotrack.reports.evidence_box import evidence_box
from baclotrack.reports.prescriber import ClientInfo, ReportData, build_report_data

START = dt.date(2004, 1, 5)
LAST_DAY = dt.date(2004, 5, 3)  # day 120, the end of the reconstructed Ameisen diary
AMEISEN = ClientInfo("AMEISEN-2005", "M", START, country="FR", weight_kg=75.0)


@pytest.fixture(scope="module")
def diary() -> pl.DataFrame:
    return ameisen_2005_case().diary


@pytest.fixture(scope="module")
def report(diary: pl.DataFrame) -> ReportData:
    return build_report_data(AMEISEN, diary, None, today=LAST_DAY)


def sparse(diary: pl.DataFrame) -> pl.DataFrame:
    """Every fifth day kept, and nothing at all reported in the last 28 days."""
    kept = diary.with_row_index("i").filter(pl.col("i") % 5 == 0).drop("i")
    blank = ("drinks", "grams", "craving", "anxiety", "dose_mg")
    recent = pl.col("date") > LAST_DAY - dt.timedelta(days=28)
    return kept.with_columns(pl.when(~recent).then(pl.col(c)).alias(c) for c in blank)


def test_ameisen_dose_history_starts_at_30_peaks_at_270_and_ends_on_120(report: ReportData) -> None:
    dose = report.dose
    assert (dose.start_mg, dose.start_date) == (30.0, START)
    assert dose.max_mg == 270.0 and dose.days_at_max == 14
    assert (dose.current_mg, dose.current_date, dose.current_source) == (120.0, LAST_DAY, "diary")
    assert dose.max_mg_per_kg == pytest.approx(3.6)  # the 3.6 mg/kg of Ameisen 2005
    assert dose.current_mg_per_kg == pytest.approx(1.6)
    assert (dose.coverage.reported, dose.coverage.days) == (120, 120)


def test_ameisen_indifference_first_reached_at_270_and_later_held_at_120(report: ReportData) -> None:
    first, lowest = report.first_indifference, report.indifference
    assert first.reached and first.dose_mg == 270.0
    assert first.date_reached == report.dose.max_first_date + dt.timedelta(days=13)
    # The core's own answer (the lowest dose held 14 days) is kept beside it.
    assert lowest.reached and lowest.dose_mg == 120.0
    assert first.date_reached < lowest.date_reached


def test_drinking_figures_are_compute_endpoints_figures(report: ReportData, diary: pl.DataFrame) -> None:
    patients = pl.DataFrame(
        {"patient_id": ["AMEISEN-2005"], "sex": ["M"], "start_date": [START], "country": ["FR"]}
    )
    windows = [Window("baseline", -28, -1), Window("recent", 93, 120)]
    core = {r["window"]: r for r in compute_endpoints(diary, patients, windows).iter_rows(named=True)}
    for ours, theirs in ((report.baseline, core["baseline"]), (report.recent, core["recent"])):
        assert ours is not None
        assert ours.drinks_per_day == theirs["drinks_per_day"]
        assert ours.heavy_days == theirs["hdd"]
        assert ours.percent_days_abstinent == theirs["pda"]
        assert ours.coverage.reported == theirs["days_reported"] == 28


def test_who_level_change_counts_levels_from_baseline_to_last_28_days(report: ReportData) -> None:
    assert report.baseline.who_level == WhoRiskLevel.HIGH
    assert report.recent is not None and report.recent.who_level == WhoRiskLevel.ABSTINENT
    assert report.who_change == -3


def test_treatment_is_cut_in_four_week_blocks_the_last_ending_today(report: ReportData) -> None:
    assert [b.label for b in report.blocks][:2] == ["Weeks 1-4", "Weeks 5-8"]
    last = report.blocks[-1]
    assert last.last == LAST_DAY and last.coverage.days == 120 - 4 * 28
    assert last.label == "Weeks 17-20, partial"
    assert report.recent is not None and report.recent.first == LAST_DAY - dt.timedelta(days=27)


def test_craving_and_anxiety_means_fall_with_their_coverage(report: ReportData) -> None:
    craving = {w.label: w for w in report.craving.windows}
    assert craving["Baseline"].mean == 9.0 and craving["Baseline"].coverage.reported == 28
    assert craving["Last 7 days"].mean == 1.0 and craving["Last 7 days"].coverage.days == 7
    anxiety = {w.label: w for w in report.anxiety.windows}
    assert anxiety["Last 28 days"].mean < anxiety["Baseline"].mean


def test_side_effects_show_worst_severity_and_that_none_was_reported_lately(report: ReportData) -> None:
    by_key = {c.key: c for c in report.side_effects}
    assert set(by_key) == {"somnolence", "fatigue"}
    somnolence = by_key["somnolence"]
    assert somnolence.max_severity == 2 and somnolence.max_label == "moderate"
    assert somnolence.recent_days == 0  # resolved on 120 mg/day, as Ameisen reported
    assert report.side_effects[0].key == "somnolence"  # worst first


def test_sparse_diary_states_coverage_and_invents_no_numbers(diary: pl.DataFrame) -> None:
    data = build_report_data(AMEISEN, sparse(diary), None, today=LAST_DAY)
    assert data.baseline.coverage.reported == 6 and data.baseline.drinks_per_day is not None
    recent = data.recent
    assert recent is not None and recent.coverage.reported == 0
    assert recent.drinks_per_day is None and recent.heavy_days is None and recent.who_level is None
    assert data.who_change is None
    assert {w.label: w.mean for w in data.craving.windows}["Last 28 days"] is None
    assert any("current drinking is unknown" in note for note in data.notes)
    assert data.adherence.reported < data.adherence.days
    assert not data.first_indifference.reached  # runs are broken by the missing days


def test_plan_gives_the_current_dose_when_the_diary_has_none() -> None:
    start = dt.date(2024, 3, 1)
    client = ClientInfo("C-7", "F", start, weight_kg=60.0)
    plan = generate_plan(get_protocol("baclocur-label"), start, days=30, weight_kg=60.0)
    diary = pl.DataFrame({"date": [start + dt.timedelta(days=k) for k in range(10)], "drinks": [2.0] * 10})
    data = build_report_data(client, diary, plan, today=start + dt.timedelta(days=9))
    assert data.dose.current_source == "plan"
    assert data.dose.current_mg == plan.steps[9].mg_per_day == data.dose.planned_today_mg
    assert data.dose.start_mg == plan.steps[0].mg_per_day
    assert data.timeline["planned_mg"].drop_nulls().len() == 10


def test_report_before_the_start_shows_only_the_baseline() -> None:
    client = ClientInfo("NEW-1", "F", dt.date(2024, 3, 1))
    diary = pl.DataFrame({"date": [dt.date(2024, 2, 20)], "drinks": [3.0]})
    data = build_report_data(client, diary, None, today=dt.date(2024, 2, 25))
    assert data.recent is None and data.blocks == ()
    assert data.baseline.coverage.reported == 1
    assert data.dose.current_mg is None and data.evidence.arms == ()
    assert any("not started" in note for note in data.notes)


def test_days_after_the_report_date_are_left_out(diary: pl.DataFrame) -> None:
    earlier = dt.date(2004, 2, 1)
    data = build_report_data(AMEISEN, diary, None, today=earlier)
    assert data.timeline["date"].max() == earlier
    expected = diary.filter(pl.col("date") <= earlier)["dose_mg"].max()
    assert data.dose.max_mg == expected < 270.0
    assert not data.first_indifference.reached


def test_heavy_day_definition_is_a_parameter(diary: pl.DataFrame) -> None:
    fda = build_report_data(AMEISEN, diary, None, today=LAST_DAY)
    ema = build_report_data(AMEISEN, diary, None, today=LAST_DAY, heavy=HEAVY_DAY_EMA)
    # EMA (> 60 g for men) counts more baseline days heavy than FDA (>= 70 g).
    assert ema.baseline.heavy_days is not None and fda.baseline.heavy_days is not None
    assert ema.baseline.heavy_days >= fda.baseline.heavy_days
    assert ema.heavy.name == "ema"


def test_another_clients_diary_is_refused(diary: pl.DataFrame) -> None:
    other = ClientInfo("SOMEONE-ELSE", "M", START)
    with pytest.raises(InputError, match="no rows for client 'SOMEONE-ELSE'"):
        build_report_data(other, diary, None, today=LAST_DAY)


def test_a_fractional_craving_is_refused_naming_the_date(diary: pl.DataFrame) -> None:
    bad = diary.with_columns(pl.col("craving").cast(pl.Float64)).with_columns(
        pl.when(pl.col("date") == START).then(2.5).otherwise(pl.col("craving")).alias("craving")
    )
    with pytest.raises(InputError, match="2004-01-05: craving"):
        build_report_data(AMEISEN, bad, None, today=LAST_DAY)


def test_a_diary_without_amounts_is_refused() -> None:
    with pytest.raises(InputError, match="'grams' or a 'drinks' column"):
        build_report_data(AMEISEN, pl.DataFrame({"date": [START]}), None, today=LAST_DAY)


def test_client_fields_are_validated() -> None:
    with pytest.raises(InputError, match="sex must be F or M"):
        ClientInfo("X", "Q", START)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="weight_kg"):
        ClientInfo("X", "M", START, weight_kg=5.0)
    with pytest.raises(InputError, match="client code"):
        ClientInfo("  ", "M", START)


def test_evidence_box_counts_agree_with_the_trial_overview(report: ReportData) -> None:
    overview = trial_overview()
    box = report.evidence
    assert box.trials_total == overview.height
    assert box.trials_poolable_any == sum(1 for p in overview["poolable_outcomes"].to_list() if p)
    assert box.trials_poolable_drinking <= box.trials_poolable_any < box.trials_total
    low, high = box.dose_band or (0, 0)
    assert (low, high) == pytest.approx((80.0, 180.0))  # current 120 mg/day, factor 1.5
    assert box.arms and all(low <= arm.dose_mg <= high for arm in box.arms)


def test_evidence_box_refuses_a_ratio_below_one() -> None:
    with pytest.raises(InputError, match="comparable_dose_ratio"):
        evidence_box(100.0, ratio=0.5)


def test_an_empty_diary_gives_a_report_that_knows_nothing_yet() -> None:
    client = ClientInfo("E-1", "F", dt.date(2024, 3, 1))
    empty = pl.DataFrame(schema={"date": pl.Date, "grams": pl.Float64})
    data = build_report_data(client, empty, None, today=dt.date(2024, 3, 6))
    assert data.adherence.reported == 0 and data.adherence.days == 6
    assert data.baseline.drinks_per_day is None and data.side_effects == ()
    assert len(data.notes) == 3  # no baseline, nothing recent, no dose
