"""`baclotrack backup` and `baclotrack restore`: a round trip gives the same caseload, nothing is overwritten
by accident, and a failed backup leaves no half-written file."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from baclotrack.cli import main
from baclotrack.cli.commands import backup

pytestmark = [pytest.mark.db]


@pytest.mark.slow
def test_restored_backup_holds_the_identical_caseload_and_audit_trail(
    migrated, make_database, tmp_path
) -> None:
    migrated.run("manage", "load_demo")
    before = migrated.canonical_dump()
    out = tmp_path / "clinic.backup"
    made = migrated.run("backup", "--out", str(out))
    assert f"to {out}" in made.stdout

    fresh = make_database("restored")
    restored = fresh.run("restore", str(out))
    assert "31 clients" in restored.stdout
    assert '"model": "clinic.auditevent"' in before
    assert fresh.canonical_dump() == before


@pytest.mark.slow
def test_restore_refuses_a_database_that_holds_data_unless_forced(migrated, tmp_path) -> None:
    migrated.shell("from django.contrib.auth.models import User; User.objects.create(username='a'); print(1)")
    out = tmp_path / "one-account.backup"
    migrated.run("backup", "--out", str(out))
    migrated.shell("from django.contrib.auth.models import User; User.objects.create(username='b'); print(1)")

    refused = migrated.run("restore", str(out), check=False)
    assert refused.returncode == 2
    assert "already holds data (auth_user 2)" in refused.stderr
    assert "--force" in refused.stderr
    count = "from django.contrib.auth.models import User; print(User.objects.count())"
    assert migrated.shell(count) == 2

    forced = migrated.run("restore", str(out), "--force")
    assert "replacing its previous contents" in forced.stdout
    assert migrated.shell(count) == 1


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, capsys) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    assert main(["restore", str(junk)]) == 2
    assert "neither an SQLite backup nor a pg_dump" in capsys.readouterr().err


def test_backup_never_overwrites_an_existing_file(tmp_path, capsys) -> None:
    out = tmp_path / "yesterday.backup"
    out.write_bytes(b"yesterday's backup")
    assert main(["backup", "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_bytes() == b"yesterday's backup"


def test_backup_on_a_full_disk_leaves_no_partial_file_and_says_so(tmp_path, monkeypatch, capsys) -> None:
    def fill_then_fail(*args: object) -> None:
        partial = next(arg for arg in args if isinstance(arg, Path))
        partial.write_bytes(b"\0" * 4096)  # some pages made it to disk before it filled up
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup, "sqlite_backup", fill_then_fail)
    monkeypatch.setattr(backup, "postgres_backup", fill_then_fail)
    out = tmp_path / "clinic.backup"
    assert main(["backup", "--out", str(out)]) == 2
    assert f"could not write {out}: No space left on device" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
