"""Validated questionnaires: items, answer validation, totals, subscales, bands and flags.

One module per instrument, each with its rules and their sources beside them; this package
keeps the registry that the web forms, the importers and ``baclotrack score`` use.

>>> result = score("audit", [4, 4, 3, 2, 1, 2, 1, 0, 2, 4])
>>> result.total, result.band
(23, 'Zone IV: possible alcohol dependence')
>>> score("gad-7", {1: 2, 2: 2, 3: 1, 4: 1, 5: 0, 6: 1, 7: 0}).band
'Mild anxiety'
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from baclotrack.core.guidelines import Sex
from baclotrack.core.instruments.audit import Audit
from baclotrack.core.instruments.audit_c import AuditC
from baclotrack.core.instruments.base import (
    Answer,
    Answers,
    Band,
    BandSet,
    Instrument,
    InstrumentInputError,
    Item,
    Score,
    UnknownInstrumentError,
)
from baclotrack.core.instruments.ciwa_ar import CiwaAr
from baclotrack.core.instruments.gad7 import Gad7
from baclotrack.core.instruments.ocds import Ocds
from baclotrack.core.instruments.pacs import Pacs
from baclotrack.core.instruments.stai_y1 import StaiY1

__all__ = [
    "INSTRUMENTS",
    "Answer",
    "Answers",
    "Band",
    "BandSet",
    "Instrument",
    "InstrumentInputError",
    "Item",
    "Score",
    "UnknownInstrumentError",
    "get_instrument",
    "score",
]

#: Every instrument with its default scoring rule and bands, keyed by lower-case id.
INSTRUMENTS: Final[Mapping[str, Instrument]] = MappingProxyType(
    {i.id: i for i in (Audit(), AuditC(), Ocds(), Pacs(), Gad7(), CiwaAr(), StaiY1())}
)


def get_instrument(instrument_id: str, *, variant: str | None = None) -> Instrument:
    """The instrument with this id (case-insensitive), optionally with another band set or rule."""
    key = instrument_id.strip().lower()
    if key not in INSTRUMENTS:
        raise UnknownInstrumentError(
            f"instrument: unknown {instrument_id!r} (known: {', '.join(INSTRUMENTS)})"
        )
    instrument = INSTRUMENTS[key]
    return instrument if variant is None else instrument.with_variant(variant)


def score(
    instrument_id: str, answers: Answers, *, sex: Sex | None = None, variant: str | None = None
) -> Score:
    """Validate and score ``answers`` (a list in item order, or a mapping item number -> answer).

    ``sex`` ("F" or "M") is needed where a cut-off depends on it (AUDIT-C). ``variant`` picks
    another band set or scoring rule where sources disagree (see ``Instrument.variants()``).
    """
    return get_instrument(instrument_id, variant=variant).score(answers, sex=sex)
