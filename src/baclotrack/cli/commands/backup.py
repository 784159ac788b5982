"""`baclotrack backup --out FILE`: a consistent copy of the clinic database, safe while the app runs.

SQLite is copied with SQLite's online backup API (a snapshot consistent even while gunicorn
workers write, https://www.sqlite.org/backup.html); PostgreSQL with ``pg_dump --format=custom``
(one snapshot transaction, https://www.postgresql.org/docs/15/app-pgdump.html). The copy is
written to a temporary file beside FILE and renamed at the end, so a failure (a full disk, a
killed process) never leaves a half-written backup under FILE. `baclotrack restore` reads both.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baclotrack.core.errors import InputError

#: First bytes of each backup format: SQLite's file header and pg_dump's custom archive.
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
#: Pages copied per step of the SQLite online backup; between steps writers may commit, and the
#: backup restarts only if they wrote (SQLite's documented behaviour), so small steps do not block them.
SQLITE_PAGES_PER_STEP = 1024


class BackupError(InputError):
    """A backup or restore that cannot be done as asked (the message says why; nothing was changed)."""


@dataclass(frozen=True)
class Database:
    """The configured clinic database, as backup and restore need it."""

    engine: str  # "sqlite" or "postgresql"
    name: str  # SQLite file path, or PostgreSQL database name
    settings: dict[str, Any]

    def describe(self) -> str:
        if self.engine == "sqlite":
            return f"SQLite database {self.name}"
        host = self.settings.get("HOST") or "local socket"
        return f"PostgreSQL database {self.name!r} on {host}"

    def pg_env(self) -> dict[str, str]:
        """Connection settings for pg_dump/pg_restore as libpq variables (keeps the password off argv)."""
        env = dict(os.environ)
        pairs = {"PGHOST": "HOST", "PGPORT": "PORT", "PGUSER": "USER", "PGPASSWORD": "PASSWORD"}
        for variable, key in pairs.items():
            if self.settings.get(key):
                env[variable] = str(self.settings[key])
        options = self.settings.get("OPTIONS") or {}
        if options.get("sslmode"):  # DATABASE_URL ...?sslmode=require
            env["PGSSLMODE"] = str(options["sslmode"])
        env["PGDATABASE"] = self.name
        return env


def configured_database() -> Database:
    """The database the web app uses (DATABASE_URL, or SQLite under BACLOTRACK_VAR_DIR)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baclotrack.web.settings")
    import django
    from django.conf import settings

    django.setup()
    config: dict[str, Any] = dict(settings.DATABASES["default"])
    engine = str(config["ENGINE"])
    if engine.endswith("sqlite3"):
        return Database("sqlite", str(config["NAME"]), config)
    if engine.endswith("postgresql"):
        return Database("postgresql", str(config["NAME"]), config)
    raise BackupError(f"DATABASE_URL: backup supports SQLite and PostgreSQL, not {engine}")


@contextmanager
def replaced_atomically(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it onto ``target`` only if the block succeeds."""
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise BackupError(f"--out: directory {directory} does not exist")
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=directory)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def sqlite_backup(source: str, out: Path) -> None:
    """Copy a live SQLite database page by page with the online backup API."""
    if not Path(source).is_file():
        raise BackupError(f"database: the SQLite file {source} does not exist (nothing to back up)")
    # mode=ro: a backup must never create or change the database it reads.
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(out)
        try:
            src.backup(dst, pages=SQLITE_PAGES_PER_STEP)
            # The copy is a self-contained file: rollback journal, not WAL, so no -wal file is needed.
            dst.execute("PRAGMA journal_mode=DELETE")
            check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
    finally:
        src.close()
    if check != "ok":
        raise BackupError(f"database: the copy failed SQLite's integrity check: {check}")


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name}: not found on PATH; install the PostgreSQL client programs")
    return path


def postgres_backup(database: Database, out: Path) -> None:
    command = [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={out}"]
    result = subprocess.run(command, env=database.pg_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed (exit {result.returncode}): {result.stderr.strip()}")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "backup",
        help="copy the clinic database to a file (safe while the app runs)",
        description=(
            "Write a consistent copy of the configured database (DATABASE_URL, or SQLite under "
            "BACLOTRACK_VAR_DIR): an SQLite file, or a pg_dump custom-format archive for PostgreSQL. "
            "Restore it with `baclotrack restore FILE`."
        ),
    )
    parser.add_argument("--out", required=True, type=Path, help="the backup file to write (must not exist)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.exists():
        raise BackupError(f"--out: {out} already exists; choose a new name (e.g. with the date in it)")
    database = configured_database()
    try:
        with replaced_atomically(out) as temporary:
            if database.engine == "sqlite":
                sqlite_backup(database.name, temporary)
            else:
                postgres_backup(database, temporary)
    except OSError as exc:
        # A full disk or a lost directory: the partial file is gone, the database untouched.
        raise BackupError(f"--out: could not write {out}: {exc.strerror or exc}") from exc
    except sqlite3.Error as exc:
        raise BackupError(f"--out: could not write {out}: {exc}") from exc
    size = out.stat().st_size
    print(f"Backed up the {database.describe()} to {out} ({size:,} bytes).")
    return 0
