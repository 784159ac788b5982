"""Implausible values are kept only when confirmed; impossible ones are refused. The limits are the
core's (core/plausibility.py), shared with the CSV importers."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from baclotrack.clinic.models import AuditEvent, DiaryDay, TitrationPlan, Visit
from baclotrack.core.plausibility import DEFAULT_LIMITS
from baclotrack.exchange import csv_table


def test_forms_and_csv_importers_share_the_cores_limits() -> None:
    assert csv_table.DEFAULT_LIMITS is DEFAULT_LIMITS
    assert (DEFAULT_LIMITS.drinks_per_day, DEFAULT_LIMITS.dose_mg_per_day) == (40.0, 300.0)


def _day_url(cast, days_ago: int = 2) -> str:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return f"/clients/{cast.client_a.pk}/diary/{day.isoformat()}/"


def _diary(count: int = 1, **extra: str) -> dict[str, str]:
    # Spirits: a 40 ml measure of 40 % spirits is 12.6 g, 1.26 French standard drinks (10 g).
    drink = {"drink_0_beverage": "spirits", "drink_0_count": str(count)}
    return {"craving": "3", "anxiety": "2", **drink, **extra}


def test_more_than_forty_drinks_asks_for_confirmation_then_saves(cast) -> None:
    http = cast.http("clinician_a")
    days, events = DiaryDay.objects.count(), AuditEvent.objects.count()
    warned = http.post(_day_url(cast), _diary(36))  # 45.4 standard drinks
    assert warned.status_code == 200
    page = warned.content.decode()
    assert "45.4 standard drinks is more than 40" in page
    assert 'type="checkbox" name="confirm_implausible"' in page
    assert (DiaryDay.objects.count(), AuditEvent.objects.count()) == (days, events)
    confirmed = http.post(_day_url(cast), _diary(36, confirm_implausible="on"))
    assert confirmed.status_code == 302
    assert DiaryDay.objects.count() == days + 1


def test_plausible_day_needs_no_confirmation(cast) -> None:
    response = cast.http("clinician_a").post(_day_url(cast), _diary(3))
    assert response.status_code == 302


def test_dose_above_300_mg_in_a_day_asks_for_confirmation(cast) -> None:
    http = cast.http("clinician_a")
    doses = {"dose_0": "100", "dose_1": "100", "dose_2": "120"}
    warned = http.post(_day_url(cast), _diary(1, **doses))
    assert "320 mg/day of baclofen is more than 300" in warned.content.decode()
    assert http.post(_day_url(cast), _diary(1, confirm_implausible="on", **doses)).status_code == 302


def test_impossible_diary_values_are_refused_even_when_confirmed(cast) -> None:
    http = cast.http("clinician_a")
    days = DiaryDay.objects.count()
    cases = {
        "drink_0_count": _diary(-1, confirm_implausible="on"),
        "drink_0_abv_percent": _diary(1, drink_0_abv_percent="101", confirm_implausible="on"),
        "craving": _diary(1, craving="11", confirm_implausible="on"),
        "dose_0": _diary(1, dose_0="-5", confirm_implausible="on"),
    }
    for field, data in cases.items():
        response = http.post(_day_url(cast), data)
        assert response.status_code == 200
        assert field in response.context["form"].errors, field
    assert DiaryDay.objects.count() == days


def test_diary_day_in_the_future_is_refused(cast) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = cast.http("clinician_a").post(f"/clients/{cast.client_a.pk}/diary/{tomorrow}/", _diary(1))
    assert response.status_code == 404
    assert not DiaryDay.objects.filter(date=tomorrow).exists()


def _visit(**extra: str) -> dict[str, str]:
    today = timezone.localdate().isoformat()
    return {"date": today, "decision": "hold", "dose_mg": "60", "reason": "tolerated", **extra}


def test_visit_dose_above_300_mg_asks_for_confirmation(cast) -> None:
    http = cast.http("clinician_a")
    url = f"/clients/{cast.client_a.pk}/visits/new/"
    warned = http.post(url, _visit(dose_mg="350"))
    assert "350 mg/day of baclofen is more than 300" in warned.content.decode()
    assert not Visit.objects.exists()
    assert http.post(url, _visit(dose_mg="350", confirm_implausible="on")).status_code == 302
    assert Visit.objects.get().dose_mg == 350


def test_visit_in_the_future_is_refused(cast) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    url = f"/clients/{cast.client_a.pk}/visits/new/"
    response = cast.http("clinician_a").post(url, _visit(date=tomorrow))
    assert "is in the future" in str(response.context["form"].errors["date"])
    assert not Visit.objects.exists()


def test_assessment_in_the_future_is_refused(cast) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    answers = {f"item_{n}": "0" for n in range(1, 8)}
    url = f"/clients/{cast.client_a.pk}/assessments/gad-7/"
    response = cast.http("clinician_a").post(url, {"date": tomorrow, **answers})
    assert response.status_code == 200 and "date" in response.context["form"].errors


def test_plan_cap_above_300_mg_asks_for_confirmation(cast) -> None:
    http = cast.http("clinician_a")
    url = f"/clients/{cast.client_a.pk}/plan/"
    data = {"protocol": "ameisen-2005", "start_date": timezone.localdate().isoformat(), "max_dose_mg": "320"}
    assert "320 mg/day of baclofen is more than 300" in http.post(url, data).content.decode()
    assert not TitrationPlan.objects.exists()
    assert http.post(url, {**data, "confirm_implausible": "on"}).status_code == 302
    assert TitrationPlan.objects.count() == 1


def test_baseline_day_above_forty_drinks_asks_for_confirmation(cast) -> None:
    http = cast.http("clinician_a")
    url = f"/clients/{cast.client_a.pk}/baseline/calendar/"
    data = {f"day_{n}": "2" for n in range(28)} | {"day_5": "45"}
    warned = http.post(url, data)
    assert warned.status_code == 200 and "45.0 standard drinks is more than 40" in warned.content.decode()
    assert not DiaryDay.objects.filter(source="baseline").exists()
    assert http.post(url, {**data, "confirm_implausible": "on"}).status_code == 302
    assert DiaryDay.objects.filter(source="baseline").count() == 28
