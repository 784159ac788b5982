"""`baclotrack research-export --out DIR [--clinician U ...] [--seed N] [--k 5]`: de-identified tables.

Writes PATIENTS.csv and DIARY.csv (the inputs of `baclotrack endpoints`; add an arm column for
`baclotrack trial`) and k_anonymity.txt, made by exchange/research.py from the live clients of
the named caseloads (all caseloads when none is named). Methods: docs/research-export.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from baclotrack.cli.clinic_db import live_clients, setup_django
from baclotrack.exchange.files import write_files_atomically
from baclotrack.exchange.research import DEFAULT_K, KAnonymityReport


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "research-export",
        help="de-identified PATIENTS.csv, DIARY.csv and a k-anonymity report of the clinic's clients",
        description="Study ids for client codes, dates shifted by whole weeks per client, birth year and "
        "weight in bands, no free text; the k-anonymity of the release is reported, not enforced.",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="directory to write")
    parser.add_argument(
        "--clinician",
        action="append",
        metavar="USERNAME",
        help="include this clinician's caseload (repeat for more; default: every caseload)",
    )
    parser.add_argument(
        "--seed", type=int, help="fix study ids and date shifts (keep it confidential; default: fresh)"
    )
    parser.add_argument("--k", type=int, default=DEFAULT_K, help=f"k of the k-anonymity check ({DEFAULT_K})")
    parser.set_defaults(func=run)


def k_anonymity_text(report: KAnonymityReport) -> str:
    lines = [report.summary(), ""]
    if report.below_k.height:
        lines.append(f"Equivalence classes with fewer than {report.k} patients:")
        for record in report.below_k.iter_rows(named=True):
            values = ", ".join(f"{q}={record[q]}" for q in report.quasi_identifiers)
            lines.append(f"  {values}: {record['patients']} patient(s)")
    else:
        lines.append(f"Every equivalence class has at least {report.k} patients.")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    setup_django()
    from baclotrack.clinic.exchange_tables import research_tables
    from baclotrack.exchange.research import deidentify

    names = args.clinician or [None]
    clients = {c.pk: c for name in names for c in live_clients(name)}
    patients, diary = research_tables(sorted(clients.values(), key=lambda c: c.code))
    export = deidentify(patients, diary, seed=args.seed, k=args.k)
    files = export.to_csv() | {"k_anonymity.txt": k_anonymity_text(export.k_anonymity)}
    write_files_atomically(files, args.out)
    print(f"wrote {export.patients.height} patients and {export.diary.height} diary days to {args.out}")
    print(export.k_anonymity.summary())
    return 0
