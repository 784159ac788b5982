"""Benchmark: the clinic web app's dashboard with two years of diary, and diary-submission throughput.

Method.
1. Dashboard. A throwaway database gets the demo cohort (simulator, seed 2005) plus one client whose
   diary holds 730 consecutive days (two simulated Bacloville courses of the simulator, seed 730, laid
   end to end) with a titration plan. A child process renders that client's dashboard (the full page:
   endpoints, plan, alerts, the inline SVG chart) N times with Django's test client, signed in as the
   clinician; the first render is a warm-up and not counted. Median and p95, target <= 150 ms. The
   chart and the dose-response fit are kept in the dashboard cache, keyed by their inputs
   (clinic/dashboard_cache.py: files shared by a machine's workers), so these are views of an
   unchanged diary; the same child then times C "first views after a change" by emptying that cache
   before each render. Last, C times: a diary day of the client is saved through the services, the
   warmer (clinic/warm.py, `baclotrack warm`) takes one look and draws what changed, then the
   dashboard's first view is timed: what a clinician gets when the warmer has caught up (decision
   0185). The warmer's own time per save is reported beside it.
2. Diary throughput. The app runs under gunicorn (sync workers, 2 x cores + 1) on 127.0.0.1; 20 threads,
   each one client of the demo cohort using a personal diary link, post the diary form (two beers, two
   intakes, craving, anxiety, note) as fast as the server answers, W times each. Throughput = successful
   posts (HTTP 302) / wall time; per-request latency median/p95/p99. Target >= 200 posts/s on SQLite.
   Wall-clock rates depend on what else the machine runs, so the CPU time the gunicorn processes used
   (Linux /proc) is reported per save too: cores divided by it is what the app could serve with the
   machine to itself (a PostgreSQL server's own CPU is not included).
Both on SQLite (WAL) and on PostgreSQL when it is reachable (BENCH_POSTGRES_URL). Prints Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
from _loopback import open_diary, request
from _webkit import (
    bench_database,
    demo_caseload,
    diary_form,
    gunicorn,
    machine,
    percentiles,
    postgres_available,
    reference_loop_seconds,
)

RENDERS = 30
#: Renders with the dashboard cache emptied first (the first view after the diary changed).
COLD_RENDERS = 10
DASHBOARD_TARGET_MS = 150.0
WRITERS = 20
WRITES_EACH = 30
THROUGHPUT_TARGET = 200.0
LONG_DIARY_DAYS = 730
LONG_DIARY_SEED = 730
#: Simulated Bacloville clients whose courses are laid end to end for the two-year diary.
COURSES = 8


def two_year_client() -> int:
    """Create the client with 730 diary days through the services; return its id."""
    import datetime as dt

    from django.contrib.auth.models import User
    from django.utils import timezone

    from baclotrack.analysis.simulate import simulate
    from baclotrack.clinic.audit import Actor
    from baclotrack.clinic.demo import _entries
    from baclotrack.clinic.services.alerts import refresh_alerts
    from baclotrack.clinic.services.clients import create_client
    from baclotrack.clinic.services.diary import import_diary_days
    from baclotrack.clinic.services.plans import choose_protocol
    from baclotrack.core.titration.protocols import get_protocol

    today = timezone.localdate()
    # Bacloville courses are a year at most and some stop early: lay enough of them end to end.
    sim = simulate("bacloville", seed=LONG_DIARY_SEED, n=COURSES)
    ids = sim.patients["patient_id"].to_list()
    courses = [_entries(sim.diary.filter(pl.col("patient_id") == pid), dt.timedelta(0)) for pid in ids]
    reported = [entry for course in courses for _date, entry in course][-LONG_DIARY_DAYS:]
    if len(reported) < LONG_DIARY_DAYS:
        raise RuntimeError(f"only {len(reported)} simulated days; raise COURSES")
    first = today - dt.timedelta(days=len(reported))
    entries = [(first + dt.timedelta(days=i), entry) for i, entry in enumerate(reported)]
    clinician = User.objects.get(username="demo")
    actor = Actor(clinician)
    start = first + dt.timedelta(days=28)
    client = create_client(
        actor,
        clinician,
        code="TWO-YEARS",
        sex="M",
        birth_year=1968,
        weight_kg=84.0,
        country="FR",
        treatment_start=start,
    )
    protocol = get_protocol(sim.patients["protocol"].drop_nulls()[0])
    choose_protocol(
        actor, client, protocol=protocol.id, start_date=start, max_dose_mg=protocol.ceiling_mg_per_day
    )
    import_diary_days(actor, client, entries)
    refresh_alerts(actor, client, today)
    return client.pk


def dashboard_child() -> None:
    """Run inside the database's environment: build the long client, time its dashboard."""
    # Started as a gunicorn worker starts: the WSGI module sets Django up, loads every view and
    # freezes the objects alive then out of the garbage collector's walks (decision 0180).
    import baclotrack.web.wsgi  # noqa: F401

    # isort: split
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client as Browser
    from django.test.utils import CaptureQueriesContext

    from baclotrack.clinic import dashboard_cache

    client_id = two_year_client()
    browser = Browser()
    browser.force_login(User.objects.get(username="demo"))
    url = f"/clients/{client_id}/"
    timings = []
    for run in range(RENDERS + 1):
        started = time.perf_counter()
        response = browser.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"dashboard answered HTTP {response.status_code}")
        if run:
            timings.append(elapsed)
    cold = []
    for _run in range(COLD_RENDERS):
        dashboard_cache.clear()
        started = time.perf_counter()
        browser.get(url)
        cold.append((time.perf_counter() - started) * 1000)
    warm, warming = _views_after_warmed_saves(browser, url, client_id)
    with CaptureQueriesContext(connection) as queries:
        browser.get(url)
    found = {
        "timings": timings,
        "cold": cold,
        "warm": warm,
        "warming": warming,
        "bytes": len(response.content),
    }
    print(json.dumps(found | {"queries": len(queries.captured_queries)}))


