"""What every questionnaire shares: items, allowed answers, validation, bands and the score.

An instrument module declares its items (number, short label, allowed answers with their
anchor labels) and its own rules (subscales, bands, flags) with their sources. This module
validates the answers once, the same way for every instrument, so that a web form, a CSV
import and the command line reject the same bad answer with the same message.
"""

from __future__ import annotations

import operator
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, SupportsIndex

from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import Sex
from baclotrack.core.i18n import N_, Message


class InstrumentInputError(InputError):
    """Answers that cannot be scored: a missing, extra or out-of-range item, or a missing field."""


class UnknownInstrumentError(InputError):
    """An instrument id or variant that baclotrack does not know."""


SEXES: Final[tuple[Sex, ...]] = ("F", "M")


@dataclass(frozen=True, slots=True)
class Answer:
    """One allowed answer to an item: the number scored and, where standard, its anchor label."""

    value: int
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One questionnaire item as a form shows it and the scorer checks it.

    ``reverse`` marks an item scored in the opposite direction (its score is
    ``lowest + highest - answer``), as in the STAI's anxiety-absent items.
    """

    number: int
    label: str
    answers: tuple[Answer, ...]
    reverse: bool = False

    def __post_init__(self) -> None:
        values = [a.value for a in self.answers]
        if not values or len(set(values)) != len(values) or values != sorted(values):
            raise ValueError(f"item {self.number}: answers must be distinct and ascending, got {values}")

    @property
    def allowed(self) -> tuple[int, ...]:
        return tuple(a.value for a in self.answers)

    def item_score(self, answer: int) -> int:
        """The score this answer contributes (reversed for reverse-scored items)."""
        return self.allowed[0] + self.allowed[-1] - answer if self.reverse else answer


def scale(values: Sequence[int], labels: Mapping[int, str] | None = None) -> tuple[Answer, ...]:
    """Answers for the given values, labelled where ``labels`` names them."""
    names = labels or {}
    return tuple(Answer(v, names.get(v)) for v in values)


def allowed_message(values: Sequence[int]) -> Message | str:
    """Allowed answers in words, as a message to translate: "0 to 4" for a run, "0, 2 or 4"
    otherwise; a single allowed answer is just its number."""
    run = list(range(values[0], values[-1] + 1))
    if len(values) >= 3 and list(values) == run:
        return Message(N_("{first} to {last}"), {"first": values[0], "last": values[-1]})
    words = [str(v) for v in values]
    if len(words) == 1:
        return words[0]
    return Message(N_("{some} or {last}"), {"some": ", ".join(words[:-1]), "last": words[-1]})


@dataclass(frozen=True, slots=True)
class Band:
    """A labelled range of totals, both ends inclusive."""

    lower: int
    upper: int
    label: str


@dataclass(frozen=True, slots=True)
class BandSet:
    """Contiguous bands over an instrument's whole range, with the source that defines them."""

    name: str
    bands: tuple[Band, ...]
    source: str

    def __post_init__(self) -> None:
        for before, after in zip(self.bands, self.bands[1:], strict=False):
            if after.lower != before.upper + 1:
                raise ValueError(f"band set {self.name}: {before.label!r} and {after.label!r} do not meet")
        if any(b.lower > b.upper for b in self.bands):
            raise ValueError(f"band set {self.name}: a band has lower > upper")

    @property
    def lowest(self) -> int:
        return self.bands[0].lower

    @property
    def highest(self) -> int:
        return self.bands[-1].upper

    def classify(self, total: int) -> str:
        for band in self.bands:
            if band.lower <= total <= band.upper:
                return band.label
        raise ValueError(f"band set {self.name}: total {total} is outside {self.lowest}-{self.highest}")


@dataclass(frozen=True)
class Score:
    """The scored questionnaire: total, subscales, band label and plain-language flags.

    ``variant`` names the scoring rule or band set used (for example "who" zones or the
    OCDS "sum" rule), so that a stored score says how it was made. The band is an English
    literal marked for translation; ``flag_messages`` keep each flag's template and numbers
    apart so that a page can show it in its own language (decision 0170), and ``flags`` are
    the same flags in English.
    """

    instrument: str
    total: int
    minimum: int
    maximum: int
    subscales: dict[str, int] = field(default_factory=dict)
    band: str | None = None
    flag_messages: tuple[Message, ...] = ()
    variant: str | None = None

    @property
    def flags(self) -> list[str]:
        """The flags in English, as the command line shows them."""
        return [flag.text() for flag in self.flag_messages]

    def to_dict(self) -> dict[str, object]:
        return {
            "instrument": self.instrument,
            "total": self.total,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "subscales": dict(self.subscales),
            "band": self.band,
            "flags": list(self.flags),
            "variant": self.variant,
        }


Answers = Sequence[int] | Mapping[int, int]


