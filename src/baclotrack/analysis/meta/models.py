"""Estimator classes: pooled meta-analysis and meta-regression on one moderator.

Lifelines-style surface: configure in the constructor, ``fit()`` returns self, results end in ``_``,
``summary()`` gives text, ``to_dict()`` plain JSON-ready numbers and ``to_frame()`` a polars table.
Numbers follow metafor 3.8 (``rma``, ``rma.mh``, ``predict.rma``); see estimators.py for the formulas.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Self

import numpy as np
import polars as pl
import statsmodels.api as sm
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from baclotrack.analysis.meta.effect_sizes import EffectSizes
from baclotrack.analysis.meta.errors import MetaInputError, StatisticalWarning
from baclotrack.analysis.meta.estimators import (
    REML_MAX_ITER,
    Method,
    estimate_tau2,
    heterogeneity,
    parse_method,
    weighted_fit,
)
from baclotrack.analysis.meta.mantel_haenszel import mantel_haenszel
from baclotrack.core.i18n import N_

FloatArray = NDArray[np.float64]

METHOD_NAMES = {
    Method.FE: "Common-effect (inverse variance)",
    Method.MH: "Common-effect (Mantel-Haenszel)",
    Method.DL: "Random-effects (DerSimonian-Laird)",
    Method.REML: "Random-effects (REML)",
    Method.PM: "Random-effects (Paule-Mandel)",
}


def _check_level(level: float) -> float:
    if not 0 < level < 100:
        raise MetaInputError(f"level: confidence level must be between 0 and 100 percent (got {level})")
    return float(level)


def _number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _warn_if_knha_with_common_effect(method: Method, knha: bool) -> None:
    if knha and method is Method.FE:
        warnings.warn(
            N_("Knapp-Hartung is meant for random-effects models (metafor warns the same)"),
            StatisticalWarning,
            stacklevel=4,
        )


class _Fitted:
    """Raises a clear error when results are read before fit()."""

    _fitted = False

    def _require_fit(self) -> None:
        if not self._fitted:
            raise RuntimeError(f"{type(self).__name__}: call fit() first")


class MetaAnalysis(_Fitted):
    """Pooled effect of k studies: common effect (FE, MH) or random effects (DL, REML, PM).

    >>> from baclotrack.analysis.meta import EffectSizes, Measure
    >>> import numpy as np
    >>> yi, vi = np.array([0.1, 0.3, 0.2]), np.array([0.01, 0.02, 0.04])
    >>> es = EffectSizes(("a", "b", "c"), yi, vi, Measure.GEN)
    >>> round(MetaAnalysis("FE").fit(es).estimate_, 4)
    0.1714
    """

    def __init__(
        self,
        method: str | Method = Method.REML,
        *,
        knha: bool = False,
        level: float = 95.0,
        max_iter: int = REML_MAX_ITER,
    ) -> None:
        self.method = parse_method(method)
        self.knha = knha
        self.level = _check_level(level)
        self.max_iter = max_iter

    def fit(self, effects: EffectSizes) -> Self:
        self.effects_ = effects
        self.k_ = effects.k
        if self.method is Method.MH:
            self._fit_mantel_haenszel(effects)
        else:
            self._fit_inverse_variance(effects)
        self._fitted = True
        return self

    def _fit_inverse_variance(self, effects: EffectSizes) -> None:
        _warn_if_knha_with_common_effect(self.method, self.knha)
        X = np.ones((effects.k, 1))
        tau2 = estimate_tau2(self.method, effects.yi, effects.vi, X, max_iter=self.max_iter)
        fit = weighted_fit(effects.yi, effects.vi, X, tau2, knha=self.knha, level=self.level)
        het = heterogeneity(effects.yi, effects.vi, X, tau2, random=self.method.is_random)
        self.estimate_ = float(fit.beta[0])
        self.se_ = float(fit.se[0])
        self.stat_ = float(fit.stat[0])
        self.pval_ = float(fit.pval[0])
        self.ci_low_, self.ci_high_ = float(fit.ci_low[0]), float(fit.ci_high[0])
        self.df_ = fit.df
        self.tau2_ = tau2
        self.q_, self.q_df_, self.q_pval_ = het.q, het.q_df, het.q_pval
        self.i2_, self.h2_ = het.i2, het.h2
        self.weights_ = 100 * fit.weights / fit.weights.sum()
        # Prediction interval (metafor predict.rma): estimate +- crit sqrt(se^2 + tau2), crit from t
        # with k - 1 df under Knapp-Hartung, else normal. Reported for random-effects models only.
        self.pi_low_: float | None = None
        self.pi_high_: float | None = None
        if self.method.is_random:
            half = fit.crit * math.sqrt(self.se_**2 + tau2)
            self.pi_low_, self.pi_high_ = self.estimate_ - half, self.estimate_ + half

    def _fit_mantel_haenszel(self, effects: EffectSizes) -> None:
        if effects.table is None or not effects.measure.is_binary:
            raise MetaInputError(
                "method: Mantel-Haenszel needs 2x2 counts and a binary measure (RR, OR, RD), "
                f"not {effects.measure}"
            )
        if self.knha:
            raise MetaInputError(
                "knha: Knapp-Hartung applies to inverse-variance models, not Mantel-Haenszel"
            )
        mh = mantel_haenszel(effects.table, effects.measure)
        crit = float(stats.norm.ppf(1 - (1 - self.level / 100) / 2))
        self.estimate_, self.se_ = mh.estimate, mh.se
        self.stat_ = mh.estimate / mh.se
        self.pval_ = float(2 * stats.norm.sf(abs(self.stat_)))
        self.ci_low_, self.ci_high_ = mh.estimate - crit * mh.se, mh.estimate + crit * mh.se
        self.df_ = None
        self.tau2_ = 0.0
        self.q_, self.q_df_, self.q_pval_ = mh.q, mh.q_df, mh.q_pval
        self.i2_, self.h2_ = mh.i2, mh.h2
        # Forest-plot weights: the MH weight of each table (share of the pooled estimate's denominator).
        self.weights_ = _mh_weights(effects)
        self.pi_low_ = None
        self.pi_high_ = None

    @property
    def test_(self) -> str:
        return "t" if self.df_ is not None else "z"

    def to_dict(self) -> dict[str, Any]:
        """The pooled result as in ``baclotrack meta --json`` (log scale for RR/OR, plus ``exp``)."""
        self._require_fit()
        measure = self.effects_.measure
        out: dict[str, Any] = {
            "measure": measure.value,
            "method": self.method.value,
            "knha": self.knha,
            "level": self.level,
            "k": self.k_,
            "estimate": self.estimate_,
            "se": self.se_,
            "test": self.test_,
            "stat": self.stat_,
            "df": self.df_,
            "pval": self.pval_,
            "ci_low": self.ci_low_,
            "ci_high": self.ci_high_,
            "pi_low": self.pi_low_,
            "pi_high": self.pi_high_,
            "tau2": self.tau2_,
            "i2": self.i2_,
            "h2": self.h2_,
            "q": self.q_,
            "q_df": self.q_df_,
            "q_pval": self.q_pval_,
        }
        if measure.is_log_scale:
            out["exp"] = {
                key: (None if out[key] is None else math.exp(out[key]))
                for key in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high")
            }
        return {key: (_number(v) if isinstance(v, float) else v) for key, v in out.items()}

    def to_frame(self) -> pl.DataFrame:
        """One row per study: effect size, its confidence interval and its weight (percent)."""
        self._require_fit()
        es = self.effects_
        crit = float(stats.norm.ppf(1 - (1 - self.level / 100) / 2))
        return pl.DataFrame(
            {
                "study": list(es.study),
                "yi": es.yi,
                "vi": es.vi,
                "ci_low": es.yi - crit * es.sei,
                "ci_high": es.yi + crit * es.sei,
                "weight_percent": self.weights_,
            }
        )

    def summary(self) -> str:
        self._require_fit()
        return format_summary(self.to_dict(), METHOD_NAMES[self.method])


def _mh_weights(effects: EffectSizes) -> FloatArray:
    assert effects.table is not None
    t = effects.table
    _, b, c, _ = t.cells()
    N = t.n_t + t.n_c
    raw = {"OR": b * c / N, "RR": c * t.n_t / N, "RD": t.n_t * t.n_c / N}[effects.measure.value]
    total = raw.sum()
    return np.asarray(100 * raw / total if total > 0 else np.zeros_like(raw), dtype=np.float64)


def _fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def format_summary(result: dict[str, Any], title: str) -> str:
    """Readable text of a pooled result (``MetaAnalysis.to_dict()``)."""
    scale = " (log scale)" if result["measure"] in ("RR", "OR") else ""
    test = "Knapp-Hartung t" if result["knha"] else "z"
    pval = "< 0.0001" if result["q_pval"] < 1e-4 else f"= {result['q_pval']:.4f}"
    tau2 = _fmt(result["tau2"]) if result["method"] in ("DL", "REML", "PM") else "0 (common effect)"
    lines = [
        f"{title}, measure {result['measure']}{scale}, k = {result['k']}, test {test}",
        f"tau^2 = {tau2}   I^2 = {result['i2']:.2f} %   H^2 = {result['h2']:.2f}   "
        f"Q({result['q_df']}) = {result['q']:.4f}, p {pval}",
        "",
        f"{'':10}{'estimate':>10}{'se':>10}{result['test']:>10}{'p':>10}"
        f"{'ci_low':>10}{'ci_high':>10}{'pi_low':>10}{'pi_high':>10}",
        f"{'pooled':10}{_fmt(result['estimate']):>10}{_fmt(result['se']):>10}{_fmt(result['stat']):>10}"
        f"{_fmt(result['pval']):>10}{_fmt(result['ci_low']):>10}{_fmt(result['ci_high']):>10}"
        f"{_fmt(result['pi_low']):>10}{_fmt(result['pi_high']):>10}",
    ]
    if "exp" in result:
        e = result["exp"]
        lines.append(
            f"{'exp':10}{_fmt(e['estimate']):>10}{'':>30}{_fmt(e['ci_low']):>10}{_fmt(e['ci_high']):>10}"
            f"{_fmt(e['pi_low']):>10}{_fmt(e['pi_high']):>10}"
        )
    return "\n".join(lines)


class MetaRegression(_Fitted):
    """Mixed-effects meta-regression on one moderator: yi = b0 + b1 x + u + e (metafor ``rma(mods=~x)``).

    R^2 is metafor's default: the proportional reduction of tau^2 from the intercept-only model fitted
    with the same method, truncated at 0 (Raudenbush 2009); for a common-effect model, the adjusted
    R^2 of the weighted least-squares fit, as metafor reports it.
    """

    def __init__(
        self,
        method: str | Method = Method.REML,
        *,
        knha: bool = False,
        level: float = 95.0,
        max_iter: int = REML_MAX_ITER,
    ) -> None:
        self.method = parse_method(method)
        if self.method is Method.MH:
            raise MetaInputError("method: meta-regression uses FE, DL, REML or PM, not MH")
        self.knha = knha
        self.level = _check_level(level)
        self.max_iter = max_iter

    def fit(self, effects: EffectSizes, moderator: ArrayLike, name: str = "moderator") -> Self:
        x = np.asarray(moderator, dtype=np.float64)
        if x.shape != (effects.k,):
            raise MetaInputError(f"{name}: expected {effects.k} values (one per study), got {x.shape}")
        for i in np.flatnonzero(~np.isfinite(x)):
            raise MetaInputError(f"row {i + 1} (study {effects.study[i]!r}), column {name}: not a number")
        if effects.k < 3 or np.ptp(x) == 0:
            raise MetaInputError(
                f"{name}: meta-regression needs at least 3 studies and a moderator that varies"
            )
        _warn_if_knha_with_common_effect(self.method, self.knha)
        X = np.column_stack([np.ones(effects.k), x])
        yi, vi = effects.yi, effects.vi
        tau2 = estimate_tau2(self.method, yi, vi, X, max_iter=self.max_iter)
        fit = weighted_fit(yi, vi, X, tau2, knha=self.knha, level=self.level)
        het = heterogeneity(yi, vi, X, tau2, random=self.method.is_random)
        self.effects_, self.moderator_, self.name_, self.k_ = effects, x, name, effects.k
        self.coef_, self.se_, self.stat_, self.pval_ = fit.beta, fit.se, fit.stat, fit.pval
        self.ci_low_, self.ci_high_, self.df_ = fit.ci_low, fit.ci_high, fit.df
        self.qm_, self.qm_pval_ = fit.qm, fit.qm_pval
        self.tau2_ = tau2
        self.qe_, self.qe_df_, self.qe_pval_ = het.q, het.q_df, het.q_pval
        self.i2_, self.h2_ = het.i2, het.h2
        self.r2_ = self._r2(effects, X, tau2)
        self._fitted = True
        return self

    def _r2(self, effects: EffectSizes, X: FloatArray, tau2: float) -> float:
        if not self.method.is_random:
            if np.var(effects.yi) == 0:
                return 0.0
            wls = sm.WLS(effects.yi, X, weights=1 / effects.vi).fit()
            return max(0.0, 100 * float(wls.rsquared_adj))
        tau2_null = estimate_tau2(
            self.method, effects.yi, effects.vi, np.ones((effects.k, 1)), max_iter=self.max_iter
        )
        if tau2_null == 0:
            return 0.0
        return max(0.0, 100 * (tau2_null - tau2) / tau2_null)

    def to_frame(self) -> pl.DataFrame:
        """Coefficient table: intercept and slope with SE, test statistic, p and confidence interval."""
        self._require_fit()
        return pl.DataFrame(
            {
                "term": ["intercept", self.name_],
                "estimate": self.coef_,
                "se": self.se_,
                "stat": self.stat_,
                "pval": self.pval_,
                "ci_low": self.ci_low_,
                "ci_high": self.ci_high_,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        self._require_fit()
        return {
            "measure": self.effects_.measure.value,
            "method": self.method.value,
            "knha": self.knha,
            "k": self.k_,
            "moderator": self.name_,
            "coefficients": self.to_frame().to_dicts(),
            "qm": self.qm_,
            "qm_pval": self.qm_pval_,
            "tau2": self.tau2_,
            "i2": self.i2_,
            "h2": self.h2_,
            "qe": self.qe_,
            "qe_df": self.qe_df_,
            "qe_pval": self.qe_pval_,
            "r2": self.r2_,
        }

    def summary(self) -> str:
        self._require_fit()
        test = f"F(1, {self.df_})" if self.df_ is not None else "QM(1)"
        lines = [
            f"Meta-regression on {self.name_}: {METHOD_NAMES[self.method]}, k = {self.k_}",
            f"tau^2 (residual) = {self.tau2_:.4f}   I^2 = {self.i2_:.2f} %   R^2 = {self.r2_:.2f} %",
            f"QE({self.qe_df_}) = {self.qe_:.4f}, p = {self.qe_pval_:.4f}   "
            f"{test} = {self.qm_:.4f}, p = {self.qm_pval_:.4f}",
            "",
            f"{'':14}{'estimate':>10}{'se':>10}{'stat':>10}{'p':>10}{'ci_low':>10}{'ci_high':>10}",
        ]
        for row in self.to_frame().iter_rows(named=True):
            lines.append(
                f"{row['term'][:14]:14}"
                + "".join(
                    f"{_fmt(row[c]):>10}" for c in ("estimate", "se", "stat", "pval", "ci_low", "ci_high")
                )
            )
        return "\n".join(lines)
