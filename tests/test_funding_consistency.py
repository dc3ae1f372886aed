"""One definition of "in scope", "funded project" and "project budget" (queries.funding): the
KPIs, Compare, the profile, the deck and the PDF reports count the same projects and money,
for every demo municipality and every oblast scope.

The deck's key figures and the PDFs are built from these data functions (the deck's
municipality slide from the profile's projects, its KPI slide and the oblast PDF from
`kpi_summary`, the comparison slide from Compare's `indicator_table`); the rendered deck's
text is checked in tests/test_reports_deck.py.
"""

from __future__ import annotations

import pytest

from dashboard import formatting
from dashboard.exports import deck
from dashboard.i18n import Translator
from queries import compare, funding, kpis, profile, projects
from queries.scope import PROJECT_OBLASTS, Filters, Scope

OBLASTS = sorted(PROJECT_OBLASTS)
TALAS, KEK_SAY = "KG07000000000", "KG07215821000"
MONEY = ("budget_total_minor", "local_minor", "giz_minor", "cofinancing_minor")


def scopes():
    """Every oblast scope (a viewer of one oblast; the oblast filter of a reader of all three)
    and the whole programme."""
    for oblast in OBLASTS:
        yield pytest.param(Scope({oblast}), Filters(), id=f"scope-{oblast}")
        yield pytest.param(
            Scope(PROJECT_OBLASTS), Filters(oblasts=(oblast,)), id=f"filter-{oblast}"
        )
    yield pytest.param(Scope(PROJECT_OBLASTS), Filters(), id="programme")


@pytest.mark.parametrize("currency", ["KGS", "USD"])
@pytest.mark.parametrize(("scope", "filters"), list(scopes()))
def test_kpis_compare_profile_and_deck_count_the_same_projects_and_money(
    demo_engine, scope, filters, currency
):
    filters = Filters(oblasts=filters.oblasts, currency=currency)
    headline = kpis.kpi_summary(demo_engine, filters, scope)
    table = compare.indicator_table(demo_engine, filters, scope)
    summary = projects.project_summary(demo_engine, filters, scope).set_index("pcode")
    places = funding.in_scope(demo_engine, filters, scope)
    funded = funding.funded_projects(demo_engine, filters, scope)

    # in scope: the same municipalities everywhere
    assert headline["municipalities"] == len(table) == len(summary) == len(places) > 0
    assert list(table.pcode) == list(places.pcode) == list(summary.index)

    # the profile (and so the deck's municipality slide and the PDF) per municipality
    t = Translator("en")
    state = {"currency": currency}
    as_of = dict(filters.__dict__, as_of=headline["as_of"])
    total_funded = total_money = 0
    for row in table.itertuples():
        listed = profile.projects(demo_engine, row.pcode, Filters(**as_of), scope)
        mine = listed[listed.funded]
        assert len(mine) == row.projects == summary.loc[row.pcode, "projects"], row.pcode
        assert int(mine.total_minor.sum()) == row.budget_total_minor, row.pcode
        for column in MONEY[1:]:
            assert int(mine[column].sum()) == getattr(row, column), (row.pcode, column)
        data = {
            "projects": listed,
            "population": profile.population(demo_engine, row.pcode, Filters(**as_of), scope),
            "visits": profile.visits(demo_engine, row.pcode, Filters(**as_of), scope),
        }
        facts = deck.municipality_facts(t, state, data)
        assert f"Projects funded: {row.projects}" in facts
        money = deck._money(row.budget_total_minor, currency, "en")
        assert f"Project budgets: {money}" in facts
        reached = formatting.number(row.beneficiaries or 0, "en")
        assert f"Beneficiaries reached: {reached}" in facts, row.pcode
        total_funded += len(mine)
        total_money += int(mine.total_minor.sum())

    # the KPIs (the deck's key figures slide and the oblast PDF) add up to the same
    assert headline["projects_funded"] == total_funded == len(funded) == table.projects.sum()
    assert headline["budget_total_minor"] == total_money == int(funded.total_minor.sum())
    assert headline["local_minor"] == sum(table.local_minor)
    assert headline["beneficiaries"] == sum(b or 0 for b in table.beneficiaries)


def test_kek_say_has_no_funded_project_anywhere(demo_engine):
    """Its one project failed its competition: 0 in the KPIs, Compare and the profile's
    funded count, though the profile still lists it with its planned money."""
    scope = Scope({TALAS})
    listed = profile.projects(demo_engine, KEK_SAY, Filters(), scope)
    assert list(listed.status) == ["failed_competition"]
    assert not listed.funded.any()
    assert listed.total_minor.iloc[0] > 0
    table = compare.indicator_table(demo_engine, Filters(), scope).set_index("pcode")
    assert table.loc[KEK_SAY, "projects"] == 0
    assert kpis.kpi_summary(demo_engine, Filters(), scope)["projects_funded"] == 3
