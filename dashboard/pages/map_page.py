"""The Map page: one colour theme at a time over real boundaries, overlays, KPIs, a side panel.

The figure is drawn once per page view; a change of theme, measure, overlay or filter sends
a `dash.Patch` with values only (colours, hover texts, positions), never geometry.
"""

from __future__ import annotations

from dash import ALL, Input, Output, Patch, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import formatting, inputs
from dashboard.components import map_figure
from dashboard.components.export_menu import export_menu
from dashboard.components.filter_bar import (
    control_id,
    dom_id,
    dropdown_labels,
    filters_from_state,
)
from dashboard.components.graph_config import graph_config
from dashboard.components.search import spellings
from dashboard.i18n import Translator
from dashboard.urlstate import (
    BY_NAME,
    CONTROL_PROPS,
    FILTER_BAR,
    OVERLAYS,
    build_query,
    controls_of_callback,
    parse_query,
    state_from_controls,
)
from dashboard.views import drill
from dashboard.views.map import (
    CATEGORY_LABELS,
    OVERLAY_LABELS,
    affected,
    changed_controls,
    counted_legend,
    figure_for,
    legend_subtitle,
    located,
    page_plot_sizes,
    scheme_of_new_measure,
    trace_values,
    view_data,
    viewport_for,
)
from dashboard.views.map import PATH as PATH
from dashboard.views.map import TITLE as TITLE
from layers import LAYERS, layer_by_id
from layers.base import SCHEMES
from layers.categories import (
    RATING_LABELS,
    RATINGS,
    SECTORS,
)
from queries import geography
from queries.scope import Filters

#: the shapes of the page's own stores (dashboard.inputs refuses any other value with 400)
SHAPES = {("map-plot-size", "data"): inputs.size, ("map-drawn", "data"): inputs.text}

# --- the data behind one view ------------------------------------------------------------


# --- components --------------------------------------------------------------------------


def legend(t: Translator, data: dict, state: dict):
    """The legend of what is drawn, one list per encoded variable: the theme's classes with
    their counts (an empty class marked, 'no data' explicit), then each overlay's symbols
    under the name of what they encode."""
    layer = data["layer"]
    # one element per entry, the swatch drawn by CSS from --swatch: the legend is sent on
    # every theme change, so it stays small
    items = [
        html.Li(
            label, className="legend-item empty" if empty else "legend-item", style={"--swatch": c}
        )
        for label, c, empty in counted_legend(t, data, state)
    ]
    subtitle = legend_subtitle(t, data, state)
    return [
        html.H2(t(layer.title), className="legend-title"),
        html.P(subtitle, className="legend-measure") if subtitle else None,
        html.Ul(items, className="legend-list", id="legend-entries"),
        *overlay_legends(t, data),
    ]


def overlay_legends(t: Translator, data: dict) -> list:
    """A titled list per overlay symbol: the layer's flag, the rating badges, the project
    markers (coloured by sector: listed unless the theme itself lists the sectors)."""
    layer, found = data["layer"], []

    def block(title, items, name):
        return html.Div(
            [html.H3(title, className="legend-subtitle"), html.Ul(items, className="legend-list")],
            className=f"legend-extra legend-{name}",
        )

    if layer.flag:
        item = html.Li(t(layer.flag.label), className="legend-item symbol diamond")
        found.append(block(t("Marked"), [item], "flag"))
    if data.get("ratings") is not None:
        badges = [
            html.Li(
                t(label), className=f"legend-item symbol {v}", style={"--swatch": RATINGS.colour(v)}
            )
            for v, label in RATING_LABELS.items()
        ]
        found.append(block(t("Monitoring badges: latest rating"), badges, "badges"))
    if data.get("projects") is not None and len(data["projects"]):
        sectors = set(data["projects"].sector)
        same = any(m.scale_for() is SECTORS for m in layer.measures)
        markers = [html.Li(t("Colours as above"), className="legend-note")] if same else []
        markers += [
            html.Li(t(label), className="legend-item project", style={"--swatch": c})
            for v, label, c in SECTORS.entries
            if v in sectors and not same
        ]
        markers.append(html.Li(t("Size: total budget"), className="legend-note"))
        found.append(block(t("Project markers: sector"), markers, "projects"))
    return found


