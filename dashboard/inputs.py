"""Callback requests checked where they enter, before Dash or a callback reads them.

A request to `/_dash-update-component` must be what the Dash renderer sends for a registered
server callback: JSON no deeper than `MAX_DEPTH`, its inputs, state and outputs matching the
callback's (count, ids, properties), and every value of the shape its property or component
holds (`SHAPES`: counts are counts, paths are text, stores hold what the page put there). Any
other request is refused with 400 — no browser running the app sends it. Values of the URL
state's controls are not refused here: `urlstate` coerces them (unknown → the default).

`register(app)` also answers an unknown component-suite file with 404 rather than 500.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import flask
from dash.exceptions import DependencyException

from .urlstate import storable

#: deepest nesting of a request (a component tree sent as an input is a few dozen levels)
MAX_DEPTH = 100
WILDCARDS = ("ALL", "MATCH", "ALLSMALLER")


# --- shapes --------------------------------------------------------------------------------


def count(value) -> bool:
    """A click or tick count (None before the first)."""
    return value is None or (type(value) is int and value >= 0)


def text(value) -> bool:
    return value is None or isinstance(value, str)


def mapping(value) -> bool:
    return value is None or isinstance(value, dict)


def sequence(value) -> bool:
    return value is None or isinstance(value, list)


def row_id(value) -> bool:
    """A database row's id as a dropdown holds it (None: none chosen)."""
    return value is None or (type(value) is int and 0 < value < 2**63)


def size(value) -> bool:
    """A box's (width, height) in px as a page measured it (None before it was)."""
    return value is None or (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(type(v) in (int, float) and math.isfinite(v) and 0 < v < 100_000 for v in value)
    )


def one_of(*choices) -> Callable[[object], bool]:
    """One of `choices` (list None among them when the control can be cleared)."""
    return lambda value: isinstance(value, str | int | type(None)) and value in choices


def record(**fields: Callable[[object], bool]) -> Callable[[object], bool]:
    """None, or a dict whose `fields` have their shapes (a store the server filled)."""
    return lambda value: (
        value is None
        or (isinstance(value, dict) and all(shape(value.get(k)) for k, shape in fields.items()))
    )


def texts(value) -> bool:
    """A dict of texts by name (e.g. the fields of a form)."""
    return isinstance(value, dict) and all(text(v) for v in value.values())


#: the shape of a value by property, whatever the component (Dash's own prop types)
PROPERTY_SHAPES: dict[str, Callable[[object], bool]] = {
    "n_clicks": count,
    "n_intervals": count,
    "n_submit": count,
    "pathname": text,
    "search": text,
    "href": text,
    "hash": text,
    "contents": text,
    "filename": text,
    "clickData": mapping,
    "hoverData": mapping,
    "selectedData": mapping,
    "relayoutData": mapping,
    "filterModel": mapping,
    "columnState": sequence,
}
#: the shape of a value by (component id, property): pages add their stores and controls,
#: e.g. SHAPES[("map-lang", "data")] = text. A pattern-matching id is named by its kind
#: (the value of its first non-wildcard key), e.g. ("data-fix-key", "value").
SHAPES: dict[tuple[str, str], Callable[[object], bool]] = {}


def shape_of(component_id, prop: str) -> Callable[[object], bool] | None:
    """The declared shape of a value (None: any JSON; the callback checks it)."""
    if isinstance(component_id, dict):
        names = [v for v in component_id.values() if isinstance(v, str)]
    else:
        names = [component_id]
    for name in names:
        if (name, prop) in SHAPES:
            return SHAPES[(name, prop)]
    return PROPERTY_SHAPES.get(prop)


# --- the request ---------------------------------------------------------------------------


class Malformed(ValueError):
    """A callback request no Dash renderer sends (its message says what is wrong)."""


def sound(value) -> bool:
    """Whether a JSON value is one a browser sends: no NaN or infinity, no NUL or lone
    surrogate in a string, no deeper than MAX_DEPTH (walked without recursion)."""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(node, dict):
            stack.extend((item, depth + 1) for pair in node.items() for item in pair)
        elif isinstance(node, list):
            stack.extend((item, depth + 1) for item in node)
        elif (isinstance(node, float) and not math.isfinite(node)) or (
            isinstance(node, str) and not storable(node)
        ):
            return False
    return True


