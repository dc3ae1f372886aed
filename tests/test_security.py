"""The hardened surface: headers and Content Security Policy, same-origin JSON callbacks,
request size limits, cookie flags, the CSP report endpoint, and no debug mode."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re

import pytest

from dashboard import create_app, security

ROUTER_BODY = {
    "outputs": [
        {"id": "shell-header", "property": "children"},
        {"id": "page", "property": "children"},
        {"id": "shell-footer", "property": "children"},
    ],
    "inputs": [
        {"id": "url", "property": "pathname", "value": "/"},
        {"id": "url", "property": "search", "value": ""},
    ],
    "changedPropIds": ["url.pathname"],
    "state": [{"id": "rendered-search", "property": "data", "value": None}],
}


@pytest.fixture
def app(settings):
    return create_app(settings)


def router_body(app) -> dict:
    return {"output": next(k for k in app.callback_map if "page.children" in k), **ROUTER_BODY}


def directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_every_response_carries_the_security_headers(app):
    """Every response: nosniff, referrer, resource policy, Vary: Cookie on what depends on the
    session; a document (HTML) also its CSP and framing headers, JSON not (issue 16: 37% of a
    theme change's bytes were headers)."""
    client = app.server.test_client()
    pages = (client.get("/"), client.get("/login"))
    data = (
        client.get("/geo/oblasts.geojson"),
        client.post("/_dash-update-component", json=router_body(app)),
    )
    for response in (*pages, *data):
        headers = response.headers
        assert response.status_code == 200
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
        assert "Cookie" in headers["Vary"]
        assert "Strict-Transport-Security" not in headers  # plain HTTP here
    for response in pages:
        assert response.mimetype == "text/html"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "Content-Security-Policy" in response.headers
    for response in data:
        assert "json" in response.mimetype
        assert "Content-Security-Policy" not in response.headers
        assert "X-Frame-Options" not in response.headers
    callback = client.post("/_dash-update-component", json=router_body(app))
    assert callback.headers["Cache-Control"] == "no-store"  # one user's data, never cached


def test_an_unknown_kind_of_response_is_treated_as_a_document(app):
    """A 404 page, an SVG: anything a browser could show as a page carries the CSP."""
    client = app.server.test_client()
    missing = client.get("/assets/no-such-file.svg")
    assert "Content-Security-Policy" in missing.headers
    assert missing.headers["X-Frame-Options"] == "DENY"


def test_content_security_policy(app):
    policy = directives(app.server.test_client().get("/").headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'", *app.csp_hashes()]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]  # plotly styles from JavaScript
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert "worker-src" not in policy  # no MapLibre without a tile basemap
    every_source = " ".join(value for values in policy.values() for value in values)
    assert not re.search(r"https?:", every_source)  # no CDN, no outside host


def test_inline_scripts_of_the_page_are_all_hashed(app):
    page = app.server.test_client().get("/")
    policy = directives(page.headers["Content-Security-Policy"])
    html = re.sub(r"<!--.*?-->", "", page.get_data(as_text=True), flags=re.S)  # not run
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    executable = [
        body
        for attributes, body in scripts
        if "src=" not in attributes and "application/json" not in attributes and body.strip()
    ]
    assert executable  # Dash's renderer bootstrap
    for body in executable:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy["script-src"]


def test_a_tile_basemap_opens_its_host_and_workers(settings):
    tiles = "https://tiles.example.org/osm/{z}/{x}/{y}.png"
    app = create_app(dataclasses.replace(settings, tiles_url=tiles))
    policy = directives(app.server.test_client().get("/").headers["Content-Security-Policy"])
    assert "https://tiles.example.org" in policy["img-src"]
    assert "https://tiles.example.org" in policy["connect-src"]
    assert "blob:" in policy["worker-src"]  # MapLibre's workers
    assert "https://tiles.example.org" not in policy["script-src"]


def test_callbacks_only_as_same_origin_json(app):
    client = app.server.test_client()
    body = router_body(app)
    post = client.post
    assert post("/_dash-update-component", json=body).status_code == 200
    same = post("/_dash-update-component", json=body, headers={"Origin": "http://localhost"})
    assert same.status_code == 200
    fetch_same = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
    assert post("/_dash-update-component", json=body, headers=fetch_same).status_code == 200
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://localhost"},
    ):
        response = post("/_dash-update-component", json=body, headers=headers)
        assert response.status_code == 403, headers
    raw = json.dumps(body)
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        response = post("/_dash-update-component", data=raw, content_type=content_type)
        assert response.status_code == 415, content_type
    assert post("/_dash-update-component", json={"output": "no.such"}).status_code == 400
    assert post("/_dash-update-component", json=[1, 2]).status_code == 400


def test_clientside_callbacks_are_not_run_on_the_server(app):
    from dash import Input, Output

    app.clientside_callback(
        "function(n) { return n; }", Output("browser-only", "children"), Input("url", "pathname")
    )
    body = {
        "output": "browser-only.children",
        "outputs": {"id": "browser-only", "property": "children"},
        "inputs": [{"id": "url", "property": "pathname", "value": "/"}],
        "changedPropIds": ["url.pathname"],
    }
    response = app.server.test_client().post("/_dash-update-component", json=body)
    assert response.status_code == 400
    policy = app.server.test_client().get("/").headers["Content-Security-Policy"]
    assert all(h in policy for h in app.csp_hashes())  # the new inline script is allowed


def test_request_size_is_limited(settings):
    app = create_app(dataclasses.replace(settings, max_request_bytes=10_000))
    client = app.server.test_client()
    body = router_body(app)
    body["state"][0]["value"] = "x" * 20_000
    assert client.post("/_dash-update-component", json=body).status_code == 413
    form = {"username": "u" * 20_000, "password": "p", "csrf_token": "t"}
    assert client.post("/login", data=form).status_code == 413


def test_session_cookie_flags(settings):
    app = create_app(settings)
    plain = app.server.test_client().get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in plain
    assert "SameSite=Lax" in plain
    assert "Secure" not in plain
    secure = app.server.test_client().get("/login", base_url="https://atlas.example")
    assert "; Secure" in secure.headers["Set-Cookie"]
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    forced = create_app(dataclasses.replace(settings, secure_cookies=True)).server.test_client()
    assert "; Secure" in forced.get("/login").headers["Set-Cookie"]


def test_csp_reports_are_collected(app):
    client = app.server.test_client()
    report = {
        "csp-report": {
            "document-uri": "http://localhost/",
            "violated-directive": "script-src-elem",
            "blocked-uri": "inline",
        }
    }
    response = client.post("/_csp-report", json=report, headers={"Origin": "null"})
    assert response.status_code == 204
    client.post("/_csp-report", data="not json", content_type="application/csp-report")
    assert security.csp_reports(app) == [report["csp-report"]]
    big = client.post("/_csp-report", data="x" * 70_000, content_type="application/csp-report")
    assert big.status_code == 413


def test_no_debug_and_no_dev_tools(app):
    assert app.server.debug is False
    assert not app._dev_tools.ui
    assert not app._dev_tools.hot_reload
    assert app.server.test_client().get("/_reload-hash").status_code in (200, 204, 404)
