"""The latent truth of synthetic clients: who they are and how they respond to baclofen.

Everything here is a draw per client (one array element each). The daily diary is made
from these in :mod:`baclotrack.analysis.simulate.engine`; course labels (responder at low
or high dose, non-responder, side-effect-limited, dropout) follow from them and from the
dose course, or, for the clinic design, are chosen first and the latent values drawn to fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from baclotrack.analysis.simulate.params import LOW_DOSE_LIMIT_MG, ModelParameters
from baclotrack.core.guidelines import WHO_LEVEL_UPPER_BOUNDS_G

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Course labels, in the order the clinic design lists them.
COURSES: Final = (
    "responder-low-dose",
    "responder-high-dose",
    "non-responder",
    "side-effect-limited",
    "dropout",
    "placebo",
)

#: Days a client never drops out (beyond any follow-up).
NEVER: Final = 10**6


@dataclass(slots=True)
class Latent:
    """Per-client latent values (arrays of length n); mutable only while a design is drawn."""

    female: NDArray[np.bool_]
    age_years: FloatArray
    weight_kg: FloatArray
    baseline_grams: FloatArray
    drinking_day_share: FloatArray
    craving_e0: FloatArray
    anxiety_e0: FloatArray
    ed50_mg: FloatArray
    emax: FloatArray
    placebo: FloatArray
    sensitivity: FloatArray
    missing_share: FloatArray
    dropout_day: IntArray

    def remaining_share(self, dose_mg: FloatArray, placebo_ramp: FloatArray | float = 1.0) -> FloatArray:
        """Fraction of baseline craving (and drinking) left on ``dose_mg``: (1 - placebo)(1 - Emax effect)."""
        effect = self.emax[:, None] * dose_mg / (self.ed50_mg[:, None] + dose_mg)
        return (1.0 - self.placebo[:, None] * placebo_ramp) * (1.0 - effect)

    def indifference_dose_mg(self, threshold: float) -> FloatArray:
        """Smallest daily dose whose expected craving (placebo response at plateau) is <= threshold.

        Solves E0 (1 - p)(1 - emax D / (ED50 + D)) = threshold for D; 0 when placebo alone gets
        there, +inf when even an infinite dose does not.
        """
        needed = 1.0 - threshold / (self.craving_e0 * (1.0 - self.placebo))
        with np.errstate(divide="ignore", invalid="ignore"):
            dose = self.ed50_mg * needed / (self.emax - needed)
        dose = np.where(self.emax > needed, dose, np.inf)
        return np.where(needed <= 0, 0.0, dose)

    def intolerable_dose_mg(self, leading_weight: float, intolerable_severity: float) -> FloatArray:
        """Daily dose at which the leading side effect's expected severity reaches intolerable."""
        return intolerable_severity * 100.0 / (self.sensitivity * leading_weight)


def draw_latent(rng: np.random.Generator, n: int, params: ModelParameters, dropout_horizon: int) -> Latent:
    """Independent draws for ``n`` clients; dropout is exponential over ``dropout_horizon`` days."""
    pop, drink, resp, side, adh = (
        params.population,
        params.drinking,
        params.response,
        params.side_effects,
        params.adherence,
    )
    female = rng.random(n) < pop.female_fraction
    age = np.maximum(rng.normal(pop.age_mean_years, pop.age_sd_years, n), pop.age_min_years)
    weight_mean = np.where(female, pop.weight_mean_kg_women, pop.weight_mean_kg_men)
    weight = np.maximum(rng.normal(weight_mean, pop.weight_sd_kg), pop.weight_min_kg)
    median = np.where(female, drink.baseline_grams_median_women, drink.baseline_grams_median_men)
    grams = median * np.exp(rng.normal(0.0, drink.baseline_grams_sigma, n))
    # Treatment seekers drink above the WHO medium-risk band (the Baclocur indication: >60 g/day
    # men, >40 g/day women; FACTS.md), so baseline means start at that bound.
    floor = np.where(female, WHO_LEVEL_UPPER_BOUNDS_G["F"][1], WHO_LEVEL_UPPER_BOUNDS_G["M"][1])
    grams = np.clip(grams, floor * 1.05, drink.baseline_grams_max)
    share = rng.beta(drink.drinking_day_beta_a, drink.drinking_day_beta_b, n)
    craving = np.clip(
        rng.normal(resp.craving_baseline_mean, resp.craving_baseline_sd, n), resp.craving_min, 10
    )
    anxiety = np.clip(rng.normal(resp.anxiety_baseline_mean, resp.anxiety_baseline_sd, n), 0, 10)
    ed50 = resp.ed50_median_mg * np.exp(rng.normal(0.0, resp.ed50_sigma, n))
    emax = rng.beta(resp.emax_beta_a, resp.emax_beta_b, n)
    placebo = np.clip(rng.normal(resp.placebo_mean, resp.placebo_sd, n), 0, resp.placebo_max)
    sensitivity = side.sensitivity_median_per_100mg * np.exp(rng.normal(0.0, side.sensitivity_sigma, n))
    mean, conc = adh.missing_day_mean, adh.missing_day_concentration
    missing = rng.beta(mean * conc, (1 - mean) * conc, n)
    dropout = _dropout_days(rng, n, adh.dropout_fraction, dropout_horizon)
    return Latent(
        female,
        age,
        weight,
        grams,
        share,
        craving,
        anxiety,
        ed50,
        emax,
        placebo,
        sensitivity,
        missing,
        dropout,
    )