def about(t: Translator, ctx, data: dict):
    """Methodology and provenance of the current layer."""
    as_of, layer = data["kpis"].get("as_of"), data["layer"]
    demo = ctx.is_demo()
    # sources that are the same for many places are said once here, not in every tooltip
    sources = sorted({str(v) for v in data["frame"].get("population_source", []) if v})
    return [
        html.P(t(layer.description), className="methodology"),
        html.P(
            [
                html.Strong(t("Source") + ": "),
                t(layer.source),
                " · ",
                t("Data as of {date}", date=formatting.date(as_of, t.lang))
                if as_of
                else t("No reports yet"),
            ],
            className="provenance",
        ),
        html.P([html.Strong(t("Population") + ": "), "; ".join(sources)], className="provenance")
        if sources
        else None,
        html.P(t("Illustrative demo data — not real project figures"), className="demo-note")
        if demo
        else None,
    ]


def kpi_strip(t: Translator, data: dict, currency: str):
    k = data["kpis"]
    cards = [
        (t("Municipalities"), formatting.number(k["municipalities"], t.lang)),
        (t("Projects funded"), formatting.number(k["projects_funded"], t.lang)),
        (t("Total budget"), formatting.money(k["budget_total_minor"], currency, t.lang)),
        (t("Local share"), formatting.percent(k["local_share"], t.lang)),
        (t("Beneficiaries reached"), formatting.number(k["beneficiaries"], t.lang)),
        (t("Projects on track"), formatting.percent(k["on_track_share"], t.lang)),
    ]
    return [
        html.Div(
            [html.Div(value, className="kpi-value"), html.Div(label, className="kpi-label")],
            className="kpi",
        )
        for label, value in cards
    ]


def side_panel(ctx, t: Translator, state: dict):
    """The summary of the selected municipality across every layer, with its profile link."""
    pcode = state["selected"]
    if not pcode:
        return html.P(
            t("Click a municipality on the map to see its summary."), className="panel-hint"
        )
    scope = ctx.current_scope()
    filters = filters_from_state(state)
    places = ctx.cached(
        "programme_municipalities", geography.programme_municipalities, Filters(), scope=scope
    )
    match = places[places.pcode == pcode]
    if match.empty:  # outside the scope, or not a programme municipality
        return html.P(t("No municipality selected."), className="panel-hint")
    row = match.iloc[0]
    facts = []
    for layer in LAYERS:
        frame = ctx.cached(f"layer:{layer.id}", layer.query, filters, scope=scope)
        values = frame[frame.pcode == pcode]
        measure = layer.measure()
        value = values.iloc[0][measure.column] if len(values) else None
        facts += [
            html.Dt(t(layer.title)),
            html.Dd(formatting.value(value, measure.kind, t, state["currency"], CATEGORY_LABELS)),
        ]
    names = " · ".join(
        dict.fromkeys(
            n for n in (row.name_en, row.name_ru, row.name_ky) if isinstance(n, str) and n
        )
    )
    return html.Div(
        [
            html.H2(t.name(row), id="panel-title"),
            html.P(names, className="panel-names"),
            html.P(f"{t.name(row, 'rayon_name')}, {t.name(row, 'oblast_name')} · {row.pcode}"),
            html.Dl(facts, className="panel-facts"),
            dcc.Link(
                t("Open the municipality profile"),
                href=f"/municipality/{pcode}" + build_query({**state, "selected": None}),
                className="panel-link",
                id="panel-profile-link",
            ),
        ]
    )


def search_options(ctx, t: Translator) -> list[dict]:
    """Oblasts, rayons and programme municipalities, searchable in three languages: built once
    per scope, language and data version (a third of a national page's render), then cached."""
    scope = ctx.current_scope()
    return ctx.remember(f"search-options|{scope.key}|{t.code}", lambda: _options(ctx, t, scope))


