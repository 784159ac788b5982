"""The prescribing country, apart from the standard-drink country (decision 0175): it sets the
regulatory cap, is chosen on the client form, audited, and carried by the FHIR bundle and the
caseload CSV."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from baclotrack.clinic import adapters
from baclotrack.clinic.access import clients_for
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.errors import ClinicInputError
from baclotrack.clinic.exchange_tables import PATIENTS_FILE, caseload_csv
from baclotrack.clinic.fhir_records import client_bundle_json
from baclotrack.clinic.models import Alert, AuditEvent, Client
from baclotrack.clinic.services.alerts import refresh_alerts
from baclotrack.clinic.services.clients import create_client, update_client
from baclotrack.clinic.services.diary import DiaryEntry, save_diary_day
from baclotrack.clinic.services.exchange import import_files
from baclotrack.clinic.services.fhir_import import import_client_bundle
from baclotrack.exchange.fhir import PRESCRIBING_COUNTRY_EXTENSION

from .conftest import make_clinician

TODAY = timezone.localdate


def new_client(cast: Any, code: str, country: str, prescribing: str | None = None) -> Client:
    return create_client(
        Actor(cast.clinician_a),
        cast.clinician_a,
        code=code,
        sex="M",
        birth_year=1970,
        weight_kg=80.0,
        country=country,
        prescribing_country=prescribing,
        treatment_start=TODAY() - dt.timedelta(days=10),
    )


def form(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "A-900",
        "sex": "F",
        "birth_year": 1981,
        "weight_kg": 64,
        "country": "FR",
        "treatment_start": TODAY().isoformat(),
    }
    return data | extra


def dose_alert(client: Client, mg_per_day: float) -> Alert | None:
    yesterday = TODAY() - dt.timedelta(days=1)
    save_diary_day(Actor(client.clinician), client, yesterday, DiaryEntry(doses_mg=[mg_per_day]))
    refresh_alerts(Actor(client.clinician), client)
    return Alert.objects.filter(client=client, rule_id="DOSE-TAKEN-ABOVE-CAP").first()


# -- the cap follows the prescribing country ----------------------------------------------------------
def test_client_prescribed_in_france_counting_who_drinks_gets_the_80_mg_cap(cast) -> None:
    client = new_client(cast, "FR-WHO", "WHO", "FR")
    alert = dose_alert(client, 90.0)
    assert alert is not None and alert.evidence["cap_mg_per_day"] == 80.0
    assert alert.evidence["cap_jurisdiction"] == "FR"
    assert "prescribing country: FR" in alert.reason


def test_client_prescribed_in_belgium_counting_french_drinks_has_no_french_cap(cast) -> None:
    client = new_client(cast, "BE-FR", "FR", "BE")
    assert dose_alert(client, 90.0) is None
    assert [c.rule_id for c in adapters.client_context(client).caps()] == ["HIGHEST-STUDIED"]


def test_changing_the_prescribing_country_changes_the_cap(cast) -> None:
    client = new_client(cast, "MOVED", "FR", "BE")
    assert dose_alert(client, 90.0) is None
    client = update_client(Actor(cast.clinician_a), client, prescribing_country="FR")
    assert dose_alert(client, 90.0) is not None


# -- services and audit ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("country", "prescribing"), [("FR", "FR"), ("US", "US"), ("WHO", "ZZ")])
def test_a_new_client_is_prescribed_in_the_standard_drink_country_unless_told(
    cast, country: str, prescribing: str
) -> None:
    assert new_client(cast, f"D-{country}", country).prescribing_country == prescribing


def test_creating_a_client_audits_the_prescribing_country(cast) -> None:
    client = new_client(cast, "AUD-1", "FR", "be")
    assert client.prescribing_country == "BE"
    event = AuditEvent.objects.get(client=client, action="client.create")
    assert (event.new["country"], event.new["prescribing_country"]) == ("FR", "BE")


def test_changing_the_prescribing_country_is_audited_alone(cast) -> None:
    update_client(Actor(cast.clinician_a), cast.client_a, prescribing_country="BE", country="FR")
    event = AuditEvent.objects.get(client=cast.client_a, action="client.update")
    assert (event.old, event.new) == ({"prescribing_country": "FR"}, {"prescribing_country": "BE"})


def test_an_unknown_prescribing_country_is_refused_naming_the_field(cast) -> None:
    with pytest.raises(ClinicInputError) as info:
        update_client(Actor(cast.clinician_a), cast.client_a, prescribing_country="WHO")
    assert info.value.field == "prescribing_country"
    assert Client.objects.get(pk=cast.client_a.pk).prescribing_country == "FR"


# -- form and page ----------------------------------------------------------------------------------------
def test_new_client_form_left_on_the_default_uses_the_standard_drink_country(cast) -> None:
    response = cast.http("clinician_a").post("/clients/new/", form(country="WHO", prescribing_country=""))
    assert response.status_code == 302
    assert Client.objects.get(code="A-900").prescribing_country == "ZZ"


def test_new_client_form_keeps_a_prescribing_country_apart_from_the_drink(cast) -> None:
    response = cast.http("clinician_a").post("/clients/new/", form(country="FR", prescribing_country="BE"))
    assert response.status_code == 302
    client = Client.objects.get(code="A-900")
    assert (client.country, client.prescribing_country) == ("FR", "BE")


def test_edit_form_shows_the_prescribing_country_and_offers_no_blank(cast) -> None:
    page = cast.http("clinician_a").get(f"/clients/{cast.client_a.pk}/edit/").content.decode()
    assert 'name="prescribing_country"' in page
    assert '<option value="FR" selected>' in page
    assert "same as the standard drink" not in page


def test_edit_form_changes_the_prescribing_country_with_an_audit_event(cast) -> None:
    data = form(code="A-001", sex="M", birth_year=1970, weight_kg=80, creatinine_clearance=95)
    data |= {"treatment_start": cast.client_a.treatment_start.isoformat(), "prescribing_country": "CH"}
    response = cast.http("clinician_a").post(f"/clients/{cast.client_a.pk}/edit/", data)
    assert response.status_code == 302
    event = AuditEvent.objects.get(client=cast.client_a, action="client.update")
    assert event.new == {"prescribing_country": "CH"}


def test_edit_form_refuses_a_blank_prescribing_country(cast) -> None:
    data = form(code="A-001", sex="M", birth_year=1970, weight_kg=80, prescribing_country="")
    response = cast.http("clinician_a").post(f"/clients/{cast.client_a.pk}/edit/", data)
    assert response.status_code == 200 and "has-error" in response.content.decode()
    assert Client.objects.get(pk=cast.client_a.pk).prescribing_country == "FR"


def test_clients_page_shows_both_countries(cast) -> None:
    update_client(Actor(cast.clinician_a), cast.client_a, prescribing_country="BE")
    page = cast.http("clinician_a").get(f"/clients/{cast.client_a.pk}/").content.decode()
    assert "Prescribing country</span><strong>BE</strong> <small>standard drink FR</small>" in page


# -- FHIR and the caseload CSV ---------------------------------------------------------------------------
def exported_then_rolled_back(make: Any) -> Any:
    """What ``make`` returns from a caseload made in a transaction that is then rolled back, as if
    the export were carried to another installation (client codes are unique in one)."""
    with transaction.atomic():
        result = make(make_clinician("frank"))
        transaction.set_rollback(True)
    return result


def test_fhir_round_trip_keeps_the_prescribing_country(cast) -> None:
    def bundle(frank: Any) -> str:
        client = create_client(
            Actor(frank), frank, code="F-1", sex="F", birth_year=1970, weight_kg=60.0, country="FR",
            prescribing_country="BE", treatment_start=TODAY(),
        )  # fmt: skip
        return client_bundle_json(client, TODAY())

    text = exported_then_rolled_back(bundle)
    erin = make_clinician("erin")
    client = import_client_bundle(Actor(erin), erin, text, treatment_start=TODAY())
    assert (client.country, client.prescribing_country) == ("FR", "BE")
    assert client_bundle_json(client, TODAY()) == text


def test_a_fhir_bundle_without_a_prescribing_country_imports_with_the_drink_countrys(cast) -> None:
    data = json.loads(client_bundle_json(cast.client_b, TODAY()))
    patient = next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Patient")
    patient["extension"] = [x for x in patient["extension"] if x["url"] != PRESCRIBING_COUNTRY_EXTENSION]
    patient["identifier"][0]["value"] = "B-OLD"
    erin = make_clinician("erin")
    client = import_client_bundle(Actor(erin), erin, json.dumps(data), treatment_start=TODAY())
    assert client.prescribing_country == "FR"


def test_caseload_csv_round_trip_keeps_the_prescribing_country(cast) -> None:
    def files(frank: Any) -> dict[str, str]:
        create_client(
            Actor(frank), frank, code="F-1", sex="F", birth_year=1970, weight_kg=60.0, country="WHO",
            prescribing_country="FR", treatment_start=TODAY(),
        )  # fmt: skip
        return caseload_csv(list(clients_for(frank)))

    first = exported_then_rolled_back(files)
    assert first[PATIENTS_FILE].splitlines()[:2] == [
        "patient_id,sex,start_date,country,prescribing_country,birth_year,weight_kg,creatinine_clearance,cautions",
        f"F-1,F,{TODAY().isoformat()},WHO,FR,1970,60,,",
    ]
    erin = make_clinician("erin")
    import_files(Actor(erin), erin, [("patients", PATIENTS_FILE, first[PATIENTS_FILE])], today=TODAY())
    assert Client.objects.get(code="F-1").prescribing_country == "FR"
    assert caseload_csv(list(clients_for(erin)))[PATIENTS_FILE] == first[PATIENTS_FILE]


def test_a_patients_file_without_the_column_defaults_new_clients_and_keeps_existing_ones(cast) -> None:
    update_client(Actor(cast.clinician_a), cast.client_a, prescribing_country="BE")
    text = (
        "patient_id,sex,start_date,country,birth_year,weight_kg,creatinine_clearance\n"
        f"A-001,M,{cast.client_a.treatment_start.isoformat()},WHO,1970,80,95\n"
        f"A-NEW,F,{TODAY().isoformat()},UK,1980,60,\n"
    )
    files = [("patients", PATIENTS_FILE, text)]
    report = import_files(Actor(cast.clinician_a), cast.clinician_a, files, today=TODAY(), confirm=True)
    assert report.applied and Client.objects.get(code="A-001").country == "WHO"
    assert Client.objects.get(code="A-001").prescribing_country == "BE"
    assert Client.objects.get(code="A-NEW").prescribing_country == "UK"


# -- the plan respects the same caps ------------------------------------------------------------------
def plan_for(client: Client, max_dose_mg: float) -> list[dict[str, Any]]:
    return adapters.generate_plan_steps(client, "ameisen-2005", TODAY(), max_dose_mg, None)


def test_a_plan_for_a_client_prescribed_in_france_stops_at_the_french_cap(cast) -> None:
    steps = plan_for(new_client(cast, "FR-PLAN", "WHO", "FR"), max_dose_mg=300.0)
    assert max(s["total_mg"] for s in steps) == 80.0
    capped = [s for s in steps if s["total_mg"] == 80.0 and "FR-2017" in s["note"]]
    assert capped, "the capped days say which rule capped them"


def test_a_plan_for_a_client_prescribed_elsewhere_follows_the_clinicians_cap(cast) -> None:
    steps = plan_for(new_client(cast, "BE-PLAN", "FR", "BE"), max_dose_mg=300.0)
    assert max(s["total_mg"] for s in steps) > 80.0
    assert max(s["total_mg"] for s in steps) <= 300.0
