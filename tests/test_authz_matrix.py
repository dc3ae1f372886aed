"""The authorization matrix: every registered callback × every kind of visitor × requests that
name other oblasts, POSTed over HTTP as the browser would.

Generated from `app.callback_map` (callbacks added later are covered without touching this
file): each callback gets a request with the values its controls have when the pages are
rendered for that visitor, and hostile ones that name places outside the visitor's scope
(the oblast filter set to Batken for the Talas official, a Batken municipality selected,
compared, focused, clicked, or opened as a profile). An official never receives names, P-codes,
project codes or NGOs of another oblast; a user with no scope receives none at all; callbacks
whose outputs need a role are refused to the others. The database carries a canary: a
uniquely named municipality in a fourth oblast (Naryn) with a project, monitoring, budget and
documents, cloned from a Talas one.
"""

from __future__ import annotations

import base64
import binascii
import io
import itertools
import json
import re
import shutil
import zipfile
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from dash import Input, Output, html
from PIL import Image
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from dashboard import auth, create_app, security
from dashboard.exports import images, jobs
from dashboard.pages import PAGES, in_nav
from dashboard.settings import Settings
from dashboard.urlstate import build_query, defaults
from queries import users
from queries.demo import DEMO_ACCOUNTS, DEMO_MUNICIPALITIES
from queries.engine import make_engine, sqlite_url
from queries.models import (
    AuditEntry,
    Beneficiaries,
    BudgetLine,
    Document,
    Indicator,
    IndicatorValue,
    MonitoringVisit,
    MunicipalBudget,
    Municipality,
    Oblast,
    Organisation,
    Population,
    PriorityIssue,
    ProcurementMilestone,
    Rayon,
    Role,
    SocialProject,
    TrainingEvent,
    UnitKind,
    UserOblast,
)
from tests.conftest import SHARED

pytestmark = pytest.mark.slow  # minutes of requests: an xdist worker starts it first

TALAS, BATKEN, JALAL_ABAD, NARYN = (
    "KG07000000000",
    "KG05000000000",
    "KG03000000000",
    "KG04000000000",
)
ARAL = "KG07232804000"  # the Talas municipality the canary is cloned from
CANARY_PCODE = "KG04210899999"  # not a real P-code: Naryn oblast, At-Bashy rayon's range
CANARY_RAYON = "KG04210000000"
CANARY_NAMES = {"en": "Canarykol", "ru": "Канарыколь", "ky": "Канарыкөл"}
CANARY_PREFIX = "CANARY-"
NOBODY = "nobody-official"  # an official whose oblasts were all taken away: no scope
PASSWORD = "a-long-test-password"

VISITORS = ("anonymous", "viewer", "talas", "batken", "manager", "admin", "nobody")
USERNAMES = {
    "viewer": "demo-viewer",
    "talas": "demo-talas",
    "batken": "demo-batken",
    "manager": "demo-manager",
    "admin": "demo-admin",
    "nobody": NOBODY,
}
DEMO_PASSWORDS = {account.username: account.password for account in DEMO_ACCOUNTS}
ROLES = {
    "anonymous": Role.VIEWER,  # on the demo data
    "viewer": Role.VIEWER,
    "talas": Role.OFFICIAL,
    "batken": Role.OFFICIAL,
    "manager": Role.MANAGER,
    "admin": Role.ADMIN,
    "nobody": Role.OFFICIAL,
}
#: the oblasts each visitor may read (None: every oblast)
READS = {"talas": {TALAS}, "batken": {BATKEN}, "nobody": set()}
PROBE = "authz-probe"  # a callback output only managers may write, registered by this test


# --- the test database: demo + canary + an official without scope ----------------------------


def _clone(connection, model, where, changes, key_map=None):
    """Copy the rows of `model` matching `where` with `changes` (a function of the old row's
    mapping); return {old id: new id}."""
    table = model.__table__
    ids = {}
    for row in connection.execute(select(table).where(where)).mappings().all():
        values = {k: v for k, v in row.items() if k != "id"}
        values.update(changes(row))
        result = connection.execute(insert(table).values(**values))
        if "id" in row:
            ids[row["id"]] = result.inserted_primary_key[0]
    return ids