def _options(ctx, t: Translator, scope) -> list[dict]:
    options = []
    for level, frame in (
        (t("Oblast"), ctx.cached("oblasts", geography.oblasts, Filters(), scope=scope)),
        (t("Rayon"), ctx.cached("rayons", geography.rayons, Filters(), scope=scope)),
        (
            t("Municipality"),
            ctx.cached(
                "programme_municipalities",
                geography.programme_municipalities,
                Filters(),
                scope=scope,
            ),
        ),
    ):
        for _, row in frame.iterrows():
            options.append(
                {
                    "label": f"{t.name(row)} ({level})",
                    "value": row.pcode,
                    "search": spellings(row.get("name_en"), row.get("name_ru"), row.get("name_ky")),
                }
            )
    return options


# --- the page ----------------------------------------------------------------------------


MAP_CONFIG = {
    "displaylogo": False,
    "scrollZoom": True,
    "topojsonURL": "/geo/topojson/",
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}
#: where plotly.js finds the basemap topology (`asia_50m.json`), on the app's own origin
BASEMAP_URL = "/basemap/"


def map_config(data: dict) -> dict:
    """The graph's config: the basemap topology from the app when it is installed, else the
    empty world (plotly asks for one even with nothing to draw from it)."""
    config = dict(MAP_CONFIG)
    if data.get("basemap") is not None:
        config["topojsonURL"] = BASEMAP_URL
    return config


def _geodata_notice(t: Translator, data: dict) -> list:
    """Without installed boundaries: a notice saying how to install them (and, when no
    municipality can be placed, which ones)."""
    notices = []
    if not (len(data["rayons"]) and data["rayons"].geometry.notna().any()):
        located = int(data["municipalities"][["lon", "lat"]].notna().all(axis=1).sum())
        notices.append(
            html.Div(
                [
                    html.Strong(t("Boundaries are not installed.")),
                    " ",
                    t("Municipalities are shown as points. Install the boundaries with:")
                    if located
                    else t("Municipalities cannot be placed yet. Install the boundaries with:"),
                    " ",
                    html.Code("aimak geodata install --from DIR"),
                    None
                    if located
                    else html.Ul(
                        [html.Li(t.name(row)) for _, row in data["municipalities"].iterrows()]
                    ),
                ],
                className="notice",
                role="status",
                id="geodata-notice",
            )
        )
    return notices


def _controls(ctx, t: Translator, state: dict, layer):
    """Theme, measure, place search, overlays, reset and exports above the map."""
    return html.Div(
        [
            html.Div(
                [
                    html.Label(t("Theme"), htmlFor=dom_id("theme"), className="field-label"),
                    dcc.Dropdown(
                        id=control_id("theme"),
                        value=layer.id,
                        clearable=False,
                        options=[{"label": t(x.title), "value": x.id} for x in LAYERS],
                        labels=dropdown_labels(t),
                    ),
                ],
                className="field field-theme",
            ),
            html.Div(
                [
                    html.Label(t("Measure"), htmlFor=dom_id("measure"), className="field-label"),
                    dcc.Dropdown(
                        id=control_id("measure"),
                        value=layer.measure(state["measure"]).id,
                        clearable=False,
                        options=measure_options(t, layer),
                        labels=dropdown_labels(t),
                    ),
                ],
                className="field field-measure",
                id="measure-field",
                style={} if len(layer.measures) > 1 else {"display": "none"},
            ),
            html.Div(
                [
                    html.Label(t("Classes"), htmlFor=dom_id("classes"), className="field-label"),
                    dcc.Dropdown(
                        id=control_id("classes"),
                        value=layer.measure(state["measure"]).scheme(state["classes"]),
                        clearable=False,
                        searchable=False,
                        options=scheme_options(t, layer.measure(state["measure"])),
                        labels=dropdown_labels(t),
                    ),
                ],
                className="field field-classes",
                id="classes-field",
                style=scheme_style(layer.measure(state["measure"])),
            ),
            html.Div(
                [
                    html.Label(t("Find a place"), htmlFor=dom_id("focus"), className="field-label"),
                    dcc.Dropdown(
                        id=control_id("focus"),
                        value=state["focus"],
                        options=search_options(ctx, t),
                        placeholder=t("Name in any language"),
                        searchable=True,
                        clearable=True,
                        labels=dropdown_labels(t),
                    ),
                ],
                className="field field-search",
            ),
            dcc.Checklist(
                id=control_id("overlays"),
                value=list(state["overlays"]),
                inline=True,
                options=[{"label": t(OVERLAY_LABELS[o]), "value": o} for o in OVERLAYS],
                className="overlays",
            ),
            html.Button(t("Reset view"), id="map-reset", className="button", n_clicks=0),
            export_menu(t, ("map-png", "map-print", "map-svg", "map-pdf", "deck", "oblast-report")),
            selected_store(state),
            dcc.Store(id="map-lang", data=t.code),  # qps stays pseudo in callbacks
            dcc.Store(id="map-drawn", data=drawn_query(state)),  # the view the figure shows
            dcc.Store(id="map-plot-size"),  # the plot's size (map_frame.js): where labels fit
        ],
        className="map-controls",
        id="map-controls",
    )


