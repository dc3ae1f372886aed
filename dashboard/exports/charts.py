"""Every chart of the Compare, Timeline and profile pages as an image (PNG, SVG, PDF).

`CHARTS` lists the exportable charts. Each builder draws the page's own figure with the page's
own functions and cached queries, in the scope of the signed-in visitor (never the link's);
`chart_image` puts its legend beside the plot, writes the caption of every export around it
(title, filters, "as of" date, source, attribution, the link that reopens the view, and the
demo notice) and renders it with kaleido.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable

from dashboard.components.export_menu import CHART_TITLES
from dashboard.exports import images
from dashboard.i18n import N_, Translator
from dashboard.urlstate import defaults
from dashboard.views import compare as compare_view
from dashboard.views import profile as profile_view
from dashboard.views import timeline as timeline_view
from layers.base import NO_DATA, missing, plotly_text

#: room (px) above the plot for the labels charts write along its top edge (phases, "as of"),
#: below it for the axis' ticks and title, and at the right for the legend
TOP_ROOM = 45
AXIS_ROOM = 90
LEGEND_ROOM = 400
SIDE = 40
#: how far right of its margin the plot may start (automargin makes room for the names on
#: the y axis, "Джалал-Абадская область" in bold): the caption is wrapped to fit from there
AXIS_INDENT = 260
FONT_SIZE = 14
DEMO_MARK = "demo-notice"


@dataclasses.dataclass(frozen=True)
class Chart:
    """An exportable chart: its id (in the export route), page, title, data source and builder.

    build(ctx, t, state, pathname) -> figure dict; the figure's own title, if any, follows the
    chart's title in the caption. LookupError: nothing to draw for this visitor (404).
    """

    id: str
    path: str
    title: str  # msgid
    source: str  # msgid
    build: Callable[..., dict]


# --- the builders: the pages' own figures --------------------------------------------------


def _key(name: str, colour: str, dash: str | None = None) -> dict:
    """A legend entry without data: a swatch (or a dashed line) and its name."""
    trace = {"type": "scatter", "x": [None], "y": [None], "name": name, "hoverinfo": "skip"}
    if dash:
        return {**trace, "mode": "lines", "line": {"color": colour, "dash": dash, "width": 2}}
    marker = {"symbol": "square", "size": 16, "color": colour, "line": {"color": "#455a64"}}
    return {**trace, "mode": "markers", "marker": marker}


def oblast_keys(t: Translator, view, items) -> list[dict]:
    """The legend of the Compare bar charts (the page draws it in HTML): one colour per oblast
    compared, grey for no data, the dashed average of the selection."""
    colours = compare_view.oblast_colours(view)
    seen = view.rows.drop_duplicates("oblast_pcode").sort_values("oblast_pcode")
    keys = [
        _key(plotly_text(t.name(row, "oblast_name")), colours[row.oblast_pcode])
        for _, row in seen.iterrows()
    ]
    if any(missing(value) for item in items for value in view.rows[item.column]):
        keys.append(_key(t("No data"), NO_DATA))
    if any(compare_view.benchmark(view, item) is not None for item in items):
        keys.append(_key(t("Average of the selection"), "#1b262c", dash="dash"))
    return keys


def _with_keys(figure: dict, keys: list[dict]) -> dict:
    """`figure`'s bars (one colour per oblast, not one meaning) with `keys` as their legend."""
    if figure["data"]:
        bars = [{**trace, "showlegend": False} for trace in figure["data"]]
        figure["data"] = [*bars, *keys]
        figure["layout"]["showlegend"] = True
    return figure


def compare_ranking(ctx, t: Translator, state: dict, pathname: str) -> dict:
    view = compare_view.view_data(ctx, state, t)
    figure = compare_view.bar_chart(ctx, t, view, state)
    return _with_keys(figure, oblast_keys(t, view, [compare_view.chart_indicator(view)]))


def compare_multiples(ctx, t: Translator, state: dict, pathname: str) -> dict:
    view = compare_view.view_data(ctx, state, t)
    figure = compare_view.small_multiples(ctx, t, view, state)
    headline = [item for item in compare_view.INDICATORS if item.headline]
    return _with_keys(figure, oblast_keys(t, view, headline))


def compare_cycle(ctx, t: Translator, state: dict, pathname: str) -> dict:
    view = compare_view.view_data(ctx, state, t)
    return compare_view.gantt(ctx, t, view, compare_view.milestone_data(ctx, state))


def timeline_gantt(ctx, t: Translator, state: dict, pathname: str) -> dict:
    data = timeline_view.view_data(ctx, state)
    figure = timeline_view.gantt_figure(
        t, data["activities"], data["phases"], data["as_of"], state["group"], data["filters"]
    )
    return figure.to_dict()


def profile_timeline(ctx, t: Translator, state: dict, pathname: str) -> dict:
    """The procurement stages of one municipality's projects; LookupError outside the scope,
    the filters, or without a milestone."""
    pcode = profile_view.pcode_of(pathname)
    data = profile_view.profile_data(ctx, state, pcode) if pcode else None
    if data is None or data["unit"].empty or not data["unit"].in_filters.iloc[0]:
        raise LookupError(f"no profile at {pathname!r} for this visitor")
    if data["milestones"].empty:
        raise LookupError(f"no procurement milestone at {pathname!r}")
    figure = profile_view.timeline_figure(t, data["milestones"], data["as_of"])
    figure["layout"]["title"] = {"text": plotly_text(t.name(data["unit"].iloc[0]))}
    if profile_view.is_demo(ctx, data):  # also demo batches in a real database
        figure["layout"].setdefault("annotations", []).append({"name": DEMO_MARK, "text": ""})
    return figure


