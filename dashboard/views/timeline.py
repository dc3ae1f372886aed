"""The Timeline view's data and Gantt figure: pure functions, no Dash callbacks.

The page (dashboard/pages/timeline.py) lays them out; the exports draw and tabulate the same
view."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
from babel.dates import format_date

from dashboard import formatting
from dashboard.components.filter_bar import filters_from_state
from dashboard.i18n import N_, Translator
from layers.base import OKABE_ITO, plotly_text
from layers.categories import RATING_LABELS, STAGE_LABELS, STATUS_LABELS
from queries import programme, timeline
from queries.scope import Filters

PATH = "/timeline"


TITLE = N_("Timeline")


BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILLION, YELLOW, BLACK = OKABE_ITO


#: kind → (label, colour, marker symbol): Okabe–Ito colours (two more for ten kinds, from
#: Paul Tol's colour-blind-safe palette), each kind also with its own marker symbol
KIND_STYLES = {
    "training": (N_("Training"), SKY, "square"),
    "appraisal": (N_("Participatory appraisal"), ORANGE, "diamond"),
    "selection_expertise": (N_("Project selection and expertise"), PURPLE, "pentagon"),
    "budget_inclusion": (N_("Included in the local budget"), YELLOW, "star"),
    "competition": (N_("Competition"), BLUE, "hourglass"),
    "contract": (N_("Contract signed"), VERMILLION, "triangle-up"),
    "implementation": (N_("Implementation"), GREEN, "triangle-right"),
    "monitoring": (N_("Monitoring visit"), BLACK, "circle"),
    "final_report": (N_("Final report"), "#882255", "triangle-down"),
    "recommendations": (N_("Recommendations"), "#332288", "hexagram"),
}


GROUPS = {"municipality": N_("One row per municipality"), "oblast": N_("One row per oblast")}


#: activities shorter than this are drawn as a marker on their first day, longer ones as bars
BAR_MIN_DAYS = 7


PHASE_FILLS = ("#eef1f5", "#e2ecf7")


AS_OF_COLOUR = "#b71c1c"


ONE_DAY = dt.timedelta(days=1)


MS_PER_DAY = 86_400_000


PROGRAMME_ROW = "programme"


def view_data(ctx, state: dict) -> dict:
    """The activities, phases and "as of" date of one view (cached queries)."""
    scope = ctx.current_scope()
    filters = filters_from_state(state)
    return {
        "filters": filters,
        "activities": ctx.cached("timeline_activities", timeline.activities, filters, scope=scope),
        "phases": ctx.cached("phases", programme.phases, scope=scope),
        "as_of": ctx.as_of(filters.as_of, scope),
    }


def progress(row, as_of: dt.date | None) -> str:
    """'done', 'under_way' or 'not_yet': where an activity stood on the "as of" date."""
    if as_of is None:
        return "done"
    if row["start"] > as_of:
        return "not_yet"
    if row["end"] - ONE_DAY > as_of:
        return "under_way"
    return "done"


def progress_text(t: Translator, row, as_of: dt.date | None) -> str:
    day = formatting.date(as_of, t.lang)
    stage = progress(row, as_of)
    if stage == "not_yet":
        return t("Not yet (planned) as of {date}", date=day)
    if stage == "under_way":
        return t("Under way on {date}", date=day)
    return t("Done by {date}", date=day) if as_of else t("Done")


def oblast_label(t: Translator, row) -> str:
    return t("{name} oblast", name=t.name(row, "oblast_name"))


def rows(t: Translator, frame, group: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The Gantt row of each activity (a key) and the rows in order: (key, label).

    Programme-wide activities come first; then, per oblast, the oblast's own row and (one
    row per municipality) its municipalities.
    """
    keys, order, labels = [], [], {}
    for _, row in frame.iterrows():
        oblast, pcode = row["oblast_pcode"], row["pcode"]
        if oblast is None:
            key, label = PROGRAMME_ROW, t("Whole programme")
        elif group == "oblast" or pcode is None:
            key, label = oblast, oblast_label(t, row)
        else:
            key, label = pcode, t.name(row)
            if oblast not in labels:  # every oblast heads its municipalities
                labels[oblast] = oblast_label(t, row)
                order.append(oblast)
        if key not in labels:
            labels[key] = label
            order.append(key)
        keys.append(key)
    seen: set[str] = set()
    ordered = []
    for key in order:
        label = labels[key]
        if label in seen:  # two places of one name: tell them apart by P-code
            label = f"{label} ({key})"
        seen.add(label)
        ordered.append((key, label))
    return keys, ordered


