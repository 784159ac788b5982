"""Prepared reads (clinic/prepared.py, decision 0178) return exactly what the ORM's QuerySets return,
bind each call's own arguments to the SQL written once, and refuse a query they cannot bind safely.
Database tests: CI runs them on PostgreSQL as well as SQLite."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from baclotrack.clinic import adapters, page_reads
from baclotrack.clinic.access import link_for_token
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.models import Client, DiaryDay, DiaryLink, PlanStep, TitrationPlan
from baclotrack.clinic.prepared import PreparedRead, columns, instance
from baclotrack.clinic.services import diary as diary_service
from baclotrack.clinic.services.diary import DiaryEntry, save_diary_day
from baclotrack.clinic.services.diary_access import create_diary_link
from baclotrack.clinic.services.plans import choose_protocol

FIELDS = ("date", "grams", "craving", "anxiety", "doses_mg", "side_effects")


def stored(model_object: Any) -> dict[str, Any]:
    """Every stored column of a model instance."""
    return {name: getattr(model_object, name) for name in columns(type(model_object))}


def fill_diary(cast: Any, client: Client, days: int) -> None:
    today = timezone.localdate()
    for n in range(2, days + 2):
        entry = DiaryEntry(
            drinks=[{"beverage": "grams", "grams": float(n % 5) * 12}],
            craving=n % 11,
            anxiety=(n * 3) % 11,
            doses_mg=[10.0, float(n % 3) * 5],
            side_effects={"somnolence": n % 4} if n % 2 else {},
        )
        save_diary_day(Actor(cast.clinician_a), client, today - dt.timedelta(days=n), entry)


def test_diary_rows_equal_the_querysets_for_each_client_and_start_date(cast: Any) -> None:
    fill_diary(cast, cast.client_a, 12)
    fill_diary(cast, cast.client_b, 5)
    today = timezone.localdate()
    for client in (cast.client_a, cast.client_b):
        for since in (None, today - dt.timedelta(days=6), today + dt.timedelta(days=1)):
            orm = client.diary_days.filter(deleted_at__isnull=True).order_by("date")
            if since is not None:
                orm = orm.filter(date__gte=since)
            expected = list(orm.values_list(*FIELDS))
            got = page_reads.live_diary(client, *FIELDS, since=since)
            assert got == expected
            assert [type(v) for row in got for v in row] == [type(v) for row in expected for v in row]
    assert len(page_reads.live_diary(cast.client_a, *FIELDS)) == 13  # 12 here and the cast's day


def test_a_deleted_day_is_not_read(cast: Any) -> None:
    diary_service.soft_delete_diary_day(Actor(cast.clinician_a), cast.day_a, "entered twice")
    assert page_reads.live_diary(cast.client_a, "date") == []


def test_active_plan_is_the_newest_live_plan_as_a_model_instance(cast: Any) -> None:
    assert page_reads.active_plan(cast.client_a) is None
    actor = Actor(cast.clinician_a)
    start = timezone.localdate()
    choose_protocol(actor, cast.client_a, protocol="resab", start_date=start, max_dose_mg=90.0)
    newest = choose_protocol(actor, cast.client_a, protocol="resab", start_date=start, max_dose_mg=60.0)
    plan = page_reads.active_plan(cast.client_a)
    assert isinstance(plan, TitrationPlan)
    assert stored(plan) == stored(TitrationPlan.objects.get(pk=newest.pk))
    assert not plan._state.adding and plan._state.db == "default"
    assert list(plan.steps.values_list("pk", flat=True)) == list(newest.steps.values_list("pk", flat=True))
    assert page_reads.active_plan(cast.client_b) is None


def test_plan_steps_from_a_date_equal_the_querysets(cast: Any) -> None:
    start = timezone.localdate() - dt.timedelta(days=5)
    plan = choose_protocol(
        Actor(cast.clinician_a), cast.client_a, protocol="resab", start_date=start, max_dose_mg=90.0
    )
    for since in (None, timezone.localdate(), start + dt.timedelta(days=400)):
        core = adapters.core_plan(cast.client_a, plan, since=since)
        assert core is not None
        orm = PlanStep.objects.filter(plan=plan).order_by("day")
        if since is not None:
            orm = orm.filter(date__gte=since)
        expected = orm.values_list("day", "date", "total_mg", "intakes_mg", "note")
        assert [(s.day, s.date, s.mg_per_day, s.intakes, s.note) for s in core.steps] == [
            (day, date, mg, tuple(intakes), note) for day, date, mg, intakes, note in expected
        ]


def test_link_lookup_gives_the_link_and_its_client(cast: Any) -> None:
    link = link_for_token(cast.token_a)
    assert stored(link) == stored(DiaryLink.objects.get(pk=cast.link_a.pk))
    assert stored(link.client) == stored(Client.objects.get(pk=cast.client_a.pk))
    _, token_b = create_diary_link(Actor(cast.clinician_b), cast.client_b)
    assert link_for_token(token_b).client.pk == cast.client_b.pk


def test_each_prepared_read_is_one_query(cast: Any) -> None:
    link_for_token(cast.token_a)  # the SQL is written on first use
    page_reads.live_diary(cast.client_a, *FIELDS)
    with CaptureQueriesContext(connection) as queries:
        link_for_token(cast.token_a)
        page_reads.live_diary(cast.client_a, *FIELDS)
    assert len(queries.captured_queries) == 2


def test_the_day_of_a_save_is_read_under_the_write_lock(cast: Any) -> None:
    """On PostgreSQL the stored day is read FOR UPDATE inside the save's transaction (SQLite's
    IMMEDIATE transaction locks the whole database instead)."""
    with CaptureQueriesContext(connection) as queries:
        save_diary_day(Actor(cast.clinician_a), cast.client_a, cast.day_a.date, DiaryEntry(craving=2))
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "clinic_diaryday"' in q["sql"]]
    assert len(reads) == 1
    assert ("FOR UPDATE" in reads[0]) == connection.features.has_select_for_update
    assert DiaryDay.objects.get(pk=cast.day_a.pk).version == 2


@pytest.mark.django_db
def test_a_query_that_drops_an_argument_is_refused() -> None:
    read = PreparedRead(lambda client_id: DiaryDay.objects.values_list("date"), int)
    with pytest.raises(ValueError, match="not parameters"):
        read.rows(1)


@pytest.mark.django_db
def test_constants_of_the_query_stay_as_the_orm_wrote_them() -> None:
    """``is_active=True`` is a parameter the caller does not pass; it must not take an argument's place."""
    read = PreparedRead(
        lambda client_id: TitrationPlan.objects.filter(client_id=client_id, is_active=True).values_list("pk"),
        int,
    )
    assert read.rows(1) == []


def test_unsupported_argument_types_are_refused() -> None:
    with pytest.raises(TypeError, match="int, str or date"):
        PreparedRead(lambda value: DiaryDay.objects.none(), float)


@pytest.mark.django_db
def test_the_number_of_arguments_is_checked() -> None:
    read = PreparedRead(lambda client_id: DiaryDay.objects.filter(client_id=client_id).values_list("pk"), int)
    with pytest.raises(TypeError, match="1 arguments, got 2"):
        read.rows(1, 2)


def test_instance_is_built_from_columns_in_order(cast: Any) -> None:
    row = DiaryDay.objects.filter(pk=cast.day_a.pk).values_list(*columns(DiaryDay)).get()
    day = instance(DiaryDay, row)
    assert stored(day) == stored(DiaryDay.objects.get(pk=cast.day_a.pk))
    with transaction.atomic():
        day.note = "changed through the instance"
        day.save(update_fields=["note"])
    assert DiaryDay.objects.get(pk=cast.day_a.pk).note == "changed through the instance"
