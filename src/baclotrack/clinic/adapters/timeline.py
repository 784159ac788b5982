"""The timeline chart's frame: the diary and the plan, day by day."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final

import polars as pl
from django.utils import timezone

from baclotrack.clinic.adapters.common import HEAVY_DAY, _sex
from baclotrack.clinic.adapters.titration import _active_plan
from baclotrack.clinic.page_reads import live_diary
from baclotrack.core import alcohol

if TYPE_CHECKING:
    from baclotrack.clinic.models import Client


#: Days of the plan drawn ahead of the diary on the timeline chart.
CHART_DAYS_AHEAD = 14


def timeline_frame(client: Client) -> pl.DataFrame:
    """Columns the chart draws: date, drinks, heavy, dose_mg (taken), planned_mg, craving, anxiety,
    side_effect_max. Heavy days by the core's definition."""
    size = alcohol.standard_drink_grams(client.country)
    sex = _sex(client)
    fields = ("date", "grams", "doses_mg", "craving", "anxiety", "side_effects")
    by_date = {row[0]: row for row in live_diary(client, *fields)}
    plan = _active_plan(client)
    # The plan is drawn up to two weeks past the last diary day (or today): the chart is about
    # what happened, with a glimpse of what comes next, not months of empty future.
    horizon = max([*by_date, timezone.localdate()]) + dt.timedelta(days=CHART_DAYS_AHEAD)
    steps = plan.steps.filter(date__lte=horizon).values_list("date", "total_mg") if plan is not None else []
    planned = dict(steps)
    # Built column by column: polars makes a frame from lists far faster than from a dict per row.
    columns: dict[str, list[Any]] = {name: [] for name in TIMELINE_SCHEMA}
    for date in sorted(by_date.keys() | planned.keys()):
        day = by_date.get(date)
        columns["date"].append(date)
        columns["planned_mg"].append(planned.get(date))
        if day is None:
            for name in ("drinks", "heavy", "dose_mg", "craving", "anxiety", "side_effect_max"):
                columns[name].append(None)
            continue
        _date, grams, doses, craving, anxiety, side_effects = day
        columns["drinks"].append(grams / size)
        columns["heavy"].append(HEAVY_DAY.is_heavy(grams, sex))
        columns["dose_mg"].append(float(sum(doses)) if doses else None)
        columns["craving"].append(craving)
        columns["anxiety"].append(anxiety)
        columns["side_effect_max"].append(max(side_effects.values(), default=0))
    return pl.DataFrame(columns, schema=TIMELINE_SCHEMA)


#: The timeline frame's columns and types (reports/charts.py TIMELINE_COLUMNS).
TIMELINE_SCHEMA: Final = {
    "date": pl.Date,
    "drinks": pl.Float64,
    "heavy": pl.Boolean,
    "dose_mg": pl.Float64,
    "planned_mg": pl.Float64,
    "craving": pl.Float64,
    "anxiety": pl.Float64,
    "side_effect_max": pl.Int64,
}
