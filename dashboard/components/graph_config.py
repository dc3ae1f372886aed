"""A graph's plotly.js config in the reader's language.

plotly.js writes words of its own: the mode bar's buttons (their tooltips and aria-labels,
"Zoom in", "Download plot as a PNG"), its notices, and the month and day names of a date
axis's ticks and hover labels. It speaks English unless the config names a locale; the
config's `locales` carry that locale's dictionary (our catalogs' translations of plotly's
messages) and its date names (CLDR's, from Babel), so no locale script is loaded.

The mode bar's "Share chart..." button (it uploads the chart to Plotly Cloud) is removed: the
app sends nothing beyond its own origin.
"""

from __future__ import annotations

from functools import cache

from babel.dates import get_day_names, get_month_names

from dashboard.i18n import N_, PSEUDO_BASE, Translator

#: plotly.js's own messages that a reader of our graphs may see (its mode bar with the
#: buttons we keep, its notices and hints), translated in the catalogs
PLOTLY_MESSAGES = (
    N_("Zoom"),
    N_("Zoom in"),
    N_("Zoom out"),
    N_("Pan"),
    N_("Reset"),
    N_("Reset axes"),
    N_("Reset view"),
    N_("Reset views"),
    N_("Autoscale"),
    N_("Box Select"),
    N_("Lasso Select"),
    N_("Download plot as a PNG"),
    N_("Download plot"),
    N_("Toggle show closest data on hover"),
    N_("Show closest data on hover"),
    N_("Compare data on hover"),
    N_("Toggle Spike Lines"),
    N_("Preparing image - this may take a few seconds"),
    N_("Image download succeeded"),
    N_("Sorry, there was a problem downloading your image!"),
    N_("Double-click to zoom back out"),
    N_("Double-click on legend to isolate one trace"),
)
#: mode bar buttons no graph of the app shows
REMOVED_BUTTONS = ("sendChartToCloud",)


@cache
def _locale(code: str) -> dict:
    """plotly.js's locale definition of an interface language: dictionary and date names."""
    t = Translator(code)
    lang = PSEUDO_BASE if t.pseudo else t.lang

    def months(width: str) -> list[str]:
        found = get_month_names(width, context="stand-alone", locale=lang)
        return [found[month] for month in range(1, 13)]

    def days(width: str) -> list[str]:  # Babel's 0 is Monday; plotly's week starts on Sunday
        found = get_day_names(width, context="stand-alone", locale=lang)
        return [found[day] for day in (6, 0, 1, 2, 3, 4, 5)]

    return {
        "dictionary": {message: t(message) for message in PLOTLY_MESSAGES},
        "format": {
            "months": months("wide"),
            "shortMonths": months("abbreviated"),
            "days": days("wide"),
            "shortDays": days("abbreviated"),
        },
    }


def graph_config(t: Translator, **config) -> dict:
    """`config` for a dcc.Graph with plotly.js speaking the reader's language (English is
    plotly's own), without the buttons of REMOVED_BUTTONS."""
    removed = list(config.pop("modeBarButtonsToRemove", ()))
    config["modeBarButtonsToRemove"] = removed + [b for b in REMOVED_BUTTONS if b not in removed]
    if t.code == "en":
        return config
    return {**config, "locale": t.code, "locales": {t.code: _locale(t.code)}}
