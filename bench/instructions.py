"""Benchmark: a diary save and a first dashboard view in machine instructions, which do not depend on
how fast the machine happens to be running.

Method. A throwaway SQLite database gets the demo cohort (simulator, seed 2005), a personal diary
link for one client, and the client with two years of diary of bench/web.py (730 days, a titration
plan). A child process then runs, under valgrind's callgrind tool, one of two measures:

- **save**: it opens the diary with Django's test client, makes WARM_UP saves, then TIMED more saves
  of the real diary form (two beers, two intakes, craving, anxiety, note), each followed, as in the
  app, by the safety rules. The child sets Django up directly, without the workers' frozen
  start-up objects, as in every earlier count (for comparison between versions).
- **first view**: it starts as a gunicorn worker starts (it imports the WSGI module, decision 0180),
  signs in as clinician ``demo`` and renders the two-year client's dashboard WARM_UP_VIEWS times,
  then TIMED_VIEWS more times, each after emptying the dashboard cache: every render draws the
  chart and fits the dose-response again, as the first view after a diary change does.

Each measure runs twice from the same copy of the database, with PYTHONHASHSEED=0: once with no
timed action and once with the timed ones. The difference of the two instruction counts divided by
their number is the instructions of one action, request handling included (about the same in
gunicorn). Callgrind counts instructions, not seconds, so the figure repeats on any machine with
the same code and libraries, while wall-clock and CPU times on the shared virtual machines used
here move by up to 3x from one hour to the next (docs/benchmarks.md). A run takes about ten minutes
(valgrind is about 50x slower).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from _webkit import bench_database, demo_caseload, diary_form

WARM_UP = 5
TIMED = 30
WARM_UP_VIEWS = 2
TIMED_VIEWS = 5


def save_child(saves: int) -> None:
    """Run inside the database's environment: WARM_UP + ``saves`` diary saves through the test client."""
    import django

    django.setup()
    from django.test import Client as Browser

    token = os.environ["BENCH_DIARY_TOKEN"]
    browser = Browser()
    page = browser.get(f"/d/{token}/").content.decode()
    days = re.findall(rf'href="(/d/{re.escape(token)}/\d{{4}}-\d{{2}}-\d{{2}}/)"', page)
    for i in range(WARM_UP + saves):
        response = browser.post(days[i % len(days)], diary_form(f"bench {i}", i % 11, "unused"))
        if response.status_code != 302:
            raise RuntimeError(f"save {i} answered HTTP {response.status_code}")


def view_child(views: int) -> None:
    """Run inside the database's environment: WARM_UP_VIEWS + ``views`` first views of the dashboard."""
    import baclotrack.web.wsgi  # noqa: F401  (started as a gunicorn worker is)

    # isort: split
    from django.contrib.auth.models import User
    from django.test import Client as Browser

    from baclotrack.clinic import dashboard_cache

    browser = Browser()
    browser.force_login(User.objects.get(username="demo"))
    url = f"/clients/{os.environ['BENCH_CLIENT_ID']}/"
    for i in range(WARM_UP_VIEWS + views):
        dashboard_cache.clear()
        response = browser.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"view {i} answered HTTP {response.status_code}")


def two_year_client_child() -> None:
    """Run inside the database's environment: add bench/web.py's two-year client; print its id."""
    import django

    django.setup()
    from web import two_year_client

    print(json.dumps(two_year_client()))


#: measure -> (child flag, warm-up actions, timed actions, what one action is)
MEASURES = {
    "save": ("--save-child", WARM_UP, TIMED, "diary save (with the safety rules)"),
    "view": ("--view-child", WARM_UP_VIEWS, TIMED_VIEWS, "first view of a two-year dashboard (chart, fit)"),
}


def instructions(env: dict[str, str], flag: str, count: int, out: Path) -> int:
    """Instructions callgrind counts for the child ``flag`` with ``count`` timed actions."""
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
    command += [sys.executable, __file__, flag, str(count)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    found = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or found is None:
        raise RuntimeError(f"callgrind run failed:\n{result.stderr[-3000:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--view-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--two-year-client-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measures", default="save,view", help="comma-separated: save, view")
    args = parser.parse_args()
    if args.save_child is not None:
        save_child(args.save_child)
        return 0
    if args.view_child is not None:
        view_child(args.view_child)
        return 0
    if args.two_year_client_child:
        two_year_client_child()
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind not found: install Debian's valgrind package to run this benchmark.")
        return 1
    print("| measure | value |")
    print("|---|---|")
    with bench_database("sqlite") as database, tempfile.TemporaryDirectory() as folder:
        token = demo_caseload(database, sessions=0)["links"][3]
        made = subprocess.run(
            [sys.executable, __file__, "--two-year-client-child"],
            env=database.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if made.returncode != 0:
            raise RuntimeError(made.stderr[-3000:])
        client_id = json.loads(made.stdout.strip().splitlines()[-1])
        db_file = Path(database.url.removeprefix("sqlite:///"))
        with sqlite3.connect(db_file) as conn:  # everything into the main file before copying it
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pristine = Path(folder) / "pristine.sqlite3"
        shutil.copy(db_file, pristine)
        env = database.env | {
            "BENCH_DIARY_TOKEN": token,
            "BENCH_CLIENT_ID": str(client_id),
            "PYTHONHASHSEED": "0",
        }
        for name in args.measures.split(","):
            flag, warm_up, timed, what = MEASURES[name]
            counts = {}
            for count in (0, timed):
                shutil.copy(pristine, db_file)  # both runs start from the same database
                counts[count] = instructions(env, flag, count, Path(folder) / f"callgrind.{name}.{count}")
            each = (counts[timed] - counts[0]) / timed
            print(f"| {name}: instructions, set-up and {warm_up} warm-up | {counts[0] / 1e6:,.0f} million |")
            print(f"| {name}: instructions, the same and {timed} more | {counts[timed] / 1e6:,.0f} million |")
            print(f"| **instructions per {what}** | **{each / 1e6:.1f} million** |", flush=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baclotrack.web.settings")
    sys.exit(main())
