"""Safety rules: each fires on a crafted diary and stays silent on a near-miss."""

from __future__ import annotations

import datetime as dt

import pytest

from baclotrack.core.diary import DiaryDay
from baclotrack.core.guidelines import Country
from baclotrack.core.titration.caps import Jurisdiction
from baclotrack.core.titration.context import RuleError
from baclotrack.core.titration.plan import generate_plan
from baclotrack.core.titration.protocols import get_protocol
from baclotrack.core.titration.rules import (
    DEFAULT_RULES,
    Alert,
    Caution,
    ClientContext,
    RuleConfig,
    Severity,
    evaluate,
    last_tolerated_dose,
)
from baclotrack.core.titration.taper import taper_plan

TODAY = dt.date(2026, 6, 30)
MAN = ClientContext(sex="M", weight_kg=80)


def day(offset: int, **kwargs: object) -> DiaryDay:
    """A diary day ``offset`` days before TODAY (0 is today); calm defaults."""
    values: dict[str, object] = {"grams": 0.0, "craving": 5, "anxiety": 2, "dose_taken_mg": 60.0}
    values.update(kwargs)
    return DiaryDay(TODAY - dt.timedelta(days=offset), **values)  # type: ignore[arg-type]


def ids(alerts: list[Alert]) -> list[str]:
    return [a.rule_id for a in alerts]


def fired(rule_id: str, diary: list[DiaryDay], client: ClientContext = MAN, **kwargs: object) -> list[Alert]:
    return [a for a in evaluate(client, kwargs.get("plan"), diary, TODAY) if a.rule_id == rule_id]  # type: ignore[arg-type]


def test_a_calm_diary_raises_nothing() -> None:
    assert evaluate(MAN, None, [day(i) for i in range(10)], TODAY) == []


# -- severe side effect ------------------------------------------------------------------------------
def test_severe_side_effect_is_urgent_and_names_the_last_tolerated_dose() -> None:
    diary = [
        day(5, dose_taken_mg=50.0),
        day(4, dose_taken_mg=50.0),
        day(1),
        day(0, side_effects={"confusion": 3}),
    ]
    (alert,) = fired("SE-SEVERE", diary)
    assert alert.severity is Severity.URGENT
    assert "confusion 3/3" in alert.reason
    assert alert.evidence["last_tolerated_dose_mg"] == 50.0
    assert "step back to 50 mg/day" in alert.action
    assert alert.source


def test_moderate_side_effect_is_not_severe() -> None:
    assert fired("SE-SEVERE", [day(0, side_effects={"confusion": 2})]) == []


def test_severe_side_effect_older_than_the_recent_window_is_silent() -> None:
    assert fired("SE-SEVERE", [day(3, side_effects={"nausea": 3}), day(0)]) == []


# -- persistent side effect ----------------------------------------------------------------------------
def test_three_days_of_moderate_somnolence_is_persistent() -> None:
    diary = [day(4, dose_taken_mg=40.0), *(day(i, side_effects={"somnolence": 2}) for i in range(3))]
    (alert,) = fired("SE-PERSISTENT", diary)
    assert alert.severity is Severity.WARNING
    assert alert.evidence["days"] == 3
    assert alert.evidence["last_tolerated_dose_mg"] == 40.0
    assert "Hold the dose" in alert.action


def test_two_days_of_moderate_somnolence_is_a_near_miss() -> None:
    diary = [day(2), *(day(i, side_effects={"somnolence": 2}) for i in range(2))]
    assert fired("SE-PERSISTENT", diary) == []


def test_a_gap_in_the_diary_breaks_persistence() -> None:
    diary = [day(i, side_effects={"somnolence": 2}) for i in (0, 1, 3)]
    assert fired("SE-PERSISTENT", diary) == []


