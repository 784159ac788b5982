"""`baclotrack score INSTRUMENT ITEM...`: score a questionnaire from its item answers.

baclotrack score audit 4 4 3 2 1 2 1 0 2 4
baclotrack score audit-c 2 1 1 --sex F --json
baclotrack score ciwa-ar 1 2 1 2 1 0 0 0 1 0 --variant 8-15
baclotrack score --list
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from baclotrack.core.instruments import INSTRUMENTS, Instrument, InstrumentInputError, Score, get_instrument


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "score",
        help="score a questionnaire (AUDIT, AUDIT-C, OCDS, PACS, GAD-7, CIWA-Ar, STAI-Y1)",
        description="Score a questionnaire from its item answers, in item order.",
    )
    parser.add_argument("instrument", nargs="?", help="instrument id, e.g. audit (see --list)")
    parser.add_argument("items", nargs="*", metavar="ITEM", help="answers to items 1, 2, ... in order")
    parser.add_argument("--sex", type=str.upper, choices=["F", "M"], help="needed for the AUDIT-C cut-off")
    parser.add_argument(
        "--variant", help="another band set or scoring rule where sources differ (see --list)"
    )
    parser.add_argument("--json", action="store_true", help="print the score as JSON")
    parser.add_argument("--list", action="store_true", help="list instruments, their sources and variants")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.list:
        print(list_instruments())
        return 0
    if args.instrument is None:
        raise InstrumentInputError("instrument: give an instrument id, or --list to see them")
    instrument = get_instrument(args.instrument, variant=args.variant)
    result = instrument.score(parse_answers(instrument, args.items), sex=args.sex)
    print(json.dumps(result.to_dict(), indent=2) if args.json else describe(instrument, result))
    return 0


def parse_answers(instrument: Instrument, words: list[str]) -> list[int]:
    """Whole numbers from the command line; a word that is not one is reported by item number."""
    answers = []
    for number, word in enumerate(words, start=1):
        try:
            answers.append(int(word))
        except ValueError:
            raise InstrumentInputError(
                f"{instrument.name} item {number}: {word!r} is not a whole number"
            ) from None
    return answers


def describe(instrument: Instrument, result: Score) -> str:
    lines = [f"{instrument.name} ({instrument.title})"]
    lines.append(f"total: {result.total} (range {result.minimum}-{result.maximum})")
    if result.subscales:
        lines.append("subscales: " + ", ".join(f"{name} {value}" for name, value in result.subscales.items()))
    if result.band is not None:
        lines.append(f"band: {result.band}")
    if result.variant is not None:
        lines.append(f"scored with: {result.variant}")
    lines.append("flags:" if result.flags else "flags: none")
    lines.extend(f"  - {flag}" for flag in result.flags)
    return "\n".join(lines)


def list_instruments() -> str:
    lines = []
    for key, instrument in INSTRUMENTS.items():
        lines.append(
            f"{key:<8} {instrument.name}: {instrument.title}; {len(instrument.items)} items, "
            f"total {instrument.minimum}-{instrument.maximum}"
        )
        lines.append(f"         source: {instrument.source}")
        for name, source in instrument.variants().items():
            default = " (default)" if name == instrument.variant else ""
            lines.append(f"         variant {name}{default}: {source}")
    return "\n".join(lines)
