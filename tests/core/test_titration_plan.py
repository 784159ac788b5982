"""Plan generation: caps, renal reduction and tablets; no day may exceed a cap."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclotrack.core.i18n import join_messages
from baclotrack.core.titration.caps import REGULATORY_CAPS, effective_cap, get_regulatory_cap, user_cap
from baclotrack.core.titration.plan import PlanError, generate_plan, plan_caps
from baclotrack.core.titration.protocols import PROTOCOLS, get_protocol
from baclotrack.core.titration.tablets import TABLET_SETS, TABLETS_LIORESAL

START = dt.date(2026, 3, 2)


def test_day_at_the_fr_2017_cap_names_the_rule_and_ansm() -> None:
    plan = generate_plan(get_protocol("ameisen-2005"), START, days=20, caps=[get_regulatory_cap("fr-2017")])
    capped = [s for s in plan.steps if s.mg_per_day == 80.0]
    assert capped, "Ameisen escalation must hit the 80 mg/day cap within 20 days"
    for step in capped:
        assert "capped at 80 mg/day: FR-2017 regulatory cap (ANSM, 24 July 2017)" in step.note
        assert "FR-2017" in step.rules
    assert max(s.mg_per_day for s in plan.steps) == 80.0


def test_prescriber_cap_wins_when_lowest() -> None:
    plan = generate_plan(get_protocol("rtu-2014"), START, days=30, caps=[user_cap(55)])
    assert max(s.mg_per_day for s in plan.steps) == 55.0
    assert "the prescriber's maximum" in plan.steps[-1].note


def test_renal_reduction_halves_every_day_rounding_down_to_tablets() -> None:
    renal = generate_plan(get_protocol("spasticity-label"), START, days=12, crcl_ml_min=40)
    # CrCl 40 ml/min: dose halved (Vlavonou 2014): 15 -> 7.5 -> 5, 30 -> 15, 45 -> 22.5 -> 20, 60 -> 30.
    assert [s.mg_per_day for s in renal.steps] == [5.0] * 3 + [15.0] * 3 + [20.0] * 3 + [30.0] * 3
    assert all("RENAL-MODERATE" in s.rules for s in renal.steps)
    assert "dose halved for CrCl 40 ml/min" in renal.steps[0].note


def test_renal_cap_follows_the_lowest_other_cap() -> None:
    plan = generate_plan(
        get_protocol("ameisen-2005"), START, days=60, crcl_ml_min=60, caps=[get_regulatory_cap("fr-2017")]
    )
    cap = effective_cap(plan.caps)
    assert cap.rule_id == "RENAL-MILD"
    assert cap.mg_per_day == pytest.approx(80 * 2 / 3)
    assert max(s.mg_per_day for s in plan.steps) <= cap.mg_per_day


def test_dialysis_holds_the_plan_at_5_mg() -> None:
    plan = generate_plan(get_protocol("resab"), START, days=10, dialysis=True)
    assert {s.mg_per_day for s in plan.steps} == {5.0}
    assert all("RENAL-DIALYSIS" in s.rules for s in plan.steps)


def test_rounded_down_days_carry_the_tablet_rule() -> None:
    plan = generate_plan(get_protocol("rtu-2014"), START, days=4, crcl_ml_min=60)
    day_3 = plan.steps[2]  # 25 mg x 2/3 = 16.7 mg -> 15 mg
    assert day_3.mg_per_day == 15.0
    assert "TABLETS-ROUND-DOWN" in day_3.rules
    assert "rounded down from 16.67 to 15 mg/day" in day_3.note


def test_dose_changes_are_explained_and_held_days_are_quiet() -> None:
    plan = generate_plan(get_protocol("ameisen-2005"), START, days=5)
    assert plan.steps[0].note.startswith("start at 30 mg/day")
    assert plan.steps[1].note == ""
    assert plan.steps[3].note == "+20 mg/day (step every 3 days)"


def test_dates_follow_the_start() -> None:
    plan = generate_plan(get_protocol("ameisen-2005"), START, days=3)
    assert [s.date for s in plan.steps] == [START, START + dt.timedelta(days=1), START + dt.timedelta(days=2)]
    assert plan.on(START + dt.timedelta(days=2)) is plan.steps[2]
    assert plan.on(START - dt.timedelta(days=1)) is None


def test_mg_per_kg_is_blank_without_a_weight() -> None:
    plan = generate_plan(get_protocol("ameisen-2005"), START, days=2)
    assert plan.steps[0].mg_per_kg is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"days": 0}, "days"),
        ({"days": 4000}, "days"),
        ({"weight_kg": 7}, "weight_kg"),
        ({"crcl_ml_min": -3}, "crcl"),
    ],
)
def test_bad_plan_parameters_name_the_field(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(PlanError if field != "crcl" else ValueError, match=field):
        generate_plan(get_protocol("ameisen-2005"), START, **kwargs)


@settings(max_examples=150, deadline=None)
@given(
    protocol=st.sampled_from(list(PROTOCOLS.values())),
    regulatory=st.lists(st.sampled_from(list(REGULATORY_CAPS.values())), max_size=2),
    user_max=st.none() | st.floats(min_value=1, max_value=400),
    weight=st.none() | st.floats(min_value=20, max_value=400),
    crcl=st.none() | st.floats(min_value=0, max_value=250),
    dialysis=st.booleans(),
    tablets=st.sampled_from(list(TABLET_SETS.values())),
)
def test_no_day_ever_exceeds_any_cap(
    protocol,
    regulatory,
    user_max,
    weight,
    crcl,
    dialysis,
    tablets,  # type: ignore[no-untyped-def]
) -> None:
    caps = [*regulatory, *([user_cap(user_max)] if user_max is not None else [])]
    plan = generate_plan(
        protocol,
        START,
        days=70,
        weight_kg=weight,
        caps=caps,
        crcl_ml_min=crcl,
        dialysis=dialysis,
        tablets=tablets,
    )
    limit = effective_cap(plan.caps).mg_per_day
    for cap in caps:
        assert cap in plan.caps
    for step in plan.steps:
        assert step.mg_per_day <= limit + 1e-9
        assert step.mg_per_day <= protocol.ceiling_mg_per_day
        assert sum(step.intakes) == pytest.approx(step.mg_per_day)
        if dialysis:
            assert step.mg_per_day <= 5.0
        if weight is not None and protocol.ceiling_mg_per_kg is not None:
            assert step.mg_per_day <= protocol.ceiling_mg_per_kg * weight + 1e-9
        if step.mg_per_day >= limit - 1e-9 and step.mg_per_day > 0 and not protocol.fixed_dose:
            assert effective_cap(plan.caps).rule_id in step.rules


def test_lioresal_tablets_halve_the_scored_10_mg_for_5_mg_intakes() -> None:
    plan = generate_plan(get_protocol("spasticity-label"), START, days=1, tablets=TABLETS_LIORESAL)
    assert plan.steps[0].format_intakes() == "5+5+5"


def test_plan_caps_derive_the_renal_cap_from_the_lowest_other_cap() -> None:
    caps = plan_caps(
        get_protocol("resab"), weight_kg=None, caps=[user_cap(120)], crcl_ml_min=25, dialysis=False
    )
    assert [c.rule_id for c in caps] == ["CEILING-RESAB", "USER-MAX", "RENAL-SEVERE"]
    assert caps[-1].mg_per_day == pytest.approx(40.0)


def bracket(template: str) -> str:
    """A stand-in translator that marks every template it translates (fields kept)."""
    return f"[{template}]"


@pytest.mark.parametrize("protocol_id", sorted(PROTOCOLS))
def test_each_day_keeps_its_notes_as_messages_that_read_as_the_english_note(protocol_id: str) -> None:
    for options in ({}, {"crcl_ml_min": 40.0}, {"weight_kg": 70.0, "caps": [get_regulatory_cap("fr-2017")]}):
        plan = generate_plan(get_protocol(protocol_id), START, days=45, **options)
        for step in plan.steps:
            assert join_messages(step.messages) == step.note


def test_cap_label_is_translated_before_it_goes_into_the_note() -> None:
    plan = generate_plan(get_protocol("ameisen-2005"), START, days=20, caps=[get_regulatory_cap("fr-2017")])
    capped = next(s for s in plan.steps if "FR-2017" in s.rules)
    assert "[capped at {cap:.4g} mg/day: {label}]" not in join_messages(capped.messages, bracket)
    assert "[capped at 80 mg/day: [FR-2017 regulatory cap (ANSM, 24 July 2017)]]" in join_messages(
        capped.messages, bracket
    )


def test_renal_note_translates_the_band_and_the_reduction_but_not_the_numbers() -> None:
    renal = generate_plan(get_protocol("spasticity-label"), START, days=3, crcl_ml_min=40)
    assert join_messages(renal.steps[0].messages, bracket).startswith(
        "[start at 5 mg/day: [held 3 days] ([US baclofen spasticity label])]; "
        "[15 mg/day scheduled, [dose [halved] for CrCl 40 ml/min "
        "(RENAL-MODERATE: [moderate renal impairment], Vlavonou 2014)]]"
    )


def test_day_without_a_change_has_no_messages() -> None:
    plan = generate_plan(get_protocol("ameisen-2005"), START, days=2)
    assert plan.steps[1].messages == () and plan.steps[1].note == ""
