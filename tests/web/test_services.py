"""Services: every write is atomic, audited, validated, and never erases clinical data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from baclotrack.clinic.access import clients_for, link_for_token
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.errors import ClinicInputError
from baclotrack.clinic.models import (
    Alert,
    AlertStatus,
    AuditEvent,
    Client,
    DiaryDay,
    DiaryDayVersion,
    PlanStep,
)
from baclotrack.clinic.services import alerts, assessments, clients, diary, diary_access, plans
from baclotrack.clinic.services.diary import BASELINE_DAYS, DiaryEntry
from baclotrack.core.errors import InputError

BEER = {"beverage": "beer", "count": 1, "volume_ml": 330.0, "abv_percent": 5.0}


def test_creating_a_client_writes_an_audit_event_with_the_new_values(cast) -> None:
    event = AuditEvent.objects.get(client=cast.client_a, action="client.create")
    assert event.actor == cast.clinician_a
    assert event.new["code"] == "A-001"
    assert event.old is None


def test_a_used_client_code_is_refused_naming_the_field(cast) -> None:
    with pytest.raises(ClinicInputError, match=r"^code: ") as info:
        clients.create_client(
            Actor(cast.clinician_b),
            cast.clinician_b,
            code="A-001",
            sex="F",
            birth_year=1980,
            weight_kg=60,
            country="FR",
            treatment_start=timezone.localdate(),
        )
    assert info.value.field == "code"


def test_client_update_audits_only_the_changed_fields(cast) -> None:
    clients.update_client(Actor(cast.clinician_a), cast.client_a, weight_kg=78.0, code="A-001")
    event = AuditEvent.objects.get(client=cast.client_a, action="client.update")
    assert event.old == {"weight_kg": 80.0}
    assert event.new == {"weight_kg": 78.0}


def test_diary_correction_keeps_the_previous_version(cast) -> None:
    day = cast.day_a
    before_grams = day.grams
    corrected = diary.save_diary_day(
        Actor(cast.client_a.user), cast.client_a, day.date, DiaryEntry(craving=1)
    )
    assert corrected.pk == day.pk
    assert corrected.version == 2
    assert corrected.grams == 0
    old = DiaryDayVersion.objects.get(diary_day=day)
    assert old.version == 1
    assert old.snapshot["grams"] == pytest.approx(before_grams)
    assert old.snapshot["craving"] == 4
    event = AuditEvent.objects.get(action="diary.correct")
    assert event.old["craving"] == 4 and event.new["craving"] == 1


def test_diary_grams_come_from_the_beverage_volume_and_strength(cast) -> None:
    # Two 330 ml bottles of 5 % beer: 2 x 330 x 0.05 x 0.789 g.
    assert cast.day_a.grams == pytest.approx(2 * 330 * 0.05 * 0.789)


def test_a_future_diary_day_is_refused(cast) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ClinicInputError, match=r"^date: .*future"):
        diary.save_diary_day(Actor(cast.clinician_a), cast.client_a, tomorrow, DiaryEntry())


def test_an_out_of_scale_craving_is_refused_by_the_core(cast) -> None:
    with pytest.raises(InputError, match="craving"):
        diary.save_diary_day(Actor(cast.clinician_a), cast.client_a, cast.day_a.date, DiaryEntry(craving=11))
    assert DiaryDay.objects.get(pk=cast.day_a.pk).version == 1


def test_a_failing_audit_write_leaves_no_diary_day(cast, monkeypatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("baclotrack.clinic.services.diary.record", broken)
    date = timezone.localdate() - dt.timedelta(days=3)
    events = AuditEvent.objects.count()
    with pytest.raises(RuntimeError):
        diary.save_diary_day(Actor(cast.clinician_a), cast.client_a, date, DiaryEntry(drinks=[BEER]))
    assert not DiaryDay.objects.filter(client=cast.client_a, date=date).exists()
    assert AuditEvent.objects.count() == events


def test_a_failing_audit_write_leaves_the_corrected_day_unchanged(cast, monkeypatch) -> None:
    monkeypatch.setattr("baclotrack.clinic.services.diary.record", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        diary.save_diary_day(Actor(cast.clinician_a), cast.client_a, cast.day_a.date, DiaryEntry(craving=0))
    day = DiaryDay.objects.get(pk=cast.day_a.pk)
    assert (day.version, day.craving) == (1, 4)
    assert not DiaryDayVersion.objects.exists()


def test_soft_deleted_client_leaves_the_caseload_but_keeps_its_record(cast) -> None:
    clients.soft_delete_client(Actor(cast.clinician_a), cast.client_a, "moved to another clinic")
    assert cast.client_a not in clients_for(cast.clinician_a)
    kept = Client.objects.get(pk=cast.client_a.pk)
    assert kept.deleted_reason == "moved to another clinic"
    assert kept.deleted_by == cast.clinician_a
    assert AuditEvent.objects.filter(action="client.delete", client=kept).exists()


def test_soft_delete_needs_a_reason(cast) -> None:
    with pytest.raises(ClinicInputError, match=r"^reason: "):
        diary.soft_delete_diary_day(Actor(cast.clinician_a), cast.day_a, "  ")


def test_soft_deleted_diary_day_is_kept_and_leaves_the_endpoints(cast) -> None:
    diary.soft_delete_diary_day(Actor(cast.clinician_a), cast.day_a, "entered for the wrong client")
    day = DiaryDay.objects.get(pk=cast.day_a.pk)
    assert day.deleted_reason == "entered for the wrong client"
    from baclotrack.clinic import adapters

    rows = adapters.recent_diary(cast.client_a, timezone.localdate())
    assert all(not r["recorded"] for r in rows)


def test_clinical_records_refuse_hard_deletion(cast) -> None:
    with pytest.raises(RuntimeError, match="never hard-deleted"):
        cast.client_a.delete()
    with pytest.raises(RuntimeError, match="never hard-deleted"):
        cast.day_a.delete()


def test_audit_events_are_append_only(cast) -> None:
    event = AuditEvent.objects.first()
    event.action = "tampered"
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()


def test_baseline_calendar_fills_the_28_days_before_treatment(cast) -> None:
    grams = [float(g) for g in range(BASELINE_DAYS)]
    days = diary.record_baseline_calendar(Actor(cast.clinician_a), cast.client_a, grams)
    start = cast.client_a.treatment_start
    assert [d.date for d in days] == [
        start - dt.timedelta(days=BASELINE_DAYS - i) for i in range(BASELINE_DAYS)
    ]
    assert [d.grams for d in days] == grams
    assert {d.source for d in days} == {"baseline"}


def test_baseline_calendar_of_the_wrong_length_is_refused(cast) -> None:
    with pytest.raises(ClinicInputError, match=r"^calendar: expected 28 days, got 27"):
        diary.record_baseline_calendar(Actor(cast.clinician_a), cast.client_a, [0.0] * 27)


def test_assessment_is_scored_by_the_core(cast) -> None:
    answers = {str(i): v for i, v in enumerate([4, 4, 3, 2, 1, 2, 1, 0, 2, 4], start=1)}
    result = assessments.record_assessment(
        Actor(cast.clinician_a), cast.client_a, "audit", timezone.localdate(), answers
    )
    assert result.total == 23  # the core's own doctest example
    assert result.band.startswith("Zone IV")
    assert AuditEvent.objects.filter(action="assessment.create", new__total=23).exists()


def test_assessment_with_a_missing_item_is_refused_naming_it(cast) -> None:
    with pytest.raises(InputError, match="item 10"):
        assessments.record_assessment(
            Actor(cast.clinician_a),
            cast.client_a,
            "audit",
            timezone.localdate(),
            {str(i): 0 for i in range(1, 10)},
        )


def test_choosing_a_protocol_stores_the_core_plan_and_replaces_the_old_one(cast) -> None:
    actor, start = Actor(cast.clinician_a), timezone.localdate()
    first = plans.choose_protocol(actor, cast.client_a, protocol="resab", start_date=start, max_dose_mg=80)
    second = plans.choose_protocol(
        actor, cast.client_a, protocol="baclocur-label", start_date=start, max_dose_mg=60
    )
    first.refresh_from_db()
    assert not first.is_active and second.is_active
    steps = list(PlanStep.objects.filter(plan=second))
    assert steps[0].date == start
    assert steps[0].total_mg == 15  # Baclocur label: 15 mg/day to start
    assert max(s.total_mg for s in steps) <= 60
    assert AuditEvent.objects.filter(action="plan.replace", object_id=str(first.pk)).exists()


def test_a_renal_plan_keeps_the_core_notes_whole(cast) -> None:
    # Renal reduction notes cite their rule and run past 200 characters; PostgreSQL once
    # refused them (a CharField of 200), so a renal client could not get a plan.
    cast.client_a.creatinine_clearance = 60
    cast.client_a.save()
    plan = plans.choose_protocol(
        Actor(cast.clinician_a),
        cast.client_a,
        protocol="resab",
        start_date=timezone.localdate(),
        max_dose_mg=80,
    )
    notes = [s.note for s in PlanStep.objects.filter(plan=plan)]
    assert any("renal" in n.lower() for n in notes)
    assert max(len(n) for n in notes) > 200


def test_an_unknown_protocol_is_refused(cast) -> None:
    with pytest.raises(InputError, match="protocol"):
        plans.choose_protocol(
            Actor(cast.clinician_a),
            cast.client_a,
            protocol="nope",
            start_date=timezone.localdate(),
            max_dose_mg=80,
        )


def test_alerts_come_from_the_rules_engine_once_per_problem(cast) -> None:
    actor = Actor(cast.clinician_a)
    today = timezone.localdate()
    plans.choose_protocol(
        actor, cast.client_a, protocol="resab", start_date=today - dt.timedelta(days=5), max_dose_mg=80
    )
    severe = DiaryEntry(craving=2, doses_mg=[5.0, 5.0, 5.0], side_effects={"somnolence": 3})
    diary.save_diary_day(actor, cast.client_a, today, severe)
    raised = alerts.refresh_alerts(actor, cast.client_a, today)
    assert raised, "a severe side effect must raise an alert"
    assert all(a.source for a in raised)
    assert alerts.refresh_alerts(actor, cast.client_a, today) == []


def test_resolving_an_alert_needs_a_note_and_closes_it(cast) -> None:
    actor = Actor(cast.clinician_a)
    with pytest.raises(ClinicInputError, match=r"^note: "):
        alerts.resolve_alert(actor, cast.alert_a, "")
    alerts.resolve_alert(actor, cast.alert_a, "phoned the client; dose held")
    alert = Alert.objects.get(pk=cast.alert_a.pk)
    assert alert.status == AlertStatus.RESOLVED
    assert alert.resolved_by == cast.clinician_a
    with pytest.raises(ClinicInputError, match="already resolved"):
        alerts.resolve_alert(actor, alert, "again")


def test_link_token_is_stored_only_as_its_hash(cast) -> None:
    assert cast.token_a not in cast.link_a.token_hash
    assert len(cast.token_a) >= 40
    assert link_for_token(cast.token_a) == cast.link_a


def test_a_revoked_link_no_longer_opens_the_diary(cast) -> None:
    diary_access.revoke_diary_link(Actor(cast.clinician_a), cast.link_a)
    assert cast.http("anonymous").get(f"/d/{cast.token_a}/").status_code == 404
    assert AuditEvent.objects.filter(action="link.revoke").exists()


def test_an_expired_link_no_longer_opens_the_diary(cast) -> None:
    link, token = diary_access.create_diary_link(Actor(cast.clinician_a), cast.client_a, days=1)
    assert cast.http("anonymous").get(f"/d/{token}/").status_code == 200
    link.expires_at = timezone.now() - dt.timedelta(seconds=1)
    link.save()
    assert cast.http("anonymous").get(f"/d/{token}/").status_code == 404


def test_a_revoked_login_no_longer_opens_the_diary(cast) -> None:
    user = cast.client_a.user
    diary_access.revoke_client_login(Actor(cast.clinician_a), cast.client_a)
    user.refresh_from_db()
    assert not user.is_active
    http = cast.http("anonymous")
    assert not http.login(username="carol", password="correct-horse-battery-staple")


def test_a_weak_client_password_is_refused(cast) -> None:
    client = Client.objects.get(pk=cast.client_b.pk)
    diary_access.revoke_client_login(Actor(cast.clinician_b), client)
    with pytest.raises(ClinicInputError, match=r"^password: "):
        diary_access.grant_client_login(Actor(cast.clinician_b), client, "dave2", "1234")
