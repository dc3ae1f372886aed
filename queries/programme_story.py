"""The programme's story as data: its goal, its legal basis, its three logical parts, the
activities it planned in each phase, and its team by role (no personal data), in en, ru, ky.

The pilot's story is written here once; the demo and the first import of a database (which
creates the programme) write it as rows, and migration 0006 writes it for a programme already
stored. The Programme page and its query read the rows, never these constants.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
from sqlalchemy import Engine, false, func, select, true

from queries.common import resolve_as_of
from queries.models import (
    Document,
    DocumentFile,
    Phase,
    Programme,
    ProgrammeActivity,
    ProgrammeRole,
    ProgrammeStatement,
    TrainingEvent,
    TrainingKind,
)
from queries.scope import Filters, Scope, scope_clause


@dataclasses.dataclass(frozen=True)
class Text3:
    """A text in English, Russian and Kyrgyz."""

    en: str
    ru: str
    ky: str

    def columns(self, prefix: str = "text") -> dict[str, str]:
        return {f"{prefix}_en": self.en, f"{prefix}_ru": self.ru, f"{prefix}_ky": self.ky}


GOAL = Text3(
    "To propose and test new forms of collaboration between NGOs and local self-government "
    "through municipal social procurement in 12 municipalities.",
    "Предложить и апробировать новые формы взаимодействия некоммерческих организаций (НКО) и "
    "органов местного самоуправления через муниципальный социальный заказ в 12 муниципалитетах.",
    "12 муниципалитетте муниципалдык социалдык тапшырык аркылуу коммерциялык эмес уюмдар (КЭУ) "
    "менен жергиликтүү өз алдынча башкаруу органдарынын кызматташтыгынын жаңы формаларын "
    "сунуштоо жана сынап көрүү.",
)

LEGAL_BASIS = Text3(
    'The Law of the Kyrgyz Republic "On state social procurement" of 21 July 2008. Until the '
    "pilot, only the Ministry of Social Development had applied it; the pilot applied it in "
    "local self-government.",
    "Закон Кыргызской Республики «О государственном социальном заказе» от 21 июля 2008 года. "
    "До пилотного проекта его применяло только Министерство социального развития; пилотный "
    "проект применил его в местном самоуправлении.",
    "Кыргыз Республикасынын 2008-жылдын 21-июлундагы «Мамлекеттик социалдык заказ жөнүндө» "
    "Мыйзамы. Пилоттук долбоорго чейин аны Социалдык өнүктүрүү министрлиги гана колдонуп "
    "келген; пилоттук долбоор аны жергиликтүү өз алдынча башкаруу деңгээлинде колдонду.",
)

PARTS = (
    Text3(
        "Identifying priority issues",
        "Выявление приоритетных проблем",
        "Артыкчылыктуу көйгөйлөрдү аныктоо",
    ),
    Text3(
        "Forming and implementing the municipal social order",
        "Формирование и реализация муниципального социального заказа",
        "Муниципалдык социалдык тапшырыкты түзүү жана ишке ашыруу",
    ),
    Text3(
        "Monitoring, evaluation and describing the experience",
        "Мониторинг, оценка и описание опыта",
        "Мониторинг, баалоо жана тажрыйбаны сыпаттоо",
    ),
)


@dataclasses.dataclass(frozen=True)
class ActivityDefinition:
    phase: int
    part: int  # the number of the logical part it serves (1-3)
    training_kind: TrainingKind | None  # the trainings that carried it out, if any
    text: Text3


ACTIVITIES = (
    ActivityDefinition(1, 1, TrainingKind.LSG, Text3(
        "Training of local self-government bodies on cooperation with NGOs, participatory "
        "appraisal and municipal procurement",
        "Тренинги для органов местного самоуправления по взаимодействию с НКО, совместной "
        "оценке сельских проблем и муниципальному социальному заказу",
        "Жергиликтүү өз алдынча башкаруу органдары үчүн КЭУлар менен кызматташуу, айылдык "
        "көйгөйлөрдү биргелешип баалоо жана муниципалдык социалдык тапшырык боюнча тренингдер",
    )),
    ActivityDefinition(1, 2, TrainingKind.FINANCE, Text3(
        "Training on municipal finance under the new inter-budgetary relations",
        "Тренинги по муниципальным финансам в условиях новых межбюджетных отношений",
        "Бюджеттер аралык жаңы мамилелердин шартында муниципалдык финансы боюнча тренингдер",
    )),
    ActivityDefinition(1, 1, None, Text3(
        "Support in identifying priority issues",
        "Содействие в выявлении приоритетных проблем",
        "Артыкчылыктуу көйгөйлөрдү аныктоого көмөк көрсөтүү",
    )),
    ActivityDefinition(1, 2, TrainingKind.NGO, Text3(
        "Training of NGOs and initiative groups in project development",
        "Тренинги для НКО и инициативных групп по разработке проектов",
        "КЭУлар жана демилгелүү топтор үчүн долбоорлорду иштеп чыгуу боюнча тренингдер",
    )),
    ActivityDefinition(1, 2, None, Text3(
        "Support in selecting priority projects",
        "Содействие в отборе приоритетных проектов",
        "Артыкчылыктуу долбоорлорду тандоого көмөк көрсөтүү",
    )),
    ActivityDefinition(1, 2, None, Text3(
        "Technical expertise of 12 projects",
        "Техническая экспертиза 12 проектов",
        "12 долбоордун техникалык экспертизасы",
    )),
    ActivityDefinition(1, 3, TrainingKind.MONITORING, Text3(
        "Training of NGOs and initiative groups in monitoring and evaluation",
        "Тренинги для НКО и инициативных групп по мониторингу и оценке",
        "КЭУлар жана демилгелүү топтор үчүн мониторинг жана баалоо боюнча тренингдер",
    )),
    ActivityDefinition(1, 2, None, Text3(
        "Assistance to the finance divisions of local self-government in bringing the social "
        "order into local budgets",
        "Помощь финансовым подразделениям органов местного самоуправления во включении "
        "социального заказа в местные бюджеты",
        "Жергиликтүү өз алдынча башкаруу органдарынын финансы бөлүмдөрүнө социалдык тапшырыкты "
        "жергиликтүү бюджеттерге киргизүүгө жардам берүү",
    )),
    ActivityDefinition(1, 3, None, Text3(
        "Compiling the practice and describing the methodology",
        "Обобщение практики и описание методологии",
        "Тажрыйбаны жалпылоо жана методологияны сыпаттоо",
    )),
    ActivityDefinition(2, 2, TrainingKind.PROCUREMENT_LAW, Text3(
        "Training on the new public procurement legislation",
        "Тренинги по новому законодательству о государственных закупках",
        "Мамлекеттик сатып алуулар жөнүндө жаңы мыйзамдар боюнча тренингдер",
    )),
    ActivityDefinition(2, 2, None, Text3(
        "Support of open public competitions",
        "Сопровождение открытых публичных конкурсов",
        "Ачык коомдук конкурстарды коштоо",
    )),
    ActivityDefinition(2, 3, None, Text3(
        "Assistance to the Joint Monitoring and Evaluation Group",
        "Содействие Совместной группе мониторинга и оценки",
        "Мониторинг жана баалоо боюнча биргелешкен топко көмөк көрсөтүү",
    )),
    ActivityDefinition(2, 3, None, Text3(
        "Methodological analysis with recommendations for the legal framework",
        "Методологический анализ с рекомендациями по нормативной правовой базе",
        "Ченемдик укуктук база боюнча сунуштары менен методологиялык талдоо",
    )),
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class RoleDefinition:
    people: int
    role: Text3
    area: Text3 | None


MANAGER = Text3("Project manager", "Руководитель проекта", "Долбоордун жетекчиси")
EXPERT = Text3("Project expert", "Эксперт проекта", "Долбоордун эксперти")
TEAM = (
    RoleDefinition(1, MANAGER, None),
    RoleDefinition(
        2,
        EXPERT,
        Text3(
            "Batken and Talas oblasts",
            "Баткенская и Таласская области",
            "Баткен жана Талас облустары",
        ),
    ),
    RoleDefinition(
        3, EXPERT, Text3("Jalal-Abad oblast", "Джалал-Абадская область", "Жалал-Абад облусу")
    ),
)


def story_counts() -> dict[str, int]:
    """How many rows of each table `story_rows` writes (for the audit entry of the programme)."""
    return {
        ProgrammeStatement.__tablename__: 2 + len(PARTS),
        ProgrammeActivity.__tablename__: len(ACTIVITIES),
        ProgrammeRole.__tablename__: len(TEAM),
    }


def story_rows(programme_id: int, phase_ids: dict[int, int], is_demo: bool) -> list:
    """The pilot's story as new rows of the programme `programme_id` (`phase_ids`: phase
    number → phase id), marked `is_demo` as the programme is."""
    statements = [
        ProgrammeStatement(topic="goal", number=1, **GOAL.columns()),
        ProgrammeStatement(topic="legal_basis", number=1, **LEGAL_BASIS.columns()),
        *(
            ProgrammeStatement(topic="part", number=number, **part.columns())
            for number, part in enumerate(PARTS, start=1)
        ),
    ]
    numbers: dict[int, int] = {}
    activities = []
    for activity in ACTIVITIES:
        numbers[activity.phase] = numbers.get(activity.phase, 0) + 1
        activities.append(
            ProgrammeActivity(
                phase_id=phase_ids[activity.phase],
                number=numbers[activity.phase],
                part=activity.part,
                training_kind=activity.training_kind,
                **activity.text.columns(),
            )
        )
    roles = [
        ProgrammeRole(
            number=number,
            people=role.people,
            **role.role.columns("role"),
            **(role.area.columns("area") if role.area else {}),
        )
        for number, role in enumerate(TEAM, start=1)
    ]
    rows = [*statements, *activities, *roles]
    for row in rows:
        row.programme_id, row.is_demo = programme_id, is_demo
    return rows


# --- reading the story -----------------------------------------------------------------------

TEXTS = ("text_en", "text_ru", "text_ky")


@dataclasses.dataclass(frozen=True)
class Story:
    """The programme's story as stored: `statements` (topic, number, texts), `phases` (number,
    names, start, exclusive end), `activities` (phase, number, part, training kind, texts, and
    the trainings of that kind held in the reader's scope and filters by the as-of date: count
    and participants), `roles` (people, role and area texts) and the programme-level
    `documents` (kind, title, url, issued on, whether its file is stored here)."""

    statements: pd.DataFrame
    phases: pd.DataFrame
    activities: pd.DataFrame
    roles: pd.DataFrame
    documents: pd.DataFrame
    as_of: dt.date | None

    def statement(self, topic: str) -> pd.DataFrame:
        return self.statements[self.statements.topic == topic].sort_values("number")

    @property
    def empty(self) -> bool:
        return self.statements.empty and self.activities.empty and self.roles.empty


def _frame(connection, statement, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(connection.execute(statement).all(), columns=columns)


def _trainings(connection, filters: Filters, scope: Scope | None, as_of) -> dict:
    """Per training kind: (events, participants) in the scope and oblast filter, by `as_of`."""
    participants = (
        TrainingEvent.participants_lsg
        + TrainingEvent.participants_ngo
        + TrainingEvent.participants_initiative
    )
    statement = (
        select(TrainingEvent.kind, func.count(), func.coalesce(func.sum(participants), 0))
        .where(scope_clause(scope, TrainingEvent.oblast_pcode))
        .group_by(TrainingEvent.kind)
    )
    if filters.oblasts:
        statement = statement.where(TrainingEvent.oblast_pcode.in_(filters.oblasts))
    if as_of is not None:
        statement = statement.where(TrainingEvent.start_date <= as_of)
    return {kind: (count, people) for kind, count, people in connection.execute(statement)}


def story(engine: Engine, filters: Filters, scope: Scope | None) -> Story:
    """The programme's story for a reader: the same for every scope, but nothing without one
    (deny by default); the trainings behind each activity are counted within the scope."""
    allowed = bool(scope and scope.oblasts)
    visible = true() if allowed else false()
    as_of = resolve_as_of(engine, filters, scope) if allowed else None
    with engine.connect() as connection:
        statements = _frame(
            connection,
            select(
                ProgrammeStatement.topic, ProgrammeStatement.number, *_columns(ProgrammeStatement)
            )
            .where(visible)
            .order_by(ProgrammeStatement.topic, ProgrammeStatement.number),
            ["topic", "number", *TEXTS],
        )
        phases = _frame(
            connection,
            select(Phase.number, Phase.name_en, Phase.name_ru, Phase.name_ky, Phase.start_date,
                   Phase.end_date)
            .join(Programme, Programme.id == Phase.programme_id)
            .where(visible)
            .order_by(Phase.number),
            ["number", "name_en", "name_ru", "name_ky", "start_date", "end_date"],
        )  # fmt: skip
        activities = _frame(
            connection,
            select(Phase.number, ProgrammeActivity.number, ProgrammeActivity.part,
                   ProgrammeActivity.training_kind, *_columns(ProgrammeActivity))
            .join(Phase, Phase.id == ProgrammeActivity.phase_id)
            .where(visible)
            .order_by(Phase.number, ProgrammeActivity.number),
            ["phase", "number", "part", "training_kind", *TEXTS],
        )  # fmt: skip
        roles = _frame(
            connection,
            select(ProgrammeRole.people, *_columns(ProgrammeRole, "role"),
                   *_columns(ProgrammeRole, "area"))
            .where(visible)
            .order_by(ProgrammeRole.number),
            ["people", "role_en", "role_ru", "role_ky", "area_en", "area_ru", "area_ky"],
        )  # fmt: skip
        documents = _frame(
            connection,
            select(
                Document.kind,
                Document.title,
                Document.url,
                Document.issued_on,
                DocumentFile.document_id.is_not(None),
            )
            .outerjoin(DocumentFile, DocumentFile.document_id == Document.id)
            .where(visible, Document.municipality_pcode.is_(None), Document.project_id.is_(None))
            .order_by(Document.issued_on, Document.id),
            ["kind", "title", "url", "issued_on", "stored"],
        )
        trainings = _trainings(connection, filters, scope, as_of) if allowed else {}
    kinds = [TrainingKind(k) if isinstance(k, str) else None for k in activities.training_kind]
    activities["training_kind"] = pd.Series(kinds, index=activities.index, dtype=object)
    counts = [trainings.get(kind, (0, 0)) if kind else (None, None) for kind in kinds]
    activities["trainings"] = pd.Series(
        [c[0] for c in counts], index=activities.index, dtype=object
    )
    activities["participants"] = pd.Series(
        [c[1] for c in counts], index=activities.index, dtype=object
    )
    documents["kind"] = [getattr(kind, "value", kind) for kind in documents.kind]
    return Story(statements, phases, activities, roles, documents, as_of)


def _columns(model, prefix: str = "text") -> list:
    return [getattr(model, f"{prefix}_{lang}") for lang in ("en", "ru", "ky")]
