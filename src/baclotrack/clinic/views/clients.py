"""A client's record: create, edit, soft-delete, the dashboard, its chart and audit trail."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from baclotrack.clinic import adapters, dashboard_cache, page_reads
from baclotrack.clinic.access import get_client
from baclotrack.clinic.forms import ClientForm, ReasonForm
from baclotrack.clinic.models import AlertStatus, Client
from baclotrack.clinic.services import clients as client_services
from baclotrack.clinic.services.alerts import refresh_alerts
from baclotrack.clinic.views.doseresponse import dose_response_summary
from baclotrack.clinic.views.helpers import actor_of, add_service_error, clinician_required
from baclotrack.core.errors import InputError
from baclotrack.reports.charts import timeline_svg


@clinician_required
@require_http_methods(["GET", "POST"])
def client_create(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None, initial={"treatment_start": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            client = client_services.create_client(actor_of(request), request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except InputError as exc:
            add_service_error(form, exc)
        else:
            return redirect("clinic:dashboard", client_id=client.pk)
    return render(request, "clinic/client_form.html", {"form": form, "client": None})


@clinician_required
@require_http_methods(["GET", "POST"])
def client_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client(request.user, client_id)
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        try:
            client_services.update_client(actor_of(request), client, **form.cleaned_data)
        except InputError as exc:
            add_service_error(form, exc)
        else:
            return redirect("clinic:dashboard", client_id=client.pk)
    return render(request, "clinic/client_form.html", {"form": form, "client": client})


@clinician_required
@require_http_methods(["GET", "POST"])
def client_delete(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client(request.user, client_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client_services.soft_delete_client(actor_of(request), client, form.cleaned_data["reason"])
        return redirect("clinic:caseload")
    return render(
        request, "clinic/confirm_delete.html", {"form": form, "client": client, "what": client.code}
    )


@clinician_required
def dashboard(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client(request.user, client_id)
    today = timezone.localdate()
    with page_reads.one_read_per_page():  # the panels below share one read of the diary
        return _dashboard(request, client, today)


def _dashboard(request: HttpRequest, client: Client, today: dt.date) -> HttpResponse:
    refresh_alerts(actor_of(request), client, today)
    context = {
        "client": client,
        "today": today,
        "summary": adapters.client_summary(client, today),
        "endpoints": adapters.endpoints_table(client),
        "plan": adapters.plan_view(client, today),
        "open_alerts": client.alerts.filter(status=AlertStatus.OPEN),
        "resolved_alerts": client.alerts.filter(status=AlertStatus.RESOLVED)[:10],
        "diary": adapters.recent_diary(client, today),
        "assessments": client.assessments.filter(deleted_at__isnull=True),
        "visits": client.visits.filter(deleted_at__isnull=True)[:10],
        "chart": _inline_chart(client),
        "dose_response": dose_response_summary(client),
    }
    return render(request, "clinic/dashboard.html", context)


def chart_labels() -> dict[str, str]:
    """The chart's texts in the language of the request."""
    return {
        "dose": _("Baclofen, mg/day"),
        "taken": _("taken"),
        "planned": _("planned"),
        "drinks": _("Standard drinks"),
        "heavy": _("heavy day"),
        "craving": _("craving"),
        "anxiety": _("anxiety"),
        "side_effects": _("side effect (size = severity)"),
        "empty": _("No diary or plan yet"),
    }


def client_timeline_svg(client: Client) -> str:
    """The client's timeline SVG, drawn once per change of what it shows (clinic/dashboard_cache.py)."""
    frame, labels = adapters.timeline_frame(client), chart_labels()
    return dashboard_cache.cached(
        "timeline",
        client.pk,
        (frame, client.code, labels),
        lambda: timeline_svg(frame, title=client.code, labels=labels),
    )


def _inline_chart(client: Client) -> str:
    """The timeline SVG for inlining in the page (same drawing as chart.svg and the print view).

    Safe to mark: matplotlib writes the SVG and escapes every text in it, and the only text that
    comes from a person (the client code) is passed as the title.
    """
    svg = client_timeline_svg(client)
    return mark_safe(svg[svg.index("<svg") :])


@clinician_required
def chart_svg(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client(request.user, client_id)
    return HttpResponse(client_timeline_svg(client), content_type="image/svg+xml")


@clinician_required
def audit_trail(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client(request.user, client_id)
    events = client.audit_events.select_related("actor")[:500]
    return render(request, "clinic/audit.html", {"client": client, "events": events})
