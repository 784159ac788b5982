"""Daily diaries from latent truth and doses: drinks, craving, anxiety, side effects, gaps.

All clients and days are one (n, days) array per quantity; nothing loops over clients. The
only loop is over days for the AR(1) "bad days" process, which is vectorised over clients.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from baclotrack.analysis.simulate.latent import FloatArray, IntArray, Latent
from baclotrack.analysis.simulate.params import ModelParameters

#: Weekday numbers (Monday 0) of Friday and Saturday, the days of the weekend factor.
_WEEKEND = (4, 5)
#: 1970-01-01 was a Thursday (weekday 3); numpy day counts start there.
_EPOCH_WEEKDAY = 3


@dataclass(frozen=True, slots=True)
class Timeline:
    """Where each client's diary sits in time.

    Column k of every (n, days) array is study day k - baseline_days relative to the start
    of treatment (0 = start date). A client's diary ends at follow-up or dropout.
    """

    start_dates: NDArray[np.datetime64]
    baseline_days: int
    treatment_days: IntArray  # per client: days on treatment in the diary (follow-up or dropout)

    @property
    def total_days(self) -> int:
        return self.baseline_days + int(self.treatment_days.max(initial=0))


def _bad_days(rng: np.random.Generator, n: int, days: int, rho: float) -> FloatArray:
    """Stationary AR(1) with unit variance per client: runs of better and worse days."""
    shocks = rng.standard_normal((n, days))
    out = np.empty((n, days))
    out[:, 0] = shocks[:, 0]
    scale = np.sqrt(1.0 - rho**2)
    for k in range(1, days):
        out[:, k] = rho * out[:, k - 1] + scale * shocks[:, k]
    return out


def simulate_diary(
    rng: np.random.Generator,
    patient_ids: Sequence[str],
    latent: Latent,
    taken_mg: FloatArray,
    timeline: Timeline,
    drink_grams: FloatArray,
    side_effect_names: Sequence[str],
    params: ModelParameters,
) -> pl.DataFrame:
    """The diary rows of every client (see :func:`baclotrack.analysis.simulate.simulate`)."""
    n, days = len(patient_ids), timeline.total_days
    b = timeline.baseline_days
    rel = np.arange(days)[None, :] - b
    dose = np.zeros((n, days))
    width = min(taken_mg.shape[1], days - b)
    dose[:, b : b + width] = taken_mg[:, :width]
    onset = params.response.placebo_onset_days
    ramp = np.where(rel >= 0, 1.0 - np.exp(-(rel + 1) / onset), 0.0)
    remaining = latent.remaining_share(dose, ramp)
    mood = _bad_days(rng, n, days, params.drinking.day_to_day_rho)
    dates = timeline.start_dates[:, None] + rel.astype("timedelta64[D]")
    craving = _craving(rng, latent, remaining, mood, params)
    anxiety = _anxiety(rng, latent, dose, ramp, params)
    drinks = _drinks(rng, latent, remaining, mood, dates, drink_grams, params)
    effects = _side_effects(rng, latent, dose, side_effect_names, params)
    missing = rng.random((n, days)) < latent.missing_share[:, None]
    in_diary = rel < timeline.treatment_days[:, None]
    keep = in_diary.ravel()
    blank = missing.ravel()[keep]

    def column(values: FloatArray, dtype: type[pl.DataType]) -> pl.Series:
        kept = values.ravel()[keep]
        return pl.Series(kept, dtype=pl.Float64).scatter(np.flatnonzero(blank), None).cast(dtype)

    drinks_kept = column(drinks, pl.Float64)
    frame = pl.DataFrame(
        {
            "patient_id": np.repeat(np.asarray(patient_ids, dtype=object), days)[keep].astype(str),
            "date": dates.ravel()[keep].astype("datetime64[D]"),
        }
    ).with_columns(
        drinks=drinks_kept,
        grams=drinks_kept * pl.Series(np.repeat(drink_grams, days)[keep]),
        dose_mg=column(dose, pl.Float64),
        craving=column(craving, pl.Int64),
        anxiety=column(anxiety, pl.Int64),
        **{name: column(effects[name], pl.Int64) for name in side_effect_names},
    )
    return frame.with_columns(pl.col("date").cast(pl.Date))


def _craving(
    rng: np.random.Generator, latent: Latent, remaining: FloatArray, mood: FloatArray, params: ModelParameters
) -> FloatArray:
    """Craving 0-10: the Emax expectation plus a shared bad-day term, in whole points."""
    sd = params.response.craving_noise_sd
    value = latent.craving_e0[:, None] * remaining + sd * (
        0.7 * mood + 0.71 * rng.standard_normal(mood.shape)
    )
    return np.clip(np.rint(value), 0, 10)


def _anxiety(
    rng: np.random.Generator, latent: Latent, dose: FloatArray, ramp: FloatArray, params: ModelParameters
) -> FloatArray:
    """Anxiety 0-10: placebo response plus a share of the drug's effect, in whole points."""
    resp = params.response
    effect = latent.emax[:, None] * dose / (latent.ed50_mg[:, None] + dose)
    expected = (
        latent.anxiety_e0[:, None]
        * (1 - latent.placebo[:, None] * ramp)
        * (1 - resp.anxiety_effect_share * effect)
    )
    return np.clip(np.rint(expected + resp.anxiety_noise_sd * rng.standard_normal(dose.shape)), 0, 10)


