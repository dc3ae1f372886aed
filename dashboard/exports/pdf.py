"""PDF reports (reportlab): one municipality's profile, or an oblast's summary with a section
per municipality; paginated, with the map, in a font with Cyrillic and Kyrgyz glyphs."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from dashboard import formatting
from dashboard.exports import images
from dashboard.exports.deck import Progress, latest_rating, municipalities_in
from dashboard.i18n import LANGUAGE_NAMES, Translator
from dashboard.views import profile as profile_view
from geodata.sources import ATTRIBUTION
from layers.base import missing
from layers.categories import RATING_LABELS, SECTOR_LABELS, STAGE_LABELS, STATUS_LABELS
from queries import geography
from queries.documents import document_href
from queries.scope import Filters

PDF_MEDIA_TYPE = "application/pdf"
#: fonts with Cyrillic and the Kyrgyz letters ң ө ү (Debian: fonts-noto-core, fonts-dejavu-core)
FONT_FILES = (
    (
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    ),
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
)
FONT, BOLD = "AimakSans", "AimakSans-Bold"
INK = colors.HexColor("#263238")
DEMO_INK = colors.HexColor("#8a4b00")
RULE = colors.HexColor("#b0bec5")


def register_fonts() -> None:
    """Register the first installed font pair (once)."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for regular, bold in FONT_FILES:
        if Path(regular).exists():
            pdfmetrics.registerFont(TTFont(FONT, regular))
            pdfmetrics.registerFont(TTFont(BOLD, bold if Path(bold).exists() else regular))
            pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD)
            return
    raise RuntimeError("no font with Cyrillic glyphs found: install fonts-noto-core")


def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle(
        "body", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK, alignment=TA_LEFT
    )
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
        "h1": ParagraphStyle(
            "h1", parent=base, fontName=BOLD, fontSize=20, leading=25, spaceAfter=4
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=BOLD, fontSize=13, leading=17, spaceBefore=10, spaceAfter=4
        ),
        "h3": ParagraphStyle(
            "h3", parent=base, fontName=BOLD, fontSize=10.5, leading=14, spaceBefore=6, spaceAfter=2
        ),
        "demo": ParagraphStyle("demo", parent=base, fontName=BOLD, textColor=DEMO_INK),
    }


