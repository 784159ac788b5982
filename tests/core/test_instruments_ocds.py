"""OCDS subscales (Anton et al. 1995: obsessive items 1-6, compulsive 7-14) under both scoring rules."""

from __future__ import annotations

import pytest

from baclotrack.core.instruments import score
from baclotrack.core.instruments.ocds import YBOCS_ALIGNED_PAIRS, Ocds


def test_default_rule_is_the_plain_sum() -> None:
    result = score("ocds", [1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4])
    assert result.variant == "sum"
    assert result.subscales == {"obsessive": 11, "compulsive": 19}
    assert result.total == 30
    assert (result.minimum, result.maximum) == (0, 56)


def test_obsessive_subscale_is_items_1_to_6_only() -> None:
    result = score("ocds", [4] * 6 + [0] * 8)
    assert result.subscales == {"obsessive": 24, "compulsive": 0}


def test_compulsive_subscale_is_items_7_to_14_only() -> None:
    result = score("ocds", [0] * 6 + [4] * 8)
    assert result.subscales == {"obsessive": 0, "compulsive": 32}


def test_max_of_pairs_counts_each_pair_once_by_its_higher_answer() -> None:
    # items 1-2 = (1, 3) -> 3; 7-8 = (4, 2) -> 4; 9-10 = (0, 1) -> 1; 13-14 = (2, 2) -> 2
    answers = [1, 3, 1, 1, 1, 1, 4, 2, 0, 1, 1, 1, 2, 2]
    result = score("ocds", answers, variant="max-of-pairs")
    assert result.subscales == {"obsessive": 3 + 4, "compulsive": 4 + 1 + 1 + 1 + 2}
    assert result.total == 16
    assert result.variant == "max-of-pairs"


def test_max_of_pairs_range_is_0_to_40_with_20_per_subscale() -> None:
    top = score("ocds", [4] * 14, variant="max-of-pairs")
    assert (top.total, top.minimum, top.maximum) == (40, 0, 40)
    assert top.subscales == {"obsessive": 20, "compulsive": 20}


def test_pairs_are_a_parameter() -> None:
    only_first = Ocds(rule="max-of-pairs", pairs=((1, 2),))
    assert only_first.maximum == 52
    assert only_first.score([4, 0] + [0] * 12).total == 4


@pytest.mark.parametrize("pairs", [((6, 7),), ((1, 1),), ((1, 2), (2, 3))])
def test_pairs_must_stay_within_one_subscale_and_not_overlap(pairs: tuple[tuple[int, int], ...]) -> None:
    with pytest.raises(ValueError, match="OCDS pair"):
        Ocds(rule="max-of-pairs", pairs=pairs)


def test_default_pairs_share_a_ybocs_facet_within_each_subscale() -> None:
    assert YBOCS_ALIGNED_PAIRS == ((1, 2), (7, 8), (9, 10), (13, 14))


def test_ocds_has_no_band() -> None:
    assert score("ocds", [2] * 14).band is None
