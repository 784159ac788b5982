"""Implausible but possible values: the limits above which data entry asks for confirmation.

Impossible values (negative amounts, ABV above 100 %, a craving of 11, more than
``MAX_GRAMS_PER_DAY``) are refused where they are defined (core/diary.py, core/alcohol.py).
Between the plausibility limit and the impossible one a value may be true, so the web forms
and the CSV importers both show a warning and ask the person to confirm it; both read the
limits from here, their one home.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class PlausibilityLimits:
    """Values above these are possible but rare enough to ask for confirmation.

    ``drinks_per_day``: 40 standard drinks (320-560 g of ethanol, by country) is beyond what is
    seen outside severe dependence; a typing slip (4 -> 40, 5 -> 50) is the likelier cause.
    ``dose_mg_per_day``: 300 mg/day is the highest ceiling of any baclofen protocol for
    alcohol use disorder (Ameisen 2005, Alcohol Alcohol 40:147; the French RTU of 2014,
    lowered to 80 mg/day in 2017; see FACTS.md "Baclofen").
    """

    drinks_per_day: float = 40.0
    dose_mg_per_day: float = 300.0


DEFAULT_LIMITS: Final = PlausibilityLimits()
