"""Bulk drinking diaries for benchmarks: ``simulate_drinking_matrix(n_patients, n_days, seed)``.

:func:`~baclotrack.analysis.simulate.simulate` makes whole clients (doses, craving, side
effects, a titration course). A benchmark of the endpoint code needs only drinking, but for
100,000 clients x 365 days. This generator draws the same clients' drinking from the same
model (:class:`~baclotrack.analysis.simulate.params.DrinkingModel` and the population and
adherence models: the drinking-day hurdle, gamma amounts, weekend factor, binges, AR(1) bad
days, half-drink rounding, the daily cap and each client's share of unreported days), with no
treatment: every day is drunk at the client's baseline level. It works on blocks of clients so
that memory stays a few hundred MB above the output itself.

The one addition is ``absent_share``: of the days a client did not report, this share has no
row at all (a diary app writes nothing) and the rest a blank row, so that code reading a diary
meets both kinds of gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import fields, replace

import numpy as np
import polars as pl

from baclotrack.analysis.simulate.cohort import MAX_CLIENTS, SimulationError
from baclotrack.analysis.simulate.diary import _bad_days, _drinks
from baclotrack.analysis.simulate.latent import Latent, draw_latent
from baclotrack.analysis.simulate.params import ModelParameters
from baclotrack.core.alcohol import standard_drink_grams
from baclotrack.core.guidelines import STANDARD_DRINK_GRAMS

#: Longest diary the bulk generator makes: ten years, a guard against typing errors.
MAX_DAYS = 3653
#: Clients drawn at once: about 10 arrays of BLOCK x days floats live at the same time.
BLOCK = 5_000


def _check(n_patients: int, n_days: int, seed: int, baseline_days: int, absent_share: float) -> None:
    for name, value, low, high in (
        ("n_patients", n_patients, 1, MAX_CLIENTS),
        ("n_days", n_days, 1, MAX_DAYS),
        ("seed", seed, 0, None),
        ("baseline_days", baseline_days, 0, n_days),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (high and value > high):
            limit = f"from {low} to {high}" if high is not None else f">= {low}"
            raise SimulationError(f"{name}: must be a whole number {limit}, got {value!r}")
    if not 0.0 <= absent_share <= 1.0:
        raise SimulationError(f"absent_share: must be between 0 and 1, got {absent_share!r}")


def _block(latent: Latent, rows: slice) -> Latent:
    """The latent values of clients ``rows`` (every field is an array with one element per client)."""
    return replace(latent, **{f.name: getattr(latent, f.name)[rows] for f in fields(latent)})


def simulate_drinking_matrix(
    n_patients: int,
    n_days: int,
    seed: int,
    *,
    baseline_days: int = 28,
    countries: Sequence[str] | None = None,
    first_start: dt.date = dt.date(2024, 1, 1),
    recruitment_days: int = 365,
    absent_share: float = 0.4,
    params: ModelParameters | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(patients, diary)`` of untreated drinking, ``n_days`` per client, reproducible from ``seed``.

    patients: patient_id, sex, start_date (day 1 of the diary's follow-up; start dates spread
    over ``recruitment_days`` from ``first_start``), country (drawn evenly from ``countries``,
    default every country of core.guidelines.STANDARD_DRINK_GRAMS), baseline_grams_per_day.
    diary: patient_id, date, drinks (standard drinks of the client's country, half drinks; null
    = blank day), grams; ``baseline_days`` days before the start date, then the rest, sorted by
    patient and date. Unreported days follow AdherenceModel; ``absent_share`` of them have no row.
    """
    _check(n_patients, n_days, seed, baseline_days, absent_share)
    params = params or ModelParameters()
    names = list(countries) if countries is not None else [c.value for c in STANDARD_DRINK_GRAMS]
    grams_of = np.array([standard_drink_grams(c) for c in names])  # validates each country
    rng = np.random.default_rng(seed)
    latent = draw_latent(rng, n_patients, params, n_days)
    country = rng.integers(0, len(names), n_patients)
    starts = np.datetime64(first_start, "D") + rng.integers(0, recruitment_days + 1, n_patients).astype(
        "timedelta64[D]"
    )
    ids = pl.Series("patient_id", [f"P{i:06d}" for i in range(n_patients)])
    offsets = (np.arange(n_days) - baseline_days).astype("timedelta64[D]")
    blocks = []
    for first in range(0, n_patients, BLOCK):
        rows = slice(first, min(first + BLOCK, n_patients))
        part = _block(latent, rows)
        size = part.baseline_grams.size
        dates = starts[rows, None] + offsets[None, :]
        mood = _bad_days(rng, size, n_days, params.drinking.day_to_day_rho)
        drinks = _drinks(rng, part, np.ones((size, n_days)), mood, dates, grams_of[country[rows]], params)
        unreported = rng.random((size, n_days)) < part.missing_share[:, None]
        absent = unreported & (rng.random((size, n_days)) < absent_share)
        keep = ~absent.ravel()
        who = np.repeat(np.arange(first, rows.stop), n_days)[keep]
        values = np.where(unreported, np.nan, drinks).ravel()[keep]
        blocks.append(
            pl.DataFrame(
                {
                    "patient_id": ids.gather(who),
                    "date": dates.ravel()[keep],
                    "drinks": pl.Series(values, nan_to_null=True),
                    "grams": pl.Series(values * grams_of[country[who]], nan_to_null=True),
                }
            )
        )
    patients = pl.DataFrame(
        {
            "patient_id": ids,
            "sex": np.where(latent.female, "F", "M"),
            "start_date": starts,
            "country": np.array(names)[country],
            "baseline_grams_per_day": np.round(latent.baseline_grams, 1),
        }
    )
    diary = pl.concat(blocks).with_columns(pl.col("date").cast(pl.Date))
    return patients.with_columns(pl.col("start_date").cast(pl.Date)), diary
