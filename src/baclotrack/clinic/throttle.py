"""Count failed sign-ins and diary-link guesses, and refuse more once a limit is reached.

A fixed window per key (a username or a client address): after ``limit`` failures the key is
refused until the window, counted from the first failure, has passed. Per username stops a
password-guessing run against one account from many addresses; per address stops one address
trying many accounts (OWASP Authentication Cheat Sheet, "Login Throttling"). Counters live in
Django's cache (docs/decisions/0130-login-throttling-in-the-cache.md).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Window:
    """What a limit counts (``scope``), how many failures it allows, and for how long."""

    scope: str
    limit: int
    seconds: int

    def _key(self, value: str) -> str:
        # Hashed: usernames and addresses never appear in a cache dump, and any length is a valid key.
        digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()
        return f"baclotrack-throttle:{self.scope}:{digest}"

    def blocked_for(self, value: str) -> int:
        """Seconds until ``value`` may try again (0 when it may try now)."""
        key = self._key(value)
        found = cache.get_many([f"{key}:count", f"{key}:first"])
        count, first = found.get(f"{key}:count", 0), found.get(f"{key}:first")
        if first is None or count < self.limit:
            return 0
        return max(1, int(first + self.seconds - time.time()))

    def fail(self, value: str) -> None:
        """Count one failure. ``add`` and ``incr`` are atomic in a shared cache (Redis), so parallel
        requests on several workers never lose a count (decision 0172)."""
        key = self._key(value)
        now = time.time()
        # The window starts at the first failure; both keys expire together at its end.
        cache.add(f"{key}:first", now, timeout=self.seconds)
        first = cache.get(f"{key}:first", now)
        remaining = max(1, int(first + self.seconds - now))
        if cache.add(f"{key}:count", 1, timeout=remaining):
            return
        try:
            cache.incr(f"{key}:count")
        except ValueError:  # the window ended between add and incr: this failure opens a new one
            cache.add(f"{key}:count", 1, timeout=self.seconds)

    def clear(self, value: str) -> None:
        key = self._key(value)
        cache.delete_many([f"{key}:count", f"{key}:first"])


def username_window() -> Window:
    return Window("user", settings.LOGIN_FAILURES_ALLOWED, settings.LOGIN_THROTTLE_SECONDS)


def address_window() -> Window:
    return Window("address", settings.LOGIN_FAILURES_PER_ADDRESS, settings.LOGIN_THROTTLE_SECONDS)


def link_window() -> Window:
    return Window("link", settings.LINK_GUESSES_ALLOWED, settings.LOGIN_THROTTLE_SECONDS)


def client_address(request: HttpRequest | None) -> str:
    """The address the request came from. Behind the HTTPS proxy this is the proxy's view of the
    client only if the proxy sets REMOTE_ADDR (gunicorn does with --forwarded-allow-ips); a
    spoofable X-Forwarded-For is deliberately not read."""
    if request is None:
        return "unknown"
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def minutes(seconds: int) -> int:
    """Whole minutes to tell a person, rounded up."""
    return max(1, -(-seconds // 60))
