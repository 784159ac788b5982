"""Titration plans: a protocol's schedule made safe and takeable, day by day.

For each day the protocol's scheduled dose is (1) reduced for renal function when a
creatinine clearance is given (Vlavonou 2014), (2) limited to the effective cap, the lowest
of the protocol ceiling, any regulatory cap, the prescriber's maximum and the renal cap,
and (3) rounded DOWN to a dose the tablets can make. Every reduction is written in the
day's note with its rule id, so nobody has to guess why a dose is what it is.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from baclotrack.core.errors import InputError
from baclotrack.core.i18n import N_, Message, join_messages
from baclotrack.core.titration.caps import (
    RENAL_BANDS,
    Cap,
    RenalBand,
    effective_cap,
    protocol_caps,
    renal_band,
    renal_cap,
)
from baclotrack.core.titration.protocols import Protocol
from baclotrack.core.titration.tablets import DEFAULT_TABLETS, DailySplit, TabletSet, split_daily_dose


class PlanError(InputError):
    """Plan parameters that cannot give a safe plan."""


#: A plan longer than ten years is a typing error, not a titration.
MAX_PLAN_DAYS: Final = 3650
#: Adult weights outside this range are typing errors (grams, pounds) rather than clients.
MIN_WEIGHT_KG: Final = 20.0
MAX_WEIGHT_KG: Final = 400.0
#: Rule id of a day whose dose was rounded down to what the tablets can make.
RULE_TABLETS_ROUND_DOWN: Final = "TABLETS-ROUND-DOWN"
#: Days shown at the final dose after it is reached, when no length is given: one week.
DAYS_AT_FINAL_DOSE: Final = 7


@dataclass(frozen=True, slots=True)
class PlanDay:
    """One day of a plan. ``rules`` are the ids of every rule that changed this day's dose.

    ``note`` is the day's notes in English (command line, PDF, stored plan step); ``messages``
    are the same notes as translatable messages, for pages in other languages (decision 0170).
    A day rebuilt from English text alone has no messages.
    """

    day: int
    date: dt.date
    mg_per_day: float
    intakes: tuple[float, ...]
    mg_per_kg: float | None
    note: str
    rules: tuple[str, ...]
    messages: tuple[Message, ...] = ()

    def format_intakes(self) -> str:
        return "+".join(f"{mg:g}" for mg in self.intakes) if self.intakes else "0"


@dataclass(frozen=True, slots=True)
class Plan:
    """A day-by-day plan (titration or taper) and what bounded it."""

    title: str
    source: str
    start: dt.date
    steps: list[PlanDay]
    caps: tuple[Cap, ...]
    tablets: TabletSet
    protocol_id: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def max_mg_per_day(self) -> float:
        return max((s.mg_per_day for s in self.steps), default=0.0)

    def from_date(self, date: dt.date) -> Plan:
        """The same plan holding only its days on or after ``date`` (what the rules read: they look
        at today's planned dose and what is planned after it, so a long plan's past need not be
        loaded to check a new diary day; core/titration/rules.py, :func:`evaluate`)."""
        return replace(self, steps=[s for s in self.steps if s.date >= date])

    def on(self, date: dt.date) -> PlanDay | None:
        """The plan's day for a calendar date, or None outside the plan."""
        index = (date - self.start).days
        if 0 <= index < len(self.steps) and self.steps[index].date == date:
            return self.steps[index]
        # Plans rebuilt from storage may have gaps; fall back to a search by date.
        return next((s for s in self.steps if s.date == date), None)


def validate_weight(weight_kg: float | None) -> float | None:
    if weight_kg is None:
        return None
    if not math.isfinite(weight_kg) or not MIN_WEIGHT_KG <= weight_kg <= MAX_WEIGHT_KG:
        outside = N_("weight_kg: must be between {low:g} and {high:g} kg, got {weight}")
        raise PlanError.said(
            Message(outside, {"low": MIN_WEIGHT_KG, "high": MAX_WEIGHT_KG, "weight": weight_kg})
        )
    return float(weight_kg)


def default_plan_days(protocol: Protocol) -> int:
    """Days to the protocol's final dose plus a week at it (the CLI's default --days)."""
    return protocol.day_final_dose_reached() + DAYS_AT_FINAL_DOSE - 1


def plan_caps(
    protocol: Protocol,
    *,
    weight_kg: float | None,
    caps: Sequence[Cap],
    crcl_ml_min: float | None,
    dialysis: bool,
) -> tuple[Cap, ...]:
    """Every cap that applies: protocol ceilings, given caps, and the renal cap derived from them."""
    normal = [*protocol_caps(protocol, weight_kg), *caps]
    renal = renal_cap(crcl_ml_min, effective_cap(normal).mg_per_day, dialysis=dialysis)
    return (*normal, renal) if renal is not None else tuple(normal)


