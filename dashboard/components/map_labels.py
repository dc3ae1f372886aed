"""Map labels placed in screen space, never colliding (issue 14 point 1).

A label is written by plotly beside its point at a `textposition` ("top right", "middle
left", ...): its box is a fixed offset in pixels from the point, while the points themselves
move apart as the map grows. The map shows a known frame (west, south, east, north) fitted
into the plot (`assets/map_frame.js` on the page, plotly itself in an export), so the only
unknown is the scale s (px per radian of Mercator) that the plot's size gives: every box is
`point × s + offset`. Two boxes overlap for the scales in one interval (the overlap test is
linear in s on each axis), so a placement is checked exactly for a whole range of plot
sizes at once: the page's range of windows, or an export's one size.

Placement is greedy by priority over the classic candidate positions around each point:
what must be named first (the pilot municipalities), then by rank (larger places first);
markers (`Obstacle`) are placed before any label, so no marker ever hides a label, and a
label that finds no free position is dropped (its place is still named on hover), unless it
is required: then it takes the position that collides least.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import ImageFont

RAD = math.pi / 180
#: the eight classic positions, in order of preference (right of the point first)
POSITIONS = (
    "middle right",
    "top right",
    "bottom right",
    "top center",
    "bottom center",
    "middle left",
    "top left",
    "bottom left",
)
CENTRED = ("middle center",)
#: how far beside its marker a name may stand, as multiples of the marker's size: the
#: farther rings only for the names that must be written
STANDOFFS = (1.0, 1.9, 2.8, 3.7, 4.6)
#: the text box around the baseline, as shares of the font size (Noto Sans, the font the
#: page's and the exports' Chromium draw plotly's default family with)
ASCENT, DESCENT = 1.07, 0.30
#: px kept free between two boxes and between a box and the frame's edge
GAP = 2.0
FONTS = {False: "NotoSans-Regular.ttf", True: "NotoSans-Bold.ttf"}
#: average advance of a character, as a share of the font size, when no font file is found
FALLBACK_ADVANCE = 0.62


@dataclass(frozen=True)
class Label:
    """A name to write at (lon, lat). `clear`: the diameter (px) of the point's own marker,
    which the text keeps clear of; `centred`: written on the point (area names)."""

    lon: float
    lat: float
    text: str
    size: float
    rank: float = 0.0
    required: bool = False
    bold: bool = False
    clear: float = 0.0
    centred: bool = False
    #: labels of one group are alternatives (e.g. places inside an area for its name): the
    #: first that fits is written, the others not
    group: str = ""


@dataclass(frozen=True)
class Obstacle:
    """A marker: a square of `half` px around (lon, lat) that no label may cover (a box
    `half` wide and `half_height` high on each side, when that is given)."""

    lon: float
    lat: float
    half: float
    half_height: float | None = None


def mercator(lat: float) -> float:
    lat = max(min(lat, 85.0), -85.0)
    return math.log(math.tan(math.pi / 4 + lat * RAD / 2))


def frame_span(frame) -> tuple[float, float]:
    """(width, height) of the frame (west, south, east, north) in Mercator radians."""
    west, south, east, north = frame
    return (east - west) * RAD, mercator(north) - mercator(south)


def scale_range(frame, sizes) -> tuple[float, float]:
    """The scales (px per Mercator radian) at which the frame, fitted into plots of the
    given (width, height) px, is drawn: the smallest and the largest."""
    width, height = frame_span(frame)
    scales = [min(w / max(width, 1e-9), h / max(height, 1e-9)) for w, h in sizes]
    return min(scales), max(scales)


@lru_cache(maxsize=4)
def _font(bold: bool, size: int):
    try:
        return ImageFont.truetype(FONTS[bold], size)
    except OSError:
        return None


@lru_cache(maxsize=8192)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width (px) of a one-line label at `size` px."""
    font = _font(bold, 100)
    if font is None:
        return len(text) * size * FALLBACK_ADVANCE
    return font.getlength(text) * size / 100