def named(row, field: str, prefix: str) -> dict:
    """`field` of a cloned row with `prefix` before its text: one column, or each language's
    column of a text held in ky, ru and en (queries.multilingual)."""
    if field in row:
        return {field: f"{prefix}{row[field]}"}
    columns = [k for k in row if re.fullmatch(rf"{field}_(ky|ru|en)", k)]
    assert columns, f"no {field} column in {sorted(row)}"
    return {k: prefix + row[k] for k in columns if row[k] is not None}


def add_canary(engine) -> None:
    """A municipality in Naryn named CANARY_NAMES with everything Aral (Talas) has: priority
    issues, projects and their NGO, budget lines, milestones, monitoring visits, beneficiaries,
    indicators, documents, budgets, population and trainings. Marked demo like its source."""
    with Session(engine) as session, session.begin():
        if session.get(Oblast, NARYN) is None:
            session.add(Oblast(pcode=NARYN, name_en="Naryn", iso_code="KG-N", source="test"))
            session.flush()
        if session.get(Rayon, CANARY_RAYON) is None:
            session.add(
                Rayon(
                    pcode=CANARY_RAYON,
                    oblast_pcode=NARYN,
                    kind=UnitKind.DISTRICT,
                    name_en="At-Bashy",
                    source="test",
                )
            )
            session.flush()
        session.add(
            Municipality(
                pcode=CANARY_PCODE,
                rayon_pcode=CANARY_RAYON,
                oblast_pcode=NARYN,
                kind=UnitKind.AYIL_AIMAK,
                name_en=CANARY_NAMES["en"],
                name_ru=CANARY_NAMES["ru"],
                name_ky=CANARY_NAMES["ky"],
                lon=75.65,
                lat=40.9,
                source="test canary",
            )
        )
    name = CANARY_NAMES["en"]
    with engine.begin() as c:
        projects = select(SocialProject.organisation_id).where(
            SocialProject.municipality_pcode == ARAL
        )
        organisations = _clone(
            c,
            Organisation,
            Organisation.id.in_(projects),
            lambda r: {**named(r, "name", f"{name} NGO {r['id']}: "), "oblast_pcode": NARYN},
        )
        for model in (Population, MunicipalBudget):
            _clone(
                c,
                model,
                model.municipality_pcode == ARAL,
                lambda r: {"municipality_pcode": CANARY_PCODE},
            )
        _clone(
            c,
            TrainingEvent,
            TrainingEvent.municipality_pcode == ARAL,
            lambda r: {
                "municipality_pcode": CANARY_PCODE,
                "oblast_pcode": NARYN,
                **named(r, "title", f"{name} "),
            },
        )
        issues = _clone(
            c,
            PriorityIssue,
            PriorityIssue.municipality_pcode == ARAL,
            lambda r: {"municipality_pcode": CANARY_PCODE, **named(r, "title", f"{name}: ")},
        )
        projects = _clone(
            c,
            SocialProject,
            SocialProject.municipality_pcode == ARAL,
            lambda r: {
                "municipality_pcode": CANARY_PCODE,
                "code": CANARY_PREFIX + r["code"],
                **named(r, "title", f"{name}: "),
                "priority_issue_id": issues.get(r["priority_issue_id"]),
                "organisation_id": organisations.get(r["organisation_id"]),
            },
        )
        for model in (BudgetLine, ProcurementMilestone):
            _clone(
                c,
                model,
                model.project_id.in_(projects),
                lambda r: {"project_id": projects[r["project_id"]]},
            )
        visits = _clone(
            c,
            MonitoringVisit,
            MonitoringVisit.project_id.in_(projects),
            lambda r: {
                "project_id": projects[r["project_id"]],
                **named(r, "findings", f"{name}: "),
            },
        )
        _clone(
            c,
            Beneficiaries,
            Beneficiaries.visit_id.in_(visits),
            lambda r: {"visit_id": visits[r["visit_id"]]},
        )
        indicators = _clone(
            c,
            Indicator,
            Indicator.project_id.in_(projects),
            lambda r: {"project_id": projects[r["project_id"]], "code": CANARY_PREFIX + r["code"]},
        )
        _clone(
            c,
            IndicatorValue,
            IndicatorValue.indicator_id.in_(indicators),
            lambda r: {"indicator_id": indicators[r["indicator_id"]]},
        )
        _clone(
            c,
            Document,
            Document.municipality_pcode == ARAL,
            lambda r: {
                "municipality_pcode": CANARY_PCODE,
                "project_id": projects.get(r["project_id"]),
                **named(r, "title", f"{name}: "),
                "url": f"{r['url']}?canary",  # a link is unique per programme
            },
        )


