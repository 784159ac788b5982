"""Answer validation and the registry: every bad answer is refused with a message naming the item."""

from __future__ import annotations

import numpy as np
import pytest

from baclotrack.core.errors import InputError
from baclotrack.core.instruments import (
    INSTRUMENTS,
    Band,
    BandSet,
    InstrumentInputError,
    UnknownInstrumentError,
    get_instrument,
    score,
)
from baclotrack.core.instruments.base import allowed_message


def test_registry_holds_the_seven_instruments_by_lower_case_id() -> None:
    assert list(INSTRUMENTS) == ["audit", "audit-c", "ocds", "pacs", "gad-7", "ciwa-ar", "stai-y1"]
    assert all(key == instrument.id for key, instrument in INSTRUMENTS.items())


def test_every_item_has_a_label_and_allowed_answers_for_forms() -> None:
    for instrument in INSTRUMENTS.values():
        for item in instrument.items:
            assert item.label.strip(), f"{instrument.id} item {item.number} has no label"
            assert item.allowed, f"{instrument.id} item {item.number} has no answers"


def test_instrument_id_is_case_insensitive() -> None:
    assert get_instrument(" GAD-7 ") is INSTRUMENTS["gad-7"]


def test_unknown_instrument_lists_the_known_ids() -> None:
    with pytest.raises(UnknownInstrumentError, match=r"^instrument: unknown 'phq-9' \(known: audit, audit-c"):
        score("phq-9", [0] * 9)


def test_unknown_variant_lists_the_known_variants() -> None:
    with pytest.raises(
        UnknownInstrumentError, match=r"^CIWA-Ar variant: unknown 'x' \(known: asam-2020, 8-15"
    ):
        score("ciwa-ar", [0] * 10, variant="x")
    with pytest.raises(UnknownInstrumentError, match=r"\(known: none\)"):
        score("pacs", [0] * 5, variant="x")


def test_errors_are_input_errors_for_every_interface() -> None:
    assert issubclass(InstrumentInputError, InputError)
    assert issubclass(UnknownInstrumentError, InputError)


def test_missing_item_in_a_short_list_is_named() -> None:
    with pytest.raises(InstrumentInputError, match=r"^GAD-7 item 7: missing \(GAD-7 has 7 items\)$"):
        score("gad-7", [0, 1, 2, 3, 0, 1])


def test_extra_item_in_a_long_list_is_named() -> None:
    with pytest.raises(InstrumentInputError, match=r"^PACS item 6: no such item \(PACS has items 1-5\)$"):
        score("pacs", [0, 1, 2, 3, 4, 5])


def test_mapping_answers_score_like_the_list_and_name_missing_items() -> None:
    as_list = score("gad-7", [3, 2, 1, 0, 1, 2, 3])
    as_mapping = score("gad-7", {7: 3, 6: 2, 5: 1, 4: 0, 3: 1, 2: 2, 1: 3})
    assert as_list == as_mapping
    with pytest.raises(InstrumentInputError, match=r"^GAD-7 item 4: missing"):
        score("gad-7", {1: 0, 2: 0, 3: 0, 5: 0, 6: 0, 7: 0})
    with pytest.raises(InstrumentInputError, match=r"^GAD-7 item 0: no such item"):
        score("gad-7", {0: 1, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0})


def test_mapping_keys_must_be_item_numbers_not_strings() -> None:
    with pytest.raises(InstrumentInputError, match=r"^PACS item '1': item numbers must be whole numbers$"):
        score("pacs", {"1": 0, 2: 0, 3: 0, 4: 0, 5: 0})  # type: ignore[dict-item]


@pytest.mark.parametrize("bad", [1.5, "2", None, True])
def test_non_integer_answers_are_refused_by_item(bad: object) -> None:
    answers: list[object] = [0, bad, 0, 0, 0]
    with pytest.raises(InstrumentInputError, match=r"^PACS item 2: .* is not a whole number$"):
        score("pacs", answers)  # type: ignore[arg-type]


def test_numpy_integers_are_accepted() -> None:
    assert score("pacs", list(np.array([1, 2, 3, 4, 5]))).total == 15


def test_out_of_range_answer_names_item_and_range() -> None:
    with pytest.raises(
        InstrumentInputError, match=r"^CIWA-Ar item 10: 5 is not an allowed answer \(0 to 4\)$"
    ):
        score("ciwa-ar", [0] * 9 + [5])
    with pytest.raises(
        InstrumentInputError, match=r"^STAI-Y1 item 1: 0 is not an allowed answer \(1 to 4\)$"
    ):
        score("stai-y1", [0] + [1] * 19)


def test_a_string_is_not_a_list_of_answers() -> None:
    with pytest.raises(InstrumentInputError, match=r"^PACS: answers must be a list of 5 numbers"):
        score("pacs", "01234")  # type: ignore[arg-type]


def describe_allowed(values: tuple[int, ...]) -> str:
    said = allowed_message(values)
    return said if isinstance(said, str) else said.text()


def test_allowed_answers_are_described_in_words() -> None:
    assert describe_allowed((0, 2, 4)) == "0, 2 or 4"
    assert describe_allowed((0, 1, 2, 3)) == "0 to 3"
    assert describe_allowed((0, 1)) == "0 or 1"
    assert describe_allowed((3,)) == "3"


def test_band_sets_must_be_contiguous() -> None:
    with pytest.raises(ValueError, match="do not meet"):
        BandSet("gap", (Band(0, 4, "low"), Band(6, 10, "high")), "test")


def test_score_to_dict_is_plain_data() -> None:
    data = score("audit", [4, 4, 3, 2, 1, 2, 1, 0, 2, 4]).to_dict()
    assert data["total"] == 23
    assert data["band"] == "Zone IV: possible alcohol dependence"
    assert data["subscales"] == {"consumption": 11, "dependence": 5, "harm": 7}
    assert isinstance(data["flags"], list) and data["variant"] == "who"
