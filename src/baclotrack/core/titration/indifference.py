"""The indifference dose: the lowest baclofen dose at which alcohol stops mattering.

In the French practice literature the aim of titration is "indifference" to alcohol: the
dose at which craving disappears and drinking becomes effortlessly controlled (Ameisen 2005;
de Beaurepaire 2012, Front Psychiatry 3:103; RESAB practice guide, "Posologie: jusqu'où ?").
baclotrack operationalises it as the lowest daily dose taken unchanged on ``min_days``
(default 14) consecutive diary days, each with craving at or below ``craving_threshold``
(default 2 on 0-10) and no heavy drinking day (default: the FDA definition).

A day breaks the run when its diary entry is missing, or its dose, craving or grams were not
reported: an unrecorded day is not evidence of indifference (docs/decisions/0033-indifference-runs.md).
This is the only implementation; the dose-response analysis calls it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from baclotrack.core.diary import MAX_RATING, DiaryDay, sort_diary
from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import DEFAULT_HEAVY_DAY, HeavyDayDefinition, Sex
from baclotrack.core.i18n import N_, Message

DEFAULT_CRAVING_THRESHOLD: Final = 2
DEFAULT_MIN_DAYS: Final = 14


@dataclass(frozen=True, slots=True)
class IndifferenceResult:
    """Whether an indifference dose was reached, at which dose and on which date."""

    reached: bool
    dose_mg: float | None
    date_reached: dt.date | None
    #: Why, as a translatable message (decision 0170); :attr:`reason` is its English text.
    message: Message

    @property
    def reason(self) -> str:
        return self.message.text()


@dataclass(slots=True)
class _Run:
    dose_mg: float
    first: dt.date
    last: dt.date
    length: int


def _qualifies(day: DiaryDay, sex: Sex, craving_threshold: int, heavy: HeavyDayDefinition) -> bool:
    if day.dose_taken_mg is None or day.dose_taken_mg <= 0:
        return False
    if day.craving is None or day.craving > craving_threshold:
        return False
    return day.is_heavy(sex, heavy) is False


def qualifying_runs(
    days: Sequence[DiaryDay],
    sex: Sex,
    *,
    craving_threshold: int = DEFAULT_CRAVING_THRESHOLD,
    heavy: HeavyDayDefinition = DEFAULT_HEAVY_DAY,
) -> list[tuple[float, dt.date, dt.date]]:
    """Every maximal run of consecutive qualifying days at one dose: (dose, first, last)."""
    runs: list[_Run] = []
    for day in sort_diary(days):
        if not _qualifies(day, sex, craving_threshold, heavy):
            continue
        assert day.dose_taken_mg is not None
        run = runs[-1] if runs else None
        if run and run.dose_mg == day.dose_taken_mg and day.date == run.last + dt.timedelta(days=1):
            run.last = day.date
            run.length += 1
        else:
            runs.append(_Run(day.dose_taken_mg, day.date, day.date, 1))
    return [(r.dose_mg, r.first, r.last) for r in runs]


def find_indifference_dose(
    days: Sequence[DiaryDay],
    sex: Sex,
    *,
    craving_threshold: int = DEFAULT_CRAVING_THRESHOLD,
    min_days: int = DEFAULT_MIN_DAYS,
    heavy: HeavyDayDefinition = DEFAULT_HEAVY_DAY,
    which: Literal["lowest", "first"] = "lowest",
) -> IndifferenceResult:
    """The lowest dose held ``min_days`` consecutive days with low craving and no heavy day.

    ``date_reached`` is the ``min_days``-th day of the earliest such run at that dose.
    With ``which="first"`` the answer is instead the run that qualified first: a course that
    reaches indifference high and then steps down (Ameisen 2005: 270, then 120 mg/day) is
    indifferent at 270 mg/day first and at 120 mg/day lowest; the prescriber needs both.
    """
    if not 0 <= craving_threshold <= MAX_RATING:
        raise InputError(f"craving_threshold: must be from 0 to {MAX_RATING}, got {craving_threshold}")
    if min_days < 1:
        raise InputError(f"min_days: must be at least 1, got {min_days}")
    runs = qualifying_runs(days, sex, craving_threshold=craving_threshold, heavy=heavy)
    criteria = Message(
        N_("craving <= {threshold} and no heavy drinking day ({definition} definition)"),
        {"threshold": craving_threshold, "definition": heavy.name.upper()},
    )
    long_runs = [(dose, first) for dose, first, last in runs if (last - first).days + 1 >= min_days]
    if long_runs:
        if which == "first":
            first, dose = min((first, dose) for dose, first in long_runs)
        else:
            dose, first = min(long_runs)
        reached_on = first + dt.timedelta(days=min_days - 1)
        return IndifferenceResult(
            reached=True,
            dose_mg=dose,
            date_reached=reached_on,
            message=Message(
                N_("{criteria} on {days} consecutive diary days at {dose:g} mg/day ({first} to {last})"),
                {
                    "criteria": criteria,
                    "days": min_days,
                    "dose": dose,
                    "first": first.isoformat(),
                    "last": reached_on.isoformat(),
                },
            ),
        )
    if not runs:
        return IndifferenceResult(
            False,
            None,
            None,
            Message(N_("not reached: no diary day with {criteria} at a known dose"), {"criteria": criteria}),
        )
    dose, first, last = max(runs, key=lambda r: ((r[2] - r[1]).days, -r[0]))
    length = (last - first).days + 1
    return IndifferenceResult(
        reached=False,
        dose_mg=None,
        date_reached=None,
        message=Message(
            N_(
                "not reached: the longest run with {criteria} is {length} day(s) at {dose:g} mg/day "
                "({first} to {last}); {needed} are needed"
            ),
            {
                "criteria": criteria,
                "length": length,
                "dose": dose,
                "first": first.isoformat(),
                "last": last.isoformat(),
                "needed": min_days,
            },
        ),
    )
