"""The reporting tables of the spreadsheet template: one spec per sheet.

A `TableSpec` names its sheet and its columns in English, Russian and Kyrgyz (a file may use
any of the three, even mixed), gives each column a type, says which columns are required and
which form the table's natural key, and lists the template's example rows. The order of
`TABLES` is the order of the template's sheets and the order the import processes them in
(a table comes after every table it refers to).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from queries.models import (
    AgeGroup,
    Currency,
    DocumentKind,
    FundingSource,
    ProjectStatus,
    Rating,
    Sector,
    Sex,
    Stage,
    TrainingKind,
)

# Column kinds: how a cell's text becomes a value (see rules.py for the parsers).
TEXT, CODE, PCODE, INTEGER, YEAR, MONEY, RATE, MEASURE, DATE, CHOICE, BOOL, URL = (
    "text",
    "code",
    "pcode",
    "integer",
    "year",
    "money",
    "rate",
    "measure",
    "date",
    "choice",
    "bool",
    "url",
)
#: where a date must fall: inside the programme [start, end), or as an exclusive end (start, end]
IN_PROGRAMME, PERIOD_END = "in_programme", "period_end"

#: the longest text accepted in a free-text (Text) column
LONG_TEXT = 10_000

LANGUAGES = ("en", "ru", "ky")


def _values(members) -> tuple[str, ...]:
    return tuple(member.value for member in members)


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its key, its headers, its type and its rules."""

    key: str
    en: str
    ru: str
    ky: str
    kind: str = TEXT
    required: bool = True
    max_length: int | None = None  # text kinds
    choices: tuple[str, ...] = ()  # CHOICE
    minimum: int | None = 0  # INTEGER
    maximum: int | None = 2**31 - 1  # INTEGER
    dates: str | None = None  # DATE: IN_PROGRAMME or PERIOD_END
    default: object = None  # the value of a blank cell in an optional column
    note_en: str = ""
    note_ru: str = ""

    def header(self, lang: str) -> str:
        return getattr(self, lang)

    def note(self, lang: str) -> str:
        """The column-specific part of the header's note (Kyrgyz falls back to Russian)."""
        return self.note_en if lang == "en" else (self.note_ru or self.note_en)


@dataclass(frozen=True)
class TableSpec:
    """One reporting table as a sheet of the template."""

    key: str
    en: str
    ru: str
    ky: str
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]
    examples: tuple[dict[str, str], ...] = ()
    note_en: str = ""
    note_ru: str = ""
    by_key: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "by_key", {c.key: c for c in self.columns})
        for name in self.natural_key:
            assert name in self.by_key, (self.key, name)

    def sheet_name(self, lang: str) -> str:
        return getattr(self, lang)

    def column(self, key: str) -> Column:
        return self.by_key[key]


def normalise_header(text: str) -> str:
    """A header or sheet name as compared: NFC, case-folded, spaces collapsed, "*" dropped."""
    text = unicodedata.normalize("NFC", text).replace("*", " ")
    return re.sub(r"\s+", " ", text).strip().casefold()


# --- shared columns ----------------------------------------------------------------------


def _pcode(key: str = "municipality_pcode", required: bool = True) -> Column:
    return Column(
        key,
        "Municipality P-code",
        "P-код муниципалитета",
        "Муниципалитеттин P-коду",
        PCODE,
        required=required,
        max_length=13,
        note_en="OCHA P-code of the ayil aimak, town or city, e.g. KG03207826000.",
        note_ru="P-код OCHA айыл аймака, города или поселка, например KG03207826000.",
    )


def _project(required: bool = True) -> Column:
    return Column(
        "project_code",
        "Project code",
        "Код проекта",
        "Долбоордун коду",
        CODE,
        required=required,
        max_length=40,
        note_en="The code of a project in the sheet Projects or already in the database.",
        note_ru="Код проекта с листа «Проекты» или уже имеющегося в базе.",
    )


def _year() -> Column:
    return Column(
        "year",
        "Year",
        "Год",
        "Жыл",
        YEAR,
        note_en="A year of the programme.",
        note_ru="Год программы.",
    )


def _money(key: str, en: str, ru: str, ky: str) -> Column:
    return Column(key, en, ru, ky, MONEY, note_en="In som.", note_ru="В сомах.")


