"""The pilot as the demo tells it: its 12 municipalities (real OCHA P-codes), their oblasts,
rayons and NGOs, a profile per sector, the trainings, exchange-rate anchors, reporting periods
and monitoring findings. Fixed tables; every figure drawn from them is invented.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

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


class Texts(NamedTuple):
    """A demo text in English, Russian and Kyrgyz; the demo was written in English."""

    en: str
    ru: str
    ky: str

    def columns(self, field: str) -> dict[str, str]:
        """The row's columns of a multilingual field (queries.multilingual)."""
        return {
            f"{field}_en": self.en,
            f"{field}_ru": self.ru,
            f"{field}_ky": self.ky,
            f"{field}_lang": "en",
        }

    def format(self, **per_language) -> Texts:
        """Each language's text with `{name}` filled from `per_language[name]`, a Texts
        (or a plain value, the same in every language)."""

        def values(lang: str) -> dict:
            return {
                name: getattr(value, lang) if isinstance(value, Texts) else value
                for name, value in per_language.items()
            }

        return Texts(*(getattr(self, lang).format(**values(lang)) for lang in ("en", "ru", "ky")))


# One NGO per municipality, in DEMO_MUNICIPALITIES order (the failed competition's is unused):
# its registered name in English, Russian and Kyrgyz (a public association is «…» коомдук
# бирикмеси in Kyrgyz, a public foundation «…» коомдук фонду). Illustrative names.
NGO_NAMES: tuple[Texts, ...] = (
    Texts(
        'Public Association "Meerim"',
        "Общественное объединение «Мээрим»",
        "«Мээрим» коомдук бирикмеси",
    ),
    Texts('Public Foundation "Yntymak"', "Общественный фонд «Ынтымак»", "«Ынтымак» коомдук фонду"),
    Texts(
        'Public Association "Umut-Kadamjai"',
        "Общественное объединение «Үмүт-Кадамжай»",
        "«Үмүт-Кадамжай» коомдук бирикмеси",
    ),
    Texts(
        'Public Foundation "Batken Jashtary"',
        "Общественный фонд «Баткен жаштары»",
        "«Баткен жаштары» коомдук фонду",
    ),
    Texts(
        'Public Association "Talas Ayaldary"',
        "Общественное объединение «Талас аялдары»",
        "«Талас аялдары» коомдук бирикмеси",
    ),
    Texts(
        'Public Foundation "Bakubat Turmush"',
        "Общественный фонд «Бакубат турмуш»",
        "«Бакубат турмуш» коомдук фонду",
    ),
    Texts(
        'Public Association "Kaiyrymduuluk"',
        "Общественное объединение «Кайрымдуулук»",
        "«Кайрымдуулук» коомдук бирикмеси",
    ),
    Texts('Public Foundation "Ak-Jol"', "Общественный фонд «Ак-Жол»", "«Ак-Жол» коомдук фонду"),
    Texts(
        'Public Association "Arstanbap Demilgesi"',
        "Общественное объединение «Арстанбап демилгеси»",
        "«Арстанбап демилгеси» коомдук бирикмеси",
    ),
    Texts(
        'Public Foundation "Nur-Suzak"',
        "Общественный фонд «Нур-Сузак»",
        "«Нур-Сузак» коомдук фонду",
    ),
    Texts(
        'Public Association "Balalyk"',
        "Общественное объединение «Балалык»",
        "«Балалык» коомдук бирикмеси",
    ),
    Texts('Public Foundation "Salamat"', "Общественный фонд «Саламат»", "«Саламат» коомдук фонду"),
)


@dataclasses.dataclass(frozen=True)
class SectorProfile:
    issue: Texts
    target_group: Texts
    project: Texts  # formatted with the municipality's name as {place}
    description: Texts
    reach: tuple[int, int]  # people reached by a project, planned
    female_pct: int
    ages: tuple[int, int, int, int]  # weights of AgeGroup members, in order
    disability_pct: int


