"""Spreadsheet exports of the Compare and Timeline tables: exactly the rows of the view, names
beside codes, units in the headers, the user's scope, real files read back."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest

from dashboard import create_app
from dashboard.exports import tables as table_exports
from dashboard.i18n import Translator
from dashboard.urlstate import build_query, defaults
from dashboard.views import compare as compare_view
from dashboard.views import timeline as timeline_view
from queries.scope import Scope

TALAS, BATKEN = "KG07000000000", "KG05000000000"
SUMBULA, ARAL = "KG05236836000", "KG07232804000"


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def ctx(app):
    return app.server.extensions["aimak"]


def table_rows(data: bytes) -> tuple[list[str], list[tuple]]:
    """The notes above an exported workbook's table, and its rows (header first)."""
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    blank = rows.index(next(row for row in rows if not any(row)))
    return [row[0] for row in rows[:blank]], rows[blank + 1 :]


@pytest.mark.parametrize("table_id", table_exports.TABLES)
@pytest.mark.parametrize("lang", ["ky", "ru", "en"])
def test_every_table_exports_as_xlsx_and_csv(ctx, table_id, lang):
    state = {**defaults(), "lang": lang}
    data, name = table_exports.export(ctx, table_id, "xlsx", state)
    assert name.startswith(f"aimak-{table_id}")
    assert name.endswith(".xlsx")
    notes, rows = table_rows(data)
    t = Translator(lang)
    assert notes[0] == t(table_exports.DEMO_NOTICE)  # demo data says so
    assert len(rows) > 2
    assert all(isinstance(header, str) and header for header in rows[0])
    text, _ = table_exports.export(ctx, table_id, "csv", state)
    parsed = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert parsed[len(notes) + 1] == list(rows[0])  # the same header, after the same notes
    assert len(parsed) == len(notes) + 1 + len(rows)


def test_compare_export_is_the_compared_view(ctx):
    state = {**defaults(), "rank": "budget_total", "per": "inhabitant", "currency": "USD"}
    t = Translator("en")
    view = compare_view.view_data(ctx, state, t)
    notes, rows = table_rows(table_exports.export(ctx, "compare", "xlsx", state)[0])
    header, body = rows[0], rows[1:]
    assert header[:4] == ("Rank", "P-code", "Municipality", "Oblast")
    assert [row[1] for row in body] == list(view.rows["pcode"])  # ranked as on screen
    assert [row[0] for row in body] == [None if r is None else int(r) for r in view.rows["rank"]]
    assert "Project budget, all sources, per inhabitant (USD)" in header
    assert "Execution rate of the allocation (%)" in header
    assert "Ranked by: Project budget, all sources" in notes
    sumbula = next(row for row in body if row[1] == SUMBULA)
    place = view.rows.set_index("pcode").loc[SUMBULA]
    assert (sumbula[2], sumbula[3]) == (t.name(place), t.name(place, "oblast_name"))
    minor = place["budget_total_minor"]  # per inhabitant, in US cents, as the table shows it
    exported = sumbula[header.index("Project budget, all sources, per inhabitant (USD)")]
    assert Decimal(str(exported)) == Decimal(int(minor)) / 100


def test_compare_export_of_chosen_municipalities_in_russian(ctx):
    state = {**defaults(), "compare": (SUMBULA, ARAL), "lang": "ru"}
    _notes, rows = table_rows(table_exports.export(ctx, "compare", "xlsx", state)[0])
    t = Translator("ru")
    assert rows[0][:3] == (t("P-code"), "Муниципалитет", "Область")
    assert sorted(row[0] for row in rows[1:]) == sorted([SUMBULA, ARAL])


def test_timeline_export_is_the_charts_activities(ctx):
    state = {**defaults(), "oblast": (TALAS,)}
    activities = timeline_view.view_data(ctx, state)["activities"]
    _notes, rows = table_rows(table_exports.export(ctx, "timeline", "xlsx", state)[0])
    assert len(rows) - 1 == len(activities)
    assert rows[0][3:5] == ("Start", "End (last day)")
    assert {row[1] for row in rows[1:]} - {None} == set(activities["pcode"].dropna())


@pytest.mark.parametrize("table_id", table_exports.TABLES)
def test_the_scope_is_the_users(ctx, table_id):
    ctx.current_scope = lambda: Scope({TALAS})
    _notes, rows = table_rows(table_exports.export(ctx, table_id, "xlsx", defaults())[0])
    column = rows[0].index(Translator("en")("P-code"))
    pcodes = {row[column] for row in rows[1:]} - {None}
    assert ARAL in pcodes
    assert SUMBULA not in pcodes
    assert all(code.startswith("KG07") for code in pcodes)


def test_the_route_sends_the_file_and_refuses_unknown_ones(app):
    client = app.server.test_client()
    query = build_query({**defaults(), "lang": "ru"})
    response = client.get(f"/export/table/compare.xlsx{query}")
    assert response.status_code == 200
    assert response.mimetype == table_exports.FORMATS["xlsx"]
    assert "attachment" in response.headers["Content-Disposition"]
    _notes, rows = table_rows(response.data)
    assert rows[0][1] == "Муниципалитет"
    for path in ("/export/table/nothing.xlsx", "/export/table/compare.docx"):
        assert client.get(path).status_code == 404


@pytest.mark.parametrize("per", ["total", "inhabitant"])
def test_numbers_are_rounded_to_their_units_precision_and_typed(ctx, per):
    """Issue 15: no 0.38945798596679954 or 110.00000000000001 — percentages with at most one
    decimal, other numbers at most two (as on screen), numbers as numbers in the workbook."""
    state = {**defaults(), "per": per}
    raw = compare_view.view_data(ctx, state, Translator("en")).rows
    floats = [v for c in raw.columns for v in raw[c] if isinstance(v, float) and v == v]
    assert any(len(repr(v).split(".")[-1]) > 2 for v in floats)  # there is something to round
    _notes, rows = table_rows(table_exports.export(ctx, "compare", "xlsx", state)[0])
    header, body = rows[0], rows[1:]
    text, _ = table_exports.export(ctx, "compare", "csv", state)
    parsed = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    csv_body = parsed[parsed.index(list(header)) + 1 :]
    numeric = [i for i, h in enumerate(header) if h not in ("P-code", "Municipality", "Oblast")]
    numeric = [i for i in numeric if h_kind(header[i]) != "text"]
    checked = 0
    for row, csv_row in zip(body, csv_body, strict=True):
        for i in numeric:
            if row[i] is None:
                assert csv_row[i] == ""
                continue
            assert isinstance(row[i], int | float), (header[i], row[i])
            places = 1 if header[i].endswith("(%)") else 2
            assert re.fullmatch(rf"-?\d+(\.\d{{1,{places}}})?", csv_row[i]), (header[i], csv_row)
            assert Decimal(csv_row[i]) == Decimal(repr(row[i])).quantize(Decimal(csv_row[i]))
            checked += 1
    assert checked > 100


def h_kind(title: str) -> str:
    """The kind of a compare export column by its (English) header: the rating is text."""
    return "text" if title == "Latest monitoring rating" else "number"
