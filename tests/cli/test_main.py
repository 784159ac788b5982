"""The `baclotrack` dispatcher: discovery of sub-commands and clean exits."""

from __future__ import annotations

import os
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
    # `baclotrack titrate ... | head -1` where the reader has already gone: the first write
    # fails with EPIPE; no traceback on stderr, and the exit code a shell gives SIGPIPE.
    code = (
        "import sys; from baclotrack.cli import main; "
        "sys.exit(main(['titrate', '--protocol', 'ameisen-2005', '--start', '2026-01-01']))"
    )
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code], stdout=write_end, stderr=subprocess.PIPE, check=False
        )
    finally:
        os.close(write_end)
    assert b"Traceback" not in proc.stderr
    assert proc.returncode == 141
