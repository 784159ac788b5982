"""Titration protocols as data, each with its source.

A protocol says how a baclofen dose is started and raised: a start dose held for some days,
then a fixed step every few days, possibly with longer plateaus at named doses, up to the
protocol's ceiling (or an end-of-schedule dose, after which increases are a clinical
decision). Caps that do not belong to a protocol (regulatory caps, renal reduction, a
prescriber's own limit) live in :mod:`baclotrack.core.titration.caps`.

Where a source gives a range, the default chosen and why is in each protocol's ``note`` and
in docs/methods/titration.md; docs/decisions/0032-protocol-defaults.md records the choices.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from baclotrack.core.errors import InputError
from baclotrack.core.i18n import N_, Message


class ProtocolError(InputError):
    """An unknown protocol id or a protocol definition that cannot work."""


@dataclass(frozen=True, slots=True)
class Plateau:
    """A dose held longer than the usual interval before the next step."""

    mg_per_day: float
    days: int


@dataclass(frozen=True, slots=True)
class ScheduledDose:
    """One dose level of a protocol's schedule, before caps and tablets.

    ``reason`` says why the level is what it is, as a translatable message (decision 0170).
    """

    mg_per_day: float
    first_day: int
    hold_days: int | None  # None: held until the end (the schedule's last level)
    reason: Message


@dataclass(frozen=True, slots=True)
class Protocol:
    """A baclofen titration protocol.

    ``start_days``: days the start dose is held; ``step_mg`` every ``interval_days`` after that
    (``first_step_mg``, when given, replaces the first step: RESAB goes from 15 to 30 mg/day).
    ``schedule_end_mg``: the last scheduled dose when a label stops its schedule below its
    ceiling (spasticity label: 60 mg/day, further increases to 80 only on clinical judgment);
    None means the steps continue up to the ceiling. ``ceiling_mg_per_kg``: a weight-based
    ceiling applied when the client's weight is known.
    """

    id: str
    name: str
    source: str
    start_mg_per_day: float
    start_days: int
    step_mg: float
    interval_days: int
    ceiling_mg_per_day: float
    intakes_per_day: int
    plateaus: tuple[Plateau, ...] = ()
    schedule_end_mg: float | None = None
    ceiling_mg_per_kg: float | None = None
    fixed_dose: bool = False
    first_step_mg: float | None = None
    note: str = ""

    def __post_init__(self) -> None:
        where = f"protocol {self.id!r}"
        if self.start_mg_per_day <= 0 or self.ceiling_mg_per_day < self.start_mg_per_day:
            raise ProtocolError(f"{where}: start dose must be positive and not above the ceiling")
        if self.start_days < 1 or self.interval_days < 1 or self.intakes_per_day < 1:
            raise ProtocolError(f"{where}: start_days, interval_days and intakes_per_day must be at least 1")
        if self.first_step_mg is not None and self.first_step_mg <= 0:
            raise ProtocolError(f"{where}: first_step_mg must be positive")
        if self.step_mg < 0 or (self.step_mg == 0) != self.fixed_dose:
            raise ProtocolError(f"{where}: a step of 0 mg is allowed only for a fixed-dose protocol")
        if any(p.days < 1 for p in self.plateaus):
            raise ProtocolError(f"{where}: plateaus must last at least 1 day")

    @property
    def final_mg_per_day(self) -> float:
        """The dose the schedule ends at (before any other cap)."""
        end = self.schedule_end_mg if self.schedule_end_mg is not None else self.ceiling_mg_per_day
        return min(end, self.ceiling_mg_per_day)

    def hold_days_at(self, mg_per_day: float) -> int:
        """How long a dose is held before the next step (plateaus hold longer)."""
        for plateau in self.plateaus:
            if abs(plateau.mg_per_day - mg_per_day) < 1e-9:
                return plateau.days
        return self.interval_days

    def schedule(self) -> Iterator[ScheduledDose]:
        """The dose levels in order; the last one is held indefinitely.

        Steps that would pass the final dose stop at it, so the final level may be a partial
        step (Ameisen: 290 + 20 would be 310, the schedule stops at the 300 mg/day ceiling).
        """
        dose = self.start_mg_per_day
        day = 1
        hold = self.start_days
        reason = Message(N_("held {days} days"), {"days": hold})
        step = self.first_step_mg if self.first_step_mg is not None else self.step_mg
        while dose < self.final_mg_per_day and not self.fixed_dose:
            yield ScheduledDose(dose, day, hold, reason)
            day += hold
            nxt = min(dose + step, self.final_mg_per_day)
            step = self.step_mg
            hold = self.hold_days_at(nxt)
            reason = (
                Message(N_("step every {days} days"), {"days": self.interval_days})
                if hold == self.interval_days
                else Message(
                    N_("step every {days} days, then a {plateau}-day plateau"),
                    {"days": self.interval_days, "plateau": hold},
                )
            )
            dose = nxt
        if self.fixed_dose:
            reason = Message(
                N_(
                    "fixed trial dose from day 1; the trial's lead-in schedule is not verified "
                    "and not invented"
                )
            )
        elif day > 1:
            reason = Message(N_("{reason}; end of schedule"), {"reason": reason})
        yield ScheduledDose(dose, day, None, reason)

    def scheduled_dose(self, day: int) -> ScheduledDose:
        """The schedule level in force on plan ``day`` (1-based)."""
        if day < 1:
            raise ProtocolError(f"day: must be at least 1, got {day}")
        current: ScheduledDose | None = None
        for level in self.schedule():
            if level.first_day > day:
                break
            current = level
        assert current is not None  # the schedule always starts on day 1
        return current

    def day_final_dose_reached(self) -> int:
        """First day of the schedule's final dose."""
        return list(self.schedule())[-1].first_day


