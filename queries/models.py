"""The reporting database schema: SQLAlchemy 2 typed models for the domain model.

Money is stored as integer tyiyn (1 som = 100 tyiyn). Dates are dates. Every dated
record stores the programme phase it falls in. Every table a report or the demo
generator writes carries ``is_demo`` so illustrative rows can never pass for real ones.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from queries.multilingual import lang_check, original, text_columns

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _enum(cls: type[enum.Enum]) -> Enum:
    """Store an enum by its value, as a VARCHAR with a CHECK constraint (portable)."""
    return Enum(
        cls,
        name=cls.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Names:
    """Names in the three interface languages; Russian or Kyrgyz may be missing."""

    name_en: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str | None] = mapped_column(String(200))
    name_ky: Mapped[str | None] = mapped_column(String(200))


class Demo:
    """Marks illustrative rows written by the demo generator."""

    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class UnitKind(enum.StrEnum):
    DISTRICT = "district"
    CITY = "city"
    AYIL_AIMAK = "ayil_aimak"
    TOWN = "town"


class Sector(enum.StrEnum):
    ELDERLY_CARE = "elderly_care"
    DISABILITY = "disability"
    YOUTH = "youth"
    WOMEN = "women"
    CULTURE_SPORT = "culture_sport"
    INFORMATION = "information"
    CHILDREN = "children"
    HEALTH = "health"


class ProjectStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_COMPETITION = "in_competition"
    FAILED_COMPETITION = "failed_competition"
    CONTRACTED = "contracted"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class FundingSource(enum.StrEnum):
    LOCAL_BUDGET = "local_budget"
    GIZ_FUND = "giz_fund"
    CO_FINANCING = "co_financing"


class Stage(enum.StrEnum):
    """Procurement milestones in the order a project passes them."""

    PRIORITY_IDENTIFIED = "priority_identified"
    PROGRAMME_APPROVED = "programme_approved"
    COMPETITION_ANNOUNCED = "competition_announced"
    BIDS_RECEIVED = "bids_received"
    WINNER_SELECTED = "winner_selected"
    CONTRACT_SIGNED = "contract_signed"
    IMPLEMENTATION = "implementation"
    COMPLETED = "completed"
    REPORTED = "reported"


STAGE_ORDER = {stage: position for position, stage in enumerate(Stage)}


class Rating(enum.StrEnum):
    ON_TRACK = "on_track"
    MINOR_ISSUES = "minor_issues"
    AT_RISK = "at_risk"
    SUSPENDED = "suspended"


class TrainingKind(enum.StrEnum):
    LSG = "lsg"
    NGO = "ngo"
    FINANCE = "finance"
    PROCUREMENT_LAW = "procurement_law"
    MONITORING = "monitoring"


class StatementTopic(enum.StrEnum):
    """What a programme statement states (queries.programme_story)."""

    GOAL = "goal"
    LEGAL_BASIS = "legal_basis"
    PART = "part"


class Sex(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"


class AgeGroup(enum.StrEnum):
    CHILD = "0-17"
    YOUTH = "18-28"
    ADULT = "29-59"
    ELDER = "60+"


class DocumentKind(enum.StrEnum):
    CONTRACT = "contract"
    PROGRESS_REPORT = "progress_report"
    FINAL_REPORT = "final_report"
    MONITORING_REPORT = "monitoring_report"
    COUNCIL_DECISION = "council_decision"
    RECOMMENDATIONS = "recommendations"


class ReviewStatus(enum.StrEnum):
    """Where a submitted report stands: DPI verifies it or returns it with a comment."""

    SUBMITTED = "submitted"
    VERIFIED = "verified"
    RETURNED = "returned"


class Currency(enum.StrEnum):
    USD = "USD"
    EUR = "EUR"


class Role(enum.StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    OFFICIAL = "official"
    VIEWER = "viewer"
    SYSTEM = "system"


# --- programme and phases -------------------------------------------------------------


class Programme(Demo, Names, Base):
    __tablename__ = "programme"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    donor: Mapped[str] = mapped_column(String(200))
    implementer: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)  # exclusive
    phases: Mapped[list[Phase]] = relationship(back_populates="programme", order_by="Phase.number")
    __table_args__ = (CheckConstraint("end_date > start_date", name="dates"),)


class Phase(Demo, Names, Base):
    __tablename__ = "phase"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    number: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)  # exclusive
    programme: Mapped[Programme] = relationship(back_populates="phases")
    __table_args__ = (
        UniqueConstraint("programme_id", "number"),
        CheckConstraint("end_date > start_date", name="dates"),
    )


class ProgrammeStatement(Demo, Base):
    """A statement of what the programme is, in three languages: its goal, its legal basis,
    or one of its logical parts (`topic`; `number` orders several of one topic)."""

    __tablename__ = "programme_statement"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    topic: Mapped[StatementTopic] = mapped_column(_enum(StatementTopic))
    number: Mapped[int] = mapped_column(Integer)
    text_en: Mapped[str] = mapped_column(Text)
    text_ru: Mapped[str | None] = mapped_column(Text)
    text_ky: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("programme_id", "topic", "number"),)


class ProgrammeActivity(Demo, Base):
    """One of the activities the programme planned in a phase, in three languages; `part` is the
    logical part it serves (a `part` statement's number); `training_kind` names the trainings
    that carried it out, when it was a training."""

    __tablename__ = "programme_activity"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id"))
    number: Mapped[int] = mapped_column(Integer)  # order within the phase
    part: Mapped[int] = mapped_column(Integer)
    training_kind: Mapped[TrainingKind | None] = mapped_column(_enum(TrainingKind))
    text_en: Mapped[str] = mapped_column(Text)
    text_ru: Mapped[str | None] = mapped_column(Text)
    text_ky: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("phase_id", "number"),)


class ProgrammeRole(Demo, Base):
    """A role in the programme's team and how many people held it, with the area they served
    (roles only: no personal data)."""

    __tablename__ = "programme_role"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    number: Mapped[int] = mapped_column(Integer)  # order in the team list
    people: Mapped[int] = mapped_column(Integer)
    role_en: Mapped[str] = mapped_column(String(200))
    role_ru: Mapped[str | None] = mapped_column(String(200))
    role_ky: Mapped[str | None] = mapped_column(String(200))
    area_en: Mapped[str | None] = mapped_column(String(200))
    area_ru: Mapped[str | None] = mapped_column(String(200))
    area_ky: Mapped[str | None] = mapped_column(String(200))
    __table_args__ = (
        UniqueConstraint("programme_id", "number"),
        CheckConstraint("people >= 1", name="people"),
    )


# --- administrative units (reference data; key: OCHA P-code) ---------------------------


class Oblast(Names, Base):
    __tablename__ = "oblast"
    pcode: Mapped[str] = mapped_column(String(13), primary_key=True)
    iso_code: Mapped[str | None] = mapped_column(String(8))
    soate: Mapped[str | None] = mapped_column(String(20))
    geometry: Mapped[bytes | None] = mapped_column(LargeBinary)  # WKB, EPSG:4326
    source: Mapped[str] = mapped_column(String(200))


class Rayon(Names, Base):
    __tablename__ = "rayon"
    pcode: Mapped[str] = mapped_column(String(13), primary_key=True)
    oblast_pcode: Mapped[str] = mapped_column(ForeignKey("oblast.pcode"), index=True)
    kind: Mapped[UnitKind] = mapped_column(_enum(UnitKind))
    geometry: Mapped[bytes | None] = mapped_column(LargeBinary)
    source: Mapped[str] = mapped_column(String(200))


class Municipality(Names, Base):
    """An ayil aimak, a town, or a city of oblast significance (then keyed by its ADM2 P-code)."""

    __tablename__ = "municipality"
    pcode: Mapped[str] = mapped_column(String(13), primary_key=True)
    rayon_pcode: Mapped[str] = mapped_column(ForeignKey("rayon.pcode"), index=True)
    oblast_pcode: Mapped[str] = mapped_column(ForeignKey("oblast.pcode"), index=True)
    kind: Mapped[UnitKind] = mapped_column(_enum(UnitKind))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    geometry: Mapped[bytes | None] = mapped_column(LargeBinary)  # polygon when one is known
    source: Mapped[str] = mapped_column(String(200))


class Population(Demo, Base):
    __tablename__ = "population"
    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_pcode: Mapped[str] = mapped_column(ForeignKey("municipality.pcode"))
    year: Mapped[int] = mapped_column(Integer)
    population: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(300))
    __table_args__ = (
        UniqueConstraint("municipality_pcode", "year"),
        CheckConstraint("population >= 0", name="non_negative"),
    )


# --- the process ------------------------------------------------------------------------


class Organisation(Demo, Base):
    """An NGO (or other provider) that bids for and delivers social projects."""

    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    name_ky, name_ru, name_en, name_lang = text_columns("organisation", "name")
    name = original("name")
    oblast_pcode: Mapped[str | None] = mapped_column(ForeignKey("oblast.pcode"))
    __table_args__ = (
        lang_check("organisation", "name"),
        # migration 0008: an NGO is named once in each language it has a name in (the import
        # finds it by its name in the language it was written in)
        *(
            Index(f"uq_organisation_name_{lang}", f"name_{lang}", unique=True)
            for lang in ("ky", "ru", "en")
        ),
    )


class TrainingEvent(Demo, Base):
    __tablename__ = "training_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id"))
    oblast_pcode: Mapped[str] = mapped_column(ForeignKey("oblast.pcode"), index=True)
    municipality_pcode: Mapped[str | None] = mapped_column(ForeignKey("municipality.pcode"))
    kind: Mapped[TrainingKind] = mapped_column(_enum(TrainingKind))
    title_ky, title_ru, title_en, title_lang = text_columns("training_event", "title")
    title = original("title")
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)  # inclusive last day
    participants_lsg: Mapped[int] = mapped_column(Integer, default=0)
    participants_ngo: Mapped[int] = mapped_column(Integer, default=0)
    participants_initiative: Mapped[int] = mapped_column(Integer, default=0)
    participants_women: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates"),
        lang_check("training_event", "title"),
        # the import's natural key (migrations 0003, 0007): a training is its title and first
        # day, in each language it has a title in
        *(
            Index(
                f"uq_training_event_programme_title_{lang}_start",
                "programme_id",
                f"title_{lang}",
                "start_date",
                unique=True,
            )
            for lang in ("ky", "ru", "en")
        ),
    )


class PriorityIssue(Demo, Base):
    """A social issue a community ranked in participatory rural appraisal."""

    __tablename__ = "priority_issue"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id"))
    municipality_pcode: Mapped[str] = mapped_column(ForeignKey("municipality.pcode"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    votes: Mapped[int] = mapped_column(Integer)
    category: Mapped[Sector] = mapped_column(_enum(Sector))
    title_ky, title_ru, title_en, title_lang = text_columns("priority_issue", "title")
    title = original("title")
    target_group_ky, target_group_ru, target_group_en, target_group_lang = text_columns(
        "priority_issue", "target_group"
    )
    target_group = original("target_group")
    identified_on: Mapped[dt.date] = mapped_column(Date)
    __table_args__ = (
        lang_check("priority_issue", "title"),
        lang_check("priority_issue", "target_group"),
        UniqueConstraint("programme_id", "municipality_pcode", "rank"),
        CheckConstraint("rank >= 1", name="rank"),
        CheckConstraint("votes >= 0", name="votes"),
    )


class SocialProject(Demo, Base):
    __tablename__ = "social_project"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    municipality_pcode: Mapped[str] = mapped_column(ForeignKey("municipality.pcode"), index=True)
    priority_issue_id: Mapped[int | None] = mapped_column(ForeignKey("priority_issue.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    sector: Mapped[Sector] = mapped_column(_enum(Sector))
    title_ky, title_ru, title_en, title_lang = text_columns("social_project", "title")
    title = original("title")
    description_ky, description_ru, description_en, description_lang = text_columns(
        "social_project", "description"
    )
    description = original("description")
    status: Mapped[ProjectStatus] = mapped_column(_enum(ProjectStatus))
    expertise_score: Mapped[int | None] = mapped_column(Integer)  # technical expertise, 0–100
    budget_lines: Mapped[list[BudgetLine]] = relationship(back_populates="project")
    __table_args__ = (
        CheckConstraint(
            "expertise_score IS NULL OR expertise_score BETWEEN 0 AND 100", name="score"
        ),
        lang_check("social_project", "title"),
        lang_check("social_project", "description"),
    )


class BudgetLine(Demo, Base):
    __tablename__ = "budget_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("social_project.id"), index=True)
    source: Mapped[FundingSource] = mapped_column(_enum(FundingSource))
    amount_tyiyn: Mapped[int] = mapped_column(BigInteger)
    project: Mapped[SocialProject] = relationship(back_populates="budget_lines")
    __table_args__ = (
        UniqueConstraint("project_id", "source"),
        CheckConstraint("amount_tyiyn >= 0", name="non_negative"),
    )


class ProcurementMilestone(Demo, Base):
    __tablename__ = "procurement_milestone"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("social_project.id"), index=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id"))
    stage: Mapped[Stage] = mapped_column(_enum(Stage))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    bids_count: Mapped[int | None] = mapped_column(Integer)  # at BIDS_RECEIVED
    note: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("project_id", "stage"),)


class MunicipalBudget(Demo, Base):
    """A municipality's local budget for one year, its social-procurement allocation, and how
    much of that allocation was executed (spent)."""

    __tablename__ = "municipal_budget"
    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_pcode: Mapped[str] = mapped_column(ForeignKey("municipality.pcode"))
    year: Mapped[int] = mapped_column(Integer)
    local_budget_tyiyn: Mapped[int] = mapped_column(BigInteger)
    social_allocation_tyiyn: Mapped[int] = mapped_column(BigInteger)
    executed_tyiyn: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (
        UniqueConstraint("municipality_pcode", "year"),
        CheckConstraint(
            "local_budget_tyiyn >= 0 AND social_allocation_tyiyn >= 0 AND executed_tyiyn >= 0",
            name="non_negative",
        ),
    )


class MonitoringVisit(Demo, Base):
    """A visit of the Joint Monitoring and Evaluation Group to a project."""

    __tablename__ = "monitoring_visit"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("social_project.id"), index=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id"))
    visit_date: Mapped[dt.date] = mapped_column(Date)
    rating: Mapped[Rating] = mapped_column(_enum(Rating))
    findings_ky, findings_ru, findings_en, findings_lang = text_columns(
        "monitoring_visit", "findings"
    )
    findings = original("findings")
    beneficiaries: Mapped[list[Beneficiaries]] = relationship(back_populates="visit")
    __table_args__ = (
        lang_check("monitoring_visit", "findings"),
        # the import's natural key (migration 0003): one visit per project and day
        Index("uq_monitoring_visit_project_date", "project_id", "visit_date", unique=True),
    )


class Beneficiaries(Demo, Base):
    """People a project reached by a visit's date, by sex, age group and disability."""

    __tablename__ = "beneficiaries"
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("monitoring_visit.id"), index=True)
    sex: Mapped[Sex] = mapped_column(_enum(Sex))
    age_group: Mapped[AgeGroup] = mapped_column(_enum(AgeGroup))
    with_disability: Mapped[bool] = mapped_column(Boolean)
    count: Mapped[int] = mapped_column(Integer)
    visit: Mapped[MonitoringVisit] = relationship(back_populates="beneficiaries")
    __table_args__ = (
        UniqueConstraint("visit_id", "sex", "age_group", "with_disability"),
        CheckConstraint("count >= 0", name="non_negative"),
    )


