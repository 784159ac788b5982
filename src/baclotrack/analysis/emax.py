"""The Emax dose-response curve, fitted by least squares, with profile-likelihood intervals.

    response = E0 - Emax x D / (ED50 + D)

E0 is the response without drug, Emax the largest reduction the drug can bring and ED50
the dose that brings half of it. The fit is ordinary nonlinear least squares, the same
model R's ``nls`` fits, so point estimates and standard errors match R's to rounding
(tests/reference/doseresponse/).

Why this shape of code: for a fixed ED50 the model is linear in (E0, Emax), so the residual
sum of squares profiled over ED50 is a one-dimensional function that ordinary least squares
evaluates exactly (variable projection; Golub and Pereyra 1973). The fit searches log ED50
on that profile, which cannot wander off the way a three-parameter Gauss-Newton start can,
and a fit whose ED50 runs to the edge of the search range is reported as not identifiable.

Confidence intervals are profile-t intervals (Bates and Watts 1988, ch. 6; the method of
R's ``confint`` for ``nls``, MASS): the set of values whose profile statistic
tau = sqrt((S(theta) - S_min)) / s lies within the t quantile on n - 3 degrees of freedom. They follow the
curvature of the likelihood, which matters for ED50, whose Wald interval is symmetric and
can cross zero. See docs/methods/dose-response.md and docs/decisions/0071-emax-profile-intervals.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, stats

from baclotrack.core.i18n import N_, Message

FloatArray = NDArray[np.float64]

#: Parameters of the curve, in R's order.
PARAMETERS: Final = ("e0", "emax", "ed50")

#: Search range of ED50 relative to the doses observed: from a hundredth of the smallest
#: positive dose to a hundred times the largest. An ED50 below the range is a step
#: (any dose does everything), above it a straight line (the plateau was never seen);
#: either way the data do not identify the curve.
ED50_RANGE_FACTOR: Final = 100.0

#: An ED50 within this distance of an end of the search range, on the log scale, is at the bound.
BOUND_TOLERANCE_LOG: Final = 0.05


@dataclass(frozen=True, slots=True)
class EmaxEstimate:
    """A fitted Emax curve: estimates, standard errors and profile intervals.

    A ``None`` interval limit means the profile never rose to the cut-off inside the search
    range: the data bound that parameter on one side only.
    """

    e0: float
    emax: float
    ed50: float
    se: dict[str, float]
    ci: dict[str, tuple[float | None, float | None]]
    level: float
    rss: float
    sigma: float
    df: int
    covariance: FloatArray

    def predict(self, dose: FloatArray) -> FloatArray:
        return emax_curve(dose, self.e0, self.emax, self.ed50)

    def band(self, dose: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Pointwise confidence band of the curve by the delta method (Wald, t quantile).

        Profile intervals are for parameters; a band needs one interval per dose, and the
        delta method is the usual choice (it is what R's ``predictNLS``-style helpers do).
        """
        grad = _jacobian(np.asarray(dose, dtype=np.float64), self.emax, self.ed50)
        var = np.einsum("ij,jk,ik->i", grad, self.covariance, grad)
        half = float(stats.t.ppf(0.5 + self.level / 2, self.df)) * np.sqrt(np.maximum(var, 0.0))
        centre = self.predict(dose)
        return centre - half, centre + half


class EmaxNotIdentifiable(Exception):
    """The data cannot identify the curve; ``reason`` says why in words for a clinician.

    ``message`` is the same as a translatable :class:`~baclotrack.core.i18n.Message` (decision
    0170): the clinic shows it in the reader's language, ``reason`` is its English text.
    """

    def __init__(self, message: Message) -> None:
        super().__init__(message.text())
        self.message = message
        self.reason = message.text()


def emax_curve(dose: FloatArray, e0: float, emax: float, ed50: float) -> FloatArray:
    """E0 - Emax x D / (ED50 + D), elementwise."""
    d = np.asarray(dose, dtype=np.float64)
    return e0 - emax * d / (ed50 + d)


def _jacobian(dose: FloatArray, emax: float, ed50: float) -> FloatArray:
    """Derivatives of the curve by (E0, Emax, ED50), one row per dose."""
    frac = dose / (ed50 + dose)
    return np.column_stack([np.ones_like(dose), -frac, emax * dose / (ed50 + dose) ** 2])


def _linear_given_ed50(dose: FloatArray, y: FloatArray, ed50: float) -> tuple[float, float, float]:
    """(E0, Emax, RSS) of the least-squares fit with ED50 held fixed."""
    design = np.column_stack([np.ones_like(dose), -dose / (ed50 + dose)])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    return float(coef[0]), float(coef[1]), float(resid @ resid)


