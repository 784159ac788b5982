"""`baclotrack warm`: draw changed dashboards ahead of the clinicians, at low priority (decision 0185)."""

from __future__ import annotations

import argparse
import os
import sys
import time

from baclotrack.cli.clinic_db import setup_django
from baclotrack.core.errors import InputError

#: Seconds between two looks at the audit trail: a dashboard is drawn about this soon after a save.
DEFAULT_INTERVAL_S = 2.0
#: The warmer yields the processor to the web app's workers (nice 19: the lowest priority).
NICENESS = 19


class WarmIntervalError(InputError):
    """An interval that is not a positive number of seconds."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "warm",
        help="draw changed client dashboards before anyone opens them (run beside the web app)",
        description=(
            "Watch the audit trail and draw the chart and dose-response fit of every client whose "
            "data changed, in every language, into the dashboard cache the web app's workers share; "
            "again, on each new day, every client with a recent change (clinic/warm.py: ACTIVE_DAYS). "
            "Runs at the lowest processor priority."
        ),
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=DEFAULT_INTERVAL_S,
        help=f"seconds between looks (default {DEFAULT_INTERVAL_S:g})",
    )
    parser.add_argument(
        "--once",
        action="store_true",
        help="draw what is due now (at the start: every client in treatment) and stop",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.interval > 0:
        raise WarmIntervalError(f"--interval: must be a positive number of seconds, got {args.interval}")
    os.nice(NICENESS)
    setup_django()
    from baclotrack.clinic.warm import Warmer

    warmer = Warmer()
    parent = os.getppid()
    while os.getppid() == parent:  # started by `baclotrack demo`, it stops when the demo does
        started = time.perf_counter()
        drawn = warmer.run_once(progress=_progress)
        if drawn:
            print(f"warm: {drawn} dashboard(s) drawn in {time.perf_counter() - started:.1f} s", flush=True)
        if args.once:
            return 0
        time.sleep(args.interval)
    return 0


def _progress(done: int, total: int) -> None:
    if total > 1 and sys.stderr.isatty():
        print(f"\rwarm: {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)
