"""The authorization matrix: every URL the resolver knows, with GET and POST, for every role.

URLs are discovered from the resolver; each must have an entry in ``GROUP_OF`` (clinic and
project URLs by name) or fall under the admin prefix, so a new URL without an entry fails
``test_every_url_has_an_entry``. ``EXPECTED`` says, per group, what each role gets:

- ``OK``: allowed (200, a redirect that is not to a sign-in page, or 405 for a method the view
  does not take);
- ``LOGIN``: sent to the sign-in page (302 to /login/ or the admin's own /admin/login/, which
  itself redirects to /login/);
- ``HIDDEN``: 404, so that the existence of someone else's record is not revealed;
- ``FORBIDDEN``: 403 (only the admin's own refusals of malformed requests);
- ``EXIT``: signing out, allowed to all, ending on any page or the sign-in page.

Roles: the anonymous visitor, client A by login and by personal link (an anonymous browser
holding the token; everyone else tries link URLs with a well-formed wrong token), client B,
clinicians A and B (objects in URLs belong to A), a researcher, and the administrator.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from baclotrack.evidence import OUTCOMES

OK, LOGIN, HIDDEN, FORBIDDEN, EXIT = "ok", "login", "hidden", "forbidden", "exit"
ROLES = (
    "anonymous",
    "client_a_login",
    "client_a_link",
    "client_b",
    "clinician_a",
    "clinician_b",
    "researcher",
    "admin",
)
METHODS = ("get", "post")


def _row(default: str, **roles: str) -> dict[str, str]:
    return {role: roles.get(role, default) for role in ROLES}


#: Expected outcome per URL group and role (the same for GET and POST unless noted in OVERRIDES).
EXPECTED: dict[str, dict[str, str]] = {
    # A record of clinician A's caseload: A only; other signed-in people 404; the anonymous sign in.
    "clinician_object": _row(HIDDEN, anonymous=LOGIN, client_a_link=LOGIN, clinician_a=OK),
    # A clinician's own pages (caseload, new client, import/export, evidence, second factor).
    "clinician_page": _row(HIDDEN, anonymous=LOGIN, client_a_link=LOGIN, clinician_a=OK, clinician_b=OK),
    # The client's own diary by login.
    "client_own": _row(HIDDEN, anonymous=LOGIN, client_a_link=LOGIN, client_a_login=OK, client_b=OK),
    # The diary by link: only the holder of the token; a wrong token is a 404 for anyone.
    "link": _row(HIDDEN, client_a_link=OK),
    # The researchers' page and download.
    "research": _row(HIDDEN, anonymous=LOGIN, client_a_link=LOGIN, researcher=OK),
    # The front door sends each signed-in person to their place, the anonymous to sign in;
    # sign-in, sign-out and the language switch are open to all.
    "front_door": _row(OK, anonymous=LOGIN, client_a_link=LOGIN),
    "open": _row(OK),
    "sign_in_redirect": _row(LOGIN),
    "sign_out": _row(EXIT),
    # The Django admin: the administrator only; everyone else is sent to sign in.
    "admin": _row(LOGIN, admin=OK),
}

#: Every non-admin URL, by "namespace:name", and its group.
GROUP_OF: dict[str, str] = {
    **dict.fromkeys(
        [
            "clinic:dashboard",
            "clinic:chart",
            "clinic:dose_response_chart",
            "clinic:client_edit",
            "clinic:client_delete",
            "clinic:audit",
            "clinic:report",
            "clinic:fhir_bundle",
            "clinic:baseline",
            "clinic:baseline_calendar",
            "clinic:assessment",
            "clinic:plan",
            "clinic:taper",
            "clinic:visit_create",
            "clinic:client_diary",
            "clinic:client_day",
            "clinic:day_history",
            "clinic:day_delete",
            "clinic:alert_resolve",
            "clinic:access",
            "clinic:grant_login",
            "clinic:revoke_login",
            "clinic:create_link",
            "clinic:revoke_link",
        ],
        "clinician_object",
    ),
    **dict.fromkeys(
        [
            "clinic:caseload",
            "clinic:caseload_import",
            "clinic:caseload_export",
            "clinic:client_create",
            "clinic:evidence",
            "clinic:evidence_forest",
            "clinic:two_factor",
        ],
        "clinician_page",
    ),
    "clinic:own_diary": "client_own",
    "clinic:own_day": "client_own",
    "clinic:link_diary": "link",
    "clinic:link_day": "link",
    "clinic:research": "research",
    "clinic:research_export": "research",
    "clinic:home": "front_door",
    "login": "open",
    "set_language": "open",
    "logout": "sign_out",
    "admin:logout": "sign_out",
    "admin_login": "sign_in_redirect",
    "admin:login": "sign_in_redirect",
}

#: Exceptions to the group row, by (URL key, role, method).
OVERRIDES: dict[tuple[str, str, str], str] = {
    # The admin's catch-all answers an unknown admin page with a 404, for the administrator too.
    **{("admin:(?P<url>.*)$", "admin", m): HIDDEN for m in METHODS},
    # Admin views refusing a request without their parameters, or an object that does not exist.
    ("admin:autocomplete", "admin", "get"): FORBIDDEN,
    **{("admin:view_on_site", "admin", m): HIDDEN for m in METHODS},
}

#: Sample values for the URL parameters (objects of clinician A's caseload, set per test).
REGEX_SAMPLES = {"app_label": "auth", "url": "no-such-admin-page/"}


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or "namespace:route" for an unnamed pattern
    pattern: URLPattern
    namespace: str
    route: str

    @property
    def group(self) -> str | None:
        if self.key in GROUP_OF:
            return GROUP_OF[self.key]
        return "admin" if self.namespace == "admin" else None


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace or ""]))
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        else:
            route = prefix + str(entry.pattern)
            key = f"{namespace}:{entry.name or str(entry.pattern)}" if namespace else str(entry.name or route)
            yield Route(key, entry, namespace, route)


def routes() -> list[Route]:
    return list(_walk(get_resolver()))


def test_every_url_has_an_entry() -> None:
    missing = [r.key for r in routes() if r.group is None]
    assert not missing, f"add these URLs to GROUP_OF in {__name__}: {missing}"
    stale = set(GROUP_OF) - {r.key for r in routes()}
    assert not stale, f"GROUP_OF names URLs that no longer exist: {stale}"


def _values(cast: Any, role: str) -> dict[str, Any]:
    device = TOTPDevice.objects.create(user=cast.admin, name="matrix", confirmed=False)
    token = cast.token_a if role == "client_a_link" else "x" * len(cast.token_a)
    return {
        "client_id": cast.client_a.pk,
        "day_id": cast.day_a.pk,
        "alert_id": cast.alert_a.pk,
        "link_id": cast.link_a.pk,
        "instrument": "audit",
        "outcome": sorted(OUTCOMES)[0],
        "day": (timezone.localdate()).isoformat(),
        "token": token,
        # Admin object URLs: the administrator's own account (its change page exists).
        "object_id": cast.admin.pk,
        "id": cast.admin.pk,
        "pk": device.pk,
        "content_type_id": 1,
    }


def url_of(route: Route, values: dict[str, Any]) -> str:
    if isinstance(route.pattern.pattern, RegexPattern):
        url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(REGEX_SAMPLES[m.group(1)]), route.route)
        return "/" + url.replace("^", "").replace("$", "")
    params = route.pattern.pattern.converters
    if route.pattern.name:
        name = f"{route.namespace}:{route.pattern.name}" if route.namespace else route.pattern.name
        return reverse(name, kwargs={k: values[k] for k in params})
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route.route)


def browser(cast: Any, role: str) -> HttpClient:
    who = {"client_a_login": "client_a", "client_a_link": "anonymous"}.get(role, role)
    http = cast.http(who)
    http.raise_request_exception = False  # a server error is an outcome to report, not a crash
    return http


def outcome(response: Any) -> str:
    location = response.get("Location", "") if response.status_code == 302 else ""
    if location.startswith(("/login/", "/admin/login/")):
        return LOGIN
    if response.status_code == 404:
        return HIDDEN
    if response.status_code == 403:
        return FORBIDDEN
    if response.status_code in {200, 302, 405}:
        return OK
    return f"status {response.status_code}"


def expected(route: Route, role: str, method: str) -> str:
    assert route.group is not None
    return OVERRIDES.get((route.key, role, method), EXPECTED[route.group][role])


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(cast, role: str, capsys) -> None:
    values = _values(cast, role)
    tried, wrong = 0, []
    for route in routes():
        url = url_of(route, values)
        for method in METHODS:
            # A fresh browser for each request: a POST to a sign-out must not affect the next one.
            response = getattr(browser(cast, role), method)(url)
            tried += 1
            got, want = outcome(response), expected(route, role, method)
            if got != want and not (want == EXIT and got in {OK, LOGIN}):
                wrong.append(f"{method.upper()} {url} ({route.key}): expected {want}, got {got}")
    with capsys.disabled():
        print(f"\nauthorization matrix: {role} tried {tried} (URL, method) pairs")
    assert not wrong, "\n".join(wrong)
