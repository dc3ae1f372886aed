"""The PowerPoint deck (16:9) of a scope: title, overview map, KPIs, one slide per
municipality, comparison chart, timeline, methodology and sources.

Text stays editable text boxes (never pictures of text); only maps and charts are pictures,
each rendered by `images`. Demo data is marked on every slide.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.util import Emu, Inches, Pt

from dashboard import formatting
from dashboard.components import map_figure
from dashboard.exports import images
from dashboard.i18n import N_, Translator
from dashboard.views import compare as compare_view
from dashboard.views import map as map_view
from dashboard.views import profile as profile_view
from dashboard.views import timeline as timeline_view
from geodata import basemap
from geodata.sources import ATTRIBUTION
from layers.base import missing
from layers.categories import RATING_LABELS, STAGE_LABELS, STATUS_LABELS
from queries import geography
from queries.scope import Filters

WIDTH, HEIGHT = Emu(12_192_000), Emu(6_858_000)  # 13.333 × 7.5 in: 16:9
MARGIN = Inches(0.5)
TITLE_ONLY = 5  # the default template's "Title Only" layout
INK = RGBColor(0x26, 0x32, 0x38)
DEMO_INK = RGBColor(0x8A, 0x4B, 0x00)
#: the slides every deck has besides one per municipality
FIXED_SLIDES = (
    N_("Title"),
    N_("Overview map"),
    N_("Key figures"),
    N_("Comparison"),
    N_("Timeline"),
    N_("Methodology and sources"),
)
PPTX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
#: the makers of the programme, on the title slide
MAKERS = N_("GIZ · Development Policy Institute")
#: the key under a locator map
LOCATOR_KEY = N_("Map: {place} (ringed) in {rayon} (outlined in red), {oblast}")
TITLE_TOP, TITLE_HEIGHT = Inches(0.2), Inches(0.8)
#: where a slide's body starts: under the title (0.2–1.0 in) and the demo notice (1.0–1.35 in)
BODY_TOP = Inches(1.45)
#: the locator map of a municipality slide: at most LOCATOR px of the figure (drawn at
#: LOCATOR_SCALE) shown LOCATOR_WIDTH wide, so that the map's 11-px names read at 7 pt
LOCATOR = (940, 340)
LOCATOR_SCALE = 2
LOCATOR_WIDTH = Inches(8.33)
LOCATOR_MARGIN = 6
#: the smallest name on a locator map, px of the figure: 7 pt on the slide
LOCATOR_MIN_FONT = math.ceil(7 / 72 * LOCATOR[0] / (LOCATOR_WIDTH / 914_400))
#: the right-hand part of a municipality slide: the map, then the projects under it
RIGHT = MARGIN + Inches(4.0)
#: a slide 13.333 in wide seen as an image 1920 px wide: 144 px an inch, where 14 px is 7 pt
SLIDE_PX_PER_INCH = images.SCREEN[0] / (WIDTH / 914_400)
#: the pictures of the overview map, the Compare chart and the Timeline (EMU on the slide)
MAP_PICTURE = (Inches(9.4), Emu(round(Inches(9.4) * 1000 / 1920)))
CHART_PICTURE = (Emu(round(Inches(5.4) * 1600 / 760)), Inches(5.4))
PICTURE_SCALE = 2  # image px per slide px: sharp when projected
HIGHLIGHT = "#d32f2f"
KEY_INK = RGBColor(0xB7, 0x1C, 0x1C)
#: the procurement stages a municipality slide dates
DATED_STAGES = ("competition_announced", "winner_selected", "contract_signed", "completed")
#: `progress(done, total, message)`: `done` of `total` steps finished; `message` translated
Progress = Callable[[int, int, str], None]


def municipalities_in(ctx, state: dict):
    """The programme municipalities of the view, in the deck's order (oblast, P-code)."""
    filters = Filters(oblasts=tuple(state["oblast"]), rayons=tuple(state["rayon"]))
    return ctx.cached(
        "programme_municipalities",
        geography.programme_municipalities,
        filters,
        scope=ctx.current_scope(),
    )


