"""STAI-Y1: State-Trait Anxiety Inventory, form Y, state scale (20 items 1-4, total 20-80).

Source: Spielberger CD, Gorsuch RL, Lushene R, Vagg PR, Jacobs GA. *Manual for the State-Trait
Anxiety Inventory (Form Y)*. Palo Alto, CA: Consulting Psychologists Press, 1983.

The STAI is copyrighted (Mind Garden): baclotrack does not reproduce its items. A clinic that
holds a licence shows its own form; the labels here only say whether an item describes anxiety
being present or absent. Items 1, 2, 5, 8, 10, 11, 15, 16, 19 and 20 describe anxiety being
absent and are reverse-scored (5 - answer). The manual gives norms, not severity bands, so no
band is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from baclotrack.core.guidelines import Sex
from baclotrack.core.i18n import N_
from baclotrack.core.instruments.base import Instrument, Item, Score, scale

SOURCE: Final = "Spielberger et al. 1983, Manual for the STAI (Form Y)"

#: Reverse-scored (anxiety-absent) items of form Y1, Spielberger 1983.
REVERSED_ITEMS: Final = frozenset({1, 2, 5, 8, 10, 11, 15, 16, 19, 20})

_ANCHORS = {1: N_("Not at all"), 2: N_("Somewhat"), 3: N_("Moderately so"), 4: N_("Very much so")}


#: The two item labels: the clinic's form puts the item's number before them ("3. ..."), and,
#: without a number inside, each is one literal to translate (decision 0170).
ABSENT_LABEL: Final = N_("State anxiety: statement of anxiety absent (reverse-scored)")
PRESENT_LABEL: Final = N_("State anxiety: statement of anxiety present")


def _label(number: int) -> str:
    return ABSENT_LABEL if number in REVERSED_ITEMS else PRESENT_LABEL


STAI_Y1_ITEMS: Final[tuple[Item, ...]] = tuple(
    Item(n, _label(n), scale(range(1, 5), _ANCHORS), reverse=n in REVERSED_ITEMS) for n in range(1, 21)
)


class StaiY1(Instrument):
    def __init__(self) -> None:
        super().__init__(
            id="stai-y1",
            name="STAI-Y1",
            title=N_("State-Trait Anxiety Inventory, state form Y1"),
            source=SOURCE,
            items=STAI_Y1_ITEMS,
        )

    def _score(self, answers: Mapping[int, int], sex: Sex | None) -> Score:
        return Score(
            instrument=self.id,
            total=self.sum_of(answers, range(1, 21)),
            minimum=self.minimum,
            maximum=self.maximum,
        )
