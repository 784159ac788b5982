"""Crash safety: SIGKILL the server in the middle of a burst of diary writes, restart it, and find every
acknowledged write stored and no half-written record (SQLite in WAL mode, or PostgreSQL)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

import pytest

pytestmark = [pytest.mark.db, pytest.mark.slow]

CLIENTS = 8
#: Bounds: each client sends at most this many writes; the burst is killed after KILL_AFTER acknowledgements.
WRITES_PER_CLIENT = 40
KILL_AFTER = 30
BURST_DEADLINE_S = 90

SETUP = """
import datetime as dt, json
from django.contrib.auth.models import Group, User
from django.utils import timezone
from baclotrack.clinic.access import CLINICIANS_GROUP
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.services.clients import create_client
from baclotrack.clinic.services.diary_access import create_diary_link
clinician = User.objects.create_user(username="crash-clinician", password="x")
clinician.groups.add(Group.objects.get(name=CLINICIANS_GROUP))
actor, tokens = Actor(clinician), []
for n in range(CLIENTS):
    client = create_client(actor, clinician, code=f"CRASH-{n}", sex="F", birth_year=1975, weight_kg=70.0,
        country="FR", treatment_start=timezone.localdate() - dt.timedelta(days=120))
    tokens.append(create_diary_link(actor, client)[1])
print(json.dumps(tokens))
""".replace("CLIENTS", str(CLIENTS))

# Every diary day's history must be whole: one audit event per version, in order, each naming the note
# that version held; every frozen version present; no audit event for a day that does not exist.
VERIFY = """
import json
from django.db import connection
from baclotrack.clinic.models import AuditEvent, DiaryDay
problems, notes = [], []
days = {str(d.pk): d for d in DiaryDay.objects.all()}
for pk, day in days.items():
    events = list(AuditEvent.objects.filter(object_type="diaryday", object_id=pk).order_by("id"))
    versions = list(day.versions.order_by("version"))
    actions = [e.action for e in events]
    if actions != ["diary.create"] + ["diary.correct"] * (day.version - 1):
        problems.append(f"day {pk} version {day.version} has audit events {actions}")
    if [v.version for v in versions] != list(range(1, day.version)):
        problems.append(f"day {pk} version {day.version} has frozen versions {[v.version for v in versions]}")
    held = [v.snapshot["note"] for v in versions] + [day.note]
    if [e.new["note"] for e in events] != held:
        problems.append(f"day {pk}: audit notes differ from the stored versions")
    notes += held
orphans = AuditEvent.objects.filter(object_type="diaryday").exclude(object_id__in=list(days))
problems += [f"audit event {e.pk} names missing day {e.object_id}" for e in orphans]
if connection.vendor == "sqlite":
    check = connection.cursor().execute("PRAGMA integrity_check").fetchone()[0]
    if check != "ok":
        problems.append(f"integrity_check: {check}")
print(json.dumps({"problems": problems, "notes": notes}))
"""


@dataclass
class Burst:
    port: int
    acknowledged: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def diary_form(note: str, craving: int, csrf: str) -> dict[str, str]:
    return {
        "csrfmiddlewaretoken": csrf,
        "craving": str(craving),
        "anxiety": str(10 - craving),
        "note": note,
        "drank": "no",
        "drink_0_beverage": "",
        "dose_0": "10",
    }


def write_diary(burst: Burst, token: str, client: int, loopback, writes: int = WRITES_PER_CLIENT) -> None:
    """One client: open today's page (CSRF cookie), then save days, every third one a correction."""
    try:
        day_urls, csrf = loopback.open_diary(burst.port, token)
    except OSError:
        return  # the server was killed before this client got going
    except (KeyError, IndexError) as exc:
        burst.failures.append(f"client {client} could not open the diary: {exc!r}")
        return
    for seq in range(writes):
        url = day_urls[(seq // 3) if seq % 3 == 2 else seq % len(day_urls)]
        note = f"client {client} write {seq}"
        try:
            status, _cookies, _body = loopback.request(
                burst.port, "POST", url, diary_form(note, seq % 11, csrf), {"csrftoken": csrf}
            )
        except OSError:
            return  # the server is gone: this write was not acknowledged
        if status != 302:
            burst.failures.append(f"{note}: HTTP {status}")
            return
        with burst.lock:
            burst.acknowledged.append(note)


def test_every_acknowledged_diary_write_survives_a_sigkill_and_nothing_is_half_written(
    migrated, gunicorn, loopback
) -> None:
    tokens = migrated.shell(SETUP)
    server = gunicorn(migrated.env, workers=3)
    burst = Burst(server.port)
    threads = [
        threading.Thread(target=write_diary, args=(burst, token, n, loopback), daemon=True)
        for n, token in enumerate(tokens)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + BURST_DEADLINE_S
    while len(burst.acknowledged) < KILL_AFTER and time.monotonic() < deadline and not burst.failures:
        time.sleep(0.01)
    server.kill()  # mid-burst: other writes are in flight
    for thread in threads:
        thread.join(timeout=60)
    assert not burst.failures
    assert len(burst.acknowledged) >= KILL_AFTER

    restarted = gunicorn(migrated.env, workers=2)
    after = Burst(restarted.port)
    write_diary_once = threading.Thread(target=write_diary, args=(after, tokens[0], 99, loopback, 3))
    write_diary_once.start()
    write_diary_once.join(timeout=120)
    assert not after.failures and after.acknowledged, "the restarted server must accept writes again"
    restarted.kill()

    found = migrated.shell(VERIFY)
    assert found["problems"] == []
    stored = set(found["notes"])
    lost = [note for note in burst.acknowledged + after.acknowledged if note not in stored]
    assert lost == [], json.dumps(lost)


def test_a_backup_taken_during_a_burst_of_writes_is_consistent_and_holds_every_earlier_write(
    migrated, make_database, gunicorn, loopback, tmp_path
) -> None:
    tokens = migrated.shell(SETUP)
    server = gunicorn(migrated.env, workers=3)
    burst = Burst(server.port)
    threads = [
        threading.Thread(target=write_diary, args=(burst, token, n, loopback, 15), daemon=True)
        for n, token in enumerate(tokens)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + BURST_DEADLINE_S
    while len(burst.acknowledged) < 10 and time.monotonic() < deadline and not burst.failures:
        time.sleep(0.01)
    with burst.lock:
        saved_before_backup = list(burst.acknowledged)
    out = tmp_path / "during-writes.backup"
    migrated.run("backup", "--out", str(out))  # while the writers keep going
    for thread in threads:
        thread.join(timeout=120)
    server.kill()
    assert not burst.failures
    assert len(burst.acknowledged) > len(saved_before_backup)

    copy = make_database("copy")
    copy.run("restore", str(out))
    found = copy.shell(VERIFY)
    assert found["problems"] == []
    missing = [note for note in saved_before_backup if note not in set(found["notes"])]
    assert missing == [], json.dumps(missing)
