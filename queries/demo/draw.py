"""How the demo generator draws: the phase of a day, a day between two, interpolation between
anchors, a total split by weights, som in tyiyn, and what it decided for one project."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import random
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from queries.demo.pilot import DemoMunicipality
from queries.models import MonitoringVisit, SocialProject, Stage


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


def day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A day from `first` to `last`, both inclusive."""
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def interpolate(anchors: Sequence[tuple[dt.date, int]], day: dt.date) -> int:
    """Integer linear interpolation between dated anchor values."""
    for (d0, v0), (d1, v1) in itertools.pairwise(anchors):
        if d0 <= day <= d1:
            return v0 + (v1 - v0) * (day - d0).days // (d1 - d0).days
    raise ValueError(f"{day} is outside the anchors")


def split_total(total: int, weights: Sequence[int]) -> list[int]:
    """`total` split in proportion to `weights` by largest remainder; sums to `total`."""
    weight_sum = sum(weights)
    shares = [total * w // weight_sum for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % weight_sum), i))
    for i in remainders[: total - sum(shares)]:
        shares[i] += 1
    return shares


def som(amount: int) -> int:
    """Whole som in tyiyn."""
    return amount * 100


@dataclasses.dataclass
class ProjectPlan:
    """What the generator decided for one project before writing its dependent rows."""

    unit: DemoMunicipality
    project: SocialProject
    local_line: int  # tyiyn
    reach: int  # people the project plans to reach
    milestones: dict[Stage, dt.date]
    planned_end: dt.date  # completion (or planned completion if still running)
    final_ratio: float  # reached / planned at completion
    visits: list[MonitoringVisit] = dataclasses.field(default_factory=list)
