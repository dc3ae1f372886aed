"""The Guide page: what each map layer means, how to compare, export and import, in ky, ru, en.

The prose lives in `dashboard/guide/<lang>.md` (one Markdown file per language, written in
the glossary's terms); the line `{layers}` in it is replaced by the list of the map's layers,
generated from the layer registry, so a new layer appears here with its catalog texts.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from dash import dcc, html

from dashboard.i18n import N_, Translator, pseudo_markdown
from layers import LAYERS

PATH = "/guide"
TITLE = N_("Guide")
GUIDE_DIR = resources.files("dashboard") / "guide"  # package data, installed or not
LAYERS_MARK = "{layers}"


@cache
def prose(lang: str) -> tuple[str, str]:
    """The guide's Markdown in `lang`, before and after the list of layers."""
    text = (GUIDE_DIR / f"{lang}.md").read_text(encoding="utf-8")
    before, _mark, after = text.partition(f"\n{LAYERS_MARK}\n")
    return before, after


def layer_list(t: Translator):
    """Every layer of the registry: its title, what it colours by, and how it is computed."""
    items = []
    for layer in LAYERS:
        measures = ", ".join(t(m.title) for m in layer.measures)
        items += [
            html.Dt(t(layer.title), id=f"guide-layer-{layer.id}"),
            html.Dd(
                [
                    html.P([html.Strong(t("Measures") + ": "), measures]),
                    html.P(t(layer.description)),
                    html.P([html.Strong(t("Source") + ": "), t(layer.source)]),
                ]
            ),
        ]
    return html.Dl(items, className="guide-layers", id="guide-layers")


def layout(ctx, t: Translator, state: dict):
    before, after = prose(t.lang)
    if t.pseudo:
        before, after = pseudo_markdown(before), pseudo_markdown(after)
    return html.Article(
        [
            dcc.Markdown(before, className="guide-prose", link_target="_self"),
            layer_list(t),
            dcc.Markdown(after, className="guide-prose", link_target="_self"),
        ],
        className="guide",
        id="guide",
    )


def register(app, ctx) -> None:
    """The guide is static: no callbacks."""
