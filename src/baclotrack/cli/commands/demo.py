"""`baclotrack demo`: migrate, load the demo cohort once, print the URL and users, and serve."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from baclotrack.core.errors import InputError


class DemoPortError(InputError):
    """A PORT that cannot be served on."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the clinic web app on a demo database (SQLite under ./var/) with a demo cohort",
        description="Migrate, load the demo cohort once, and serve at http://127.0.0.1:$PORT (default 8000).",
    )
    parser.add_argument("--no-serve", action="store_true", help="set up the demo database and stop")
    parser.set_defaults(func=run)


def demo_port() -> int:
    raw = os.environ.get("PORT", "8000")
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise DemoPortError(f"PORT: expected a port number from 1 to 65535, got {raw!r}")
    return int(raw)


def run(args: argparse.Namespace) -> int:
    port = demo_port()
    # The demo is the one place DEBUG is on (settings.py reads it from the environment).
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baclotrack.web.settings")
    import django
    from django.core.management import call_command

    django.setup()
    from django.utils import timezone

    from baclotrack.clinic.demo import DEMO_CLIENT_LOGIN, DEMO_CLINICIAN, DEMO_CLINICIAN_2, load_demo

    call_command("migrate", interactive=False, verbosity=0)
    summary = load_demo(timezone.localdate())
    state = "loaded" if summary.created else "already present"
    print(f"Demo cohort {state}: {summary.clients} clients in the caseload of {DEMO_CLINICIAN[0]!r}.")
    print(f"Open http://127.0.0.1:{port}/ and sign in as:")
    print(f"  clinician   {DEMO_CLINICIAN[0]} / {DEMO_CLINICIAN[1]}   (AMEISEN-2005 and 30 more)")
    print(f"  clinician   {DEMO_CLINICIAN_2[0]} / {DEMO_CLINICIAN_2[1]}   (an empty caseload)")
    print(f"  client      {DEMO_CLIENT_LOGIN[0]} / {DEMO_CLIENT_LOGIN[1]}   (the diary of AMEISEN-2005)")
    if args.no_serve:
        return 0
    # The dashboards' drawings are made ahead by a low-priority warmer beside the server (0185).
    warmer = subprocess.Popen([sys.executable, "-m", "baclotrack.cli", "warm"])
    try:
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
    finally:
        warmer.terminate()
        warmer.wait(timeout=10)
    return 0
