"""The Compare page: every indicator against hand-checked demo figures, per inhabitant,
averages, ranking, charts and the Gantt, and the page for every demo municipality.

Sumbula (Batken oblast, Leilek rayon; one project, MSP-B-01, "children", completed) is worked
through by hand from its raw rows, as of the latest dated event (2015-10-20):

- priority issues: 4 identified on 2013-10-26; the project addresses rank 1 (children) and its
  contract was signed 2014-11-27, so 3 are unfunded.
- budget lines: local 171,780.00 + GIZ 192,230.00 + co-financing 44,990.00 = 409,000.00 som.
- municipal budget 2015: local budget 30,597,000.00, allocation 171,780.00, executed
  171,780.00 som → share 171,780 / 30,597,000 = 0.56 %, execution 100 %; population 2015:
  15,141 → allocation per inhabitant 17,178,000 / 15,141 = 1,134.54 → 1,135 tyiyn.
- procurement: competition announced 2014-10-19, 2 bids on 2014-11-10, contract 2014-11-27 →
  39 days.
- latest visit on or before the date: 2015-06-20, on track; beneficiaries (female 0–17: 2
  with a disability + 35; male 0–17: 2 + 34) = 73: 37 female, 36 male, 73 aged 0–17, 4 with
  a disability.
- indicators (latest period ending 2015-07-01): I1 76 of target 73 → 1.0411; I2 69 of 80 →
  0.8625; mean 0.9518.
- per inhabitant (÷ 15,141, half to even): 40,900,000 → 2,701 tyiyn (2,701.27); local
  17,178,000 → 1,135; GIZ 19,223,000 → 1,270 (1,269.60); co-financing 4,499,000 → 297
  (297.14); per 1,000: 73 → 4.82 (4.8213), 37 → 2.44, 36 → 2.38, 4 → 0.26 (0.2642).
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import delete, select

from dashboard import create_app
from dashboard.components.filter_bar import control_id
from dashboard.i18n import Translator
from dashboard.pages import compare as page
from dashboard.shell import route
from dashboard.urlstate import build_query, defaults, parse_query
from dashboard.views import compare as compare_view
from queries import compare, monitoring, procurement, projects
from queries.demo import DEMO_MUNICIPALITIES
from queries.engine import make_engine, sqlite_url
from queries.models import (
    Beneficiaries,
    BudgetLine,
    MonitoringVisit,
    MunicipalBudget,
    Population,
    ProcurementMilestone,
    SocialProject,
)
from queries.scope import NO_SCOPE, PROJECT_OBLASTS, Filters, Scope

EVERYTHING = Scope(PROJECT_OBLASTS)
SUMBULA = "KG05236836000"
ARAL = "KG07232804000"
SUZAK = "KG03220856000"  # the project still in progress, at risk
KEK_SAY = "KG07215821000"  # the failed competition
TALAS = "KG07000000000"
BATKEN = "KG05000000000"
LATEST = dt.date(2015, 10, 20)  # the latest dated event: the recommendations

#: Sumbula's value of every indicator, worked out by hand (see the module docstring)
SUMBULA_BY_HAND = {
    "population": 15_141,
    "issues": 4,
    "unfunded": 3,
    "projects": 1,
    "budget_total": 40_900_000,
    "local": 17_178_000,
    "giz": 19_223_000,
    "cofinancing": 4_499_000,
    "allocation_per_inhabitant": 1_135,
    "share_of_local": 17_178_000 / 3_059_700_000,
    "execution": 1.0,
    "bids": 2.0,
    "days_to_contract": 39.0,
    "beneficiaries": 73,
    "female": 37,
    "male": 36,
    "age_0_17": 73,
    "age_18_28": 0,
    "age_29_59": 0,
    "age_60_plus": 0,
    "with_disability": 4,
    "progress": (76 / 73 + 69 / 80) / 2,
    "rating": "on_track",
}
#: per inhabitant (money in tyiyn) and per 1,000 inhabitants, by hand
SUMBULA_PER_INHABITANT = {
    "budget_total": 2_701,
    "local": 1_135,
    "giz": 1_270,
    "cofinancing": 297,
    "beneficiaries": 4.82,
    "female": 2.44,
    "male": 2.38,
    "age_0_17": 4.82,
    "age_18_28": 0.0,
    "age_29_59": 0.0,
    "age_60_plus": 0.0,
    "with_disability": 0.26,
}


def row_of(frame: pd.DataFrame, pcode: str) -> pd.Series:
    rows = frame[frame["pcode"] == pcode]
    assert len(rows) == 1, pcode
    return rows.iloc[0]


def rendered(component) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


def half_even(numerator: int, denominator: int) -> int:
    quotient, remainder = divmod(numerator, denominator)
    if 2 * remainder > denominator or (2 * remainder == denominator and quotient % 2):
        quotient += 1
    return quotient


@pytest.fixture(scope="module")
def table(demo_engine) -> pd.DataFrame:
    return compare.indicator_table(demo_engine, Filters(), EVERYTHING)


# --- the query: every indicator, by hand --------------------------------------------------


def test_every_indicator_of_sumbula_by_hand(table):
    assert set(SUMBULA_BY_HAND) == set(compare_view.BY_ID)  # every indicator is hand-checked
    sumbula = row_of(table, SUMBULA)
    for item in compare_view.INDICATORS:
        expected, value = SUMBULA_BY_HAND[item.id], sumbula[item.column]
        if isinstance(expected, float):
            assert value == pytest.approx(expected, abs=1e-12), item.id
        else:
            assert value == expected, item.id
    assert sumbula.budget_year == 2015
    assert sumbula.population_year == 2015
    assert sumbula.population_source == "Illustrative (demo)"
    assert sumbula.local_minor + sumbula.giz_minor + sumbula.cofinancing_minor == 40_900_000


def test_sumbula_raw_rows_give_the_hand_figures(demo_engine):
    """The hand-worked figures above, recomputed from the raw rows with integers."""
    with demo_engine.connect() as connection:
        project = connection.scalar(
            select(SocialProject.id).where(SocialProject.municipality_pcode == SUMBULA)
        )
        lines = dict(
            connection.execute(
                select(BudgetLine.source, BudgetLine.amount_tyiyn).where(
                    BudgetLine.project_id == project
                )
            ).all()
        )
        budget = connection.execute(
            select(
                MunicipalBudget.local_budget_tyiyn,
                MunicipalBudget.social_allocation_tyiyn,
                MunicipalBudget.executed_tyiyn,
            ).where(MunicipalBudget.municipality_pcode == SUMBULA, MunicipalBudget.year == 2015)
        ).one()
        people = connection.scalar(
            select(Population.population).where(
                Population.municipality_pcode == SUMBULA, Population.year == 2015
            )
        )
        days = dict(
            connection.execute(
                select(ProcurementMilestone.stage, ProcurementMilestone.occurred_on).where(
                    ProcurementMilestone.project_id == project
                )
            ).all()
        )
        latest_visit = connection.scalar(
            select(MonitoringVisit.id)
            .where(MonitoringVisit.project_id == project, MonitoringVisit.visit_date <= LATEST)
            .order_by(MonitoringVisit.visit_date.desc())
            .limit(1)
        )
        cells = connection.execute(
            select(
                Beneficiaries.sex,
                Beneficiaries.age_group,
                Beneficiaries.with_disability,
                Beneficiaries.count,
            ).where(Beneficiaries.visit_id == latest_visit)
        ).all()
    values = {getattr(k, "value", k): v for k, v in lines.items()}
    assert values == {"local_budget": 17_178_000, "giz_fund": 19_223_000, "co_financing": 4_499_000}
    assert tuple(budget) == (3_059_700_000, 17_178_000, 17_178_000)
    assert people == 15_141
    assert half_even(17_178_000, people) == 1_135
    assert half_even(sum(values.values()), people) == 2_701
    assert half_even(19_223_000, people) == 1_270
    assert half_even(4_499_000, people) == 297
    signed, announced = days["contract_signed"], days["competition_announced"]
    assert (_day(signed) - _day(announced)).days == 39
    female = sum(c.count for c in cells if getattr(c.sex, "value", c.sex) == "female")
    total = sum(c.count for c in cells)
    disabled = sum(c.count for c in cells if c.with_disability)
    assert (total, female, disabled) == (73, 37, 4)
    assert half_even(total * 100_000, people) == 482
    assert half_even(female * 100_000, people) == 244


def _day(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def test_the_exceptions_of_the_demo(table):
    """The failed competition and the project still running, by hand."""
    kek_say = row_of(table, KEK_SAY)
    assert kek_say.projects == 0  # no valid bid
    assert kek_say.budget_total_minor == 0
    assert kek_say.competitions == 1
    assert kek_say.bids_per_competition == 0.0
    assert pd.isna(kek_say.days_to_contract)
    assert kek_say.contracts == 0
    assert kek_say.beneficiaries is None
    assert kek_say.beneficiaries_female is None
    assert kek_say.rating is None
    assert pd.isna(kek_say.progress)
    assert kek_say.execution == 0.0
    assert kek_say.allocation_per_inhabitant_minor == 628
    suzak = row_of(table, SUZAK)
    assert suzak.rating == "at_risk"
    assert suzak.execution == pytest.approx(0.66)
    assert (suzak.beneficiaries, suzak.beneficiaries_female, suzak.beneficiaries_0_17) == (8, 4, 6)


def test_columns_agree_with_the_queries_they_come_from(demo_engine, table):
    summary = projects.project_summary(demo_engine, Filters(), EVERYTHING).set_index("pcode")
    status = monitoring.monitoring_status(demo_engine, Filters(), EVERYTHING).set_index("pcode")
    cycle = procurement.procurement_cycle(demo_engine, Filters(), EVERYTHING).set_index("pcode")
    assert len(table) == 12
    assert list(table.columns) == list(compare.TABLE_COLUMNS)
    for row in table.itertuples():
        assert row.budget_total_minor == summary.budget_total_minor[row.pcode]
        assert row.beneficiaries == status.beneficiaries[row.pcode]
        assert row.rating == status.rating[row.pcode]
        # one project per demo municipality: the means are the lead project's figures
        assert _same(row.bids_per_competition, cycle.bids[row.pcode])
        assert _same(row.days_to_contract, cycle.days_to_contract[row.pcode])


def _same(a, b) -> bool:
    return (pd.isna(a) and pd.isna(b)) or a == b


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(as_of=dt.date(2015, 3, 1)),
        Filters(phase=2, sectors=("children", "health")),
        Filters(year=2015, statuses=("completed",)),
    ],
    ids=["all", "march-2015", "phase-2-sectors", "2015-completed"],
)
def test_beneficiaries_by_sex_and_age_add_up(demo_engine, filters):
    groups = compare.beneficiary_groups(demo_engine, filters, EVERYTHING).set_index("pcode")
    status = monitoring.monitoring_status(demo_engine, filters, EVERYTHING).set_index("pcode")
    assert list(groups.index) == list(status.index)
    for pcode, row in groups.iterrows():
        assert row.beneficiaries_reached == status.beneficiaries[pcode]
        assert row.beneficiaries_female == status.women[pcode]
        assert row.beneficiaries_with_disability == status.with_disability[pcode]
        if row.beneficiaries_reached is None:
            assert row.isna().all()
            continue
        assert row.beneficiaries_female + row.beneficiaries_male == row.beneficiaries_reached
        ages = sum(row[c] for c in compare.AGE_COLUMNS.values())
        assert ages == row.beneficiaries_reached


def test_scope_is_enforced(demo_engine):
    assert compare.indicator_table(demo_engine, Filters(), NO_SCOPE).empty
    assert compare.indicator_table(demo_engine, Filters(), None).empty
    assert compare.beneficiary_groups(demo_engine, Filters(), NO_SCOPE).empty
    assert compare.cycle_means(demo_engine, Filters(), NO_SCOPE).empty
    talas = compare.indicator_table(demo_engine, Filters(), Scope({TALAS}))
    assert set(talas.oblast_pcode) == {TALAS}
    assert len(talas) == 4
    asked = compare.indicator_table(demo_engine, Filters(oblasts=(BATKEN,)), Scope({TALAS}))
    assert asked.empty  # a filter cannot widen the scope


def test_currency_follows_the_filters(demo_engine, table):
    usd = compare.indicator_table(demo_engine, Filters(currency="USD"), EVERYTHING)
    summary = projects.project_summary(demo_engine, Filters(currency="USD"), EVERYTHING)
    assert list(usd.budget_total_minor) == list(summary.budget_total_minor)
    sumbula = row_of(usd, SUMBULA)
    assert sumbula.budget_total_minor < row_of(table, SUMBULA).budget_total_minor
    assert sumbula.share_of_local == row_of(table, SUMBULA).share_of_local  # computed in som


def test_as_of_date_limits_everything(demo_engine):
    early = compare.indicator_table(demo_engine, Filters(as_of=dt.date(2013, 12, 31)), EVERYTHING)
    assert (early.projects == 0).all()
    assert early.rating.isna().all()
    assert early.beneficiaries.isna().all()
    assert early.bids_per_competition.isna().all()
    assert set(early.budget_year) == {2013}
    assert set(early.population_year) == {2013}
    sumbula = row_of(early, SUMBULA)
    assert sumbula.population == 14_626
    assert sumbula.issues == 4
    assert sumbula.unfunded == 4


def test_population_without_a_budget_is_that_of_the_date(demo_copy):
    engine = make_engine(sqlite_url(demo_copy))
    with engine.begin() as connection:
        connection.execute(
            delete(MunicipalBudget).where(MunicipalBudget.municipality_pcode == SUMBULA)
        )
    sumbula = row_of(compare.indicator_table(engine, Filters(), EVERYTHING), SUMBULA)
    assert sumbula.budget_year is None
    assert sumbula.allocation_per_inhabitant_minor is None
    assert (sumbula.population, sumbula.population_year) == (15_141, 2015)
    year = row_of(compare.indicator_table(engine, Filters(year=2014), EVERYTHING), SUMBULA)
    assert (year.population, year.population_year) == (14_874, 2014)
    engine.dispose()


# --- the rounding rule and averages -------------------------------------------------------


def test_per_inhabitant_rounds_half_to_even():
    assert compare.money_per_inhabitant(5, 2) == 2  # 2.5 → 2
    assert compare.money_per_inhabitant(7, 2) == 4  # 3.5 → 4
    assert compare.money_per_inhabitant(17_178_000, 15_141) == 1_135
    assert compare.money_per_inhabitant(100, None) is None
    assert compare.money_per_inhabitant(100, 0) is None
    assert compare.per_thousand(1, 80_000) == 0.01  # 0.0125 → 0.01
    assert compare.per_thousand(3, 80_000) == 0.04  # 0.0375 → 0.04
    assert compare.per_thousand(73, 15_141) == 4.82
    assert compare.per_thousand(None, 15_141) is None


def test_per_inhabitant_of_sumbula_by_hand(table):
    shown = row_of(compare_view.shown_values(table, "inhabitant"), SUMBULA)
    for item in compare_view.INDICATORS:
        if item.per_inhabitant:
            assert shown[item.column] == SUMBULA_PER_INHABITANT[item.id], item.id
        else:  # shown as they are
            assert _same(shown[item.column], SUMBULA_BY_HAND[item.id]), item.id
    assert set(SUMBULA_PER_INHABITANT) == {
        i.id for i in compare_view.INDICATORS if i.per_inhabitant
    }
    assert compare_view.shown_values(table, "absolute") is table


def test_average_skips_missing_values_and_rounds_money():
    assert compare.average([1, 2], money=True) == 2  # 1.5 → 2
    assert compare.average([1, 4], money=True) == 2  # 2.5 → 2
    assert compare.average([None, 3.0, float("nan")]) == 3.0
    assert compare.average([None]) is None
    assert compare.average([]) is None


def test_averages_by_oblast_and_overall(table):
    t = Translator("en")
    rows = compare_view.ranked(table, None, t)
    entries = compare_view.averages(rows, t)
    assert [e["oblast_pcode"] for e in entries] == ["KG03000000000", BATKEN, TALAS, None]
    overall = entries[-1]
    assert overall["label"] == "Average of the selection"
    assert overall["count"] == 12
    assert overall["budget_total"] == half_even(sum(table.budget_total_minor), 12)
    # 11 municipalities reached a contract: Kek-Say has no value and is left out
    assert overall["days_to_contract"] == pytest.approx(sum(table.days_to_contract.dropna()) / 11)
    talas = entries[2]
    assert talas["label"] == "Average, Talas"
    assert talas["count"] == 4
    talas_rows = table[table.oblast_pcode == TALAS]
    assert talas["beneficiaries"] == pytest.approx((147 + 314 + 62) / 3)  # Kek-Say: no visit
    assert talas["execution"] == pytest.approx(talas_rows.execution.mean())
    assert overall["rating"] is None


# --- selection and ranking ----------------------------------------------------------------


def test_selection_defaults_to_all_and_caps_at_twelve():
    frame = pd.DataFrame({"pcode": [f"P{i:02d}" for i in range(15)]})
    rows, defaulted, truncated, outside = compare_view.chosen_rows(frame, ())
    assert len(rows) == 12
    assert defaulted
    assert truncated == 3
    assert outside == ()
    rows, defaulted, truncated, outside = compare_view.chosen_rows(frame, ("P03", "P01", "X"))
    assert list(rows.pcode) == ["P01", "P03"]
    assert not defaulted
    assert outside == ("X",)


def test_ranking_orders_best_first_and_missing_last(table):
    t = Translator("en")
    by_days = compare_view.ranked(table, compare_view.BY_ID["days_to_contract"], t)
    days = list(by_days.days_to_contract)
    assert days[:-1] == sorted(days[:-1])
    assert by_days.pcode.iloc[-1] == KEK_SAY
    assert by_days["rank"].iloc[0] == 1
    assert by_days["rank"].iloc[-1] is None
    by_bids = compare_view.ranked(table, compare_view.BY_ID["bids"], t)
    assert list(by_bids.bids_per_competition) == sorted(table.bids_per_competition, reverse=True)
    fives = by_bids[by_bids.bids_per_competition == 5.0]
    assert set(fives["rank"]) == {1}  # ties share a rank
    assert len(fives) == 3
    assert by_bids["rank"].iloc[3] == 4
    by_rating = compare_view.ranked(table, compare_view.BY_ID["rating"], t)
    assert by_rating.pcode.iloc[-1] == KEK_SAY
    assert by_rating.pcode.iloc[-2] == SUZAK
    grouped = compare_view.ranked(table, None, t)
    assert list(grouped.oblast_pcode) == sorted(table.oblast_pcode)


@pytest.mark.parametrize("item", compare_view.INDICATORS, ids=lambda item: item.id)
def test_every_indicator_ranks_and_charts(ctx, item):
    for per in ("absolute", "inhabitant"):
        state = {**defaults(), "rank": item.id, "per": per}
        _summary, grid, _legend, bars, _multiples, _gantt, options = page.update(ctx, "en", state)
        text = rendered(grid)
        assert f'"data-indicator": "{item.id}"' in text.replace('":"', '": "')
        view = compare_view.view_data(ctx, state, Translator("en"))
        values = list(view.rows[item.column])
        keys = [compare_view.sort_key(item, v) for v in values]
        assert keys == sorted(keys), item.id
        trace = bars["data"][0]
        names = [Translator("en").name(row) for _, row in view.rows.iterrows()]
        assert trace["y"] == names  # bars in the ranking's order
        assert len(options) == 12


# --- the page -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ctx(tmp_path_factory, demo_sqlite_file):
    """One app over a copy of the demo database for the module's read-only page tests."""
    import shutil

    from dashboard.settings import Settings

    folder = tmp_path_factory.mktemp("compare")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    settings = Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite"))
    return create_app(settings).server.extensions["aimak"]


