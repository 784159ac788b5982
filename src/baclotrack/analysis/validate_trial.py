"""Validation of the trial analysis against the simulator's latent truth (part of ``make validate``).

Many small trials of the ``addolorato-2011`` design are simulated and each is analysed by
:class:`~baclotrack.analysis.trial.TrialAnalysis` (primary model only, ``secondary=False``).
Their arm contrasts and dose trend are compared with the truth the simulator implies.

**The truth.** An arm contrast of the primary model estimates the difference between two arms
in expected weekly drinks per day at the same baseline and week. Randomisation makes baseline
independent of arm, so this is the difference in expected weekly means, averaged over weeks
1-12:

    truth(A vs B) = mean over w of ( E[y_w | arm A] - E[y_w | arm B] )

The simulator's day has rounding to half drinks, a floor of one half drink on drinking days, a
cap, binges and a placebo ramp, so this expectation has no closed form; it is estimated by
independent very large simulated trials (each arm mean of a week is taken over the weekly
change from baseline, which has the same difference between arms and less noise). Their spread
gives the Monte-Carlo standard error. The dose trend is linear in dose; its truth is the
least-squares slope through the true arm means (equal weights, as the design has equal arms).

The functions return values; docs/validation.md is written by :mod:`baclotrack.analysis.validate`.
"""

from __future__ import annotations

import io
import multiprocessing
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Any, Final

import numpy as np
import polars as pl
from matplotlib.figure import Figure

from baclotrack.analysis.lmm import ConvergenceError
from baclotrack.analysis.simulate import simulate
from baclotrack.analysis.trial import TrialAnalysis, patient_outcomes

DESIGN: Final = "addolorato-2011"
DEFAULT_TRIALS: Final = 1000
#: Truth: this many independent trials of this many patients, from seeds far from the trials' own.
TRUTH_REPLICATES: Final = 20
TRUTH_PATIENTS: Final = 15_000
TRUTH_SEED_OFFSET: Final = 10_000_000
DOSE_TREND: Final = "dose trend (per mg/day)"
#: Nominal coverage of the intervals the trial analysis reports (its default).
NOMINAL: Final = 0.95

Progress = Callable[[int, int], None]


def _label(arm: str, reference: str) -> str:
    return f"{arm} vs {reference}"


def truth_replicate(seed: int, n: int = TRUTH_PATIENTS) -> dict[str, float]:
    """One large trial's week-averaged arm differences (every pair) and the dose slope."""
    sim = simulate(DESIGN, seed=seed, n=n)
    _, weekly = patient_outcomes(sim.diary, sim.patients)
    by_week = (
        weekly.group_by("arm", "dose_mg", "week")
        .agg(change=(pl.col("y") - pl.col("baseline")).mean())
        .group_by("arm", "dose_mg")
        .agg(pl.col("change").mean())
        .sort("dose_mg")
    )
    arms = by_week.get_column("arm").to_list()
    doses = by_week.get_column("dose_mg").to_numpy()
    change = by_week.get_column("change").to_numpy()
    out = {
        _label(arms[j], arms[i]): float(change[j] - change[i])
        for i in range(len(arms))
        for j in range(i + 1, len(arms))
    }
    out[DOSE_TREND] = float(np.polyfit(doses, change, 1)[0])
    return out


def summarise_truth(replicates: Sequence[dict[str, float]]) -> pl.DataFrame:
    """contrast, truth (mean over replicates) and mc_se (their SD / sqrt(replicates))."""
    frame = pl.DataFrame(list(replicates)).unpivot(variable_name="contrast", value_name="value")
    return (
        frame.group_by("contrast", maintain_order=True)
        .agg(truth=pl.col("value").mean(), mc_se=pl.col("value").std() / pl.len().sqrt())
        .sort("contrast")
    )


def trial_replicate(seed: int) -> list[dict[str, Any]]:
    """One simulated trial's contrasts and dose trend; [] if the model could not be fitted."""
    sim = simulate(DESIGN, seed=seed)
    try:
        fit = TrialAnalysis(secondary=False).fit(sim.diary, sim.patients)
    except ConvergenceError:
        return []
    assert fit.dose_trend_ is not None  # every arm of this design has a fixed dose
    rows = [(_label(c.arm, c.reference), c) for c in fit.contrasts_] + [(DOSE_TREND, fit.dose_trend_)]
    return [
        {
            "seed": seed,
            "contrast": label,
            "estimate": c.estimate,
            "se": c.se,
            "low": c.ci_low,
            "high": c.ci_high,
        }
        for label, c in rows
    ]


