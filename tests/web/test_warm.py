"""The warmer draws a changed dashboard before anyone opens it, so the first view draws nothing."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from baclotrack.cli.commands import warm as warm_command
from baclotrack.clinic import dashboard_cache
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.services.clients import soft_delete_client
from baclotrack.clinic.services.diary import save_diary_day
from baclotrack.clinic.views import clients as client_views
from baclotrack.clinic.views import doseresponse
from baclotrack.clinic.warm import ACTIVE_DAYS, Warmer

from .test_dashboard_cost import calm_entry, counting


@pytest.fixture(autouse=True)
def empty_dashboard_cache() -> Iterator[None]:
    dashboard_cache.clear()
    yield
    dashboard_cache.clear()


def started(cast: Any) -> Warmer:
    """A warmer that has drawn its first day's round and seen every event so far."""
    warmer = Warmer()
    warmer.run_once()
    return warmer


def save_today(cast: Any) -> None:
    save_diary_day(Actor(cast.clinician_a), cast.client_a, timezone.localdate(), calm_entry(45.0))


def test_on_its_first_day_it_draws_every_live_client_in_treatment(cast) -> None:
    soft_delete_client(Actor(cast.clinician_b), cast.client_b, "left the practice")
    warmer = Warmer()
    assert warmer.due() == [cast.client_a.pk]  # not the deleted one
    assert warmer.due() == []  # nothing new since


def test_a_saved_diary_day_makes_only_that_client_due(cast) -> None:
    warmer = started(cast)
    save_today(cast)
    save_today(cast)  # a correction: the same client, once
    assert warmer.due() == [cast.client_a.pk]
    assert warmer.due() == []


def test_after_the_warmer_a_first_view_in_either_language_draws_and_fits_nothing(cast, monkeypatch) -> None:
    warmer = started(cast)
    save_today(cast)
    assert warmer.run_once() == 1
    draws = counting(monkeypatch, client_views, "timeline_svg")
    fits = counting(monkeypatch, doseresponse, "_fit")
    http = cast.http("clinician_a")
    for language in ("en", "fr"):
        page = http.get(f"/clients/{cast.client_a.pk}/", HTTP_ACCEPT_LANGUAGE=language)
        assert page.status_code == 200
        assert http.get(f"/clients/{cast.client_a.pk}/dose-response.svg").status_code == 200
    assert draws == [] and fits == []


def test_a_new_day_makes_every_client_due_again(cast) -> None:
    day = timezone.localdate()
    warmer = Warmer(today=lambda: day)
    warmer.run_once()
    day += dt.timedelta(days=1)
    assert warmer.due() == [cast.client_a.pk, cast.client_b.pk]


def test_a_new_day_leaves_out_clients_without_a_change_for_four_weeks(cast) -> None:
    with time_machine.travel(timezone.now() + dt.timedelta(days=ACTIVE_DAYS + 1)):
        assert Warmer().due() == []
        save_today(cast)
        assert Warmer().due() == [cast.client_a.pk]


def test_one_client_failing_does_not_stop_the_others(cast, monkeypatch, caplog) -> None:
    warmer = started(cast)
    drawn: list[int] = []

    def fragile(client: Any) -> None:
        if client.pk == cast.client_a.pk:
            raise RuntimeError("broken chart")
        drawn.append(client.pk)

    monkeypatch.setattr("baclotrack.clinic.warm.warm_client", fragile)
    assert warmer.draw([cast.client_a.pk, cast.client_b.pk]) == 2
    assert drawn == [cast.client_b.pk]
    assert f"drawing the dashboard of client {cast.client_a.pk} failed" in caplog.text


def test_the_command_refuses_an_interval_that_is_not_positive() -> None:
    with pytest.raises(warm_command.WarmIntervalError, match="--interval"):
        warm_command.run(argparse.Namespace(interval=0.0, once=True))


def test_the_command_once_draws_every_client_in_treatment_and_stops(cast, monkeypatch, capsys) -> None:
    niceness: list[int] = []
    monkeypatch.setattr(warm_command.os, "nice", niceness.append)  # keep the test process's priority
    assert warm_command.run(argparse.Namespace(interval=2.0, once=True)) == 0
    assert niceness == [warm_command.NICENESS]
    assert "warm: 2 dashboard(s) drawn" in capsys.readouterr().out
