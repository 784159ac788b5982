"""End sign-ins that have been idle too long or have lasted too long.

Django's own expiry is a single sliding or fixed cookie age; a clinic needs both an idle limit
(a screen left open in a consulting room) and an absolute one (a stolen session cookie stays
useful for at most a working day). Two timestamps in the session carry them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

#: Session keys: when the sign-in started and when it was last used (Unix seconds).
STARTED_KEY = "_baclotrack_started"
SEEN_KEY = "_baclotrack_seen"
#: Refresh the last-use stamp at most this often, so that not every page view writes the session.
SEEN_RESOLUTION_SECONDS = 60


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        now = time.time()
        session = request.session
        started = session.get(STARTED_KEY)
        seen = session.get(SEEN_KEY)
        if started is None or seen is None:
            session[STARTED_KEY] = session[SEEN_KEY] = now
            return
        if now - seen > settings.SESSION_IDLE_SECONDS or now - started > settings.SESSION_COOKIE_AGE:
            logout(request)  # flushes the session, so the next request starts signed out
            messages.info(request, _("Your session has ended; please sign in again."))
            return
        if now - seen >= SEEN_RESOLUTION_SECONDS:
            session[SEEN_KEY] = now
