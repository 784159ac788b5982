"""Parameters of the simulator, each a named field with its source or rationale.

Every number the simulator draws from lives here, in a frozen dataclass, so a design can
change one (``dataclasses.replace``) without touching the engine. docs/methods/simulation.md
gives each parameter's source or, where no source gives the number, why the value is
plausible. None of these is a clinical rule: they describe synthetic people, not patients.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

#: A daily dose at or below this is "low dose" in a course label: the maximum of the
#: Baclocur label and of French practice since the ANSM decision of 24 July 2017 (FACTS.md).
LOW_DOSE_LIMIT_MG: Final = 80.0


@dataclass(frozen=True, slots=True)
class PopulationModel:
    """Who the synthetic clients are (demographics only)."""

    #: Share of women. Treatment-seeking AUD samples are about a quarter to a third women
    #: (Bacloville: 25 %, Rigal et al. 2020); designs override it.
    female_fraction: float = 0.3
    #: Age at the start of treatment, normal. Baclofen trials report means of 45-50 years.
    age_mean_years: float = 47.0
    age_sd_years: float = 10.0
    age_min_years: float = 18.0
    #: Body weight, normal by sex; European adult means (rationale: plausible, feeds mg/kg only).
    weight_mean_kg_men: float = 80.0
    weight_mean_kg_women: float = 66.0
    weight_sd_kg: float = 12.0
    weight_min_kg: float = 40.0


@dataclass(frozen=True, slots=True)
class DrinkingModel:
    """Daily drinking before treatment: a two-part (hurdle) process with weekly and binge structure.

    Two-part models are the modern description of daily drinking (DeSantis et al. 2013, Drug
    Alcohol Depend 132:244): whether a day is a drinking day, then how much on drinking days.
    """

    #: Mean grams of ethanol per day at baseline, log-normal, by sex. Medians put most clients
    #: in the WHO high and very-high risk levels, as in treatment-seeking trials.
    baseline_grams_median_men: float = 100.0
    baseline_grams_median_women: float = 70.0
    baseline_grams_sigma: float = 0.45
    #: Upper limit of a client's baseline mean: 250 g a day, a little over a 70 cl bottle of 40 %
    #: spirits (221 g). The log-normal tail would otherwise make rare clients implausible.
    baseline_grams_max: float = 250.0
    #: No simulated day exceeds this (two 70 cl bottles of spirits, 442 g): heavier days are not
    #: survivable for most people and would be typing errors in a real diary (core.diary caps at 1000 g).
    day_grams_max: float = 440.0
    #: Share of baseline days that are drinking days: Beta(a, b), mean 0.85.
    drinking_day_beta_a: float = 8.5
    drinking_day_beta_b: float = 1.5
    #: Coefficient of variation of the amount on a drinking day (gamma distributed).
    amount_cv: float = 0.45
    #: Friday and Saturday amounts are this many times a weekday's (weekly mean preserved).
    weekend_factor: float = 1.3
    #: Chance that a drinking day is a binge, and how many times the usual amount it is.
    binge_probability: float = 0.04
    binge_factor: float = 2.0
    #: Day-to-day persistence of a client's "bad days": AR(1) coefficient and the standard
    #: deviation (log scale) of its effect on the amount drunk.
    day_to_day_rho: float = 0.6
    day_to_day_sd: float = 0.25
    #: Share of a reduction in drinking that comes from fewer drinking days (on the log scale);
    #: the rest is less drunk on drinking days.
    frequency_share: float = 0.5
    #: Diaries are kept in standard drinks; amounts are rounded to this many drinks.
    drink_resolution: float = 0.5


@dataclass(frozen=True, slots=True)
class ResponseModel:
    """Craving, anxiety and drinking as Emax functions of the daily dose, plus placebo response.

    Expected craving on dose D is ``E0 x (1 - placebo) x (1 - emax x D / (ED50 + D))``: an Emax
    curve (Holford and Sheiner 1981) whose E0 already includes the placebo response. Drinking
    falls by the same fraction of its baseline mean.
    """

    #: Baseline craving (0-10), normal, clipped to [craving_min, 10].
    craving_baseline_mean: float = 7.0
    craving_baseline_sd: float = 1.2
    craving_min: float = 3.0
    #: Day-to-day noise of reported craving (0-10 points), an AR(1) shared with drinking.
    craving_noise_sd: float = 1.0
    #: Baseline anxiety (0-10) and its noise; baclofen lowers it by this share of its craving effect.
    anxiety_baseline_mean: float = 5.5
    anxiety_baseline_sd: float = 1.8
    anxiety_noise_sd: float = 1.2
    anxiety_effect_share: float = 0.5
    #: ED50 (mg/day), log-normal: median and log-scale SD. With the Emax and placebo draws
    #: below, calibrated (seed 1) so that fixed 30 and 60 mg/day cut mean drinks per day by
    #: about 57 % and 63 % from baseline (Addolorato et al. 2011 reported 53 % and 68 %) and
    #: titration to indifference up to 300 mg/day averages about 175 mg/day (bacloville design).
    ed50_median_mg: float = 25.0
    ed50_sigma: float = 0.9
    #: Largest fractional reduction of craving (0-1), Beta(a, b), mean 0.87: most clients can
    #: respond almost fully, some only partly (the non-responders of the calibration above).
    emax_beta_a: float = 8.0
    emax_beta_b: float = 1.2
    #: Placebo (and psychosocial care) response: fractional reduction, normal clipped to
    #: [0, placebo_max], reached with this time constant after the start of treatment.
    placebo_mean: float = 0.2
    placebo_sd: float = 0.1
    placebo_max: float = 0.6
    placebo_onset_days: float = 14.0
    #: Expected craving at or below which a simulated client is indifferent to alcohol, and
    #: the titration stops. Set below the diary threshold of core.titration.indifference
    #: (craving <= 2) so that a client truly at indifference rates craving <= 2 on most days
    #: despite the day-to-day noise (about 93 % with noise SD 1), as "craving disappears" implies.
    indifference_craving: float = 1.0


#: Relative weight of each side effect in the dose-severity relation: somnolence and fatigue
#: lead, as in Ameisen's report and the French cohort data (FACTS.md adverse effects); names
#: not listed use ``default_weight``.
SIDE_EFFECT_WEIGHTS: Final[dict[str, float]] = {
    "somnolence": 1.0,
    "fatigue": 0.8,
    "dizziness": 0.6,
    "weakness": 0.5,
    "insomnia": 0.4,
    "nausea": 0.3,
    "headache": 0.3,
    "confusion": 0.25,
    "paraesthesia": 0.2,
    "tinnitus": 0.15,
    "mood": 0.15,
}


@dataclass(frozen=True, slots=True)
class SideEffectModel:
    """Side-effect severities (0-3) rising with dose; intolerable ones stop a titration."""

    #: Expected severity of the leading side effect per 100 mg/day, log-normal across clients.
    sensitivity_median_per_100mg: float = 0.5
    sensitivity_sigma: float = 0.6
    weights: dict[str, float] = field(default_factory=lambda: dict(SIDE_EFFECT_WEIGHTS))
    default_weight: float = 0.2
    #: Day-to-day noise of a reported severity, before rounding to 0-3.
    noise_sd: float = 0.45
    #: Expected severity at which a titrated client steps back to the last tolerated dose
    #: (2 = moderate; RESAB: step back on persistent side effects, FACTS.md).
    intolerable_severity: float = 2.0
    #: Days an intolerable dose is taken before the step back: long enough to be felt and
    #: reported, as "persistent" side effects in the RESAB guide imply (rationale, no source).
    days_on_intolerable: int = 4


@dataclass(frozen=True, slots=True)
class AdherenceModel:
    """Leaving treatment and days not written in the diary."""

    #: Share of clients who drop out before the end of follow-up (exponential time to dropout).
    dropout_fraction: float = 0.2
    #: Share of diary days not reported, Beta distributed across clients with this mean and
    #: concentration (a + b); a missing day has no values at all.
    missing_day_mean: float = 0.08
    missing_day_concentration: float = 10.0


@dataclass(frozen=True, slots=True)
class CourseModel:
    """How the clinic design makes a chosen course happen (docs/methods/simulation.md).

    The bands are chosen to put each course clearly on its side of the 80 mg/day line and of
    the protocol's 300 mg/day ceiling, so that the label derived afterwards matches the one chosen.
    """

    #: Indifference dose (mg/day), log-uniform, for low- and high-dose responders and for the
    #: side-effect-limited (who would need a high dose).
    low_dose_band_mg: tuple[float, float] = (20.0, 70.0)
    high_dose_band_mg: tuple[float, float] = (100.0, 250.0)
    side_effect_limited_band_mg: tuple[float, float] = (120.0, 280.0)
    #: Responders' Emax lies this far (as a share) from the minimum needed for indifference to 1.
    responder_emax_position: tuple[float, float] = (0.5, 1.0)
    #: Non-responders' Emax as a share of the minimum needed for indifference.
    non_responder_emax_share: tuple[float, float] = (0.1, 0.7)
    #: Responders tolerate at least this multiple of their indifference dose; non-responders
    #: tolerate this dose (above every protocol ceiling).
    responder_tolerance_factor: float = 1.5
    non_responder_tolerable_mg: float = 450.0
    #: Side-effect-limited clients' intolerable dose: log-uniform from this minimum to this
    #: share of their indifference dose.
    intolerable_min_mg: float = 40.0
    intolerable_max_share: float = 0.8
    #: Dropouts leave on a day drawn uniformly from this range (inclusive).
    dropout_day_range: tuple[int, int] = (10, 60)
    #: Caps on placebo response and floor on baseline craving, so that indifference needs the drug.
    placebo_max: float = 0.3
    craving_min: float = 5.0
    #: Clients who stop escalating are followed at least this long afterwards (six weeks), so
    #: their course shows in the diary.
    days_followed_after_stop: int = 42


@dataclass(frozen=True, slots=True)
class ModelParameters:
    """All parameters of one simulation."""

    population: PopulationModel = field(default_factory=PopulationModel)
    drinking: DrinkingModel = field(default_factory=DrinkingModel)
    response: ResponseModel = field(default_factory=ResponseModel)
    side_effects: SideEffectModel = field(default_factory=SideEffectModel)
    adherence: AdherenceModel = field(default_factory=AdherenceModel)
    courses: CourseModel = field(default_factory=CourseModel)
