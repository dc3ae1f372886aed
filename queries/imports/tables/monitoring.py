"""What the projects achieved: monitoring visits, beneficiaries, indicators and their values,
and the documents."""

from __future__ import annotations

from queries.imports.tables.base import (
    ARSTANBAP,
    BOOL,
    CHOICE,
    CODE,
    DATE,
    IN_PROGRAMME,
    LONG_TEXT,
    MEASURE,
    PERIOD_END,
    TEXT,
    URL,
    Column,
    TableSpec,
    _count,
    _pcode,
    _project,
    _values,
)
from queries.models import (
    AgeGroup,
    DocumentKind,
    Rating,
    Sex,
)

VISITS = TableSpec(
    "visits",
    "Monitoring visits",
    "Мониторинговые визиты",
    "Мониторинг сапарлары",
    (
        _project(),
        Column(
            "visit_date", "Visit date", "Дата визита", "Сапардын күнү", DATE, dates=IN_PROGRAMME
        ),
        Column("rating", "Rating", "Оценка", "Баа", CHOICE, choices=_values(Rating)),
        Column(
            "findings",
            "Findings",
            "Выводы",
            "Жыйынтыктар",
            TEXT,
            required=False,
            max_length=LONG_TEXT,
            default="",
        ),
    ),
    natural_key=("project_code", "visit_date"),
    examples=(
        {
            "project_code": "EXAMPLE-01",
            "visit_date": "2015-04-14",
            "rating": "on_track",
            "findings": "Example: activities carried out as planned.",
        },
    ),
)


BENEFICIARIES = TableSpec(
    "beneficiaries",
    "Beneficiaries",
    "Благополучатели",
    "Пайда алуучулар",
    (
        _project(),
        Column(
            "visit_date",
            "Visit date",
            "Дата визита",
            "Сапардын күнү",
            DATE,
            dates=IN_PROGRAMME,
            note_en="The date of a visit in the sheet Monitoring visits.",
            note_ru="Дата визита с листа «Мониторинговые визиты».",
        ),
        Column("sex", "Sex", "Пол", "Жынысы", CHOICE, choices=_values(Sex)),
        Column(
            "age_group",
            "Age group",
            "Возрастная группа",
            "Курак тобу",
            CHOICE,
            choices=_values(AgeGroup),
        ),
        Column(
            "with_disability",
            "With disability",
            "С инвалидностью",
            "Майыптыгы бар",
            BOOL,
        ),
        _count("count", "People", "Человек", "Адам"),
    ),
    natural_key=("project_code", "visit_date", "sex", "age_group", "with_disability"),
    examples=(
        {
            "project_code": "EXAMPLE-01",
            "visit_date": "2015-04-14",
            "sex": "female",
            "age_group": "60+",
            "with_disability": "no",
            "count": "17",
        },
    ),
    note_en="People a project had reached by a visit, by sex, age group and disability.",
    note_ru="Охват проекта на дату визита: по полу, возрасту и инвалидности.",
)


INDICATORS = TableSpec(
    "indicators",
    "Indicators",
    "Индикаторы",
    "Индикаторлор",
    (
        Column(
            "code",
            "Indicator code",
            "Код индикатора",
            "Индикатордун коду",
            CODE,
            max_length=40,
        ),
        _project(required=False),
        Column("name", "Indicator", "Индикатор", "Индикатордун аталышы", TEXT, max_length=300),
        Column("unit", "Unit", "Единица", "Бирдиги", TEXT, max_length=40),
        Column("baseline", "Baseline", "Исходное значение", "Баштапкы маани", MEASURE),
        Column("target", "Target", "Целевое значение", "Максаттуу маани", MEASURE),
    ),
    natural_key=("code",),
    examples=(
        {
            "code": "EXAMPLE-01-I1",
            "project_code": "EXAMPLE-01",
            "name": "Example: lonely elderly people reached by the service",
            "unit": "persons",
            "baseline": "0",
            "target": "45",
        },
    ),
    note_en="A blank project code makes a programme-level indicator.",
    note_ru="Пустой код проекта — индикатор уровня программы.",
)


INDICATOR_VALUES = TableSpec(
    "indicator_values",
    "Indicator values",
    "Значения индикаторов",
    "Индикаторлордун маанилери",
    (
        Column(
            "indicator_code",
            "Indicator code",
            "Код индикатора",
            "Индикатордун коду",
            CODE,
            max_length=40,
        ),
        Column(
            "period_start",
            "Period start",
            "Начало периода",
            "Мезгилдин башы",
            DATE,
            dates=IN_PROGRAMME,
        ),
        Column(
            "period_end",
            "Period end (exclusive)",
            "Конец периода (не включая)",
            "Мезгилдин аягы (кошулбайт)",
            DATE,
            dates=PERIOD_END,
            note_en="The first day after the period: the value is reported as of this day.",
            note_ru="Первый день после периода: значение на эту дату.",
        ),
        Column("actual", "Actual value", "Фактическое значение", "Иш жүзүндөгү маани", MEASURE),
    ),
    natural_key=("indicator_code", "period_start"),
    examples=(
        {
            "indicator_code": "EXAMPLE-01-I1",
            "period_start": "2015-01-01",
            "period_end": "2015-07-01",
            "actual": "31",
        },
    ),
)


DOCUMENTS = TableSpec(
    "documents",
    "Documents",
    "Документы",
    "Документтер",
    (
        Column(
            "url",
            "Link",
            "Ссылка",
            "Шилтеме",
            URL,
            max_length=1000,
            note_en="https://… or a path on this site (/documents/…); identifies the document.",
            note_ru="https://… или путь на этом сайте (/documents/…); определяет документ.",
        ),
        _project(required=False),
        _pcode(required=False),
        Column(
            "kind",
            "Kind",
            "Вид",
            "Түрү",
            CHOICE,
            choices=_values(DocumentKind),
        ),
        Column("title", "Title", "Название", "Аталышы", TEXT, max_length=300),
        Column(
            "issued_on",
            "Issued on",
            "Дата документа",
            "Документтин күнү",
            DATE,
            dates=IN_PROGRAMME,
        ),
    ),
    natural_key=("url",),
    examples=(
        {
            "url": "https://example.org/example-contract.pdf",
            "project_code": "EXAMPLE-01",
            "municipality_pcode": ARSTANBAP,
            "kind": "contract",
            "title": "Example: social order contract",
            "issued_on": "2014-12-10",
        },
    ),
)
