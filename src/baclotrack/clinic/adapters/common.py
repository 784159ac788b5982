"""Definitions every adapter shares: the heavy-day definition the clinic shows, the client's sex."""

from __future__ import annotations

from typing import TYPE_CHECKING

from baclotrack.core.guidelines import DEFAULT_HEAVY_DAY, HeavyDayDefinition, Sex

if TYPE_CHECKING:
    from baclotrack.clinic.models import Client


#: Heavy-day definition the clinic shows (the core's default, FDA; core/guidelines.py).
HEAVY_DAY: HeavyDayDefinition = DEFAULT_HEAVY_DAY


def _sex(client: Client) -> Sex:
    return "F" if client.sex == "F" else "M"
