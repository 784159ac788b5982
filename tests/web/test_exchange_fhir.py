"""FHIR bundles of clients in the database: export, import through services, round trip."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from django.db import transaction
from django.utils import timezone

from baclotrack.clinic import adapters
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.fhir_records import client_bundle_json, client_data, dose_periods
from baclotrack.clinic.models import AuditEvent, Client
from baclotrack.clinic.services.fhir_import import import_client_bundle
from baclotrack.core.errors import InputError

from .conftest import make_clinician
from .exchange_data import fill_caseload


def test_bundle_export_import_export_through_the_database_is_identical(cast) -> None:
    today = timezone.localdate()
    with transaction.atomic():
        source = make_clinician("frank")
        clients = fill_caseload(source)
        first = {c.code: client_bundle_json(c, today) for c in clients}
        start, plain_start = clients[0].treatment_start, clients[1].treatment_start
        transaction.set_rollback(True)
    target = make_clinician("erin")
    imported = [
        import_client_bundle(Actor(target), target, first["R-001"]),
        # R-002 has no prescribed dose, so the bundle gives no start of treatment.
        import_client_bundle(Actor(target), target, first["R-002"], treatment_start=plain_start),
    ]
    assert imported[0].clinician == target
    assert imported[0].treatment_start == start  # the first prescribed day: the plan's start
    second = {c.code: client_bundle_json(c, today) for c in imported}
    assert second == first
    resources = [e["resource"]["resourceType"] for e in json.loads(first["R-001"])["entry"]]
    assert resources.count("MedicationStatement") > 1 and "Patient" in resources


def test_imported_client_has_the_same_current_dose_as_the_exported_one(cast) -> None:
    today = timezone.localdate()
    with transaction.atomic():
        source = make_clinician("frank")
        rich = fill_caseload(source)[0]
        dose = adapters.current_dose_mg(rich, today)
        bundle = client_bundle_json(rich, today)
        transaction.set_rollback(True)
    target = make_clinician("erin")
    client = import_client_bundle(Actor(target), target, bundle)
    assert dose is not None
    assert adapters.current_dose_mg(client, today) == dose


def test_dose_periods_start_where_the_prescribed_dose_changes(cast) -> None:
    start = cast.client_a.treatment_start
    fill_caseload(cast.clinician_a)
    rich = Client.objects.get(code="R-001")
    periods = dose_periods(rich, timezone.localdate())

    def day(days: int) -> dt.date:
        return rich.treatment_start + dt.timedelta(days=days)

    # The visit on day 8 sets 30 mg/day until "continue the plan" hands the dose back to the plan.
    assert [(p.start, p.mg_per_day) for p in periods if p.start == day(7)] == [(day(7), 30.0)]
    assert periods[0].start == rich.treatment_start and periods[-1].end is None
    assert periods[-1].mg_per_day == adapters.current_dose_mg(rich, timezone.localdate())
    for earlier, later in itertools.pairwise(periods):
        assert earlier.end == later.start - dt.timedelta(days=1)
        assert earlier.mg_per_day != later.mg_per_day
    assert dose_periods(cast.client_a, timezone.localdate()) == ()  # no plan, no visit
    assert start == cast.client_a.treatment_start


def test_a_bundle_whose_code_is_already_used_is_refused_and_nothing_is_written(cast) -> None:
    bundle = client_bundle_json(cast.client_b, timezone.localdate())
    before = (AuditEvent.objects.count(), Client.objects.count())
    with pytest.raises(InputError, match="'B-001' is already used"):
        import_client_bundle(Actor(cast.clinician_a), cast.clinician_a, bundle)
    assert (AuditEvent.objects.count(), Client.objects.count()) == before


def test_a_bundle_without_doses_needs_a_start_date(cast) -> None:
    today = timezone.localdate()
    with transaction.atomic():
        bundle = client_bundle_json(cast.client_a, today)
        data = client_data(cast.client_a, today)
        transaction.set_rollback(True)
    cast.client_a.refresh_from_db()
    # Free the code as another installation would have it free.
    Client.objects.filter(pk=cast.client_a.pk).update(code="A-OLD")
    with pytest.raises(InputError, match="give the start of treatment"):
        import_client_bundle(Actor(cast.clinician_b), cast.clinician_b, bundle)
    start = today - dt.timedelta(days=30)
    client = import_client_bundle(Actor(cast.clinician_b), cast.clinician_b, bundle, treatment_start=start)
    assert client.treatment_start == start
    assert client.diary_days.count() == len(data.diary)
    assert AuditEvent.objects.filter(client=client, action="client.create").exists()
