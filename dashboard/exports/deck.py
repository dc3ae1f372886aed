"""The PowerPoint deck (16:9) of a scope: title, overview map, KPIs, one slide per
municipality, comparison chart, timeline, methodology and sources.

Text stays editable text boxes (never pictures of text); only maps and charts are pictures,
each rendered by `images`. Demo data is marked on every slide.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from dashboard import formatting
from dashboard.exports import images
from dashboard.i18n import N_, Translator
from dashboard.views import compare as compare_view
from dashboard.views import profile as profile_view
from dashboard.views import timeline as timeline_view
from geodata.sources import ATTRIBUTION
from layers.base import missing
from layers.categories import RATING_LABELS, STATUS_LABELS
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
INSET = (900, 700)
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

    def slide(self, title: str):
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[TITLE_ONLY])
        shape = slide.shapes.title
        shape.left, shape.top = MARGIN, Inches(0.25)
        shape.width, shape.height = WIDTH - 2 * MARGIN, Inches(0.9)
        shape.text_frame.text = title
        paragraph = shape.text_frame.paragraphs[0]
        paragraph.font.size, paragraph.font.bold = Pt(30), True
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
                Inches(1.05),
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
        for i, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            paragraph.text = ("• " if bullet else "") + (str(line) or "–")
            paragraph.font.size, paragraph.font.bold = Pt(size), bold
            paragraph.font.color.rgb = colour
        return box

    def picture(self, slide, data: bytes, left, top, width=None, height=None):
        return slide.shapes.add_picture(io.BytesIO(data), left, top, width, height)

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return buffer.getvalue()


def _money(minor, currency: str, lang: str) -> str:
    return "–" if missing(minor) else formatting.money(minor, currency, lang)


def municipality_facts(t: Translator, state: dict, data: dict) -> list[str]:
    """The key figures of one municipality's slide."""
    currency = state["currency"]
    people = data["population"]
    projects = data["projects"]
    lines = []
    if len(people):
        latest = people.iloc[-1]
        lines.append(
            t("Population")
            + f": {formatting.number(latest.population, t.lang)} ({int(latest.year)})"
        )
    lines.append(t("Social projects") + f": {formatting.number(len(projects), t.lang)}")
    total = int(projects.total_minor.sum()) if len(projects) else 0
    lines.append(t("Project budgets") + ": " + _money(total, currency, t.lang))
    visits = data["visits"]
    reached = visits.drop_duplicates("project_code").beneficiaries.dropna()
    lines.append(t("Beneficiaries reached") + ": " + formatting.number(int(reached.sum()), t.lang))
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


def municipality_slide(deck: Deck, ctx, state: dict, row, inset: bytes | None) -> None:
    t = deck.t
    data = profile_view.profile_data(ctx, state, row.pcode)
    slide = deck.slide(t.name(row))
    top = Inches(1.45)
    deck.text(
        slide,
        f"{t.name(row, 'rayon_name')}, {t.name(row, 'oblast_name')} · {row.pcode}",
        MARGIN,
        top,
        Inches(7.3),
        Inches(0.4),
        size=14,
    )
    if "issues" not in data:  # outside the filters: nothing but its name
        return
    if inset:
        deck.picture(slide, inset, Inches(8.3), top, width=Inches(4.5))
    _figures_column(deck, slide, state, data, top)
    _issues_and_projects_column(deck, slide, data, top)


def _figures_column(deck: Deck, slide, state: dict, data: dict, top) -> None:
    """The left column: the key figures and the latest monitoring rating."""
    t = deck.t
    deck.text(
        slide,
        t("Key figures"),
        MARGIN,
        top + Inches(0.45),
        Inches(3.6),
        Inches(0.4),
        size=16,
        bold=True,
    )
    deck.text(
        slide,
        municipality_facts(t, state, data),
        MARGIN,
        top + Inches(0.85),
        Inches(3.6),
        Inches(1.8),
        size=13,
        bullet=True,
    )
    deck.text(
        slide,
        t("Monitoring rating") + ": " + latest_rating(t, data),
        MARGIN,
        top + Inches(2.7),
        Inches(3.6),
        Inches(0.5),
        size=13,
        bold=True,
    )