def _label(t: Translator, row) -> str:
    """The record's label in the reader's language (a missing translation tagged)."""
    texts = row.get("label_texts")
    if isinstance(texts, dict | list) and texts:
        return formatting.texts(texts, t)
    return row["label"] or ""


def _record_lines(t: Translator, row) -> list[str]:
    """What a training, appraisal, monitoring visit or recommendation recorded."""
    kind = row["kind"]
    if kind == "training":
        return [
            _label(t, row),
            t.n("{n} participant", "{n} participants", int(row["participants"])),
        ]
    if kind == "appraisal":
        return [
            t.n("{n} priority issue", "{n} priority issues", int(row["issues"])),
            _label(t, row),
        ]
    if kind == "monitoring":
        rating = t("Rating: {rating}", rating=t(RATING_LABELS.get(row["rating"], "–")))
        return [rating, _label(t, row)]
    if kind == "recommendations":
        return [_label(t, row)]
    return []


def _procurement_lines(t: Translator, row, currency: str) -> list[str]:
    """What a procurement stage recorded: the expertise score, the money, the bids."""
    lang, kind, lines = t.lang, row["kind"], []
    if kind == "selection_expertise" and row["expertise_score"] is not None:
        lines.append(
            t("Expertise score: {score}", score=formatting.number(row["expertise_score"], lang))
        )
    elif kind == "budget_inclusion":
        lines.append(t(STAGE_LABELS["programme_approved"]))
        if row["amount_minor"] is not None:
            money = formatting.money(row["amount_minor"], currency, lang)
            lines.append(t("From the local budget: {amount}", amount=money))
    elif kind == "competition":
        if row["bids"] is not None:
            lines.append(t("Bids received: {count}", count=formatting.number(row["bids"], lang)))
        if row["status"] == "failed_competition":
            lines.append(t(STATUS_LABELS["failed_competition"]))
    elif kind == "contract" and row["amount_minor"] is not None:
        money = formatting.money(row["amount_minor"], currency, lang)
        lines.append(t("Contract value: {amount}", amount=money))
    return lines


def details(t: Translator, row, currency: str) -> list[str]:
    """What the records say about an activity, as plain lines (translated, formatted)."""
    lines = []
    if row["project_code"]:
        lines.append(f"{row['project_code']} — {_label(t, row)}".rstrip(" —"))
    lines += _record_lines(t, row) + _procurement_lines(t, row, currency)
    if row["ongoing"]:
        lines.append(t("No end recorded: still running"))
    return [line for line in lines if line]


def period_text(t: Translator, row) -> str:
    first = formatting.date(row["start"], t.lang)
    if row["ongoing"]:
        return t("{start} – ongoing", start=first)
    last = row["end"] - ONE_DAY
    if last <= row["start"]:
        return first
    return f"{first} – {formatting.date(last, t.lang)}"


def place_text(t: Translator, row) -> str:
    if row["oblast_pcode"] is None:
        return t("Whole programme")
    if row["pcode"] is None:
        return t("{oblast}, oblast-wide", oblast=oblast_label(t, row))
    return f"{t.name(row)}, {oblast_label(t, row)}"


def hover(t: Translator, row, as_of, currency: str) -> str:
    label = t(KIND_STYLES[row["kind"]][0])
    lines = [
        f"<b>{plotly_text(label)}</b> — {plotly_text(place_text(t, row))}",
        plotly_text(period_text(t, row)),
        *(plotly_text(_short(line)) for line in details(t, row, currency)),
        plotly_text(t("Phase {number}", number=row["phase"])),
        f"<i>{plotly_text(progress_text(t, row, as_of))}</i>",
    ]
    return "<br>".join(lines)


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def x_range(frame, phases, filters) -> list[str] | None:
    """The dates shown: the chosen phase or year, else every phase and activity, padded."""
    if filters.phase is not None:
        match = phases[phases.number == filters.phase]
        if len(match):
            first, after = match.start_date.min(), match.end_date.max()
            return [str(first - dt.timedelta(days=10)), str(after + dt.timedelta(days=10))]
    if filters.year is not None:
        first, after = dt.date(filters.year, 1, 1), dt.date(filters.year + 1, 1, 1)
        return [str(first - dt.timedelta(days=10)), str(after + dt.timedelta(days=10))]
    starts = [*phases.start_date, *frame.start]
    ends = [*phases.end_date, *frame.end]
    if not starts:
        return None
    return [str(min(starts) - dt.timedelta(days=20)), str(max(ends) + dt.timedelta(days=20))]


