"""What keeps a long diary's dashboard and a diary save cheap, checked by counting work, never by timing
it: a bounded number of queries, one drawing and one fit per change, rules on the recent window only,
and no session write per page view. Alerts are never lost on the way."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from baclotrack.clinic import adapters, dashboard_cache, page_reads
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.models import Alert, AlertStatus, Client, PlanStep
from baclotrack.clinic.services.alerts import refresh_alerts
from baclotrack.clinic.services.diary import DiaryEntry, import_diary_days, save_diary_day
from baclotrack.clinic.services.plans import choose_protocol
from baclotrack.clinic.views import clients as client_views
from baclotrack.clinic.views import doseresponse

TWO_YEARS = 730


@pytest.fixture(autouse=True)
def empty_dashboard_cache() -> Iterator[None]:
    dashboard_cache.clear()
    yield
    dashboard_cache.clear()


def calm_entry(dose_mg: float = 30.0) -> DiaryEntry:
    """A day no rule fires on: a drink, moderate craving, the usual dose, no side effect."""
    return DiaryEntry(drinks=[{"beverage": "grams", "grams": 10.0}], craving=5, anxiety=3, doses_mg=[dose_mg])


def add_days(cast: Any, first_offset: int, last_offset: int, dose_mg: float = 30.0) -> None:
    """Calm diary days from ``first_offset`` to ``last_offset`` days ago (the cast has yesterday)."""
    today = timezone.localdate()
    days = [
        (today - dt.timedelta(days=n), calm_entry(dose_mg)) for n in range(first_offset, last_offset - 1, -1)
    ]
    import_diary_days(Actor(cast.clinician_a), cast.client_a, days)


def counting(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    """Replace ``module.name`` by a wrapper that counts its calls."""
    calls: list[int] = []
    original: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def dashboard_queries(cast: Any) -> int:
    http = cast.http("clinician_a")
    url = f"/clients/{cast.client_a.pk}/"
    assert http.get(url).status_code == 200  # first view: stores any new alert
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    return len(queries.captured_queries)


def post_day(cast: Any, date: dt.date, **fields: str) -> None:
    form = {"craving": "5", "anxiety": "3", "dose_0": "30", "note": "", "drank": "no", **fields}
    response = cast.http("anonymous").post(f"/d/{cast.token_a}/{date.isoformat()}/", form)
    assert response.status_code == 302, response.content.decode()[:500]


# -- the dashboard ---------------------------------------------------------------------------------------
def test_two_year_dashboard_reads_as_many_queries_as_a_two_week_one(cast) -> None:
    choose_protocol(
        Actor(cast.clinician_a),
        cast.client_a,
        protocol="resab",
        start_date=cast.client_a.treatment_start,
        max_dose_mg=90.0,
    )
    add_days(cast, 14, 2)
    two_weeks = dashboard_queries(cast)
    add_days(cast, TWO_YEARS, 15)
    assert cast.client_a.diary_days.count() == TWO_YEARS
    assert dashboard_queries(cast) == two_weeks  # no query per diary day
    assert two_weeks <= 30


def test_a_clinician_page_reads_the_users_groups_once(cast) -> None:
    http = cast.http("clinician_a")
    url = f"/clients/{cast.client_a.pk}/"
    assert http.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    # The clinician gate and the caseload's scope (access.clients_for) share one read.
    assert sum('"auth_group"' in q["sql"] for q in queries.captured_queries) == 1


def diary_queries(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if 'FROM "clinic_diaryday"' in q["sql"]]


def test_the_dashboard_reads_the_diary_once_for_all_its_panels(cast) -> None:
    add_days(cast, 60, 2)
    http = cast.http("clinician_a")
    url = f"/clients/{cast.client_a.pk}/"
    assert http.get(url).status_code == 200
    dashboard_cache.clear()  # a first view: chart, endpoints, dose-response and rules all read
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    # One read of the diary (the rules, the timeline, the endpoints and the dose-response fit
    # share it) and the 14-day recent-diary panel, which reads model rows of its own.
    assert len(diary_queries(queries)) <= 2, diary_queries(queries)


def test_one_diary_read_serves_every_field_and_window_as_separate_queries_would(cast) -> None:
    add_days(cast, 60, 2)
    client = cast.client_a
    since = timezone.localdate() - dt.timedelta(days=20)
    expected = [
        page_reads.live_diary(client, "date", "grams", "doses_mg"),
        page_reads.live_diary(client, "side_effects", "date", since=since),
    ]
    with page_reads.one_read_per_page(), CaptureQueriesContext(connection) as queries:
        served = [
            page_reads.live_diary(client, "date", "grams", "doses_mg"),
            page_reads.live_diary(client, "side_effects", "date", since=since),
        ]
    assert served == expected
    assert len(queries.captured_queries) == 1


def test_a_diary_change_inside_one_read_is_seen_by_the_next_read(cast) -> None:
    client = cast.client_a
    today = timezone.localdate()
    with page_reads.one_read_per_page():
        before = page_reads.live_diary(client, "date", "craving")
        save_diary_day(Actor(cast.clinician_a), client, today, calm_entry())
        after = page_reads.live_diary(client, "date", "craving")
    assert (today, 5) not in before
    assert (today, 5) in after


def test_dashboard_chart_is_drawn_once_until_the_diary_changes(cast, monkeypatch) -> None:
    draws = counting(monkeypatch, client_views, "timeline_svg")
    http = cast.http("clinician_a")
    url = f"/clients/{cast.client_a.pk}/"
    first = http.get(url).content.decode()
    again = http.get(url).content.decode()
    assert again[again.index("<svg") :] == first[first.index("<svg") :]
    assert http.get(f"{url}chart.svg").status_code == 200
    assert len(draws) == 1
    post_day(cast, timezone.localdate(), se_nausea="1")
    assert "No diary or plan yet" not in http.get(url).content.decode()
    assert len(draws) == 2


def test_a_cached_chart_is_never_served_for_another_client(cast, monkeypatch) -> None:
    draws = counting(monkeypatch, client_views, "timeline_svg")
    page_a = cast.http("clinician_a").get(f"/clients/{cast.client_a.pk}/").content.decode()
    page_b = cast.http("clinician_b").get(f"/clients/{cast.client_b.pk}/").content.decode()
    assert len(draws) == 2
    chart_a, chart_b = (page[page.index("<svg") :] for page in (page_a, page_b))
    assert "A-001" in chart_a and "B-001" not in chart_a
    assert "B-001" in chart_b and "A-001" not in chart_b


def test_dose_response_is_fitted_once_for_the_summary_and_the_chart(cast, monkeypatch) -> None:
    add_days(cast, 40, 2)
    fits = counting(monkeypatch, doseresponse, "_fit")
    http = cast.http("clinician_a")
    url = f"/clients/{cast.client_a.pk}/"
    assert http.get(url).status_code == 200
    svg = http.get(f"{url}dose-response.svg")
    assert svg.status_code == 200 and b"<svg" in svg.content
    assert http.get(url).status_code == 200
    assert len(fits) == 1
    post_day(cast, timezone.localdate(), craving="1")
    assert http.get(url).status_code == 200
    assert len(fits) == 2


def test_a_french_dashboard_gets_its_own_chart(cast) -> None:
    http = cast.http("clinician_a")
    url = f"/clients/{cast.client_a.pk}/"
    english = http.get(url).content.decode()
    french = http.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Standard drinks" in english
    assert "Standard drinks" not in french[french.index("<svg") :]


# -- saves and alerts ------------------------------------------------------------------------------------
def test_a_save_reads_only_the_rules_lookback_of_a_two_year_diary(cast, monkeypatch) -> None:
    add_days(cast, TWO_YEARS, 2)
    read: list[int] = []
    from baclotrack.clinic.adapters import rules  # where evaluate_rules reads the diary

    original = rules.core_diary_days

    def spy(client: Client, since: dt.date | None = None) -> Any:
        days = original(client, since)
        read.append(len(days))
        return days

    monkeypatch.setattr(rules, "core_diary_days", spy)
    post_day(cast, timezone.localdate())
    assert read and max(read) <= 90


def test_a_save_that_creates_a_problem_still_raises_its_alert(cast) -> None:
    add_days(cast, TWO_YEARS, 2)
    today = timezone.localdate()
    post_day(cast, today, se_confusion="3")
    alert = Alert.objects.get(client=cast.client_a, rule_id="SE-SEVERE")
    assert alert.status == AlertStatus.OPEN and alert.raised_on == today
    assert alert.evidence["date"] == today.isoformat()


def test_doses_stopped_after_two_years_of_diary_still_raise_the_withdrawal_alert(cast) -> None:
    # Through the services, as the diary view saves and refreshes: the form has no way to record a
    # dose of 0 mg (an empty intake is "not reported").
    add_days(cast, TWO_YEARS, 3, dose_mg=60.0)
    today = timezone.localdate()
    actor = Actor(None, label="diary link")
    for date in (today - dt.timedelta(days=1), today):
        save_diary_day(actor, cast.client_a, date, calm_entry(dose_mg=0.0))
        refresh_alerts(actor, cast.client_a, today)
    alert = Alert.objects.get(client=cast.client_a, rule_id="MISSED-DOSES")
    assert alert.evidence["last_dose_mg"] == 60.0 and alert.evidence["days_missed"] == 2


def test_a_problem_already_alerted_is_not_raised_twice(cast) -> None:
    today = timezone.localdate()
    post_day(cast, today, se_confusion="3")
    post_day(cast, today, se_confusion="3", note="again")
    assert Alert.objects.filter(client=cast.client_a, rule_id="SE-SEVERE").count() == 1


# -- the session -----------------------------------------------------------------------------------------
def test_page_views_within_a_minute_do_not_write_the_session(cast) -> None:
    start = dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        http = cast.http("clinician_a")
        assert http.get("/caseload/").status_code == 200
        clock.shift(dt.timedelta(seconds=30))
        with CaptureQueriesContext(connection) as queries:
            assert http.get("/caseload/").status_code == 200
        writes = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
        assert not [sql for sql in writes if sql.startswith(("UPDATE", "INSERT"))]
        clock.shift(dt.timedelta(seconds=61))
        with CaptureQueriesContext(connection) as queries:
            assert http.get("/caseload/").status_code == 200
        writes = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
        assert [sql for sql in writes if sql.startswith("UPDATE")]  # the idle stamp moves on


# -- the caseload ----------------------------------------------------------------------------------------
def more_clients(cast: Any, count: int) -> list[Client]:
    """Clients of alice with every dose situation: plan started or not yet, a dose-changing visit
    after the plan's start, a 'continue' visit, and no plan at all."""
    from baclotrack.clinic.services.clients import create_client
    from baclotrack.clinic.services.visits import record_visit

    actor, today = Actor(cast.clinician_a), timezone.localdate()
    made = []
    for n in range(count):
        client = create_client(
            actor,
            cast.clinician_a,
            code=f"A-1{n:02d}",
            sex="F",
            birth_year=1980,
            weight_kg=70.0,
            country="FR",
            treatment_start=today - dt.timedelta(days=20),
        )
        if n % 5 != 4:
            start = today - dt.timedelta(days=20) if n % 5 != 1 else today + dt.timedelta(days=3)
            choose_protocol(actor, client, protocol="resab", start_date=start, max_dose_mg=90.0)
        if n % 5 in (2, 4):
            record_visit(actor, client, date=today, decision="increase", dose_mg=55.0, reason="craving")
        if n % 5 == 3:
            record_visit(actor, client, date=today, decision="continue", dose_mg=10.0, reason="fine")
        made.append(client)
    return made