class Report:
    """The flowables of a report and the words on every page."""

    def __init__(self, t: Translator, title: str, demo: bool, as_of: str):
        self.t, self.title, self.demo, self.as_of = t, title, demo, as_of
        self.s = styles()
        self.story: list = []

    def p(self, text: str, style: str = "body"):
        self.story.append(Paragraph(escape(str(text)), self.s[style]))

    def table(self, headers: list[str], rows: list[list], widths=None, numeric=()):
        if not rows:
            self.p(self.t("Nothing recorded for the current filters."), "small")
            return
        cell = self.s["cell"]
        body = [[Paragraph(f"<b>{escape(h)}</b>", cell) for h in headers]]
        body += [[Paragraph(_cell_markup(v), cell) for v in r] for r in rows]
        table = Table(body, colWidths=widths, repeatRows=1, hAlign="LEFT")
        style = [
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
            ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
        style += [("ALIGN", (i, 1), (i, -1), "RIGHT") for i in numeric]
        table.setStyle(TableStyle(style))
        self.story.append(table)

    def map(self, png: bytes, width=images.REPORT_MAP_MM * mm):
        picture = Image(io.BytesIO(png))
        picture.drawWidth, picture.drawHeight = (
            width,
            width * picture.imageHeight / max(picture.imageWidth, 1),
        )
        self.story.append(picture)

    def _page(self, canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(INK)
        width, _height = A4
        canvas.drawString(15 * mm, 10 * mm, f"{self.title} · {self.as_of}")
        canvas.drawRightString(width - 15 * mm, 10 * mm, self.t("Page {number}", number=doc.page))
        if self.demo:
            canvas.setFont(BOLD, 8)
            canvas.setFillColor(DEMO_INK)
            canvas.drawString(15 * mm, A4[1] - 10 * mm, self.t(images.DEMO_NOTICE))
        canvas.restoreState()

    def build(self) -> bytes:
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=15 * mm,
            rightMargin=15 * mm,
            topMargin=16 * mm,
            bottomMargin=16 * mm,
            title=self.title,
            author="Aimak Atlas",
        )
        doc.build(self.story, onFirstPage=self._page, onLaterPages=self._page)
        return buffer.getvalue()


@dataclasses.dataclass(frozen=True)
class Link:
    """A table cell that links `href` (already checked by `queries.urls.safe_url`)."""

    text: str
    href: str


def _cell_markup(value) -> str:
    """A table cell's text as reportlab markup: escaped, a `Link` as a blue link."""
    if isinstance(value, Link):
        href = escape(value.href, {'"': "&quot;"})
        return f'<a href="{href}" color="#1565c0">{escape(value.text)}</a>'
    return escape("–" if value is None else str(value))


def document_title(title: str, url, base_url: str, stored: bool = True):
    """A document's title, a `Link` when its URL may be linked (paths on the site made
    absolute: a PDF is read away from it; a path under /documents/ only when the site holds
    its file, `stored`)."""
    href = document_href(url, stored)
    if href is None or (href.startswith("/") and not base_url):  # no address to make it whole
        return title
    return Link(title, base_url.rstrip("/") + href if href.startswith("/") else href)


def _silent(_done: int, _total: int, _message: str) -> None:
    """No one is listening to the progress."""


def _money(value, currency, lang) -> str:
    return "–" if missing(value) else formatting.money(value, currency, lang)


def _date(value, lang) -> str:
    return "–" if missing(value) else formatting.date(value, lang)


#: the names of a place a report lists, by the reader's language: a Kyrgyz or Russian reader
#: its Cyrillic names (an English transliteration would be the one Latin-letter word of the
#: report: issue 15), an English reader every name, the official Cyrillic ones included
NAMES_SHOWN = {"ky": ("ky", "ru"), "ru": ("ru", "ky"), "en": ("en", "ru", "ky")}


def municipality_section(
    report: Report,
    ctx,
    state: dict,
    pcode: str,
    *,
    with_map: bool,
    base_url: str,
    level: str = "h1",
) -> bool:
    """The profile of one municipality; False when it is not in scope or filters."""
    t, lang = report.t, report.t.lang
    data = profile_view.profile_data(ctx, state, pcode)
    if data["unit"].empty or "issues" not in data:
        return False
    row = data["unit"].iloc[0]
    sub = "h2" if level == "h1" else "h3"
    report.p(t.name(row), level)
    report.p(
        f"{t(profile_view.KIND_LABELS.get(row.kind, row.kind))} · "
        f"{t.name(row, 'rayon_name')}, {t.name(row, 'oblast_name')} · {row.pcode}"
    )
    report.p(profile_view.view_summary(t, state, data), "small")
    names = [
        f"{LANGUAGE_NAMES[code]}: {row.get(f'name_{code}')}"
        for code in NAMES_SHOWN[lang]
        if isinstance(row.get(f"name_{code}"), str) and row.get(f"name_{code}").strip()
    ]
    report.p(t("Names") + ": " + "; ".join(names))
    people = data["population"]
    if len(people):
        latest = people.iloc[-1]
        report.p(
            t("Population") + f": {formatting.number(latest.population, lang)} ({int(latest.year)})"
        )
    report.p(t("Monitoring rating") + ": " + latest_rating(t, data))
    if with_map and not (missing(row.lon) or missing(row.lat)):
        png = images.map_image(
            ctx,
            {**state, "focus": pcode, "overlays": ("rayons",)},
            "png",
            lang=lang,
            size="report",
            base_url=base_url,
        )
        report.map(png)
    _issues_and_projects(report, state, data, sub)
    _budgets_and_milestones(report, state, data, sub)
    _visits_indicators_trainings(report, state, data, sub)
    _documents_and_provenance(report, state, data, sub, base_url)
    return True


def _issues_and_projects(report: Report, state: dict, data: dict, sub: str) -> None:
    """Priority issues and social projects."""
    t, lang, currency = report.t, report.t.lang, state["currency"]
    report.p(t("Priority issues as the community ranked them"), sub)
    report.table(
        [t("Rank"), t("Issue"), t("Category"), t("Target group"), t("Votes"), t("Funded by")],
        [
            [
                r.rank,
                t.plain(r, "title"),
                t(SECTOR_LABELS.get(r.category, r.category)),
                t.plain(r, "target_group"),
                formatting.number(r.votes, lang),
                r.funded_by or t("Not funded"),
            ]
            for r in data["issues"].itertuples()
        ],
        widths=[12 * mm, 55 * mm, 30 * mm, 35 * mm, 15 * mm, 33 * mm],
        numeric=(0, 4),
    )
    report.p(t("Social projects"), sub)
    projects = data["projects"]
    if projects.empty:
        report.p(t("Nothing recorded for the current filters."), "small")
    for r in projects.itertuples():
        lines = [
            [t(label), _money(getattr(r, column), currency, lang)]
            for column, label in profile_view.SOURCE_LABELS.items()
        ]
        lines.append([t("Total"), _money(r.total_minor, currency, lang)])
        block = Report(t, report.title, report.demo, report.as_of)
        block.p(f"{r.code} {t.plain(r, 'title')}", "h3")
        block.p(
            " · ".join(
                [
                    t("Status") + ": " + t(STATUS_LABELS.get(r.status, r.status)),
                    t("Sector") + ": " + t(SECTOR_LABELS.get(r.sector, r.sector)),
                    t("NGO") + ": " + (t.plain(r, "organisation") or "–"),
                    t("Contract signed") + ": " + _date(r.contract_date, lang),
                ]
            ),
            "small",
        )
        block.table([t("Source"), t("Amount")], lines, widths=[60 * mm, 45 * mm], numeric=(1,))
        report.story.append(KeepTogether(block.story))


def _budgets_and_milestones(report: Report, state: dict, data: dict, sub: str) -> None:
    """The municipal budget by year and the procurement milestones."""
    t, lang, currency = report.t, report.t.lang, state["currency"]
    report.p(t("Municipal budget by year"), sub)
    report.table(
        [
            t("Year"),
            t("Local budget"),
            t("Social-procurement allocation"),
            t("Executed"),
            t("Execution"),
        ],
        [
            [
                r.year,
                _money(r.local_budget_minor, currency, lang),
                _money(r.allocation_minor, currency, lang),
                _money(r.executed_minor, currency, lang),
                formatting.percent(r.execution, lang),
            ]
            for r in data["budgets"].itertuples()
        ],
        numeric=(1, 2, 3, 4),
    )
    report.p(t("Procurement milestones"), sub)
    report.table(
        [t("Project"), t("Stage"), t("Date"), t("Bids")],
        [
            [
                r.project_code,
                t(STAGE_LABELS.get(r.stage, r.stage)),
                _date(r.occurred_on, lang),
                "–" if missing(r.bids_count) else formatting.number(r.bids_count, lang),
            ]
            for r in data["milestones"].itertuples()
        ],
        widths=[25 * mm, 80 * mm, 40 * mm, 20 * mm],
        numeric=(3,),
    )


def _visits_indicators_trainings(report: Report, state: dict, data: dict, sub: str) -> None:
    """Monitoring visits, indicators and trainings."""
    t, lang = report.t, report.t.lang
    report.p(t("Monitoring visits"), sub)
    report.table(
        [t("Date"), t("Project"), t("Rating"), t("Beneficiaries"), t("Findings")],
        [
            [
                _date(r.visit_date, lang),
                r.project_code,
                t(RATING_LABELS.get(r.rating, r.rating)) if r.rating else "–",
                "–" if missing(r.beneficiaries) else formatting.number(r.beneficiaries, lang),
                t.plain(r, "findings") or "–",
            ]
            for r in data["visits"].itertuples()
        ],
        widths=[24 * mm, 20 * mm, 25 * mm, 22 * mm, 89 * mm],
        numeric=(3,),
    )
    report.p(t("Indicators"), sub)
    report.table(
        [t("Indicator"), t("Project"), t("Baseline"), t("Target"), t("Actual"), t("Progress")],
        [
            [
                f"{t.plain(r, 'name')} ({t.data(r.unit)})",
                r.project_code,
                _num(r.baseline, lang),
                _num(r.target, lang),
                _num(r.actual, lang),
                formatting.percent(r.progress, lang),
            ]
            for r in data["indicators"].itertuples()
        ],
        widths=[70 * mm, 20 * mm, 22 * mm, 22 * mm, 22 * mm, 24 * mm],
        numeric=(2, 3, 4, 5),
    )
    report.p(t("Trainings"), sub)
    report.table(
        [t("Start"), t("Training"), t("Participants"), t("Women")],
        [
            [
                _date(r.start_date, lang),
                t.plain(r, "title"),
                formatting.number(r.participants, lang),
                formatting.number(r.women, lang),
            ]
            for r in data["trainings"].itertuples()
        ],
        widths=[25 * mm, 105 * mm, 25 * mm, 25 * mm],
        numeric=(2, 3),
    )


def _documents_and_provenance(
    report: Report, state: dict, data: dict, sub: str, base_url: str
) -> None:
    """Documents and where the data came from."""
    t, lang = report.t, report.t.lang
    row, people = data["unit"].iloc[0], data["population"]
    report.p(t("Documents"), sub)
    report.table(
        [t("Date"), t("Kind"), t("Title"), t("Review")],
        [
            [
                _date(r.issued_on, lang),
                t(profile_view.DOCUMENT_LABELS.get(r.kind, r.kind)),
                document_title(t.plain(r, "title"), r.url, base_url, r.stored),
                profile_view.review_text(t, r),
            ]
            for r in data["documents"].itertuples()
        ],
        widths=[25 * mm, 40 * mm, 75 * mm, 40 * mm],
    )
    report.p(t("Data provenance"), sub)
    report.p(t("Names and reference point: {source}", source=t.data(row.source)), "small")
    for source in dict.fromkeys(people.source):
        report.p(t("Population: {source}", source=t.data(source)), "small")
    report.table(
        [t("Import batch"), t("File"), t("Imported on"), t("Demo")],
        [
            [b.batch, b.file_name, _date(b.imported_on, lang), t("Yes") if b.is_demo else t("No")]
            for b in data["provenance"].itertuples()
        ],
        widths=[25 * mm, 90 * mm, 35 * mm, 20 * mm],
    )


def _num(value, lang) -> str:
    if missing(value):
        return "–"
    return formatting.number(value, lang) if float(value).is_integer() else f"{value:g}"


def _closing(report: Report, ctx, state: dict, base_url: str, path: str) -> None:
    t = report.t
    report.p(t("Methodology and sources"), "h2")
    report.p(images.filters_text(t, ctx, state), "small")
    report.p(report.as_of, "small")
    report.p(t(ATTRIBUTION), "small")
    if base_url:  # no public address configured (the command line's default): no link
        report.p(t("Reopen this view") + ": " + images.view_link(state, path, base_url), "small")


def _start(ctx, state: dict | None, lang: str | None, title) -> tuple[Report, dict]:
    state = images.export_state(state)
    lang = lang or state.get("lang") or ctx.settings.default_lang
    state["lang"] = lang
    t = Translator(lang)
    as_of = ctx.as_of(state["as_of"], ctx.current_scope())
    as_of_text = (
        t("Data as of {date}", date=formatting.date(as_of, lang)) if as_of else t("No reports yet")
    )
    report = Report(t, title(t), ctx.is_demo(), as_of_text)
    if report.demo:
        report.p(t(images.DEMO_NOTICE), "demo")
    return report, state


def municipality_report(
    ctx,
    pcode: str,
    state: dict | None = None,
    *,
    lang: str | None = None,
    base_url: str = images.DEFAULT_BASE_URL,
    progress: Progress | None = None,
) -> bytes:
    """One municipality's profile as a PDF (LookupError: not in scope or filters).

    `progress(done, total, message)` hears of each step before it is taken."""
    step = progress or _silent
    report, state = _start(ctx, state, lang, lambda t: t("Municipality profile"))
    step(0, 2, report.t("Drawing the map and the tables…"))
    if not municipality_section(report, ctx, state, pcode, with_map=True, base_url=base_url):
        raise LookupError(f"municipality {pcode} is not in scope")
    _closing(report, ctx, state, base_url, f"/municipality/{pcode}")
    step(1, 2, report.t("Laying out the pages…"))
    return report.build()


def oblast_report(
    ctx,
    oblast: str,
    state: dict | None = None,
    *,
    lang: str | None = None,
    base_url: str = images.DEFAULT_BASE_URL,
    progress: Progress | None = None,
) -> bytes:
    """An oblast's summary, its map and one section per municipality, as a PDF.

    `progress(done, total, message)` hears of each section before it is written."""
    step = progress or _silent
    state = {**(state or {}), "oblast": (oblast,), "rayon": ()}
    report, state = _start(ctx, state, lang, lambda t: t("Oblast report"))
    t, lang = report.t, state["lang"]
    found = ctx.cached(
        "oblasts", geography.oblasts, Filters(oblasts=(oblast,)), scope=ctx.current_scope()
    )
    if found.empty:
        raise LookupError(f"oblast {oblast} is not in scope")
    places = municipalities_in(ctx, state)
    sections = 1 + len(places)

    def section(number: int) -> None:
        message = t("Writing section {number} of {total}…", number=number, total=sections)
        step(number - 1, sections + 1, message)

    section(1)
    report.title = f"{t('Oblast report')}: {images.full_oblast_name(t, found.iloc[0])}"
    report.p(report.title, "h1")
    report.p(report.as_of, "small")
    _figure, data = images.map_figure_for(ctx, t, state)
    kpis = data["kpis"]
    currency = state["currency"]
    report.table(
        [t("Key figures"), ""],
        [
            [t("Municipalities"), formatting.number(kpis["municipalities"], lang)],
            [t("Projects funded"), formatting.number(kpis["projects_funded"], lang)],
            [t("Project budgets"), _money(kpis["budget_total_minor"], currency, lang)],
            [t("Local budget share"), formatting.percent(kpis["local_share"], lang)],
            [t("Beneficiaries reached"), formatting.number(kpis["beneficiaries"], lang)],
            [t("Projects on track"), formatting.percent(kpis["on_track_share"], lang)],
        ],
        widths=[80 * mm, 60 * mm],
        numeric=(1,),
    )
    report.p(t("Municipalities") + ": " + ", ".join(t.name(r) for _, r in places.iterrows()))
    report.map(images.map_image(ctx, state, "png", lang=lang, size="report", base_url=base_url))
    for number, pcode in enumerate(places.pcode, start=2):
        section(number)
        report.story.append(PageBreak())
        municipality_section(
            report, ctx, state, pcode, with_map=False, base_url=base_url, level="h2"
        )
    report.story.append(Spacer(1, 6 * mm))
    _closing(report, ctx, state, base_url, "/")
    step(sections, sections + 1, t("Laying out the pages…"))
    return report.build()
