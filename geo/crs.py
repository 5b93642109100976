"""CRS contract of the project: everything is analysed in EUREF89 UTM 33 (EPSG:25833)."""

from __future__ import annotations

import functools

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


@functools.lru_cache(maxsize=256)
def _same_srs(a: str, b: str) -> bool:
    return a == b or CRS.from_user_input(a).equals(CRS.from_user_input(b))


def same_crs(a: CRS, b: CRS) -> bool:
    """``a.equals(b)``, decided once per pair of definitions in a process.

    pyproj keeps a CRS's PROJ object per thread, so ``equals`` on a worker thread first rebuilds
    both from their definitions (about 10 ms a layer, holding the GIL: half a second for the 29
    layers of a site check, on a server whose event loop shares that GIL). The answer depends only
    on the two definitions, so it is remembered by them.

    Examples
    --------
    >>> same_crs(CRS.from_epsg(25833), CRS.from_user_input(CRS.from_epsg(25833).to_wkt()))
    True
    >>> same_crs(CRS.from_epsg(25833), CRS.from_epsg(25832))
    False
    """
    if a is b:
        return True
    sa, sb = getattr(a, "srs", None), getattr(b, "srs", None)
    if not sa or not sb:
        return a.equals(b)
    return _same_srs(sa, sb)


def to_working_crs(gdf: gpd.GeoDataFrame, what: str = "input") -> gpd.GeoDataFrame:
    """Reproject ``gdf`` to :data:`WORKING_CRS` (a copy is returned only when needed)."""
    crs = require_crs(gdf, what)
    if same_crs(crs, WORKING_CRS):
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
        if not same_crs(crs, first):
            raise CRSMismatchError(
                f"CRS mismatch between {names[0]} ({first.to_string()}) and {name} ({crs.to_string()}). "
                f"Use `.to_crs({first.to_string()!r})` on {name} first, or load both through `layers`."
            )
    return first
