"""`baclotrack evidence ...`: the bundled randomised trials of baclofen for AUD.

Sub-commands: ``list`` (the trials, or those reporting one outcome with their numbers).
Each sub-command is one entry in ``_ACTIONS``; adding one (e.g. ``meta``) means one more
``add_parser`` call and one more entry.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

import polars as pl

from baclotrack.evidence import BINARY_OUTCOMES, OUTCOMES, load_trials, outcome_table, trial_overview


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
    parser.set_defaults(func=run)


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


_ACTIONS: dict[str, Callable[[argparse.Namespace], int]] = {"list": run_list}


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
