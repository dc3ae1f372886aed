"""Issue 12 point 8: bad inputs never give a 5xx. Values are validated where they enter (the
URL state registry and the callbacks' readers); malformed Dash requests get a 400 and unknown
component-suite files a 404.

The fuzz is generated from `app.callback_map` like the authorization matrix (every callback,
including ones added later): each input and state value of a plausible request is replaced
by nasty JSON — strings, huge integers, nan/inf, nested lists and dicts, None, deep nesting,
invalid dates and unknown codes — POSTed as an anonymous visitor and as a signed-in manager.
"""

from __future__ import annotations

import json
import traceback

import flask
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import inputs, security
from dashboard.inputs import parsed_id
from dashboard.urlstate import (
    BY_NAME,
    PARAMETERS,
    build_query,
    defaults,
    parse_query,
    state_from_controls,
)
from tests.test_authz_matrix import ARAL, client_for, page_paths, rendered_index, requests_for

DISPATCH = "/_dash-update-component"
VISITORS = ("anonymous", "manager")

SETTINGS = settings(
    max_examples=6,  # per callback and visitor: ~25 callbacks x 2 visitors, well under 60 s
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays stable
    database=None,  # no .hypothesis directory in the checkout
    suppress_health_check=list(HealthCheck),
)

# --- nasty JSON ------------------------------------------------------------------------------

SPECIAL_STRINGS = (
    "abc",
    "",
    " ",
    "2015-99-99",
    "2015-02-30",
    "0000-00-00",
    "2015-01-01T99:99",
    "XXX",
    "KG99999999999",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "\x00",
    "NaN",
    "-Infinity",
    "1e309",
    "-1",
    "ALL",
    "lang=xx&year=abc",
    "?year=abc&as_of=2015-99-99&phase=99999999999999999999999",
    "/profile/KG99999999999",
)
HUGE_NUMBERS = (10**22, -(10**22), 2**63, -(2**63) - 1, 2**53 + 1, 10**400)
KEYS = st.sampled_from(
    ["points", "customdata", "location", "pcode", "id", "value", "filterType", "type", "colId"]
)


def nested(depth: int, as_dict: bool):
    value: object = "x"
    for _ in range(depth):
        value = {"a": value} if as_dict else [value]
    return value


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(HUGE_NUMBERS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(SPECIAL_STRINGS),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(KEYS, st.text(max_size=6)), children, max_size=4),
    ),
    max_leaves=10,
)
deep_values = st.builds(nested, st.integers(min_value=50, max_value=400), st.booleans())
unknown_codes = st.lists(st.sampled_from(SPECIAL_STRINGS), min_size=1, max_size=3)
NASTY = st.one_of(scalars, unknown_codes, json_values, deep_values)
#: what the free keys of a pattern-matching id may be given (Dash ids hold scalars)
ID_VALUES = st.one_of(
    st.sampled_from(SPECIAL_STRINGS), st.integers(), st.booleans(), st.sampled_from(HUGE_NUMBERS)
)
KEEP = object()


# --- requests built from the callback map ----------------------------------------------------


def slots(body: dict) -> list[dict]:
    """Every input and state item of a request (items of ALL-wildcards one by one)."""
    found = []
    for group in (*body["inputs"], *body["state"]):
        found.extend(group if isinstance(group, list) else [group])
    return found


def wildcard_keys(entry: dict, body: dict) -> list[list[str]]:
    """For each slot of `body`, the keys of its id that the callback leaves free."""
    found = []
    specs, groups = entry["inputs"] + entry["state"], body["inputs"] + body["state"]
    for spec, group in zip(specs, groups, strict=True):
        pattern = json.loads(spec["id"]) if spec["id"].startswith("{") else {}
        free = sorted(k for k, v in pattern.items() if isinstance(v, list))
        found.extend([free] * (len(group) if isinstance(group, list) else 1))
    return found


def with_values(body: dict, values, renames=(), free=()) -> dict:
    """A copy of `body` with each slot's value replaced (unless KEEP), and the free keys of
    pattern-matching ids given the values of `renames` (as the browser could send them)."""
    copy = json.loads(json.dumps(body))
    for item, value in zip(slots(copy), values, strict=True):
        if value is not KEEP:
            item["value"] = value
    for item, name, keys in zip(slots(copy), renames, free, strict=False):
        if name is not KEEP and keys:
            item["id"] = {**item["id"], keys[0]: name}
            if item["property"] == "id":
                item["value"] = item["id"]
    return copy


