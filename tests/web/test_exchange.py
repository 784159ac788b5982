"""CSV import into a caseload and export of it (clinic/services/exchange.py, clinic/exchange_tables.py)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.db import transaction
from django.utils import timezone

from baclotrack.clinic.access import clients_for
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.exchange_tables import CASELOAD_FILES, caseload_csv, research_tables
from baclotrack.clinic.models import AuditEvent, Client, DiaryDay, DiaryDayVersion, DiarySource, Visit
from baclotrack.clinic.services.exchange import IMPORT_KINDS, import_files
from baclotrack.exchange.csv_table import CsvFormatError

from .conftest import make_clinician
from .exchange_data import fill_caseload

KIND_OF = {name: kind for kind, name in IMPORT_KINDS.items()}


def as_files(texts: dict[str, str]) -> list[tuple[str, str, str]]:
    return [(KIND_OF[name], name, text) for name, text in texts.items()]


def today() -> dt.date:
    return timezone.localdate()


def counts() -> tuple[int, int, int, int]:
    return (
        AuditEvent.objects.count(),
        DiaryDay.objects.count(),
        DiaryDayVersion.objects.count(),
        Visit.objects.count(),
    )


def test_caseload_export_then_import_into_an_empty_caseload_gives_identical_files(cast) -> None:
    # The codes are unique in an installation, so the source caseload is rolled back before the
    # import, as if the files had been carried to another installation.
    with transaction.atomic():
        source = make_clinician("frank")
        fill_caseload(source)
        first = caseload_csv(list(clients_for(source)))
        transaction.set_rollback(True)
    assert not Client.objects.filter(code__startswith="R-").exists()
    target = make_clinician("erin")
    report = import_files(Actor(target), target, as_files(first), today=today())
    assert report.applied and not report.needs_confirmation
    second = caseload_csv(list(clients_for(target)))
    assert list(second) == list(CASELOAD_FILES)
    assert second == first
    assert "R-001,F," in first["patients.csv"] and "epilepsy sedatives_or_opioids" in first["patients.csv"]
    assert "felt tired, stayed home" in first["diary.csv"]
    assert "craving still high" in first["visits.csv"]


def test_reimporting_the_same_files_changes_nothing(cast) -> None:
    fill_caseload(cast.clinician_a)
    files = as_files(caseload_csv(list(clients_for(cast.clinician_a))))
    before = counts()
    report = import_files(Actor(cast.clinician_a), cast.clinician_a, files, today=today())
    assert report.applied and report.changed == 0
    assert counts() == before


def test_importing_a_new_diary_file_twice_writes_it_once(cast) -> None:
    day = (today() - dt.timedelta(days=3)).isoformat()
    text = f"patient_id,date,drinks,dose_mg,craving\nA-001,{day},2.5,30,4\n"
    actor = Actor(cast.clinician_a)
    first = import_files(actor, cast.clinician_a, [("diary", "diary.csv", text)], today=today())
    assert first.files[0].created == 1
    stored = DiaryDay.objects.get(client=cast.client_a, date=day)
    assert stored.grams == pytest.approx(25.0) and stored.doses_mg == [30.0]
    assert stored.source == DiarySource.IMPORT
    before = counts()
    again = import_files(actor, cast.clinician_a, [("diary", "diary.csv", text)], today=today())
    assert again.files[0].unchanged == 1 and again.changed == 0
    assert counts() == before


def test_a_file_with_bad_rows_is_refused_with_every_row_named_and_nothing_written(cast) -> None:
    day = (today() - dt.timedelta(days=2)).isoformat()
    text = (
        "patient_id,date,drinks,craving\n"
        f"A-001,{day},1,4\n"
        f"A-001,{(today() - dt.timedelta(days=3)).isoformat()},2,11\n"
        f"A-001,{(today() + dt.timedelta(days=1)).isoformat()},2,1\n"
    )
    before = counts()
    with pytest.raises(CsvFormatError) as refused:
        import_files(Actor(cast.clinician_a), cast.clinician_a, [("diary", "d.csv", text)], today=today())
    where = {(p.row, p.column) for p in refused.value.problems}
    assert where == {(2, "craving"), (3, "date")}
    assert counts() == before


def test_a_client_of_another_caseload_is_refused_naming_the_row(cast) -> None:
    day = (today() - dt.timedelta(days=2)).isoformat()
    text = f"patient_id,date,drinks\nA-001,{day},1\nB-001,{day},3\n"
    before = counts()
    with pytest.raises(CsvFormatError) as refused:
        import_files(Actor(cast.clinician_a), cast.clinician_a, [("diary", "d.csv", text)], today=today())
    assert [(p.row, p.column) for p in refused.value.problems] == [(2, "patient_id")]
    assert "'B-001' is not in this caseload" in str(refused.value)
    assert counts() == before


def test_implausible_values_are_written_only_when_confirmed(cast) -> None:
    day = (today() - dt.timedelta(days=2)).isoformat()
    text = f"patient_id,date,drinks\nA-001,{day},45\n"
    actor = Actor(cast.clinician_a)
    before = counts()
    asked = import_files(actor, cast.clinician_a, [("diary", "d.csv", text)], today=today())
    assert not asked.applied and asked.needs_confirmation
    assert "more than 40: please confirm" in str(asked.files[0].warnings[0])
    assert counts() == before
    done = import_files(actor, cast.clinician_a, [("diary", "d.csv", text)], today=today(), confirm=True)
    assert done.applied
    assert DiaryDay.objects.get(client=cast.client_a, date=day).grams == pytest.approx(450.0)


def test_a_changed_day_is_a_confirmed_correction_that_keeps_the_earlier_version(cast) -> None:
    day = cast.day_a.date.isoformat()
    text = f"patient_id,date,drinks,craving\nA-001,{day},0,2\n"
    actor = Actor(cast.clinician_a)
    asked = import_files(actor, cast.clinician_a, [("diary", "d.csv", text)], today=today())
    assert not asked.applied and "corrects the diary day" in str(asked.files[0].warnings[0])
    import_files(actor, cast.clinician_a, [("diary", "d.csv", text)], today=today(), confirm=True)
    stored = DiaryDay.objects.get(pk=cast.day_a.pk)
    assert (stored.grams, stored.craving, stored.version) == (0.0, 2, 2)
    assert DiaryDayVersion.objects.filter(diary_day=stored, version=1).exists()


def test_blank_drinks_with_other_values_are_refused_never_stored_as_abstinent(cast) -> None:
    day = (today() - dt.timedelta(days=2)).isoformat()
    text = f"patient_id,date,drinks,craving\nA-001,{day},,5\n"
    with pytest.raises(CsvFormatError, match="never read as abstinent"):
        import_files(Actor(cast.clinician_a), cast.clinician_a, [("diary", "d.csv", text)], today=today())
    assert not DiaryDay.objects.filter(client=cast.client_a, date=day).exists()


def test_a_patient_code_used_in_another_caseload_is_refused(cast) -> None:
    text = "patient_id,sex,start_date,country,birth_year,weight_kg\nB-001,F,2026-01-05,FR,1970,70\n"
    with pytest.raises(CsvFormatError, match="data row 1, column patient_id: client code 'B-001'"):
        import_files(Actor(cast.clinician_a), cast.clinician_a, [("patients", "p.csv", text)], today=today())


def test_patients_file_refuses_values_outside_the_model_ranges(cast) -> None:
    text = (
        "patient_id,sex,start_date,country,birth_year,weight_kg,cautions\nN-1,X,2026-01-05,ZZ,1850,20,flu\n"
    )
    with pytest.raises(CsvFormatError) as refused:
        import_files(Actor(cast.clinician_a), cast.clinician_a, [("patients", "p.csv", text)], today=today())
    columns = {p.column for p in refused.value.problems}
    assert columns == {"sex", "country", "birth_year", "weight_kg", "cautions"}
    assert not Client.objects.filter(code="N-1").exists()


def test_a_failure_in_a_later_file_rolls_back_the_earlier_ones(cast) -> None:
    patients = "patient_id,sex,start_date,country,birth_year,weight_kg\nN-1,F,2026-01-05,FR,1970,70\n"
    diary = f"patient_id,date,drinks\nN-1,{today().isoformat()},-1\n"
    files = [("diary", "diary.csv", diary), ("patients", "patients.csv", patients)]
    with pytest.raises(CsvFormatError):
        import_files(Actor(cast.clinician_a), cast.clinician_a, files, today=today())
    assert not Client.objects.filter(code="N-1").exists()


def test_imported_dose_becomes_the_current_dose_with_an_inferred_decision(cast) -> None:
    first = (today() - dt.timedelta(days=6)).isoformat()
    second = (today() - dt.timedelta(days=3)).isoformat()
    text = (
        "patient_id,date,gad-7,dose_mg_per_day,dose_reason\n"
        f"A-001,{second},,20,side effects\n"
        f"A-001,{first},2 2 1 1 0 1 0,40,\n"
    )
    import_files(Actor(cast.clinician_a), cast.clinician_a, [("visits", "v.csv", text)], today=today())
    visits = list(Visit.objects.filter(client=cast.client_a).order_by("date"))
    assert [(v.decision, v.dose_mg) for v in visits] == [("increase", 40.0), ("decrease", 20.0)]
    assert visits[0].reason == "imported from a visits file without a reason"
    assert visits[0].assessments.get().total == 7


def test_research_tables_hold_every_live_client_and_unrounded_drinks(cast) -> None:
    patients, diary = research_tables(list(clients_for(cast.clinician_a)))
    assert patients["patient_id"].to_list() == ["A-001"]
    grams = DiaryDay.objects.get(pk=cast.day_a.pk).grams
    assert diary.filter(pl.col("patient_id") == "A-001")["drinks"].to_list() == [grams / 10.0]


def test_a_baseline_row_never_overwrites_a_diary_entry(cast) -> None:
    start = cast.client_a.treatment_start
    day = start - dt.timedelta(days=3)
    import_files(
        Actor(cast.clinician_a),
        cast.clinician_a,
        [("diary", "d.csv", f"patient_id,date,drinks,craving\nA-001,{day},2,5\n")],
        today=today(),
    )
    text = f"patient_id,date,drinks\nA-001,{day},6\n"
    with pytest.raises(CsvFormatError, match="already has a diary entry"):
        import_files(Actor(cast.clinician_a), cast.clinician_a, [("baseline", "b.csv", text)], today=today())
    same = f"patient_id,date,drinks\nA-001,{day},2\n"
    report = import_files(
        Actor(cast.clinician_a), cast.clinician_a, [("baseline", "b.csv", same)], today=today()
    )
    assert report.files[0].unchanged == 1
    assert DiaryDay.objects.get(client=cast.client_a, date=day).craving == 5


def test_an_import_never_changes_a_recorded_visit(cast) -> None:
    date = (today() - dt.timedelta(days=2)).isoformat()
    actor = Actor(cast.clinician_a)
    text = f"patient_id,date,dose_mg_per_day,dose_reason\nA-001,{date},30,start\n"
    import_files(actor, cast.clinician_a, [("visits", "v.csv", text)], today=today())
    changed = f"patient_id,date,dose_mg_per_day,dose_reason\nA-001,{date},40,start\n"
    with pytest.raises(CsvFormatError, match="an import does not change visits"):
        import_files(actor, cast.clinician_a, [("visits", "v.csv", changed)], today=today())
    assert [v.dose_mg for v in Visit.objects.filter(client=cast.client_a)] == [30.0]


def test_an_applied_import_evaluates_the_alert_rules_of_the_clients_it_changed(cast) -> None:
    raised = AuditEvent.objects.filter(client=cast.client_b, action="alert.raise")
    yesterday = (today() - dt.timedelta(days=1)).isoformat()
    text = f"patient_id,date,drinks,dose_mg,confusion\nB-001,{yesterday},0,20,3\n"
    import_files(Actor(cast.clinician_b), cast.clinician_b, [("diary", "d.csv", text)], today=today())
    assert list(raised.values_list("new__rule_id", flat=True)) == ["SE-SEVERE"]
