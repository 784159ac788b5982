"""`baclotrack doseresponse`: one client's dose-response, indifference dose and Emax curve.

    baclotrack doseresponse --diary DIARY.csv --patients PATIENTS.csv --patient CLI-001
    baclotrack doseresponse --diary DIARY.csv --patients PATIENTS.csv --patient CLI-001 --lag 1 --json
    baclotrack doseresponse ... --patient CLI-001 --plot cli-001.png

DIARY.csv: patient_id, date (YYYY-MM-DD), drinks (standard drinks of the patient's country)
or grams, dose_mg (taken that day), craving (0-10); blank = not reported. PATIENTS.csv:
patient_id, sex, country (US when absent), weight_kg (optional; for mg/kg/day).
Methods: docs/methods/dose-response.md.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import Any

import polars as pl

from baclotrack.analysis.doseresponse import (
    MAX_LAG_DAYS,
    OUTCOMES,
    DoseResponse,
    DoseResponseError,
    plot_dose_response,
)
from baclotrack.cli.output import json_text
from baclotrack.exchange.diary_csv import read_dose_response_tables
from baclotrack.exchange.files import write_bytes_atomically


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "doseresponse",
        help="one client's dose against craving and drinking: indifference dose and Emax curve",
        description="N-of-1 dose-response of one client: dose levels, the indifference dose, and an "
        "Emax curve of craving on dose with 95 % profile-likelihood intervals.",
    )
    parser.add_argument(
        "--diary", required=True, type=Path, help="CSV: patient_id, date, drinks, dose_mg, craving"
    )
    parser.add_argument(
        "--patients", required=True, type=Path, help="CSV: patient_id, sex, country, weight_kg"
    )
    parser.add_argument("--patient", required=True, help="patient_id of the client")
    parser.add_argument(
        "--lag",
        type=int,
        default=0,
        metavar="DAYS",
        help=f"pair each day with the dose DAYS earlier (0-{MAX_LAG_DAYS})",
    )
    parser.add_argument(
        "--outcome",
        choices=OUTCOMES,
        default="craving",
        help="what the Emax curve describes (default craving)",
    )
    parser.add_argument("--escalation-only", action="store_true", help="fit only the way up to the top dose")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--plot", type=Path, metavar="FILE.png", help="also write a figure")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Both files checked whole, every bad cell named by file, data row and column (decision 0093).
    diary, patients = read_dose_response_tables(args.diary, args.patients)
    patient = _patient(patients, args.patient, args.patients.name)
    result = DoseResponse(lag_days=args.lag, outcome=args.outcome, escalation_only=args.escalation_only).fit(
        diary, patient
    )
    output = json_text(result.to_dict()) if args.json else result.summary()
    if args.plot is not None:
        _save_figure(result, args.plot)
    print(output)
    return 0


def _patient(patients: pl.DataFrame, patient_id: str, source: str) -> dict[str, Any]:
    rows = patients.filter(pl.col("patient_id") == patient_id)
    if rows.height == 0:
        raise DoseResponseError(f"--patient: {patient_id!r} is not in {source}")
    if rows.height > 1:
        raise DoseResponseError(f"{source}: patient {patient_id!r} appears {rows.height} times")
    return rows.row(0, named=True)


def _save_figure(result: DoseResponse, path: Path) -> None:
    """Render, then rename into place: the target is the old file or the whole new one."""
    if not path.resolve().parent.is_dir():
        raise DoseResponseError(f"--plot: directory {str(path.resolve().parent)!r} does not exist")
    figure = plot_dose_response(result)
    image = io.BytesIO()
    figure.savefig(image, format="png", dpi=120)
    write_bytes_atomically(image.getvalue(), path)
