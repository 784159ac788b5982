"""The researcher role: one page and a de-identified download of all caseloads, nothing identifiable."""

from __future__ import annotations

import io
import zipfile

import polars as pl

from baclotrack.clinic.models import AuditEvent


def _download(cast) -> dict[str, str]:
    response = cast.http("researcher").post("/research/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_researcher_lands_on_the_research_page(cast) -> None:
    http = cast.http("researcher")
    assert http.get("/")["Location"] == "/research/"
    page = http.get("/research/")
    assert page.status_code == 200
    assert "Clients included: 2" in page.content.decode()


def test_research_export_covers_every_caseload_without_codes_or_notes(cast) -> None:
    files = _download(cast)
    assert set(files) == {"PATIENTS.csv", "DIARY.csv", "K_ANONYMITY.txt"}
    patients = pl.read_csv(io.StringIO(files["PATIENTS.csv"]))
    assert patients.height == 2  # both clinicians' clients
    assert all(pid.startswith("S") for pid in patients["patient_id"])
    everything = "".join(files.values())
    for identifying in (cast.client_a.code, cast.client_b.code, "alice", "bob", "carol", "dave"):
        assert identifying not in everything, identifying
    assert "birth_year_band" in patients.columns and "weight_band" in patients.columns
    assert "birth_year" not in patients.columns and "weight_kg" not in patients.columns
    diary = pl.read_csv(io.StringIO(files["DIARY.csv"]))
    assert diary.height == 1 and "note" not in diary.columns


def test_research_export_is_audited_with_counts_only(cast) -> None:
    _download(cast)
    event = AuditEvent.objects.get(action="research.export")
    assert event.actor == cast.researcher and event.client is None
    assert event.new["patients"] == 2 and event.new["diary_days"] == 1


def test_research_download_needs_a_post(cast) -> None:
    assert cast.http("researcher").get("/research/export/").status_code == 405
    assert not AuditEvent.objects.filter(action="research.export").exists()


def test_researcher_reaches_no_clinical_page(cast) -> None:
    http = cast.http("researcher")
    for url in ("/caseload/", f"/clients/{cast.client_a.pk}/", "/diary/", "/admin/"):
        assert http.get(url).status_code in {302, 404}, url
    assert http.get("/admin/")["Location"].startswith("/admin/login/")


def test_research_page_is_translated(cast) -> None:
    page = cast.http("researcher").get("/research/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Export désidentifié pour la recherche" in page.content.decode()