class Deck:
    """A presentation being written, with the words every slide carries."""

    def __init__(self, t: Translator, demo: bool, footer: str):
        self.t, self.demo, self.footer = t, demo, footer
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT

    def slide(self, title: str, *, title_top=TITLE_TOP, title_height=TITLE_HEIGHT, size=28):
        """A slide with its title, the footer and (on demo data) the demo notice under the
        title; each in its own box, none overlapping another."""
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[TITLE_ONLY])
        shape = slide.shapes.title
        shape.left, shape.top = MARGIN, title_top
        shape.width, shape.height = WIDTH - 2 * MARGIN, title_height
        shape.text_frame.text = title
        shape.text_frame.word_wrap = True
        shape.text_frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
        paragraph = shape.text_frame.paragraphs[0]
        paragraph.font.size, paragraph.font.bold = Pt(size), True
        paragraph.font.color.rgb = INK
        self.text(
            slide,
            self.footer,
            MARGIN,
            HEIGHT - Inches(0.45),
            WIDTH - 2 * MARGIN,
            Inches(0.3),
            size=10,
        )
        if self.demo:
            self.text(
                slide,
                self.t(images.DEMO_NOTICE),
                MARGIN,
                title_top + title_height,
                WIDTH - 2 * MARGIN,
                Inches(0.35),
                size=12,
                bold=True,
                colour=DEMO_INK,
            )
        return slide

    def text(
        self,
        slide,
        lines,
        left,
        top,
        width,
        height,
        *,
        size=16,
        bold=False,
        colour=INK,
        bullet=False,
    ):
        """A text box of one or more lines (an empty list writes a dash, never nothing)."""
        lines = [lines] if isinstance(lines, str) else (list(lines) or ["–"])
        box = slide.shapes.add_textbox(left, top, width, height)
        frame = box.text_frame
        frame.word_wrap = True
        frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE  # shrinks, never grows over the next
        for i, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            paragraph.text = ("• " if bullet else "") + (str(line) or "–")
            paragraph.font.size, paragraph.font.bold = Pt(size), bold
            paragraph.font.color.rgb = colour
        return box

    def picture(self, slide, data: bytes, left, top, width=None, height=None):
        return slide.shapes.add_picture(io.BytesIO(data), left, top, width, height)

    def figure(self, slide, figure: dict, output: images.Output, left, top):
        """A map or chart as a picture as wide as `output` was drawn for (`placed`), its
        type raised to 7 pt on the slide."""
        figure = images.legible(figure, output.min_font)
        png = images.render(figure, "png", output.width, output.height, output.scale)
        return self.picture(
            slide, png, left, top, width=Emu(round(output.paper_mm / 25.4 * 914_400))
        )

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return buffer.getvalue()


def placed(width, height, frame=None) -> images.Output:
    """Where a picture `width` × `height` (EMU) is seen on a slide: drawn in the slide's own
    px (a slide 1920 px wide), so a font of n px there reads as n px at 1920 and n/2 pt on
    the 13.333-in slide; `paper_mm`, its width on the slide, makes its `min_font` 14 px = 7
    pt; `frame`: the map's margins."""
    return images.Output(
        round(width / 914_400 * SLIDE_PX_PER_INCH),
        round(height / 914_400 * SLIDE_PX_PER_INCH),
        PICTURE_SCALE,
        paper_mm=width / 914_400 * 25.4,
        frame=frame,
    )


def _money(minor, currency: str, lang: str) -> str:
    return "–" if missing(minor) else formatting.money(minor, currency, lang)


def funded_projects(data: dict):
    """The municipality's funded projects (`queries.funding`: what the KPIs count)."""
    projects = data["projects"]
    return projects[projects.funded.astype(bool)] if len(projects) else projects


def municipality_facts(t: Translator, state: dict, data: dict) -> list[str]:
    """The key figures of one municipality's slide: population, funded projects and their
    budgets (as the KPIs and Compare count them), beneficiaries, the monitoring rating."""
    currency = state["currency"]
    people = data["population"]
    funded = funded_projects(data)
    lines = []
    if len(people):
        latest = people.iloc[-1]
        lines.append(
            t("Population")
            + f": {formatting.number(latest.population, t.lang)} ({int(latest.year)})"
        )
    lines.append(t("Projects funded") + f": {formatting.number(len(funded), t.lang)}")
    total = int(funded.total_minor.sum()) if len(funded) else 0
    lines.append(t("Project budgets") + ": " + _money(total, currency, t.lang))
    visits = data["visits"]
    reached = visits.drop_duplicates("project_code").beneficiaries.dropna()
    lines.append(t("Beneficiaries reached") + ": " + formatting.number(int(reached.sum()), t.lang))
    lines.append(t("Monitoring rating") + ": " + latest_rating(t, data))
    return lines


