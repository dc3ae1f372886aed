"""The `aimak template` and `aimak import` commands (spreadsheet import; see queries.imports).

`add_commands(subparsers)` registers both on the `aimak` parser:

* ``aimak template FILE [--lang ky|ru|en]`` writes the reporting template: an XLSX workbook
  when FILE ends in .xlsx, else one CSV file per table into the directory FILE.
* ``aimak import FILE [--dry-run] [--accept-valid] [--user NAME]`` validates FILE, prints the
  summary and every rejected row, and imports it in one transaction. The exit code is non-zero
  when a row is rejected (nothing is then written) unless ``--accept-valid`` imports the valid
  rows; with ``--dry-run`` nothing is written at all.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

LANGUAGES = ("ky", "ru", "en")
#: how many rejections are printed before "… and N more"
SHOWN_REJECTIONS = 200
#: the tables an import writes besides the template's sheets
OTHER_TABLES = {"programme": "Programme", "phase": "Phases", "organisation": "NGOs"}


def add_commands(subparsers) -> None:
    """Register `template` and `import` on the `aimak` command's subparsers."""
    template = subparsers.add_parser(
        "template", help="write the reporting template (XLSX, or a directory of CSV files)"
    )
    template.add_argument("file", help="FILE.xlsx, or a directory for one CSV file per table")
    template.add_argument("--lang", choices=LANGUAGES, default="en", help="header language")
    template.set_defaults(run=cmd_template)
    importing = subparsers.add_parser(
        "import", help="validate and import a reporting spreadsheet (XLSX or CSV)"
    )
    importing.add_argument("file", help="an .xlsx workbook or a .csv file")
    importing.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    importing.add_argument(
        "--accept-valid",
        action="store_true",
        help="import the valid rows even if some are rejected",
    )
    importing.add_argument(
        "--user", help="the importing account, an admin or manager (default: the system user)"
    )
    importing.set_defaults(run=cmd_import)


def _cli():
    from dashboard import cli  # imported late: cli.py imports this module

    return cli


def cmd_template(args, settings) -> None:
    from queries.imports.templates import template_csv_files, template_workbook

    del settings
    target = Path(args.file)
    if target.suffix.lower() == ".xlsx":
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(template_workbook(args.lang))
        _cli().say(f"Template written: {target} ({args.lang})")
        return
    if target.exists() and not target.is_dir():
        raise _cli().CliError(f"{target} is a file: name an .xlsx file or a directory for CSV")
    target.mkdir(parents=True, exist_ok=True)
    files = template_csv_files(args.lang)
    for name, data in files.items():
        (target / name).write_bytes(data)
    _cli().say(f"CSV templates written to {target}: {', '.join(files)} ({args.lang})")


class ProgressBar:
    """A one-line progress bar on a terminal's standard error; else one line per stage on
    standard output (as the other commands report their steps)."""

    def __init__(self, stream=None, width: int = 30):
        if stream is None:
            stream = sys.stderr if sys.stderr.isatty() else sys.stdout
        self.stream = stream
        self.width = width
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.last_label = None
        self.start = time.monotonic()

    def __call__(self, label: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        if self.tty:
            filled = round(self.width * share)
            bar = "#" * filled + "-" * (self.width - filled)
            self.stream.write(f"\r[{bar}] {share:4.0%} {label:<40}")
            self.stream.flush()
        elif label != self.last_label:
            self.stream.write(f"  {label} ({time.monotonic() - self.start:.1f} s)\n")
            self.stream.flush()
        self.last_label = label

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def summary_lines(summary) -> list[str]:
    """The summary as lines of text: counts per table, then every rejection."""
    from queries.imports.tables import BY_KEY

    lines = [f"File: {summary.file_name} ({summary.size} bytes, SHA-256 {summary.sha256[:16]}…)"]
    if summary.tables:
        lines.append(
            f"  {'table':<22}{'created':>9}{'updated':>9}{'unchanged':>11}{'rejected':>10}"
        )
        for name, counts in summary.tables.items():
            title = BY_KEY[name].en if name in BY_KEY else OTHER_TABLES.get(name, name)
            lines.append(
                f"  {title:<22}{counts.created:>9}{counts.updated:>9}"
                f"{counts.unchanged:>11}{counts.rejected:>10}"
            )
    for note in summary.notes:
        lines.append(f"  note: {note}")
    if summary.rejections:
        lines.append(f"Rejected ({len(summary.rejections)} problems, {summary.rejected} rows):")
        for rejection in summary.rejections[:SHOWN_REJECTIONS]:
            where = []
            if rejection.sheet is not None:
                where.append(f"sheet {rejection.sheet!r}")
            if rejection.row is not None:
                where.append(f"row {rejection.row}")
            if rejection.column:
                where.append(f"column {rejection.column!r}")
            if rejection.cell:
                where.append(f"cell {rejection.cell}")
            place = ", ".join(where) or "file"
            lines.append(f"  {place}: {rejection.code}: {rejection.message}")
        if len(summary.rejections) > SHOWN_REJECTIONS:
            lines.append(f"  … and {len(summary.rejections) - SHOWN_REJECTIONS} more")
    return lines


def cmd_import(args, settings) -> None:
    from queries import engine as db
    from queries.imports import pipeline
    from queries.imports.reader import MAX_FILE_BYTES
    from queries.imports.rules import RULES

    cli = _cli()
    path = Path(args.file)
    if not path.is_file():
        raise cli.CliError(f"no such file: {path}")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:  # refused before reading it into memory
        raise cli.CliError(RULES["E-FILE-TOO-LARGE"].format(size=size, limit=MAX_FILE_BYTES))
    data = path.read_bytes()
    engine = cli.open_database(settings)
    db.upgrade(engine)
    progress = ProgressBar()
    try:
        if args.dry_run:
            summary = pipeline.dry_run(engine, data, path.name, args.user, progress=progress)
        else:
            summary = pipeline.commit(
                engine,
                data,
                path.name,
                args.user,
                accept_valid=args.accept_valid,
                progress=progress,
            )
    except pipeline.ImportRefused as refused:
        progress.close()
        for line in summary_lines(refused.summary):
            cli.say(line)
        raise cli.CliError(str(refused)) from None
    finally:
        engine.dispose()
    progress.close()
    for line in summary_lines(summary):
        cli.say(line)
    if args.dry_run:
        cli.say("Dry run: nothing was written.")
        if summary.blocking or (summary.rejections and not args.accept_valid):
            raise cli.CliError(
                f"{summary.rejected} rows rejected ({len(summary.rejections)} problems)"
            )
        return
    cli.say(
        f"Imported (batch {summary.batch_id}): {summary.created} created, "
        f"{summary.updated} updated, {summary.unchanged} unchanged, {summary.rejected} rejected."
    )
