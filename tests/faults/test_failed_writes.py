"""A migration that fails midway, and a write that meets a full disk, leave the data exactly as it was."""

from __future__ import annotations

import json
import sqlite3
import textwrap
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation

pytestmark = [pytest.mark.db]

SETUP = """
import datetime as dt, json
from django.contrib.auth.models import Group, User
from django.utils import timezone
from baclotrack.clinic.access import CLINICIANS_GROUP
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.services.clients import create_client
from baclotrack.clinic.services.diary import DiaryEntry, save_diary_day
from baclotrack.clinic.services.diary_access import create_diary_link
clinician = User.objects.create_user(username="fault-clinician", password="x")
clinician.groups.add(Group.objects.get(name=CLINICIANS_GROUP))
actor, today = Actor(clinician), timezone.localdate()
client = create_client(actor, clinician, code="FAULT-1", sex="M", birth_year=1969, weight_kg=82.0,
    country="FR", treatment_start=today - dt.timedelta(days=30))
for back in range(1, 6):
    entry = DiaryEntry(craving=back, note=f"day {back}")
    save_diary_day(actor, client, today - dt.timedelta(days=back), entry)
print(json.dumps(create_diary_link(actor, client)[1]))
"""

# A throwaway app whose one migration changes a clinic table, rewrites clinic rows, then fails.
FAILING_MIGRATION = """
from django.db import migrations, models


def fail_midway(apps, schema_editor):
    raise RuntimeError("simulated failure in the middle of a migration")


class Migration(migrations.Migration):
    dependencies = [("clinic", "__latest__")]
    operations = [
        migrations.CreateModel("Scratch", [("id", models.BigAutoField(primary_key=True))]),
        migrations.RunSQL("ALTER TABLE clinic_diaryday ADD COLUMN scratch_flag integer NULL"),
        migrations.RunSQL("UPDATE clinic_diaryday SET note = 'overwritten by a failed migration'"),
        migrations.RunPython(fail_midway),
    ]
"""

SCHEMA = """
import json
from django.db import connection
tables = sorted(connection.introspection.table_names())
with connection.cursor() as cursor:
    columns = [c.name for c in connection.introspection.get_table_description(cursor, "clinic_diaryday")]
print(json.dumps({"tables": tables, "diaryday_columns": columns}))
"""


def throwaway_settings(directory: Path, body: str) -> dict[str, str]:
    """A settings module extending the app's, importable from ``directory``; the env to use it."""
    directory.mkdir(exist_ok=True)
    (directory / "fault_settings.py").write_text(
        "from baclotrack.web.settings import *  # noqa: F403\n" + textwrap.dedent(body)
    )
    return {"PYTHONPATH": str(directory), "DJANGO_SETTINGS_MODULE": "fault_settings"}


@pytest.mark.slow
def test_a_migration_that_fails_midway_leaves_schema_and_data_as_before(migrated, tmp_path) -> None:
    migrated.shell(SETUP)
    app = tmp_path / "code" / "faultapp" / "migrations"
    app.mkdir(parents=True)
    (app.parent / "__init__.py").write_text("")
    (app / "__init__.py").write_text("")
    (app / "0001_fails_midway.py").write_text(FAILING_MIGRATION)
    env = throwaway_settings(tmp_path / "code", 'INSTALLED_APPS = [*INSTALLED_APPS, "faultapp"]\n')
    data_before, schema_before = migrated.canonical_dump(), migrated.shell(SCHEMA)

    failed = migrated.run("manage", "migrate", "faultapp", check=False, extra_env=env)

    assert failed.returncode != 0
    assert "simulated failure in the middle of a migration" in failed.stderr
    assert migrated.shell(SCHEMA) == schema_before
    assert "faultapp_scratch" not in schema_before["tables"]
    assert migrated.canonical_dump() == data_before
    applied = migrated.run("manage", "showmigrations", "faultapp", extra_env=env).stdout
    assert "[ ] 0001_fails_midway" in applied


FULL_DISK_WRITE = """
import json
from django.db import connection
from django.test import Client
before = connection.cursor().execute("SELECT count(*) FROM clinic_auditevent").fetchone()[0]
browser = Client(raise_request_exception=False)
form = {"craving": "3", "anxiety": "2", "drank": "no", "note": "a long note " * 4000}
response = browser.post("/d/%s/%s/", form)
with connection.cursor() as cursor:
    notes = [row[0] for row in cursor.execute("SELECT note FROM clinic_diaryday ORDER BY date")]
    versions = cursor.execute("SELECT count(*) FROM clinic_diarydayversion").fetchone()[0]
    after = cursor.execute("SELECT count(*) FROM clinic_auditevent").fetchone()[0]
print(json.dumps({"status": response.status_code, "body": response.content.decode(), "notes": notes,
                  "versions": versions, "events_before": before, "events_after": after}))
"""


@pytest.mark.slow
def test_a_diary_write_on_a_full_disk_stores_nothing_and_shows_a_plain_error(make_database, tmp_path) -> None:
    database = make_database("full")
    if database.engine != "sqlite":
        pytest.skip("a full disk is simulated with SQLite's max_page_count")
    database.run("manage", "migrate", "--verbosity", "0")
    token = database.shell(SETUP)
    assert database.path is not None
    with sqlite3.connect(database.path) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    # The database may not grow by a single page: SQLite answers SQLITE_FULL, "database or disk is full".
    env = throwaway_settings(
        tmp_path / "code",
        f"""
        OPTIONS = DATABASES["default"]["OPTIONS"]
        DATABASES["default"]["OPTIONS"] = {{
            **OPTIONS, "init_command": OPTIONS["init_command"] + "PRAGMA max_page_count={pages};"
        }}
        ALLOWED_HOSTS = ["testserver"]
        """,
    )
    day = database.shell(
        "from django.utils import timezone; import json; print(json.dumps(str(timezone.localdate())))"
    )

    result = database.run("manage", "shell", "-c", FULL_DISK_WRITE % (token, day), extra_env=env)
    written = json.loads(result.stdout.strip().splitlines()[-1])

    assert "database or disk is full" in result.stderr  # logged for the administrator
    assert written["status"] == 500
    assert "The server could not finish this request" in written["body"]
    assert "Traceback" not in written["body"] and "disk is full" not in written["body"]
    assert written["notes"] == [f"day {back}" for back in range(5, 0, -1)]
    assert written["versions"] == 0
    assert written["events_after"] == written["events_before"]


def test_the_server_error_page_is_in_the_language_of_the_request() -> None:
    with translation.override("fr"):
        page = render_to_string("500.html")
    assert "Le serveur n" in page and "pas pu terminer cette demande" in page
    assert '<html lang="fr">' in page
