"""Workbooks for the import tests (builders and a realistic report), and the templates' tests.

The realistic report is not the demo data (the import refuses that): three pilot
municipalities, one per oblast, with Kyrgyz and Russian text, every number style the rule
accepts, Excel date and number cells, and text that must stay literal.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from queries.demo import ensure_units
from queries.engine import make_engine, sqlite_url, upgrade
from queries.imports import pipeline, records, templates
from queries.imports.tables import (
    BY_KEY,
    LANGUAGES,
    TABLES,
    column_for_header,
    normalise_header,
    table_for_sheet,
)
from queries.models import Base

ARSTANBAP, ARAL, SUMBULA = "KG03207826000", "KG07232804000", "KG05236836000"
JALAL_ABAD, TALAS, BATKEN = "KG03000000000", "KG07000000000", "KG05000000000"
NBSP, NNBSP = "\u00a0", "\u202f"
SCRIPT = "<script>alert('x')</script>"
HYPERLINK = '=HYPERLINK("http://example.org/evil","click")'
KYRGYZ = "Жаштар үчүн бош убакытты өткөрүүчү жай жок; көңүл бурулбайт"


class Formula(str):
    """A value written as Excel would take it when typed: a formula, an error value.

    Every other text is written as a text cell.
    """


# --- builders ---------------------------------------------------------------------------


def xlsx(sheets: list[tuple[str, list, list[list]]], keywords: str | None = None) -> bytes:
    """A workbook: (sheet name, header row, data rows); str values as literal text."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, header, rows in sheets:
        sheet = workbook.create_sheet(name)
        for number, values in enumerate([header, *rows], start=1):
            for index, value in enumerate(values, start=1):
                if value is None or value == "":
                    continue
                cell = sheet.cell(number, index)
                cell.value = value
                if isinstance(value, str) and not isinstance(value, Formula):
                    cell.data_type = "s"
    if keywords:
        workbook.properties.keywords = keywords
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_sheet(key: str, rows: list[dict], lang: str = "en") -> tuple[str, list, list[list]]:
    """One table's sheet in `lang`: its headers and rows given as {column key: value}."""
    table = BY_KEY[key]
    header = [column.header(lang) for column in table.columns]
    return (
        table.sheet_name(lang),
        header,
        [[row.get(column.key) for column in table.columns] for row in rows],
    )


def book(data: dict[str, list[dict]], lang: str = "en") -> bytes:
    """A workbook with one sheet per table of `data`."""
    return xlsx([table_sheet(key, rows, lang) for key, rows in data.items()])


def set_cached_value(data: bytes, sheet_number: int, cell: str, value: str) -> bytes:
    """Give a formula cell the cached value Excel would have saved (openpyxl writes none)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == f"xl/worksheets/sheet{sheet_number}.xml":
                pattern = rf'(<c r="{cell}"[^>]*><f>[^<]*</f>)<v\s*/?>(</v>)?'
                content, count = re.subn(
                    pattern.encode(), rb"\1<v>" + value.encode() + b"</v>", content
                )
                assert count == 1, content
            out.writestr(item, content)
    return target.getvalue()


def with_units(engine):
    """Migrate `engine` and add the pilot's reference units (no reporting rows)."""
    upgrade(engine)
    with Session(engine) as session, session.begin():
        ensure_units(session)
    return engine


def snapshot(engine) -> dict[str, tuple[int, int]]:
    """Row count and a hash of the rows of every table: equal snapshots, equal databases."""
    state = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = sorted(repr(tuple(row)) for row in connection.execute(select(table)))
            state[table.name] = (len(rows), hash(tuple(rows)))
    return state


def count(engine, model) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model))


# --- a realistic report --------------------------------------------------------------------

STAGES_J = (
    ("priority_identified", "2013-11-05"),
    ("programme_approved", "20.05.2014"),
    ("competition_announced", dt.date(2014, 11, 3)),
    ("bids_received", "2014-11-28"),
    ("winner_selected", "2014-12-04"),
    ("contract_signed", "2014-12-15"),
    ("implementation", "2014-12-22"),
    ("completed", "2015-08-30"),
    ("reported", "10.09.2015"),
)


