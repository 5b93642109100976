"""Read a user's site upload (GeoJSON, GeoPackage, zipped Shapefile) safely.

The bytes come from a browser. They are checked against the mode's limits before anything is
parsed, written under a fresh temporary folder with a sanitised name (zip members are never
extracted by their own paths), read with pyogrio, checked for CRS, emptiness, geometry family
and vertex count, repaired, and reprojected to the working CRS. Every failure is an
:class:`~areal.geo.errors.UploadError` whose message names the uploaded file, never a server path.
"""

from __future__ import annotations

import io
import re
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from areal.geo.crs import to_working_crs
from areal.geo.errors import UploadError, UploadTooLargeError
from areal.geo.geometry import family_of, repair_geometries
from shapely.geometry import shape

ACCEPTED = (".geojson", ".json", ".gpkg", ".zip")
"""File name endings the upload widget offers."""

_SHP_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_MAX_ZIP_MEMBERS = 200
_ZIP_EXPANSION = 20  # a zip may unpack to at most this many times the byte limit (zip-bomb guard)


@dataclass(frozen=True)
class UploadLimits:
    """Limits of one app mode.

    Attributes
    ----------
    max_bytes : int
        Largest accepted file.
    max_vertices : int
        Largest accepted total number of coordinates.
    """

    max_bytes: int
    max_vertices: int

    @property
    def max_mb(self) -> float:
        """``max_bytes`` in MB (1024²)."""
        return self.max_bytes / 1024**2


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


def _sniff(data: bytes, name: str) -> str:
    suffix = Path(name).suffix.lower()
    if data[:16] == b"SQLite format 3\x00":
        return "gpkg"
    if data[:4] == b"PK\x03\x04":
        return "zip"
    if suffix in (".geojson", ".json") or data.lstrip()[:1] in (b"{", b"["):
        return "geojson"
    if suffix in (".gpkg", ".zip"):
        return suffix[1:]  # claims the format; the reader will say it is broken
    raise UploadError(
        f"{name}: unsupported file type; upload a GeoJSON (.geojson), a GeoPackage (.gpkg) or a zipped "
        "Shapefile (.zip)",
        "format",
        {"file": name},
    )


def _unzip(data: bytes, name: str, tmp: Path, limits: UploadLimits) -> Path:
    """Write the one dataset inside a zip to ``tmp`` and return its path."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UploadError(f"{name}: not a readable zip file ({exc})", "broken", {"file": name}) from None
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
        if len(infos) > _MAX_ZIP_MEMBERS:
            raise UploadError(
                f"{name}: the zip holds {len(infos)} files (at most {_MAX_ZIP_MEMBERS})",
                "broken",
                {"file": name},
            )
        total = sum(i.file_size for i in infos)
        if total > limits.max_bytes * _ZIP_EXPANSION:
            raise UploadTooLargeError(
                f"{name}: the zip unpacks to {total / 1024**2:.1f} MB, more than the limit allows",
                "too_large",
                {"file": name, "size_mb": total / 1024**2, "limit_mb": limits.max_mb},
            )
        by_suffix: dict[str, list[zipfile.ZipInfo]] = {}
        for info in infos:
            by_suffix.setdefault(PurePosixPath(info.filename).suffix.lower(), []).append(info)
        shps = by_suffix.get(".shp", [])
        if len(shps) > 1:
            listed = ", ".join(safe_name(i.filename) for i in shps[:5])
            raise UploadError(
                f"{name}: the zip holds {len(shps)} shapefiles ({listed}); upload one site per zip",
                "broken",
                {"file": name},
            )
        if shps:
            stem = PurePosixPath(shps[0].filename).with_suffix("")
            out = tmp / "site.shp"
            for info in infos:
                p = PurePosixPath(info.filename)
                if p.with_suffix("") == stem and p.suffix.lower() in _SHP_SIDECARS:
                    (tmp / f"site{p.suffix.lower()}").write_bytes(zf.read(info))
            if not (tmp / "site.shx").exists() or not (tmp / "site.dbf").exists():
                raise UploadError(
                    f"{name}: the shapefile in the zip lacks its .shx or .dbf part", "broken", {"file": name}
                )
            return out
        for suffix in (".gpkg", ".geojson", ".json"):
            if by_suffix.get(suffix):
                out = tmp / f"site{suffix}"
                out.write_bytes(zf.read(by_suffix[suffix][0]))
                return out
    raise UploadError(
        f"{name}: the zip holds no shapefile (.shp), GeoPackage or GeoJSON", "format", {"file": name}
    )


def _read(path: Path, name: str, tmp: Path) -> tuple[gpd.GeoDataFrame, str | None]:
    def clean(msg: str) -> str:
        return str(msg).replace(str(path), name).replace(str(tmp), "").strip()

    layer = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore"
            )  # GDAL warnings name the temp path; the error below says what matters
            if path.suffix == ".gpkg":
                spatial = [row[0] for row in pyogrio.list_layers(path) if row[1]]
                if not spatial:
                    raise UploadError(
                        f"{name}: the GeoPackage has no layer with geometries", "empty", {"file": name}
                    )
                layer = spatial[0]
            gdf = pyogrio.read_dataframe(path, layer=layer)
    except UploadError:
        raise
    except Exception as exc:  # pyogrio/GDAL raise several types for unreadable files
        raise UploadError(f"{name}: cannot be read ({clean(exc)})", "broken", {"file": name}) from None
    return gdf, layer


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
    if fams == {"polygon"} or fams == {"point"}:
        return fams.pop()
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
    fmt = _sniff(data, name)
    with tempfile.TemporaryDirectory(prefix="areal-upload-") as tmpdir:
        tmp = Path(tmpdir)
        if fmt == "zip":
            path = _unzip(data, name, tmp, limits)
            fmt = "shapefile" if path.suffix == ".shp" else path.suffix[1:]
        else:
            path = tmp / f"site.{fmt}"
            path.write_bytes(data)
        gdf, layer = _read(path, name, tmp)
    return _finish(gdf, name, limits, fmt, layer)


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
