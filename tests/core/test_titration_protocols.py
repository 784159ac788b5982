"""Titration protocols against their sources (FACTS.md "Titration protocols")."""

from __future__ import annotations

import datetime as dt

import pytest

from baclotrack.core.errors import InputError
from baclotrack.core.titration.plan import default_plan_days, generate_plan
from baclotrack.core.titration.protocols import PROTOCOLS, Protocol, ProtocolError, get_protocol

START = dt.date(2026, 1, 5)


def doses(protocol_id: str, days: int, **kwargs: object) -> list[float]:
    plan = generate_plan(get_protocol(protocol_id), START, days=days, **kwargs)  # type: ignore[arg-type]
    return [step.mg_per_day for step in plan.steps]


def test_ameisen_starts_at_30_mg_for_three_days_then_50_on_day_4() -> None:
    mg = doses("ameisen-2005", 6)
    assert mg[:3] == [30.0, 30.0, 30.0]
    assert mg[3] == 50.0


def test_ameisen_steps_20_mg_on_days_4_7_10() -> None:
    mg = doses("ameisen-2005", 12)
    assert (mg[3], mg[6], mg[9]) == (50.0, 70.0, 90.0)


def test_ameisen_reaches_270_mg_first_on_day_37() -> None:
    mg = doses("ameisen-2005", 45)
    assert mg.index(270.0) + 1 == 37


def test_ameisen_270_mg_is_3_6_mg_per_kg_at_75_kg() -> None:
    plan = generate_plan(get_protocol("ameisen-2005"), START, days=37, weight_kg=75)
    assert plan.steps[36].mg_per_kg == pytest.approx(3.6)


def test_ameisen_stops_at_its_300_mg_ceiling_and_says_so() -> None:
    plan = generate_plan(get_protocol("ameisen-2005"), START, days=50)
    assert max(s.mg_per_day for s in plan.steps) == 300.0
    day_43 = plan.steps[42]
    assert day_43.mg_per_day == 300.0
    assert "capped at 300 mg/day: protocol ceiling" in day_43.note
    assert "CEILING-AMEISEN-2005" in day_43.rules


def test_spasticity_label_schedule_is_5_10_15_20_mg_tid_for_three_days_each() -> None:
    plan = generate_plan(get_protocol("spasticity-label"), START, days=15)
    expected = [15.0] * 3 + [30.0] * 3 + [45.0] * 3 + [60.0] * 6
    assert [s.mg_per_day for s in plan.steps] == expected
    assert [s.format_intakes() for s in plan.steps[::3]] == [
        "5+5+5",
        "10+10+10",
        "15+15+15",
        "20+20+20",
        "20+20+20",
    ]


def test_spasticity_label_allows_80_mg_as_its_ceiling() -> None:
    assert get_protocol("spasticity-label").ceiling_mg_per_day == 80.0


def test_baclocur_label_defaults_lie_within_the_labelled_ranges() -> None:
    p = get_protocol("baclocur-label")
    assert 15 <= p.start_mg_per_day <= 20
    assert 2 <= p.intakes_per_day <= 4
    assert p.start_days == 3
    assert p.step_mg == 10 and 3 <= p.interval_days <= 4
    assert p.ceiling_mg_per_day == 80


def test_resab_goes_from_15_to_30_mg_and_holds_its_plateaus_longer() -> None:
    p = get_protocol("resab")
    levels = {level.mg_per_day: level for level in p.schedule()}
    assert list(levels)[:3] == [15.0, 30.0, 40.0]
    assert levels[30.0].first_day == 4
    for plateau in (30.0, 60.0, 100.0, 150.0):
        assert levels[plateau].hold_days == 7
    assert levels[40.0].hold_days == p.interval_days
    assert 3 <= p.interval_days <= 5


def test_rtu_2014_starts_at_15_mg_and_adds_10_mg_every_2_days() -> None:
    mg = doses("rtu-2014", 7)
    assert mg == [15.0, 15.0, 25.0, 25.0, 35.0, 35.0, 45.0]
    assert get_protocol("rtu-2014").ceiling_mg_per_day == 300.0


@pytest.mark.parametrize(
    ("protocol_id", "mg"), [("addolorato-2011-10tid", 30.0), ("addolorato-2011-20tid", 60.0)]
)
def test_addolorato_arms_are_fixed_doses_in_three_intakes(protocol_id: str, mg: float) -> None:
    plan = generate_plan(get_protocol(protocol_id), START, days=10)
    assert {s.mg_per_day for s in plan.steps} == {mg}
    assert len(plan.steps[0].intakes) == 3


def test_addolorato_source_says_the_lead_in_is_not_verified() -> None:
    for protocol_id in ("addolorato-2011-10tid", "addolorato-2011-20tid"):
        assert "not verified" in get_protocol(protocol_id).note.lower()


def test_every_protocol_cites_a_source_and_is_registered_under_its_id() -> None:
    assert len(PROTOCOLS) >= 7
    for key, p in PROTOCOLS.items():
        assert key == p.id
        assert p.source and p.name


def test_unknown_protocol_error_lists_the_known_ids() -> None:
    with pytest.raises(InputError, match=r"protocol: unknown protocol 'nope' \(known: ameisen-2005, "):
        get_protocol("nope")


def test_protocol_ids_are_case_insensitive() -> None:
    assert get_protocol(" Ameisen-2005 ").id == "ameisen-2005"


def test_a_protocol_with_a_zero_step_must_be_declared_fixed() -> None:
    with pytest.raises(ProtocolError, match="fixed-dose"):
        Protocol("x", "x", "src", 10, 3, 0, 3, 80, 3)


def test_default_days_show_a_week_at_the_final_dose() -> None:
    assert default_plan_days(get_protocol("ameisen-2005")) == 43 + 6
    assert default_plan_days(get_protocol("spasticity-label")) == 10 + 6
