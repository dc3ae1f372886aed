"""What the projects achieved: monitoring visits, beneficiaries, indicators and their values,
and the documents."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from queries.imports.rules import quote
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
    Checks,
    Column,
    Record,
    References,
    TableSpec,
    _count,
    _pcode,
    _project,
    _values,
    check_texts,
    derive_lang,
    load_texts,
    text_values,
    texts_columns,
)
from queries.models import (
    AgeGroup,
    Beneficiaries,
    Document,
    DocumentKind,
    Indicator,
    IndicatorValue,
    MonitoringVisit,
    Phase,
    Rating,
    Sex,
    SocialProject,
)


def _load_visits():
    return (
        select(
            MonitoringVisit.id,
            SocialProject.code.label("project_code"),
            MonitoringVisit.visit_date,
            MonitoringVisit.rating,
            *load_texts(MonitoringVisit, "findings"),
            Phase.number.label("phase"),
        )
        .join(SocialProject, SocialProject.id == MonitoringVisit.project_id)
        .join(Phase, Phase.id == MonitoringVisit.phase_id)
    )


def _visit_values(refs: References, r: Record) -> dict:
    return {
        "phase_id": refs.phase_id(r),
        "project_id": refs.id("projects", (r["project_code"],)),
        "visit_date": r["visit_date"],
        "rating": Rating(r["rating"]),
        **_findings(r),
    }


def _findings(r: Record) -> dict:
    """Findings are optional: none is an empty English text."""
    if any(r.get(f"findings{s}") for s in ("", "_ru", "_ky")):
        return text_values(r, "findings")
    return {"findings_en": "", "findings_ru": None, "findings_ky": None, "findings_lang": "en"}


def _check_visit(checks: Checks) -> None:
    checks.project()
    if any(checks.record.get(f"findings{s}") for s in ("", "_ru", "_ky")):
        check_texts(checks, "findings", "Findings")
    else:  # no findings: an empty English text
        derive_lang(checks.record, "findings", default="en")


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
        # findings are optional: blank in every language is an empty English text
        dataclasses.replace(
            texts_columns("findings", "Findings", "Выводы", "Жыйынтыктар", LONG_TEXT)[0],
            default="",
        ),
        *texts_columns("findings", "Findings", "Выводы", "Жыйынтыктар", LONG_TEXT)[1:],
    ),
    natural_key=("project_code", "visit_date"),
    model=MonitoringVisit,
    load=_load_visits,
    dated="visit_date",
    check=_check_visit,
    values=_visit_values,
    referred=True,
    examples=(
        {
            "project_code": "EXAMPLE-01",
            "visit_date": "2015-04-14",
            "rating": "on_track",
            "findings": "Example: activities carried out as planned.",
        },
    ),
)


def _load_beneficiaries():
    return (
        select(
            Beneficiaries.id,
            SocialProject.code.label("project_code"),
            MonitoringVisit.visit_date,
            Beneficiaries.sex,
            Beneficiaries.age_group,
            Beneficiaries.with_disability,
            Beneficiaries.count,
        )
        .join(MonitoringVisit, MonitoringVisit.id == Beneficiaries.visit_id)
        .join(SocialProject, SocialProject.id == MonitoringVisit.project_id)
    )


def _check_beneficiaries(checks: Checks) -> None:
    if checks.project() is None:
        return
    code, day = checks.record["project_code"], checks.record["visit_date"]
    if checks.world.record("visits", (code, day)) is None:
        checks.add("visit_date", "E-REF-VISIT", value=day.isoformat(), project=code)


def _beneficiaries_values(refs: References, r: Record) -> dict:
    return {
        "visit_id": refs.id("visits", (r["project_code"], r["visit_date"])),
        "sex": Sex(r["sex"]),
        "age_group": AgeGroup(r["age_group"]),
        "with_disability": r["with_disability"],
        "count": r["count"],
    }


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
    model=Beneficiaries,
    load=_load_beneficiaries,
    check=_check_beneficiaries,
    values=_beneficiaries_values,
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


def _load_indicators():
    return select(
        Indicator.id,
        Indicator.code,
        SocialProject.code.label("project_code"),
        *load_texts(Indicator, "name"),
        Indicator.unit,
        Indicator.baseline,
        Indicator.target,
    ).outerjoin(SocialProject, SocialProject.id == Indicator.project_id)


def _check_indicator(checks: Checks) -> None:
    checks.project()
    check_texts(checks, "name", "Indicator")


def _indicator_values(refs: References, r: Record) -> dict:
    return {
        "programme_id": refs.programme_id,
        "code": r["code"],
        "project_id": refs.id("projects", (r["project_code"],)) if r["project_code"] else None,
        **text_values(r, "name"),
        "unit": r["unit"],
        "baseline": r["baseline"],
        "target": r["target"],
    }


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
        *texts_columns("name", "Indicator", "Индикатор", "Индикатордун аталышы", 300),
        Column("unit", "Unit", "Единица", "Бирдиги", TEXT, max_length=40),
        Column("baseline", "Baseline", "Исходное значение", "Баштапкы маани", MEASURE),
        Column("target", "Target", "Целевое значение", "Максаттуу маани", MEASURE),
    ),
    natural_key=("code",),
    model=Indicator,
    load=_load_indicators,
    check=_check_indicator,
    values=_indicator_values,
    referred=True,
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


def _load_indicator_values():
    return (
        select(
            IndicatorValue.id,
            Indicator.code.label("indicator_code"),
            IndicatorValue.period_start,
            IndicatorValue.period_end,
            IndicatorValue.actual,
            Phase.number.label("phase"),
        )
        .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
        .join(Phase, Phase.id == IndicatorValue.phase_id)
    )


def _check_indicator_value(checks: Checks) -> None:
    code = checks.record["indicator_code"]
    if checks.world.record("indicators", (code,)) is None:
        checks.add("indicator_code", "E-REF-INDICATOR", value=quote(code))
    checks.order("period_start", "period_end", same_day=False)


def _indicator_value_values(refs: References, r: Record) -> dict:
    return {
        "phase_id": refs.phase_id(r),
        "indicator_id": refs.id("indicators", (r["indicator_code"],)),
        "period_start": r["period_start"],
        "period_end": r["period_end"],
        "actual": r["actual"],
    }


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
    model=IndicatorValue,
    load=_load_indicator_values,
    dated="period_start",
    check=_check_indicator_value,
    values=_indicator_value_values,
    examples=(
        {
            "indicator_code": "EXAMPLE-01-I1",
            "period_start": "2015-01-01",
            "period_end": "2015-07-01",
            "actual": "31",
        },
    ),
)


def _load_documents():
    return (
        select(
            Document.id,
            Document.url,
            SocialProject.code.label("project_code"),
            Document.municipality_pcode,
            Document.kind,
            *load_texts(Document, "title"),
            Document.issued_on,
            Phase.number.label("phase"),
        )
        .outerjoin(SocialProject, SocialProject.id == Document.project_id)
        .join(Phase, Phase.id == Document.phase_id)
    )


def _check_document(checks: Checks) -> None:
    check_texts(checks, "title", "Title")
    project = checks.project()
    checks.municipality()
    pcode = checks.record["municipality_pcode"]
    if (
        project is not None
        and pcode is not None
        and pcode in checks.world.municipalities
        and project["municipality_pcode"] != pcode
    ):
        checks.add(
            "municipality_pcode",
            "E-PROJECT-MUNICIPALITY",
            value=quote(pcode),
            project=checks.record["project_code"],
            actual=project["municipality_pcode"],
        )


def _document_values(refs: References, r: Record) -> dict:
    return {
        "programme_id": refs.programme_id,
        "phase_id": refs.phase_id(r),
        "project_id": refs.id("projects", (r["project_code"],)) if r["project_code"] else None,
        "municipality_pcode": r["municipality_pcode"],
        "kind": DocumentKind(r["kind"]),
        **text_values(r, "title"),
        "url": r["url"],
        "issued_on": r["issued_on"],
    }


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
            note_en="https://… or a path on this site (/documents/…); identifies the document. "
            "The file of a /documents/ path is uploaded on the Data page (Document files) or "
            "with aimak documents attach.",
            note_ru="https://… или путь на этом сайте (/documents/…); определяет документ. "
            "Файл для пути /documents/ загружается на странице «Данные» (Файлы документов) или "
            "командой aimak documents attach.",
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
        *texts_columns("title", "Title", "Название", "Аталышы", 300),
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
    model=Document,
    load=_load_documents,
    dated="issued_on",
    check=_check_document,
    values=_document_values,
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