# fmt: off
SECTORS = {
    Sector.ELDERLY_CARE: SectorProfile(
        Texts("No care for lonely elderly people",
              "Нет ухода за одинокими пожилыми людьми",
              "Жалгыз басты карыларга кам көрүү жок"),
        Texts("Lonely elderly people", "Одинокие пожилые люди", "Жалгыз басты карылар"),
        Texts("Home-based social care for lonely elderly people in {place}",
              "Социальное обслуживание одиноких пожилых людей на дому ({place})",
              "Жалгыз басты карыларды үйүндө социалдык тейлөө ({place})"),
        Texts("Trained social workers visit lonely elderly people at home every week and help"
              " with the household, shopping and medicines.",
              "Обученные социальные работники каждую неделю посещают одиноких пожилых людей на"
              " дому и помогают по хозяйству, с покупками и лекарствами.",
              "Окуудан өткөн социалдык кызматкерлер жалгыз басты карыларга жума сайын үйүнө"
              " барып, үй оокатына, азык-түлүк жана дары-дармек алууга жардам беришет."),
        (25, 60), 62, (0, 0, 10, 90), 25,
    ),
    Sector.DISABILITY: SectorProfile(
        Texts("No day care for children with disabilities",
              "Нет дневного ухода за детьми с инвалидностью",
              "Мүмкүнчүлүгү чектелген балдарга күндүзгү кароо жок"),
        Texts("Children with disabilities and parents",
              "Дети с инвалидностью и их родители",
              "Мүмкүнчүлүгү чектелген балдар жана алардын ата-энелери"),
        Texts("Day-care centre for children with disabilities in {place}",
              "Центр дневного пребывания для детей с инвалидностью ({place})",
              "Мүмкүнчүлүгү чектелген балдар үчүн күндүзгү борбор ({place})"),
        Texts("A day-care room in the school building with a trained carer; parents learn"
              " exercises to do at home.",
              "Комната дневного пребывания в здании школы с обученным воспитателем; родители"
              " осваивают упражнения для занятий дома.",
              "Мектептин имаратында окуудан өткөн тарбиячысы бар күндүзгү бөлмө; ата-энелер"
              " үйдө жасала турган көнүгүүлөрдү үйрөнүшөт."),
        (15, 45), 48, (70, 10, 20, 0), 65,
    ),
    Sector.YOUTH: SectorProfile(
        Texts("No leisure opportunities for young people",
              "У молодёжи нет возможностей для досуга",
              "Жаштардын бош убактысын өткөрүүгө мүмкүнчүлүгү жок"),
        Texts("Young people aged 14–28", "Молодёжь 14–28 лет", "14–28 жаштагы жаштар"),
        Texts("Youth leisure and sports club in {place}",
              "Молодёжный досуговый и спортивный клуб ({place})",
              "Жаштардын эс алуу жана спорт клубу ({place})"),
        Texts("A club with sports sections and evening activities, run together with the"
              " youth committee.",
              "Клуб со спортивными секциями и вечерними занятиями, который работает вместе с"
              " комитетом молодёжи.",
              "Жаштар комитети менен бирге иштеген, спорт секциялары жана кечки сабактары бар"
              " клуб."),
        (80, 250), 45, (35, 65, 0, 0), 4,
    ),
    Sector.WOMEN: SectorProfile(
        Texts("Unemployment among rural women", "Безработица среди сельских женщин",
              "Айылдык аялдардын жумушсуздугу"),
        Texts("Unemployed women", "Безработные женщины", "Жумушсуз аялдар"),
        Texts("Vocational training and self-help groups for women in {place}",
              "Профессиональное обучение и группы самопомощи для женщин ({place})",
              "Аялдар үчүн кесипке окутуу жана өз ара жардам топтору ({place})"),
        Texts("Sewing and baking courses, and self-help groups that save together and start"
              " small businesses.",
              "Курсы шитья и выпечки и группы самопомощи, которые вместе копят средства и"
              " открывают малый бизнес.",
              "Тигүү жана нан бышыруу курстары, ошондой эле бирге акча топтоп, чакан бизнес"
              " ачкан өз ара жардам топтору."),
        (30, 90), 95, (0, 35, 60, 5), 5,
    ),
    Sector.CULTURE_SPORT: SectorProfile(
        Texts("No cultural and sports life in the village",
              "В селе нет культурной и спортивной жизни",
              "Айылда маданий жана спорттук турмуш жок"),
        Texts("Residents of all ages", "Жители всех возрастов", "Бардык курактагы тургундар"),
        Texts("Community cultural and sports events in {place}",
              "Культурные и спортивные мероприятия для жителей ({place})",
              "Тургундар үчүн маданий жана спорттук иш-чаралар ({place})"),
        Texts("A year of festivals, sports competitions and club evenings in the village"
              " house of culture.",
              "Год фестивалей, спортивных соревнований и клубных вечеров в сельском доме"
              " культуры.",
              "Айылдык маданият үйүндө бир жыл бою фестивалдар, спорттук мелдештер жана"
              " клубдук кечелер."),
        (200, 600), 50, (35, 30, 25, 10), 3,
    ),
    Sector.INFORMATION: SectorProfile(
        Texts("Residents poorly informed about local self-government",
              "Жители мало знают о работе местного самоуправления",
              "Тургундар жергиликтүү өз алдынча башкаруунун иши тууралуу аз билишет"),
        Texts("All residents", "Все жители", "Бардык тургундар"),
        Texts("Municipal information bulletin and notice boards in {place}",
              "Муниципальный информационный бюллетень и доски объявлений ({place})",
              "Муниципалдык маалымат бюллетени жана жарыя такталары ({place})"),
        Texts("A monthly bulletin on the ayil okmotu's decisions and budget, and notice boards"
              " in every village.",
              "Ежемесячный бюллетень о решениях и бюджете айыл окмоту и доски объявлений в"
              " каждом селе.",
              "Айыл өкмөтүнүн чечимдери жана бюджети тууралуу ай сайын чыккан бюллетень жана"
              " ар бир айылда жарыя такталары."),
        (800, 3000), 52, (5, 25, 50, 20), 3,
    ),
    Sector.CHILDREN: SectorProfile(
        Texts("Children from low-income families without after-school care",
              "Дети из малообеспеченных семей без присмотра после уроков",
              "Аз камсыз болгон үй-бүлөлөрдүн балдары сабактан кийин көзөмөлсүз калат"),
        Texts("Children from low-income families", "Дети из малообеспеченных семей",
              "Аз камсыз болгон үй-бүлөлөрдүн балдары"),
        Texts("After-school activities for children from low-income families in {place}",
              "Занятия после уроков для детей из малообеспеченных семей ({place})",
              "Аз камсыз болгон үй-бүлөлөрдүн балдары үчүн сабактан тышкаркы иш-чаралар"
              " ({place})"),
        Texts("Homework help, reading and hobby groups after school, with a hot snack.",
              "Помощь с домашними заданиями, чтение и кружки после уроков, с горячим"
              " перекусом.",
              "Сабактан кийин үй тапшырмасына жардам, китеп окуу жана ийримдер, ысык тамак"
              " менен."),
        (40, 120), 50, (100, 0, 0, 0), 6,
    ),
    Sector.HEALTH: SectorProfile(
        Texts("Anaemia among mothers and young children",
              "Анемия у матерей и детей раннего возраста",
              "Энелер менен жаш балдардагы аз кандуулук"),
        Texts("Women and children", "Женщины и дети", "Аялдар жана балдар"),
        Texts("Health education and anaemia prevention for mothers and children in {place}",
              "Просвещение о здоровье и профилактика анемии для матерей и детей ({place})",
              "Энелер жана балдар үчүн ден соолук боюнча агартуу жана аз кандуулуктун алдын"
              " алуу ({place})"),
        Texts("Village health committees teach healthy eating; mothers and children are"
              " screened for anaemia.",
              "Сельские комитеты здоровья учат правильному питанию; матерей и детей"
              " обследуют на анемию.",
              "Айылдык ден соолук комитеттери туура тамактанууну үйрөтөт; энелер жана балдар"
              " аз кандуулукка текшерилет."),
        (150, 450), 75, (45, 25, 30, 0), 3,
    ),
}