def _views_after_warmed_saves(browser: object, url: str, client_id: int) -> tuple[list[float], list[float]]:
    """C saves of today's diary, each followed by one look of the warmer (clinic/warm.py, what
    `baclotrack warm` does every 2 s) and the dashboard's first view; the warmer's time per save
    (the chart and fit in both languages) and the view's time, in ms."""
    import datetime as dt

    from django.contrib.auth.models import User
    from django.utils import timezone

    from baclotrack.clinic.audit import Actor
    from baclotrack.clinic.models import Client
    from baclotrack.clinic.services.diary import DiaryEntry, save_diary_day
    from baclotrack.clinic.warm import Warmer

    client = Client.objects.get(pk=client_id)
    actor = Actor(User.objects.get(username="demo"))
    warmer = Warmer()
    warmer.run_once()  # the first look draws every client, as at the warmer's start
    warming, views = [], []
    for run in range(COLD_RENDERS):
        entry = DiaryEntry(
            drinks=[{"beverage": "grams", "grams": 10.0 + run}], craving=run % 10, doses_mg=[30.0]
        )
        save_diary_day(actor, client, timezone.localdate() - dt.timedelta(days=run % 3), entry)
        started = time.perf_counter()
        if warmer.run_once() != 1:
            raise RuntimeError("the warmer did not see the saved day")
        warming.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        browser.get(url)  # type: ignore[attr-defined]
        views.append((time.perf_counter() - started) * 1000)
    return views, warming


