"""One line per trial: what it tested and which outcomes it contributes (for listings and reports)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from baclotrack.evidence.data import BINARY_OUTCOMES, OUTCOMES, TrialArm, load_trials

_SCHEMA = pl.Schema(
    {
        "trial_id": pl.String(),
        "study": pl.String(),
        "year": pl.Int64(),
        "population": pl.String(),
        "regimen": pl.String(),
        "n_randomised": pl.Int64(),
        "outcomes": pl.List(pl.String()),
        "poolable_outcomes": pl.List(pl.String()),
    }
)


def describe_regimen(arm: TrialArm) -> str:
    """A baclofen arm's dosing in a few words, e.g. 'fixed 30 mg/day' or 'titrated, max 270 mg/day'."""
    if arm.regimen is None:
        return "dose not reported"
    if arm.regimen == "fixed":
        return f"fixed {arm.target_mg:g} mg/day" if arm.target_mg is not None else "fixed, dose not reported"
    parts = ["titrated"]
    if arm.target_mg is not None:
        parts.append(f"target {arm.target_mg:g}")
    if arm.max_mg is not None and arm.max_mg != arm.target_mg:
        parts.append(f"max {arm.max_mg:g}")
    if arm.mean_achieved_mg is not None:
        parts.append(f"mean {arm.mean_achieved_mg:g}")
    return ", ".join(parts) + (" mg/day" if len(parts) > 1 else "")


def trial_overview(arms: Sequence[TrialArm] | None = None) -> pl.DataFrame:
    """One row per trial, in order of year then study.

    ``regimen`` lists the baclofen arms' dosing; ``n_randomised`` is the sum over arms and is null
    when any arm's size is not reported; ``outcomes`` lists the outcome ids any arm reports, and
    ``poolable_outcomes`` those with at least one complete baclofen-vs-placebo comparison (both arms
    with events and n, or with mean, SD and n).
    """
    all_arms = load_trials() if arms is None else list(arms)
    by_trial: dict[str, list[TrialArm]] = {}
    for arm in all_arms:
        by_trial.setdefault(arm.trial_id, []).append(arm)
    rows = []
    for trial_id, trial_arms in by_trial.items():
        first = trial_arms[0]
        sizes = [a.n_randomised for a in trial_arms]
        rows.append(
            {
                "trial_id": trial_id,
                "study": first.study,
                "year": first.year,
                "population": first.population,
                "regimen": "; ".join(describe_regimen(a) for a in trial_arms if a.arm_role == "baclofen"),
                "n_randomised": None if None in sizes else sum(s for s in sizes if s is not None),
                "outcomes": [o for o in OUTCOMES if any(a.has_outcome(o) for a in trial_arms)],
                "poolable_outcomes": [o for o in OUTCOMES if _poolable(trial_arms, o)],
            }
        )
    return pl.DataFrame(rows, schema=_SCHEMA).sort(["year", "study"])


def _complete(arm: TrialArm, outcome: str) -> bool:
    if outcome in BINARY_OUTCOMES:
        return outcome in arm.binary
    summary = arm.continuous.get(outcome)
    return summary is not None and summary.complete


def _poolable(arms: Sequence[TrialArm], outcome: str) -> bool:
    """True when some baclofen arm and its placebo arm both report ``outcome`` in full."""
    complete = {a.arm for a in arms if _complete(a, outcome)}
    return any(a.arm_role == "baclofen" and a.arm in complete and a.control_arm in complete for a in arms)