def month_ticks(span: list[str] | None, lang: str) -> tuple[list[str], list[str]]:
    """A tick on the first of every third month (Jan, Apr, Jul, Oct) in `span`, named in
    `lang` (plotly itself names months in English only)."""
    if not span:
        return [], []
    first, last = dt.date.fromisoformat(span[0]), dt.date.fromisoformat(span[1])
    day = dt.date(first.year, 1, 1)
    values, texts = [], []
    while day <= last:
        if day >= first:
            values.append(day.isoformat())
            texts.append(format_date(day, "LLL y", locale=lang))
        day = dt.date(day.year + (day.month + 2) // 12, (day.month + 2) % 12 + 1, 1)
    return values, texts


def segments(row, as_of: dt.date | None) -> list[tuple[dt.date, dt.date, bool]]:
    """(start, end, happened) pieces of an activity: the part up to the "as of" day, and
    the part after it."""
    start, end = row["start"], row["end"]
    if as_of is None or end <= as_of + ONE_DAY:
        return [(start, end, True)]
    if start > as_of:
        return [(start, end, False)]
    return [(start, as_of + ONE_DAY, True), (as_of + ONE_DAY, end, False)]


def _trace_parts(t, frame, keys, labels, as_of, currency) -> dict:
    """Per (kind, bar or marker, happened): the rows, positions and hover texts."""
    parts: dict[tuple[str, str, bool], dict] = {}
    for (_, row), key in zip(frame.iterrows(), keys, strict=True):
        text = hover(t, row, as_of, currency)
        is_bar = (row["end"] - row["start"]).days >= BAR_MIN_DAYS
        for start, end, happened in segments(row, as_of) if is_bar else [(None, None, None)]:
            if not is_bar:
                happened = bool(row["happened"])
            part = parts.setdefault(
                (row["kind"], "bar" if is_bar else "marker", happened),
                {"y": [], "x": [], "base": [], "text": []},
            )
            part["y"].append(labels[key])
            part["text"].append(text)
            if is_bar:
                part["base"].append(start.isoformat())
                part["x"].append((end - start).days * MS_PER_DAY)
            else:
                part["x"].append(row["start"].isoformat())
    return parts


def _add_activities(figure: go.Figure, t: Translator, parts: dict) -> None:
    """Bars and markers per activity kind: what had happened solid, the rest faded."""
    for kind, (message, colour, symbol) in KIND_STYLES.items():
        shown = False
        for shape, happened in (("bar", True), ("marker", True), ("bar", False), ("marker", False)):
            part = parts.get((kind, shape, happened))
            if not part:
                continue
            common = {
                "name": t(message),
                "legendgroup": kind,
                "showlegend": not shown,
                "hovertext": part["text"],
                "hoverinfo": "text",
                "y": part["y"],
                "meta": {"kind": kind, "happened": happened},
            }
            shown = True
            if shape == "bar":
                pattern = {} if happened else {"shape": "/", "fgcolor": colour, "solidity": 0.35}
                figure.add_trace(
                    go.Bar(
                        orientation="h",
                        base=part["base"],
                        x=part["x"],
                        width=0.55,
                        marker={
                            "color": colour if happened else "#ffffff",
                            "line": {"color": colour, "width": 1.5},
                            "pattern": pattern,
                        },
                        opacity=1 if happened else 0.6,
                        **common,
                    )
                )
            else:
                figure.add_trace(
                    go.Scatter(
                        mode="markers",
                        x=part["x"],
                        marker={
                            "symbol": symbol if happened else f"{symbol}-open",
                            "color": colour,
                            "size": 12,
                            "line": {"color": "#263238" if happened else colour, "width": 1},
                        },
                        opacity=1 if happened else 0.6,
                        **common,
                    )
                )


def _phase_bands(t: Translator, phases) -> tuple[list, list]:
    """A shaded band and a title (name, dates) per programme phase."""
    shapes, annotations = [], []
    for index, phase in enumerate(phases.itertuples()):
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": phase.start_date.isoformat(),
                "x1": phase.end_date.isoformat(),
                "y0": 0,
                "y1": 1,
                "fillcolor": PHASE_FILLS[index % len(PHASE_FILLS)],
                "line": {"width": 0},
                "layer": "below",
                "name": f"phase-{phase.number}",
            }
        )
        last = phase.end_date - ONE_DAY
        dates = f"{formatting.date(phase.start_date, t.lang)} – {formatting.date(last, t.lang)}"
        annotations.append(
            {
                "x": (phase.start_date + (phase.end_date - phase.start_date) / 2).isoformat(),
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "text": f"<b>{plotly_text(t.name(phase._asdict()))}</b><br>{plotly_text(dates)}",
                "font": {"size": 12},
            }
        )
    return shapes, annotations


