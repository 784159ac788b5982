"""Import CSV files into the caseload, export it as a zip, download a client's FHIR bundle.

The import page validates the whole upload through clinic/services/exchange.py: a refused file
shows every (row, column, reason); implausible values and corrections are shown for confirmation,
and the same bytes come back with the confirmation (a hidden field) to be validated again.
"""

from __future__ import annotations

import base64
import binascii

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from baclotrack.clinic.access import clients_for, get_client
from baclotrack.clinic.core_text import refusal_text
from baclotrack.clinic.exchange_tables import FILE_KINDS, caseload_zip, caseload_zip_files
from baclotrack.clinic.fhir_records import client_bundle_json
from baclotrack.clinic.services.exchange import import_files
from baclotrack.clinic.views.helpers import actor_of, clinician_required
from baclotrack.core.errors import InputError
from baclotrack.exchange.csv_table import CsvFormatError

KIND_CHOICES = [
    ("caseload", gettext_lazy("A whole caseload (the zip of an export)")),
    ("patients", gettext_lazy("Clients (patients.csv)")),
    ("baseline", gettext_lazy("Baseline drinking calendars (baseline_calendar.csv)")),
    ("diary", gettext_lazy("Daily diaries (diary.csv)")),
    ("visits", gettext_lazy("Visits and questionnaires (visits.csv)")),
]


#: Largest upload: a year of daily diaries of a few hundred clients is a few megabytes.
MAX_UPLOAD_BYTES = 20_000_000


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("File"), choices=KIND_CHOICES)
    upload = forms.FileField(label=gettext_lazy("Upload"))

    def clean_upload(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["upload"]
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("the file is larger than %(mb)s MB") % {"mb": MAX_UPLOAD_BYTES // 1_000_000}
            )
        return upload


class ConfirmForm(forms.Form):
    """The second step: the same file, sent back with the person's confirmation."""

    kind = forms.ChoiceField(choices=KIND_CHOICES, widget=forms.HiddenInput)
    name = forms.CharField(max_length=255, widget=forms.HiddenInput)
    payload = forms.CharField(widget=forms.HiddenInput)

    def content(self) -> bytes:
        try:
            return base64.b64decode(self.cleaned_data["payload"], validate=True)
        except (binascii.Error, ValueError):
            raise InputError(_("the confirmed file was damaged; upload it again")) from None


def _read(upload: UploadedFile[bytes] | None) -> bytes:
    if upload is None:
        raise InputError(_("choose a file to upload"))
    content: bytes = upload.read()
    return content


def _files(kind: str, name: str, content: bytes) -> list[tuple[str, str, bytes]]:
    if kind == "caseload":
        return caseload_zip_files(content, name)
    return [(kind, name, content)]


@clinician_required
@require_http_methods(["GET", "POST"])
def caseload_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm()
    confirming = request.method == "POST" and "payload" in request.POST
    context: dict[str, object] = {"form": form}
    if request.method == "POST":
        step = ConfirmForm(request.POST) if confirming else ImportForm(request.POST, request.FILES)
        if not step.is_valid():
            context["form"] = step if not confirming else form
            return render(request, "clinic/caseload_import.html", context)
        kind = step.cleaned_data["kind"]
        upload: UploadedFile[bytes] | None = step.cleaned_data.get("upload")
        name = step.cleaned_data["name"] if upload is None else (upload.name or FILE_KINDS.get(kind, kind))
        try:
            content = step.content() if isinstance(step, ConfirmForm) else _read(upload)
            report = import_files(
                actor_of(request),
                request.user,  # type: ignore[arg-type]  # a clinician: checked by the decorator
                _files(kind, name, content),
                today=timezone.localdate(),
                confirm=confirming,
            )
        except CsvFormatError as exc:
            context |= {"refused": exc.source, "problems": exc.problems}
        except InputError as exc:
            context |= {"refused": name, "problems": [], "message": refusal_text(exc)}
        else:
            if report.applied:
                messages.success(
                    request,
                    _("Imported: %(changed)s records written, %(unchanged)s already up to date.")
                    % {"changed": report.changed, "unchanged": sum(f.unchanged for f in report.files)},
                )
                return redirect("clinic:caseload")
            confirm = ConfirmForm(
                initial={"kind": kind, "name": name, "payload": base64.b64encode(content).decode("ascii")}
            )
            context |= {"report": report, "confirm_form": confirm}
    return render(request, "clinic/caseload_import.html", context)


@clinician_required
def caseload_export(request: HttpRequest) -> HttpResponse:
    body = caseload_zip(list(clients_for(request.user)))
    response = HttpResponse(body, content_type="application/zip")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="caseload-{stamp}.zip"'
    return response


@clinician_required
def fhir_bundle(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client(request.user, client_id)
    body = client_bundle_json(client, timezone.localdate())
    response = HttpResponse(body, content_type="application/fhir+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{client.code}-fhir.json"'
    return response
