"""What bench/web.py and bench/load.py share: a throwaway database (SQLite file or PostgreSQL), the demo
cohort in it, diary links and clinician sessions, and the app under gunicorn on loopback. The HTTP
client is bench/_loopback.py, shared with the fault tests.

Everything runs against 127.0.0.1 only and is removed at the end (the PostgreSQL database is dropped).
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from _loopback import free_port, request

BIN = Path(sys.executable).parent
#: The PostgreSQL server used for the PostgreSQL runs (a throwaway database is created on it).
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
#: gunicorn sync workers: gunicorn's rule of thumb, 2 x cores + 1.
WORKERS = int(os.environ.get("BENCH_WORKERS", 2 * (os.cpu_count() or 1) + 1))


@dataclass
class BenchDatabase:
    engine: str
    url: str
    env: dict[str, str]

    def run(self, *args: str) -> str:
        result = subprocess.run(
            [str(BIN / "baclotrack"), *args], env=self.env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"baclotrack {args[:2]} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def shell(self, code: str) -> object:
        return json.loads(self.run("manage", "shell", "-c", code).strip().splitlines()[-1])


def postgres_available() -> bool:
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@contextmanager
def bench_database(engine: str) -> Iterator[BenchDatabase]:
    """An empty, migrated database of ``engine`` ('sqlite' or 'postgresql'), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="baclotrack-bench-") as folder:
        name = f"bt_bench_{uuid.uuid4().hex[:8]}"
        if engine == "sqlite":
            url = f"sqlite:///{folder}/bench.sqlite3"
        else:
            with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(
            DATABASE_URL=url,
            DATABASE_CONN_MAX_AGE="60",
            # A variant settings module (on PYTHONPATH) for experiments, e.g. other SQLite pragmas.
            DJANGO_SETTINGS_MODULE=os.environ.get("BENCH_DJANGO_SETTINGS", "baclotrack.web.settings"),
            BACLOTRACK_VAR_DIR=folder,
            ALLOWED_HOSTS="127.0.0.1,testserver",
            LOG_LEVEL="ERROR",
        )
        database = BenchDatabase(engine, url, env)
        try:
            database.run("manage", "migrate", "--verbosity", "0")
            yield database
        finally:
            if engine == "postgresql":
                with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Diary links for every client of the demo clinician, and a signed-in session for that clinician
# (made directly, as the login form would, so that no password hashing is timed).
ACCESS = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.models import Client
from baclotrack.clinic.services.diary_access import create_diary_link
demo = User.objects.get(username="demo")
clients = list(Client.objects.filter(clinician=demo).order_by("pk"))
links = [create_diary_link(Actor(demo), client)[1] for client in clients]
sessions = []
for _ in range(SESSIONS):
    store = SessionStore()
    store[SESSION_KEY] = str(demo.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = demo.get_session_auth_hash()
    store.create()
    sessions.append(store.session_key)
print(json.dumps({"links": links, "clients": [c.pk for c in clients], "sessions": sessions}))
"""


def demo_caseload(database: BenchDatabase, sessions: int) -> dict[str, list[str]]:
    """Load the demo cohort (31 clients, from the simulator) and return links, client ids, sessions."""
    database.run("manage", "load_demo")
    found = database.shell(ACCESS.replace("SESSIONS", str(sessions)))
    assert isinstance(found, dict)
    return found


@contextmanager
def gunicorn(env: dict[str, str], workers: int = WORKERS) -> Iterator[int]:
    """The app under gunicorn on a free loopback port; yields the port, stops the process group after."""
    port = free_port()
    command = [str(BIN / "gunicorn"), "baclotrack.web.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--no-control-socket", "--backlog", "256"]
    log = tempfile.TemporaryFile()  # noqa: SIM115 - outlives this statement; closed in `finally`
    process = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(port, "GET", "/login/")[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"gunicorn did not start:\n{log.read().decode()[-3000:]}") from None
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def diary_form(note: str, craving: int, csrf: str) -> dict[str, str]:
    """A typical diary day as the form posts it: two beers, two intakes, craving and anxiety."""
    return {
        "csrfmiddlewaretoken": csrf,
        "craving": str(craving),
        "anxiety": str((craving + 3) % 11),
        "note": note,
        "drink_0_beverage": "beer",
        "drink_0_count": "2",
        "drink_0_volume_ml": "330",
        "drink_0_abv_percent": "5",
        "dose_0": "10",
        "dose_1": "10",
    }


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """Median, p95 and p99 (statistics.quantiles, 'inclusive' method) of latencies in milliseconds."""
    if len(samples_ms) < 2:
        value = samples_ms[0] if samples_ms else float("nan")
        return {"p50": value, "p95": value, "p99": value}
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {"p50": statistics.median(samples_ms), "p95": cuts[94], "p99": cuts[98]}


#: Iterations of the reference loop (:func:`reference_loop_seconds`).
REFERENCE_LOOP = 5_000_000


def reference_loop_seconds() -> float:
    """CPU seconds of a fixed pure-Python loop, the best of three: how fast this machine runs
    Python right now. On the shared virtual machines used here it varies by 15-40 % from one
    minute to the next, and every CPU-bound number of a run moves with it (docs/benchmarks.md)."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        total = 0
        for i in range(REFERENCE_LOOP):
            total += i
        best = min(best, time.process_time() - started)
    return best


def machine() -> str:
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, load average {load[0]:.1f} at start, "
        f"gunicorn sync workers: {WORKERS}, reference loop {reference_loop_seconds():.3f} s"
    )