class Instrument(ABC):
    """A validated questionnaire. Subclasses declare items and implement :meth:`_score`."""

    id: str
    name: str
    title: str
    source: str
    items: tuple[Item, ...]

    def __init__(self, *, id: str, name: str, title: str, source: str, items: tuple[Item, ...]) -> None:
        numbers = [item.number for item in items]
        if numbers != list(range(1, len(items) + 1)):
            raise ValueError(f"{name}: items must be numbered 1..{len(items)}, got {numbers}")
        self.id, self.name, self.title, self.source, self.items = id, name, title, source, items

    # -- range -------------------------------------------------------------------------------------
    @property
    def minimum(self) -> int:
        """Lowest possible total (sum rule; instruments with another rule override)."""
        return sum(min(item.item_score(a) for a in item.allowed) for item in self.items)

    @property
    def maximum(self) -> int:
        """Highest possible total (sum rule; instruments with another rule override)."""
        return sum(max(item.item_score(a) for a in item.allowed) for item in self.items)

    # -- variants (band sets or scoring rules that differ between sources) ---------------------------
    @property
    def variant(self) -> str | None:
        """Name of the band set or scoring rule in use; None where sources agree."""
        return None

    def variants(self) -> dict[str, str]:
        """Known variants, name -> source. Empty where sources agree."""
        return {}

    def with_variant(self, name: str) -> Instrument:
        """The same instrument scored with another band set or rule."""
        known = self.variants()
        if name not in known:
            options = ", ".join(known) if known else "none"
            raise UnknownInstrumentError(f"{self.name} variant: unknown {name!r} (known: {options})")
        return self._with_variant(name)

    def _with_variant(self, name: str) -> Instrument:
        raise NotImplementedError  # pragma: no cover - only reached for instruments with variants

    # -- scoring -----------------------------------------------------------------------------------
    def validate(self, answers: Answers) -> dict[int, int]:
        """Answers as item number -> answer, or :class:`InstrumentInputError` naming the item."""
        if isinstance(answers, Mapping):
            given = dict(answers.items())
            for key in given:
                if isinstance(key, bool) or not isinstance(key, int):
                    not_whole = N_("{instrument} item {key}: item numbers must be whole numbers")
                    raise InstrumentInputError.said(
                        Message(not_whole, {"instrument": self.name, "key": repr(key)})
                    )
        elif isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
            shape = N_(
                "{instrument}: answers must be a list of {n} numbers or a mapping of item number to answer"
            )
            raise InstrumentInputError.said(Message(shape, {"instrument": self.name, "n": len(self.items)}))
        else:
            given = dict(enumerate(answers, start=1))
        checked: dict[int, int] = {}
        for item in self.items:
            if item.number not in given:
                missing = N_("{instrument} item {number}: missing ({instrument} has {n} items)")
                raise InstrumentInputError.said(
                    Message(missing, {"instrument": self.name, "number": item.number, "n": len(self.items)})
                )
            checked[item.number] = self._check_answer(item, given[item.number])
        extra = sorted(set(given) - set(checked), key=str)
        if extra:
            no_item = N_("{instrument} item {number}: no such item ({instrument} has items 1-{n})")
            raise InstrumentInputError.said(
                Message(no_item, {"instrument": self.name, "number": str(extra[0]), "n": len(self.items)})
            )
        return checked

    def _check_answer(self, item: Item, value: object) -> int:
        # bool is an int subclass, but True as an answer is a bug upstream, not a score of 1.
        if isinstance(value, bool) or not isinstance(value, SupportsIndex):
            not_whole = N_("{instrument} item {number}: {value} is not a whole number")
            raise InstrumentInputError.said(
                Message(not_whole, {"instrument": self.name, "number": item.number, "value": repr(value)})
            )
        number = operator.index(value)
        if number not in item.allowed:
            not_allowed = N_("{instrument} item {number}: {value} is not an allowed answer ({allowed})")
            raise InstrumentInputError.said(
                Message(
                    not_allowed,
                    {
                        "instrument": self.name,
                        "number": item.number,
                        "value": number,
                        "allowed": allowed_message(item.allowed),
                    },
                )
            )
        return number

    def score(self, answers: Answers, *, sex: Sex | None = None) -> Score:
        """Validate ``answers`` and score them. ``sex`` is needed only where a cut-off depends on it."""
        if sex is not None and sex not in SEXES:
            raise InstrumentInputError.said(Message(N_("sex: {sex} is not F or M"), {"sex": repr(sex)}))
        return self._score(self.validate(answers), sex)

    def item_scores(self, answers: Mapping[int, int]) -> dict[int, int]:
        """Scores of validated answers, reverse-scored items turned round."""
        return {item.number: item.item_score(answers[item.number]) for item in self.items}

    def sum_of(self, answers: Mapping[int, int], numbers: Sequence[int]) -> int:
        scores = self.item_scores(answers)
        return sum(scores[n] for n in numbers)

    @abstractmethod
    def _score(self, answers: Mapping[int, int], sex: Sex | None) -> Score:
        """Score validated answers (every item present and allowed)."""

    def _check_bands(self, bands: BandSet) -> None:
        """Bands must cover exactly this instrument's range, or a total could go unlabelled."""
        if (bands.lowest, bands.highest) != (self.minimum, self.maximum):
            raise ValueError(
                f"{self.name} band set {bands.name}: covers {bands.lowest}-{bands.highest}, "
                f"instrument range is {self.minimum}-{self.maximum}"
            )
