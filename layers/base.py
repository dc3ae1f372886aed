"""The `Layer` abstraction: a query, how its values become colours, its legend and tooltip.

Colour is a pure function of the data. Scales are colour-blind safe: categorical scales use
the Okabe–Ito palette, ordered ones a sequential ramp (viridis, YlOrBr) whose neighbouring
colours differ by ΔE00 ≥ 10; numeric measures are classed from the data by a scheme the user
may pick (layers.classify: one class per value for small counts, natural breaks, quantiles,
equal intervals) or at fixed breaks chosen for their meaning.
Every scale has an explicit "no data" entry, and a layer may add a flag (shown as a marker
symbol, not by colour alone).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd
from plotly.colors import sample_colorscale

from layers import classify
from layers.colour import delta_e
from queries.common import missing


def N_(message: str) -> str:
    """Mark a message for translation (it is translated where it is shown)."""
    return message


NO_DATA = "#bdbdbd"
NO_DATA_LABEL = N_("No data")

#: Okabe & Ito (2008), distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
#: ColorBrewer RdYlBu, 5 classes, bad to good (colour-blind safe, unlike red–green).
DIVERGING_5 = ("#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6")
#: viridis (perceptually uniform, colour-blind safe), light to dark: more is darker
VIRIDIS = (
    "#fde725", "#b5de2b", "#6ece58", "#35b779", "#1f9e89",
    "#26828e", "#31688e", "#3e4989", "#482878", "#440154",
)  # fmt: skip
#: points a ramp is measured at
FINE = 200
#: ColorBrewer YlOrBr, 9 classes: for counts of what is missing (more is worse)
YLORBR = (
    "#ffffe5", "#fff7bc", "#fee391", "#fec44f", "#fe9929",
    "#ec7014", "#cc4c02", "#993404", "#662506",
)  # fmt: skip


def _sampled(ramp: Sequence[str], points: Sequence[float]) -> list[str]:
    """The colours at `points` (0 to 1) along `ramp`, as '#rrggbb'."""
    scale = [[i / (len(ramp) - 1), colour] for i, colour in enumerate(ramp)]
    colours = []
    for rgb in sample_colorscale(scale, list(points)):
        red, green, blue = (round(float(v)) for v in rgb[rgb.index("(") + 1 : -1].split(","))
        colours.append(f"#{red:02x}{green:02x}{blue:02x}")
    return colours


@functools.cache
def sequential(n: int, ramp: tuple[str, ...] = VIRIDIS) -> tuple[str, ...]:
    """`n` colours along `ramp` (light to dark), evenly spaced for the eye: at equal steps
    of the ramp's length measured in ΔE00, so neighbours differ as much as they can."""
    if n == 1:
        return tuple(_sampled(ramp, [0.5]))
    fine = _sampled(ramp, [i / (FINE - 1) for i in range(FINE)])
    length = [0.0]
    for a, b in itertools.pairwise(fine):
        length.append(length[-1] + delta_e(a, b))
    steps = [length[-1] * i / (n - 1) for i in range(n)]
    return tuple(fine[min(bisect.bisect_left(length, step), FINE - 1)] for step in steps)


#: five classes of viridis, for fixed breaks (the same ramp as classes cut from the data)
SEQUENTIAL_5 = sequential(5, VIRIDIS)


