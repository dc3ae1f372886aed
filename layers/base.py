"""The `Layer` abstraction: a query, how its values become colours, its legend and tooltip.

Colour is a pure function of the data. Scales are colour-blind safe: categorical scales use
the Okabe–Ito palette, numeric ones a ColorBrewer sequential ramp cut at chosen class breaks.
Every scale has an explicit "no data" entry, and a layer may add a flag (shown as a marker
symbol, not by colour alone).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from queries.common import missing


def N_(message: str) -> str:
    """Mark a message for translation (it is translated where it is shown)."""
    return message


NO_DATA = "#bdbdbd"
NO_DATA_LABEL = N_("No data")

#: Okabe & Ito (2008), distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
#: ColorBrewer YlGnBu, 5 classes (colour-blind safe, prints in grey scale).
SEQUENTIAL_5 = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
#: ColorBrewer RdYlBu, 5 classes, bad to good (colour-blind safe, unlike red–green).
DIVERGING_5 = ("#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6")


def plotly_text(value) -> str:
    """`value` as text that plotly shows as it is: &, < and > written as entities, so markup
    in the data (``<a href>``, ``<br>``, ``<i>``) is shown, never followed or interpreted.

    Every figure builder passes every data string through it on its way into a trace's
    `text`, `hovertext`, `customdata` shown in a template, category values, trace names,
    titles or annotations; the markup our own code writes around it keeps working. Quotes
    stay as they are: plotly decodes &lt; &gt; &amp; but not &quot;.

    >>> plotly_text('<a href="https://evil.example">x</a> & <br>')
    '&lt;a href="https://evil.example"&gt;x&lt;/a&gt; &amp; &lt;br&gt;'
    """
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class LegendEntry:
    label: str
    colour: str
    value: object = None  # the category, or (low, high) for a class


@dataclass(frozen=True)
class Categories:
    """A categorical scale: value → (label message, colour)."""

    entries: tuple[tuple[str, str, str], ...]  # (value, label msgid, colour)

    def colour(self, value) -> str:
        if missing(value):
            return NO_DATA
        return next((c for v, _label, c in self.entries if v == value), NO_DATA)

    def label(self, value, t) -> str:
        if missing(value):
            return t(NO_DATA_LABEL)
        return next((t(label) for v, label, _c in self.entries if v == value), str(value))

    def legend(self, t, fmt=None) -> list[LegendEntry]:
        entries = [LegendEntry(t(label), colour, value) for value, label, colour in self.entries]
        return [*entries, LegendEntry(t(NO_DATA_LABEL), NO_DATA, None)]


@dataclass(frozen=True)
class Classes:
    """A numeric scale cut at `breaks` into len(breaks) + 1 classes, low to high.

    A value v falls in class i when breaks[i-1] <= v < breaks[i].
    """

    breaks: tuple[float, ...]
    colours: tuple[str, ...] = SEQUENTIAL_5

    def __post_init__(self):
        if len(self.colours) != len(self.breaks) + 1:
            raise ValueError("a classed scale needs one colour more than it has breaks")
        if list(self.breaks) != sorted(self.breaks):
            raise ValueError("class breaks must increase")

    def index(self, value) -> int | None:
        if missing(value) or (isinstance(value, float) and math.isinf(value)):
            return None
        return sum(1 for b in self.breaks if value >= b)

    def colour(self, value) -> str:
        index = self.index(value)
        return NO_DATA if index is None else self.colours[index]

    def label(self, value, t, fmt=str) -> str:
        return t(NO_DATA_LABEL) if missing(value) else fmt(value)

    def legend(self, t, fmt=str) -> list[LegendEntry]:
        bounds = [None, *self.breaks, None]
        entries = []
        for i, colour in enumerate(self.colours):
            low, high = bounds[i], bounds[i + 1]
            if low is None:
                text = f"< {fmt(high)}"
            elif high is None:
                text = f"≥ {fmt(low)}"
            else:
                text = f"{fmt(low)} – {fmt(high)}"
            entries.append(LegendEntry(text, colour, (low, high)))
        return [*entries, LegendEntry(t(NO_DATA_LABEL), NO_DATA, None)]


Scale = Categories | Classes


@dataclass(frozen=True)
class Field:
    """A tooltip field: a column of the layer's frame, its label, and how to format it."""

    column: str
    label: str  # msgid
    kind: str = "text"  # text, int, money, percent, date, category, days


@dataclass(frozen=True)
class Measure:
    """One thing a layer can colour by (most layers have one; budgets let the user pick)."""

    id: str
    title: str  # msgid
    column: str
    scale: Scale | dict[str, Scale]  # money measures: one scale per currency (minor units)
    kind: str = "int"  # how the value and the legend are formatted (see Field.kind)

    def scale_for(self, currency: str = "KGS") -> Scale:
        """The scale to use when amounts are shown in `currency`."""
        return self.scale[currency] if isinstance(self.scale, dict) else self.scale


def money_classes(breaks_in_major_units: dict[str, tuple[float, ...]], colours=SEQUENTIAL_5):
    """Per-currency classed scales from breaks in major units (som, dollars, euros)."""
    return {
        currency: Classes(tuple(round(b * 100) for b in breaks), colours)
        for currency, breaks in breaks_in_major_units.items()
    }


@dataclass(frozen=True)
class Flag:
    """A boolean column drawn as a marker symbol (never by colour alone)."""

    column: str
    label: str  # msgid
    symbol: str = "diamond"


@dataclass(frozen=True)
class Layer:
    """A thematic map layer. Knows its data and its look; nothing about pages."""

    id: str
    title: str  # msgid
    description: str  # msgid: the methodology, how the value is computed
    query: Callable  # (engine, filters, scope) -> DataFrame, one row per municipality
    measures: tuple[Measure, ...]
    tooltip: tuple[Field, ...]
    source: str  # msgid: where the data comes from
    flag: Flag | None = None
    columns: tuple[str, ...] = field(default=())  # columns the query promises besides pcode

    def measure(self, measure_id: str | None = None) -> Measure:
        """The measure called `measure_id`, else the layer's first."""
        return next((m for m in self.measures if m.id == measure_id), self.measures[0])

    def colours(self, frame: pd.DataFrame, measure_id=None, currency="KGS") -> list[str]:
        """One colour per row of `frame`, for the chosen measure and currency."""
        measure = self.measure(measure_id)
        scale = measure.scale_for(currency)
        return [scale.colour(v) for v in frame[measure.column]]

    def required_columns(self) -> Sequence[str]:
        """Every column the layer reads from its frame."""
        needed = ["pcode", *self.columns, *(m.column for m in self.measures)]
        needed += [f.column for f in self.tooltip]
        if self.flag:
            needed.append(self.flag.column)
        return list(dict.fromkeys(needed))
