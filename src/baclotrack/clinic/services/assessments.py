"""Questionnaires (AUDIT, OCDS, PACS, GAD-7, ...) scored by core.instruments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from baclotrack.clinic import adapters
from baclotrack.clinic.audit import Actor, record, snapshot
from baclotrack.clinic.models import Assessment, AssessmentKind, Client, Visit

ASSESSMENT_FIELDS = ["kind", "instrument", "date", "answers", "total", "band", "visit_id"]


def record_assessment(
    actor: Actor,
    client: Client,
    instrument: str,
    date: dt.date,
    answers: dict[str, Any],
    *,
    kind: str = AssessmentKind.BASELINE,
    visit: Visit | None = None,
) -> Assessment:
    """Score the answers with the core (which validates them) and store answers and score together."""
    total, band, flags = adapters.score_instrument(instrument, answers, client.sex)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            client=client,
            visit=visit,
            kind=kind,
            instrument=instrument,
            date=date,
            answers=answers,
            total=total,
            band=band,
            flags=flags,
            created_by=actor.signed_in(),
        )
        record(
            actor, "assessment.create", assessment, client=client, new=snapshot(assessment, ASSESSMENT_FIELDS)
        )
    return assessment
