"""GAD-7: Generalized Anxiety Disorder 7-item scale (7 items 0-3, total 0-21).

Source: Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized
anxiety disorder: the GAD-7. Arch Intern Med 2006;166:1092-1097. The GAD-7 is free to use
(Pfizer, no permission required); the item wording below is the published wording.

- Answers: over the last 2 weeks, "Not at all" (0) to "Nearly every day" (3). The anchors carry
  the message context "GAD-7": the French GAD-7 distributed by Pfizer with the PHQ screeners
  words them "Jamais", "Plusieurs jours", "Plus de la moitié du temps", "Presque tous les
  jours", while the STAI's "Not at all" reads "Pas du tout" (decision 0171).
- Severity: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe anxiety.
- A total of 10 or more is the paper's cut-point for identifying probable generalised anxiety
  disorder (sensitivity 89 %, specificity 82 %), so it is flagged for further evaluation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from baclotrack.core.guidelines import Sex
from baclotrack.core.i18n import N_, NC_, Message
from baclotrack.core.instruments.base import Band, BandSet, Instrument, Item, Score, scale

SOURCE: Final = "Spitzer et al. 2006 Arch Intern Med 166:1092"

# The context is written out in each call: xgettext extracts literals only.
_ANCHORS = {
    0: NC_("GAD-7", "Not at all"),
    1: NC_("GAD-7", "Several days"),
    2: NC_("GAD-7", "More than half the days"),
    3: NC_("GAD-7", "Nearly every day"),
}

GAD7_ITEMS: Final[tuple[Item, ...]] = tuple(
    Item(number, text, scale(range(4), _ANCHORS))
    for number, text in enumerate(
        (
            N_("Feeling nervous, anxious or on edge"),
            N_("Not being able to stop or control worrying"),
            N_("Worrying too much about different things"),
            N_("Trouble relaxing"),
            N_("Being so restless that it is hard to sit still"),
            N_("Becoming easily annoyed or irritable"),
            N_("Feeling afraid as if something awful might happen"),
        ),
        start=1,
    )
)

#: Severity bands, Spitzer et al. 2006.
SEVERITY: Final = BandSet(
    name="spitzer-2006",
    bands=(
        Band(0, 4, N_("Minimal anxiety")),
        Band(5, 9, N_("Mild anxiety")),
        Band(10, 14, N_("Moderate anxiety")),
        Band(15, 21, N_("Severe anxiety")),
    ),
    source=SOURCE,
)

#: Cut-point for probable generalised anxiety disorder, Spitzer et al. 2006.
GAD_CUTPOINT: Final = 10


class Gad7(Instrument):
    def __init__(self) -> None:
        super().__init__(
            id="gad-7",
            name="GAD-7",
            title=N_("Generalized Anxiety Disorder 7-item scale"),
            source=SOURCE,
            items=GAD7_ITEMS,
        )
        self._check_bands(SEVERITY)

    def _score(self, answers: Mapping[int, int], sex: Sex | None) -> Score:
        total = self.sum_of(answers, range(1, 8))
        flags: list[Message] = []
        if total >= GAD_CUTPOINT:
            flags.append(
                Message(
                    N_(
                        "GAD-7 {total} is at or above {cutpoint}: probable generalised anxiety disorder; "
                        "further evaluation is recommended."
                    ),
                    {"total": total, "cutpoint": GAD_CUTPOINT},
                )
            )
        return Score(
            instrument=self.id,
            total=total,
            minimum=self.minimum,
            maximum=self.maximum,
            band=SEVERITY.classify(total),
            flag_messages=tuple(flags),
        )
