"""The core's translation markers: N_ is a no-op and Message keeps template and numbers apart."""

from __future__ import annotations

import pytest

from baclotrack.core.i18n import N_, Message, MessageError


def test_marker_returns_the_english_text_unchanged() -> None:
    assert N_("Dizziness") == "Dizziness"


def test_message_text_formats_the_english_template_with_its_numbers() -> None:
    message = Message(N_("Hold at {dose:g} mg/day"), {"dose": 45.0})
    assert message.text() == "Hold at 45 mg/day"


def test_render_translates_the_template_before_filling_in_the_numbers() -> None:
    french = {"Hold at {dose:g} mg/day": "Maintenir à {dose:g} mg/j"}
    message = Message("Hold at {dose:g} mg/day", {"dose": 37.5})
    assert message.render(lambda t: french.get(t, t)) == "Maintenir à 37.5 mg/j"


def test_render_translates_nested_messages_too() -> None:
    french = {
        "Persistent side effect: {effect}": "Effet indésirable persistant : {effect}",
        "Dizziness": "Vertiges",
    }
    message = Message("Persistent side effect: {effect}", {"effect": Message("Dizziness")})
    assert message.render(lambda t: french.get(t, t)) == "Effet indésirable persistant : Vertiges"
    assert message.text() == "Persistent side effect: Dizziness"


def test_message_whose_fields_do_not_match_its_parameters_is_refused() -> None:
    with pytest.raises(MessageError, match=r"fields \['dose'\] do not match parameters \['mg'\]"):
        Message("Hold at {dose:g} mg/day", {"mg": 45.0})


def test_message_survives_a_round_trip_through_its_stored_form() -> None:
    message = Message("{effect} for {days} days", {"effect": Message("Nausea"), "days": 3})
    assert Message.from_dict(message.to_dict()) == message


@pytest.mark.parametrize(
    "stored",
    [{"params": {}}, {"template": "x {n}", "params": {"n": [1]}}, {"template": "x", "params": "n"}],
)
def test_malformed_stored_message_is_refused(stored: dict[str, object]) -> None:
    with pytest.raises(MessageError, match="message"):
        Message.from_dict(stored)


def test_a_tuple_of_messages_is_shown_as_a_translated_list() -> None:
    french = {"Dizziness": "Vertiges", "Nausea": "Nausées", "Reported: {effects}.": "Signalés : {effects}."}
    message = Message("Reported: {effects}.", {"effects": (Message("Dizziness"), Message("Nausea"))})
    assert message.text() == "Reported: Dizziness, Nausea."
    assert message.render(lambda t: french.get(t, t)) == "Signalés : Vertiges, Nausées."
    assert Message.from_dict(message.to_dict()) == message


def test_lowercase_label_is_lowered_in_every_language() -> None:
    message = Message("Persistent side effect: {effect}", {"effect": Message("Dizziness", lowercase=True)})
    assert message.text() == "Persistent side effect: dizziness"
    assert message.render(lambda t: {"Dizziness": "Vertiges"}.get(t, t)).endswith(": vertiges")
    assert Message.from_dict(message.to_dict()) == message