# (kind, phase, first day of the first oblast's event, days, title)
TRAININGS = (
    (TrainingKind.LSG, 1, dt.date(2013, 10, 8), 3,
     Texts("Social procurement and participatory planning for local self-government",
           "Социальный заказ и совместное планирование для органов местного самоуправления",
           "Жергиликтүү өз алдынча башкаруу органдары үчүн социалдык заказ жана биргелешип"
           " пландоо")),
    (TrainingKind.NGO, 1, dt.date(2013, 11, 12), 2,
     Texts("NGOs as providers of municipal social services",
           "НКО как поставщики муниципальных социальных услуг",
           "КЭУлар муниципалдык социалдык кызматтарды көрсөтүүчүлөр катары")),
    (TrainingKind.FINANCE, 1, dt.date(2014, 4, 15), 2,
     Texts("Planning the social order in the local budget",
           "Планирование социального заказа в местном бюджете",
           "Социалдык заказды жергиликтүү бюджетте пландоо")),
    (TrainingKind.PROCUREMENT_LAW, 2, dt.date(2014, 10, 7), 2,
     Texts("Public procurement law and open competitions for social services",
           "Законодательство о государственных закупках и открытые конкурсы на социальные"
           " услуги",
           "Мамлекеттик сатып алуулар жөнүндө мыйзам жана социалдык кызматтарга ачык"
           " сынактар")),
    (TrainingKind.MONITORING, 1, dt.date(2014, 6, 10), 2,
     Texts("Joint monitoring and evaluation of social projects",
           "Совместный мониторинг и оценка социальных проектов",
           "Социалдык долбоорлорду биргелешип мониторинг жүргүзүү жана баалоо")),
)

#: a training of one oblast: the title, then the oblast (named as OBLASTS name it)
OBLAST_TRAINING = Texts("{title} ({oblast} oblast)", "{title} ({oblast} область)",
                        "{title} ({oblast} облусу)")
