"""The taper page: a taper to zero from the dose the client takes, paced and checked by the core."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from baclotrack.clinic import adapters
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.models import AuditEvent, TitrationPlan
from baclotrack.clinic.services.diary import DiaryEntry, save_diary_day
from baclotrack.clinic.services.plans import choose_protocol
from baclotrack.clinic.services.visits import record_visit
from baclotrack.core.titration.taper import TAKEN_DOSE_LOOKBACK_DAYS

TODAY = timezone.localdate


def taper_url(cast) -> str:
    return f"/clients/{cast.client_a.pk}/taper/"


def taper_form(**changed: object) -> dict[str, object]:
    """The taper form as posted: 10 mg every 2 days over at least 14 days from 60 mg/day, today."""
    form = {"start_date": TODAY().isoformat(), "from_mg": 60, "step_mg": 10, "interval_days": 2}
    return form | {"min_duration_days": 14} | changed


def on_60_mg(cast) -> None:
    """Client A on a plan, then a visit that settled the dose at 60 mg/day."""
    actor = Actor(cast.clinician_a)
    choose_protocol(actor, cast.client_a, protocol="resab", start_date=TODAY(), max_dose_mg=80)
    record_visit(actor, cast.client_a, date=TODAY(), decision="hold", dose_mg=60, reason="craving gone")


def test_the_form_starts_from_the_dose_the_client_takes(cast) -> None:
    on_60_mg(cast)
    form = cast.http("clinician_a").get(taper_url(cast)).context["form"]
    assert form.initial["from_mg"] == 60
    assert form.fields["step_mg"].initial == "10" and form.fields["interval_days"].initial == 2


def test_a_taper_replaces_the_plan_and_governs_the_dose_after_the_visit_that_decided_it(cast) -> None:
    on_60_mg(cast)
    http = cast.http("clinician_a")
    assert http.post(taper_url(cast), taper_form()).status_code == 302
    plans = TitrationPlan.objects.filter(client=cast.client_a)
    taper = plans.get(is_active=True)
    assert taper.protocol == "taper" and plans.count() == 2
    assert taper.options == {"step_mg": 10.0, "interval_days": 2, "min_duration_days": 14}
    doses = list(taper.steps.order_by("day").values_list("total_mg", flat=True))
    assert doses[0] == 60 and doses[-1] == 0
    assert all(0 <= a - b <= 10 for a, b in itertools.pairwise(doses))
    assert len(doses) - 1 >= 14  # days on baclofen
    # The taper, made after the visit of the same day, is the newer decision.
    later = TODAY() + dt.timedelta(days=len(doses))
    assert adapters.current_dose_mg(cast.client_a, later) == 0
    assert adapters.current_dose_mg(cast.client_a, TODAY()) == 60
    assert adapters.titration._caseload_doses([cast.client_a], later) == {cast.client_a.pk: 0}
    plan = http.get(f"/clients/{cast.client_a.pk}/").context["plan"]
    assert plan["protocol_name"] == "Taper from 60 mg/day" and plan["is_taper"]
    events = AuditEvent.objects.filter(client=cast.client_a, action__startswith="plan.")
    assert {"plan.create", "plan.replace"} <= set(events.values_list("action", flat=True))


def test_a_taper_faster_than_the_core_allows_is_refused_in_the_readers_language(cast) -> None:
    on_60_mg(cast)
    data = taper_form(step_mg=15, interval_days=1)
    http = cast.http("clinician_a")
    before = AuditEvent.objects.count()
    french = http.post(taper_url(cast), data, HTTP_ACCEPT_LANGUAGE="fr")
    assert french.status_code == 200
    assert "15 mg tous les 1 jours est plus rapide que la diminution permise par l&#x27;ANSM" in (
        french.content.decode()
    )
    english = http.post(taper_url(cast), data)
    assert "faster than the ANSM taper allows" in english.content.decode()
    assert TitrationPlan.objects.get(client=cast.client_a, is_active=True).protocol == "resab"
    assert AuditEvent.objects.count() == before


def test_a_taper_shorter_than_the_labels_week_is_refused_by_the_form(cast) -> None:
    response = cast.http("clinician_a").post(taper_url(cast), taper_form(from_mg=30, min_duration_days=5))
    assert response.status_code == 200 and "min_duration_days" in response.context["form"].errors
    assert not TitrationPlan.objects.filter(client=cast.client_a).exists()


def test_the_dashboard_offers_a_taper_beside_a_titration_plan(cast) -> None:
    on_60_mg(cast)
    page = cast.http("clinician_a").get(f"/clients/{cast.client_a.pk}/").content.decode()
    assert f'href="{taper_url(cast)}"' in page and "Start a taper" in page


def test_the_taper_page_states_the_cores_pace_in_french(cast) -> None:
    http = cast.http("clinician_a")
    page = http.get(taper_url(cast), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Commencer une diminution progressive" in page
    assert "Au plus 15 mg tous les 2 jours, et au moins 7 jours en tout" in page
    assert "par défaut 10 mg tous les 2 jours sur au moins 14 jours" in page


def test_a_visit_recorded_after_the_plan_still_sets_the_dose(cast) -> None:
    actor = Actor(cast.clinician_a)
    choose_protocol(actor, cast.client_a, protocol="resab", start_date=TODAY(), max_dose_mg=80)
    planned = adapters.current_dose_mg(cast.client_a, TODAY())
    record_visit(actor, cast.client_a, date=TODAY(), decision="hold", dose_mg=45, reason="somnolence")
    assert planned != 45 and adapters.current_dose_mg(cast.client_a, TODAY()) == 45
    # The caseload reads every client's dose at once, by the same rule.
    assert adapters.titration._caseload_doses([cast.client_a], TODAY()) == {cast.client_a.pk: 45}


def took(cast, mg: float, days_ago: int = 1) -> None:
    day = TODAY() - dt.timedelta(days=days_ago)
    entry = DiaryEntry(drinks=[], craving=1, anxiety=1, doses_mg=[mg / 3] * 3)
    save_diary_day(Actor(cast.clinician_a), cast.client_a, day, entry)


def test_the_form_starts_from_the_dose_the_client_reports_taking_above_the_prescribed_one(cast) -> None:
    on_60_mg(cast)
    took(cast, 90)
    page = cast.http("clinician_a").get(taper_url(cast))
    assert page.context["form"].initial["from_mg"] == 90
    assert "Prescribed today: 60 mg/day." in page.content.decode()
    assert "Last reported taken: 90 mg/day" in page.content.decode()


def test_a_taper_from_the_prescribed_dose_far_below_the_dose_taken_is_refused(cast) -> None:
    on_60_mg(cast)
    took(cast, 90)
    response = cast.http("clinician_a").post(taper_url(cast), taper_form())
    assert response.status_code == 200
    assert "would drop 30 mg at once" in response.content.decode()
    assert TitrationPlan.objects.get(client=cast.client_a, is_active=True).protocol == "resab"


def test_a_dose_reported_more_than_a_week_ago_is_not_the_start(cast) -> None:
    took(cast, 90, days_ago=TAKEN_DOSE_LOOKBACK_DAYS + 1)
    assert adapters.last_dose_taken(cast.client_a, TODAY()) is None


def test_the_prescriber_report_and_the_chart_show_a_taper_plan(cast) -> None:
    on_60_mg(cast)
    http = cast.http("clinician_a")
    assert http.post(taper_url(cast), taper_form()).status_code == 302
    report = http.get(f"/clients/{cast.client_a.pk}/report/")
    assert report.status_code == 200 and "Taper from 60 mg/day" in report.content.decode()
    chart = http.get(f"/clients/{cast.client_a.pk}/chart.svg")
    assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"


def test_a_visit_deciding_to_taper_leads_on_to_the_taper_page(cast) -> None:
    data = {"date": TODAY().isoformat(), "decision": "taper", "dose_mg": 60, "reason": "wants to stop"}
    response = cast.http("clinician_a").post(f"/clients/{cast.client_a.pk}/visits/new/", data)
    assert response.status_code == 302 and response["Location"] == taper_url(cast)
    hold = data | {"decision": "hold"}
    response = cast.http("clinician_a").post(f"/clients/{cast.client_a.pk}/visits/new/", hold)
    assert response["Location"] == f"/clients/{cast.client_a.pk}/"
