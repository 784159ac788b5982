"""Pages and actions through the browser's eyes (Django's test client)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from baclotrack.clinic.models import (
    Alert,
    AlertStatus,
    Assessment,
    AuditEvent,
    Client,
    DiaryDay,
    DiarySource,
    TitrationPlan,
    Visit,
)

TODAY = timezone.localdate


def diary_post(**extra: object) -> dict[str, object]:
    """A diary day as the form posts it: a day without alcohol, unless ``extra`` says otherwise."""
    data: dict[str, object] = {"craving": 3, "anxiety": 2, "note": "", "drank": "no"}
    data.update(extra)
    return data


def test_clinician_creates_a_client_from_the_form(cast) -> None:
    http = cast.http("clinician_a")
    response = http.post(
        "/clients/new/",
        {
            "code": "A-777",
            "sex": "F",
            "birth_year": 1981,
            "weight_kg": 64,
            "country": "FR",
            "creatinine_clearance": 70,
            "cautions": ["epilepsy", "sedatives_or_opioids"],
            "treatment_start": TODAY().isoformat(),
        },
    )
    client = Client.objects.get(code="A-777")
    assert response.status_code == 302 and response["Location"] == f"/clients/{client.pk}/"
    assert client.clinician == cast.clinician_a
    assert client.cautions == ["epilepsy", "sedatives_or_opioids"]
    assert AuditEvent.objects.filter(client=client, action="client.create").exists()


def test_client_form_shows_a_used_code_next_to_the_field(cast) -> None:
    response = cast.http("clinician_a").post(
        "/clients/new/",
        {
            "code": "B-001",
            "sex": "F",
            "birth_year": 1981,
            "weight_kg": 64,
            "country": "FR",
            "treatment_start": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert "code" in response.context["form"].errors


def test_baseline_calendar_is_saved_in_grams_of_the_clients_country(cast) -> None:
    data = {f"day_{i}": 2 for i in range(28)}
    response = cast.http("clinician_a").post(f"/clients/{cast.client_a.pk}/baseline/calendar/", data)
    assert response.status_code == 302
    days = DiaryDay.objects.filter(client=cast.client_a, source=DiarySource.BASELINE)
    assert days.count() == 28
    assert {d.grams for d in days} == {20.0}  # two French standard drinks of 10 g


def test_questionnaire_page_lists_the_core_items_and_scores_on_save(cast) -> None:
    http = cast.http("clinician_a")
    page = http.get(f"/clients/{cast.client_a.pk}/assessments/gad-7/")
    assert len([f for f in page.context["form"].fields if f.startswith("item_")]) == 7
    data = {f"item_{i}": 2 for i in range(1, 8)} | {"date": TODAY().isoformat()}
    assert http.post(f"/clients/{cast.client_a.pk}/assessments/gad-7/", data).status_code == 302
    assessment = Assessment.objects.get(client=cast.client_a, instrument="gad-7")
    assert assessment.total == 14


def test_choosing_a_protocol_shows_todays_and_the_next_step(cast) -> None:
    http = cast.http("clinician_a")
    data = {"protocol": "resab", "start_date": TODAY().isoformat(), "max_dose_mg": 80}
    assert http.post(f"/clients/{cast.client_a.pk}/plan/", data).status_code == 302
    assert TitrationPlan.objects.filter(client=cast.client_a, is_active=True).count() == 1
    plan = http.get(f"/clients/{cast.client_a.pk}/").context["plan"]
    assert plan["today"]["total_mg"] == 15  # RESAB starts at about 15 mg/day
    assert plan["next"]["total_mg"] > 15


def test_visit_records_the_decision_and_its_reason(cast) -> None:
    data = {
        "date": TODAY().isoformat(),
        "decision": "decrease",
        "dose_mg": 30,
        "reason": "somnolence at 40 mg",
        "se_somnolence": 2,
    }
    assert cast.http("clinician_a").post(f"/clients/{cast.client_a.pk}/visits/new/", data).status_code == 302
    visit = Visit.objects.get(client=cast.client_a)
    assert (visit.decision, visit.dose_mg, visit.side_effects) == ("decrease", 30.0, {"somnolence": 2})


def test_visit_without_a_reason_is_not_saved(cast) -> None:
    data = {"date": TODAY().isoformat(), "decision": "hold", "dose_mg": 30, "reason": ""}
    response = cast.http("clinician_a").post(f"/clients/{cast.client_a.pk}/visits/new/", data)
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert not Visit.objects.exists()


def test_client_enters_a_day_through_the_personal_link(cast) -> None:
    day = (TODAY() - dt.timedelta(days=2)).isoformat()
    data = diary_post(
        drank="",  # typing the drinks is answer enough
        drink_0_beverage="wine",
        drink_0_count=2,
        drink_0_volume_ml="",
        drink_0_abv_percent="",
        dose_0=10,
        dose_1=10,
        se_dizziness=1,
    )
    response = cast.http("anonymous").post(f"/d/{cast.token_a}/{day}/", data)
    assert response.status_code == 302
    saved = DiaryDay.objects.get(client=cast.client_a, date=day)
    assert saved.grams == 2 * 125 * 0.12 * 0.789  # the wine preset's volume and strength
    assert saved.doses_mg == [10.0, 10.0]
    assert saved.side_effects == {"dizziness": 1}
    event = AuditEvent.objects.get(action="diary.create", object_id=str(saved.pk))
    assert event.actor is None and event.actor_label == f"diary link {cast.link_a.pk}"


def test_a_dose_of_zero_is_recorded_as_not_taken_not_as_blank(cast) -> None:
    # The missed-dose (withdrawal) rule needs to see days with 0 mg taken; a blank stays "not reported".
    day = (TODAY() - dt.timedelta(days=3)).isoformat()
    response = cast.http("anonymous").post(f"/d/{cast.token_a}/{day}/", diary_post(dose_0=0))
    assert response.status_code == 302
    assert DiaryDay.objects.get(client=cast.client_a, date=day).doses_mg == [0.0]
    blank = (TODAY() - dt.timedelta(days=4)).isoformat()
    assert cast.http("anonymous").post(f"/d/{cast.token_a}/{blank}/", diary_post()).status_code == 302
    assert DiaryDay.objects.get(client=cast.client_a, date=blank).doses_mg == []
    form = cast.http("anonymous").get(f"/d/{cast.token_a}/{blank}/").content.decode()
    assert "Enter 0 for an intake you skipped" in form


def test_client_corrects_a_day_by_login_and_the_old_version_is_kept(cast) -> None:
    http = cast.http("client_a")
    day = cast.day_a.date.isoformat()
    page = http.get(f"/diary/{day}/")
    assert page.context["form"].initial["drink_0_count"] == 2
    assert http.post(f"/diary/{day}/", diary_post(craving=7)).status_code == 302
    stored = DiaryDay.objects.get(pk=cast.day_a.pk)
    assert (stored.version, stored.craving, stored.grams) == (2, 7, 0.0)
    assert stored.versions.get().snapshot["craving"] == 4


def test_a_drink_without_a_count_is_refused_with_a_message(cast) -> None:
    day = TODAY().isoformat()
    response = cast.http("client_a").post(f"/diary/{day}/", diary_post(drank="yes", drink_0_beverage="beer"))
    assert response.status_code == 200
    assert "drink_0_count" in response.context["form"].errors


def test_diary_day_in_the_future_is_not_found(cast) -> None:
    tomorrow = (TODAY() + dt.timedelta(days=1)).isoformat()
    assert cast.http("client_a").get(f"/diary/{tomorrow}/").status_code == 404


def test_clinician_soft_deletes_a_diary_day_with_a_reason(cast) -> None:
    http = cast.http("clinician_a")
    assert http.post(f"/diary-days/{cast.day_a.pk}/delete/", {"reason": ""}).status_code == 200
    assert http.post(f"/diary-days/{cast.day_a.pk}/delete/", {"reason": "duplicate"}).status_code == 302
    assert DiaryDay.objects.get(pk=cast.day_a.pk).deleted_reason == "duplicate"


def test_clinician_soft_deletes_a_client_with_a_reason(cast) -> None:
    http = cast.http("clinician_a")
    assert http.post(f"/clients/{cast.client_a.pk}/delete/", {"reason": "end of care"}).status_code == 302
    assert http.get(f"/clients/{cast.client_a.pk}/").status_code == 404
    assert Client.objects.get(pk=cast.client_a.pk).deleted_reason == "end of care"


def test_alert_is_resolved_from_its_page(cast) -> None:
    http = cast.http("clinician_a")
    response = http.post(f"/alerts/{cast.alert_a.pk}/resolve/", {"note": "reviewed at the visit"})
    assert response.status_code == 302
    assert Alert.objects.get(pk=cast.alert_a.pk).status == AlertStatus.RESOLVED


def test_new_link_is_shown_once_and_revoked_from_the_access_page(cast) -> None:
    http = cast.http("clinician_a")
    response = http.post(f"/clients/{cast.client_a.pk}/access/links/new/")
    url = response.context["new_link"]
    assert "/d/" in url
    assert http.get(f"/clients/{cast.client_a.pk}/access/").context["new_link"] is None
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert cast.http("anonymous").get(f"/d/{token}/").status_code == 200
    link = cast.client_a.diary_links.order_by("-pk").first()
    assert http.post(f"/links/{link.pk}/revoke/").status_code == 302
    assert cast.http("anonymous").get(f"/d/{token}/").status_code == 404


def test_clinician_gives_and_revokes_the_client_login(cast) -> None:
    http = cast.http("clinician_b")
    client = cast.client_b
    assert http.post(f"/clients/{client.pk}/access/login/revoke/").status_code == 302
    data = {"username": "dave-new", "password": "a-long-passphrase-2026"}
    assert http.post(f"/clients/{client.pk}/access/login/", data).status_code == 302
    assert Client.objects.get(pk=client.pk).user.username == "dave-new"


def test_dashboard_shows_chart_endpoints_plan_alerts_and_diary(cast) -> None:
    response = cast.http("clinician_a").get(f"/clients/{cast.client_a.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<svg" in content
    assert response.context["endpoints"]["rows"][0]["window"] == "baseline"
    assert "Test alert" in content
    assert response.context["diary"][1]["recorded"] is True


def test_chart_downloads_as_svg(cast) -> None:
    response = cast.http("clinician_a").get(f"/clients/{cast.client_a.pk}/chart.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_audit_trail_lists_the_clients_events(cast) -> None:
    response = cast.http("clinician_a").get(f"/clients/{cast.client_a.pk}/audit/")
    actions = {e.action for e in response.context["events"]}
    assert {"client.create", "login.grant", "diary.create", "link.create"} <= actions


def test_day_history_shows_earlier_versions(cast) -> None:
    cast.http("client_a").post(f"/diary/{cast.day_a.date.isoformat()}/", diary_post(craving=9))
    response = cast.http("clinician_a").get(f"/diary-days/{cast.day_a.pk}/history/")
    assert [v.version for v in response.context["versions"]] == [1]


def test_caseload_sorts_by_a_column_and_reverses(cast) -> None:
    http = cast.http("clinician_a")
    from baclotrack.clinic.audit import Actor
    from baclotrack.clinic.services.clients import create_client

    create_client(
        Actor(cast.clinician_a),
        cast.clinician_a,
        code="A-000",
        sex="F",
        birth_year=1990,
        weight_kg=60,
        country="FR",
        treatment_start=TODAY(),
    )
    codes = [r["code"] for r in http.get("/caseload/?sort=code").context["rows"]]
    assert codes == ["A-000", "A-001"]
    codes = [r["code"] for r in http.get("/caseload/?sort=-code").context["rows"]]
    assert codes == ["A-001", "A-000"]
    row = next(r for r in http.get("/caseload/").context["rows"] if r["code"] == "A-001")
    assert row["open_alerts"] == 1
    assert row["treatment_day"] == 11


def test_pages_are_served_in_french(cast) -> None:
    response = cast.http("clinician_a").get("/caseload/", headers={"Accept-Language": "fr"})
    assert "File active" in response.content.decode()


def test_another_day_picker_opens_an_older_day(cast) -> None:
    old = (TODAY() - dt.timedelta(days=40)).isoformat()
    response = cast.http("clinician_a").get(f"/clients/{cast.client_a.pk}/diary/?day={old}")
    assert response.status_code == 302
    assert response["Location"] == f"/clients/{cast.client_a.pk}/diary/{old}/"
    assert cast.http("client_a").get("/diary/?day=not-a-date").status_code == 404


def test_prescriber_report_renders_as_html_and_pdf(cast) -> None:
    http = cast.http("clinician_a")
    html = http.get(f"/clients/{cast.client_a.pk}/report/")
    assert html["Content-Type"].startswith("text/html")
    assert "A-001" in html.content.decode()
    pdf = http.get(f"/clients/{cast.client_a.pk}/report/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert http.get(f"/clients/{cast.client_a.pk}/report/?format=docx").status_code == 404


def test_date_pickers_hold_iso_dates_in_french(cast) -> None:
    response = cast.http("clinician_a").get(
        f"/clients/{cast.client_a.pk}/visits/new/", headers={"Accept-Language": "fr"}
    )
    assert f'value="{TODAY().isoformat()}"' in response.content.decode()


def test_questionnaire_at_a_visit_is_recorded_as_a_visit_assessment(cast) -> None:
    url = f"/clients/{cast.client_a.pk}/assessments/pacs/?kind=visit"
    data = {f"item_{i}": 3 for i in range(1, 6)} | {"date": TODAY().isoformat()}
    response = cast.http("clinician_a").post(url, data)
    assert response["Location"] == f"/clients/{cast.client_a.pk}/"
    assessment = Assessment.objects.get(client=cast.client_a, instrument="pacs")
    assert (assessment.kind, assessment.total) == ("visit", 15)


def test_service_refusals_are_shown_in_french(cast) -> None:
    http = cast.http("clinician_a")
    http.post(f"/links/{cast.link_a.pk}/revoke/")
    response = http.post(f"/links/{cast.link_a.pk}/revoke/", headers={"Accept-Language": "fr"}, follow=True)
    assert "ce lien est déjà révoqué" in response.content.decode()
