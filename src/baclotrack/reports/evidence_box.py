"""The report's evidence box: what randomised trials at a comparable dose reported, and how little.

The numbers are the trial arms' own, from the bundled dataset (:mod:`baclotrack.evidence`,
``outcome_table`` with ``multi_arm="separate"``, the per-dose display its docstring names).
Nothing is pooled here and nothing is said about this client: trials report group results.

An arm is *at a comparable dose* when its daily dose lies within a factor
``ratio`` (default :data:`DEFAULT_COMPARABLE_DOSE_RATIO`) of the client's reference dose,
i.e. in [dose / ratio, dose x ratio]. The arm's dose is its mean achieved dose when reported,
else its target, else (titrated arms) its maximum. The factor is a presentation choice, not a
clinical rule (docs/decisions/0100-report-comparable-dose.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from baclotrack.core.errors import InputError
from baclotrack.evidence.data import (
    BINARY_OUTCOMES,
    OUTCOMES,
    POPULATIONS,
    TrialArm,
    load_trials,
    outcome_table,
)
from baclotrack.evidence.overview import describe_regimen, trial_overview

#: Default width of the comparable-dose band: half as much again either way (e.g. 120 mg/day
#: compares with 80-180 mg/day). Wide enough to find a trial among the few with data, narrow
#: enough that 30 mg/day and 180 mg/day trials are not shown as alike.
DEFAULT_COMPARABLE_DOSE_RATIO: Final = 1.5

#: Outcomes about drinking itself (the rest are dropout and adverse events).
DRINKING_OUTCOMES: Final[tuple[str, ...]] = (
    "return_to_drinking",
    "abstinence",
    "percent_days_abstinent",
    "percent_heavy_drinking_days",
    "drinks_per_drinking_day",
)

OUTCOME_LABELS: Final[Mapping[str, str]] = {
    "return_to_drinking": "returned to any drinking",
    "abstinence": "abstinent",
    "dropout": "dropped out",
    "dropout_adverse_event": "dropped out for adverse events",
    "any_adverse_event": "any adverse event",
    "percent_days_abstinent": "% days abstinent",
    "percent_heavy_drinking_days": "% heavy drinking days",
    "drinks_per_drinking_day": "drinks per drinking day",
}

_BASIS_LABELS: Final = {"mean_achieved": "mean achieved", "target": "target", "max": "maximum allowed"}


@dataclass(frozen=True, slots=True)
class EvidenceArm:
    """One baclofen arm at a comparable dose and what it reported against placebo."""

    study: str
    year: int
    arm: str
    regimen: str
    dose_mg: float
    dose_basis: str
    population: str
    n_randomised: int | None
    findings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvidenceBox:
    """The comparable arms and the dataset's coverage, to state how thin the evidence is."""

    reference_dose_mg: float | None
    ratio: float
    arms: tuple[EvidenceArm, ...]
    trials_total: int
    trials_poolable_any: int
    trials_poolable_drinking: int

    @property
    def dose_band(self) -> tuple[float, float] | None:
        if self.reference_dose_mg is None:
            return None
        return self.reference_dose_mg / self.ratio, self.reference_dose_mg * self.ratio


def _arm_dose(arm: TrialArm) -> tuple[float, str] | None:
    if arm.mean_achieved_mg is not None:
        return arm.mean_achieved_mg, "mean_achieved"
    if arm.target_mg is not None:
        return arm.target_mg, "target"
    if arm.max_mg is not None:
        return arm.max_mg, "max"
    return None


def _findings(arms: Sequence[TrialArm]) -> dict[tuple[str, str], list[str]]:
    """Per (trial, arm): each outcome's numbers beside its placebo arm's, as reported."""
    found: dict[tuple[str, str], list[str]] = {}
    for outcome in OUTCOMES:
        table = outcome_table(outcome, arms, multi_arm="separate")
        for row in table.iter_rows(named=True):
            label = OUTCOME_LABELS[outcome]
            if outcome in BINARY_OUTCOMES:
                text = (
                    f"{label}: {row['events_t']:g}/{row['n_t']:g} on baclofen vs "
                    f"{row['events_c']:g}/{row['n_c']:g} on placebo"
                )
            else:
                text = (
                    f"{label}: mean {row['mean_t']:.3g} (n {row['n_t']:g}) on baclofen vs "
                    f"{row['mean_c']:.3g} (n {row['n_c']:g}) on placebo"
                )
            found.setdefault((row["trial_id"], row["arm"]), []).append(text)
    return found


def evidence_box(
    reference_dose_mg: float | None,
    trials: Sequence[TrialArm] | None = None,
    *,
    ratio: float = DEFAULT_COMPARABLE_DOSE_RATIO,
) -> EvidenceBox:
    """Baclofen arms within ``ratio`` of ``reference_dose_mg`` (mg/day), with the dataset's counts."""
    if not math.isfinite(ratio) or ratio < 1:
        raise InputError(f"comparable_dose_ratio: must be a number of at least 1, got {ratio}")
    arms = load_trials() if trials is None else list(trials)
    overview = trial_overview(arms)
    drinking = set(DRINKING_OUTCOMES)
    poolable = overview["poolable_outcomes"].to_list()
    comparable: list[EvidenceArm] = []
    if reference_dose_mg is not None and reference_dose_mg > 0:
        low, high = reference_dose_mg / ratio, reference_dose_mg * ratio
        findings = _findings(arms)
        for arm in arms:
            dose = _arm_dose(arm)
            if arm.arm_role != "baclofen" or dose is None or not low <= dose[0] <= high:
                continue
            comparable.append(
                EvidenceArm(
                    study=arm.study,
                    year=arm.year,
                    arm=arm.arm,
                    regimen=describe_regimen(arm),
                    dose_mg=dose[0],
                    dose_basis=_BASIS_LABELS[dose[1]],
                    population=POPULATIONS.get(arm.population, arm.population),
                    n_randomised=arm.n_randomised,
                    findings=tuple(findings.get((arm.trial_id, arm.arm), ())),
                )
            )
    comparable.sort(key=lambda a: (-len(a.findings), a.year, a.study))
    return EvidenceBox(
        reference_dose_mg=reference_dose_mg if reference_dose_mg else None,
        ratio=ratio,
        arms=tuple(comparable),
        trials_total=overview.height,
        trials_poolable_any=sum(1 for p in poolable if p),
        trials_poolable_drinking=sum(1 for p in poolable if drinking & set(p)),
    )
