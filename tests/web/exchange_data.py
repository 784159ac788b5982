"""A small caseload with every kind of record the exchange formats carry, for the exchange tests."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.utils import timezone

from baclotrack.clinic.audit import Actor
from baclotrack.clinic.models import AssessmentKind, Client
from baclotrack.clinic.services.assessments import record_assessment
from baclotrack.clinic.services.clients import create_client
from baclotrack.clinic.services.diary import DiaryEntry, record_baseline_calendar, save_diary_day
from baclotrack.clinic.services.plans import choose_protocol
from baclotrack.clinic.services.visits import record_visit

AUDIT_ANSWERS = {str(n): a for n, a in enumerate([4, 4, 3, 2, 1, 2, 1, 0, 2, 4], start=1)}
GAD7_ANSWERS = {str(n): a for n, a in enumerate([2, 2, 1, 1, 0, 1, 0], start=1)}


def fill_caseload(clinician: User, prefix: str = "R") -> list[Client]:
    """Two clients: one with baseline, plan, diary (beer, doses, side effects, a note), a visit of
    each kind and questionnaires; one (US drinks) with a bare diary."""
    actor = Actor(clinician)
    today = timezone.localdate()
    start = today - dt.timedelta(days=20)
    rich = create_client(
        actor,
        clinician,
        code=f"{prefix}-001",
        sex="F",
        birth_year=1968,
        weight_kg=61.5,
        country="FR",
        treatment_start=start,
        creatinine_clearance=95.0,
        cautions=["sedatives_or_opioids", "epilepsy"],
    )
    record_baseline_calendar(actor, rich, [float(10 * (i % 7)) for i in range(28)])
    choose_protocol(actor, rich, protocol="baclocur-label", start_date=start, max_dose_mg=80.0)
    for offset in range(0, 18, 2):
        save_diary_day(
            actor,
            rich,
            start + dt.timedelta(days=offset),
            DiaryEntry(
                drinks=[{"beverage": "beer", "count": offset % 3, "volume_ml": 330.0, "abv_percent": 5.0}],
                craving=offset % 11,
                anxiety=3,
                doses_mg=[10.0, 5.0] if offset else [],
                side_effects={"somnolence": 2} if offset == 4 else {},
                note="felt tired, stayed home" if offset == 4 else "",
            ),
        )
    record_assessment(actor, rich, "audit", start - dt.timedelta(days=1), AUDIT_ANSWERS)
    visit = record_visit(
        actor,
        rich,
        date=start + dt.timedelta(days=7),
        decision="increase",
        dose_mg=30.0,
        reason="craving still high",
        side_effects={"dizziness": 1},
    )
    record_assessment(actor, rich, "gad-7", visit.date, GAD7_ANSWERS, kind=AssessmentKind.VISIT, visit=visit)
    record_visit(
        actor, rich, date=start + dt.timedelta(days=14), decision="continue", dose_mg=30.0, reason="ok"
    )
    plain = create_client(
        actor,
        clinician,
        code=f"{prefix}-002",
        sex="M",
        birth_year=1979,
        weight_kg=92.0,
        country="US",
        treatment_start=today - dt.timedelta(days=5),
    )
    for offset in range(1, 5):
        save_diary_day(
            actor,
            plain,
            today - dt.timedelta(days=offset),
            DiaryEntry(drinks=[{"beverage": "grams", "grams": 14.0 * offset + 3.3}], craving=offset),
        )
    return [rich, plain]
