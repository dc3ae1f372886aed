"""Small tables and texts shared by the Data page's parts (upload results, history, review)."""

from __future__ import annotations

import datetime as dt

from dash import html

from dashboard import formatting
from dashboard.i18n import N_, Translator
from queries.imports.rules import RULES
from queries.imports.tables import BY_KEY

#: the rows of a summary that are not sheets of the template
EXTRA_TABLES = {"programme": N_("Programme"), "phase": N_("Phases"), "organisation": N_("NGOs")}


def table_name(t: Translator, key: str) -> str:
    if key in BY_KEY:
        return BY_KEY[key].sheet_name(t.lang)
    return t(EXTRA_TABLES[key]) if key in EXTRA_TABLES else key


def rule_title(t: Translator, code: str) -> str:
    return t(RULES[code].title) if code in RULES else code


def _when(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return f"{value:%Y-%m-%d %H:%M} UTC"


def _count(value, t: Translator) -> str:
    return formatting.number(value or 0, t.lang)


def table(headers: list, rows: list[list], numeric=frozenset(), **attributes):
    """A plain table (cells are text: Dash escapes it); columns in `numeric` align right."""

    def cls(index):
        return "num" if index in numeric else None

    return html.Table(
        [
            html.Thead(
                html.Tr([html.Th(h, scope="col", className=cls(i)) for i, h in enumerate(headers)])
            ),
            html.Tbody(
                [html.Tr([html.Td(v, className=cls(i)) for i, v in enumerate(row)]) for row in rows]
            ),
        ],
        **{"className": "data-table", **attributes},
    )