def test_no_lower_tolerated_dose_says_so() -> None:
    diary = [day(i, side_effects={"dizziness": 2}) for i in range(3)]
    (alert,) = fired("SE-PERSISTENT", diary)
    assert alert.evidence["last_tolerated_dose_mg"] is None
    assert "no lower dose" in alert.action


def test_last_tolerated_dose_skips_doses_with_side_effects() -> None:
    diary = [day(6, dose_taken_mg=30.0), day(5, dose_taken_mg=40.0, side_effects={"nausea": 2}), day(0)]
    tolerated = last_tolerated_dose(diary, TODAY, 60.0, 2)
    assert tolerated is not None and tolerated.dose_taken_mg == 30.0


# -- caps ----------------------------------------------------------------------------------------------
def test_dose_taken_above_the_french_cap_is_urgent_and_advises_a_taper() -> None:
    client = ClientContext(sex="F", prescribing_country=Jurisdiction.FR)
    (alert,) = fired("DOSE-TAKEN-ABOVE-CAP", [day(0, dose_taken_mg=90.0)], client)
    assert alert.severity is Severity.URGENT
    assert alert.evidence["cap_rule"] == "FR-2017"
    assert "gradually" in alert.action and "never in one step" in alert.action


def test_client_prescribed_in_france_with_who_drinks_gets_the_french_cap_named_with_france() -> None:
    client = ClientContext(sex="M", drink_country=Country.WHO, prescribing_country=Jurisdiction.FR)
    (alert,) = fired("DOSE-TAKEN-ABOVE-CAP", [day(0, dose_taken_mg=90.0)], client)
    assert alert.evidence["cap_mg_per_day"] == 80.0
    assert alert.evidence["cap_jurisdiction"] == "FR"
    assert "(FR-2017 regulatory cap (ANSM, 24 July 2017); prescribing country: FR)" in alert.reason


def test_client_prescribed_in_belgium_with_french_drinks_gets_no_french_cap() -> None:
    client = ClientContext(sex="M", drink_country=Country.FR, prescribing_country=Jurisdiction.BE)
    assert fired("DOSE-TAKEN-ABOVE-CAP", [day(0, dose_taken_mg=90.0)], client) == []
    (alert,) = fired("DOSE-TAKEN-ABOVE-CAP", [day(0, dose_taken_mg=310.0)], client)
    assert alert.evidence["cap_rule"] == "HIGHEST-STUDIED"
    assert alert.evidence["cap_jurisdiction"] is None


def test_plan_above_the_prescribing_countrys_cap_names_the_country() -> None:
    plan = generate_plan(get_protocol("ameisen-2005"), TODAY - dt.timedelta(days=2), days=90)
    client = ClientContext(sex="F", prescribing_country=Jurisdiction.FR)
    (alert,) = fired("PLAN-ABOVE-CAP", [day(0, dose_taken_mg=15.0)], client, plan=plan)
    assert alert.evidence["cap_jurisdiction"] == "FR"
    assert "prescribing country: FR" in alert.reason


def test_a_context_refuses_an_unknown_prescribing_country() -> None:
    with pytest.raises(RuleError, match="WHO"):
        ClientContext(sex="M", prescribing_country="WHO")  # type: ignore[arg-type]


def test_dose_at_the_cap_is_not_above_it() -> None:
    client = ClientContext(sex="F", prescribing_country=Jurisdiction.FR)
    assert fired("DOSE-TAKEN-ABOVE-CAP", [day(0, dose_taken_mg=80.0)], client) == []


def test_renal_cap_applies_to_doses_taken() -> None:
    client = ClientContext(sex="M", crcl_ml_min=25)  # severe: 300 / 3 = 100 mg/day
    (alert,) = fired("DOSE-TAKEN-ABOVE-CAP", [day(0, dose_taken_mg=110.0)], client)
    assert alert.evidence["cap_rule"] == "RENAL-SEVERE"
    assert fired("DOSE-TAKEN-ABOVE-CAP", [day(0, dose_taken_mg=100.0)], client) == []


