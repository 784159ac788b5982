"""Benchmark of the simulator and of the N-of-1 dose-response fit.

Method (printed with the numbers as Markdown, for docs/benchmarks.md): wall time of
``simulate(design, seed=1, n=...)`` for the bacloville design at its own size (320 clients x
393 days) and ten times larger, and of ``DoseResponse().fit`` (indifference dose, dose levels,
Emax fit with profile intervals) for every client of the clinic design; each timing is the
median of REPEATS runs in this process after one warm-up run.

Usage: .venv/bin/python bench/simulate.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from baclotrack.analysis.doseresponse import DoseResponse
from baclotrack.analysis.simulate import simulate

REPEATS = 3


def _median_seconds(work: Callable[[], object]) -> float:
    work()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    print("| what | size | median wall time |")
    print("|---|---|---|")
    for n in (320, 3200):
        rows = simulate("bacloville", seed=1, n=n).diary.height
        seconds = _median_seconds(lambda n=n: simulate("bacloville", seed=1, n=n))
        print(f"| simulate('bacloville') | {n} clients, {rows:,} diary days | {seconds:.2f} s |")
    clinic = simulate("clinic", seed=1)
    patients = list(clinic.patients.iter_rows(named=True))

    def fit_all() -> None:
        for patient in patients:
            DoseResponse().fit(clinic.diary, patient)

    seconds = _median_seconds(fit_all)
    each = seconds / len(patients) * 1000
    print(f"| DoseResponse().fit | {len(patients)} clinic clients | {seconds:.2f} s ({each:.0f} ms each) |")


if __name__ == "__main__":
    main()
