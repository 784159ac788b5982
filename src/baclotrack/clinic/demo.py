"""The demo cohort: AMEISEN-2005 and 30 synthetic clients, loaded once through the services.

The clients, diaries and doses come from :mod:`baclotrack.analysis.simulate` (the project's one
generator). Each course is moved in time so that it ends yesterday (or, for a client who
dropped out, stops when they stopped): a demo caseload is in treatment today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.contrib.auth.models import Group, User
from django.db import transaction

from baclotrack.analysis.simulate import ameisen_2005_case, simulate
from baclotrack.clinic import adapters
from baclotrack.clinic.access import CLINICIANS_GROUP
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.models import Client, DoseDecision
from baclotrack.clinic.services.alerts import refresh_alerts
from baclotrack.clinic.services.clients import create_client
from baclotrack.clinic.services.diary import DiaryEntry, import_diary_days
from baclotrack.clinic.services.diary_access import grant_client_login
from baclotrack.clinic.services.plans import choose_protocol
from baclotrack.clinic.services.visits import record_visit
from baclotrack.core.diary import SIDE_EFFECTS
from baclotrack.core.titration.protocols import get_protocol

#: Seed of the synthetic cohort (fixed: every demo shows the same caseload).
DEMO_SEED = 2005
DEMO_CLIENTS = 30
#: (username, password) of the demo accounts; only ever created in the demo database.
DEMO_CLINICIAN = ("demo", "demo")
DEMO_CLINICIAN_2 = ("demo2", "demo2")
DEMO_CLIENT_LOGIN = ("client", "client")


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    clients: int
    diary_days: int


def _clinician(username: str, password: str) -> User:
    user, made = User.objects.get_or_create(username=username)
    if made:
        user.set_password(password)
        user.save()
    user.groups.add(Group.objects.get(name=CLINICIANS_GROUP))
    return user


def _entries(diary: pl.DataFrame, shift: dt.timedelta) -> list[tuple[dt.date, DiaryEntry]]:
    entries = []
    for row in diary.filter(pl.col("grams").is_not_null()).iter_rows(named=True):
        side_effects = {name: int(row[name]) for name in SIDE_EFFECTS if row.get(name)}
        entries.append(
            (
                row["date"] + shift,
                DiaryEntry(
                    drinks=[{"beverage": "grams", "grams": float(row["grams"])}],
                    craving=row["craving"],
                    anxiety=row["anxiety"],
                    doses_mg=[float(row["dose_mg"])] if row["dose_mg"] else [],
                    side_effects=side_effects,
                ),
            )
        )
    return entries


def _load_patient(
    actor: Actor, clinician: User, patient: dict[str, Any], diary: pl.DataFrame, today: dt.date
) -> Client:
    # Move the course so that its planned follow-up ends yesterday.
    end = patient["start_date"] + dt.timedelta(days=int(patient["followup_days"]) - 1)
    shift = (today - dt.timedelta(days=1)) - end
    start = patient["start_date"] + shift
    client = create_client(
        actor,
        clinician,
        code=patient["patient_id"],
        sex=patient["sex"],
        birth_year=int(patient["birth_year"]),
        weight_kg=float(patient["weight_kg"]),
        country=patient["country"],
        treatment_start=start,
    )
    protocol = get_protocol(patient["protocol"])
    choose_protocol(
        actor, client, protocol=protocol.id, start_date=start, max_dose_mg=protocol.ceiling_mg_per_day
    )
    entries = _entries(diary, shift)
    import_diary_days(actor, client, entries)
    _record_settled_dose(actor, client, entries)
    refresh_alerts(actor, client, today)
    return client


def _record_settled_dose(actor: Actor, client: Client, entries: list[tuple[dt.date, DiaryEntry]]) -> None:
    """A visit holding the dose where the simulated course settled, when it stopped below the plan."""
    dosed = [(date, entry.doses_mg[0]) for date, entry in entries if entry.doses_mg]
    if not dosed:
        return
    date, dose = dosed[-1]
    if dose < (adapters.current_dose_mg(client, date) or 0):
        record_visit(
            actor,
            client,
            date=date,
            decision=DoseDecision.HOLD,
            dose_mg=dose,
            reason="Demo: the dose the client settled on in the simulated course.",
        )


def load_demo(today: dt.date) -> DemoSummary:
    """Create the demo users and cohort, unless they exist (idempotent)."""
    with transaction.atomic():
        demo = _clinician(*DEMO_CLINICIAN)
        _clinician(*DEMO_CLINICIAN_2)
        if Client.objects.filter(clinician=demo).exists():
            return DemoSummary(False, Client.objects.filter(clinician=demo).count(), 0)
        actor = Actor(demo, label="demo loader")
        days = 0
        first: Client | None = None
        for simulation in (ameisen_2005_case(), simulate("clinic", seed=DEMO_SEED, n=DEMO_CLIENTS)):
            for patient in simulation.patients.iter_rows(named=True):
                diary = simulation.diary.filter(pl.col("patient_id") == patient["patient_id"])
                client = _load_patient(actor, demo, patient, diary, today)
                first = first or client
                days += diary.height
        assert first is not None
        if not User.objects.filter(username=DEMO_CLIENT_LOGIN[0]).exists():
            grant_client_login(actor, first, *DEMO_CLIENT_LOGIN, check_strength=False)
        return DemoSummary(True, Client.objects.filter(clinician=demo).count(), days)