def _issues_and_projects_column(deck: Deck, slide, data: dict, top) -> None:
    """The middle column: the top three priority issues, then up to six projects' status."""
    t = deck.t
    deck.text(
        slide,
        t("Top priority issues"),
        Inches(4.3),
        top + Inches(0.45),
        Inches(3.8),
        Inches(0.4),
        size=16,
        bold=True,
    )
    deck.text(
        slide,
        [f"{r.rank}. {r.title}" for r in data["issues"].head(3).itertuples()],
        Inches(4.3),
        top + Inches(0.85),
        Inches(3.8),
        Inches(1.8),
        size=13,
    )
    deck.text(
        slide,
        t("Project status"),
        Inches(4.3),
        top + Inches(2.7),
        Inches(3.8),
        Inches(0.4),
        size=16,
        bold=True,
    )
    deck.text(
        slide,
        [
            f"{r.code} {r.title}: {t(STATUS_LABELS.get(r.status, r.status))}"
            for r in data["projects"].head(6).itertuples()
        ],
        Inches(4.3),
        top + Inches(3.1),
        Inches(3.8),
        Inches(2.2),
        size=12,
    )


def inset_map(ctx, t: Translator, state: dict, pcode: str) -> bytes:
    """A small map of the municipality among its neighbours (no caption: the slide has it)."""
    figure, _data = images.map_figure_for(
        ctx, t, {**state, "focus": pcode, "overlays": ("rayons",)}, legend=False, marker_size=26
    )
    figure["layout"]["margin"] = {"l": 0, "r": 0, "t": 0, "b": 0}
    return images.render(figure, "png", *INSET)


def _title_slide(deck: Deck, ctx, t: Translator, state: dict, words, as_of_text: str) -> None:
    """1. The title: the oblasts, the filters and the date of the data."""
    scope = ctx.current_scope()
    slide = deck.slide(t("Municipal social procurement: 2013–2015 pilot"))
    oblasts = ctx.cached(
        "oblasts", geography.oblasts, Filters(oblasts=tuple(state["oblast"])), scope=scope
    )
    deck.text(
        slide,
        ", ".join(t.name(r) for _, r in oblasts.iterrows()) or "–",
        MARGIN,
        Inches(2.2),
        WIDTH - 2 * MARGIN,
        Inches(0.8),
        size=24,
    )
    deck.text(
        slide,
        [words.filters, as_of_text, t("Aimak Atlas")],
        MARGIN,
        Inches(3.2),
        WIDTH - 2 * MARGIN,
        Inches(1.5),
        size=16,
    )


def _map_slide(deck: Deck, ctx, t: Translator, state: dict) -> dict:
    """2. The overview map with its legend (a picture) and the legend as text beside it;
    returns the map's data."""
    figure, data = images.map_figure_for(ctx, t, state)
    figure["layout"]["margin"] = {"l": 10, "r": 10, "t": 10, "b": 10}
    slide = deck.slide(t("Overview map") + ": " + images.map_title(t, data, state))
    deck.picture(
        slide,
        images.render(figure, "png", *images.DECK_MAP),
        MARGIN,
        Inches(1.45),
        width=Inches(9.4),
    )
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
    deck.picture(
        slide, images.render(chart, "png", 1600, 760), MARGIN, Inches(1.45), height=Inches(5.4)
    )


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
    base_url: str = images.DEFAULT_BASE_URL,
    progress: Progress | None = None,
) -> bytes:
    """The deck of a view state (its oblast filter chooses the oblasts) as PPTX bytes.

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
    link = images.view_link(state, "/", base_url)
    deck = Deck(t, ctx.is_demo(), f"{as_of_text} · {link}")
    words = images.caption(ctx, t, state, "", "", "/", base_url)

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
            deck, ctx, state, row, inset_map(ctx, t, state, row.pcode) if located else None
        )

    step()
    _comparison_slide(deck, ctx, t, state)
    gantt = _timeline_figure(ctx, t, state)
    step()
    slide = deck.slide(t("Timeline"))
    deck.picture(
        slide,
        images.render(gantt, "png", 1600, 760),
        MARGIN,
        Inches(1.45),
        height=Inches(5.4),
    )

    step()
    _methodology_slide(
        deck,
        t,
        data,
        [as_of_text, words.filters, ATTRIBUTION, t("Reopen this view") + ": " + link],
    )
    if progress:
        progress(total, total, t("Saving the file…"))
    return deck.save()
