"""Analysis of a parallel-arm baclofen trial: arm summaries, the lme4 mixed model, dose trend.

Input is a diary of daily standard drinks (of each patient's country) and a patient table
with arm and daily dose; the arm at 0 mg is the reference. An active arm whose dose is titrated
to each patient (blank dose_mg, as in Bacloville, Rigal et al. 2020) is compared with the
reference like any arm, but then no dose trend is estimated (decision 0160). The design
follows Addolorato et al. (2011, Alcohol Alcohol 46:312-317): a 28-day baseline before
randomisation, 12 weeks of treatment, drinks per day compared with baseline. Per-patient means come from
:func:`baclotrack.core.endpoints.compute_endpoints` (mean drinks over reported days).

Primary model, as R's lme4 writes it (docs/methods/trial-analysis.md)::

    lmer(y ~ arm + week + baseline + (1 + week | patient), REML = TRUE)

with y a patient's mean drinks over the reported days of week w (1..12; weeks without a
reported day are absent) and baseline the patient's baseline drinks per day. The dose trend
is the same model with ``dose_mg`` in place of ``arm``, fitted only when every arm has one
fixed dose. Contrasts are Wald tests with the normal approximation, as lme4 gives no
denominator degrees of freedom.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Self

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy import stats

from baclotrack.analysis.lmm import LinearMixedModel
from baclotrack.analysis.trial_gee import SecondaryResult, fit_secondary
from baclotrack.core.endpoints import Window, compute_endpoints, diary_grams_from_drinks, study_day
from baclotrack.core.errors import InputError

#: The 28 days before randomisation (Addolorato et al. 2011: "drinks per day ... compared with
#: the 28 days before randomisation") and the 12 weeks of treatment that follow.
BASELINE_WINDOW: Final = Window("baseline", -28, -1)
TREATMENT_WEEKS: Final = 12
TREATMENT_WINDOW: Final = Window("treatment", 1, 7 * TREATMENT_WEEKS)
WEEK_WINDOWS: Final[tuple[Window, ...]] = tuple(
    Window(f"week{w}", 7 * (w - 1) + 1, 7 * w) for w in range(1, TREATMENT_WEEKS + 1)
)

#: Default confidence level of every interval (95 %, as trial reports use).
DEFAULT_CONFIDENCE: Final = 0.95


class TrialDataError(InputError):
    """A patient table or diary that cannot be analysed as a trial (arms, doses, missing data)."""


@dataclass(frozen=True, slots=True)
class Arm:
    """A trial arm: its name, daily dose (None: titrated per patient) and patient count, with its
    drinks-per-day summary."""

    arm: str
    dose_mg: float | None
    n: int
    baseline_drinks_per_day: float
    treatment_drinks_per_day: float

    @property
    def percent_reduction(self) -> float:
        """100 x (1 - treatment / baseline), from the arm's mean drinks per day; NaN if baseline is 0."""
        if self.baseline_drinks_per_day == 0:
            return float("nan")
        return 100.0 * (1.0 - self.treatment_drinks_per_day / self.baseline_drinks_per_day)

    def to_dict(self) -> dict[str, Any]:
        return {
            "arm": self.arm,
            "dose_mg": self.dose_mg,
            "n": self.n,
            "baseline_drinks_per_day": self.baseline_drinks_per_day,
            "treatment_drinks_per_day": self.treatment_drinks_per_day,
            "percent_reduction": self.percent_reduction,
        }


@dataclass(frozen=True, slots=True)
class Contrast:
    """A difference in weekly drinks per day between two arms, from the primary model."""

    arm: str
    reference: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p: float

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("arm", "reference", "estimate", "se", "ci_low", "ci_high", "p")}


def wald(estimate: float, se: float, confidence: float = DEFAULT_CONFIDENCE) -> tuple[float, float, float]:
    """Wald interval and two-sided p value with the normal approximation: (low, high, p)."""
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    p = float(2.0 * stats.norm.sf(abs(estimate / se)))
    return estimate - z * se, estimate + z * se, p


