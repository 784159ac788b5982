"""System checks of the clinic's database: the history tables must still be append-only.

Migration 0008 puts triggers on the audit trail and the diary day versions (decision 0176). They can
go missing without anyone noticing: an administrator who lifted them for a purge and did not put
them back (docs/operations.md), or a later migration that rebuilds one of the tables (SQLite copies
a table into a new one for many schema changes, and the copy has no triggers). Django runs database
checks before every ``migrate`` and on ``baclotrack manage check --database default``; this one
reports each missing trigger by name.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

MIGRATION = "0008_append_only_triggers"
_append_only = importlib.import_module(f"baclotrack.clinic.migrations.{MIGRATION}")


def expected_triggers(vendor: str) -> set[str]:
    """The names of the triggers migration 0008 creates on ``vendor``, read from its own SQL."""
    create = _append_only.SQL[vendor][0]
    return {m.group(1) for statement in create() if (m := re.match(r"CREATE TRIGGER (\w+)", statement))}


def _present_triggers(connection: Any) -> set[str]:
    query = {
        "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
        "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal",
    }[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(query)
        return {row[0] for row in cursor.fetchall()}


@register(Tags.database)
def append_only_triggers(databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """clinic.E001: a trigger of migration 0008 is missing from a database where it was applied."""
    errors: list[CheckMessage] = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor not in _append_only.SQL:
            continue  # the migration itself refuses other engines
        if ("clinic", MIGRATION) not in MigrationRecorder(connection).applied_migrations():
            continue
        missing = sorted(expected_triggers(connection.vendor) - _present_triggers(connection))
        if missing:
            errors.append(
                Error(
                    f"the audit trail and diary versions are not append-only in database {alias!r}: "
                    f"trigger(s) {', '.join(missing)} missing",
                    hint=(
                        "put them back: baclotrack manage migrate --skip-checks clinic 0007, then "
                        "baclotrack manage migrate; or re-create them in the migration that rebuilt "
                        "the table (docs/operations.md, decision 0176)"
                    ),
                    id="clinic.E001",
                )
            )
    return errors
