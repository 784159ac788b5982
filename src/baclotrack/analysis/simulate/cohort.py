"""``simulate(design, seed=..., n=...)``: one design, one seed, one reproducible cohort."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from baclotrack.analysis.simulate.designs import DESIGNS, Design, resized
from baclotrack.analysis.simulate.diary import Timeline, simulate_diary, start_dates
from baclotrack.analysis.simulate.dosing import DoseCourse, fixed, plan_doses, titrate
from baclotrack.analysis.simulate.latent import (
    NEVER,
    FloatArray,
    Latent,
    draw_latent,
    impose_courses,
    label_courses,
)
from baclotrack.core.alcohol import standard_drink_grams
from baclotrack.core.diary import SIDE_EFFECTS
from baclotrack.core.errors import InputError
from baclotrack.core.titration.protocols import get_protocol

#: Largest cohort the simulator accepts: a typing error guard, far above any trial.
MAX_CLIENTS = 100_000


class SimulationError(InputError):
    """A design name, seed or size the simulator cannot use."""


@dataclass(frozen=True, slots=True)
class Simulation:
    """A simulated cohort: one row per client with the latent truth, and their daily diaries.

    ``patients``: patient_id, sex, birth_year, weight_kg, start_date, country, arm, dose_mg
    (the arm's fixed daily dose, 0 for placebo, null when titrated), protocol, ed50_mg,
    baseline_drinks_per_day, course, and further latent values (emax_fraction,
    placebo_response, indifference_dose_mg, intolerable_dose_mg, dropout_day, followup_days).

    ``diary``: patient_id, date, drinks (standard drinks of the client's country; null = not
    reported), grams, dose_mg (taken; null = not reported), craving and anxiety (0-10), and a
    severity 0-3 per side effect in core.diary.SIDE_EFFECTS. A missing day is a row of nulls.
    """

    design: str
    seed: int | None
    patients: pl.DataFrame
    diary: pl.DataFrame


def _check(design: str, seed: int, n: int | None) -> Design:
    if design not in DESIGNS:
        raise SimulationError(f"design: unknown design {design!r} (known: {', '.join(DESIGNS)})")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SimulationError(f"seed: must be a whole number >= 0, got {seed!r}")
    chosen = DESIGNS[design]
    if n is None:
        return chosen
    if isinstance(n, bool) or not isinstance(n, int) or not len(chosen.arms) <= n <= MAX_CLIENTS:
        raise SimulationError(
            f"n: must be a whole number from {len(chosen.arms)} (one per arm) to {MAX_CLIENTS}, got {n!r}"
        )
    return resized(chosen, n)


def simulate(design: str, *, seed: int, n: int | None = None) -> Simulation:
    """Simulate ``design`` (a key of DESIGNS) with ``seed``; ``n`` clients instead of the design's own.

    The same design, seed and n always give identical frames.
    """
    spec = _check(design, seed, n)
    rng = np.random.default_rng(seed)
    params = spec.params
    total = spec.n
    days = spec.followup_days[1]
    latent = draw_latent(rng, total, params, days)
    followup = rng.integers(spec.followup_days[0], spec.followup_days[1] + 1, total)
    offsets = rng.integers(0, spec.recruitment_days + 1, total)
    arm_of = np.repeat(np.arange(len(spec.arms)), [arm.n for arm in spec.arms])
    names = list(SIDE_EFFECTS)
    leading = max(params.side_effects.weights.get(s, params.side_effects.default_weight) for s in names)
    if spec.courses:
        impose_courses(rng, latent, _clinic_courses(rng, spec, total), params, leading)
    indifference = latent.indifference_dose_mg(params.response.indifference_craving)
    intolerable = latent.intolerable_dose_mg(leading, params.side_effects.intolerable_severity)
    course = _dose_course(spec, arm_of, latent, days, indifference, intolerable)
    if spec.courses:
        stopped = (course.reached | course.limited) & (latent.dropout_day == NEVER)
        followup = np.where(
            stopped,
            np.clip(course.stop_day + params.courses.days_followed_after_stop, followup, days),
            followup,
        )
    on_treatment = np.minimum(followup, latent.dropout_day)
    placebo_arm = np.array([spec.arms[a].placebo for a in arm_of])
    labels = label_courses(
        placebo_arm,
        latent.dropout_day < followup,
        course.reached & (course.stop_day < on_treatment),
        course.limited & (course.stop_day < on_treatment),
        course.dose_at_stop_mg,
    )
    ids = [f"{spec.id_prefix}-{i + 1:03d}" for i in range(total)]
    grams_per_drink = np.full(total, standard_drink_grams(spec.country))
    timeline = Timeline(start_dates(spec.first_start, offsets), spec.baseline_days, on_treatment)
    diary = simulate_diary(rng, ids, latent, course.taken_mg, timeline, grams_per_drink, names, params)
    patients = _patients_frame(
        spec, ids, arm_of, latent, timeline, labels, indifference, intolerable, followup
    )
    return Simulation(design=spec.name, seed=seed, patients=patients, diary=diary)


def _clinic_courses(rng: np.random.Generator, spec: Design, total: int) -> NDArray[np.str_]:
    """Course labels in the design's proportions (largest remainders), in random order."""
    shares = np.array([share for _, share in spec.courses])
    exact = shares / shares.sum() * total
    counts = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - counts), kind="stable")[: total - counts.sum()]:
        counts[i] += 1
    labels = np.repeat(np.array([name for name, _ in spec.courses]), counts)
    return rng.permutation(labels)


