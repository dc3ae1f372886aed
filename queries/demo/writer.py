"""The demo generator: one writer, one seeded random generator, steps in a fixed order.

This module holds the writer and its planning steps (programme, populations, trainings,
priority issues, projects, milestones, budgets); `queries.demo.reporting` holds the steps
that write what was reported. A subclass may redo a step (see benchmarks/synthetic.py).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from sqlalchemy.orm import Session

from queries.demo.draw import ProjectPlan, day_between, phase_for, som
from queries.demo.pilot import (
    APPRAISAL_TRAINING,
    DEMO_MUNICIPALITIES,
    DEMO_SOURCE,
    FAILED_PCODE,
    IN_PROGRESS_PCODE,
    KENESH_TRAINING,
    LAST_DAY,
    LOCAL_TRAINING,
    NGO_NAMES,
    OBLAST_TRAINING,
    OBLASTS,
    SECTORS,
    TRAININGS,
    DemoMunicipality,
    Progress,
    Texts,
)
from queries.demo.reporting import ReportingSteps
from queries.models import (
    STAGE_ORDER,
    BudgetLine,
    FundingSource,
    MunicipalBudget,
    Organisation,
    Population,
    PriorityIssue,
    ProcurementMilestone,
    ProjectStatus,
    Sector,
    SocialProject,
    Stage,
    TrainingEvent,
    TrainingKind,
    UnitKind,
)
from queries.programme import pilot_phases, pilot_programme
from queries.programme_story import story_rows


class DemoWriter(ReportingSteps):
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
        self.plans: list[ProjectPlan] = []

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
        self.session.flush()
        phase_ids = {phase.number: phase.id for phase in self.phases}
        for row in story_rows(self.programme_row.id, phase_ids, is_demo=True):
            self.add(row)

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
        for kind, _phase, first_day, days, title in TRAININGS:
            for index, (oblast, *_codes, oblast_en, oblast_ru, oblast_ky) in enumerate(OBLASTS):
                start = first_day + dt.timedelta(days=7 * index + self.rng.randint(0, 2))
                lsg, ngo, initiative = (self.rng.randint(*r) for r in participants[kind])
                women = (lsg + ngo + initiative) * self.rng.randint(35, 60) // 100
                self.add(
                    TrainingEvent(
                        programme_id=self.programme_row.id,
                        phase_id=self.phase(start),
                        oblast_pcode=oblast,
                        kind=kind,
                        **OBLAST_TRAINING.format(
                            title=title, oblast=Texts(oblast_en, oblast_ru, oblast_ky)
                        ).columns("title"),
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
                kenesh = day_between(rng, dt.date(2014, 10, 1), dt.date(2014, 11, 28))
            sessions = (
                (TrainingKind.LSG, appraisal - dt.timedelta(days=rng.randint(5, 12)), 2,
                 APPRAISAL_TRAINING,
                 (3, 6), (1, 3), (8, 16), (40, 65)),
                (TrainingKind.FINANCE, kenesh, 1,
                 KENESH_TRAINING,
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
                        **LOCAL_TRAINING.format(title=title, place=self.place_names(unit)).columns(
                            "title"
                        ),
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
            day = day_between(self.rng, dt.date(2013, 10, 1), dt.date(2013, 12, 20))
            categories = self.rng.sample(list(Sector), self.rng.randint(3, 6))
            votes = self.rng.randint(120, 260)
            issues = []
            for rank, category in enumerate(categories, start=1):
                profile = SECTORS[category]
                issues.append(
                    self.add(
                        PriorityIssue(
                            programme_id=self.programme_row.id,
                            phase_id=self.phase(day),
                            municipality_pcode=unit.pcode,
                            rank=rank,
                            votes=votes,
                            category=category,
                            **profile.issue.columns("title"),
                            **profile.target_group.columns("target_group"),
                            identified_on=day,
                        )
                    )
                )
                votes = max(1, votes - self.rng.randint(8, 40))
            self.issues[unit.pcode] = issues

    def projects(self) -> None:
        letters = {pcode: letter for pcode, _iso, _soate, letter, *_names in OBLASTS}
        numbers: dict[str, int] = {}
        self.session.flush()
        for unit, ngo_name in zip(DEMO_MUNICIPALITIES, NGO_NAMES, strict=True):
            numbers[unit.oblast_pcode] = numbers.get(unit.oblast_pcode, 0) + 1
            code = f"MSP-{letters[unit.oblast_pcode]}-{numbers[unit.oblast_pcode]:02d}"
            issue = self.issues[unit.pcode][0 if self.rng.random() < 0.75 else 1]
            profile = SECTORS[issue.category]
            if unit.pcode == FAILED_PCODE:
                status, organisation_id = ProjectStatus.FAILED_COMPETITION, None
            else:
                organisation = self.add(
                    Organisation(**ngo_name.columns("name"), oblast_pcode=unit.oblast_pcode)
                )
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
                    **profile.project.format(place=self.place_names(unit)).columns("title"),
                    **profile.description.columns("description"),
                    status=status,
                    expertise_score=self.rng.randint(60, 95),
                )
            )
            self.session.flush()
            total = som(self.rng.randint(150, 600) * 1000)
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

    def milestones(self) -> None:
        rng = self.rng
        for plan in self.plans:
            status = plan.project.status
            dates = plan.milestones
            issue = self.session.get(PriorityIssue, plan.project.priority_issue_id)
            dates[Stage.PRIORITY_IDENTIFIED] = issue.identified_on
            dates[Stage.PROGRAMME_APPROVED] = day_between(
                rng, dt.date(2014, 4, 1), dt.date(2014, 8, 20)
            )
            if status is ProjectStatus.IN_PROGRESS:  # a late competition, still running
                announced = day_between(rng, dt.date(2015, 3, 2), dt.date(2015, 4, 15))
            else:
                announced = day_between(rng, dt.date(2014, 10, 15), dt.date(2015, 2, 10))
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
                    completed = day_between(
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
            allocation_2014 = som(rng.randint(30, 80) * 1000)
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
                        local_budget_tyiyn=som(local_budget),
                        social_allocation_tyiyn=allocation,
                        executed_tyiyn=executed,
                    )
                )
                local_budget = local_budget * rng.randint(104, 112) // 100 // 1000 * 1000
