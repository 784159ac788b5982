"""Access security: password hashing, deployment checklist, sign-in throttling, session expiry,
diary links and the TOTP second factor."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from baclotrack.clinic.models import AuditEvent, DiaryLink

PASSWORD = "correct-horse-battery-staple"  # the standing cast's (conftest.py)
START = dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC)


def test_argon2_is_the_first_password_hasher() -> None:
    from baclotrack.web import settings as base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_deploy_check_is_clean_with_the_production_settings(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    env |= {
        "DJANGO_SETTINGS_MODULE": "baclotrack.web.settings_production",
        "SECRET_KEY": "a-real-key-" + "Zr7!q2-Xw9" * 6,
        "ALLOWED_HOSTS": "clinic.example.org",
        "BACLOTRACK_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _sign_in(http, username: str, password: str, address: str = "10.0.0.1", **extra: str):
    data = {"username": username, "password": password, **extra}
    return http.post("/login/", data, REMOTE_ADDR=address)


def test_sign_in_is_refused_after_repeated_failures_for_one_username(cast, client, settings) -> None:
    settings.LOGIN_FAILURES_ALLOWED = 3
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):  # a distributed guess at one account
        assert _sign_in(client, "alice", "wrong", address).status_code == 200
    response = _sign_in(client, "alice", PASSWORD, "10.0.0.4")
    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account is not affected.
    assert _sign_in(client, "bob", PASSWORD, "10.0.0.4").status_code == 302


def test_sign_in_is_refused_after_repeated_failures_from_one_address(cast, client, settings) -> None:
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for username in ("alice", "bob", "nobody"):  # one address trying many accounts
        _sign_in(client, username, "wrong", "10.9.9.9")
    assert "Too many failed sign-ins" in _sign_in(client, "bob", PASSWORD, "10.9.9.9").content.decode()
    assert _sign_in(client, "bob", PASSWORD, "10.1.1.1").status_code == 302


def test_throttle_window_ends_after_its_time(cast, client, settings) -> None:
    settings.LOGIN_FAILURES_ALLOWED = 2
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, "alice", "wrong")
        _sign_in(client, "alice", "wrong")
        assert _sign_in(client, "alice", PASSWORD).status_code == 200
        clock.shift(dt.timedelta(seconds=settings.LOGIN_THROTTLE_SECONDS + 1))
        assert _sign_in(client, "alice", PASSWORD).status_code == 302


def test_admin_sign_in_goes_through_the_throttled_sign_in(client) -> None:
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/"


def test_session_ends_after_idle_time(cast, settings) -> None:
    with time_machine.travel(START, tick=False) as clock:
        http = cast.http("clinician_a")
        assert http.get("/caseload/").status_code == 200
        clock.shift(dt.timedelta(seconds=settings.SESSION_IDLE_SECONDS - 60))
        assert http.get("/caseload/").status_code == 200
        clock.shift(dt.timedelta(seconds=settings.SESSION_IDLE_SECONDS + 1))
        response = http.get("/caseload/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")
        assert "Your session has ended" in http.get(response["Location"]).content.decode()


def test_session_ends_after_its_absolute_lifetime_even_when_in_use(cast, settings) -> None:
    step = dt.timedelta(seconds=settings.SESSION_IDLE_SECONDS // 2)
    with time_machine.travel(START, tick=False) as clock:
        http = cast.http("clinician_a")
        while timezone.now() + step < START + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE):
            assert http.get("/caseload/").status_code == 200, timezone.now()
            clock.shift(step)
        clock.move_to(START + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))  # not idle
        response = http.get("/caseload/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")


# -- diary links ---------------------------------------------------------------------------------------
def test_diary_link_token_is_long_random_and_stored_only_hashed(cast) -> None:
    assert len(cast.token_a) >= 43  # 32 random bytes, URL-safe base64
    stored = DiaryLink.objects.get(pk=cast.link_a.pk)
    assert stored.token_hash == hashlib.sha256(cast.token_a.encode()).hexdigest()
    assert not DiaryLink.objects.filter(token_hash=cast.token_a).exists()


def test_revoked_and_expired_links_open_nothing(cast, settings) -> None:
    http = cast.http("anonymous")
    url = f"/d/{cast.token_a}/"
    assert http.get(url).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=settings.DIARY_LINK_DAYS + 1)):
        assert http.get(url).status_code == 404
    cast.http("clinician_a").post(f"/links/{cast.link_a.pk}/revoke/")
    assert http.get(url).status_code == 404


def test_link_guesses_are_throttled_per_address(cast, client, settings) -> None:
    settings.LINK_GUESSES_ALLOWED = 3
    for guess in range(3):
        assert client.get(f"/d/guess-{guess}/", REMOTE_ADDR="10.6.6.6").status_code == 404
    refused = client.get(f"/d/{cast.token_a}/", REMOTE_ADDR="10.6.6.6")
    assert refused.status_code == 429
    assert "Too many wrong diary links" in refused.content.decode()
    assert client.get(f"/d/{cast.token_a}/", REMOTE_ADDR="10.7.7.7").status_code == 200


# -- TOTP second factor -------------------------------------------------------------------------------
def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _enrol(cast, clock) -> TOTPDevice:
    http = cast.http("clinician_a")
    page = http.get("/account/two-factor/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()  # the QR code is drawn locally, not fetched
    device = TOTPDevice.objects.get(user=cast.clinician_a, confirmed=False)
    assert "is wrong" in http.post("/account/two-factor/", {"token": "12345x"}).content.decode()
    clock.shift(dt.timedelta(seconds=2))  # django-otp delays the next try after a wrong code
    assert http.post("/account/two-factor/", {"token": _code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_totp_enrolment_then_required_at_sign_in(cast, client) -> None:
    with time_machine.travel(START, tick=False) as clock:
        device = _enrol(cast, clock)
        assert AuditEvent.objects.filter(action="totp.confirm", actor=cast.clinician_a).count() == 1
        clock.shift(dt.timedelta(seconds=60))  # a new code: a used one cannot be replayed
        without = _sign_in(client, "alice", PASSWORD)
        assert without.status_code == 200
        assert "Enter the code from your authenticator app" in without.content.decode()
        wrong = _sign_in(client, "alice", PASSWORD, otp_token="12345x")
        assert "wrong or has expired" in wrong.content.decode()
        clock.shift(dt.timedelta(seconds=2))  # django-otp delays the next try after a wrong code
        signed_in = _sign_in(client, "alice", PASSWORD, otp_token=_code(device))
        assert signed_in.status_code == 302
        assert client.get("/caseload/").status_code == 200


def test_clinician_session_without_the_second_factor_is_sent_back_to_sign_in(cast) -> None:
    with time_machine.travel(START, tick=False) as clock:
        _enrol(cast, clock)
        unverified = cast.http("clinician_a")  # a session that skipped the code (force_login)
        response = unverified.get("/caseload/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_sign_in_without_a_device_needs_no_code(cast, client) -> None:
    assert _sign_in(client, "bob", PASSWORD).status_code == 302


@pytest.mark.parametrize("who", ["client_a", "researcher", "admin", "anonymous"])
def test_only_clinicians_may_enrol_a_second_factor(cast, who: str) -> None:
    response = cast.http(who).get("/account/two-factor/")
    assert response.status_code in {302, 404}
    assert not TOTPDevice.objects.exists()
