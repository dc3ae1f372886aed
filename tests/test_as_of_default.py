"""Issue 15 point 6: "as of" defaults to the latest dated event in the data (programme-level
deliverables included) and may be set to any day up to today; and the Phase chooser names a
phase once (point 7)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import func, select

from dashboard import create_app
from dashboard.components.filter_bar import control_id, filter_bar
from dashboard.i18n import Translator
from dashboard.urlstate import parse_query
from dashboard.views import timeline as timeline_view
from queries import reports, timeline
from queries.models import Document, ProcurementMilestone
from queries.scope import NO_SCOPE, PROJECT_OBLASTS, Filters, Scope

EVERYTHING = Scope(PROJECT_OBLASTS)
TALAS = "KG07000000000"
RECOMMENDATIONS_DAY = dt.date(2015, 10, 20)  # the demo's programme-level recommendations


def test_default_is_the_latest_dated_event_with_programme_deliverables(demo_engine):
    with demo_engine.connect() as connection:
        last_milestone = connection.scalar(select(func.max(ProcurementMilestone.occurred_on)))
        last_document = connection.scalar(select(func.max(Document.issued_on)))
    assert last_document == RECOMMENDATIONS_DAY > last_milestone  # the one the old default missed
    assert reports.latest_event_date(demo_engine, EVERYTHING) == RECOMMENDATIONS_DAY
    # an oblast official's scope takes part in the programme: its deliverables count too
    assert reports.latest_event_date(demo_engine, Scope({TALAS})) == RECOMMENDATIONS_DAY
    assert reports.latest_event_date(demo_engine, NO_SCOPE) is None


def test_the_last_deliverables_are_done_by_default(demo_engine):
    frame = timeline.activities(demo_engine, Filters(), EVERYTHING)
    as_of = reports.latest_event_date(demo_engine, EVERYTHING)
    last = frame[frame["kind"].isin(["recommendations", "final_report"])]
    assert len(last) >= 2
    assert {timeline_view.progress(row, as_of) for _, row in last.iterrows()} == {"done"}
    assert last["happened"].all()


@pytest.fixture(scope="module")
def app(tmp_path_factory, demo_sqlite_file):
    import shutil

    from dashboard.settings import Settings
    from queries.engine import sqlite_url

    folder = tmp_path_factory.mktemp("as-of")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    settings = Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite"))
    server = create_app(settings).server
    return server, server.extensions["aimak"]


def _components(tree) -> list[dict]:
    """Every component of a rendered tree as plain dicts, in document order."""
    found, stack = [], [json.loads(json.dumps(tree, cls=PlotlyJSONEncoder))]
    while stack:
        node = stack.pop(0)
        if isinstance(node, list):
            stack[:0] = node
        elif isinstance(node, dict) and "props" in node:
            found.append(node)
            stack[:0] = [v for v in node["props"].values() if isinstance(v, list | dict)]
    return found


def _control(tree, name: str) -> dict:
    (props,) = [c["props"] for c in _components(tree) if c["props"].get("id") == control_id(name)]
    return props


def test_the_picker_reaches_today_and_shows_the_default(app):
    server, ctx = app
    with server.test_request_context("/"):
        bar = filter_bar(ctx, Translator("en"), parse_query(""))
    picker = _control(bar, "as_of")
    assert picker["max_date_allowed"][:10] == dt.date.today().isoformat()
    assert picker["min_date_allowed"][:10] == "2013-09-01"
    assert picker.get("date") is None  # no day chosen: the default shows as the placeholder
    assert picker["placeholder"] == RECOMMENDATIONS_DAY.isoformat()


@pytest.mark.parametrize(
    ("lang", "first"),
    [
        ("en", "Phase 1: preparation and planning"),
        ("ru", "Этап 1: подготовка и планирование"),
        ("ky", "1-этап: даярдоо жана пландоо"),
    ],
)
def test_the_phase_chooser_names_each_phase_once(app, lang, first):
    server, ctx = app
    with server.test_request_context("/"):
        bar = filter_bar(ctx, Translator(lang), parse_query(f"?lang={lang}"))
    labels = [option["label"] for option in _control(bar, "phase")["options"]]
    assert labels[0] == first
    assert len(labels) == 2
    for label in labels:
        number = label.split(":")[0]
        assert label.count(":") == 1, label
        assert label.count(number) == 1, label
