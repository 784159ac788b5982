"""Alerts: raised from the core's rules engine, resolved by the clinician with a note."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baclotrack.clinic import adapters
from baclotrack.clinic.audit import Actor, record, snapshot
from baclotrack.clinic.errors import ClinicInputError
from baclotrack.clinic.models import Alert, AlertStatus, Client

ALERT_FIELDS = ["rule_id", "severity", "title", "reason", "evidence", "action", "source", "raised_on"]


def refresh_alerts(actor: Actor, client: Client, today: dt.date | None = None) -> list[Alert]:
    """Run the core's rules for ``client`` and store alerts that are new.

    A rule that already has an open alert, or that was resolved today, is not raised again:
    the clinician sees one alert per problem, not one per page view.
    """
    today = today or timezone.localdate()
    fired = adapters.evaluate_rules(client, today)
    created: list[Alert] = []
    with transaction.atomic():
        for alert in fired:
            existing = Alert.objects.filter(client=client, rule_id=alert["rule_id"])
            if existing.filter(status=AlertStatus.OPEN).exists() or existing.filter(raised_on=today).exists():
                continue
            row = Alert.objects.create(client=client, raised_on=today, **alert)
            record(actor, "alert.raise", row, client=client, new=snapshot(row, ALERT_FIELDS))
            created.append(row)
    return created


def resolve_alert(actor: Actor, alert: Alert, note: str) -> Alert:
    if not note.strip():
        raise ClinicInputError("note", _("say how the alert was dealt with"))
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.status == AlertStatus.RESOLVED:
            raise ClinicInputError("alert", _("this alert is already resolved"))
        alert.status = AlertStatus.RESOLVED
        alert.resolved_by = actor.user
        alert.resolved_at = timezone.now()
        alert.resolution_note = note.strip()
        alert.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
        record(
            actor,
            "alert.resolve",
            alert,
            client=alert.client,
            old={"status": AlertStatus.OPEN},
            new={"status": AlertStatus.RESOLVED, "note": alert.resolution_note},
        )
    return alert
