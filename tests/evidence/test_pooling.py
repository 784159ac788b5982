"""pool_outcome: per-outcome pooling of the bundled trials, by dose, and the not-enough-data path.

Reference numbers come from R metafor 3.8 (tests/evidence/reference/pooling_reference.R); the
engine follows metafor step by step, so a relative tolerance of 1e-6 is generous (it agrees to ~1e-10).
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from baclotrack.analysis.meta import (
    Measure,
    MetaAnalysis,
    Method,
    effect_sizes_from_frame,
    subgroup_analysis,
)
from baclotrack.core.errors import InputError
from baclotrack.core.i18n import Message, context_of
from baclotrack.evidence import OUTCOMES, TrialArm, load_trials, outcome_table
from baclotrack.evidence.pooling import (
    COCHRANE_2023,
    DEFAULT_MEASURES,
    HIGH_DOSE_ABOVE_MG,
    OUTCOME_NAMES,
    dose_group,
    pool_outcome,
)

REL = 1e-6


@pytest.fixture(scope="module")
def arms() -> list[TrialArm]:
    return load_trials()


def test_pooling_abstinence_equals_the_engine_on_the_same_table(arms: list[TrialArm]) -> None:
    result = pool_outcome("abstinence", arms=arms)
    by_hand = MetaAnalysis("REML").fit(effect_sizes_from_frame(outcome_table("abstinence", arms), "RR"))
    assert result.fit is not None and result.reason is None
    assert result.fit.k_ == 2
    assert result.fit.estimate_ == pytest.approx(by_hand.estimate_, rel=1e-12)
    assert result.fit.se_ == pytest.approx(by_hand.se_, rel=1e-12)
    # Addolorato 2007 (30/42 vs 12/42) and BACLAD (15/22 vs 5/21) both favour baclofen: pooled RR > 1.
    assert np.exp(result.fit.ci_low_) > 1


def test_dropout_pooling_matches_metafor_with_the_placebo_arm_split(arms: list[TrialArm]) -> None:
    fit = pool_outcome("dropout", arms=arms).fit
    assert fit is not None and fit.k_ == 4
    assert fit.estimate_ == pytest.approx(-0.3510801836, rel=REL)
    assert fit.se_ == pytest.approx(0.1957019582, rel=REL)
    assert (fit.ci_low_, fit.ci_high_) == pytest.approx((-0.7346489733, 0.0324886061), rel=REL)


def test_return_to_drinking_pooling_matches_metafor(arms: list[TrialArm]) -> None:
    fit = pool_outcome("return_to_drinking", arms=arms).fit
    assert fit is not None
    assert fit.estimate_ == pytest.approx(-0.8998820257, rel=REL)
    assert (fit.ci_low_, fit.ci_high_) == pytest.approx((-1.3051518623, -0.4946121890), rel=REL)


@pytest.mark.parametrize(
    ("outcome", "measure"),
    [
        ("return_to_drinking", Measure.RR),
        ("any_adverse_event", Measure.RR),
        ("percent_days_abstinent", Measure.MD),
        ("percent_heavy_drinking_days", Measure.SMD),
        ("drinks_per_drinking_day", Measure.MD),
    ],
)
def test_default_measures_follow_the_cochrane_2023_analyses(outcome: str, measure: Measure) -> None:
    assert DEFAULT_MEASURES[outcome] is measure
    assert COCHRANE_2023[outcome]["measure"] == measure.value


def test_outcome_nobody_reports_gives_a_reason_instead_of_numbers(arms: list[TrialArm]) -> None:
    result = pool_outcome("percent_heavy_drinking_days", arms=arms)
    assert result.fit is None
    assert (
        result.reason is not None and "no bundled trial reports percent_heavy_drinking_days" in result.reason
    )
    assert result.to_dict()["pooled"] is None
    assert result.measure is Measure.SMD


def test_a_single_comparison_is_not_pooled(arms: list[TrialArm]) -> None:
    only_addolorato_2007 = [a for a in arms if a.trial_id == "addolorato2007"]
    result = pool_outcome("abstinence", arms=only_addolorato_2007)
    assert result.fit is None
    assert (
        result.reason is not None
        and "only 1 comparison" in result.reason
        and "Addolorato 2007" in result.reason
    )
    assert result.table.height == 1  # the comparison is still there, to be shown on its own


def test_by_dose_meta_regression_matches_metafor(arms: list[TrialArm]) -> None:
    dose = pool_outcome("dropout", by="dose", arms=arms).dose
    assert dose is not None and dose.regression is not None
    assert dose.without_dose == ()
    assert dose.regression.k_ == 4  # 30, 30, 30 and 90 mg/day
    assert dose.regression.coef_[0] == pytest.approx(-0.6526973548, rel=REL)
    assert dose.regression.coef_[1] == pytest.approx(0.0051377212, rel=REL)
    assert dose.regression.se_[1] == pytest.approx(0.0093166067, rel=REL)
    assert dose.regression.tau2_ == pytest.approx(0.0997378936, rel=REL)


def test_by_dose_meta_regression_leaves_out_a_comparison_without_a_dose(arms: list[TrialArm]) -> None:
    # Blank Addolorato 2007's dose (as the dataset had it before its source was traced).
    target = ("addolorato2007", "baclofen")
    edited = [replace(a, target_mg=None, max_mg=None) if (a.trial_id, a.arm) == target else a for a in arms]
    dose = pool_outcome("dropout", by="dose", arms=edited).dose
    assert dose is not None and dose.regression is not None
    assert dose.without_dose == ("Addolorato 2007",)
    assert dose.regression.k_ == 3
    assert dose.regression.coef_[0] == pytest.approx(-0.5358850152, rel=REL)
    assert dose.regression.coef_[1] == pytest.approx(0.0038398063, rel=REL)
    assert dose.regression.se_[1] == pytest.approx(0.0124910995, rel=REL)
    assert dose.regression.tau2_ == pytest.approx(0.2311515657, rel=REL)


def test_by_dose_needs_two_comparisons_on_each_side_of_the_cut(arms: list[TrialArm]) -> None:
    dose = pool_outcome("dropout", by="dose", arms=arms).dose
    assert dose is not None and dose.subgroups is None
    assert dose.subgroup_reason is not None and "high (> 80 mg/day) has 1" in dose.subgroup_reason
    assert dose.subgroup_members["low (<= 80 mg/day)"] == (
        "Addolorato 2002",
        "Addolorato 2007",
        "Garbutt 2021: baclofen 30 mg/day",
    )


def test_by_dose_with_too_few_doses_explains_the_missing_regression(arms: list[TrialArm]) -> None:
    dose = pool_outcome("abstinence", by="dose", arms=arms).dose
    assert dose is not None and dose.regression is None
    assert dose.regression_reason is not None and "2 here" in dose.regression_reason  # 30 and 180 mg/day


def test_by_dose_splits_high_from_low_and_tests_the_difference(arms: list[TrialArm]) -> None:
    # Give Addolorato 2007 a dose above the cut so that each side has two dropout comparisons.
    edited = [
        replace(a, target_mg=120.0) if (a.trial_id, a.arm) == ("addolorato2007", "baclofen") else a
        for a in arms
    ]
    result = pool_outcome("dropout", by="dose", arms=edited)
    assert result.dose is not None and result.dose.subgroups is not None
    subgroups = result.dose.subgroups
    assert {name: fit.k_ for name, fit in subgroups.fits.items()} == {
        "low (<= 80 mg/day)": 2,
        "high (> 80 mg/day)": 2,
    }
    table = outcome_table("dropout", edited)
    labels = ["high (> 80 mg/day)" if d > 80 else "low (<= 80 mg/day)" for d in table["dose_mg"].to_list()]
    by_hand = subgroup_analysis(effect_sizes_from_frame(table, "RR"), np.array(labels), "REML")
    assert subgroups.q_between == pytest.approx(by_hand.q_between, rel=1e-12)
    assert subgroups.df == 1


def test_dose_at_the_french_cap_counts_as_low() -> None:
    assert HIGH_DOSE_ABOVE_MG == 80.0
    assert dose_group(80.0) == "low (<= 80 mg/day)"
    assert dose_group(80.5) == "high (> 80 mg/day)"
    assert dose_group(60.0, high_dose_above_mg=30.0) == "high (> 30 mg/day)"


def test_method_and_knapp_hartung_reach_the_engine(arms: list[TrialArm]) -> None:
    knha = pool_outcome("dropout", method="DL", knha=True, arms=arms)
    assert knha.fit is not None and knha.fit.method is Method.DL and knha.fit.df_ == 3
    mh = pool_outcome("dropout", method="MH", arms=arms)
    assert mh.fit is not None and mh.fit.method is Method.MH


def test_knapp_hartung_with_a_common_effect_model_is_reported_as_a_warning(arms: list[TrialArm]) -> None:
    result = pool_outcome("dropout", method="FE", knha=True, arms=arms)
    assert any("Knapp-Hartung" in message for message in result.warnings)


def test_json_lists_each_comparison_with_its_effect_and_source(arms: list[TrialArm]) -> None:
    data = pool_outcome("dropout", arms=arms).to_dict()
    assert data["comparisons"] == 4 and data["trials"] == 3
    garbutt_90 = next(s for s in data["studies"] if s["study"] == "Garbutt 2021: baclofen 90 mg/day")
    assert garbutt_90["events_c"] == 8.5 and garbutt_90["n_c"] == 20  # shared placebo arm, split
    assert "participant flow" in garbutt_90["source_t"]
    assert sum(s["weight_percent"] for s in data["studies"]) == pytest.approx(100)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outcome": "relapse"}, "outcome 'relapse' is unknown"),
        ({"outcome": "percent_days_abstinent", "measure": "RR"}, "needs a continuous (MD, SMD) measure"),
        ({"outcome": "dropout", "measure": "SMD"}, "needs a binary (RR, OR, RD) measure"),
        ({"outcome": "percent_days_abstinent", "method": "MH"}, "Mantel-Haenszel needs a binary outcome"),
        ({"outcome": "dropout", "method": "MH", "by": "dose"}, "meta-regression needs FE, DL, REML or PM"),
        ({"outcome": "dropout", "by": "population"}, "the only grouping is 'dose'"),
        ({"outcome": "dropout", "high_dose_above_mg": -5.0}, "high_dose_above_mg must be a positive"),
    ],
)
def test_bad_settings_are_refused_naming_what_is_wrong(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        pool_outcome(**kwargs)  # type: ignore[arg-type]


def _bracketed(template: str) -> str:
    """A stand-in translation that shows which parts of a message went through translation."""
    return f"[{template}]"


def test_every_outcome_has_a_name_for_reasons_that_reads_as_its_id_in_english() -> None:
    assert set(OUTCOME_NAMES) == set(OUTCOMES)
    assert all(name == outcome for outcome, name in OUTCOME_NAMES.items())
    assert {context_of(name) for name in OUTCOME_NAMES.values()} == {"evidence outcome"}


def test_reason_is_the_english_of_a_message_that_translates_the_outcome_too(arms: list[TrialArm]) -> None:
    result = pool_outcome("dropout_adverse_event", arms=arms)
    assert isinstance(result.reason_message, Message)
    assert result.reason == result.reason_message.text() == result.to_dict()["reason"]
    assert result.reason == (
        "no bundled trial reports dropout_adverse_event in full for a baclofen arm and its placebo arm"
    )
    # The outcome is a nested message: a translation reaches it, not only the sentence around it.
    assert result.reason_message.render(_bracketed) == (
        "[no bundled trial reports [dropout_adverse_event] in full for a baclofen arm and its placebo arm]"
    )
    stored = Message.from_dict(result.reason_message.to_dict())
    assert context_of(stored.params["outcome"].template) == "evidence outcome"  # type: ignore[union-attr]


def test_single_comparison_reason_keeps_the_study_as_it_is_in_every_language(arms: list[TrialArm]) -> None:
    only_addolorato_2007 = [a for a in arms if a.trial_id == "addolorato2007"]
    message = pool_outcome("abstinence", arms=only_addolorato_2007).reason_message
    assert message is not None and message.params["study"] == "Addolorato 2007"
    assert "[abstinence] in full (Addolorato 2007)" in message.render(_bracketed)


def test_dose_reasons_are_messages_whose_english_is_unchanged(arms: list[TrialArm]) -> None:
    abstinence = pool_outcome("abstinence", by="dose", arms=arms).dose
    assert abstinence is not None and abstinence.regression_reason_message is not None
    assert abstinence.regression_reason == (
        "meta-regression on dose needs at least 3 comparisons with a known dose; 2 here"
    )
    assert abstinence.regression_reason_message.params == {"needed": 3, "k": 2}
    dropout = pool_outcome("dropout", by="dose", arms=arms).dose
    assert dropout is not None and dropout.subgroup_reason_message is not None
    assert dropout.subgroup_reason == (
        "each dose subgroup needs at least 2 comparisons to pool; high (> 80 mg/day) has 1"
    )
    assert dropout.to_dict()["subgroup_reason"] == dropout.subgroup_reason
    # Dose-group labels are translated inside the reason, and keep their number.
    assert dropout.subgroup_reason_message.render(_bracketed).endswith("; [[high (> 80 mg/day)] has 1]]")


def test_a_dose_split_with_one_side_names_each_group_present(arms: list[TrialArm]) -> None:
    dose = pool_outcome("dropout", by="dose", high_dose_above_mg=500.0, arms=arms).dose
    assert dose is not None and dose.subgroup_reason == (
        "the high/low dose split needs comparisons on both sides of the cut (low (<= 500 mg/day): 4)"
    )
