"""Draw a changed dashboard before anyone opens it, so that the first view is a repeat view.

A dashboard's costly parts (the timeline SVG, the dose-response fit and its figure) are kept in
the shared dashboard cache by their inputs (clinic/dashboard_cache.py). A client's diary changes
at night and the clinician opens the dashboard in the morning, so the view that pays for the
drawing is the usual one. The warmer, a separate low-priority process (`baclotrack warm`), draws
them first (decision 0185):

- **What changed** is read from the audit trail: every clinical write records an event naming
  its client (clinic/audit.py), so the warmer polls for events newer than the last it saw. Nothing
  is added to the write path.
- **Each new day** every live client with a change in the last :data:`ACTIVE_DAYS` days is drawn
  again, since the chart's horizon moves with the date; a client at rest is drawn by its next view.
- It draws through the very functions the pages call, in every language of the settings, so
  what it stores is what a view would have stored, under the same keys; a page never waits for
  it and draws for itself if the warmer is late or not running.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation

from baclotrack.clinic.models import AuditEvent, Client

log = logging.getLogger(__name__)

#: On a new day, the clients with a change (an audit event) in this many days are drawn again: the
#: caseload in treatment. Four weeks, the window of the endpoints; the dashboard cache must hold
#: them (its MAX_ENTRIES in settings.py).
ACTIVE_DAYS = 28


def warm_client(client: Client) -> None:
    """Draw and fit what the client's dashboard shows, in every language of the settings."""
    from baclotrack.clinic.views.clients import client_timeline_svg
    from baclotrack.clinic.views.doseresponse import client_dose_response_svg

    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            client_timeline_svg(client)
            client_dose_response_svg(client)  # fits first (the page's summary reads the same fit)


@dataclass
class Warmer:
    """What to draw next: the clients of new audit events, or every active client on a new day."""

    today: Callable[[], dt.date] = timezone.localdate
    last_event: int = 0
    day: dt.date | None = None

    def due(self) -> list[int]:
        """Ids of the clients to draw now (each once), oldest change first."""
        newest = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        today = self.today()
        if today != self.day:
            self.day, self.last_event = today, newest
            since = timezone.now() - dt.timedelta(days=ACTIVE_DAYS)
            active = Client.objects.filter(deleted_at__isnull=True, audit_events__at__gte=since).distinct()
            return list(active.order_by("pk").values_list("pk", flat=True))
        events = AuditEvent.objects.filter(pk__gt=self.last_event, pk__lte=newest, client__isnull=False)
        self.last_event = newest
        return list(dict.fromkeys(events.order_by("pk").values_list("client_id", flat=True)))

    def run_once(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Draw every client that is due; the number drawn."""
        return self.draw(self.due(), progress)

    def draw(self, client_ids: Iterable[int], progress: Callable[[int, int], None] | None = None) -> int:
        ids = list(client_ids)
        live = Client.objects.filter(pk__in=ids, deleted_at__isnull=True).in_bulk()
        clients = [live[pk] for pk in ids if pk in live]
        for done, client in enumerate(clients, start=1):
            try:
                warm_client(client)
            except Exception:  # one client's failure must not stop the others; its page will show it
                log.exception("warm: drawing the dashboard of client %s failed", client.pk)
            if progress is not None:
                progress(done, len(clients))
        return len(clients)
