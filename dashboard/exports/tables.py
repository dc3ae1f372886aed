"""Spreadsheet exports (CSV, XLSX) of the Compare and Timeline pages' tables.

Each entry of `TABLES` rebuilds the table of one view — the scoped queries, the filter bar, the
page's own controls, the language and currency of the URL — as a frame and its `Column`s, so
the file holds exactly the rows on screen, with names beside codes and units in the headers
(dashboard.spreadsheets writes them, escaping text a spreadsheet could run as a formula). The
Projects page exports its grid itself (dashboard.pages.projects).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import flask
import pandas as pd

from dashboard import auth
from dashboard import spreadsheets as exports
from dashboard.components.export_menu import TABLE_TITLES
from dashboard.exports.images import filters_text
from dashboard.i18n import N_, Translator
from dashboard.language import preferred_language
from dashboard.spreadsheets import Column
from dashboard.urlstate import parse_query
from dashboard.views import compare, timeline
from layers.base import missing
from layers.categories import RATING_LABELS

FORMATS = {"csv": exports.CSV_MEDIA_TYPE, "xlsx": exports.XLSX_MEDIA_TYPE}
DEMO_NOTICE = N_("Illustrative demo data — not real project figures")


@dataclass(frozen=True)
class Table:
    """One exportable table: its page, its title (msgid) and how to build it for a view."""

    id: str
    path: str
    title: str
    build: Callable  # (ctx, t, state) -> (frame, columns, extra notes)


# --- Compare ---------------------------------------------------------------------------------


def compare_table(ctx, t: Translator, state: dict):
    """The compared municipalities as the Compare page ranks and shows them."""
    view = compare.view_data(ctx, state, t)
    rows = view.rows
    frame = pd.DataFrame(
        {
            "rank": rows["rank"] if view.rank else None,
            "pcode": rows["pcode"],
            "municipality": [t.name(row) for _, row in rows.iterrows()],
            "oblast": [t.name(row, "oblast_name") for _, row in rows.iterrows()],
            "population_year": rows["population_year"],
        }
    )
    columns = [Column("rank", N_("Rank"), "int")] if view.rank else []
    columns += [
        Column("pcode", N_("P-code")),
        Column("municipality", N_("Municipality")),
        Column("oblast", N_("Oblast")),
    ]
    for item in compare.INDICATORS:
        values = rows[item.column]
        header = t(item.label)
        note = compare.unit_note(t, item, view.per)
        if item.kind == "money":
            column = Column(item.id, f"{header}, {note}" if note else header, "money")
        elif item.kind == "percent":
            values = values.map(lambda v: None if missing(v) else float(v) * 100)
            column = Column(item.id, header, "number", unit="%", decimals=1)  # as on screen
        elif item.kind == "category":
            values = values.map(lambda v: None if missing(v) else t(RATING_LABELS.get(v, v)))
            column = Column(item.id, header)
        elif note or item.kind in ("number", "days"):
            unit = note or (t("days") if item.kind == "days" else None)
            column = Column(item.id, header, "number", unit=unit)
        else:
            column = Column(item.id, header, "int")
        frame[item.id] = list(values)
        columns.append(column)
        if item.id == "population":
            columns.append(Column("population_year", N_("Population year"), "int"))
    notes = []
    if view.rank:
        notes.append(t("Ranked by: {indicator}", indicator=t(view.rank.label)))
    return frame, columns, notes


# --- Timeline --------------------------------------------------------------------------------


def timeline_table(ctx, t: Translator, state: dict):
    """Every activity of the Timeline page's chart, in the chart's order."""
    data = timeline.view_data(ctx, state)
    activities, as_of = data["activities"], data["as_of"]
    currency = data["filters"].currency
    rows = [
        {
            "place": timeline.place_text(t, row),
            "pcode": row["pcode"],
            "activity": t(timeline.KIND_STYLES[row["kind"]][0]),
            "start": row["start"],
            "end": None if row["ongoing"] else row["end"] - timeline.ONE_DAY,
            "phase": row["phase"],
            "details": "; ".join(line for line in timeline.details(t, row, currency) if line),
            "progress": timeline.progress_text(t, row, as_of),
        }
        for _, row in activities.iterrows()
    ]
    columns = [
        Column("place", N_("Place")),
        Column("pcode", N_("P-code")),
        Column("activity", N_("Activity")),
        Column("start", N_("Start"), "date"),
        Column("end", N_("End (last day)"), "date"),
        Column("phase", N_("Phase"), "int"),
        Column("details", N_("Details")),
        Column("progress", N_("By the as-of date")),
    ]
    return pd.DataFrame(rows, columns=[c.id for c in columns]), columns, []


TABLES = {
    table.id: table
    for table in (
        Table("compare", compare.PATH, TABLE_TITLES["compare"], compare_table),
        Table("timeline", timeline.PATH, TABLE_TITLES["timeline"], timeline_table),
    )
}


def export(ctx, table_id: str, fmt: str, state: dict) -> tuple[bytes, str]:
    """The file of table `table_id` for the view `state`, and its file name."""
    table = TABLES[table_id]
    t = Translator(state.get("lang") or preferred_language(ctx.settings.default_lang))
    frame, columns, extra = table.build(ctx, t, state)
    as_of = ctx.as_of(state["as_of"], ctx.current_scope())
    notes = [t(DEMO_NOTICE)] if ctx.is_demo() else []
    notes.append(f"Aimak Atlas — {t(table.title)}")
    if as_of:
        notes.append(t("Data as of {date}", date=as_of.isoformat()))
    notes += [filters_text(t, ctx, state), *extra]
    name = f"aimak-{table_id}" + (f"-{as_of.isoformat()}" if as_of else "")
    options = {"currency": state["currency"], "notes": notes}
    if fmt == "xlsx":
        sheet = t(table.title)
        data = exports.to_xlsx(frame, columns, t, sheet=sheet, demo=ctx.is_demo(), **options)
    else:
        data = exports.to_csv(frame, columns, t, **options)
    return data, f"{name}.{fmt}"


def register(app, ctx) -> None:
    """GET /export/table/<id>.<csv|xlsx>?<view>: the table of that view, in the user's scope."""

    @app.server.route("/export/table/<table_id>.<fmt>")
    def _table(table_id: str, fmt: str):
        if not auth.may_read(ctx):
            flask.abort(401)
        if table_id not in TABLES or fmt not in FORMATS:
            flask.abort(404)
        state = parse_query(flask.request.query_string.decode())
        data, name = export(ctx, table_id, fmt, state)
        response = flask.Response(data, mimetype=FORMATS[fmt])
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        response.cache_control.no_store = True
        return response
