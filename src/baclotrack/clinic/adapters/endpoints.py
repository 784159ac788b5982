"""Endpoints and the caseload: the core's frames, the endpoint windows and table, the caseload rows."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import polars as pl
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from baclotrack.clinic.adapters.common import HEAVY_DAY
from baclotrack.clinic.adapters.titration import _caseload_doses, current_dose_mg
from baclotrack.clinic.page_reads import live_diary
from baclotrack.core import alcohol
from baclotrack.core.endpoints import Window, compute_endpoints, study_day

if TYPE_CHECKING:
    from baclotrack.clinic.models import Client


def treatment_day(client: Client, today: dt.date) -> int:
    """Study day of ``today`` by the core's convention (day 1 = start, no day 0)."""
    frame = pl.DataFrame({"date": [today], "start": [client.treatment_start]})
    return int(frame.select(study_day("date", "start")).item())


def _frames(
    clients: Sequence[Client], start_override: dt.date | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The core's diary and patients frames for ``clients`` (live diary days only)."""
    from baclotrack.clinic.models import DiaryDay

    ids = [c.pk for c in clients]
    rows: Any
    if len(clients) == 1:  # one client's page: the same read as its other panels (page_reads.py)
        rows = [(ids[0], *row) for row in live_diary(clients[0], "date", "grams", "craving")]
    else:
        rows = DiaryDay.objects.filter(client_id__in=ids, deleted_at__isnull=True).values_list(
            "client_id", "date", "grams", "craving"
        )
    diary = pl.DataFrame(
        list(rows),
        schema={"patient_id": pl.Utf8, "date": pl.Date, "grams": pl.Float64, "craving": pl.Float64},
        orient="row",
    )
    patients = pl.DataFrame(
        {
            "patient_id": [str(c.pk) for c in clients],
            "sex": [c.sex for c in clients],
            "start_date": [start_override or c.treatment_start for c in clients],
            "country": [c.country for c in clients],
        },
        schema={"patient_id": pl.Utf8, "sex": pl.Utf8, "start_date": pl.Date, "country": pl.Utf8},
    )
    return diary.with_columns(pl.col("patient_id").cast(pl.Utf8)), patients


#: Column headings of the endpoints table (marked for translation, translated when shown).
ENDPOINT_LABELS = {
    "days_reported": gettext_noop("days reported"),
    "pda": gettext_noop("days abstinent, %"),
    "hdd": gettext_noop("heavy days"),
    "phdd": gettext_noop("heavy days, %"),
    "drinks_per_day": gettext_noop("drinks/day"),
    "drinks_per_drinking_day": gettext_noop("drinks/drinking day"),
    "grams_per_day": gettext_noop("g/day"),
    "who_level": gettext_noop("WHO level"),
}


def endpoint_windows(client: Client, today: dt.date) -> list[Window]:
    """Baseline (28 days before start) and each 4-week window of treatment begun by ``today``."""
    windows = [Window("baseline", -28, -1)]
    day = treatment_day(client, today)
    for block in range(max(1, math.ceil(day / 28)) if day > 0 else 0):
        first = block * 28 + 1
        windows.append(Window(f"week {block * 4 + 1}-{block * 4 + 4}", first, first + 27))
    return windows


def endpoints_table(client: Client, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    diary, patients = _frames([client])
    result = compute_endpoints(
        diary.select("patient_id", "date", "grams"), patients, endpoint_windows(client, today)
    )
    rows = []
    for record in result.iter_rows(named=True):
        values = []
        for key in ENDPOINT_LABELS:
            value = record[key]
            values.append(
                "–" if value is None else (f"{value:.1f}" if isinstance(value, float) else str(value))
            )
        rows.append({"window": record["window"], "values": values})
    note = _("Heavy day: %(source)s. Drinks are standard drinks of %(country)s (%(grams)s g).") % {
        "source": HEAVY_DAY.source,
        "country": client.country,
        "grams": f"{alcohol.standard_drink_grams(client.country):g}",
    }
    return {"columns": [(k, _(v)) for k, v in ENDPOINT_LABELS.items()], "rows": rows, "note": note}


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def caseload_rows(clients: Sequence[Client], today: dt.date) -> list[dict[str, Any]]:
    """One row per client. The recent columns come from one endpoint query over the whole caseload,
    with study day 1 set to 13 days ago so that days 8-14 are the last 7 days."""
    if not clients:
        return []
    from baclotrack.clinic.models import Alert, AlertStatus

    first = today - dt.timedelta(days=13)
    diary, patients = _frames(clients, start_override=first)
    # Doses and alert counts for the whole caseload at once (a query per client is an N+1).
    doses = _caseload_doses(clients, today)
    alerts = Alert.objects.filter(client_id__in=[c.pk for c in clients], status=AlertStatus.OPEN)
    open_alerts = Counter(alerts.values_list("client_id", flat=True))
    windows = [Window("last", 8, 14), Window("fortnight", 1, 14)]
    ends = compute_endpoints(diary.select("patient_id", "date", "grams"), patients, windows)
    by_key = {(r["patient_id"], r["window"]): r for r in ends.iter_rows(named=True)}
    rows = []
    for client in clients:
        pid = str(client.pk)
        recent, fortnight = by_key[(pid, "last")], by_key[(pid, "fortnight")]
        cravings = diary.filter(
            pl.col("patient_id") == pid, pl.col("date") >= first, pl.col("craving").is_not_null()
        )
        last = _mean(cravings.filter(pl.col("date") > today - dt.timedelta(days=7))["craving"].to_list())
        before = _mean(cravings.filter(pl.col("date") <= today - dt.timedelta(days=7))["craving"].to_list())
        dose = doses[client.pk]
        rows.append(
            {
                "client_id": client.pk,
                "code": client.code,
                "dose_mg": dose,
                "mg_per_kg": None if dose is None else dose / client.weight_kg,
                "treatment_day": treatment_day(client, today),
                "drinks_per_day": recent["drinks_per_day"],
                "heavy_days": recent["hdd"] if recent["days_reported"] else None,
                "craving": last,
                "craving_trend": _trend(last, before),
                "open_alerts": open_alerts[client.pk],
                "adherence": 100.0 * fortnight["days_reported"] / fortnight["days"],
            }
        )
    return rows


def _trend(last: float | None, before: float | None) -> str:
    if last is None or before is None:
        return ""
    return "↑" if last > before else "↓" if last < before else "→"


def client_summary(client: Client, today: dt.date) -> dict[str, Any]:
    dose = current_dose_mg(client, today)
    return {
        "treatment_day": treatment_day(client, today),
        "dose_mg": dose,
        "mg_per_kg": None if dose is None else dose / client.weight_kg,
    }