def dashboard(database: object) -> dict[str, float]:
    env = database.env  # type: ignore[attr-defined]
    result = subprocess.run(
        [sys.executable, __file__, "--dashboard-child"], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    found = json.loads(result.stdout.strip().splitlines()[-1])
    stats, cold = percentiles(found["timings"]), percentiles(found["cold"])
    warm, warming = percentiles(found["warm"]), percentiles(found["warming"])
    return {
        "warm_median": warm["p50"],
        "warm_p95": warm["p95"],
        "warming_median": warming["p50"],
        "median": stats["p50"],
        "p95": stats["p95"],
        "cold_median": cold["p50"],
        "cold_p95": cold["p95"],
        "kb": found["bytes"] / 1024,
        "queries": found["queries"],
    }


def _writer(
    port: int, token: str, latencies: list[float], errors: list[str], ready: threading.Barrier
) -> None:
    days, csrf = open_diary(port, token)
    # One untimed save: with 20 at once every worker has imported the whole app (a worker's first
    # request costs about 1.5 s of imports, which is start-up, not the cost of a save).
    request(port, "POST", days[-1], diary_form("warm-up", 0, csrf), {"csrftoken": csrf})
    ready.wait()
    for seq in range(WRITES_EACH):
        started = time.perf_counter()
        try:
            status = request(
                port,
                "POST",
                days[seq % len(days)],
                diary_form(f"bench {seq}", seq % 11, csrf),
                {"csrftoken": csrf},
            )[0]
        except OSError as exc:
            errors.append(repr(exc))
            continue
        if status == 302:
            latencies.append((time.perf_counter() - started) * 1000)
        else:
            errors.append(f"HTTP {status}")


def _server_cpu_seconds(port: int) -> float:
    """CPU time (user + system) used so far by the gunicorn processes bound to ``port`` (Linux /proc)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if f"127.0.0.1:{port}".encode() not in (stat.parent / "cmdline").read_bytes():
                continue
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15 of proc(5)
    return ticks / os.sysconf("SC_CLK_TCK")


def throughput(database: object, links: list[str]) -> dict[str, float]:
    env = database.env  # type: ignore[attr-defined]
    latencies: list[float] = []
    errors: list[str] = []
    with gunicorn(env) as port:
        ready = threading.Barrier(WRITERS + 1)
        threads = [
            threading.Thread(target=_writer, args=(port, links[i % len(links)], latencies, errors, ready))
            for i in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        ready.wait()  # every writer has its page, its CSRF cookie and one warm-up save
        cpu_before = _server_cpu_seconds(port)
        client_before = time.process_time()  # this process: the 20 writer threads
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        server_cpu = _server_cpu_seconds(port) - cpu_before
        client_cpu = time.process_time() - client_before
    stats = percentiles(latencies)
    return {
        "posts": len(latencies),
        "errors": len(errors),
        "seconds": elapsed,
        "per_second": len(latencies) / elapsed,
        "cpu_ms_per_save": 1000 * server_cpu / max(len(latencies), 1),
        # The writers run on the same cores as the server: their CPU is not the app's.
        "client_cpu_ms_per_save": 1000 * client_cpu / max(len(latencies), 1),
        **stats,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboard-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    if args.dashboard_child:
        dashboard_child()
        return 0
    engines = [e for e in args.engines.split(",") if e == "sqlite" or postgres_available()]
    print(f"Machine: {machine()}.\n")
    print(
        "| engine | dashboard, 2 years (median / p95 ms) | first view after a change (median / p95 ms) "
        "| first view after a save, warmer done (median / p95 ms); warmer per save, median ms "
        "| page, queries | diary posts/s (20 clients) | post latency p50 / p95 / p99 ms "
        "| app CPU per save (ms), saves/s it allows on all cores | load generator CPU per save (ms) "
        "| errors | reference loop (s) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for engine in engines:
        with bench_database(engine) as database:
            access = demo_caseload(database, sessions=1)
            page = dashboard(database)
            loop = reference_loop_seconds()  # the machine's speed just before the timed saves
            rate = throughput(database, access["links"])
        posts = f"{rate['per_second']:.0f} ({rate['posts']:.0f} in {rate['seconds']:.1f} s"
        print(
            f"| {engine} | {page['median']:.0f} / {page['p95']:.0f} (target <= {DASHBOARD_TARGET_MS:.0f}) "
            f"| {page['cold_median']:.0f} / {page['cold_p95']:.0f} "
            f"| {page['warm_median']:.0f} / {page['warm_p95']:.0f}; {page['warming_median']:.0f} "
            f"| {page['kb']:.0f} kB, {page['queries']:.0f} | {posts}; target >= {THROUGHPUT_TARGET:.0f}) "
            f"| {rate['p50']:.0f} / {rate['p95']:.0f} / {rate['p99']:.0f} "
            f"| {rate['cpu_ms_per_save']:.1f}, {1000 * (os.cpu_count() or 1) / rate['cpu_ms_per_save']:.0f} "
            f"| {rate['client_cpu_ms_per_save']:.1f} | {rate['errors']:.0f} | {loop:.3f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baclotrack.web.settings")
    sys.exit(main())
