"""Diary days: form values validated by the core, the core's DiaryDay records, the recent days
and the baseline calendar."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from baclotrack.clinic.adapters.common import HEAVY_DAY, _sex
from baclotrack.clinic.adapters.drinks import drink_grams
from baclotrack.clinic.adapters.titration import _active_plan_step
from baclotrack.clinic.core_text import core_text
from baclotrack.clinic.page_reads import live_diary
from baclotrack.core import alcohol
from baclotrack.core.diary import SIDE_EFFECTS
from baclotrack.core.diary import DiaryDay as CoreDiaryDay
from baclotrack.core.titration.taper import TAKEN_DOSE_LOOKBACK_DAYS

if TYPE_CHECKING:
    from baclotrack.clinic.models import Client
    from baclotrack.clinic.services.diary import DiaryEntry


def side_effect_choices() -> list[tuple[str, str]]:
    return [(key, core_text(label)) for key, label in SIDE_EFFECTS.items()]


def validated_side_effects(side_effects: dict[str, int]) -> dict[str, int]:
    day = CoreDiaryDay(date=timezone.localdate(), side_effects=side_effects)  # only the scale is checked
    return {k: v for k, v in day.side_effects.items() if v}


def validated_diary_values(client: Client, date: dt.date, entry: DiaryEntry) -> dict[str, Any]:
    """Model field values for a diary day, validated by the core's DiaryDay."""
    grams = sum(drink_grams(d) for d in entry.drinks)
    doses = [float(d) for d in entry.doses_mg]
    core_day = CoreDiaryDay(
        date=date,
        grams=grams,
        craving=entry.craving,
        anxiety=entry.anxiety,
        dose_taken_mg=sum(doses) if doses else None,
        side_effects=entry.side_effects,
    )
    return {
        "drinks": list(entry.drinks),
        "grams": core_day.grams,
        "craving": core_day.craving,
        "anxiety": core_day.anxiety,
        "doses_mg": doses,
        "side_effects": {k: v for k, v in core_day.side_effects.items() if v},
        "note": entry.note,
    }


def core_diary_days(client: Client, since: dt.date | None = None) -> list[CoreDiaryDay]:
    """The client's live diary (from ``since`` if given) as the core's DiaryDay records, oldest first."""
    return [
        CoreDiaryDay(
            date=date,
            grams=grams,
            craving=craving,
            anxiety=anxiety,
            dose_taken_mg=sum(doses) if doses else None,
            side_effects=side_effects,
        )
        for date, grams, craving, anxiety, doses, side_effects in live_diary(
            client, "date", "grams", "craving", "anxiety", "doses_mg", "side_effects", since=since
        )
    ]


def last_dose_taken(client: Client, today: dt.date) -> tuple[dt.date, float] | None:
    """The latest (date, mg/day) the client reported taking in the last TAKEN_DOSE_LOOKBACK_DAYS
    days up to ``today``, or None: what a taper must start from (decision 0184)."""
    since = today - dt.timedelta(days=TAKEN_DOSE_LOOKBACK_DAYS)
    reported = [(d, sum(doses)) for d, doses in live_diary(client, "date", "doses_mg", since=since) if doses]
    return max((r for r in reported if r[0] <= today), default=None)


def diary_day_defaults(client: Client, date: dt.date) -> dict[str, Any]:
    """A new day's form starts with the plan's intakes for that date (the client corrects them)."""
    step = _active_plan_step(client, date)
    initial: dict[str, Any] = {}
    if step is not None:
        for i, mg in enumerate(step.intakes_mg):
            initial[f"dose_{i}"] = mg
    return initial


def baseline_drinks(client: Client) -> dict[str, float]:
    """Initial values of the baseline calendar form from stored baseline days."""
    first = client.treatment_start - dt.timedelta(days=28)
    days = client.diary_days.filter(date__gte=first, date__lt=client.treatment_start, deleted_at__isnull=True)
    size = alcohol.standard_drink_grams(client.country)
    return {f"day_{(d.date - first).days}": round(d.grams / size, 2) for d in days}


def _severity_text(side_effects: dict[str, int]) -> str:
    names = dict(SIDE_EFFECTS)
    return ", ".join(f"{core_text(names.get(k, k))} {v}/3" for k, v in sorted(side_effects.items()) if v)


def recent_diary(client: Client, today: dt.date, days: int = 14) -> list[dict[str, Any]]:
    """The last ``days`` calendar days, newest first, filled in or not."""
    first = today - dt.timedelta(days=days - 1)
    stored = {
        d.date: d for d in client.diary_days.filter(date__gte=first, date__lte=today, deleted_at__isnull=True)
    }
    size = alcohol.standard_drink_grams(client.country)
    rows = []
    for offset in range(days):
        date = today - dt.timedelta(days=offset)
        day = stored.get(date)
        if day is None:
            rows.append({"date": date, "recorded": False, "day_id": None})
            continue
        rows.append(
            {
                "date": date,
                "recorded": True,
                "day_id": day.pk,
                "grams": day.grams,
                "drinks": day.grams / size,
                "heavy": HEAVY_DAY.is_heavy(day.grams, _sex(client)),
                "craving": day.craving,
                "anxiety": day.anxiety,
                "dose_mg": sum(day.doses_mg),
                "side_effects": _severity_text(day.side_effects),
                "version": day.version,
            }
        )
    return rows
