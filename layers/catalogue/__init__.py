"""The layer catalogue: one frozen :class:`~areal.layers._base.LayerSpec` per layer, grouped by theme.

Order here is the order of the map's layer control and of ``areal layers``.
"""

from areal.layers.catalogue import (
    agriculture,
    aquaculture,
    boundaries,
    business,
    energy,
    infrastructure,
    landcover,
    nature,
    reindeer,
    sea_use,
    terrain,
    test_arenas,
)

ALL = (
    *boundaries.SPECS,
    *business.SPECS,
    *agriculture.SPECS,
    *landcover.SPECS,
    *aquaculture.SPECS,
    *sea_use.SPECS,
    *reindeer.SPECS,
    *nature.SPECS,
    *infrastructure.SPECS,
    *energy.SPECS,
    *terrain.SPECS,
    *test_arenas.SPECS,
)