AMEISEN_2005: Final = Protocol(
    id="ameisen-2005",
    name=N_("Ameisen 2005 high-dose self-case"),
    source=(
        "Ameisen O. Complete and prolonged suppression of symptoms and consequences of alcohol-dependence "
        "using high-dose baclofen: a self-case report of a physician. Alcohol Alcohol 2005;40:147-150"
    ),
    start_mg_per_day=30.0,
    start_days=3,
    step_mg=20.0,
    interval_days=3,
    ceiling_mg_per_day=300.0,
    intakes_per_day=3,
    ceiling_mg_per_kg=4.0,
    note=N_(
        "30 mg/day on days 1-3, +20 mg every third day (days 4, 7, 10, ...); craving suppressed at "
        "270 mg/day (3.6 mg/kg) after about 5 weeks (day 37); ceiling 300 mg/day, which was 4 mg/kg for "
        "the author, so 4 mg/kg is also applied as a ceiling when the weight is known. The optional extra "
        "20-40 mg for craving is not scheduled. Three intakes a day is baclotrack's default."
    ),
)

SPASTICITY_LABEL: Final = Protocol(
    id="spasticity-label",
    name=N_("US baclofen spasticity label"),
    source="FDA baclofen tablets label, Dosage and Administration (5 mg tid x3 days, then 10, 15, 20 mg tid)",
    start_mg_per_day=15.0,
    start_days=3,
    step_mg=15.0,
    interval_days=3,
    ceiling_mg_per_day=80.0,
    intakes_per_day=3,
    schedule_end_mg=60.0,
    note=N_(
        "5 mg tid for 3 days, then 10, 15 and 20 mg tid for 3 days each; the schedule ends at 60 mg/day. "
        "Further increases may be needed but the total daily dose should not exceed 80 mg."
    ),
)

BACLOCUR_LABEL: Final = Protocol(
    id="baclocur-label",
    name=N_("Baclocur label, France 2018"),
    source="Baclocur SmPC section 4.2 (ANSM, authorised 22 October 2018): 15-20 mg/day in 2-4 intakes "
    "for 3 days, then +10 mg every 3-4 days, max 80 mg/day",
    start_mg_per_day=15.0,
    start_days=3,
    step_mg=10.0,
    interval_days=4,
    ceiling_mg_per_day=80.0,
    intakes_per_day=3,
    note=N_(
        "Defaults chosen at the cautious end of each labelled range: 15 mg/day in 3 intakes for 3 days, "
        "then +10 mg every 4 days, up to 80 mg/day."
    ),
)

