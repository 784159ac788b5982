"""Alcohol quantities: beverages to grams of ethanol, grams to and from standard drinks.

baclotrack stores grams of ethanol and shows standard drinks of the client's country,
so that a diary kept in France (10 g drinks) and one kept in the US (14 g drinks) are
compared on one scale. Constants and their sources live in :mod:`baclotrack.core.guidelines`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import ETHANOL_DENSITY_G_PER_ML, STANDARD_DRINK_GRAMS, Country
from baclotrack.core.i18n import N_, Message


class AlcoholQuantityError(InputError):
    """A volume, strength or count that cannot describe a real drink."""


def _negative(name: str, value: float) -> AlcoholQuantityError:
    said = Message(N_("{name}: must not be negative, got {value}"), {"name": name, "value": value})
    return AlcoholQuantityError.said(said)


#: ABV above this is impossible (pure ethanol).
MAX_ABV_PERCENT: Final = 100.0


def parse_country(value: str | Country) -> Country:
    """Country from its code (US, UK, FR, AU, CA, WHO), case-insensitive."""
    if isinstance(value, Country):
        return value
    try:
        return Country(value.strip().upper())
    except ValueError:
        known = ", ".join(c.value for c in Country)
        unknown = Message(
            N_("country: unknown code {code} (known: {known})"), {"code": repr(value), "known": known}
        )
        raise AlcoholQuantityError.said(unknown) from None


def grams_of_ethanol(volume_ml: float, abv_percent: float) -> float:
    """Grams of ethanol in a drink of ``volume_ml`` at ``abv_percent`` % alcohol by volume.

    >>> round(grams_of_ethanol(330, 5), 3)   # a bottle of beer
    13.019
    """
    if volume_ml < 0:
        raise _negative("volume_ml", volume_ml)
    if not 0 <= abv_percent <= MAX_ABV_PERCENT:
        outside = N_("abv_percent: must be between 0 and 100, got {abv}")
        raise AlcoholQuantityError.said(Message(outside, {"abv": abv_percent}))
    return volume_ml * abv_percent / 100.0 * ETHANOL_DENSITY_G_PER_ML


def standard_drink_grams(country: str | Country) -> float:
    """Grams of ethanol in one standard drink of ``country``."""
    return STANDARD_DRINK_GRAMS[parse_country(country)]


def grams_to_drinks(grams: float, country: str | Country) -> float:
    """Standard drinks of ``country`` in ``grams`` of ethanol."""
    if grams < 0:
        raise _negative("grams", grams)
    return grams / standard_drink_grams(country)


def drinks_to_grams(drinks: float, country: str | Country) -> float:
    """Grams of ethanol in ``drinks`` standard drinks of ``country``."""
    if drinks < 0:
        raise _negative("drinks", drinks)
    return drinks * standard_drink_grams(country)


@dataclass(frozen=True, slots=True)
class Beverage:
    """A beverage preset: a usual serving and strength, both editable by the user."""

    key: str
    label: str
    volume_ml: float
    abv_percent: float

    @property
    def grams(self) -> float:
        return grams_of_ethanol(self.volume_ml, self.abv_percent)

    def drinks(self, country: str | Country) -> float:
        return grams_to_drinks(self.grams, country)


#: Typical servings. Volumes and strengths are common retail values (a 330 ml bottle of
#: 5 % lager, a 125 ml glass of 12 % wine, a 40 ml measure of 40 % spirits, a 330 ml
#: bottle of 4.5 % cider); the user edits both in the diary, so these are only a start.
BEVERAGE_PRESETS: Final[dict[str, Beverage]] = {
    b.key: b
    for b in (
        Beverage("beer", N_("Beer (bottle, 330 ml, 5 %)"), 330.0, 5.0),
        Beverage("beer_pint", N_("Beer (pint, 568 ml, 4.5 %)"), 568.0, 4.5),
        Beverage("strong_beer", N_("Strong beer (500 ml, 8 %)"), 500.0, 8.0),
        Beverage("wine", N_("Wine (glass, 125 ml, 12 %)"), 125.0, 12.0),
        Beverage("wine_bottle", N_("Wine (bottle, 750 ml, 12 %)"), 750.0, 12.0),
        Beverage("spirits", N_("Spirits (measure, 40 ml, 40 %)"), 40.0, 40.0),
        Beverage("spirits_bottle", N_("Spirits (bottle, 700 ml, 40 %)"), 700.0, 40.0),
        Beverage("cider", N_("Cider (bottle, 330 ml, 4.5 %)"), 330.0, 4.5),
    )
}
