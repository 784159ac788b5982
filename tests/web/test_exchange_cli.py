"""The commands on the clinic's database: report, import/export, fhir, research-export.

They live beside the web tests because they use the same standing cast and database marker.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
from django.utils import timezone

from baclotrack.cli import main
from baclotrack.clinic.access import clients_for
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.exchange_tables import caseload_csv
from baclotrack.clinic.models import AuditEvent, Client, DiaryDay
from baclotrack.clinic.services.clients import create_client

from .exchange_data import fill_caseload


def test_report_writes_the_pdf_of_the_dashboards_report(cast, tmp_path, capsys) -> None:
    out = tmp_path / "report.pdf"
    assert main(["report", "A-001", "--out", str(out), "--clinician", "alice"]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert "A-001" in capsys.readouterr().out


def test_report_html_is_the_same_page_as_the_report_link(cast, tmp_path) -> None:
    out = tmp_path / "report.html"
    assert main(["report", "A-001", "--out", str(out), "--html"]) == 0
    page = cast.http("clinician_a").get(f"/clients/{cast.client_a.pk}/report/").content
    assert out.read_bytes() == page


def test_report_of_an_unknown_code_is_a_clear_error_and_writes_nothing(cast, tmp_path, capsys) -> None:
    out = tmp_path / "report.pdf"
    assert main(["report", "Z-999", "--out", str(out)]) == 2
    assert "client code 'Z-999': no such client" in capsys.readouterr().err
    assert main(["report", "A-001", "--out", str(out), "--clinician", "bob"]) == 2
    assert "in the caseload of 'bob'" in capsys.readouterr().err
    assert not out.exists()


def test_report_of_an_ambiguous_code_names_the_candidates(cast, tmp_path, capsys) -> None:
    for code in ("Ab-1", "aB-1"):
        create_client(
            Actor(cast.clinician_a),
            cast.clinician_a,
            code=code,
            sex="F",
            birth_year=1980,
            weight_kg=60,
            country="FR",
            treatment_start=timezone.localdate(),
        )
    assert main(["report", "ab-1", "--out", str(tmp_path / "r.pdf")]) == 2
    assert "is ambiguous: it matches Ab-1, aB-1" in capsys.readouterr().err


def test_commands_refuse_a_user_who_is_not_a_clinician(cast, tmp_path, capsys) -> None:
    assert main(["export", "caseload", "--clinician", "carol", "--out", str(tmp_path)]) == 2
    assert "'carol' is not an active clinician" in capsys.readouterr().err


def test_export_caseload_writes_the_four_files(cast, tmp_path) -> None:
    fill_caseload(cast.clinician_a)
    assert main(["export", "caseload", "--clinician", "alice", "--out", str(tmp_path / "out")]) == 0
    expected = caseload_csv(list(clients_for(cast.clinician_a)))
    assert {p.name: p.read_text() for p in (tmp_path / "out").iterdir()} == expected


def test_import_refuses_a_bad_file_with_every_row_and_writes_nothing(cast, tmp_path, capsys) -> None:
    file = tmp_path / "diary.csv"
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    file.write_text(f"patient_id,date,drinks,craving\nA-001,{yesterday},x,3\nQ-9,{yesterday},1,4\n")
    before = AuditEvent.objects.count()
    assert main(["import", "diary", str(file), "--clinician", "alice"]) == 2
    err = capsys.readouterr().err
    assert "data row 1, column drinks" in err and "data row 2, column patient_id" in err
    assert AuditEvent.objects.count() == before


def test_import_asks_for_confirm_on_implausible_values(cast, tmp_path, capsys) -> None:
    file = tmp_path / "diary.csv"
    date = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    file.write_text(f"patient_id,date,drinks,dose_mg\nA-001,{date},2,350\n")
    assert main(["import", "diary", str(file), "--clinician", "alice"]) == 1
    assert "please confirm" in capsys.readouterr().out
    assert not DiaryDay.objects.filter(client=cast.client_a, date=date).exists()
    assert main(["import", "diary", str(file), "--clinician", "alice", "--confirm"]) == 0
    assert DiaryDay.objects.get(client=cast.client_a, date=date).doses_mg == [350.0]


def test_import_caseload_of_an_exported_directory_changes_nothing(cast, tmp_path, capsys) -> None:
    fill_caseload(cast.clinician_a)
    assert main(["export", "caseload", "--clinician", "alice", "--out", str(tmp_path)]) == 0
    before = AuditEvent.objects.count()
    assert main(["import", "caseload", str(tmp_path), "--clinician", "alice"]) == 0
    assert "0 records written" in capsys.readouterr().out
    assert AuditEvent.objects.count() == before


def test_fhir_export_then_import_of_a_used_code_is_refused(cast, tmp_path, capsys) -> None:
    bundle = tmp_path / "a.json"
    assert main(["fhir", "export", "A-001", "--out", str(bundle), "--clinician", "alice"]) == 0
    assert json.loads(bundle.read_text())["resourceType"] == "Bundle"
    clients = Client.objects.count()
    assert main(["fhir", "import", str(bundle), "--clinician", "bob", "--start", "2026-01-01"]) == 2
    assert "'A-001' is already used" in capsys.readouterr().err
    assert Client.objects.count() == clients


def test_fhir_import_creates_the_client_in_the_named_caseload(cast, tmp_path) -> None:
    bundle = tmp_path / "a.json"
    assert main(["fhir", "export", "A-001", "--out", str(bundle)]) == 0
    Client.objects.filter(pk=cast.client_a.pk).update(code="A-OLD")  # as if in another installation
    assert main(["fhir", "import", str(bundle), "--clinician", "bob", "--start", "2026-01-05"]) == 0
    client = Client.objects.get(code="A-001")
    assert client.clinician == cast.clinician_b and client.treatment_start == dt.date(2026, 1, 5)


def test_research_export_output_is_what_baclotrack_endpoints_reads(cast, tmp_path) -> None:
    fill_caseload(cast.clinician_a)
    out = tmp_path / "release"
    assert main(["research-export", "--out", str(out), "--clinician", "alice", "--seed", "7"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["DIARY.csv", "PATIENTS.csv", "k_anonymity.txt"]
    patients = pl.read_csv(out / "PATIENTS.csv")
    assert patients.height == 3 and "A-001" not in (out / "DIARY.csv").read_text()
    assert "k-anonymity on sex, birth_year_band, country with k=5" in (out / "k_anonymity.txt").read_text()
    endpoints = tmp_path / "endpoints.csv"
    args = [
        "--diary",
        str(out / "DIARY.csv"),
        "--patients",
        str(out / "PATIENTS.csv"),
        "--out",
        str(endpoints),
    ]
    assert main(["endpoints", *args]) == 0
    assert set(pl.read_csv(endpoints)["patient_id"]) == set(patients["patient_id"])


def test_research_export_with_a_seed_is_reproducible_and_scoped_to_the_caseloads(cast, tmp_path) -> None:
    for run in ("one", "two"):
        assert (
            main(["research-export", "--out", str(tmp_path / run), "--seed", "3", "--clinician", "bob"]) == 0
        )
    assert (tmp_path / "one" / "DIARY.csv").read_bytes() == (tmp_path / "two" / "DIARY.csv").read_bytes()
    assert pl.read_csv(tmp_path / "one" / "PATIENTS.csv").height == 1