def _count(key: str, en: str, ru: str, ky: str, required: bool = True) -> Column:
    """A number of people; when optional, a blank cell is 0."""
    return Column(key, en, ru, ky, INTEGER, required=required, default=None if required else 0)


def _source(max_length: int = 300) -> Column:
    return Column(
        "source",
        "Source",
        "Источник",
        "Булак",
        TEXT,
        max_length=max_length,
        note_en="Where the figure comes from (e.g. the ayil okmotu's report).",
        note_ru="Откуда взята цифра (например, отчет айыл окмоту).",
    )


ARSTANBAP = "KG03207826000"

# --- the tables ----------------------------------------------------------------------------

POPULATION = TableSpec(
    "population",
    "Municipalities",
    "Муниципалитеты",
    "Муниципалитеттер",
    (
        _pcode(),
        _year(),
        _count("population", "Population", "Население", "Калкы"),
        _source(),
    ),
    natural_key=("municipality_pcode", "year"),
    examples=(
        {
            "municipality_pcode": ARSTANBAP,
            "year": "2014",
            "population": "12 345",
            "source": "Example: ayil okmotu",
        },
    ),
    note_en="Population of a municipality per year.",
    note_ru="Население муниципалитета по годам.",
)

TRAININGS = TableSpec(
    "trainings",
    "Trainings",
    "Обучения",
    "Окуулар",
    (
        Column(
            "oblast_pcode",
            "Oblast P-code",
            "P-код области",
            "Облустун P-коду",
            PCODE,
            max_length=13,
            note_en="e.g. KG03000000000 (Jalal-Abad), KG05000000000 (Batken), "
            "KG07000000000 (Talas).",
            note_ru="например KG03000000000 (Джалал-Абад), KG05000000000 (Баткен), "
            "KG07000000000 (Талас).",
        ),
        _pcode(required=False),
        Column(
            "kind",
            "Kind",
            "Вид",
            "Түрү",
            CHOICE,
            choices=_values(TrainingKind),
        ),
        Column("title", "Title", "Название", "Аталышы", TEXT, max_length=300),
        Column(
            "start_date",
            "Start date",
            "Дата начала",
            "Башталган күнү",
            DATE,
            dates=IN_PROGRAMME,
        ),
        Column(
            "end_date",
            "End date (last day)",
            "Дата окончания (последний день)",
            "Аяктаган күнү (акыркы күн)",
            DATE,
            dates=IN_PROGRAMME,
        ),
        _count(
            "participants_lsg",
            "Participants: local self-government",
            "Участники: органы МСУ",
            "Катышуучулар: ЖӨБ органдары",
            required=False,
        ),
        _count(
            "participants_ngo",
            "Participants: NGOs",
            "Участники: НКО",
            "Катышуучулар: КЭУ",
            required=False,
        ),
        _count(
            "participants_initiative",
            "Participants: initiative groups",
            "Участники: инициативные группы",
            "Катышуучулар: демилгелүү топтор",
            required=False,
        ),
        _count(
            "participants_women",
            "Of them women",
            "Из них женщин",
            "Алардын ичинен аялдар",
            required=False,
        ),
    ),
    natural_key=("title", "start_date"),
    examples=(
        {
            "oblast_pcode": "KG03000000000",
            "municipality_pcode": ARSTANBAP,
            "kind": "lsg",
            "title": "Example: participatory appraisal workshop",
            "start_date": "2013-10-08",
            "end_date": "10.10.2013",
            "participants_lsg": "18",
            "participants_ngo": "2",
            "participants_initiative": "6",
            "participants_women": "11",
        },
    ),
    note_en="One training event; a blank number of participants is 0.",
    note_ru="Одно обучение; пустое число участников — 0.",
)