def _as_of_line(t: Translator, as_of: dt.date, span) -> tuple[list, list]:
    """The dashed line at the "as of" date and its label, kept inside the chart."""
    shapes, annotations = [], []
    middle = None
    if span:
        first, last = (dt.date.fromisoformat(day) for day in span)
        middle = first + (last - first) / 2
    late = middle is not None and as_of > middle
    shapes.append(
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": as_of.isoformat(),
            "x1": as_of.isoformat(),
            "y0": 0,
            "y1": 1,
            "line": {"color": AS_OF_COLOUR, "width": 2, "dash": "dash"},
            "name": "as-of",
        }
    )
    annotations.append(
        {
            "x": as_of.isoformat(),
            "y": 1,
            "xref": "x",
            "yref": "paper",
            "yanchor": "top",
            "xanchor": "right" if late else "left",  # the label stays inside the chart
            "showarrow": False,
            "text": plotly_text(t("As of {date}", date=formatting.date(as_of, t.lang))),
            "font": {"color": AS_OF_COLOUR, "size": 12},
            "bgcolor": "rgba(255,255,255,0.85)",
        }
    )
    return shapes, annotations


def _empty_note(t: Translator) -> dict:
    """The note in the middle of an empty chart."""
    return {
        "x": 0.5,
        "y": 0.5,
        "xref": "paper",
        "yref": "paper",
        "showarrow": False,
        "text": plotly_text(t("No activities for these filters.")),
        "font": {"size": 14},
    }


def gantt_figure(
    t: Translator, frame, phases, as_of: dt.date | None, group: str, filters: Filters
) -> go.Figure:
    """The Gantt chart: phase bands, one row per place, bars and markers per activity kind,
    and a dashed line at the "as of" date."""
    currency = filters.currency
    keys, ordered = rows(t, frame, group)
    # the categories of the y axis are the tick texts: oblasts in bold above their places
    headers = set(frame.oblast_pcode.dropna()) if group == "municipality" else set()
    categories = {
        key: f"<b>{plotly_text(label)}</b>" if key in headers else plotly_text(label)
        for key, label in ordered
    }
    parts = _trace_parts(t, frame, keys, categories, as_of, currency)
    figure = go.Figure()
    _add_activities(figure, t, parts)
    span = x_range(frame, phases, filters)
    shapes, annotations = _phase_bands(t, phases)
    if as_of is not None:
        line, label = _as_of_line(t, as_of, span)
        shapes += line
        annotations += label
    if frame.empty:
        annotations.append(_empty_note(t))
    tickvals, ticktext = month_ticks(span, t.lang)
    figure.update_layout(
        barmode="overlay",
        height=max(320, 150 + 30 * len(ordered)),
        margin={"l": 10, "r": 20, "t": 60, "b": 40},
        plot_bgcolor="#ffffff",
        hovermode="closest",
        hoverlabel={"align": "left"},
        shapes=shapes,
        annotations=annotations,
        legend={"orientation": "h", "yanchor": "top", "y": -0.06, "x": 0, "traceorder": "normal"},
        xaxis={
            "type": "date",
            "range": span,
            "showgrid": True,
            "gridcolor": "#cfd8dc",
            "tickvals": tickvals,
            "ticktext": ticktext,
            "automargin": True,
        },
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": list(categories.values()),
            "range": [len(ordered) - 0.5, -0.5],
            "automargin": True,
            "fixedrange": True,
        },
        uirevision="timeline",
    )
    return figure


def summary(t: Translator, frame, as_of: dt.date | None) -> str:
    """How many of the activities shown had started by the "as of" date."""
    if frame.empty:
        return t("No activities for these filters.")
    if as_of is None:
        return t.n("{n} activity", "{n} activities", len(frame))
    return t.n(
        "{done} of {n} activity had started by {date}",
        "{done} of {n} activities had started by {date}",
        len(frame),
        done=formatting.number(int(frame.happened.sum()), t.lang),
        date=formatting.date(as_of, t.lang),
    )
