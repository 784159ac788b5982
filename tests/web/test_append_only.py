"""The database refuses to change or remove audit events and diary day versions (migration 0008),
whatever goes around the models: QuerySet.update(), QuerySet.delete(), raw SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.checks import Tags, run_checks
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from baclotrack.clinic import checks
from baclotrack.clinic.audit import Actor, record
from baclotrack.clinic.models import AuditEvent, DiaryDayVersion
from baclotrack.clinic.services.diary import DiaryEntry, save_diary_day

AUDIT = "audit events are append-only"
VERSIONS = "diary day versions are append-only"


def refused(change: Callable[[], object], message: str) -> None:
    # A savepoint, so that the test's own transaction stays usable after the refusal (PostgreSQL).
    with pytest.raises(IntegrityError, match=message), transaction.atomic():
        change()


def raw(sql: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def version(cast) -> DiaryDayVersion:
    """The first version of client A's yesterday, frozen by a correction."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    save_diary_day(Actor(cast.clinician_a), cast.client_a, yesterday, DiaryEntry(craving=1))
    return DiaryDayVersion.objects.get(diary_day=cast.day_a)


def test_updating_an_audit_event_through_the_orm_is_refused(cast) -> None:
    event = AuditEvent.objects.get(client=cast.client_a, action="client.create")
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(action="tampered"), AUDIT)
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(new=None), AUDIT)
    event.refresh_from_db()
    assert (event.action, event.new["code"]) == ("client.create", "A-001")


def test_deleting_audit_events_through_the_orm_is_refused(cast) -> None:
    count = AuditEvent.objects.count()
    refused(lambda: AuditEvent.objects.filter(client=cast.client_a).delete(), AUDIT)
    refused(lambda: AuditEvent.objects.all().delete(), AUDIT)
    assert AuditEvent.objects.count() == count


def test_updating_or_deleting_an_audit_event_in_raw_sql_is_refused(cast) -> None:
    pk = AuditEvent.objects.filter(client=cast.client_a).values_list("pk", flat=True).first()
    refused(lambda: raw("UPDATE clinic_auditevent SET actor_label = %s WHERE id = %s", "nobody", pk), AUDIT)
    refused(lambda: raw("DELETE FROM clinic_auditevent WHERE id = %s", pk), AUDIT)
    assert AuditEvent.objects.get(pk=pk).actor_label == "alice"


def test_updating_or_deleting_a_diary_version_is_refused_every_way(version: DiaryDayVersion) -> None:
    versions = DiaryDayVersion.objects.filter(pk=version.pk)
    refused(lambda: versions.update(snapshot={"grams": 0.0}), VERSIONS)
    refused(lambda: versions.delete(), VERSIONS)
    refused(lambda: raw("UPDATE clinic_diarydayversion SET version = 9 WHERE id = %s", version.pk), VERSIONS)
    refused(lambda: raw("DELETE FROM clinic_diarydayversion WHERE id = %s", version.pk), VERSIONS)
    kept = DiaryDayVersion.objects.get(pk=version.pk)
    assert (kept.version, kept.snapshot) == (version.version, version.snapshot)


@pytest.mark.parametrize(
    ("table", "message"), [("clinic_auditevent", AUDIT), ("clinic_diarydayversion", VERSIONS)]
)
def test_emptying_a_history_table_at_once_is_refused(
    version: DiaryDayVersion, table: str, message: str
) -> None:
    # SQLite has no TRUNCATE (a DELETE without WHERE is its truncate); PostgreSQL's skips row triggers.
    if connection.vendor == "postgresql":
        # PostgreSQL will not truncate while the test's deferred foreign-key checks are pending.
        raw("SET CONSTRAINTS ALL IMMEDIATE")
        statement = f"TRUNCATE {table}"
    else:
        statement = f"DELETE FROM {table}"
    refused(lambda: raw(statement), message)
    assert AuditEvent.objects.exists() and DiaryDayVersion.objects.exists()


def test_audit_events_and_diary_versions_are_still_written(cast, version: DiaryDayVersion) -> None:
    before = AuditEvent.objects.count()
    event = record(Actor(cast.clinician_a), "test.append", cast.client_a, client=cast.client_a, new={"n": 1})
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.get(pk=event.pk).new == {"n": 1}
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    save_diary_day(Actor(cast.clinician_a), cast.client_a, yesterday, DiaryEntry(craving=2))
    assert list(DiaryDayVersion.objects.filter(diary_day=cast.day_a).values_list("version", flat=True)) == [
        1,
        2,
    ]


def test_the_database_check_finds_every_trigger_in_place(db: None) -> None:
    assert checks.append_only_triggers(databases=["default"]) == []
    assert len(checks.expected_triggers(connection.vendor)) == 4


def test_the_database_check_names_a_missing_trigger(db: None) -> None:
    """A purge that forgot to put a trigger back, or a table rebuilt by a later migration on SQLite
    (the copy has no triggers), is reported by Django's database checks, which run before every
    migrate (the test's transaction puts the trigger back)."""
    name = sorted(checks.expected_triggers(connection.vendor))[0]
    table = name.split("_no_")[0]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {name}" + (f" ON {table}" if connection.vendor == "postgresql" else ""))
    errors = [e for e in run_checks(tags=[Tags.database], databases=["default"]) if e.id == "clinic.E001"]
    assert len(errors) == 1 and name in errors[0].msg
