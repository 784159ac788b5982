"""Settings helpers fail loudly on values that cannot be meant; production refuses unsafe settings."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from baclotrack.web.env import env_bool, env_int, env_list


def test_env_bool_reads_the_usual_spellings(monkeypatch) -> None:
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", True) is False
    monkeypatch.delenv("FLAG")
    assert env_bool("FLAG", True) is True


def test_env_bool_names_the_variable_of_a_typo(monkeypatch) -> None:
    monkeypatch.setenv("DEBUG", "ture")
    with pytest.raises(ImproperlyConfigured, match=r"^DEBUG: .*'ture'"):
        env_bool("DEBUG", False)


def test_env_int_checks_number_and_range(monkeypatch) -> None:
    monkeypatch.setenv("DIARY_LINK_DAYS", "9O")
    with pytest.raises(ImproperlyConfigured, match=r"^DIARY_LINK_DAYS: expected a whole number"):
        env_int("DIARY_LINK_DAYS", 90)
    monkeypatch.setenv("DIARY_LINK_DAYS", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("DIARY_LINK_DAYS", 90, minimum=1)


def test_env_list_splits_on_commas(monkeypatch) -> None:
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example, b.example,")
    assert env_list("ALLOWED_HOSTS", []) == ["a.example", "b.example"]


def _load_production() -> object:
    sys.modules.pop("baclotrack.web.settings_production", None)
    return importlib.import_module("baclotrack.web.settings_production")


def test_production_settings_require_a_real_secret_key(monkeypatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match=r"^SECRET_KEY: required"):
        _load_production()


def test_production_settings_turn_https_and_secure_cookies_on(monkeypatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    production = _load_production()
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE  # type: ignore[attr-defined]
    assert production.SECURE_SSL_REDIRECT and production.SECURE_HSTS_SECONDS > 0  # type: ignore[attr-defined]
    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")  # type: ignore[attr-defined]
    assert production.SESSION_COOKIE_HTTPONLY  # type: ignore[attr-defined]


def test_the_wsgi_module_loads_every_view_and_freezes_what_lives_as_long_as_the_worker(tmp_path) -> None:
    """gunicorn's workers import it: the charts' and analyses' modules are loaded before the first
    request, and the objects alive then are out of the garbage collector's walks (decision 0180)."""
    code = (
        "import gc, sys; import baclotrack.web.wsgi; "
        "print(gc.get_freeze_count() > 50_000, 'matplotlib.figure' in sys.modules, "
        "'baclotrack.reports.charts' in sys.modules)"
    )
    env = {**os.environ, "BACLOTRACK_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    found = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert found.stdout.split() == ["True", "True", "True"]
