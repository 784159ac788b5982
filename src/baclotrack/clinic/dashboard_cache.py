"""What a dashboard draws or fits, kept for every worker of the machine and keyed by exactly the data
it was made from.

A client's dashboard is read far more often than the client's diary changes, and its two costly
parts are pure functions of their inputs: the timeline SVG (reports/charts.py) of the timeline
frame, and the dose-response fit of the diary. The key is a digest of those inputs (plus the
client's id, so nothing is ever shared across clients, and the language of the texts), so a saved
or corrected diary day, a new plan or another language simply gives a new key: there is nothing to
invalidate and a stale entry can never be served (docs/decisions/0150-dashboard-cache-by-content.md).

The store is the ``dashboard`` cache of the settings: files under var/ that the gunicorn workers of
one machine share, so a chart is drawn once per change, not once per worker that serves it. The
app empties it when it starts (:func:`clear_left_over`, called from the app's ``ready()``), so an entry made
by another version of the code is never served (decision 0179).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import polars as pl
from django.conf import settings
from django.core.cache import BaseCache, caches
from django.utils import translation

T = TypeVar("T")

#: The settings' cache of the dashboard (size and lifetime are set there).
STORE = "dashboard"


def _store() -> BaseCache:
    return caches[STORE]


def digest(*inputs: object) -> str:
    """A SHA-256 of ``inputs``; a polars frame counts by its full CSV text (every row and value)."""
    sha = hashlib.sha256()
    for item in inputs:
        text = item.write_csv() if isinstance(item, pl.DataFrame) else repr(item)
        sha.update(text.encode())
        sha.update(b"\x00")
    return sha.hexdigest()


def cached(kind: str, client_id: int, inputs: tuple[object, ...], make: Callable[[], T]) -> T:
    """``make()``, computed once per (kind, client, language, inputs) for the workers of this machine."""
    key = f"{kind}:{client_id}:{translation.get_language()}:{digest(*inputs)}"
    store = _store()
    found = store.get(key)
    if found is None:
        found = make()
        store.set(key, found)
    return found  # type: ignore[no-any-return]


def clear_left_over() -> None:
    """At start-up: drop what a previous run kept, since its code may have drawn differently. A
    store that does not exist yet is left alone (a command on an unconfigured machine creates no
    directory)."""
    location = settings.CACHES[STORE].get("LOCATION")
    if not location or Path(str(location)).exists():
        clear()


def clear() -> None:
    """Forget every entry: at start-up (so that no drawing of other code is served), in tests, and
    in benchmarks that time the first render."""
    _store().clear()
