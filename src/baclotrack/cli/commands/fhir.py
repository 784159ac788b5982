"""`baclotrack fhir export|import`: one client as a FHIR R4 bundle (docs/fhir.md).

    baclotrack fhir export CLIENT_CODE --out BUNDLE.json [--clinician USERNAME]
    baclotrack fhir import BUNDLE.json --clinician USERNAME [--start YYYY-MM-DD]

Export reads the client through clinic/fhir_records.py; import writes through the clinic's
services in one transaction (clinic/services/fhir_import.py) and refuses a client code that is
already used, writing nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from baclotrack.cli.clinic_db import client_by_code, clinician, setup_django
from baclotrack.core.errors import InputError
from baclotrack.exchange.files import write_bytes_atomically


class StartDateError(InputError):
    """A --start that is not a date."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("fhir", help="export or import one client as a FHIR R4 bundle")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    exporter = actions.add_parser("export", help="write a client's FHIR bundle (JSON)")
    exporter.add_argument("code", metavar="CLIENT_CODE")
    exporter.add_argument("--out", type=Path, required=True, metavar="BUNDLE.json")
    exporter.add_argument("--clinician", metavar="USERNAME", help="look the code up in this caseload only")
    exporter.set_defaults(func=run_export)
    importer = actions.add_parser("import", help="create a client from a FHIR bundle in a caseload")
    importer.add_argument("path", type=Path, metavar="BUNDLE.json")
    importer.add_argument("--clinician", required=True, metavar="USERNAME", help="whose caseload")
    importer.add_argument(
        "--start",
        metavar="YYYY-MM-DD",
        help="start of treatment (default: the first prescribed day in the bundle)",
    )
    importer.set_defaults(func=run_import)


def run_export(args: argparse.Namespace) -> int:
    setup_django()
    from django.utils import timezone

    from baclotrack.clinic.fhir_records import client_bundle_json

    client = client_by_code(args.code, args.clinician)
    write_bytes_atomically(client_bundle_json(client, timezone.localdate()).encode("utf-8"), args.out)
    print(f"wrote the FHIR bundle of {client.code} to {args.out}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    setup_django()
    from baclotrack.clinic.audit import Actor
    from baclotrack.clinic.services.fhir_import import import_client_bundle

    try:
        start = None if args.start is None else dt.date.fromisoformat(args.start)
    except ValueError:
        raise StartDateError(f"--start: expected a date YYYY-MM-DD, got {args.start!r}") from None
    user = clinician(args.clinician)
    client = import_client_bundle(Actor(user), user, args.path.read_bytes(), treatment_start=start)
    print(
        f"imported {client.code} into the caseload of {user.get_username()}: "
        f"{client.diary_days.count()} diary days, {client.assessments.count()} questionnaires, "
        f"{client.visits.count()} dose periods"
    )
    return 0