def _fractions(d: FloatArray, log_ed50: FloatArray) -> FloatArray:
    """D / (ED50 + D): one row per log ED50 of ``log_ed50``, one column per dose."""
    return d[np.newaxis, :] / (np.exp(log_ed50)[:, np.newaxis] + d[np.newaxis, :])


def _rss_given_ed50_grid(d: FloatArray, y: FloatArray, log_ed50: FloatArray) -> FloatArray:
    """:func:`_linear_given_ed50`'s RSS at every log ED50 of a grid at once, in closed form
    (simple regression of y on the centred fraction)."""
    frac = _fractions(d, log_ed50)
    centred = frac - frac.mean(axis=1, keepdims=True)
    yc = y - y.mean()
    sff, sfy = np.einsum("gn,gn->g", centred, centred), centred @ yc
    rss: FloatArray = np.where(sff > 0, yc @ yc - sfy**2 / np.where(sff > 0, sff, 1.0), yc @ yc)
    return rss


#: Points of the log ED50 grid that finds the basin of a minimum before Brent's method polishes it.
GRID_POINTS: Final = 121


def _minimise_log_ed50(
    objective: Callable[[float], float],
    lo: float,
    hi: float,
    on_grid: Callable[[FloatArray], FloatArray],
) -> float:
    """Minimise a function of log ED50 on [lo, hi]: a grid finds the basin, Brent polishes it.

    ``on_grid`` is the same function evaluated at a whole grid at once (numpy, closed form): one
    pass over the grid instead of one least-squares solve per point. It only chooses the basin;
    the polish and the comparison with the best grid point use ``objective`` itself."""
    grid = np.linspace(lo, hi, GRID_POINTS)
    best = int(np.argmin(on_grid(grid)))
    left, right = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
    if left == right:
        return float(grid[best])
    res = optimize.minimize_scalar(
        objective, bounds=(left, right), method="bounded", options={"xatol": 1e-10}
    )
    return float(res.x) if float(res.fun) <= objective(float(grid[best])) else float(grid[best])


def fit_emax(dose: FloatArray, response: FloatArray, *, level: float = 0.95) -> EmaxEstimate:
    """Least-squares Emax fit of ``response`` on ``dose`` (any unit, D >= 0).

    Raises :class:`EmaxNotIdentifiable` when there are fewer than 3 distinct doses, too few
    points, no variation in the response, no fall of the response with dose, or an ED50 at
    the edge of its search range.
    """
    d = np.asarray(dose, dtype=np.float64)
    y = np.asarray(response, dtype=np.float64)
    if d.shape != y.shape or d.ndim != 1:
        raise ValueError("dose and response must be one-dimensional and of equal length")
    if not (np.all(np.isfinite(d)) and np.all(np.isfinite(y))) or np.any(d < 0):
        raise ValueError("dose and response must be finite and dose must not be negative")
    distinct = np.unique(d)
    if distinct.size < 3:
        raise EmaxNotIdentifiable(
            Message(
                N_("only {count} distinct dose(s); an Emax curve needs at least 3 to show its shape"),
                {"count": int(distinct.size)},
            )
        )
    if d.size <= len(PARAMETERS):
        raise EmaxNotIdentifiable(
            Message(
                N_("only {days} days with both dose and response; more than 3 are needed"),
                {"days": int(d.size)},
            )
        )
    if np.ptp(y) == 0:
        never_changed = N_("the response never changed, so it cannot show an effect of dose")
        raise EmaxNotIdentifiable(Message(never_changed))
    positive = distinct[distinct > 0]
    lo = float(np.log(positive.min() / ED50_RANGE_FACTOR))
    hi = float(np.log(positive.max() * ED50_RANGE_FACTOR))
    log_ed50 = _minimise_log_ed50(
        lambda t: _linear_given_ed50(d, y, float(np.exp(t)))[2],
        lo,
        hi,
        lambda grid: _rss_given_ed50_grid(d, y, grid),
    )
    if log_ed50 - lo < BOUND_TOLERANCE_LOG or hi - log_ed50 < BOUND_TOLERANCE_LOG:
        below = log_ed50 - lo < BOUND_TOLERANCE_LOG
        side = Message(N_("below the smallest") if below else N_("far above the largest"))
        raise EmaxNotIdentifiable(
            Message(
                N_(
                    "the best-fitting ED50 runs to the edge of its range ({side} dose taken): "
                    "the doses taken do not show where the effect levels off"
                ),
                {"side": side},
            )
        )
    ed50 = float(np.exp(log_ed50))
    e0, emax, rss = _linear_given_ed50(d, y, ed50)
    if emax <= 0:
        raise EmaxNotIdentifiable(Message(N_("the response does not fall as the dose rises")))
    return _estimate(d, y, e0, emax, ed50, rss, level, (lo, hi))


