"""`baclotrack manage` passes through to Django; `baclotrack demo` checks PORT before doing anything."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from baclotrack.cli import main


def test_manage_runs_a_django_command(capsys) -> None:
    assert main(["manage", "check", "--deploy", "--fail-level", "CRITICAL"]) == 0
    captured = capsys.readouterr()
    assert "System check identified" in captured.out + captured.err


def test_demo_refuses_a_bad_port(monkeypatch, capsys) -> None:
    monkeypatch.setenv("PORT", "80OO")
    assert main(["demo", "--no-serve"]) == 2
    assert "PORT: expected a port number" in capsys.readouterr().err


@pytest.mark.django_db
def test_load_demo_command_is_idempotent() -> None:
    # call_command, not `baclotrack manage`: run_from_argv closes the database connections,
    # which would end the test's transaction on PostgreSQL.
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "Demo cohort loaded" in out.getvalue()
    call_command("load_demo", stdout=out)
    assert "already present" in out.getvalue()
