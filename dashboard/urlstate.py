"""The view's state in the URL query string: every control, parsed and built (an identity).

Each parameter names the control that shows it (component id and property), so pages and
the filter bar read their initial values from the URL and write changes back to it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

from dash import ctx as dash_ctx

from layers import layer_by_id
from queries.models import ProjectStatus, Sector
from queries.scope import CURRENCIES

from .i18n import LANGUAGES

OVERLAYS = ("projects", "badges", "labels", "rayons")
#: the properties that hold a control's value (dropdowns: value, date pickers: date, stores: data)
CONTROL_PROPS = ("value", "date", "data")


#: the bounds every value must keep (a value outside falls back to the parameter's default)
MAX_TEXT = 200  # characters of one text value (a P-code has 13, a search a few words)
MAX_ITEMS = 500  # values of one list (there are 460 municipalities)
INT_RANGE = (-(2**31), 2**31 - 1)
DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2100, 12, 31))
#: a place's code (an OCHA P-code: 'KG' and 11 digits; ASCII letters and digits are kept)
PCODE = re.compile(r"[A-Za-z0-9]{1,20}")


def storable(text: str) -> bool:
    """Whether a database and a file can hold `text`: no NUL, no lone surrogate."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_text(value) -> str | None:
    """`value` if it is text a control could hold (storable, not too long), else None."""
    if not isinstance(value, str) or len(value) > MAX_TEXT or not storable(value):
        return None
    return value


@dataclass(frozen=True)
class Parameter:
    name: str
    component: str | None  # the control's id (None: not a control, e.g. the language)
    kind: str  # str, int, date, list
    default: object = None
    choices: tuple | None = None
    prop: str = "value"
    bounds: tuple | None = None  # (lowest, highest) of an int (default INT_RANGE) or a date
    pattern: re.Pattern | None = None  # what each text value must look like

    def parse(self, raw: list[str]):
        """The value of this parameter in the URL (`raw`: its values there), or the default."""
        if self.kind == "list":
            if not raw:
                return self.default
            return self.coerce([v for item in raw for v in item.split(",") if v])
        return self.coerce(raw[0] if raw else None)

    def coerce(self, value):
        """`value` as this parameter holds it, from a URL's text or a control's JSON value;
        the default when it is not one (wrong type, unknown choice, out of bounds)."""
        if self.kind == "list":
            return self._coerce_list(value)
        if value is None or value == "":
            return self.default
        if self.kind == "int":
            value = self._coerce_int(value)
        elif self.kind == "date":
            value = self._coerce_date(value)
        else:
            value = self._text(value)
        if value is None or (self.choices is not None and value not in self.choices):
            return self.default
        return value

    def _coerce_list(self, value):
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list | tuple) or len(value) > MAX_ITEMS:
            return self.default
        items = {item for item in map(self._text, value) if item}
        if self.choices is not None:
            items = {item for item in items if item in self.choices}
        return tuple(sorted(items))

    def _text(self, value) -> str | None:
        value = clean_text(value)
        if value is not None and self.pattern is not None and not self.pattern.fullmatch(value):
            return None
        return value

    def _coerce_int(self, value) -> int | None:
        if isinstance(value, str) and value.strip().lstrip("+-").isdecimal() and len(value) < 12:
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        low, high = self.bounds or INT_RANGE
        return value if low <= value <= high else None

    def _coerce_date(self, value) -> dt.date | None:
        if isinstance(value, str):
            try:  # a date picker sends 'YYYY-MM-DD' (sometimes with a time after it)
                value = dt.date.fromisoformat(value[:10])
            except ValueError:
                return None
        if not isinstance(value, dt.date):
            return None
        low, high = self.bounds or DATE_RANGE
        return value if low <= value <= high else None

    def text(self, value) -> str | None:
        """The URL text of `value`, or None when it is the default."""
        if self.kind == "list":
            value = tuple(sorted(set(value or ())))
            return None if value == tuple(sorted(self.default or ())) else ",".join(value)
        if value is None or value == "" or value == self.default:
            return None
        return value.isoformat() if isinstance(value, dt.date) else str(value)