class Indicator(Demo, Base):
    __tablename__ = "indicator"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("social_project.id"), index=True)
    name_ky, name_ru, name_en, name_lang = text_columns("indicator", "name")
    name = original("name")
    unit: Mapped[str] = mapped_column(String(40))
    baseline: Mapped[float] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    __table_args__ = (lang_check("indicator", "name"),)


class IndicatorValue(Demo, Base):
    """The actual value of an indicator for one reporting period."""

    __tablename__ = "indicator_value"
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), index=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id"))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)  # exclusive; reported as of this day
    actual: Mapped[float] = mapped_column(Float)
    __table_args__ = (
        UniqueConstraint("indicator_id", "period_start"),
        CheckConstraint("period_end > period_start", name="dates"),
    )


class Document(Demo, Base):
    __tablename__ = "document"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("social_project.id"), index=True)
    # None for programme-level documents (e.g. recommendations on the legal framework)
    municipality_pcode: Mapped[str | None] = mapped_column(ForeignKey("municipality.pcode"))
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id"))
    kind: Mapped[DocumentKind] = mapped_column(_enum(DocumentKind))
    title_ky, title_ru, title_en, title_lang = text_columns("document", "title")
    title = original("title")
    url: Mapped[str] = mapped_column(String(1000))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    # DPI's review (see queries.reviews); an import that changes the document resets it
    review_status: Mapped[ReviewStatus] = mapped_column(
        _enum(ReviewStatus), default=ReviewStatus.SUBMITTED, server_default="submitted"
    )
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    __table_args__ = (
        lang_check("document", "title"),
        # the import's natural key (migration 0003): a link names one document of a programme
        Index("uq_document_programme_url", "programme_id", "url", unique=True),
    )


