"""`aimak geodata install|status` and `aimak boundaries import FILE`: the boundaries.

`geodata install` reads, validates, simplifies and stores the installation's boundary files;
`boundaries import` brings official polygons for oblasts, rayons or municipalities.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import Engine, func, select

from dashboard.settings import Settings
from geodata.boundary_import import LEVELS, TOLERANCE, BoundaryPlan, describe, plan_import
from geodata.prepare import read_boundaries, simplify
from geodata.sources import GeodataError, find_geodata_dir
from queries.boundaries import (
    BoundaryStoreError,
    apply_import,
    national_outline,
    reference_points,
    unit_codes,
)
from queries.geography import boundaries_installed, store_boundaries
from queries.models import Oblast

from .common import CliError, say, step, upgraded_database

#: the source the installed boundaries are recorded with (shown on profiles and in reports):
#: dataset names and codes, the same in every language
SOURCE = "OCHA COD-AB KGZ 2018; open-admin-data"
IMPORT_DESCRIPTION = """\
The command always shows the dry run first (every feature that is not plainly accepted,
with its reason, and the counts); with --dry-run it stops there. Otherwise it stores the
polygons in one transaction, unless features were rejected and --accept-valid was not
given. The exit code is non-zero when features were rejected (without --accept-valid).
"""


def install_geodata(
    engine: Engine, source: str | Path | None, configured: Path | None = None
) -> dict:
    """Read, validate, simplify and store the boundaries found at `source`, else at the
    `configured` directory (the AIMAK_GEODATA setting), else at the default place."""
    directory = find_geodata_dir(source, configured)
    if directory is None:
        raise CliError(
            "no boundary files found: pass --from DIR or set AIMAK_GEODATA "
            "(see README, 'Data sources')"
        )
    say(f"Installing boundaries from {directory}")
    progress = step("boundaries")
    boundaries = read_boundaries(directory, progress=progress)
    progress("read and validated")
    prepared = simplify(boundaries)
    progress("simplified")
    counts = store_boundaries(engine, prepared, source=SOURCE, file_name=str(directory))
    progress(", ".join(f"{n} {table}" for table, n in counts.items()) + " stored")
    return counts


def units_installed(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Oblast)) or 0


def cmd_geodata(args, settings: Settings) -> None:
    engine = upgraded_database(settings)
    if args.action == "install":
        try:
            install_geodata(engine, args.source, settings.geodata_dir)
        except GeodataError as error:
            raise CliError(str(error)) from error
        return
    directory = find_geodata_dir(configured=settings.geodata_dir)
    say(f"Boundary files: {directory or 'not found'}")
    say(
        f"Units in the database: {units_installed(engine)} oblasts; "
        f"polygons {'installed' if boundaries_installed(engine) else 'not installed'}"
    )


def plan_for(
    engine: Engine,
    path: str | Path,
    level: str,
    code_field: str,
    name_field: str | None = None,
    **options,
) -> BoundaryPlan:
    """The dry run of importing `path` against the units, outline and reference points in
    the database of `engine` (options: tolerance, layer, crs, repair)."""
    return plan_import(
        path,
        level,
        code_field,
        name_field,
        unit_codes(engine, level),
        outline=national_outline(engine),
        reference_points=reference_points(engine) if level == "municipality" else None,
        **options,
    )


def cmd_boundaries_import(args, settings) -> None:
    engine = upgraded_database(settings)
    try:
        plan = plan_for(
            engine,
            args.file,
            args.level,
            args.code_field,
            args.name_field,
            tolerance=args.tolerance,
            layer=args.layer,
            crs=args.crs,
            repair=args.repair,
        )
    except GeodataError as error:
        raise CliError(str(error)) from error
    for line in describe(plan, all_features=args.all):
        say(line)
    if len(plan.unmatched) == len(plan.outcomes):
        say(
            f"No feature matched a {args.level} in the database: is {args.code_field} the "
            "P-code field, and are the units installed (aimak geodata install)?"
        )
    rejected = len(plan.rejected)
    if args.dry_run:
        say("Dry run: nothing was stored.")
        if rejected and not args.accept_valid:
            raise CliError(f"{rejected} features rejected (see above)")
        return
    try:
        counts = apply_import(engine, plan, args.user, accept_valid=args.accept_valid)
    except BoundaryStoreError as error:
        hint = " with --accept-valid" if rejected and not args.accept_valid else ""
        raise CliError(f"{error}{hint}") from error
    say(
        f"Stored {args.level} polygons: {counts['changed']} changed, {counts['unchanged']} "
        f"unchanged (import batch {counts['batch_id']})"
    )


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `geodata` and `boundaries import` on the `aimak` command's subparsers."""
    geodata = subparsers.add_parser("geodata", help="install or inspect boundaries")
    geodata.add_argument("action", choices=["install", "status"])
    geodata.add_argument("--from", dest="source", help="directory of boundary files")
    geodata.set_defaults(run=cmd_geodata)
    boundaries = subparsers.add_parser("boundaries", help="import official boundary polygons")
    actions = boundaries.add_subparsers(dest="action", required=True)
    command = actions.add_parser(
        "import",
        help="import polygons of one level from GeoJSON, GeoPackage, zipped Shapefile or KML",
        description=IMPORT_DESCRIPTION,
    )
    command.add_argument("file", type=Path, help="GeoJSON, GeoPackage, zipped Shapefile or KML")
    command.add_argument("--level", required=True, choices=LEVELS)
    command.add_argument(
        "--code-field", required=True, help="field holding the unit's P-code (e.g. ADM3_PCODE)"
    )
    command.add_argument("--name-field", help="field holding the unit's name (for the report)")
    command.add_argument("--dry-run", action="store_true", help="check and report; store nothing")
    command.add_argument(
        "--tolerance",
        type=float,
        help="simplification tolerance in degrees (default: "
        + ", ".join(f"{level} {value}" for level, value in TOLERANCE.items())
        + ")",
    )
    command.add_argument("--layer", help="layer of a multi-layer file, or member of a zip")
    command.add_argument("--crs", help="CRS of a file that declares none, e.g. EPSG:32643")
    command.add_argument(
        "--repair",
        action="store_true",
        help="repair invalid polygons with make_valid (reported) instead of rejecting them",
    )
    command.add_argument(
        "--accept-valid",
        action="store_true",
        help="store the accepted features even though others were rejected",
    )
    command.add_argument("--user", help="username recorded as the importer (default: system)")
    command.add_argument("--all", action="store_true", help="list every feature, not only problems")
    command.set_defaults(run=cmd_boundaries_import)
