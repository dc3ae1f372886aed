"""`aimak demo [--reset | --remove]`: the illustrative demo data."""

from __future__ import annotations

from dashboard.settings import Settings
from queries.demo import DemoError, remove_demo, seed_demo

from .common import CliError, say, step, upgraded_database


def cmd_demo(args, settings: Settings) -> None:
    engine = upgraded_database(settings)
    if args.remove:
        counts = remove_demo(engine)
        say("Demo data removed: " + ", ".join(f"{n} {t}" for t, n in counts.items()))
        return
    try:
        counts = seed_demo(engine, reset=args.reset, progress=step("demo"))
    except DemoError as error:
        raise CliError(str(error)) from error
    say("Demo data (illustrative): " + ", ".join(f"{n} {t}" for t, n in counts.items()))


def add_commands(subparsers) -> None:
    """Register `demo` on the `aimak` command's subparsers."""
    demo = subparsers.add_parser("demo", help="seed the illustrative demo data")
    choice = demo.add_mutually_exclusive_group()
    choice.add_argument("--reset", action="store_true", help="delete and rewrite the demo rows")
    choice.add_argument(
        "--remove", action="store_true", help="delete the demo rows (before importing real data)"
    )
    demo.set_defaults(run=cmd_demo)
