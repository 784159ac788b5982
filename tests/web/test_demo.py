"""The demo cohort: loaded once from the simulator, with the documented users."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from baclotrack.clinic.access import clients_for, is_clinician
from baclotrack.clinic.demo import DEMO_CLIENTS, load_demo
from baclotrack.clinic.models import Client, DiaryDay


@pytest.mark.django_db
def test_demo_loads_ameisen_and_the_synthetic_cohort_once() -> None:
    today = timezone.localdate()
    first = load_demo(today)
    assert first.created
    demo = User.objects.get(username="demo")
    codes = set(clients_for(demo).values_list("code", flat=True))
    assert "AMEISEN-2005" in codes
    assert len(codes) == DEMO_CLIENTS + 1
    assert is_clinician(User.objects.get(username="demo2"))
    assert not clients_for(User.objects.get(username="demo2")).exists()
    assert Client.objects.get(user__username="client").code == "AMEISEN-2005"
    # Courses are moved in time: nothing after today, and the cohort is in treatment now.
    assert not DiaryDay.objects.filter(date__gt=today).exists()
    days = DiaryDay.objects.count()

    again = load_demo(today)
    assert not again.created
    assert Client.objects.count() == DEMO_CLIENTS + 1
    assert DiaryDay.objects.count() == days


@pytest.mark.django_db
def test_demo_caseload_page_lists_every_client_with_a_dose() -> None:
    from django.test import Client as HttpClient

    load_demo(timezone.localdate())
    http = HttpClient()
    assert http.login(username="demo", password="demo")
    rows = http.get("/caseload/").context["rows"]
    assert len(rows) == DEMO_CLIENTS + 1
    assert all(r["dose_mg"] is not None for r in rows)
    ameisen = next(r for r in rows if r["code"] == "AMEISEN-2005")
    assert http.get(f"/clients/{ameisen['client_id']}/").status_code == 200
