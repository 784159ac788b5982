"""A self-contained HTML page of a fitted :class:`~baclotrack.analysis.trial.TrialAnalysis`.

The page holds the tables of ``baclotrack trial`` and one figure (weekly drinks per day by arm
with 95 % intervals) as a PNG embedded in base64: no asset is loaded from the internet, so the
page can be mailed to a prescriber or archived with a trial report. This module only builds
the text; the caller writes it.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable, Sequence
from typing import Final

import polars as pl
from matplotlib.figure import Figure
from scipy import stats

from baclotrack.analysis.trial import TrialAnalysis

_STYLE: Final = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
    "table{border-collapse:collapse;margin:0.5rem 0 1.5rem}th,td{padding:0.25rem 0.75rem;text-align:right;"
    "border-bottom:1px solid #ddd}th:first-child,td:first-child{text-align:left}caption{text-align:left;"
    "font-weight:600;padding-bottom:0.25rem}img{max-width:100%}p.note{color:#555;font-size:0.9rem}"
)


def weekly_arm_means(weekly: pl.DataFrame, confidence: float = 0.95) -> pl.DataFrame:
    """Per arm and week: patients, mean of the weekly means, and a t interval across patients.

    The interval is mean +/- t(n-1) x SD / sqrt(n) over the patients who reported that week:
    a descriptive summary of the raw data, not the model (weeks with one patient get none).
    """
    summary = (
        weekly.group_by("arm", "dose_mg", "week")
        .agg(n=pl.len(), mean=pl.col("y").mean(), sd=pl.col("y").std())
        .sort("dose_mg", "arm", "week")
    )
    quantiles = [
        float(stats.t.ppf(0.5 + confidence / 2.0, n - 1)) if n > 1 else float("nan")
        for n in summary.get_column("n").to_list()
    ]
    half = (
        pl.Series("t", quantiles) * summary.get_column("sd") / summary.get_column("n").cast(pl.Float64).sqrt()
    )
    return summary.with_columns(low=summary.get_column("mean") - half, high=summary.get_column("mean") + half)


def weekly_figure_png(weekly: pl.DataFrame, confidence: float = 0.95) -> bytes:
    """PNG of weekly drinks per day by arm with their intervals (matplotlib, no global state)."""
    means = weekly_arm_means(weekly, confidence)
    figure = Figure(figsize=(7.5, 4.0), dpi=110)
    axes = figure.subplots()
    arms = means.select("arm", "dose_mg").unique(maintain_order=True).rows()
    for offset, (arm, dose) in enumerate(arms):
        rows = means.filter(pl.col("arm") == arm)
        week = rows.get_column("week").to_numpy() + (offset - (len(arms) - 1) / 2) * 0.12
        mean = rows.get_column("mean").to_numpy()
        error = [mean - rows.get_column("low").to_numpy(), rows.get_column("high").to_numpy() - mean]
        axes.errorbar(
            week,
            mean,
            yerr=error,
            marker="o",
            capsize=3,
            label=f"{arm} ({'titrated' if dose is None else f'{dose:g} mg/day'})",
        )
    axes.set_xlabel("treatment week")
    axes.set_ylabel("drinks per day (mean of patients)")
    axes.set_title(f"Weekly drinking by arm, {round(100 * confidence)}% intervals across patients")
    axes.set_xticks(sorted(set(means.get_column("week").to_list())))
    axes.legend(frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _table(caption: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return (
        f"<table><caption>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _p(value: float) -> str:
    return "<0.0001" if value < 1e-4 else f"{value:.4f}"


def render_trial_report(analysis: TrialAnalysis, title: str = "Trial analysis") -> str:
    """The whole page as one HTML string."""
    pct = f"{round(100 * analysis.confidence)}%"
    model = analysis.to_dict()["model"]
    parts = [
        _table(
            "Arms: drinks per day (mean over patients of each patient's mean over reported days)",
            ["arm", "dose mg/day", "n", "baseline (28 days)", "treatment (weeks 1-12)", "reduction %"],
            [
                (
                    a.arm,
                    "titrated" if a.dose_mg is None else f"{a.dose_mg:g}",
                    a.n,
                    _num(a.baseline_drinks_per_day, 2),
                    _num(a.treatment_drinks_per_day, 2),
                    _num(a.percent_reduction, 1),
                )
                for a in analysis.arms_
            ],
        ),
        _table(
            "Primary model: lmer(y ~ arm + week + baseline + (1 + week | patient), REML)",
            ["term", "estimate", "std. error"],
            [
                (t, _num(b, 4), _num(s, 4))
                for t, b, s in zip(
                    analysis.primary_.fixed_names,
                    analysis.primary_.fe_params_,
                    analysis.primary_.bse_,
                    strict=True,
                )
            ],
        ),
        _table(
            f"Contrasts in weekly drinks per day ({pct} CI, Wald, normal approximation)",
            ["comparison", "difference", "std. error", "CI low", "CI high", "p"],
            [
                (
                    f"{c.arm} vs {c.reference}",
                    _num(c.estimate),
                    _num(c.se),
                    _num(c.ci_low),
                    _num(c.ci_high),
                    _p(c.p),
                )
                for c in analysis.contrasts_
            ]
            + [
                (
                    "dose trend, per mg/day",
                    _num(trend.estimate, 5),
                    _num(trend.se, 5),
                    _num(trend.ci_low, 5),
                    _num(trend.ci_high, 5),
                    _p(trend.p),
                )
                for trend in [analysis.dose_trend_]
                if trend is not None
            ],
        ),
    ]
    if analysis.dose_trend_reason_ is not None:
        parts.append(
            f"<p class=note>Dose trend not estimated: {html.escape(analysis.dose_trend_reason_)}.</p>"
        )
    effects = model["random_effects"]
    parts.append(
        f"<p class=note>{model['n_obs']} patient-weeks from {model['n_patients']} patients; REML criterion "
        f"{model['reml_criterion']:.4f}; random-effect SDs: intercept {effects['sd_intercept']:.4f}, week "
        f"{effects['sd_week']:.4f}, correlation {_num(effects['corr_intercept_week'])}; residual SD "
        f"{model['residual_sd']:.4f}; converged: {'yes' if model['converged'] else 'NO'}.</p>"
    )
    if analysis.secondary_ is not None:
        s = analysis.secondary_
        rows = [
            (label, r.arm, r.reference, _num(r.ratio), _num(r.ci_low), _num(r.ci_high), _p(r.p))
            for label, fit in (
                ("drinks per day (rate ratio)", s.drinks_per_day),
                ("any drinking (odds ratio)", s.any_drinking),
                ("drinks per drinking day (ratio)", s.drinks_per_drinking_day),
            )
            for r in fit.contrasts
        ]
        parts.append(
            _table(
                f"Secondary: daily drinks by GEE, ratios against the reference ({pct} CI)",
                ["outcome", "arm", "reference", "ratio", "CI low", "CI high", "p"],
                rows,
            )
        )
    png = base64.b64encode(weekly_figure_png(analysis.weekly_, analysis.confidence)).decode("ascii")
    figure = f'<figure><img alt="Weekly drinks per day by arm" src="data:image/png;base64,{png}"></figure>'
    return (
        f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>{figure}{''.join(parts)}"
        "<p class=note>Made by baclotrack; methods in docs/methods/trial-analysis.md.</p></body></html>\n"
    )
