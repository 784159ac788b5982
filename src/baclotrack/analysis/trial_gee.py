"""Secondary trial analysis of daily drink counts and their excess zeros, by GEE.

Daily drinking counts have many more zeros than a Poisson count would give (abstinent days
among drinking days). DeSantis, Bandyopadhyay, Baros et al. (2013, Drug Alcohol Depend
132:244-250, the COMBINE study) model them in two parts, whether a day is a drinking day
and how much is drunk on drinking days. baclotrack reports, per arm against the reference:

- ``drinks_per_day``: the ratio of mean daily drinks over all reported days (log link,
  Poisson variance, exchangeable working correlation). With robust (sandwich) standard
  errors the ratio and its interval are valid whatever the overdispersion, so a negative
  binomial variance would change efficiency, not validity (Liang and Zeger 1986, Biometrika
  73:13).
- ``any_drinking``: the odds ratio of a reported day being a drinking day (logit link).
- ``drinks_per_drinking_day``: the ratio of mean drinks on drinking days (log link, Poisson
  variance, drinking days only): with ``any_drinking`` this is the two-part model.

Each model adjusts for the patient's baseline drinks per day and clusters by patient. The
working correlation is estimated as R's geepack does it (scale without degrees-of-freedom
correction), so the numbers agree with ``geepack::geeglm`` to about 1e-8 (tests/reference/trial).
Intervals and p values are Wald, normal approximation, as geepack reports them.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import polars as pl
import statsmodels.api as sm
from numpy.typing import NDArray
from scipy import stats
from statsmodels.tools.sm_exceptions import ConvergenceWarning, IterationLimitWarning

from baclotrack.analysis.lmm import ConvergenceError

#: Iteration limit of the GEE fits, and their convergence tolerance on the norm of the estimating
#: equations' score per diary day. statsmodels stops when the score's norm falls below ``ctol``;
#: the score is a sum over days, so the tolerance is scaled by their number: tight enough that the
#: estimates are those of the solved equations (geepack agrees to about 1e-8), yet reachable in
#: double precision with hundreds of thousands of diary days.
GEE_MAX_ITERATIONS: Final = 200
GEE_SCORE_TOLERANCE_PER_DAY: Final = 1e-11


@dataclass(frozen=True, slots=True)
class RatioContrast:
    """One arm against the reference: a ratio (rate or odds) with its Wald interval and p value."""

    arm: str
    reference: str
    ratio: float
    ci_low: float
    ci_high: float
    p: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "arm": self.arm,
            "reference": self.reference,
            "ratio": self.ratio,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p": self.p,
        }


@dataclass(frozen=True, slots=True)
class GeeFit:
    """One GEE model: coefficients (log scale), robust SEs, per-arm ratios and working correlation."""

    outcome: str
    terms: tuple[str, ...]
    estimates: tuple[float, ...]
    se: tuple[float, ...]
    contrasts: tuple[RatioContrast, ...]
    working_correlation: float
    n_obs: int
    n_patients: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "coefficients": [
                {"term": t, "estimate": b, "se": s}
                for t, b, s in zip(self.terms, self.estimates, self.se, strict=True)
            ],
            "ratios": [c.to_dict() for c in self.contrasts],
            "working_correlation": self.working_correlation,
            "n_obs": self.n_obs,
            "n_patients": self.n_patients,
        }


def _design(daily: pl.DataFrame, arms: Sequence[str]) -> tuple[NDArray[np.float64], tuple[str, ...]]:
    """Intercept, one indicator per non-reference arm (lme4/R names), baseline drinks per day."""
    arm = daily.get_column("arm").to_numpy()
    columns = [np.ones(daily.height)] + [(arm == a).astype(np.float64) for a in arms[1:]]
    columns.append(daily.get_column("baseline").to_numpy().astype(np.float64))
    return np.column_stack(columns), ("(Intercept)", *(f"arm{a}" for a in arms[1:]), "baseline")


def fit_gee(
    daily: pl.DataFrame,
    arms: Sequence[str],
    outcome: str,
    family: sm.families.Family,
    confidence: float = 0.95,
) -> GeeFit:
    """Fit ``outcome ~ arm + baseline`` by GEE with exchangeable working correlation within patients.

    ``daily``: patient_id, day (study day), arm, baseline and the ``outcome`` column, one row
    per reported day; ``arms`` lists the arms with the reference first.
    """
    daily = daily.sort("patient_id", "day")
    exog, terms = _design(daily, arms)
    model = sm.GEE(
        daily.get_column(outcome).to_numpy().astype(np.float64),
        exog,
        groups=daily.get_column("patient_id").to_numpy(),
        family=family,
        cov_struct=sm.cov_struct.Exchangeable(),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.simplefilter("error", IterationLimitWarning)
        try:
            # ddof_scale=0: geepack's moment estimator of the exchangeable correlation.
            result = model.fit(
                maxiter=GEE_MAX_ITERATIONS, ctol=GEE_SCORE_TOLERANCE_PER_DAY * daily.height, ddof_scale=0
            )
        except (ConvergenceWarning, IterationLimitWarning, np.linalg.LinAlgError) as exc:
            raise ConvergenceError(
                f"the GEE model for {outcome} did not converge ({exc}): check that every arm has "
                "drinking and non-drinking days, or report the primary model only"
            ) from None
    params = np.asarray(result.params, dtype=np.float64)
    bse = np.asarray(result.bse, dtype=np.float64)
    z = stats.norm.ppf(0.5 + confidence / 2.0)
    contrasts = tuple(
        RatioContrast(
            arm=arms[k],
            reference=arms[0],
            ratio=math.exp(params[k]),
            ci_low=math.exp(params[k] - z * bse[k]),
            ci_high=math.exp(params[k] + z * bse[k]),
            p=float(2.0 * stats.norm.sf(abs(params[k] / bse[k]))),
        )
        for k in range(1, len(arms))
    )
    return GeeFit(
        outcome=outcome,
        terms=terms,
        estimates=tuple(float(b) for b in params),
        se=tuple(float(s) for s in bse),
        contrasts=contrasts,
        working_correlation=float(np.asarray(model.cov_struct.dep_params)),
        n_obs=daily.height,
        n_patients=daily.get_column("patient_id").n_unique(),
    )


@dataclass(frozen=True, slots=True)
class SecondaryResult:
    """The three GEE models of daily drinking (module docstring)."""

    drinks_per_day: GeeFit
    any_drinking: GeeFit
    drinks_per_drinking_day: GeeFit

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": (
                "GEE, exchangeable working correlation within patients, robust SEs, adjusted for baseline "
                "drinks per day; Wald intervals and p values (normal approximation)"
            ),
            "drinks_per_day": self.drinks_per_day.to_dict(),
            "any_drinking": self.any_drinking.to_dict(),
            "drinks_per_drinking_day": self.drinks_per_drinking_day.to_dict(),
        }


def fit_secondary(daily: pl.DataFrame, arms: Sequence[str], confidence: float = 0.95) -> SecondaryResult:
    """Fit the secondary models on treatment days: ``daily`` has patient_id, day, arm, baseline, drinks."""
    with_any = daily.with_columns(any_drinking=(pl.col("drinks") > 0).cast(pl.Float64))
    drinking = daily.filter(pl.col("drinks") > 0)
    for name, frame in (("reported", daily), ("drinking", drinking)):
        present = set(frame.get_column("arm").unique().to_list())
        missing = [a for a in arms if a not in present]
        if missing:
            raise ConvergenceError(
                f"arm {missing[0]!r} has no {name} days in the treatment period, so the daily-count "
                "models cannot compare it: report the primary model only"
            )
    return SecondaryResult(
        drinks_per_day=fit_gee(daily, arms, "drinks", sm.families.Poisson(), confidence),
        any_drinking=fit_gee(with_any, arms, "any_drinking", sm.families.Binomial(), confidence),
        drinks_per_drinking_day=fit_gee(drinking, arms, "drinks", sm.families.Poisson(), confidence),
    )
