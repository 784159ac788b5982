"""The rules' lookback: how many recent diary days the engine reads, and that reading only those days
decides the same alerts as reading the whole diary."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from baclotrack.core.diary import DiaryDay
from baclotrack.core.titration.context import RuleError
from baclotrack.core.titration.rules import DEFAULT_RULES, Caution, ClientContext, RuleConfig, evaluate

FIRST_DAY = dt.date(2024, 1, 1)
DAYS = 730
DOSES = (0.0, 15.0, 30.0, 45.0, 60.0, 90.0, 120.0)


def two_year_diary(seed: int = 20261127) -> list[DiaryDay]:
    """A diary with gaps, dose changes, runs of missed doses, side effects and heavy days: enough
    variety that every diary rule fires somewhere in the two years."""
    rng = np.random.default_rng(seed)
    days: list[DiaryDay] = []
    level = 2
    for offset in range(DAYS):
        level = int(np.clip(level + rng.choice([-1, 0, 0, 0, 0, 0, 1]), 0, len(DOSES) - 1))
        if rng.random() < 0.1:  # not reported
            continue
        missed = rng.random() < 0.08
        effects = {
            name: int(rng.integers(1, 4))
            for name in ("somnolence", "dizziness", "confusion", "nausea")
            if rng.random() < 0.15
        }
        days.append(
            DiaryDay(
                date=FIRST_DAY + dt.timedelta(days=offset),
                grams=float(rng.choice([0.0, 0.0, 20.0, 40.0, 80.0, 120.0])),
                craving=int(rng.integers(0, 11)),
                anxiety=int(rng.integers(0, 11)),
                dose_taken_mg=0.0 if missed else DOSES[level],
                side_effects=effects,
            )
        )
    return days


CLIENT = ClientContext(sex="M", weight_kg=80.0, cautions=frozenset({Caution.SEDATIVES_OR_OPIOIDS}))


def test_lookback_is_the_history_horizon_with_the_default_thresholds() -> None:
    assert DEFAULT_RULES.lookback_days == DEFAULT_RULES.history_days == 90


def test_lookback_grows_with_a_rule_that_needs_a_longer_run() -> None:
    # The indifference run counted back from the oldest "recent" day: 3 - 1 + 120.
    assert RuleConfig(indifference_days=120).lookback_days == 122
    assert RuleConfig(indifference_days=120).lookback_start(dt.date(2026, 5, 1)) == dt.date(2025, 12, 31)


def test_history_horizon_must_be_at_least_a_day() -> None:
    with pytest.raises(RuleError, match="history_days"):
        RuleConfig(history_days=0)


def test_only_the_lookback_window_decides_the_same_alerts_as_the_whole_diary() -> None:
    diary = two_year_diary()
    seen: set[str] = set()
    for today in (FIRST_DAY + dt.timedelta(days=n) for n in range(100, DAYS)):
        window = [d for d in diary if d.date >= DEFAULT_RULES.lookback_start(today)]
        whole = evaluate(CLIENT, None, diary, today)
        assert evaluate(CLIENT, None, window, today) == whole, today
        seen |= {a.rule_id for a in whole}
    # The comparison means something only if the diary rules actually fired.
    assert {"SE-SEVERE", "SE-PERSISTENT", "HEAVY-DRINKING-SEDATION", "MISSED-DOSES"} <= seen


def test_a_longer_history_changes_no_alert_that_fires_on_this_diary() -> None:
    """The 90-day horizon bounds only the doses quoted as advice: which rules fire, and how urgent
    they are, is the same as with an unlimited history on a diary with doses most days."""
    diary = two_year_diary()
    unlimited = RuleConfig(history_days=DAYS)
    for today in (FIRST_DAY + dt.timedelta(days=n) for n in range(100, DAYS, 7)):
        short = [(a.rule_id, a.severity) for a in evaluate(CLIENT, None, diary, today)]
        long = [(a.rule_id, a.severity) for a in evaluate(CLIENT, None, diary, today, unlimited)]
        assert short == long, today


def test_step_back_advice_quotes_no_dose_older_than_the_history_horizon() -> None:
    today = dt.date(2026, 6, 30)
    tolerated = DiaryDay(DEFAULT_RULES.lookback_start(today) - dt.timedelta(days=1), dose_taken_mg=30.0)
    severe = DiaryDay(today, dose_taken_mg=90.0, side_effects={"confusion": 3})
    (alert,) = evaluate(ClientContext(sex="M"), None, [tolerated, severe], today)
    assert alert.rule_id == "SE-SEVERE" and alert.evidence["last_tolerated_dose_mg"] is None
    recent = DiaryDay(DEFAULT_RULES.lookback_start(today), dose_taken_mg=30.0)
    (alert,) = evaluate(ClientContext(sex="M"), None, [recent, severe], today)
    assert alert.evidence["last_tolerated_dose_mg"] == 30.0


def test_the_plan_from_today_decides_the_same_alerts_as_the_whole_plan() -> None:
    """The rules read today's planned dose and the days after it, never the plan's past, so the
    clinic may load only those days of a long plan (Plan.from_date)."""
    from baclotrack.core.titration.plan import generate_plan
    from baclotrack.core.titration.protocols import get_protocol

    diary = two_year_diary()
    # Epilepsy (escalation rule) and a renal clearance that caps below the plan (PLAN-ABOVE-CAP).
    client = ClientContext(
        sex="M",
        weight_kg=80.0,
        crcl_ml_min=45.0,
        cautions=frozenset({Caution.EPILEPSY, Caution.SEDATIVES_OR_OPIOIDS}),
    )
    seen: set[str] = set()
    for protocol in ("ameisen-2005", "resab"):
        plan = generate_plan(get_protocol(protocol), FIRST_DAY + dt.timedelta(days=200), weight_kg=80.0)
        last = plan.steps[-1].date
        for today in (FIRST_DAY + dt.timedelta(days=n) for n in range(150, DAYS, 3)):
            whole = evaluate(client, plan, diary, today)
            assert evaluate(client, plan.from_date(today), diary, today) == whole, (protocol, today)
            if today <= last:
                seen |= {a.rule_id for a in whole}
    assert {"PLAN-ABOVE-CAP", "CAUTION-EPILEPSY-ESCALATION"} <= seen
