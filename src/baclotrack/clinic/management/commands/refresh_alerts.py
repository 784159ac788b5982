"""`baclotrack manage refresh_alerts`: run the core's safety rules for every live client (cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from baclotrack.clinic.audit import Actor
from baclotrack.clinic.models import Client
from baclotrack.clinic.services.alerts import refresh_alerts


class Command(BaseCommand):
    help = "Evaluate the safety rules for every live client and store new alerts."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        actor = Actor(None, label="refresh_alerts")
        raised = sum(
            len(refresh_alerts(actor, c, today)) for c in Client.objects.filter(deleted_at__isnull=True)
        )
        self.stdout.write(f"{raised} new alert(s).")
