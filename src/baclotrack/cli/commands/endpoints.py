"""`baclotrack endpoints`: trial endpoints per patient and study window from a daily diary.

    baclotrack endpoints --diary DIARY.csv --patients PATIENTS.csv \\
        [--window NAME:FIRST:LAST ...] [--heavy fda|ema] --out OUT.csv

The calculation is :func:`baclotrack.core.endpoints.compute_endpoints`; this module only
reads the files, passes the options and writes the result (all or nothing).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from baclotrack.core.endpoints import (
    DEFAULT_WINDOWS,
    compute_endpoints,
    diary_grams_from_drinks,
    parse_window,
)
from baclotrack.core.guidelines import DEFAULT_HEAVY_DAY, HEAVY_DAY_DEFINITIONS
from baclotrack.exchange.diary_csv import read_diary_and_patients
from baclotrack.exchange.files import write_csv_atomically


def _default_windows_text() -> str:
    return ", ".join(f"{w.name} {w.first}:{w.last}" for w in DEFAULT_WINDOWS)


def _heavy_text() -> str:
    """The heavy-day definitions as core/guidelines.py defines them, for --help."""
    texts = []
    for name, rule in sorted(HEAVY_DAY_DEFINITIONS.items()):
        at = ">=" if rule.inclusive else ">"
        default = "; default" if rule is DEFAULT_HEAVY_DAY else ""
        texts.append(f"{name} ({at} {rule.grams_women:g} g women, {at} {rule.grams_men:g} g men{default})")
    return " or ".join(texts)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "endpoints",
        help="trial endpoints (PDA, heavy days, drinks per day, WHO level) per patient and window",
        description=(
            "Compute drinking endpoints per patient and study window from a daily diary. Day 1 is the "
            "patient's start date and day -1 the day before (there is no day 0). A blank drinks cell or "
            "an absent day is not reported and never counts as abstinent."
        ),
    )
    parser.add_argument(
        "--diary",
        type=Path,
        required=True,
        metavar="DIARY.csv",
        help="columns patient_id, date (YYYY-MM-DD), drinks (standard drinks of the "
        "patient's country); other columns are ignored",
    )
    parser.add_argument(
        "--patients",
        type=Path,
        required=True,
        metavar="PATIENTS.csv",
        help="columns patient_id, sex (F or M), start_date, country "
        "(US, UK, FR, AU, CA, WHO; US when the column is absent)",
    )
    parser.add_argument(
        "--window",
        action="append",
        default=None,
        metavar="NAME:FIRST:LAST",
        help="a study window, e.g. baseline:-28:-1; repeat for more; replaces the defaults "
        f"({_default_windows_text()})",
    )
    parser.add_argument(
        "--heavy",
        choices=sorted(HEAVY_DAY_DEFINITIONS),
        default=DEFAULT_HEAVY_DAY.name,
        help=f"heavy drinking day definition: {_heavy_text()}",
    )
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="OUT.csv",
        help="output CSV, one row per patient and window; written only if all succeeds",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    windows = [parse_window(text) for text in args.window] if args.window else list(DEFAULT_WINDOWS)
    diary, patients = read_diary_and_patients(args.diary, args.patients)
    endpoints = compute_endpoints(
        diary_grams_from_drinks(diary, patients),
        patients,
        windows=windows,
        heavy=HEAVY_DAY_DEFINITIONS[args.heavy],
    )
    write_csv_atomically(endpoints, args.out)
    print(
        f"wrote {endpoints.height} rows ({patients.height} patients x {len(windows)} windows, "
        f"{args.heavy} heavy days) to {args.out}"
    )
    return 0
