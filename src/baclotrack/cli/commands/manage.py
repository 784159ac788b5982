"""`baclotrack manage ...`: Django's management utility for the clinic (migrate, createsuperuser, ...)."""

from __future__ import annotations

import argparse
import os


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "manage",
        help="run a Django management command of the clinic web app (migrate, createsuperuser, ...)",
        description="Pass the arguments to Django's management utility, e.g. `baclotrack manage migrate`.",
        add_help=False,
    )
    parser.add_argument(
        "django_args", nargs=argparse.REMAINDER, help="the management command and its arguments"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baclotrack.web.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["baclotrack manage", *args.django_args])
    return 0
