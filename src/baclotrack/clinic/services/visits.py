"""Visits: the dose decision with its reason, side effects and notes."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from baclotrack.clinic import adapters
from baclotrack.clinic.audit import Actor, record, snapshot
from baclotrack.clinic.errors import ClinicInputError
from baclotrack.clinic.models import Client, DoseDecision, Visit

VISIT_FIELDS = ["date", "decision", "dose_mg", "reason", "side_effects", "notes"]


def record_visit(
    actor: Actor,
    client: Client,
    *,
    date: dt.date,
    decision: str,
    dose_mg: float,
    reason: str,
    side_effects: dict[str, int] | None = None,
    notes: str = "",
) -> Visit:
    if decision not in DoseDecision.values:
        raise ClinicInputError("decision", _("unknown dose decision %(decision)r") % {"decision": decision})
    if not reason.strip():
        raise ClinicInputError("reason", _("every dose decision needs its reason"))
    if dose_mg < 0:
        raise ClinicInputError("dose_mg", _("must not be negative"))
    checked = adapters.validated_side_effects(side_effects or {})
    with transaction.atomic():
        visit = Visit.objects.create(
            client=client,
            date=date,
            decision=decision,
            dose_mg=dose_mg,
            reason=reason.strip(),
            side_effects=checked,
            notes=notes,
            created_by=actor.signed_in(),
        )
        record(actor, "visit.create", visit, client=client, new=snapshot(visit, VISIT_FIELDS))
    return visit
