"""What every view shares: who is acting, the clinician gate and service errors on forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django_otp.plugins.otp_totp.models import TOTPDevice

from baclotrack.clinic.access import require_clinician
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.core_text import refusal_text
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
        if not second_factor_satisfied(request):
            logout(request)
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def second_factor_satisfied(request: HttpRequest) -> bool:
    """False for a session without a verified code of a user who has a confirmed TOTP device
    (a session that did not come through the two-factor sign-in)."""
    user = request.user
    if getattr(user, "is_verified", lambda: False)():
        return True
    return not TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def add_service_error(form: forms.BaseForm, exc: InputError) -> None:
    """Show a service or core refusal on the form, on the field it names when the form has it."""
    field = exc.field if isinstance(exc, ClinicInputError) and exc.field in form.fields else None
    form.add_error(field, exc.detail if field and isinstance(exc, ClinicInputError) else refusal_text(exc))


def parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Http404("not a date") from None