class DocumentFile(Base):
    """The file of a document served by this site (its url is a path under /documents/).

    Kept in the database rather than under the data directory: a file then lives and dies
    with its document row in one transaction, every worker and server reads it without a
    shared disk, and `aimak db backup` / restore carry it with the rest of the data. Files
    are small (a size limit, AIMAK_MAX_DOCUMENT_BYTES), so the rows stay cheap.
    """

    __tablename__ = "document_file"
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True
    )
    file_name: Mapped[str] = mapped_column(String(255))  # as uploaded, made safe
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class ExchangeRate(Demo, Base):
    """How many som one unit of a currency cost on a day, times 10,000 (exact)."""

    __tablename__ = "exchange_rate"
    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[Currency] = mapped_column(_enum(Currency))
    on_date: Mapped[dt.date] = mapped_column(Date)
    kgs_per_unit_e4: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(200))
    __table_args__ = (
        UniqueConstraint("currency", "on_date"),
        CheckConstraint("kgs_per_unit_e4 > 0", name="positive"),
    )


# --- who did what -----------------------------------------------------------------------


class User(Demo, Base):
    """A person or process that reads or changes data; the actor of every change."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


class UserOblast(Base):
    """The oblasts an official may read."""

    __tablename__ = "user_oblast"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    oblast_pcode: Mapped[str] = mapped_column(ForeignKey("oblast.pcode"), primary_key=True)


class UserSession(Base):
    """One signed-in browser. Its cookie carries a random id; the database keeps only that id's
    SHA-256, so a copy of this table opens no session. Signing out, a password or role change
    and disabling the account set `revoked_at`; the cookie is refused from then on."""

    __tablename__ = "user_session"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ImportBatch(Demo, Base):
    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # spreadsheet, boundaries, demo
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)


class AuditEntry(Base):
    """One changed row: who, when, what, before → after. Append-only (database triggers)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    action: Mapped[str] = mapped_column(String(40))  # insert, update, delete, sign_in, export…
    table_name: Mapped[str | None] = mapped_column(String(60))
    row_key: Mapped[str | None] = mapped_column(String(200))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)


#: Tables whose rows are reporting data (each has ``is_demo``), in dependency order.
REPORTING_TABLES = [
    Programme,
    Phase,
    ProgrammeStatement,
    ProgrammeActivity,
    ProgrammeRole,
    Population,
    Organisation,
    TrainingEvent,
    PriorityIssue,
    SocialProject,
    BudgetLine,
    ProcurementMilestone,
    MunicipalBudget,
    MonitoringVisit,
    Beneficiaries,
    Indicator,
    IndicatorValue,
    Document,
    ExchangeRate,
]