def test_page_controls_are_bound_to_the_url(ctx):
    state = parse_query(f"?compare={SUMBULA},{ARAL}&rank=execution&per=inhabitant")
    _header, body, _footer = route(ctx, "/compare", build_query(state))
    text = rendered(body)
    for name in ("compare", "rank", "per"):
        assert json.dumps(control_id(name)).replace(" ", "") in text.replace(" ", "")
    grid = page.table(Translator("en"), compare_view.view_data(ctx, state, Translator("en")), state)
    rows = [r for r in _walk(grid) if r.get("props", {}).get("data-pcode")]
    assert [r["props"]["data-pcode"] for r in rows] == [SUMBULA, ARAL]  # 100 %, then 94 %


def _walk(component):
    """Every component in a rendered tree as plain dicts, in document order."""

    def visit(node):
        if isinstance(node, dict):
            yield node
            for value in node.values():
                yield from visit(value)
        elif isinstance(node, list):
            for item in node:
                yield from visit(item)

    return list(visit(json.loads(rendered(component))))


def test_sumbula_in_the_table_per_inhabitant(ctx):
    state = {**defaults(), "compare": (SUMBULA,), "per": "inhabitant"}
    summary, grid, *_ = page.update(ctx, "en", state)
    row = next(r for r in _walk(grid) if r.get("props", {}).get("data-pcode") == SUMBULA)
    cells = [c["props"]["children"] for c in row["props"]["children"][2:]]
    shown = dict(zip([i.id for i in compare_view.INDICATORS], cells, strict=True))
    assert shown["population"] == "15,141 (2015)"
    assert shown["budget_total"] == "27.01 KGS"  # 2,701 tyiyn
    assert shown["giz"] == "12.70 KGS"
    assert shown["allocation_per_inhabitant"] == "11.35 KGS"
    assert shown["beneficiaries"] == "4.82"
    assert shown["with_disability"] == "0.26"
    assert shown["share_of_local"] == "0.6%"
    assert shown["execution"] == "100%"
    assert shown["bids"] == "2"
    assert shown["days_to_contract"] == "39"
    assert shown["progress"] == "95.2%"
    assert shown["rating"] == "On track"
    notes = rendered(summary)
    assert "Population of 2015; source: Illustrative (demo)." in notes
    assert "Illustrative demo data" in notes
    assert "per 1,000 inhabitants" in rendered(grid)