RESAB: Final = Protocol(
    id="resab",
    name=N_("RESAB practice guide, France"),
    source="RESAB (Réseau addictions baclofène), 'La pratique au quotidien 1.4: le début du traitement', "
    "resab.fr: about 15 mg, 30 mg 3-4 days later, then +10 mg every 3-5 days; longer plateaus at "
    "30, 60, 100, 150 mg",
    start_mg_per_day=15.0,
    start_days=3,
    step_mg=10.0,
    interval_days=4,
    ceiling_mg_per_day=300.0,
    intakes_per_day=3,
    plateaus=(Plateau(30.0, 7), Plateau(60.0, 7), Plateau(100.0, 7), Plateau(150.0, 7)),
    first_step_mg=15.0,
    note=N_(
        "15 mg/day for 3 days, then 30 mg/day (a first step of +15 mg, as the guide says) held 7 days, then "
        "+10 mg every 4 days (middle of 3-5) with 7-day plateaus at 60, 100 and 150 mg/day. The guide does "
        "not say how long 'longer' is; 7 days is baclotrack's default. The guide sets no upper limit; the "
        "ceiling is the 300 mg/day of the 2014 French RTU under which it was written."
    ),
)

ADDOLORATO_10TID: Final = Protocol(
    id="addolorato-2011-10tid",
    name=N_("Addolorato 2011, 10 mg tid"),
    source="Addolorato G et al. Dose-response effect of baclofen in reducing daily alcohol intake in "
    "alcohol dependence. Alcohol Alcohol 2011;46:312-317 (arm B10: 10 mg three times a day, 12 weeks)",
    start_mg_per_day=30.0,
    start_days=1,
    step_mg=0.0,
    interval_days=1,
    ceiling_mg_per_day=30.0,
    intakes_per_day=3,
    fixed_dose=True,
    note=N_(
        "Fixed 30 mg/day in three intakes. The trial's lead-in schedule is NOT verified (not in the "
        "abstract); baclotrack does not invent one. The prescriber decides how to reach 30 mg/day."
    ),
)

ADDOLORATO_20TID: Final = Protocol(
    id="addolorato-2011-20tid",
    name=N_("Addolorato 2011, 20 mg tid"),
    source="Addolorato G et al. Alcohol Alcohol 2011;46:312-317 (arm B20: 20 mg three times a day, 12 weeks)",
    start_mg_per_day=60.0,
    start_days=1,
    step_mg=0.0,
    interval_days=1,
    ceiling_mg_per_day=60.0,
    intakes_per_day=3,
    fixed_dose=True,
    note=N_(
        "Fixed 60 mg/day in three intakes. The trial's lead-in schedule is NOT verified (not in the "
        "abstract); baclotrack does not invent one. The prescriber decides how to reach 60 mg/day."
    ),
)

RTU_2014: Final = Protocol(
    id="rtu-2014",
    name=N_("French RTU 2014 (temporary recommendation)"),
    source="ANSM, Recommandation temporaire d'utilisation du baclofène dans l'alcoolo-dépendance, March 2014 "
    "(second-hand: 15 mg day 1, then +10 mg every 2 days, max 300 mg/day)",
    start_mg_per_day=15.0,
    start_days=2,
    step_mg=10.0,
    interval_days=2,
    ceiling_mg_per_day=300.0,
    intakes_per_day=3,
    note=N_(
        "Read as: every dose, the first included, is held 2 days (15 mg on days 1-2, 25 mg on day 3, ...). "
        "The RTU text itself was not checked (second-hand source). The 300 mg/day maximum was lowered "
        "to 80 mg/day on 24 July 2017: add the fr-2017 regulatory cap for current French practice."
    ),
)

PROTOCOLS: Final[dict[str, Protocol]] = {
    p.id: p
    for p in (
        AMEISEN_2005,
        SPASTICITY_LABEL,
        BACLOCUR_LABEL,
        RESAB,
        ADDOLORATO_10TID,
        ADDOLORATO_20TID,
        RTU_2014,
    )
}


def get_protocol(protocol_id: str) -> Protocol:
    """Protocol by id; the error lists the known ids."""
    try:
        return PROTOCOLS[protocol_id.strip().lower()]
    except KeyError:
        known = ", ".join(PROTOCOLS)
        raise ProtocolError(f"protocol: unknown protocol {protocol_id!r} (known: {known})") from None
