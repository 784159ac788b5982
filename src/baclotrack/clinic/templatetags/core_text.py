"""``{% load core_text %}``: translate text that comes from the pure core (decision 0170)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from baclotrack.clinic import core_text as helpers
from baclotrack.core.i18n import Message
from baclotrack.exchange.csv_table import RowProblem

register = template.Library()


@register.filter(name="core_text")
def core_text(value: str | None) -> str:
    """``{{ assessment.band|core_text }}``: a core label in the page's language."""
    return helpers.core_text(value)


@register.filter(name="core_message")
def core_message(value: Message | Mapping[str, object] | None) -> str:
    """``{{ alert.message|core_message }}``: a core message translated and filled with its numbers."""
    return "" if not value else helpers.core_message(value)


@register.filter(name="alert_text")
def alert_text(alert: Any, part: str) -> str:
    """``{{ alert|alert_text:"title" }}``: an alert's title, reason or action in the page's language."""
    return helpers.alert_text(alert, part)


@register.filter(name="problem_reason")
def problem_reason(problem: RowProblem) -> str:
    """``{{ p|problem_reason }}``: why a CSV row was refused, in the page's language when the
    problem carries its message (the exchange's own checks), else as it was written (a service's
    text, already translated, or a core refusal quoted in English)."""
    return problem.reason if problem.message is None else helpers.core_message(problem.message)