def test_plan_above_a_newer_renal_cap_is_flagged() -> None:
    plan = generate_plan(get_protocol("baclocur-label"), TODAY - dt.timedelta(days=2), days=40)
    client = ClientContext(sex="M", crcl_ml_min=45)  # moderate: 80 -> 40 mg/day
    (alert,) = fired("PLAN-ABOVE-CAP", [day(0, dose_taken_mg=15.0)], client, plan=plan)
    assert alert.evidence["cap_mg_per_day"] == 40.0
    assert alert.evidence["max_planned_mg_per_day"] == 80.0
    assert fired("PLAN-ABOVE-CAP", [day(0, dose_taken_mg=15.0)], MAN, plan=plan) == []


def test_a_taper_from_above_the_cap_is_not_a_plan_above_the_cap() -> None:
    client = ClientContext(sex="M", prescribing_country=Jurisdiction.FR)  # cap 80 mg/day
    taper = taper_plan(120, TODAY, taken_mg_per_day=120)
    assert fired("PLAN-ABOVE-CAP", [day(0, dose_taken_mg=120.0)], client, plan=taper) == []
    # The dose taken above the cap is still flagged, and its advice is what the taper does.
    (alert,) = fired("DOSE-TAKEN-ABOVE-CAP", [day(0, dose_taken_mg=120.0)], client, plan=taper)
    assert "gradually, by 10-15 mg every 2 days" in alert.action


# -- missed doses ---------------------------------------------------------------------------------------
def test_two_missed_days_at_60_mg_warn_of_withdrawal() -> None:
    diary = [day(3), day(2), day(1, dose_taken_mg=0.0), day(0, dose_taken_mg=0.0)]
    (alert,) = fired("MISSED-DOSES", diary)
    assert alert.severity is Severity.URGENT
    assert alert.evidence["days_missed"] == 2 and alert.evidence["last_dose_mg"] == 60.0
    assert "Do not restart at 60 mg/day" in alert.action
    assert "taper" in alert.action


def test_one_missed_day_is_a_near_miss() -> None:
    assert fired("MISSED-DOSES", [day(2), day(1), day(0, dose_taken_mg=0.0)]) == []


def test_missed_days_at_a_low_dose_are_below_the_withdrawal_threshold() -> None:
    diary = [day(2, dose_taken_mg=15.0), day(1, dose_taken_mg=0.0), day(0, dose_taken_mg=0.0)]
    assert fired("MISSED-DOSES", diary) == []
    strict = RuleConfig(withdrawal_risk_above_mg_per_day=10.0)
    assert "MISSED-DOSES" in ids(evaluate(MAN, None, diary, TODAY, strict))


def test_unreported_doses_are_not_missed_doses() -> None:
    diary = [day(2), day(1, dose_taken_mg=None), day(0, dose_taken_mg=None)]
    assert fired("MISSED-DOSES", diary) == []


# -- fast reduction ------------------------------------------------------------------------------------
def test_a_dose_40_mg_lower_than_the_day_before_warns_of_withdrawal() -> None:
    diary = [day(2, dose_taken_mg=120.0), day(1, dose_taken_mg=120.0), day(0, dose_taken_mg=80.0)]
    (alert,) = fired("FAST-REDUCTION", diary)
    assert alert.severity is Severity.WARNING
    assert alert.evidence["earlier_dose_mg"] == 120.0 and alert.evidence["dose_mg"] == 80.0
    assert "40 mg less than 120 mg/day" in alert.reason
    assert "start a taper from 120 mg/day" in alert.action


def test_a_taper_at_15_mg_every_2_days_is_not_a_fast_reduction() -> None:
    doses = [120.0, 120.0, 105.0, 105.0, 90.0, 90.0, 75.0]
    diary = [day(6 - i, dose_taken_mg=mg) for i, mg in enumerate(doses)]
    assert fired("FAST-REDUCTION", diary) == []


