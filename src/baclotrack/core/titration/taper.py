"""Tapering baclofen: never stop abruptly.

Abrupt discontinuation of baclofen can cause withdrawal with hallucinations, seizures,
hyperthermia, delirium and death (FDA baclofen label, Warnings: "Abrupt Drug Withdrawal";
UK SmPC 4.4). Sources on the pace:
- ANSM, letter to health professionals, 25 July 2017 (revised RTU): reduce progressively,
  for example by 10 or 15 mg every 2 days, with close follow-up.
- Labels (UK Committee on Safety of Medicines advice in the Lioresal SmPC): reduce over
  1-2 weeks, or more slowly if symptoms occur.
Defaults: 10 mg every 2 days (the gentler of the ANSM steps), over at least 14 days (the
longer labelled duration, and French practice, "sur 2 semaines environ"). The minimum can
be set between the labelled 7 and any longer duration, never below 7 days. The step and its
interval can be set too, but never to a pace faster than ANSM's faster example, 15 mg every
2 days (decision 0184). The last dose before zero is the smallest dose the tablets can make,
held like every other step.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Final

from baclotrack.core.diary import MAX_DOSE_MG_PER_DAY
from baclotrack.core.errors import InputError
from baclotrack.core.i18n import N_, Message
from baclotrack.core.titration.plan import Plan, PlanDay
from baclotrack.core.titration.tablets import (
    DEFAULT_TABLETS,
    TabletSet,
    makeable_daily_doses,
    split_daily_dose,
)


class TaperError(InputError):
    """Taper settings that cannot give a safe, gradual taper."""


TAPER_SOURCE: Final = (
    "ANSM letter to health professionals, 25 July 2017 (reduce by 10 or 15 mg every 2 days); "
    "baclofen labels (FDA Warnings; UK SmPC 4.4: taper over 1-2 weeks)"
)
RULE_TAPER: Final = "TAPER"
#: ANSM 2017: 10 or 15 mg every 2 days; 10 mg is the default.
DEFAULT_TAPER_STEP_MG: Final = 10.0
DEFAULT_TAPER_INTERVAL_DAYS: Final = 2
#: The shortest taper the labels allow (1 week); no setting may go below it.
LABEL_MIN_TAPER_DAYS: Final = 7
#: Default minimum duration: 2 weeks, the longer labelled duration.
DEFAULT_MIN_TAPER_DAYS: Final = 14
#: ANSM 2017's faster example, 15 mg every 2 days: no taper may fall faster on average than
#: this (a 15 mg step needs 2 days, a 20 mg step 3). The rules' FAST-REDUCTION alert takes its
#: defaults from here (RuleConfig.fast_reduction_mg and fast_reduction_days, decision 0186).
FASTEST_TAPER_STEP_MG: Final = 15.0
FASTEST_TAPER_INTERVAL_DAYS: Final = 2
MAX_TAPER_STEP_MG_PER_DAY: Final = FASTEST_TAPER_STEP_MG / FASTEST_TAPER_INTERVAL_DAYS
#: Steps a form offers: ANSM's two examples, 10 (the default) and 15 mg, and a gentler 5 mg.
TAPER_STEP_CHOICES_MG: Final = (5.0, DEFAULT_TAPER_STEP_MG, FASTEST_TAPER_STEP_MG)
#: A taper must start no lower than one step below the dose the client last reported taking within
#: this many days: starting from a lower prescribed dose would be an abrupt drop (decision 0184).
TAKEN_DOSE_LOOKBACK_DAYS: Final = 7
#: The ``protocol_id`` of a taper plan (no titration protocol has this id).
TAPER_PLAN_ID: Final = "taper"


def taper_title(from_mg_per_day: float) -> Message:
    """A taper plan's title: "Taper from 60 mg/day"."""
    return Message(N_("Taper from {dose:g} mg/day"), {"dose": from_mg_per_day})


def taper_levels(
    current_mg_per_day: float, step_mg: float, intakes_per_day: int, tablets: TabletSet
) -> list[float]:
    """Descending daily doses from the current one to the smallest makeable dose.

    Each next dose is the lowest makeable dose at or above (previous - step), so no drop is
    ever larger than ``step_mg``.
    """
    start = split_daily_dose(current_mg_per_day, intakes_per_day, tablets).mg_per_day
    if start <= 0:
        return []
    makeable = makeable_daily_doses(start, intakes_per_day, tablets)
    smallest = makeable[0]
    levels = [start]
    while levels[-1] > smallest:
        floor = levels[-1] - step_mg
        nxt = next(d for d in makeable if d >= floor - 1e-9)
        if nxt >= levels[-1]:
            too_small = N_(
                "step_mg: a {step:g} mg step cannot be made below {dose:g} mg/day with "
                "{tablets} tablets; use a larger step"
            )
            raise TaperError.said(
                Message(too_small, {"step": step_mg, "dose": levels[-1], "tablets": tablets.name})
            )
        levels.append(nxt)
    return levels


