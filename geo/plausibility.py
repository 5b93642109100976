"""Plausibility of a user's coordinates: swapped axes, far outside Norway, the whole globe.

Pure: a frame (or bounds and a CRS) in, a list of warnings out; an impossible location raises
:class:`~areal.geo.errors.ImplausibleLocationError` naming the reason and the values seen. Without
this check a file with latitude and longitude swapped gives "0.0 ha in conflict" and a polygon
around the whole globe gives a meaningless area.

>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> check_location(gpd.GeoDataFrame(geometry=[Point(10.4, 63.4)], crs=4326), "site")
[]
>>> check_location(gpd.GeoDataFrame(geometry=[Point(63.4, 10.4)], crs=4326), "site")
Traceback (most recent call last):
...
areal.geo.errors.ImplausibleLocationError: site: the coordinates look like latitude/longitude in swapped order (x 63.4000, y 10.4000 in EPSG:4326 lie in the Indian Ocean, swapped they lie in Norway); give the east coordinate first (x = longitude / easting) or fix the file's axis order
"""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
from areal.geo.errors import ImplausibleLocationError
from areal.geo.notes import Note, register
from pyproj import CRS, Transformer

NORWAY_LONLAT = (0.0, 57.0, 32.0, 72.0)
"""Mainland Norway with its coastal sea, as (west, south, east, north) in degrees."""

COUNTY_LONLAT = (7.0, 62.0, 15.0, 65.6)
"""Trøndelag with its coastal sea, as (west, south, east, north) in degrees."""

MAX_EXTENT_KM = 2500.0
"""A site, proposal or imported layer spanning more than this is refused (Norway is about 1 750 km long)."""


@functools.lru_cache(maxsize=32)
def _transformer(crs: CRS) -> Transformer:
    return Transformer.from_crs(crs, 4326, always_xy=True)


