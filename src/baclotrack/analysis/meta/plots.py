"""Forest and funnel plots with matplotlib. Functions return a Figure; saving is the caller's job.

Figures are built on ``matplotlib.figure.Figure`` directly (no pyplot), so they need no display and
leave no global state behind in the web app or the CLI.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.ticker import FuncFormatter
from numpy.typing import NDArray
from scipy import stats

from baclotrack.analysis.meta.models import MetaAnalysis
from baclotrack.core.i18n import N_, Message, Param, Translate

FloatArray = NDArray[np.float64]

MEASURE_LABELS = {
    "RR": N_("Risk ratio"),
    "OR": N_("Odds ratio"),
    "RD": N_("Risk difference"),
    "MD": N_("Mean difference"),
    "SMD": N_("Standardised mean difference (Hedges' g)"),
    "GEN": N_("Effect size"),
}
#: The pooled row's label; the method (REML, PM, ...) is a code and stays as it is.
POOLED_LABEL = N_("Pooled ({method})")


def _say(translate: Translate | None, template: str, **params: Param) -> str:
    """``template`` filled in English, or translated by ``translate`` (the web's catalogue lookup)."""
    return Message(template, params).show(translate)


def _fmt_interval(estimate: float, low: float, high: float) -> str:
    return f"{estimate:.2f} [{low:.2f}, {high:.2f}]"


def forest_plot(fit: MetaAnalysis, *, title: str | None = None, translate: Translate | None = None) -> Figure:
    """Studies with their confidence intervals (box area proportional to weight), the pooled diamond,
    and the prediction interval of a random-effects model as a line under the diamond.
    RR and OR are drawn back-transformed on a logarithmic axis. The axis and pooled-row labels are
    English unless ``translate`` is given (decision 0170); ``title`` is used as given."""
    fit._require_fit()
    frame = fit.to_frame()
    k = fit.k_
    log_scale = fit.effects_.measure.is_log_scale
    back = np.exp if log_scale else (lambda v: v)

    fig = Figure(figsize=(9.0, 1.6 + 0.32 * (k + 3)))
    ax = fig.add_subplot(1, 1, 1)
    rows = np.arange(k, 0, -1, dtype=float) + 1.5  # first study at the top
    weights = frame["weight_percent"].to_numpy()
    yi, low, high = (back(frame[c].to_numpy()) for c in ("yi", "ci_low", "ci_high"))
    ax.hlines(rows, low, high, color="black", linewidth=1)
    sizes = 20 + 280 * weights / max(float(weights.max()), 1e-12)
    ax.scatter(yi, rows, s=sizes, marker="s", color="#2b5d8a", zorder=3)

    est, c_lo, c_hi = back(np.array([fit.estimate_, fit.ci_low_, fit.ci_high_]))
    diamond = Polygon([(c_lo, 0.5), (est, 0.8), (c_hi, 0.5), (est, 0.2)], closed=True, color="#b03a2e")
    ax.add_patch(diamond)
    if fit.pi_low_ is not None and fit.pi_high_ is not None:
        p_lo, p_hi = back(np.array([fit.pi_low_, fit.pi_high_]))
        ax.hlines(0.0, p_lo, p_hi, color="#b03a2e", linewidth=2)
    ax.axvline(1.0 if log_scale else 0.0, color="grey", linestyle="--", linewidth=0.8)
    if log_scale:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:g}"))

    labels = [*frame["study"].to_list(), _say(translate, POOLED_LABEL, method=fit.method.value)]
    ax.set_yticks([*rows, 0.5], labels)
    right = [
        _fmt_interval(a, b, c) + f"  {w:5.1f} %" for a, b, c, w in zip(yi, low, high, weights, strict=True)
    ]
    right.append(_fmt_interval(est, c_lo, c_hi))
    twin = ax.secondary_yaxis("right")
    twin.set_yticks([*rows, 0.5], right)
    twin.tick_params(length=0)
    ax.set_ylim(-0.5, k + 2.5)
    ax.set_xlabel(_say(translate, MEASURE_LABELS[fit.effects_.measure.value]))
    ax.spines[["top", "left", "right"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    heterogeneity = f"tau² = {fit.tau2_:.3f}, I² = {fit.i2_:.1f} %, Q({fit.q_df_}) = {fit.q_:.2f}"
    ax.set_title(title or heterogeneity, fontsize=10)
    fig.tight_layout()
    return fig


def funnel_plot(fit: MetaAnalysis, *, title: str | None = None) -> Figure:
    """Effect size against its standard error (inverted axis) with the pooled estimate and the
    pseudo confidence region estimate +- z SE, on the analysis scale (log for RR and OR)."""
    fit._require_fit()
    es = fit.effects_
    sei = es.sei
    fig = Figure(figsize=(6.0, 5.0))
    ax = fig.add_subplot(1, 1, 1)
    z = float(stats.norm.ppf(1 - (1 - fit.level / 100) / 2))
    se_grid = np.linspace(0.0, float(sei.max()) * 1.05, 50)
    ax.fill_betweenx(
        se_grid, fit.estimate_ - z * se_grid, fit.estimate_ + z * se_grid, color="#dde6ef", zorder=1
    )
    ax.axvline(fit.estimate_, color="#b03a2e", linewidth=1)
    ax.scatter(es.yi, sei, color="#2b5d8a", zorder=3)
    ax.set_ylim(float(se_grid[-1]), 0.0)
    scale = " (log scale)" if es.measure.is_log_scale else ""
    ax.set_xlabel(MEASURE_LABELS[es.measure.value] + scale)
    ax.set_ylabel("Standard error")
    ax.set_title(title or f"Funnel plot, k = {fit.k_}", fontsize=10)
    fig.tight_layout()
    return fig
