"""Give a client access to their diary (own login or personal link) and take it back."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baclotrack.clinic.audit import Actor, record
from baclotrack.clinic.errors import ClinicInputError
from baclotrack.clinic.models import Client, DiaryLink

#: 32 random bytes (256 bits), URL-safe: far beyond guessing, short enough for a text message.
TOKEN_BYTES = 32


def hash_token(token: str) -> str:
    """SHA-256 of the token: the database never holds a usable link."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_diary_link(actor: Actor, client: Client, *, days: int | None = None) -> tuple[DiaryLink, str]:
    """A new personal link; returns the link row and the raw token, shown once to the clinician."""
    days = days or settings.DIARY_LINK_DAYS
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        link = DiaryLink.objects.create(
            client=client,
            token_hash=hash_token(token),
            created_by=actor.signed_in(),
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        record(actor, "link.create", link, client=client, new={"expires_at": link.expires_at})
    return link, token


def revoke_diary_link(actor: Actor, link: DiaryLink) -> DiaryLink:
    with transaction.atomic():
        link = DiaryLink.objects.select_for_update().get(pk=link.pk)
        if link.revoked_at is not None:
            raise ClinicInputError("link", _("this link is already revoked"))
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        record(actor, "link.revoke", link, client=link.client, new={"revoked_at": link.revoked_at})
    return link


def grant_client_login(
    actor: Actor, client: Client, username: str, password: str, *, check_strength: bool = True
) -> Client:
    """Create the client's own diary login (a plain user with no staff rights).

    ``check_strength=False`` is for the demo database only (its documented client/client login).
    """
    user_model = get_user_model()
    username = username.strip()
    if not username:
        raise ClinicInputError("username", _("required"))
    if user_model.objects.filter(username=username).exists():
        raise ClinicInputError("username", _("%(username)r is taken") % {"username": username})
    try:
        if check_strength:
            validate_password(password)
    except ValidationError as exc:
        raise ClinicInputError("password", " ".join(exc.messages)) from None
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=client.pk)
        if client.user_id is not None:
            raise ClinicInputError("username", _("this client already has a login; revoke it first"))
        user = user_model.objects.create_user(username=username, password=password)
        client.user = user
        client.save(update_fields=["user"])
        record(actor, "login.grant", client, client=client, new={"username": username})
    return client


def revoke_client_login(actor: Actor, client: Client) -> Client:
    """Disable the client's login (kept for the audit trail, never deleted)."""
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=client.pk)
        user = client.user
        if user is None:
            raise ClinicInputError("login", _("this client has no login"))
        user.is_active = False
        user.save(update_fields=["is_active"])
        client.user = None
        client.save(update_fields=["user"])
        record(actor, "login.revoke", client, client=client, old={"username": user.get_username()})
    return client
