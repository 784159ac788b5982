"""The core's translation markers: N_ is a no-op, NC_ adds a context, Message keeps numbers apart."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

from baclotrack.core.i18n import N_, NC_, Message, MessageError, context_of, join_messages


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


def test_context_marker_keeps_the_english_text_and_carries_its_context() -> None:
    text = NC_("GAD-7", "Not at all")
    assert text == "Not at all" and f"{text}" == "Not at all"
    assert context_of(text) == "GAD-7"
    assert context_of(N_("Not at all")) is None


def test_an_empty_message_context_is_refused() -> None:
    with pytest.raises(MessageError, match="context must not be empty"):
        NC_("", "Not at all")


def test_render_passes_the_context_to_the_translator() -> None:
    seen: list[str | None] = []

    def translate(template: str) -> str:
        seen.append(context_of(template))
        return {"GAD-7": "Jamais"}.get(context_of(template) or "", "Pas du tout")

    assert Message(NC_("GAD-7", "Not at all")).render(translate) == "Jamais"
    assert Message(N_("Not at all")).render(translate) == "Pas du tout"
    assert seen == ["GAD-7", None]


def test_context_survives_the_stored_form_and_pickling() -> None:
    stored = Message(NC_("GAD-7", "Not at all")).to_dict()
    assert stored == {"template": "Not at all", "params": {}, "context": "GAD-7"}
    assert context_of(Message.from_dict(stored).template) == "GAD-7"
    assert context_of(pickle.loads(pickle.dumps(NC_("GAD-7", "Several days")))) == "GAD-7"
    with pytest.raises(MessageError, match="context must be a string"):
        Message.from_dict({"template": "x", "params": {}, "context": 3})


def test_joined_messages_skip_empty_ones_and_translate_each() -> None:
    notes = [Message("Hold at {dose:g} mg/day", {"dose": 45.0}), Message(""), Message("Dizziness")]
    french = {"Hold at {dose:g} mg/day": "Maintenir à {dose:g} mg/j", "Dizziness": "Vertiges"}
    assert join_messages(notes) == "Hold at 45 mg/day; Dizziness"
    assert join_messages(notes, lambda t: french.get(t, t)) == "Maintenir à 45 mg/j; Vertiges"


def test_show_is_english_without_a_translator_and_rendered_with_one() -> None:
    message = Message("Hold at {dose:g} mg/day", {"dose": 45.0})
    assert message.show(None) == "Hold at 45 mg/day"
    assert message.show(lambda template: template.replace("Hold at", "Garder")) == "Garder 45 mg/day"


def test_a_refusal_said_with_a_message_reads_as_before_and_keeps_the_message() -> None:
    from baclotrack.core.diary import DiaryDay, DiaryError
    from baclotrack.core.i18n import refusal_of

    with pytest.raises(DiaryError) as refused:
        DiaryDay(date=dt.date(2026, 3, 1), craving=12)
    assert str(refused.value) == "diary 2026-03-01: craving: must be from 0 to 10, got 12"
    said = refusal_of(refused.value)
    assert isinstance(said, Message) and said.text() == str(refused.value)
    shouted = said.render(lambda template: template.replace("must be", "MUST BE"))
    assert shouted == "diary 2026-03-01: craving: MUST BE from 0 to 10, got 12"


def test_a_refusal_without_a_message_is_quoted_as_its_text() -> None:
    from baclotrack.core.errors import InputError
    from baclotrack.core.i18n import refusal_of

    assert refusal_of(InputError("window: the name is blank")) == "window: the name is blank"
    assert InputError("plain").message is None


def test_a_nested_allowed_answers_message_is_translated_with_its_refusal() -> None:
    from baclotrack.core.instruments import get_instrument
    from baclotrack.core.instruments.base import InstrumentInputError

    with pytest.raises(InstrumentInputError) as refused:
        get_instrument("gad-7").validate([0, 1, 2, 3, 4, 1, 0])
    message = refused.value.message
    assert message is not None and message.text() == str(refused.value)
    french = {
        "{instrument} item {number}: {value} is not an allowed answer ({allowed})": "{instrument} {number} "
        "{value} ({allowed})",
        "{first} to {last}": "{first} à {last}",
    }
    assert message.render(lambda t: french.get(t, t)) == "GAD-7 5 4 (0 à 3)"
