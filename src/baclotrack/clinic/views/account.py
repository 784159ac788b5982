"""Sign-in with throttling and an optional TOTP second factor, and TOTP enrolment for clinicians.

The password check is Django's; the throttle (clinic/throttle.py) runs before it, so a locked
account or address costs no password hash. A user with a confirmed TOTP device must also give
the current six-digit code (RFC 6238, verified by django-otp), and the session is marked
verified so that clinician pages can insist on it (views/helpers.py).
"""

from __future__ import annotations

import base64
from typing import Any

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth import login as auth_login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from baclotrack.clinic import throttle
from baclotrack.clinic.services.two_factor import confirm_totp_device, pending_totp_device
from baclotrack.clinic.views.helpers import actor_of, clinician_required


class SignInForm(AuthenticationForm):
    otp_token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app (if you set one up)"),
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.otp_device: TOTPDevice | None = None

    def clean(self) -> dict[str, Any]:
        username = str(self.data.get("username", ""))[:150]
        address = throttle.client_address(self.request)
        wait = max(
            throttle.username_window().blocked_for(username), throttle.address_window().blocked_for(address)
        )
        if wait:
            raise forms.ValidationError(
                _(
                    "Too many failed sign-ins for this account or from this address. "
                    "Try again in %(minutes)s minutes, or ask your administrator."
                )
                % {"minutes": throttle.minutes(wait)},
                code="throttled",
            )
        try:
            cleaned = super().clean()
            self._check_second_factor()
        except forms.ValidationError:
            throttle.username_window().fail(username)
            throttle.address_window().fail(address)
            raise
        throttle.username_window().clear(username)
        return cleaned

    def _check_second_factor(self) -> None:
        user = self.get_user()
        device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
        if device is None:
            return
        token = (self.cleaned_data.get("otp_token") or "").strip()
        if not token:
            raise forms.ValidationError(_("Enter the code from your authenticator app."), code="otp_required")
        if not device.verify_token(token):
            raise forms.ValidationError(_("That code is wrong or has expired."), code="otp_invalid")
        self.otp_device = device


class SignInView(LoginView):
    authentication_form = SignInForm

    def form_valid(self, form: forms.Form) -> HttpResponse:
        assert isinstance(form, SignInForm)
        auth_login(self.request, form.get_user())
        if form.otp_device is not None:
            django_otp.login(self.request, form.otp_device)
        return redirect(self.get_success_url())


class TotpConfirmForm(forms.Form):
    token = forms.CharField(label=gettext_lazy("Six-digit code"), max_length=16)


def qr_svg(text: str) -> str:
    """The QR code of ``text`` as inline SVG, made here (no image from the internet)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return str(image.to_string(encoding="unicode"))


@clinician_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol a TOTP device: scan the QR code, type the current code to confirm."""
    user = request.user
    confirmed = TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
    form = TotpConfirmForm(request.POST or None)
    device = None if confirmed else pending_totp_device(actor_of(request))
    if device is not None and request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            confirm_totp_device(actor_of(request), device)
            django_otp.login(request, device)
            return redirect("clinic:two_factor")
        form.add_error("token", _("That code is wrong or has expired; try the next one."))
    context = {
        "confirmed": confirmed,
        "form": form,
        "qr_svg": qr_svg(device.config_url) if device is not None else "",
        "secret": _base32(device) if device is not None else "",
    }
    return render(request, "clinic/two_factor.html", context)


def _base32(device: TOTPDevice) -> str:
    """The secret for typing into an app by hand, when the camera cannot read the code."""
    return base64.b32encode(device.bin_key).decode()
