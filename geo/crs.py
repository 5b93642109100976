"""CRS contract of the project: everything is analysed in EUREF89 UTM 33 (EPSG:25833)."""

from __future__ import annotations

import geopandas as gpd
from areal.geo.errors import CRSMismatchError, CRSMissingError
from pyproj import CRS

WORKING_CRS = CRS.from_epsg(25833)
"""The working CRS, EUREF89 / UTM zone 33N."""


def require_crs(gdf: gpd.GeoDataFrame, what: str = "input") -> CRS:
    """Return the CRS of ``gdf`` or raise if it has none.

    Parameters
    ----------
    gdf : GeoDataFrame
        Frame to check.
    what : str
        Name used in the message (a file, a layer id).

    Raises
    ------
    CRSMissingError
        When ``gdf.crs`` is None.
    """
    if gdf.crs is None:
        raise CRSMissingError(
            f"{what}: cannot transform naive geometries, the data has no CRS. "
            "Please set a CRS on the source (for example a .prj file or a GeoPackage SRS) first."
        )
    return CRS.from_user_input(gdf.crs)


def to_working_crs(gdf: gpd.GeoDataFrame, what: str = "input") -> gpd.GeoDataFrame:
    """Reproject ``gdf`` to :data:`WORKING_CRS` (a copy is returned only when needed)."""
    crs = require_crs(gdf, what)
    if crs.equals(WORKING_CRS):
        return gdf
    return gdf.to_crs(WORKING_CRS)


def ensure_same_crs(*frames: gpd.GeoDataFrame, names: tuple[str, ...] | None = None) -> CRS:
    """Check that all frames share one CRS and return it.

    Raises
    ------
    CRSMismatchError
        Naming both CRSs and the remedy.
    """
    names = names or tuple(f"input {i}" for i in range(len(frames)))
    first = require_crs(frames[0], names[0])
    for frame, name in zip(frames[1:], names[1:]):
        crs = require_crs(frame, name)
        if not crs.equals(first):
            raise CRSMismatchError(
                f"CRS mismatch between {names[0]} ({first.to_string()}) and {name} ({crs.to_string()}). "
                f"Use `.to_crs({first.to_string()!r})` on {name} first, or load both through `layers`."
            )
    return first