def latest_rating(t: Translator, data: dict) -> str:
    """The worst latest rating among its projects, in words."""
    visits = data["visits"]
    if visits.empty:
        return t("Not yet visited")
    latest = visits.drop_duplicates("project_code").rating.dropna()
    order = list(RATING_LABELS)
    worst = max(latest, key=order.index) if len(latest) else None
    return t(RATING_LABELS[worst]) if worst else t("Not yet visited")


def project_lines(t: Translator, state: dict, data: dict, most: int = 2) -> list[str]:
    """Its projects (up to `most`), four lines each: code, title and status; the money by
    source; the total and the NGO; the dates of the procurement stages reached."""
    currency, lang = state["currency"], t.lang
    milestones = data["milestones"]
    lines = []
    for r in data["projects"].head(most).itertuples():
        title = t.plain(r, "title")
        lines.append(f"{r.code} {title}: {t(STATUS_LABELS.get(r.status, r.status))}")
        money = [
            f"{t(label)}: {_money(minor, currency, lang)}"
            for label, minor in (
                ("Local budget", r.local_minor),
                ("GIZ fund", r.giz_minor),
                ("Co-financing", r.cofinancing_minor),
            )
        ]
        lines.append("   " + " · ".join(money))
        total = f"   {t('Total')}: {_money(r.total_minor, currency, lang)}"
        ngo = t.plain(r, "organisation")  # the NGO, in the reader's language
        lines.append(f"{total} · {t('NGO')}: {ngo}" if ngo else total)
        mine = milestones[milestones.project_code == r.code] if len(milestones) else milestones
        dates = []
        for stage in DATED_STAGES:
            days = mine[mine.stage == stage].occurred_on if len(mine) else []
            if len(days):
                dates.append(f"{t(STAGE_LABELS[stage])}: {formatting.date(days.iloc[0], lang)}")
        if dates:
            lines.append("   " + " · ".join(dates))
    return lines


def municipality_slide(deck: Deck, ctx, state: dict, row, locator) -> None:
    """A municipality's slide; `locator`: its locator map (PNG bytes, size) or None."""
    t = deck.t
    data = profile_view.profile_data(ctx, state, row.pcode)
    slide = deck.slide(t.name(row))
    oblast = images.full_oblast_name(t, row, "oblast_name")
    deck.text(
        slide,
        f"{t.name(row, 'rayon_name')}, {oblast} · {row.pcode}",
        MARGIN,
        BODY_TOP,
        Inches(7.6),
        Inches(0.4),
        size=14,
    )
    if "issues" not in data:  # outside the filters: nothing but its name
        return
    if locator:
        png, (width, _height) = locator
        shown = int(LOCATOR_WIDTH * width / LOCATOR[0])
        left = RIGHT + (LOCATOR_WIDTH - shown) // 2
        deck.picture(slide, png, left, BODY_TOP + Inches(0.5), width=shown)
    below = BODY_TOP + Inches(0.55) + int(LOCATOR_WIDTH * LOCATOR[1] / LOCATOR[0])
    if locator:
        key = t(
            LOCATOR_KEY,
            place=t.name(row),
            rayon=t.name(row, "rayon_name"),
            oblast=oblast,
        )
        deck.text(slide, key, RIGHT, below, LOCATOR_WIDTH, Inches(0.3), size=10, colour=KEY_INK)
    below += Inches(0.4)
    facts = municipality_facts(t, state, data)
    _block(deck, slide, t("Key figures"), facts, MARGIN, BODY_TOP + Inches(0.5), Inches(1.4))
    issues = [f"{r.rank}. {t.plain(r, 'title')}" for r in data["issues"].head(3).itertuples()]
    _block(
        deck, slide, t("Top priority issues"), issues, MARGIN, BODY_TOP + Inches(2.5), Inches(2.2)
    )
    projects = project_lines(t, state, data)
    _block(
        deck,
        slide,
        t("Social projects"),
        projects,
        RIGHT,
        below,
        HEIGHT - Inches(0.55) - below - Inches(0.4),
        LOCATOR_WIDTH,
    )