def post(client, body) -> flask.Response:
    return client.post(DISPATCH, data=json.dumps(body), content_type="application/json")


def assert_no_server_error(response, where: str, errors: list) -> None:
    text = response.get_data(as_text=True)
    detail = "".join(errors[-1:])[-3000:]
    assert response.status_code < 500, f"{where}: HTTP {response.status_code}\n{detail}"
    assert "Traceback" not in text, f"{where}: a traceback in the body"


@pytest.fixture(scope="module")
def errors(module_app):
    """Tracebacks of the exceptions the server handled (the message of a failing test)."""
    found: list[str] = []

    def record(sender, exception, **extra):
        found.append("".join(traceback.format_exception(exception)))

    flask.got_request_exception.connect(record, module_app.server)
    yield found
    flask.got_request_exception.disconnect(record, module_app.server)


@pytest.fixture(scope="module")
def bodies(module_app):
    """{visitor: (client, [(callback key, plausible request bodies)])}."""
    found = {}
    for visitor in VISITORS:
        client = client_for(module_app, visitor)
        index = rendered_index(module_app, client, page_paths(ARAL), "")
        requests = []
        for key, entry in module_app.callback_map.items():
            if "callback" in entry:
                requests.append((key, requests_for(key, entry, index, None, "/")))
        found[visitor] = (client, requests)
    return found


# --- the fuzz: every registered callback, anonymous and signed in -----------------------------


def fuzz_callback(app, client, visitor: str, key: str, plausible: list, errors) -> set[int]:
    """POST a callback's plausible requests filled with nasty values; the statuses seen."""
    size = len(slots(plausible[0]))
    entry = app.callback_map[key]
    free = wildcard_keys(entry, plausible[0])
    protected = security.callback_roles(entry) is not None
    answered: set[int] = set()

    @SETTINGS
    @given(
        body=st.sampled_from(plausible),
        values=st.lists(st.one_of(st.just(KEEP), NASTY), min_size=size, max_size=size),
        renames=st.lists(st.one_of(st.just(KEEP), ID_VALUES), min_size=size, max_size=size),
    )
    def fuzz(body, values, renames):
        response = post(client, with_values(body, values, renames, free))
        assert_no_server_error(response, f"{visitor} {key[:80]}", errors)
        if protected and visitor == "anonymous":  # the role check is never bypassed
            assert response.status_code in (400, 401), key
        answered.add(response.status_code)

    fuzz()
    return answered


@pytest.mark.parametrize("visitor", VISITORS)
def test_h5_fuzz_every_callback_never_answers_5xx(module_app, bodies, errors, visitor):
    client, requests = bodies[visitor]
    server_side = [key for key, entry in module_app.callback_map.items() if "callback" in entry]
    assert sorted(key for key, _ in requests) == sorted(server_side)
    assert all(plausible for _, plausible in requests), "a callback had no request to fuzz"
    answered = set()
    for key, plausible in requests:
        answered |= fuzz_callback(module_app, client, visitor, key, plausible, errors)
    if visitor == "manager":  # positive control: fuzzed requests reached the callbacks
        assert 200 in answered, answered


@SETTINGS
@given(
    part=st.sampled_from(["output", "outputs", "inputs", "state", "changedPropIds", "*"]),
    value=NASTY,
)
def test_h5_fuzz_malformed_envelope_is_a_client_error(module_app, bodies, errors, part, value):
    """The request itself (not only the values) malformed: wrong types, missing parts."""
    client, requests = bodies["manager"]
    body = next(plausible[0] for key, plausible in requests if "map-panel" in key)
    body = value if part == "*" else {**body, part: value}
    response = post(client, body)
    assert_no_server_error(response, f"envelope {part}={str(value)[:80]}", errors)


# --- the URL state registry: whatever arrives, a valid state that survives a round trip -------


@SETTINGS
@given(
    search=st.one_of(st.text(max_size=80), st.sampled_from(SPECIAL_STRINGS), NASTY),
    controls=st.dictionaries(st.sampled_from([p.name for p in PARAMETERS]), NASTY, max_size=6),
)
def test_h5_urlstate_coerces_anything_to_a_valid_state(search, controls):
    state = state_from_controls(search, controls)
    assert set(state) == {p.name for p in PARAMETERS}
    for parameter in PARAMETERS:
        value = state[parameter.name]
        assert parameter.coerce(value) == value, (parameter.name, value)
    assert parse_query(build_query(state)) == state


