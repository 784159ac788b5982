"""OCDS: Obsessive Compulsive Drinking Scale (14 self-rated items 0-4), a measure of craving.

Sources:
- Anton RF, Moak DH, Latham P. The Obsessive Compulsive Drinking Scale: a self-rated instrument
  for the quantification of thoughts about alcohol and drinking behavior. Alcohol Clin Exp Res
  1995;19:92-99.
- Anton RF, Moak DH, Latham PK. The Obsessive Compulsive Drinking Scale: a new method of
  assessing outcome in alcoholism treatment studies. Arch Gen Psychiatry 1996;53:225-231.
- Mann K, Ackermann K. Die OCDS-G. Sucht 2000;46:90-100 (German version, same subscales).

Subscales: obsessive (thoughts about drinking) items 1-6, compulsive (drinking behaviour)
items 7-14. The scale is copyrighted, so the item labels below paraphrase each item's topic.

Two scoring rules are in use; see docs/decisions/0010-ocds-scoring-rule.md:

- ``sum`` (default): every item counts; total 0-56, obsessive 0-24, compulsive 0-32.
- ``max-of-pairs``: items that ask about the same facet twice count once, by their higher
  answer, mirroring the five facets per subscale of the Y-BOCS the OCDS was derived from
  (time, interference, distress, resistance, control); total 0-40, each subscale 0-20.
  The pairs are a parameter (:data:`YBOCS_ALIGNED_PAIRS` by default) because we could not
  confirm them against the 1995 scoring key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, Literal

from baclotrack.core.guidelines import Sex
from baclotrack.core.i18n import N_
from baclotrack.core.instruments.base import Instrument, Item, Score, scale

SOURCE: Final = "Anton et al. 1995 Alcohol Clin Exp Res 19:92; Anton et al. 1996 Arch Gen Psychiatry 53:225"

OBSESSIVE_ITEMS: Final = (1, 2, 3, 4, 5, 6)
COMPULSIVE_ITEMS: Final = (7, 8, 9, 10, 11, 12, 13, 14)

#: Item pairs that share a Y-BOCS facet: 1-2 time occupied / frequency of thoughts; 7-8 drinks
#: per day / drinking days per week; 9-10 interference with work / social life; 13-14 drive to
#: drink / control over drinking. Unverified against Anton 1995 (decision 0010).
YBOCS_ALIGNED_PAIRS: Final[tuple[tuple[int, int], ...]] = ((1, 2), (7, 8), (9, 10), (13, 14))

ScoringRule = Literal["sum", "max-of-pairs"]
SCORING_RULES: Final[dict[str, str]] = {
    "sum": "sum of all 14 items (Anton 1995/1996; Mann & Ackermann 2000): total 0-56",
    "max-of-pairs": "Y-BOCS-aligned: higher answer of each paired item counts once: total 0-40",
}

_TOPICS = (
    N_("Time taken up by thoughts, urges or images about drinking when not drinking"),
    N_("How often those thoughts about drinking come"),
    N_("How much those thoughts interfere with work or social life"),
    N_("Distress or disturbance those thoughts cause when not drinking"),
    N_("Effort made to resist or push away those thoughts"),
    N_("Success in stopping or diverting those thoughts"),
    N_("Number of drinks on a typical day"),
    N_("Number of drinking days in a typical week"),
    N_("How much drinking interferes with work"),
    N_("How much drinking interferes with social life"),
    N_("How anxious or upset one would be if prevented from drinking"),
    N_("Effort made to resist drinking"),
    N_("Strength of the drive to drink"),
    N_("How much control one has over drinking"),
)

OCDS_ITEMS: Final[tuple[Item, ...]] = tuple(
    Item(number, topic, scale(range(5))) for number, topic in enumerate(_TOPICS, start=1)
)


class Ocds(Instrument):
    """OCDS total with obsessive and compulsive subscales under a chosen scoring rule."""

    def __init__(
        self, rule: ScoringRule = "sum", pairs: Sequence[tuple[int, int]] = YBOCS_ALIGNED_PAIRS
    ) -> None:
        super().__init__(
            id="ocds",
            name="OCDS",
            title=N_("Obsessive Compulsive Drinking Scale"),
            source=SOURCE,
            items=OCDS_ITEMS,
        )
        if rule not in SCORING_RULES:
            raise ValueError(f"OCDS scoring rule must be one of {list(SCORING_RULES)}, got {rule!r}")
        _check_pairs(pairs)
        self.rule: ScoringRule = rule
        self.pairs = tuple(pairs)

    @property
    def variant(self) -> str:
        return self.rule

    def variants(self) -> dict[str, str]:
        return dict(SCORING_RULES)

    def _with_variant(self, name: str) -> Instrument:
        return Ocds(rule="max-of-pairs" if name == "max-of-pairs" else "sum", pairs=self.pairs)

    @property
    def maximum(self) -> int:
        return self._subscale(dict.fromkeys(range(1, 15), 4), OBSESSIVE_ITEMS + COMPULSIVE_ITEMS)

    def _subscale(self, answers: Mapping[int, int], numbers: Sequence[int]) -> int:
        """Sum over ``numbers``; under max-of-pairs each pair in them counts once, by its higher answer."""
        if self.rule == "sum":
            return sum(answers[n] for n in numbers)
        paired = {n for pair in self.pairs for n in pair}
        singles = sum(answers[n] for n in numbers if n not in paired)
        pairs = sum(max(answers[a], answers[b]) for a, b in self.pairs if a in numbers)
        return singles + pairs

    def _score(self, answers: Mapping[int, int], sex: Sex | None) -> Score:
        subscales = {
            "obsessive": self._subscale(answers, OBSESSIVE_ITEMS),
            "compulsive": self._subscale(answers, COMPULSIVE_ITEMS),
        }
        return Score(
            instrument=self.id,
            total=sum(subscales.values()),
            minimum=self.minimum,
            maximum=self.maximum,
            subscales=subscales,
            variant=self.variant,
        )


def _check_pairs(pairs: Sequence[tuple[int, int]]) -> None:
    """Each pair must lie within one subscale and no item may be in two pairs."""
    seen: set[int] = set()
    for a, b in pairs:
        same_side = {a, b} <= set(OBSESSIVE_ITEMS) or {a, b} <= set(COMPULSIVE_ITEMS)
        if a == b or not same_side or {a, b} & seen:
            raise ValueError(f"OCDS pair ({a}, {b}): must be two distinct items of one subscale, used once")
        seen |= {a, b}
