"""The Map page: oblasts, rayons and the programme's municipalities on real boundaries."""

from __future__ import annotations

from dash import dcc, html

from dashboard.components.map_figure import base_map
from dashboard.i18n import N_, Translator
from queries import geography
from queries.scope import Filters

PATH = "/"
TITLE = N_("Map")


def map_view(ctx, t: Translator, state: dict) -> dict:
    """The map's figure and counts for a state (a plain function: tests call it)."""
    scope = ctx.current_scope()
    filters = Filters()
    oblasts = ctx.cached("oblasts", geography.oblasts, filters, scope=scope)
    rayons = ctx.cached("rayons", geography.rayons, filters, scope=scope)
    municipalities = ctx.cached(
        "programme_municipalities", geography.programme_municipalities, filters, scope=scope
    )
    figure = base_map(t, oblasts, rayons, municipalities, tiles_url=ctx.settings.tiles_url)
    return {
        "figure": figure,
        "oblasts": len(oblasts),
        "rayons": len(rayons),
        "municipalities": len(municipalities),
        "boundaries": bool(len(rayons)) and bool(rayons.geometry.notna().any()),
        "located": int(municipalities[["lon", "lat"]].notna().all(axis=1).sum()),
        "names": [html.Li(t.name(row)) for _, row in municipalities.iterrows()],
        "as_of": ctx.as_of(state.get("as_of"), scope),
    }


def layout(ctx, t: Translator, state: dict):
    view = map_view(ctx, t, state)
    notices = []
    if not view["boundaries"]:
        located = view["located"]
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
                    None if located else html.Ul(view["names"], className="unplaced"),
                ],
                className="notice",
                role="status",
                id="geodata-notice",
            )
        )
    as_of = view["as_of"]
    config = {"displaylogo": False, "scrollZoom": True, "topojsonURL": "/geo/topojson/"}
    return html.Div(
        [
            html.Div(
                [
                    html.H1(t("Map")),
                    html.P(
                        t(
                            "{oblasts} oblasts, {rayons} rayons and cities, {municipalities} municipalities",  # noqa: E501
                            oblasts=view["oblasts"],
                            rayons=view["rayons"],
                            municipalities=view["municipalities"],
                        ),
                        id="map-counts",
                        className="counts",
                    ),
                    html.P(
                        t("Data as of {date}", date=as_of.isoformat())
                        if as_of
                        else t("No reports yet"),
                        id="as-of",
                        className="as-of",
                    ),
                ],
                className="page-head",
            ),
            *notices,
            dcc.Graph(
                id="map", figure=view["figure"], config=config, className="map", responsive=True
            ),
        ]
    )


def register(app, ctx) -> None:
    """The map has no callbacks of its own yet: the thematic layers add them."""