def test_absolute_table_in_russian_and_dollars(ctx):
    state = {**defaults(), "compare": (SUMBULA,), "currency": "USD"}
    _summary, grid, *_ = page.update(ctx, "ru", state)
    text = rendered(grid)
    assert "Сумбула" in text
    assert "долл. США" in text
    assert "KGS" not in text


@pytest.mark.parametrize("lang", ["ky", "ru", "en"])
def test_small_multiples_titles_stand_centred_over_their_panels(ctx, lang):
    """Issue 15: in Russian the titles ran into each other (plotly anchors an annotation left
    of a third of the width, right beyond two thirds); each is centred over its panel."""
    state = {**defaults(), "lang": lang}
    multiples = page.update(ctx, lang, state)[4]
    layout = multiples["layout"]
    headline = [i for i in compare_view.INDICATORS if i.headline]
    titles = [a for a in layout["annotations"] if a.get("yshift") == 4]  # over each panel
    assert len(titles) == len(headline)
    for title, panel in zip(titles, multiples["data"], strict=True):
        axis = layout["xaxis" + panel["xaxis"][1:]]
        assert title["xanchor"] == "center"
        assert title["x"] == pytest.approx(sum(axis["domain"]) / 2)
        for line in title["text"].split("<br>"):  # wrapped; a single long word may stand
            assert len(line) <= 22 or " " not in line, line


