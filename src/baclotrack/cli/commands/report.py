"""`baclotrack report CLIENT_CODE --out FILE.pdf [--clinician USERNAME] [--html]`: the prescriber's report.

The same data and template as the dashboard's report link (clinic/prescriber_report.py);
the file is written only once the whole report is made.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from baclotrack.cli.clinic_db import client_by_code, setup_django
from baclotrack.exchange.files import write_bytes_atomically

if TYPE_CHECKING:
    from baclotrack.reports.render import ReportFormat


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "report",
        help="the prescriber's report of one client of the clinic (PDF, or HTML with --html)",
        description="Write the prescriber's report of a client, as the dashboard's report link shows it.",
    )
    parser.add_argument("code", metavar="CLIENT_CODE", help="the client's pseudonymous code")
    parser.add_argument(
        "--out", type=Path, required=True, metavar="FILE.pdf", help="the report file to write"
    )
    parser.add_argument(
        "--clinician", metavar="USERNAME", help="look the code up only in this clinician's caseload"
    )
    parser.add_argument("--html", action="store_true", help="write printable HTML instead of PDF")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    setup_django()
    from django.utils import timezone

    from baclotrack.clinic.prescriber_report import prescriber_report

    client = client_by_code(args.code, args.clinician)
    fmt: ReportFormat = "html" if args.html else "pdf"
    write_bytes_atomically(prescriber_report(client, fmt, timezone.localdate()), args.out)
    print(f"wrote the {fmt.upper()} report of {client.code} to {args.out}")
    return 0
