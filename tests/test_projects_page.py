"""The Projects page: its query (both backends), grid rows, quick search, callbacks as plain
functions, and exports that hold exactly what is filtered, for every demo municipality."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from plotly.utils import PlotlyJSONEncoder

from dashboard import create_app
from dashboard.i18n import LANGUAGES, Translator
from dashboard.pages import projects
from dashboard.shell import route
from dashboard.spreadsheets import UnsupportedFilter
from dashboard.urlstate import build_query, defaults
from queries.demo import DEMO_MUNICIPALITIES
from queries.projects import project_summary
from queries.projects_table import COLUMNS, project_rows
from queries.scope import NO_SCOPE, PROJECT_OBLASTS, Filters, Scope

TALAS = "KG07000000000"
EVERYTHING = Scope(PROJECT_OBLASTS)
ASSETS = Path(__file__).resolve().parents[1] / "assets"
HEALTH = {"sector": {"filterType": "text", "type": "contains", "filter": "health"}}
BY_BUDGET = [{"colId": "budget_total", "sort": "desc", "sortIndex": 0}]


# --- the query ---------------------------------------------------------------------------


def test_every_project_in_scope_with_hand_checked_figures(demo_engine):
    frame = project_rows(demo_engine, Filters(), EVERYTHING)
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == 12
    assert frame.code.is_unique
    assert frame.oblast_pcode.tolist() == sorted(frame.oblast_pcode)
    rows = frame.set_index("code")
    pokrovka = rows.loc["MSP-T-02"]  # budget lines 22,320,000 + 20,832,000 + 6,448,000 tyiyn
    assert pokrovka.pcode == "KG07225833000"
    assert pokrovka.name_ky == "Покровка"
    assert pokrovka.rayon_name_en == "Manas"
    assert pokrovka.oblast_pcode == TALAS
    assert (pokrovka.local_minor, pokrovka.giz_minor, pokrovka.cofinancing_minor) == (
        22_320_000,
        20_832_000,
        6_448_000,
    )
    assert pokrovka.budget_total_minor == 49_600_000
    assert pokrovka.rate_date is None
    assert pokrovka.contract_date == dt.date(2014, 12, 16)
    assert pokrovka.bids == 2
    assert pokrovka.rating == "minor_issues"
    assert pokrovka.beneficiaries == 314
    assert pokrovka.stage == "reported"
    assert pokrovka.expertise_score == 68
    failed = rows.loc["MSP-T-03"]  # Kek-Say: the competition failed, no NGO, no contract
    assert failed.status == "failed_competition"
    assert failed.organisation is None
    assert failed.stage == "bids_received"
    assert failed.bids == 0
    assert failed.contract_date is None
    assert failed.rating is None
    assert failed.beneficiaries is None
    assert rows.loc["MSP-J-02"].rating == "at_risk"  # Suzak, still running
    assert int(frame.budget_total_minor.sum()) == 445_100_000


def test_money_converts_at_the_contract_date_else_the_approval_date(demo_engine):
    rows = project_rows(demo_engine, Filters(currency="USD"), EVERYTHING).set_index("code")
    # 2014-12-16: the USD rate of 2014-12-01 (58.4435 som); each line rounded half to even
    pokrovka = rows.loc["MSP-T-02"]
    assert pokrovka.rate_date == dt.date(2014, 12, 16)
    assert (pokrovka.local_minor, pokrovka.giz_minor, pokrovka.cofinancing_minor) == (
        381_907,
        356_447,
        110_329,
    )
    assert pokrovka.budget_total_minor == 848_683
    failed = rows.loc["MSP-T-03"]  # no contract: the approval date, 2014-04-22 (53.7923 som)
    assert failed.rate_date == failed.approval_date == dt.date(2014, 4, 22)
    assert failed.local_minor == 296_139  # 15,930,000 tyiyn / 53.7923


@pytest.mark.parametrize("currency", ["KGS", "USD", "EUR"])
def test_funded_projects_add_up_to_the_project_summary(demo_engine, currency):
    filters = Filters(currency=currency)
    rows = project_rows(demo_engine, filters, EVERYTHING)
    funded = rows[rows.contract_date.notna()].groupby("pcode")
    summary = project_summary(demo_engine, filters, EVERYTHING).set_index("pcode")
    money = ["budget_total_minor", "local_minor", "giz_minor", "cofinancing_minor"]
    for pcode, group in funded:
        assert group[money].sum().tolist() == summary.loc[pcode, money].tolist(), pcode


def test_as_of_shows_projects_known_by_then_as_they_were(demo_engine):
    early = project_rows(demo_engine, Filters(as_of=dt.date(2013, 11, 1)), EVERYTHING)
    assert early.code.tolist() == ["MSP-J-02", "MSP-J-04", "MSP-B-01"]  # identified by then
    assert set(early.stage) == {"priority_identified"}
    winter = project_rows(demo_engine, Filters(as_of=dt.date(2014, 12, 31)), EVERYTHING)
    rows = winter.set_index("code")
    assert rows.loc["MSP-B-01"].contract_date == dt.date(2014, 11, 27)
    assert rows.loc["MSP-B-01"].stage == "implementation"
    assert rows.loc["MSP-B-01"].rating is None
    assert rows.loc["MSP-J-01"].contract_date is None
    assert rows.loc["MSP-J-01"].bids is None
    assert winter.contract_date.notna().sum() == 4


def test_filters(demo_engine):
    def codes(**filters):
        return project_rows(demo_engine, Filters(**filters), EVERYTHING).code.tolist()

    assert codes(sectors=("health",)) == ["MSP-J-03", "MSP-B-04", "MSP-T-02"]
    assert codes(statuses=("failed_competition",)) == ["MSP-T-03"]
    assert codes(oblasts=(TALAS,)) == ["MSP-T-03", "MSP-T-04", "MSP-T-02", "MSP-T-01"]
    assert codes(rayons=("KG05236000000",)) == ["MSP-B-01"]
    assert len(codes(year=2013)) == 12  # every priority was identified in 2013
    assert codes(as_of=dt.date(2014, 6, 1), phase=2) == []  # phase 2 starts 2014-09-01
    assert len(codes(as_of=dt.date(2014, 6, 1), phase=1)) == 12


def test_scope_is_enforced(demo_engine):
    assert len(project_rows(demo_engine, Filters(), NO_SCOPE)) == 0
    assert len(project_rows(demo_engine, Filters(), None)) == 0
    talas = project_rows(demo_engine, Filters(), Scope({TALAS}))
    assert set(talas.oblast_pcode) == {TALAS}
    assert len(talas) == 4
    # a filter never widens the scope
    assert len(project_rows(demo_engine, Filters(oblasts=("KG05000000000",)), Scope({TALAS}))) == 0


# --- the page ----------------------------------------------------------------------------


@pytest.fixture
def ctx(settings):
    return create_app(settings).server.extensions["aimak"]


def rendered(component) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


def download(data: dict) -> bytes:
    assert data["base64"]
    return base64.b64decode(data["content"])


def xlsx_rows(data: dict) -> tuple[list[str], list[tuple]]:
    """The notes and the table rows (header first) of an exported workbook."""
    sheet = openpyxl.load_workbook(io.BytesIO(download(data))).active
    rows = list(sheet.iter_rows(values_only=True))
    headers = {Translator(lang)("Code") for lang in LANGUAGES}  # the header row, in any language
    start = next(i for i, row in enumerate(rows) if row[0] in headers)
    return [row[0] for row in rows[: start - 1]], rows[start:]


def test_grid_rows_hold_values_texts_and_links(ctx):
    state = {**defaults(), "currency": "USD", "oblast": (TALAS,)}
    grid = projects.grid_frame(Translator("ru"), projects.project_table(ctx, state), state)
    rows = grid.set_index("code")
    pokrovka = rows.loc["MSP-T-02"]
    assert pokrovka.municipality == "Покровка"
    assert pokrovka.budget_total == 8486.83
    assert pokrovka.budget_total_text == "8\xa0487 долл. США"  # grouped by a no-break space
    assert pokrovka.contract_date == "2014-12-16"
    assert pokrovka.bids == 2
    assert pokrovka.href == f"/municipality/KG07225833000{build_query(state)}"
    assert pokrovka.sector == Translator("ru")("Health")
    row = projects.row_data(grid)[0]
    assert "search" not in row
    assert set(row) >= {"code", "href", "budget_total_text"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Сумбула", ["MSP-B-01"]),  # a Cyrillic name in the English interface
        ("sumbula", ["MSP-B-01"]),  # its Latin spelling
        ("MSP-T", ["MSP-T-03", "MSP-T-04", "MSP-T-02", "MSP-T-01"]),
        ("health talas", ["MSP-T-02"]),  # every word must match
        ("KG03220856000", ["MSP-J-02"]),
        ("nothing-like-this", []),
        ("", None),
    ],
)
def test_quick_search(ctx, text, expected):
    state = defaults()
    grid = projects.grid_frame(Translator("en"), projects.project_table(ctx, state), state)
    found = projects.quick_search(grid, text).code.tolist()
    assert found == (expected if expected is not None else grid.code.tolist())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_page_renders_the_grid_for_the_url(ctx, lang):
    _header, body, _footer = route(ctx, "/projects", f"?lang={lang}&q=MSP-T&currency=EUR")
    text = rendered(body)
    assert '"id": "projects-grid"' in text
    assert "AimakLink" in text
    assert text.count('"code": "MSP-T-') == 4
    assert "MSP-B-01" not in text
    assert (
        Translator(lang).n("{shown} of {n} project", "{shown} of {n} projects", 12, shown="4")
        in text
    )
    assert Translator(lang)("Illustrative demo data — not real project figures") in text
    assert "cdn" not in text.lower()


def test_refresh_counts_what_the_grid_shows_and_reports_unsupported_filters(ctx):
    rows, count, error = projects.refresh(ctx, "en", defaults(), HEALTH)
    assert len(rows) == 12
    assert count == "3 of 12 projects"
    assert error == ""
    unchanged, count, _error = projects.refresh(ctx, "en", defaults(), HEALTH, rows=False)
    assert unchanged is projects.no_update
    assert count == "3 of 12 projects"
    bad = {"sector": {"filterType": "set", "values": ["Health"]}}
    _rows, count, error = projects.refresh(ctx, "en", defaults(), bad)
    assert count == "12 of 12 projects"
    assert "“Sector” cannot be applied" in error


def test_xlsx_export_holds_exactly_the_filtered_sorted_rows(ctx):
    data = projects.export(ctx, "en", defaults(), HEALTH, BY_BUDGET, "xlsx")
    assert data["filename"] == "projects-2015-10-20.xlsx"  # the latest event: the recommendations
    notes, rows = xlsx_rows(data)
    assert notes[0] == "Illustrative demo data — not real project figures"
    assert "Data as of 2015-10-20" in notes
    assert "Filters: Currency: KGS" in notes
    assert "Column filters: Sector contains “health”" in notes
    assert "Sorted by: Budget total (descending)" in notes
    header, body = rows[0], rows[1:]
    assert [row[0] for row in body] == ["MSP-T-02", "MSP-J-03", "MSP-B-04"]
    budget = header.index("Budget total (KGS)")
    assert [Decimal(str(row[budget])) for row in body] == [496_000, 247_000, 196_000]
    # names beside codes
    assert header[2:7] == (
        "Municipality P-code",
        "Municipality",
        "Municipality (English)",
        "Municipality (Russian)",
        "Municipality (Kyrgyz)",
    )
    assert body[0][2] == "KG07225833000"
    assert body[0][6] == "Покровка"
    assert body[0][header.index("Sector code")] == "health"
    assert body[0][header.index("Contract signed")] == dt.datetime(2014, 12, 16)


def test_csv_export_follows_search_currency_and_number_filters(ctx):
    state = {**defaults(), "q": "MSP-T", "currency": "USD", "lang": "ru"}
    bids = {"bids": {"filterType": "number", "type": "greaterThan", "filter": 1}}
    data = projects.export(ctx, "ru", state, bids, None, "csv")
    assert data["filename"].endswith(".csv")
    content = download(data)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    start = next(i for i, row in enumerate(rows) if row and row[0] == Translator("ru")("Code"))
    header, body = rows[start], rows[start + 1 :]
    assert [row[0] for row in body] == ["MSP-T-04", "MSP-T-02", "MSP-T-01"]  # not MSP-T-03: 0
    assert f"{Translator('ru')('Budget total')} (USD)" in header
    assert body[1][header.index(f"{Translator('ru')('Budget total')} (USD)")] == "8486.83"
    assert any("MSP-T" in row[0] for row in rows[:start] if row)  # the search is noted


def test_export_refuses_filters_it_cannot_apply(ctx):
    with pytest.raises(UnsupportedFilter):
        projects.export(ctx, "en", defaults(), {"title": {"filterType": "set"}}, None, "xlsx")
    with pytest.raises(UnsupportedFilter):
        projects.export(ctx, "en", defaults(), None, [{"colId": "href", "sort": "asc"}], "csv")


def test_export_reads_the_users_scope(ctx):
    ctx.current_scope = lambda: Scope({TALAS})
    _notes, rows = xlsx_rows(projects.export(ctx, "en", defaults(), None, None, "xlsx"))
    assert sorted(row[0] for row in rows[1:]) == ["MSP-T-01", "MSP-T-02", "MSP-T-03", "MSP-T-04"]


@pytest.mark.parametrize("unit", DEMO_MUNICIPALITIES, ids=lambda unit: unit.name_en)
def test_every_municipality_renders_refreshes_and_exports(ctx, unit):
    state = {**defaults(), "oblast": (unit.oblast_pcode,), "rayon": (unit.rayon_pcode,)}
    query = build_query(state)
    _header, body, _footer = route(ctx, "/projects", query)
    expected = project_rows(ctx.engine, Filters(rayons=(unit.rayon_pcode,)), EVERYTHING)
    assert unit.pcode in set(expected.pcode)
    text = rendered(body)
    assert f"/municipality/{unit.pcode}{query}" in text
    rows, _count, error = projects.refresh(ctx, "en", state, None)
    assert [row["code"] for row in rows] == expected.code.tolist()
    assert error == ""
    by_name = {"municipality": {"filterType": "text", "type": "equals", "filter": unit.name_ky}}
    _notes, table = xlsx_rows(projects.export(ctx, "ky", state, None, None, "xlsx"))
    assert [row[0] for row in table[1:]] == expected.code.tolist()
    only = projects.export(ctx, "ky", state, by_name, None, "csv")
    assert unit.pcode in download(only).decode("utf-8-sig")


def test_callbacks_are_registered_on_the_app(settings):
    app = create_app(settings)
    outputs = " ".join(app.callback_map)
    assert "projects-grid.rowData" in outputs
    assert "projects-download.data" in outputs


def test_the_grid_functions_exist_in_the_assets():
    script = (ASSETS / "dashAgGridComponentFunctions.js").read_text()
    defs = projects.column_defs(Translator("en"))
    renderers = {d["cellRenderer"] for d in defs if "cellRenderer" in d}
    formatters = {
        d["valueFormatter"]["function"].split("(")[0] for d in defs if "valueFormatter" in d
    }
    for name in renderers:
        assert f"components.{name} = function" in script
    for name in formatters:
        assert f"functions.{name} = function" in script


def test_the_grid_shows_every_row_whole_titles_and_the_money_first():
    """Issue 15: the grid showed 7 rows in a fixed box, titles cut, the money off-screen."""
    grid = projects.grid(Translator("ru"), [])
    assert grid.dashGridOptions["domLayout"] == "autoHeight"  # as tall as its rows
    assert "height" not in grid.style  # not dash-ag-grid's default 400 px box
    defs = {d["field"]: d for d in grid.columnDefs}
    assert defs["title"]["wrapText"] is True
    assert defs["title"]["autoHeight"] is True
    assert grid.defaultColDef["wrapHeaderText"] is True
    order = [d["field"] for d in grid.columnDefs]
    money = ["budget_total", "local", "giz", "cofinancing"]
    assert order[4:8] == money
    # what comes before the money fits a 1440 px window with the money (side margins aside)
    before = sum(defs[f].get("width", grid.defaultColDef["width"]) for f in order[:8])
    assert before <= 1440 - 2 * 20
