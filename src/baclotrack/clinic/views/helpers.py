"""What every view shares: who is acting, the clinician gate and service errors on forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from baclotrack.clinic.access import require_clinician
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.errors import ClinicInputError
from baclotrack.core.errors import InputError

View = Callable[..., HttpResponse]


def actor_of(request: HttpRequest) -> Actor:
    return Actor(request.user)


def clinician_required(view: View) -> View:
    """Signed-in clinicians only; anyone else signed in gets a 404, the anonymous the login page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_clinician(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def add_service_error(form: forms.BaseForm, exc: InputError) -> None:
    """Show a service or core refusal on the form, on the field it names when the form has it."""
    field = exc.field if isinstance(exc, ClinicInputError) and exc.field in form.fields else None
    form.add_error(field, exc.detail if field and isinstance(exc, ClinicInputError) else str(exc))


def parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Http404("not a date") from None
