"""Boundary data for Aimak Atlas: reading, validating, simplifying Kyrgyz administrative units."""

from geodata.prepare import (
    Boundaries,
    equal_area_km2,
    read_boundaries,
    simplify,
    to_geojson,
)
from geodata.sources import ATTRIBUTION, GeodataError, find_geodata_dir, read_layer

# validate() is imported from geodata.validate, so that the name keeps meaning the module here.
__all__ = [
    "ATTRIBUTION",
    "Boundaries",
    "GeodataError",
    "equal_area_km2",
    "find_geodata_dir",
    "read_boundaries",
    "read_layer",
    "simplify",
    "to_geojson",
]