def _in_pool(
    task: Callable[[int], Any], seeds: Sequence[int], workers: int, progress: Progress | None
) -> list[Any]:
    """task(seed) for every seed, in order, over ``workers`` processes, reporting each result."""
    results = []
    # "spawn", not the default "fork": forking a process that has started polars' thread pool can
    # deadlock the children (polars user guide, "Multiprocessing").
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for done, result in enumerate(pool.map(task, seeds), start=1):
            results.append(result)
            if progress is not None:
                progress(done, len(seeds))
    return results


def run_study(
    trials: int,
    seed: int,
    workers: int = 2,
    progress: Progress | None = None,
    *,
    truth_replicates: int = TRUTH_REPLICATES,
    truth_patients: int = TRUTH_PATIENTS,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(estimates, truth): one row per trial and contrast, and the truth per contrast.

    Trial k uses seed ``seed + k``; the truth's replicates use ``seed + TRUTH_SEED_OFFSET + r``.
    """
    truth_seeds = [seed + TRUTH_SEED_OFFSET + r for r in range(truth_replicates)]
    replicate = partial(truth_replicate, n=truth_patients)
    truth = summarise_truth(_in_pool(replicate, truth_seeds, workers, None))
    per_trial = _in_pool(trial_replicate, [seed + k for k in range(trials)], workers, progress)
    rows = [row for trial in per_trial for row in trial]
    schema = {
        "seed": pl.Int64,
        "contrast": pl.String,
        **dict.fromkeys(("estimate", "se", "low", "high"), pl.Float64),
    }
    return pl.DataFrame(rows, schema=schema), truth


def performance(estimates: pl.DataFrame, truth: pl.DataFrame) -> pl.DataFrame:
    """Per contrast: fitted trials, truth, mean estimate, bias with its Monte-Carlo SE, empirical SD,
    mean model SE and 95 % CI coverage with its Monte-Carlo SE (Morris et al. 2019, table 6)."""
    joined = estimates.join(truth.select("contrast", "truth"), on="contrast")
    covered = ((pl.col("low") <= pl.col("truth")) & (pl.col("truth") <= pl.col("high"))).cast(pl.Float64)
    summary = joined.group_by("contrast").agg(
        trials=pl.len(),
        truth=pl.col("truth").first(),
        mean_estimate=pl.col("estimate").mean(),
        empirical_sd=pl.col("estimate").std(),
        mean_se=pl.col("se").mean(),
        coverage=covered.mean(),
    )
    n = pl.col("trials").cast(pl.Float64)
    return (
        summary.with_columns(
            bias=pl.col("mean_estimate") - pl.col("truth"),
            bias_mc_se=pl.col("empirical_sd") / n.sqrt(),
            coverage_pct=100 * pl.col("coverage"),
            coverage_mc_se_pct=100 * (pl.col("coverage") * (1 - pl.col("coverage")) / n).sqrt(),
        )
        .select(
            "contrast",
            "trials",
            "truth",
            "mean_estimate",
            "bias",
            "bias_mc_se",
            "empirical_sd",
            "mean_se",
            "coverage_pct",
            "coverage_mc_se_pct",
        )
        .sort("contrast")
    )


def estimates_figure_png(estimates: pl.DataFrame, truth: pl.DataFrame) -> bytes:
    """PNG: per contrast, the distribution of the trials' estimates against the truth."""
    contrasts = truth.get_column("contrast").to_list()
    figure = Figure(figsize=(9.0, 2.4 * ((len(contrasts) + 1) // 2)), dpi=100)
    axes = figure.subplots((len(contrasts) + 1) // 2, 2, squeeze=False).ravel()
    for ax, (contrast, value) in zip(axes, truth.select("contrast", "truth").iter_rows(), strict=False):
        values = estimates.filter(pl.col("contrast") == contrast).get_column("estimate").to_numpy()
        ax.hist(values, bins=30, color="#9ab", edgecolor="white")
        ax.axvline(value, color="#c33", linewidth=2, label="truth")
        ax.axvline(float(values.mean()), color="#223", linestyle="--", label="mean estimate")
        ax.set_title(contrast, fontsize=10)
        ax.set_xlabel("drinks/day per mg/day" if contrast == DOSE_TREND else "weekly drinks/day")
    for ax in axes[len(contrasts) :]:
        ax.set_visible(False)
    axes[0].legend(frameon=False, fontsize=8)
    figure.suptitle(
        f"{estimates.get_column('seed').n_unique()} simulated {DESIGN} trials: estimates vs truth"
    )
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _cells(values: Iterable[Any]) -> str:
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.5f}" if abs(value) < 0.1 and value != 0 else f"{value:.3f}"
        return str(value)

    return "| " + " | ".join(cell(v) for v in values) + " |"


def trial_section(estimates: pl.DataFrame, truth: pl.DataFrame, trials: int, seed: int, image: str) -> str:
    """The Markdown section on bias and coverage of the trial contrasts; ``image``: the chart's path."""
    table = performance(estimates, truth)
    failed = trials - estimates.get_column("seed").n_unique()
    worst = float(table.get_column("coverage_pct").min())  # type: ignore[arg-type]
    lines = [
        "## Trial contrasts and dose trend (primary mixed model)",
        "",
        f"{trials} trials of the `{DESIGN}` design (14 patients per arm: placebo, 30 and 60 mg/day; "
        f"trial k uses seed {seed} + k), each analysed by `TrialAnalysis(secondary=False)`: the "
        "primary model `y ~ arm + week + baseline + (1 + week | patient)` by REML, Wald 95 % intervals "
        f"with the normal approximation. {failed} trial(s) could not be fitted and are left out.",
        "",
        "**Truth** (estimated, not derived): the expected difference in weekly drinks per day between "
        "two arms, averaged over weeks 1-12, which the arm coefficient estimates because randomisation "
        "makes baseline independent of arm. The simulated day (rounding to half drinks, binges, a cap, "
        "the placebo ramp) has no closed-form mean, so the truth is the mean of "
        f"{TRUTH_REPLICATES} independent simulated trials of {TRUTH_PATIENTS:,} patients each "
        f"(seeds {seed} + {TRUTH_SEED_OFFSET:,} + r), with arm means of each week's change from "
        "baseline; `truth_mc_se` is their SD / sqrt(replicates). The dose trend's truth is the "
        "least-squares slope through the true arm means (equal weights; the arms are equal).",
        "",
        "Performance measures follow Morris, White and Crowther (2019, Stat Med 38:2074): bias = mean "
        "estimate - truth with Monte-Carlo SE = empirical SD / sqrt(trials); coverage = share of 95 % "
        "intervals containing the truth, Monte-Carlo SE sqrt(p(1 - p) / trials).",
        "",
        _cells(["contrast", *table.columns[1:], "truth_mc_se"]),
        "|" + "---|" * (table.width + 1),
    ]
    mc = dict(truth.select("contrast", "mc_se").iter_rows())
    lines += [_cells([*row, mc[row[0]]]) for row in table.iter_rows()]
    lines += [
        "",
        f"![Estimates of {trials} simulated trials against the truth]({image})",
        "",
        "Reading (generated from the numbers above; 'within' means within 2 Monte-Carlo SE):",
        "",
        *(reading(row) for row in table.iter_rows(named=True)),
        "",
        f"Lowest coverage: {worst:.1f} % (nominal 95 %).",
        "",
    ]
    return "\n".join(lines)


def reading(row: dict[str, Any]) -> str:
    """One line on a contrast: is the bias distinguishable from 0, coverage from 95 %, SE from SD."""
    bias_ok = abs(row["bias"]) <= 2 * row["bias_mc_se"]
    nominal = 100 * NOMINAL
    margin = 2 * max(row["coverage_mc_se_pct"], 100 * (NOMINAL * (1 - NOMINAL) / row["trials"]) ** 0.5)
    coverage = (
        "close to nominal"
        if abs(row["coverage_pct"] - nominal) <= margin
        else ("below nominal" if row["coverage_pct"] < nominal else "above nominal")
    )
    ratio = row["mean_se"] / row["empirical_sd"]
    bias = "within Monte-Carlo error of 0" if bias_ok else "beyond Monte-Carlo error"
    share = 100 * row["bias"] / abs(row["truth"])
    return (
        f"- {row['contrast']}: bias {row['bias']:+.4g} ({bias}; {share:+.1f} % of the truth); coverage "
        f"{row['coverage_pct']:.1f} %, {coverage}; model SE / empirical SD = {ratio:.2f}."
    )