def parsed_id(spec_id):
    """A registered id: a string, or a pattern-matching dict (its JSON text parsed)."""
    if isinstance(spec_id, str) and spec_id.startswith("{"):
        return json.loads(spec_id)
    return spec_id


def wildcard(spec_id) -> str | None:
    if isinstance(spec_id, dict):
        for value in spec_id.values():
            if isinstance(value, list) and value and value[0] in WILDCARDS:
                return value[0]
    return None


def _id_matches(spec_id, component_id) -> bool:
    if not isinstance(spec_id, dict):
        return component_id == spec_id
    return (
        isinstance(component_id, dict)
        and set(component_id) == set(spec_id)
        and all(
            type(component_id[key]) in (str, int, float, bool)
            if isinstance(value, list)
            else component_id[key] == value
            for key, value in spec_id.items()
        )
    )


def _check_item(spec_id, prop: str, item, *, with_value: bool) -> None:
    sent = item.get("property") if isinstance(item, dict) else None
    if not with_value and isinstance(sent, str):  # an output of allow_duplicate: 'prop@hash'
        sent = sent.partition("@")[0]
    if not isinstance(item, dict) or not _id_matches(spec_id, item.get("id")) or sent != prop:
        raise Malformed(f"not an item of {spec_id}.{prop}")
    if not with_value:
        return
    value = item.get("value")
    shape = shape_of(item["id"], prop)
    if prop == "id" and value != item["id"]:  # the renderer sends a component's own id
        raise Malformed(f"{spec_id}.id is not the component's id")
    if not sound(value) or (shape is not None and not shape(value)):
        raise Malformed(f"value of {spec_id}.{prop} has the wrong shape")


def _check_group(spec_id, prop: str, group, *, with_value: bool = True) -> None:
    """One input, state or output: a list of items for ALL / ALLSMALLER, else one item."""
    spec_id = parsed_id(spec_id)
    if wildcard(spec_id) in ("ALL", "ALLSMALLER"):
        if not isinstance(group, list):
            raise Malformed(f"{spec_id}.{prop} must be a list")
        for item in group:
            _check_item(spec_id, prop, item, with_value=with_value)
    else:
        _check_item(spec_id, prop, group, with_value=with_value)


def _check_outputs(entry: dict, outputs) -> None:
    specs = entry["output"]
    if isinstance(specs, list):
        if not isinstance(outputs, list) or len(outputs) != len(specs):
            raise Malformed("outputs do not match the callback")
        pairs = zip(specs, outputs, strict=True)
    else:
        pairs = [(specs, outputs)]
    for spec, group in pairs:
        _check_group(spec.component_id_str(), spec.component_property, group, with_value=False)


def check(entry: dict, body: dict) -> None:
    """Raise Malformed unless `body` is a request the renderer sends to callback `entry`."""
    for part in ("inputs", "state"):
        # the renderer leaves out "state" when the callback has none
        groups, specs = body.get(part, [] if part == "state" else None), entry[part]
        if not isinstance(groups, list) or len(groups) != len(specs):
            raise Malformed(f"{part} do not match the callback")
        for spec, group in zip(specs, groups, strict=True):
            _check_group(spec["id"], spec["property"], group)
    _check_outputs(entry, body.get("outputs"))
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(p, str) for p in changed):
        raise Malformed("changedPropIds must be a list of texts")


def callback_of(app, request: flask.Request) -> tuple[dict, dict]:
    """The registered server callback a request calls, and its body (parsed once: Dash reads
    the same cached body); aborts with 400 when it is not JSON or names no such callback."""
    try:
        body = request.get_json()
    except RecursionError:  # nested deeper than the JSON parser goes
        flask.abort(400)
    output = body.get("output") if isinstance(body, dict) else None
    entry = app.callback_map.get(output) if isinstance(output, str) else None
    if entry is None or "callback" not in entry:  # unknown, or run in the browser
        flask.abort(400)
    return entry, body


def refuse_malformed(entry: dict, body: dict) -> None:
    """Abort with 400 unless `body` is a request the renderer sends to callback `entry`."""
    try:
        check(entry, body)
    except Malformed as error:
        flask.abort(400, description=str(error))


def register(app) -> None:
    """A request for a component-suite file Dash does not serve is not found (not a 500)."""

    @app.server.errorhandler(DependencyException)
    def _not_a_dependency(_error):
        return flask.Response("Not Found", status=404, mimetype="text/plain")
