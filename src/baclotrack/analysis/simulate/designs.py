"""Named designs: who is simulated, in which arms, for how long (the ``DESIGNS`` registry)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Final

from baclotrack.analysis.simulate.params import AdherenceModel, ModelParameters, PopulationModel


@dataclass(frozen=True, slots=True)
class Arm:
    """A treatment arm: a protocol id from core.titration (fixed-dose or titration), or placebo."""

    name: str
    n: int
    protocol: str | None
    placebo: bool = False


@dataclass(frozen=True, slots=True)
class Design:
    """A simulated study or practice.

    ``followup_days`` is the (shortest, longest) time on treatment, drawn uniformly per client;
    ``courses`` (clinic only) is the mix of course labels drawn first, each client's latent
    values then being drawn to produce that course.
    """

    name: str
    description: str
    source: str
    arms: tuple[Arm, ...]
    baseline_days: int
    followup_days: tuple[int, int]
    country: str
    first_start: dt.date
    recruitment_days: int
    id_prefix: str
    params: ModelParameters = field(default_factory=ModelParameters)
    courses: tuple[tuple[str, float], ...] = ()

    @property
    def n(self) -> int:
        return sum(arm.n for arm in self.arms)


ADDOLORATO_2011: Final = Design(
    name="addolorato-2011",
    description="Three-arm RCT: placebo, baclofen 10 or 20 mg tid; 14 per arm; 28-day baseline; 12 weeks",
    source="Addolorato G et al. Alcohol Alcohol 2011;46:312-317 (design only; outcomes are simulated)",
    arms=(
        Arm("placebo", 14, None, placebo=True),
        Arm("baclofen-30", 14, "addolorato-2011-10tid"),
        Arm("baclofen-60", 14, "addolorato-2011-20tid"),
    ),
    baseline_days=28,
    followup_days=(84, 84),
    # Italy's standard drink (10-12 g) is UNCERTAIN in FACTS.md; the WHO 10 g drink is used.
    country="WHO",
    first_start=dt.date(2008, 1, 7),
    recruitment_days=540,
    id_prefix="ADD",
    params=ModelParameters(adherence=AdherenceModel(dropout_fraction=0.15)),
)

BACLOVILLE: Final = Design(
    name="bacloville",
    description="Pragmatic RCT: individual titration up to 300 mg/day vs placebo, 160 per arm, one year",
    source="Rigal L et al. Addiction 2020;115:1265-1276 (design only; outcomes are simulated)",
    arms=(
        Arm("placebo", 160, None, placebo=True),
        # The French RTU schedule (15 mg, +10 mg every 2 days, up to 300 mg/day) stands in for
        # Bacloville's flexible titration, which was also capped at 300 mg/day.
        Arm("baclofen", 160, "rtu-2014"),
    ),
    baseline_days=28,
    followup_days=(365, 365),
    country="FR",
    first_start=dt.date(2012, 5, 7),
    recruitment_days=450,
    id_prefix="BCV",
    params=ModelParameters(
        population=PopulationModel(female_fraction=0.25), adherence=AdherenceModel(dropout_fraction=0.35)
    ),
)

CLINIC: Final = Design(
    name="clinic",
    description="An open cohort of 30 clients titrated by the RESAB guide, with varied courses",
    source="baclotrack demo cohort (synthetic; course mix chosen to show every kind of course)",
    arms=(Arm("baclofen", 30, "resab"),),
    baseline_days=28,  # the clinic's 28-day baseline calendar (services BASELINE_DAYS)
    followup_days=(90, 300),
    country="FR",
    first_start=dt.date(2026, 1, 5),
    recruitment_days=240,
    id_prefix="CLI",
    params=ModelParameters(population=PopulationModel(female_fraction=0.35)),
    courses=(
        ("responder-low-dose", 0.3),
        ("responder-high-dose", 0.2),
        ("non-responder", 0.2),
        ("side-effect-limited", 0.15),
        ("dropout", 0.15),
    ),
)

DESIGNS: Final[dict[str, Design]] = {d.name: d for d in (ADDOLORATO_2011, BACLOVILLE, CLINIC)}


def resized(design: Design, n: int) -> Design:
    """The design with ``n`` clients in all, shared between arms in proportion (each arm >= 1)."""
    total = design.n
    sizes = [max(1, round(arm.n * n / total)) for arm in design.arms]
    sizes[-1] = max(1, n - sum(sizes[:-1]))
    return replace(
        design, arms=tuple(replace(arm, n=size) for arm, size in zip(design.arms, sizes, strict=True))
    )
