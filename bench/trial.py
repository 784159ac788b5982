"""Benchmark: the primary trial model (lme4-style REML fit) for 10,000 patients x 12 weeks.

Method. A three-arm trial of 10,000 patients with 12 weekly means each (about 10 % of weeks
not reported) is simulated with a fixed seed; ``fit_weekly_model`` (analysis/trial.py) fits
``y ~ arm + week + baseline + (1 + week | patient)`` by REML; wall-clock time is the median of
three runs. If Rscript with lme4 is installed, the same data (written to a temporary CSV, read
outside the timing) are fitted by ``lmer`` with its default optimiser and the median of three
runs is reported with the ratio. The budget is 30 s for baclotrack's fit. Prints Markdown.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from baclotrack.analysis.trial import fit_weekly_model

PATIENTS = 10_000
WEEKS = 12
RUNS = 3
BUDGET_SECONDS = 30.0
ARMS = (("placebo", 0.0), ("10mg_tid", 30.0), ("20mg_tid", 60.0))

R_SCRIPT = r"""
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); d$arm <- factor(d$arm, levels = c("placebo", "10mg_tid", "20mg_tid"))
times <- sapply(1:as.integer(args[2]), function(i) system.time(
  fit <<- lmer(y ~ arm + week + baseline + (1 + week | patient_id), data = d, REML = TRUE))[["elapsed"]])
cat(sprintf('{"seconds": [%s], "reml": %.10f, "lme4": "%s"}', paste(times, collapse = ","),
            REMLcrit(fit), packageVersion("lme4")))
"""


def simulate(seed: int = 20261127) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    patient = np.repeat(np.arange(PATIENTS), WEEKS)
    week = np.tile(np.arange(1, WEEKS + 1), PATIENTS)
    arm = patient % 3
    baseline = rng.gamma(5.0, 1.2, PATIENTS)[patient]
    effects = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.03], [0.03, 0.01]], PATIENTS)[patient]
    y = (
        2
        + 0.3 * baseline
        - 0.8 * arm
        + (effects[:, 1] - 0.05) * week
        + effects[:, 0]
        + rng.normal(0, 1.2, len(week))
    )
    frame = pl.DataFrame(
        {
            "patient_id": [f"P{p:05d}" for p in patient],
            "arm": [ARMS[a][0] for a in arm],
            "dose_mg": [ARMS[a][1] for a in arm],
            "week": week,
            "baseline": baseline,
            "y": np.maximum(y, 0.0),
        }
    )
    return frame.filter(pl.Series(rng.random(frame.height) > 0.1))


def time_baclotrack(weekly: pl.DataFrame) -> tuple[list[float], float]:
    seconds, criterion = [], float("nan")
    for _ in range(RUNS):
        start = time.perf_counter()
        model = fit_weekly_model(weekly, [a for a, _ in ARMS])
        seconds.append(time.perf_counter() - start)
        criterion = model.criterion_
    return seconds, criterion


def time_lme4(weekly: pl.DataFrame) -> dict[str, object] | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        data, script = Path(tmp) / "weekly.csv", Path(tmp) / "fit.R"
        weekly.write_csv(data)
        script.write_text(R_SCRIPT)
        done = subprocess.run(
            ["Rscript", str(script), str(data), str(RUNS)], capture_output=True, text=True, check=False
        )
    if done.returncode != 0:
        print(f"lme4 run failed: {done.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    weekly = simulate()
    ours, criterion = time_baclotrack(weekly)
    median = statistics.median(ours)
    print(f"Primary model, {PATIENTS:,} patients x {WEEKS} weeks ({weekly.height:,} patient-weeks), REML.\n")
    print("| program | median of 3 (s) | runs (s) | REML criterion |")
    print("|---|---|---|---|")
    print(f"| baclotrack | {median:.2f} | {', '.join(f'{s:.2f}' for s in ours)} | {criterion:.4f} |")
    lme4 = time_lme4(weekly)
    if lme4 is not None:
        r_runs = [float(s) for s in lme4["seconds"]]  # type: ignore[attr-defined]
        r_median = statistics.median(r_runs)
        print(
            f"| lme4 {lme4['lme4']} (default nloptwrap) | {r_median:.2f} | "
            f"{', '.join(f'{s:.2f}' for s in r_runs)} | {float(lme4['reml']):.4f} |"  # type: ignore[arg-type]
        )
        print(f"\nRatio baclotrack / lme4: {median / r_median:.2f}")
    else:
        print("\nlme4 not timed (Rscript or lme4 not available).")
    verdict = "within" if median <= BUDGET_SECONDS else "OVER"
    print(f"\nBudget {BUDGET_SECONDS:.0f} s: {verdict}.")
    return 0 if median <= BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