# --- the reproductions of issue 12 point 8 ------------------------------------------------------


def requests_with(requests, name: str):
    """The plausible bodies of every callback that reads URL parameter `name`'s control."""
    wanted = {"param": name, "prop": BY_NAME[name].prop}
    return [
        (key, body)
        for key, plausible in requests
        for body in plausible[:1]
        if any(item["id"] == wanted for item in slots(body))
    ]


def with_control(body: dict, name: str, value) -> dict:
    """`body` with the control of URL parameter `name` set to `value`."""
    wanted = {"param": name, "prop": BY_NAME[name].prop}
    return with_values(body, [value if i["id"] == wanted else KEEP for i in slots(body)])


def assert_falls_back(bodies, errors, name: str, value) -> None:
    """Every callback reading the control answers as it does for the default value."""
    client, requests = bodies["manager"]
    found = requests_with(requests, name)
    assert len(found) >= 5, [key for key, _ in found]  # the filter bar's readers
    for key, body in found:
        bad = post(client, with_control(body, name, value))
        assert_no_server_error(bad, f"{key[:80]} {name}={value!r}", errors)
        good = post(client, with_control(body, name, BY_NAME[name].default))
        assert bad.status_code == good.status_code, key
        if "map-panel" in key:  # a plain answer of components: the same as the default's
            assert bad.get_json() == good.get_json()
    assert BY_NAME[name].coerce(value) == BY_NAME[name].default
    assert state_from_controls("", {name: value})[name] == BY_NAME[name].default


def test_h5_year_abc_falls_back(bodies, errors):
    assert_falls_back(bodies, errors, "year", "abc")


def test_h5_year_empty_object_falls_back(bodies, errors):
    assert_falls_back(bodies, errors, "year", {})


def test_h5_as_of_invalid_date_falls_back(bodies, errors):
    assert_falls_back(bodies, errors, "as_of", "2015-99-99")


def test_h5_oblast_list_of_object_falls_back(bodies, errors):
    assert_falls_back(bodies, errors, "oblast", [{}])


def test_h5_currency_unknown_falls_back(bodies, errors):
    assert_falls_back(bodies, errors, "currency", "XXX")


def test_h5_phase_huge_falls_back(bodies, errors):
    assert_falls_back(bodies, errors, "phase", 10**22)


def test_h5_bad_values_in_the_url_fall_back(bodies, errors):
    """The same values in the address bar: the router draws the page with the defaults."""
    client, requests = bodies["anonymous"]
    router = next(plausible[0] for key, plausible in requests if "page.children" in key)
    query = "?year=abc&as_of=2015-99-99&oblast=%5B%7B%7D%5D&currency=XXX&phase=" + "9" * 23
    assert parse_query(query) == defaults()
    bad = post(client, with_values(router, [KEEP, query, KEEP]))
    assert_no_server_error(bad, "router", errors)
    assert bad.status_code == 200
    good = post(client, with_values(router, [KEEP, "", KEEP]))
    # the same page, but for the URL it was drawn for (kept to tell the app's own writes)
    assert json.loads(bad.get_data(as_text=True).replace(query, "")) == good.get_json()


@pytest.mark.parametrize("depth", [10_000, 500])
def test_h5_deeply_nested_json_is_a_bad_request(bodies, errors, depth):
    """The year control's value nested `depth` lists deep (10,000: deeper than Python's JSON
    parser goes; 500: parsed, but deeper than any request of the app)."""
    client, requests = bodies["anonymous"]
    body = with_control(requests_with(requests, "year")[0][1], "year", "DEEP")
    raw = json.dumps(body).replace('"DEEP"', "[" * depth + "]" * depth)
    response = client.post(DISPATCH, data=raw, content_type="application/json")
    assert_no_server_error(response, f"nested {depth}", errors)
    assert response.status_code == 400


def test_h5_component_suite_outside_the_registered_files_is_not_found(module_app, errors):
    client = module_app.server.test_client()
    for path in ("dash/dash.py", "dash/../setup.py", "no_such_package/x.js", "dash/%2e%2e/x.js"):
        response = client.get(f"/_dash-component-suites/{path}")
        assert_no_server_error(response, path, errors)
        assert response.status_code == 404, path
    served = sorted(module_app.registered_paths["dash"])[0]  # positive control
    assert client.get(f"/_dash-component-suites/dash/{served}").status_code == 200


