"""Benchmark: 50 concurrent users against the app under gunicorn on loopback for 60 seconds.

Method. A throwaway database gets the demo cohort (31 clients from the simulator, seed 2005, about
180 diary days each). The app runs under gunicorn (sync workers, 2 x cores + 1) on 127.0.0.1 with
persistent database connections (DATABASE_CONN_MAX_AGE=60). 45 simulated clients, each on one of the
31 personal diary links, save diary days through the real form (two beers, two intakes, craving,
anxiety, a note) one after another without pause; 5 simulated clinicians, each with its own signed-in
session, open dashboards of random clients of the caseload (fixed seed). This is a closed loop: each
user sends its next request when the previous one is answered, so the numbers measure capacity, and the
latency includes the time a request waits for a free worker. Bounded: DURATION seconds and at most
MAX_REQUESTS per user. Reported: requests per second, latency p50/p95/p99 per kind, errors (any
answer other than the expected 302/200, or a failed connection; target zero). SQLite (WAL) and
PostgreSQL (when BENCH_POSTGRES_URL, default the local test server, is reachable). Prints Markdown.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from dataclasses import dataclass, field

from _loopback import open_diary, request
from _webkit import (
    bench_database,
    demo_caseload,
    diary_form,
    gunicorn,
    machine,
    percentiles,
    postgres_available,
)

CLIENT_USERS = 45
CLINICIAN_USERS = 5
DURATION_S = 60.0
MAX_REQUESTS = 2000
SEED = 20261127


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"diary": [], "dashboard": []})
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, started: float, ok: bool, what: str) -> None:
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            if ok:
                self.latencies[kind].append(elapsed)
            else:
                self.errors.append(what)


def diary_user(port: int, token: str, stop: float, tally: Tally, number: int) -> None:
    days, csrf = open_diary(port, token)
    for seq in range(MAX_REQUESTS):
        if time.perf_counter() >= stop:
            return
        started = time.perf_counter()
        form = diary_form(f"load user {number} post {seq}", (seq + number) % 11, csrf)
        try:
            status = request(port, "POST", days[seq % len(days)], form, {"csrftoken": csrf})[0]
            tally.add("diary", started, status == 302, f"diary HTTP {status}")
        except OSError as exc:
            tally.add("diary", started, False, f"diary {exc!r}")


def clinician_user(
    port: int, session: str, clients: list[int], stop: float, tally: Tally, rng: random.Random
) -> None:
    for _ in range(MAX_REQUESTS):
        if time.perf_counter() >= stop:
            return
        started = time.perf_counter()
        try:
            status = request(port, "GET", f"/clients/{rng.choice(clients)}/", cookies={"sessionid": session})[
                0
            ]
            tally.add("dashboard", started, status == 200, f"dashboard HTTP {status}")
        except OSError as exc:
            tally.add("dashboard", started, False, f"dashboard {exc!r}")


def run_load(engine: str, seconds: float) -> dict[str, object]:
    with bench_database(engine) as database:
        access = demo_caseload(database, sessions=CLINICIAN_USERS)
        tally = Tally()
        rng = random.Random(SEED)
        with gunicorn(database.env) as port:
            stop = time.perf_counter() + seconds
            threads = [
                threading.Thread(
                    target=diary_user, args=(port, access["links"][n % len(access["links"])], stop, tally, n)
                )
                for n in range(CLIENT_USERS)
            ]
            threads += [
                threading.Thread(
                    target=clinician_user,
                    args=(port, session, access["clients"], stop, tally, random.Random(rng.random())),
                )
                for session in access["sessions"]
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
    done = {kind: len(values) for kind, values in tally.latencies.items()}
    return {
        "engine": engine,
        "seconds": elapsed,
        "done": done,
        "rate": sum(done.values()) / elapsed,
        "diary": percentiles(tally.latencies["diary"]),
        "dashboard": percentiles(tally.latencies["dashboard"]),
        "errors": tally.errors,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=DURATION_S)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    engines = [e for e in args.engines.split(",") if e == "sqlite" or postgres_available()]
    users = f"{CLIENT_USERS} diary users + {CLINICIAN_USERS} clinicians"
    print(f"Machine: {machine()}. {users}, {args.seconds:.0f} s.\n")
    print(
        "| engine | requests/s | diary posts (p50 / p95 / p99 ms) | dashboards (p50 / p95 / p99 ms) ", end=""
    )
    print("| errors |")
    print("|---|---|---|---|---|")
    for engine in engines:
        result = run_load(engine, args.seconds)
        diary, dash, done = result["diary"], result["dashboard"], result["done"]
        errors = result["errors"]
        assert isinstance(diary, dict) and isinstance(dash, dict) and isinstance(done, dict)
        assert isinstance(errors, list)
        kinds = "; ".join(sorted(set(errors))[:3])
        print(
            f"| {engine} | {result['rate']:.1f} | {done['diary']}: {diary['p50']:.0f} / {diary['p95']:.0f} / "
            f"{diary['p99']:.0f} | {done['dashboard']}: {dash['p50']:.0f} / {dash['p95']:.0f} / "
            f"{dash['p99']:.0f} | {len(errors)}{f' ({kinds})' if errors else ''} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
