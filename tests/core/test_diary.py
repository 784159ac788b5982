"""The shared DiaryDay record: validation names the date and field."""

from __future__ import annotations

import datetime as dt

import pytest

from baclotrack.core.diary import SIDE_EFFECTS, DiaryDay, DiaryError, sort_diary
from baclotrack.core.guidelines import HEAVY_DAY_EMA, HEAVY_DAY_FDA

DAY = dt.date(2026, 5, 4)


def test_side_effect_list_is_the_agreed_nine_with_labels() -> None:
    assert list(SIDE_EFFECTS) == [
        "somnolence",
        "dizziness",
        "fatigue",
        "insomnia",
        "nausea",
        "confusion",
        "paraesthesia",
        "mood_change",
        "other",
    ]
    assert all(label for label in SIDE_EFFECTS.values())


def test_a_full_day_is_accepted_and_frozen() -> None:
    day = DiaryDay(DAY, grams=20.5, craving=3, anxiety=0, dose_taken_mg=30, side_effects={"nausea": 2})
    assert day.severity("nausea") == 2 and day.severity("dizziness") == 0
    assert day.max_severity == 2
    with pytest.raises(TypeError):
        day.side_effects["nausea"] = 3  # type: ignore[index]


def test_unreported_values_stay_none_not_zero() -> None:
    day = DiaryDay(DAY)
    assert (day.grams, day.craving, day.anxiety, day.dose_taken_mg) == (None, None, None, None)
    assert day.is_heavy("M", HEAVY_DAY_FDA) is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"craving": 11}, "craving: must be from 0 to 10, got 11"),
        ({"anxiety": -1}, "anxiety: must be from 0 to 10"),
        ({"craving": 2.5}, "craving: must be a whole number"),
        ({"grams": -4}, "grams: must be between 0 and"),
        ({"grams": float("nan")}, "grams: must be a number"),
        ({"dose_taken_mg": 5000}, "dose_taken_mg: must be between 0 and"),
        ({"side_effects": {"itching": 1}}, "side_effects: unknown side effect 'itching'"),
        ({"side_effects": {"nausea": 4}}, r"side_effects\[nausea\]: must be from 0 to 3"),
        ({"side_effects": {"nausea": True}}, r"side_effects\[nausea\]: must be a whole number"),
    ],
)
def test_bad_values_are_rejected_naming_the_date_and_field(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(DiaryError, match=f"diary 2026-05-04: {message}"):
        DiaryDay(DAY, **kwargs)  # type: ignore[arg-type]


def test_a_datetime_is_not_a_diary_date() -> None:
    with pytest.raises(DiaryError, match="date must be a calendar date"):
        DiaryDay(dt.datetime(2026, 5, 4, 12, 0))


def test_heavy_day_uses_the_given_definition() -> None:
    day = DiaryDay(DAY, grams=56)
    assert day.is_heavy("F", HEAVY_DAY_FDA) is True
    assert day.is_heavy("M", HEAVY_DAY_FDA) is False
    assert day.is_heavy("F", HEAVY_DAY_EMA) is True


def test_sorting_rejects_two_entries_for_one_date() -> None:
    with pytest.raises(DiaryError, match="two entries for the same date"):
        sort_diary([DiaryDay(DAY), DiaryDay(DAY, grams=0)])
    later = DiaryDay(DAY + dt.timedelta(days=1))
    assert sort_diary([later, DiaryDay(DAY)])[0].date == DAY
