"""Benchmark: the cost of one diary save in machine instructions, which do not depend on how fast the
machine happens to be running.

Method. A throwaway SQLite database gets the demo cohort (simulator, seed 2005) and a personal diary
link for one client. A child process sets up Django, opens the diary with Django's test client, makes
WARM_UP saves, then TIMED more saves of the real diary form (two beers, two intakes, craving,
anxiety, note), each followed, as in the app, by the safety rules. The child runs twice under
valgrind's callgrind tool, from the same copy of the database, with PYTHONHASHSEED=0: once with no
timed save and once with TIMED. The difference of the two instruction counts divided by TIMED is the
instructions of one save, request handling included (about the same in gunicorn). Callgrind counts
instructions, not seconds, so the figure repeats on any machine with the same code and libraries,
while wall-clock and CPU times on the shared virtual machines used here move by up to 2x from one
hour to the next (docs/benchmarks.md). A run takes about five minutes (valgrind is 50x slower).
"""

from __future__ import annotations

import argparse
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


def child(saves: int) -> None:
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


def instructions(env: dict[str, str], saves: int, out: Path) -> int:
    """Instructions callgrind counts for the child with ``saves`` timed saves."""
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
    command += [sys.executable, __file__, "--child", str(saves)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    found = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or found is None:
        raise RuntimeError(f"callgrind run failed:\n{result.stderr[-3000:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind not found: install Debian's valgrind package to run this benchmark.")
        return 1
    with bench_database("sqlite") as database, tempfile.TemporaryDirectory() as folder:
        token = demo_caseload(database, sessions=0)["links"][3]
        db_file = Path(database.url.removeprefix("sqlite:///"))
        with sqlite3.connect(db_file) as conn:  # everything into the main file before copying it
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pristine = Path(folder) / "pristine.sqlite3"
        shutil.copy(db_file, pristine)
        env = database.env | {"BENCH_DIARY_TOKEN": token, "PYTHONHASHSEED": "0"}
        counts = {}
        for saves in (0, TIMED):
            shutil.copy(pristine, db_file)  # both runs start from the same database
            counts[saves] = instructions(env, saves, Path(folder) / f"callgrind.{saves}")
    per_save = (counts[TIMED] - counts[0]) / TIMED
    print("| measure | value |")
    print("|---|---|")
    print(f"| instructions, set-up and {WARM_UP} warm-up saves | {counts[0] / 1e6:,.0f} million |")
    print(f"| instructions, the same and {TIMED} saves | {counts[TIMED] / 1e6:,.0f} million |")
    print(f"| **instructions per diary save** (with the safety rules) | **{per_save / 1e6:.1f} million** |")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baclotrack.web.settings")
    sys.exit(main())
