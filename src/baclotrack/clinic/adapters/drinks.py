"""Beverages and drinks: the core's presets, standard drinks and grams of ethanol."""

from __future__ import annotations

from typing import Any

from baclotrack.clinic.core_text import core_text
from baclotrack.core import alcohol


def beverage_choices() -> list[tuple[str, str]]:
    return [(key, core_text(b.label)) for key, b in alcohol.BEVERAGE_PRESETS.items()]


def beverage_presets_json() -> dict[str, dict[str, float]]:
    return {
        k: {"volume_ml": b.volume_ml, "abv_percent": b.abv_percent}
        for k, b in alcohol.BEVERAGE_PRESETS.items()
    }


def standard_drink_grams(country: str) -> float:
    return alcohol.standard_drink_grams(country)


def drinks_to_grams(drinks: float, country: str) -> float:
    return alcohol.drinks_to_grams(drinks, country)


def drink_item(
    beverage: str, count: int, volume_ml: float | None, abv_percent: float | None
) -> dict[str, Any]:
    """A drink as stored: the preset's volume and strength unless the person changed them."""
    preset = alcohol.BEVERAGE_PRESETS[beverage]
    volume = float(volume_ml) if volume_ml else preset.volume_ml
    abv = float(abv_percent) if abv_percent is not None else preset.abv_percent
    return {"beverage": beverage, "count": count, "volume_ml": volume, "abv_percent": abv}


def drink_grams(drink: dict[str, Any]) -> float:
    """Grams of ethanol of one stored drink row (a beverage row, or a baseline grams row)."""
    if "grams" in drink:
        return float(drink["grams"])
    return alcohol.grams_of_ethanol(float(drink["volume_ml"]), float(drink["abv_percent"])) * int(
        drink["count"]
    )
