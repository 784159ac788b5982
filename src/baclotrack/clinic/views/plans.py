"""Choose a protocol and caps; the core generates the plan."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from baclotrack.clinic import adapters
from baclotrack.clinic.access import get_client
from baclotrack.clinic.forms import PlanForm
from baclotrack.clinic.services.alerts import refresh_alerts
from baclotrack.clinic.services.plans import choose_protocol
from baclotrack.clinic.views.helpers import actor_of, add_service_error, clinician_required
from baclotrack.core.errors import InputError


@clinician_required
@require_http_methods(["GET", "POST"])
def choose_plan(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client(request.user, client_id)
    initial = {
        "start_date": max(client.treatment_start, timezone.localdate()),
        **adapters.default_caps(client),
    }
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            choose_protocol(actor_of(request), client, **form.cleaned_data)
        except InputError as exc:
            add_service_error(form, exc)
        else:
            refresh_alerts(actor_of(request), client)
            return redirect("clinic:dashboard", client_id=client.pk)
    context = {"client": client, "form": form, "protocols": adapters.protocol_descriptions()}
    return render(request, "clinic/plan_form.html", context)
