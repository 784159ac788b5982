"""Settings of the clinic web app, from environment variables.

SQLite under ``./var/`` by default (created as needed); PostgreSQL when ``DATABASE_URL``
is set. ``DEBUG`` is off unless the environment turns it on (only ``baclotrack demo``
does). Production deployments use :mod:`baclotrack.web.settings_production`, which
requires a real ``SECRET_KEY`` and turns the ``SECURE_*`` settings on (docs/deployment.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from baclotrack.web.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("BACLOTRACK_VAR_DIR", "var")).resolve()

DEBUG = env_bool("DEBUG", False)

# Development key only: settings_production refuses to start without SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY", "") or "baclotrack-development-key-not-for-production-use-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "baclotrack.clinic",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: marks request.user.is_verified() for the TOTP second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends idle or too old sign-ins, with a message (docs/security.md).
    "baclotrack.clinic.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "baclotrack.web.urls"
WSGI_APPLICATION = "baclotrack.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


#: SQLite for several gunicorn workers (decision 0140). WAL lets readers run while one writer
#: commits; synchronous=FULL syncs the WAL at every commit, so an acknowledged diary day survives a
#: power cut, not only a killed process (https://www.sqlite.org/wal.html, /pragma.html#pragma_synchronous).
#: IMMEDIATE transactions take the write lock at BEGIN, so two writers queue on the busy timeout
#: instead of one failing with "database is locked" when it upgrades a read lock (Django 5.1+).
SQLITE_OPTIONS: dict[str, object] = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
    "transaction_mode": "IMMEDIATE",
    # Seconds a writer waits for the lock before "database is locked" (sqlite3 `timeout`).
    "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20, minimum=1, maximum=600),
}


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        config = dict(dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0)))
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["OPTIONS"] = SQLITE_OPTIONS
        return config
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR_DIR / "baclotrack.sqlite3"),
        "OPTIONS": SQLITE_OPTIONS,
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 first (OWASP password storage recommendation); the others verify older hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "clinic:home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
# Absolute lifetime of a sign-in (a working day), and the idle time after which it ends. The
# OWASP Session Management Cheat Sheet suggests 2-5 min idle for high-value applications and
# 15-30 min for low-risk ones; 30 min is a workflow compromise, lower it where the clinic can
# (docs/decisions/0131). Both are enforced by clinic.middleware.SessionTimeoutMiddleware.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_COOKIE_SAMESITE = "Lax"
# Sign-in throttling (clinic/throttle.py): failures allowed per username and per address in the
# window before sign-in is refused for the rest of the window; diary-link guesses likewise.
LOGIN_FAILURES_ALLOWED = env_int("LOGIN_FAILURES_ALLOWED", 5, minimum=1)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 20, minimum=1)
LOGIN_THROTTLE_SECONDS = env_int("LOGIN_THROTTLE_SECONDS", 15 * 60, minimum=60)
LINK_GUESSES_ALLOWED = env_int("LINK_GUESSES_ALLOWED", 10, minimum=1)
# One shared cache for the throttle counters; the default is per process (see docs/security.md
# for several workers).
# The default cache holds only the sign-in and diary-link throttle counters. In memory it is per
# worker process, so with N workers an address gets up to N times the allowed tries; REDIS_URL
# (e.g. redis://127.0.0.1:6379/0) shares the counters between workers and machines (decision 0172).
REDIS_URL = env_str("REDIS_URL", "")
CACHES: dict[str, dict[str, object]] = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "baclotrack",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# The dashboard's drawn charts and dose-response fits (clinic/dashboard_cache.py, decision 0179): files
# under var/, so that the gunicorn workers of one machine share them and a chart is drawn once per
# change of its data, not once per worker. Each entry lasts a day; the app empties the store whenever
# it starts, so no drawing made by another version of the code is ever served. Its own store: the
# throttle's counters must never be culled to make room for charts. The warmer (clinic/warm.py)
# keeps six entries per active client (the chart, the fit and its figure, in two languages), so the
# store holds 6,000 entries, 1,000 active clients, at up to about 30 kB each on disk (180 MB); more
# active clients than that are culled and drawn again by their views. DASHBOARD_CACHE_ENTRIES sets it.
DASHBOARD_CACHE_DIR = VAR_DIR / "dashboard-cache"
CACHES["dashboard"] = {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": str(DASHBOARD_CACHE_DIR),
    "TIMEOUT": 24 * 3600,
    "OPTIONS": {"MAX_ENTRIES": env_int("DASHBOARD_CACHE_ENTRIES", 6000, minimum=100)},
}
# Name of the TOTP issuer shown in authenticator apps.
OTP_TOTP_ISSUER = "baclotrack"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [PACKAGE_DIR / "clinic" / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris")
USE_TZ = True

STATIC_URL = "/static/"
# collectstatic target: production only (settings_production); demo and tests use the finders.
STATIC_ROOT: Path | None = None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the app directories without collectstatic (demo and tests).
WHITENOISE_USE_FINDERS = True

#: How long a personal diary link stays valid, in days (renewable by the clinician).
DIARY_LINK_DAYS = env_int("DIARY_LINK_DAYS", 90, minimum=1, maximum=730)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
