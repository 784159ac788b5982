"""Reading a client's live diary and active plan: one query per read, or one per page.

A dashboard draws the diary three times (the timeline, the endpoints table, the dose-response
fit) and checks the rules on it once more, and six of its panels ask for the active plan; with
two years of entries each diary read is 730 rows. Inside ``with one_read_per_page():`` the first
read of a client's diary fetches every column the pages use and the first read of its active plan
is kept; later reads of that client in the same block are served from those results. Outside a
block, each call is its own query. The services that change a diary or a plan call :func:`forget`
so that a block never serves rows older than a write made inside it (docs/decisions/0173).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from django.db.models import QuerySet

from baclotrack.clinic import prepared
from baclotrack.clinic.prepared import PreparedRead

if TYPE_CHECKING:
    from baclotrack.clinic.models import Client, TitrationPlan

#: The diary columns the pages read.
COLUMNS: Final = ("date", "grams", "craving", "anxiety", "doses_mg", "side_effects")

Row = tuple[Any, ...]


@dataclass
class _Reads:
    diaries: dict[int, list[Row]] = field(default_factory=dict)
    plans: dict[int, TitrationPlan | None] = field(default_factory=dict)


_reads: ContextVar[_Reads | None] = ContextVar("baclotrack_page_reads", default=None)


@contextmanager
def one_read_per_page() -> Iterator[None]:
    """Within the block, each client's live diary and active plan are read from the database once."""
    token = _reads.set(_Reads())
    try:
        yield
    finally:
        _reads.reset(token)


def forget(client: Client) -> None:
    """The client's diary or plan changed: the next read in an open block goes to the database."""
    reads = _reads.get()
    if reads is not None:
        reads.diaries.pop(client.pk, None)
        reads.plans.pop(client.pk, None)


#: The prepared read (decision 0178) of each set of diary columns asked for.
_diary_reads: dict[tuple[str, ...], PreparedRead] = {}


def _query(client: Client, fields: tuple[str, ...], since: dt.date | None) -> list[Row]:
    read = _diary_reads.get(fields)
    if read is None:
        read = _diary_reads[fields] = PreparedRead(partial(_diary_query, fields), int, dt.date)
    return read.rows(client.pk, since or dt.date.min)


def _diary_query(fields: tuple[str, ...], client_id: int, since: dt.date) -> QuerySet[Any]:
    from baclotrack.clinic.models import DiaryDay

    days = DiaryDay.objects.filter(client_id=client_id, deleted_at__isnull=True, date__gte=since)
    return days.order_by("date").values_list(*fields)


def live_diary(client: Client, *fields: str, since: dt.date | None = None) -> list[Row]:
    """``fields`` of the client's live diary days (from ``since`` if given), oldest first.

    No model instances: a two-year diary is 730 rows on every dashboard.
    """
    reads = _reads.get()
    if reads is None:
        return _query(client, fields, since)
    rows = reads.diaries.get(client.pk)
    if rows is None:
        rows = reads.diaries[client.pk] = _query(client, COLUMNS, None)
    index = [COLUMNS.index(name) for name in fields]
    return [tuple(row[i] for i in index) for row in rows if since is None or row[0] >= since]


def active_plan(client: Client) -> TitrationPlan | None:
    """The client's active, not deleted titration plan, or None."""
    reads = _reads.get()
    if reads is not None and client.pk in reads.plans:
        return reads.plans[client.pk]
    from baclotrack.clinic.models import TitrationPlan

    found = _active_plan_read.rows(client.pk)
    plan = prepared.instance(TitrationPlan, found[0]) if found else None
    if reads is not None:
        reads.plans[client.pk] = plan
    return plan


def _active_plan_query(client_id: int) -> QuerySet[Any]:
    from baclotrack.clinic.models import TitrationPlan

    plans = TitrationPlan.objects.filter(client_id=client_id, is_active=True, deleted_at__isnull=True)
    # The newest first (the model's ordering), the later one of two made in the same instant, as
    # the caseload's doses take it (adapters.titration._caseload_doses).
    return plans.order_by("-created_at", "-pk").values_list(*prepared.columns(TitrationPlan))[:1]


_active_plan_read = PreparedRead(_active_plan_query, int)
