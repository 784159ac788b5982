"""Errors of the clinic's services; forms show their message next to the field it names."""

from __future__ import annotations

from baclotrack.core.errors import InputError


class ClinicInputError(InputError):
    """A write the clinic refuses: the message names the field and says what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.detail = message
