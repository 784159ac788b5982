"""`baclotrack trial`: analyse a parallel-arm trial from a drinking diary and a patient table.

    baclotrack trial --diary DIARY.csv --patients PATIENTS.csv
    baclotrack trial --diary DIARY.csv --patients PATIENTS.csv --json
    baclotrack trial --diary DIARY.csv --patients PATIENTS.csv --report trial.html

DIARY.csv: patient_id, date (YYYY-MM-DD), drinks (standard drinks of the patient's country;
blank = not reported). PATIENTS.csv: patient_id, sex, start_date, country, arm, dose_mg (the
arm's daily dose; the 0 mg arm is the reference; blank on every patient of an arm titrated per
patient, which is then compared with the reference but has no dose trend).
Methods: docs/methods/trial-analysis.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from baclotrack.analysis.lmm import ConvergenceError
from baclotrack.analysis.trial import TrialAnalysis, TrialDataError
from baclotrack.analysis.trial_report import render_trial_report
from baclotrack.cli.output import json_text
from baclotrack.exchange.csv_formats import TRIAL_PATIENTS_FORMAT
from baclotrack.exchange.diary_csv import read_diary_and_patients
from baclotrack.exchange.files import write_bytes_atomically

#: Exit code when the data are valid but a model cannot be fitted.
EXIT_NOT_CONVERGED = 3


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "trial",
        help="analyse a trial: arm summaries, lme4-grade mixed model, dose trend, GEE of daily counts",
        description="Analyse a parallel-arm trial from a daily drinking diary and a patient table with "
        "arm and dose_mg (the 0 mg arm is the reference; leave dose_mg blank for an arm titrated per "
        "patient: it is compared with the reference, but no dose trend is estimated).",
    )
    parser.add_argument("--diary", required=True, type=Path, help="CSV: patient_id, date, drinks")
    parser.add_argument(
        "--patients", required=True, type=Path, help="CSV: patient_id, sex, start_date, country, arm, dose_mg"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--report", type=Path, metavar="FILE.html", help="also write a self-contained HTML page"
    )
    parser.add_argument("--no-secondary", action="store_true", help="skip the GEE models of daily counts")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    diary, patients = read_diary_and_patients(args.diary, args.patients, TRIAL_PATIENTS_FORMAT)
    try:
        analysis = TrialAnalysis(secondary=not args.no_secondary).fit(diary, patients)
    except ConvergenceError as exc:
        print(f"baclotrack trial: the model could not be fitted: {exc}", file=sys.stderr)
        return EXIT_NOT_CONVERGED
    # Render everything before writing anything, so a failure never leaves half a report.
    page = render_trial_report(analysis, title=f"Trial analysis: {args.diary.name}") if args.report else None
    output = json_text(analysis.to_dict()) if args.json else analysis.summary()
    if page is not None:
        _write_atomically(args.report, page)
    print(output)
    return 0


def _write_atomically(path: Path, text: str) -> None:
    """All of the report or nothing (exchange/files.py); a missing folder is named."""
    if not path.resolve().parent.is_dir():
        raise TrialDataError(f"--report: directory {str(path.resolve().parent)!r} does not exist")
    write_bytes_atomically(text, path)
