"""The bundled trial dataset: it validates, every number is sourced, and vetted values are present."""

from __future__ import annotations

import csv
import io

import pytest

from baclotrack.evidence import BINARY_OUTCOMES, CONTINUOUS_OUTCOMES, POPULATIONS, TrialArm, load_trials
from baclotrack.evidence.data import COLUMNS

from .conftest import BUNDLED_CSV


@pytest.fixture(scope="module")
def arms() -> list[TrialArm]:
    return load_trials()


def arm_of(arms: list[TrialArm], trial_id: str, arm: str) -> TrialArm:
    return next(a for a in arms if a.trial_id == trial_id and a.arm == arm)


def test_bundled_csv_validates_and_holds_at_least_twelve_trials(arms: list[TrialArm]) -> None:
    assert len({a.trial_id for a in arms}) >= 12
    assert all(a.population in POPULATIONS for a in arms)


def test_bundled_csv_has_exactly_the_documented_columns() -> None:
    header = next(csv.reader(io.StringIO(BUNDLED_CSV)))
    assert tuple(header) == COLUMNS


def test_every_non_blank_number_in_the_file_has_a_non_blank_source() -> None:
    # Read the raw file, independently of the loader, so a loader bug cannot hide a missing source.
    groups = {"design_source": ["target_mg", "max_mg", "mean_achieved_mg", "duration_weeks", "n_randomised"]}
    for outcome in BINARY_OUTCOMES:
        groups[f"{outcome}_source"] = [f"{outcome}_events", f"{outcome}_n"]
    for outcome in CONTINUOUS_OUTCOMES:
        groups[f"{outcome}_source"] = [f"{outcome}_mean", f"{outcome}_sd", f"{outcome}_n"]
    numbers_seen = 0
    for line, row in enumerate(csv.DictReader(io.StringIO(BUNDLED_CSV)), start=2):
        for source, columns in groups.items():
            filled = [c for c in columns if row[c].strip()]
            numbers_seen += len(filled)
            assert not filled or row[source].strip(), f"line {line}: {filled} without {source}"
    assert numbers_seen > 50


def test_every_trial_has_a_citation_with_year_and_a_traceable_identifier(arms: list[TrialArm]) -> None:
    for arm in arms:
        assert str(arm.year) in arm.citation
        assert arm.doi or arm.pmid or arm.registry or arm.source_url


def test_addolorato_2007_cirrhosis_abstinence_and_dropouts_match_the_lancet_abstract(
    arms: list[TrialArm],
) -> None:
    baclofen, placebo = arm_of(arms, "addolorato2007", "baclofen"), arm_of(arms, "addolorato2007", "placebo")
    assert (baclofen.binary["abstinence"].events, baclofen.binary["abstinence"].n) == (30, 42)
    assert (placebo.binary["abstinence"].events, placebo.binary["abstinence"].n) == (12, 42)
    assert (baclofen.binary["dropout"].events, placebo.binary["dropout"].events) == (6, 13)
    assert baclofen.population == "cirrhosis"


def test_addolorato_2007_dose_is_10_mg_tid_with_its_secondary_source_named(arms: list[TrialArm]) -> None:
    # The Lancet abstract gives no dose; the same group's post hoc HCV-subgroup paper does (10 mg t.i.d.).
    baclofen = arm_of(arms, "addolorato2007", "baclofen")
    assert (baclofen.regimen, baclofen.target_mg, baclofen.max_mg, baclofen.dose_mg) == ("fixed", 30, 30, 30)
    assert "10 mg t.i.d." in baclofen.design_source and "Leggio" in baclofen.design_source


def test_bacloville_names_its_trial_registration(arms: list[TrialArm]) -> None:
    assert {a.registry for a in arms if a.trial_id == "jaury2020"} == {"NCT01604330"}


@pytest.mark.parametrize(
    ("trial_id", "arm"),
    [
        ("addolorato2007", "baclofen"),
        ("addolorato2007", "placebo"),
        ("muller2015", "baclofen titrated 30-270 mg/day"),
        ("muller2015", "placebo"),
    ],
)
def test_return_to_drinking_is_the_complement_of_total_abstinence_with_its_formula(
    arms: list[TrialArm], trial_id: str, arm: str
) -> None:
    # Derived, not read: n minus the totally abstinent, on the same denominator (trials.csv says so).
    record = arm_of(arms, trial_id, arm)
    returned, abstinent = record.binary["return_to_drinking"], record.binary["abstinence"]
    assert returned.n == abstinent.n
    assert returned.events == abstinent.n - abstinent.events
    assert returned.source.startswith("derived:") and "minus" in returned.source


def test_addolorato_2011_randomised_fourteen_per_arm_at_30_and_60_mg(arms: list[TrialArm]) -> None:
    trial = [a for a in arms if a.trial_id == "addolorato2011"]
    assert sorted(a.n_randomised or 0 for a in trial) == [14, 14, 14]
    assert sorted(a.target_mg for a in trial if a.arm_role == "baclofen") == [30, 60]  # 10 and 20 mg t.i.d.


def test_baclad_abstinence_is_fifteen_of_22_vs_five_of_21(arms: list[TrialArm]) -> None:
    baclofen = arm_of(arms, "muller2015", "baclofen titrated 30-270 mg/day")
    placebo = arm_of(arms, "muller2015", "placebo")
    assert (baclofen.binary["abstinence"].events, baclofen.binary["abstinence"].n) == (15, 22)
    assert (placebo.binary["abstinence"].events, placebo.binary["abstinence"].n) == (5, 21)
    assert baclofen.regimen == "titrated" and baclofen.max_mg == 270


def test_garbutt_2021_arms_match_the_registry_participant_flow(arms: list[TrialArm]) -> None:
    sizes = {a.arm: a.n_randomised for a in arms if a.trial_id == "garbutt2021"}
    assert sizes == {"baclofen 30 mg/day": 43, "baclofen 90 mg/day": 37, "placebo": 40}
    assert sum(s or 0 for s in sizes.values()) == 120  # the abstract's 120 randomised


@pytest.mark.parametrize(
    ("trial_id", "total"),
    [("reynaud2017", 320), ("jaury2020", 320), ("beraha2016", 151), ("addolorato2002", 39)],
)
def test_arm_sizes_add_up_to_the_published_total(arms: list[TrialArm], trial_id: str, total: int) -> None:
    assert sum(a.n_randomised or 0 for a in arms if a.trial_id == trial_id) == total


def test_dose_used_for_meta_regression_prefers_mean_achieved_over_target(arms: list[TrialArm]) -> None:
    high_dose = arm_of(arms, "beraha2016", "baclofen high dose (up to 150 mg/day)")
    assert (high_dose.target_mg, high_dose.mean_achieved_mg, high_dose.dose_mg) == (150, 93.6, 93.6)
    fixed = arm_of(arms, "garbutt2021", "baclofen 90 mg/day")
    assert fixed.dose_mg == 90


def test_every_baclofen_arm_names_a_placebo_control_in_its_own_trial(arms: list[TrialArm]) -> None:
    placebo = {(a.trial_id, a.arm) for a in arms if a.arm_role == "placebo"}
    for arm in arms:
        if arm.arm_role == "baclofen":
            assert (arm.trial_id, arm.control_arm) in placebo


def test_loaded_outcomes_cannot_be_edited_in_place(arms: list[TrialArm]) -> None:
    arm = next(a for a in arms if a.binary)
    with pytest.raises(TypeError):
        arm.binary["abstinence"] = arm.binary[next(iter(arm.binary))]  # type: ignore[index]
