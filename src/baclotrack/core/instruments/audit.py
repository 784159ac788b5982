"""AUDIT: the WHO Alcohol Use Disorders Identification Test (10 items, total 0-40).

Source: Babor TF, Higgins-Biddle JC, Saunders JB, Monteiro MG. *AUDIT: The Alcohol Use
Disorders Identification Test. Guidelines for Use in Primary Care*, 2nd edition. World Health
Organization, 2001 (WHO/MSD/MSB/01.6a). The AUDIT is in the public domain; the item wording
below is the WHO wording.

- Items 1-8 score 0-4; items 9 and 10 score 0, 2 or 4 (manual, Box 4).
- Domains (manual, Table 1): consumption items 1-3, dependence symptoms items 4-6,
  alcohol-related harm items 7-10.
- Risk zones differ between sources, so they are a variant (default: the WHO zones).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from baclotrack.core.guidelines import Sex
from baclotrack.core.i18n import N_, Message
from baclotrack.core.instruments.base import Band, BandSet, Instrument, Item, Score, scale

SOURCE: Final = "Babor et al. 2001, AUDIT manual 2nd ed., WHO/MSD/MSB/01.6a"

_HOW_OFTEN = {
    0: N_("Never"),
    1: N_("Monthly or less"),
    2: N_("2 to 4 times a month"),
    3: N_("2 to 3 times a week"),
    4: N_("4 or more times a week"),
}
_TYPICAL_DAY = {0: N_("1 or 2"), 1: N_("3 or 4"), 2: N_("5 or 6"), 3: N_("7, 8 or 9"), 4: N_("10 or more")}
_FREQUENCY = {
    0: N_("Never"),
    1: N_("Less than monthly"),
    2: N_("Monthly"),
    3: N_("Weekly"),
    4: N_("Daily or almost daily"),
}
_HARM = {0: N_("No"), 2: N_("Yes, but not in the last year"), 4: N_("Yes, during the last year")}

AUDIT_ITEMS: Final[tuple[Item, ...]] = (
    Item(1, N_("How often do you have a drink containing alcohol?"), scale(range(5), _HOW_OFTEN)),
    Item(
        2,
        N_("How many drinks containing alcohol do you have on a typical day when you are drinking?"),
        scale(range(5), _TYPICAL_DAY),
    ),
    Item(3, N_("How often do you have six or more drinks on one occasion?"), scale(range(5), _FREQUENCY)),
    Item(
        4,
        N_(
            "How often during the last year have you found that you were not able to stop drinking "
            "once you had started?"
        ),
        scale(range(5), _FREQUENCY),
    ),
    Item(
        5,
        N_(
            "How often during the last year have you failed to do what was normally expected from you "
            "because of drinking?"
        ),
        scale(range(5), _FREQUENCY),
    ),
    Item(
        6,
        N_(
            "How often during the last year have you needed a first drink in the morning to get yourself "
            "going after a heavy drinking session?"
        ),
        scale(range(5), _FREQUENCY),
    ),
    Item(
        7,
        N_("How often during the last year have you had a feeling of guilt or remorse after drinking?"),
        scale(range(5), _FREQUENCY),
    ),
    Item(
        8,
        N_(
            "How often during the last year have you been unable to remember what happened the night "
            "before because you had been drinking?"
        ),
        scale(range(5), _FREQUENCY),
    ),
    Item(
        9, N_("Have you or someone else been injured as a result of your drinking?"), scale((0, 2, 4), _HARM)
    ),
    Item(
        10,
        N_(
            "Has a relative or friend or a doctor or another health worker been concerned about your "
            "drinking or suggested you cut down?"
        ),
        scale((0, 2, 4), _HARM),
    ),
)

#: AUDIT domains, manual Table 1.
CONSUMPTION_ITEMS: Final = (1, 2, 3)
DEPENDENCE_ITEMS: Final = (4, 5, 6)
HARM_ITEMS: Final = (7, 8, 9, 10)

#: A sum of 4 or more on items 4-6 suggests alcohol dependence (FACTS.md, after Babor et al.
#: 2001 p. 20: points above 0 on items 4-6, especially weekly or daily, imply the presence or
#: incipient presence of dependence).
DEPENDENCE_SUM_THRESHOLD: Final = 4

#: Manual, scoring notes to Table 3: give the next higher level of intervention to patients
#: scoring 2 or more on any of items 4-6, or 4 on item 9 or 10.
NEXT_LEVEL_DEPENDENCE_ITEM_SCORE: Final = 2
NEXT_LEVEL_HARM_ITEM_SCORE: Final = 4

#: WHO risk zones, Babor et al. 2001, Table 3 (zone IV: referral for diagnostic evaluation).
WHO_ZONES: Final = BandSet(
    name="who",
    bands=(
        Band(0, 7, N_("Zone I: low risk")),
        Band(8, 15, N_("Zone II: hazardous drinking")),
        Band(16, 19, N_("Zone III: harmful drinking")),
        Band(20, 40, N_("Zone IV: possible alcohol dependence")),
    ),
    source="Babor et al. 2001 (WHO), Table 3",
)

#: The same cut-offs with the wording of the UK AUDIT form (Public Health England / OHID
#: "Alcohol use disorders identification test (AUDIT)", 2017 onwards): lower risk, increasing
#: risk, higher risk, possible dependence.
UK_ZONES: Final = BandSet(
    name="uk",
    bands=(
        Band(0, 7, N_("Lower risk")),
        Band(8, 15, N_("Increasing risk")),
        Band(16, 19, N_("Higher risk")),
        Band(20, 40, N_("Possible dependence")),
    ),
    source="Public Health England / OHID AUDIT form (UK wording of the WHO cut-offs)",
)

AUDIT_ZONE_SETS: Final[dict[str, BandSet]] = {b.name: b for b in (WHO_ZONES, UK_ZONES)}


class Audit(Instrument):
    """The 10-item AUDIT scored with a band set (default: WHO zones)."""

    def __init__(self, zones: BandSet = WHO_ZONES) -> None:
        super().__init__(
            id="audit",
            name="AUDIT",
            title=N_("Alcohol Use Disorders Identification Test"),
            source=SOURCE,
            items=AUDIT_ITEMS,
        )
        self._check_bands(zones)
        self.zones = zones

    @property
    def variant(self) -> str:
        return self.zones.name

    def variants(self) -> dict[str, str]:
        return {name: zones.source for name, zones in AUDIT_ZONE_SETS.items()}

    def _with_variant(self, name: str) -> Instrument:
        return Audit(zones=AUDIT_ZONE_SETS[name])

    def _score(self, answers: Mapping[int, int], sex: Sex | None) -> Score:
        subscales = {
            "consumption": self.sum_of(answers, CONSUMPTION_ITEMS),
            "dependence": self.sum_of(answers, DEPENDENCE_ITEMS),
            "harm": self.sum_of(answers, HARM_ITEMS),
        }
        total = sum(subscales.values())
        return Score(
            instrument=self.id,
            total=total,
            minimum=self.minimum,
            maximum=self.maximum,
            subscales=subscales,
            band=self.zones.classify(total),
            flag_messages=tuple(audit_flags(answers)),
            variant=self.variant,
        )


def audit_flags(answers: Mapping[int, int]) -> list[Message]:
    """Plain-language flags from the item pattern (Babor et al. 2001, p. 20 and Table 3 notes)."""
    flags: list[Message] = []
    dependence = sum(answers[n] for n in DEPENDENCE_ITEMS)
    if dependence >= DEPENDENCE_SUM_THRESHOLD:
        flags.append(
            Message(
                N_(
                    "Items 4-6 (dependence symptoms) sum to {sum} (>= {threshold}): "
                    "suggests alcohol dependence."
                ),
                {"sum": dependence, "threshold": DEPENDENCE_SUM_THRESHOLD},
            )
        )
    elif dependence > 0:
        flags.append(
            Message(
                N_(
                    "Items 4-6 (dependence symptoms) sum to {sum}: any point here may mean incipient "
                    "dependence."
                ),
                {"sum": dependence},
            )
        )
    if any(answers[n] >= NEXT_LEVEL_DEPENDENCE_ITEM_SCORE for n in DEPENDENCE_ITEMS) or any(
        answers[n] >= NEXT_LEVEL_HARM_ITEM_SCORE for n in (9, 10)
    ):
        flags.append(
            Message(
                N_(
                    "{dependence_item} or more on an item 4-6, or {harm_item} on item 9 or 10: the manual "
                    "advises the next higher level of intervention than the zone alone suggests."
                ),
                {
                    "dependence_item": NEXT_LEVEL_DEPENDENCE_ITEM_SCORE,
                    "harm_item": NEXT_LEVEL_HARM_ITEM_SCORE,
                },
            )
        )
    harm = sum(answers[n] for n in HARM_ITEMS)
    if harm > 0:
        flags.append(
            Message(
                N_("Items 7-10 (harm) sum to {sum}: alcohol-related harm is already being experienced."),
                {"sum": harm},
            )
        )
    return flags