def realistic() -> dict[str, list[dict]]:
    """A report of three municipalities as an oblast office would send it."""
    return {
        "population": [
            {"municipality_pcode": pcode, "year": year, "population": people, "source": source}
            for pcode, year, people, source in (
                (ARSTANBAP, 2013, "12 345", "Айыл өкмөтү"),
                (ARSTANBAP, 2014, f"12{NBSP}611", "Айыл өкмөтү"),
                (ARSTANBAP, 2015, 12_890, "Айыл өкмөтү"),
                (ARAL, 2013, f"8{NNBSP}102", "Нацстатком"),
                (ARAL, "2014", "8 240", "Нацстатком"),
                (ARAL, 2015, "8 377,0", "Нацстатком"),
                (SUMBULA, 2013, 20_115, "Census"),
                (SUMBULA, 2014, 20_504, "Census"),
                (SUMBULA, 2015, 20_880, "Census"),
            )
        ],
        "trainings": [
            {
                "oblast_pcode": JALAL_ABAD,
                "kind": "lsg",
                "title": "Социальный заказ для органов МСУ (Джалал-Абадская область)",
                "start_date": dt.date(2013, 10, 8),
                "end_date": "10.10.2013",
                "participants_lsg": 18,
                "participants_ngo": "2",
                "participants_initiative": 6,
                "participants_women": 11,
            },
            {
                "oblast_pcode": TALAS,
                "municipality_pcode": ARAL,
                "kind": "Finance",  # case does not matter for allowed values
                "title": "Кеңештин сессиясы: бюджеттеги социалдык заказ (Арал)",
                "start_date": "2014-04-15",
                "end_date": "2014-04-15",
                "participants_lsg": 12,
                "participants_women": 4,
            },
        ],
        "priorities": [
            {
                "municipality_pcode": pcode,
                "rank": rank,
                "votes": votes,
                "category": category,
                "title": title,
                "target_group": group,
                "identified_on": day,
            }
            for pcode, rank, votes, category, title, group, day in (
                (
                    ARSTANBAP,
                    1,
                    214,
                    "elderly_care",
                    "Нет ухода за одинокими пожилыми людьми",
                    "Одинокие пожилые люди",
                    "2013-11-05",
                ),
                (ARSTANBAP, 2, 180, "youth", KYRGYZ, "Жаштар", "2013-11-05"),
                (
                    ARAL,
                    1,
                    160,
                    "women",
                    "Безработица среди сельских женщин",
                    "Безработные женщины",
                    dt.date(2013, 10, 21),
                ),
                (ARAL, 2, 121, "health", "Анемия у матерей и детей", "Матери и дети", "21.10.2013"),
                (
                    SUMBULA,
                    1,
                    240,
                    "children",
                    "Дети без присмотра после школы",
                    "Дети",
                    "2013-12-02",
                ),
                (SUMBULA, 2, 199, "youth", "Нет досуга для молодежи", "Молодежь", "2013-12-02"),
            )
        ],
        "projects": [
            {
                "code": "MSP-J-01",
                "municipality_pcode": ARSTANBAP,
                "priority_rank": 1,
                "organisation": 'ОФ "Ак-Жол"',
                "sector": "elderly_care",
                "title": "Уход на дому за одинокими пожилыми людьми в Арстанбапе",
                "status": "completed",
                "expertise_score": 85,
            },
            {
                "code": "MSP-T-01",
                "municipality_pcode": ARAL,
                "priority_rank": "1",
                "organisation": 'Public Association "Talas Ayaldary"',
                "sector": "women",
                "title": "Vocational training for women in Aral " + SCRIPT,
                "status": "in progress",  # a space for the underscore is accepted
                "expertise_score": "78",
            },
            {
                "code": "MSP-B-01",
                "municipality_pcode": SUMBULA,
                "priority_rank": 2,
                "sector": "youth",
                "title": "Жаштар клубу — Сумбула",
                "status": "failed_competition",
            },
        ],
        "budget_lines": [
            {"project_code": code, "source": source, "amount": amount}
            for code, source, amount in (
                ("MSP-J-01", "local_budget", "1 234 567,89"),
                ("MSP-J-01", "giz_fund", 250_000.5),
                ("MSP-J-01", "co_financing", "12 000.10"),
                ("MSP-T-01", "local_budget", f"98{NBSP}500"),
                ("MSP-T-01", "giz_fund", "150000"),
                ("MSP-T-01", "co_financing", "0"),
                ("MSP-B-01", "local_budget", "60 000"),
            )
        ],
        "milestones": [
            {
                "project_code": "MSP-J-01",
                "stage": stage,
                "occurred_on": day,
                "bids_count": 3 if stage == "bids_received" else None,
            }
            for stage, day in STAGES_J
        ]
        + [
            {"project_code": "MSP-T-01", "stage": stage, "occurred_on": day}
            for stage, day in (
                ("priority_identified", "2013-10-21"),
                ("programme_approved", "2014-06-11"),
                ("competition_announced", "2015-03-10"),
                ("implementation", "2015-05-10"),
            )
        ]
        + [
            {
                "project_code": "MSP-B-01",
                "stage": "bids_received",
                "occurred_on": "2015-01-20",
                "bids_count": 0,
                "note": "Ни одной заявки: конкурс признан несостоявшимся.",
            }
        ],
        "budgets": [
            {
                "municipality_pcode": pcode,
                "year": year,
                "local_budget": local,
                "social_allocation": allocation,
                "executed": executed,
            }
            for pcode, year, local, allocation, executed in (
                (ARSTANBAP, 2013, "18 500 000", "0", "0"),
                (ARSTANBAP, 2014, "19 610 000", "60 000", "57 300,25"),
                (ARSTANBAP, 2015, 20_700_000, 1_234_567.89, "1 200 000"),
                (ARAL, 2013, "9 100 000", "0", "0"),
                (ARAL, 2014, "9 500 000", "45 000", "45 000"),
                (ARAL, 2015, "9 900 000", "98 500", "60 100"),
                (SUMBULA, 2013, "30 000 000", "0", "0"),
                (SUMBULA, 2014, "31 200 000", "50 000", "48 000"),
                (SUMBULA, 2015, "32 400 000", "60 000", "0"),
            )
        ],
        "visits": [
            {
                "project_code": "MSP-J-01",
                "visit_date": "2015-02-10",
                "rating": "on_track",
                "findings": SCRIPT,
            },
            {
                "project_code": "MSP-J-01",
                "visit_date": dt.date(2015, 6, 15),
                "rating": "minor issues",
                "findings": HYPERLINK,
            },
            {
                "project_code": "MSP-T-01",
                "visit_date": "01.07.2015",
                "rating": "at_risk",
                "findings": "Жергиликтүү бюджеттен төлөм кечигип жатат.\nКайра барабыз.",
            },
        ],
        "beneficiaries": [
            {
                "project_code": "MSP-J-01",
                "visit_date": "2015-06-15",
                "sex": sex,
                "age_group": age,
                "with_disability": disability,
                "count": people,
            }
            for sex, age, disability, people in (
                ("female", "60+", "no", 17),
                ("female", "60+", "да", 5),
                ("male", "60+", "жок", 9),
                ("male", "29-59", "yes", 2),
            )
        ],
        "indicators": [
            {
                "code": "MSP-PRG-01",
                "name": "Municipalities with a social order in the local budget",
                "unit": "municipalities",
                "baseline": "0",
                "target": 3,
            },
            {
                "code": "MSP-J-01-I1",
                "project_code": "MSP-J-01",
                "name": "Одинокие пожилые люди, получившие услугу",
                "unit": "человек",
                "baseline": 0,
                "target": "45",
            },
            {
                "code": "MSP-J-01-I2",
                "project_code": "MSP-J-01",
                "name": "Beneficiaries satisfied with the service",
                "unit": "%",
                "baseline": "0",
                "target": "80,5",
            },
        ],
        "indicator_values": [
            {"indicator_code": code, "period_start": start, "period_end": end, "actual": actual}
            for code, start, end, actual in (
                ("MSP-PRG-01", "2014-09-01", "2015-01-01", 3),
                ("MSP-PRG-01", "2015-01-01", "2015-07-01", "3"),
                ("MSP-PRG-01", "2015-07-01", "2015-11-01", 3),
                ("MSP-J-01-I1", "2015-01-01", "2015-07-01", "31"),
                ("MSP-J-01-I1", "2015-07-01", "2015-11-01", 44),
                ("MSP-J-01-I2", "2015-07-01", "2015-11-01", "71,25"),
            )
        ],
        "documents": [
            {
                "url": "/documents/recommendations-legal-framework.pdf",
                "kind": "recommendations",
                "title": "Рекомендации по правовой базе социального заказа",
                "issued_on": "2015-10-20",
            },
            {
                "url": "https://dpi.kg/docs/MSP-J-01-contract.pdf",
                "project_code": "MSP-J-01",
                "municipality_pcode": ARSTANBAP,
                "kind": "contract",
                "title": "Договор социального заказа MSP-J-01",
                "issued_on": "15.12.2014",
            },
        ],
        "exchange_rates": [
            {"currency": currency, "on_date": day, "rate": rate, "source": "NBKR"}
            for currency, day, rate in (
                ("USD", "2014-03-01", "54,5000"),
                ("USD", "2015-03-01", 61.8),
                ("EUR", "2014-03-01", "75.2110"),
                ("eur", "2015-03-01", "67,0011"),
            )
        ],
    }


