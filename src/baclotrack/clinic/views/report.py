"""The prescriber's report of a client: HTML to read or print, PDF to send (reports/render.py)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from baclotrack.clinic.access import get_client
from baclotrack.clinic.prescriber_report import prescriber_report as render_prescriber_report
from baclotrack.clinic.prescriber_report import report_filename
from baclotrack.clinic.views.helpers import clinician_required
from baclotrack.reports.render import FORMATS


@clinician_required
def prescriber_report(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client(request.user, client_id)
    fmt = request.GET.get("format", "html")
    if fmt not in FORMATS:
        raise Http404("unknown report format")
    body = render_prescriber_report(client, fmt, timezone.localdate())  # type: ignore[arg-type]
    if fmt == "pdf":
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{report_filename(client, "pdf")}"'
        return response
    return HttpResponse(body, content_type="text/html; charset=utf-8")
