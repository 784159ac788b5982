"""Tapers never stop abruptly: bounded steps, the smallest dose held, a labelled minimum length."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from baclotrack.core.i18n import join_messages
from baclotrack.core.titration.tablets import TABLET_SETS, TABLETS_US, TabletSet
from baclotrack.core.titration.taper import (
    DEFAULT_MIN_TAPER_DAYS,
    LABEL_MIN_TAPER_DAYS,
    MAX_TAPER_STEP_MG_PER_DAY,
    TaperError,
    taper_plan,
)

START = dt.date(2026, 4, 1)


def test_taper_drops_10_mg_every_2_days_then_holds_5_mg() -> None:
    plan = taper_plan(40, START, min_duration_days=LABEL_MIN_TAPER_DAYS)
    changes = [(s.day, s.mg_per_day) for s in plan.steps if s.note]
    assert changes == [(1, 40.0), (3, 30.0), (5, 20.0), (7, 10.0), (9, 5.0), (11, 0.0)]


def test_taper_ends_at_zero_only_after_the_smallest_dose_is_held() -> None:
    plan = taper_plan(80, START)
    assert plan.steps[-1].mg_per_day == 0.0
    assert "stop" in plan.steps[-1].note
    held = [s for s in plan.steps if s.mg_per_day == TABLETS_US.smallest_piece_mg]
    assert len(held) >= 2
    assert all(s.mg_per_day > 0 for s in plan.steps[:-1])


def test_default_taper_from_40_mg_holds_each_step_3_days_to_last_two_weeks() -> None:
    plan = taper_plan(40, START)
    assert [s.mg_per_day for s in plan.steps] == [40.0] * 3 + [30.0] * 3 + [20.0] * 3 + [10.0] * 3 + [
        5.0
    ] * 3 + [0.0]


def test_short_taper_is_stretched_to_the_default_two_weeks() -> None:
    plan = taper_plan(10, START)
    assert [s.mg_per_day for s in plan.steps] == [10.0] * 7 + [5.0] * 7 + [0.0]


def test_minimum_duration_cannot_go_below_the_labelled_week() -> None:
    with pytest.raises(TaperError, match="min_duration_days"):
        taper_plan(40, START, min_duration_days=5)


@pytest.mark.parametrize(("step", "interval"), [(15.0, 1), (20.0, 2), (40.0, 5)])
def test_a_taper_faster_than_15_mg_every_2_days_is_refused(step: float, interval: int) -> None:
    with pytest.raises(TaperError, match="faster than the ANSM taper allows"):
        taper_plan(120, START, step_mg=step, interval_days=interval)


@pytest.mark.parametrize(("step", "interval"), [(15.0, 2), (20.0, 3), (5.0, 1)])
def test_a_taper_at_the_ansm_pace_or_slower_is_accepted(step: float, interval: int) -> None:
    doses = [s.mg_per_day for s in taper_plan(120, START, step_mg=step, interval_days=interval).steps]
    assert doses[-1] == 0.0 and max(a - b for a, b in itertools.pairwise(doses)) <= step


def test_a_taper_starting_more_than_a_step_below_the_dose_taken_is_refused() -> None:
    with pytest.raises(TaperError, match="last took 120 mg/day; a taper from 80 mg/day would drop 40 mg"):
        taper_plan(80, START, taken_mg_per_day=120)
    assert taper_plan(105, START, taken_mg_per_day=120).steps[0].mg_per_day == 105
    assert taper_plan(80, START, taken_mg_per_day=60).steps[0].mg_per_day == 80  # took less: fine


def test_a_step_smaller_than_the_smallest_tablet_is_refused() -> None:
    whole = TabletSet("whole", "Lioresal whole", (10.0, 25.0))
    with pytest.raises(TaperError, match="step_mg"):
        taper_plan(40, START, step_mg=5, tablets=whole)


@pytest.mark.parametrize("current", [0, -10, 5000, float("inf")])
def test_current_dose_must_be_a_real_daily_dose(current: float) -> None:
    with pytest.raises(TaperError, match="current_mg_per_day"):
        taper_plan(current, START)


def test_every_taper_day_carries_the_taper_rule() -> None:
    assert all(s.rules == ("TAPER",) for s in taper_plan(30, START).steps)


@settings(max_examples=150, deadline=None)
@given(
    current=st.floats(min_value=5, max_value=300),
    step=st.sampled_from([10.0, 15.0, 20.0]),
    interval=st.integers(min_value=1, max_value=7),
    min_days=st.integers(min_value=LABEL_MIN_TAPER_DAYS, max_value=28),
    tablets=st.sampled_from(list(TABLET_SETS.values())),
)
def test_taper_never_drops_more_than_a_step_and_lasts_the_minimum(
    current: float, step: float, interval: int, min_days: int, tablets: TabletSet
) -> None:
    assume(step / interval <= MAX_TAPER_STEP_MG_PER_DAY)
    plan = taper_plan(
        current, START, step_mg=step, interval_days=interval, min_duration_days=min_days, tablets=tablets
    )
    doses = [s.mg_per_day for s in plan.steps]
    assert doses[0] <= current + 1e-6  # float noise below 1e-8 mg counts as the dose itself
    for before, after in itertools.pairwise(doses):
        assert after <= before
        assert before - after <= step + 1e-9
    assert doses[-1] == 0.0
    assert doses[-2] == min(d for d in doses if d > 0)
    days_on_baclofen = len(doses) - 1
    assert days_on_baclofen >= min_days >= LABEL_MIN_TAPER_DAYS
    assert DEFAULT_MIN_TAPER_DAYS >= LABEL_MIN_TAPER_DAYS


def test_taper_notes_are_messages_with_the_numbers_kept_apart() -> None:
    plan = taper_plan(33, START, min_duration_days=LABEL_MIN_TAPER_DAYS)
    assert all(join_messages(s.messages) == s.note for s in plan.steps)
    first = join_messages(plan.steps[0].messages, lambda t: f"[{t}]")
    assert first == (
        "[taper starts at 30 mg/day (rounded down from 33 mg/day to what the tablets make); "
        "at most 10 mg less every 2 days]"
    )
    assert plan.steps[-1].messages[0].template.startswith("stop: taper complete after {days} days")
