"""`baclotrack restore FILE [--force]`: put a `baclotrack backup` back into the configured database.

Stop the app first. The file is checked before anything is touched (an SQLite file must pass
``PRAGMA integrity_check``; a pg_dump archive must list with ``pg_restore --list``). A database
that already holds clinical data or accounts is only overwritten with ``--force``. The restore
itself is all or nothing: SQLite's backup API replaces the target in one locked write, and
``pg_restore --single-transaction`` rolls back everything if any statement fails.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
from pathlib import Path

from baclotrack.cli.commands.backup import (
    PGDUMP_MAGIC,
    SQLITE_MAGIC,
    BackupError,
    Database,
    configured_database,
    pg_tool,
)


def backup_format(path: Path) -> str:
    """'sqlite' or 'postgresql', from the file's first bytes."""
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"FILE: {path} is neither an SQLite backup nor a pg_dump custom-format archive")


def rows_held(database: Database) -> dict[str, int]:
    """Rows in the tables that matter (accounts and every clinic table); empty tables are left out.

    Tables that migrations fill by themselves (content types, permissions, the clinicians group) are
    not counted: a freshly migrated database is empty.
    """
    from django.apps import apps
    from django.contrib.auth.models import User
    from django.db import connection, models

    existing = set(connection.introspection.table_names())
    tables: list[type[models.Model]] = [User, *apps.get_app_config("clinic").get_models()]
    counts = {}
    for model in tables:
        if model._meta.db_table in existing:
            count = model._default_manager.count()
            if count:
                counts[model._meta.db_table] = count
    connection.close()
    return counts


def sqlite_restore(source: Path, target: str) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        check = src.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"FILE: {source} fails SQLite's integrity check: {check}")
        tables = {row[0] for row in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "django_migrations" not in tables:
            raise BackupError(f"FILE: {source} is an SQLite file but not a baclotrack database")
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(target, timeout=30)
        try:
            # One locked write of every page: readers see the old database or the new one, never a mix.
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    finally:
        src.close()


def postgres_restore(source: Path, database: Database) -> None:
    listing = subprocess.run(
        [pg_tool("pg_restore"), "--list", str(source)], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        raise BackupError(f"FILE: {source} is not a readable pg_dump archive: {listing.stderr.strip()}")
    command = [
        pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={database.name}",
        str(source),
    ]
    result = subprocess.run(command, env=database.pg_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = result.stderr.strip()
        raise BackupError(
            f"pg_restore failed (exit {result.returncode}); the database is unchanged: {detail}"
        )


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "restore",
        help="restore a `baclotrack backup` file into the configured database (stop the app first)",
        description=(
            "Replace the configured database (DATABASE_URL, or SQLite under BACLOTRACK_VAR_DIR) with a "
            "backup. Refuses a database that already holds data unless --force is given."
        ),
    )
    parser.add_argument("file", type=Path, help="a file written by `baclotrack backup`")
    parser.add_argument(
        "--force", action="store_true", help="overwrite a database that already holds accounts or records"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    source: Path = args.file
    if not source.is_file():
        raise BackupError(f"FILE: {source} does not exist")
    kind = backup_format(source)
    database = configured_database()
    if kind != database.engine:
        raise BackupError(
            f"FILE: {source} is a {kind} backup but the configured database is {database.engine}; "
            "set DATABASE_URL to a database of the same kind"
        )
    held = rows_held(database)
    if held and not args.force:
        summary = ", ".join(f"{table} {count}" for table, count in sorted(held.items()))
        raise BackupError(
            f"the {database.describe()} already holds data ({summary}); "
            "add --force to replace it with the backup"
        )
    if kind == "sqlite":
        sqlite_restore(source, database.name)
    else:
        postgres_restore(source, database)
    restored = rows_held(database)
    replaced = " (replacing its previous contents)" if held else ""
    print(f"Restored {source} into the {database.describe()}{replaced}.")
    accounts, clients = restored.get("auth_user", 0), restored.get("clinic_client", 0)
    days, events = restored.get("clinic_diaryday", 0), restored.get("clinic_auditevent", 0)
    print(
        f"It now holds {accounts} accounts, {clients} clients, {days} diary days and {events} audit events."
    )
    print("Run `baclotrack manage migrate` if the backup is older than this version of baclotrack.")
    return 0
