"""Analytics: the N-of-1 dose-response inputs and the caseload's practice outcomes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from baclotrack.clinic.adapters.common import HEAVY_DAY, _sex
from baclotrack.clinic.adapters.endpoints import _frames
from baclotrack.clinic.page_reads import live_diary
from baclotrack.core.practice import PracticeOutcomes
from baclotrack.core.practice import practice_outcomes as core_practice_outcomes

if TYPE_CHECKING:
    from baclotrack.clinic.models import Client


def dose_response_inputs(client: Client) -> tuple[pl.DataFrame, dict[str, Any]]:
    """The live diary (date, dose_mg taken, craving, grams) and the patient record that
    analysis.doseresponse.DoseResponse.fit takes. A day with no dose recorded has dose_mg null."""
    rows = [
        (date, float(sum(doses)) if doses else None, craving, grams)
        for date, doses, craving, grams in live_diary(client, "date", "doses_mg", "craving", "grams")
    ]
    schema = {"date": pl.Date, "dose_mg": pl.Float64, "craving": pl.Float64, "grams": pl.Float64}
    diary = pl.DataFrame(rows, schema=schema, orient="row")
    patient = {
        # The id is also the chart's title: a dollar sign would start matplotlib's mathtext.
        "patient_id": client.code.replace("$", r"\$"),
        "sex": _sex(client),
        "weight_kg": client.weight_kg,
        "country": client.country,
    }
    return diary, patient


def practice_outcomes(clients: Sequence[Client], today: dt.date) -> PracticeOutcomes:
    """The caseload's practice outcomes (core/practice.py) from one endpoint query over ``clients``."""
    diary, patients = _frames(clients)
    grams = diary.select("patient_id", "date", "grams")
    return core_practice_outcomes(grams, patients, today, heavy=HEAVY_DAY)
