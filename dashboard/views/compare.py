"""The Compare view's data (ranked municipalities, averages) and its three figures: pure
functions, no Dash callbacks. The page (dashboard/pages/compare.py) lays them out; the
exports chart and tabulate the same view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

from dashboard import formatting
from dashboard.components.filter_bar import filters_from_state
from dashboard.i18n import N_, Translator
from layers.base import NO_DATA, OKABE_ITO, missing, plotly_text
from layers.categories import RATING_LABELS, STAGE_LABELS, STAGES
from queries import compare, procurement
from queries.models import STAGE_ORDER, Stage
from queries.monitoring import RATING_ORDER

PATH = "/compare"


TITLE = N_("Compare")


DEMO_NOTICE = N_("Illustrative demo data — not real project figures")


@dataclass(frozen=True)
class Indicator:
    """One column of the comparison: what it shows, how it is formatted and ranked.

    kind: money (integer minor units), int, number (a mean), days, percent (a ratio) or
    category (a monitoring rating). per_inhabitant: whether the per-inhabitant view divides
    it by the population (money per inhabitant, counts per 1,000 inhabitants).
    rank_first: what rank 1 is, stated for every indicator by what it means: "highest" (the
    most unfunded priorities, the largest budget, the most bids) or "lowest" (the fewest days
    to a contract; for the rating, the first of RATING_ORDER: on track).
    """

    id: str
    label: str  # msgid: the full name (ranking choices, chart titles)
    short: str  # msgid: the column header under its group
    group: str | None  # msgid of the columns' group (None: beside the names)
    column: str  # column of queries.compare.indicator_table
    kind: str
    per_inhabitant: bool = False
    headline: bool = False  # drawn in the small multiples
    rank_first: str = ""  # "highest" or "lowest": required

    def __post_init__(self):
        if self.rank_first not in ("highest", "lowest"):
            raise ValueError(f"{self.id}: say what rank 1 is (rank_first='highest' or 'lowest')")


G_NEEDS = N_("Priority issues")


G_MONEY = N_("Funded projects and their budget")


G_BUDGET = N_("Municipal budget")


G_PROCUREMENT = N_("Procurement")


G_PEOPLE = N_("Beneficiaries reached")


G_RESULTS = N_("Results and monitoring")


# fmt: off
INDICATORS: tuple[Indicator, ...] = (
    Indicator("population", N_("Population"), N_("Population"), None, "population", "int",
              rank_first="highest"),
    Indicator("issues", N_("Priority issues identified"), N_("Identified"), G_NEEDS, "issues",
              "int", rank_first="highest"),
    Indicator("unfunded", N_("Priority issues without funding"), N_("Unfunded"), G_NEEDS,
              "unfunded", "int", headline=True, rank_first="highest"),
    Indicator("projects", N_("Funded projects"), N_("Projects"), G_MONEY, "projects", "int",
              rank_first="highest"),
    Indicator("budget_total", N_("Project budget, all sources"), N_("All sources"), G_MONEY,
              "budget_total_minor", "money", per_inhabitant=True, headline=True,
              rank_first="highest"),
    Indicator("local", N_("Project budget from the local budget"), N_("Local budget"), G_MONEY,
              "local_minor", "money", per_inhabitant=True, rank_first="highest"),
    Indicator("giz", N_("Project budget from the GIZ fund"), N_("GIZ fund"), G_MONEY,
              "giz_minor", "money", per_inhabitant=True, rank_first="highest"),
    Indicator("cofinancing", N_("Project budget from co-financing"), N_("Co-financing"), G_MONEY,
              "cofinancing_minor", "money", per_inhabitant=True, rank_first="highest"),
    Indicator("allocation_per_inhabitant", N_("Social-procurement allocation per inhabitant"),
              N_("Allocation per inhabitant"), G_BUDGET, "allocation_per_inhabitant_minor",
              "money", headline=True, rank_first="highest"),
    Indicator("share_of_local", N_("Allocation as a share of the local budget"),
              N_("Share of the local budget"), G_BUDGET, "share_of_local", "percent",
              rank_first="highest"),
    Indicator("execution", N_("Execution rate of the allocation"), N_("Execution rate"), G_BUDGET,
              "execution", "percent", headline=True, rank_first="highest"),
    Indicator("bids", N_("Bids per competition"), N_("Bids per competition"), G_PROCUREMENT,
              "bids_per_competition", "number", headline=True, rank_first="highest"),
    Indicator("days_to_contract", N_("Days from competition to contract"),
              N_("Days to contract"), G_PROCUREMENT, "days_to_contract", "days", headline=True,
              rank_first="lowest"),
    Indicator("beneficiaries", N_("Beneficiaries reached"), N_("All"), G_PEOPLE,
              "beneficiaries", "int", per_inhabitant=True, headline=True, rank_first="highest"),
    Indicator("female", N_("Beneficiaries reached: women and girls"), N_("Female"), G_PEOPLE,
              "beneficiaries_female", "int", per_inhabitant=True, rank_first="highest"),
    Indicator("male", N_("Beneficiaries reached: men and boys"), N_("Male"), G_PEOPLE,
              "beneficiaries_male", "int", per_inhabitant=True, rank_first="highest"),
    Indicator("age_0_17", N_("Beneficiaries reached: aged 0–17"), N_("Aged 0–17"), G_PEOPLE,
              "beneficiaries_0_17", "int", per_inhabitant=True, rank_first="highest"),
    Indicator("age_18_28", N_("Beneficiaries reached: aged 18–28"), N_("Aged 18–28"), G_PEOPLE,
              "beneficiaries_18_28", "int", per_inhabitant=True, rank_first="highest"),
    Indicator("age_29_59", N_("Beneficiaries reached: aged 29–59"), N_("Aged 29–59"), G_PEOPLE,
              "beneficiaries_29_59", "int", per_inhabitant=True, rank_first="highest"),
    Indicator("age_60_plus", N_("Beneficiaries reached: aged 60 and over"), N_("Aged 60+"),
              G_PEOPLE, "beneficiaries_60_plus", "int", per_inhabitant=True,
              rank_first="highest"),
    Indicator("with_disability", N_("Beneficiaries reached: with a disability"),
              N_("With a disability"), G_PEOPLE, "beneficiaries_with_disability", "int",
              per_inhabitant=True, rank_first="highest"),
    Indicator("progress", N_("Indicator progress against targets"), N_("Progress to targets"),
              G_RESULTS, "progress", "percent", headline=True, rank_first="highest"),
    Indicator("rating", N_("Latest monitoring rating"), N_("Latest rating"), G_RESULTS,
              "rating", "category", rank_first="lowest"),
)


# fmt: on
BY_ID = {indicator.id: indicator for indicator in INDICATORS}


#: the indicator charted when the view is not ranked (or ranked by a category)
DEFAULT_CHART = "budget_total"


PER_OPTIONS = {"absolute": N_("Absolute"), "inhabitant": N_("Per inhabitant")}


FONT = '"Noto Sans", "DejaVu Sans", system-ui, sans-serif'


def indicator(indicator_id: str | None) -> Indicator | None:
    return BY_ID.get(indicator_id or "")


def is_numeric(item: Indicator) -> bool:
    return item.kind != "category"


@dataclass
class View:
    """What one view compares: the rows (ranked), their values as shown, and their context."""

    table: pd.DataFrame  # every municipality in scope and filters (the choices)
    rows: pd.DataFrame  # the compared municipalities, in display order, values as shown
    defaulted: bool  # nothing chosen: all in scope and filters, up to MAX_COMPARED
    truncated: int  # how many more than MAX_COMPARED were eligible
    outside: tuple[str, ...]  # chosen P-codes not in scope and filters
    per: str
    rank: Indicator | None
    as_of: dt.date | None
    oblasts: tuple[str, ...] = ()  # the oblasts of the user's scope, for stable colours


def shown_values(table: pd.DataFrame, per: str) -> pd.DataFrame:
    """The table's values as the view shows them: absolute, or per inhabitant (see
    queries.compare for the rounding rule)."""
    if per != "inhabitant":
        return table
    money = [i.column for i in INDICATORS if i.per_inhabitant and i.kind == "money"]
    counts = [i.column for i in INDICATORS if i.per_inhabitant and i.kind != "money"]
    return compare.per_inhabitant(table, money, counts)


def chosen_rows(table: pd.DataFrame, chosen) -> tuple[pd.DataFrame, bool, int, tuple[str, ...]]:
    """The compared rows of `table` (in its order): the chosen ones, or all when none is
    chosen; at most MAX_COMPARED. Returns (rows, defaulted, truncated, chosen but outside)."""
    chosen = tuple(chosen or ())
    if chosen:
        rows = table[table["pcode"].isin(chosen)]
        outside = tuple(p for p in chosen if p not in set(table["pcode"]))
    else:
        rows, outside = table, ()
    truncated = max(0, len(rows) - compare.MAX_COMPARED)
    return rows.head(compare.MAX_COMPARED), not chosen, truncated, outside


def sort_key(item: Indicator, value):
    """A key that puts rank 1 first (the indicator's `rank_first`) and missing values last."""
    if missing(value):
        return (1, 0.0)
    category = item.kind == "category"
    number = RATING_ORDER.get(value, len(RATING_ORDER)) if category else float(value)
    return (0, number if item.rank_first == "lowest" else -number)


def ranked(rows: pd.DataFrame, item: Indicator | None, t: Translator) -> pd.DataFrame:
    """`rows` ranked by `item` (best first, missing last, ties in oblast-then-name order) with
    a `rank` column (equal values share a rank); without `item`, by oblast then name."""
    rows = rows.copy()
    rows["_name"] = [t.name(row).casefold() for _, row in rows.iterrows()]
    rows = rows.sort_values(["oblast_pcode", "_name"], kind="stable")
    if item is None:
        rows["rank"] = pd.Series([None] * len(rows), index=rows.index, dtype=object)
        return rows.drop(columns="_name")
    keys = [sort_key(item, v) for v in rows[item.column]]
    order = sorted(range(len(rows)), key=lambda i: keys[i])
    rows = rows.iloc[order]
    ordered_keys = [keys[i] for i in order]
    ranks, previous = [], None
    for position, key in enumerate(ordered_keys, start=1):
        if key[0]:
            ranks.append(None)
        elif ranks and key == previous:
            ranks.append(ranks[-1])
        else:
            ranks.append(position)
        previous = key
    rows["rank"] = pd.Series(ranks, index=rows.index, dtype=object)
    return rows.drop(columns="_name")


def averages(rows: pd.DataFrame, t: Translator) -> list[dict]:
    """The average rows: one per oblast of the selection (in oblast order), then all of it.

    Each is {"label", "oblast_pcode", "count", <indicator id>: value}: the unweighted mean over
    the compared municipalities that have a value (money rounded half to even to the minor
    unit); None for a rating or when no municipality has a value.
    """
    groups = [
        (t("Average, {oblast}", oblast=t.name(part.iloc[0], "oblast_name")), pcode, part)
        for pcode, part in rows.groupby("oblast_pcode", sort=True)
    ]
    groups.append((t("Average of the selection"), None, rows))
    result = []
    for label, pcode, part in groups:
        entry = {"label": label, "oblast_pcode": pcode, "count": len(part)}
        for item in INDICATORS:
            entry[item.id] = (
                None
                if item.kind == "category"
                else compare.average(part[item.column], money=item.kind == "money")
            )
        result.append(entry)
    return result


def view_data(ctx, state: dict, t: Translator) -> View:
    """The data of one view, from the cached indicator table."""
    scope = ctx.current_scope()
    filters = filters_from_state(state)
    table = ctx.cached("compare:indicator_table", compare.indicator_table, filters, scope=scope)
    rows, defaulted, truncated, outside = chosen_rows(table, state["compare"])
    item = indicator(state["rank"])
    return View(
        table=table,
        rows=ranked(shown_values(rows, state["per"]), item, t),
        defaulted=defaulted,
        truncated=truncated,
        outside=outside,
        per=state["per"],
        rank=item,
        as_of=ctx.as_of(state["as_of"], scope),
        oblasts=tuple(sorted(scope.oblasts)),
    )


def decimal(value, lang: str, pattern: str = "#,##0.##") -> str:
    """A number with decimals (rounded half to even as shown), e.g. '4.82'."""
    return "–" if missing(value) else format_decimal(value, format=pattern, locale=lang)


def per_mode(item: Indicator, per: str) -> bool:
    return per == "inhabitant" and item.per_inhabitant


def unit_note(t: Translator, item: Indicator, per: str) -> str | None:
    """What the values of a column are per, when they are per something."""
    if per_mode(item, per):
        return t("per inhabitant") if item.kind == "money" else t("per 1,000 inhabitants")
    return None


def text(t: Translator, item: Indicator, value, state: dict, average: bool = False) -> str:
    """A value of `item` as the table shows it."""
    lang, currency = t.lang, state["currency"]
    if missing(value):
        return "–"
    if item.kind == "money":
        small = per_mode(item, state["per"]) or item.id == "allocation_per_inhabitant"
        return formatting.money(value, currency, lang, cents=small)
    if item.kind == "percent":
        return formatting.percent(value, lang)
    if item.kind == "category":
        return t(RATING_LABELS.get(value, value))
    if per_mode(item, state["per"]):
        return decimal(value, lang, "#,##0.00")
    if average or item.kind in ("number", "days"):
        return decimal(value, lang)
    return formatting.number(value, lang)


def plotted(item: Indicator, value) -> float | None:
    """A value on a chart's axis: money in major units, percentages in per cent."""
    if missing(value):
        return None
    if item.kind == "money":
        return int(value) / 100
    if item.kind == "percent":
        return float(value) * 100
    return float(value)


def axis_title(t: Translator, item: Indicator, state: dict) -> str:
    unit = {
        "money": formatting.currency_unit(state["currency"], t.lang),
        "percent": "%",
        "days": t("days"),
    }.get(item.kind)
    parts = [unit, unit_note(t, item, state["per"])]
    return ", ".join(p for p in parts if p)


def oblast_colours(view: View) -> dict[str, str]:
    """One Okabe–Ito colour per oblast of the scope (the same whatever is filtered or chosen)."""
    oblasts = sorted({*view.oblasts, *view.table["oblast_pcode"]})
    return {pcode: OKABE_ITO[i % len(OKABE_ITO)] for i, pcode in enumerate(oblasts)}


#: a figure as plotly.js reads it: {"data": [...], "layout": {...}} (plain dicts are built
#: directly: plotly's validating objects cost several times the whole query)
Figure = dict


def _base_layout(t: Translator, height: int, bottom: int = 70) -> dict:
    return {
        "height": height,
        "margin": {"l": 10, "r": 40, "t": 50, "b": bottom},
        "font": {"family": FONT, "size": 12, "color": "#1b262c"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "separators": get_decimal_symbol(t.lang) + get_group_symbol(t.lang),
        "showlegend": False,
        "annotations": [],
        "shapes": [],
    }


def _title(text: str) -> dict:
    """A title just above the plot on the left, clear of the mode bar and of the labels
    written along the plot's top edge."""
    return {
        "text": text,
        "x": 0,
        "xref": "paper",
        "xanchor": "left",
        "y": 1,
        "yref": "paper",
        "yanchor": "bottom",
        "pad": {"b": 22},
        "font": {"size": 15},
    }


def _axis(**extra) -> dict:
    """An axis: light grid, automatic margins; `extra` settings (None leaves one out)."""
    axis = {"gridcolor": "#eceff1", "linecolor": "#90a4ae", "automargin": True, **extra}
    return {key: value for key, value in axis.items() if value is not None}


def demo_mark(ctx, t: Translator, figure: Figure) -> Figure:
    """On demo data, the figure says so at its bottom edge (also in a downloaded image)."""
    if ctx.is_demo():
        figure["layout"]["annotations"].append(
            {
                "text": t(DEMO_NOTICE),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "yshift": -figure["layout"]["margin"]["b"] + 4,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 11, "color": "#8a4b00"},
                "name": "demo-notice",
            }
        )
    return figure


def _empty(t: Translator, ctx, message: str, height: int = 200) -> Figure:
    layout = _base_layout(t, height)
    layout["annotations"].append(
        {"text": message, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper", "showarrow": False}
    )
    layout["xaxis"] = layout["yaxis"] = {"visible": False}
    return demo_mark(ctx, t, {"data": [], "layout": layout})


def chart_indicator(view: View) -> Indicator:
    """The indicator of the main bar chart: the ranking's when numeric, else the default."""
    if view.rank is not None and is_numeric(view.rank):
        return view.rank
    return BY_ID[DEFAULT_CHART]


def _names(t: Translator, view: View) -> list[str]:
    """The municipalities' names as a figure's categories (plotly text, escaped)."""
    return [plotly_text(t.name(row)) for _, row in view.rows.iterrows()]


def _bars(t: Translator, view: View, state: dict, item: Indicator, colours: dict) -> dict:
    """A horizontal bar trace of `item` in display order (the first row on top)."""
    values = [plotted(item, v) for v in view.rows[item.column]]
    texts = [text(t, item, v, state) for v in view.rows[item.column]]
    return {
        "type": "bar",
        "orientation": "h",
        "y": _names(t, view),
        "x": [0 if v is None else v for v in values],
        "text": [t("No data") if v is None else s for v, s in zip(values, texts, strict=True)],
        "textposition": "outside",
        "cliponaxis": False,
        "marker": {
            "color": [
                NO_DATA if v is None else colours[p]
                for v, p in zip(values, view.rows["oblast_pcode"], strict=True)
            ]
        },
        "customdata": list(view.rows["pcode"]),
        "hovertemplate": "%{y}: %{text}<extra></extra>",
        "name": t(item.label),
    }


def benchmark(view: View, item: Indicator):
    """The selection's average of `item` as shown (minor units for money), or None."""
    return compare.average(view.rows[item.column], money=item.kind == "money")


def _benchmark_line(x: float, axis: str = "x", width: float = 1.5) -> dict:
    """A dashed vertical line across the whole height of the plot of `axis`."""
    y_axis = "y" + axis[1:]
    return {
        "type": "line",
        "xref": axis,
        "yref": f"{y_axis} domain",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": {"dash": "dash", "color": "#1b262c", "width": width},
        "name": "benchmark",
    }


def bar_chart(ctx, t: Translator, view: View, state: dict) -> Figure:
    """The chosen indicator per municipality (ranked order) against the selection's average."""
    if view.rows.empty:
        return _empty(t, ctx, t("Nothing to compare."))
    item = chart_indicator(view)
    names = _names(t, view)
    layout = _base_layout(t, 150 + 30 * len(view.rows), bottom=80)
    layout["margin"]["t"] = 80
    title = t(item.label)
    if unit_note(t, item, view.per):
        title = f"{title} ({unit_note(t, item, view.per)})"
    layout["title"] = _title(title)
    layout["yaxis"] = _axis(categoryorder="array", categoryarray=names[::-1], gridcolor=None)
    layout["xaxis"] = _axis(title={"text": axis_title(t, item, state)}, rangemode="tozero")
    known = [v for v in (plotted(item, v) for v in view.rows[item.column]) if v is not None]
    if known and max(known) > 0:  # room for the value written after the longest bar
        layout["xaxis"]["range"] = [0, max(known) * 1.3]
    average = benchmark(view, item)
    if average is not None:
        layout["shapes"].append(_benchmark_line(plotted(item, average)))
        layout["annotations"].append(
            {
                "text": t("Average: {value}", value=text(t, item, average, state, average=True)),
                "x": plotted(item, average),
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 11},
            }
        )
    figure = {"data": [_bars(t, view, state, item, oblast_colours(view))], "layout": layout}
    return demo_mark(ctx, t, figure)


def wrapped(text: str, width: int = 22) -> str:
    """`text` broken into lines of about `width` characters (plotly's <br>)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def small_multiples(ctx, t: Translator, view: View, state: dict, columns: int = 4) -> Figure:
    """The headline indicators side by side (one panel each, the municipalities in the view's
    order), each with the selection's average dashed."""
    if view.rows.empty:
        return _empty(t, ctx, t("Nothing to compare."))
    items = [item for item in INDICATORS if item.headline]
    rows = -(-len(items) // columns)
    panel = 22 * len(view.rows) + 20  # px: the bars of one panel
    gap = 80  # px: the title and axis between rows
    height = rows * (panel + gap) + 50
    layout = _base_layout(t, height, bottom=50)
    layout["margin"]["t"] = 20
    plot_height = height - 70
    names = _names(t, view)
    colours = oblast_colours(view)
    data = []
    width, space = 1 / columns, 0.03
    for position, item in enumerate(items):
        row, column = divmod(position, columns)
        suffix = "" if position == 0 else str(position + 1)
        top = 1 - row * (panel + gap) / plot_height - (gap - 20) / plot_height
        bottom = max(0.0, top - panel / plot_height)
        left = column * width + (space if column else 0)
        layout[f"xaxis{suffix}"] = _axis(
            domain=[left, (column + 1) * width - space / 2],
            anchor=f"y{suffix}",
            rangemode="tozero",
        )
        layout[f"yaxis{suffix}"] = _axis(
            domain=[bottom, top],
            anchor=f"x{suffix}",
            categoryorder="array",
            categoryarray=names[::-1],
            showticklabels=column == 0,
            gridcolor=None,
        )
        trace = _bars(t, view, state, item, colours)
        trace.update(xaxis=f"x{suffix}", yaxis=f"y{suffix}", textposition="none")
        data.append(trace)
        note = unit_note(t, item, view.per)
        layout["annotations"].append(
            {
                "text": wrapped(f"{t(item.label)} ({note})" if note else t(item.label)),
                "x": (left + (column + 1) * width - space / 2) / 2,
                "xref": "paper",
                # over its panel: plotly's "auto" anchors a title left of a third of the width
                # and right beyond two thirds, so neighbouring titles ran into each other
                "xanchor": "center",
                "align": "center",
                "y": top,
                "yref": "paper",
                "yanchor": "bottom",
                "yshift": 4,
                "showarrow": False,
                "font": {"size": 11},
            }
        )
        average = benchmark(view, item)
        if average is not None:
            layout["shapes"].append(_benchmark_line(plotted(item, average), f"x{suffix}", 1.2))
    return demo_mark(ctx, t, {"data": data, "layout": layout})


def gantt_rows(t: Translator, view: View, milestones: pd.DataFrame) -> list[dict]:
    """The Gantt's bars: per project of a compared municipality, one bar from each stage
    reached to the next one reached; the last stage reached runs to the "as of" date unless
    it is the last stage of the cycle. Rows follow the view's order."""
    order = {pcode: i for i, pcode in enumerate(view.rows["pcode"])}
    names = {row.pcode: t.name(row) for _, row in view.rows.iterrows()}
    own = milestones[milestones["pcode"].isin(order)]
    projects_per = own.groupby("pcode")["project_code"].nunique().to_dict()
    bars = []
    final = Stage.REPORTED.value
    for (pcode, code), part in sorted(
        own.groupby(["pcode", "project_code"]), key=lambda g: (order[g[0][0]], g[0][1])
    ):
        label = names[pcode] if projects_per[pcode] == 1 else f"{names[pcode]} · {code}"
        steps = list(
            part.sort_values("stage_order")[["stage", "occurred_on"]].itertuples(index=False)
        )
        for index, (stage, start) in enumerate(steps):
            if index + 1 < len(steps):
                end, open_ended = steps[index + 1][1], False
            elif stage != final and view.as_of is not None:
                end, open_ended = max(view.as_of, start), True
            else:
                end, open_ended = start, False
            bars.append(
                {
                    "row": label,
                    "pcode": pcode,
                    "project": code,
                    "stage": stage,
                    "start": start,
                    "end": end,
                    "open": open_ended,
                }
            )
    return bars


def _stage_trace(t: Translator, stage: str, own: list[dict], open_ended: bool, legend: bool):
    """One bar trace: the bars of `stage` that are over, or (hatched) those still in it."""
    name = t(STAGE_LABELS[stage])
    note = " (" + t("still in this stage") + ")" if open_ended else ""
    days = t("days")
    day_ms = 86_400_000
    return {
        "type": "bar",
        "orientation": "h",
        "y": [plotly_text(bar["row"]) for bar in own],
        "base": [bar["start"].isoformat() for bar in own],
        # a stage of one day (or the final stage) still shows as a sliver
        "x": [max((bar["end"] - bar["start"]).days, 1) * day_ms for bar in own],
        "name": name,
        "legendgroup": stage,
        "showlegend": legend,
        "marker": {
            "color": STAGES.colour(stage),
            "line": {"color": "#455a64", "width": 0.6},
            "pattern": {"shape": "/" if open_ended else ""},
        },
        "customdata": [
            [
                plotly_text(bar["project"]),
                formatting.date(bar["start"], t.lang),
                formatting.date(bar["end"], t.lang),
                (bar["end"] - bar["start"]).days,
            ]
            for bar in own
        ],
        "hovertemplate": (
            f"%{{y}} · %{{customdata[0]}}<br>{name}{note}: %{{customdata[1]}} – "
            f"%{{customdata[2]}} (%{{customdata[3]}} {days})<extra></extra>"
        ),
    }


def _stage_traces(t: Translator, bars: list[dict]) -> list[dict]:
    """Per stage in the cycle's order: its finished bars, then its open ones (one legend entry
    per stage)."""
    data = []
    for stage in sorted({bar["stage"] for bar in bars}, key=lambda s: STAGE_ORDER[Stage(s)]):
        closed = [bar for bar in bars if bar["stage"] == stage and not bar["open"]]
        still = [bar for bar in bars if bar["stage"] == stage and bar["open"]]
        for own, open_ended in ((closed, False), (still, True)):
            if own:
                data.append(_stage_trace(t, stage, own, open_ended, not (open_ended and closed)))
    return data


def _mark_as_of(t: Translator, layout: dict, as_of) -> None:
    """A dotted vertical line at the "as of" date, labelled above the plot."""
    day = as_of.isoformat()
    layout["shapes"].append(
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": day,
            "x1": day,
            "y0": 0,
            "y1": 1,
            "line": {"dash": "dot", "color": "#1b262c", "width": 1.2},
            "name": "as-of",
        }
    )
    layout["annotations"].append(
        {
            "x": day,
            "xref": "x",
            "y": 1,
            "yref": "paper",
            "yanchor": "bottom",
            "showarrow": False,
            "text": t("As of {date}", date=formatting.date(as_of, t.lang)),
            "font": {"size": 11},
        }
    )


def gantt(ctx, t: Translator, view: View, milestones: pd.DataFrame) -> Figure:
    """The procurement cycle of the compared municipalities, stage to stage, as of the date.

    Bar traces per stage (one legend entry each), placed on a date axis by `base`; the stage a
    project is still in is a hatched trace of its own, up to the "as of" date (a dotted line)."""
    bars = gantt_rows(t, view, milestones)
    if not bars:
        return _empty(t, ctx, t("No procurement milestone of the compared municipalities yet."))
    labels = list(dict.fromkeys(plotly_text(bar["row"]) for bar in bars))
    layout = _base_layout(t, max(420, 170 + 34 * len(labels)), bottom=60)
    layout["margin"]["t"] = 80
    layout.update(
        barmode="overlay",
        showlegend=True,
        legend={"traceorder": "normal", "title": {"text": t("Stage")}},
        title=_title(t("Procurement cycle, stage to stage")),
        yaxis=_axis(categoryorder="array", categoryarray=labels[::-1], gridcolor=None),
        # numeric months: plotly's month names would be English in every language
        xaxis=_axis(type="date", tickformat="%m.%Y"),
    )
    if view.as_of is not None:
        _mark_as_of(t, layout, view.as_of)
    return demo_mark(ctx, t, {"data": _stage_traces(t, bars), "layout": layout})


def milestone_data(ctx, state: dict) -> pd.DataFrame:
    scope = ctx.current_scope()
    return ctx.cached(
        "compare:milestones", procurement.milestones, filters_from_state(state), scope=scope
    )


def figures(ctx, t: Translator, view: View, state: dict) -> tuple[Figure, Figure, Figure]:
    return (
        bar_chart(ctx, t, view, state),
        small_multiples(ctx, t, view, state),
        gantt(ctx, t, view, milestone_data(ctx, state)),
    )
