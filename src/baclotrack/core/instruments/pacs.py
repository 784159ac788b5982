"""PACS: Penn Alcohol Craving Scale (5 self-rated items 0-6, total 0-30; past week).

Source: Flannery BA, Volpicelli JR, Pettinati HM. Psychometric properties of the Penn Alcohol
Craving Scale. Alcohol Clin Exp Res 1999;23:1289-1295.

The PACS has no published severity bands: the total is followed over time (a higher total is
more craving), so no band is given. Each item has its own anchors for 0 to 6, which the
published form words per item; the labels below paraphrase each item's topic only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from baclotrack.core.guidelines import Sex
from baclotrack.core.i18n import N_
from baclotrack.core.instruments.base import Instrument, Item, Score, scale

SOURCE: Final = "Flannery et al. 1999 Alcohol Clin Exp Res 23:1289"

_TOPICS = (
    N_("How often thoughts about drinking, or about how good a drink would feel, came in the past week"),
    N_("Strength of craving at its worst in the past week"),
    N_("Time spent thinking about drinking, or about how good a drink would feel"),
    N_("How hard it would have been to resist a drink had alcohol been at hand"),
    N_("Overall craving for alcohol in the past week"),
)

PACS_ITEMS: Final[tuple[Item, ...]] = tuple(
    Item(number, topic, scale(range(7))) for number, topic in enumerate(_TOPICS, start=1)
)


class Pacs(Instrument):
    def __init__(self) -> None:
        super().__init__(
            id="pacs", name="PACS", title=N_("Penn Alcohol Craving Scale"), source=SOURCE, items=PACS_ITEMS
        )

    def _score(self, answers: Mapping[int, int], sex: Sex | None) -> Score:
        return Score(
            instrument=self.id,
            total=self.sum_of(answers, range(1, 6)),
            minimum=self.minimum,
            maximum=self.maximum,
        )
