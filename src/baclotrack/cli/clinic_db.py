"""What the commands that work on the clinic's database share: Django set-up, and finding a
clinician by username and a client by code, with errors a person can act on.

The command line runs on the server as its operator; with ``--clinician`` a command is scoped
to that clinician's caseload exactly as the web app scopes a request (access.clients_for).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from baclotrack.core.errors import InputError

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import QuerySet

    from baclotrack.clinic.models import Client


class ClinicLookupError(InputError):
    """A username or client code that names no one, or more than one."""


def setup_django() -> None:
    """Configure Django once (the settings module from the environment, the default otherwise)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baclotrack.web.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    _require_migrated()


def _require_migrated() -> None:
    """Refuse, with what to do, a clinic database that has not been set up (no tables yet)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        where = connection.settings_dict.get("NAME")
        raise InputError(
            f"database: the clinic database ({where}) is not set up: "
            f"{len(pending)} migration(s) not applied; run `baclotrack manage migrate` "
            "(or `make demo` for the demo database) first"
        )


def clinician(username: str) -> User:
    """The active clinician called ``username``; anyone else is refused by name."""
    from django.contrib.auth.models import User

    from baclotrack.clinic.access import clinician_or_none

    user = User.objects.filter(username=username).first()
    if user is None:
        raise ClinicLookupError(f"--clinician: no user called {username!r}")
    found = clinician_or_none(user)
    if found is None:
        raise ClinicLookupError(f"--clinician: {username!r} is not an active clinician")
    return found


def live_clients(username: str | None) -> QuerySet[Client]:
    """The clinician's caseload, or every live client when no clinician is named."""
    from baclotrack.clinic.access import clients_for
    from baclotrack.clinic.models import Client

    if username is None:
        return Client.objects.filter(deleted_at__isnull=True)
    return clients_for(clinician(username))


def client_by_code(code: str, username: str | None = None) -> Client:
    """The live client with ``code`` (exactly, else the one matching without regard to case)."""
    clients = live_clients(username)
    where = f" in the caseload of {username!r}" if username else ""
    exact = clients.filter(code=code).first()
    if exact is not None:
        return exact
    loose = list(clients.filter(code__iexact=code.strip()).order_by("code"))
    if len(loose) == 1:
        return loose[0]
    if loose:
        names = ", ".join(c.code for c in loose)
        raise ClinicLookupError(f"client code {code!r} is ambiguous{where}: it matches {names}")
    raise ClinicLookupError(f"client code {code!r}: no such client{where}")
