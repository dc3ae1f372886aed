"""The `aimak template` and `aimak import` commands (spreadsheet import; see queries.imports).

`add_commands(subparsers)` registers both on the `aimak` parser:

* ``aimak template FILE [--lang ky|ru|en]`` writes the reporting template: an XLSX workbook
  when FILE ends in .xlsx, else one CSV file per table into the directory FILE.
* ``aimak import FILE [--dry-run] [--accept-valid] [--user NAME] [--lang ky|ru|en]``
  validates FILE, prints the summary and every rejected row, and imports it in one transaction.
  The exit code is non-zero when a row is rejected (nothing is then written) unless
  ``--accept-valid`` imports the valid rows; with ``--dry-run`` nothing is written at all. The
  summary and the rules' messages are printed in --lang (default: the AIMAK_LANG setting).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from dashboard.i18n import N_, Translator
from queries.imports import pipeline
from queries.imports.reader import MAX_FILE_BYTES
from queries.imports.rules import RULES, quote
from queries.imports.tables import BY_KEY
from queries.imports.templates import template_csv_files, template_workbook

from .common import CliError, say, upgraded_database

LANGUAGES = ("ky", "ru", "en")
#: how many rejections are printed before "… and N more"
SHOWN_REJECTIONS = 200
#: the tables an import writes besides the template's sheets
OTHER_TABLES = {"programme": N_("Programme"), "phase": N_("Phases"), "organisation": N_("NGOs")}
#: the summary's columns and their least widths
COLUMNS = (
    (N_("Table"), 22),
    (N_("Created"), 9),
    (N_("Updated"), 9),
    (N_("Unchanged"), 11),
    (N_("Rejected"), 10),
)


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
    importing.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="language of the summary and the messages (default: the AIMAK_LANG setting)",
    )
    importing.set_defaults(run=cmd_import)


def cmd_template(args, settings) -> None:
    del settings
    target = Path(args.file)
    if target.suffix.lower() == ".xlsx":
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(template_workbook(args.lang))
        say(f"Template written: {target} ({args.lang})")
        return
    if target.exists() and not target.is_dir():
        raise CliError(f"{target} is a file: name an .xlsx file or a directory for CSV")
    target.mkdir(parents=True, exist_ok=True)
    files = template_csv_files(args.lang)
    for name, data in files.items():
        (target / name).write_bytes(data)
    say(f"CSV templates written to {target}: {', '.join(files)} ({args.lang})")


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


def rejection_message(rejection, t: Translator) -> str:
    """A rejection's message in t's language: its rule's message, translated and filled in."""
    rule = RULES.get(rejection.code)
    return t(rule.message, **rejection.params) if rule else rejection.message


def rejection_place(rejection, t: Translator) -> str:
    """Where a rejection is: sheet, row, column and cell as far as known, else the whole file."""
    where = []
    if rejection.sheet is not None:
        where.append(t("sheet {sheet}", sheet=quote(rejection.sheet)))
    if rejection.row is not None:
        where.append(t("row {row}", row=rejection.row))
    if rejection.column:
        where.append(t("column {column}", column=quote(rejection.column)))
    if rejection.cell:
        where.append(t("cell {cell}", cell=rejection.cell))
    return ", ".join(where) or t("whole file")


def problem_count(t: Translator, count: int) -> str:
    return t.n("{n} problem", "{n} problems", count)


def refusal(summary, t: Translator, accept_valid: bool = False) -> str | None:
    """Why the rejections stop the import, in t's language; None when they do not."""
    if summary.blocking:
        reason = rejection_message(summary.blocking[0], t)
    elif summary.rejections and not accept_valid:
        reason = t.n(
            "{n} row rejected ({problems}).",
            "{n} rows rejected ({problems}).",
            summary.rejected,
            problems=problem_count(t, len(summary.rejections)),
        )
    else:
        return None
    return reason + " " + t("Nothing was written.")


def summary_lines(summary, t: Translator | None = None) -> list[str]:
    """The summary as lines of text in t's language: counts per table, then every rejection."""
    t = t or Translator("en")
    lines = [
        t(
            "File: {name} ({size} bytes, SHA-256 {digest}…)",
            name=summary.file_name,
            size=summary.size,
            digest=summary.sha256[:16],
        )
    ]
    if summary.tables:
        titles = {name: _table_title(name, t) for name in summary.tables}
        labels = [t(label) for label, _width in COLUMNS]
        widths = [max(w, len(label) + 2) for label, (_, w) in zip(labels, COLUMNS, strict=True)]
        widths[0] = max(widths[0], *(len(title) + 2 for title in titles.values()))
        lines.append("  " + _row(labels, widths))
        for name, counts in summary.tables.items():
            cells = (counts.created, counts.updated, counts.unchanged, counts.rejected)
            lines.append("  " + _row((titles[name], *cells), widths))
    for note in summary.notes:
        lines.append("  " + t("Note: {note}", note=note))
    if summary.rejections:
        lines.append(
            t(
                "Rejected ({problems}, {rows}):",
                problems=problem_count(t, len(summary.rejections)),
                rows=t.n("{n} row", "{n} rows", summary.rejected),
            )
        )
        for rejection in summary.rejections[:SHOWN_REJECTIONS]:
            place, message = rejection_place(rejection, t), rejection_message(rejection, t)
            lines.append(f"  {place}: {rejection.code}: {message}")
        if len(summary.rejections) > SHOWN_REJECTIONS:
            lines.append(
                "  " + t("… and {count} more", count=len(summary.rejections) - SHOWN_REJECTIONS)
            )
    return lines


def _table_title(name: str, t: Translator) -> str:
    """A table's name in t's language: its sheet's name, else the name of what it holds."""
    if name in BY_KEY:
        return BY_KEY[name].sheet_name(t.lang)
    return t(OTHER_TABLES[name]) if name in OTHER_TABLES else name


def _row(cells, widths) -> str:
    """One line of the summary's table: the first cell left-aligned, the others right."""
    first, *others = cells
    return f"{first:<{widths[0]}}" + "".join(
        f"{cell:>{width}}" for cell, width in zip(others, widths[1:], strict=True)
    )


def cmd_import(args, settings) -> None:
    t = Translator(args.lang or settings.default_lang)
    path = Path(args.file)
    if not path.is_file():
        raise CliError(t("no such file: {path}", path=path))
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:  # refused before reading it into memory
        too_large = RULES["E-FILE-TOO-LARGE"]
        raise CliError(t(too_large.message, size=size, limit=MAX_FILE_BYTES))
    data = path.read_bytes()
    engine = upgraded_database(settings)
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
        for line in summary_lines(refused.summary, t):
            say(line)
        reason = refusal(refused.summary, t, args.accept_valid)
        raise CliError(reason or t(refused.template, **refused.params)) from None
    finally:
        engine.dispose()
    progress.close()
    for line in summary_lines(summary, t):
        say(line)
    if args.dry_run:
        say(t("Dry run: nothing was written."))
        if reason := refusal(summary, t, args.accept_valid):
            raise CliError(reason)
        return
    say(
        t(
            "Imported (batch {batch}): {created} created, {updated} updated, "
            "{unchanged} unchanged, {rejected} rejected.",
            batch=summary.batch_id,
            created=summary.created,
            updated=summary.updated,
            unchanged=summary.unchanged,
            rejected=summary.rejected,
        )
    )
