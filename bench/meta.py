"""Benchmark of the meta-analysis engine: REML and PM fits, meta-regression and leave-one-out.

Method: synthetic effect sizes (fixed numpy seed; yi ~ N(-0.3, 0.1 + vi), vi ~ U(0.01, 0.2)) for
k = 10, 100, 1000 studies. Each timing is the median wall time of REPEATS runs in this process
(time.perf_counter). The engine builds k x k weight matrices (metafor's general algebra, so that
meta-regression and pooling share one code path), so time grows with k^2 to k^3; typical
meta-analyses have k < 100.

Usage: .venv/bin/python bench/meta.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from baclotrack.analysis.meta import EffectSizes, Measure, MetaAnalysis, MetaRegression, leave_one_out

SEED = 20261127
REPEATS = 5


def synthetic(k: int) -> tuple[EffectSizes, np.ndarray]:
    rng = np.random.default_rng(SEED)
    vi = rng.uniform(0.01, 0.2, k)
    dose = rng.uniform(30, 270, k)
    yi = rng.normal(-0.3 - 0.001 * dose, np.sqrt(0.1 + vi))
    return EffectSizes(tuple(f"S{i}" for i in range(k)), yi, vi, Measure.GEN), dose


def median_ms(work: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    print(f"Median of {REPEATS} runs, milliseconds.\n")
    print("| k | REML | PM | REML + knha | meta-regression (REML) | leave-one-out (REML) |")
    print("|---|---|---|---|---|---|")
    for k in (10, 100, 1000):
        effects, dose = synthetic(k)
        cells = [
            median_ms(lambda e=effects: MetaAnalysis("REML").fit(e)),
            median_ms(lambda e=effects: MetaAnalysis("PM").fit(e)),
            median_ms(lambda e=effects: MetaAnalysis("REML", knha=True).fit(e)),
            median_ms(lambda e=effects, d=dose: MetaRegression("REML").fit(e, d)),
        ]
        loo = median_ms(lambda e=effects: leave_one_out(e, "REML")) if k <= 100 else float("nan")
        row = " | ".join(f"{c:.1f}" for c in cells)
        print(f"| {k} | {row} | {'-' if np.isnan(loo) else f'{loo:.1f}'} |")


if __name__ == "__main__":
    main()
