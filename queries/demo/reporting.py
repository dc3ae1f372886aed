"""The demo generator's reporting steps: monitoring visits and beneficiaries, indicators,
documents with DPI's review of each report, and exchange rates."""

from __future__ import annotations

import datetime as dt
import itertools

from queries.demo.accounts import demo_user
from queries.demo.draw import ProjectPlan, interpolate, split_total
from queries.demo.pilot import (
    CONTRACT_TITLE,
    COUNCIL_DECISION_TITLE,
    EUR_USD_ANCHORS,
    FINAL_REPORT_TITLE,
    FINDINGS,
    LAST_DAY,
    MONITORING_REPORT_TITLE,
    PERIODS,
    PROGRAMME_INDICATORS,
    PROGRAMME_REPORT_TITLE,
    RATES_SOURCE,
    REACHED_INDICATOR,
    RECOMMENDATIONS_TITLE,
    RETURNED,
    REVIEW_DELAY,
    SATISFIED_INDICATOR,
    SECTORS,
    USD_ANCHORS,
    Texts,
)
from queries.models import (
    AgeGroup,
    Beneficiaries,
    Currency,
    Document,
    DocumentKind,
    ExchangeRate,
    Indicator,
    IndicatorValue,
    MonitoringVisit,
    Municipality,
    ProjectStatus,
    Rating,
    ReviewStatus,
    Sex,
    Stage,
)
from queries.programme import PROGRAMME_END, PROGRAMME_START
from queries.reviews import REPORT_KINDS


class ReportingSteps:
    """The steps of `DemoWriter` that write what was reported (mixed into it; they use its
    session, generator, plans and `add`)."""

    def place_name(self, unit) -> str:
        """The municipality's English name as the map shows it (the database's, the
        gazetteer's when installed), so a title never names a place differently."""
        row = self.session.get(Municipality, unit.pcode)
        return row.name_en if row is not None and row.name_en else unit.name_en

    def place_names(self, unit) -> Texts:
        """The municipality's name in the three languages (the database's, else the demo's)."""
        row = self.session.get(Municipality, unit.pcode)
        ru = row.name_ru if row is not None and row.name_ru else unit.name_ru
        ky = row.name_ky if row is not None and row.name_ky else unit.name_ky
        return Texts(self.place_name(unit), ru, ky)

    def reached(self, plan: ProjectPlan, day: dt.date) -> int:
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
            profile = SECTORS[plan.project.sector]
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
                        **rng.choice(FINDINGS[rating]).columns("findings"),
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
                counts = split_total(self.reached(plan, day), [c[3] for c in cells])
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
        """The programme's two indicators, then those of each project under way."""
        self.programme_indicators()
        for plan in self.plans:
            if Stage.IMPLEMENTATION in plan.milestones:
                self.project_indicators(plan)

    def programme_indicators(self) -> None:
        programme_id = self.programme_row.id
        contracts = sorted(
            p.milestones[Stage.CONTRACT_SIGNED]
            for p in self.plans
            if Stage.CONTRACT_SIGNED in p.milestones
        )
        for code, name, unit, values in (
            (
                "MSP-PRG-01",
                PROGRAMME_INDICATORS[0],
                "municipalities",
                [12 for _ in PERIODS],
            ),
            (
                "MSP-PRG-02",
                PROGRAMME_INDICATORS[1],
                "contracts",
                [sum(day < end for day in contracts) for _start, end in PERIODS],
            ),
        ):
            indicator = self.add(
                Indicator(
                    code=code,
                    programme_id=programme_id,
                    **name.columns("name"),
                    unit=unit,
                    baseline=0,
                    target=12,
                )
            )
            self.session.flush()
            for (start, end), actual in zip(PERIODS, values, strict=True):
                self.add(
                    IndicatorValue(
                        indicator_id=indicator.id,
                        phase_id=self.phase(start),
                        period_start=start,
                        period_end=end,
                        actual=actual,
                    )
                )

    def project_indicators(self, plan: ProjectPlan) -> None:
        """People reached by the project's service and, for half of them, satisfaction."""
        rng = self.rng
        programme_id = self.programme_row.id
        project = plan.project
        profile = SECTORS[project.sector]
        reached = self.add(
            Indicator(
                code=f"{project.code}-I1",
                programme_id=programme_id,
                project_id=project.id,
                **REACHED_INDICATOR.format(target_group=profile.target_group).columns("name"),
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
                    **SATISFIED_INDICATOR.columns("name"),
                    unit="%",
                    baseline=0,
                    target=80,
                )
            )
        self.session.flush()
        satisfaction = rng.randint(62, 78)
        for start, end in PERIODS:
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
        self.reviewer = demo_user(self.session)
        self.review_turns = itertools.count()
        recommendations = dt.date(2015, 10, 20)
        self.add(
            Document(
                programme_id=self.programme_row.id,
                phase_id=self.phase(recommendations),
                kind=DocumentKind.RECOMMENDATIONS,
                **RECOMMENDATIONS_TITLE.columns("title"),
                url="/documents/demo/recommendations-legal-framework.pdf",
                issued_on=recommendations,
            )
        )
        self.add(  # the programme's last deliverable with the recommendations (issue 15)
            Document(
                programme_id=self.programme_row.id,
                phase_id=self.phase(recommendations),
                kind=DocumentKind.FINAL_REPORT,
                **PROGRAMME_REPORT_TITLE.columns("title"),
                url="/documents/demo/programme-final-report.pdf",
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
                    COUNCIL_DECISION_TITLE.format(place=self.place_names(plan.unit)),
                    f"{base}-council-decision.pdf",
                )
            ]
            if Stage.CONTRACT_SIGNED in dates:
                entries.append(
                    (
                        DocumentKind.CONTRACT,
                        dates[Stage.CONTRACT_SIGNED],
                        CONTRACT_TITLE.format(code=project.code),
                        f"{base}-contract.pdf",
                    )
                )
            for number, visit in enumerate(plan.visits, start=1):
                entries.append(
                    (
                        DocumentKind.MONITORING_REPORT,
                        visit.visit_date,
                        MONITORING_REPORT_TITLE.format(number=number, code=project.code),
                        f"{base}-monitoring-{number}.pdf",
                    )
                )
            if Stage.REPORTED in dates:
                entries.append(
                    (
                        DocumentKind.FINAL_REPORT,
                        dates[Stage.REPORTED],
                        FINAL_REPORT_TITLE.format(code=project.code),
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
                        **title.columns("title"),
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
            usd = interpolate(USD_ANCHORS, day) + self.rng.randint(-1_500, 1_500)
            eur = usd * (interpolate(EUR_USD_ANCHORS, day) + self.rng.randint(-60, 60)) // 10_000
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