def test_charts_show_the_selection_against_its_average(ctx):
    state = {**defaults(), "compare": (SUMBULA, ARAL, SUZAK), "rank": "execution"}
    _summary, _grid, legend, bars, multiples, gantt, _options = page.update(ctx, "en", state)
    trace = bars["data"][0]
    assert trace["y"] == ["Sumbulin", "Aral", "Suzak"]  # 100 %, 94 %, 66 %
    assert trace["x"] == pytest.approx([100.0, 94.0, 66.0])
    (line,) = bars["layout"]["shapes"]
    assert line["line"]["dash"] == "dash"
    assert line["x0"] == pytest.approx((100 + 94 + 66) / 3)
    headline = [i for i in compare_view.INDICATORS if i.headline]
    panels = multiples["data"]
    assert len(panels) == len(headline) == len(multiples["layout"]["shapes"])
    budget = panels[headline.index(compare_view.BY_ID["budget_total"])]
    assert budget["x"] == [409_000.0, 553_000.0, 420_000.0]  # som
    line = multiples["layout"]["shapes"][headline.index(compare_view.BY_ID["budget_total"])]
    assert line["xref"] == budget["xaxis"]
    assert line["x0"] == pytest.approx(460_666.67)
    for figure in (bars, multiples, gantt):
        notes = [a["text"] for a in figure["layout"]["annotations"]]
        assert "Illustrative demo data — not real project figures" in notes
    assert "Batken" in rendered(legend)
    assert "Talas" in rendered(legend)
    # the Gantt: one bar per stage reached; Suzak's implementation runs on to the date
    placed = [y for trace in gantt["data"] for y in trace["y"]]
    assert set(placed) == {"Sumbulin", "Aral", "Suzak"}
    assert len(placed) == 9 + 9 + 7  # Suzak is still being implemented
    still = [t for t in gantt["data"] if t["marker"]["pattern"]["shape"] == "/"]
    assert [(t["name"], t["y"], t["showlegend"]) for t in still] == [
        ("Implementation", ["Suzak"], False)  # hatched, under the stage's legend entry
    ]
    assert still[0]["customdata"][0][1:] == ["May 23, 2015", "Oct 20, 2015", 150]
    assert gantt["layout"]["shapes"][0]["x0"] == "2015-10-20"


