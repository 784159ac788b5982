"""Record a visit: dose decision with its reason, side effects, notes."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from baclotrack.clinic import adapters
from baclotrack.clinic.access import get_client
from baclotrack.clinic.forms import VisitForm, side_effects_of
from baclotrack.clinic.models import DoseDecision
from baclotrack.clinic.services.alerts import refresh_alerts
from baclotrack.clinic.services.visits import record_visit
from baclotrack.clinic.views.helpers import actor_of, add_service_error, clinician_required
from baclotrack.core.errors import InputError


@clinician_required
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client(request.user, client_id)
    today = timezone.localdate()
    initial = {"date": today, "dose_mg": adapters.current_dose_mg(client, today)}
    form = VisitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_visit(
                actor_of(request),
                client,
                date=data["date"],
                decision=data["decision"],
                dose_mg=data["dose_mg"],
                reason=data["reason"],
                side_effects=side_effects_of(form),
                notes=data["notes"],
            )
        except InputError as exc:
            add_service_error(form, exc)
        else:
            refresh_alerts(actor_of(request), client)
            # Deciding to stop leads on to the taper that does it (decision 0184).
            after = "clinic:taper" if data["decision"] == DoseDecision.TAPER else "clinic:dashboard"
            return redirect(after, client_id=client.pk)
    context = {"client": client, "form": form, "instruments": adapters.instrument_choices()}
    return render(request, "clinic/visit_form.html", context)