def caseload_queries(cast: Any) -> int:
    http = cast.http("clinician_a")
    with CaptureQueriesContext(connection) as queries:
        assert http.get("/caseload/").status_code == 200
    return len(queries.captured_queries)


def test_caseload_reads_as_many_queries_for_eleven_clients_as_for_one(cast) -> None:
    start = timezone.localdate() - dt.timedelta(days=5)
    choose_protocol(
        Actor(cast.clinician_a), cast.client_a, protocol="resab", start_date=start, max_dose_mg=90.0
    )
    one = caseload_queries(cast)
    more_clients(cast, 10)
    assert caseload_queries(cast) == one


def test_caseload_dose_is_the_dose_the_dashboard_shows(cast) -> None:
    from baclotrack.clinic import adapters

    clients = [cast.client_a, *more_clients(cast, 10)]
    today = timezone.localdate()
    rows = {row["client_id"]: row["dose_mg"] for row in adapters.caseload_rows(clients, today)}
    expected = {c.pk: adapters.current_dose_mg(c, today) for c in clients}
    assert rows == expected
    assert {None, 55.0} < set(expected.values())  # no plan yet, and a visit's change, are both there


def test_a_new_plan_inside_one_read_is_seen_by_the_next_read(cast) -> None:
    client = cast.client_a
    actor = Actor(cast.clinician_a)
    start = client.treatment_start
    with page_reads.one_read_per_page():
        first = choose_protocol(actor, client, protocol="resab", start_date=start, max_dose_mg=90.0)
        assert page_reads.active_plan(client) == first
        with CaptureQueriesContext(connection) as queries:
            assert page_reads.active_plan(client) == first
        assert not queries.captured_queries  # served from the page's read
        second = choose_protocol(actor, client, protocol="baclocur-label", start_date=start, max_dose_mg=80.0)
        assert page_reads.active_plan(client) == second