def test_gantt_rows_follow_the_stages(ctx):
    state = {**defaults(), "compare": (SUMBULA,)}
    t = Translator("en")
    view = compare_view.view_data(ctx, state, t)
    bars = compare_view.gantt_rows(t, view, compare_view.milestone_data(ctx, state))
    assert [b["stage"] for b in bars][:3] == [
        "priority_identified",
        "programme_approved",
        "competition_announced",
    ]
    contract = next(b for b in bars if b["stage"] == "winner_selected")
    assert (contract["start"], contract["end"]) == (dt.date(2014, 11, 19), dt.date(2014, 11, 27))
    assert bars[-1]["stage"] == "reported"
    assert not bars[-1]["open"]


def test_nothing_to_compare_outside_the_scope(settings):
    ctx = create_app(settings).server.extensions["aimak"]
    ctx.current_scope = lambda: Scope({TALAS})
    state = {**defaults(), "compare": (SUMBULA,)}
    summary, grid, _legend, bars, _multiples, gantt, options = page.update(ctx, "en", state)
    assert {o["value"] for o in options} <= set(
        m.pcode for m in DEMO_MUNICIPALITIES if m.oblast_pcode == TALAS
    )
    assert "Nothing to compare." in rendered(grid)
    assert "Chosen municipalities outside the filters, not shown: 1" in rendered(summary)
    assert "Sumbul" not in rendered(grid) + rendered(bars) + rendered(gantt)


