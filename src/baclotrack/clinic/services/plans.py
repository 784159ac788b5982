"""Choose a titration protocol and caps; the core generates the plan's steps."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from baclotrack.clinic import adapters, page_reads
from baclotrack.clinic.audit import Actor, record, snapshot
from baclotrack.clinic.models import Client, PlanStep, TitrationPlan

PLAN_FIELDS = ["protocol", "start_date", "max_dose_mg", "max_mg_per_kg", "options"]


def choose_protocol(
    actor: Actor,
    client: Client,
    *,
    protocol: str,
    start_date: dt.date,
    max_dose_mg: float,
    max_mg_per_kg: float | None = None,
) -> TitrationPlan:
    """Replace the client's active plan by a new one generated from ``protocol`` and the caps."""
    steps = adapters.generate_plan_steps(client, protocol, start_date, max_dose_mg, max_mg_per_kg)
    page_reads.forget(client)
    with transaction.atomic():
        previous = list(TitrationPlan.objects.select_for_update().filter(client=client, is_active=True))
        for old_plan in previous:
            old_plan.is_active = False
            old_plan.save(update_fields=["is_active"])
            record(
                actor,
                "plan.replace",
                old_plan,
                client=client,
                old={"is_active": True},
                new={"is_active": False},
            )
        plan = TitrationPlan.objects.create(
            client=client,
            protocol=protocol,
            start_date=start_date,
            max_dose_mg=max_dose_mg,
            max_mg_per_kg=max_mg_per_kg,
            created_by=actor.signed_in(),
        )
        PlanStep.objects.bulk_create(PlanStep(plan=plan, **step) for step in steps)
        new = snapshot(plan, PLAN_FIELDS) | {"steps": len(steps)}
        record(actor, "plan.create", plan, client=client, new=new)
    return plan
