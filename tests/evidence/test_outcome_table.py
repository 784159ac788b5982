"""outcome_table: one row per baclofen-vs-placebo comparison, shaped for meta-analysis."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest

from baclotrack.core.errors import InputError
from baclotrack.evidence import (
    BINARY_OUTCOMES,
    OUTCOMES,
    ContinuousSummary,
    TrialArm,
    load_trials,
    outcome_table,
    trial_overview,
)

BINARY_COLUMNS = ["study", "trial_id", "arm", "events_t", "n_t", "events_c", "n_c", "dose_mg", "population"]
CONTINUOUS_COLUMNS = ["study", "trial_id", "arm", "mean_t", "sd_t", "n_t", "mean_c", "sd_c", "n_c", "dose_mg"]


@pytest.fixture(scope="module")
def arms() -> list[TrialArm]:
    return load_trials()


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_every_outcome_gives_a_table_with_the_meta_analysis_columns(
    arms: list[TrialArm], outcome: str
) -> None:
    table = outcome_table(outcome, arms)
    expected = BINARY_COLUMNS if outcome in BINARY_OUTCOMES else CONTINUOUS_COLUMNS
    assert all(column in table.columns for column in expected)
    assert table.schema["n_t"] == pl.Float64


def test_abstinence_table_holds_one_row_per_trial_with_both_arms_reported(arms: list[TrialArm]) -> None:
    table = outcome_table("abstinence", arms).sort("trial_id")
    assert table["trial_id"].to_list() == ["addolorato2007", "muller2015"]
    first = table.row(0, named=True)
    assert (first["events_t"], first["n_t"], first["events_c"], first["n_c"]) == (30, 42, 12, 42)
    assert first["population"] == "cirrhosis"


def test_shared_placebo_arm_is_split_evenly_between_doses(arms: list[TrialArm]) -> None:
    # Garbutt 2021: 17 of 40 placebo patients did not complete; two doses share that arm
    # (Cochrane Handbook 23.3.4: divide events and n for dichotomous outcomes).
    table = outcome_table("dropout", arms).filter(pl.col("trial_id") == "garbutt2021").sort("dose_mg")
    assert table["events_c"].to_list() == [8.5, 8.5]
    assert table["n_c"].to_list() == [20.0, 20.0]
    assert table["control_share"].to_list() == [2, 2]
    assert table["events_t"].to_list() == [17.0, 13.0]
    assert table["study"].to_list() == [
        "Garbutt 2021: baclofen 30 mg/day",
        "Garbutt 2021: baclofen 90 mg/day",
    ]


def test_split_never_counts_a_control_participant_twice(arms: list[TrialArm]) -> None:
    table = outcome_table("dropout", arms).filter(pl.col("trial_id") == "garbutt2021")
    assert table["n_c"].sum() == 40
    assert table["events_c"].sum() == 17


def test_separate_rule_repeats_the_whole_control_arm(arms: list[TrialArm]) -> None:
    table = outcome_table("dropout", arms, multi_arm="separate").filter(pl.col("trial_id") == "garbutt2021")
    assert table["events_c"].to_list() == [17.0, 17.0]
    assert table["n_c"].to_list() == [40.0, 40.0]


def test_continuous_rows_need_mean_sd_and_n_in_both_arms(arms: list[TrialArm]) -> None:
    # Garbutt 2010 reports %HDD means and SDs but not arm sizes, Morley 2018 %PDA means only.
    assert outcome_table("percent_heavy_drinking_days", arms).is_empty()
    assert outcome_table("percent_days_abstinent", arms).is_empty()


def test_continuous_split_divides_control_n_but_keeps_mean_and_sd(arms: list[TrialArm]) -> None:
    trial = [a for a in arms if a.trial_id == "garbutt2021"]
    values = {
        "placebo": (30.0, 20.0, 40),
        "baclofen 30 mg/day": (25.0, 18.0, 43),
        "baclofen 90 mg/day": (20.0, 15.0, 37),
    }
    complete = [
        replace(
            a, continuous={"percent_heavy_drinking_days": ContinuousSummary(*values[a.arm], source="test")}
        )
        for a in trial
    ]
    table = outcome_table("percent_heavy_drinking_days", complete).sort("dose_mg")
    assert table["mean_c"].to_list() == [30.0, 30.0]
    assert table["sd_c"].to_list() == [20.0, 20.0]
    assert table["n_c"].to_list() == [20.0, 20.0]
    assert table["mean_t"].to_list() == [25.0, 20.0]
    assert table["n_t"].to_list() == [43.0, 37.0]


def test_unknown_outcome_is_refused_with_the_valid_choices() -> None:
    with pytest.raises(InputError, match=r"outcome 'relapse' is unknown; choose one of return_to_drinking"):
        outcome_table("relapse", [])


def test_unknown_multi_arm_rule_is_refused(arms: list[TrialArm]) -> None:
    with pytest.raises(InputError, match=r"multi_arm 'pool'"):
        outcome_table("dropout", arms, multi_arm="pool")  # type: ignore[arg-type]


def test_empty_table_keeps_its_column_types() -> None:
    table = outcome_table("any_adverse_event", [])
    assert table.is_empty()
    assert table.schema["events_t"] == pl.Float64


def test_overview_has_one_row_per_trial_sorted_by_year(arms: list[TrialArm]) -> None:
    overview = trial_overview(arms)
    assert overview.height == len({a.trial_id for a in arms})
    assert overview["year"].to_list() == sorted(overview["year"].to_list())


def test_overview_sums_arm_sizes_only_when_every_arm_is_known(arms: list[TrialArm]) -> None:
    overview = {r["trial_id"]: r for r in trial_overview(arms).iter_rows(named=True)}
    assert overview["garbutt2021"]["n_randomised"] == 120
    assert overview["morley2014"]["n_randomised"] is None


def test_overview_marks_which_outcomes_can_be_pooled(arms: list[TrialArm]) -> None:
    overview = {r["trial_id"]: r for r in trial_overview(arms).iter_rows(named=True)}
    assert overview["addolorato2007"]["poolable_outcomes"] == ["return_to_drinking", "abstinence", "dropout"]
    assert overview["garbutt2010"]["outcomes"] == ["percent_heavy_drinking_days"]
    assert overview["garbutt2010"]["poolable_outcomes"] == []


def test_split_whole_gives_whole_participants_that_still_add_up(arms: list[TrialArm]) -> None:
    # 17 of 40 placebo dropouts shared by two doses: 9/20 to the first arm in file order, 8/20 to the next.
    table = outcome_table("dropout", arms, multi_arm="split_whole").filter(
        pl.col("trial_id") == "garbutt2021"
    )
    assert table["arm"].to_list() == ["baclofen 30 mg/day", "baclofen 90 mg/day"]
    assert table["events_c"].to_list() == [9.0, 8.0]
    assert table["n_c"].to_list() == [20.0, 20.0]


def test_split_whole_counts_are_integers_for_every_outcome(arms: list[TrialArm]) -> None:
    # Engines such as baclotrack.analysis.meta refuse fractional counts; split_whole must never give one.
    for outcome in BINARY_OUTCOMES:
        table = outcome_table(outcome, arms, multi_arm="split_whole")
        for column in ("events_t", "n_t", "events_c", "n_c"):
            assert all(value == int(value) for value in table[column].to_list())
