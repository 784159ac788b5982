"""AUDIT and AUDIT-C against Babor et al. 2001 (WHO), Bush et al. 1998 and Bradley et al. 2003."""

from __future__ import annotations

import pytest

from baclotrack.core.instruments import INSTRUMENTS, InstrumentInputError, score
from baclotrack.core.instruments.audit import UK_ZONES, WHO_ZONES, Audit


def answers_totalling(total: int) -> list[int]:
    """AUDIT answers reaching ``total`` through items 1-3 first, then items 7-8 (all scored 0-4)."""
    answers = [0] * 10
    for index in (0, 1, 2, 6, 7):  # items 1-3, 7-8 accept 0-4
        answers[index] = min(4, total)
        total -= answers[index]
    assert total == 0, "helper reaches at most 20 through these items"
    return answers


def test_audit_total_and_domains_follow_the_manual() -> None:
    result = score("audit", [4, 4, 3, 2, 1, 2, 1, 0, 2, 4])
    assert result.total == 23
    assert result.subscales == {"consumption": 11, "dependence": 5, "harm": 7}
    assert (result.minimum, result.maximum) == (0, 40)


@pytest.mark.parametrize(
    ("total", "zone"),
    [
        (0, "Zone I: low risk"),
        (7, "Zone I: low risk"),
        (8, "Zone II: hazardous drinking"),
        (15, "Zone II: hazardous drinking"),
        (16, "Zone III: harmful drinking"),
        (19, "Zone III: harmful drinking"),
        (20, "Zone IV: possible alcohol dependence"),
    ],
)
def test_audit_who_zones_at_each_boundary(total: int, zone: str) -> None:
    result = score("audit", answers_totalling(total))
    assert result.total == total
    assert result.band == zone
    assert result.variant == "who"


def test_audit_top_score_is_zone_four() -> None:
    assert score("audit", [4] * 10).band == "Zone IV: possible alcohol dependence"


def test_audit_uk_variant_keeps_cutoffs_and_changes_wording() -> None:
    assert score("audit", answers_totalling(8), variant="uk").band == "Increasing risk"
    assert score("audit", answers_totalling(7), variant="uk").band == "Lower risk"
    assert [b.lower for b in UK_ZONES.bands] == [b.lower for b in WHO_ZONES.bands]


def test_audit_dependence_flag_needs_items_4_to_6_to_sum_to_four() -> None:
    below = score("audit", [0, 0, 0, 1, 1, 1, 0, 0, 0, 0])
    at = score("audit", [0, 0, 0, 2, 1, 1, 0, 0, 0, 0])
    assert not any("suggests alcohol dependence" in f for f in below.flags)
    assert any("incipient dependence" in f for f in below.flags)
    assert any("sum to 4 (>= 4): suggests alcohol dependence" in f for f in at.flags)


def test_audit_consumption_only_raises_no_flags() -> None:
    assert score("audit", [4, 4, 4, 0, 0, 0, 0, 0, 0, 0]).flags == []


def test_audit_item_10_at_four_advises_next_level_of_intervention() -> None:
    result = score("audit", [1, 0, 0, 0, 0, 0, 0, 0, 0, 4])
    assert result.band == "Zone I: low risk"
    assert any("next higher level of intervention" in f for f in result.flags)
    assert any("harm) sum to 4" in f for f in result.flags)


def test_audit_items_9_and_10_accept_only_0_2_4() -> None:
    assert INSTRUMENTS["audit"].items[8].allowed == (0, 2, 4)
    with pytest.raises(
        InstrumentInputError, match=r"^AUDIT item 9: 3 is not an allowed answer \(0, 2 or 4\)$"
    ):
        score("audit", [4, 4, 3, 2, 1, 2, 1, 0, 3, 4])


def test_audit_items_carry_who_anchor_labels() -> None:
    item1 = INSTRUMENTS["audit"].items[0]
    assert item1.answers[0].label == "Never" and item1.answers[4].label == "4 or more times a week"
    assert INSTRUMENTS["audit"].items[9].answers[2].label == "Yes, during the last year"


def test_audit_bands_must_cover_the_whole_range() -> None:
    from baclotrack.core.instruments import Band, BandSet

    short = BandSet("short", (Band(0, 7, "low"), Band(8, 39, "high")), "test")
    with pytest.raises(ValueError, match="covers 0-39"):
        Audit(zones=short)


@pytest.mark.parametrize(
    ("answers", "sex", "band"),
    [
        ([1, 1, 0], "F", "Negative screen"),
        ([1, 1, 1], "F", "Positive screen"),
        ([2, 1, 0], "M", "Negative screen"),
        ([2, 1, 1], "M", "Positive screen"),
        ([4, 4, 4], "M", "Positive screen"),
        ([0, 0, 0], "F", "Negative screen"),
    ],
)
def test_audit_c_cutoff_is_three_for_women_four_for_men(answers: list[int], sex: str, band: str) -> None:
    result = score("audit-c", answers, sex=sex)  # type: ignore[arg-type]
    assert result.band == band
    assert result.total == sum(answers)
    assert bool(result.flags) == (band == "Positive screen")


def test_audit_c_refuses_to_guess_without_sex() -> None:
    with pytest.raises(InstrumentInputError, match=r"^AUDIT-C sex: needed for the cut-off"):
        score("audit-c", [2, 1, 1])


def test_audit_c_rejects_an_unknown_sex() -> None:
    with pytest.raises(InstrumentInputError, match=r"^sex: 'X' is not F or M$"):
        score("audit-c", [2, 1, 1], sex="X")  # type: ignore[arg-type]


def test_audit_c_items_are_audit_items_1_to_3() -> None:
    assert INSTRUMENTS["audit-c"].items == INSTRUMENTS["audit"].items[:3]
