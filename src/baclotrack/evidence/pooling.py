"""Pool the bundled baclofen trials, one outcome at a time, with the meta-analysis engine.

:func:`pool_outcome` takes the comparisons :func:`~baclotrack.evidence.outcome_table` gives for an
outcome (baclofen arm vs its placebo arm; a placebo arm shared by two doses split between them,
Cochrane Handbook 23.3.4), computes effect sizes in the outcome's default measure, pools them with
:class:`~baclotrack.analysis.meta.MetaAnalysis` and, with ``by="dose"``, adds a meta-regression on
the daily dose and a high- vs low-dose subgroup comparison. Nothing is printed or written here; the
CLI (``baclotrack evidence meta``) does that. Methods and choices: docs/evidence.md and
docs/decisions/0052-evidence-pooling-defaults.md.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import polars as pl

from baclotrack.analysis.meta import (
    ConvergenceError,
    EffectSizes,
    Measure,
    MetaAnalysis,
    MetaRegression,
    Method,
    StatisticalWarning,
    SubgroupAnalysis,
    effect_sizes_from_frame,
    parse_measure,
    parse_method,
    subgroup_analysis,
)
from baclotrack.core.errors import InputError
from baclotrack.core.i18n import N_, NC_, Message
from baclotrack.core.titration.caps import REGULATORY_CAPS
from baclotrack.evidence.data import OUTCOMES, MultiArmRule, TrialArm, outcome_table

#: The measure each outcome is pooled in by default, following the analyses of the Cochrane review
#: (Agabio R et al. Baclofen for alcohol use disorder. Cochrane Database Syst Rev 2023;
#: CD012557.pub3, "Data and analyses", comparison 1): dichotomous outcomes as risk ratios (return
#: to any drinking RR 0.87; any adverse event RR 1.05; dropouts, and dropouts for adverse events, RR);
#: percent days abstinent as a mean difference in percentage points (MD 9.07); percent heavy drinking
#: days as a standardised mean difference (SMD -0.18), because trials report heavy drinking on
#: different scales and with different heavy-day thresholds; drinks per drinking day as a mean
#: difference in the trial's own drinks (MD -0.45). Abstinence, the complement of return to any
#: drinking, is pooled as an RR too (so RR > 1 favours baclofen there).
DEFAULT_MEASURES: Final[Mapping[str, Measure]] = {
    "return_to_drinking": Measure.RR,
    "abstinence": Measure.RR,
    "dropout": Measure.RR,
    "dropout_adverse_event": Measure.RR,
    "any_adverse_event": Measure.RR,
    "percent_days_abstinent": Measure.MD,
    "percent_heavy_drinking_days": Measure.SMD,
    "drinks_per_drinking_day": Measure.MD,
}

#: An outcome named inside a reason. The English text (command line, JSON) names the outcome by
#: its id, as the user typed it; the clinic's catalogue gives each id (in this context) the
#: outcome's label, as the Evidence page titles its cards (decision 0170).
OUTCOME_NAMES: Final[Mapping[str, str]] = {
    "return_to_drinking": NC_("evidence outcome", "return_to_drinking"),
    "abstinence": NC_("evidence outcome", "abstinence"),
    "dropout": NC_("evidence outcome", "dropout"),
    "dropout_adverse_event": NC_("evidence outcome", "dropout_adverse_event"),
    "any_adverse_event": NC_("evidence outcome", "any_adverse_event"),
    "percent_days_abstinent": NC_("evidence outcome", "percent_days_abstinent"),
    "percent_heavy_drinking_days": NC_("evidence outcome", "percent_heavy_drinking_days"),
    "drinks_per_drinking_day": NC_("evidence outcome", "drinks_per_drinking_day"),
}

#: Doses above this many mg/day form the "high dose" subgroup. The cut is the French maximum for
#: alcohol use disorder since 24 July 2017 (ANSM) and the Baclocur label (one home: core/titration/
#: caps.py). It separates the doses a prescriber in France may use today from the high-dose regimens
#: of the 2014 RTU and of ALPADIR, BACLAD and Bacloville. A parameter of pool_outcome, because reviews
#: cut elsewhere (docs/decisions/0052-evidence-pooling-defaults.md).
HIGH_DOSE_ABOVE_MG: Final[float] = REGULATORY_CAPS["fr-2017"].mg_per_day

#: Fewest comparisons for a pooled estimate: one comparison is a study result, not a pooled one.
MIN_COMPARISONS: Final = 2
#: Fewest comparisons with a known dose for the dose meta-regression (one slope and an intercept
#: need at least 3 points to leave a residual; the engine refuses fewer).
MIN_DOSE_REGRESSION: Final = 3

#: The Cochrane 2023 pooled results the bundled data are compared with (Agabio et al. 2023,
#: CD012557.pub3, summary of findings; shared/FACTS.md): measure, estimate, 95 % CI, studies.
COCHRANE_2023: Final[Mapping[str, Mapping[str, Any]]] = {
    "return_to_drinking": {"measure": "RR", "estimate": 0.87, "ci_low": 0.77, "ci_high": 0.99, "studies": 12},
    "percent_days_abstinent": {
        "measure": "MD",
        "estimate": 9.07,
        "ci_low": 3.30,
        "ci_high": 14.85,
        "studies": 16,
    },
    "percent_heavy_drinking_days": {
        "measure": "SMD",
        "estimate": -0.18,
        "ci_low": -0.48,
        "ci_high": 0.11,
        "studies": 13,
    },
    "drinks_per_drinking_day": {
        "measure": "MD",
        "estimate": -0.45,
        "ci_low": -1.20,
        "ci_high": 0.30,
        "studies": 9,
    },
    "any_adverse_event": {
        "measure": "RR",
        "estimate": 1.05,
        "ci_low": 0.99,
        "ci_high": 1.11,
        "studies": None,
    },
}

By = Literal["dose"]


@dataclass(frozen=True)
class DoseAnalysis:
    """Does the effect depend on the daily dose? A meta-regression and a high/low subgroup split.

    Only comparisons with a known dose (mean achieved, else target; ``outcome_table``'s ``dose_mg``)
    take part; ``without_dose`` names the others. Each part is ``None`` with a ``*_reason`` saying
    why when the data cannot support it: the English text of a translatable ``*_reason_message``
    (decision 0170).
    """

    high_dose_above_mg: float
    without_dose: tuple[str, ...]
    regression: MetaRegression | None
    regression_reason_message: Message | None
    subgroups: SubgroupAnalysis | None
    subgroup_reason_message: Message | None
    subgroup_members: Mapping[str, tuple[str, ...]]

    @property
    def regression_reason(self) -> str | None:
        return _english(self.regression_reason_message)

    @property
    def subgroup_reason(self) -> str | None:
        return _english(self.subgroup_reason_message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "high_dose_above_mg": self.high_dose_above_mg,
            "without_dose": list(self.without_dose),
            "meta_regression": None if self.regression is None else self.regression.to_dict(),
            "meta_regression_reason": self.regression_reason,
            "subgroups": None if self.subgroups is None else self.subgroups.to_dict(),
            "subgroup_members": {name: list(members) for name, members in self.subgroup_members.items()},
            "subgroup_reason": self.subgroup_reason,
        }


@dataclass(frozen=True)
class OutcomePooling:
    """The pooled result for one outcome, or the plain reason there is none.

    ``table`` holds the comparisons used (outcome_table's columns). ``fit`` is ``None`` when fewer
    than two comparisons can be pooled; ``reason`` then says so, in English, and ``reason_message``
    as a translatable message (decision 0170). ``warnings`` are the engine's statistical warnings
    (e.g. Knapp-Hartung with a common-effect model), as the English text the engine marks with N_.
    """

    outcome: str
    measure: Measure
    method: Method
    knha: bool
    multi_arm: MultiArmRule
    table: pl.DataFrame
    fit: MetaAnalysis | None
    reason_message: Message | None
    dose: DoseAnalysis | None
    warnings: tuple[str, ...]

    @property
    def reason(self) -> str | None:
        return _english(self.reason_message)

    @property
    def trials(self) -> int:
        """Distinct trials behind the comparisons (a two-dose trial gives two comparisons)."""
        return int(self.table["trial_id"].n_unique())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: settings, the comparisons with their effect sizes, the pooled result, dose."""
        return {
            "outcome": self.outcome,
            "measure": self.measure.value,
            "method": self.method.value,
            "knha": self.knha,
            "multi_arm": self.multi_arm,
            "comparisons": self.table.height,
            "trials": self.trials,
            "pooled": None if self.fit is None else self.fit.to_dict(),
            "reason": self.reason,
            "studies": self._study_rows(),
            "by_dose": None if self.dose is None else self.dose.to_dict(),
            "cochrane_2023": dict(COCHRANE_2023[self.outcome]) if self.outcome in COCHRANE_2023 else None,
            "warnings": list(self.warnings),
        }

    def _study_rows(self) -> list[dict[str, Any]]:
        keep = [c for c in self.table.columns if c not in ("population", "regimen")]
        rows = self.table.select(keep).to_dicts()
        if self.fit is not None:
            for row, effect in zip(rows, self.fit.to_frame().to_dicts(), strict=True):
                row.update({k: effect[k] for k in ("yi", "vi", "ci_low", "ci_high", "weight_percent")})
        return rows


def _english(message: Message | None) -> str | None:
    return None if message is None else message.text()


def dose_group_message(dose_mg: float, high_dose_above_mg: float = HIGH_DOSE_ABOVE_MG) -> Message:
    """The subgroup label of a daily dose as a message: high above the cut, low at or below it."""
    if dose_mg > high_dose_above_mg:
        return Message(N_("high (> {cut:g} mg/day)"), {"cut": high_dose_above_mg})
    return Message(N_("low (<= {cut:g} mg/day)"), {"cut": high_dose_above_mg})


def dose_group(dose_mg: float, high_dose_above_mg: float = HIGH_DOSE_ABOVE_MG) -> str:
    """The subgroup label of a daily dose: high above the cut, low at or below it."""
    return dose_group_message(dose_mg, high_dose_above_mg).text()


def pool_outcome(
    outcome: str,
    *,
    method: str | Method = Method.REML,
    knha: bool = False,
    by: By | None = None,
    measure: str | Measure | None = None,
    multi_arm: MultiArmRule = "split",
    high_dose_above_mg: float = HIGH_DOSE_ABOVE_MG,
    arms: Sequence[TrialArm] | None = None,
) -> OutcomePooling:
    """Pool every complete baclofen-vs-placebo comparison of ``outcome`` in the bundled trials.

    ``measure`` defaults to :data:`DEFAULT_MEASURES` (the Cochrane 2023 choices); ``method`` is
    any engine method (FE, MH, DL, REML, PM; MH for binary measures only). ``by="dose"`` adds a
    :class:`DoseAnalysis`. ``arms`` replaces the bundled dataset (tests, edited copies). With fewer
    than two comparisons the result has ``fit=None`` and a ``reason``. Raises ``InputError`` for an
    unknown outcome, method, measure or ``by``, and ``ConvergenceError`` if REML does not converge.
    """
    if outcome not in OUTCOMES:
        raise InputError(f"outcome {outcome!r} is unknown; choose one of {', '.join(OUTCOMES)}")
    chosen_measure = DEFAULT_MEASURES[outcome] if measure is None else parse_measure(measure)
    chosen_method = parse_method(method)
    _check_settings(outcome, chosen_measure, chosen_method, by, high_dose_above_mg)
    table = outcome_table(outcome, arms, multi_arm=multi_arm)
    settings = (outcome, chosen_measure, chosen_method, knha, multi_arm, table)
    if table.height < MIN_COMPARISONS:
        too_few = _too_few(outcome, table)
        return OutcomePooling(*settings, fit=None, reason_message=too_few, dose=None, warnings=())
    effects = effect_sizes_from_frame(table, chosen_measure)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", StatisticalWarning)
        fit = MetaAnalysis(chosen_method, knha=knha).fit(effects)
        dose = None
        if by == "dose":
            dose = _dose_analysis(table, chosen_measure, chosen_method, knha, high_dose_above_mg)
    messages = tuple(dict.fromkeys(str(w.message) for w in caught))
    return OutcomePooling(*settings, fit=fit, reason_message=None, dose=dose, warnings=messages)


def _check_settings(outcome: str, measure: Measure, method: Method, by: str | None, cut: float) -> None:
    binary = DEFAULT_MEASURES[outcome].is_binary
    if measure.is_binary != binary or measure is Measure.GEN:
        kind = "binary (RR, OR, RD)" if binary else "continuous (MD, SMD)"
        raise InputError(f"measure {measure.value}: outcome {outcome!r} needs a {kind} measure")
    if method is Method.MH and not measure.is_binary:
        raise InputError(f"method MH: Mantel-Haenszel needs a binary outcome, and {outcome!r} is continuous")
    if by is not None and by != "dose":
        raise InputError(f"by {by!r} is unknown; the only grouping is 'dose'")
    if by == "dose" and method is Method.MH:
        raise InputError("method MH with by=dose: the dose meta-regression needs FE, DL, REML or PM")
    if not np.isfinite(cut) or cut <= 0:
        raise InputError(f"high_dose_above_mg must be a positive number of mg/day, got {cut}")


def _too_few(outcome: str, table: pl.DataFrame) -> Message:
    name = Message(OUTCOME_NAMES[outcome])
    if table.is_empty():
        return Message(
            N_("no bundled trial reports {outcome} in full for a baclofen arm and its placebo arm"),
            {"outcome": name},
        )
    return Message(
        N_(
            "only 1 comparison reports {outcome} in full ({study}); pooling needs at least "
            "{needed}, so its own result is shown instead of a pooled one"
        ),
        {"outcome": name, "study": str(table["study"][0]), "needed": MIN_COMPARISONS},
    )


def _dose_analysis(
    table: pl.DataFrame, measure: Measure, method: Method, knha: bool, cut: float
) -> DoseAnalysis:
    with_dose = table.filter(pl.col("dose_mg").is_not_null())
    without = tuple(table.filter(pl.col("dose_mg").is_null())["study"].to_list())
    doses = with_dose["dose_mg"].to_numpy()
    # Subgroups are keyed by their English label (JSON, engine); reasons name them by message.
    labels = {m.text(): m for m in (dose_group_message(float(d), cut) for d in doses)}
    groups = [dose_group(float(d), cut) for d in doses]
    members: dict[str, tuple[str, ...]] = {}
    for name, study in zip(groups, with_dose["study"].to_list(), strict=True):
        members[name] = (*members.get(name, ()), study)
    effects = effect_sizes_from_frame(with_dose, measure) if with_dose.height else None
    regression, regression_reason = _dose_regression(effects, doses, method, knha)
    subgroups, subgroup_reason = _dose_subgroups(effects, groups, members, labels, method, knha)
    return DoseAnalysis(cut, without, regression, regression_reason, subgroups, subgroup_reason, members)


def _dose_regression(
    effects: EffectSizes | None, doses: np.ndarray[Any, Any], method: Method, knha: bool
) -> tuple[MetaRegression | None, Message | None]:
    k = 0 if effects is None else effects.k
    if effects is None or k < MIN_DOSE_REGRESSION:
        return None, Message(
            N_("meta-regression on dose needs at least {needed} comparisons with a known dose; {k} here"),
            {"needed": MIN_DOSE_REGRESSION, "k": k},
        )
    if np.ptp(doses) == 0:
        return None, Message(
            N_("every comparison with a known dose used {dose:g} mg/day, so dose cannot explain anything"),
            {"dose": float(doses[0])},
        )
    try:
        return MetaRegression(method, knha=knha).fit(effects, doses, name="dose_mg"), None
    except ConvergenceError as exc:
        # The engine's own words stay English (like InputError texts, decision 0170).
        return None, Message(N_("meta-regression on dose did not converge: {error}"), {"error": str(exc)})


def _dose_subgroups(
    effects: EffectSizes | None,
    groups: Sequence[str],
    members: Mapping[str, Sequence[str]],
    labels: Mapping[str, Message],
    method: Method,
    knha: bool,
) -> tuple[SubgroupAnalysis | None, Message | None]:
    if effects is None or len(members) < 2:
        present: Message | tuple[Message, ...] = tuple(
            Message(N_("{group}: {count}"), {"group": labels[name], "count": len(m)})
            for name, m in members.items()
        ) or Message(NC_("dose subgroups", "none"))
        return None, Message(
            N_("the high/low dose split needs comparisons on both sides of the cut ({present})"),
            {"present": present},
        )
    small = [name for name, m in members.items() if len(m) < MIN_COMPARISONS]
    if small:
        return None, Message(
            N_("each dose subgroup needs at least {needed} comparisons to pool; {small}"),
            {
                "needed": MIN_COMPARISONS,
                "small": tuple(
                    Message(N_("{group} has {count}"), {"group": labels[name], "count": len(members[name])})
                    for name in small
                ),
            },
        )
    try:
        return subgroup_analysis(effects, np.array(groups), method, knha=knha), None
    except ConvergenceError as exc:
        return None, Message(N_("a dose subgroup did not converge: {error}"), {"error": str(exc)})
