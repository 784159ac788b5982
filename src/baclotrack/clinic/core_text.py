"""Core text in the user's language: the one place the clinic translates what the core says.

The core marks its English literals with ``N_`` and keeps texts with numbers as a
:class:`~baclotrack.core.i18n.Message` (decision 0170). Adapters and templates pass such text
through these helpers rather than calling ``gettext`` here and there, so that a page shows
the French catalogue's wording when the user reads French, and the English text otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext, pgettext

from baclotrack.core.i18n import Message, context_of, join_messages, refusal_of


def core_text(text: str | None) -> str:
    """``text`` (an English literal marked with ``N_`` or ``NC_`` in the core) in the active language.

    A literal marked with a context (``NC_``) is looked up in that context, so the same English
    words can read differently per instrument (decision 0171). Text the catalogue does not know
    (a stored free-text note, an older label) is shown as it is.
    """
    if not text:
        return ""  # gettext("") would return the catalogue's header, not an empty string
    context = context_of(text)
    return str(pgettext(context, text) if context is not None else gettext(text))


def core_message(message: Message | Mapping[str, object]) -> str:
    """A core message (or its stored ``to_dict()`` form) translated, then filled with its numbers."""
    if not isinstance(message, Message):
        message = Message.from_dict(message)
    return message.render(core_text)


def refusal_text(error: BaseException) -> str:
    """What a refusal of the core says, in the active language when it was raised with a message
    (``InputError.said``, decision 0183); other errors' text as it is."""
    said = refusal_of(error)
    return core_message(said) if isinstance(said, Message) else said


def core_messages(messages: Sequence[Message | Mapping[str, object]], english: str = "") -> str:
    """Several core messages (a plan step's notes) translated and joined; ``english`` when there are none.

    Rows stored before the messages were kept (plan steps before migration 0006) only have
    the English text, shown translated only if the catalogue knows it as a whole.
    """
    if not messages:
        return core_text(english)
    return join_messages((m if isinstance(m, Message) else Message.from_dict(m) for m in messages), core_text)


def alert_text(alert: Any, part: str) -> str:
    """An alert's ``part`` ("title", "reason" or "action") in the active language.

    Alerts raised since decision 0170 carry their core messages; older rows only have the
    English text, which is still translated when it is a fixed phrase the catalogue knows.
    """
    stored = (alert.messages or {}).get(part)
    return core_message(stored) if stored else core_text(getattr(alert, part))
