"""The illustrative demo dataset: the 2013–2015 GIZ/DPI municipal social procurement pilot.

Deterministic (one ``random.Random(SEED)``, no clock in the data), written in one
transaction, every row marked ``is_demo``. The 12 municipalities and their P-codes are
real; every figure is invented for illustration.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import random
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeVar

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from queries.models import (
    REPORTING_TABLES,
    STAGE_ORDER,
    AgeGroup,
    AuditEntry,
    Beneficiaries,
    BudgetLine,
    Currency,
    Document,
    DocumentKind,
    ExchangeRate,
    FundingSource,
    Indicator,
    IndicatorValue,
    MonitoringVisit,
    MunicipalBudget,
    Municipality,
    Oblast,
    Organisation,
    Population,
    PriorityIssue,
    ProcurementMilestone,
    ProjectStatus,
    Rating,
    Rayon,
    ReviewStatus,
    Role,
    Sector,
    Sex,
    SocialProject,
    Stage,
    TrainingEvent,
    TrainingKind,
    UnitKind,
    User,
    UserOblast,
)
from queries.programme import (
    PHASE_2_START,
    PROGRAMME_CODE,
    PROGRAMME_END,
    PROGRAMME_START,
    pilot_phases,
    pilot_programme,
)
from queries.reviews import REPORT_KINDS
from queries.users import add_audit, add_batch, hash_password

#: how long DPI takes to review a demo report, and what it says when it returns one
REVIEW_DELAY = dt.timedelta(days=14)
RETURNED = (
    "Beneficiary figures differ from the visit sheets; please correct them and submit again (demo)."
)

DEMO_LABEL = "Illustrative demo data"
SEED = 20130901
UNITS_SOURCE = "Aimak Atlas demo (illustrative; boundaries not installed)"
DEMO_SOURCE = "Illustrative (demo)"
RATES_SOURCE = "Illustrative (demo), not NBKR"
DEMO_USERNAME = "demo-generator"
LAST_DAY = PROGRAMME_END - dt.timedelta(days=1)

Progress = Callable[[str], None]


class DemoError(Exception):
    """The demo dataset cannot be written (e.g. the database holds real data)."""


@dataclasses.dataclass(frozen=True)
class DemoMunicipality:
    """One of the 12 pilot municipalities (real OCHA P-codes)."""

    pcode: str
    rayon_pcode: str
    oblast_pcode: str
    kind: UnitKind
    name_en: str
    name_ky: str
    name_ru: str


_AA = UnitKind.AYIL_AIMAK
# Data tables are kept one record per line, outside the formatter.
# fmt: off
BATKEN, TALAS, JALAL_ABAD = "KG05000000000", "KG07000000000", "KG03000000000"

DEMO_MUNICIPALITIES: tuple[DemoMunicipality, ...] = (
    DemoMunicipality("KG05236836000", "KG05236000000", BATKEN, _AA, "Sumbula", "Сумбула",
                     "Сумбула"),
    DemoMunicipality(
        "KG05214846000", "KG05214000000", BATKEN, _AA, "Samarkandek", "Самаркандек", "Самаркандек"
    ),
    DemoMunicipality(
        "KG05258842000", "KG05258000000", BATKEN, _AA, "Orozbekov", "Орозбеков", "Орозбеков"
    ),
    DemoMunicipality(
        "KG05410000010", "KG05410000010", BATKEN, UnitKind.CITY,
        "Batken (city)", "Баткен ш.", "г. Баткен",
    ),
    DemoMunicipality("KG07232804000", "KG07232000000", TALAS, _AA, "Aral", "Арал", "Арал"),
    DemoMunicipality(
        "KG07225833000", "KG07225000000", TALAS, _AA, "Pokrovka", "Покровка", "Покровка"
    ),
    DemoMunicipality("KG07215821000", "KG07215000000", TALAS, _AA, "Kek-Say", "Көк-Сай", "Кёк-Сай"),
    DemoMunicipality(
        "KG07220835000", "KG07220000000", TALAS, _AA, "Ozgeryush", "Өзгөрүш", "Озгёрюш"
    ),
    DemoMunicipality(
        "KG03207826000", "KG03207000000", JALAL_ABAD, _AA, "Arstanbap", "Арстанбап", "Арстанбап"
    ),
    DemoMunicipality("KG03220856000", "KG03220000000", JALAL_ABAD, _AA, "Suzak", "Сузак", "Сузак"),
    DemoMunicipality(
        "KG03211832000", "KG03211000000", JALAL_ABAD, _AA,
        "Kara-Jygach", "Кара-Жыгач", "Кара-Джыгач",
    ),
    DemoMunicipality(
        "KG03225836000", "KG03225000000", JALAL_ABAD, _AA, "Uch-Terek", "Үч-Терек", "Уч-Терек"
    ),
)

# Fallback names (as in the OCHA COD-AB gazetteer) for when boundaries are not installed.
# (pcode, ISO 3166-2, SOATE, project-code letter, en, ru, ky)
_OBLASTS = (
    (BATKEN, "KG-B", "41705", "B", "Batken", "Баткенская", "Баткен"),
    (TALAS, "KG-T", "41707", "T", "Talas", "Таласская", "Талас"),
    (JALAL_ABAD, "KG-J", "41703", "J", "Jalal-Abad", "Джалал-Абадская", "Жалалабат"),
)
_D = UnitKind.DISTRICT
# (pcode, oblast, kind, en, ru, ky)
_RAYONS = (
    ("KG05236000000", BATKEN, _D, "Leilek", "Лейлекский", "Лейлек"),
    ("KG05214000000", BATKEN, _D, "Batken", "Баткенский", "Баткен"),
    ("KG05258000000", BATKEN, _D, "Kadamjai", "Кадамжайский", "Кадамжай"),
    ("KG05410000010", BATKEN, UnitKind.CITY, "Batken (city)", "г.Баткен", "Баткен ш."),
    ("KG07232000000", TALAS, _D, "Talas", "Таласский", "Талас"),
    ("KG07225000000", TALAS, _D, "Manas", "Манасский", "Манас"),
    ("KG07215000000", TALAS, _D, "Kara-Buura", "Кара-Бууринский", "Кара-Буура"),
    ("KG07220000000", TALAS, _D, "Bakai-Ata", "Бакай-Атинский", "Бакай-Ата"),
    ("KG03207000000", JALAL_ABAD, _D, "Bazar-Korgon", "Базар-Коргонский", "Базар-Коргон"),
    ("KG03220000000", JALAL_ABAD, _D, "Suzak", "Сузакский", "Сузак"),
    ("KG03211000000", JALAL_ABAD, _D, "Aksy", "Аксыйский", "Аксы"),
    ("KG03225000000", JALAL_ABAD, _D, "Toktogul", "Токтогульский", "Токтогул"),
)
# fmt: on


@dataclasses.dataclass(frozen=True)
class DemoAccount:
    """A sign-in for trying each role on the demo data; its password is public."""

    username: str
    password: str
    role: Role
    oblasts: tuple[str, ...]
    display_name: str


#: One account per role, listed on the sign-in page. They sign in only while the data is the
#: illustrative demo (dashboard.auth refuses them as soon as real data is present).
DEMO_ACCOUNTS = (
    DemoAccount("demo-admin", "demo-admin", Role.ADMIN, (), "Demo administrator"),
    DemoAccount("demo-manager", "demo-manager", Role.MANAGER, (), "Demo programme manager"),
    DemoAccount("demo-talas", "demo-talas", Role.OFFICIAL, (TALAS,), "Demo official, Talas"),
    DemoAccount("demo-batken", "demo-batken", Role.OFFICIAL, (BATKEN,), "Demo official, Batken"),
    DemoAccount("demo-viewer", "demo-viewer", Role.VIEWER, (), "Demo viewer"),
)

#: The one competition that failed (no valid bids) and the one project still running.
FAILED_PCODE = "KG07215821000"  # Kek-Say
IN_PROGRESS_PCODE = "KG03220856000"  # Suzak

# One NGO per municipality, in DEMO_MUNICIPALITIES order (the failed competition's is unused).
_NGO_NAMES = (
    'Public Association "Meerim"',
    'Public Foundation "Yntymak"',
    'Public Association "Umut-Kadamjai"',
    'Public Foundation "Batken Jashtary"',
    'Public Association "Talas Ayaldary"',
    'Public Foundation "Bakubat Turmush"',
    'Public Association "Kaiyrymduuluk"',
    'Public Foundation "Ak-Jol"',
    'Public Association "Arstanbap Demilgesi"',
    'Public Foundation "Nur-Suzak"',
    'Public Association "Balalyk"',
    'Public Foundation "Salamat"',
)


@dataclasses.dataclass(frozen=True)
class _SectorProfile:
    issue: str
    target_group: str
    project: str  # formatted with the municipality's name
    reach: tuple[int, int]  # people reached by a project, planned
    female_pct: int
    ages: tuple[int, int, int, int]  # weights of AgeGroup members, in order
    disability_pct: int


# fmt: off
_SECTORS = {
    Sector.ELDERLY_CARE: _SectorProfile(
        "No care for lonely elderly people", "Lonely elderly people",
        "Home-based social care for lonely elderly people in {}", (25, 60), 62, (0, 0, 10, 90), 25,
    ),
    Sector.DISABILITY: _SectorProfile(
        "No day care for children with disabilities", "Children with disabilities and parents",
        "Day-care centre for children with disabilities in {}", (15, 45), 48, (70, 10, 20, 0), 65,
    ),
    Sector.YOUTH: _SectorProfile(
        "No leisure opportunities for young people", "Young people aged 14–28",
        "Youth leisure and sports club in {}", (80, 250), 45, (35, 65, 0, 0), 4,
    ),
    Sector.WOMEN: _SectorProfile(
        "Unemployment among rural women", "Unemployed women",
        "Vocational training and self-help groups for women in {}", (30, 90), 95, (0, 35, 60, 5), 5,
    ),
    Sector.CULTURE_SPORT: _SectorProfile(
        "No cultural and sports life in the village", "Residents of all ages",
        "Community cultural and sports events in {}", (200, 600), 50, (35, 30, 25, 10), 3,
    ),
    Sector.INFORMATION: _SectorProfile(
        "Residents poorly informed about local self-government", "All residents",
        "Municipal information bulletin and notice boards in {}", (800, 3000), 52,
        (5, 25, 50, 20), 3,
    ),
    Sector.CHILDREN: _SectorProfile(
        "Children from low-income families without after-school care",
        "Children from low-income families",
        "After-school activities for children from low-income families in {}",
        (40, 120), 50, (100, 0, 0, 0), 6,
    ),
    Sector.HEALTH: _SectorProfile(
        "Anaemia among mothers and young children", "Women and children",
        "Health education and anaemia prevention for mothers and children in {}",
        (150, 450), 75, (45, 25, 30, 0), 3,
    ),
}

# (kind, phase, first day of the first oblast's event, days, title)
_TRAININGS = (
    (TrainingKind.LSG, 1, dt.date(2013, 10, 8), 3,
     "Social procurement and participatory planning for local self-government"),
    (TrainingKind.NGO, 1, dt.date(2013, 11, 12), 2,
     "NGOs as providers of municipal social services"),
    (TrainingKind.FINANCE, 1, dt.date(2014, 4, 15), 2,
     "Planning the social order in the local budget"),
    (TrainingKind.PROCUREMENT_LAW, 2, dt.date(2014, 10, 7), 2,
     "Public procurement law and open competitions for social services"),
    (TrainingKind.MONITORING, 2, dt.date(2015, 3, 10), 2,
     "Joint monitoring and evaluation of social projects"),
)

# KGS per USD (x 10,000) at anchor dates, and USD per EUR (x 10,000); illustrative.
_USD_ANCHORS = (
    (dt.date(2013, 9, 1), 486_000), (dt.date(2014, 1, 1), 493_000),
    (dt.date(2014, 3, 1), 545_000), (dt.date(2014, 6, 1), 520_000),
    (dt.date(2014, 9, 1), 525_000), (dt.date(2014, 12, 1), 585_000),
    (dt.date(2015, 3, 1), 618_000), (dt.date(2015, 6, 1), 618_000),
    (dt.date(2015, 8, 1), 640_000), (dt.date(2015, 10, 1), 735_000),
    (dt.date(2015, 11, 1), 755_000),
)
_EUR_USD_ANCHORS = (
    (dt.date(2013, 9, 1), 13_300), (dt.date(2014, 3, 1), 13_800),
    (dt.date(2014, 6, 1), 13_600), (dt.date(2014, 9, 1), 12_900),
    (dt.date(2014, 12, 1), 12_300), (dt.date(2015, 1, 1), 11_600),
    (dt.date(2015, 3, 1), 10_800), (dt.date(2015, 6, 1), 11_100),
    (dt.date(2015, 11, 1), 11_000),
)

# Reporting periods of indicators: calendar half-years clipped to phase 2 (end exclusive).
_PERIODS = (
    (PHASE_2_START, dt.date(2015, 1, 1)),
    (dt.date(2015, 1, 1), dt.date(2015, 7, 1)),
    (dt.date(2015, 7, 1), PROGRAMME_END),
)
# fmt: on

_FINDINGS = {
    Rating.ON_TRACK: (
        "Activities carried out as planned; attendance records kept.",
        "Service delivered on schedule; beneficiaries satisfied.",
        "Work plan followed; the municipality pays instalments on time.",
    ),
    Rating.MINOR_ISSUES: (
        "Reporting to the ayil okmotu late; records of beneficiaries incomplete.",
        "Some activities postponed by a month; the plan was adjusted.",
    ),
    Rating.AT_RISK: (
        "Local-budget instalment delayed; the NGO cut activities. Follow-up visit agreed.",
    ),
}


# --- helpers ----------------------------------------------------------------------------


class _Dated(Protocol):
    start_date: dt.date
    end_date: dt.date


P = TypeVar("P", bound=_Dated)


def phase_for(day: dt.date, phases: Iterable[P]) -> P:
    """The phase whose [start_date, end_date) holds `day`; ValueError if none does."""
    for phase in phases:
        if phase.start_date <= day < phase.end_date:
            return phase
    raise ValueError(f"{day} is outside every phase")


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A day from `first` to `last`, both inclusive."""
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _interpolate(anchors: Sequence[tuple[dt.date, int]], day: dt.date) -> int:
    """Integer linear interpolation between dated anchor values."""
    for (d0, v0), (d1, v1) in itertools.pairwise(anchors):
        if d0 <= day <= d1:
            return v0 + (v1 - v0) * (day - d0).days // (d1 - d0).days
    raise ValueError(f"{day} is outside the anchors")


