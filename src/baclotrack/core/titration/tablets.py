"""Splitting a daily baclofen dose into intakes that real tablets can make.

A plan is only safe if the client can take it: "25 mg in three intakes" is not a dose anyone
can swallow with 10 mg tablets. This module finds, for a daily dose and a number of intakes,
the largest total a tablet set can make without going over the intended dose, and says
when it had to round down. It never rounds up (docs/decisions/0031-tablet-rounding.md).

Tablet strengths (FACTS.md "Baclofen"):
- US generic baclofen: 5, 10 and 20 mg tablets (FDA labels via DailyMed/openFDA). Half
  tablets are not used for the US set: the 5 mg tablet already gives 5 mg steps.
- Lioresal (Novartis, France/UK): 10 and 25 mg; the French label's usual start is
  "5 mg (1/2 comprimé) 3 fois par jour", so the 10 mg tablet is scored (Vidal monograph).
  The 25 mg tablet is not treated as scored (no source checked).
- Baclocur (Ethypharm, France, 2018): 10, 20, 30 and 40 mg film-coated scored tablets
  ("comprimé pelliculé sécable ... peut être divisé en doses égales", ANSM SmPC).
Half tablets are used only for strengths listed as scored, and only when the set allows it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

from baclotrack.core.diary import MAX_DOSE_MG_PER_DAY
from baclotrack.core.errors import InputError
from baclotrack.core.i18n import N_, Message, join_messages


class TabletError(InputError):
    """A tablet set or dose that cannot describe real tablets."""


#: Doses are handled in hundredths of a milligram, so that 12.5 mg (half a 25 mg tablet)
#: and 2.5 mg are exact integers and no floating-point sum drifts.
_CENTI: Final = 100


@dataclass(frozen=True, slots=True)
class TabletSet:
    """The tablet strengths a client can get, and which may be broken in half."""

    id: str
    name: str
    strengths_mg: tuple[float, ...]
    scored_mg: frozenset[float] = field(default_factory=frozenset)
    allow_halves: bool = False
    source: str = ""

    def __post_init__(self) -> None:
        if not self.strengths_mg:
            raise TabletError(f"tablets {self.id!r}: at least one strength is needed")
        for mg in self.strengths_mg:
            if not math.isfinite(mg) or mg <= 0:
                raise TabletError(f"tablets {self.id!r}: strength must be a positive number of mg, got {mg}")
            if abs(mg * _CENTI - round(mg * _CENTI)) > 1e-6:
                raise TabletError(f"tablets {self.id!r}: strength {mg} mg has more than two decimals")
        unknown = self.scored_mg - set(self.strengths_mg)
        if unknown:
            raise TabletError(f"tablets {self.id!r}: scored strengths {sorted(unknown)} are not in the set")

    def pieces_mg(self) -> tuple[float, ...]:
        """Amounts one piece can hold: whole tablets, plus halves of scored ones when allowed."""
        pieces = set(self.strengths_mg)
        if self.allow_halves:
            pieces |= {mg / 2 for mg in self.scored_mg}
        return tuple(sorted(pieces))

    @property
    def smallest_piece_mg(self) -> float:
        return self.pieces_mg()[0]

    def describe(self) -> str:
        strengths = "/".join(_fmt(mg) for mg in sorted(self.strengths_mg))
        halves = " (halves of scored tablets allowed)" if self.allow_halves and self.scored_mg else ""
        return f"{self.name}: {strengths} mg{halves}"


TABLETS_US: Final = TabletSet(
    id="us",
    name=N_("US generic baclofen"),
    strengths_mg=(5.0, 10.0, 20.0),
    scored_mg=frozenset({10.0, 20.0}),
    allow_halves=False,
    source="FDA baclofen tablet labels (5, 10, 20 mg), DailyMed/openFDA",
)
TABLETS_LIORESAL: Final = TabletSet(
    id="lioresal",
    name="Lioresal",
    strengths_mg=(10.0, 25.0),
    scored_mg=frozenset({10.0}),
    allow_halves=True,
    source="Lioresal SmPC (10 mg scored, 25 mg); French label start '5 mg (1/2 comprimé) 3 fois par jour'",
)
TABLETS_BACLOCUR: Final = TabletSet(
    id="baclocur",
    name="Baclocur",
    strengths_mg=(10.0, 20.0, 30.0, 40.0),
    scored_mg=frozenset({10.0, 20.0, 30.0, 40.0}),
    allow_halves=True,
    source="Baclocur SmPC (ANSM 2018): film-coated scored tablets 10/20/30/40 mg, divisible into equal doses",
)

TABLET_SETS: Final[dict[str, TabletSet]] = {t.id: t for t in (TABLETS_US, TABLETS_LIORESAL, TABLETS_BACLOCUR)}

#: Default set: the US strengths give 5 mg steps without breaking tablets.
DEFAULT_TABLETS: Final = TABLETS_US


def get_tablet_set(tablet_id: str) -> TabletSet:
    """Tablet set by id (us, lioresal, baclocur)."""
    try:
        return TABLET_SETS[tablet_id.strip().lower()]
    except KeyError:
        known = ", ".join(TABLET_SETS)
        raise TabletError(f"tablets: unknown tablet set {tablet_id!r} (known: {known})") from None


@dataclass(frozen=True, slots=True)
class DailySplit:
    """A daily dose as intakes; ``requested_mg`` is what was asked for, ``mg_per_day`` what can be made.

    ``note`` says in English why the dose differs from the request; ``messages`` are the same
    notes as translatable messages (decision 0170).
    """

    requested_mg: float
    mg_per_day: float
    intakes: tuple[float, ...]
    note: str
    messages: tuple[Message, ...] = ()

    @property
    def rounded_down(self) -> bool:
        return self.mg_per_day < self.requested_mg

    def format_intakes(self) -> str:
        """Intakes as written on a prescription, such as ``10+10+10``; ``0`` for no dose."""
        return "+".join(_fmt(mg) for mg in self.intakes) if self.intakes else "0"


def _fmt(mg: float) -> str:
    return f"{mg:g}"


@lru_cache(maxsize=64)
def _makeable_units(tablets: TabletSet, max_units: int) -> frozenset[int]:
    """Single-intake amounts (in centi-mg, up to ``max_units``) that sums of pieces can make."""
    pieces = [round(mg * _CENTI) for mg in tablets.pieces_mg()]
    reachable = [False] * (max_units + 1)
    reachable[0] = True
    for amount in range(1, max_units + 1):
        reachable[amount] = any(p <= amount and reachable[amount - p] for p in pieces)
    return frozenset(a for a in range(1, max_units + 1) if reachable[a])


def _even_split(total: int, n: int, makeable: list[int]) -> tuple[int, ...] | None:
    """``n`` makeable intakes summing to ``total``, using at most two values, as even as possible.

    Candidates are pairs (low, high) of makeable amounts around the mean; the pair with the
    smallest spread that adds up wins. The larger intakes go last (evening), where sedation
    is least troublesome. Returns None when no such split exists.
    """
    best: tuple[int, tuple[int, ...]] | None = None
    lows = [m for m in makeable if m * n <= total]
    highs = [m for m in makeable if m * n >= total]
    for low in reversed(lows):
        for high in highs:
            if best is not None and high - low >= best[0]:
                break
            if high == low:
                count_high = n if low * n == total else -1
            elif (total - n * low) % (high - low) == 0:
                count_high = (total - n * low) // (high - low)
            else:
                count_high = -1
            if 0 <= count_high <= n:
                best = (high - low, (low,) * (n - count_high) + (high,) * count_high)
    return None if best is None else best[1]


@lru_cache(maxsize=4096)
def split_daily_dose(
    mg_per_day: float, intakes_per_day: int, tablets: TabletSet = DEFAULT_TABLETS
) -> DailySplit:
    """Split ``mg_per_day`` into at most ``intakes_per_day`` intakes the tablet set can make.

    The result is the largest makeable total not above the request (never rounded up);
    among splits of that total, the one with the most intakes (up to the requested number)
    and the smallest spread between intakes.

    >>> split_daily_dose(30, 3).format_intakes()
    '10+10+10'
    >>> s = split_daily_dose(33.3, 3)
    >>> s.mg_per_day, s.format_intakes()
    (30.0, '10+10+10')
    """
    if not math.isfinite(mg_per_day) or not 0 <= mg_per_day <= MAX_DOSE_MG_PER_DAY:
        raise TabletError(f"mg_per_day: must be from 0 to {MAX_DOSE_MG_PER_DAY:g} mg, got {mg_per_day}")
    if intakes_per_day < 1:
        raise TabletError(f"intakes_per_day: must be at least 1, got {intakes_per_day}")
    requested_units = math.floor(mg_per_day * _CENTI + 1e-6)
    makeable = sorted(_makeable_units(tablets, max(requested_units, 1)))
    # Only sums of tablet pieces can be daily totals, so try those, largest first.
    for total in reversed(makeable):
        for n in range(intakes_per_day, 0, -1):
            split = _even_split(total, n, makeable)
            if split is not None:
                return _describe(mg_per_day, split, intakes_per_day, tablets)
    notes: tuple[Message, ...] = ()
    if mg_per_day > 0:
        notes = (
            Message(
                N_(
                    "{dose:g} mg/day is below the smallest {tablets} dose ({smallest:g} mg): "
                    "no dose can be made"
                ),
                {"dose": mg_per_day, "tablets": Message(tablets.name), "smallest": tablets.smallest_piece_mg},
            ),
        )
    return DailySplit(
        requested_mg=float(mg_per_day), mg_per_day=0.0, intakes=(), note=join_messages(notes), messages=notes
    )


def _describe(requested: float, split: tuple[int, ...], wanted_n: int, tablets: TabletSet) -> DailySplit:
    intakes = tuple(u / _CENTI for u in split)
    total = sum(split) / _CENTI
    notes: list[Message] = []
    if total < requested - 1e-9:
        notes.append(
            Message(
                N_(
                    "rounded down from {requested:.4g} to {total:g} mg/day to fit {tablets} tablets "
                    "({strengths} mg)"
                ),
                {
                    "requested": requested,
                    "total": total,
                    "tablets": Message(tablets.name),
                    "strengths": "/".join(_fmt(s) for s in tablets.strengths_mg),
                },
            )
        )
    if len(intakes) < wanted_n:
        fewer = (
            N_("{n} intake instead of {wanted}: {total:g} mg cannot be split further")
            if len(intakes) == 1
            else N_("{n} intakes instead of {wanted}: {total:g} mg cannot be split further")
        )
        notes.append(Message(fewer, {"n": len(intakes), "wanted": wanted_n, "total": total}))
    return DailySplit(
        requested_mg=float(requested),
        mg_per_day=total,
        intakes=intakes,
        note=join_messages(notes),
        messages=tuple(notes),
    )


def makeable_daily_doses(
    max_mg: float, intakes_per_day: int, tablets: TabletSet = DEFAULT_TABLETS
) -> list[float]:
    """Every daily dose from the smallest up to ``max_mg`` that splits exactly into intakes."""
    doses: set[float] = set()
    for units in sorted(_makeable_units(tablets, math.floor(max_mg * _CENTI + 1e-6))):
        split = split_daily_dose(units / _CENTI, intakes_per_day, tablets)
        if not split.rounded_down:
            doses.add(split.mg_per_day)
    return sorted(doses)
