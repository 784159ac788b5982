"""The N-of-1 dose-response on the client's dashboard and its chart (views/doseresponse.py)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import formats, timezone

from baclotrack.clinic.audit import Actor
from baclotrack.clinic.models import Client
from baclotrack.clinic.services.clients import create_client
from baclotrack.clinic.services.diary import DiaryEntry, import_diary_days

#: Dose steps of the escalation (mg/day, 7 days each), then the dose held for 30 days.
STEPS_MG = (10, 20, 40, 60, 80, 120)
HELD_MG = 160


def client_with_diary(
    clinician: User, code: str, days: list[tuple[dt.date, float | None, int, float]]
) -> Client:
    """A client of ``clinician`` with diary days (date, dose taken mg or None, craving, grams)."""
    actor = Actor(clinician)
    start = min(d for d, dose, *_ in days if dose is not None)
    client = create_client(
        actor,
        clinician,
        code=code,
        sex="M",
        birth_year=1970,
        weight_kg=80.0,
        country="FR",
        treatment_start=start,
        creatinine_clearance=95.0,
        cautions=[],
    )
    entries = [
        (
            date,
            DiaryEntry(
                drinks=[{"beverage": "grams", "grams": grams}],
                craving=craving,
                doses_mg=[] if dose is None else [dose],
            ),
        )
        for date, dose, craving, grams in days
    ]
    import_diary_days(actor, client, entries)
    return client


def responder_days(start: dt.date) -> list[tuple[dt.date, float | None, int, float]]:
    """28 baseline days, an escalation whose craving follows an Emax curve (E0 8, Emax 8, ED50 60,
    seeded noise), then 30 days at HELD_MG with craving 1-2 and no drinking."""
    rng = np.random.default_rng(7)
    days: list[tuple[dt.date, float | None, int, float]] = [
        (start - dt.timedelta(days=28 - i), None, 8, 80.0) for i in range(28)
    ]
    doses = [d for d in STEPS_MG for _ in range(7)] + [HELD_MG] * 30
    for i, dose in enumerate(doses):
        if dose < HELD_MG:
            craving = int(min(10, max(0, round(8 - 8 * dose / (60 + dose)) + int(rng.integers(-1, 2)))))
            grams = 40.0 if craving > 4 else 0.0
        else:
            craving, grams = 1 + i % 2, 0.0
        days.append((start + dt.timedelta(days=i), float(dose), craving, grams))
    return days


def test_dashboard_shows_the_indifference_dose_with_its_date_and_the_curve(cast) -> None:
    start = timezone.localdate() - dt.timedelta(days=80)
    client = client_with_diary(cast.clinician_a, "A-DR", responder_days(start))
    response = cast.http("clinician_a").get(reverse("clinic:dashboard", args=[client.pk]))
    assert response.status_code == 200
    summary = response.context["dose_response"]
    reached_on = start + dt.timedelta(days=7 * len(STEPS_MG) + 13)  # 14th day at the held dose
    assert summary["indifference"]["reached"] is True
    assert summary["indifference"]["dose_mg"] == HELD_MG
    assert summary["indifference"]["date"] == reached_on
    assert summary["emax"]["identifiable"] is True
    assert 10 < summary["emax"]["ed50"] < 200
    assert summary["emax"]["ed50_mg_per_kg"]["estimate"] == pytest.approx(summary["emax"]["ed50"] / 80.0)
    page = response.content.decode()
    assert f"{HELD_MG} mg/day" in page
    assert formats.date_format(reached_on) in page
    assert "14 consecutive diary days" in page  # the rule is stated
    assert 'class="emax"' in page
    assert reverse("clinic:dose_response_chart", args=[client.pk]) in page


def test_a_single_dose_level_shows_the_reason_and_no_curve_numbers(cast) -> None:
    start = timezone.localdate() - dt.timedelta(days=40)
    days = [(start + dt.timedelta(days=i), 30.0, 3 + i % 4, 0.0) for i in range(35)]
    client = client_with_diary(cast.clinician_a, "A-FLAT", days)
    response = cast.http("clinician_a").get(reverse("clinic:dashboard", args=[client.pk]))
    emax = response.context["dose_response"]["emax"]
    assert emax["identifiable"] is False
    assert "distinct dose" in emax["reason"]
    assert "ed50" not in emax and "e0" not in emax
    page = response.content.decode()
    assert "No dose-response curve:" in page and emax["reason"] in page
    assert 'class="emax"' not in page and "ED50" not in page


def test_a_single_dose_level_gives_the_reason_in_french_on_a_french_dashboard(cast) -> None:
    start = timezone.localdate() - dt.timedelta(days=40)
    days = [(start + dt.timedelta(days=i), 30.0, 3 + i % 4, 0.0) for i in range(35)]
    client = client_with_diary(cast.clinician_a, "A-FLAT-FR", days)
    http = cast.http("clinician_a")
    http.cookies["django_language"] = "fr"
    response = http.get(reverse("clinic:dashboard", args=[client.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    reason = response.context["dose_response"]["emax"]["reason"]
    assert reason == (
        "seulement 1 dose(s) distincte(s) ; une courbe Emax en demande au moins 3 pour montrer sa forme"
    )
    page = response.content.decode()
    assert "Pas de courbe dose-réponse :" in page and reason in page
    assert "distinct dose" not in page and "an Emax curve needs" not in page


def test_a_client_without_diary_days_gets_a_plain_message(cast) -> None:
    response = cast.http("clinician_b").get(reverse("clinic:dashboard", args=[cast.client_b.pk]))
    assert response.context["dose_response"]["available"] is False
    assert "No diary days yet." in response.content.decode()
    chart = cast.http("clinician_b").get(reverse("clinic:dose_response_chart", args=[cast.client_b.pk]))
    assert chart.status_code == 200 and b"No diary days yet." in chart.content


def test_chart_is_a_self_contained_svg(cast) -> None:
    start = timezone.localdate() - dt.timedelta(days=80)
    client = client_with_diary(cast.clinician_a, "A-SVG", responder_days(start))
    response = cast.http("clinician_a").get(reverse("clinic:dose_response_chart", args=[client.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert "<svg" in svg and "indifference dose" in svg
    # Nothing fetched at display time: no linked images, fonts or style sheets.
    assert "<image" not in svg and "@import" not in svg and "@font-face" not in svg


def test_chart_of_another_clinicians_client_is_not_found(cast) -> None:
    response = cast.http("clinician_b").get(reverse("clinic:dose_response_chart", args=[cast.client_a.pk]))
    assert response.status_code == 404


def test_the_chart_is_drawn_in_the_readers_language_and_cached_per_language(cast) -> None:
    start = timezone.localdate() - dt.timedelta(days=80)
    client = client_with_diary(cast.clinician_a, "A-SVG-FR", responder_days(start))
    url = reverse("clinic:dose_response_chart", args=[client.pk])
    http = cast.http("clinician_a")
    english = http.get(url).content.decode()
    http.cookies["django_language"] = "fr"
    french = http.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "indifference dose" in english and "daily dose (mg/day)" in english
    assert "dose d&#39;indifférence" in french or "dose d'indifférence" in french
    assert "dose quotidienne (mg/j)" in french and "A-SVG-FR : dose et envie de boire" in french
    assert "indifference dose" not in french and "diary days" not in french
    del http.cookies["django_language"]
    assert http.get(url).content.decode() == english  # the English drawing is still served to English


def test_no_diary_days_is_said_in_each_readers_language(cast) -> None:
    chart = reverse("clinic:dose_response_chart", args=[cast.client_b.pk])
    http = cast.http("clinician_b")
    assert b"No diary days yet." in http.get(chart).content
    http.cookies["django_language"] = "fr"
    french = http.get(chart, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    page = http.get(reverse("clinic:dashboard", args=[cast.client_b.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "No diary days yet." not in french and "No diary days yet." not in page.content.decode()
