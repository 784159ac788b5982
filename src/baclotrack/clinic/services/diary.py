"""Diary days: save (first entry or correction, keeping every earlier version), soft-delete,
and the 28-day baseline calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from baclotrack.clinic import adapters, page_reads, prepared
from baclotrack.clinic.audit import Actor, record, snapshot
from baclotrack.clinic.errors import ClinicInputError
from baclotrack.clinic.models import Client, DiaryDay, DiaryDayVersion, DiarySource
from baclotrack.clinic.prepared import PreparedRead

DIARY_FIELDS = ["date", "drinks", "grams", "craving", "anxiety", "doses_mg", "side_effects", "note", "source"]

#: Length of the baseline drinking calendar, days (the 28 days before treatment, as in
#: Addolorato 2011 and the EMA guideline's baseline period).
BASELINE_DAYS = 28


@dataclass(frozen=True)
class DiaryEntry:
    """What a person reports for one day, before it is stored.

    ``keep_drinks``: the drinks already recorded for the day stay as they are (``drinks`` must be
    empty). The diary form sends it for a day it cannot show as drink rows, such as a day of the
    baseline calendar recorded in grams, so that correcting its craving does not change its alcohol.
    """

    drinks: list[dict[str, Any]] = field(default_factory=list)
    keep_drinks: bool = False
    craving: int | None = None
    anxiety: int | None = None
    doses_mg: list[float] = field(default_factory=list)
    side_effects: dict[str, int] = field(default_factory=dict)
    note: str = ""


def _day_query(client_id: int, date: dt.date) -> QuerySet[Any]:
    days = DiaryDay.objects.select_for_update().filter(client_id=client_id, date=date).order_by("pk")
    return days.values_list(*prepared.columns(DiaryDay))[:1]


#: The stored day, locked until the save's transaction ends (a prepared read, decision 0178).
_day_for_update = PreparedRead(_day_query, int, dt.date)


def save_diary_day(
    actor: Actor,
    client: Client,
    date: dt.date,
    entry: DiaryEntry,
    *,
    source: str = DiarySource.CLIENT,
    today: dt.date | None = None,
) -> DiaryDay:
    """Record a day, or correct it: the previous state is frozen as a DiaryDayVersion."""
    today = today or timezone.localdate()
    if date > today:
        raise ClinicInputError(
            "date",
            _("%(date)s is in the future; a diary day can only be recorded after it")
            % {"date": date.isoformat()},
        )
    if entry.keep_drinks and entry.drinks:
        raise ClinicInputError("drinks", _("enter drinks or keep the recorded ones, not both"))
    values = None if entry.keep_drinks else adapters.validated_diary_values(client, date, entry)
    page_reads.forget(client)
    with transaction.atomic():
        found = _day_for_update.rows(client.pk, date)
        day = prepared.instance(DiaryDay, found[0]) if found else None
        if values is None:  # the drinks recorded now, read under the write lock
            if day is None or day.deleted_at is not None or not day.drinks:
                message = _("no drinks are recorded for this day: enter the drinks, or answer 'No alcohol'")
                raise ClinicInputError("drank", message)
            entry = replace(entry, drinks=list(day.drinks), keep_drinks=False)
            values = adapters.validated_diary_values(client, date, entry)
        if day is None:
            day = DiaryDay.objects.create(
                client=client, date=date, source=source, updated_by=actor.user, **values
            )
            record(actor, "diary.create", day, client=client, new=snapshot(day, DIARY_FIELDS))
            return day
        old = snapshot(day, DIARY_FIELDS)
        DiaryDayVersion.objects.create(
            diary_day=day,
            version=day.version,
            snapshot=old,
            recorded_by=day.updated_by,
            recorded_at=day.updated_at,
        )
        for name, value in values.items():
            setattr(day, name, value)
        day.source = source
        day.version += 1
        day.updated_by = actor.user
        # A corrected day that had been deleted comes back: the correction is the new truth.
        day.deleted_at, day.deleted_by, day.deleted_reason = None, None, ""
        day.save()
        record(actor, "diary.correct", day, client=client, old=old, new=snapshot(day, DIARY_FIELDS))
    return day


def soft_delete_diary_day(actor: Actor, day: DiaryDay, reason: str) -> DiaryDay:
    if not reason.strip():
        raise ClinicInputError("reason", _("say why this diary day is deleted"))
    page_reads.forget(day.client)
    with transaction.atomic():
        day = DiaryDay.objects.select_for_update().get(pk=day.pk)
        if day.deleted_at is not None:
            raise ClinicInputError(
                "diary day", _("%(date)s is already deleted") % {"date": day.date.isoformat()}
            )
        day.deleted_at = timezone.now()
        day.deleted_by = actor.user
        day.deleted_reason = reason.strip()
        day.save(update_fields=["deleted_at", "deleted_by", "deleted_reason"])
        record(actor, "diary.delete", day, client=day.client, new={"reason": day.deleted_reason})
    return day


def record_baseline_calendar(actor: Actor, client: Client, grams_by_day: list[float]) -> list[DiaryDay]:
    """The 28 days before treatment start, as grams per day (timeline follow-back), oldest first."""
    if len(grams_by_day) != BASELINE_DAYS:
        raise ClinicInputError(
            "calendar",
            _("expected %(expected)s days, got %(got)s")
            % {"expected": BASELINE_DAYS, "got": len(grams_by_day)},
        )
    first = client.treatment_start - dt.timedelta(days=BASELINE_DAYS)
    days = []
    with transaction.atomic():
        for offset, grams in enumerate(grams_by_day):
            if grams < 0:
                raise ClinicInputError(f"calendar day {offset + 1}", _("grams must not be negative"))
            entry = DiaryEntry(drinks=[{"beverage": "grams", "grams": float(grams)}])
            date = first + dt.timedelta(days=offset)
            days.append(save_diary_day(actor, client, date, entry, source=DiarySource.BASELINE, today=date))
    return days


def import_diary_days(
    actor: Actor, client: Client, days: list[tuple[dt.date, DiaryEntry]], *, source: str = DiarySource.IMPORT
) -> int:
    """Add many diary days at once (an import or the demo cohort); refuses dates already recorded.

    Each day is validated like a typed one; the audit trail gets one event naming the count
    and the date range, since the source file is the record of what was imported.
    """
    if not days:
        return 0
    dates = [date for date, _entry in days]
    if len(set(dates)) != len(dates):
        raise ClinicInputError("date", _("the same date appears twice in the import"))
    rows = [
        DiaryDay(
            client=client,
            date=date,
            source=source,
            updated_by=actor.user,
            **adapters.validated_diary_values(client, date, entry),
        )
        for date, entry in days
    ]
    page_reads.forget(client)
    with transaction.atomic():
        clash = DiaryDay.objects.filter(client=client, date__in=dates).order_by("date").first()
        if clash is not None:
            raise ClinicInputError(
                "date",
                _("%(date)s is already recorded; correct it instead") % {"date": clash.date.isoformat()},
            )
        DiaryDay.objects.bulk_create(rows, batch_size=500)
        record(
            actor,
            "diary.import",
            client,
            client=client,
            new={"days": len(rows), "first": min(dates), "last": max(dates), "source": source},
        )
    return len(rows)