def _block(deck: Deck, slide, heading: str, lines: list[str], left, top, tall, width=None) -> None:
    """A heading and its lines under it (`tall` EMU high), `width` wide (default: the left
    column's 3.8 in)."""
    width = width or Inches(3.8)
    deck.text(slide, heading, left, top, width, Inches(0.4), size=14, bold=True)
    deck.text(slide, lines, left, top + Inches(0.4), width, tall, size=11)


def locator_size(box) -> tuple[int, int]:
    """(width, height) px of a locator map framing `box` (west, south, east, north) on the
    Mercator projection: as large as fits in LOCATOR with the box's proportions."""
    west, south, east, north = box

    def y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    share = (y(north) - y(south)) / (math.radians(east - west) or 1e-9)  # height / width
    inner_w, inner_h = (v - 2 * LOCATOR_MARGIN for v in LOCATOR)
    if inner_w * share > inner_h:
        inner_w = inner_h / share
    else:
        inner_h = inner_w * share
    return round(inner_w) + 2 * LOCATOR_MARGIN, round(inner_h) + 2 * LOCATOR_MARGIN


def locator_figure(ctx, t: Translator, state: dict, row) -> tuple[dict, tuple[int, int]]:
    """The municipality on the Map page's cartography: its oblast framed with the country
    around it (neighbouring oblasts and countries named), rayon borders, and the names of the
    programme places and the oblast as the Labels overlay places them for this size; the
    municipality ringed, its rayon outlined and named. A self-contained figure dict (geometry
    inlined) and its size (px)."""
    view = {
        **state,
        "oblast": [row.oblast_pcode],
        "rayon": [],
        "focus": row.oblast_pcode,
        "overlays": ("rayons", "labels"),
    }
    data = dict(map_view.view_data(ctx, view))
    data["maplibre"] = False
    box = map_view.view_box(data, view)
    size = locator_size(box)
    data["plot_sizes"] = [tuple(v - 2 * LOCATOR_MARGIN for v in size)]
    data["min_font"] = LOCATOR_MIN_FONT  # names placed in the size they are drawn
    figure = map_figure.base_map(maplibre=False, basemap=data["basemap"] is not None).to_dict()
    map_figure.apply(figure, map_view.trace_values(t, data, view), {})
    areas = ctx.cached(
        "municipality_areas",
        geography.municipality_areas,
        Filters(oblasts=(row.oblast_pcode,)),
        scope=ctx.current_scope(),
    )
    frames = {"context": data["context"], "rayons": data["rayons"], "oblasts": data["oblasts"]}
    images._inline_geometry(figure, {**frames, "areas": areas})  # as map_figure_for does
    if data["basemap"] is not None:
        images.offer_topology(data["basemap"] / basemap.FILE)
    layout = figure["layout"]
    layout.pop("height", None)
    layout.update(dragmode=False, showlegend=False, margin=dict.fromkeys("lrtb", LOCATOR_MARGIN))
    west, south, east, north = box
    layout.setdefault("geo", {}).update(
        domain={"x": [0, 1], "y": [0, 1]},
        lonaxis={"range": [west, east]},
        lataxis={"range": [south, north]},
        center={"lon": (west + east) / 2, "lat": (south + north) / 2},
    )
    rayon = data["rayons"][data["rayons"].pcode == row.rayon_pcode]
    if len(rayon) and rayon.geometry.iloc[0] is not None:
        figure["data"] += _rayon_traces(rayon.iloc[0])
    figure["data"].append(_ring(row.lon, row.lat))
    return figure, size


def _rayon_traces(rayon) -> list[dict]:
    """The municipality's rayon: its outline in the highlight colour (the slide's key under
    the map names it: a name drawn inside would run over the places' names)."""
    shape = rayon.geometry
    parts = getattr(shape, "geoms", [shape])
    lon, lat = [], []
    for part in parts:
        xs, ys = part.exterior.coords.xy
        lon += [round(v, 4) for v in xs] + [None]
        lat += [round(v, 4) for v in ys] + [None]
    outline = {
        "type": "scattergeo",
        "lon": lon,
        "lat": lat,
        "mode": "lines",
        "line": {"color": HIGHLIGHT, "width": 2},
        "hoverinfo": "skip",
        "showlegend": False,
    }
    return [outline]


