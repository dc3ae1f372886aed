"""`aimak demo [--reset | --remove | --national]`: the illustrative demo data, or the synthetic
national dataset of the benchmarks."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dashboard.settings import Settings
from queries.demo import DemoError, ensure_demo_accounts, remove_demo, seed_demo
from queries.geography import boundaries_installed

from .boundaries import install_geodata
from .common import CliError, say, step, upgraded_database

#: the source checkout this package runs from (an editable install), where benchmarks/ lives
CHECKOUT = Path(__file__).resolve().parents[2]


def cmd_demo(args, settings: Settings) -> None:
    engine = upgraded_database(settings)
    if args.remove:
        counts = remove_demo(engine)
        say("Demo data removed: " + ", ".join(f"{n} {t}" for t, n in counts.items()))
        return
    try:
        if args.national:
            counts = seed_national(engine, settings)
        else:
            counts = seed_demo(engine, reset=args.reset, progress=step("demo"))
    except DemoError as error:
        raise CliError(str(error)) from error
    kind = "Synthetic national data (illustrative, invented figures)" if args.national else ""
    say(
        f"{kind or 'Demo data (illustrative)'}: " + ", ".join(f"{n} {t}" for t, n in counts.items())
    )


def seed_national(engine: Engine, settings: Settings) -> dict[str, int]:
    """The SYNTHETIC national programme of the benchmarks (benchmarks/synthetic.py: every real
    municipality, about 470, invented figures, every row demo) on the real boundaries, with the
    demo accounts. Into a database without reporting rows; from a source checkout only (the
    generator is not part of the installed package)."""
    try:
        if str(CHECKOUT) not in sys.path and (CHECKOUT / "benchmarks" / "synthetic.py").exists():
            sys.path.append(str(CHECKOUT))
        synthetic = importlib.import_module("benchmarks.synthetic")
    except ImportError as error:
        raise CliError(
            "--national needs a source checkout (pip install -e .): its generator is "
            "benchmarks/synthetic.py, which is not installed with the package"
        ) from error
    if not boundaries_installed(engine):
        install_geodata(engine, None, settings.geodata_dir)  # every municipality's point
    counts = synthetic.seed_national(engine, progress=step("national"))
    with Session(engine) as session, session.begin():
        ensure_demo_accounts(session)
    return counts


def add_commands(subparsers) -> None:
    """Register `demo` on the `aimak` command's subparsers."""
    demo = subparsers.add_parser("demo", help="seed the illustrative demo data")
    choice = demo.add_mutually_exclusive_group()
    choice.add_argument("--reset", action="store_true", help="delete and rewrite the demo rows")
    choice.add_argument(
        "--remove", action="store_true", help="delete the demo rows (before importing real data)"
    )
    choice.add_argument(
        "--national",
        action="store_true",
        help="seed the SYNTHETIC national dataset instead (every municipality, invented "
        "figures; for load tests and benchmarks; an empty database; a source checkout)",
    )
    demo.set_defaults(run=cmd_demo)
