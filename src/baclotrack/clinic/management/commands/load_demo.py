"""`baclotrack manage load_demo`: the demo users and cohort (idempotent; demo databases only)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from baclotrack.clinic.demo import load_demo


class Command(BaseCommand):
    help = "Create the demo clinicians, client login and cohort, unless they exist."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = load_demo(timezone.localdate())
        if summary.created:
            self.stdout.write(
                f"Demo cohort loaded: {summary.clients} clients, {summary.diary_days} diary days."
            )
        else:
            self.stdout.write(f"Demo cohort already present ({summary.clients} clients).")
