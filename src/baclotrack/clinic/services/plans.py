"""Choose a titration protocol and caps, or start a taper; the core generates the plan's steps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from baclotrack.clinic import adapters, page_reads
from baclotrack.clinic.audit import Actor, record, snapshot
from baclotrack.clinic.models import Client, PlanStep, TitrationPlan
from baclotrack.core.titration.taper import (
    DEFAULT_MIN_TAPER_DAYS,
    DEFAULT_TAPER_INTERVAL_DAYS,
    DEFAULT_TAPER_STEP_MG,
    TAPER_PLAN_ID,
)

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
    fields = {"protocol": protocol, "max_dose_mg": max_dose_mg, "max_mg_per_kg": max_mg_per_kg}
    return _replace_active_plan(actor, client, start_date, fields, steps)


def start_taper(
    actor: Actor,
    client: Client,
    *,
    start_date: dt.date,
    from_mg: float,
    step_mg: float = DEFAULT_TAPER_STEP_MG,
    interval_days: int = DEFAULT_TAPER_INTERVAL_DAYS,
    min_duration_days: int = DEFAULT_MIN_TAPER_DAYS,
) -> TitrationPlan:
    """Replace the client's active plan by the core's taper from ``from_mg`` mg/day to zero.

    The core refuses a pace faster than the ANSM taper, a taper shorter than the labels' week,
    and a start more than one step below the dose the client last reported taking
    (core/titration/taper.py); the settings are kept in the plan's options (decision 0184).
    """
    taken = adapters.last_dose_taken(client, start_date)
    steps = adapters.generate_taper_steps(
        start_date,
        from_mg,
        step_mg=step_mg,
        interval_days=interval_days,
        min_duration_days=min_duration_days,
        taken_mg=None if taken is None else taken[1],
    )
    settings = {"step_mg": step_mg, "interval_days": interval_days, "min_duration_days": min_duration_days}
    fields = {"protocol": TAPER_PLAN_ID, "max_dose_mg": from_mg, "max_mg_per_kg": None, "options": settings}
    return _replace_active_plan(actor, client, start_date, fields, steps)


def _replace_active_plan(
    actor: Actor, client: Client, start_date: dt.date, fields: dict[str, Any], steps: list[dict[str, Any]]
) -> TitrationPlan:
    """Deactivate the active plan and store the new one with its steps, in one audited transaction."""
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
            client=client, start_date=start_date, created_by=actor.signed_in(), **fields
        )
        PlanStep.objects.bulk_create(PlanStep(plan=plan, **step) for step in steps)
        new = snapshot(plan, PLAN_FIELDS) | {"steps": len(steps)}
        record(actor, "plan.create", plan, client=client, new=new)
    return plan
