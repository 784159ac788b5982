"""Every form of the clinic, posted with arbitrary values (hypothesis, derandomized and bounded).

Whatever is typed: no server error; a refused form names what is wrong (field errors on known
fields, or a form-wide message); and a refused form writes nothing (every clinical table and the
audit trail keep their row counts). The field names come from the form the page renders, so a
new field is fuzzed without editing this file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baclotrack.clinic.audit import Actor
from baclotrack.clinic.models import DiaryDay
from baclotrack.clinic.services.diary import DiaryEntry, save_diary_day

FUZZ = settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: Values people (or attackers) type: numbers at and beyond every limit, dates in every shape,
#: text with odd characters, and nothing at all.
NUMBERS = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 10, 11, 40, 41, 45, 100, 101, 200, 201, 300, 301, 400, 401, 1000, 1e308]),
).map(str)
DATES = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat),
    st.sampled_from(["2026-02-30", "20260101", "yesterday", "0000-00-00", "-1"]),
)
TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\x00", "<script>alert(1)</script>", "' OR 1=1 --", "é" * 300, "A-001"]),
)


def value_for(field: Any) -> st.SearchStrategy[str]:
    """Mostly values of the field's own kind, sometimes anything at all."""
    choices = [str(value) for value, _label in getattr(field, "choices", []) or []]
    own: list[st.SearchStrategy[str]] = [NUMBERS, DATES, TEXT]
    if choices:
        own.insert(0, st.sampled_from(choices))
    return st.one_of(*own)


def form_data(form: Any) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries({}, optional={name: value_for(f) for name, f in form.fields.items()})


def row_counts() -> dict[str, int]:
    models = [*apps.get_app_config("clinic").get_models(), User]
    return {m.__name__: m._default_manager.count() for m in models}


def check_post(http: Any, url: str, data: dict[str, str], context_name: str = "form") -> None:
    before = row_counts()
    response = http.post(url, data)
    assert response.status_code in {200, 302}, (url, data, response.status_code)
    if response.status_code == 200:
        assert row_counts() == before, (url, data)
        form = response.context[context_name]
        # An empty POST shows the blank form again (the views bind only a non-empty POST).
        assert form.errors or not data, (url, data)
        assert set(form.errors) <= {*form.fields, "__all__"}, form.errors
        assert all(messages for messages in form.errors.values())


def fresh_day_id(cast: Any) -> int:
    """A diary day of client A that is not deleted yet (a delete that succeeds uses one up)."""
    used = DiaryDay.objects.filter(client=cast.client_a).count()
    date = cast.day_a.date - dt.timedelta(days=used + 1)
    return save_diary_day(Actor(cast.clinician_a), cast.client_a, date, DiaryEntry(craving=1)).pk


PAGES = {
    "client": ("clinician_a", "/clients/new/"),
    "client_edit": ("clinician_a", "/clients/{client}/edit/"),
    "baseline_calendar": ("clinician_a", "/clients/{client}/baseline/calendar/"),
    "assessment_audit": ("clinician_a", "/clients/{client}/assessments/audit/"),
    "assessment_gad7": ("clinician_a", "/clients/{client}/assessments/gad-7/"),
    "plan": ("clinician_a", "/clients/{client}/plan/"),
    "taper": ("clinician_a", "/clients/{client}/taper/"),
    "visit": ("clinician_a", "/clients/{client}/visits/new/"),
    "diary_day_clinician": ("clinician_a", "/clients/{client}/diary/{day}/"),
    "diary_day_own": ("client_a", "/diary/{day}/"),
    "diary_day_link": ("anonymous", "/d/{token}/{day}/"),
    "grant_login": ("clinician_a", "/clients/{client}/access/login/"),
    "delete_day": ("clinician_a", "/diary-days/{fresh_day}/delete/"),
    "resolve_alert": ("clinician_a", "/alerts/{alert}/resolve/"),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_form_refuses_bad_input_cleanly_and_writes_nothing(cast, page: str) -> None:
    who, pattern = PAGES[page]
    context_name = "login_form" if page == "grant_login" else "form"
    http = cast.http(who)
    http.raise_request_exception = False

    def url() -> str:
        values = {"client": cast.client_a.pk, "day": cast.day_a.date.isoformat(), "token": cast.token_a}
        values |= {"alert": cast.alert_a.pk}
        if "{fresh_day}" in pattern:
            values["fresh_day"] = fresh_day_id(cast)
        return pattern.format(**values)

    # The fields are read once, from the form the page shows.
    form = http.get(url()).context[context_name]

    @FUZZ
    @given(data=form_data(form))
    def fuzz(data: dict[str, str]) -> None:
        check_post(http, url(), data, context_name)

    fuzz()