#: Every URL parameter, in the order they appear in a link.
PARAMETERS = (
    Parameter("lang", None, "str", "", LANGUAGES),
    Parameter("oblast", "f-oblast", "list", (), pattern=PCODE),
    Parameter("rayon", "f-rayon", "list", (), pattern=PCODE),
    Parameter("phase", "f-phase", "int", None, (1, 2)),
    Parameter("year", "f-year", "int", None, bounds=(1900, 2100)),
    Parameter("sector", "f-sector", "list", (), tuple(s.value for s in Sector)),
    Parameter("status", "f-status", "list", (), tuple(s.value for s in ProjectStatus)),
    Parameter("as_of", "f-as-of", "date", None, prop="date"),
    Parameter("currency", "f-currency", "str", "KGS", CURRENCIES),
    Parameter("theme", "m-theme", "str", None),
    Parameter("measure", "m-measure", "str", None),
    # how a numeric measure is classed (layers.base.SCHEMES; None: the measure's default)
    Parameter(
        "classes", "m-classes", "str", None, ("unique", "natural", "quantiles", "equal", "fixed")
    ),
    Parameter("overlays", "m-overlays", "list", ("labels", "projects", "rayons"), OVERLAYS),
    Parameter("focus", "m-search", "str", None, pattern=PCODE),
    Parameter("selected", "m-selected", "str", None, prop="data", pattern=PCODE),
    # the Compare page
    Parameter("compare", "c-municipalities", "list", (), pattern=PCODE),
    Parameter("rank", "c-rank", "str", None),
    Parameter("per", "c-per", "str", "absolute", ("absolute", "inhabitant")),
    # the Projects page: the grid's quick search (its column filters and sort live in the grid)
    Parameter("q", "p-search", "str", None),
    # the Timeline page: group the Gantt by oblast or by municipality
    Parameter("group", "t-group", "str", "municipality", ("oblast", "municipality")),
    # presentation mode: the flag and the slide shown (1-based), see dashboard.presentation
    Parameter("present", None, "int", None, (1,)),
    Parameter("slide", None, "int", None, bounds=(1, 10_000)),
)
BY_NAME = {p.name: p for p in PARAMETERS}
FILTER_BAR = tuple(p for p in PARAMETERS if (p.component or "").startswith("f-"))


def defaults() -> dict:
    return {p.name: p.default for p in PARAMETERS}


def parse_query(search: str | None) -> dict:
    """The state in a query string such as '?lang=ky&oblast=KG07000000000'."""
    search = search if isinstance(search, str) else ""  # a callback's input may be anything
    raw = parse_qs(search.lstrip("?"), keep_blank_values=True)  # 'overlays=': none
    return {p.name: p.parse(raw[p.name]) if p.name in raw else p.default for p in PARAMETERS}


def build_query(state: dict) -> str:
    """The query string of `state`, leaving out defaults ('' when everything is default)."""
    pairs = []
    for parameter in PARAMETERS:
        text = parameter.text(state.get(parameter.name, parameter.default))
        if text is not None:
            pairs.append((parameter.name, text))
    return f"?{urlencode(pairs, safe=',')}" if pairs else ""


def canonical(state: dict) -> dict:
    """`state` as its URL should name it: the classification scheme left out when it is its
    measure's default (the map's control always shows a scheme; the URL names one only when
    the visitor chose another, so one view has one URL)."""
    classes = state.get("classes")
    if classes is None or state.get("theme") is None:
        return state
    measure = layer_by_id(state["theme"]).measure(state.get("measure"))
    return {**state, "classes": None} if measure.scheme(None) == classes else state


def normalise(parameter: Parameter, value):
    """A control's value as the state holds it (lists as sorted tuples, dates as dates);
    a value the control could not hold falls back to the parameter's default."""
    return parameter.coerce(value)


def state_from_controls(search: str | None, controls: dict) -> dict:
    """The view state: the URL's, overwritten by the controls on the page (id → value)."""
    state = parse_query(search)
    for name, value in controls.items():
        if name in BY_NAME:  # a request may name controls that do not exist
            state[name] = normalise(BY_NAME[name], value)
    return state


def controls_of_callback() -> dict:
    """{parameter name: value} of the pattern-matched controls of the running callback."""
    values = {}
    for group in dash_ctx.inputs_list:
        for item in group if isinstance(group, list) else [group]:
            component_id = item.get("id") if isinstance(item, dict) else None
            if isinstance(component_id, dict) and isinstance(component_id.get("param"), str):
                values[component_id["param"]] = item.get("value")
    return values
