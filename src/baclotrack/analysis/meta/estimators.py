"""Estimators of the between-study variance tau^2 and the weighted least-squares fit of a
(mixed-effects) meta-analysis model, as metafor's ``rma.uni`` computes them.

Notation: yi effect sizes, vi sampling variances, X the k x p model matrix (a column of ones, plus a
moderator for meta-regression), W = diag(1/(vi + tau2)) and P = W - W X (X'WX)^-1 X'W.

- DL (DerSimonian & Laird 1986, Control Clin Trials 7:177; general form of Raudenbush 2009):
  tau2 = max(0, (y'P0 y - (k - p)) / tr(P0)), P0 with tau2 = 0.
- REML: Fisher scoring as in Viechtbauer (2005), J Educ Behav Stat 30:261, with metafor's controls:
  start at the Hedges (HE) estimate truncated at 0, step (y'PPy - tr P)/tr(PP), step halving below 0,
  stop when |change| <= 1e-5, at most 100 iterations; then metafor's check that tau2 = 0 does not have
  a higher restricted likelihood.
- PM (Paule & Mandel 1982, J Res Natl Bur Stand 87:377): the tau2 at which the generalised Q statistic
  y'Py equals k - p, found in [0, 100] by Brent's root finder with R uniroot's tolerance
  (.Machine$double.eps^0.25), so the last digits agree with metafor; 0 if Q(0) < k - p.
- Knapp & Hartung (2003), Stat Med 22:2693: var(beta) multiplied by sum(w (y - Xb)^2)/(k - p), tests and
  intervals from t with k - p degrees of freedom (metafor test="knha", no truncation at 1).
- Heterogeneity (Higgins & Thompson 2002, Stat Med 21:1539, in metafor's general form): Q uses
  tau2 = 0 weights; the "typical" within-study variance is vt = (k - p)/tr(P0); random effects:
  I2 = 100 tau2/(vt + tau2), H2 = tau2/vt + 1; common effect: I2 = max(0, 100 (Q - (k-p))/Q), H2 = Q/(k-p).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from baclotrack.analysis.meta.errors import ConvergenceError, MetaInputError, StatisticalWarning
from baclotrack.core.i18n import N_

FloatArray = NDArray[np.float64]

#: metafor rma() control defaults (metafor 3.8 rma.uni, ``control=list(...)``).
REML_THRESHOLD: Final = 1e-5
REML_MAX_ITER: Final = 100
TAU2_MAX: Final = 100.0
#: R's mad() scale constant; metafor widens the PM search to max(100, 10 mad(yi)^2).
MAD_NORMAL_SCALE: Final = 1.4826
#: R's ``.Machine$double.eps^0.25``: uniroot's tolerance in metafor's PM estimator and the tolerance
#: of the REML likelihood check at tau2 = 0.
ROOT_TOL: Final = float(np.finfo(np.float64).eps ** 0.25)


class Method(StrEnum):
    FE = "FE"
    MH = "MH"
    DL = "DL"
    REML = "REML"
    PM = "PM"

    @property
    def is_random(self) -> bool:
        return self in (Method.DL, Method.REML, Method.PM)


def parse_method(value: str | Method) -> Method:
    try:
        return Method(str(value).strip().upper())
    except ValueError:
        known = ", ".join(m.value for m in Method)
        raise MetaInputError(f"method: unknown {value!r} (known: {known})") from None


def _projection(X: FloatArray, wi: FloatArray) -> FloatArray:
    """P = W - W X (X'WX)^-1 X'W."""
    WX = X * wi[:, None]
    return np.diag(wi) - WX @ np.linalg.solve(X.T @ WX, WX.T)


def tau2_dl(yi: FloatArray, vi: FloatArray, X: FloatArray) -> float:
    k, p = X.shape
    P = _projection(X, 1 / vi)
    return max(0.0, float((yi @ P @ yi - (k - p)) / np.trace(P)))


def _tau2_he(yi: FloatArray, vi: FloatArray, X: FloatArray) -> float:
    """Hedges' (HE) estimator: REML's starting value in metafor."""
    k, p = X.shape
    P = np.eye(k) - X @ np.linalg.solve(X.T @ X, X.T)
    he: float = (float(yi @ P @ yi) - float(np.trace(P * vi[None, :]))) / (k - p)
    return he


def _restricted_loglik(yi: FloatArray, vi: FloatArray, X: FloatArray, tau2: float) -> float:
    wi = 1 / (vi + tau2)
    WX = X * wi[:, None]
    XWX = X.T @ WX
    beta = np.linalg.solve(XWX, WX.T @ yi)
    rss = float(np.sum(wi * (yi - X @ beta) ** 2))
    k, p = X.shape
    logdet = float(np.linalg.slogdet(XWX)[1])
    log_2pi = float(np.log(2 * np.pi))
    loglik: float = -0.5 * (k - p) * log_2pi - 0.5 * float(np.sum(np.log(vi + tau2))) - 0.5 * (logdet + rss)
    return loglik


def tau2_reml(
    yi: FloatArray,
    vi: FloatArray,
    X: FloatArray,
    *,
    threshold: float = REML_THRESHOLD,
    max_iter: int = REML_MAX_ITER,
) -> tuple[float, int]:
    """REML tau2 by Fisher scoring, and the number of iterations it took."""
    tau2 = max(0.0, _tau2_he(yi, vi, X))
    change = threshold + 1
    iterations = 0
    while change > threshold:
        iterations += 1
        old = tau2
        P = _projection(X, 1 / (vi + tau2))
        Py = P @ yi
        step = float((Py @ Py - np.trace(P)) / np.sum(P * P))
        while tau2 + step < 0:
            step /= 2
        tau2 += step
        change = abs(old - tau2)
        if iterations > max_iter:
            raise ConvergenceError(
                f"REML: Fisher scoring did not converge in {max_iter} iterations; "
                "use method DL or PM, or raise max_iter"
            )
    if tau2 > threshold and (
        _restricted_loglik(yi, vi, X, 0.0) - _restricted_loglik(yi, vi, X, tau2) > ROOT_TOL
    ):
        warnings.warn(
            # Marked: the Evidence page shows the warning in the reader's language (decision 0170).
            N_("REML: Fisher scoring stopped at a local maximum; tau^2 set to 0 as metafor does"),
            StatisticalWarning,
            stacklevel=2,
        )
        tau2 = 0.0
    return max(0.0, tau2), iterations


def generalised_q(yi: FloatArray, vi: FloatArray, X: FloatArray, tau2: float) -> float:
    """Q with weights 1/(vi + tau2) around the weighted fit (y'Py)."""
    return float(yi @ _projection(X, 1 / (vi + tau2)) @ yi)


def tau2_pm(yi: FloatArray, vi: FloatArray, X: FloatArray, *, tau2_max: float | None = None) -> float:
    k, p = X.shape
    if tau2_max is None:
        mad = MAD_NORMAL_SCALE * float(np.median(np.abs(yi - np.median(yi))))
        tau2_max = max(TAU2_MAX, 10 * mad**2)
    target = k - p
    if generalised_q(yi, vi, X, 0.0) < target:
        return 0.0
    if generalised_q(yi, vi, X, tau2_max) > target:
        raise ConvergenceError(
            f"PM: tau^2 is above {tau2_max:g} (the search limit); raise tau2_max or use method DL or REML"
        )
    return brent_zeroin(lambda t: generalised_q(yi, vi, X, t) - target, 0.0, tau2_max)


def brent_zeroin(
    f: Callable[[float], float],
    lower: float,
    upper: float,
    *,
    tol: float = ROOT_TOL,
    max_iter: int = REML_MAX_ITER,
) -> float:
    """Root of f in [lower, upper] by Brent's method (Brent 1973, Algorithms for Minimization without
    Derivatives, ch. 4), step for step as R's ``uniroot`` (zeroin) runs it.

    Why not scipy.optimize.brentq: it is Brent's method too, but its iterates differ, and with R's coarse
    tolerance (1.2e-4) two correct roots can differ by 1e-5, more than metafor agreement allows (ADR 0040).
    """
    a, b = lower, upper
    fa, fb = f(a), f(b)
    if fa == 0:
        return a
    if fb == 0:
        return b
    if fa * fb > 0:
        raise ConvergenceError(f"root search: no sign change between {lower:g} and {upper:g}")
    c, fc = a, fa
    eps = float(np.finfo(np.float64).eps)
    for _ in range(max_iter + 1):
        previous_step = b - a
        if abs(fc) < abs(fb):  # keep b the best approximation so far
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * eps * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0:
            return b
        if abs(previous_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:  # secant (linear interpolation)
                t1 = fb / fa
                p, q = cb * t1, 1 - t1
            else:  # inverse quadratic interpolation
                q, t1, t2 = fa / fc, fb / fc, fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1))
                q = (q - 1) * (t1 - 1) * (t2 - 1)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < 0.75 * cb * q - abs(tol_act * q) / 2 and p < abs(previous_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    raise ConvergenceError(f"root search: no convergence in {max_iter} iterations")


@dataclass(frozen=True)
class WeightedFit:
    """Coefficients of a fixed-, random- or mixed-effects model at a given tau2."""

    beta: FloatArray
    vb: FloatArray
    se: FloatArray
    stat: FloatArray  # z, or t under Knapp-Hartung
    pval: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    crit: float
    df: int | None  # residual degrees of freedom of the t-tests under Knapp-Hartung
    qm: float  # omnibus test of the moderators (Wald chi2, or F under Knapp-Hartung)
    qm_pval: float
    tau2: float
    weights: FloatArray


def weighted_fit(
    yi: FloatArray, vi: FloatArray, X: FloatArray, tau2: float, *, knha: bool, level: float
) -> WeightedFit:
    k, p = X.shape
    wi = 1 / (vi + tau2)
    WX = X * wi[:, None]
    vb = np.asarray(np.linalg.inv(X.T @ WX), dtype=np.float64)
    beta = np.asarray(vb @ (WX.T @ yi), dtype=np.float64)
    df: int | None = None
    if knha:
        if k <= p:
            raise MetaInputError(f"studies: Knapp-Hartung needs more than {p} studies (got {k})")
        rss = float(np.sum(wi * (yi - X @ beta) ** 2))
        vb = vb * (rss / (k - p) if rss > np.finfo(np.float64).eps else 0.0)
        df = k - p
    se = np.sqrt(np.diag(vb)).astype(np.float64)
    stat = beta / se
    alpha = 1 - level / 100
    # The omnibus test covers every coefficient but the intercept (or the intercept alone if it is all).
    btt = slice(1, p) if p > 1 else slice(0, 1)
    m = (p - 1) if p > 1 else 1
    qm = float(beta[btt] @ np.linalg.solve(vb[btt, btt], beta[btt]))
    if df is not None:
        crit = float(stats.t.ppf(1 - alpha / 2, df))
        pval = 2 * stats.t.sf(np.abs(stat), df)
        qm /= m
        qm_pval = float(stats.f.sf(qm, m, df))
    else:
        crit = float(stats.norm.ppf(1 - alpha / 2))
        pval = 2 * stats.norm.sf(np.abs(stat))
        qm_pval = float(stats.chi2.sf(qm, m))
    return WeightedFit(
        beta, vb, se, stat, pval, beta - crit * se, beta + crit * se, crit, df, qm, qm_pval, tau2, wi
    )


@dataclass(frozen=True)
class Heterogeneity:
    q: float
    q_df: int
    q_pval: float
    i2: float  # percent
    h2: float


def heterogeneity(
    yi: FloatArray, vi: FloatArray, X: FloatArray, tau2: float, *, random: bool
) -> Heterogeneity:
    k, p = X.shape
    if k <= p:
        return Heterogeneity(0.0, 0, 1.0, 0.0, 1.0)
    P = _projection(X, 1 / vi)
    q = max(0.0, float(yi @ P @ yi))
    q_pval = float(stats.chi2.sf(q, k - p))
    if random:
        vt = (k - p) / float(np.trace(P))
        return Heterogeneity(q, k - p, q_pval, 100 * tau2 / (vt + tau2), tau2 / vt + 1)
    i2 = max(0.0, 100 * (q - (k - p)) / q) if q > 0 else 0.0
    return Heterogeneity(q, k - p, q_pval, i2, q / (k - p))


def estimate_tau2(
    method: Method, yi: FloatArray, vi: FloatArray, X: FloatArray, *, max_iter: int = REML_MAX_ITER
) -> float:
    """tau2 by the named estimator (0 for a common-effect model)."""
    if not method.is_random or len(yi) == 1:
        return 0.0
    if method is Method.DL:
        return tau2_dl(yi, vi, X)
    if method is Method.REML:
        return tau2_reml(yi, vi, X, max_iter=max_iter)[0]
    return tau2_pm(yi, vi, X)