def _drinks(
    rng: np.random.Generator,
    latent: Latent,
    remaining: FloatArray,
    mood: FloatArray,
    dates: NDArray[np.datetime64],
    drink_grams: FloatArray,
    params: ModelParameters,
) -> FloatArray:
    """Standard drinks per day: a drinking-day hurdle, then a gamma amount with weekly and binge structure."""
    drink = params.drinking
    remaining = np.maximum(remaining, 1e-6)
    p_drink = np.clip(latent.drinking_day_share[:, None] * remaining**drink.frequency_share, 0, 1)
    mean_on_drinking_day = latent.baseline_grams[:, None] * remaining / np.maximum(p_drink, 1e-9)
    weekday = (dates.astype("datetime64[D]").astype(np.int64) + _EPOCH_WEEKDAY) % 7
    weekend = np.isin(weekday, _WEEKEND)
    average = (7 - len(_WEEKEND) + len(_WEEKEND) * drink.weekend_factor) / 7
    factor = np.where(weekend, drink.weekend_factor, 1.0) / average
    shape = 1.0 / drink.amount_cv**2
    sd = drink.day_to_day_sd
    spread = np.exp(sd * mood - sd**2 / 2)  # mean-one log-normal: bad days drink more
    binge = np.where(rng.random(remaining.shape) < drink.binge_probability, drink.binge_factor, 1.0)
    grams = np.minimum(
        rng.gamma(shape, mean_on_drinking_day * factor * spread / shape) * binge, drink.day_grams_max
    )
    drinking = rng.random(remaining.shape) < p_drink
    step = drink.drink_resolution
    drinks = np.rint(grams / drink_grams[:, None] / step) * step
    # A drinking day holds at least the smallest amount a diary can record.
    return np.where(drinking, np.maximum(drinks, step), 0.0)


def _side_effects(
    rng: np.random.Generator,
    latent: Latent,
    dose: FloatArray,
    names: Sequence[str],
    params: ModelParameters,
) -> dict[str, FloatArray]:
    """Severity 0-3 per side effect: sensitivity x weight x dose/100 plus noise, rounded down."""
    side = params.side_effects
    out: dict[str, FloatArray] = {}
    for name in names:
        weight = side.weights.get(name, side.default_weight)
        expected = latent.sensitivity[:, None] * weight * dose / 100.0
        # Rounding down keeps drug-free days mostly at 0 (a symptom needs noise above 1).
        noisy = expected + side.noise_sd * rng.standard_normal(dose.shape)
        out[name] = np.clip(np.floor(noisy), 0, 3)
    return out


def start_dates(first: dt.date, offsets: IntArray) -> NDArray[np.datetime64]:
    """Start dates ``offsets`` days after ``first``."""
    return np.datetime64(first, "D") + offsets.astype("timedelta64[D]")
