"""A SYNTHETIC national programme for benchmarks: every real municipality, invented figures.

`seed_national(engine, geodata_dir)` gives every real ADM3 municipality (ayil aimak or town,
from the OCHA gazetteer points) and every ADM2 city of oblast significance — about 470 units
in all seven oblasts — plausible random reporting rows in every table the map layers read:
priority issues, one social project each with budget lines and procurement milestones in
stage order, municipal budgets and populations, monitoring visits with beneficiaries,
indicators with values, trainings, documents and exchange rates.

It is NOT real data and NOT the pilot: the programme is coded ``SYNTHETIC-NATIONAL`` and
named "Synthetic national dataset (benchmark only)", every row carries ``is_demo``, and it
is meant only for a benchmark's own temporary database. The generator is deterministic (one
seeded ``random.Random``) for the same boundary files, and reuses the demo generator
(`queries.demo.writer.DemoWriter`): its steps that work per project (milestones, budgets,
monitoring, indicators, documents, exchange rates) run unchanged; the steps that walk the
12 pilot municipalities or the 3 pilot oblasts are redone here over the national list.

Optionally (`polygons=True`) each ADM3 municipality gets a polygon: the Voronoi cell of its
point among the points of its rayon, clipped to the real (simplified) rayon polygon, stored
as WKB in ``Municipality.geometry`` of that database only. Nothing derived from the
boundary files is ever written anywhere else.

The app shows only the three pilot oblasts to a visitor (`AppContext.current_scope`). To
see the national dataset, replace the scope function on the app's context after building
the app (see `national_scope` and `benchmarks.map_callbacks`)::

    app = create_app(settings, engine=engine)
    app.server.extensions["aimak"].current_scope = lambda: national_scope(engine)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from geodata.validate import as_multipolygons
from queries.demo.accounts import demo_user
from queries.demo.draw import ProjectPlan, som
from queries.demo.pilot import LAST_DAY, SECTORS, TRAININGS, DemoError, DemoMunicipality, Texts
from queries.demo.seeding import demo_counts, holds_demo, refuse_real_data, utcnow
from queries.demo.writer import DemoWriter
from queries.geography import boundaries_installed, store_boundaries
from queries.models import (
    BudgetLine,
    FundingSource,
    Indicator,
    IndicatorValue,
    Municipality,
    Oblast,
    Organisation,
    ProjectStatus,
    Rayon,
    SocialProject,
    Stage,
    TrainingEvent,
    TrainingKind,
    UnitKind,
)
from queries.scope import Scope
from queries.users import add_audit, add_batch

SYNTHETIC_CODE = "SYNTHETIC-NATIONAL"
SYNTHETIC_NAME = "Synthetic national dataset (benchmark only)"
SYNTHETIC_SEED = 20240460


def synthetic(text: Texts, note: str) -> dict[str, str]:
    """The title columns of a demo text marked as invented, in each of its languages."""
    return Texts(*(f"{value} ({note})" for value in text)).columns("title")


SYNTHETIC_SOURCE = "SYNTHETIC (benchmark only, invented figures)"
#: shares of project outcomes the demo generator knows how to continue (milestones, visits)
STATUS_WEIGHTS = (
    (ProjectStatus.COMPLETED, 77),
    (ProjectStatus.IN_PROGRESS, 15),
    (ProjectStatus.FAILED_COMPETITION, 8),
)

Progress = Callable[[str], None]


@dataclasses.dataclass(frozen=True)
class _OblastUnit:
    pcode: str
    letter: str  # the ISO 3166-2 suffix, for project codes
    name_en: str


def national_scope(engine: Engine) -> Scope:
    """A scope over every oblast in the database (for a benchmark's app only)."""
    with engine.connect() as connection:
        return Scope(frozenset(connection.scalars(select(Oblast.pcode))))


def seed_national(
    engine: Engine,
    geodata_dir: str | Path | None = None,
    *,
    polygons: bool = True,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write the synthetic national programme into a migrated database; return row counts.

    The database must hold the real boundaries (``store_boundaries`` of the simplified
    files); when it does not and `geodata_dir` is given, they are read, simplified and
    stored from there first. Refuses (DemoError) a database that holds any reporting rows.
    One transaction; every row ``is_demo``.
    """
    say = progress or (lambda _message: None)
    if not boundaries_installed(engine):
        if geodata_dir is None:
            raise DemoError("install the real boundaries first (or pass geodata_dir)")
        from geodata.prepare import read_boundaries, simplify

        say("installing the real boundaries")
        store_boundaries(
            engine,
            simplify(read_boundaries(geodata_dir)),
            source="OCHA COD-AB (benchmark copy)",
            file_name=str(geodata_dir),
        )
    with Session(engine) as session, session.begin():
        refuse_real_data(session)
        if holds_demo(session):
            raise DemoError("the database already holds demo rows; use a fresh database")
        started = utcnow()
        units, oblasts = _national_units(session)
        if polygons:
            say("Voronoi cells of the municipality points, clipped to their rayons")
            _voronoi_cells(session)
        _NationalWriter(session, random.Random(SYNTHETIC_SEED), say, units, oblasts).write()
        counts = demo_counts(session)
        actor = demo_user(session)
        batch = add_batch(
            session,
            "synthetic",
            actor.id,
            file_name=f"benchmarks/synthetic.py (seed {SYNTHETIC_SEED})",
            started_at=started,
            counts=counts,
            is_demo=True,
        )
        add_audit(
            session,
            "synthetic_seed",
            actor.id,
            table_name=None,
            row_key=SYNTHETIC_CODE,
            after=counts,
            batch_id=batch.id,
            at=started,
        )
    return counts


def _national_units(session: Session) -> tuple[list[DemoMunicipality], list[_OblastUnit]]:
    """Every municipality with a reference point (ADM3 units and ADM2 cities), by P-code."""
    rows = session.scalars(
        select(Municipality)
        .where(Municipality.lon.is_not(None), Municipality.lat.is_not(None))
        .order_by(Municipality.pcode)
    ).all()
    units = [
        DemoMunicipality(
            pcode=row.pcode,
            rayon_pcode=row.rayon_pcode,
            oblast_pcode=row.oblast_pcode,
            kind=UnitKind(row.kind),
            name_en=row.name_en,
            name_ky=row.name_ky or row.name_en,
            name_ru=row.name_ru or row.name_en,
        )
        for row in rows
    ]
    oblasts = [
        _OblastUnit(o.pcode, (o.iso_code or o.pcode).removeprefix("KG-"), o.name_en)
        for o in session.scalars(select(Oblast).order_by(Oblast.pcode))
    ]
    return units, oblasts


def _voronoi_cells(session: Session) -> int:
    """Give each ADM3 municipality the Voronoi cell of its point within its rayon polygon."""
    written = 0
    for rayon in session.scalars(select(Rayon).where(Rayon.geometry.is_not(None))):
        members = session.scalars(
            select(Municipality)
            .where(
                Municipality.rayon_pcode == rayon.pcode,
                Municipality.pcode != rayon.pcode,  # a city is its own rayon polygon already
                Municipality.lon.is_not(None),
            )
            .order_by(Municipality.pcode)
        ).all()
        if not members:
            continue
        area = shapely.from_wkb(rayon.geometry)
        points = shapely.points([(m.lon, m.lat) for m in members])
        if len(members) == 1:
            cells = [area]
        else:
            diagram = shapely.voronoi_polygons(
                shapely.multipoints(points), extend_to=area, ordered=True
            )
            cells = list(shapely.get_parts(diagram))
            if len(cells) != len(members):  # duplicate points: match cells by containment
                cells = [next((c for c in cells if c.covers(p)), area) for p in points]
            cells = [shapely.intersection(cell, area) for cell in cells]
        cells = as_multipolygons(np.array([area if c.is_empty else c for c in cells], dtype=object))
        for member, cell in zip(members, cells, strict=True):
            member.geometry = shapely.to_wkb(cell)
            written += 1
    session.flush()
    return written


class _NationalWriter(DemoWriter):
    """The demo writer over the national list of municipalities and all oblasts."""

    city_population, other_population = (20_000, 120_000), (3_000, 30_000)
    population_source = SYNTHETIC_SOURCE

    def __init__(self, session, rng, say, units, oblasts):
        super().__init__(session, rng, say)
        self.units: list[DemoMunicipality] = units
        self.oblasts: list[_OblastUnit] = oblasts

    def programme(self) -> None:
        super().programme()  # programme row and the two phases, then made unmistakable
        row = self.programme_row
        row.code = SYNTHETIC_CODE
        row.name_en = row.name_ru = row.name_ky = SYNTHETIC_NAME
        row.donor = "SYNTHETIC"
        row.implementer = "SYNTHETIC (benchmarks/synthetic.py)"
        self.session.flush()

    def trainings(self) -> None:
        participants = {
            TrainingKind.LSG: ((14, 24), (0, 4), (4, 10)),
            TrainingKind.NGO: ((2, 5), (12, 20), (3, 8)),
            TrainingKind.FINANCE: ((12, 20), (0, 3), (0, 4)),
            TrainingKind.PROCUREMENT_LAW: ((12, 18), (8, 14), (0, 3)),
            TrainingKind.MONITORING: ((6, 10), (6, 10), (6, 12)),
        }
        for kind, _phase, first_day, days, title in TRAININGS:
            for index, oblast in enumerate(self.oblasts):
                start = first_day + dt.timedelta(days=4 * index + self.rng.randint(0, 2))
                lsg, ngo, initiative = (self.rng.randint(*r) for r in participants[kind])
                women = (lsg + ngo + initiative) * self.rng.randint(35, 60) // 100
                self.add(
                    TrainingEvent(
                        programme_id=self.programme_row.id,
                        phase_id=self.phase(start),
                        oblast_pcode=oblast.pcode,
                        kind=kind,
                        **synthetic(title, f"{oblast.name_en} oblast, SYNTHETIC"),
                        start_date=start,
                        end_date=start + dt.timedelta(days=days - 1),
                        participants_lsg=lsg,
                        participants_ngo=ngo,
                        participants_initiative=initiative,
                        participants_women=women,
                    )
                )

    def local_trainings(self) -> None:
        rng = self.rng
        plans = {plan.unit.pcode: plan for plan in self.plans}
        for unit in self.units:
            appraisal = self.issues[unit.pcode][0].identified_on
            approved = plans[unit.pcode].milestones[Stage.PROGRAMME_APPROVED]
            start = appraisal - dt.timedelta(days=rng.randint(5, 12))
            kenesh = approved - dt.timedelta(days=rng.randint(10, 30))
            for kind, day, days, lsg, ngo, initiative in (
                (TrainingKind.LSG, start, 2, (3, 6), (1, 3), (8, 16)),
                (TrainingKind.FINANCE, kenesh, 1, (9, 17), (0, 2), (0, 3)),
            ):
                counts = [rng.randint(*r) for r in (lsg, ngo, initiative)]
                self.add(
                    TrainingEvent(
                        programme_id=self.programme_row.id,
                        phase_id=self.phase(day),
                        oblast_pcode=unit.oblast_pcode,
                        municipality_pcode=unit.pcode,
                        kind=kind,
                        # written in English only: the pages show it with its language tag
                        title_en=f"Local {kind.value} session (SYNTHETIC, {unit.name_en}, "
                        f"{unit.pcode})",
                        title_lang="en",
                        start_date=day,
                        end_date=day + dt.timedelta(days=days - 1),
                        participants_lsg=counts[0],
                        participants_ngo=counts[1],
                        participants_initiative=counts[2],
                        participants_women=sum(counts) * rng.randint(20, 60) // 100,
                    )
                )

    def projects(self) -> None:
        letters = {oblast.pcode: oblast.letter for oblast in self.oblasts}
        numbers: dict[str, int] = {}
        statuses = [status for status, _w in STATUS_WEIGHTS]
        weights = [weight for _s, weight in STATUS_WEIGHTS]
        self.session.flush()
        for unit in self.units:
            numbers[unit.oblast_pcode] = numbers.get(unit.oblast_pcode, 0) + 1
            code = f"SYN-{letters[unit.oblast_pcode]}-{numbers[unit.oblast_pcode]:03d}"
            issue = self.issues[unit.pcode][0 if self.rng.random() < 0.75 else 1]
            profile = SECTORS[issue.category]
            status = self.rng.choices(statuses, weights)[0]
            organisation_id = None
            if status is not ProjectStatus.FAILED_COMPETITION:
                organisation = self.add(
                    Organisation(
                        name=f'Public Association "Synthetic NGO {code}"',
                        oblast_pcode=unit.oblast_pcode,
                    )
                )
                self.session.flush()
                organisation_id = organisation.id
            project = self.add(
                SocialProject(
                    code=code,
                    programme_id=self.programme_row.id,
                    municipality_pcode=unit.pcode,
                    priority_issue_id=issue.id,
                    organisation_id=organisation_id,
                    sector=issue.category,
                    **synthetic(profile.project.format(place=self.place_names(unit)), "SYNTHETIC"),
                    status=status,
                    expertise_score=self.rng.randint(55, 95),
                )
            )
            self.session.flush()
            total = som(self.rng.randint(150, 600) * 1000)
            local_pct = self.rng.randint(30, 45)
            giz_pct = self.rng.randint(40, min(60, 95 - local_pct))
            local = total * local_pct // 100 // 100 * 100
            giz = total * giz_pct // 100 // 100 * 100
            for source, amount in (
                (FundingSource.LOCAL_BUDGET, local),
                (FundingSource.GIZ_FUND, giz),
                (FundingSource.CO_FINANCING, total - local - giz),
            ):
                self.add(BudgetLine(project_id=project.id, source=source, amount_tyiyn=amount))
            self.plans.append(
                ProjectPlan(
                    unit=unit,
                    project=project,
                    local_line=local,
                    reach=self.rng.randint(*profile.reach),
                    milestones={},
                    planned_end=LAST_DAY,
                    final_ratio=self.rng.randint(90, 110) / 100,
                )
            )

    def indicators(self) -> None:
        super().indicators()  # the programme's two indicators say 12 (the pilot): make them N
        total = len(self.units)
        programme_level = self.session.scalars(
            select(Indicator).where(
                Indicator.programme_id == self.programme_row.id, Indicator.project_id.is_(None)
            )
        ).all()
        for indicator in programme_level:
            indicator.target = total
            if indicator.code == "MSP-PRG-01":
                for value in self.session.scalars(
                    select(IndicatorValue).where(IndicatorValue.indicator_id == indicator.id)
                ):
                    value.actual = total