def add_official_without_scope(engine) -> None:
    users.add_user(engine, NOBODY, Role.OFFICIAL, PASSWORD, oblasts=[TALAS])
    account = users.find_account(engine, username=NOBODY)
    with engine.begin() as connection:
        connection.execute(delete(UserOblast).where(UserOblast.user_id == account.id))


# --- stored script payloads (XSS regression) ----------------------------------------------------

POKROVKA = "KG07225833000"
XSS_FILE = SHARED / "fixtures" / "xss" / "dash_test_xss_payloads.json"


def payloads() -> list[str]:
    stored = [item["value"] for item in json.loads(XSS_FILE.read_text())["payloads"]]
    return [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(2)">',
        "<svg onload=alert(3)>",
        *[value for value in stored if value and not value.startswith("data:")],
    ]


def add_payloads(engine) -> None:
    """Names and links of Pokrovka (Talas) and its project, NGO, priority issues, monitoring
    findings and documents, replaced by script and javascript: payloads."""
    values = payloads()
    with Session(engine) as session, session.begin():
        session.execute(
            update(Municipality)
            .where(Municipality.pcode == POKROVKA)
            .values(name_en=values[0], name_ru=values[1], name_ky=values[2])
        )
        projects = session.scalars(
            select(SocialProject).where(SocialProject.municipality_pcode == POKROVKA)
        ).all()
        for number, project in enumerate(projects):
            project.title = values[(number + 3) % len(values)] + " " + values[0]
            if project.organisation_id:
                ngo = session.get(Organisation, project.organisation_id)
                ngo.name_ky = ngo.name_ru = ngo.name_en = values[1] + " NGO"  # every language
        for issue in session.scalars(
            select(PriorityIssue).where(PriorityIssue.municipality_pcode == POKROVKA)
        ):
            issue.title = values[2]
        for visit in session.scalars(
            select(MonitoringVisit).where(MonitoringVisit.project_id.in_([p.id for p in projects]))
        ):
            visit.findings = values[0] + values[1]
        documents = session.scalars(
            select(Document).where(Document.municipality_pcode == POKROVKA)
        ).all()
        links = [v for v in values if "script" in v.lower() or v.startswith("&#")]
        for number, document in enumerate(documents):
            document.url = links[number % len(links)]
            document.title = values[number % len(values)]


# --- what a visitor must never see ------------------------------------------------------------


@dataclass
class Place:
    oblast: str
    strings: set[str] = field(default_factory=set)  # names, P-code, project codes, NGOs


def places(engine) -> dict[str, Place]:
    """Every programme municipality with the strings that identify it or its rows."""
    found: dict[str, Place] = {}
    with Session(engine) as session:
        for row in session.scalars(select(Municipality)):
            found[row.pcode] = Place(
                row.oblast_pcode,
                {row.pcode, *(n for n in (row.name_en, row.name_ru, row.name_ky) if n)},
            )
        for project in session.scalars(select(SocialProject)):
            place = found[project.municipality_pcode]
            place.strings.add(project.code)
            if project.organisation_id:
                ngo = session.get(Organisation, project.organisation_id)
                place.strings |= {n for n in (ngo.name_en, ngo.name_ru, ngo.name_ky) if n}
    programme = {p.pcode for p in DEMO_MUNICIPALITIES} | {CANARY_PCODE}
    return {pcode: place for pcode, place in found.items() if pcode in programme}


def forbidden_strings(visitor: str, catalogue: dict[str, Place]) -> set[str]:
    """What `visitor` must never receive (empty for those who read every oblast)."""
    reads = READS.get(visitor)
    if reads is None:
        return set()
    allowed = set().union(*(p.strings for p in catalogue.values() if p.oblast in reads))
    return {s for p in catalogue.values() if p.oblast not in reads for s in p.strings} - allowed


