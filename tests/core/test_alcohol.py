"""Alcohol quantities against their cited sources (core/guidelines.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclotrack.core.alcohol import (
    BEVERAGE_PRESETS,
    AlcoholQuantityError,
    drinks_to_grams,
    grams_of_ethanol,
    grams_to_drinks,
    parse_country,
    standard_drink_grams,
)
from baclotrack.core.guidelines import Country


@pytest.mark.parametrize(
    ("country", "grams"),
    [("US", 14.0), ("UK", 8.0), ("FR", 10.0), ("AU", 10.0), ("CA", 13.45), ("WHO", 10.0)],
)
def test_standard_drink_sizes_match_national_guidance(country: str, grams: float) -> None:
    assert standard_drink_grams(country) == grams


def test_a_uk_unit_is_ten_millilitres_of_ethanol_rounded_to_eight_grams() -> None:
    # NHS: one unit = 10 ml of pure alcohol = 7.89 g at 0.789 g/ml.
    assert grams_of_ethanol(10, 100) == pytest.approx(7.89)


def test_us_standard_drink_is_twelve_ounces_of_five_percent_beer() -> None:
    # NIAAA: 12 fl oz (355 ml) of 5 % beer holds about 14 g of ethanol.
    assert grams_of_ethanol(355, 5) == pytest.approx(14.0, abs=0.05)


def test_canadian_standard_drink_is_17_ml_of_ethanol() -> None:
    # Health Canada: 17.05 ml of ethanol = 13.45 g.
    assert grams_of_ethanol(17.05, 100) == pytest.approx(13.45, abs=0.01)


def test_country_codes_are_case_insensitive_and_unknown_ones_are_named() -> None:
    assert parse_country("fr") is Country.FR
    with pytest.raises(AlcoholQuantityError, match="country: unknown code 'XX'"):
        parse_country("XX")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: grams_of_ethanol(-1, 5), "volume_ml"),
        (lambda: grams_of_ethanol(330, 101), "abv_percent"),
        (lambda: grams_of_ethanol(330, -0.1), "abv_percent"),
        (lambda: grams_to_drinks(-5, "US"), "grams"),
        (lambda: drinks_to_grams(-1, "US"), "drinks"),
    ],
)
def test_impossible_quantities_are_refused_naming_the_field(call: object, field: str) -> None:
    with pytest.raises(AlcoholQuantityError, match=f"^{field}:"):
        call()  # type: ignore[operator]


def test_presets_are_real_drinks() -> None:
    assert {"beer", "wine", "spirits", "cider"} <= set(BEVERAGE_PRESETS)
    wine = BEVERAGE_PRESETS["wine"]
    assert wine.grams == pytest.approx(125 * 0.12 * 0.789)
    assert wine.drinks("FR") == pytest.approx(wine.grams / 10)


@given(
    grams=st.floats(min_value=0, max_value=2000, allow_nan=False),
    country=st.sampled_from(list(Country)),
)
def test_grams_to_drinks_to_grams_round_trips(grams: float, country: Country) -> None:
    assert drinks_to_grams(grams_to_drinks(grams, country), country) == pytest.approx(grams, rel=1e-12)