#: Why the dose trend is missing when an arm's dose is titrated per patient (JSON and text output).
TITRATED_NO_TREND: Final = (
    "arm {arms} has no fixed dose (titrated per patient), so drinks cannot be modelled as a function of "
    "the arm's dose; compare arms with the contrasts"
)


def _check_trial_columns(patients: pl.DataFrame) -> None:
    for column in ("arm", "dose_mg"):
        if column not in patients.columns:
            raise TrialDataError(
                f"patients: column {column!r} is missing (columns: {', '.join(patients.columns)})"
            )
    if not patients.schema["dose_mg"].is_numeric() and patients.schema["dose_mg"] != pl.Null:
        raise TrialDataError(
            f"patients: column 'dose_mg' must be a number of mg, got {patients.schema['dose_mg']}"
        )


def trial_arms(patients: pl.DataFrame) -> list[tuple[str, float | None]]:
    """Arms and their doses: the 0 mg reference first, fixed doses ascending, then titrated arms.

    A titrated arm has a blank (null) dose_mg on every one of its patients; it may not be the
    reference, which must be the one arm at dose_mg 0. Validates the columns.
    """
    _check_trial_columns(patients)
    frame = patients.with_row_index("row", offset=1).with_columns(pl.col("dose_mg").cast(pl.Float64))
    bad = frame.filter(
        pl.col("arm").is_null()
        | (pl.col("arm").cast(pl.String).str.strip_chars() == "")
        | ~pl.col("dose_mg").is_finite()
        | (pl.col("dose_mg") < 0)
    )
    if bad.height:
        row = bad.row(0, named=True)
        raise TrialDataError(
            f"patients, data row {row['row']}: arm must be a name and dose_mg a dose of 0 mg or more, or "
            f"blank for a titrated arm (got arm {row['arm']!r}, dose_mg {row['dose_mg']!r})"
        )
    doses = frame.group_by("arm").agg(pl.col("dose_mg").unique().sort(nulls_last=True)).sort("arm")
    for arm, arm_doses in doses.iter_rows():
        if len(arm_doses) > 1:
            raise TrialDataError(
                f"patients: arm {arm!r} has more than one dose_mg ({arm_doses}); one arm, one dose "
                "(or blank on every patient of a titrated arm)"
            )
    fixed = sorted(
        ((str(a), float(d[0])) for a, d in doses.iter_rows() if d[0] is not None),
        key=lambda ad: (ad[1], ad[0]),
    )
    titrated: list[tuple[str, float | None]] = [(str(a), None) for a, d in doses.iter_rows() if d[0] is None]
    if len(fixed) + len(titrated) < 2:
        raise TrialDataError("patients: a trial needs at least two arms (one of them at dose_mg 0)")
    at_zero = [a for a, d in fixed if d == 0]
    if len(at_zero) != 1:
        raise TrialDataError(
            f"patients: exactly one arm must have dose_mg 0 (the reference); found {len(at_zero)}: {at_zero}"
        )
    dose_list = [d for _, d in fixed]
    if len(set(dose_list)) != len(dose_list):
        raise TrialDataError("patients: two arms share a dose_mg; give each arm its own daily dose")
    return [*fixed, *titrated]


def _dose_text(dose_mg: float | None) -> str:
    """An arm's dose for tables: mg/day, or 'titrated' for an arm dosed per patient."""
    return "titrated" if dose_mg is None else f"{dose_mg:g}"