def texts_of(payload) -> list[str]:
    """Every string in a JSON response, with downloads (base64, zipped XLSX) decoded."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("base64") and isinstance(node.get("content"), str):
                found.extend(decoded(node["content"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            found.append(node)

    walk(payload)
    return found


def decoded(content: str) -> list[str]:
    try:
        data = base64.b64decode(content)
    except (binascii.Error, ValueError):
        return [content]
    if data[:2] == b"PK":  # XLSX, PPTX: read every member
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
    return [data.decode("utf-8", "replace")]


def leaks(texts: list[str], forbidden: set[str], asked: str) -> set[str]:
    """The forbidden strings found in `texts`, as whole words, unless the request named them."""
    blob = "\n".join(texts)
    return {  # a substring first (fast), then the whole-word rule
        s
        for s in forbidden
        if s in blob and s not in asked and re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", blob)
    }


# --- requests built from the callback map ------------------------------------------------------


def stringify(component_id) -> str:
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return component_id


def _parse_id(raw):
    return json.loads(raw) if isinstance(raw, str) and raw.startswith("{") else raw


def _wildcard(component_id):
    if not isinstance(component_id, dict):
        return None
    for value in component_id.values():
        if isinstance(value, list) and value:
            return value[0]
    return None


def _matches(pattern: dict, concrete) -> bool:
    return (
        isinstance(concrete, dict)
        and set(pattern) == set(concrete)
        and all(isinstance(v, list) or concrete[k] == v for k, v in pattern.items())
    )


def components(tree) -> dict[str, tuple]:
    """{stringified id: (id, props)} of every component in a layout / response tree."""
    index = {}

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and "type" in node and props.get("id") is not None:
                index[stringify(props["id"])] = (props["id"], props)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree)
    return index


@dataclass
class World:
    app: object
    catalogue: dict[str, Place]
    foreign: dict[str, dict]  # visitor → values naming places outside their scope
    rendered: set[str] = field(default_factory=set)  # export routes kaleido has served once


def hostile_values(visitor: str, catalogue: dict[str, Place]) -> dict:
    """URL-parameter values naming places `visitor` may not read (the canary for others)."""
    reads = READS.get(visitor)
    outside = sorted(
        pcode
        for pcode, place in catalogue.items()
        if (reads is None and pcode == CANARY_PCODE)
        or (reads is not None and place.oblast not in reads)
    )
    oblasts = sorted({catalogue[p].oblast for p in outside})
    rayons = sorted({p[:7] + "000000" for p in outside})
    return {
        "oblast": oblasts,
        "rayon": rayons,
        "compare": outside[:4],
        "focus": outside[0],
        "selected": outside[0],
    }


def page_paths(pcode: str) -> list[str]:
    """Every page: those in the navigation by their path, the others with a P-code argument."""
    return [page.PATH if in_nav(page) else f"{page.PATH}/{pcode}" for page in PAGES]


def value_for(component_id, prop, props, hostile: dict | None, search: str, path: str):
    """A plausible value of one input or state of a callback."""
    param = component_id.get("param") if isinstance(component_id, dict) else None
    if hostile is not None and param in hostile:
        return hostile[param]
    if component_id == "url":
        href = f"http://localhost{path}{search}"
        return {"pathname": path, "search": search, "href": href}.get(prop)
    if props is not None and prop in props:
        return props[prop]
    if prop.startswith("n_"):
        return 1
    if prop in ("clickData", "hoverData", "selectedData"):
        pcode = (hostile or {}).get("selected")
        return {"points": [{"customdata": pcode, "location": pcode}]} if pcode else None
    return None


def requests_for(key: str, entry: dict, index: dict, hostile, path: str):
    """The request bodies for one callback: all inputs changed, then each input alone."""
    named = {k: tuple(v) if isinstance(v, list) else v for k, v in (hostile or {}).items()}
    search = build_query({**defaults(), **named})

    def item(spec):
        component_id, prop = _parse_id(spec["id"]), spec["property"]
        kind = _wildcard(component_id)
        if kind is None:
            props = index.get(stringify(component_id), (None, None))[1]
            return {
                "id": component_id,
                "property": prop,
                "value": value_for(component_id, prop, props, hostile, search, path),
            }
        concrete = [
            (cid, props) for _, (cid, props) in index.items() if _matches(component_id, cid)
        ]
        items = [
            {
                "id": cid,
                "property": prop,
                "value": value_for(cid, prop, props, hostile, search, path),
            }
            for cid, props in concrete
        ]
        return items if kind in ("ALL", "ALLSMALLER") else (items[0] if items else None)

    def output(spec):
        component_id, prop = _parse_id(spec.component_id_str()), spec.component_property
        if _wildcard(component_id) is None:
            return {"id": component_id, "property": prop}
        found = [cid for _, (cid, _p) in index.items() if _matches(component_id, cid)]
        return [{"id": cid, "property": prop} for cid in found]

    outputs = entry["output"]
    outputs_body = [output(o) for o in outputs] if isinstance(outputs, list) else output(outputs)
    inputs = [item(spec) for spec in entry["inputs"]]
    state = [item(spec) for spec in entry["state"]]
    if any(i is None for i in inputs + state):
        return []

    def prop_ids(group):
        group = group if isinstance(group, list) else [group]
        return [f"{stringify(i['id'])}.{i['property']}" for i in group]

    triggers = [[prop_id for i in inputs for prop_id in prop_ids(i)]]
    triggers += [prop_ids(i)[:1] for i in inputs if prop_ids(i)]
    return [
        {
            "output": key,
            "outputs": outputs_body,
            "inputs": inputs,
            "state": state,
            "changedPropIds": changed,
        }
        for changed in triggers
    ]


def sign_in(client, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    password = DEMO_PASSWORDS.get(username, PASSWORD)
    response = client.post(
        "/login", data={"csrf_token": token, "username": username, "password": password}
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:300]


def client_for(app, visitor: str):
    client = app.server.test_client()
    if visitor != "anonymous":
        sign_in(client, USERNAMES[visitor])
    return client


def rendered_index(app, client, paths: list[str], search: str) -> dict:
    """Components of the shell and of every page as rendered for this client."""
    tree = [json.loads(json.dumps(app.layout, cls=PlotlyJSONEncoder))]
    router = next(key for key in app.callback_map if "page.children" in key)
    for path in paths:
        response = client.post(
            "/_dash-update-component",
            json={
                "output": router,
                "outputs": [
                    {"id": "shell-header", "property": "children"},
                    {"id": "page", "property": "children"},
                    {"id": "shell-footer", "property": "children"},
                ],
                "inputs": [
                    {"id": "url", "property": "pathname", "value": path},
                    {"id": "url", "property": "search", "value": search},
                ],
                "changedPropIds": ["url.pathname"],
                "state": [{"id": "rendered-search", "property": "data", "value": None}],
            },
        )
        if response.status_code == 200:
            tree.append(response.get_json())
    return components(tree)


def expected_status(visitor: str, entry: dict) -> set[int]:
    roles = security.callback_roles(entry)
    role = ROLES[visitor]
    if roles is None or role == Role.ADMIN or role in roles:
        return {200, 204}
    return {401} if visitor == "anonymous" else {403}


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory, demo_sqlite_file):
    folder = tmp_path_factory.mktemp("authz")
    path = folder / "canary.sqlite"
    shutil.copy(demo_sqlite_file, path)
    engine = make_engine(sqlite_url(path))
    add_canary(engine)
    add_official_without_scope(engine)
    catalogue = places(engine)
    saved = dict(auth.PROTECTED_OUTPUTS)
    auth.PROTECTED_OUTPUTS[PROBE] = auth.MANAGERS
    app = create_app(Settings(data_dir=folder, database_url=sqlite_url(path)), engine=engine)
    app.layout.children.append(html.Div(id=PROBE))

    @app.callback(Output(PROBE, "children"), Input("url", "pathname"))
    def _probe(pathname):
        return f"managers only: {CANARY_NAMES['en']}"

    yield World(
        app=app,
        catalogue=catalogue,
        foreign={v: hostile_values(v, catalogue) for v in VISITORS},
    )
    auth.PROTECTED_OUTPUTS.clear()
    auth.PROTECTED_OUTPUTS.update(saved)
    engine.dispose()


#: endpoints that serve the app itself rather than data
APP_ENDPOINTS = {"static", "_dash_assets.static", "login", "logout", "/", "/<path:path>"}


def offered_links(app, texts) -> set[str]:
    """Links in a response to this server's own data routes (exports, decks, reports)."""
    adapter = app.server.url_map.bind("localhost")
    found = set()
    for text in texts:
        if not text.startswith("/") or text.startswith("//") or len(text) > 2000:
            continue
        try:
            endpoint, _arguments = adapter.match(urlsplit(text).path, method="GET")
        except Exception:  # not a route of this server
            continue
        if endpoint not in APP_ENDPOINTS and not endpoint.startswith("/_dash"):
            found.add(text)
    return found


