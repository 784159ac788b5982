"""`baclotrack evidence ...`: the bundled randomised trials of baclofen for AUD.

Sub-commands: ``list`` (the trials, or those reporting one outcome with their numbers) and
``meta`` (pool one outcome; optionally by dose, as JSON, with a forest plot).
Each sub-command is one entry in ``_ACTIONS``; adding one means one more ``add_parser`` call and
one more entry. Thin: the numbers come from :mod:`baclotrack.evidence.pooling`.

    baclotrack evidence meta OUTCOME [--by dose] [--method FE|MH|DL|REML|PM] [--knha]
                                     [--forest [FILE.png]] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl

from baclotrack.analysis.meta import ConvergenceError, Method, forest_plot
from baclotrack.core.errors import InputError
from baclotrack.evidence import BINARY_OUTCOMES, OUTCOMES, load_trials, outcome_table, trial_overview
from baclotrack.evidence.pooling import COCHRANE_2023, DEFAULT_MEASURES, OutcomePooling, pool_outcome

#: Exit code when the data are fine but the estimator gives no answer (REML not converging),
#: as for ``baclotrack meta``.
EXIT_NO_RESULT = 1
#: File types matplotlib writes that a forest plot may be saved as (chosen by the suffix).
FOREST_SUFFIXES = (".png", ".pdf", ".svg")


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "evidence",
        help="randomised trials of baclofen for alcohol use disorder (bundled, with sources)",
        description="Randomised trials of baclofen for alcohol use disorder, bundled with their sources.",
    )
    actions = parser.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list",
        help="list the trials: year, population, regimen, n and which outcomes have data",
        description="List the bundled trials. With --outcome, only the trials reporting that outcome, "
        "followed by their per-comparison numbers (baclofen arm vs placebo arm).",
    )
    listing.add_argument("--outcome", choices=OUTCOMES, help="show only trials with data for this outcome")
    _add_meta_parser(actions)
    parser.set_defaults(func=run)


def _add_meta_parser(actions: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    measures = ", ".join(f"{o} {m.value}" for o, m in DEFAULT_MEASURES.items())
    meta = actions.add_parser(
        "meta",
        help="pool one outcome across the bundled trials (random effects by default)",
        description="Pool every baclofen-vs-placebo comparison reporting OUTCOME in the bundled trials "
        f"(numbers as R metafor). Measures follow Cochrane 2023: {measures}.",
    )
    meta.add_argument("outcome", choices=OUTCOMES, metavar="OUTCOME", help=", ".join(OUTCOMES))
    meta.add_argument(
        "--by", choices=["dose"], help="add a meta-regression on dose and a high/low dose split"
    )
    meta.add_argument(
        "--method",
        type=str.upper,
        default=Method.REML.value,
        choices=[m.value for m in Method],
        help="pooling method (default REML)",
    )
    meta.add_argument("--knha", action="store_true", help="Knapp-Hartung tests and intervals (t, k-1 df)")
    meta.add_argument(
        "--forest",
        nargs="?",
        const="",
        type=str,
        metavar="FILE.png",
        help="save a forest plot (default name: evidence-OUTCOME-forest.png in the current directory)",
    )
    meta.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace) -> int:
    action: Callable[[argparse.Namespace], int] = _ACTIONS[args.evidence_command]
    return action(args)


def run_list(args: argparse.Namespace) -> int:
    arms = load_trials()
    overview = trial_overview(arms)
    if args.outcome is not None:
        overview = overview.filter(pl.col("outcomes").list.contains(args.outcome))
    title = "Randomised trials of baclofen for alcohol use disorder"
    suffix = f" reporting {args.outcome}" if args.outcome else ""
    print(f"{title}{suffix}: {overview.height} trials (sources: docs/evidence.md)")
    if overview.is_empty():
        print(f"No bundled trial reports {args.outcome} yet; docs/evidence.md says what is missing.")
        return 0
    rows = [
        [
            str(r["year"]),
            r["study"],
            r["population"],
            "?" if r["n_randomised"] is None else str(r["n_randomised"]),
            r["regimen"],
            _outcome_list(r["outcomes"], r["poolable_outcomes"]),
        ]
        for r in overview.iter_rows(named=True)
    ]
    print(_table(["Year", "Study", "Population", "n", "Baclofen regimen", "Outcomes with data"], rows))
    print("n: randomised (? = arm sizes not reported). *: reported, not yet poolable (SD or n missing).")
    if args.outcome is not None:
        print()
        print(_comparisons(outcome_table(args.outcome, arms), args.outcome))
    return 0


def run_meta(args: argparse.Namespace) -> int:
    forest = _forest_path(args.forest, args.outcome)
    try:
        result = pool_outcome(args.outcome, method=args.method, knha=args.knha, by=args.by)
    except ConvergenceError as exc:
        print(f"baclotrack evidence meta: {exc}", file=sys.stderr)
        return EXIT_NO_RESULT
    for message in result.warnings:
        print(f"baclotrack evidence meta: warning: {message}", file=sys.stderr)
    if forest is not None:
        if result.fit is None:
            print(f"baclotrack evidence meta: no forest plot written: {result.reason}", file=sys.stderr)
        else:
            # The figure is complete before anything is written, so a failure never leaves half a file.
            title = f"Baclofen vs placebo, {args.outcome}: {result.measure.value} ({result.method.value})"
            forest_plot(result.fit, title=title).savefig(forest, dpi=150)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(_meta_text(result))
        if forest is not None and result.fit is not None:
            print(f"\nForest plot written to {forest}")
    return 0


def _forest_path(value: str | None, outcome: str) -> Path | None:
    """Where --forest writes: the given file, or evidence-OUTCOME-forest.png in the current directory."""
    if value is None:
        return None
    path = Path(value or f"evidence-{outcome}-forest.png")
    if path.suffix.lower() not in FOREST_SUFFIXES:
        raise InputError(f"--forest {path}: the file name must end in {', '.join(FOREST_SUFFIXES)}")
    if not path.parent.is_dir():
        raise InputError(f"--forest {path}: the folder {path.parent} does not exist")
    return path


def _meta_text(result: OutcomePooling) -> str:
    head = (
        f"Baclofen vs placebo, {result.outcome}: {result.measure.value}, {result.table.height} comparisons "
        f"from {result.trials} trials (sources: docs/evidence.md)"
    )
    parts = [head]
    if result.fit is None:
        parts.append(f"No pooled result: {result.reason}.")
        if not result.table.is_empty():
            parts.append(_comparisons(result.table, result.outcome))
    else:
        parts += [result.fit.summary(), _pooled_studies(result)]
    if result.dose is not None:
        parts.append(_dose_text(result))
    reference = COCHRANE_2023.get(result.outcome)
    if reference is not None:
        studies = "" if reference["studies"] is None else f", {reference['studies']} studies"
        parts.append(
            f"Cochrane 2023 (Agabio et al., CD012557.pub3): {reference['measure']} {reference['estimate']:g} "
            f"({reference['ci_low']:g} to {reference['ci_high']:g}{studies}); docs/evidence.md compares."
        )
    return "\n\n".join(parts)


def _pooled_studies(result: OutcomePooling) -> str:
    """Each comparison's effect and CI, back-transformed for RR and OR, with its weight."""
    back = math.exp if result.measure.is_log_scale else float
    rows = [
        [
            row["study"],
            _number(row["dose_mg"]),
            f"{back(row['yi']):.2f}",
            f"{back(row['ci_low']):.2f} to {back(row['ci_high']):.2f}",
            f"{row['weight_percent']:.1f}",
        ]
        for row in result.to_dict()["studies"]
    ]
    header = ["Comparison", "Dose mg/day", result.measure.value, "95 % CI", "Weight %"]
    return _table(header, rows)