def layout(ctx, t: Translator, state: dict):
    data = view_data(ctx, state)
    layer = data["layer"]
    notices = _geodata_notice(t, data)
    controls = _controls(ctx, t, state, layer)
    return html.Div(
        [
            html.H1(t("Map"), className="visually-hidden"),
            controls,
            html.Div(
                kpi_strip(t, data, state["currency"]),
                className="kpi-strip",
                id="map-kpis",
                role="status",
            ),
            *notices,
            html.Nav(
                drill.breadcrumb(ctx, t, state),
                id="map-breadcrumb",
                className="breadcrumb",
                **{"aria-label": t("You are here")},
            ),
            html.Div(
                [
                    html.Div(
                        dcc.Graph(
                            id="map",
                            figure=figure_for(ctx, t, state, data),
                            config=graph_config(t, **map_config(data)),
                            className="map",
                            responsive=True,  # the height the window gives it (map.css)
                            style={"height": "100%"},
                        ),
                        className="map-column",
                    ),
                    html.Aside(
                        [
                            html.Div(legend(t, data, state), id="map-legend", className="legend"),
                            html.Div(
                                side_panel(ctx, t, state),
                                id="map-panel",
                                className="side-panel",
                                **{"aria-live": "polite"},
                            ),
                            html.Div(about(t, ctx, data), id="map-about", className="about"),
                        ],
                        className="map-side",
                        # it scrolls on its own beside a tall map: reachable by the keyboard
                        tabIndex="0",
                        **{"aria-label": t("Legend and summary")},
                    ),
                ],
                className="map-body",
            ),
        ],
        className="map-page",
    )


def selected_store(state: dict) -> dcc.Store:
    """The municipality whose summary is open, "" for none: a memory Store holding None
    re-states it on mount (None -> undefined), which fired the map's _update and the side
    panel on every page view (issue 16)."""
    return dcc.Store(id=control_id("selected"), data=state["selected"] or "")


def drawn_query(state: dict) -> str:
    """The query string of the view a figure shows, with the theme, the measure and its
    classification scheme made explicit (as the controls show them: a default left out made
    every page view's first `_update` see a changed theme and redraw the map, issue 16)."""
    layer = layer_by_id(state["theme"])
    measure = layer.measure(state["measure"])
    scheme = measure.scheme(state.get("classes"))
    return build_query({**state, "theme": layer.id, "measure": measure.id, "classes": scheme})


def measure_options(t: Translator, layer) -> list[dict]:
    return [{"label": t(m.title), "value": m.id} for m in layer.measures]


def scheme_options(t: Translator, measure) -> list[dict]:
    return [{"label": t(SCHEMES[s]), "value": s} for s in measure.offered()]


