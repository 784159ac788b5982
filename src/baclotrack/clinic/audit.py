"""Write audit events. Called only from services, inside their transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import models

from baclotrack.clinic.errors import ClinicInputError
from baclotrack.clinic.models import AuditEvent, Client


def _plain(value: Any) -> Any:
    """JSON-safe copy of a field value (dates as ISO strings)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``instance`` (foreign keys as ids), for old/new in the trail."""
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    return {name: _plain(getattr(instance, name)) for name in names}


class Actor:
    """Who performs an action: a signed-in user, or a client through a personal diary link."""

    def __init__(self, user: object, label: str | None = None) -> None:
        self.user: User | None = user if isinstance(user, User) and user.is_authenticated else None
        self.label = label or (self.user.get_username() if self.user is not None else "anonymous")

    def signed_in(self) -> User:
        """The acting user, for records that must name a signed-in person (a plan, a visit)."""
        if self.user is None:
            raise ClinicInputError("user", "this action needs a signed-in clinician")
        return self.user


def record(
    actor: Actor,
    action: str,
    obj: models.Model,
    *,
    client: Client | None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor.user,
        actor_label=actor.label,
        client=client,
        action=action,
        object_type=obj._meta.model_name or type(obj).__name__,
        object_id=str(obj.pk),
        old=_plain(old) if old is not None else None,
        new=_plain(new) if new is not None else None,
    )