def test_h5_envelope_refusals_are_400(module_app, bodies):
    """Each part of a request checked where it enters (a request that fits is answered)."""
    client, requests = bodies["manager"]
    body = next(plausible[0] for key, plausible in requests if "map-panel" in key)
    assert post(client, body).status_code == 200
    broken = [
        {**body, "output": ["map-panel.children"]},
        {**body, "inputs": body["inputs"][:-1]},
        {**body, "inputs": {"a": 1}},
        {**body, "state": [*body["state"], None]},
        {**body, "outputs": []},
        {**body, "changedPropIds": [{}]},
        with_values(body, [{"x": [float("nan")]}, *[KEEP] * (len(slots(body)) - 1)]),
        with_values(body, ["KG\x00", *[KEEP] * (len(slots(body)) - 1)]),
    ]
    swapped = json.loads(json.dumps(body))
    swapped["inputs"][0]["id"] = "map-legend"
    broken.append(swapped)
    for bad in broken:
        assert post(client, bad).status_code == 400, json.dumps(bad)[:300]


def test_h5_authorisation_holds_for_nasty_requests(module_app, bodies, errors):
    """Callbacks only managers may call stay refused to an anonymous visitor, however the
    request is filled: 401 (or 400 when it is malformed), never an answer."""
    client, requests = bodies["anonymous"]
    protected = [
        (key, plausible)
        for key, plausible in requests
        if security.callback_roles(module_app.callback_map[key]) is not None
    ]
    assert len(protected) >= 5
    for key, plausible in protected:
        for value in ("abc", {}, [{}], 10**22, nested(50, True)):
            filled = with_values(plausible[0], [value] * len(slots(plausible[0])))
            response = post(client, filled)
            assert_no_server_error(response, key, errors)
            assert response.status_code in (400, 401), (key, value)
        assert post(client, plausible[0]).status_code == 401, key


def test_h5_every_declared_shape_names_a_callback_input(module_app):
    """A shape in inputs.SHAPES is checked only if a callback reads that (id, property)."""
    read = set()
    for entry in module_app.callback_map.values():
        for spec in entry.get("inputs", []) + entry.get("state", []):
            component_id = parsed_id(spec["id"])
            names = component_id.values() if isinstance(component_id, dict) else [component_id]
            read |= {(name, spec["property"]) for name in names if isinstance(name, str)}
    assert inputs.SHAPES, "no page declared a shape"
    assert set(inputs.SHAPES) <= read, sorted(set(inputs.SHAPES) - read)


def test_h5_a_page_control_outside_its_declared_shape_is_400(bodies, errors):
    """The Data page's review filter (a closed list): 'all' is answered, 'abc' is refused."""
    client, requests = bodies["manager"]
    body = next(p[0] for key, p in requests if "data-review-table" in key)
    where = [i for i, item in enumerate(slots(body)) if item["id"] == "data-review-status"]
    for value, status in (("all", 200), ("abc", 400), ({}, 400), (10**22, 400)):
        values = [value if i in where else KEEP for i in range(len(slots(body)))]
        response = post(client, with_values(body, values))
        assert_no_server_error(response, f"data-review-status={value!r}", errors)
        assert response.status_code == status, value


def renderer_outputs(key: str, outputs):
    """`outputs` named as the renderer names them: an allow_duplicate output's property
    carries the '@hash' of the callback's key (e.g. 'children@b32c…')."""
    items = key[2:-2].split("...") if key.startswith("..") else [key]
    named = {item.rpartition(".")[0]: item.rpartition(".")[2] for item in items}

    def rename(output):
        if isinstance(output, list):
            return [rename(o) for o in output]
        cid = output["id"]
        text = cid if isinstance(cid, str) else json.dumps(cid, separators=(",", ":"))
        full = named.get(text, output["property"])
        same = full.partition("@")[0] == output["property"]
        return {**output, "property": full if same else output["property"]}

    return rename(outputs)


def test_h5_outputs_named_as_the_renderer_names_them_are_answered(module_app, bodies):
    """Positive control of the envelope check: allow_duplicate outputs ('prop@hash')."""
    client, requests = bodies["manager"]
    duplicates = [(key, p[0]) for key, p in requests if "@" in key]
    assert len(duplicates) >= 3, [key for key, _ in duplicates]
    for key, body in duplicates:
        sent = {**body, "outputs": renderer_outputs(key, body["outputs"])}
        assert "@" in json.dumps(sent["outputs"]), key
        assert post(client, sent).status_code in (200, 204), key