def file_texts(data: bytes) -> list[str]:
    """The text of a served file: PDF pages, the members of a zip (XLSX, PPTX), or text."""
    if data[:5] == b"%PDF-":
        import pypdf

        return [page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages]
    return decoded(base64.b64encode(data).decode())


@contextmanager
def stand_in_renderer(figures: list[dict]):
    """kaleido replaced by a blank file of the asked format; every figure it was given is
    kept in `figures` (as JSON) for the scan."""
    blank = Image.new("RGB", (4, 3), "white")

    def render(figure, fmt, width, height, scale=1):
        figures.append(json.loads(json.dumps(figure, cls=PlotlyJSONEncoder)))
        if fmt == "svg":
            return b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"/>'
        buffer = io.BytesIO()
        blank.save(buffer, format=fmt.upper())
        return buffer.getvalue()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(images, "render", render)
        yield


def follow(client, links: set[str], forbidden: set[str], seen: dict, rendered: set[str]):
    """GET every offered link (raster images aside: no text to scan) and scan the file;
    return the problems and the names of the files sent as attachments.

    The first link of each vector image route (SVG, PDF; `rendered`, over the module) is
    rendered by kaleido and its file scanned: kaleido's own text. The others, and every deck
    and report (whose pictures are rasters: pixels, no text), get a stand-in renderer: the scan
    reads their file (the text a deck or report writes itself) and every figure they gave the
    renderer, which holds every text kaleido would have drawn."""
    problems, fetched = [], []
    for link in sorted(links):
        path = urlsplit(link).path
        if path.endswith(".png"):
            continue
        figures: list[dict] = []
        vector = path.endswith((".svg", ".pdf")) and not path.endswith("report.pdf")
        with nullcontext() if vector and path not in rendered else stand_in_renderer(figures):
            response = client.get(link)
        if response.status_code >= 500 or response.status_code in (202, 429):
            problems.append(f"{link}: HTTP {response.status_code}")  # unscanned otherwise
        if response.status_code != 200:
            continue
        rendered.add(path)
        disposition = response.headers.get("Content-Disposition", "")
        if disposition.startswith("attachment"):
            fetched.append(disposition.partition("filename=")[2].strip('"'))
        texts = file_texts(response.get_data()) + texts_of(figures)
        seen.setdefault(f"GET {path}", []).extend(texts)
        found = leaks(texts, forbidden, link)
        if found:
            problems.append(f"{link}: leaked {sorted(found)}")
    return problems, fetched


