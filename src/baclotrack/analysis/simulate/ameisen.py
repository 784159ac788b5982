"""Olivier Ameisen's own course (Alcohol Alcohol 2005;40:147-150) as a deterministic diary.

Reported (FACTS.md, core/titration/protocols.py AMEISEN_2005): 30 mg/day, +20 mg every third
day; craving suppressed at 270 mg/day (3.6 mg/kg) after about five weeks; somnolence at the
high dose; maintenance at 120 mg/day, on which the somnolence resolved.

Reconstructed by baclotrack (the report gives no diary): the calendar dates, the 28-day
baseline and its drinking pattern, daily craving and anxiety values, the two weeks held at
270 mg/day, the step-down of 30 mg every third day to 120 mg/day, follow-up to day 120, and
the severities of somnolence and fatigue. Craving follows an Emax curve (E0 9, Emax 9, ED50
100 mg/day, rounded to whole points) chosen so that 270 mg/day is the first step with
craving at 2 or below; once suppressed it stays suppressed, as the report's title says.
docs/methods/simulation.md lists the same split.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import numpy as np
import polars as pl

from baclotrack.analysis.simulate.cohort import Simulation
from baclotrack.core.alcohol import standard_drink_grams
from baclotrack.core.diary import SIDE_EFFECTS
from baclotrack.core.titration.plan import generate_plan
from baclotrack.core.titration.protocols import AMEISEN_2005

PATIENT_ID: Final = "AMEISEN-2005"
#: Reported: 270 mg/day was 3.6 mg/kg, so 75 kg.
WEIGHT_KG: Final = 75.0
SUPPRESSION_MG: Final = 270.0
MAINTENANCE_MG: Final = 120.0
# Reconstructed values (see module docstring).
START: Final = dt.date(2004, 1, 5)
BASELINE_DAYS: Final = 28
FOLLOWUP_DAYS: Final = 120
DAYS_HELD_AT_SUPPRESSION: Final = 14
STEP_DOWN_MG: Final = 30.0
STEP_DOWN_EVERY_DAYS: Final = 3
CRAVING_E0: Final = 9.0
CRAVING_ED50_MG: Final = 100.0
#: Drinks per day over a week at baseline (French 10 g drinks): heavy, with one dry day.
BASELINE_WEEK_DRINKS: Final = (8.0, 10.0, 0.0, 12.0, 9.0, 15.0, 14.0)
COUNTRY: Final = "FR"


def _doses() -> list[float]:
    """Daily doses on treatment days 1..FOLLOWUP_DAYS."""
    plan = generate_plan(AMEISEN_2005, START, days=FOLLOWUP_DAYS, weight_kg=WEIGHT_KG)
    escalation = [step.mg_per_day for step in plan.steps]
    first_at_top = escalation.index(SUPPRESSION_MG)
    doses = escalation[:first_at_top] + [SUPPRESSION_MG] * DAYS_HELD_AT_SUPPRESSION
    dose = SUPPRESSION_MG
    while dose > MAINTENANCE_MG:
        dose = max(dose - STEP_DOWN_MG, MAINTENANCE_MG)
        doses.extend([dose] * (STEP_DOWN_EVERY_DAYS if dose > MAINTENANCE_MG else 0))
    return doses + [MAINTENANCE_MG] * (FOLLOWUP_DAYS - len(doses))


def _craving(doses: list[float]) -> list[int]:
    suppressed = False
    out = []
    for dose in doses:
        value = round(CRAVING_E0 * CRAVING_ED50_MG / (CRAVING_ED50_MG + dose))
        suppressed = suppressed or dose >= SUPPRESSION_MG
        out.append(min(value, 2 if dose >= SUPPRESSION_MG else 1) if suppressed else value)
    return out


def _somnolence(dose: float) -> int:
    return 2 if dose >= 250 else 1 if dose >= 150 else 0


def ameisen_2005_case() -> Simulation:
    """The single-client Simulation of Ameisen's 2005 self-case (patient_id "AMEISEN-2005")."""
    doses = [0.0] * BASELINE_DAYS + _doses()
    craving = [int(CRAVING_E0)] * BASELINE_DAYS + _craving(doses[BASELINE_DAYS:])
    week = BASELINE_WEEK_DRINKS
    drinks = [
        0.0 if c <= 2 else float(np.round(week[i % 7] * c / CRAVING_E0 * 2) / 2)
        for i, c in enumerate(craving)
    ]
    effects = {name: [0] * len(doses) for name in SIDE_EFFECTS}
    effects["somnolence"] = [_somnolence(d) for d in doses]
    effects["fatigue"] = [max(s - 1, 0) for s in effects["somnolence"]]
    grams_per_drink = standard_drink_grams(COUNTRY)
    diary = pl.DataFrame(
        {
            "patient_id": [PATIENT_ID] * len(doses),
            "date": [START + dt.timedelta(days=k - BASELINE_DAYS) for k in range(len(doses))],
            "drinks": drinks,
            "grams": [d * grams_per_drink for d in drinks],
            "dose_mg": doses,
            "craving": craving,
            "anxiety": [round(2 + 5 * c / CRAVING_E0) for c in craving],
            **effects,
        },
        schema_overrides={"craving": pl.Int64, "anxiety": pl.Int64, **dict.fromkeys(SIDE_EFFECTS, pl.Int64)},
    )
    patients = pl.DataFrame(
        {
            "patient_id": [PATIENT_ID],
            "sex": ["M"],
            "birth_year": [1953],
            "weight_kg": [WEIGHT_KG],
            "start_date": [START],
            "country": [COUNTRY],
            "arm": ["case"],
            "dose_mg": pl.Series([None], dtype=pl.Float64),
            "protocol": [AMEISEN_2005.id],
            "ed50_mg": [CRAVING_ED50_MG],
            "baseline_drinks_per_day": [round(sum(week) / len(week), 2)],
            "course": ["responder-high-dose"],
            "emax_fraction": [1.0],
            "placebo_response": [0.0],
            "indifference_dose_mg": [SUPPRESSION_MG],
            "intolerable_dose_mg": [250.0],
            "dropout_day": pl.Series([None], dtype=pl.Int64),
            "followup_days": [FOLLOWUP_DAYS],
        }
    )
    return Simulation(design="ameisen-2005", seed=None, patients=patients, diary=diary)
