"""The pilot as the demo tells it: its 12 municipalities (real OCHA P-codes), their oblasts,
rayons and NGOs, a profile per sector, the trainings, exchange-rate anchors, reporting periods
and monitoring findings. Fixed tables; every figure drawn from them is invented.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from queries.models import Rating, Sector, TrainingKind, UnitKind
from queries.programme import PHASE_2_START, PROGRAMME_END

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
    # the gazetteer's names (kgz_adm3_municipality_points.csv: adm3_en, adm3_ky; it has no
    # Russian at ADM3): the demo writes them into its project titles too
    DemoMunicipality("KG05236836000", "KG05236000000", BATKEN, _AA, "Sumbulin", "Сумбула",
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
OBLASTS = (
    (BATKEN, "KG-B", "41705", "B", "Batken", "Баткенская", "Баткен"),
    (TALAS, "KG-T", "41707", "T", "Talas", "Таласская", "Талас"),
    (JALAL_ABAD, "KG-J", "41703", "J", "Jalal-Abad", "Джалал-Абадская", "Жалалабат"),
)


_D = UnitKind.DISTRICT


# (pcode, oblast, kind, en, ru, ky)
RAYONS = (
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


#: The one competition that failed (no valid bids) and the one project still running.
FAILED_PCODE = "KG07215821000"  # Kek-Say
IN_PROGRESS_PCODE = "KG03220856000"  # Suzak


# One NGO per municipality, in DEMO_MUNICIPALITIES order (the failed competition's is unused).
NGO_NAMES = (
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
class SectorProfile:
    issue: str
    target_group: str
    project: str  # formatted with the municipality's name
    reach: tuple[int, int]  # people reached by a project, planned
    female_pct: int
    ages: tuple[int, int, int, int]  # weights of AgeGroup members, in order
    disability_pct: int


# fmt: off
SECTORS = {
    Sector.ELDERLY_CARE: SectorProfile(
        "No care for lonely elderly people", "Lonely elderly people",
        "Home-based social care for lonely elderly people in {}", (25, 60), 62, (0, 0, 10, 90), 25,
    ),
    Sector.DISABILITY: SectorProfile(
        "No day care for children with disabilities", "Children with disabilities and parents",
        "Day-care centre for children with disabilities in {}", (15, 45), 48, (70, 10, 20, 0), 65,
    ),
    Sector.YOUTH: SectorProfile(
        "No leisure opportunities for young people", "Young people aged 14–28",
        "Youth leisure and sports club in {}", (80, 250), 45, (35, 65, 0, 0), 4,
    ),
    Sector.WOMEN: SectorProfile(
        "Unemployment among rural women", "Unemployed women",
        "Vocational training and self-help groups for women in {}", (30, 90), 95, (0, 35, 60, 5), 5,
    ),
    Sector.CULTURE_SPORT: SectorProfile(
        "No cultural and sports life in the village", "Residents of all ages",
        "Community cultural and sports events in {}", (200, 600), 50, (35, 30, 25, 10), 3,
    ),
    Sector.INFORMATION: SectorProfile(
        "Residents poorly informed about local self-government", "All residents",
        "Municipal information bulletin and notice boards in {}", (800, 3000), 52,
        (5, 25, 50, 20), 3,
    ),
    Sector.CHILDREN: SectorProfile(
        "Children from low-income families without after-school care",
        "Children from low-income families",
        "After-school activities for children from low-income families in {}",
        (40, 120), 50, (100, 0, 0, 0), 6,
    ),
    Sector.HEALTH: SectorProfile(
        "Anaemia among mothers and young children", "Women and children",
        "Health education and anaemia prevention for mothers and children in {}",
        (150, 450), 75, (45, 25, 30, 0), 3,
    ),
}


# (kind, phase, first day of the first oblast's event, days, title)
TRAININGS = (
    (TrainingKind.LSG, 1, dt.date(2013, 10, 8), 3,
     "Social procurement and participatory planning for local self-government"),
    (TrainingKind.NGO, 1, dt.date(2013, 11, 12), 2,
     "NGOs as providers of municipal social services"),
    (TrainingKind.FINANCE, 1, dt.date(2014, 4, 15), 2,
     "Planning the social order in the local budget"),
    (TrainingKind.PROCUREMENT_LAW, 2, dt.date(2014, 10, 7), 2,
     "Public procurement law and open competitions for social services"),
    (TrainingKind.MONITORING, 1, dt.date(2014, 6, 10), 2,
     "Joint monitoring and evaluation of social projects"),
)


# KGS per USD (x 10,000) at anchor dates, and USD per EUR (x 10,000); illustrative.
USD_ANCHORS = (
    (dt.date(2013, 9, 1), 486_000), (dt.date(2014, 1, 1), 493_000),
    (dt.date(2014, 3, 1), 545_000), (dt.date(2014, 6, 1), 520_000),
    (dt.date(2014, 9, 1), 525_000), (dt.date(2014, 12, 1), 585_000),
    (dt.date(2015, 3, 1), 618_000), (dt.date(2015, 6, 1), 618_000),
    (dt.date(2015, 8, 1), 640_000), (dt.date(2015, 10, 1), 735_000),
    (dt.date(2015, 11, 1), 755_000),
)


EUR_USD_ANCHORS = (
    (dt.date(2013, 9, 1), 13_300), (dt.date(2014, 3, 1), 13_800),
    (dt.date(2014, 6, 1), 13_600), (dt.date(2014, 9, 1), 12_900),
    (dt.date(2014, 12, 1), 12_300), (dt.date(2015, 1, 1), 11_600),
    (dt.date(2015, 3, 1), 10_800), (dt.date(2015, 6, 1), 11_100),
    (dt.date(2015, 11, 1), 11_000),
)


# Reporting periods of indicators: calendar half-years clipped to phase 2 (end exclusive).
PERIODS = (
    (PHASE_2_START, dt.date(2015, 1, 1)),
    (dt.date(2015, 1, 1), dt.date(2015, 7, 1)),
    (dt.date(2015, 7, 1), PROGRAMME_END),
)


# fmt: on

FINDINGS = {
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
