"""Mantel-Haenszel pooling of 2x2 tables, as metafor's ``rma.mh``.

The pooled estimate uses the raw counts (no continuity correction; metafor ``add=c(1/2, 0)``,
``to=c("only0", "none")``). Variances:

- OR: Robins, Breslow & Greenland (1986), Biometrics 42:311 (the "RBG" variance of log OR_MH).
- RR: Greenland & Robins (1985), Biometrics 41:55.
- RD: Sato, Greenland & Robins (1989), Biometrics 45:1323 (the variance metafor uses for RD_MH).

Cochran's Q, I^2 and H^2 compare the study-level estimates (escalc with 1/2 added to zero cells and
studies without events, or only events, in both arms left out: ``drop00=TRUE``) with the MH estimate,
with k_yi - 1 degrees of freedom (metafor's rma.mh).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from baclotrack.analysis.meta.effect_sizes import BinaryTable, Measure, binary_effect_sizes
from baclotrack.analysis.meta.errors import MetaInputError

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class MantelHaenszelFit:
    estimate: float
    se: float
    q: float
    q_df: int
    q_pval: float
    i2: float
    h2: float
    k_yi: int


def _estimate_and_se(table: BinaryTable, measure: Measure) -> tuple[float, float]:
    a, b, c, d = table.cells()
    n1, n2 = table.n_t, table.n_c
    N = n1 + n2
    if measure is Measure.OR:
        R, S = np.sum(a * d / N), np.sum(b * c / N)
        if R == 0 or S == 0:
            raise MetaInputError(
                "events_t, events_c: the Mantel-Haenszel odds ratio is undefined for these counts"
            )
        P, Q = (a + d) / N, (b + c) / N
        Ri, Si = a * d / N, b * c / N
        var = 0.5 * (np.sum(P * Ri) / R**2 + np.sum(P * Si + Q * Ri) / (R * S) + np.sum(Q * Si) / S**2)
        return float(np.log(R / S)), float(np.sqrt(var))
    if measure is Measure.RR:
        if a.sum() == 0 or c.sum() == 0:
            raise MetaInputError(
                "events_t, events_c: the Mantel-Haenszel risk ratio needs events in both arms"
            )
        R, S = np.sum(a * n2 / N), np.sum(c * n1 / N)
        var = np.sum(n1 * n2 * (a + c) / N**2 - a * c / N) / (R * S)
        return float(np.log(R / S)), float(np.sqrt(var))
    if measure is Measure.RD:
        L = np.sum(n1 * n2 / N)
        rd = float(np.sum((a * n2 - c * n1) / N) / L)
        numerator = rd * np.sum(c * (n1 / N) ** 2 - a * (n2 / N) ** 2 + (n1 / N) * (n2 / N) * (n2 - n1) / 2)
        numerator += np.sum(a * (n2 - c) / N + c * (n1 - a) / N) / 2
        return rd, float(np.sqrt(numerator / L**2))
    raise MetaInputError(f"method: Mantel-Haenszel needs a binary measure (RR, OR or RD), not {measure}")


def mantel_haenszel(table: BinaryTable, measure: Measure) -> MantelHaenszelFit:
    """Pooled MH estimate (log scale for RR and OR), its SE, and heterogeneity around it."""
    estimate, se = _estimate_and_se(table, measure)
    shown = binary_effect_sizes(table, measure, drop00=True)
    k_yi = shown.k
    if k_yi > 1:
        q = max(0.0, float(np.sum((shown.yi - estimate) ** 2 / shown.vi)))
        q_pval = float(stats.chi2.sf(q, k_yi - 1))
        i2 = max(0.0, 100 * (q - (k_yi - 1)) / q) if q > 0 else 0.0
        h2 = q / (k_yi - 1)
    else:
        q, q_pval, i2, h2 = 0.0, 1.0, 0.0, 1.0
    return MantelHaenszelFit(estimate, se, q, max(k_yi - 1, 0), q_pval, i2, h2, k_yi)