def _dose_course(
    spec: Design,
    arm_of: NDArray[np.int64],
    latent: Latent,
    days: int,
    indifference: FloatArray,
    intolerable: FloatArray,
) -> DoseCourse:
    """Each arm's doses (placebo 0, fixed, or titration), stitched back into client order."""
    n = arm_of.size
    taken = np.zeros((n, days))
    reached = np.zeros(n, dtype=bool)
    limited = np.zeros(n, dtype=bool)
    stop = np.full(n, days, dtype=np.int64)
    held = np.zeros(n)
    for index, arm in enumerate(spec.arms):
        rows = np.flatnonzero(arm_of == index)
        protocol = None if arm.placebo or arm.protocol is None else get_protocol(arm.protocol)
        if protocol is None or protocol.fixed_dose:
            dose = 0.0 if protocol is None else protocol.start_mg_per_day
            part = fixed(np.full(rows.size, dose), days, indifference[rows], intolerable[rows])
        else:
            plan = plan_doses(protocol.id, days, latent.weight_kg[rows])
            part = titrate(
                plan, indifference[rows], intolerable[rows], spec.params.side_effects.days_on_intolerable
            )
        taken[rows], reached[rows], limited[rows] = part.taken_mg, part.reached, part.limited
        stop[rows], held[rows] = part.stop_day, part.dose_at_stop_mg
    return DoseCourse(taken, reached, limited, stop, held)


def _patients_frame(
    spec: Design,
    ids: list[str],
    arm_of: NDArray[np.int64],
    latent: Latent,
    timeline: Timeline,
    labels: NDArray[np.str_],
    indifference: FloatArray,
    intolerable: FloatArray,
    followup: NDArray[np.int64],
) -> pl.DataFrame:
    arms = [spec.arms[a] for a in arm_of]
    protocols = [None if arm.placebo or arm.protocol is None else get_protocol(arm.protocol) for arm in arms]
    fixed_dose = [0.0 if p is None else (p.start_mg_per_day if p.fixed_dose else None) for p in protocols]
    starts = timeline.start_dates.astype("datetime64[D]").astype(dt.date)
    birth_year = [d.year - int(age) for d, age in zip(starts, latent.age_years, strict=True)]
    grams_per_drink = standard_drink_grams(spec.country)
    return pl.DataFrame(
        {
            "patient_id": ids,
            "sex": np.where(latent.female, "F", "M").tolist(),
            "birth_year": birth_year,
            "weight_kg": np.round(latent.weight_kg, 1),
            "start_date": list(starts),
            "country": [spec.country] * len(ids),
            "arm": [arm.name for arm in arms],
            "dose_mg": pl.Series(fixed_dose, dtype=pl.Float64),
            "protocol": pl.Series([None if p is None else p.id for p in protocols], dtype=pl.String),
            "ed50_mg": np.round(latent.ed50_mg, 2),
            "baseline_drinks_per_day": np.round(latent.baseline_grams / grams_per_drink, 2),
            "course": labels.tolist(),
            "emax_fraction": np.round(latent.emax, 4),
            "placebo_response": np.round(latent.placebo, 4),
            "indifference_dose_mg": pl.Series(np.round(indifference, 1)).replace(float("inf"), None),
            "intolerable_dose_mg": np.round(intolerable, 1),
            "dropout_day": pl.Series(np.where(latent.dropout_day < followup, latent.dropout_day, -1)).replace(
                -1, None
            ),
            "followup_days": followup,
        }
    )
