"""The one generator of synthetic data in baclotrack: clients, cohorts and trials.

The web app's demo cohort, the benchmarks and the validation all use :func:`simulate`, or
for drinking alone at benchmark scale :func:`simulate_drinking_matrix` (same drinking model);
nothing else in baclotrack makes up data. See docs/methods/simulation.md for the model and
the source or rationale of every parameter.

    >>> sim = simulate("clinic", seed=1)
    >>> sim.patients.height, sim.diary.columns[:4]
    (30, ['patient_id', 'date', 'drinks', 'grams'])
"""

from __future__ import annotations

from baclotrack.analysis.simulate.ameisen import ameisen_2005_case
from baclotrack.analysis.simulate.bulk import simulate_drinking_matrix
from baclotrack.analysis.simulate.cohort import Simulation, SimulationError, simulate
from baclotrack.analysis.simulate.designs import DESIGNS, Arm, Design
from baclotrack.analysis.simulate.latent import COURSES
from baclotrack.analysis.simulate.params import (
    AdherenceModel,
    CourseModel,
    DrinkingModel,
    ModelParameters,
    PopulationModel,
    ResponseModel,
    SideEffectModel,
)

__all__ = [
    "COURSES",
    "DESIGNS",
    "AdherenceModel",
    "Arm",
    "CourseModel",
    "Design",
    "DrinkingModel",
    "ModelParameters",
    "PopulationModel",
    "ResponseModel",
    "SideEffectModel",
    "Simulation",
    "SimulationError",
    "ameisen_2005_case",
    "simulate",
    "simulate_drinking_matrix",
]