def scheme_style(measure) -> dict:
    """The classes control is shown for numeric measures only."""
    return {} if measure.offered() else {"display": "none"}


# --- callbacks (plain functions first, then their registration) --------------------------


def update_map(ctx, lang: str, state: dict, maplibre: bool = False, changed=None, size=None):
    """The map's Patch, legend, KPIs, methodology and measure control for a view state.

    `changed` names the controls that changed since the map was drawn (None: all); only
    what they affect is computed and sent. `size`: the plot's (width, height) as the page
    last reported it, for the labels' placement.
    """
    t = Translator(lang)
    parts = affected(changed)
    data = view_data(ctx, state)
    data["plot_sizes"] = page_plot_sizes(size)
    layer = data["layer"]
    measure = layer.measure(state["measure"])
    patch = Patch()
    viewport = {}
    if "viewport" in parts:
        viewport = viewport_for(data, state["focus"], maplibre)
        patch["layout"]["uirevision"] = state["focus"] or "all"
    map_figure.apply(patch, trace_values(t, data, state, parts), viewport)

    def part(name, build):
        return build() if name in parts else no_update

    return (
        patch,
        part("legend", lambda: legend(t, data, state)),
        part("kpis", lambda: kpi_strip(t, data, state["currency"])),
        part("about", lambda: about(t, ctx, data)),
        part("measures", lambda: measure_options(t, layer)),
        # set with the options, so the dropdown never clears itself and fires a second update
        part("measures", lambda: layer.measure(state["measure"]).id),
        part("measures", lambda: {} if len(layer.measures) > 1 else {"display": "none"}),
        part("schemes", lambda: scheme_options(t, measure)),
        part("schemes", lambda: measure.scheme(state.get("classes"))),
        part("schemes", lambda: scheme_style(measure)),
    )


def place_labels(ctx, lang: str, drawn: str | None, size) -> Patch:
    """The map's labels (and their leader lines) placed again for the plot `size` the page
    reported, for the view the figure shows (`drawn`: its query string)."""
    state = parse_query(drawn)
    data = view_data(ctx, state)
    data["plot_sizes"] = page_plot_sizes(size)
    patch = Patch()
    map_figure.apply(patch, trace_values(Translator(lang), data, state, {"labels"}), {})
    return patch


def reset_view(
    ctx, search: str | None, clicks: int, maplibre: bool = False, lang: str = "en"
) -> Patch:
    """A Patch that shows everything again, even after the user zoomed by hand (the names
    around the map placed for that frame)."""
    state = state_from_controls(search, {"focus": None})
    data = view_data(ctx, state)
    patch = Patch()
    values = trace_values(Translator(lang), data, state, {"context"})
    map_figure.apply(patch, values, viewport_for(data, None, maplibre))
    patch["layout"]["uirevision"] = f"reset-{clicks}"
    return patch


def clicked(ctx, state: dict, click_data) -> str | None:
    """The P-code of the municipality (or project, or badge) clicked on the map.

    The markers carry no P-codes (they would be resent on every theme change): the point's
    number is looked up in the same ordered frames the figure was drawn from.
    """
    points = (click_data or {}).get("points")
    point = points[0] if isinstance(points, list) and points else None
    if not isinstance(point, dict):  # a request may send anything
        return None
    number, curve = point.get("pointNumber"), point.get("curveNumber")
    if not isinstance(number, int) or number < 0:
        return None
    if curve == map_figure.INDEX["badges"]:  # a badge carries its municipality's P-code
        return point["customdata"] if isinstance(point.get("customdata"), str) else None
    data = view_data(ctx, state)
    if curve == map_figure.INDEX["municipalities"]:
        pcodes = located(data).pcode.tolist()
    elif curve == map_figure.INDEX["projects"] and data.get("projects") is not None:
        pcodes = data["projects"].pcode.tolist()
    else:
        return None
    return pcodes[number] if number < len(pcodes) else None


