"""Fault tests run the real programs (`baclotrack`, gunicorn) against a throwaway database of their own.

The engine follows DATABASE_URL, like every database test: SQLite (a file in tmp_path, WAL mode)
by default, PostgreSQL when DATABASE_URL names one (then each test creates and drops its own
database on that server). Nothing here uses pytest-django's test database.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg
import pytest

BIN = Path(sys.executable).parent
BACLOTRACK = str(BIN / "baclotrack")
#: No subprocess of a fault test may hang the suite.
COMMAND_TIMEOUT_S = 120


def _load_loopback() -> ModuleType:
    """bench/_loopback.py, the HTTP client the benchmarks use, loaded from its file (bench/ is not
    a package, and the tests run with --import-mode=importlib, so it is on no import path)."""
    path = Path(__file__).resolve().parents[2] / "bench" / "_loopback.py"
    spec = importlib.util.spec_from_file_location("baclotrack_bench_loopback", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_loopback = _load_loopback()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes more than about ten seconds (still part of `make test`)")


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@dataclass
class FaultDatabase:
    """A database of one test, and how to run baclotrack against it."""

    engine: str
    url: str
    path: Path | None  # the SQLite file, if SQLite
    env: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str, check: bool = True, extra_env: dict[str, str] | None = None) -> Any:
        result = subprocess.run(
            [BACLOTRACK, *args],
            env={**self.env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"baclotrack {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def shell(self, code: str, *, extra_env: dict[str, str] | None = None) -> Any:
        """Run Python inside Django (`manage shell -c`) and return the JSON it prints last."""
        result = self.run("manage", "shell", "-c", code, extra_env=extra_env)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def canonical_dump(self) -> str:
        """Every account, clinic row and audit event, ordered by key: equal dumps mean equal data."""
        result = self.run("manage", "dumpdata", "auth.user", "auth.group", "clinic", "--indent", "1")
        return str(result.stdout)


def _base_env(url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="baclotrack.web.settings",
        BACLOTRACK_VAR_DIR=str(tmp_path / "var"),
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="ERROR",
    )
    return env


@pytest.fixture
def make_database(tmp_path: Path) -> Iterator[Any]:
    """A factory of empty databases on the engine DATABASE_URL selects; PostgreSQL ones are dropped after."""
    server = postgres_url()
    created: list[str] = []

    def make(label: str = "db") -> FaultDatabase:
        if server is None:
            path = tmp_path / f"{label}.sqlite3"
            url = f"sqlite:///{path}"
            return FaultDatabase("sqlite", url, path, _base_env(url, tmp_path))
        name = f"bt_fault_{label}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        url = server.rsplit("/", 1)[0] + f"/{name}"
        return FaultDatabase("postgresql", url, None, _base_env(url, tmp_path))

    yield make
    if server is not None:
        with psycopg.connect(server, autocommit=True) as conn:
            for name in created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def migrated(make_database: Any) -> FaultDatabase:
    database: FaultDatabase = make_database("main")
    database.run("manage", "migrate", "--verbosity", "0")
    return database


class Gunicorn:
    """The app under gunicorn on a free loopback port, in its own process group (SIGKILLed as a whole)."""

    def __init__(self, env: dict[str, str], workers: int, log: Path) -> None:
        self.env, self.workers, self.log = env, workers, log
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.port = _loopback.free_port()
        command = [str(BIN / "gunicorn"), "baclotrack.web.wsgi", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", str(self.workers), "--timeout", "60", "--no-control-socket"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited at start-up:\n{self.log.read_text()}")
            try:
                if _loopback.request(self.port, "GET", "/login/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer within 60 s:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: no graceful shutdown, no atexit."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[Any]:
    servers: list[Gunicorn] = []

    def start(env: dict[str, str], workers: int = 3) -> Gunicorn:
        server = Gunicorn(env, workers, tmp_path / "gunicorn.log")
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.kill()


@pytest.fixture
def loopback() -> ModuleType:
    """The HTTP client of bench/_loopback.py (request, open_diary) for the tests; conftest modules
    are not importable under --import-mode=importlib, so the tests get it as a fixture."""
    return _loopback