#: a training held in one municipality
LOCAL_TRAINING = Texts("{title} ({place})", "{title} ({place})", "{title} ({place})")
APPRAISAL_TRAINING = Texts(
    "Facilitating the participatory appraisal of social priorities",
    "Проведение совместной оценки социальных приоритетов",
    "Социалдык артыкчылыктарды биргелешип баалоону уюштуруу",
)
KENESH_TRAINING = Texts(
    "Local council (kenesh) session: the social order in the local budget",
    "Сессия местного кенеша: социальный заказ в местном бюджете",
    "Жергиликтүү кеңештин сессиясы: социалдык заказ жергиликтүү бюджетте",
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
        Texts("Activities carried out as planned; attendance records kept.",
              "Мероприятия проведены по плану; учёт посещаемости ведётся.",
              "Иш-чаралар план боюнча өттү; катышуу эсеби жүргүзүлөт."),
        Texts("Service delivered on schedule; beneficiaries satisfied.",
              "Услуга оказывается по графику; получатели довольны.",
              "Кызмат график боюнча көрсөтүлүүдө; кызмат алуучулар ыраазы."),
        Texts("Work plan followed; the municipality pays instalments on time.",
              "План работ выполняется; муниципалитет вовремя перечисляет платежи.",
              "Иш планы аткарылууда; муниципалитет төлөмдөрдү өз убагында которот."),
    ),
    Rating.MINOR_ISSUES: (
        Texts("Reporting to the ayil okmotu late; records of beneficiaries incomplete.",
              "Отчёты в айыл окмоту сдаются с опозданием; учёт получателей неполный.",
              "Айыл өкмөтүнө отчеттор кечигип тапшырылат; кызмат алуучулардын эсеби толук"
              " эмес."),
        Texts("Some activities postponed by a month; the plan was adjusted.",
              "Часть мероприятий перенесена на месяц; план скорректирован.",
              "Айрым иш-чаралар бир айга жылдырылды; план оңдолду."),
    ),
    Rating.AT_RISK: (
        Texts("Local-budget instalment delayed; the NGO cut activities. Follow-up visit agreed.",
              "Платёж из местного бюджета задержан; НКО сократила мероприятия. Согласован"
              " повторный визит.",
              "Жергиликтүү бюджеттен төлөм кечикти; КЭУ иш-чараларды кыскартты. Кайра барып"
              " текшерүү макулдашылды."),
    ),
}  # fmt: skip


# Indicators and documents the demo writes ({target_group}, {place}, {code}, {number})
PROGRAMME_INDICATORS = (
    Texts("Municipalities with a social order in the local budget",
          "Муниципалитеты с социальным заказом в местном бюджете",
          "Жергиликтүү бюджетинде социалдык заказы бар муниципалитеттер"),
    Texts("Social service contracts signed with NGOs",
          "Договоры на социальные услуги, заключённые с НКО",
          "КЭУлар менен түзүлгөн социалдык кызмат көрсөтүү келишимдери"),
)  # fmt: skip
REACHED_INDICATOR = Texts(
    "{target_group} reached by the service",
    "{target_group}: охвачено услугой",
    "{target_group}: кызмат менен камтылгандар",
)
SATISFIED_INDICATOR = Texts(
    "Beneficiaries satisfied with the service",
    "Получатели, довольные услугой",
    "Кызматка ыраазы болгон кызмат алуучулар",
)
RECOMMENDATIONS_TITLE = Texts(
    "Recommendations on the legal framework of social procurement (demo)",
    "Рекомендации по правовой базе социального заказа (демо)",
    "Социалдык заказдын укуктук негизи боюнча сунуштар (демо)",
)
PROGRAMME_REPORT_TITLE = Texts(
    "Final report of the municipal social procurement pilot (demo)",
    "Итоговый отчёт пилотного проекта муниципального социального заказа (демо)",
    "Муниципалдык социалдык заказ боюнча пилоттук долбоордун жыйынтык отчету (демо)",
)
COUNCIL_DECISION_TITLE = Texts(
    "Local council decision on the social order, {place} (demo)",
    "Решение местного кенеша о социальном заказе, {place} (демо)",
    "Жергиликтүү кеңештин социалдык заказ жөнүндө чечими, {place} (демо)",
)
CONTRACT_TITLE = Texts(
    "Social order contract {code} (demo)",
    "Договор социального заказа {code} (демо)",
    "Социалдык заказ боюнча келишим {code} (демо)",
)
MONITORING_REPORT_TITLE = Texts(
    "Monitoring visit report {number}, {code} (demo)",
    "Отчёт о мониторинговом визите № {number}, {code} (демо)",
    "Мониторингдик баруу боюнча № {number} отчет, {code} (демо)",
)
FINAL_REPORT_TITLE = Texts(
    "Final report {code} (demo)",
    "Итоговый отчёт {code} (демо)",
    "Жыйынтык отчет {code} (демо)",
)
