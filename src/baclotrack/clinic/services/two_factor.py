"""Enrol a clinician's TOTP second factor: a pending device, then its confirmation. Audited."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from baclotrack.clinic.audit import Actor, record


def pending_totp_device(actor: Actor) -> TOTPDevice:
    """The user's unconfirmed TOTP device, made on first use so the QR code stays the same on reload."""
    user = actor.signed_in()
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=False)
            record(actor, "totp.start", device, client=None)
    return device


def confirm_totp_device(actor: Actor, device: TOTPDevice) -> TOTPDevice:
    """Mark the device confirmed (its code was just verified): from now on sign-in asks for a code."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=actor.signed_in())
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(actor, "totp.confirm", device, client=None)
    return device
