"""Areas that stay exact over all of Norway: planar in the working CRS, or geodesic on the GRS80 ellipsoid.

The engines work in EPSG:25833 (UTM zone 33). Its planar areas are within about 0.2 % in
Trøndelag, but UTM 33 stretches the country's ends: about +0.6 % at Bergen (5° E, 10° from the
zone's central meridian) and +0.8 % in east Finnmark (30° E). A national run therefore reports
geodesic areas: each polygon's area on the ellipsoid (``pyproj.Geod.geometry_area_perimeter``,
Karney's algorithm, exact to rounding), whatever its zone.

:data:`AREA_METHODS` names the choices; every table that reports areas states the method
(``area_method`` attribute; :func:`areal.apps.labels.area_method_text` says it in words).
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer

AREA_METHODS = ("planar", "geodesic")
"""``planar``: shapely area in the (projected) CRS of the data; ``geodesic``: area on the GRS80 ellipsoid."""

_GEOD = Geod(ellps="GRS80")  # the ellipsoid of EUREF89 / ETRS89, the datum of EPSG:25833


def check_method(method: str) -> str:
    """Return ``method`` if it is one of :data:`AREA_METHODS`, else raise ``ValueError`` naming them."""
    if method not in AREA_METHODS:
        raise ValueError(f"area method {method!r} is not one of {', '.join(AREA_METHODS)}")
    return method


def geodesic_area(geoms, crs) -> np.ndarray:
    """Area (m²) of each polygon on the GRS80 ellipsoid.

    Parameters
    ----------
    geoms : array-like of geometries
        Polygons in ``crs`` (points and lines give 0; missing give NaN).
    crs : pyproj.CRS or str
        Their CRS (projected or geographic).

    Examples
    --------
    A 100 m square at Bergen drawn in UTM 33 is smaller on the ground than on the map:

    >>> from shapely import box
    >>> sq = box(-20_000, 6_730_000, -19_900, 6_730_100)  # EPSG:25833, near Bergen
    >>> float(shapely.area(sq)), round(float(geodesic_area([sq], 25833)[0]), 1)
    (10000.0, 9942.0)
    """
    g = np.asarray(geoms, dtype=object).reshape(-1)
    out = np.full(len(g), np.nan)
    ok = ~shapely.is_missing(g)
    if not ok.any():
        return out
    to_ll = Transformer.from_crs(CRS.from_user_input(crs), CRS.from_epsg(4258), always_xy=True)
    lonlat = shapely.transform(g[ok], lambda xy: np.column_stack(to_ll.transform(xy[:, 0], xy[:, 1])))
    areas = np.empty(len(lonlat))
    for i, geom in enumerate(lonlat):
        # geometry_area_perimeter is signed by ring orientation; exteriors and holes are handled
        areas[i] = abs(_GEOD.geometry_area_perimeter(geom)[0]) if not geom.is_empty else 0.0
    out[ok] = areas
    return out


def area_m2(geoms, crs, method: str = "planar") -> np.ndarray:
    """Areas (m²) by ``method`` (:data:`AREA_METHODS`)."""
    check_method(method)
    if method == "planar":
        return shapely.area(np.asarray(geoms, dtype=object).reshape(-1))
    return geodesic_area(geoms, crs)
