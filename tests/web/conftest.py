"""The standing cast for the clinic's tests, and the `db` marker on every database test.

Cast: clinician A (alice) with client A (login carol), clinician B (bob) with client B
(login dave), an administrator (root), a researcher (rita), and the anonymous visitor. Every URL is tried by
every member (test_ownership.py).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import connection
from django.test import Client as HttpClient
from django.test import TransactionTestCase
from django.utils import timezone, translation

from baclotrack.clinic.access import CLINICIANS_GROUP, RESEARCHERS_GROUP
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.models import Alert, Client, DiaryDay, DiaryLink
from baclotrack.clinic.services.clients import create_client
from baclotrack.clinic.services.diary import DiaryEntry, save_diary_day
from baclotrack.clinic.services.diary_access import create_diary_link, grant_client_login

DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server", "django_user_model"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that touches the database `db`, so `pytest -m db` reruns them on PostgreSQL."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & DB_FIXTURES or item.get_closest_marker("django_db") or "cast" in fixtures:
            item.add_marker(pytest.mark.db)


PASSWORD = "correct-horse-battery-staple"
TODAY = dt.date(2026, 3, 20)


def make_clinician(username: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get(name=CLINICIANS_GROUP))
    return user


def make_client(clinician: User, code: str, login: str) -> Client:
    actor = Actor(clinician)
    client = create_client(
        actor,
        clinician,
        code=code,
        sex="M",
        birth_year=1970,
        weight_kg=80.0,
        country="FR",
        treatment_start=timezone.localdate() - dt.timedelta(days=10),
        creatinine_clearance=95.0,
        cautions=[],
    )
    grant_client_login(actor, client, login, PASSWORD)
    client.refresh_from_db()
    return client


@dataclass
class Cast:
    clinician_a: User
    clinician_b: User
    client_a: Client
    client_b: Client
    admin: User
    day_a: DiaryDay
    alert_a: Alert
    link_a: DiaryLink
    token_a: str
    researcher: User | None = None

    def http(self, who: str) -> HttpClient:
        """A browser session signed in as a member of the cast ('anonymous' for nobody)."""
        users: dict[str, Any] = {
            "clinician_a": self.clinician_a,
            "clinician_b": self.clinician_b,
            "client_a": self.client_a.user,
            "client_b": self.client_b.user,
            "admin": self.admin,
            "researcher": self.researcher,
            "anonymous": None,
        }
        http = HttpClient()
        if users[who] is not None:
            http.force_login(users[who])
        return http


@pytest.fixture
def cast(db: None) -> Cast:
    alice, bob = make_clinician("alice"), make_clinician("bob")
    client_a = make_client(alice, "A-001", "carol")
    client_b = make_client(bob, "B-001", "dave")
    admin = User.objects.create_superuser(username="root", password=PASSWORD)
    day = save_diary_day(
        Actor(alice),
        client_a,
        timezone.localdate() - dt.timedelta(days=1),
        DiaryEntry(
            drinks=[{"beverage": "beer", "count": 2, "volume_ml": 330.0, "abv_percent": 5.0}], craving=4
        ),
    )
    alert = Alert.objects.create(
        client=client_a,
        rule_id="TEST-RULE",
        severity="warning",
        title="Test alert",
        reason="made by the test fixture",
        raised_on=timezone.localdate(),
    )
    link, token = create_diary_link(Actor(alice), client_a)
    researcher = User.objects.create_user(username="rita", password=PASSWORD)
    researcher.groups.add(Group.objects.get(name=RESEARCHERS_GROUP))
    return Cast(alice, bob, client_a, client_b, admin, day, alert, link, token, researcher)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Each test starts in English: a request in French leaves its language active in the thread."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fresh_throttle() -> Iterator[None]:
    """Throttle counters (sign-in failures, link guesses) live in the cache: none carries over."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 is slow on purpose; the tests check access rules, not the hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


#: The migration that makes the audit trail and diary versions append-only in the database.
APPEND_ONLY = importlib.import_module("baclotrack.clinic.migrations.0008_append_only_triggers")


@pytest.fixture(autouse=True, scope="session")
def flush_past_append_only_triggers() -> Iterator[None]:
    """A transactional test (the browser tests) ends with Django's flush, which empties every
    table, and the triggers rightly refuse to empty the history tables (DELETE on SQLite, TRUNCATE
    on PostgreSQL). Only here, between tests, are the triggers lifted for the flush and put back
    after it, as docs/operations.md tells an administrator to do for a purge."""
    original = TransactionTestCase._fixture_teardown

    def teardown(self: TransactionTestCase) -> None:
        with connection.schema_editor() as editor:
            APPEND_ONLY.drop_triggers(None, editor)
        try:
            original(self)
        finally:
            with connection.schema_editor() as editor:
                APPEND_ONLY.create_triggers(None, editor)

    TransactionTestCase._fixture_teardown = teardown  # type: ignore[method-assign]
    yield
    TransactionTestCase._fixture_teardown = original  # type: ignore[method-assign]
