"""CIWA-Ar: Clinical Institute Withdrawal Assessment for Alcohol, revised (10 items, total 0-67).

Source: Sullivan JT, Sykora K, Schneiderman J, Naranjo CA, Sellers EM. Assessment of alcohol
withdrawal: the revised Clinical Institute Withdrawal Assessment for Alcohol scale (CIWA-Ar).
Br J Addict 1989;84:1353-1357. The scale is not copyrighted; the anchors below are shortened
from the published form. Nine items score 0-7 and orientation scores 0-4.

The 1989 paper gives no severity bands; its form notes that patients scoring under 10 do not
usually need additional medication for withdrawal. Later sources draw the bands differently,
so the band set is a variant (default: the ASAM 2020 guideline; decision 0011). For a client on
baclofen this matters when a dose is stopped abruptly or alcohol intake falls quickly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from baclotrack.core.guidelines import Sex
from baclotrack.core.i18n import N_, Message
from baclotrack.core.instruments.base import Band, BandSet, Instrument, Item, Score, scale

SOURCE: Final = "Sullivan et al. 1989 Br J Addict 84:1353"

_HALLUCINATION_SCALE = {
    2: N_("Mild"),
    3: N_("Moderate"),
    4: N_("Moderately severe hallucinations"),
    5: N_("Severe hallucinations"),
    6: N_("Extremely severe hallucinations"),
    7: N_("Continuous hallucinations"),
}


def _anchored(number: int, label: str, anchors: Mapping[int, str], highest: int = 7) -> Item:
    return Item(number, label, scale(range(highest + 1), anchors))


CIWA_AR_ITEMS: Final[tuple[Item, ...]] = (
    _anchored(
        1,
        N_("Nausea and vomiting"),
        {
            0: N_("No nausea, no vomiting"),
            1: N_("Mild nausea, no vomiting"),
            4: N_("Intermittent nausea with dry heaves"),
        }
        | {7: N_("Constant nausea, frequent dry heaves and vomiting")},
    ),
    _anchored(
        2,
        N_("Tremor (arms extended, fingers spread)"),
        {0: N_("No tremor"), 1: N_("Not visible, but can be felt fingertip to fingertip")}
        | {4: N_("Moderate, with arms extended"), 7: N_("Severe, even with arms not extended")},
    ),
    _anchored(
        3,
        N_("Paroxysmal sweats"),
        {
            0: N_("No sweat visible"),
            1: N_("Barely perceptible, palms moist"),
            4: N_("Beads of sweat obvious on forehead"),
        }
        | {7: N_("Drenching sweats")},
    ),
    _anchored(
        4,
        N_("Anxiety"),
        {0: N_("No anxiety, at ease"), 1: N_("Mildly anxious"), 4: N_("Moderately anxious, or guarded")}
        | {7: N_("Equivalent to acute panic states")},
    ),
    _anchored(
        5,
        N_("Agitation"),
        {
            0: N_("Normal activity"),
            1: N_("Somewhat more than normal activity"),
            4: N_("Moderately fidgety and restless"),
        }
        | {7: N_("Paces back and forth or constantly thrashes about")},
    ),
    _anchored(
        6,
        N_("Tactile disturbances (itching, pins and needles, burning, numbness, crawling)"),
        {0: N_("None"), 1: N_("Very mild")} | _HALLUCINATION_SCALE,
    ),
    _anchored(
        7,
        N_("Auditory disturbances (harsh sounds, hearing things)"),
        {0: N_("Not present"), 1: N_("Very mild harshness or ability to frighten")} | _HALLUCINATION_SCALE,
    ),
    _anchored(
        8,
        N_("Visual disturbances (light too bright, seeing things)"),
        {0: N_("Not present"), 1: N_("Very mild sensitivity")} | _HALLUCINATION_SCALE,
    ),
    _anchored(
        9,
        N_("Headache, fullness in head"),
        {
            0: N_("Not present"),
            1: N_("Very mild"),
            2: N_("Mild"),
            3: N_("Moderate"),
            4: N_("Moderately severe"),
        }
        | {5: N_("Severe"), 6: N_("Very severe"), 7: N_("Extremely severe")},
    ),
    _anchored(
        10,
        N_("Orientation and clouding of sensorium"),
        {0: N_("Oriented, can do serial additions"), 1: N_("Cannot do serial additions or unsure of date")}
        | {2: N_("Date wrong by no more than 2 days"), 3: N_("Date wrong by more than 2 days")}
        | {4: N_("Disoriented for place and/or person")},
        highest=4,
    ),
)

#: ASAM Clinical Practice Guideline on Alcohol Withdrawal Management, J Addict Med 2020;14(3S
#: Suppl 1):1-72, withdrawal severity table (Table 1 of its Guideline Central pocket guide):
#: mild < 10, moderate 10-18, severe >= 19. The guideline's "complicated" withdrawal is defined
#: by seizures or delirium, not by score, and the guideline warns that severity cut-offs vary.
ASAM_2020: Final = BandSet(
    name="asam-2020",
    bands=(
        Band(0, 9, N_("Mild withdrawal")),
        Band(10, 18, N_("Moderate withdrawal")),
        Band(19, 67, N_("Severe withdrawal")),
    ),
    source="ASAM Clinical Practice Guideline on Alcohol Withdrawal Management 2020",
)

#: The three bands most often quoted with Sullivan 1989 (e.g. US VA PAWS guidance; Table 2 of
#: the review PMC6286444): < 8 mild, 8-15 moderate, > 15 severe.
THREE_LEVEL_8_15: Final = BandSet(
    name="8-15",
    bands=(
        Band(0, 7, N_("Mild withdrawal")),
        Band(8, 15, N_("Moderate withdrawal")),
        Band(16, 67, N_("Severe withdrawal")),
    ),
    source="Common reading of Sullivan 1989: < 8 mild, 8-15 moderate, > 15 severe",
)

#: Four levels: <= 8 absent or minimal, 9-15 mild, 16-20 moderate, > 20 severe (as quoted with
#: Bakhla et al. 2014, J Addict 2014:745839).
FOUR_LEVEL: Final = BandSet(
    name="four-level",
    bands=(
        Band(0, 8, N_("Absent or minimal withdrawal")),
        Band(9, 15, N_("Mild withdrawal")),
        Band(16, 20, N_("Moderate withdrawal")),
        Band(21, 67, N_("Severe withdrawal")),
    ),
    source="Four-level reading, as quoted with Bakhla et al. 2014",
)

CIWA_BAND_SETS: Final[dict[str, BandSet]] = {b.name: b for b in (ASAM_2020, THREE_LEVEL_8_15, FOUR_LEVEL)}

#: Sullivan 1989 form: patients scoring under 10 do not usually need additional medication.
MEDICATION_USUALLY_NEEDED_FROM: Final = 10


class CiwaAr(Instrument):
    """CIWA-Ar total scored with a band set (default: ASAM 2020)."""

    def __init__(self, bands: BandSet = ASAM_2020) -> None:
        super().__init__(
            id="ciwa-ar",
            name="CIWA-Ar",
            title=N_("Clinical Institute Withdrawal Assessment for Alcohol, revised"),
            source=SOURCE,
            items=CIWA_AR_ITEMS,
        )
        self._check_bands(bands)
        self.bands = bands

    @property
    def variant(self) -> str:
        return self.bands.name

    def variants(self) -> dict[str, str]:
        return {name: bands.source for name, bands in CIWA_BAND_SETS.items()}

    def _with_variant(self, name: str) -> Instrument:
        return CiwaAr(bands=CIWA_BAND_SETS[name])

    def _score(self, answers: Mapping[int, int], sex: Sex | None) -> Score:
        total = self.sum_of(answers, range(1, 11))
        flags: list[Message] = []
        if total >= MEDICATION_USUALLY_NEEDED_FROM:
            flags.append(
                Message(
                    N_(
                        "CIWA-Ar {total} is {threshold} or more: withdrawal treatment is usually needed "
                        "(Sullivan 1989: under {threshold} usually needs none)."
                    ),
                    {"total": total, "threshold": MEDICATION_USUALLY_NEEDED_FROM},
                )
            )
        if answers[10] > 0:
            # ASAM 2020: clouding of the sensorium or confusion marks complicated withdrawal.
            flags.append(
                Message(
                    N_(
                        "Orientation / clouding of sensorium above 0: confusion may signal complicated "
                        "withdrawal (delirium); assess promptly."
                    )
                )
            )
        return Score(
            instrument=self.id,
            total=total,
            minimum=self.minimum,
            maximum=self.maximum,
            band=self.bands.classify(total),
            flag_messages=tuple(flags),
            variant=self.variant,
        )
