"""Splitting daily doses into intakes real tablets can make; never rounding up."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclotrack.core.titration.tablets import (
    TABLET_SETS,
    TABLETS_LIORESAL,
    TABLETS_US,
    TabletError,
    TabletSet,
    get_tablet_set,
    makeable_daily_doses,
    split_daily_dose,
)


def test_thirty_mg_in_three_intakes_is_ten_ten_ten() -> None:
    assert split_daily_dose(30, 3).format_intakes() == "10+10+10"


def test_uneven_dose_puts_the_larger_intake_last() -> None:
    split = split_daily_dose(25, 3, TABLETS_US)
    assert split.format_intakes() == "5+10+10"
    assert not split.rounded_down


def test_unmakeable_dose_is_rounded_down_and_the_note_says_so() -> None:
    split = split_daily_dose(33.3, 3, TABLETS_US)
    assert split.mg_per_day == 30.0
    assert "rounded down from 33.3 to 30 mg/day" in split.note


def test_lioresal_without_halves_cannot_make_5_mg() -> None:
    whole = TabletSet("lioresal-whole", "Lioresal whole", (10.0, 25.0))
    split = split_daily_dose(15, 3, whole)
    assert split.mg_per_day == 10.0
    assert split.rounded_down


def test_lioresal_half_of_the_scored_10_mg_tablet_makes_5_mg() -> None:
    assert split_daily_dose(15, 3, TABLETS_LIORESAL).format_intakes() == "5+5+5"


def test_unscored_tablets_are_never_halved() -> None:
    # Lioresal's 25 mg tablet is not scored: 12.5 mg must not appear.
    assert 12.5 not in TABLETS_LIORESAL.pieces_mg()


def test_forty_five_mg_with_10_and_25_mg_tablets_uses_a_mixed_split() -> None:
    whole = TabletSet("lioresal-whole", "Lioresal whole", (10.0, 25.0))
    split = split_daily_dose(45, 3, whole)
    assert split.mg_per_day == 45.0
    assert sorted(split.intakes) == [10.0, 10.0, 25.0]


def test_a_dose_too_small_to_split_uses_fewer_intakes_and_says_so() -> None:
    split = split_daily_dose(5, 3, TABLETS_US)
    assert split.intakes == (5.0,)
    assert "1 intake instead of 3" in split.note


def test_a_dose_below_the_smallest_tablet_is_zero_with_a_note() -> None:
    split = split_daily_dose(2.5, 3, TABLETS_US)
    assert split.mg_per_day == 0.0 and split.intakes == ()
    assert "below the smallest" in split.note


def test_negative_dose_is_rejected_naming_the_field() -> None:
    with pytest.raises(TabletError, match="mg_per_day"):
        split_daily_dose(-5, 3)


def test_scored_strength_must_belong_to_the_set() -> None:
    with pytest.raises(TabletError, match="scored strengths"):
        TabletSet("bad", "bad", (10.0,), frozenset({20.0}), True)


def test_unknown_tablet_set_lists_the_known_ones() -> None:
    with pytest.raises(TabletError, match="known: us, lioresal, baclocur"):
        get_tablet_set("xyz")


def test_makeable_daily_doses_start_at_the_smallest_piece() -> None:
    assert makeable_daily_doses(20, 3, TABLETS_US) == [5.0, 10.0, 15.0, 20.0]


@given(
    mg=st.floats(min_value=0, max_value=320, allow_nan=False),
    intakes=st.integers(min_value=1, max_value=4),
    tablets=st.sampled_from(list(TABLET_SETS.values())),
)
def test_a_split_never_exceeds_the_request_and_adds_up(mg: float, intakes: int, tablets: TabletSet) -> None:
    split = split_daily_dose(mg, intakes, tablets)
    assert split.mg_per_day <= mg + 1e-9
    assert sum(split.intakes) == pytest.approx(split.mg_per_day)
    assert len(split.intakes) <= intakes
    # All three bundled sets make every multiple of 5 mg, so rounding down loses less than 5 mg.
    assert mg - split.mg_per_day < 5.0
