"""The daily diary record shared by the core, the analysis layer and the web app.

One :class:`DiaryDay` is what a client reports for one calendar day: grams of ethanol
(stored in grams, shown as the client's standard drinks, see :mod:`baclotrack.core.alcohol`),
craving and anxiety on 0-10 scales, the baclofen dose actually taken, and side effects
with a severity from 0 (none) to 3 (severe). ``None`` always means "not reported", never
zero: a missing value must not look like an abstinent or symptom-free day.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from types import MappingProxyType
from typing import Final

from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import HeavyDayDefinition, Sex
from baclotrack.core.i18n import N_, Message


class DiaryError(InputError):
    """A diary value outside its scale; the message names the date and field."""


#: Side effects asked about every day, with their English labels (marked with N_ for the clinic
#: to translate, decision 0170). The list follows the adverse effects in the baclofen labels
#: and the Bacloville/ALPADIR safety reporting
#: (FACTS.md, "Baclofen": somnolence, dizziness, fatigue, insomnia, nausea, confusion,
#: paraesthesia, mood changes); "other" collects anything else.
SIDE_EFFECTS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "somnolence": N_("Sleepiness (somnolence)"),
        "dizziness": N_("Dizziness"),
        "fatigue": N_("Tiredness or weakness"),
        "insomnia": N_("Trouble sleeping"),
        "nausea": N_("Nausea"),
        "confusion": N_("Confusion"),
        "paraesthesia": N_("Tingling or numbness (paraesthesia)"),
        "mood_change": N_("Mood change (low, high or irritable)"),
        "other": N_("Other side effect"),
    }
)

#: Side-effect severity scale: 0 none, 1 mild, 2 moderate, 3 severe.
SEVERITY_LABELS: Final[tuple[str, ...]] = (N_("none"), N_("mild"), N_("moderate"), N_("severe"))
MAX_SEVERITY: Final = 3
#: Craving and anxiety are rated on 0-10 numeric scales.
MAX_RATING: Final = 10
#: More than this in a day is a typing error (about 1.3 l of pure ethanol), not a diary entry.
MAX_GRAMS_PER_DAY: Final = 1000.0
#: More than this in a day is a typing error; the highest doses reported in AUD are about 600 mg.
MAX_DOSE_MG_PER_DAY: Final = 1000.0


@dataclass(frozen=True, slots=True)
class DiaryDay:
    """What a client reported for one day. ``None`` means not reported."""

    date: dt.date
    grams: float | None = None
    craving: int | None = None
    anxiety: int | None = None
    dose_taken_mg: float | None = None
    side_effects: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The place in an error message ("diary 2026-03-01") is only formatted when there is an
        # error: the rules build some 90 of these on every diary save.
        if not isinstance(self.date, dt.date) or isinstance(self.date, dt.datetime):
            raise DiaryError.said(
                Message(N_("diary: date must be a calendar date, got {date}"), {"date": repr(self.date)})
            )
        _check_amount(self.date, "grams", self.grams, MAX_GRAMS_PER_DAY)
        _check_amount(self.date, "dose_taken_mg", self.dose_taken_mg, MAX_DOSE_MG_PER_DAY)
        _check_rating(self.date, "craving", self.craving, MAX_RATING)
        _check_rating(self.date, "anxiety", self.anxiety, MAX_RATING)
        for name, severity in self.side_effects.items():
            if name not in SIDE_EFFECTS:
                known = ", ".join(SIDE_EFFECTS)
                unknown = N_("diary {date}: side_effects: unknown side effect {name} (known: {known})")
                raise DiaryError.said(
                    Message(unknown, {"date": str(self.date), "name": repr(name), "known": known})
                )
            _check_rating(self.date, f"side_effects[{name}]", severity, MAX_SEVERITY)
        # Freeze the mapping so a DiaryDay cannot change after validation.
        object.__setattr__(self, "side_effects", MappingProxyType(dict(self.side_effects)))

    def severity(self, side_effect: str) -> int:
        """Severity of one side effect; 0 when not reported."""
        return self.side_effects.get(side_effect, 0)

    @property
    def max_severity(self) -> int:
        return max(self.side_effects.values(), default=0)

    def is_heavy(self, sex: Sex, definition: HeavyDayDefinition) -> bool | None:
        """Heavy drinking day under ``definition``; None when grams were not reported."""
        return None if self.grams is None else definition.is_heavy(self.grams, sex)


def _check_amount(date: dt.date, name: str, value: float | None, maximum: float) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        not_number = N_("diary {date}: {name}: must be a number, got {value}")
        raise DiaryError.said(Message(not_number, {"date": str(date), "name": name, "value": repr(value)}))
    if not 0 <= value <= maximum:
        outside = N_("diary {date}: {name}: must be between 0 and {maximum:g}, got {value:g}")
        raise DiaryError.said(
            Message(outside, {"date": str(date), "name": name, "maximum": maximum, "value": value})
        )


def _check_rating(date: dt.date, name: str, value: int | None, maximum: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        not_whole = N_("diary {date}: {name}: must be a whole number from 0 to {maximum}, got {value}")
        raise DiaryError.said(
            Message(not_whole, {"date": str(date), "name": name, "maximum": maximum, "value": repr(value)})
        )
    if not 0 <= value <= maximum:
        outside = N_("diary {date}: {name}: must be from 0 to {maximum}, got {value}")
        raise DiaryError.said(
            Message(outside, {"date": str(date), "name": name, "maximum": maximum, "value": value})
        )


def sort_diary(days: Sequence[DiaryDay]) -> list[DiaryDay]:
    """Diary days in date order; two entries for one date are an error."""
    ordered = sorted(days, key=lambda d: d.date)
    for earlier, later in pairwise(ordered):
        if earlier.date == later.date:
            twice = Message(N_("diary {date}: two entries for the same date"), {"date": str(later.date)})
            raise DiaryError.said(twice)
    return ordered
