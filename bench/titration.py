"""Benchmark of titration plans and the safety rules engine, the calls the clinic makes per page.

Method (printed with the numbers as Markdown):

1. generate_plan for every protocol over 365 days with a weight, the FR-2017 cap and a renal
   clearance, first with cold tablet caches (a fresh process) and then warm (REPEATS runs).
2. taper_plan from 300 mg/day with the default settings.
3. evaluate() for one client with a 365-day diary (fixed numpy seed) and an active plan.

Usage: .venv/bin/python bench/titration.py
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import numpy as np

from baclotrack.core.diary import SIDE_EFFECTS, DiaryDay
from baclotrack.core.titration.caps import get_regulatory_cap
from baclotrack.core.titration.plan import generate_plan
from baclotrack.core.titration.protocols import PROTOCOLS, get_protocol
from baclotrack.core.titration.rules import ClientContext, evaluate
from baclotrack.core.titration.taper import taper_plan

SEED = 20261127
START = dt.date(2026, 1, 1)
DAYS = 365
REPEATS = 20


def timed(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return float(np.median(times))


def synthetic_diary(days: int, seed: int = SEED) -> list[DiaryDay]:
    rng = np.random.default_rng(seed)
    names = list(SIDE_EFFECTS)
    diary = []
    for i in range(days):
        if rng.random() < 0.05:  # gaps, as in real diaries
            continue
        effects = (
            {names[int(rng.integers(len(names)))]: int(rng.integers(0, 3))} if rng.random() < 0.3 else {}
        )
        diary.append(
            DiaryDay(
                START + dt.timedelta(days=i),
                grams=float(rng.choice([0.0, 14.0, 42.0, 84.0], p=[0.5, 0.25, 0.15, 0.1])),
                craving=int(rng.integers(0, 8)),
                anxiety=int(rng.integers(0, 8)),
                dose_taken_mg=float(min(30 + 10 * (i // 4), 80)),
                side_effects=effects,
            )
        )
    return diary


def main() -> None:
    caps = [get_regulatory_cap("fr-2017")]
    cold_t0 = time.perf_counter()
    for protocol in PROTOCOLS.values():
        generate_plan(protocol, START, days=DAYS, weight_kg=70, caps=caps, crcl_ml_min=60)
    cold = (time.perf_counter() - cold_t0) * 1000
    print(f"Seed {SEED}; {DAYS}-day plans; median of {REPEATS} runs.\n")
    print("| call | median ms |")
    print("|---|---|")
    print(f"| generate_plan, all {len(PROTOCOLS)} protocols, cold caches (total) | {cold:.1f} |")
    for protocol in PROTOCOLS.values():
        ms = timed(
            lambda p=protocol: generate_plan(p, START, days=DAYS, weight_kg=70, caps=caps, crcl_ml_min=60)
        )
        print(f"| generate_plan {protocol.id}, warm | {ms:.2f} |")
    print(f"| taper_plan from 300 mg/day | {timed(lambda: taper_plan(300, START)):.2f} |")
    plan = generate_plan(get_protocol("baclocur-label"), START, days=DAYS)
    diary = synthetic_diary(DAYS)
    client = ClientContext(sex="M", weight_kg=80, crcl_ml_min=70)
    today = START + dt.timedelta(days=DAYS - 1)
    ms = timed(lambda: evaluate(client, plan, diary, today))
    print(f"| evaluate, {len(diary)} diary days + plan | {ms:.2f} |")


if __name__ == "__main__":
    main()
