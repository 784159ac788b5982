"""The researchers' page: the de-identified export of all caseloads, and nothing identifiable."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils import timezone

from baclotrack.clinic.access import is_researcher
from baclotrack.clinic.models import Client
from baclotrack.clinic.services.research import export_for_research, export_zip
from baclotrack.clinic.views.helpers import actor_of

View = Callable[..., HttpResponse]


def researcher_required(view: View) -> View:
    """Signed-in researchers only; anyone else signed in gets a 404, the anonymous the login page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_researcher(request.user):
            raise Http404("not a researcher")
        return view(request, *args, **kwargs)

    return wrapper


@researcher_required
def research_home(request: HttpRequest) -> HttpResponse:
    clients = Client.objects.filter(deleted_at__isnull=True).count()
    return render(request, "clinic/research.html", {"clients": clients})


@researcher_required
def research_export(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":  # a download that writes an audit event is not a link to prefetch
        return HttpResponseNotAllowed(["POST"])
    data = export_zip(export_for_research(actor_of(request)))
    response = HttpResponse(data, content_type="application/zip")
    name = f"baclotrack-research-{timezone.localdate().isoformat()}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