PRIORITIES = TableSpec(
    "priorities",
    "Priority issues",
    "Приоритетные проблемы",
    "Артыкчылыктуу көйгөйлөр",
    (
        _pcode(),
        Column(
            "rank",
            "Rank",
            "Ранг",
            "Орду",
            INTEGER,
            minimum=1,
            maximum=100,
            note_en="1 = the issue the community ranked first.",
            note_ru="1 — проблема, которую сообщество поставило на первое место.",
        ),
        _count("votes", "Votes", "Голоса", "Добуштар"),
        Column("category", "Sector", "Сектор", "Тармак", CHOICE, choices=_values(Sector)),
        Column("title", "Issue", "Проблема", "Көйгөй", TEXT, max_length=300),
        Column(
            "target_group",
            "Target group",
            "Целевая группа",
            "Максаттуу топ",
            TEXT,
            max_length=200,
        ),
        Column(
            "identified_on",
            "Identified on",
            "Дата выявления",
            "Аныкталган күнү",
            DATE,
            dates=IN_PROGRAMME,
        ),
    ),
    natural_key=("municipality_pcode", "rank"),
    examples=(
        {
            "municipality_pcode": ARSTANBAP,
            "rank": "1",
            "votes": "214",
            "category": "elderly_care",
            "title": "Example: no care for lonely elderly people",
            "target_group": "Lonely elderly people",
            "identified_on": "2013-11-05",
        },
    ),
)

PROJECTS = TableSpec(
    "projects",
    "Projects",
    "Проекты",
    "Долбоорлор",
    (
        Column(
            "code",
            "Project code",
            "Код проекта",
            "Долбоордун коду",
            CODE,
            max_length=40,
            note_en="A unique code, e.g. MSP-J-01.",
            note_ru="Уникальный код, например MSP-J-01.",
        ),
        _pcode(),
        Column(
            "priority_rank",
            "Priority issue rank",
            "Ранг приоритетной проблемы",
            "Артыкчылыктуу көйгөйдүн орду",
            INTEGER,
            required=False,
            minimum=1,
            maximum=100,
            note_en="The rank of the municipality's priority issue the project addresses.",
            note_ru="Ранг приоритетной проблемы муниципалитета, которую решает проект.",
        ),
        Column(
            "organisation",
            "NGO",
            "НКО",
            "КЭУ",
            TEXT,
            required=False,
            max_length=300,
            note_en="The provider's name, exactly as elsewhere; blank before a contract.",
            note_ru="Название поставщика, как в других строках; пусто до договора.",
        ),
        Column("sector", "Sector", "Сектор", "Тармак", CHOICE, choices=_values(Sector)),
        Column("title", "Title", "Название", "Аталышы", TEXT, max_length=300),
        Column(
            "status",
            "Status",
            "Статус",
            "Абалы",
            CHOICE,
            choices=_values(ProjectStatus),
        ),
        Column(
            "expertise_score",
            "Expertise score (0–100)",
            "Оценка экспертизы (0–100)",
            "Экспертизанын баасы (0–100)",
            INTEGER,
            required=False,
            maximum=100,
        ),
    ),
    natural_key=("code",),
    examples=(
        {
            "code": "EXAMPLE-01",
            "municipality_pcode": ARSTANBAP,
            "priority_rank": "1",
            "organisation": 'Example: Public Association "Arstanbap Demilgesi"',
            "sector": "elderly_care",
            "title": "Example: home-based social care for lonely elderly people",
            "status": "contracted",
            "expertise_score": "82",
        },
    ),
)

BUDGET_LINES = TableSpec(
    "budget_lines",
    "Budget lines",
    "Статьи бюджета",
    "Бюджеттик беренелер",
    (
        _project(),
        Column(
            "source",
            "Funding source",
            "Источник финансирования",
            "Каржылоо булагы",
            CHOICE,
            choices=_values(FundingSource),
        ),
        _money("amount", "Amount, som", "Сумма, сом", "Суммасы, сом"),
    ),
    natural_key=("project_code", "source"),
    examples=({"project_code": "EXAMPLE-01", "source": "local_budget", "amount": "120 000,50"},),
)

MILESTONES = TableSpec(
    "milestones",
    "Milestones",
    "Этапы закупки",
    "Сатып алуу баскычтары",
    (
        _project(),
        Column("stage", "Stage", "Этап", "Баскыч", CHOICE, choices=_values(Stage)),
        Column("occurred_on", "Date", "Дата", "Күнү", DATE, dates=IN_PROGRAMME),
        Column(
            "bids_count",
            "Bids received",
            "Получено заявок",
            "Келип түшкөн табыштамалар",
            INTEGER,
            required=False,
            maximum=1000,
            note_en="Only at the stage bids_received.",
            note_ru="Только на этапе bids_received.",
        ),
        Column(
            "note",
            "Note",
            "Примечание",
            "Эскертүү",
            TEXT,
            required=False,
            max_length=LONG_TEXT,
        ),
    ),
    natural_key=("project_code", "stage"),
    examples=(
        {
            "project_code": "EXAMPLE-01",
            "stage": "bids_received",
            "occurred_on": "2014-11-20",
            "bids_count": "3",
            "note": "",
        },
    ),
)