#: rows of the realistic report per table
REALISTIC_COUNTS = {key: len(rows) for key, rows in realistic().items()}


@pytest.fixture(scope="module")
def units_sqlite(tmp_path_factory):
    """A SQLite database with the pilot's units and nothing else (read-only use)."""
    engine = with_units(make_engine(sqlite_url(tmp_path_factory.mktemp("units") / "u.sqlite")))
    yield engine
    engine.dispose()


# --- the tables and the templates ----------------------------------------------------------


def test_headers_name_one_column_each():
    """In every table, each header (in any language) and key names exactly one column."""
    for table in TABLES:
        seen: dict[str, str] = {}
        for column in table.columns:
            for name in {column.key, column.en, column.ru, column.ky}:
                alias = normalise_header(name)
                assert seen.setdefault(alias, column.key) == column.key, (table.key, name)
                assert column_for_header(table, name) is column
        assert len(table.sheet_name("en")) <= 31
        assert len(table.sheet_name("ky")) <= 31
        for lang in LANGUAGES:
            assert table_for_sheet(table.sheet_name(lang)) is table
            assert table_for_sheet(table.sheet_name(lang).upper()) is table


def test_loaders_read_the_columns_of_their_table(units_sqlite):
    """A database record has exactly the sheet's columns (plus the phase of dated tables)."""
    engine = units_sqlite
    with Session(engine) as session:
        for table in TABLES:
            statement = records._LOADERS[table.key]()
            names = [c.name for c in statement.selected_columns]
            expected = ["id", *(c.key for c in table.columns)]
            if table.key in records.DATED:
                expected.append("phase")
            assert sorted(names) == sorted(expected), table.key
            session.execute(statement).all()  # the statement runs


