"""The Data page: upload → dry-run summary → confirm → rows written, the cache cleared and the
history updated; uploads bound to their user; rejected rows, templates and the current data as
workbooks; freshness; the review queue; the correction form; and its protection by role.

The app runs over a database holding real (not demo) data: the realistic report of the
import tests, imported once. Callbacks are called as plain functions, and through Flask's test
client where the role check matters.
"""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile

import openpyxl
import pytest
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard import auth, create_app
from dashboard.i18n import Translator
from dashboard.pages import PAGES, data, in_nav
from dashboard.pages.data import tables as data_tables
from dashboard.pages.data import uploads as data_uploads
from dashboard.settings import Settings
from dashboard.shell import route
from queries import users
from queries.engine import make_engine, sqlite_url
from queries.imports.pipeline import Rejection, commit
from queries.imports.rules import RULES
from queries.models import AuditEntry, Document, MunicipalBudget, Role
from queries.scope import PROJECT_OBLASTS, Filters, Scope
from tests.test_authz_matrix import sign_in
from tests.test_import_workbooks import (
    ARAL,
    ARSTANBAP,
    TALAS,
    book,
    realistic,
    snapshot,
    with_units,
)

PASSWORD = "a-long-test-password"  # the authz matrix's sign_in uses it for non-demo accounts
MANAGER, OTHER_MANAGER, VIEWER, OFFICIAL = "mira", "nurlan", "vera", "taalai"
EVERYTHING = Scope(PROJECT_OBLASTS)
HEADER = "Municipality P-code;Year;Local budget, som;Social order allocation, som;Executed, som"
SCRIPT = "<script>alert(1)</script>"


def rendered(component) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


