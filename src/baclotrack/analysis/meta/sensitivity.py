"""Sensitivity and bias analyses: leave-one-out, subgroups with a test of subgroup differences,
and Egger's regression test for funnel-plot asymmetry.

- Leave-one-out: metafor ``leave1out``: the same model refitted without each study in turn.
- Subgroups: a separate model per subgroup; the test of subgroup differences is the common-effect
  Q statistic of the subgroup estimates with weights 1/SE^2, on G - 1 degrees of freedom (Borenstein
  et al. 2009, Introduction to Meta-Analysis, ch. 19; metafor tip "separate models": the same number
  as ``rma(estimate, sei=se, mods=~group, method="FE")$QM``).
- Egger: Egger et al. (1997), BMJ 315:629, in metafor ``regtest``'s default form: a meta-regression on
  the standard error (``predictor="sei"``) with the model's own method and test; the slope tests
  asymmetry and the intercept is the "limit estimate" (effect as the SE goes to 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import ArrayLike
from scipy import stats

from baclotrack.analysis.meta.effect_sizes import EffectSizes, Measure
from baclotrack.analysis.meta.errors import MetaInputError
from baclotrack.analysis.meta.estimators import REML_MAX_ITER, Method, parse_method
from baclotrack.analysis.meta.models import MetaAnalysis, MetaRegression


def leave_one_out(
    effects: EffectSizes, method: str | Method = Method.REML, *, knha: bool = False, level: float = 95.0
) -> pl.DataFrame:
    """One row per omitted study: the pooled result of the other k - 1 studies."""
    method = parse_method(method)
    if method is Method.MH:
        raise MetaInputError("method: leave-one-out here refits inverse-variance models (FE, DL, REML, PM)")
    if effects.k < 3:
        raise MetaInputError(f"studies: leave-one-out needs at least 3 studies (got {effects.k})")
    rows = []
    for i, study in enumerate(effects.study):
        fit = MetaAnalysis(method, knha=knha, level=level).fit(effects.without(i))
        rows.append(
            {
                "omitted": study,
                "estimate": fit.estimate_,
                "se": fit.se_,
                "stat": fit.stat_,
                "pval": fit.pval_,
                "ci_low": fit.ci_low_,
                "ci_high": fit.ci_high_,
                "q": fit.q_,
                "q_pval": fit.q_pval_,
                "tau2": fit.tau2_,
                "i2": fit.i2_,
                "h2": fit.h2_,
            }
        )
    return pl.DataFrame(rows)


@dataclass(frozen=True)
class SubgroupAnalysis:
    """Separate fits per subgroup and the test of subgroup differences."""

    fits: dict[str, MetaAnalysis]
    q_between: float
    df: int
    pval: float

    def to_frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            [
                {"subgroup": name, **{k: v for k, v in fit.to_dict().items() if k != "exp"}}
                for name, fit in self.fits.items()
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "subgroups": {name: fit.to_dict() for name, fit in self.fits.items()},
            "q_between": self.q_between,
            "df": self.df,
            "pval": self.pval,
        }


def subgroup_analysis(
    effects: EffectSizes,
    groups: ArrayLike,
    method: str | Method = Method.REML,
    *,
    knha: bool = False,
    level: float = 95.0,
    max_iter: int = REML_MAX_ITER,
) -> SubgroupAnalysis:
    labels = np.asarray(groups).astype(str)
    if labels.shape != (effects.k,):
        raise MetaInputError(f"groups: expected {effects.k} labels (one per study), got {labels.shape}")
    names = list(dict.fromkeys(labels.tolist()))  # order of first appearance, as in the data
    if len(names) < 2:
        raise MetaInputError("groups: a subgroup analysis needs at least 2 subgroups")
    fits = {
        name: MetaAnalysis(method, knha=knha, level=level, max_iter=max_iter).fit(
            effects.subset(labels == name)
        )
        for name in names
    }
    estimates = np.array([f.estimate_ for f in fits.values()])
    variances = np.array([f.se_**2 for f in fits.values()])
    between = MetaAnalysis(Method.FE).fit(EffectSizes(tuple(names), estimates, variances, Measure.GEN))
    df = len(names) - 1
    return SubgroupAnalysis(fits, between.q_, df, float(stats.chi2.sf(between.q_, df)))


@dataclass(frozen=True)
class EggerTest:
    """Egger's regression test: slope on the SE (asymmetry) and the limit estimate (intercept)."""

    stat: float  # z, or t with df under Knapp-Hartung
    df: int | None
    pval: float
    limit_estimate: float
    limit_ci_low: float
    limit_ci_high: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "stat": self.stat,
            "df": self.df,
            "pval": self.pval,
            "limit_estimate": self.limit_estimate,
            "limit_ci_low": self.limit_ci_low,
            "limit_ci_high": self.limit_ci_high,
        }


def egger_test(
    effects: EffectSizes, method: str | Method = Method.REML, *, knha: bool = False, level: float = 95.0
) -> EggerTest:
    if effects.k < 3:
        raise MetaInputError(f"studies: Egger's test needs at least 3 studies (got {effects.k})")
    method = parse_method(method)
    # metafor's regtest on an rma.mh model refits a common-effect model.
    fit = MetaRegression(Method.FE if method is Method.MH else method, knha=knha, level=level).fit(
        effects, effects.sei, name="sei"
    )
    return EggerTest(
        float(fit.stat_[1]),
        fit.df_,
        float(fit.pval_[1]),
        float(fit.coef_[0]),
        float(fit.ci_low_[0]),
        float(fit.ci_high_[0]),
    )