def _split(total: int, weights: Sequence[int]) -> list[int]:
    """`total` split in proportion to `weights` by largest remainder; sums to `total`."""
    weight_sum = sum(weights)
    shares = [total * w // weight_sum for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % weight_sum), i))
    for i in remainders[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _som(amount: int) -> int:
    """Whole som in tyiyn."""
    return amount * 100


# --- reference units --------------------------------------------------------------------


def ensure_units(session: Session) -> dict[str, int]:
    """Insert the pilot's oblasts, rayons and municipalities that are missing; return how many.

    Rows already present (installed from the real gazetteer) are left untouched.
    """
    added = {"oblast": 0, "rayon": 0, "municipality": 0}
    for pcode, iso, soate, _letter, en, ru, ky in _OBLASTS:
        if session.get(Oblast, pcode) is None:
            session.add(
                Oblast(
                    pcode=pcode,
                    iso_code=iso,
                    soate=soate,
                    name_en=en,
                    name_ru=ru,
                    name_ky=ky,
                    source=UNITS_SOURCE,
                )
            )
            added["oblast"] += 1
    session.flush()
    for pcode, oblast, kind, en, ru, ky in _RAYONS:
        if session.get(Rayon, pcode) is None:
            session.add(
                Rayon(
                    pcode=pcode,
                    oblast_pcode=oblast,
                    kind=kind,
                    name_en=en,
                    name_ru=ru,
                    name_ky=ky,
                    source=UNITS_SOURCE,
                )
            )
            added["rayon"] += 1
    session.flush()
    for unit in DEMO_MUNICIPALITIES:
        if session.get(Municipality, unit.pcode) is None:
            session.add(
                Municipality(
                    pcode=unit.pcode,
                    rayon_pcode=unit.rayon_pcode,
                    oblast_pcode=unit.oblast_pcode,
                    kind=unit.kind,
                    name_en=unit.name_en,
                    name_ru=unit.name_ru,
                    name_ky=unit.name_ky,
                    source=UNITS_SOURCE,
                )
            )
            added["municipality"] += 1
    session.flush()
    return added


# --- public entry points ----------------------------------------------------------------


def has_demo_data(engine: Engine) -> bool:
    """Whether any reporting table holds demo rows."""
    with Session(engine) as session:
        return _has_demo(session)


def seed_demo(
    engine: Engine, *, reset: bool = False, progress: Progress | None = None
) -> dict[str, int]:
    """Write the demo dataset in one transaction; return demo row counts per reporting table.

    Idempotent: with demo rows present and no `reset`, nothing is written. With `reset`,
    the demo rows are deleted and written again. Refuses (DemoError) when the database
    holds real reporting rows. The audit log only grows.
    """
    say = progress or (lambda _message: None)
    with Session(engine) as session, session.begin():
        _refuse_real_data(session)
        if _has_demo(session):
            if not reset:
                say("demo data already present: nothing written")
                ensure_demo_accounts(session)
                return _demo_counts(session)
            say("deleting the previous demo rows")
            for table in reversed(REPORTING_TABLES):
                session.execute(delete(table).where(table.is_demo.is_(True)))
        started = _utcnow()
        say("reference units")
        ensure_units(session)
        _DemoWriter(session, random.Random(SEED), say).write()
        counts = _demo_counts(session)
        say("demo accounts")
        ensure_demo_accounts(session)
        say("import batch and audit entry")
        actor = _demo_user(session)
        batch = add_batch(
            session,
            "demo",
            actor.id,
            file_name=f"queries/demo.py (seed {SEED})",
            started_at=started,
            counts=counts,
            is_demo=True,
        )
        add_audit(
            session,
            "demo_seed",
            actor.id,
            table_name=None,
            row_key=PROGRAMME_CODE,
            after=counts,
            batch_id=batch.id,
            at=started,
        )
    return counts


def ensure_demo_accounts(session: Session) -> int:
    """Create the demo accounts that are missing (never touching real accounts); return how many."""
    created = 0
    for account in DEMO_ACCOUNTS:
        if session.scalar(select(User.id).where(User.username == account.username)) is not None:
            continue
        user = User(
            username=account.username,
            display_name=account.display_name,
            role=account.role,
            password_hash=hash_password(account.password),
            is_active=True,
            is_demo=True,
        )
        session.add(user)
        session.flush()
        for pcode in account.oblasts:
            if session.get(Oblast, pcode) is not None:
                session.add(UserOblast(user_id=user.id, oblast_pcode=pcode))
        created += 1
    session.flush()
    return created


def _has_demo(session: Session) -> bool:
    return any(
        session.scalar(select(table.id).where(table.is_demo.is_(True)).limit(1)) is not None
        for table in REPORTING_TABLES
    )


def _demo_counts(session: Session) -> dict[str, int]:
    return {
        table.__tablename__: session.scalar(
            select(func.count()).select_from(table).where(table.is_demo.is_(True))
        )
        for table in REPORTING_TABLES
    }


def _refuse_real_data(session: Session) -> None:
    for table in REPORTING_TABLES:
        if session.scalar(select(table.id).where(table.is_demo.is_not(True)).limit(1)) is not None:
            raise DemoError(
                f"the database holds real data (table {table.__tablename__}); "
                "demo data is only written to a database without real reporting rows"
            )


def _demo_user(session: Session) -> User:
    user = session.scalar(select(User).where(User.username == DEMO_USERNAME))
    if user is None:
        user = User(
            username=DEMO_USERNAME,
            display_name="Demo data generator",
            role=Role.SYSTEM,
            is_demo=True,
        )
        session.add(user)
        session.flush()
    elif not user.is_demo:
        raise DemoError(f"a real user is named {DEMO_USERNAME!r}")
    return user


# --- the dataset ------------------------------------------------------------------------


@dataclasses.dataclass
class _Plan:
    """What the generator decided for one project before writing its dependent rows."""

    unit: DemoMunicipality
    project: SocialProject
    local_line: int  # tyiyn
    reach: int  # people the project plans to reach
    milestones: dict[Stage, dt.date]
    planned_end: dt.date  # completion (or planned completion if still running)
    final_ratio: float  # reached / planned at completion
    visits: list[MonitoringVisit] = dataclasses.field(default_factory=list)


class _DemoWriter:
    """Writes the demo rows step by step; each step draws from the one seeded generator."""

    #: the municipalities written for (a subclass may write for others, e.g. a benchmark's)
    units: Sequence[DemoMunicipality] = DEMO_MUNICIPALITIES
    #: population ranges (cities, other municipalities) and the source written with them
    city_population, other_population = (24_000, 26_500), (5_000, 28_000)
    population_source = DEMO_SOURCE

    def __init__(self, session: Session, rng: random.Random, say: Progress):
        self.session, self.rng, self.say = session, rng, say
        self.population: dict[str, int] = {}
        self.issues: dict[str, list[PriorityIssue]] = {}
        self.plans: list[_Plan] = []

    def write(self) -> None:
        for step, label in (
            (self.programme, "programme and phases"),
            (self.populations, "populations"),
            (self.trainings, "trainings"),
            (self.priority_issues, "priority issues"),
            (self.projects, "projects, NGOs and budget lines"),
            (self.milestones, "procurement milestones"),
            (self.budgets, "municipal budgets"),
            (self.monitoring, "monitoring visits and beneficiaries"),
            (self.indicators, "indicators"),
            (self.documents, "documents"),
            (self.exchange_rates, "exchange rates"),
            # last, so that every figure drawn by the steps above stays as it was
            (self.local_trainings, "local trainings in the municipalities"),
        ):
            self.say(label)
            step()
            self.session.flush()

    def add(self, row):
        row.is_demo = True
        self.session.add(row)
        return row

    def phase(self, day: dt.date) -> int:
        return phase_for(day, self.phases).id

    def programme(self) -> None:
        self.programme_row = self.add(pilot_programme())
        self.session.flush()
        self.phases = [self.add(phase) for phase in pilot_phases(self.programme_row.id)]

    def populations(self) -> None:
        for unit in self.units:
            city = unit.kind is UnitKind.CITY
            people = self.rng.randint(*(self.city_population if city else self.other_population))
            self.population[unit.pcode] = people
            for year in (2013, 2014, 2015):
                self.add(
                    Population(
                        municipality_pcode=unit.pcode,
                        year=year,
                        population=people,
                        source=self.population_source,
                    )
                )
                people += people * self.rng.randint(10, 22) // 1000

    def trainings(self) -> None:
        participants = {  # (lsg, ngo, initiative) ranges per kind
            TrainingKind.LSG: ((14, 24), (0, 4), (4, 10)),
            TrainingKind.NGO: ((2, 5), (12, 20), (3, 8)),
            TrainingKind.FINANCE: ((12, 20), (0, 3), (0, 4)),
            TrainingKind.PROCUREMENT_LAW: ((12, 18), (8, 14), (0, 3)),
            TrainingKind.MONITORING: ((6, 10), (6, 10), (6, 12)),
        }
        for kind, _phase, first_day, days, title in _TRAININGS:
            for index, (oblast, *_codes, oblast_en, _ru, _ky) in enumerate(_OBLASTS):
                start = first_day + dt.timedelta(days=7 * index + self.rng.randint(0, 2))
                lsg, ngo, initiative = (self.rng.randint(*r) for r in participants[kind])
                women = (lsg + ngo + initiative) * self.rng.randint(35, 60) // 100
                self.add(
                    TrainingEvent(
                        programme_id=self.programme_row.id,
                        phase_id=self.phase(start),
                        oblast_pcode=oblast,
                        kind=kind,
                        title=f"{title} ({oblast_en} oblast)",
                        start_date=start,
                        end_date=start + dt.timedelta(days=days - 1),
                        participants_lsg=lsg,
                        participants_ngo=ngo,
                        participants_initiative=initiative,
                        participants_women=women,
                    )
                )

    def local_trainings(self) -> None:
        """Two sessions held in each municipality (``municipality_pcode`` set).

        A facilitation session for the participatory appraisal, a few days before the
        community ranked its priorities (phase 1); and a local council (kenesh) session on
        budgeting the social order: before the council approved the programme (phase 1), or,
        for some municipalities, in autumn 2014 on the 2015 budget (phase 2).
        """
        rng = self.rng
        plans = {plan.unit.pcode: plan for plan in self.plans}
        for unit in DEMO_MUNICIPALITIES:
            appraisal = self.issues[unit.pcode][0].identified_on
            approved = plans[unit.pcode].milestones[Stage.PROGRAMME_APPROVED]
            if rng.random() < 0.5:
                kenesh = approved - dt.timedelta(days=rng.randint(10, 30))
            else:
                kenesh = _day_between(rng, dt.date(2014, 10, 1), dt.date(2014, 11, 28))
            sessions = (
                (TrainingKind.LSG, appraisal - dt.timedelta(days=rng.randint(5, 12)), 2,
                 "Facilitating the participatory appraisal of social priorities",
                 (3, 6), (1, 3), (8, 16), (40, 65)),
                (TrainingKind.FINANCE, kenesh, 1,
                 "Local council (kenesh) session: the social order in the local budget",
                 (9, 17), (0, 2), (0, 3), (20, 40)),
            )  # fmt: skip
            for kind, start, days, title, *ranges, women_pct in sessions:
                lsg, ngo, initiative = (rng.randint(*r) for r in ranges)
                women = (lsg + ngo + initiative) * rng.randint(*women_pct) // 100
                self.add(
                    TrainingEvent(
                        programme_id=self.programme_row.id,
                        phase_id=self.phase(start),
                        oblast_pcode=unit.oblast_pcode,
                        municipality_pcode=unit.pcode,
                        kind=kind,
                        title=f"{title} ({unit.name_en})",
                        start_date=start,
                        end_date=start + dt.timedelta(days=days - 1),
                        participants_lsg=lsg,
                        participants_ngo=ngo,
                        participants_initiative=initiative,
                        participants_women=women,
                    )
                )

    def priority_issues(self) -> None:
        for unit in self.units:
            day = _day_between(self.rng, dt.date(2013, 10, 1), dt.date(2013, 12, 20))
            categories = self.rng.sample(list(Sector), self.rng.randint(3, 6))
            votes = self.rng.randint(120, 260)
            issues = []
            for rank, category in enumerate(categories, start=1):
                profile = _SECTORS[category]
                issues.append(
                    self.add(
                        PriorityIssue(
                            programme_id=self.programme_row.id,
                            phase_id=self.phase(day),
                            municipality_pcode=unit.pcode,
                            rank=rank,
                            votes=votes,
                            category=category,
                            title=profile.issue,
                            target_group=profile.target_group,
                            identified_on=day,
                        )
                    )
                )
                votes = max(1, votes - self.rng.randint(8, 40))
            self.issues[unit.pcode] = issues

    def projects(self) -> None:
        letters = {pcode: letter for pcode, _iso, _soate, letter, *_names in _OBLASTS}
        numbers: dict[str, int] = {}
        self.session.flush()
        for unit, ngo_name in zip(DEMO_MUNICIPALITIES, _NGO_NAMES, strict=True):
            numbers[unit.oblast_pcode] = numbers.get(unit.oblast_pcode, 0) + 1
            code = f"MSP-{letters[unit.oblast_pcode]}-{numbers[unit.oblast_pcode]:02d}"
            issue = self.issues[unit.pcode][0 if self.rng.random() < 0.75 else 1]
            profile = _SECTORS[issue.category]
            if unit.pcode == FAILED_PCODE:
                status, organisation_id = ProjectStatus.FAILED_COMPETITION, None
            else:
                organisation = self.add(Organisation(name=ngo_name, oblast_pcode=unit.oblast_pcode))
                self.session.flush()
                organisation_id = organisation.id
                status = (
                    ProjectStatus.IN_PROGRESS
                    if unit.pcode == IN_PROGRESS_PCODE
                    else ProjectStatus.COMPLETED
                )
            project = self.add(
                SocialProject(
                    code=code,
                    programme_id=self.programme_row.id,
                    municipality_pcode=unit.pcode,
                    priority_issue_id=issue.id,
                    organisation_id=organisation_id,
                    sector=issue.category,
                    title=profile.project.format(unit.name_en),
                    status=status,
                    expertise_score=self.rng.randint(60, 95),
                )
            )
            self.session.flush()
            total = _som(self.rng.randint(150, 600) * 1000)
            local_pct = self.rng.randint(30, 45)
            giz_pct = self.rng.randint(40, min(60, 95 - local_pct))  # co-financing >= 5 %
            local = total * local_pct // 100 // 100 * 100  # whole som
            giz = total * giz_pct // 100 // 100 * 100
            for source, amount in (
                (FundingSource.LOCAL_BUDGET, local),
                (FundingSource.GIZ_FUND, giz),
                (FundingSource.CO_FINANCING, total - local - giz),
            ):
                self.add(BudgetLine(project_id=project.id, source=source, amount_tyiyn=amount))
            self.plans.append(
                _Plan(
                    unit=unit,
                    project=project,
                    local_line=local,
                    reach=self.rng.randint(*profile.reach),
                    milestones={},
                    planned_end=LAST_DAY,
                    final_ratio=self.rng.randint(90, 110) / 100,
                )
            )

    def milestones(self) -> None:
        rng = self.rng
        for plan in self.plans:
            status = plan.project.status
            dates = plan.milestones
            issue = self.session.get(PriorityIssue, plan.project.priority_issue_id)
            dates[Stage.PRIORITY_IDENTIFIED] = issue.identified_on
            dates[Stage.PROGRAMME_APPROVED] = _day_between(
                rng, dt.date(2014, 4, 1), dt.date(2014, 8, 20)
            )
            if status is ProjectStatus.IN_PROGRESS:  # a late competition, still running
                announced = _day_between(rng, dt.date(2015, 3, 2), dt.date(2015, 4, 15))
            else:
                announced = _day_between(rng, dt.date(2014, 10, 15), dt.date(2015, 2, 10))
            dates[Stage.COMPETITION_ANNOUNCED] = announced
            dates[Stage.BIDS_RECEIVED] = announced + dt.timedelta(days=rng.randint(21, 30))
            if status is not ProjectStatus.FAILED_COMPETITION:
                winner = dates[Stage.BIDS_RECEIVED] + dt.timedelta(days=rng.randint(3, 10))
                dates[Stage.WINNER_SELECTED] = winner
                contract = winner + dt.timedelta(days=rng.randint(5, 14))
                dates[Stage.CONTRACT_SIGNED] = contract
                start = contract + dt.timedelta(days=rng.randint(3, 10))
                dates[Stage.IMPLEMENTATION] = start
                if status is ProjectStatus.COMPLETED:
                    completed = _day_between(
                        rng, start + dt.timedelta(days=150), dt.date(2015, 10, 5)
                    )
                    dates[Stage.COMPLETED] = completed
                    dates[Stage.REPORTED] = completed + dt.timedelta(days=rng.randint(5, 20))
                    plan.planned_end = completed
                else:
                    plan.planned_end = dt.date(2016, 2, 29)
            for stage, day in sorted(dates.items(), key=lambda item: STAGE_ORDER[item[0]]):
                bids = None
                note = None
                if stage is Stage.BIDS_RECEIVED:
                    if status is ProjectStatus.FAILED_COMPETITION:
                        bids, note = 0, "No valid bids: the competition was declared failed."
                    else:
                        bids = rng.randint(1, 5)
                self.add(
                    ProcurementMilestone(
                        project_id=plan.project.id,
                        phase_id=self.phase(day),
                        stage=stage,
                        occurred_on=day,
                        bids_count=bids,
                        note=note,
                    )
                )

    def budgets(self) -> None:
        rng = self.rng
        for plan in self.plans:
            unit = plan.unit
            per_person = rng.randint(3_600, 4_400) if unit.kind is UnitKind.CITY else None
            if per_person:
                local_budget = self.population[unit.pcode] * per_person
            else:
                local_budget = min(
                    60_000_000,
                    max(8_000_000, self.population[unit.pcode] * rng.randint(1_200, 2_200)),
                )
            local_budget = local_budget // 1000 * 1000
            allocation_2014 = _som(rng.randint(30, 80) * 1000)
            for year, allocation in ((2013, 0), (2014, allocation_2014), (2015, plan.local_line)):
                if year == 2015 and plan.project.status is ProjectStatus.FAILED_COMPETITION:
                    executed = 0
                elif year == 2015 and plan.project.status is ProjectStatus.IN_PROGRESS:
                    executed = allocation * rng.randint(55, 70) // 100
                else:
                    executed = allocation * rng.randint(88, 100) // 100
                self.add(
                    MunicipalBudget(
                        municipality_pcode=unit.pcode,
                        year=year,
                        local_budget_tyiyn=_som(local_budget),
                        social_allocation_tyiyn=allocation,
                        executed_tyiyn=executed,
                    )
                )
                local_budget = local_budget * rng.randint(104, 112) // 100 // 1000 * 1000

    def reached(self, plan: _Plan, day: dt.date) -> int:
        """People a project had reached by `day` (linear over its implementation)."""
        start = plan.milestones.get(Stage.IMPLEMENTATION)
        if start is None or day <= start:
            return 0
        share = min(1.0, (day - start).days / (plan.planned_end - start).days)
        return max(1, round(plan.reach * plan.final_ratio * share))

    def monitoring(self) -> None:
        rng = self.rng
        for plan in self.plans:
            if Stage.IMPLEMENTATION not in plan.milestones:
                continue
            first = plan.milestones[Stage.IMPLEMENTATION] + dt.timedelta(days=14)
            last = plan.milestones.get(Stage.REPORTED, LAST_DAY)
            visits = rng.randint(2, 4)
            segment = (last - first).days // visits  # one visit in each segment, >= 10 days apart
            offsets = [i * segment + rng.randint(0, max(0, segment - 10)) for i in range(visits)]
            profile = _SECTORS[plan.project.sector]
            for number, offset in enumerate(offsets, start=1):
                day = first + dt.timedelta(days=offset)
                rating = Rating.ON_TRACK if rng.random() < 0.75 else Rating.MINOR_ISSUES
                if plan.project.status is ProjectStatus.IN_PROGRESS and number == len(offsets):
                    rating = Rating.AT_RISK  # the one project at risk: its latest visit
                visit = self.add(
                    MonitoringVisit(
                        project_id=plan.project.id,
                        phase_id=self.phase(day),
                        visit_date=day,
                        rating=rating,
                        findings=rng.choice(_FINDINGS[rating]),
                    )
                )
                plan.visits.append(visit)
                self.session.flush()
                cells = [
                    (sex, age, disabled, sex_w * age_w * dis_w)
                    for sex, sex_w in (
                        (Sex.FEMALE, profile.female_pct),
                        (Sex.MALE, 100 - profile.female_pct),
                    )
                    for age, age_w in zip(AgeGroup, profile.ages, strict=True)
                    for disabled, dis_w in (
                        (True, profile.disability_pct),
                        (False, 100 - profile.disability_pct),
                    )
                ]
                counts = _split(self.reached(plan, day), [c[3] for c in cells])
                for (sex, age, disabled, _w), count in zip(cells, counts, strict=True):
                    self.add(
                        Beneficiaries(
                            visit_id=visit.id,
                            sex=sex,
                            age_group=age,
                            with_disability=disabled,
                            count=count,
                        )
                    )

    def indicators(self) -> None:
        rng = self.rng
        programme_id = self.programme_row.id
        contracts = sorted(
            p.milestones[Stage.CONTRACT_SIGNED]
            for p in self.plans
            if Stage.CONTRACT_SIGNED in p.milestones
        )
        for code, name, unit, values in (
            (
                "MSP-PRG-01",
                "Municipalities with a social order in the local budget",
                "municipalities",
                [12 for _ in _PERIODS],
            ),
            (
                "MSP-PRG-02",
                "Social service contracts signed with NGOs",
                "contracts",
                [sum(day < end for day in contracts) for _start, end in _PERIODS],
            ),
        ):
            indicator = self.add(
                Indicator(
                    code=code,
                    programme_id=programme_id,
                    name=name,
                    unit=unit,
                    baseline=0,
                    target=12,
                )
            )
            self.session.flush()
            for (start, end), actual in zip(_PERIODS, values, strict=True):
                self.add(
                    IndicatorValue(
                        indicator_id=indicator.id,
                        phase_id=self.phase(start),
                        period_start=start,
                        period_end=end,
                        actual=actual,
                    )
                )
        for plan in self.plans:
            if Stage.IMPLEMENTATION not in plan.milestones:
                continue
            project = plan.project
            profile = _SECTORS[project.sector]
            reached = self.add(
                Indicator(
                    code=f"{project.code}-I1",
                    programme_id=programme_id,
                    project_id=project.id,
                    name=f"{profile.target_group} reached by the service",
                    unit="persons",
                    baseline=0,
                    target=plan.reach,
                )
            )
            satisfied = None
            if rng.random() < 0.5:
                satisfied = self.add(
                    Indicator(
                        code=f"{project.code}-I2",
                        programme_id=programme_id,
                        project_id=project.id,
                        name="Beneficiaries satisfied with the service",
                        unit="%",
                        baseline=0,
                        target=80,
                    )
                )
            self.session.flush()
            satisfaction = rng.randint(62, 78)
            for start, end in _PERIODS:
                if end <= plan.milestones[Stage.IMPLEMENTATION]:
                    continue
                self.add(
                    IndicatorValue(
                        indicator_id=reached.id,
                        phase_id=self.phase(start),
                        period_start=start,
                        period_end=end,
                        actual=self.reached(plan, end),
                    )
                )
                if satisfied is not None:
                    self.add(
                        IndicatorValue(
                            indicator_id=satisfied.id,
                            phase_id=self.phase(start),
                            period_start=start,
                            period_end=end,
                            actual=satisfaction,
                        )
                    )
                    satisfaction = min(95, satisfaction + rng.randint(2, 9))

    def documents(self) -> None:
        self.reviewer = _demo_user(self.session)
        self.review_turns = itertools.count()
        recommendations = dt.date(2015, 10, 20)
        self.add(
            Document(
                programme_id=self.programme_row.id,
                phase_id=self.phase(recommendations),
                kind=DocumentKind.RECOMMENDATIONS,
                title="Recommendations on the legal framework of social procurement (demo)",
                url="/documents/demo/recommendations-legal-framework.pdf",
                issued_on=recommendations,
            )
        )
        for plan in self.plans:
            project, dates = plan.project, plan.milestones
            base = f"/documents/demo/{project.code}"
            entries = [
                (
                    DocumentKind.COUNCIL_DECISION,
                    dates[Stage.PROGRAMME_APPROVED],
                    f"Local council decision on the social order, {plan.unit.name_en} (demo)",
                    f"{base}-council-decision.pdf",
                )
            ]
            if Stage.CONTRACT_SIGNED in dates:
                entries.append(
                    (
                        DocumentKind.CONTRACT,
                        dates[Stage.CONTRACT_SIGNED],
                        f"Social order contract {project.code} (demo)",
                        f"{base}-contract.pdf",
                    )
                )
            for number, visit in enumerate(plan.visits, start=1):
                entries.append(
                    (
                        DocumentKind.MONITORING_REPORT,
                        visit.visit_date,
                        f"Monitoring visit report {number}, {project.code} (demo)",
                        f"{base}-monitoring-{number}.pdf",
                    )
                )
            if Stage.REPORTED in dates:
                entries.append(
                    (
                        DocumentKind.FINAL_REPORT,
                        dates[Stage.REPORTED],
                        f"Final report {project.code} (demo)",
                        f"{base}-final-report.pdf",
                    )
                )
            reports = [entry for entry in entries if entry[0] in REPORT_KINDS]
            for kind, day, title, url in entries:
                self.add(
                    Document(
                        project_id=project.id,
                        programme_id=self.programme_row.id,
                        municipality_pcode=plan.unit.pcode,
                        phase_id=self.phase(day),
                        kind=kind,
                        title=title,
                        url=url,
                        issued_on=day,
                        **self.review(day, latest=bool(reports) and url == reports[-1][3]),
                    )
                )

    def review(self, issued_on: dt.date, latest: bool) -> dict:
        """DPI's review of a demo document, drawn without the generator (so no other figure
        moves): reports verified two weeks after they came in, except a municipality's latest
        report, which is in turn verified, still awaiting review, or returned for correction."""
        reviewed = {
            "reviewed_by": self.reviewer.id,
            "reviewed_at": dt.datetime.combine(issued_on, dt.time(10)) + REVIEW_DELAY,
        }
        turn = next(self.review_turns) % 3 if latest else 0
        if turn == 1:
            return {}
        if turn == 2:
            return reviewed | {"review_status": ReviewStatus.RETURNED, "review_comment": RETURNED}
        return reviewed | {"review_status": ReviewStatus.VERIFIED}

    def exchange_rates(self) -> None:
        day = PROGRAMME_START
        while day <= PROGRAMME_END:
            usd = _interpolate(_USD_ANCHORS, day) + self.rng.randint(-1_500, 1_500)
            eur = usd * (_interpolate(_EUR_USD_ANCHORS, day) + self.rng.randint(-60, 60)) // 10_000
            for currency, rate in ((Currency.USD, usd), (Currency.EUR, eur)):
                self.add(
                    ExchangeRate(
                        currency=currency,
                        on_date=day,
                        kgs_per_unit_e4=rate,
                        source=RATES_SOURCE,
                    )
                )
            day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


DEMO_REMOVED = "demo_remove"  # the audit action of `remove_demo`


def demo_was_removed(engine: Engine) -> bool:
    """Whether the demo was ever removed (the audit log remembers it): `aimak serve` then no
    longer seeds it into an empty database; `aimak demo` still brings it back on request."""
    statement = select(AuditEntry.id).where(AuditEntry.action == DEMO_REMOVED).limit(1)
    with engine.connect() as connection:
        return connection.scalar(statement) is not None


def remove_demo(engine: Engine) -> dict[str, int]:
    """Delete every demo reporting row and disable the demo accounts, in one transaction.

    Returns the deleted counts per table. The audit log keeps its entries (it is append-only)
    and records the removal; demo users stay as disabled actors of those entries.
    """
    with Session(engine) as session, session.begin():
        counts = _demo_counts(session)
        for table in reversed(REPORTING_TABLES):
            session.execute(delete(table).where(table.is_demo.is_(True)))
        actor = _demo_user(session)
        for user in session.scalars(select(User).where(User.is_demo.is_(True))):
            user.is_active = False
        add_audit(
            session, DEMO_REMOVED, actor.id, table_name=None, row_key=PROGRAMME_CODE, before=counts
        )
    return counts