def _dose_text(result: OutcomePooling) -> str:
    dose = result.dose
    assert dose is not None
    lines = [f"By dose (mean achieved dose, else target; high = above {dose.high_dose_above_mg:g} mg/day):"]
    if dose.without_dose:
        lines.append(f"  left out, dose not reported: {'; '.join(dose.without_dose)}")
    if dose.regression is None:
        lines.append(f"  No meta-regression: {dose.regression_reason}.")
    else:
        lines += [f"  {line}".rstrip() for line in dose.regression.summary().splitlines()]
    if dose.subgroups is None:
        lines.append(f"  No subgroup comparison: {dose.subgroup_reason}.")
    else:
        sub = dose.subgroups
        back = math.exp if result.measure.is_log_scale else float
        for name, fit in sub.fits.items():
            low, high = back(fit.ci_low_), back(fit.ci_high_)
            estimate = f"{result.measure.value} {back(fit.estimate_):.2f} ({low:.2f} to {high:.2f})"
            lines.append(f"  {name}: k = {fit.k_}, {estimate}")
        lines.append(f"  Test of subgroup differences: Q({sub.df}) = {sub.q_between:.4f}, p = {sub.pval:.4f}")
    return "\n".join(lines)


_ACTIONS: dict[str, Callable[[argparse.Namespace], int]] = {"list": run_list, "meta": run_meta}


def _outcome_list(outcomes: Sequence[str], poolable: Sequence[str]) -> str:
    return ", ".join(o if o in poolable else f"{o}*" for o in outcomes) or "-"


def _number(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _comparisons(table: pl.DataFrame, outcome: str) -> str:
    """The usable comparisons for one outcome, as the meta-analysis will see them."""
    binary = outcome in BINARY_OUTCOMES
    rows = []
    for r in table.iter_rows(named=True):
        if binary:
            cells = [f"{r['events_t']:g}/{r['n_t']:g}", f"{r['events_c']:g}/{r['n_c']:g}"]
        else:
            cells = [
                f"{r['mean_t']:g} ({r['sd_t']:g}) n={r['n_t']:g}",
                f"{r['mean_c']:g} ({r['sd_c']:g}) n={r['n_c']:g}",
            ]
        rows.append([r["study"], *cells, _number(r["dose_mg"])])
    kind = "events/n" if binary else "mean (SD) n"
    header = [f"Comparison ({outcome})", f"Baclofen {kind}", f"Placebo {kind}", "Dose mg/day"]
    note = (
        "Placebo arms shared by several doses are split evenly between them (Cochrane Handbook 23.3.4)."
        if (table["control_share"] > 1).any()
        else ""
    )
    if table.is_empty():
        return f"No trial reports {outcome} in full for both arms yet."
    return _table(header, rows) + (f"\n{note}" if note else "")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in [list(header), *map(list, rows)]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