def _estimate(
    d: FloatArray,
    y: FloatArray,
    e0: float,
    emax: float,
    ed50: float,
    rss: float,
    level: float,
    log_range: tuple[float, float],
) -> EmaxEstimate:
    df = d.size - len(PARAMETERS)
    sigma2 = rss / df
    jac = _jacobian(d, emax, ed50)
    try:
        covariance: FloatArray = sigma2 * np.linalg.inv(jac.T @ jac).astype(np.float64)
    except np.linalg.LinAlgError:
        raise EmaxNotIdentifiable(
            Message(N_("the curve's parameters cannot be told apart (singular information)"))
        ) from None
    se = dict(zip(PARAMETERS, np.sqrt(np.diag(covariance)).tolist(), strict=True))
    est = {"e0": e0, "emax": emax, "ed50": ed50}
    cutoff = float(stats.t.ppf(0.5 + level / 2, df))
    sigma = float(np.sqrt(sigma2))
    ci = {
        name: _profile_interval(d, y, name, est, se[name], rss, sigma, cutoff, log_range)
        for name in PARAMETERS
    }
    return EmaxEstimate(e0, emax, ed50, se, ci, level, rss, sigma, df, covariance)


def _profile_rss(
    d: FloatArray, y: FloatArray, name: str, value: float, log_range: tuple[float, float]
) -> float:
    """Smallest RSS with parameter ``name`` held at ``value`` (the others re-fitted)."""
    if name == "ed50":
        return _linear_given_ed50(d, y, value)[2]

    def rss_on_grid(log_ed50: FloatArray) -> FloatArray:
        frac = _fractions(d, log_ed50)
        if name == "e0":  # y - E0 = -Emax x frac: one coefficient, closed form
            target = y - value
            denom = np.einsum("gn,gn->g", frac, frac)
            slope = np.where(denom > 0, -(frac @ target) / np.where(denom > 0, denom, 1.0), 0.0)
            resid = target[np.newaxis, :] + slope[:, np.newaxis] * frac
        else:  # Emax fixed: E0 is the mean of y + Emax x frac
            shifted = y[np.newaxis, :] + value * frac
            resid = shifted - shifted.mean(axis=1, keepdims=True)
        rss: FloatArray = np.einsum("gn,gn->g", resid, resid)
        return rss

    def rss_at(log_ed50: float) -> float:
        return float(rss_on_grid(np.array([log_ed50]))[0])

    return rss_at(_minimise_log_ed50(rss_at, *log_range, rss_on_grid))


def _profile_interval(
    d: FloatArray,
    y: FloatArray,
    name: str,
    est: dict[str, float],
    se: float,
    rss_min: float,
    sigma: float,
    cutoff: float,
    log_range: tuple[float, float],
) -> tuple[float | None, float | None]:
    """Where the profile t statistic crosses +-cutoff on each side of the estimate."""
    centre = est[name]

    def excess(value: float) -> float:
        rss = _profile_rss(d, y, name, value, log_range)
        return float(np.sqrt(max(rss - rss_min, 0.0))) / sigma - cutoff

    limits: list[float | None] = []
    for direction in (-1.0, 1.0):
        limits.append(_crossing(excess, centre, direction, se, name, log_range))
    return limits[0], limits[1]


def _crossing(
    excess: Callable[[float], float],
    centre: float,
    direction: float,
    se: float,
    name: str,
    log_range: tuple[float, float],
) -> float | None:
    """Root of ``excess`` on one side of ``centre``, stepping outwards; None if never crossed."""
    if name == "ed50":  # walk on the log scale, where ED50's profile is nearly symmetric
        start, edge = np.log(centre), log_range[0] if direction < 0 else log_range[1]
        points = np.linspace(start, edge, 200)[1:]
        prev = float(start)
        for point in points:
            if excess(float(np.exp(point))) > 0:
                root = optimize.brentq(lambda t: excess(float(np.exp(t))), prev, float(point), xtol=1e-12)
                return float(np.exp(root))
            prev = float(point)
        return None
    step = max(se, 1e-8 * max(abs(centre), 1.0))
    prev = centre
    for k in range(1, 60):
        point = centre + direction * step * (1.5 ** (k - 1))
        if excess(point) > 0:
            return float(optimize.brentq(excess, min(prev, point), max(prev, point), xtol=1e-12))
        prev = point
    return None