def offsets(label: Label, position: str, standoff: float | None = None):
    """(left, top, right, bottom) of the label's box relative to its point, in px, as plotly
    draws text at `position` beside a marker of diameter `standoff` (the label's `clear`
    unless given; Drawing.textPointPosition: the text stands off by radius / 0.8 + 1)."""
    f = label.size
    width = text_width(label.text, f, label.bold)
    standoff = label.clear if standoff is None else standoff
    r = standoff / 2 / 0.8 + 1 if standoff > 0 else 0.0
    vertical, horizontal = position.split()
    sign = {"top": -1, "middle": 0, "bottom": 1}[vertical]
    baseline = 0.75 * f + sign * r + (sign - 1) * f / 2
    left = {"right": r, "center": -width / 2, "left": -r - width}[horizontal]
    return left, baseline - ASCENT * f, left + width, baseline + DESCENT * f


class Boxes:
    """Boxes placed so far: a point in Mercator (u, v: px per unit of scale), its offsets in
    px, and whose box it is (a label's index; -1 for a marker)."""

    def __init__(self):
        self._rows = np.zeros((64, 6))  # grown by doubling: self.owners says how many
        self.owners: list[int] = []

    def add(self, row: tuple[float, ...], owner: int = -1) -> None:
        n = len(self.owners)
        if n == len(self._rows):
            self._rows = np.vstack([self._rows, np.zeros_like(self._rows)])
        self._rows[n] = row
        self.owners.append(owner)

    def remove(self, owner: int) -> None:
        keep = [k for k, o in enumerate(self.owners) if o != owner]
        rows = self._rows[keep]
        self._rows = np.vstack([rows, np.zeros((len(self._rows) - len(rows), 6))])
        self.owners = [self.owners[k] for k in keep]

    def conflicts(self, row: tuple[float, ...], scales: tuple[float, float]) -> list[int]:
        """The owners of the placed boxes that overlap `row` at some scale in `scales`."""
        if not self.owners:
            return []
        placed = self._rows[: len(self.owners)]
        u, v, left, top, right, bottom = row
        lo = np.full(len(placed), scales[0])
        hi = np.full(len(placed), scales[1])
        never = np.zeros(len(placed), dtype=bool)
        # the boxes overlap where c * s + d < 0 for all four (two per axis)
        for c, d in (
            (u - placed[:, 0], left - placed[:, 4] - GAP),
            (placed[:, 0] - u, placed[:, 2] - right - GAP),
            (v - placed[:, 1], top - placed[:, 5] - GAP),
            (placed[:, 1] - v, placed[:, 3] - bottom - GAP),
        ):
            flat = np.abs(c) < 1e-12
            never |= flat & (d >= 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                bound = np.where(flat, 0.0, -d / np.where(flat, 1.0, c))
            hi = np.where(c > 1e-12, np.minimum(hi, bound), hi)
            lo = np.where(c < -1e-12, np.maximum(lo, bound), lo)
        return [self.owners[k] for k in np.flatnonzero((lo <= hi) & ~never)]


class Placement:
    """Greedy placement in a frame over a range of scales (see `place`)."""

    def __init__(self, labels: list[Label], frame, scales: tuple[float, float], obstacles):
        west, south, east, north = frame
        self.origin = (west + east) / 2 * RAD, (mercator(south) + mercator(north)) / 2
        self.half = tuple(v / 2 for v in frame_span(frame))
        self.labels, self.scales = labels, scales
        self.boxes = Boxes()
        for marker in obstacles:
            w = marker.half
            h = w if marker.half_height is None else marker.half_height
            self.boxes.add((*self.point(marker.lon, marker.lat), -w, -h, w, h))
        self.chosen: list[tuple[str, float] | None] = [None] * len(labels)

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        return lon * RAD - self.origin[0], -(mercator(lat) - self.origin[1])

    def options(self, i: int):
        """(row, inside the frame, choice) of each candidate of label i, in order."""
        label = self.labels[i]
        u, v = self.point(label.lon, label.lat)
        half_w, half_h = self.half
        for standoff, position in _candidates(label):
            left, top, right, bottom = offsets(label, position, standoff)
            inside = all(
                u * s + left >= -half_w * s + GAP
                and u * s + right <= half_w * s - GAP
                and v * s + top >= -half_h * s + GAP
                and v * s + bottom <= half_h * s - GAP
                for s in self.scales
            )
            yield (u, v, left, top, right, bottom), inside, (position, standoff)

    def free(self, i: int):
        """The first candidate of label i inside the frame and clear of every box."""
        for row, inside, choice in self.options(i):
            if inside and not self.boxes.conflicts(row, self.scales):
                return row, choice
        return None

    def put(self, i: int, row, choice) -> None:
        self.boxes.add(row, i)
        self.chosen[i] = choice

    def repair(self, i: int) -> bool:
        """Place required label i where only one other name stands, moving that name to a
        free place of its own; False when no such move exists."""
        for row, inside, choice in self.options(i):
            hits = self.boxes.conflicts(row, self.scales) if inside else [-1]
            if len(hits) != 1 or hits[0] < 0:
                continue
            other, before = hits[0], self.chosen[hits[0]]
            self.boxes.remove(other)
            self.put(i, row, choice)
            for j in self.alternatives(other):
                moved = self.free(j)
                if moved is not None:
                    self.chosen[other] = None
                    self.put(j, *moved)
                    return True
            self.boxes.remove(i)
            self.chosen[i] = None
            self.put(other, self._row(other, before), before)
        return False

    def alternatives(self, i: int) -> list[int]:
        """Label i and the other labels of its group (other places for the same name)."""
        group = self.labels[i].group
        if not group:
            return [i]
        return [i] + [j for j, o in enumerate(self.labels) if o.group == group and j != i]

    def _row(self, i: int, choice):
        return next(row for row, _inside, c in self.options(i) if c == choice)

    def least_bad(self, i: int) -> None:
        """A required label that finds no free place: inside the frame, fewest collisions."""
        ranked = [
            ((not inside, len(self.boxes.conflicts(row, self.scales))), k, row, choice)
            for k, (row, inside, choice) in enumerate(self.options(i))
        ]
        _rank, _k, row, choice = min(ranked)
        self.put(i, row, choice)


def place(
    labels: list[Label], frame, scales: tuple[float, float], obstacles=()
) -> list[tuple[str, float] | None]:
    """The position of each label (a plotly `textposition`) and its standoff (the diameter
    of the invisible marker plotly stands the text off), or None where it is dropped.

    Remembered by its inputs: the names, the markers and the frame (not the theme, which
    changes none of them), so a page drawn again for the same framing, filters and language
    (a reload, a step back) does not place them again (half a second on a national map)."""
    return list(_placed(tuple(labels), tuple(frame), tuple(scales), tuple(obstacles)))


@lru_cache(maxsize=32)
def _placed(labels: tuple, frame: tuple, scales: tuple, obstacles: tuple) -> tuple:
    placement = Placement(list(labels), frame, scales, obstacles)
    order = sorted(
        range(len(labels)),
        key=lambda i: (not labels[i].required, labels[i].rank),
    )
    done: set[str] = set()
    for i in order:
        label = labels[i]
        if label.group and label.group in done:
            continue
        found = placement.free(i)
        if found is not None:
            placement.put(i, *found)
        elif label.required and not placement.repair(i):
            placement.least_bad(i)
        if placement.chosen[i] is not None:
            done.add(label.group)
    return tuple(placement.chosen)


def _candidates(label: Label):
    """(standoff, position) to try: on the point for an area's name; else the eight
    positions beside the marker, then farther off for a name that must be written."""
    if label.centred:
        return [(0.0, position) for position in CENTRED]
    rings = STANDOFFS if label.required else STANDOFFS[:1]
    return [(label.clear * k, position) for k in rings for position in POSITIONS]


def leader(label: Label, position: str, standoff: float, scale: float):
    """[(lon, lat), (lon, lat)]: a line from the label's marker edge toward its name, drawn
    where the name stands farther off than beside its marker; it ends just short of the
    name at `scale` (shorter at smaller scales, longer at larger ones)."""
    vertical, horizontal = position.split()
    dx = {"left": -1, "center": 0, "right": 1}[horizontal]
    dy = {"top": -1, "middle": 0, "bottom": 1}[vertical]
    norm = math.hypot(dx, dy) or 1.0
    start, end = label.clear / 2, (standoff / 2 / 0.8 + 1) * 0.9

    def at(px):
        x = label.lon * RAD + dx / norm * px / scale
        y = mercator(label.lat) - dy / norm * px / scale
        return x / RAD, (2 * math.atan(math.exp(y)) - math.pi / 2) / RAD

    return [at(start), at(end)]
