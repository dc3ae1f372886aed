"""URL state: every control survives state → query string → state, and junk falls back."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.urlstate import PARAMETERS, build_query, defaults, parse_query

#: a non-default value for every parameter
SAMPLES = {
    "lang": "ky",
    "oblast": ("KG05000000000", "KG07000000000"),
    "rayon": ("KG05236000000",),
    "phase": 2,
    "year": 2015,
    "sector": ("children", "youth"),
    "status": ("completed",),
    "as_of": dt.date(2015, 3, 1),
    "currency": "USD",
    "theme": "budgets",
    "measure": "execution",
    "classes": "quantiles",
    "overlays": ("badges",),
    "focus": "KG05236836000",
    "selected": "KG05236836000",
    "compare": ("KG05236836000", "KG07232804000"),
    "rank": "execution",
    "per": "inhabitant",
    "q": "youth",
    "group": "oblast",
    "present": 1,
    "slide": 3,
}


def test_every_parameter_has_a_sample():
    assert set(SAMPLES) == {p.name for p in PARAMETERS}


@pytest.mark.parametrize("parameter", PARAMETERS, ids=lambda p: p.name)
def test_round_trip_each_control(parameter):
    state = {**defaults(), parameter.name: SAMPLES[parameter.name]}
    query = build_query(state)
    assert parameter.name in query
    assert parse_query(query) == state


def test_round_trip_everything_and_defaults():
    state = {**defaults(), **SAMPLES}
    assert parse_query(build_query(state)) == state
    assert build_query(defaults()) == ""
    assert parse_query("") == defaults()


def test_overlays_can_be_all_off():
    state = {**defaults(), "overlays": ()}
    assert parse_query(build_query(state)) == state


@pytest.mark.parametrize(
    "junk",
    [
        "?phase=7",
        "?year=abc",
        "?as_of=2015-13-40",
        "?currency=GBP",
        "?lang=de",
        "?overlays=nonsense",
        "?phase=",
        "?%ZZ=1",
    ],
)
def test_junk_falls_back_to_defaults(junk):
    state = parse_query(junk)
    for parameter in PARAMETERS:
        if parameter.name in junk:
            assert state[parameter.name] == parameter.default or (
                parameter.kind == "list" and state[parameter.name] == ()
            )