#: how a numeric measure may be classed (id → msgid), in the order the map offers them
SCHEMES = {
    "unique": N_("One class per value"),
    "natural": N_("Natural breaks (Jenks)"),
    "quantiles": N_("Quantiles"),
    "equal": N_("Equal intervals"),
    "fixed": N_("Fixed breaks"),
}


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

    A value v falls in class i when breaks[i-1] <= v < breaks[i]. Labels never overlap:
    whole numbers (`integer`) as '2–3', '4', others as half-open intervals '0.5 to < 1'.
    `low` and `high` are the data's least and greatest value when the breaks came from the
    data (they close the first and last class), else None ('< 1', '≥ 4').
    """

    breaks: tuple[float, ...]
    colours: tuple[str, ...] = SEQUENTIAL_5
    integer: bool = False
    low: float | None = None
    high: float | None = None

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
        bounds = [self.low, *self.breaks, None]
        entries = [
            LegendEntry(
                self._text(bounds[i], bounds[i + 1], t, fmt), colour, (bounds[i], bounds[i + 1])
            )
            for i, colour in enumerate(self.colours)
        ]
        return [*entries, LegendEntry(t(NO_DATA_LABEL), NO_DATA, None)]

    def _text(self, low, high, t, fmt) -> str:
        """The label of the class from `low` up to, not including, `high` (None: open)."""
        if low is None and high is None:
            return t("Any value")
        if self.integer:
            last = self.high if high is None else high - 1
            if low is None:
                return f"≤ {fmt(last)}"
            if last is None:
                return f"≥ {fmt(low)}"
            return fmt(low) if last == low else f"{fmt(low)}–{fmt(last)}"
        if low is None:
            return f"< {fmt(high)}"
        if high is None:
            if self.high is not None and self.high == low:
                return fmt(low)
            return f"≥ {fmt(low)}"
        return t("{low} to < {high}", low=fmt(low), high=fmt(high))


Scale = Categories | Classes


@dataclass(frozen=True)
class Field:
    """A tooltip field: a column of the layer's frame, its label, and how to format it."""

    column: str
    label: str  # msgid
    #: text, texts (multilingual: queries.multilingual), int, money, percent, date, category,
    #: days
    kind: str = "text"


@dataclass(frozen=True)
class Measure:
    """One thing a layer can colour by (most layers have one; budgets let the user pick)."""

    id: str
    title: str  # msgid
    column: str
    scale: Scale | dict[str, Scale]  # money measures: one scale per currency (minor units)
    kind: str = "int"  # how the value and the legend are formatted (see Field.kind)
    #: numeric measures: the schemes offered (keys of SCHEMES), the default first; "fixed"
    #: is `scale`'s breaks. Empty: every scheme, natural breaks first.
    schemes: tuple[str, ...] = ()
    ramp: tuple[str, ...] = VIRIDIS  # the colours of classes made from the data

    def scale_for(self, currency: str = "KGS") -> Scale:
        """The fixed scale to use when amounts are shown in `currency`."""
        return self.scale[currency] if isinstance(self.scale, dict) else self.scale

    def offered(self) -> tuple[str, ...]:
        """The classification schemes this measure offers, its default first (none for
        categories)."""
        if isinstance(self.scale_for(), Categories):
            return ()
        if self.schemes:
            return self.schemes
        counts = ("unique",) if self.kind in ("int", "days") else ()
        return (*counts, "natural", "quantiles", "equal", "fixed")

    def scheme(self, scheme: str | None = None) -> str | None:
        """`scheme` when this measure offers it, else its default (None for categories)."""
        offered = self.offered()
        return scheme if scheme in offered else (offered[0] if offered else None)

    def classes(self, values, currency: str = "KGS", scheme: str | None = None) -> Scale:
        """The scale of `values` (one per municipality shown) under `scheme`: categories and
        fixed breaks as they are, otherwise classes cut where the data says."""
        scheme = self.scheme(scheme)
        if scheme is None or scheme == "fixed":
            return self.scale_for(currency)
        data = classify.finite(values)
        bounds = classify.breaks(data, scheme, self.kind)
        return Classes(
            bounds,
            sequential(len(bounds) + 1, self.ramp),
            integer=self.kind in ("int", "days") and classify.integral(data),
            low=data.min().item() if len(data) else None,
            high=data.max().item() if len(data) else None,
        )


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

    def scale(self, frame: pd.DataFrame, measure_id=None, currency="KGS", scheme=None) -> Scale:
        """The scale of the chosen measure over `frame` (its classes cut from its values)."""
        measure = self.measure(measure_id)
        return measure.classes(frame[measure.column].tolist(), currency, scheme)

    def colours(
        self, frame: pd.DataFrame, measure_id=None, currency="KGS", scheme=None, scale=None
    ) -> list[str]:
        """One colour per row of `frame`, for the chosen measure, currency and scheme (on
        `scale` when given, else on the classes of `frame`'s own values)."""
        measure = self.measure(measure_id)
        scale = scale or self.scale(frame, measure_id, currency, scheme)
        return [scale.colour(v) for v in frame[measure.column]]

    def required_columns(self) -> Sequence[str]:
        """Every column the layer reads from its frame."""
        needed = ["pcode", *self.columns, *(m.column for m in self.measures)]
        needed += [f.column for f in self.tooltip]
        if self.flag:
            needed.append(self.flag.column)
        return list(dict.fromkeys(needed))