#: a municipality each visitor may read, for requests that stay in scope
OWN = {"batken": "KG05236836000"}  # Sumbula; Aral (Talas) for everyone else


def run_matrix(world: World, visitor: str, only=None, follow_links: bool = True):
    """POST every request of every callback as `visitor`; return (problems, texts by key).

    Officials then GET every export link the pages offered them, unless `follow_links` is off."""
    app = world.app
    client = client_for(app, visitor)
    forbidden = forbidden_strings(visitor, world.catalogue)
    hostile = world.foreign[visitor]
    variants = (
        (None, page_paths(OWN.get(visitor, ARAL))),
        (hostile, page_paths(hostile["selected"])),
    )
    index = rendered_index(app, client, variants[0][1], "")
    problems, seen, exercised, files, links = [], {}, set(), [], set()
    server_side = {
        key: entry
        for key, entry in app.callback_map.items()
        if "callback" in entry and (only is None or only(key))
    }
    for key, entry in server_side.items():
        expected = expected_status(visitor, entry)
        specs = entry["inputs"] + entry["state"]
        reads_path = any(spec["property"] in ("pathname", "href") for spec in specs)
        for values, paths in variants:
            for path in paths if reads_path else ["/"]:
                for body in requests_for(key, entry, index, values, path):
                    exercised.add(key)
                    raw = json.dumps(body)
                    response = client.post(
                        "/_dash-update-component", data=raw, content_type="application/json"
                    )
                    where = (
                        f"{visitor} {key[:60]} {path} hostile={values is not None} "
                        f"{body['changedPropIds'][:1]}"
                    )
                    if response.status_code not in expected:
                        problems.append(
                            f"{where}: HTTP {response.status_code}, expected {sorted(expected)}"
                        )
                        continue
                    if response.status_code != 200:
                        continue
                    texts = texts_of(response.get_json())
                    seen.setdefault(key, []).extend(texts)
                    files.extend(security.downloads(response.get_json()))
                    links |= offered_links(app, texts)
                    found = leaks(texts, forbidden, raw)
                    if found:
                        problems.append(f"{where}: leaked {sorted(found)}")
    missing = set(server_side) - exercised
    if missing:
        problems.append(f"callbacks never called (no concrete components?): {sorted(missing)}")
    names = [item["filename"] for item in files]
    if visitor in READS and follow_links:  # officials: follow every export link offered
        jobs.runner_of(app).cancel_all()  # the links' exports are within the visitor's limit
        more, fetched = follow(client, links, forbidden, seen, world.rendered)
        problems += more
        names += fetched
    jobs.runner_of(app).cancel_all()  # the background exports started above are not awaited
    return problems, seen, names


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("visitor", VISITORS)
def test_every_callback_for_every_visitor(world, visitor):
    problems, seen, files = run_matrix(world, visitor)
    assert problems == [], "\n".join(problems[:40])
    blob = "\n".join(text for texts in seen.values() for text in texts)
    if visitor in ("talas", "batken"):  # positive control: their own places are there
        own = OWN.get(visitor, ARAL)
        assert own in blob, f"{visitor} never saw {own}: the scan is blind"
        followed = [key for key in seen if key.startswith("GET /export/")]
        assert any("MSP-T-01" in text for key in followed for text in seen[key]) == (
            visitor == "talas"
        ), followed  # their deck and reports were read, and hold their own projects
    elif visitor == "nobody":  # the scan above looked for every programme municipality
        everything = set().union(*(p.strings for p in world.catalogue.values()))
        assert forbidden_strings(visitor, world.catalogue) == everything
    else:  # everyone who reads every oblast sees the canary: it is reachable
        assert CANARY_NAMES["en"] in blob, f"{visitor} never saw the canary"
    if visitor != "anonymous":  # every export they received is in the audit log, with scope
        exports = export_entries(world, USERNAMES[visitor])
        assert sorted(e.row_key for e in exports) == sorted(files)
        scope = ",".join(sorted(READS.get(visitor, {TALAS, BATKEN, JALAL_ABAD, NARYN}))) or "-"
        assert {e.after["scope"] for e in exports} <= {scope}


