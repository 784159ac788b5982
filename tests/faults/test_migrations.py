"""Migrations on a real database with rows in it: 0007 gives existing clients a prescribing country
that keeps their regulatory cap, and 0008's triggers come and go with the migration."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.db, pytest.mark.slow]

#: Client rows as migration 0006 left the table (no prescribing country yet), made in raw SQL
#: because today's model already has the new column.
INSERT_CLIENTS = """
import json
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone
alice = User.objects.create(username="alice")
with connection.cursor() as cursor:
    for code, country in [("FR-1", "FR"), ("WHO-1", "WHO"), ("US-1", "US"), ("UK-1", "UK")]:
        cursor.execute(
            "INSERT INTO clinic_client (code, sex, birth_year, weight_kg, country, cautions, "
            "treatment_start, created_at, clinician_id, deleted_reason) "
            "VALUES (%s, 'M', 1970, 80, %s, '[]', '2026-01-05', %s, %s, '')",
            [code, country, timezone.now(), alice.pk],
        )
print(1)
"""

CAPS = """
import json
from baclotrack.clinic import adapters
from baclotrack.clinic.models import Client
print(json.dumps({
    c.code: [c.prescribing_country, [cap.rule_id for cap in adapters.client_context(c).caps()]]
    for c in Client.objects.all()
}))
"""


def test_existing_clients_are_prescribed_where_their_drink_comes_from_and_keep_their_cap(
    make_database,
) -> None:
    database = make_database("prescribing")
    database.run("manage", "migrate", "clinic", "0006", "--verbosity", "0")
    database.shell(INSERT_CLIENTS)
    database.run("manage", "migrate", "--verbosity", "0")
    assert database.shell(CAPS) == {
        "FR-1": ["FR", ["HIGHEST-STUDIED", "FR-2017"]],
        "WHO-1": ["ZZ", ["HIGHEST-STUDIED"]],
        "US-1": ["US", ["HIGHEST-STUDIED"]],
        "UK-1": ["UK", ["HIGHEST-STUDIED"]],
    }


TAMPER = """
from django.db import IntegrityError
from baclotrack.clinic.models import AuditEvent
try:
    print(AuditEvent.objects.all().update(actor_label="tampered"))
except IntegrityError as exc:
    print('"' + str(exc).splitlines()[0] + '"')
"""

AN_EVENT = """
from baclotrack.clinic.models import AuditEvent
AuditEvent.objects.create(actor_label="test", action="test", object_type="t", object_id="1")
print(1)
"""


def test_the_append_only_triggers_leave_with_migration_0008_and_come_back_with_it(migrated) -> None:
    migrated.shell(AN_EVENT)
    assert migrated.shell(TAMPER) == "audit events are append-only"
    migrated.run("manage", "migrate", "clinic", "0007", "--verbosity", "0")
    assert migrated.shell(TAMPER) == 1  # what a purge would do, with the triggers consciously dropped
    migrated.run("manage", "migrate", "clinic", "--verbosity", "0")
    assert migrated.shell(TAMPER) == "audit events are append-only"
