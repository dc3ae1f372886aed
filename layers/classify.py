"""Class breaks from the data: natural breaks, quantiles, equal intervals (mapclassify, the
field's library) and one class per value for small integer counts.

A scheme returns the lower bounds of the classes after the first (`Classes.breaks`): a class
runs from its bound up to, not including, the next one. Natural breaks and quantiles end a
class at a value of the data, so every class they make holds at least one municipality; the
bounds are then moved to the roundest number between the classes' values, for labels a
reader can take in. Equal intervals cut the range evenly and may leave a class empty (the
legend marks it).
"""

from __future__ import annotations

import math
import warnings
from functools import cache, lru_cache

import numpy as np
import pandas as pd

#: at most this many classes of one value each (else natural breaks)
MAX_UNIQUE = 7
#: classes of the natural, quantile and equal-interval schemes
CLASSES = 5
#: the smallest step a bound is rounded to, per kind of value (what its format shows)
PRECISION = {"percent": 0.001, "money": 100, "int": 1, "days": 1, "number": 0.1}


def finite(values) -> np.ndarray:
    """The numbers among `values` (None, NaN and infinities left out)."""
    array = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce")
    array = array.to_numpy(dtype=float, na_value=np.nan)
    return array[np.isfinite(array)]


def integral(values) -> bool:
    """Whether every value is a whole number (a count)."""
    return bool(len(values)) and bool(np.all(np.equal(np.mod(values, 1), 0)))


def unique_fits(values) -> bool:
    """Whether one class per value is possible: whole numbers spanning few values."""
    return integral(values) and values.max() - values.min() + 1 <= MAX_UNIQUE


def round_bound(below: float, at_most: float, precision: float) -> float:
    """The roundest number r with below < r <= at_most (steps of 1, 2 and 5 × 10ⁿ down to
    `precision`); `at_most` itself when none is rounder."""
    step = 10 ** math.floor(math.log10(max(abs(at_most), abs(below), precision)))
    while step >= precision * (1 - 1e-9):
        for factor in (5, 2, 1):
            size = step * factor
            if size < precision * (1 - 1e-9):
                continue
            candidate = (math.floor(below / size) + 1) * size
            if below < candidate <= at_most:
                return round(candidate, 12)
        step /= 10
    return at_most


def _from_upper_bins(values: np.ndarray, bins, precision: float) -> tuple[float, ...]:
    """Lower bounds from mapclassify's bins (each the largest value of its class)."""
    bounds = []
    for upper in bins[:-1]:
        above = values[values > upper]
        if len(above):
            bounds.append(round_bound(float(upper), float(above.min()), precision))
    return tuple(sorted(set(bounds)))


@cache
def _mapclassify():
    """mapclassify, imported on the first classes cut from data: with scipy it takes about
    1.7 s, which the `aimak` commands that draw no map should not pay."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Numba not installed. Using slow pure python version."
        import mapclassify
    return mapclassify


def breaks(values, scheme: str, kind: str = "number") -> tuple[float, ...]:
    """The class bounds of `values` (None and NaN left out) under `scheme`."""
    return _breaks(tuple(finite(values).tolist()), scheme, kind)


#: natural breaks take ~0.4 s at 471 values (mapclassify's pure-Python Fisher-Jenks): the
#: bounds of the same values are remembered, so a theme seen once is not cut again
@lru_cache(maxsize=512)
def _breaks(values: tuple[float, ...], scheme: str, kind: str) -> tuple[float, ...]:
    data = np.asarray(values, dtype=float)
    mapclassify = _mapclassify()
    precision = PRECISION.get(kind, 0.1)
    distinct = np.unique(data)
    if len(distinct) < 2:
        return ()
    if scheme == "unique" and unique_fits(data):
        return tuple(range(int(data.min()) + 1, int(data.max()) + 1))
    k = min(CLASSES, len(distinct))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "not enough unique values" for quantiles
        if scheme == "quantiles":
            found = _from_upper_bins(data, mapclassify.Quantiles(data, k=k).bins, precision)
        elif scheme == "equal":
            found = _equal(data, k, precision)
        else:
            found = _from_upper_bins(data, mapclassify.FisherJenks(data, k=k).bins, precision)
    return tuple(int(b) for b in found) if integral(np.asarray(found)) else found


def _equal(data: np.ndarray, k: int, precision: float) -> tuple[float, ...]:
    """k classes of equal width over the data's range (whole numbers for counts)."""
    low, high = float(data.min()), float(data.max())
    width = (high - low) / k
    bounds = [low + i * width for i in range(1, k)]
    if integral(data):
        bounds = [math.ceil(b - 1e-9) for b in bounds]
    else:
        bounds = [round(round(b / precision) * precision, 12) for b in bounds]
    return tuple(sorted({b for b in bounds if low < b <= high}))
