"""Property tests over every instrument: valid answers score within range; sum rules add item scores."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from baclotrack.core.instruments import INSTRUMENTS, Instrument, score
from baclotrack.core.instruments.ocds import Ocds

SUM_RULE = ["audit", "audit-c", "ocds", "pacs", "gad-7", "ciwa-ar", "stai-y1"]


def valid_answers(instrument: Instrument) -> st.SearchStrategy[list[int]]:
    return st.tuples(*(st.sampled_from(item.allowed) for item in instrument.items)).map(list)


@st.composite
def instrument_and_answers(draw: st.DrawFn) -> tuple[str, list[int], str | None]:
    key = draw(st.sampled_from(SUM_RULE))
    instrument = INSTRUMENTS[key]
    variants: list[str | None] = [*instrument.variants()] or [None]
    variant = draw(st.sampled_from(variants))
    return key, draw(valid_answers(instrument)), variant


@settings(derandomize=True, max_examples=300)
@given(instrument_and_answers(), st.sampled_from(["F", "M"]))
def test_any_valid_answers_score_within_the_instrument_range(
    case: tuple[str, list[int], str | None], sex: str
) -> None:
    key, answers, variant = case
    result = score(key, answers, sex=sex, variant=variant)  # type: ignore[arg-type]
    assert result.minimum <= result.total <= result.maximum
    assert result.instrument == key


@settings(derandomize=True, max_examples=300)
@given(instrument_and_answers(), st.sampled_from(["F", "M"]))
def test_total_is_the_sum_of_item_scores_under_the_sum_rule(
    case: tuple[str, list[int], str | None], sex: str
) -> None:
    key, answers, _ = case
    instrument = INSTRUMENTS[key]
    expected = sum(item.item_score(a) for item, a in zip(instrument.items, answers, strict=True))
    assert score(key, answers, sex=sex).total == expected  # type: ignore[arg-type]


@settings(derandomize=True, max_examples=200)
@given(valid_answers(INSTRUMENTS["ocds"]))
def test_ocds_max_of_pairs_never_exceeds_the_sum_and_subscales_add_up(answers: list[int]) -> None:
    plain = Ocds(rule="sum").score(answers)
    paired = Ocds(rule="max-of-pairs").score(answers)
    assert paired.total <= plain.total
    assert paired.total == sum(paired.subscales.values())
    assert plain.total == sum(plain.subscales.values())


@settings(derandomize=True, max_examples=200)
@given(valid_answers(INSTRUMENTS["audit"]))
def test_audit_domains_add_up_to_the_total(answers: list[int]) -> None:
    result = score("audit", answers)
    assert sum(result.subscales.values()) == result.total