def taper_plan(
    current_mg_per_day: float,
    start: dt.date,
    *,
    step_mg: float = DEFAULT_TAPER_STEP_MG,
    interval_days: int = DEFAULT_TAPER_INTERVAL_DAYS,
    min_duration_days: int = DEFAULT_MIN_TAPER_DAYS,
    intakes_per_day: int = 3,
    tablets: TabletSet = DEFAULT_TABLETS,
    taken_mg_per_day: float | None = None,
) -> Plan:
    """A day-by-day taper from ``current_mg_per_day`` to zero.

    If the steps would finish before ``min_duration_days``, every step is held longer, so the
    taper lasts at least that long. The plan's last day is the first day without baclofen.
    ``taken_mg_per_day``, the dose the client last reported taking, if known: a taper that would
    start more than the fastest step below it is refused, since its first day would be an
    abrupt drop.
    """
    if not math.isfinite(current_mg_per_day) or not 0 < current_mg_per_day <= MAX_DOSE_MG_PER_DAY:
        outside = N_("current_mg_per_day: must be a positive dose up to {maximum:g} mg, got {dose}")
        raise TaperError.said(Message(outside, {"maximum": MAX_DOSE_MG_PER_DAY, "dose": current_mg_per_day}))
    if taken_mg_per_day is not None and taken_mg_per_day - current_mg_per_day > FASTEST_TAPER_STEP_MG + 1e-9:
        drop = N_(
            "current_mg_per_day: the client last took {taken:g} mg/day; a taper from {dose:g} mg/day "
            "would drop {drop:g} mg at once, more than a step of {fastest:g} mg; start from at least "
            "{lowest:g} mg/day"
        )
        params = {
            "taken": taken_mg_per_day,
            "dose": current_mg_per_day,
            "drop": taken_mg_per_day - current_mg_per_day,
            "fastest": FASTEST_TAPER_STEP_MG,
            "lowest": taken_mg_per_day - FASTEST_TAPER_STEP_MG,
        }
        raise TaperError.said(Message(drop, params))
    if interval_days < 1:
        short = N_("interval_days: must be at least 1, got {days}")
        raise TaperError.said(Message(short, {"days": interval_days}))
    if step_mg / interval_days > MAX_TAPER_STEP_MG_PER_DAY + 1e-9:
        fast = N_(
            "step_mg: {step:g} mg every {days} days is faster than the ANSM taper allows "
            "(at most {fastest:g} mg every {fastest_days} days)"
        )
        params = {"fastest": FASTEST_TAPER_STEP_MG, "fastest_days": FASTEST_TAPER_INTERVAL_DAYS}
        raise TaperError.said(Message(fast, {"step": step_mg, "days": interval_days, **params}))
    if min_duration_days < LABEL_MIN_TAPER_DAYS:
        short = N_("min_duration_days: labels require a taper of at least {minimum} days, got {days}")
        raise TaperError.said(Message(short, {"minimum": LABEL_MIN_TAPER_DAYS, "days": min_duration_days}))
    smallest = tablets.smallest_piece_mg
    if not math.isfinite(step_mg) or step_mg < smallest:
        small = N_("step_mg: must be at least the smallest {tablets} dose ({smallest:g} mg), got {step}")
        raise TaperError.said(
            Message(small, {"tablets": tablets.name, "smallest": smallest, "step": step_mg})
        )
    levels = taper_levels(current_mg_per_day, step_mg, intakes_per_day, tablets)
    if not levels:
        below = N_(
            "current_mg_per_day: {dose:g} mg/day is below the smallest {tablets} dose "
            "({smallest:g} mg); there is nothing to taper"
        )
        raise TaperError.said(
            Message(below, {"dose": current_mg_per_day, "tablets": tablets.name, "smallest": smallest})
        )
    hold = max(interval_days, math.ceil(min_duration_days / len(levels)))
    steps: list[PlanDay] = []
    for index, mg in enumerate(levels):
        split = split_daily_dose(mg, intakes_per_day, tablets)
        for offset in range(hold):
            day = index * hold + offset + 1
            note = _taper_note(index, offset, mg, levels, current_mg_per_day, step_mg, hold)
            steps.append(_day(start, day, mg, split.intakes, note))
    stop_day = len(levels) * hold + 1
    stop = Message(
        N_("stop: taper complete after {days} days; watch for withdrawal signs for a week"),
        {"days": len(levels) * hold},
    )
    steps.append(_day(start, stop_day, 0.0, (), stop))
    return Plan(
        title=taper_title(levels[0]).text(),
        source=TAPER_SOURCE,
        start=start,
        steps=steps,
        caps=(),
        tablets=tablets,
        protocol_id=TAPER_PLAN_ID,
        notes=(f"{step_mg:g} mg at most every {hold} days, at least {min_duration_days} days",),
    )


def _taper_note(
    index: int, offset: int, mg: float, levels: list[float], current: float, step_mg: float, hold: int
) -> Message | None:
    if offset:
        return None
    if index == 0:
        pace = {"dose": mg, "step": step_mg, "days": hold}
        if mg < current:
            return Message(
                N_(
                    "taper starts at {dose:g} mg/day (rounded down from {current:g} mg/day to what the "
                    "tablets make); at most {step:g} mg less every {days} days"
                ),
                {**pace, "current": current},
            )
        return Message(
            N_("taper starts at {dose:g} mg/day; at most {step:g} mg less every {days} days"), pace
        )
    drop = levels[index - 1] - mg
    if index == len(levels) - 1:
        return Message(
            N_(
                "-{drop:g} mg/day (taper, ANSM 2017); smallest dose the tablets make, held {days} days "
                "before stopping"
            ),
            {"drop": drop, "days": hold},
        )
    return Message(N_("-{drop:g} mg/day (taper, ANSM 2017)"), {"drop": drop})


def _day(start: dt.date, day: int, mg: float, intakes: tuple[float, ...], note: Message | None) -> PlanDay:
    return PlanDay(
        day=day,
        date=start + dt.timedelta(days=day - 1),
        mg_per_day=mg,
        intakes=intakes,
        mg_per_kg=None,
        note="" if note is None else note.text(),
        rules=(RULE_TAPER,),
        messages=() if note is None else (note,),
    )