# -- the plan panel ----------------------------------------------------------------------------------------
def test_the_plan_panel_reads_in_full_only_the_days_it_shows(cast, monkeypatch) -> None:
    """Its dose changes and today, as the panel computed them from every step (read in full) before."""
    actor = Actor(cast.clinician_a)
    start = timezone.localdate() - dt.timedelta(days=20)
    plan = choose_protocol(actor, cast.client_a, protocol="resab", start_date=start, max_dose_mg=90.0)
    steps = list(plan.steps.order_by("day"))
    assert len(steps) > 20
    built: list[int] = []
    original = PlanStep.from_db.__func__  # type: ignore[attr-defined]

    def from_db(cls: type, *args: Any) -> Any:
        built.append(1)
        return original(cls, *args)

    monkeypatch.setattr(PlanStep, "from_db", classmethod(from_db))
    for offset in (-5, 0, 1, 7, 19, 20, 21, 60, 400):
        today = start + dt.timedelta(days=offset)
        built.clear()
        view = adapters.plan_view(cast.client_a, today)
        assert view is not None
        changes = [s for i, s in enumerate(steps) if i == 0 or s.total_mg != steps[i - 1].total_mg]
        assert [row["date"] for row in view["steps"]] == [s.date for s in changes]
        shown = [s for s in steps if s.date <= today] if today >= start else []
        expected_today = shown[-1] if shown else None
        today_pk = None if expected_today is None else expected_today.pk
        assert [row["is_today"] for row in view["steps"]] == [s.pk == today_pk for s in changes]
        if expected_today is None:
            assert view["today"] is None
        else:
            assert (view["today"]["date"], view["today"]["total_mg"]) == (
                expected_today.date,
                expected_today.total_mg,
            )
        upcoming = [s for s in changes if s.date > today]
        assert (view["next"] or {}).get("date") == (upcoming[0].date if upcoming else None)
        assert len(built) <= len(changes) + 1  # not one per step of the plan