@dataclass(frozen=True, slots=True)
class _Bounds:
    """What limits every day of one plan: the effective cap, the renal band and the tablets."""

    protocol: Protocol
    cap: Cap
    band: RenalBand | None
    renal_note: Message | None
    tablets: TabletSet

    def apply(self, scheduled_mg: float) -> tuple[DailySplit, list[Message], list[str]]:
        """The takeable dose for a scheduled dose, with the notes and rule ids that shaped it."""
        notes: list[Message] = []
        rules: list[str] = []
        wanted = scheduled_mg
        if self.band is not None:
            wanted *= self.band.dose_fraction
            rules.append(self.band.rule_id)
        at_cap = wanted >= self.cap.mg_per_day - 1e-9
        # When the renal cap itself binds, its note says it all.
        if (
            self.band is not None
            and self.renal_note is not None
            and not (at_cap and self.cap.rule_id == self.band.rule_id)
        ):
            notes.append(
                Message(
                    N_("{scheduled:g} mg/day scheduled, {renal}"),
                    {"scheduled": scheduled_mg, "renal": self.renal_note},
                )
            )
        if at_cap:
            wanted = self.cap.mg_per_day
            # A fixed-dose protocol sits at its own ceiling by design; that is not a capping.
            own_ceiling = protocol_caps(self.protocol)[0].rule_id
            if not (self.protocol.fixed_dose and self.cap.rule_id == own_ceiling):
                rules.append(self.cap.rule_id)
                notes.append(self.cap.describe_message())
        split = split_daily_dose(wanted, self.protocol.intakes_per_day, self.tablets)
        notes.extend(split.messages)
        if split.rounded_down:
            rules.append(RULE_TABLETS_ROUND_DOWN)
        return split, notes, rules


def generate_plan(
    protocol: Protocol,
    start: dt.date,
    *,
    days: int | None = None,
    weight_kg: float | None = None,
    caps: Sequence[Cap] | None = None,
    crcl_ml_min: float | None = None,
    dialysis: bool = False,
    tablets: TabletSet = DEFAULT_TABLETS,
) -> Plan:
    """The plan for ``days`` days from ``start`` (default: see :func:`default_plan_days`).

    No day exceeds the effective cap; a day at the cap names the cap's rule, a renally
    reduced day names its band, a rounded-down day says so.
    """
    n_days = default_plan_days(protocol) if days is None else days
    if not 1 <= n_days <= MAX_PLAN_DAYS:
        raise PlanError(f"days: must be between 1 and {MAX_PLAN_DAYS}, got {n_days}")
    weight = validate_weight(weight_kg)
    all_caps = plan_caps(
        protocol, weight_kg=weight, caps=caps or (), crcl_ml_min=crcl_ml_min, dialysis=dialysis
    )
    band = None if dialysis or crcl_ml_min is None else renal_band(crcl_ml_min, RENAL_BANDS)
    bounds = _Bounds(
        protocol=protocol,
        cap=effective_cap(all_caps),
        band=band,
        renal_note=None if band is None or crcl_ml_min is None else band.describe_message(crcl_ml_min),
        tablets=tablets,
    )
    levels = list(protocol.schedule())
    steps: list[PlanDay] = []
    level_index = 0
    previous_mg: float | None = None
    for day in range(1, n_days + 1):
        while level_index + 1 < len(levels) and levels[level_index + 1].first_day <= day:
            level_index += 1
        level = levels[level_index]
        split, notes, rules = bounds.apply(level.mg_per_day)
        mg = split.mg_per_day
        change = _change_note(mg, previous_mg, level.reason, protocol)
        if change is not None:
            notes.insert(0, change)
        steps.append(
            PlanDay(
                day=day,
                date=start + dt.timedelta(days=day - 1),
                mg_per_day=mg,
                intakes=split.intakes,
                mg_per_kg=None if weight is None else mg / weight,
                note=join_messages(notes),
                rules=tuple(dict.fromkeys(rules)),
                messages=tuple(notes),
            )
        )
        previous_mg = mg
    return Plan(
        title=protocol.name,
        source=protocol.source,
        start=start,
        steps=steps,
        caps=all_caps,
        tablets=tablets,
        protocol_id=protocol.id,
        notes=(protocol.note,),
    )


def _change_note(mg: float, previous_mg: float | None, reason: Message, protocol: Protocol) -> Message | None:
    """Why the dose changed today; None on days it is held."""
    if previous_mg is None:
        return Message(
            N_("start at {dose:g} mg/day: {reason} ({protocol})"),
            {"dose": mg, "reason": reason, "protocol": Message(protocol.name)},
        )
    if mg == previous_mg:
        return None
    return Message(N_("{change:+g} mg/day ({reason})"), {"change": mg - previous_mg, "reason": reason})
