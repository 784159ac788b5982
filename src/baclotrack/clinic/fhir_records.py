"""A client's record as :class:`baclotrack.exchange.fhir.ClientData`, the input of the FHIR export.

Read side only. The prescribed dose periods are the dose the dashboard shows
(:func:`baclotrack.clinic.adapters.current_dose_mg`) followed day by day up to ``today``: a new
period starts wherever that dose changes (a plan step or a visit's decision), so the bundle
states what was prescribed, not how the clinic stores it.
"""

from __future__ import annotations

import datetime as dt

from baclotrack.clinic import adapters
from baclotrack.clinic.models import Client, DoseDecision
from baclotrack.core.guidelines import Country
from baclotrack.core.titration.caps import Jurisdiction
from baclotrack.exchange.fhir import (
    AssessmentRecord,
    ClientData,
    ClientRecord,
    DosePeriod,
    export_client_json,
)


def dose_periods(client: Client, today: dt.date) -> tuple[DosePeriod, ...]:
    """Periods of one prescribed dose up to ``today``; the last one open (still current)."""
    plan = client.plans.filter(is_active=True, deleted_at__isnull=True).first()
    changes: set[dt.date] = set()
    if plan is not None:
        changes |= {plan.start_date, *plan.steps.values_list("date", flat=True)}
    decided = client.visits.filter(deleted_at__isnull=True).exclude(decision=DoseDecision.CONTINUE)
    changes |= set(decided.values_list("date", flat=True))
    # The dose can change only on these dates, so asking on each of them finds every period.
    doses = [
        (date, adapters.current_dose_mg(client, date)) for date in sorted(d for d in changes if d <= today)
    ]
    periods: list[tuple[dt.date, float, dt.date | None]] = []
    for date, dose in doses:
        current = periods[-1] if periods and periods[-1][2] is None else None
        if current is not None and dose == current[1]:
            continue
        if current is not None:
            periods[-1] = (current[0], current[1], date - dt.timedelta(days=1))
        if dose is not None:
            periods.append((date, dose, None))
    return tuple(DosePeriod(start, mg, end) for start, mg, end in periods)


def client_data(client: Client, today: dt.date) -> ClientData:
    """Everything the FHIR bundle holds for ``client``: record, live diary, questionnaires, doses."""
    assessments = [
        AssessmentRecord(
            a.instrument,
            a.date,
            tuple(int(a.answers[k]) for k in sorted(a.answers, key=int)),
            round(a.total),
        )
        for a in client.assessments.filter(deleted_at__isnull=True).order_by("date", "instrument", "pk")
    ]
    return ClientData(
        client=ClientRecord(
            client.code,
            "F" if client.sex == "F" else "M",
            client.birth_year,
            client.weight_kg,
            Country(client.country),
            Jurisdiction(client.prescribing_country),
        ),
        diary=tuple(adapters.core_diary_days(client)),
        assessments=tuple(assessments),
        doses=dose_periods(client, today),
    )


def client_bundle_json(client: Client, today: dt.date) -> str:
    """The client's FHIR R4 bundle as canonical JSON text (exchange/fhir.py)."""
    return export_client_json(client_data(client, today))
