"""`aimak deck`, `aimak report` and `aimak map-image`: exports written from the command line.

The scope is explicit: every oblast in the database, restricted by --oblast.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select

from dashboard.i18n import LANGUAGES
from dashboard.paths import IMAGE_FORMATS as FORMATS
from queries.models import Oblast
from queries.scope import Scope

from .common import CliError, open_database, say


def _context(settings, oblasts: list[str] | None):
    """An app context over the database whose scope is the chosen oblasts."""
    from dashboard.app import create_app  # Dash: CLI start-up time
    from dashboard.exports.images import ScopedContext  # plotly and kaleido: start-up time

    engine = open_database(settings)
    with engine.connect() as connection:
        known = set(connection.scalars(select(Oblast.pcode)))
    unknown = sorted(set(oblasts or ()) - known)
    if unknown:
        raise CliError(f"unknown oblast: {', '.join(unknown)}")
    ctx = create_app(settings, engine=engine).server.extensions["aimak"]
    return ScopedContext(ctx, Scope(frozenset(oblasts or known)))


def _public(args, settings) -> str:
    """The address links in the file point to: --base-url, else AIMAK_PUBLIC_URL; empty: no
    links (a file written here is read away from any server: never a loopback address)."""
    return settings.public_url if args.base_url is None else args.base_url


def _write(path: str, data: bytes, started: float) -> None:
    Path(path).write_bytes(data)
    say(f"Wrote {path} ({len(data):,} bytes) in {time.perf_counter() - started:.1f} s")


def cmd_deck(args, settings) -> None:
    from dashboard.exports.deck import build_deck  # python-pptx: CLI start-up time

    started = time.perf_counter()
    ctx = _context(settings, args.oblast)
    state = {"oblast": tuple(args.oblast or ())}
    _write(args.out, build_deck(ctx, state, lang=args.lang, base_url=args.base_url), started)


def cmd_report(args, settings) -> None:
    from dashboard.exports.pdf import municipality_report, oblast_report  # start-up time

    started = time.perf_counter()
    ctx = _context(settings, [args.oblast] if args.oblast else None)
    try:
        if args.municipality:
            data = municipality_report(
                ctx, args.municipality, lang=args.lang, base_url=_public(args, settings)
            )
        else:
            data = oblast_report(ctx, args.oblast, lang=args.lang, base_url=_public(args, settings))
    except LookupError as error:
        raise CliError(str(error)) from error
    _write(args.out, data, started)


def cmd_map_image(args, settings) -> None:
    from dashboard.exports.images import map_image  # plotly and kaleido: CLI start-up time

    started = time.perf_counter()
    ctx = _context(settings, args.oblast)
    state = {"theme": args.theme, "oblast": tuple(args.oblast or ())}
    data = map_image(
        ctx, state, args.format, lang=args.lang, size=args.size, base_url=_public(args, settings)
    )
    _write(args.out, data, started)


def add_commands(commands) -> None:
    """Register deck, report and map-image on the `aimak` parser's subparsers."""

    def common(parser):
        parser.add_argument("--lang", choices=LANGUAGES, help="language of the export")
        parser.add_argument(
            "--base-url",
            help="the app's public URL, for links to the view (default: AIMAK_PUBLIC_URL; "
            "none: no links)",
        )

    deck = commands.add_parser("deck", help="write a PowerPoint deck (16:9)")
    deck.add_argument("--oblast", action="append", metavar="CODE", help="oblast P-code")
    common(deck)
    deck.add_argument("out", metavar="OUT.pptx")
    deck.set_defaults(run=cmd_deck)

    report = commands.add_parser("report", help="write a PDF report")
    which = report.add_mutually_exclusive_group(required=True)
    which.add_argument("--municipality", metavar="PCODE")
    which.add_argument("--oblast", metavar="CODE")
    common(report)
    report.add_argument("out", metavar="OUT.pdf")
    report.set_defaults(run=cmd_report)

    image = commands.add_parser("map-image", help="write the map as PNG, SVG or PDF")
    image.add_argument("--theme", help="map theme (layer id)")
    image.add_argument("--format", choices=FORMATS, default="png")
    image.add_argument("--size", choices=("screen", "print"), default="screen")
    image.add_argument("--oblast", action="append", metavar="CODE", help="oblast P-code")
    common(image)
    image.add_argument("out", metavar="OUT")
    image.set_defaults(run=cmd_map_image)
