"""The `baclotrack` dispatcher: discovery of sub-commands and clean exits."""

from __future__ import annotations

import subprocess
import sys

from baclotrack.cli import build_parser


def test_every_documented_command_is_discovered() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    names = set(sub.choices)  # type: ignore[arg-type]
    expected = {
        "score",
        "titrate",
        "endpoints",
        "simulate",
        "trial",
        "doseresponse",
        "meta",
        "evidence",
        "demo",
    }
    assert expected <= names


def test_a_closed_pipe_ends_the_command_quietly() -> None:
    # `baclotrack titrate ... | head -1` with more output than a pipe buffers: the reader
    # leaves early; no traceback on stderr, and the exit code a shell gives SIGPIPE.
    code = (
        "import sys; from baclotrack.cli import main; "
        "sys.exit(main(['titrate', '--protocol', 'ameisen-2005', '--start', '2026-01-01', '--days', '3000']))"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        assert proc.stdout is not None
        proc.stdout.readline()
        proc.stdout.close()
        _, err = proc.communicate()
    assert b"Traceback" not in err
    assert proc.returncode == 141