CHARTS: tuple[Chart, ...] = (
    Chart(
        "compare-ranking",
        compare_view.PATH,
        CHART_TITLES["compare-ranking"],
        N_("All reports in the database"),
        compare_ranking,
    ),
    Chart(
        "compare-multiples",
        compare_view.PATH,
        CHART_TITLES["compare-multiples"],
        N_("All reports in the database"),
        compare_multiples,
    ),
    Chart(
        "compare-cycle",
        compare_view.PATH,
        CHART_TITLES["compare-cycle"],
        N_("Procurement records of the municipalities"),
        compare_cycle,
    ),
    Chart(
        "timeline-gantt",
        timeline_view.PATH,
        CHART_TITLES["timeline-gantt"],
        N_("All reports in the database"),
        timeline_gantt,
    ),
    Chart(
        "profile-timeline",
        profile_view.PATH,
        CHART_TITLES["profile-timeline"],
        N_("Procurement records of the municipalities"),
        profile_timeline,
    ),
)
BY_ID = {chart.id: chart for chart in CHARTS}


# --- the export ---------------------------------------------------------------------------


def _title_text(layout: dict) -> str:
    title = layout.get("title")
    return (title.get("text") if isinstance(title, dict) else title) or ""


def _legend_beside(layout: dict, data: list[dict]) -> bool:
    """Put the legend in the right margin, top down, long names on several lines (below the
    plot it would meet the caption); whether the chart has one."""
    listed = [
        index
        for index, trace in enumerate(data)
        if trace.get("showlegend") is not False and trace.get("name")
    ]
    shown = layout.get("showlegend") is not False and bool(listed)
    if shown:
        for index in listed:
            data[index] = {**data[index], "name": compare_view.wrapped(data[index]["name"], 34)}
        legend = layout.get("legend") or {}
        layout["legend"] = {
            "title": legend.get("title", {}),
            "traceorder": legend.get("traceorder", "normal"),
            "orientation": "v",
            "x": 1.02,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "font": {"size": FONT_SIZE + 1},
        }
    return shown


def framed(figure: dict, words: images.Caption, size: str = "screen") -> dict:
    """`figure` with its caption above and below, clear of the axes, its labels and its legend."""
    figure = {"data": list(figure.get("data", [])), "layout": dict(figure.get("layout", {}))}
    layout = figure["layout"]
    for key in ("height", "width", "autosize", "uirevision"):
        layout.pop(key, None)
    layout["annotations"] = [
        note for note in layout.get("annotations", []) if note.get("name") != DEMO_MARK
    ]
    for name, axis in list(layout.items()):
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            axis = layout[name] = {"automargin": True, **axis}  # room for long names
            if axis.get("type") == "date" and not axis.get("tickformat", axis.get("ticktext")):
                axis["tickformat"] = "%m.%Y"  # plotly's month names are English only
    legend = _legend_beside(layout, figure["data"])
    margin = {
        "l": SIDE,
        "r": LEGEND_ROOM if legend else SIDE,
        "t": images.MARGIN["t"] + TOP_ROOM,
        "b": images.MARGIN["b"] + AXIS_ROOM,
    }
    figure = images.decorate(
        figure, words, margin, size, above=TOP_ROOM, below=AXIS_ROOM, indent=AXIS_INDENT
    )
    layout = figure["layout"]
    layout["font"] = {"family": images.FONT, "size": FONT_SIZE, "color": "#1b262c"}
    return figure


def chart_figure(
    ctx,
    t: Translator,
    chart: Chart,
    state: dict,
    pathname: str | None = None,
    base_url: str = images.DEFAULT_BASE_URL,
    size: str = "screen",
) -> dict:
    """The chart of a view with its legend and caption, ready to render at `size`."""
    pathname = pathname or chart.path
    figure = chart.build(ctx, t, state, pathname)
    # the figure's title is plotly text (escaped); the caption is plain text until written
    title, own = t(chart.title), html.unescape(_title_text(figure.get("layout", {})))
    if own and own != title:
        title = f"{title}: {own}"
    words = images.caption(ctx, t, state, title, t(chart.source), pathname, base_url)
    marked = any(
        note.get("name") == DEMO_MARK for note in figure.get("layout", {}).get("annotations", [])
    )
    if marked and not words.demo:
        words = dataclasses.replace(words, demo=t(images.DEMO_NOTICE))
    return framed(figure, words, size)


def chart_image(
    ctx,
    chart_id: str,
    state: dict,
    fmt: str = "png",
    *,
    lang: str | None = None,
    size: str = "screen",
    pathname: str | None = None,
    base_url: str = images.DEFAULT_BASE_URL,
) -> bytes:
    """A chart of a view as PNG, SVG or PDF (KeyError: no such chart)."""
    chart = BY_ID[chart_id]
    state = {**defaults(), **state}
    state["lang"] = lang or state.get("lang") or ""
    t = Translator(state["lang"] or ctx.settings.default_lang)
    figure = chart_figure(ctx, t, chart, state, pathname, base_url, size)
    return images.image(figure, fmt, size)