def patient_outcomes(diary: pl.DataFrame, patients: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per-patient means and weekly means of drinks per reported day.

    Returns ``(per_patient, weekly)``: per_patient has patient_id, arm, dose_mg, baseline and
    treatment (drinks per day; null without a reported day); weekly has patient_id, arm,
    dose_mg, baseline, week and y, one row per week with a reported day.
    """
    windows = (BASELINE_WINDOW, TREATMENT_WINDOW, *WEEK_WINDOWS)
    endpoints = compute_endpoints(diary_grams_from_drinks(diary, patients), patients, windows)
    wide = endpoints.select("patient_id", "window", "drinks_per_day")
    info = patients.select("patient_id", pl.col("arm").cast(pl.String), pl.col("dose_mg").cast(pl.Float64))
    per_patient = (
        info.join(
            wide.filter(pl.col("window") == "baseline").select("patient_id", baseline="drinks_per_day"),
            on="patient_id",
            how="left",
        )
        .join(
            wide.filter(pl.col("window") == "treatment").select("patient_id", treatment="drinks_per_day"),
            on="patient_id",
            how="left",
        )
        .sort("patient_id")
    )
    week_number = {w.name: i for i, w in enumerate(WEEK_WINDOWS, start=1)}
    weekly = (
        wide.filter(pl.col("window").is_in(list(week_number)) & pl.col("drinks_per_day").is_not_null())
        .select(
            "patient_id",
            pl.col("window").replace_strict(week_number, return_dtype=pl.Int64).alias("week"),
            pl.col("drinks_per_day").alias("y"),
        )
        .join(per_patient.select("patient_id", "arm", "dose_mg", "baseline"), on="patient_id")
        .filter(pl.col("baseline").is_not_null())
        .sort("patient_id", "week")
    )
    return per_patient, weekly


def daily_treatment_drinks(
    diary: pl.DataFrame, patients: pl.DataFrame, per_patient: pl.DataFrame
) -> pl.DataFrame:
    """Reported treatment days (1..84) with patient_id, day, arm, baseline and drinks."""
    return (
        diary.filter(pl.col("drinks").is_not_null())
        .join(patients.select("patient_id", "start_date"), on="patient_id")
        .select("patient_id", study_day("date", "start_date").alias("day"), pl.col("drinks").cast(pl.Float64))
        .filter(pl.col("day").is_between(TREATMENT_WINDOW.first, TREATMENT_WINDOW.last))
        .join(per_patient.select("patient_id", "arm", "baseline"), on="patient_id")
        .filter(pl.col("baseline").is_not_null())
        .sort("patient_id", "day")
    )


def _arm_summaries(per_patient: pl.DataFrame, arms: Sequence[tuple[str, float | None]]) -> list[Arm]:
    summaries = []
    for arm, dose in arms:
        rows = per_patient.filter(pl.col("arm") == arm)
        baseline, treatment = rows.select(pl.col("baseline").mean(), pl.col("treatment").mean()).row(0)
        if baseline is None or treatment is None:
            raise TrialDataError(
                f"arm {arm!r}: no patient has reported days in both the baseline and treatment"
            )
        summaries.append(Arm(arm, dose, rows.height, float(baseline), float(treatment)))
    return summaries


def fit_weekly_model(weekly: pl.DataFrame, arms: Sequence[str], *, by_dose: bool = False) -> LinearMixedModel:
    """The primary model (or with ``by_dose``, the dose trend) on weekly means.

    ``weekly``: patient_id, arm, dose_mg, week, baseline, y (as :func:`patient_outcomes` gives);
    ``arms``: arm names with the reference first. Raises ConvergenceError if it cannot be fitted.
    """
    week = weekly.get_column("week").to_numpy().astype(np.float64)
    ones = np.ones(weekly.height)
    if by_dose:
        treatment: list[NDArray[np.float64]] = [weekly.get_column("dose_mg").to_numpy().astype(np.float64)]
        treatment_names = ["dose_mg"]
    else:
        arm = weekly.get_column("arm").to_numpy()
        treatment = [(arm == a).astype(np.float64) for a in arms[1:]]
        treatment_names = [f"arm{a}" for a in arms[1:]]
    X = np.column_stack([ones, *treatment, week, weekly.get_column("baseline").to_numpy().astype(np.float64)])
    return LinearMixedModel(reml=True).fit(
        weekly.get_column("y").to_numpy().astype(np.float64),
        X,
        np.column_stack([ones, week]),
        weekly.get_column("patient_id").to_numpy(),
        fixed_names=["(Intercept)", *treatment_names, "week", "baseline"],
        random_names=["(Intercept)", "week"],
    )


class TrialAnalysis:
    """The whole trial analysis; ``TrialAnalysis().fit(diary, patients)`` then read the ``_`` results.

    ``diary``: patient_id (str), date (date), drinks (float, null = not reported).
    ``patients``: patient_id, sex, start_date, country, arm, dose_mg.
    ``secondary=False`` skips the GEE models of daily counts (module trial_gee).
    """

    arms_: list[Arm]
    primary_: LinearMixedModel
    #: The dose-trend model and its slope; None (with the reason) when an arm is titrated.
    dose_model_: LinearMixedModel | None
    contrasts_: list[Contrast]
    dose_trend_: Contrast | None
    dose_trend_reason_: str | None
    secondary_: SecondaryResult | None
    weekly_: pl.DataFrame

    def __init__(self, *, confidence: float = DEFAULT_CONFIDENCE, secondary: bool = True) -> None:
        if not 0.0 < confidence < 1.0:
            raise TrialDataError(f"confidence: must be between 0 and 1, got {confidence}")
        self.confidence = confidence
        self.secondary = secondary

    def fit(self, diary: pl.DataFrame, patients: pl.DataFrame) -> Self:
        arms = trial_arms(patients)
        per_patient, weekly = patient_outcomes(diary, patients)
        names = [a for a, _ in arms]
        in_model = set(weekly.get_column("arm").unique().to_list())
        for arm in names:
            if arm not in in_model:
                raise TrialDataError(
                    f"arm {arm!r}: no patient has both baseline and treatment-week diary data, so the model "
                    "cannot estimate it"
                )
        self.arms_ = _arm_summaries(per_patient, arms)
        self.weekly_ = weekly
        self.primary_ = fit_weekly_model(weekly, names, by_dose=False)
        self.contrasts_ = self._contrasts(names, fixed=sum(d is not None for _, d in arms))
        titrated = [a for a, d in arms if d is None]
        self.dose_model_, self.dose_trend_, self.dose_trend_reason_ = None, None, None
        if titrated:
            self.dose_trend_reason_ = TITRATED_NO_TREND.format(arms=", ".join(repr(a) for a in titrated))
        else:
            self.dose_model_ = fit_weekly_model(weekly, names, by_dose=True)
            estimate, se = self.dose_model_.contrast([0.0, 1.0, 0.0, 0.0])
            interval = wald(estimate, se, self.confidence)
            self.dose_trend_ = Contrast("dose_mg", "per mg", estimate, se, *interval)
        self.secondary_ = None
        if self.secondary:
            daily = daily_treatment_drinks(diary, patients, per_patient)
            self.secondary_ = fit_secondary(daily, names, self.confidence)
        return self

    def _contrasts(self, arms: Sequence[str], fixed: int) -> list[Contrast]:
        """Each arm against the reference, then each fixed dose against the next lower active dose.

        ``arms`` lists the reference, the ``fixed``-dose arms by dose, then titrated arms, which
        have no "next lower dose".
        """
        p = len(self.primary_.fixed_names)
        pairs: list[tuple[int, int | None]] = [(k, None) for k in range(1, len(arms))]
        pairs += [(k, k - 1) for k in range(2, fixed)]
        contrasts = []
        for k, lower in pairs:
            weights = np.zeros(p)
            weights[k] = 1.0
            if lower is not None:
                weights[lower] = -1.0
            estimate, se = self.primary_.contrast(weights.tolist())
            reference = arms[0] if lower is None else arms[lower]
            contrasts.append(Contrast(arms[k], reference, estimate, se, *wald(estimate, se, self.confidence)))
        return contrasts

    def to_dict(self) -> dict[str, Any]:
        """The ``baclotrack trial --json`` document."""
        model = self.primary_.to_dict()
        return {
            "arms": [a.to_dict() for a in self.arms_],
            "fixed_effects": model["fixed_effects"],
            "contrasts": [c.to_dict() for c in self.contrasts_],
            "dose_trend": self._dose_trend_dict(),
            "dose_trend_reason": self.dose_trend_reason_,
            "secondary": None if self.secondary_ is None else self.secondary_.to_dict(),
            "model": {
                "formula": "y ~ arm + week + baseline + (1 + week | patient), REML",
                "n_obs": model["n_obs"],
                "n_patients": model["n_groups"],
                "reml_criterion": model["criterion"],
                "random_effects": {
                    "sd_intercept": model["random_sd"]["(Intercept)"],
                    "sd_week": model["random_sd"]["week"],
                    "corr_intercept_week": model["random_corr"][0]["corr"],
                },
                "residual_sd": model["residual_sd"],
                "converged": model["converged"] and (self.dose_model_ is None or self.dose_model_.converged_),
                "confidence": self.confidence,
                "tests": "Wald, normal approximation",
            },
        }

    def _dose_trend_dict(self) -> dict[str, Any] | None:
        trend, model = self.dose_trend_, self.dose_model_
        if trend is None or model is None:
            return None
        return {
            "estimate_per_mg": trend.estimate,
            "se": trend.se,
            "ci_low": trend.ci_low,
            "ci_high": trend.ci_high,
            "p": trend.p,
            "fixed_effects": model.to_dict()["fixed_effects"],
        }

    def summary(self) -> str:
        """Readable tables: arms, fixed effects, contrasts, dose trend and the secondary ratios."""
        pct = f"{round(100 * self.confidence):d}%"
        lines = [
            "Arms (drinks per day, mean of patient means over reported days)",
            f"{'arm':<16}{'dose mg':>8}{'n':>5}{'baseline':>10}{'treatment':>11}{'reduction %':>13}",
        ]
        lines += [
            f"{a.arm:<16}{_dose_text(a.dose_mg):>8}{a.n:>5}{a.baseline_drinks_per_day:>10.2f}"
            f"{a.treatment_drinks_per_day:>11.2f}{a.percent_reduction:>13.1f}"
            for a in self.arms_
        ]
        lines += ["", self.primary_.summary(), "", f"Contrasts (weekly drinks per day; {pct} CI, Wald z)"]
        lines += [
            f"{c.arm + ' vs ' + c.reference:<32}{c.estimate:>9.3f}  [{c.ci_low:.3f}, {c.ci_high:.3f}]"
            f"  p={c.p:.4g}"
            for c in self.contrasts_
        ]
        t = self.dose_trend_
        if t is None:
            lines.append(f"Dose trend per mg: not estimated: {self.dose_trend_reason_}.")
        else:
            lines.append(f"Dose trend per mg: {t.estimate:.5f} [{t.ci_low:.5f}, {t.ci_high:.5f}] p={t.p:.4g}")
        if self.secondary_ is not None:
            lines += ["", f"Secondary (GEE, ratios vs reference, {pct} CI)"]
            secondary = self.secondary_
            for label, fit in (
                ("rate ratio, drinks/day", secondary.drinks_per_day),
                ("odds ratio, drinking day", secondary.any_drinking),
                ("ratio, drinks/drinking day", secondary.drinks_per_drinking_day),
            ):
                lines += [
                    f"{label:<28}{r.arm:<16}{r.ratio:>7.3f}  [{r.ci_low:.3f}, {r.ci_high:.3f}]  p={r.p:.4g}"
                    for r in fit.contrasts
                ]
        return "\n".join(lines)