BUDGETS = TableSpec(
    "budgets",
    "Budgets",
    "Бюджеты",
    "Бюджеттер",
    (
        _pcode(),
        _year(),
        _money(
            "local_budget", "Local budget, som", "Местный бюджет, сом", "Жергиликтүү бюджет, сом"
        ),
        _money(
            "social_allocation",
            "Social order allocation, som",
            "Средства на социальный заказ, сом",
            "Социалдык заказга каражат, сом",
        ),
        _money("executed", "Executed, som", "Исполнено, сом", "Аткарылды, сом"),
    ),
    natural_key=("municipality_pcode", "year"),
    examples=(
        {
            "municipality_pcode": ARSTANBAP,
            "year": "2014",
            "local_budget": "18 500 000",
            "social_allocation": "60 000",
            "executed": "57 300,25",
        },
    ),
    note_en="A municipality's budget for one year.",
    note_ru="Бюджет муниципалитета за один год.",
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

EXCHANGE_RATES = TableSpec(
    "exchange_rates",
    "Exchange rates",
    "Курсы валют",
    "Валюта курстары",
    (
        Column(
            "currency",
            "Currency",
            "Валюта",
            "Валютасы",
            CHOICE,
            choices=_values(Currency),
        ),
        Column("on_date", "Date", "Дата", "Күнү", DATE),
        Column(
            "rate",
            "Som per unit",
            "Сомов за единицу",
            "Бир бирдик үчүн сом",
            RATE,
            note_en="At most 4 decimals, e.g. 53,6512.",
            note_ru="Не более 4 знаков после запятой, например 53,6512.",
        ),
        _source(max_length=200),
    ),
    natural_key=("currency", "on_date"),
    examples=(
        {"currency": "USD", "on_date": "2014-03-01", "rate": "54,5000", "source": "Example: NBKR"},
    ),
)

#: Every table of the template, in sheet order = processing order.
TABLES: tuple[TableSpec, ...] = (
    POPULATION,
    TRAININGS,
    PRIORITIES,
    PROJECTS,
    BUDGET_LINES,
    MILESTONES,
    BUDGETS,
    VISITS,
    BENEFICIARIES,
    INDICATORS,
    INDICATOR_VALUES,
    DOCUMENTS,
    EXCHANGE_RATES,
)
BY_KEY: dict[str, TableSpec] = {table.key: table for table in TABLES}

#: the sheet of explanations in the template and in exports; skipped on import
ABOUT_SHEET = {"en": "About", "ru": "О файле", "ky": "Файл жөнүндө"}
#: the error column of a file of rejected rows; ignored on import
ERRORS_HEADER = {"en": "Errors", "ru": "Ошибки", "ky": "Катачылыктар"}
#: "row 3: …" in the error column: the row's number in the file that was imported
ROW_WORD = {"en": "row", "ru": "строка", "ky": "сап"}
IGNORED_HEADERS = frozenset(normalise_header(name) for name in ERRORS_HEADER.values())


def _sheet_aliases() -> dict[str, TableSpec]:
    aliases: dict[str, TableSpec] = {}
    for table in TABLES:
        for name in (table.key, table.en, table.ru, table.ky):
            aliases[normalise_header(name)] = table
    return aliases


SHEET_ALIASES = _sheet_aliases()
ABOUT_ALIASES = frozenset(normalise_header(name) for name in ABOUT_SHEET.values())


def table_for_sheet(name: str) -> TableSpec | None:
    """The table a sheet (or a CSV file's name without extension) holds, by any of its names."""
    return SHEET_ALIASES.get(normalise_header(name))


def is_about_sheet(name: str) -> bool:
    return normalise_header(name) in ABOUT_ALIASES


def column_for_header(table: TableSpec, header: str) -> Column | None:
    """The column a header names: its English, Russian or Kyrgyz header, or its key."""
    wanted = normalise_header(header)
    for column in table.columns:
        if wanted in {normalise_header(h) for h in (column.key, column.en, column.ru, column.ky)}:
            return column
    return None