def drill_to(ctx, state: dict, click_data) -> str | None:
    """The focus after a click on the map (None: nothing to do): a municipality (its marker,
    a project's or a badge) is focused itself; an area one step down (drill.drilled)."""
    pcode = clicked(ctx, state, click_data)
    if pcode:
        return pcode
    rayon = drill.clicked_area(click_data, map_figure.INDEX["rayons"])
    return drill.drilled(ctx, state["focus"], rayon)


def register_drill(app, ctx) -> None:
    """A click goes one step down; the summary and the breadcrumb follow the focus."""

    @app.callback(
        Output(control_id("focus"), "value", allow_duplicate=True),
        Input("map", "clickData"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def _drill(click_data, search):
        """A click on the map goes one step down: see `drill_to`."""
        return drill_to(ctx, parse_query(search), click_data) or no_update

    @app.callback(
        Output(control_id("selected"), "data"),
        Input(control_id("focus"), "value"),
        prevent_initial_call=True,
    )
    def _select(focus):
        """A municipality focused (by a click or the search) opens its summary; a step up
        closes it."""
        return drill.selected_for(ctx, BY_NAME["focus"].coerce(focus))

    @app.callback(
        Output("map-breadcrumb", "children"),
        Input(control_id("focus"), "value"),
        State("map-lang", "data"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def _breadcrumb(focus, lang, search):
        """The steps change with the focus only: any other change rewrites the links' hrefs
        (the shell's URL sync, `drill.crumb_hrefs`), not the breadcrumb."""
        state = state_from_controls(search, {"focus": focus})
        return drill.breadcrumb(ctx, Translator(lang), state)


def register(app, ctx) -> None:
    maplibre = bool(ctx.settings.tiles_url)

    @app.callback(
        Output("map", "figure"),
        Output("map-legend", "children"),
        Output("map-kpis", "children"),
        Output("map-about", "children"),
        Output(control_id("measure"), "options"),
        Output(control_id("measure"), "value"),
        Output("measure-field", "style"),
        Output(control_id("classes"), "options"),
        Output(control_id("classes"), "value"),
        Output("classes-field", "style"),
        Output("map-drawn", "data"),
        *(Input({"param": ALL, "prop": prop}, prop) for prop in CONTROL_PROPS),
        State("map-lang", "data"),
        State("map-drawn", "data"),
        State("url", "search"),
        State("map-plot-size", "data"),
        prevent_initial_call=True,
    )
    def _update(*args):
        lang, drawn, search, size = args[-4:]
        state = state_from_controls(search, controls_of_callback())
        changed = changed_controls(parse_query(drawn), state)
        state = scheme_of_new_measure(state, changed)
        if not affected(changed):
            raise PreventUpdate  # e.g. a click, or a control re-stating its value on mount
        update = update_map(ctx, lang, state, maplibre, changed, size)
        return (*update, drawn_query(state))

    @app.callback(
        Output("map", "figure", allow_duplicate=True),
        Input("map-plot-size", "data"),
        State("map-lang", "data"),
        State("map-drawn", "data"),
        prevent_initial_call=True,
    )
    def _labels(size, lang, drawn):  # assets/map_frame.js reports the plot's size
        return place_labels(ctx, lang or "en", drawn, size)

    @app.callback(
        Output("map-panel", "children"),
        Input(control_id("selected"), "data"),
        *(Input(control_id(p.name), p.prop) for p in FILTER_BAR),
        State("map-lang", "data"),
        State("url", "search"),
    )
    def _panel(*args):
        lang, search = args[-2:]
        state = state_from_controls(search, controls_of_callback())
        return side_panel(ctx, Translator(lang), state)

    register_drill(app, ctx)

    @app.callback(
        Output(control_id("focus"), "value"),
        Output("map", "figure", allow_duplicate=True),
        Input("map-reset", "n_clicks"),
        State("url", "search"),
        State("map-lang", "data"),
        prevent_initial_call=True,
    )
    def _reset(clicks, search, lang):
        return None, reset_view(ctx, search, clicks, maplibre, lang or "en")