def export_entries(world: World, username: str) -> list:
    engine = world.app.server.extensions["aimak"].engine
    account = users.find_account(engine, username=username)
    with Session(engine) as session:
        return session.scalars(
            select(AuditEntry).where(
                AuditEntry.user_id == account.id, AuditEntry.action == "export"
            )
        ).all()


def test_negative_control_the_scan_sees_a_leak(world, monkeypatch):
    """With the scope taken from the wrong place, the same scan reports the leak."""
    from queries.scope import Scope

    monkeypatch.setattr(auth, "scope_of_request", lambda ctx: Scope(auth.data_oblasts(ctx)))
    problems, _seen, _files = run_matrix(
        world, "talas", only=lambda key: "page.children" in key, follow_links=False
    )
    assert any("leaked" in p and CANARY_NAMES["en"] in p for p in problems), problems[:5]


def test_negative_control_a_stand_in_render_sees_a_leak(world, monkeypatch):
    """With the scope taken from the wrong place, an export link followed with the stand-in
    renderer reports the leak: the figures it was given are scanned, not its blank file."""
    from queries.scope import Scope

    monkeypatch.setattr(auth, "scope_of_request", lambda ctx: Scope(auth.data_oblasts(ctx)))
    client = client_for(world.app, "talas")
    forbidden = forbidden_strings("talas", world.catalogue)
    links = {"/export/chart/compare-ranking.svg", "/export/chart/timeline-gantt.pdf"}
    problems, _files = follow(client, links, forbidden, {}, {urlsplit(x).path for x in links})
    assert len(problems) == 2, problems
    assert all("leaked" in p and CANARY_NAMES["en"] in p for p in problems), problems


