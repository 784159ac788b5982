"""Baseline: the 28-day drinking calendar and questionnaires (AUDIT, OCDS or PACS, GAD-7, ...)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from baclotrack.clinic import adapters
from baclotrack.clinic.access import get_client
from baclotrack.clinic.forms import BaselineCalendarForm, InstrumentForm
from baclotrack.clinic.models import AssessmentKind
from baclotrack.clinic.services.assessments import record_assessment
from baclotrack.clinic.services.diary import record_baseline_calendar
from baclotrack.clinic.views.helpers import actor_of, add_service_error, clinician_required
from baclotrack.core.errors import InputError


@clinician_required
def baseline(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client(request.user, client_id)
    context = {
        "client": client,
        "instruments": adapters.instrument_choices(),
        "assessments": client.assessments.filter(deleted_at__isnull=True),
    }
    return render(request, "clinic/baseline.html", context)


@clinician_required
@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client(request.user, client_id)
    initial = adapters.baseline_drinks(client)
    form = BaselineCalendarForm(request.POST or None, start=client.treatment_start, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            grams = [adapters.drinks_to_grams(d, client.country) for d in form.drinks()]
            record_baseline_calendar(actor_of(request), client, grams)
        except InputError as exc:
            add_service_error(form, exc)
        else:
            return redirect("clinic:baseline", client_id=client.pk)
    fields = [field for field in form if field.name.startswith("day_")]
    weeks = [fields[i : i + 7] for i in range(0, len(fields), 7)]
    return render(request, "clinic/baseline_calendar.html", {"client": client, "form": form, "weeks": weeks})


@clinician_required
@require_http_methods(["GET", "POST"])
def assessment(request: HttpRequest, client_id: int, instrument: str) -> HttpResponse:
    client = get_client(request.user, client_id)
    known = dict(adapters.instrument_choices())
    if instrument not in known:
        raise Http404("unknown instrument")
    form = InstrumentForm(
        request.POST or None, instrument_id=instrument, initial={"date": timezone.localdate()}
    )
    kind = AssessmentKind.BASELINE if request.GET.get("kind") != "visit" else AssessmentKind.VISIT
    if request.method == "POST" and form.is_valid():
        try:
            record_assessment(
                actor_of(request), client, instrument, form.cleaned_data["date"], form.answers(), kind=kind
            )
        except InputError as exc:
            add_service_error(form, exc)
        else:
            return redirect(
                "clinic:dashboard" if kind == AssessmentKind.VISIT else "clinic:baseline", client_id=client.pk
            )
    context = {"client": client, "form": form, "instrument": known[instrument], "instrument_id": instrument}
    return render(request, "clinic/assessment.html", context)