def texts(component) -> str:
    """The visible text of a component tree, one string per line."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key in ("children", "label"):
                walk(node.get("props", {}).get(key) if "props" in node else node.get(key))
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)
        elif isinstance(node, str | int):
            found.append(str(node))

    walk(json.loads(rendered(component)))
    return "\n".join(found)


def upload(content: bytes) -> str:
    """The data URL a dcc.Upload sends."""
    return "data:text/csv;base64," + base64.b64encode(content).decode()


def budgets_csv(*rows: str) -> bytes:
    return "\r\n".join([HEADER, *rows]).encode("utf-8-sig")


#: a corrected allocation for Arstanbap 2015 (was 1 234 567,89) and a row with a bad year
GOOD_AND_BAD = budgets_csv(
    f"{ARSTANBAP};2015;20 700 000;1 500 000;1 200 000",
    f"{ARAL};20l5;9 900 000;98 500;60 100",
)


@pytest.fixture
def app(tmp_path):
    engine = with_units(make_engine(sqlite_url(tmp_path / "real.sqlite")))
    report = realistic()
    report["documents"].append(
        {
            "url": "/documents/aral-progress-2015.pdf",
            "municipality_pcode": ARAL,
            "kind": "progress_report",
            "title": "Отчет о ходе проекта, Арал",
            "issued_on": "2015-09-30",
        }
    )
    commit(engine, book(report), "report.xlsx")
    for name, role, oblasts in (
        (MANAGER, Role.MANAGER, ()),
        (OTHER_MANAGER, Role.MANAGER, ()),
        (VIEWER, Role.VIEWER, ()),
        (OFFICIAL, Role.OFFICIAL, (TALAS,)),
    ):
        users.add_user(engine, name, role, PASSWORD, oblasts=list(oblasts))
    settings = Settings(
        data_dir=tmp_path, database_url=sqlite_url(tmp_path / "real.sqlite"), secret_key="k" * 32
    )
    yield create_app(settings, engine=engine)
    engine.dispose()


@pytest.fixture
def ctx(app):
    return app.server.extensions["aimak"]


def account(ctx, username):
    return users.find_account(ctx.engine, username=username)


def allocation(ctx, pcode=ARSTANBAP, year=2015) -> int:
    with Session(ctx.engine) as session:
        return session.scalar(
            select(MunicipalBudget.social_allocation_tyiyn).where(
                MunicipalBudget.municipality_pcode == pcode, MunicipalBudget.year == year
            )
        )


# --- the import ---------------------------------------------------------------------------


def test_upload_shows_the_dry_run_summary_and_writes_nothing(ctx):
    before = snapshot(ctx.engine)
    view, pending = data.check_upload(
        ctx, "en", upload(GOOD_AND_BAD), "budgets.csv", account(ctx, MANAGER)
    )
    assert snapshot(ctx.engine) == before
    text = texts(view)
    counts = re.search(r"Budgets\n(\d+)\n(\d+)\n(\d+)\n(\d+)", text)
    assert counts.groups() == ("0", "1", "0", "1")  # created, updated, unchanged, rejected
    # the rejected row: sheet, row, column, cell, code, title and the message
    rejection = re.search(r"budgets\n3\nYear\nB3\n(E-[A-Z-]+)\n(.+)\n(.+)", text)
    code = rejection.group(1)
    assert code in RULES
    assert rejection.group(2) == RULES[code].title
    assert "20l5" in rejection.group(3)
    assert "Import the 1 valid row and skip the rejected ones" in text
    assert "Download the rejected rows (XLSX)" in text
    # the upload waits on the server, bound to the manager; the browser holds a token only
    assert set(pending) == {"token", "file_name"}
    assert pending["file_name"] == "budgets.csv"
    stored = data.pending_uploads(ctx).get(pending["token"], account(ctx, MANAGER).id)
    assert stored[0] == GOOD_AND_BAD
    assert data.pending_uploads(ctx).get(pending["token"], account(ctx, OTHER_MANAGER).id) is None


def test_confirm_writes_the_valid_rows_clears_the_cache_and_logs_the_import(ctx):
    manager = account(ctx, MANAGER)
    _view, pending = data.check_upload(ctx, "en", upload(GOOD_AND_BAD), "budgets.csv", manager)
    ctx.cache.set("probe", "stale figures")
    view, imported = data.confirm_upload(ctx, "en", pending, manager)
    assert imported
    text = texts(view)
    assert re.search(
        r"Import batch \d+ of budgets.csv: 0 created, 1 updated, 0 unchanged, 1 "
        r"rejected rows skipped",
        text,
    ), text
    assert allocation(ctx) == 150_000_000
    assert allocation(ctx, ARAL) == 9_850_000
    assert ctx.cache.get("probe") is None
    assert data.pending_uploads(ctx).get(pending["token"], manager.id) is None  # used up
    history = texts(data.history_view(ctx, Translator("en")))
    assert "budgets.csv" in history
    assert manager.display_name in history
    with Session(ctx.engine) as session:
        [entry] = session.scalars(
            select(AuditEntry).where(
                AuditEntry.table_name == "budgets", AuditEntry.action == "update"
            )
        ).all()
        assert entry.user_id == manager.id
        assert entry.after == {"social_allocation": 150_000_000}
    # confirming again: nothing to confirm, nothing written
    again, imported = data.confirm_upload(ctx, "en", pending, manager)
    assert not imported
    assert "Nothing to confirm" in texts(again)


def test_another_user_cannot_confirm_an_upload(ctx):
    _view, pending = data.check_upload(
        ctx, "en", upload(GOOD_AND_BAD), "budgets.csv", account(ctx, MANAGER)
    )
    before = snapshot(ctx.engine)
    for token in (pending["token"], "../" + pending["token"], "x" * 32, None):
        view, imported = data.confirm_upload(
            ctx, "en", {"token": token}, account(ctx, OTHER_MANAGER)
        )
        assert not imported
        assert "Nothing to confirm" in texts(view)
    assert snapshot(ctx.engine) == before


def test_a_tampered_stored_file_is_not_imported(ctx):
    manager = account(ctx, MANAGER)
    _view, pending = data.check_upload(ctx, "en", upload(GOOD_AND_BAD), "budgets.csv", manager)
    stored = data.pending_uploads(ctx).folder / f"{pending['token']}.upload"
    stored.write_bytes(budgets_csv(f"{ARSTANBAP};2015;1;1;1"))
    _view, imported = data.confirm_upload(ctx, "en", pending, manager)
    assert not imported
    assert allocation(ctx) == 123_456_789


def test_a_file_with_nothing_new_offers_no_confirmation(ctx):
    same = budgets_csv(f"{ARSTANBAP};2015;20 700 000;1 234 567,89;1 200 000")
    view, pending = data.check_upload(ctx, "en", upload(same), "budgets.csv", account(ctx, MANAGER))
    assert pending is None
    text = texts(view)
    assert "Nothing to import" in text
    assert "Confirm" not in text


def test_a_refused_file_says_why(ctx, tmp_path):
    view, pending = data.check_upload(
        ctx, "en", upload(b"\x00\x01 not a spreadsheet"), "report.pdf", account(ctx, MANAGER)
    )
    assert pending is None
    text = texts(view)
    assert "The file cannot be imported; nothing was written." in text
    assert "E-FILE-FORMAT" in text
    assert "report.pdf" in text
    bad, pending = data.check_upload(ctx, "en", "not a data url", "x.csv", account(ctx, MANAGER))
    assert pending is None
    assert "could not be read" in texts(bad)


def test_the_demo_database_refuses_imports_naming_the_command(settings):
    ctx = create_app(settings).server.extensions["aimak"]
    manager = account(ctx, "demo-manager")
    view, pending = data.check_upload(ctx, "en", upload(GOOD_AND_BAD), "budgets.csv", manager)
    assert pending is None
    text = texts(view)
    assert "E-DEMO-DATABASE" in text
    assert "aimak demo --remove" in text


def test_file_text_is_shown_as_text(ctx):
    hostile = budgets_csv(
        f"{ARAL};{SCRIPT};9 900 000;98 500;60 100", f"{ARAL};2015;=HYPERLINK(1);0;0"
    )
    view, _pending = data.check_upload(
        ctx, "en", upload(hostile), "budgets.csv", account(ctx, MANAGER)
    )
    text = texts(view)
    assert SCRIPT in text  # plain strings, escaped by Dash
    assert "=HYPERLINK(1)" in text
    assert "dangerously" not in rendered(view)
    assert '"Markdown"' not in rendered(view)


def test_rejections_are_translated_with_their_parameters():
    t = Translator("ru")
    code = "E-NEGATIVE"
    rejection = Rejection(code, RULES[code].format(value="'-5'"), {"value": "'-5'"})
    assert data_uploads.rejection_message(t, rejection) == t(RULES[code].message, value="'-5'")
    assert "'-5'" in data_uploads.rejection_message(t, rejection)
    broken = Rejection(code, "the pipeline's own words", {"other": 1})  # a placeholder missing
    assert data_uploads.rejection_message(t, broken) == "the pipeline's own words"
    assert data_tables.rule_title(t, code) == t(RULES[code].title)


def test_rejected_rows_download_as_a_workbook_with_an_error_column(ctx):
    manager = account(ctx, MANAGER)
    _view, pending = data.check_upload(ctx, "ru", upload(GOOD_AND_BAD), "budgets.csv", manager)
    sent = data.rejected_rows_file(ctx, "ru", pending, manager)
    assert sent["filename"] == "budgets-rejected-rows.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"]))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][-1] == "Ошибки"
    assert len(rows) == 2
    assert rows[1][:2] == [ARAL, "20l5"]
    assert re.match(r"\w+ 3: E-[A-Z-]+: ", rows[1][-1])
    assert data.rejected_rows_file(ctx, "ru", pending, account(ctx, OTHER_MANAGER)) is None


def test_templates_and_the_current_data(ctx):
    sent = data.template_file("ky")
    book_ = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"])))
    assert "Бюджеттер" in book_.sheetnames
    assert sent["filename"] == "aimak-template-ky.xlsx"
    archive = zipfile.ZipFile(
        io.BytesIO(base64.b64decode(data.csv_templates_file("ru")["content"]))
    )
    assert "budgets.csv" in archive.namelist()
    assert "Год" in archive.read("budgets.csv").decode("utf-8-sig")
    exported = base64.b64decode(data.data_file(ctx, "en", Scope({TALAS}))["content"])
    sheet = openpyxl.load_workbook(io.BytesIO(exported))["Budgets"]
    places = {row[0].value for row in sheet.iter_rows(min_row=2)}
    assert places == {ARAL}  # the user's scope only
    # the export imports again with no change
    view, pending = data.check_upload(
        ctx,
        "en",
        upload(exported).replace("text/csv", "application/octet-stream"),
        "aimak-data.xlsx",
        account(ctx, MANAGER),
    )
    assert pending is None
    assert "Nothing to import" in texts(view)


# --- history, freshness, reviews, corrections ----------------------------------------------


def test_freshness_names_each_municipality(ctx):
    view = data.freshness_view(ctx, Translator("ru"), Filters(), EVERYTHING)
    text = texts(view)
    assert "Арал" in text
    assert "Last report" not in text
    assert Translator("ru")("Last report") in text


def test_review_queue_verify_and_return(ctx):
    manager = account(ctx, MANAGER)
    t = Translator("en")
    _table, options = data.review_view(ctx, t, Filters(), EVERYTHING, "submitted")
    report = next(o for o in options if "Арал" in o["label"] or "Aral" in o["label"])
    document = report["value"]
    message = data.review_action(ctx, "en", "return", document, "  ", manager, EVERYTHING)
    assert "Write a comment" in message
    with Session(ctx.engine) as session:
        assert session.get(Document, document).review_status.value == "submitted"
    message = data.review_action(
        ctx, "en", "return", document, "Add the signatures", manager, EVERYTHING
    )
    assert message.endswith(t("Returned for correction") + ".")
    table, _options = data.review_view(ctx, t, Filters(), EVERYTHING, "returned")
    assert "Add the signatures" in texts(table)
    outside = data.review_action(
        ctx, "en", "verify", document, None, manager, Scope({"KG05000000000"})
    )
    assert "not in your scope" in outside
    data.review_action(ctx, "en", "verify", document, None, manager, EVERYTHING)
    with Session(ctx.engine) as session:
        row = session.get(Document, document)
        assert row.review_status.value == "verified"
        assert row.reviewed_by == manager.id
        reviews = session.scalars(select(AuditEntry).where(AuditEntry.action == "review")).all()
        assert len(reviews) == 2


def test_correct_a_record_in_the_form(ctx):
    manager = account(ctx, MANAGER)
    key = {"municipality_pcode": ARSTANBAP, "year": "2015"}
    fields, loaded, message = data.find_record(ctx, "en", "budgets", key, EVERYTHING)
    assert message == ""
    assert loaded["values"]["social_allocation"] == "1234567.89"
    assert "1234567.89" in texts(fields)
    edited = {**loaded["values"], "social_allocation": "1 400 000"}
    message, after = data.save_record(ctx, "en", loaded, edited, manager, EVERYTHING)
    assert "1 record updated" in texts(message)
    assert allocation(ctx) == 140_000_000
    assert after["values"]["social_allocation"] == "1400000.00"
    again, _loaded = data.save_record(ctx, "en", after, after["values"], manager, EVERYTHING)
    assert again == "Nothing changed."
    bad, _loaded = data.save_record(
        ctx, "en", after, {**after["values"], "executed": "-1"}, manager, EVERYTHING
    )
    assert "E-NEGATIVE" in texts(bad)
    assert allocation(ctx) == 140_000_000
    _fields, nothing, message = data.find_record(ctx, "en", "budgets", key, Scope({TALAS}))
    assert nothing is None
    assert "No record of the table Budgets" in message


# --- the page and its protection --------------------------------------------------------------


def test_the_page_is_registered_and_protected():
    assert data in PAGES
    assert in_nav(data)
    assert auth.roles_for_path("/data") == auth.MANAGERS
    for output in data.OUTPUTS:
        assert auth.roles_for_id(output) == auth.MANAGERS


def route_as(app, username, path="/data", search="?lang=en"):
    ctx = app.server.extensions["aimak"]
    with app.server.test_request_context(path):
        import flask

        flask.g.aimak_user = account(ctx, username) if username else None
        return route(ctx, path, search)


def test_managers_see_the_page_and_others_do_not(app):
    header, body, _footer = route_as(app, MANAGER)
    text = texts(body)
    assert "Import a spreadsheet" in text
    assert "Reporting freshness" in text
    assert "Review of reports" in text
    assert "Correct a record" in text
    assert "Data" in texts(header)
    for username in (VIEWER, OFFICIAL):
        header, body, _footer = route_as(app, username)
        assert "This page needs another role" in texts(body)
        assert "Import a spreadsheet" not in texts(body)
        assert "Data" not in texts(header).split("\n")


def test_callbacks_are_refused_to_other_roles_over_http(app):
    key = next(
        k for k in app.callback_map if "data-summary.children" in k and "data-history" not in k
    )
    body = {
        "output": key,
        "outputs": [
            {"id": "data-summary", "property": "children"},
            {"id": "data-pending", "property": "data"},
            {"id": "data-result", "property": "children"},
        ],
        "inputs": [{"id": "data-upload", "property": "contents", "value": upload(GOOD_AND_BAD)}],
        "state": [
            {"id": "data-upload", "property": "filename", "value": "budgets.csv"},
            {"id": "data-lang", "property": "data", "value": "en"},
        ],
        "changedPropIds": ["data-upload.contents"],
    }
    anonymous = app.server.test_client()
    assert anonymous.post("/_dash-update-component", json=body).status_code == 401
    for username, status in ((VIEWER, 403), (OFFICIAL, 403), (MANAGER, 200)):
        client = app.server.test_client()
        sign_in(client, username)
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code == status, username
    answer = response.get_json()["response"]
    assert answer["data-pending"]["data"]["token"]
    assert "E-" in json.dumps(answer["data-summary"]["children"])
