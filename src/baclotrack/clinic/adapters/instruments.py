"""Questionnaires: choices, items and scores from the core's instruments."""

from __future__ import annotations

from typing import Any

from baclotrack.clinic.core_text import core_text
from baclotrack.core.instruments import INSTRUMENTS
from baclotrack.core.instruments import score as score_answers


def instrument_choices() -> list[tuple[str, str]]:
    return [(key, f"{inst.name}: {core_text(inst.title)}") for key, inst in INSTRUMENTS.items()]


def instrument_items(instrument_id: str) -> list[tuple[int, str, list[tuple[int, str]]]]:
    inst = INSTRUMENTS[instrument_id]
    return [
        (
            item.number,
            core_text(item.label),
            [(a.value, f"{a.value}" + (f" · {core_text(a.label)}" if a.label else "")) for a in item.answers],
        )
        for item in inst.items
    ]


def score_instrument(
    instrument_id: str, answers: dict[str, Any], sex: str
) -> tuple[float, str, list[dict[str, object]]]:
    """Total, band (English, translated at display) and flags (stored messages) of the answers."""
    result = score_answers(
        instrument_id, {int(k): v for k, v in answers.items()}, sex="F" if sex == "F" else "M"
    )
    return float(result.total), result.band or "", [flag.to_dict() for flag in result.flag_messages]