@pytest.mark.parametrize("number", range(len(DEMO_MUNICIPALITIES)))
def test_every_demo_municipality_renders_and_updates(ctx, number):
    unit = DEMO_MUNICIPALITIES[number]
    for position, lang in enumerate(("en", "ru", "ky")):
        item = compare_view.INDICATORS[(3 * number + position) % len(compare_view.INDICATORS)]
        query = f"?lang={lang}&compare={unit.pcode}&rank={item.id}"
        query += "&per=inhabitant" if position % 2 else ""
        _header, body, _footer = route(ctx, "/compare", query)
        assert unit.pcode in rendered(body)
        response = page.update(ctx, lang, parse_query(query))
        text = rendered(response)
        assert f'"data-pcode": "{unit.pcode}"' in text.replace('":"', '": "')
    # and within its own oblast and rayon filters, all of them at once
    query = f"?oblast={unit.oblast_pcode}&rayon={unit.rayon_pcode}"
    assert unit.pcode in rendered(page.update(ctx, "en", parse_query(query)))


def test_the_callback_is_registered_per_app(settings):
    app = create_app(settings)
    outputs = " ".join(app.callback_map)
    assert "compare-table.children" in outputs
    assert "compare-gantt.figure" in outputs


def test_a_control_reporting_its_drawn_value_changes_nothing(ctx):
    state = parse_query(f"?compare={SUMBULA}&per=inhabitant")
    shown = {"lang": "en", "query": build_query(state)}
    assert page.respond(ctx, shown, state) is None  # e.g. the date picker, as it mounts
    answer = page.respond(ctx, shown, {**state, "rank": "execution"})
    assert len(answer) == 8
    assert answer[-1] == {
        "lang": "en",
        "query": f"?compare={SUMBULA}&rank=execution&per=inhabitant",
    }


def test_a_request_with_junk_still_answers(ctx):
    state = {**parse_query(""), "currency": "XYZ", "per": "everyone", "rank": "nonsense"}
    answer = page.respond(ctx, None, {**state, "compare": ("<script>", SUMBULA)})
    query = f"?compare=%3Cscript%3E,{SUMBULA}&rank=nonsense"  # an unknown rank is ignored
    assert answer[-1] == {"lang": "en", "query": query}
    assert "<script>" not in rendered(answer[:-1])
    assert "Sumbulin" in rendered(answer[1])