def test_10_mg_a_day_for_two_days_is_faster_than_the_taper() -> None:
    diary = [day(2, dose_taken_mg=120.0), day(1, dose_taken_mg=110.0), day(0, dose_taken_mg=100.0)]
    (alert,) = fired("FAST-REDUCTION", diary)
    assert alert.evidence["earlier_date"] == (TODAY - dt.timedelta(days=2)).isoformat()


def test_a_drop_older_than_the_window_or_a_stop_is_not_a_fast_reduction() -> None:
    old = [day(5, dose_taken_mg=120.0), day(4, dose_taken_mg=60.0), day(1, dose_taken_mg=60.0)]
    assert fired("FAST-REDUCTION", old) == []
    stop = [day(1, dose_taken_mg=120.0), day(0, dose_taken_mg=0.0)]
    assert fired("FAST-REDUCTION", stop) == []  # MISSED-DOSES' case, after two days


def test_the_fast_reduction_pace_is_configurable() -> None:
    diary = [day(1, dose_taken_mg=60.0), day(0, dose_taken_mg=50.0)]
    assert fired("FAST-REDUCTION", diary) == []
    strict = RuleConfig(fast_reduction_mg=5.0)
    assert "FAST-REDUCTION" in ids(evaluate(MAN, None, diary, TODAY, strict))


# -- heavy drinking with sedation ----------------------------------------------------------------------
def test_heavy_drinking_with_somnolence_is_urgent() -> None:
    (alert,) = fired("HEAVY-DRINKING-SEDATION", [day(0, grams=84.0, side_effects={"somnolence": 1})])
    assert alert.severity is Severity.URGENT
    assert alert.evidence["grams"] == 84.0 and alert.evidence["heavy_threshold_g"] == 70.0
    assert "depress breathing" in alert.reason


def test_heavy_drinking_without_sedation_is_silent() -> None:
    assert fired("HEAVY-DRINKING-SEDATION", [day(0, grams=84.0, side_effects={"nausea": 2})]) == []


def test_sedation_just_below_the_heavy_threshold_is_silent() -> None:
    assert fired("HEAVY-DRINKING-SEDATION", [day(0, grams=69.0, side_effects={"confusion": 2})]) == []


# -- indifference --------------------------------------------------------------------------------------
def test_fourteen_calm_days_say_stop_escalating() -> None:
    plan = generate_plan(get_protocol("ameisen-2005"), TODAY - dt.timedelta(days=20), days=60)
    diary = [day(i, craving=1, grams=10.0) for i in range(14)]
    (alert,) = fired("INDIFFERENCE-REACHED", diary, plan=plan)
    assert alert.severity is Severity.INFO
    assert alert.evidence["dose_mg"] == 60.0
    assert "Stop escalating: hold at 60 mg/day" in alert.action
    assert alert.evidence["plan_next_increase"] is not None


def test_thirteen_calm_days_are_a_near_miss() -> None:
    diary = [day(13, craving=4), *(day(i, craving=1) for i in range(13))]
    assert fired("INDIFFERENCE-REACHED", diary) == []


# -- cautions ------------------------------------------------------------------------------------------
def test_epilepsy_with_a_planned_escalation_warns_of_seizure_risk() -> None:
    client = ClientContext(sex="M", cautions=frozenset({Caution.EPILEPSY}))
    plan = generate_plan(get_protocol("rtu-2014"), TODAY, days=10)
    (alert,) = fired("CAUTION-EPILEPSY-ESCALATION", [day(0, dose_taken_mg=15.0)], client, plan=plan)
    assert "seizure" in alert.reason
    assert alert.evidence["next_increase_mg"] == 25.0


def test_epilepsy_without_escalation_is_silent() -> None:
    client = ClientContext(sex="M", cautions=frozenset({Caution.EPILEPSY}))
    plan = generate_plan(get_protocol("addolorato-2011-10tid"), TODAY, days=10)
    assert fired("CAUTION-EPILEPSY-ESCALATION", [day(0, dose_taken_mg=30.0)], client, plan=plan) == []


