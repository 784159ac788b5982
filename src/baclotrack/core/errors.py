"""Domain exceptions shared by the core, the analysis layer and every interface."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from baclotrack.core.i18n import Message


class InputError(ValueError):
    """Bad input. The message names the field, item or row and says what is wrong.

    Interfaces (CLI, web forms, importers) show the message as it is, so it must make
    sense to the person who typed the value.

    A refusal a clinician can meet on a web page is raised with :meth:`said`: its English text
    is the error's text, as before, and :attr:`message` keeps the marked template and its
    values, so that the web shows the refusal in the reader's language (decision 0183).
    """

    #: The refusal as a core message, or None where the core only has English text.
    message: Message | None = None

    @classmethod
    def said(cls, message: Message) -> Self:
        """An error of this class whose text is ``message`` in English, keeping ``message``."""
        error = cls(message.text())
        error.message = message
        return error
