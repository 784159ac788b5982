"""Every URL of the clinic, tried by every member of the standing cast.

A clinician or client reaching a record that is not theirs gets a 404 (its existence is not
revealed); the anonymous visitor is sent to the sign-in page. A new URL pattern fails
``test_every_url_is_classified`` until it is added to one of the groups below.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone

from baclotrack.clinic import urls as clinic_urls

#: URLs that name an object of clinician A's caseload.
CLINICIAN_OBJECT_URLS = {
    "dashboard",
    "chart",
    "dose_response_chart",
    "client_edit",
    "client_delete",
    "audit",
    "report",
    "fhir_bundle",
    "baseline",
    "baseline_calendar",
    "assessment",
    "plan",
    "taper",
    "visit_create",
    "client_diary",
    "client_day",
    "day_history",
    "day_delete",
    "alert_resolve",
    "access",
    "grant_login",
    "revoke_login",
    "create_link",
    "revoke_link",
}
#: Clinician pages without an object: each clinician sees their own; everyone else a 404.
CLINICIAN_OWN_URLS = {
    "caseload",
    "client_create",
    "two_factor",
    "evidence",
    "evidence_forest",
    "caseload_import",
    "caseload_export",
}
#: The client's own diary, by login: only client logins reach it.
CLIENT_OWN_URLS = {"own_diary", "own_day"}
#: The diary by personal link: the token is the credential.
LINK_URLS = {"link_diary", "link_day"}
FRONT_DOOR = {"home"}
#: The researchers' page and download: researchers only (test_authz_matrix.py covers every role).
RESEARCH_URLS = {"research", "research_export"}

CAST = ("clinician_a", "clinician_b", "client_a", "client_b", "admin", "anonymous")
POST_ONLY = {"revoke_login", "create_link", "revoke_link"}


def clinic_names() -> set[str]:
    return {p.name for p in clinic_urls.urlpatterns if isinstance(p, URLPattern) and p.name}


def url_for(name: str, cast) -> str:
    values = {
        "client_id": cast.client_a.pk,
        "day_id": cast.day_a.pk,
        "alert_id": cast.alert_a.pk,
        "link_id": cast.link_a.pk,
        "instrument": "audit",
        "outcome": "return_to_drinking",
        "day": timezone.localdate().isoformat(),
        "token": cast.token_a,
    }
    params = _patterns()[name].pattern.converters
    return reverse(f"clinic:{name}", kwargs={k: values[k] for k in params})


def _patterns() -> dict[str, URLPattern]:
    return {p.name: p for p in clinic_urls.urlpatterns if isinstance(p, URLPattern) and p.name}


def test_every_url_is_classified() -> None:
    groups = CLINICIAN_OBJECT_URLS | CLINICIAN_OWN_URLS | CLIENT_OWN_URLS | LINK_URLS | FRONT_DOOR
    groups |= RESEARCH_URLS
    assert clinic_names() == groups


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("name", sorted(CLINICIAN_OBJECT_URLS))
def test_clinician_records_are_reachable_only_by_their_clinician(cast, name: str, who: str) -> None:
    url = url_for(name, cast)
    http = cast.http(who)
    for method in ("get", "post"):
        response = getattr(http, method)(url)
        if who == "clinician_a":
            allowed = {200, 302} | ({405} if method == "get" and name in POST_ONLY else set())
            assert response.status_code in allowed, (method, url, response.status_code)
        elif who == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith("/login/"), (method, url)
        else:
            assert response.status_code == 404, (who, method, url, response.status_code)


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("name", sorted(CLINICIAN_OWN_URLS))
def test_clinician_pages_are_for_clinicians_only(cast, name: str, who: str) -> None:
    response = cast.http(who).get(url_for(name, cast))
    if who.startswith("clinician"):
        assert response.status_code == 200
    elif who == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("name", sorted(CLIENT_OWN_URLS))
def test_own_diary_is_for_client_logins_only(cast, name: str, who: str) -> None:
    response = cast.http(who).get(url_for(name, cast))
    if who.startswith("client"):
        assert response.status_code == 200
        expected = cast.client_a if who == "client_a" else cast.client_b
        assert response.context["client"] == expected
    elif who == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("name", sorted(LINK_URLS))
def test_personal_link_opens_only_its_own_clients_diary(cast, name: str, who: str) -> None:
    response = cast.http(who).get(url_for(name, cast))
    assert response.status_code == 200
    assert response.context["client"] == cast.client_a


@pytest.mark.parametrize("who", CAST)
def test_front_door_sends_each_member_to_their_place(cast, who: str) -> None:
    response = cast.http(who).get(url_for("home", cast))
    expected = {
        "clinician_a": (302, "/caseload/"),
        "clinician_b": (302, "/caseload/"),
        "client_a": (302, "/diary/"),
        "client_b": (302, "/diary/"),
        "admin": (302, "/admin/"),
        "anonymous": (302, "/login/"),
    }[who]
    assert response.status_code == expected[0]
    assert response["Location"].startswith(expected[1])


@pytest.mark.parametrize("who", ["clinician_b", "client_a", "admin"])
def test_caseload_never_lists_another_clinicians_client(cast, who: str) -> None:
    response = cast.http(who).get("/caseload/")
    assert cast.client_a.code.encode() not in response.content
