"""plotly.js in the reader's language (dashboard.components.graph_config)."""

from __future__ import annotations

from dashboard.components.graph_config import PLOTLY_MESSAGES, graph_config
from dashboard.i18n import Translator
from tests.words import foreign


def test_a_russian_graph_speaks_russian_and_an_english_one_plotly_s_english():
    config = graph_config(Translator("ru"), displaylogo=False, modeBarButtonsToRemove=["lasso2d"])
    assert config["displaylogo"] is False
    assert config["modeBarButtonsToRemove"] == ["lasso2d", "sendChartToCloud"]  # offline
    locale = config["locales"][config["locale"]]
    assert config["locale"] == "ru"
    assert locale["dictionary"]["Zoom in"] == "Приблизить"
    assert set(locale["dictionary"]) == set(PLOTLY_MESSAGES)
    for text in locale["dictionary"].values():
        assert foreign(text, "ru") == [], text  # every message translated (PNG is a format)
    assert locale["format"]["shortMonths"][9] == "окт."  # October, as the tables write it
    assert locale["format"]["days"][0] == "воскресенье"  # plotly's weeks start on Sunday
    english = graph_config(Translator("en"), staticPlot=True)
    assert english == {"staticPlot": True, "modeBarButtonsToRemove": ["sendChartToCloud"]}


def test_kyrgyz_month_names_come_from_cldr():
    locale = graph_config(Translator("ky"))["locales"]["ky"]
    assert len(locale["format"]["months"]) == 12
    assert locale["format"]["months"][0] == "Январь"
    assert foreign(" ".join(locale["dictionary"].values()), "ky") == []
