"""Nothing escapes the catalogs: every page rendered in the pseudo-locale shows only marked text.

In the pseudo-locale (`?lang=qps`, see dashboard.i18n) every translated message reads ⟦…⟧.
The test renders each registered page through the shell and walks its component tree; a
user-visible string without the markers was never passed through `t()`. Data are exempt:
a string is data when, after removing the database's own texts (names, codes, titles),
formatted dates and currency codes, no letter is left (numbers and punctuation are data).
"""

from __future__ import annotations

import re

import pytest
from babel.dates import get_day_names, get_month_names
from sqlalchemy import String, Text, select

from dashboard import create_app, formatting
from dashboard.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    PSEUDO,
    PSEUDO_BASE,
    PSEUDO_CLOSE,
    PSEUDO_ENV,
    PSEUDO_OPEN,
    Translator,
    normalise_language,
    pseudo,
)
from dashboard.pages import PAGES
from dashboard.shell import route

SUMBULA = "KG05236836000"  # a demo municipality, for the profile page's path
#: the properties that a person reads on screen or hears from a screen reader
TEXT_PROPS = ("children", "label", "placeholder", "title", "aria-label", "alt", "aria-description")
#: components whose text is code or a name that is never translated, each with its reason
ALLOWED = {
    # a shell command the user types as it is
    ("Code", None): "code",
    ("Pre", None): "code",
    # the product's name
    ("Span", "brand"): "product name",
}
#: words that are the same in every language, each with its reason
UNTRANSLATED = {
    # each language in its own name (the switcher, the profile's names in three languages)
    *LANGUAGE_NAMES.values(),
    # file formats on export buttons: names of standards, not words
    *("CSV", "XLSX", "PNG", "SVG", "PDF", "PPTX"),
}
#: the texts a Dash 4 dropdown shows itself (its `labels` property)
DROPDOWN_LABELS = (
    "select_all",
    "deselect_all",
    "selected_count",
    "search",
    "clear_search",
    "clear_selection",
    "no_options_found",
)
PAGES_IDS = [page.PATH for page in PAGES]


@pytest.fixture
def ctx(settings, monkeypatch):
    monkeypatch.setenv(PSEUDO_ENV, "on")
    return create_app(settings).server.extensions["aimak"]


def data_texts(ctx) -> set[str]:
    """Every text stored in the database (names, codes, titles, findings…): data, not UI."""
    from queries.models import Base

    texts: set[str] = set()
    with ctx.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if not columns:
                continue
            for row in connection.execute(select(*columns)):
                texts.update(str(v) for v in row if v)
    return texts


@pytest.fixture
def is_data(ctx):
    """A predicate: True when a string shows only data (see the module's docstring)."""
    tokens = data_texts(ctx)
    # dates and amounts are formatted in the pseudo-locale's base language
    tokens |= {str(v) for v in get_month_names("abbreviated", locale=PSEUDO_BASE).values()}
    tokens |= {str(v) for v in get_month_names("wide", locale=PSEUDO_BASE).values()}
    tokens |= {str(v) for v in get_day_names("abbreviated", locale=PSEUDO_BASE).values()}
    tokens |= {formatting.currency_unit(code, PSEUDO_BASE) for code in formatting.CURRENCY_UNITS}
    tokens |= set(formatting.CURRENCY_UNITS) | UNTRANSLATED
    words = sorted((t for t in tokens if re.search(r"\w", t)), key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(w) for w in words))

    def check(text: str) -> bool:
        text = re.sub(r"<[^<>]*>", " ", text)  # plotly's HTML (bold, line breaks)
        return not re.search(r"[^\W\d_]", pattern.sub(" ", text))

    return check


def marked(text: str) -> bool:
    return PSEUDO_OPEN in text and PSEUDO_CLOSE in text


def template_text(template: str) -> str:
    """The literal text of a plotly hover template (placeholders and tags removed)."""
    return re.sub(r"%\{[^}]*\}|<[^>]*>", " ", template)


def figure_texts(figure, path: str):
    """(path, text) of the visible texts of a plotly figure (dict or Figure)."""
    figure = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure or {}
    layout = figure.get("layout") or {}

    def title(value):
        return value.get("text") if isinstance(value, dict) else value

    yield f"{path}.layout.title", title(layout.get("title"))
    for key, axis in layout.items():
        if re.fullmatch(r"[xy]axis\d*", key) and isinstance(axis, dict):
            yield f"{path}.layout.{key}.title", title(axis.get("title"))
    for i, note in enumerate(layout.get("annotations") or ()):
        yield f"{path}.layout.annotations[{i}]", note.get("text")
    legend_shown = layout.get("showlegend")
    traces = figure.get("data") or ()
    for i, trace in enumerate(traces):
        where = f"{path}.data[{i}]"
        shown = trace.get(
            "showlegend", legend_shown if legend_shown is not None else len(traces) > 1
        )
        if shown:
            yield f"{where}.name", trace.get("name")
        templates = trace.get("hovertemplate")
        for template in templates if isinstance(templates, list) else [templates]:
            if template and template_text(template).strip(" .,:;()·-–"):
                yield f"{where}.hovertemplate", template_text(template)
        colour_bar = (trace.get("marker") or {}).get("colorbar") or trace.get("colorbar")
        if colour_bar and trace.get("showscale") is not False:
            yield f"{where}.colorbar.title", title(colour_bar.get("title"))


def visible_texts(node, path: str = ""):
    """(component path, text) of every user-visible string in a Dash component tree."""
    if node is None or isinstance(node, bool | int | float):
        return
    if isinstance(node, str):
        yield path, node
        return
    if isinstance(node, list | tuple):
        for i, child in enumerate(node):
            yield from visible_texts(child, f"{path}[{i}]")
        return
    if hasattr(node, "_prop_names"):
        yield from component_texts(node, path)


