"""`baclotrack meta`: pool a table of studies (metafor-compatible numbers).

    baclotrack meta --studies S.csv --measure RR|OR|RD|MD|SMD|GEN --method FE|MH|DL|REML|PM
                    [--knha] [--json] [--forest FILE.png]

S.csv columns: study, events_t, n_t, events_c, n_c (RR, OR, RD); study, mean_t, sd_t, n_t, mean_c,
sd_c, n_c (MD, SMD); study, yi, vi (GEN). Thin: reading, argument parsing and printing only; the
numbers come from :mod:`baclotrack.analysis.meta`.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from typing import Any

import polars as pl

from baclotrack.analysis.meta import (
    ConvergenceError,
    Measure,
    MetaAnalysis,
    MetaInputError,
    Method,
    StatisticalWarning,
    effect_sizes_from_frame,
    forest_plot,
    parse_measure,
    parse_method,
)

#: Exit code when the data are fine but the estimator cannot give an answer (REML not converging).
EXIT_NO_RESULT = 1


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "meta",
        help="meta-analysis of a table of studies (numbers match R metafor)",
        description="Pool a CSV of studies: effect sizes as metafor::escalc, pooling as rma / rma.mh.",
    )
    parser.add_argument("--studies", required=True, type=Path, metavar="S.csv", help="one row per study")
    parser.add_argument("--measure", required=True, type=str.upper, choices=[m.value for m in Measure])
    parser.add_argument("--method", required=True, type=str.upper, choices=[m.value for m in Method])
    parser.add_argument("--knha", action="store_true", help="Knapp-Hartung tests and intervals (t, k-1 df)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--forest", type=Path, metavar="FILE.png", help="save a forest plot")
    parser.set_defaults(func=run)


def _read_studies(path: Path) -> pl.DataFrame:
    try:
        return pl.read_csv(path, infer_schema_length=None)
    except pl.exceptions.NoDataError:
        raise MetaInputError(f"--studies {path}: the file is empty") from None
    except pl.exceptions.ComputeError as exc:
        raise MetaInputError(f"--studies {path}: not a readable CSV ({exc})") from None


def run(args: argparse.Namespace) -> int:
    measure = parse_measure(args.measure)
    method = parse_method(args.method)
    if method is Method.MH and not measure.is_binary:
        raise MetaInputError(
            f"--method MH: Mantel-Haenszel needs a binary measure (RR, OR, RD), not {measure}"
        )
    frame = _read_studies(args.studies)
    effects = effect_sizes_from_frame(frame, measure)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", StatisticalWarning)
            fit = MetaAnalysis(method, knha=args.knha).fit(effects)
    except ConvergenceError as exc:
        print(f"baclotrack meta: {exc}", file=sys.stderr)
        return EXIT_NO_RESULT
    for warning in caught:
        print(f"baclotrack meta: warning: {warning.message}", file=sys.stderr)
    if args.forest is not None:
        # The figure is complete before anything is written, so a failure never leaves half a file.
        figure = forest_plot(fit, title=f"{args.studies.name}: {measure} ({method})")
        figure.savefig(args.forest, dpi=150)
    if args.json:
        print(json.dumps(fit.to_dict(), indent=2))
    else:
        print(fit.summary())
        print()
        print(_study_table(fit))
    return 0


def _study_table(fit: MetaAnalysis) -> str:
    frame = fit.to_frame()
    width = max(5, *(len(s) for s in frame["study"].to_list()))
    lines = [f"{'study':<{width}}  {'yi':>9}  {'ci_low':>9}  {'ci_high':>9}  {'weight %':>8}"]
    for row in frame.iter_rows(named=True):
        lines.append(
            f"{row['study']:<{width}}  {row['yi']:9.4f}  {row['ci_low']:9.4f}  {row['ci_high']:9.4f}"
            f"  {row['weight_percent']:8.2f}"
        )
    return "\n".join(lines)