@pytest.mark.parametrize(
    ("caution", "rule_id"),
    [
        (Caution.SUICIDE_RISK, "CAUTION-SUICIDE-SUPPLY"),
        (Caution.SEDATIVES_OR_OPIOIDS, "CAUTION-SEDATIVES"),
        (Caution.BIPOLAR_OR_PSYCHOSIS, "CAUTION-PSYCHIATRIC"),
        (Caution.PREGNANCY, "CAUTION-PREGNANCY"),
    ],
)
def test_caution_alerts_fire_only_for_clients_on_baclofen_with_the_caution(
    caution: Caution, rule_id: str
) -> None:
    client = ClientContext(sex="F", cautions=frozenset({caution}))
    (alert,) = fired(rule_id, [day(0)], client)
    assert alert.severity is Severity.WARNING and alert.source
    assert fired(rule_id, [day(0)], MAN) == []  # no caution
    assert fired(rule_id, [day(0, dose_taken_mg=0.0)], client) == []  # not on baclofen


def test_suicide_risk_says_limit_supply() -> None:
    client = ClientContext(sex="F", cautions=frozenset({Caution.SUICIDE_RISK}))
    (alert,) = fired("CAUTION-SUICIDE-SUPPLY", [day(0)], client)
    assert "small quantities" in alert.action


def test_renal_impairment_without_clearance_asks_for_one() -> None:
    client = ClientContext(sex="M", cautions=frozenset({Caution.RENAL_IMPAIRMENT}))
    assert ids(evaluate(client, None, [], TODAY)) == ["CAUTION-RENAL-NO-CRCL"]
    with_crcl = ClientContext(sex="M", crcl_ml_min=45, cautions=frozenset({Caution.RENAL_IMPAIRMENT}))
    assert evaluate(with_crcl, None, [], TODAY) == []


# -- engine --------------------------------------------------------------------------------------------
def test_alerts_come_most_urgent_first() -> None:
    client = ClientContext(sex="M", cautions=frozenset({Caution.SUICIDE_RISK}))
    diary = [day(1, side_effects={"somnolence": 2}), day(0, grams=90.0, side_effects={"somnolence": 3})]
    severities = [a.severity for a in evaluate(client, None, diary, TODAY)]
    assert severities == sorted(severities, key=[Severity.URGENT, Severity.WARNING, Severity.INFO].index)
    assert severities[0] is Severity.URGENT


def test_diary_days_after_today_are_ignored() -> None:
    future = DiaryDay(
        TODAY + dt.timedelta(days=1), grams=120.0, dose_taken_mg=60.0, side_effects={"confusion": 3}
    )
    assert evaluate(MAN, None, [future], TODAY) == []


def test_every_alert_has_a_reason_an_action_and_a_source() -> None:
    diary = [day(0, grams=100.0, dose_taken_mg=400.0, side_effects={"confusion": 3})]
    alerts = evaluate(MAN, None, diary, TODAY)
    assert {"SE-SEVERE", "DOSE-TAKEN-ABOVE-CAP", "HEAVY-DRINKING-SEDATION"} <= set(ids(alerts))
    for alert in alerts:
        assert alert.reason.endswith(".") and alert.action and alert.source


def test_bad_client_context_is_rejected_naming_the_field() -> None:
    with pytest.raises(RuleError, match="sex"):
        ClientContext(sex="X")  # type: ignore[arg-type]
    with pytest.raises(RuleError, match="cautions"):
        ClientContext(sex="M", cautions=frozenset({"asthma"}))  # type: ignore[arg-type]


def test_bad_rule_config_is_rejected_naming_the_threshold() -> None:
    with pytest.raises(RuleError, match="persistent_days"):
        RuleConfig(persistent_days=0)
    assert DEFAULT_RULES.withdrawal_risk_above_mg_per_day == 15.0
