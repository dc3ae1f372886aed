"""Thematic map layers: one module per layer, gathered in one explicit registry.

Adding a layer = one module + one line in `LAYERS`.
"""

from layers import (
    budgets,
    capacity,
    freshness,
    monitoring,
    priorities,
    procurement,
    projects,
    results,
    unfunded,
)
from layers.base import Layer

LAYERS: tuple[Layer, ...] = (
    priorities.LAYER,
    projects.LAYER,
    budgets.LAYER,
    monitoring.LAYER,
    procurement.LAYER,
    capacity.LAYER,
    results.LAYER,
    unfunded.LAYER,
    freshness.LAYER,
)
BY_ID = {layer.id: layer for layer in LAYERS}
DEFAULT_LAYER = LAYERS[0].id


def layer_by_id(layer_id: str | None) -> Layer:
    """The layer called `layer_id`, else the default one."""
    return BY_ID.get(layer_id or "", BY_ID[DEFAULT_LAYER])
