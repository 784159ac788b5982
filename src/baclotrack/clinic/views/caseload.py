"""The front door and the caseload."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baclotrack.clinic import adapters
from baclotrack.clinic.access import clients_for, is_clinician, is_researcher
from baclotrack.clinic.models import Client
from baclotrack.clinic.views.helpers import clinician_required

#: Columns the caseload can be sorted by, and whether a first click sorts them largest first.
SORT_KEYS = {
    "code": False,
    "dose_mg": True,
    "mg_per_kg": True,
    "treatment_day": True,
    "drinks_per_day": True,
    "heavy_days": True,
    "craving": True,
    "open_alerts": True,
    "adherence": False,
}


SORT_LABELS = [
    ("code", _("Client")),
    ("dose_mg", _("Dose mg/day")),
    ("mg_per_kg", _("mg/kg")),
    ("treatment_day", _("Day")),
    ("drinks_per_day", _("Drinks/day (7 d)")),
    ("heavy_days", _("Heavy days (7 d)")),
    ("craving", _("Craving (7 d)")),
    ("open_alerts", _("Open alerts")),
    ("adherence", _("Diary (14 d)")),
]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if is_clinician(request.user):
        return redirect("clinic:caseload")
    if Client.objects.filter(user=request.user.pk, deleted_at__isnull=True).exists():
        return redirect("clinic:own_diary")
    if is_researcher(request.user):
        return redirect("clinic:research")
    if request.user.is_staff:
        return redirect("admin:index")
    raise Http404("nothing here for this account")


@clinician_required
def caseload(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = adapters.caseload_rows(list(clients_for(request.user).prefetch_related("plans")), today)
    sort = request.GET.get("sort", "open_alerts")
    if sort.lstrip("-") not in SORT_KEYS:
        sort = "open_alerts"
    key = sort.lstrip("-")
    descending = SORT_KEYS[key] != sort.startswith("-")
    present = [r for r in rows if r[key] is not None]
    missing = [r for r in rows if r[key] is None]
    present.sort(key=lambda r: r[key], reverse=descending)
    columns = [(k, ("-" + k) if sort == k else k) for k in SORT_KEYS]
    labels = dict(SORT_LABELS)
    sort_choices = [(k, labels[k]) for k in SORT_KEYS] + [("-" + k, f"{labels[k]} ↕") for k in SORT_KEYS]
    return render(
        request,
        "clinic/caseload.html",
        {
            "rows": present + missing,
            "sort": sort,
            "columns": dict(columns),
            "sort_choices": sort_choices,
            "today": today,
        },
    )