# -- the cache shared by the workers of a machine (decision 0179) ------------------------------------------
def test_the_dashboard_cache_is_files_under_var() -> None:
    from django.conf import settings

    store = settings.CACHES[dashboard_cache.STORE]
    assert store["BACKEND"].endswith("FileBasedCache")
    assert Path(str(store["LOCATION"])) == settings.VAR_DIR / "dashboard-cache"


def test_what_one_worker_drew_another_serves_without_drawing_again() -> None:
    """Another thread has its own cache object, as another gunicorn worker has: it reads the files."""
    drawn: list[str] = []

    def draw(who: str) -> str:
        return dashboard_cache.cached(
            "timeline", 7, ("same diary",), lambda: drawn.append(who) or f"svg by {who}"
        )

    assert draw("first worker") == "svg by first worker"
    served: list[str] = []
    other = threading.Thread(target=lambda: served.append(draw("second worker")))
    other.start()
    other.join()
    assert served == ["svg by first worker"] and drawn == ["first worker"]


def test_starting_the_app_empties_the_cache() -> None:
    """A drawing made by the code of a previous run is never served after a restart or a deploy."""
    dashboard_cache.cached("timeline", 7, ("old code",), lambda: "old drawing")
    apps.get_app_config("clinic").ready()
    assert dashboard_cache.cached("timeline", 7, ("old code",), lambda: "new drawing") == "new drawing"
