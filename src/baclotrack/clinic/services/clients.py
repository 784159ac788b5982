"""Create, edit and soft-delete clients."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baclotrack.clinic.audit import Actor, record, snapshot
from baclotrack.clinic.errors import ClinicInputError
from baclotrack.clinic.models import Caution, Client
from baclotrack.core.alcohol import parse_country
from baclotrack.core.errors import InputError
from baclotrack.core.titration.caps import jurisdiction_of_drink_country, parse_jurisdiction

CLIENT_FIELDS = [
    "code",
    "sex",
    "birth_year",
    "weight_kg",
    "country",
    "prescribing_country",
    "creatinine_clearance",
    "cautions",
    "treatment_start",
]


def _check_cautions(cautions: list[str]) -> list[str]:
    known = set(Caution.values)
    for caution in cautions:
        if caution not in known:
            raise ClinicInputError("cautions", _("unknown caution %(caution)r") % {"caution": caution})
    return sorted(set(cautions))


def _check_prescribing_country(code: str) -> str:
    try:
        return parse_jurisdiction(code).value
    except InputError:
        raise ClinicInputError(
            "prescribing_country", _("unknown prescribing country %(code)r") % {"code": code}
        ) from None


def default_prescribing_country(country: str) -> str:
    """Where a new client is assumed to be prescribed: the standard-drink country (ZZ for WHO)."""
    return jurisdiction_of_drink_country(parse_country(country)).value


def create_client(
    actor: Actor,
    clinician: User,
    *,
    code: str,
    sex: str,
    birth_year: int,
    weight_kg: float,
    country: str,
    treatment_start: dt.date,
    creatinine_clearance: float | None = None,
    cautions: list[str] | None = None,
    prescribing_country: str | None = None,
) -> Client:
    """A new client; ``prescribing_country`` defaults to the standard-drink country's (decision 0175)."""
    code = code.strip()
    if prescribing_country:
        prescribing_country = _check_prescribing_country(prescribing_country)
    else:
        prescribing_country = default_prescribing_country(country)
    if not code:
        raise ClinicInputError("code", _("a pseudonymous code is required"))
    with transaction.atomic():
        if Client.objects.filter(code=code).exists():
            raise ClinicInputError(
                "code", _("%(code)r is already used; choose another pseudonymous code") % {"code": code}
            )
        client = Client.objects.create(
            clinician=clinician,
            code=code,
            sex=sex,
            birth_year=birth_year,
            weight_kg=weight_kg,
            country=country,
            prescribing_country=prescribing_country,
            treatment_start=treatment_start,
            creatinine_clearance=creatinine_clearance,
            cautions=_check_cautions(cautions or []),
        )
        record(actor, "client.create", client, client=client, new=snapshot(client, CLIENT_FIELDS))
    return client


def update_client(actor: Actor, client: Client, **changes: Any) -> Client:
    unknown = set(changes) - set(CLIENT_FIELDS)
    if unknown:
        raise ClinicInputError(sorted(unknown)[0], _("cannot be changed here"))
    if "cautions" in changes:
        changes["cautions"] = _check_cautions(list(changes["cautions"]))
    if "prescribing_country" in changes:
        changes["prescribing_country"] = _check_prescribing_country(changes["prescribing_country"])
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=client.pk)
        old = snapshot(client, CLIENT_FIELDS)
        if "code" in changes and Client.objects.filter(code=changes["code"]).exclude(pk=client.pk).exists():
            raise ClinicInputError("code", _("%(code)r is already used") % {"code": changes["code"]})
        for name, value in changes.items():
            setattr(client, name, value)
        client.save()
        new = snapshot(client, CLIENT_FIELDS)
        changed = {k for k in new if new[k] != old[k]}
        if changed:
            record(
                actor,
                "client.update",
                client,
                client=client,
                old={k: old[k] for k in changed},
                new={k: new[k] for k in changed},
            )
    return client


def soft_delete_client(actor: Actor, client: Client, reason: str) -> Client:
    """Close a client's record: hidden from the caseload, kept with its whole history."""
    if not reason.strip():
        raise ClinicInputError("reason", _("say why the record is deleted"))
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=client.pk)
        if client.deleted_at is not None:
            raise ClinicInputError("client", _("this record is already deleted"))
        client.deleted_at = timezone.now()
        client.deleted_by = actor.user
        client.deleted_reason = reason.strip()
        client.save(update_fields=["deleted_at", "deleted_by", "deleted_reason"])
        record(actor, "client.delete", client, client=client, new={"reason": client.deleted_reason})
    return client
