"""What a dashboard draws or fits, kept per process and keyed by exactly the data it was made from.

A client's dashboard is read far more often than the client's diary changes, and its two costly
parts are pure functions of their inputs: the timeline SVG (reports/charts.py) of the timeline
frame, and the dose-response fit of the diary. The key is a digest of those inputs (plus the
client's id, so nothing is ever shared across clients, and the language of the texts), so a saved
or corrected diary day, a new plan or another language simply gives a new key: there is nothing to
invalidate and a stale entry can never be served (docs/decisions/0150-dashboard-cache-by-content.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

import polars as pl
from django.core.cache.backends.locmem import LocMemCache
from django.utils import translation

T = TypeVar("T")

#: Entries kept per process (least recently used dropped first); an SVG of two years is about 150 kB.
MAX_ENTRIES = 200
#: Seconds an entry lives: entries of an edited diary are never read again, so they only age out.
TIMEOUT_SECONDS = 24 * 3600

# Its own store, not the default cache: the sign-in throttle's counters live there and must not be
# culled to make room for charts.
_store = LocMemCache(
    "baclotrack-dashboard", {"TIMEOUT": TIMEOUT_SECONDS, "OPTIONS": {"MAX_ENTRIES": MAX_ENTRIES}}
)


def digest(*inputs: object) -> str:
    """A SHA-256 of ``inputs``; a polars frame counts by its full CSV text (every row and value)."""
    sha = hashlib.sha256()
    for item in inputs:
        text = item.write_csv() if isinstance(item, pl.DataFrame) else repr(item)
        sha.update(text.encode())
        sha.update(b"\x00")
    return sha.hexdigest()


def cached(kind: str, client_id: int, inputs: tuple[object, ...], make: Callable[[], T]) -> T:
    """``make()``, computed once per (kind, client, language, inputs) in this process."""
    key = f"{kind}:{client_id}:{translation.get_language()}:{digest(*inputs)}"
    found = _store.get(key)
    if found is None:
        found = make()
        _store.set(key, found)
    return found  # type: ignore[no-any-return]


def clear() -> None:
    """Forget every entry (tests, and benchmarks that time the first render)."""
    _store.clear()
