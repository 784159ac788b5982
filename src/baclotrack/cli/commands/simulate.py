"""`baclotrack simulate`: write a simulated cohort as DIARY.csv and PATIENTS.csv.

    baclotrack simulate --design clinic --seed 1 --out demo/
    baclotrack simulate --design bacloville --seed 7 --out trial/ --n 100

The files are in the formats `baclotrack endpoints` and `baclotrack trial` read. PATIENTS.csv
also carries the latent truth (ed50_mg, course, ...) so that analyses can be checked against
it. Designs and the model: docs/methods/simulation.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from baclotrack.analysis.simulate import DESIGNS, simulate
from baclotrack.core.errors import InputError
from baclotrack.exchange.files import write_files_atomically


class OutputError(InputError):
    """An output location that cannot be written."""


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="simulate a cohort or trial and write DIARY.csv and PATIENTS.csv",
        description="Simulate synthetic clients (designs: " + ", ".join(DESIGNS) + ") and write "
        "DIR/DIARY.csv and DIR/PATIENTS.csv. The same design, seed and --n always give the same files.",
    )
    parser.add_argument("--design", required=True, help="design name: " + ", ".join(DESIGNS))
    parser.add_argument("--seed", required=True, type=int, help="random seed (a whole number >= 0)")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="directory to write into")
    parser.add_argument("--n", type=int, default=None, help="number of clients instead of the design's own")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    sim = simulate(args.design, seed=args.seed, n=args.n)
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out: {str(out)!r} exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    # Both files are written to temporary names first and renamed only when both are complete.
    write_files_atomically(
        {
            "DIARY.csv": sim.diary.write_csv(date_format="%Y-%m-%d"),
            "PATIENTS.csv": sim.patients.write_csv(date_format="%Y-%m-%d"),
        },
        out,
    )
    print(
        f"simulated {sim.patients.height} clients, {sim.diary.height} diary days "
        f"({sim.design}, seed {sim.seed}) -> {out / 'DIARY.csv'}, {out / 'PATIENTS.csv'}"
    )
    return 0