def _ring(lon: float, lat: float) -> dict:
    return {
        "type": "scattergeo",
        "lon": [lon],
        "lat": [lat],
        "mode": "markers",
        "marker": {"size": 24, "color": "rgba(0,0,0,0)", "line": {"color": HIGHLIGHT, "width": 3}},
        "hoverinfo": "skip",
        "showlegend": False,
    }


def locator_map(ctx, t: Translator, state: dict, row) -> tuple[bytes, tuple[int, int]]:
    """The locator map of a municipality slide (PNG) and its size (px of the figure)."""
    figure, size = locator_figure(ctx, t, state, row)
    return images.render(figure, "png", *size, LOCATOR_SCALE), size


def _title_slide(deck: Deck, ctx, t: Translator, state: dict, words, as_of_text: str) -> None:
    """1. The title: the programme, its makers, the oblasts in full, the date of the data and
    the filters; each in its own box, stacked without overlap."""
    scope = ctx.current_scope()
    slide = deck.slide(
        t("Municipal social procurement: 2013–2015 pilot"),
        title_top=Inches(0.9),
        title_height=Inches(1.5),
        size=36,
    )
    oblasts = ctx.cached(
        "oblasts", geography.oblasts, Filters(oblasts=tuple(state["oblast"])), scope=scope
    )
    names = ", ".join(images.full_oblast_name(t, r) for _, r in oblasts.iterrows()) or "–"
    width = WIDTH - 2 * MARGIN
    deck.text(slide, t(MAKERS), MARGIN, Inches(3.0), width, Inches(0.5), size=20)
    deck.text(slide, names, MARGIN, Inches(3.7), width, Inches(0.9), size=28, bold=True)
    deck.text(slide, as_of_text, MARGIN, Inches(4.8), width, Inches(0.45), size=18)
    deck.text(
        slide, [words.filters, t("Aimak Atlas")], MARGIN, Inches(5.4), width, Inches(1.0), size=14
    )


def _map_slide(deck: Deck, ctx, t: Translator, state: dict) -> dict:
    """2. The overview map with its legend (a picture) and the legend as text beside it;
    returns the map's data."""
    output = placed(*MAP_PICTURE, frame=(10, 10, 10, 10))
    # its names and legend placed for the size the slide shows it at, in type of 7 pt there
    figure, data = images.map_figure_for(ctx, t, state, output=output)
    figure["layout"]["margin"] = output.margin
    slide = deck.slide(t("Overview map") + ": " + images.map_title(t, data, state))
    deck.figure(slide, figure, output, MARGIN, Inches(1.45))
    deck.text(
        slide, t("Legend"), Inches(10.1), Inches(1.45), Inches(2.8), Inches(0.4), size=14, bold=True
    )
    deck.text(
        slide,
        [label for label, _c in images.legend_entries(t, data, state)],
        Inches(10.1),
        Inches(1.85),
        Inches(2.8),
        Inches(4.5),
        size=11,
    )
    return data