@pytest.mark.parametrize("lang", LANGUAGES)
def test_template_workbook(units_sqlite, lang):
    data = templates.template_workbook(lang)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames[0] == {"en": "About", "ru": "О файле", "ky": "Файл жөнүндө"}[lang]
    assert workbook.sheetnames[1:] == [table.sheet_name(lang) for table in TABLES]
    projects = workbook[BY_KEY["projects"].sheet_name(lang)]
    header = [cell.value for cell in projects[1]]
    assert header[0] == BY_KEY["projects"].column("code").header(lang) + " *"
    assert header[2] == BY_KEY["projects"].column("priority_rank").header(lang)  # optional
    assert "MSP-J-01" in projects["A1"].comment.text  # the column's note
    status = [column.key for column in BY_KEY["projects"].columns].index("status") + 1
    status_note = projects.cell(1, status).comment.text
    assert "failed_competition" in status_note
    lists = [v for v in projects.data_validations.dataValidation if v.type == "list"]
    assert any("in_progress" in v.formula1 for v in lists)
    assert projects["A2"].value == "EXAMPLE-01"  # an example row
    # importing the untouched template imports nothing, and says the examples were skipped
    summary = pipeline.dry_run(units_sqlite, data, f"template-{lang}.xlsx")
    assert summary.rejections == []
    assert summary.changed == 0
    assert len(summary.notes) == sum(len(t.examples) for t in TABLES)
    assert set(summary.tables) == {t.key for t in TABLES}


def test_example_rows_are_valid_when_edited(units_sqlite):
    """Each example row, once changed (here: its key), is a valid row of its table.

    Rows referring to the example project need it: the example rows of every table together,
    with the example code replaced, form a valid report.
    """
    data = {
        table.key: [
            {
                k: v.replace("EXAMPLE-01", "MSP-X-01").replace("Example: ", "")
                for k, v in example.items()
            }
            for example in table.examples
        ]
        for table in TABLES
    }
    data["budgets"][0]["year"] = "2015"  # the one example without text to change
    summary = pipeline.dry_run(units_sqlite, book(data), "edited.xlsx")
    assert summary.rejections == []
    assert summary.notes == []
    assert {k: c.created for k, c in summary.tables.items() if k in BY_KEY} == {
        t.key: 1 for t in TABLES
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_csv_templates(units_sqlite, lang):
    files = templates.template_csv_files(lang)
    assert list(files) == [f"{table.key}.csv" for table in TABLES]
    projects = files["projects.csv"]
    assert projects.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads UTF-8
    first_line = projects.decode("utf-8-sig").splitlines()[0]
    assert first_line.split(";")[0] == BY_KEY["projects"].column("code").header(lang) + " *"
    for name, data in files.items():
        summary = pipeline.dry_run(units_sqlite, data, name)
        assert summary.rejections == [], name
        assert summary.changed == 0, name
        assert len(summary.notes) == 1, name
