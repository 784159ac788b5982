"""GAD-7 (Spitzer 2006), CIWA-Ar (Sullivan 1989; ASAM 2020), PACS (Flannery 1999), STAI-Y1 (Spielberger)."""

from __future__ import annotations

import pytest

from baclotrack.core.i18n import context_of
from baclotrack.core.instruments import INSTRUMENTS, score
from baclotrack.core.instruments.stai_y1 import REVERSED_ITEMS


def spread(total: int, n_items: int, top: int) -> list[int]:
    """Answers (0..top) reaching ``total``, filling items from the first."""
    answers = []
    for _ in range(n_items):
        answers.append(min(top, total))
        total -= answers[-1]
    assert total == 0
    return answers


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "Minimal anxiety"),
        (4, "Minimal anxiety"),
        (5, "Mild anxiety"),
        (9, "Mild anxiety"),
        (10, "Moderate anxiety"),
        (14, "Moderate anxiety"),
        (15, "Severe anxiety"),
        (21, "Severe anxiety"),
    ],
)
def test_gad7_bands_at_each_boundary(total: int, band: str) -> None:
    result = score("gad-7", spread(total, 7, 3))
    assert (result.total, result.band) == (total, band)


def test_gad7_flags_probable_gad_from_ten() -> None:
    assert score("gad-7", spread(9, 7, 3)).flags == []
    assert "probable generalised anxiety disorder" in score("gad-7", spread(10, 7, 3)).flags[0]


def test_gad7_answers_carry_the_published_anchors() -> None:
    labels = [a.label for a in INSTRUMENTS["gad-7"].items[0].answers]
    assert labels == ["Not at all", "Several days", "More than half the days", "Nearly every day"]


def test_ciwa_ar_range_is_nine_items_0_to_7_and_orientation_0_to_4() -> None:
    items = INSTRUMENTS["ciwa-ar"].items
    assert [item.allowed[-1] for item in items] == [7] * 9 + [4]
    assert score("ciwa-ar", [7] * 9 + [4]).total == 67


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "Mild withdrawal"),
        (9, "Mild withdrawal"),
        (10, "Moderate withdrawal"),
        (18, "Moderate withdrawal"),
        (19, "Severe withdrawal"),
        (67, "Severe withdrawal"),
    ],
)
def test_ciwa_ar_asam_2020_bands_are_the_default(total: int, band: str) -> None:
    result = score("ciwa-ar", [*spread(total, 9, 7), 0] if total < 64 else [7] * 9 + [total - 63])
    assert (result.total, result.band, result.variant) == (total, band, "asam-2020")


@pytest.mark.parametrize(
    ("variant", "total", "band"),
    [
        ("8-15", 7, "Mild withdrawal"),
        ("8-15", 8, "Moderate withdrawal"),
        ("8-15", 15, "Moderate withdrawal"),
        ("8-15", 16, "Severe withdrawal"),
        ("four-level", 8, "Absent or minimal withdrawal"),
        ("four-level", 9, "Mild withdrawal"),
        ("four-level", 16, "Moderate withdrawal"),
        ("four-level", 20, "Moderate withdrawal"),
        ("four-level", 21, "Severe withdrawal"),
    ],
)
def test_ciwa_ar_alternative_band_sets(variant: str, total: int, band: str) -> None:
    assert score("ciwa-ar", [*spread(total, 9, 7), 0], variant=variant).band == band


def test_ciwa_ar_flags_medication_threshold_of_ten() -> None:
    assert score("ciwa-ar", [*spread(9, 9, 7), 0]).flags == []
    assert "usually needed" in score("ciwa-ar", [*spread(10, 9, 7), 0]).flags[0]


def test_ciwa_ar_flags_any_disorientation() -> None:
    result = score("ciwa-ar", [0] * 9 + [1])
    assert result.band == "Mild withdrawal"
    assert any("complicated withdrawal" in f for f in result.flags)


def test_pacs_total_is_the_sum_without_band() -> None:
    result = score("pacs", [6, 5, 4, 3, 2])
    assert (result.total, result.band, result.minimum, result.maximum) == (20, None, 0, 30)
    with pytest.raises(ValueError, match="7 is not an allowed answer"):
        score("pacs", [7, 0, 0, 0, 0])


def test_stai_y1_reverse_scores_the_anxiety_absent_items() -> None:
    assert {1, 2, 5, 8, 10, 11, 15, 16, 19, 20} == REVERSED_ITEMS
    # all answers 4: ten anxiety-present items score 4, ten anxiety-absent items score 1
    assert score("stai-y1", [4] * 20).total == 50
    most_anxious = [1 if n in REVERSED_ITEMS else 4 for n in range(1, 21)]
    least_anxious = [4 if n in REVERSED_ITEMS else 1 for n in range(1, 21)]
    assert score("stai-y1", most_anxious).total == 80
    assert score("stai-y1", least_anxious).total == 20


def test_stai_y1_does_not_reproduce_copyrighted_item_text() -> None:
    labels = [item.label for item in INSTRUMENTS["stai-y1"].items]
    assert all(label.startswith("State anxiety: statement of anxiety") for label in labels)
    assert [n for n, label in enumerate(labels, 1) if "absent" in label] == sorted(REVERSED_ITEMS)


def test_gad7_anchors_carry_their_own_message_context_and_stai_anchors_none() -> None:
    gad7 = [context_of(a.label or "") for a in INSTRUMENTS["gad-7"].items[0].answers]
    stai = [context_of(a.label or "") for a in INSTRUMENTS["stai-y1"].items[0].answers]
    assert gad7 == ["GAD-7"] * 4 and stai == [None] * 4


@pytest.mark.parametrize(
    ("instrument", "answers", "sex"),
    [
        ("audit", [4, 4, 3, 2, 1, 2, 1, 0, 2, 4], None),
        ("audit-c", [2, 1, 0], "F"),
        ("gad-7", spread(12, 7, 3), None),
        ("ciwa-ar", [*spread(12, 9, 7), 2], None),
    ],
)
def test_flags_are_messages_whose_numbers_stay_out_of_the_template(
    instrument: str, answers: list[int], sex: str | None
) -> None:
    result = score(instrument, answers, sex=sex)
    assert result.flags and result.flags == [flag.text() for flag in result.flag_messages]
    for flag in result.flag_messages:
        assert str(result.total) not in flag.template or not flag.params