def _key_figures_slide(deck: Deck, t: Translator, data: dict, state: dict, lang: str) -> None:
    """3. Key figures of the view."""
    kpis = data["kpis"]
    currency = state["currency"]
    slide = deck.slide(t("Key figures"))
    figures = [
        (t("Municipalities"), formatting.number(kpis["municipalities"], lang)),
        (t("Projects funded"), formatting.number(kpis["projects_funded"], lang)),
        (t("Project budgets"), _money(kpis["budget_total_minor"], currency, lang)),
        (t("Local budget share"), formatting.percent(kpis["local_share"], lang)),
        (t("Beneficiaries reached"), formatting.number(kpis["beneficiaries"], lang)),
        (t("Projects on track"), formatting.percent(kpis["on_track_share"], lang)),
    ]
    for i, (label, value) in enumerate(figures):
        left = MARGIN + (i % 3) * Inches(4.1)
        top = Inches(1.7) + (i // 3) * Inches(2.2)
        deck.text(slide, value, left, top, Inches(3.9), Inches(0.9), size=36, bold=True)
        deck.text(slide, label, left, top + Inches(0.9), Inches(3.9), Inches(0.6), size=16)


def _comparison_slide(deck: Deck, ctx, t: Translator, state: dict) -> None:
    """5. The Compare page's chart."""
    view = compare_view.view_data(ctx, state, t)
    chart = compare_view.bar_chart(ctx, t, view, state)
    chart = chart.to_dict() if hasattr(chart, "to_dict") else chart
    slide = deck.slide(t("Comparison") + ": " + t(compare_view.chart_indicator(view).label))
    deck.figure(slide, chart, placed(*CHART_PICTURE), MARGIN, Inches(1.45))


def _timeline_figure(ctx, t: Translator, state: dict) -> dict:
    """6. The Timeline page's Gantt chart, by oblast (a figure dict)."""
    timeline = timeline_view.view_data(ctx, state)
    gantt = timeline_view.gantt_figure(
        t,
        timeline["activities"],
        timeline["phases"],
        timeline["as_of"],
        "oblast",
        timeline["filters"],
    )
    return gantt.to_dict()


def _methodology_slide(deck: Deck, t: Translator, data: dict, lines: list) -> None:
    """7. Methodology and sources."""
    layer = data["layer"]
    slide = deck.slide(t("Methodology and sources"))
    deck.text(
        slide,
        [
            t(layer.description),
            t("Source") + ": " + t(layer.source),
            *lines,
        ],
        MARGIN,
        Inches(1.5),
        WIDTH - 2 * MARGIN,
        Inches(5.2),
        size=14,
        bullet=True,
    )


def build_deck(
    ctx,
    state: dict | None = None,
    *,
    lang: str | None = None,
    base_url: str | None = None,
    progress: Progress | None = None,
) -> bytes:
    """The deck of a view state (its oblast filter chooses the oblasts) as PPTX bytes.

    Links to the view only with `base_url` (default: the AIMAK_PUBLIC_URL setting; empty:
    no links, so a deck never points at the presenter's own machine).
    `progress(done, total, message)` hears of each slide before it is built.
    """
    state = images.export_state(state)
    lang = lang or state.get("lang") or ctx.settings.default_lang
    state["lang"] = lang
    t = Translator(lang)
    scope = ctx.current_scope()
    places = municipalities_in(ctx, state)
    total = len(FIXED_SLIDES) + len(places)
    built = 0

    def step() -> None:
        nonlocal built
        built += 1
        if progress:
            message = t("Building slide {number} of {total}…", number=built, total=total)
            progress(built - 1, total, message)

    as_of = ctx.as_of(state["as_of"], scope)
    as_of_text = (
        t("Data as of {date}", date=formatting.date(as_of, lang)) if as_of else t("No reports yet")
    )
    base_url = ctx.settings.public_url if base_url is None else base_url
    link = images.view_link(state, "/", base_url) if base_url else ""
    deck = Deck(t, ctx.is_demo(), " · ".join(p for p in (as_of_text, t("Aimak Atlas"), link) if p))
    words = images.caption(ctx, t, state, "", "", "/", base_url or "")

    step()
    _title_slide(deck, ctx, t, state, words, as_of_text)
    step()
    data = _map_slide(deck, ctx, t, state)
    step()
    _key_figures_slide(deck, t, data, state, lang)

    # 4. one slide per municipality
    for _, row in places.iterrows():
        step()
        located = not (missing(row.lon) or missing(row.lat))
        municipality_slide(
            deck, ctx, state, row, locator_map(ctx, t, state, row) if located else None
        )

    step()
    _comparison_slide(deck, ctx, t, state)
    gantt = _timeline_figure(ctx, t, state)
    step()
    slide = deck.slide(t("Timeline"))
    deck.figure(slide, gantt, placed(*CHART_PICTURE), MARGIN, BODY_TOP)

    step()
    reopen = [t("Reopen this view") + ": " + link] if link else []
    _methodology_slide(deck, t, data, [as_of_text, words.filters, t(ATTRIBUTION), *reopen])
    if progress:
        progress(total, total, t("Saving the file…"))
    return deck.save()
