"""Bundled trial evidence: randomised trials of baclofen for alcohol use disorder, with sources.

The data live in ``trials.csv`` (one row per arm); :mod:`baclotrack.evidence.data` validates them
and shapes them for meta-analysis. See docs/evidence.md.
"""

from baclotrack.evidence.data import (
    BINARY_OUTCOMES,
    CONTINUOUS_OUTCOMES,
    OUTCOMES,
    POPULATIONS,
    BinaryCount,
    ContinuousSummary,
    EvidenceDataError,
    TrialArm,
    load_trials,
    outcome_table,
    parse_trials,
)
from baclotrack.evidence.overview import trial_overview

__all__ = [
    "BINARY_OUTCOMES",
    "CONTINUOUS_OUTCOMES",
    "OUTCOMES",
    "POPULATIONS",
    "BinaryCount",
    "ContinuousSummary",
    "EvidenceDataError",
    "TrialArm",
    "load_trials",
    "outcome_table",
    "parse_trials",
    "trial_overview",
]
