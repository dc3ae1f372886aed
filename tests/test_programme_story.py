"""Issue 15, point 5: the programme's story is data (goal, legal basis, three logical parts, the
activities of each phase, the team by role, its documents), stored by the demo, the first import
and migration 0006, and shown on the Programme page in ky, ru and en."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, insert, select, text

from dashboard import create_app
from dashboard.i18n import LANGUAGES
from dashboard.pages import PAGES, programme
from dashboard.shell import route
from queries import programme_story
from queries.engine import upgrade
from queries.models import (
    Phase,
    ProgrammeActivity,
    ProgrammeRole,
    ProgrammeStatement,
    TrainingEvent,
    TrainingKind,
)
from queries.programme import PILOT_PHASES, PROGRAMME_CODE
from queries.scope import PROJECT_OBLASTS, Filters, Scope
from tests.test_pseudo_locale import visible_texts

TALAS = "KG07000000000"
EVERYTHING = Scope(PROJECT_OBLASTS)

#: the brief's phase of each activity that trainings carried out (issue 15, point 5)
TRAINING_PHASE = {
    TrainingKind.LSG: 1,  # LSG bodies: cooperation with NGOs, participatory appraisal
    TrainingKind.FINANCE: 1,  # municipal finance under the new inter-budgetary relations
    TrainingKind.NGO: 1,  # NGOs and initiative groups: project development
    TrainingKind.MONITORING: 1,  # NGOs and initiative groups: monitoring and evaluation
    TrainingKind.PROCUREMENT_LAW: 2,  # the new public procurement legislation
}


def test_the_demo_stores_the_whole_story(demo_engine):
    story = programme_story.story(demo_engine, Filters(), EVERYTHING)
    goal = story.statement("goal").iloc[0]
    assert "12 municipalities" in goal.text_en
    assert "NGOs" in goal.text_en
    assert "12 муниципалитет" in goal.text_ru
    assert "12 муниципалитет" in goal.text_ky
    legal = story.statement("legal_basis").iloc[0]
    assert '"On state social procurement" of 21 July 2008' in legal.text_en
    assert "«О государственном социальном заказе» от 21 июля 2008 года" in legal.text_ru
    assert "Министерство социального развития" in legal.text_ru
    assert "«Мамлекеттик социалдык заказ жөнүндө»" in legal.text_ky
    assert "only the Ministry of Social Development" in legal.text_en
    parts = story.statement("part")
    assert list(parts.number) == [1, 2, 3]
    assert parts.text_en.str.startswith(("Identifying", "Forming", "Monitoring")).all()
    by_phase = story.activities.groupby("phase").size().to_dict()
    assert by_phase == {1: 9, 2: 4}
    for column in programme_story.TEXTS:
        assert story.activities[column].str.len().gt(10).all(), column
    texts = dict(zip(story.activities.text_en, story.activities.phase, strict=True))
    assert texts["Training of NGOs and initiative groups in monitoring and evaluation"] == 1
    assert texts["Compiling the practice and describing the methodology"] == 1
    assert texts["Technical expertise of 12 projects"] == 1
    assert texts["Assistance to the Joint Monitoring and Evaluation Group"] == 2
    assert texts["Methodological analysis with recommendations for the legal framework"] == 2
    roles = story.roles
    assert list(roles.people) == [1, 2, 3]
    assert list(roles.role_en) == ["Project manager", "Project expert", "Project expert"]
    assert list(roles.area_en[1:]) == ["Batken and Talas oblasts", "Jalal-Abad oblast"]
    assert set(story.documents.kind) == {"final_report", "recommendations"}


def test_the_story_needs_a_scope(demo_engine):
    for scope in (None, Scope()):
        story = programme_story.story(demo_engine, Filters(), scope)
        assert story.empty
        assert story.documents.empty
        assert story.phases.empty


def test_each_demo_training_falls_in_the_phase_of_its_activity(demo_engine):
    """The oblast-wide trainings (the programme's own) in the phase the brief gives their
    activity; the activities name the same phase; the M&E training is in phase 1."""
    story = programme_story.story(demo_engine, Filters(), EVERYTHING)
    stored = {
        kind: phase
        for kind, phase in zip(story.activities.training_kind, story.activities.phase, strict=True)
    }
    assert {k: v for k, v in stored.items() if k is not None} == TRAINING_PHASE
    statement = (
        select(TrainingEvent.kind, Phase.number, TrainingEvent.start_date)
        .join(Phase, Phase.id == TrainingEvent.phase_id)
        .where(TrainingEvent.municipality_pcode.is_(None))
    )
    with demo_engine.connect() as connection:
        rows = connection.execute(statement).all()
    assert len(rows) == 15  # five trainings in each of the three oblasts
    for kind, phase, day in rows:
        assert phase == TRAINING_PHASE[TrainingKind(kind)], (kind, day)
        start, end = PILOT_PHASES[phase - 1].start_date, PILOT_PHASES[phase - 1].end_date
        assert start <= day < end


def test_trainings_are_counted_in_the_readers_scope(demo_engine):
    everything = programme_story.story(demo_engine, Filters(), EVERYTHING).activities
    talas = programme_story.story(demo_engine, Filters(), Scope({TALAS})).activities
    as_of = programme_story.story(demo_engine, Filters(), Scope({TALAS})).as_of
    with demo_engine.connect() as connection:
        expected = dict(
            connection.execute(
                select(TrainingEvent.kind, func.count())
                .where(TrainingEvent.oblast_pcode == TALAS, TrainingEvent.start_date <= as_of)
                .group_by(TrainingEvent.kind)
            ).all()
        )
    counted = {
        k: n for k, n in zip(talas.training_kind, talas.trainings, strict=True) if k is not None
    }
    assert counted == {TrainingKind(kind): n for kind, n in expected.items()}
    assert (everything.trainings.fillna(0) >= talas.trainings.fillna(0)).all()
    assert everything.trainings.sum() > talas.trainings.sum()
    assert talas.participants[talas.training_kind.notna()].gt(0).all()


def test_migration_0006_writes_the_story_of_a_stored_programme(empty_engine):
    upgrade(empty_engine, "0005")
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO programme (id, code, name_en, donor, implementer, start_date,"
                " end_date, is_demo) VALUES (7, :code, 'Pilot', 'GIZ', 'DPI', '2013-09-01',"
                " '2015-11-01', true)"
            ),
            {"code": PROGRAMME_CODE},
        )
        for phase in PILOT_PHASES:
            connection.execute(
                insert(Phase).values(
                    programme_id=7,
                    number=phase.number,
                    name_en=phase.name_en,
                    start_date=phase.start_date,
                    end_date=phase.end_date,
                    is_demo=True,
                )
            )
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        counts = [
            connection.scalar(select(func.count()).select_from(table).where(table.is_demo))
            for table in (ProgrammeStatement, ProgrammeActivity, ProgrammeRole)
        ]
        phases = connection.execute(
            select(Phase.number, func.count())
            .join(ProgrammeActivity, ProgrammeActivity.phase_id == Phase.id)
            .group_by(Phase.number)
        ).all()
    assert counts == [5, 13, 3]
    assert dict(phases) == {1: 9, 2: 4}


# --- the page ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ctx(module_app):
    return module_app.server.extensions["aimak"]


def find(node, ident: str):
    """The component with id `ident` in a Dash tree (None when absent)."""
    if getattr(node, "id", None) == ident:
        return node
    children = getattr(node, "children", None) if hasattr(node, "_prop_names") else node
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = find(child, ident)
            if found is not None:
                return found
    return None


def page_texts(ctx, lang: str) -> list[str]:
    """The visible texts of the Programme page's own content (not the shell's filter bar)."""
    _header, body, _footer = route(ctx, programme.PATH, f"?lang={lang}")
    article = find(body, "programme")
    assert article is not None
    return [text for _path, text in visible_texts(article) if text and text.strip()]


def test_the_page_is_registered_and_in_the_navigation(ctx):
    assert programme in PAGES
    assert getattr(programme, "IN_NAV", True)
    header, _body, _footer = route(ctx, "/", "?lang=ru")
    assert "Программа" in [text for _path, text in visible_texts(header)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_tells_the_story_in_each_language(ctx, lang):
    shown = "\n".join(page_texts(ctx, lang))
    story = programme_story.story(ctx.engine, Filters(), EVERYTHING)
    column = f"text_{lang}"
    for topic in ("goal", "legal_basis", "part"):
        for value in story.statement(topic)[column]:
            assert value in shown, (topic, value)
    for phase in (1, 2):
        activities = story.activities[story.activities.phase == phase]
        for value in activities[column]:
            assert value in shown, value
    for value in [*story.roles[f"role_{lang}"], *story.roles[f"area_{lang}"].dropna()]:
        assert value in shown, value
    for phase in story.phases.itertuples():
        assert getattr(phase, f"name_{lang}") in shown


LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
#: Latin words a Russian or Kyrgyz page may show, each with its reason
PROPER_NAMES = {
    "GIZ": "the donor's name, written in Latin letters in every language (docs/glossary.md)",
}


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_no_english_on_the_russian_and_kyrgyz_page(ctx, lang):
    words = {word for text in page_texts(ctx, lang) for word in LATIN_WORD.findall(text)}
    assert words <= set(PROPER_NAMES), words - set(PROPER_NAMES)


def test_a_missing_translation_shows_another_language_tagged():
    t = __import__("dashboard.i18n", fromlist=["Translator"]).Translator("ky")
    assert programme.localized(t, {"text_en": "Goal", "text_ru": "Цель", "text_ky": None}) != (
        "Цель"
    )
    tagged = programme.localized(t, {"text_en": "Goal", "text_ru": "Цель", "text_ky": " "})
    assert tagged.lang == "ru"
    assert tagged.children[0] == "Цель"
    assert tagged.children[2].children == "RU"
    assert programme.localized(t, {"text_en": "", "text_ru": None, "text_ky": None}) is None


def test_the_app_serves_the_page(tmp_path, demo_copy):
    from dashboard.settings import Settings
    from queries.engine import sqlite_url

    app = create_app(Settings(data_dir=tmp_path, database_url=sqlite_url(demo_copy)))
    client = app.server.test_client()
    assert client.get("/programme?lang=ky").status_code == 200
    # the programme's documents link to their stored files, and the files open
    with app.server.test_request_context("/programme?lang=ru"):
        _header, body, _footer = route(ctx_of(app), programme.PATH, "?lang=ru")
    links = find(body, "programme-documents").children[1].children
    hrefs = [item.children[0].href for item in links]
    assert len(hrefs) == 2
    for href in hrefs:
        assert href.startswith("/documents/")
        response = client.get(href)
        assert response.status_code == 200, href
        assert response.content_type == "application/pdf"
        assert response.data.startswith(b"%PDF")


def ctx_of(app):
    return app.server.extensions["aimak"]


LAW = {
    "en": '"On state social procurement" of 21 July 2008',
    "ru": "«О государственном социальном заказе» от 21 июля 2008 года",
    "ky": "2008-жылдын 21-июлундагы «Мамлекеттик социалдык заказ жөнүндө» Мыйзамы",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_guide_tells_the_story(lang):
    from dashboard.pages import guide

    prose = " ".join(" ".join(guide.prose(lang)).split()).lower()
    assert " ".join(LAW[lang].split()).lower() in prose
    for part in programme_story.PARTS:
        assert getattr(part, lang).lower() in prose, part
    assert getattr(programme_story.GOAL, lang).split()[-1].lower() in prose  # the goal's end
    for word in {
        "en": ("manager", "three"),
        "ru": ("руководитель", "три"),
        "ky": ("жетекчиси", "үч"),
    }[lang]:
        assert word in prose


def test_the_first_import_writes_the_story_with_the_programme(tmp_path):
    """A real database's first import creates the programme: its story comes with it (not
    demo), counted in the programme's audit entry."""
    from queries.engine import make_engine, sqlite_url
    from queries.imports.pipeline import commit
    from queries.models import AuditEntry
    from tests.test_import_workbooks import book, realistic, with_units

    engine = with_units(make_engine(sqlite_url(tmp_path / "real.sqlite")))
    commit(engine, book(realistic()), "report.xlsx")
    story = programme_story.story(engine, Filters(), EVERYTHING)
    assert story.activities.groupby("phase").size().to_dict() == {1: 9, 2: 4}
    assert len(story.statements) == 5
    assert list(story.roles.people) == [1, 2, 3]
    with engine.connect() as connection:
        demo = [
            connection.scalar(select(func.count()).select_from(table).where(table.is_demo))
            for table in (ProgrammeStatement, ProgrammeActivity, ProgrammeRole)
        ]
        entry = connection.scalar(
            select(AuditEntry.after).where(
                AuditEntry.table_name == "programme", AuditEntry.action == "insert"
            )
        )
    assert demo == [0, 0, 0]
    assert entry["story"] == programme_story.story_counts()
    assert sum(entry["story"].values()) == 5 + 13 + 3
    engine.dispose()


def test_a_filter_change_recounts_the_trainings(ctx):
    """The callback's function: the oblast filter (a control) narrows the trainings counted."""

    def counts(controls: dict) -> list[str]:
        body = programme.update(ctx, "en", "?lang=en", controls)
        return [
            text
            for _path, text in visible_texts(body)
            if text and "training" in text and "participant" in text
        ]

    everything, talas = counts({}), counts({"oblast": [TALAS]})
    assert len(everything) == len(talas) == 5  # the five activities carried out by trainings
    assert everything != talas
    assert talas[2].startswith("1 training · ")  # Talas held one NGO training
