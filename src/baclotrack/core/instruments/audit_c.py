"""AUDIT-C: the three consumption items of the AUDIT (total 0-12), a screen whose cut-off depends on sex.

Sources:
- Bush K, Kivlahan DR, McDonell MB, Fihn SD, Bradley KA. The AUDIT alcohol consumption
  questions (AUDIT-C). Arch Intern Med 1998;158:1789-1795 (men: positive at >= 4).
- Bradley KA, Bush KR, Epler AJ, et al. Two brief alcohol-screening tests from the AUDIT:
  validation in a female Veterans Affairs patient population. Arch Intern Med
  2003;163:821-829 (women: positive at >= 3).

The items are AUDIT items 1-3 (Babor et al. 2001, public domain), so they are shared with
:mod:`baclotrack.core.instruments.audit`. Scoring needs the client's sex: without it the
screen result would be ambiguous, so it is refused rather than guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from baclotrack.core.guidelines import Sex
from baclotrack.core.i18n import N_, Message
from baclotrack.core.instruments.audit import AUDIT_ITEMS, CONSUMPTION_ITEMS
from baclotrack.core.instruments.base import Instrument, InstrumentInputError, Score

SOURCE: Final = "Bush et al. 1998 Arch Intern Med 158:1789; Bradley et al. 2003 Arch Intern Med 163:821"

#: Positive screen at or above these totals: women >= 3 (Bradley 2003), men >= 4 (Bush 1998).
POSITIVE_CUTOFF: Final[dict[Sex, int]] = {"F": 3, "M": 4}

POSITIVE: Final = N_("Positive screen")
NEGATIVE: Final = N_("Negative screen")


class AuditC(Instrument):
    """AUDIT items 1-3 with sex-specific cut-offs (parameters; defaults from Bush 1998 and Bradley 2003)."""

    def __init__(self, cutoff: Mapping[Sex, int] = POSITIVE_CUTOFF) -> None:
        super().__init__(
            id="audit-c",
            name="AUDIT-C",
            title=N_("AUDIT consumption questions"),
            source=SOURCE,
            items=tuple(item for item in AUDIT_ITEMS if item.number in CONSUMPTION_ITEMS),
        )
        self.cutoff = dict(cutoff)

    def _score(self, answers: Mapping[int, int], sex: Sex | None) -> Score:
        if sex is None:
            needed = N_(
                "{instrument} sex: needed for the cut-off (positive at >= {women} for women, "
                ">= {men} for men); give F or M"
            )
            raise InstrumentInputError.said(
                Message(needed, {"instrument": self.name, "women": self.cutoff["F"], "men": self.cutoff["M"]})
            )
        total = self.sum_of(answers, CONSUMPTION_ITEMS)
        limit = self.cutoff[sex]
        positive = total >= limit
        flag = (
            N_("AUDIT-C {total} is at or above the cut-off for women ({limit}): screen positive.")
            if sex == "F"
            else N_("AUDIT-C {total} is at or above the cut-off for men ({limit}): screen positive.")
        )
        flags = (Message(flag, {"total": total, "limit": limit}),) if positive else ()
        return Score(
            instrument=self.id,
            total=total,
            minimum=self.minimum,
            maximum=self.maximum,
            band=POSITIVE if positive else NEGATIVE,
            flag_messages=flags,
        )
