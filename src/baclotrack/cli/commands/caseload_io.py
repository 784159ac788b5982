"""`baclotrack import` and `baclotrack export`: a clinician's caseload as CSV files.

    baclotrack import patients|baseline|diary|visits FILE.csv --clinician USERNAME [--confirm]
    baclotrack import caseload DIR_OR_ZIP --clinician USERNAME [--confirm]
    baclotrack export caseload --clinician USERNAME --out DIR

Files are the formats of docs/data-formats.md. An import validates the whole file and refuses
it with every bad row listed; implausible values and corrections of stored days are listed
and need ``--confirm``; otherwise nothing is written. The work is done by
clinic/services/exchange.py (import) and clinic/exchange_tables.py (export).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from baclotrack.cli.clinic_db import clinician, setup_django
from baclotrack.core.errors import InputError
from baclotrack.exchange.files import write_files_atomically

#: Exit code when an import needs --confirm (nothing was written).
EXIT_NEEDS_CONFIRMATION = 1
KINDS = ("patients", "baseline", "diary", "visits", "caseload")


class CaseloadFilesError(InputError):
    """A caseload directory or zip without any of the expected files."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    importer = subparsers.add_parser(
        "import",
        help="import CSV files into a clinician's caseload (validated whole, one transaction, audited)",
        description="Import a patients, baseline calendar, diary or visits CSV file, or a whole caseload "
        "(a directory or zip holding patients.csv, baseline_calendar.csv, diary.csv, visits.csv).",
    )
    importer.add_argument("kind", choices=KINDS, help="what the file holds")
    importer.add_argument("path", type=Path, metavar="FILE", help="the CSV file (caseload: directory or zip)")
    importer.add_argument("--clinician", required=True, metavar="USERNAME", help="whose caseload")
    importer.add_argument(
        "--confirm", action="store_true", help="import even with implausible values or corrections"
    )
    importer.set_defaults(func=run_import)
    exporter = subparsers.add_parser(
        "export",
        help="export a clinician's caseload as CSV files (patients, baseline calendar, diary, visits)",
        description="Write patients.csv, baseline_calendar.csv, diary.csv and visits.csv of a caseload.",
    )
    exporter.add_argument("what", choices=["caseload"], help="what to export")
    exporter.add_argument("--clinician", required=True, metavar="USERNAME", help="whose caseload")
    exporter.add_argument("--out", type=Path, required=True, metavar="DIR", help="directory to write")
    exporter.set_defaults(func=run_export)


def caseload_files(path: Path) -> list[tuple[str, str, bytes]]:
    """(kind, name, content) of the caseload files in a directory or zip; absent files are skipped."""
    from baclotrack.clinic.exchange_tables import FILE_KINDS, caseload_zip_files

    if path.is_file():
        return caseload_zip_files(path.read_bytes(), str(path))
    if not path.is_dir():
        raise FileNotFoundError(2, "No such file or directory", str(path))
    found = [
        (kind, name, (path / name).read_bytes())
        for kind, name in FILE_KINDS.items()
        if (path / name).exists()
    ]
    if not found:
        raise CaseloadFilesError(f"{path}: holds none of {', '.join(FILE_KINDS.values())}")
    return found


def run_import(args: argparse.Namespace) -> int:
    setup_django()
    from django.utils import timezone

    from baclotrack.clinic.audit import Actor
    from baclotrack.clinic.services.exchange import import_files

    user = clinician(args.clinician)
    if args.kind == "caseload":
        files = caseload_files(args.path)
    else:
        files = [(args.kind, str(args.path), args.path.read_bytes())]
    report = import_files(Actor(user), user, files, today=timezone.localdate(), confirm=args.confirm)
    for outcome in report.files:
        print(
            f"{outcome.source}: {outcome.created} new, {outcome.corrected} corrected, "
            f"{outcome.unchanged} unchanged"
        )
        for warning in outcome.warnings:
            print(f"  please confirm: {warning}")
    if not report.applied:
        print("nothing was imported: check the rows above and run again with --confirm")
        return EXIT_NEEDS_CONFIRMATION
    print(f"imported into the caseload of {user.get_username()}: {report.changed} records written")
    return 0


def run_export(args: argparse.Namespace) -> int:
    setup_django()
    from baclotrack.clinic.access import clients_for
    from baclotrack.clinic.exchange_tables import caseload_csv

    user = clinician(args.clinician)
    clients = list(clients_for(user))
    write_files_atomically(caseload_csv(clients), args.out)
    print(f"wrote the caseload of {user.get_username()} ({len(clients)} clients) to {args.out}")
    return 0
