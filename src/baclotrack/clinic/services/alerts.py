"""Alerts: raised from the core's rules engine, resolved by the clinician with a note."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baclotrack.clinic import adapters
from baclotrack.clinic.audit import Actor, record, snapshot
from baclotrack.clinic.errors import ClinicInputError
from baclotrack.clinic.models import Alert, AlertStatus, Client

ALERT_FIELDS = ["rule_id", "severity", "title", "reason", "evidence", "action", "source", "raised_on"]


def refresh_alerts(actor: Actor, client: Client, today: dt.date | None = None) -> list[Alert]:
    """Run the core's rules for ``client`` and store alerts that are new.

    A rule that already has an open alert, or that was raised today, is not raised again:
    the clinician sees one alert per problem, not one per page view.
    """
    today = today or timezone.localdate()
    fired = adapters.evaluate_rules(client, today)
    if fired:
        held = _held(client, [a["rule_id"] for a in fired], today)
        fired = [a for a in fired if a["rule_id"] not in held]
    created: list[Alert] = []
    if not fired:
        # The usual case (nothing new): no transaction, so no write lock taken on SQLite.
        return created
    with transaction.atomic():
        held = _held(client, [a["rule_id"] for a in fired], today)  # again, under the write lock
        for alert in fired:
            if alert["rule_id"] in held:
                continue
            held.add(alert["rule_id"])  # one alert per rule, e.g. two persistent side effects
            row = Alert.objects.create(client=client, raised_on=today, **alert)
            record(actor, "alert.raise", row, client=client, new=snapshot(row, ALERT_FIELDS))
            created.append(row)
    return created


def _held(client: Client, rule_ids: list[str], today: dt.date) -> set[str]:
    """Of ``rule_ids``, the rules with an open alert for ``client`` or one raised ``today``."""
    alerts = Alert.objects.filter(client=client, rule_id__in=rule_ids)
    alerts = alerts.filter(Q(status=AlertStatus.OPEN) | Q(raised_on=today))
    return set(alerts.values_list("rule_id", flat=True))


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