def allowed(node, kind: str) -> bool:
    """Whether a component is not rendered, or its text is allowed as it is (ALLOWED)."""
    if kind in {"Store", "Location", "Download", "Interval"}:
        return True  # not rendered
    ident = getattr(node, "id", None)
    key = ident if isinstance(ident, str) else next(iter(ident), None) if ident else None
    classes = (getattr(node, "className", None) or "").split()
    return bool(
        ALLOWED.get((kind, None))
        or ALLOWED.get((kind, key))
        or any(ALLOWED.get((kind, c)) for c in classes)
    )


def component_texts(node, path: str):
    """(component path, text) of a Dash component: its text props, options and own texts."""
    kind = type(node).__name__
    if allowed(node, kind):
        return
    ident = getattr(node, "id", None)
    here = f"{path}>{kind}" + (f"[{ident}]" if ident else "")
    for prop in TEXT_PROPS:
        value = getattr(node, prop, None) if prop in node._prop_names else None
        if prop == "children":
            yield from visible_texts(value, here)
        elif isinstance(value, str):
            yield f"{here}.{prop}", value
        elif value is not None and hasattr(value, "_prop_names"):
            yield from visible_texts(value, f"{here}.{prop}")
    for option in getattr(node, "options", None) or () if "options" in node._prop_names else ():
        label = option.get("label") if isinstance(option, dict) else option
        yield from visible_texts(label, f"{here}.options")
    yield from kind_texts(node, kind, here)


def kind_texts(node, kind: str, here: str):
    """The texts some kinds of component draw themselves: dropdown labels, figures, columns."""
    if kind == "Dropdown":
        # its built-in texts (search box, "Select all", "No options found") are English
        # unless the page passes them translated
        labels = node.labels if "labels" in node._prop_names else None
        for name in DROPDOWN_LABELS:
            text = (labels or {}).get(name)
            yield f"{here}.labels.{name}", text if text else f"(built-in English {name!r})"
    if kind == "Graph":
        yield from figure_texts(node.figure, here)
    if kind == "AgGrid":
        for column in node.columnDefs or ():
            for prop in ("headerName", "headerTooltip"):
                if column.get(prop):
                    yield f"{here}.columnDefs[{column.get('field')}].{prop}", column[prop]
    if kind == "DataTable":
        for column in node.columns or ():
            yield f"{here}.columns[{column.get('id')}]", str(column.get("name"))


def unmarked(component, is_data) -> list[str]:
    return [
        f"{path}: {text!r}"
        for path, text in visible_texts(component)
        if text and text.strip() and not marked(text) and not is_data(text)
    ]


# --- the pseudo-locale itself ----------------------------------------------------------------


def test_pseudo_wraps_and_accents_but_keeps_placeholders():
    text = pseudo("<b>%{text}</b><br>Data as of {date}: &nbsp;see https://example.org/a")
    assert text == "⟦<b>%{text}</b><br>Ðåţå åš öƒ {date}: &nbsp;šéé https://example.org/a⟧"


def test_pseudo_locale_only_when_enabled(monkeypatch):
    monkeypatch.delenv(PSEUDO_ENV, raising=False)
    assert PSEUDO not in LANGUAGES
    assert normalise_language(PSEUDO) == "en"
    assert Translator(PSEUDO)("Map") == "Map"
    monkeypatch.setenv(PSEUDO_ENV, "on")
    t = Translator(PSEUDO)
    assert PSEUDO in LANGUAGES
    assert (t.code, t.lang) == (PSEUDO, PSEUDO_BASE)
    assert t("{count} activities", count=3) == "⟦3 åçţîvîţîéš⟧"
    assert list(LANGUAGES) == ["ky", "ru", "en"]  # never offered in the switcher


def test_switcher_never_offers_the_pseudo_locale(ctx):
    header, _body, _footer = route(ctx, "/", f"?lang={PSEUDO}")
    texts = [text for _path, text in visible_texts(header)]
    assert set(LANGUAGE_NAMES.values()) <= set(texts)
    assert not any(PSEUDO in str(text) for text in texts)
    assert "?lang=qps" in str(header)  # the navigation keeps the pseudo-locale


def test_walker_finds_an_unmarked_string(is_data):
    from dash import dcc, html

    tree = html.Div(
        [
            html.P("⟦Måþ⟧"),
            html.Button("Reset", title="⟦x⟧"),
            dcc.Graph(
                figure={"data": [{"hovertemplate": "Total: %{y}<extra></extra>"}], "layout": {}}
            ),
            html.P("12 345 KGS"),
            html.P("Sumbulin, Nov 1, 2015"),
            html.A("Русский", lang="ru"),
        ]
    )
    found = [line.replace(" ", "") for line in unmarked(tree, is_data)]
    assert found == [">Div[1]>Button:'Reset'", ">Div[2]>Graph.data[0].hovertemplate:'Total:'"]


# --- every page ----------------------------------------------------------------------------


def page_path(page) -> str:
    return f"{page.PATH}/{SUMBULA}" if not getattr(page, "IN_NAV", True) else page.PATH


@pytest.mark.parametrize("page", PAGES, ids=PAGES_IDS)
def test_every_page_is_fully_translated(ctx, is_data, page):
    header, body, footer = route(ctx, page_path(page), f"?lang={PSEUDO}")
    problems = unmarked([header, body, footer], is_data)
    assert not problems, "text outside the catalogs:\n" + "\n".join(problems)
