"""Resolve an alert with a note."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from baclotrack.clinic.access import get_alert
from baclotrack.clinic.forms import ResolveAlertForm
from baclotrack.clinic.services.alerts import resolve_alert
from baclotrack.clinic.views.helpers import actor_of, add_service_error, clinician_required
from baclotrack.core.errors import InputError


@clinician_required
@require_http_methods(["GET", "POST"])
def resolve(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = get_alert(request.user, alert_id)
    form = ResolveAlertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resolve_alert(actor_of(request), alert, form.cleaned_data["note"])
        except InputError as exc:
            add_service_error(form, exc)
        else:
            return redirect("clinic:dashboard", client_id=alert.client_id)
    return render(
        request, "clinic/alert_resolve.html", {"alert": alert, "client": alert.client, "form": form}
    )
