"""The view's state in the URL query string: every control, parsed and built (an identity).

Each parameter names the control that shows it (component id and property), so pages and
the filter bar read their initial values from the URL and write changes back to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

from dash import ctx as dash_ctx

from .i18n import LANGUAGES

CURRENCIES = ("KGS", "USD", "EUR")
OVERLAYS = ("projects", "badges", "labels", "rayons")
#: the properties that hold a control's value (dropdowns: value, date pickers: date, stores: data)
CONTROL_PROPS = ("value", "date", "data")


@dataclass(frozen=True)
class Parameter:
    name: str
    component: str | None  # the control's id (None: not a control, e.g. the language)
    kind: str  # str, int, date, list
    default: object = None
    choices: tuple | None = None
    prop: str = "value"

    def parse(self, raw: list[str]):
        """The value of this parameter in the URL (`raw`: its values there), or the default."""
        try:
            if self.kind == "list":
                values = tuple(v for item in raw for v in item.split(",") if v)
                if self.choices is not None:
                    values = tuple(v for v in values if v in self.choices)
                return tuple(sorted(set(values))) if raw else self.default
            value = raw[0]
            if value == "":
                return self.default
            if self.kind == "int":
                value = int(value)
            elif self.kind == "date":
                value = dt.date.fromisoformat(value)
            if self.choices is not None and value not in self.choices:
                return self.default
            return value
        except (ValueError, IndexError):
            return self.default

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
    Parameter("oblast", "f-oblast", "list", ()),
    Parameter("rayon", "f-rayon", "list", ()),
    Parameter("phase", "f-phase", "int", None, (1, 2)),
    Parameter("year", "f-year", "int", None),
    Parameter("sector", "f-sector", "list", ()),
    Parameter("status", "f-status", "list", ()),
    Parameter("as_of", "f-as-of", "date", None, prop="date"),
    Parameter("currency", "f-currency", "str", "KGS", CURRENCIES),
    Parameter("theme", "m-theme", "str", None),
    Parameter("measure", "m-measure", "str", None),
    Parameter("overlays", "m-overlays", "list", ("labels", "projects", "rayons"), OVERLAYS),
    Parameter("focus", "m-search", "str", None),
    Parameter("selected", "m-selected", "str", None, prop="data"),
    # the Compare page
    Parameter("compare", "c-municipalities", "list", ()),
    Parameter("rank", "c-rank", "str", None),
    Parameter("per", "c-per", "str", "absolute", ("absolute", "inhabitant")),
    # the Projects page: the grid's quick search (its column filters and sort live in the grid)
    Parameter("q", "p-search", "str", None),
    # the Timeline page: group the Gantt by oblast or by municipality
    Parameter("group", "t-group", "str", "municipality", ("oblast", "municipality")),
    # presentation mode: the flag and the slide shown (1-based), see dashboard.presentation
    Parameter("present", None, "int", None, (1,)),
    Parameter("slide", None, "int", None),
)
BY_NAME = {p.name: p for p in PARAMETERS}
FILTER_BAR = tuple(p for p in PARAMETERS if (p.component or "").startswith("f-"))


def defaults() -> dict:
    return {p.name: p.default for p in PARAMETERS}


def parse_query(search: str | None) -> dict:
    """The state in a query string such as '?lang=ky&oblast=KG07000000000'."""
    raw = parse_qs((search or "").lstrip("?"), keep_blank_values=True)  # 'overlays=': none
    return {p.name: p.parse(raw[p.name]) if p.name in raw else p.default for p in PARAMETERS}


def build_query(state: dict) -> str:
    """The query string of `state`, leaving out defaults ('' when everything is default)."""
    pairs = []
    for parameter in PARAMETERS:
        text = parameter.text(state.get(parameter.name, parameter.default))
        if text is not None:
            pairs.append((parameter.name, text))
    return f"?{urlencode(pairs, safe=',')}" if pairs else ""


def normalise(parameter: Parameter, value):
    """A control's value as the state holds it (lists as sorted tuples, dates as dates)."""
    if parameter.kind == "list":
        return tuple(sorted(set(value or ())))
    if value in ("", None):
        return parameter.default
    if parameter.kind == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if parameter.kind == "int":
        return int(value)
    return value


def state_from_controls(search: str | None, controls: dict) -> dict:
    """The view state: the URL's, overwritten by the controls on the page (id → value)."""
    state = parse_query(search)
    for name, value in controls.items():
        state[name] = normalise(BY_NAME[name], value)
    return state


def controls_of_callback() -> dict:
    """{parameter name: value} of the pattern-matched controls of the running callback."""
    values = {}
    for group in dash_ctx.inputs_list:
        for item in group if isinstance(group, list) else [group]:
            if isinstance(item.get("id"), dict) and "param" in item["id"]:
                values[item["id"]["param"]] = item.get("value")
    return values
