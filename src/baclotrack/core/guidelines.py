"""Clinical constants shared across baclotrack, each with its source.

This module is the single home of the numbers that more than one part of the core
uses: standard drink sizes, heavy-drinking-day definitions and WHO risk drinking
levels. Rules that belong to one domain (an instrument's score bands, a titration
protocol's steps, a safety rule's threshold) live in that domain's module, also
with their sources. Nothing here performs I/O.

Where sources disagree the choice is a named option with a documented default
(see docs/methods.md and docs/decisions/0002-clinical-constants.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Final, Literal

Sex = Literal["F", "M"]

#: Density of ethanol at 20 degC, g/ml. grams = ml x ABV/100 x 0.789.
#: Source: WHO International Guide for Monitoring Alcohol Consumption (2000), and
#: NIAAA "What is a standard drink?". Some national bodies round to 0.79 or 0.8;
#: baclotrack stores grams and shows drinks, so the exact density is used.
ETHANOL_DENSITY_G_PER_ML: Final = 0.789


class Country(StrEnum):
    """Countries whose standard drink size baclotrack knows."""

    US = "US"
    UK = "UK"
    FR = "FR"
    AU = "AU"
    CA = "CA"
    WHO = "WHO"


#: Grams of ethanol in one standard drink, per country.
#: - US 14 g: NIAAA, "What is a standard drink?" (0.6 fl oz of pure alcohol).
#: - UK 8 g: NHS, one unit = 10 ml of pure alcohol (10 ml x 0.789 = 7.89 g; the NHS
#:   and the UK CMO guidelines round the unit to 8 g).
#: - FR 10 g: Société française d'alcoologie ("verre standard" / unité d'alcool).
#: - AU 10 g: Australian Guidelines to Reduce Health Risks from Drinking Alcohol (NHMRC 2020).
#: - CA 13.45 g: Health Canada / Canada's Guidance on Alcohol and Health (17.05 ml of ethanol).
#: - WHO 10 g: Babor et al., AUDIT manual, WHO 2001 (the AUDIT's standard drink).
STANDARD_DRINK_GRAMS: Final[dict[Country, float]] = {
    Country.US: 14.0,
    Country.UK: 8.0,
    Country.FR: 10.0,
    Country.AU: 10.0,
    Country.CA: 13.45,
    Country.WHO: 10.0,
}

#: Country assumed when a diary or patient file does not say (the FDA guidance's unit).
DEFAULT_COUNTRY: Final = Country.US


#: Grams within which a day's or a mean's amount counts as *at* a threshold. Diary amounts
#: are entered in drinks and multiplied by a drink size, so 0.56 x 100 g can land a hair
#: above or below 56 g; a nanogram is far below any real measurement and stops binary
#: rounding from moving a day across the FDA/EMA or WHO boundary (docs/decisions/0021).
#: Every comparison with a threshold here, in core/endpoints.py and beyond uses it.
THRESHOLD_TOLERANCE_G: Final = 1e-9


@dataclass(frozen=True, slots=True)
class HeavyDayDefinition:
    """A heavy-drinking-day threshold in grams of ethanol per day, by sex."""

    name: str
    grams_women: float
    grams_men: float
    inclusive: bool
    source: str

    def threshold(self, sex: Sex) -> float:
        return self.grams_women if sex == "F" else self.grams_men

    def is_heavy(self, grams: float, sex: Sex) -> bool:
        limit = self.threshold(sex)
        if self.inclusive:
            return grams >= limit - THRESHOLD_TOLERANCE_G
        return grams > limit + THRESHOLD_TOLERANCE_G


#: FDA: at least 4 (women) or 5 (men) US standard drinks of 14 g, i.e. >= 56 g / >= 70 g.
#: Source: FDA draft guidance "Alcoholism: Developing Drugs for Treatment" (2015);
#: Falk et al. 2010, Alcohol Clin Exp Res 34:2022-2034.
HEAVY_DAY_FDA: Final = HeavyDayDefinition(
    name="fda",
    grams_women=56.0,
    grams_men=70.0,
    inclusive=True,
    source="FDA draft guidance 2015; Falk et al. 2010 ACER 34:2022",
)

#: EMA: more than 40 g (women) or 60 g (men) of ethanol in a day.
#: Source: EMA Guideline on the development of medicinal products for the treatment of
#: alcohol dependence, EMA/CHMP/EWP/20097/2008 (2010).
HEAVY_DAY_EMA: Final = HeavyDayDefinition(
    name="ema",
    grams_women=40.0,
    grams_men=60.0,
    inclusive=False,
    source="EMA/CHMP/EWP/20097/2008 (2010)",
)

HEAVY_DAY_DEFINITIONS: Final[dict[str, HeavyDayDefinition]] = {
    HEAVY_DAY_FDA.name: HEAVY_DAY_FDA,
    HEAVY_DAY_EMA.name: HEAVY_DAY_EMA,
}

#: Default heavy-day definition (the FDA one, as the command-line contract requires).
DEFAULT_HEAVY_DAY: Final = HEAVY_DAY_FDA


class WhoRiskLevel(IntEnum):
    """WHO risk drinking levels; 0 is abstinence, its own category."""

    ABSTINENT = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    VERY_HIGH = 4


#: Upper bounds (inclusive) of the low, medium and high WHO risk levels, in mean grams
#: of ethanol per day; above the last is "very high". Zero grams is abstinent.
#: Source: WHO International Guide for Monitoring Alcohol Consumption and Related Harm
#: (2000), used in EMA-guided trials and by Witkiewitz et al. (2017, Alcohol Clin Exp
#: Res 41:179) for the 1- and 2-level reduction endpoints.
WHO_LEVEL_UPPER_BOUNDS_G: Final[dict[Sex, tuple[float, float, float]]] = {
    "F": (20.0, 40.0, 60.0),
    "M": (40.0, 60.0, 100.0),
}

WHO_LEVEL_SOURCE: Final = "WHO 2000 International Guide for Monitoring Alcohol Consumption"


def who_risk_level(grams_per_day: float, sex: Sex) -> WhoRiskLevel:
    """WHO risk drinking level of a mean daily consumption in grams.

    >>> who_risk_level(0, "M")
    <WhoRiskLevel.ABSTINENT: 0>
    >>> who_risk_level(40, "M"), who_risk_level(40.01, "M")
    (<WhoRiskLevel.LOW: 1>, <WhoRiskLevel.MEDIUM: 2>)
    """
    if grams_per_day < 0:
        raise ValueError(f"grams_per_day must not be negative, got {grams_per_day}")
    if grams_per_day == 0:
        return WhoRiskLevel.ABSTINENT
    low, medium, high = (bound + THRESHOLD_TOLERANCE_G for bound in WHO_LEVEL_UPPER_BOUNDS_G[sex])
    if grams_per_day <= low:
        return WhoRiskLevel.LOW
    if grams_per_day <= medium:
        return WhoRiskLevel.MEDIUM
    if grams_per_day <= high:
        return WhoRiskLevel.HIGH
    return WhoRiskLevel.VERY_HIGH
