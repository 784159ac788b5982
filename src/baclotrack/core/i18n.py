"""Translatable text from the core, without Django.

The core shows clinicians words of its own: questionnaire items and anchors, band labels,
protocol names, side effects, beverages and alert texts. It must stay free of Django (house
rule), so it cannot call ``gettext``. Instead it *marks* its literals with :func:`N_`, a
no-op like Django's ``gettext_noop``: the literal stays English for the command line and the
PDF, and ``makemessages --keyword=N_`` extracts it into the clinic's catalogue so the web
layer can translate the English text at display time (decision 0170).

A text with numbers in it cannot be looked up once formatted ("Hold at 45 mg/day" is not in
any catalogue). Such texts are kept as a :class:`Message`: the marked English template and
its parameters, separately. The core formats it in English with :meth:`Message.text`; the
web translates the template first, then formats it with the same parameters.

One English text may need two translations: the GAD-7's "Not at all" is "Jamais" in the
validated French GAD-7, the STAI's is "Pas du tout". :func:`NC_` marks such a literal with a
message context (gettext's ``msgctxt``), which the text carries with it to the web layer
(decision 0171).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, Union

from baclotrack.core.errors import InputError


class MessageError(InputError):
    """A message template whose fields do not match its parameters."""


def N_(text: str) -> str:
    """Mark ``text`` for translation and return it unchanged (the core stays in English)."""
    return text


class ContextText(str):
    """An English literal that carries its message context (gettext's ``msgctxt``).

    It *is* the English text (equal to it, hashed like it, printed as it), so the core, the
    command line and the PDF use it like any string; only the web layer asks for
    :func:`context_of` to pick the translation made for that context.
    """

    context: str

    def __new__(cls, context: str, text: str) -> ContextText:
        if not context:
            raise MessageError(f"message {text!r}: a message context must not be empty")
        made = super().__new__(cls, text)
        made.context = context
        return made

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        # Pickling (the per-process page cache) must rebuild it with its context.
        return (self.context, str(self))


def NC_(context: str, text: str) -> str:
    """Mark ``text`` for translation in ``context``, like Django's ``pgettext_noop``.

    The text stays English for the core; the context goes with it, so that the same English
    words can be translated differently where the wording of a validated instrument differs
    (``makemessages --keyword=NC_:1c,2`` extracts the pair).
    """
    return ContextText(context, text)


def context_of(text: str) -> str | None:
    """The message context :func:`NC_` gave ``text``, or None for a text without one."""
    return text.context if isinstance(text, ContextText) else None


#: A parameter is a number, a plain string (a code, a date), a nested message whose own
#: template is translated too (a side-effect name inside an alert title), or a tuple of
#: nested messages shown as a comma-separated list.
Param = Union[int, float, str, "Message", tuple["Message", ...]]
#: English template in, translated template out (``gettext`` in the web layer).
Translate = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Message:
    """An English template marked with :func:`N_` and the parameters that fill it.

    Templates use :meth:`str.format` fields (``"Hold at {dose:g} mg/day"``), because a format
    spec such as ``:g`` keeps numbers written the same way in every language. ``lowercase``
    marks a label used in the middle of a sentence ("persistent side effect: dizziness").
    """

    template: str
    params: Mapping[str, Param] = field(default_factory=dict)
    lowercase: bool = False

    def __post_init__(self) -> None:
        fields = {name for _, name, _, _ in string.Formatter().parse(self.template) if name is not None}
        if fields != set(self.params):
            raise MessageError(
                f"message {self.template!r}: fields {sorted(fields)} do not match parameters "
                f"{sorted(self.params)}"
            )

    def text(self) -> str:
        """The message in English, as the command line and the PDF report show it."""
        return self.render(lambda template: template)

    def show(self, translate: Translate | None) -> str:
        """In English when ``translate`` is None (command line, PDF), else rendered with it (web)."""
        return self.text() if translate is None else self.render(translate)

    def render(self, translate: Translate) -> str:
        """The message with ``translate`` applied to this template and to nested messages."""
        values = {k: _render_param(v, translate) for k, v in self.params.items()}
        text = translate(self.template).format(**values)
        return text.lower() if self.lowercase else text

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-able form, e.g. to store beside the English text in a database row."""
        stored: dict[str, object] = {
            "template": str(self.template),
            "params": {k: _param_to_json(v) for k, v in self.params.items()},
        }
        context = context_of(self.template)
        if context is not None:
            stored["context"] = context
        if self.lowercase:
            stored["lowercase"] = True
        return stored

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Message:
        """Inverse of :meth:`to_dict`; a malformed dict raises :class:`MessageError`."""
        template, params = data.get("template"), data.get("params", {})
        context = data.get("context")
        if not isinstance(template, str) or not isinstance(params, Mapping):
            raise MessageError(f"message: expected a template string and a params mapping, got {data!r}")
        if context is not None:
            if not isinstance(context, str):
                raise MessageError(f"message {template!r}: context must be a string, got {context!r}")
            template = NC_(context, template)
        values: dict[str, Param] = {}
        for key, value in params.items():
            if isinstance(value, Mapping):
                values[str(key)] = cls.from_dict(value)
            elif isinstance(value, list | tuple) and all(isinstance(v, Mapping) for v in value):
                values[str(key)] = tuple(cls.from_dict(v) for v in value)
            elif isinstance(value, int | float | str):
                values[str(key)] = value
            else:
                raise MessageError(f"message {template!r}: parameter {key!r} has unusable value {value!r}")
        return cls(template, values, lowercase=data.get("lowercase") is True)


#: Joins several notes shown as one text, such as the notes of one plan day.
NOTE_SEPARATOR: Final = "; "


def join_messages(messages: Iterable[Message], translate: Translate | None = None) -> str:
    """Several messages as one text, in English or rendered with ``translate``; empty ones are skipped."""
    texts = (m.show(translate) for m in messages)
    return NOTE_SEPARATOR.join(text for text in texts if text)


def _render_param(value: Param, translate: Translate) -> int | float | str:
    if isinstance(value, Message):
        return value.render(translate)
    if isinstance(value, tuple):
        return ", ".join(v.render(translate) for v in value)
    return value


def _param_to_json(value: Param) -> object:
    if isinstance(value, Message):
        return value.to_dict()
    if isinstance(value, tuple):
        return [v.to_dict() for v in value]
    return value


def refusal_of(error: BaseException) -> Message | str:
    """What ``error`` says, as a message when it was raised with ``InputError.said``, else its text.

    A check that quotes another's refusal nests this in its own message, so a translated
    refusal stays translated inside the quote and an English-only one stays as it is.
    """
    message = getattr(error, "message", None)
    return message if isinstance(message, Message) else str(error)
