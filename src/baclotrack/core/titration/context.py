"""The safety rules' vocabulary: client context, thresholds, alerts and their sources.

Kept apart from :mod:`baclotrack.core.titration.rules` (the rules themselves) so that the web
app and reports can build a :class:`ClientContext` and show an :class:`Alert` without
importing the rule code.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from baclotrack.core.diary import MAX_SEVERITY, SIDE_EFFECTS
from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import DEFAULT_COUNTRY, DEFAULT_HEAVY_DAY, Country, HeavyDayDefinition, Sex
from baclotrack.core.i18n import Message
from baclotrack.core.titration.caps import (
    DEFAULT_JURISDICTION,
    Cap,
    Jurisdiction,
    effective_cap,
    renal_cap,
    standing_caps,
    user_cap,
    validate_crcl,
)
from baclotrack.core.titration.plan import validate_weight
from baclotrack.core.titration.taper import FASTEST_TAPER_INTERVAL_DAYS, FASTEST_TAPER_STEP_MG


class RuleError(InputError):
    """A client context or rule setting that cannot be evaluated."""


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    URGENT = "urgent"


SEVERITY_ORDER: Final = {Severity.URGENT: 0, Severity.WARNING: 1, Severity.INFO: 2}


class Caution(StrEnum):
    """Conditions the baclofen labels list as cautions (UK SmPC 4.4, FDA label Precautions)."""

    EPILEPSY = "epilepsy"
    RENAL_IMPAIRMENT = "renal_impairment"
    BIPOLAR_OR_PSYCHOSIS = "bipolar_or_psychosis"
    PREGNANCY = "pregnancy"
    SEDATIVES_OR_OPIOIDS = "sedatives_or_opioids"
    SUICIDE_RISK = "suicide_risk"


EvidenceValue = str | float | int | bool | None

# Sources, written once and cited by the rules below.
SRC_LABELS: Final = "Baclofen labels: UK SmPC (Lioresal) section 4.4; FDA baclofen tablets label, Warnings"
SRC_RESAB_STEP_BACK: Final = (
    "RESAB practice guide 1.4 (resab.fr): if a side effect does not settle, go back to the lower dose "
    "that did not cause it; retry after 1-2 weeks"
)
SRC_WITHDRAWAL: Final = (
    "FDA baclofen label, Warnings, Abrupt Drug Withdrawal (hallucinations, seizures); ANSM letter of "
    "25 July 2017 (reduce by 10 or 15 mg every 2 days, never stop abruptly)"
)
SRC_RESPIRATORY: Final = (
    "FDA baclofen label and UK SmPC 4.5: additive CNS depression with alcohol and other depressants; "
    "overdose causes coma and respiratory depression"
)
SRC_INDIFFERENCE: Final = (
    "Ameisen 2005, Alcohol Alcohol 40:147; de Beaurepaire 2012, Front Psychiatry 3:103; RESAB guide "
    "1.9: titrate to the lowest dose that gives indifference to alcohol"
)


@dataclass(frozen=True, slots=True)
class RuleConfig:
    """Every threshold the rules use, with its default and source.

    - ``severe_severity`` 3 and ``persistent_severity`` 2 on the diary's 0-3 scale (severe,
      moderate); ``persistent_days`` 3: one usual titration interval (RESAB: step back when a
      side effect does not settle; the guide gives no day count, so 3 is baclotrack's default).
    - ``recent_days`` 3: how far back "recent" diary entries reach for same-day rules.
    - ``missed_dose_days`` 2 and ``withdrawal_risk_above_mg_per_day`` 15: two days without a
      dose at more than 15 mg/day is a faster fall than the ANSM 2017 taper allows
      (at most 15 mg every 2 days), so withdrawal is possible.
    - ``fast_reduction_mg`` 15 and ``fast_reduction_days`` 2: a dose taken that is more than
      15 mg below one taken in the 2 days before it fell faster than the ANSM 2017 taper
      (core/titration/taper.py, the same pace the taper plans keep; decision 0186).
    - ``sedation_side_effects`` somnolence and confusion, from ``sedation_min_severity`` 1
      (any): with heavy drinking, risk of respiratory depression (labels).
    - ``craving_threshold`` 2 and ``indifference_days`` 14: the indifference definition
      (:mod:`baclotrack.core.titration.indifference`).
    - ``history_days`` 90: how far back the rules search for a dose to quote -- the last
      tolerated dose of the step-back advice, the last dose before a run of missed doses, the
      current dose. No source gives a horizon; 90 days (a quarter: the step back is to a dose of
      the last few titration steps, 3-4 days each in core/titration/protocols.py) is baclotrack's
      default, so that advice never quotes a dose from a much earlier course
      (docs/decisions/0151-rules-lookback.md).

    :attr:`lookback_days` is the whole diary window the engine reads; :func:`evaluate` ignores
    older days, so a caller may pass only that window (the clinic does, on every diary save).
    """

    severe_severity: int = 3
    persistent_severity: int = 2
    persistent_days: int = 3
    recent_days: int = 3
    missed_dose_days: int = 2
    withdrawal_risk_above_mg_per_day: float = 15.0
    fast_reduction_mg: float = FASTEST_TAPER_STEP_MG
    fast_reduction_days: int = FASTEST_TAPER_INTERVAL_DAYS
    sedation_side_effects: tuple[str, ...] = ("somnolence", "confusion")
    sedation_min_severity: int = 1
    craving_threshold: int = 2
    indifference_days: int = 14
    history_days: int = 90
    heavy: HeavyDayDefinition = DEFAULT_HEAVY_DAY

    def __post_init__(self) -> None:
        for name in ("severe_severity", "persistent_severity", "sedation_min_severity"):
            if not 1 <= getattr(self, name) <= MAX_SEVERITY:
                raise RuleError(f"{name}: must be from 1 to {MAX_SEVERITY}, got {getattr(self, name)}")
        for name in (
            "persistent_days",
            "recent_days",
            "missed_dose_days",
            "fast_reduction_days",
            "indifference_days",
            "history_days",
        ):
            if getattr(self, name) < 1:
                raise RuleError(f"{name}: must be at least 1 day, got {getattr(self, name)}")
        for name in ("withdrawal_risk_above_mg_per_day", "fast_reduction_mg"):
            if not math.isfinite(getattr(self, name)) or getattr(self, name) < 0:
                raise RuleError(f"{name}: must be a non-negative number")
        unknown = [s for s in self.sedation_side_effects if s not in SIDE_EFFECTS]
        if unknown:
            raise RuleError(f"sedation_side_effects: unknown side effects {unknown}")

    @property
    def lookback_days(self) -> int:
        """Calendar days of diary, ending today, that the rules read: the longest run a rule needs
        to fire (indifference, persistent side effect, missed doses) counted back from the oldest
        "recent" day, or ``history_days`` if that is longer."""
        longest_run = max(self.indifference_days, self.persistent_days, self.missed_dose_days)
        return max(self.recent_days - 1 + longest_run, self.history_days)

    def lookback_start(self, today: dt.date) -> dt.date:
        """The oldest diary date the rules read when evaluated on ``today``."""
        return today - dt.timedelta(days=self.lookback_days - 1)


DEFAULT_RULES: Final = RuleConfig()


@dataclass(frozen=True, slots=True)
class ClientContext:
    """What the rules need to know about a client.

    Two countries, kept apart (decision 0175): ``drink_country`` is the country whose standard
    drink the diary counts in; ``prescribing_country`` is the jurisdiction whose regulatory cap
    applies (France: 80 mg/day since July 2017). A client prescribed in Belgium who counts
    French drinks gets no French cap; one prescribed in France who counts WHO drinks does.
    """

    sex: Sex
    weight_kg: float | None = None
    crcl_ml_min: float | None = None
    cautions: frozenset[Caution] = frozenset()
    drink_country: Country = DEFAULT_COUNTRY
    prescribing_country: Jurisdiction = DEFAULT_JURISDICTION
    dialysis: bool = False
    max_mg_per_day: float | None = None

    def __post_init__(self) -> None:
        if self.sex not in ("F", "M"):
            raise RuleError(f"sex: must be 'F' or 'M', got {self.sex!r}")
        validate_weight(self.weight_kg)
        try:
            object.__setattr__(self, "drink_country", Country(self.drink_country))
            object.__setattr__(self, "prescribing_country", Jurisdiction(self.prescribing_country))
        except ValueError as exc:
            raise RuleError(f"client context: {exc}") from None
        if self.crcl_ml_min is not None:
            validate_crcl(self.crcl_ml_min)
        try:
            object.__setattr__(self, "cautions", frozenset(Caution(c) for c in self.cautions))
        except ValueError:
            known = ", ".join(c.value for c in Caution)
            raise RuleError(
                f"cautions: unknown caution in {sorted(self.cautions)} (known: {known})"
            ) from None

    def caps(self, other_caps: Sequence[Cap] = ()) -> tuple[Cap, ...]:
        """Caps for this client: highest studied, the prescribing country's, the prescriber's and
        ``other_caps`` (a plan's), then the renal cap derived from the lowest of those."""
        caps = [*standing_caps(self.prescribing_country), *other_caps]
        if self.max_mg_per_day is not None:
            caps.append(user_cap(self.max_mg_per_day))
        renal = renal_cap(self.crcl_ml_min, effective_cap(caps).mg_per_day, dialysis=self.dialysis)
        return (*caps, renal) if renal is not None else tuple(caps)


@dataclass(frozen=True, slots=True)
class Alert:
    """One safety alert: what happened, why it matters, what to do, and the source.

    ``title``, ``reason`` and ``action`` are English (command line, PDF report); ``messages``
    holds the same three as templates and numbers so that the clinic can show them in the
    reader's language (core/i18n.py, decision 0170).
    """

    rule_id: str
    severity: Severity
    title: str
    reason: str
    evidence: Mapping[str, EvidenceValue]
    action: str
    source: str
    messages: Mapping[str, Message] = field(default_factory=dict)