def test_a_cached_result_is_never_served_to_another_scope(world):
    """The same request, in turn as Talas, Batken and Talas again, over one shared cache."""
    app = world.app
    key = next(k for k in app.callback_map if "page.children" in k)
    body = requests_for(key, app.callback_map[key], {}, None, "/compare")[0]

    clients = {visitor: client_for(app, visitor) for visitor in ("talas", "batken", "nobody")}

    def answer(visitor):
        response = clients[visitor].post("/_dash-update-component", json=body)
        assert response.status_code == 200
        return "\n".join(texts_of(response.get_json()))

    sumbula = OWN["batken"]
    talas, batken, talas_again = answer("talas"), answer("batken"), answer("talas")
    assert ARAL in talas
    assert sumbula not in talas
    assert sumbula in batken
    assert ARAL not in batken
    assert talas_again == talas
    nobody = answer("nobody")
    assert not any(code in nobody for code in (ARAL, sumbula, CANARY_PCODE))


#: plausible values for the arguments of Flask routes (levels, formats, P-codes)
ROUTE_ARGUMENTS = ("oblasts", "rayons", "municipalities", "csv", "xlsx", "pdf", "pptx", "png")


def test_no_route_gives_the_talas_official_another_oblast(world):
    """Every GET route of the server (geometry, and exports or decks served by URL), with
    plausible arguments and a query naming other oblasts, scanned like the callbacks."""
    app = world.app
    client = client_for(app, "talas")
    forbidden = forbidden_strings("talas", world.catalogue)
    hostile = world.foreign["talas"]
    query = build_query(
        {**defaults(), **{k: tuple(v) if isinstance(v, list) else v for k, v in hostile.items()}}
    )
    skip = ("/static/", "/assets/", "/_dash-", "/_favicon", "/_reload")
    scanned = 0
    for rule in app.server.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(skip):
            continue
        values = (*ROUTE_ARGUMENTS, CANARY_PCODE, hostile["selected"], BATKEN)
        candidates = [values] * len(rule.arguments)
        for values in itertools.product(*candidates) if candidates else [()]:
            arguments = dict(zip(sorted(rule.arguments), values, strict=True))
            try:
                url = app.server.url_map.bind("localhost").build(rule.endpoint, arguments)
            except Exception:  # a value the converter refuses
                continue
            response = client.get(url + query)
            if response.status_code != 200:
                continue
            scanned += 1
            data = response.get_data()
            texts = decoded(base64.b64encode(data).decode())
            found = leaks(texts, forbidden, query + url)
            assert not found, (url, sorted(found))
    assert scanned >= 3  # at least the geometry, the index and the sign-in page


def test_exports_keep_stored_payloads_inert(tmp_path, demo_sqlite_file):
    """Every file a callback exports, with script and javascript: payloads stored as names,
    titles and links: the payloads stay text (no formula, no javascript: hyperlink)."""
    import openpyxl

    path = tmp_path / "payloads.sqlite"
    shutil.copy(demo_sqlite_file, path)
    engine = make_engine(sqlite_url(path))
    add_payloads(engine)
    app = create_app(Settings(data_dir=tmp_path, database_url=sqlite_url(path)), engine=engine)
    client = client_for(app, "viewer")
    index = rendered_index(app, client, page_paths(POKROVKA), "")
    files = []
    for key, entry in app.callback_map.items():
        if "callback" not in entry:
            continue
        for body in requests_for(key, entry, index, None, "/"):
            response = client.post("/_dash-update-component", json=body)
            if response.status_code == 200:
                files.extend(security.downloads(response.get_json()))
    assert files, "no callback exported a file"
    for item in files:
        raw = item["content"]
        data = base64.b64decode(raw) if item.get("base64") else raw.encode()
        if data[:2] != b"PK":
            assert "<script>alert(1)</script>" in data.decode("utf-8-sig"), item["filename"]
            continue
        book = openpyxl.load_workbook(io.BytesIO(data))
        cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
        assert any("<script>alert(1)</script>" in str(cell.value) for cell in cells)
        for cell in cells:
            assert cell.data_type != "f", (item["filename"], cell.coordinate, cell.value)
            link = cell.hyperlink.target if cell.hyperlink else ""
            assert not (link or "").strip().lower().startswith("javascript"), link
    engine.dispose()
