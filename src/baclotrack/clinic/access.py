"""Every query of clinical data goes through here, scoped to the person asking.

A clinician reaches only the clients of their own caseload; a client only their own
diary. Anything else is a 404, so that a foreign record's existence is not revealed.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from baclotrack.clinic import prepared
from baclotrack.clinic.models import Alert, Client, DiaryDay, DiaryLink
from baclotrack.clinic.prepared import PreparedRead
from baclotrack.clinic.services.diary_access import hash_token

#: Name of the group whose members are clinicians (created by the migrations).
CLINICIANS_GROUP = "clinicians"
#: Members may download the de-identified research export and see nothing else (docs/security.md).
RESEARCHERS_GROUP = "researchers"

Person = AbstractBaseUser | AnonymousUser


def group_names(user: User) -> frozenset[str]:
    """The user's group names, read once per user object (one request's user, as Django keeps its
    permissions in ``_perm_cache``): the clinician gate and the caseload query each asked before."""
    names: frozenset[str] | None = getattr(user, "_baclotrack_groups", None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        user._baclotrack_groups = names  # type: ignore[attr-defined]
    return names


def clinician_or_none(user: Person) -> User | None:
    """The user as a clinician (an active member of the clinicians group), or None."""
    if isinstance(user, User) and user.is_active and CLINICIANS_GROUP in group_names(user):
        return user
    return None


def is_clinician(user: Person) -> bool:
    return clinician_or_none(user) is not None


def is_researcher(user: Person) -> bool:
    """An active member of the researchers group (who may also be nothing else)."""
    return isinstance(user, User) and user.is_active and RESEARCHERS_GROUP in group_names(user)


def require_clinician(user: Person) -> None:
    if not is_clinician(user):
        raise Http404("not a clinician")


def clients_for(user: Person) -> QuerySet[Client]:
    """The live clients of a clinician's caseload (empty for anyone else)."""
    clinician = clinician_or_none(user)
    if clinician is None:
        return Client.objects.none()
    return Client.objects.filter(clinician=clinician, deleted_at__isnull=True)


def get_client(user: Person, client_id: Any) -> Client:
    return get_object_or_404(clients_for(user), pk=client_id)


def get_alert(user: Person, alert_id: Any) -> Alert:
    return get_object_or_404(Alert.objects.filter(client__in=clients_for(user)), pk=alert_id)


def get_link(user: Person, link_id: Any) -> DiaryLink:
    return get_object_or_404(DiaryLink.objects.filter(client__in=clients_for(user)), pk=link_id)


def get_diary_day(user: Person, day_id: Any) -> DiaryDay:
    return get_object_or_404(
        DiaryDay.objects.filter(client__in=clients_for(user), deleted_at__isnull=True), pk=day_id
    )


def client_of_login(user: Person) -> Client:
    """The client whose own diary login ``user`` is."""
    if not isinstance(user, User):
        raise Http404("not signed in")
    return get_object_or_404(Client, user=user, deleted_at__isnull=True)


def _link_query(token_hash: str) -> QuerySet[Any]:
    client_columns = [f"client__{field.name}" for field in Client._meta.concrete_fields]
    links = DiaryLink.objects.filter(token_hash=token_hash).order_by("pk")
    return links.values_list(*prepared.columns(DiaryLink), *client_columns)[:1]


#: Every diary save by personal link starts here (decision 0178).
_link_read = PreparedRead(_link_query, str)


def link_for_token(token: str) -> DiaryLink:
    """The usable link for a raw token, with its client: unknown, expired and revoked links, and
    links of a deleted client, are all a 404."""
    found = _link_read.rows(hash_token(token))
    if not found:
        raise Http404("no such diary link")
    width = len(DiaryLink._meta.concrete_fields)
    link = prepared.instance(DiaryLink, found[0][:width])
    link.client = prepared.instance(Client, found[0][width:])
    if not link.is_usable() or link.client.deleted_at is not None:
        raise Http404("no such diary link")
    return link
