"""The social procurement process: trainings, priority issues, projects, their budget lines and
procurement milestones."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from queries.imports.rules import quote
from queries.imports.tables.base import (
    ARSTANBAP,
    CHOICE,
    CODE,
    DATE,
    IN_PROGRAMME,
    INTEGER,
    LONG_TEXT,
    PCODE,
    TEXT,
    Checks,
    Column,
    Record,
    References,
    TableSpec,
    _count,
    _money,
    _pcode,
    _project,
    _values,
    check_names,
    check_texts,
    derive_lang,
    given_names,
    load_texts,
    text_values,
    texts_columns,
)
from queries.models import (
    BudgetLine,
    FundingSource,
    Organisation,
    Phase,
    PriorityIssue,
    ProcurementMilestone,
    ProjectStatus,
    Sector,
    SocialProject,
    Stage,
    TrainingEvent,
    TrainingKind,
)


def _load_trainings():
    return select(
        TrainingEvent.id,
        TrainingEvent.oblast_pcode,
        TrainingEvent.municipality_pcode,
        TrainingEvent.kind,
        *load_texts(TrainingEvent, "title"),
        TrainingEvent.start_date,
        TrainingEvent.end_date,
        TrainingEvent.participants_lsg,
        TrainingEvent.participants_ngo,
        TrainingEvent.participants_initiative,
        TrainingEvent.participants_women,
        Phase.number.label("phase"),
    ).join(Phase, Phase.id == TrainingEvent.phase_id)


PARTICIPANTS = ("participants_lsg", "participants_ngo", "participants_initiative")


def _check_training(checks: Checks) -> None:
    record, world = checks.record, checks.world
    oblast = record["oblast_pcode"]
    if oblast not in world.oblasts:
        checks.add("oblast_pcode", "E-REF-OBLAST", value=quote(oblast))
    checks.municipality()
    actual = world.municipalities.get(record["municipality_pcode"])
    if actual is not None and oblast in world.oblasts and actual != oblast:
        checks.add(
            "municipality_pcode",
            "E-MUNICIPALITY-OBLAST",
            value=quote(record["municipality_pcode"]),
            actual=actual,
            oblast=oblast,
        )
    derive_lang(record, "title")  # the English title is required: it is the natural key
    if record.get("title_lang"):
        check_texts(checks, "title", "Title")
    checks.order("start_date", "end_date", same_day=True)
    total = sum(record[name] or 0 for name in PARTICIPANTS)
    women = record["participants_women"] or 0
    if women > total:
        checks.add("participants_women", "E-PARTICIPANTS-WOMEN", women=women, total=total)


def _training_values(refs: References, r: Record) -> dict:
    return {
        "programme_id": refs.programme_id,
        "phase_id": refs.phase_id(r),
        "oblast_pcode": r["oblast_pcode"],
        "municipality_pcode": r["municipality_pcode"],
        "kind": TrainingKind(r["kind"]),
        **text_values(r, "title"),
        "start_date": r["start_date"],
        "end_date": r["end_date"],
        **{name: r[name] or 0 for name in (*PARTICIPANTS, "participants_women")},
    }


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
        # the English title is a training's natural key (with its first day): required
        dataclasses.replace(
            texts_columns("title", "Title", "Название", "Аталышы", 300)[0], required=True
        ),
        *texts_columns("title", "Title", "Название", "Аталышы", 300)[1:],
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
    model=TrainingEvent,
    load=_load_trainings,
    dated="start_date",
    check=_check_training,
    values=_training_values,
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


def _load_priorities():
    return select(
        PriorityIssue.id,
        PriorityIssue.municipality_pcode,
        PriorityIssue.rank,
        PriorityIssue.votes,
        PriorityIssue.category,
        *load_texts(PriorityIssue, "title"),
        *load_texts(PriorityIssue, "target_group"),
        PriorityIssue.identified_on,
        Phase.number.label("phase"),
    ).join(Phase, Phase.id == PriorityIssue.phase_id)


def _check_priority(checks: Checks) -> None:
    checks.municipality()
    check_texts(checks, "title", "Issue")
    check_texts(checks, "target_group", "Target group")


def _priority_values(refs: References, r: Record) -> dict:
    return {
        "programme_id": refs.programme_id,
        "phase_id": refs.phase_id(r),
        "municipality_pcode": r["municipality_pcode"],
        "rank": r["rank"],
        "votes": r["votes"],
        "category": Sector(r["category"]),
        **text_values(r, "title"),
        **text_values(r, "target_group"),
        "identified_on": r["identified_on"],
    }


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
        *texts_columns("title", "Issue", "Проблема", "Көйгөй", 300),
        *texts_columns("target_group", "Target group", "Целевая группа", "Максаттуу топ", 200),
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
    model=PriorityIssue,
    load=_load_priorities,
    dated="identified_on",
    check=_check_priority,
    values=_priority_values,
    referred=True,
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


def _load_projects():
    return (
        select(
            SocialProject.id,
            SocialProject.code,
            SocialProject.municipality_pcode,
            PriorityIssue.rank.label("priority_rank"),
            *load_texts(Organisation, "organisation", "name"),
            SocialProject.sector,
            *load_texts(SocialProject, "title"),
            *load_texts(SocialProject, "description"),
            SocialProject.status,
            SocialProject.expertise_score,
        )
        .outerjoin(PriorityIssue, PriorityIssue.id == SocialProject.priority_issue_id)
        .outerjoin(Organisation, Organisation.id == SocialProject.organisation_id)
    )


def _check_project(checks: Checks) -> None:
    record = checks.record
    checks.municipality()
    rank, pcode = record["priority_rank"], record["municipality_pcode"]
    known = rank is not None and pcode in checks.world.municipalities
    if known and checks.world.record("priorities", (pcode, rank)) is None:
        checks.add("priority_rank", "E-REF-PRIORITY", value=rank, municipality=pcode)
    check_texts(checks, "title", "Title")
    check_names(checks, "organisation", "NGO")
    if any(record.get(f"description{s}") for s in ("", "_ru", "_ky")):
        check_texts(checks, "description", "Description")


def _description(r: Record) -> dict:
    """The optional description: all empty, or as any multilingual text."""
    if any(r.get(f"description{s}") for s in ("", "_ru", "_ky")):
        return text_values(r, "description")
    return {f"description_{s}": None for s in ("en", "ru", "ky", "lang")}


def _project_values(refs: References, r: Record) -> dict:
    rank = r["priority_rank"]
    ngo = given_names(r, "organisation")
    return {
        "programme_id": refs.programme_id,
        "code": r["code"],
        "municipality_pcode": r["municipality_pcode"],
        "priority_issue_id": (
            refs.id("priorities", (r["municipality_pcode"], rank)) if rank is not None else None
        ),
        "organisation_id": refs.organisation_id(ngo) if ngo else None,
        "sector": Sector(r["sector"]),
        **text_values(r, "title"),
        **_description(r),
        "status": ProjectStatus(r["status"]),
        "expertise_score": r["expertise_score"],
    }


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
        # the NGO's name in each language it has one (all blank before a contract): a name
        # stored in that language finds the NGO, a new name adds one (queries.imports.checking)
        dataclasses.replace(
            texts_columns("organisation", "NGO", "НКО", "КЭУ", 300)[0],
            note_en="The provider's name in English, exactly as elsewhere; the Russian and "
            "Kyrgyz names beside it; all blank before a contract.",
            note_ru="Название поставщика на английском, как в других строках; рядом — на "
            "русском и кыргызском; все пусто до договора.",
        ),
        *texts_columns("organisation", "NGO", "НКО", "КЭУ", 300)[1:],
        Column("sector", "Sector", "Сектор", "Тармак", CHOICE, choices=_values(Sector)),
        *texts_columns("title", "Title", "Название", "Аталышы", 300),
        *texts_columns("description", "Description", "Описание", "Сүрөттөмө", None),
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
    model=SocialProject,
    load=_load_projects,
    check=_check_project,
    values=_project_values,
    referred=True,
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


def _load_budget_lines():
    return select(
        BudgetLine.id,
        SocialProject.code.label("project_code"),
        BudgetLine.source,
        BudgetLine.amount_tyiyn.label("amount"),
    ).join(SocialProject, SocialProject.id == BudgetLine.project_id)


def _budget_line_values(refs: References, r: Record) -> dict:
    return {
        "project_id": refs.id("projects", (r["project_code"],)),
        "source": FundingSource(r["source"]),
        "amount_tyiyn": r["amount"],
    }


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
    model=BudgetLine,
    load=_load_budget_lines,
    check=Checks.project,
    values=_budget_line_values,
    examples=({"project_code": "EXAMPLE-01", "source": "local_budget", "amount": "120 000,50"},),
)


def _load_milestones():
    return (
        select(
            ProcurementMilestone.id,
            SocialProject.code.label("project_code"),
            ProcurementMilestone.stage,
            ProcurementMilestone.occurred_on,
            ProcurementMilestone.bids_count,
            ProcurementMilestone.note,
            Phase.number.label("phase"),
        )
        .join(SocialProject, SocialProject.id == ProcurementMilestone.project_id)
        .join(Phase, Phase.id == ProcurementMilestone.phase_id)
    )


def _check_milestone(checks: Checks) -> None:
    checks.project()
    record = checks.record
    if record["bids_count"] is not None and record["stage"] != Stage.BIDS_RECEIVED.value:
        checks.add("bids_count", "E-BIDS-STAGE", stage=record["stage"])


def _milestone_values(refs: References, r: Record) -> dict:
    return {
        "phase_id": refs.phase_id(r),
        "project_id": refs.id("projects", (r["project_code"],)),
        "stage": Stage(r["stage"]),
        "occurred_on": r["occurred_on"],
        "bids_count": r["bids_count"],
        "note": r["note"],
    }


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
    model=ProcurementMilestone,
    load=_load_milestones,
    dated="occurred_on",
    check=_check_milestone,
    values=_milestone_values,
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
