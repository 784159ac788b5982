"""`baclotrack titrate`: print or save a day-by-day baclofen titration plan.

Thin: parses arguments, calls :func:`baclotrack.core.titration.plan.generate_plan`, prints a
table or writes PLAN.csv. Every dose rule lives in the core.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from baclotrack.core.errors import InputError
from baclotrack.core.titration.caps import REGULATORY_CAPS, get_regulatory_cap, user_cap
from baclotrack.core.titration.plan import Plan, PlanDay, default_plan_days, generate_plan
from baclotrack.core.titration.protocols import PROTOCOLS, get_protocol
from baclotrack.core.titration.tablets import DEFAULT_TABLETS, TABLET_SETS, get_tablet_set
from baclotrack.exchange.files import write_bytes_atomically

#: PLAN.csv columns, in order (the CLI contract).
CSV_COLUMNS = ("day", "date", "mg_per_day", "intakes", "mg_per_kg", "note")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "titrate",
        help="day-by-day baclofen titration plan",
        description=(
            "Print or save a day-by-day baclofen titration plan. Doses never exceed the protocol ceiling, "
            "the regulatory and prescriber caps, or the renal limit; each capped day says why. "
            "Default --days: until the protocol's final dose, plus one week at it."
        ),
    )
    parser.add_argument("--list", action="store_true", help="list the protocols with their sources and exit")
    parser.add_argument("--protocol", metavar="NAME", help="protocol id (see --list)")
    parser.add_argument("--start", metavar="YYYY-MM-DD", help="date of day 1")
    parser.add_argument("--weight-kg", metavar="W", help="client weight in kg (adds mg/kg)")
    parser.add_argument("--days", metavar="N", help="number of days to plan")
    parser.add_argument("--max-mg-per-day", metavar="CAP", help="the prescriber's maximum for this client")
    parser.add_argument("--crcl", metavar="ML_PER_MIN", help="Cockcroft-Gault creatinine clearance, ml/min")
    parser.add_argument("--dialysis", action="store_true", help="client on dialysis (about 5 mg/day)")
    parser.add_argument(
        "--regulatory-cap",
        metavar="ID",
        action="append",
        default=[],
        help=f"apply a regulatory cap; repeatable ({', '.join(REGULATORY_CAPS)})",
    )
    parser.add_argument(
        "--tablets",
        metavar="SET",
        default=DEFAULT_TABLETS.id,
        help=f"tablet strengths available ({', '.join(TABLET_SETS)}; default {DEFAULT_TABLETS.id})",
    )
    parser.add_argument("--out", metavar="PLAN.csv", help="write the plan as CSV instead of printing it")
    parser.set_defaults(func=run)


def _number(flag: str, value: str | None, unit: str) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise InputError(f"{flag}: expected a number in {unit}, got {value!r}") from None


def _whole(flag: str, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise InputError(f"{flag}: expected a whole number of days, got {value!r}") from None


def _date(flag: str, value: str | None) -> dt.date:
    if value is None:
        raise InputError(f"{flag}: required (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{flag}: expected a date as YYYY-MM-DD, got {value!r}") from None


def build_plan(args: argparse.Namespace) -> Plan:
    """The plan the arguments ask for; InputError names the flag at fault."""
    if not args.protocol:
        raise InputError("--protocol: required (see `baclotrack titrate --list`)")
    protocol = get_protocol(args.protocol)
    start = _date("--start", args.start)
    caps = [get_regulatory_cap(cap_id) for cap_id in args.regulatory_cap]
    max_mg = _number("--max-mg-per-day", args.max_mg_per_day, "mg/day")
    if max_mg is not None:
        caps.append(user_cap(max_mg))
    return generate_plan(
        protocol,
        start,
        days=_whole("--days", args.days),
        weight_kg=_number("--weight-kg", args.weight_kg, "kg"),
        caps=caps,
        crcl_ml_min=_number("--crcl", args.crcl, "ml/min"),
        dialysis=args.dialysis,
        tablets=get_tablet_set(args.tablets),
    )


def _row(step: PlanDay) -> list[str]:
    mg_per_kg = "" if step.mg_per_kg is None else f"{step.mg_per_kg:.2f}"
    return [
        str(step.day),
        step.date.isoformat(),
        f"{step.mg_per_day:g}",
        step.format_intakes(),
        mg_per_kg,
        step.note,
    ]


def plan_csv(plan: Plan) -> str:
    """The plan as CSV text with :data:`CSV_COLUMNS`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_row(step) for step in plan.steps)
    return buffer.getvalue()


def plan_table(plan: Plan) -> str:
    """A readable table with the plan's source and caps above it."""
    lines = [f"{plan.title}", f"Source: {plan.source}"]
    lines += [f"Note: {note}" for note in plan.notes if note]
    lines.append("Caps: " + "; ".join(f"{c.mg_per_day:g} mg/day ({c.label})" for c in plan.caps))
    lines.append(f"Tablets: {plan.tablets.describe()}")
    lines.append("")
    header = ("day", "date", "mg/day", "intakes", "mg/kg", "note")
    rows = [header, *(tuple(_row(step)) for step in plan.steps)]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for r in rows:
        cells = [r[i].rjust(widths[i]) if i in (0, 2, 4) else r[i].ljust(widths[i]) for i in range(5)]
        lines.append(("  ".join(cells) + "  " + r[5]).rstrip())
    return "\n".join(lines) + "\n"


def protocol_list() -> str:
    lines = []
    for p in PROTOCOLS.values():
        if p.fixed_dose:
            schedule = f"fixed {p.start_mg_per_day:g} mg/day in {p.intakes_per_day} intakes"
        else:
            schedule = (
                f"start {p.start_mg_per_day:g} mg/day for {p.start_days} days, +{p.step_mg:g} mg every "
                f"{p.interval_days} days to {p.final_mg_per_day:g} mg/day (ceiling {p.ceiling_mg_per_day:g}; "
                f"default --days {default_plan_days(p)})"
            )
        lines += [
            f"{p.id}: {p.name}",
            f"    {schedule}",
            f"    source: {p.source}",
            f"    note: {p.note}",
            "",
        ]
    lines.append("Regulatory caps (--regulatory-cap):")
    lines += [f"    {key}: {c.mg_per_day:g} mg/day, {c.source}" for key, c in REGULATORY_CAPS.items()]
    lines.append("Tablet sets (--tablets):")
    lines += [f"    {key}: {t.describe()}; {t.source}" for key, t in TABLET_SETS.items()]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    if args.list:
        print(protocol_list(), end="")
        return 0
    plan = build_plan(args)
    if args.out:
        write_bytes_atomically(plan_csv(plan), Path(args.out))
        print(f"wrote {len(plan.steps)} days to {args.out}")
    else:
        print(plan_table(plan), end="")
    return 0
