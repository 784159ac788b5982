"""The import page (upload, refusal with every row, confirmation step), the caseload zip and the FHIR link."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from baclotrack.clinic.access import clients_for
from baclotrack.clinic.exchange_tables import CASELOAD_FILES, caseload_csv
from baclotrack.clinic.models import AuditEvent, DiaryDay


def upload(kind: str, text: str | bytes, name: str = "diary.csv") -> dict[str, object]:
    content = text.encode() if isinstance(text, str) else text
    return {"kind": kind, "upload": SimpleUploadedFile(name, content, content_type="text/csv")}


def day(offset: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=offset)).isoformat()


def test_a_valid_upload_is_imported_and_the_clinician_is_sent_back_to_the_caseload(cast) -> None:
    text = f"patient_id,date,drinks,craving\nA-001,{day(3)},1.5,2\n"
    response = cast.http("clinician_a").post("/caseload/import/", upload("diary", text))
    assert response.status_code == 302 and response["Location"] == "/caseload/"
    assert DiaryDay.objects.get(client=cast.client_a, date=day(3)).grams == 15.0


def test_a_refused_upload_lists_every_row_and_column_on_the_page(cast) -> None:
    text = f"patient_id,date,drinks,craving\nA-001,{day(3)},-1,2\nB-001,{day(4)},1,12\n"
    before = AuditEvent.objects.count()
    response = cast.http("clinician_a").post("/caseload/import/", upload("diary", text))
    assert response.status_code == 200
    problems = [(p.row, p.column) for p in response.context["problems"]]
    assert problems == [(1, "drinks"), (2, "patient_id"), (2, "craving")]
    assert b"nothing was imported" in response.content
    assert AuditEvent.objects.count() == before


def test_every_problem_of_a_refused_file_is_said_in_the_clinicians_language(cast) -> None:
    text = f"patient_id,date,drinks,craving\nA-001,{day(3)},1,12\nB-001,2026-13-40,1,2\n"
    response = cast.http("clinician_a").post(
        "/caseload/import/", upload("diary", text), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 200
    page = response.content.decode()
    # The exchange's own checks (a core message per problem) and the clinic's (gettext) alike.
    assert "doit être un nombre entier de 0 à 10 (valeur lue : &#x27;12&#x27;)" in page
    assert "n&#x27;est pas une date (AAAA-MM-JJ) (valeur lue : &#x27;2026-13-40&#x27;)" in page
    assert "le client &#x27;B-001&#x27; n&#x27;est pas dans cette file active" in page
    english = cast.http("clinician_a").post("/caseload/import/", upload("diary", text)).content.decode()
    assert "must be a whole number from 0 to 10 (got &#x27;12&#x27;)" in english


def test_a_questionnaires_own_refusal_is_quoted_in_the_clinicians_language(cast) -> None:
    text = f"patient_id,date,gad-7\nA-001,{day(3)},0 1 2 3 4 1 0\nA-001,{day(2)},0 1 2\n"
    page = cast.http("clinician_a").post(
        "/caseload/import/", upload("visits", text, name="visits.csv"), HTTP_ACCEPT_LANGUAGE="fr"
    )
    french = page.content.decode()
    # The GAD-7's answers are 0 to 3: the instrument's refusal, nested in the import's own words.
    assert "GAD-7, item 5 : 4 n&#x27;est pas une réponse permise (0 à 3) (valeur lue :" in french
    assert "GAD-7, item 4 : réponse manquante (le GAD-7 a 7 items)" in french
    english = cast.http("clinician_a").post("/caseload/import/", upload("visits", text, name="visits.csv"))
    assert "GAD-7 item 5: 4 is not an allowed answer (0 to 3) (got" in english.content.decode()


def test_implausible_values_are_saved_only_after_the_confirm_step(cast) -> None:
    http = cast.http("clinician_a")
    text = f"patient_id,date,drinks\nA-001,{day(2)},44\n"
    asked = http.post("/caseload/import/", upload("diary", text))
    assert asked.status_code == 200 and b"Please confirm" in asked.content
    assert not DiaryDay.objects.filter(client=cast.client_a, date=day(2)).exists()
    confirm = asked.context["confirm_form"].initial
    done = http.post("/caseload/import/", confirm)
    assert done.status_code == 302
    assert DiaryDay.objects.get(client=cast.client_a, date=day(2)).grams == 440.0


def test_a_damaged_confirmation_is_refused_without_writing(cast) -> None:
    response = cast.http("clinician_a").post(
        "/caseload/import/", {"kind": "diary", "name": "diary.csv", "payload": "not base64!"}
    )
    assert response.status_code == 200 and b"upload it again" in response.content


def test_caseload_zip_holds_the_four_files_of_the_clinicians_own_clients(cast) -> None:
    response = cast.http("clinician_a").get("/caseload/export.zip")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == list(CASELOAD_FILES)
    texts = {name: archive.read(name).decode() for name in CASELOAD_FILES}
    assert texts == caseload_csv(list(clients_for(cast.clinician_a)))
    assert "A-001" in texts["patients.csv"] and "B-001" not in texts["patients.csv"]


def test_the_exported_zip_uploads_back_as_a_caseload_without_changes(cast) -> None:
    http = cast.http("clinician_a")
    body = http.get("/caseload/export.zip").content
    before = AuditEvent.objects.count()
    response = http.post("/caseload/import/", upload("caseload", body, name="caseload.zip"))
    assert response.status_code == 302
    assert AuditEvent.objects.count() == before


def test_dashboard_links_to_a_fhir_bundle_of_the_client(cast) -> None:
    http = cast.http("clinician_a")
    dashboard = http.get(f"/clients/{cast.client_a.pk}/")
    assert f"/clients/{cast.client_a.pk}/fhir.json".encode() in dashboard.content
    bundle = http.get(f"/clients/{cast.client_a.pk}/fhir.json")
    assert bundle["Content-Disposition"] == 'attachment; filename="A-001-fhir.json"'
    patient = json.loads(bundle.content)["entry"][0]["resource"]
    assert patient["identifier"][0]["value"] == "A-001"
