"""The database itself refuses to change or remove audit events and diary day versions.

AuditEvent.save()/delete() already refuse in Python, but QuerySet.update(), QuerySet.delete(),
raw SQL and any other program holding the database credentials went around them. Triggers
close that: every UPDATE or DELETE of a row (and, on PostgreSQL, a TRUNCATE) of the two history
tables aborts with "... are append-only". Inserting is untouched. A legitimate purge (a
retention policy) must drop the triggers consciously first (docs/operations.md); backups and
restores copy the triggers with the tables.

The SQL is written here, frozen, rather than imported from the app, so that a later change to
the app cannot change what this migration did. The tests lift the triggers around the flush of
a transactional test with :func:`drop_triggers` and :func:`create_triggers` (tests/web/conftest.py).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

#: Table -> the message a refused change raises (SQLite's RAISE needs a literal, so one per table).
TABLES = {
    "clinic_auditevent": "audit events are append-only",
    "clinic_diarydayversion": "diary day versions are append-only",
}


def _sqlite_create() -> list[str]:
    statements = []
    for table, message in TABLES.items():
        for event in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
    return statements


def _sqlite_drop() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_{event}" for table in TABLES for event in ("update", "delete")
    ]


#: One function for both tables; the trigger passes the message. SQLSTATE 23001
#: (restrict_violation) makes it an IntegrityError, as SQLite's RAISE(ABORT) is.
_PG_FUNCTION = """
CREATE FUNCTION clinic_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END
$$
"""


def _postgresql_create() -> list[str]:
    statements = [_PG_FUNCTION]
    for table, message in TABLES.items():
        statements += [
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION clinic_refuse_change('{message}')",
            # TRUNCATE skips row triggers; without this one it would empty the table silently.
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION clinic_refuse_change('{message}')",
        ]
    return statements


def _postgresql_drop() -> list[str]:
    statements = []
    for table in TABLES:
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        ]
    return [*statements, "DROP FUNCTION IF EXISTS clinic_refuse_change()"]


SQL = {
    "sqlite": (_sqlite_create, _sqlite_drop),
    "postgresql": (_postgresql_create, _postgresql_drop),
}


def _statements(schema_editor: Any, which: int) -> list[str]:
    vendor = schema_editor.connection.vendor
    if vendor not in SQL:
        # Another engine would run without the guarantee: refuse rather than pretend.
        raise RuntimeError(f"append-only triggers: no SQL for the {vendor} database (SQLite or PostgreSQL)")
    return SQL[vendor][which]()


def create_triggers(apps: Any, schema_editor: Any) -> None:
    for statement in _statements(schema_editor, 0):
        schema_editor.execute(statement, None)


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    for statement in _statements(schema_editor, 1):
        schema_editor.execute(statement, None)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0007_client_prescribing_country"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