def _dropout_days(rng: np.random.Generator, n: int, fraction: float, horizon: int) -> IntArray:
    """Exponential time to dropout with ``fraction`` gone by ``horizon``; NEVER if fraction is 0."""
    if fraction <= 0:
        return np.full(n, NEVER, dtype=np.int64)
    rate = -np.log1p(-min(fraction, 0.999)) / max(horizon, 1)
    days = np.floor(rng.exponential(1.0 / rate, n)).astype(np.int64)
    return np.minimum(days, NEVER)


def impose_courses(
    rng: np.random.Generator,
    latent: Latent,
    courses: NDArray[np.str_],
    params: ModelParameters,
    leading_weight: float,
) -> None:
    """Redraw the latent values of each client so that the chosen course happens (clinic design).

    Indifference doses are drawn on a log-uniform scale inside each course's band and ED50 is
    solved from them; side-effect sensitivity is set so that the intolerable dose falls above
    (responders) or below (side-effect-limited) the indifference dose (params.CourseModel).
    """
    resp, side, plan = params.response, params.side_effects, params.courses
    n = courses.size
    latent.placebo[:] = np.minimum(latent.placebo, plan.placebo_max)
    latent.craving_e0[:] = np.maximum(latent.craving_e0, plan.craving_min)
    needed = 1.0 - resp.indifference_craving / (latent.craving_e0 * (1.0 - latent.placebo))
    bands = {
        "responder-low-dose": plan.low_dose_band_mg,
        "responder-high-dose": plan.high_dose_band_mg,
        "side-effect-limited": plan.side_effect_limited_band_mg,
    }
    target = np.full(n, np.inf)
    for course, (lo, hi) in bands.items():
        hit = courses == course
        target[hit] = np.exp(rng.uniform(np.log(lo), np.log(hi), int(hit.sum())))
    responding = np.isfinite(target)
    # Full responders: Emax between the share needed for indifference and 1.
    position = rng.uniform(*plan.responder_emax_position, n)
    latent.emax[responding] = (needed + (1 - needed) * position)[responding]
    latent.ed50_mg[responding] = target[responding] * (latent.emax - needed)[responding] / needed[responding]
    non = courses == "non-responder"
    latent.emax[non] = needed[non] * rng.uniform(*plan.non_responder_emax_share, int(non.sum()))
    tolerable = np.where(
        responding, plan.responder_tolerance_factor * target, plan.non_responder_tolerable_mg
    )
    cap = side.intolerable_severity * 100.0 / (leading_weight * tolerable)
    latent.sensitivity[:] = np.minimum(latent.sensitivity, cap)
    limited = courses == "side-effect-limited"
    upper = plan.intolerable_max_share * target[limited]
    intolerable = np.exp(rng.uniform(np.log(plan.intolerable_min_mg), np.log(upper)))
    latent.sensitivity[limited] = side.intolerable_severity * 100.0 / (leading_weight * intolerable)
    dropped = courses == "dropout"
    first, last = plan.dropout_day_range
    latent.dropout_day[:] = np.where(dropped, rng.integers(first, last + 1, n), NEVER)


def label_courses(
    placebo_arm: NDArray[np.bool_],
    dropped_out: NDArray[np.bool_],
    reached: NDArray[np.bool_],
    limited: NDArray[np.bool_],
    dose_at_stop_mg: FloatArray,
) -> NDArray[np.str_]:
    """One course label per client from what happened, most specific first."""
    label = np.where(reached, "responder-high-dose", "non-responder").astype(object)
    label[reached & (dose_at_stop_mg <= LOW_DOSE_LIMIT_MG)] = "responder-low-dose"
    label[limited & ~reached] = "side-effect-limited"
    label[placebo_arm] = "placebo"
    label[dropped_out] = "dropout"
    return label.astype(str)
