"""Choose a protocol and caps, or start a taper; the core generates the plan."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from baclotrack.clinic import adapters
from baclotrack.clinic.access import get_client
from baclotrack.clinic.forms import PlanForm, TaperForm
from baclotrack.clinic.models import Client
from baclotrack.clinic.services.alerts import refresh_alerts
from baclotrack.clinic.services.plans import choose_protocol, start_taper
from baclotrack.clinic.views.helpers import actor_of, add_service_error, clinician_required
from baclotrack.core.errors import InputError
from baclotrack.core.titration import taper


@clinician_required
@require_http_methods(["GET", "POST"])
def choose_plan(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client(request.user, client_id)
    initial = {
        "start_date": max(client.treatment_start, timezone.localdate()),
        **adapters.default_caps(client),
    }
    form = PlanForm(request.POST or None, initial=initial)
    written = _new_plan(request, client, form, choose_protocol)
    if written is not None:
        return written
    context = {"client": client, "form": form, "protocols": adapters.protocol_descriptions()}
    return render(request, "clinic/plan_form.html", context)


@clinician_required
@require_http_methods(["GET", "POST"])
def taper_plan(request: HttpRequest, client_id: int) -> HttpResponse:
    """Replace the plan by a taper to zero, from the dose the client takes (decision 0184)."""
    client = get_client(request.user, client_id)
    today = timezone.localdate()
    prescribed, taken = adapters.current_dose_mg(client, today), adapters.last_dose_taken(client, today)
    # Start from what the client takes: a lower prescribed dose would make the first day a drop.
    initial = {"start_date": today, "from_mg": taken[1] if taken is not None else prescribed}
    form = TaperForm(request.POST or None, initial=initial)
    written = _new_plan(request, client, form, start_taper)
    if written is not None:
        return written
    pace = {
        "fastest_mg": f"{taper.FASTEST_TAPER_STEP_MG:g}",
        "fastest_days": taper.FASTEST_TAPER_INTERVAL_DAYS,
        "label_days": taper.LABEL_MIN_TAPER_DAYS,
        "default_mg": f"{taper.DEFAULT_TAPER_STEP_MG:g}",
        "default_days": taper.DEFAULT_TAPER_INTERVAL_DAYS,
        "default_length": taper.DEFAULT_MIN_TAPER_DAYS,
    }
    context = {
        "client": client,
        "form": form,
        "source": taper.TAPER_SOURCE,
        "pace": pace,
        "prescribed": prescribed,
        "taken": taken,
    }
    return render(request, "clinic/taper_form.html", context)


def _new_plan(
    request: HttpRequest, client: Client, form: forms.Form, write: Callable[..., object]
) -> HttpResponse | None:
    """On a valid post, ``write`` the new plan with the form's values, refresh the client's alerts
    and go to the dashboard; None (the form again, with any refusal on it) otherwise."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        write(actor_of(request), client, **form.cleaned_data)
    except InputError as exc:
        add_service_error(form, exc)
        return None
    refresh_alerts(actor_of(request), client)
    return redirect("clinic:dashboard", client_id=client.pk)
