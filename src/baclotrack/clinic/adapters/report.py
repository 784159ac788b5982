"""The prescriber's report data from the client's record and active plan."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl

from baclotrack.clinic.adapters.common import HEAVY_DAY, _sex
from baclotrack.clinic.adapters.titration import core_plan
from baclotrack.clinic.page_reads import live_diary
from baclotrack.core.diary import SIDE_EFFECTS
from baclotrack.reports.prescriber import ClientInfo, ReportData, build_report_data

if TYPE_CHECKING:
    from baclotrack.clinic.models import Client


def report_data(client: Client, today: dt.date) -> ReportData:
    """The prescriber's report (reports/prescriber.py) from the client's record and active plan."""
    info = ClientInfo(
        code=client.code,
        sex=_sex(client),
        start_date=client.treatment_start,
        country=client.country,
        weight_kg=client.weight_kg,
    )
    rows = [
        {
            "date": date,
            "grams": grams,
            "dose_mg": float(sum(doses)) if doses else None,
            "craving": craving,
            "anxiety": anxiety,
            **{name: side_effects.get(name, 0) for name in SIDE_EFFECTS},
        }
        for date, grams, doses, craving, anxiety, side_effects in live_diary(
            client, "date", "grams", "doses_mg", "craving", "anxiety", "side_effects"
        )
    ]
    schema = {
        "date": pl.Date,
        "grams": pl.Float64,
        "dose_mg": pl.Float64,
        "craving": pl.Int64,
        "anxiety": pl.Int64,
    }
    schema |= dict.fromkeys(SIDE_EFFECTS, pl.Int64)
    diary = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    return build_report_data(info, diary, core_plan(client), today=today, heavy=HEAVY_DAY)
