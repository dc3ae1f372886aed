"""Every registered page renders in every language; the map without boundaries says what to do."""

from __future__ import annotations

import json

import pytest
from plotly.utils import PlotlyJSONEncoder

from dashboard import create_app
from dashboard.i18n import LANGUAGES
from dashboard.pages import PAGES
from dashboard.settings import Settings
from dashboard.shell import route
from queries.demo import seed_demo
from queries.engine import make_engine, sqlite_url, upgrade


def rendered(component) -> str:
    """A component tree as the JSON Dash sends to the browser."""
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


@pytest.fixture
def ctx(settings):
    return create_app(settings).server.extensions["aimak"]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.PATH)
def test_every_page_renders(ctx, page, lang):
    _header, body, footer = route(ctx, page.PATH, f"?lang={lang}")
    text = rendered(body)
    assert f'"lang": "{lang}"' in text.replace('"lang":"', '"lang": "')
    assert len(text) > 200
    assert "OCHA" in rendered(footer)


def test_unknown_page_says_so(ctx):
    _header, body, _footer = route(ctx, "/no-such-page", "?lang=ru")
    assert "Страница не найдена" in rendered(body)


def test_map_without_boundaries_says_how_to_install(tmp_path):
    engine = make_engine(sqlite_url(tmp_path / "bare.sqlite"))
    upgrade(engine)
    seed_demo(engine)  # its municipalities exist, but nothing places them on the map
    app = create_app(Settings(data_dir=tmp_path), engine=engine)
    _header, body, _footer = route(app.server.extensions["aimak"], "/", "")
    text = rendered(body)
    assert "aimak geodata install --from DIR" in text
    assert "Sumbula" in text  # the municipalities are still listed


def test_language_from_cookie_then_browser_then_default(settings):
    server = create_app(settings).server
    ctx = server.extensions["aimak"]

    def header(headers) -> str:
        with server.test_request_context("/", headers=headers):
            return rendered(route(ctx, "/", "")[0])

    assert '"Map"' in header({"Accept-Language": "de"})  # the default
    assert "Карта" in header({"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert "Барактар" in header({"Accept-Language": "ru", "Cookie": "aimak_lang=ky"})
    assert "aimak_lang=ru" in server.test_client().get("/?lang=ru").headers["Set-Cookie"]