def _to_lonlat(x: np.ndarray, y: np.ndarray, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    if crs.is_geographic:  # WGS84, ETRS89 ...: longitude/latitude to well within a kilometre
        return x, y
    tr = _transformer(crs)
    with np.errstate(all="ignore"):
        lon, lat = tr.transform(x, y, errcheck=False)
    return np.asarray(lon, float), np.asarray(lat, float)


def _intersects(box: tuple[float, float, float, float], lon: np.ndarray, lat: np.ndarray) -> bool:
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return False
    w, s, e, n = box
    return bool(lon[ok].max() >= w and lon[ok].min() <= e and lat[ok].max() >= s and lat[ok].min() <= n)


def _sample(bounds: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Corners, edge midpoints and centre of the bounds (enough to place an extent on the globe)."""
    minx, miny, maxx, maxy = bounds
    xs = np.array(
        [minx, maxx, minx, maxx, (minx + maxx) / 2, minx, maxx, (minx + maxx) / 2, (minx + maxx) / 2]
    )
    ys = np.array(
        [miny, miny, maxy, maxy, (miny + maxy) / 2, (miny + maxy) / 2, (miny + maxy) / 2, miny, maxy]
    )
    return xs, ys


def _mean(v: np.ndarray) -> float:
    ok = v[np.isfinite(v)]
    return float(ok.mean()) if len(ok) else float("nan")


def _where(lon: float, lat: float) -> str:
    if not (np.isfinite(lon) and np.isfinite(lat)):
        return "outside the valid range of the CRS"
    if -90 <= lat <= 90 and -25 <= lon <= 45 and lat < 35:
        return "in Africa or the Mediterranean"
    if 40 <= lon <= 100 and -40 <= lat <= 25:
        return "in the Indian Ocean"
    return f"around longitude {lon:.1f}, latitude {lat:.1f}"


register(
    "location.outside_county",
    lambda v: (
        f"{v['file']}: lies in Norway but outside Trøndelag (around longitude {v['lon']:.2f}, "
        f"latitude {v['lat']:.2f}); most layers cover Trøndelag only"
    ),
)


def check_location(gdf: gpd.GeoDataFrame, what: str, *, county: bool = True) -> list[str]:
    """Check that a frame lies where this program works; return warnings (English), raise when impossible.

    The same checks as :func:`location_notes`, whose structured warnings this gives as sentences.
    """
    return [str(n) for n in location_notes(gdf, what, county=county)]


def location_notes(gdf: gpd.GeoDataFrame, what: str, *, county: bool = True) -> list[Note]:
    """Check that a frame lies where this program works; return structured warnings, raise when impossible.

    Parameters
    ----------
    gdf : GeoDataFrame
        With a CRS (any); only its total bounds are used.
    what : str
        The input's name in messages (a file name, "drawing").
    county : bool
        Warn when the frame lies in Norway but not in Trøndelag.

    Returns
    -------
    list of Note
        Warnings (``[]`` when the frame lies in Trøndelag): ``location.outside_county`` with the
        ``file`` and the mean ``lon``/``lat``.

    Raises
    ------
    ImplausibleLocationError
        ``key="swapped"`` when x and y look exchanged, ``"whole_globe"`` when the extent is larger
        than :data:`MAX_EXTENT_KM`, ``"outside"`` when no part lies in or near Norway.
    """
    if gdf.crs is None or len(gdf) == 0:
        return []
    crs = CRS.from_user_input(gdf.crs)
    bounds = tuple(float(v) for v in gdf.total_bounds)
    if not all(np.isfinite(bounds)):
        return []
    minx, miny, maxx, maxy = bounds
    if crs.is_geographic and (minx < -180 or maxx > 180 or miny < -90 or maxy > 90):
        raise ImplausibleLocationError(
            f"{what}: coordinates such as ({minx:.0f}, {miny:.0f}) are not longitude/latitude, but the file "
            f"declares a geographic CRS ({crs.to_string()}; GeoJSON without 'crs' means WGS84); save it with "
            "its CRS, for example EPSG:25833",
            "no_crs",
            {"file": what},
        )
    if crs.is_geographic:
        width_km = (maxx - minx) * 111.3 * np.cos(np.radians(np.clip((miny + maxy) / 2, -89, 89)))
        height_km = (maxy - miny) * 111.3
        if maxx - minx >= 90 or maxy - miny >= 45:
            width_km = max(width_km, MAX_EXTENT_KM + 1)
    else:
        unit = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
        width_km = (maxx - minx) * unit / 1000.0
        height_km = (maxy - miny) * unit / 1000.0
    if max(width_km, height_km) > MAX_EXTENT_KM:
        raise ImplausibleLocationError(
            f"{what}: the features span {width_km:,.0f} km × {height_km:,.0f} km "
            f"(x {minx:.4g} to {maxx:.4g}, y {miny:.4g} to {maxy:.4g} in {crs.to_string()}), far more than "
            "Norway; is the CRS right?",
            "whole_globe",
            {"file": what, "width_km": width_km, "height_km": height_km},
        )
    xs, ys = _sample((minx, miny, maxx, maxy))
    lon, lat = _to_lonlat(xs, ys, crs)
    if _intersects(NORWAY_LONLAT, lon, lat):
        if county and not _intersects(COUNTY_LONLAT, lon, lat):
            return [
                Note.of("location.outside_county", file=what, lon=float(_mean(lon)), lat=float(_mean(lat)))
            ]
        return []
    slon, slat = _to_lonlat(ys, xs, crs)
    if _intersects(NORWAY_LONLAT, slon, slat):
        axes = "latitude/longitude" if crs.is_geographic else "easting/northing"
        raise ImplausibleLocationError(
            f"{what}: the coordinates look like {axes} in swapped order (x {minx:.4f}, y {miny:.4f} in "
            f"{crs.to_string()} lie {_where(_mean(lon), _mean(lat))}, swapped they lie in "
            "Norway); give the east coordinate first (x = longitude / easting) or fix the file's axis order",
            "swapped",
            {"file": what, "x": minx, "y": miny},
        )
    raise ImplausibleLocationError(
        f"{what}: lies outside Norway ({_where(_mean(lon), _mean(lat))}; x {minx:.4g}, "
        f"y {miny:.4g} in {crs.to_string()}); check the coordinates and the CRS",
        "outside",
        {"file": what, "lon": _mean(lon), "lat": _mean(lat)},
    )
