"""Read a user's site upload (GeoJSON, GeoPackage, zipped Shapefile) safely.

The bytes come from a browser. They are checked against the mode's limits before anything is
parsed, written under a fresh temporary folder with a fixed name, and opened by
:func:`areal.layers.safe_open.open_vector` (type verified from the content, one GDAL driver, no
network, zip members checked and extracted under sanitised names, CRS resolved from a code only).
The frame is then checked for emptiness, CRS, plausible location (swapped axes, outside Norway,
the whole globe), geometry family and vertex count, repaired, and reprojected to the working CRS.
Every failure is an :class:`~areal.geo.errors.UploadError` whose message names the uploaded file,
never a server path.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

import geopandas as gpd
import numpy as np
import shapely
from areal.geo.crs import to_working_crs
from areal.geo.errors import (
    EmptyLayerError,
    ImplausibleLocationError,
    InputFileError,
    UploadError,
    UploadTooLargeError,
)
from areal.geo.geometry import family_of, repair_geometries
from areal.geo.plausibility import check_location
from areal.layers.safe_open import ReadLimits, open_vector
from shapely.geometry import shape

ACCEPTED = (".geojson", ".json", ".gpkg", ".zip", ".gml")
"""File name endings the upload widget offers."""

UPLOAD_KINDS = frozenset({"geojson", "gpkg", "shapefile", "gml"})
"""Verified types an upload may be (a Shapefile only inside a zip)."""


@dataclass(frozen=True)
class UploadLimits:
    """Limits of one app mode.

    Attributes
    ----------
    max_bytes : int
        Largest accepted file, and largest total a zip may unpack to.
    max_vertices : int
        Largest accepted total number of coordinates.
    max_zip_members : int
        Files in a zip.
    max_zip_ratio : float
        Largest compression ratio of one zip member.
    """

    max_bytes: int
    max_vertices: int
    max_zip_members: int = 200
    max_zip_ratio: float = 100.0

    @property
    def max_mb(self) -> float:
        """``max_bytes`` in MB (1024²)."""
        return self.max_bytes / 1024**2

    def read_limits(self) -> ReadLimits:
        """The same limits for :func:`~areal.layers.safe_open.open_vector`."""
        return ReadLimits(self.max_bytes, self.max_zip_members, self.max_zip_ratio)


PUBLIC_LIMITS = UploadLimits(max_bytes=10 * 1024**2, max_vertices=100_000)
PLANNER_LIMITS = UploadLimits(max_bytes=200 * 1024**2, max_vertices=5_000_000)


def safe_name(filename: str) -> str:
    """The base name of ``filename`` with anything but letters, digits, ``._-`` replaced.

    >>> safe_name("../../etc/Søk område.geojson")
    'Søk_område.geojson'
    """
    base = PurePosixPath(str(filename).replace("\\", "/")).name or "upload"
    cleaned = re.sub(r"[^\w.\-]", "_", base)[:120].lstrip(".")
    return cleaned or "upload"


def _upload_error(exc: InputFileError, name: str) -> UploadError:
    details = {"file": name, **exc.details}
    if exc.key == "too_large":
        # With sizes: "too large (x MB), the limit is y MB"; without (a compression ratio, a member
        # count): the zip is refused and the problem code says why.
        key = "too_large" if "size_mb" in details and "limit_mb" in details else "zip_refused"
        return UploadTooLargeError(str(exc), key, details)
    key = {"missing": "broken", "not_regular": "broken"}.get(exc.key, exc.key)
    return UploadError(str(exc), key, details)


def _check_crs(gdf: gpd.GeoDataFrame, name: str) -> None:
    if gdf.crs is None:
        raise UploadError(
            f"{name}: the file has no coordinate reference system (CRS); add a .prj to the Shapefile or "
            "save it as GeoJSON in WGS84 / GeoPackage with an SRS",
            "no_crs",
            {"file": name},
        )
    if gdf.crs.is_geographic:
        minx, miny, maxx, maxy = gdf.total_bounds
        if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
            raise UploadError(
                f"{name}: coordinates such as ({minx:.0f}, {miny:.0f}) are not longitude/latitude, but the file "
                "declares no projected CRS (GeoJSON without 'crs' means WGS84); save it with its CRS, "
                "for example EPSG:25833",
                "no_crs",
                {"file": name},
            )


def _check_vertices(geoms: np.ndarray, name: str, limits: UploadLimits) -> int:
    n = int(shapely.get_num_coordinates(geoms).sum())
    if n > limits.max_vertices:
        raise UploadTooLargeError(
            f"{name}: {n:,} vertices, more than the limit of {limits.max_vertices:,}; simplify the outline first",
            "too_many_vertices",
            {"file": name, "vertices": n, "limit": limits.max_vertices},
        )
    return n


def _site_family(gdf: gpd.GeoDataFrame, name: str) -> str:
    fams = {family_of(t) for t in gdf.geometry.geom_type.dropna().unique()}
    for fam in ("polygon", "point"):
        if fams == {fam}:
            return fam
    found = ", ".join(sorted(str(t) for t in gdf.geometry.geom_type.dropna().unique()))
    raise UploadError(
        f"{name}: a site must be polygons or points, the file holds {found}",
        "geometry_type",
        {"file": name, "types": found},
    )


def _finish(
    gdf: gpd.GeoDataFrame, name: str, limits: UploadLimits, fmt: str, layer: str | None
) -> gpd.GeoDataFrame:
    geoms = np.asarray(gdf.geometry.values)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not keep.any():
        raise UploadError(f"{name}: the file holds no geometries", "empty", {"file": name})
    gdf = gdf.loc[keep]
    _check_crs(gdf, name)
    try:
        warnings = check_location(gdf, name)
    except ImplausibleLocationError as exc:
        raise UploadError(str(exc), exc.key, {"file": name, **exc.details}) from None
    n_vertices = _check_vertices(np.asarray(gdf.geometry.values), name, limits)
    family = _site_family(gdf, name)
    gdf, rep = repair_geometries(gdf, family)
    gdf = to_working_crs(gdf, name)
    gdf = gdf[[gdf.geometry.name]].reset_index(drop=True)
    gdf.attrs.update(
        {
            "filename": name,
            "format": fmt,
            "layer": layer,
            "n_features": len(gdf),
            "n_repaired": rep.n_invalid,
            "n_vertices": n_vertices,
            "family": family,
            "n_empty_dropped": int((~keep).sum()),
            "warnings": warnings,
        }
    )
    return gdf


def read_upload(data: bytes, filename: str, limits: UploadLimits = PUBLIC_LIMITS) -> gpd.GeoDataFrame:
    """Read an uploaded site file into a GeoDataFrame in EPSG:25833.

    Parameters
    ----------
    data : bytes
        The file's content as received from the browser.
    filename : str
        The name the browser gave (only its sanitised base name is used or shown).
    limits : UploadLimits
        Byte and vertex limits of the app mode.

    Returns
    -------
    GeoDataFrame
        Only the geometry column; ``attrs`` holds ``filename``, ``format``, ``n_features``,
        ``n_repaired``, ``n_vertices`` and ``family`` (``"polygon"`` or ``"point"``).

    Raises
    ------
    UploadTooLargeError
        Above ``limits.max_bytes`` or ``limits.max_vertices``.
    UploadError
        Unsupported, unreadable, empty, CRS-less or non-polygon/point input (``.key`` says which).
    """
    name = safe_name(filename)
    if data is None or len(data) == 0:
        raise UploadError(f"{name}: the file is empty (0 bytes)", "empty", {"file": name})
    if len(data) > limits.max_bytes:
        raise UploadTooLargeError(
            f"{name}: {len(data) / 1024**2:.1f} MB, more than the limit of {limits.max_mb:.0f} MB",
            "too_large",
            {"file": name, "size_mb": len(data) / 1024**2, "limit_mb": limits.max_mb},
        )
    with tempfile.TemporaryDirectory(prefix="areal-upload-") as tmpdir:
        # A fixed name: the browser's file name is never used as a path, the content decides the type.
        path = Path(tmpdir) / "upload.bin"
        path.write_bytes(data)
        try:
            gdf = open_vector(path, name=name, limits=limits.read_limits(), kinds=UPLOAD_KINDS)
        except EmptyLayerError:
            raise UploadError(f"{name}: the file holds no geometries", "empty", {"file": name}) from None
        except InputFileError as exc:
            raise _upload_error(exc, name) from None
    info = gdf.attrs.get("input", {})
    fmt = info.get("format", "")
    return _finish(gdf, name, limits, fmt, info.get("layer") if fmt == "gpkg" else None)


def read_geojson_geometry(
    obj: Mapping[str, Any], limits: UploadLimits = PUBLIC_LIMITS, what: str = "drawing"
) -> gpd.GeoDataFrame:
    """Turn a GeoJSON geometry / Feature / FeatureCollection in WGS84 (from the map) into a site frame.

    Parameters
    ----------
    obj : mapping
        GeoJSON object as posted by the map (longitude/latitude).
    limits : UploadLimits
        Vertex limit of the app mode.
    what : str
        Name used in messages.

    Returns
    -------
    GeoDataFrame
        One row per geometry, EPSG:25833, same ``attrs`` as :func:`read_upload`.
    """
    try:
        if obj.get("type") == "FeatureCollection":
            geoms = [shape(f["geometry"]) for f in obj.get("features", []) if f.get("geometry")]
        elif obj.get("type") == "Feature":
            geoms = [shape(obj["geometry"])] if obj.get("geometry") else []
        else:
            geoms = [shape(obj)]
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException) as exc:
        raise UploadError(f"{what}: not a valid GeoJSON geometry ({exc})", "broken", {"file": what}) from None
    gdf = gpd.GeoDataFrame(geometry=geoms, crs="EPSG:4326")
    return _finish(gdf, what, limits, "geojson", None)
