"""`baclotrack ...`: the command line. Thin: argument parsing and printing only.

Each sub-command is a module in :mod:`baclotrack.cli.commands` that defines
``add_parser(subparsers)``; the parser it adds sets ``func`` to a callable taking the
parsed arguments and returning an exit code. Modules are discovered, so adding a
command never edits this file.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from baclotrack import __version__
from baclotrack.cli import commands
from baclotrack.core.errors import InputError

#: Exit code for bad input (a file, a value or an argument the user must fix).
EXIT_INPUT_ERROR = 2
#: Exit code when the reader of our output closed the pipe (128 + SIGPIPE), as a shell reports it.
EXIT_BROKEN_PIPE = 141


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baclotrack",
        description="Measurement-based baclofen treatment of alcohol use disorder.",
    )
    parser.add_argument("--version", action="version", version=f"baclotrack {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except InputError as exc:
        print(f"baclotrack {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except FileNotFoundError as exc:
        print(f"baclotrack {args.command}: error: no such file: {exc.filename}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except BrokenPipeError:
        # The reader went away (`baclotrack ... | head`): stop quietly, as Unix tools do.
        # Point stdout at devnull so the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
