"""Domain exceptions shared by the core, the analysis layer and every interface."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input. The message names the field, item or row and says what is wrong.

    Interfaces (CLI, web forms, importers) show the message as it is, so it must make
    sense to the person who typed the value.
    """
