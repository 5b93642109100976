"""Open untrusted vector files safely: the one way uploads and CLI inputs are read.

Everything a user hands the program (a browser upload, ``areal import FILE``, ``areal conflicts
--proposal FILE``, ``areal arenas check FILE``) and every catalogue source file goes through
:func:`open_vector`. It never lets GDAL choose what to do with a file on its own:

1. **The path** must be a plain local path of a regular file (or a ``.gdb`` folder): ``/vsi*``
   paths, URLs and GDAL connection strings (``CSV:``, ``GPKG:``, ``WFS:`` ...) are refused, and
   so are FIFOs, devices and sockets (a FIFO would hang the reader).
2. **The type comes from the content**, not the name: GeoJSON is parsed as JSON first and must be
   a FeatureCollection / Feature / Geometry; a GeoPackage must start with ``SQLite format 3`` + NUL
   and carry the GeoPackage ``application_id`` (and no virtual table but the R-tree index); a
   Shapefile must start with the magic number 9994; GML is parsed as XML with DTDs, entities and
   XInclude refused, its root must be a feature collection and no ``schemaLocation`` or
   ``xlink:href`` may name a local file; zip members are checked by name, type, size and
   compression ratio from the central directory *and* while they are extracted (sizes can lie).
3. **One driver per type.** pyogrio has no parameter for GDAL's allowed-driver list, so: the
   GeoJSON and GeoPackage drivers are forced with their connection prefixes (``GeoJSON:``,
   ``GPKG:``); every vector driver but :data:`ALLOWED_DRIVERS` is deregistered from pyogrio's GDAL
   when this module is imported (no VRT, no CSV, no WFS/OAPIF/HTTP, no GPSBabel ...); and the
   driver GDAL used is checked against the verified type before reading.
4. **No network, no sidecars**: :data:`GDAL_CONFIG` switches off what could still reach out
   (``/vsicurl/`` restricted to no extension, HTTP through a closed local proxy, GML schema
   downloads and xlink resolution off, SQLite VirtualOGR off); GML is opened with
   ``WRITE_GFS=NO`` so no ``.gfs`` file is written next to the input.
5. **The CRS comes only from a code this program resolves itself**: a GeoJSON ``crs`` name that is
   an EPSG code (a ``link`` CRS is refused, never fetched; none means WGS84), a GML ``srsName``
   that is an EPSG code, a GeoPackage's ``gpkg_spatial_ref_sys`` entry, a Shapefile ``.prj`` or
   FileGDB WKT that PROJ identifies as an EPSG CRS (offline).

Every refusal is an :class:`~areal.geo.errors.InputFileError` with one line naming the file and
the problem; for uploads the caller passes ``name`` so that no server path appears.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import math
import os
import re
import shutil
import sqlite3
import stat
import tempfile
import urllib.parse
import warnings
import xml.parsers.expat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterator

# Drivers a GDAL that is loaded after this line never registers (GDAL reads GDAL_SKIP when it
# registers its drivers, i.e. on pyogrio's import); the ones already registered are removed below.
_SKIP = (
    "OGR_VRT CSV GPSBabel GDALG WFS OAPIF OGCAPI HTTP CSW Carto AmigoCloud Elasticsearch NGW EEDA PLSCENES"
)
if "GDAL_SKIP" not in os.environ:
    os.environ["GDAL_SKIP"] = _SKIP

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pyogrio  # noqa: E402
import shapely  # noqa: E402
from areal.geo.errors import EmptyLayerError, InputFileError  # noqa: E402
from pyproj import CRS  # noqa: E402
from pyproj.exceptions import CRSError  # noqa: E402

ALLOWED_DRIVERS = frozenset({"GPKG", "GeoJSON", "ESRI Shapefile", "GML", "OpenFileGDB", "FlatGeobuf", "MEM"})
"""The only vector drivers left registered in pyogrio's GDAL (reading and writing)."""

GDAL_CONFIG: dict[str, str] = {
    # Network: nothing an input names is fetched.
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".areal-no-network",  # /vsicurl/ refuses every file name
    "GDAL_HTTP_PROXY": "127.0.0.1:9",  # a closed local port: a request that slipped through fails here
    "GDAL_HTTPS_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_TIMEOUT": "2",
    "GDAL_HTTP_CONNECTTIMEOUT": "2",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_NETRC": "NO",
    # No directory listing on open (sidecars are probed by name only).
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    # GML: no schema download, no xlink resolution, no resolved copy, no .gfs template.
    "GML_DOWNLOAD_WFS_SCHEMA": "NO",
    "GML_DOWNLOAD_SCHEMA": "NO",
    "GML_SKIP_RESOLVE_ELEMS": "ALL",
    # SQLite/GeoPackage: views and triggers cannot open other data sources or call OGR functions.
    "ALLOW_VIRTUAL_OGR_FROM_TRIGGER_AND_VIEW": "NO",
    "ALLOW_OGR_SQL_FUNCTIONS_FROM_TRIGGER_AND_VIEW": "NO",
    "OGR_SQLITE_LOAD_EXTENSIONS": "NO",
    "GDAL_VRT_ENABLE_PYTHON": "NO",
    # One GeoJSON object may not exceed this many MB (GDAL's own guard, default 200).
    "OGR_GEOJSON_MAX_OBJ_SIZE": "250",
}
"""GDAL configuration set in pyogrio's GDAL when this module is imported."""

GML_OPEN_OPTIONS = {
    "WRITE_GFS": "NO",
    "DOWNLOAD_SCHEMA": "NO",
    "SKIP_RESOLVE_ELEMS": "ALL",
    "USE_SCHEMA_IMPORT": "NO",
}
"""Open options of every GML read (``WRITE_GFS`` exists since GDAL 3.8)."""

KINDS = ("geojson", "gpkg", "shapefile", "gml", "fgdb", "fgb", "zip")
"""File types :func:`open_vector` reads (``zip``: one of the others inside a zip)."""

_DRIVER_OF = {
    "geojson": "GeoJSON",
    "gpkg": "GPKG",
    "shapefile": "ESRI Shapefile",
    "gml": "GML",
    "fgdb": "OpenFileGDB",
    "fgb": "FlatGeobuf",
}
_PREFIX_OF = {"geojson": "GeoJSON:", "gpkg": "GPKG:"}
_GPKG_APP_IDS = {b"GPKG", b"GP10", b"GP11"}
_GEOMETRY_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}
_SHP_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_XLINK = "http://www.w3.org/1999/xlink"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_XINCLUDE = "http://www.w3.org/2001/XInclude"


@dataclass(frozen=True)
class ReadLimits:
    """Bounds of one read.

    Attributes
    ----------
    max_bytes : int
        Largest file, and largest total a zip may unpack to.
    max_zip_members : int
        Files in a zip (directories and ``__MACOSX/`` entries not counted).
    max_zip_ratio : float
        Largest compression ratio of one zip member (uncompressed / compressed size).
    """

    max_bytes: int
    max_zip_members: int = 200
    max_zip_ratio: float = 200.0


CLI_LIMITS = ReadLimits(max_bytes=4 * 1024**3, max_zip_members=20_000, max_zip_ratio=1000.0)
"""Limits of files named on the command line and of catalogue sources (the user's own disk)."""


# ====================================================================== GDAL hardening


def _loaded_gdal_libraries() -> list[str]:
    """Paths of the GDAL shared libraries mapped into this process (Linux), pyogrio's first."""
    try:
        with open("/proc/self/maps") as fh:
            paths = {line.split()[-1] for line in fh if "libgdal" in line and "/" in line}
    except OSError:
        return []
    return sorted(paths, key=lambda p: "pyogrio" not in p)


def _deregister(lib_path: str, keep: frozenset[str]) -> list[str]:
    """Deregister every vector-capable driver not in ``keep`` from one loaded GDAL; return their names."""
    try:
        # RTLD_NOLOAD: only a library that is already loaded; never RTLD_GLOBAL, which would put
        # pyogrio's GDAL symbols in front of rasterio's own GDAL.
        lib = ctypes.CDLL(lib_path, mode=getattr(os, "RTLD_NOLOAD", 0) | getattr(os, "RTLD_LOCAL", 0))
    except OSError:
        return []
    lib.GDALGetDriverCount.restype = ctypes.c_int
    lib.GDALGetDriver.restype = ctypes.c_void_p
    lib.GDALGetDriver.argtypes = [ctypes.c_int]
    lib.GDALGetDriverShortName.restype = ctypes.c_char_p
    lib.GDALGetDriverShortName.argtypes = [ctypes.c_void_p]
    lib.GDALGetMetadataItem.restype = ctypes.c_char_p
    lib.GDALGetMetadataItem.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    lib.GDALDeregisterDriver.argtypes = [ctypes.c_void_p]
    drop = []
    for i in range(lib.GDALGetDriverCount()):
        h = lib.GDALGetDriver(i)
        name = (lib.GDALGetDriverShortName(h) or b"").decode()
        vector = (lib.GDALGetMetadataItem(h, b"DCAP_VECTOR", None) or b"").upper() == b"YES"
        if vector and name not in keep:
            drop.append((h, name))
    for h, _ in drop:
        lib.GDALDeregisterDriver(h)
    return [n for _, n in drop]


def harden_gdal() -> set[str]:
    """Apply :data:`GDAL_CONFIG` and :data:`ALLOWED_DRIVERS` to pyogrio's GDAL; return the drivers left.

    Idempotent. Only pyogrio's GDAL is changed (rasterio's own copy, used for trusted rasters, is
    not). On a platform where the library cannot be reached with ctypes the drivers named in
    ``GDAL_SKIP`` are still absent when this module was imported before pyogrio, and the content
    checks of :func:`open_vector` refuse VRT and other documents anyway.
    """
    pyogrio.set_gdal_config_options(GDAL_CONFIG)
    libs = _loaded_gdal_libraries()
    pyogrio_libs = [p for p in libs if "pyogrio" in p] or libs[:1]
    for path in pyogrio_libs:
        _deregister(path, ALLOWED_DRIVERS)
    try:  # PROJ must not download grids while reprojecting
        import pyproj.network

        pyproj.network.set_network_enabled(False)
    except (ImportError, AttributeError):  # pragma: no cover - old pyproj
        pass
    return set(pyogrio.list_drivers())


_REGISTERED = harden_gdal()


# ====================================================================== errors and names


def _refuse(name: str, problem: str, key: str = "broken", **details: Any) -> InputFileError:
    return InputFileError(f"{name}: {problem}", key, {"file": name, **details})


_PREFIX_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_ ]+:")


def check_path_string(path: str | os.PathLike, name: str | None = None) -> Path:
    """Refuse anything but a plain local path: ``/vsi*``, URLs and GDAL connection strings.

    >>> check_path_string("/vsicurl/http://example.org/x.csv")
    Traceback (most recent call last):
    ...
    areal.geo.errors.InputFileError: /vsicurl/http://example.org/x.csv: not a local file path (GDAL virtual file systems, URLs and connection strings are refused)
    """
    s = os.fspath(path)
    shown = name or s
    low = s.replace("\\", "/").lower()
    drive = re.match(r"^[a-z]:/", low) is not None  # C:/... on Windows
    if "/vsi" in low or "://" in low or (not drive and _PREFIX_RE.match(s)) or "\x00" in s:
        raise _refuse(
            shown,
            "not a local file path (GDAL virtual file systems, URLs and connection strings are refused)",
            "unsafe",
            code="not_local",
        )
    return Path(s)


def check_regular_file(path: Path, name: str, max_bytes: int) -> os.stat_result:
    """The file must exist, be a regular file (not a FIFO, device or socket), not empty, not too large."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise _refuse(name, "does not exist", "missing") from None
    except OSError as exc:
        raise _refuse(name, f"cannot be opened ({exc.strerror})", "broken") from None
    if stat.S_ISDIR(st.st_mode):
        raise _refuse(
            name,
            "is a folder, not a file (only a FileGDB .gdb folder is read as a folder)",
            "format",
            reason="folder",
        )
    if not stat.S_ISREG(st.st_mode):
        kind = "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
        raise _refuse(
            name,
            f"is {kind}, not a regular file; refused (reading it could hang)",
            "not_regular",
            code="not_regular",
        )
    if st.st_size == 0:
        raise EmptyLayerError(f"{name}: the file is empty (0 bytes)")
    if st.st_size > max_bytes:
        raise _refuse(
            name,
            f"{st.st_size / 1024**2:.1f} MB, more than the limit of {max_bytes / 1024**2:.0f} MB",
            "too_large",
            size_mb=st.st_size / 1024**2,
            limit_mb=max_bytes / 1024**2,
        )
    return st


def _head(path: Path, n: int = 4096) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


# ====================================================================== type from content


def sniff(path: Path, name: str | None = None) -> str:
    """The verified type of a file or folder: one of :data:`KINDS` (or ``"sosi"``, ``"csv"``).

    Decided from the content; the file name only picks between equally valid readings.

    Raises
    ------
    InputFileError
        Naming what the content looks like when it is none of the supported types.
    """
    name = name or str(path)
    if path.is_dir():
        if path.suffix.lower() == ".gdb" and any(path.glob("a00000001.gdbtable")):
            return "fgdb"
        raise _refuse(
            name,
            "is a folder, not a file (only a FileGDB .gdb folder is read as a folder)",
            "format",
            reason="folder",
        )
    head = _head(path)
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if head[:4] == b"\x00\x00\x27\x0a":
        if path.suffix.lower() == ".shx":
            raise _refuse(name, "is a Shapefile index (.shx); open the .shp", "format", code="shp_part")
        return "shapefile"
    if head[:4] == b"fgb\x03":
        return "fgb"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"["):
        return "geojson"
    if text[:1] == b"<":
        return "gml"
    if text[:5] == b".HODE":
        return "sosi"
    if path.suffix.lower() == ".dbf":
        raise _refuse(name, "is a Shapefile attribute table (.dbf); open the .shp", "format", code="shp_part")
    looks = "binary data" if b"\x00" in head[:512] else "text that is neither JSON nor XML"
    raise _refuse(
        name,
        f"unsupported file type ({looks}); give a GeoJSON, GeoPackage, zipped Shapefile, GML or FileGDB",
        "format",
    )


# ====================================================================== CRS resolution

_EPSG_PATTERNS = (
    re.compile(r"^EPSG:{1,2}(\d+)$", re.I),
    re.compile(r"^urn:ogc:def:crs:EPSG:[\d.]*:(\d+)$", re.I),
    re.compile(r"^urn:x-ogc:def:crs:EPSG:[\d.]*:(\d+)$", re.I),
    re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/[\d.]+/(\d+)$", re.I),
    re.compile(r"^https?://www\.opengis\.net/gml/srs/epsg\.xml#(\d+)$", re.I),
)
_CRS84 = re.compile(
    r"^(urn:ogc:def:crs:OGC:1\.3:CRS84|https?://www\.opengis\.net/def/crs/OGC/1\.3/CRS84|OGC:CRS84)$", re.I
)


def crs_from_name(value: Any, name: str) -> CRS:
    """A CRS from a name that is an EPSG code or CRS84; anything else is refused, nothing is fetched.

    Accepted forms: ``EPSG:25833``, ``urn:ogc:def:crs:EPSG::25833``, the opengis.net URL form.

    >>> crs_from_name("urn:ogc:def:crs:EPSG::25833", "x").to_epsg()
    25833
    """
    s = str(value).strip()
    if _CRS84.match(s):
        return CRS.from_user_input("OGC:CRS84")
    for pat in _EPSG_PATTERNS:
        m = pat.match(s)
        if m:
            return _epsg(int(m.group(1)), name)
    raise _refuse(
        name,
        f"the CRS {s[:80]!r} is not an EPSG code; give it as 'EPSG:25833' or 'urn:ogc:def:crs:EPSG::25833' "
        "(a CRS given by a link or a file is never fetched)",
        "crs",
        crs=s[:80],
    )


def _epsg(code: int, name: str) -> CRS:
    try:
        return CRS.from_epsg(code)
    except CRSError:
        raise _refuse(
            name, f"EPSG:{code} is not a known coordinate reference system", "crs", crs=f"EPSG:{code}"
        ) from None


def _crs_from_wkt(wkt: str, name: str, where: str) -> CRS:
    """A CRS from embedded WKT, accepted only when PROJ identifies it as an EPSG CRS (offline)."""
    try:
        crs = CRS.from_wkt(wkt)
    except CRSError:
        raise _refuse(name, f"the CRS in {where} cannot be parsed", "crs", crs=where) from None
    code = crs.to_epsg(min_confidence=70)
    if code is None:
        raise _refuse(
            name,
            f"the CRS in {where} ({crs.name}) is not one this program can identify as an EPSG code; "
            "re-export the file in EPSG:25833 (or EPSG:4326)",
            "crs",
            crs=crs.name,
        )
    return _epsg(code, name)


# ====================================================================== GeoJSON


def _no_constants(value: str):
    raise ValueError(f"{value} is not a number JSON allows")


class _NonFinite(ValueError):
    pass


def _finite_float(text: str) -> float:
    v = float(text)
    if not math.isfinite(v):
        raise _NonFinite(f"the number {text[:40]} is not finite (out of range)")
    return v


def _walk_crs(obj: Any, found: list, depth: int = 0) -> None:
    """Collect and remove ``crs`` members below the top level (features, geometries)."""
    if depth > 64:
        return
    if isinstance(obj, dict):
        if "crs" in obj:
            found.append(obj.pop("crs"))
        for k in ("features", "geometry", "geometries"):
            v = obj.get(k)
            if isinstance(v, list):
                for item in v:
                    _walk_crs(item, found, depth + 1)
            elif isinstance(v, dict):
                _walk_crs(v, found, depth + 1)


def _geojson_crs(member: Any, name: str) -> CRS:
    if not isinstance(member, dict):
        raise _refuse(
            name,
            "the GeoJSON 'crs' member is not an object",
            "crs",
            crs=str(member)[:40],
            code="crs_not_epsg",
        )
    kind = str(member.get("type", "")).lower()
    raw_props = member.get("properties")
    props: dict = raw_props if isinstance(raw_props, dict) else {}
    if kind == "name":
        return crs_from_name(props.get("name", ""), name)
    if kind == "epsg" and "code" in props:
        try:
            return _epsg(int(props["code"]), name)
        except (TypeError, ValueError):
            pass
    if kind == "link":
        raise _refuse(
            name,
            "the GeoJSON CRS is a link; links are never fetched: name the CRS as "
            '{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25833"}}',
            "crs",
            crs="link",
        )
    raise _refuse(name, f"the GeoJSON CRS of type {kind or '(none)'!r} is not supported", "crs", crs=kind)


def _check_geojson_object(doc: dict, name: str) -> None:
    kind = doc.get("type")
    if kind == "FeatureCollection":
        feats = doc.get("features")
        if not isinstance(feats, list):
            raise _refuse(name, "a FeatureCollection without a 'features' list", "broken", code="not_geojson")
        bad = next(
            (i for i, f in enumerate(feats) if not isinstance(f, dict) or f.get("type") != "Feature"), None
        )
        if bad is not None:
            raise _refuse(
                name, f"feature {bad} is not a GeoJSON Feature object", "broken", code="not_geojson"
            )
        if not feats:
            raise EmptyLayerError(f"{name}: the FeatureCollection holds no features")
    elif kind != "Feature" and kind not in _GEOMETRY_TYPES:
        shown = str(kind)[:40] if kind is not None else "no 'type'"
        raise _refuse(
            name, f"JSON but not GeoJSON ({shown}); give a FeatureCollection, Feature or geometry", "format"
        )


def _prepare_geojson(path: Path, name: str, tmp: Path, max_bytes: int) -> tuple[Path, CRS | None]:
    """Parse and check a GeoJSON; return the file GDAL reads (without any ``crs``) and the CRS."""
    raw = path.read_bytes()
    if len(raw) > max_bytes:
        raise _refuse(name, f"{len(raw) / 1024**2:.1f} MB, more than the limit", "too_large")
    try:
        doc = json.loads(raw.decode("utf-8-sig"), parse_constant=_no_constants, parse_float=_finite_float)
    except UnicodeDecodeError as exc:
        raise _refuse(
            name,
            f"cannot be read (not UTF-8 text at byte {exc.start}; GeoJSON must be UTF-8)",
            "broken",
            code="not_utf8",
        ) from None
    except _NonFinite as exc:
        raise _refuse(
            name, f"holds coordinates that are not finite numbers ({exc})", "non_finite", code="non_finite"
        ) from None
    except RecursionError:
        raise _refuse(name, "cannot be read (JSON nested too deeply)", "broken", code="not_json") from None
    except ValueError as exc:
        raise _refuse(name, f"cannot be read (not valid JSON: {exc})", "broken", code="not_json") from None
    if not isinstance(doc, dict):
        raise _refuse(
            name, "JSON but not GeoJSON (the top level is not an object)", "format", code="not_geojson"
        )
    if (
        "type" not in doc
        and doc
        and all(isinstance(v, dict) and v.get("type") == "FeatureCollection" for v in doc.values())
    ):
        # Kartverket's multi-layer GeoJSON: {"Fylke": {FeatureCollection}, "Grense": {...}}
        collections = list(doc.values())
    else:
        collections = [doc]
    crs: CRS | None = None
    changed = False
    for coll in collections:
        _check_geojson_object(coll, name)
        top = coll.pop("crs", None)
        nested: list = []
        _walk_crs(coll, nested)
        changed = changed or top is not None or bool(nested)
        here = _geojson_crs(top, name) if top is not None else CRS.from_epsg(4326)
        for member in nested:
            if not _geojson_crs(member, name).equals(here):
                raise _refuse(
                    name,
                    "features declare different CRSs; give one CRS for the whole file",
                    "crs",
                    code="crs_mixed",
                )
        if crs is not None and not here.equals(crs):
            raise _refuse(
                name,
                "the layers declare different CRSs; give one CRS for the whole file",
                "crs",
                code="crs_mixed",
            )
        crs = here
    sub = tmp / "checked"  # the layer name is the file's stem: keep it, in a folder of its own
    sub.mkdir(exist_ok=True)
    out = sub / (_safe_stem(path.stem) + ".geojson")
    if not changed:
        shutil.copyfile(path, out)  # nothing to take out: GDAL reads the bytes as checked
    else:
        out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return out, crs


# ====================================================================== GeoPackage


def _gpkg_check(path: Path, name: str) -> sqlite3.Connection:
    head = _head(path, 100)
    if len(head) < 100:
        raise _refuse(name, "cannot be read (a truncated SQLite file)", "broken", code="gpkg_broken")
    app_id = head[68:72]
    if app_id not in _GPKG_APP_IDS and app_id != b"\x00\x00\x00\x00":
        raise _refuse(
            name,
            f"an SQLite database but not a GeoPackage (application_id {app_id!r})",
            "format",
            code="not_gpkg",
        )
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True)
        con.execute("PRAGMA trusted_schema=OFF")
        rows = con.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    except sqlite3.DatabaseError as exc:
        raise _refuse(
            name, f"cannot be read (not a readable GeoPackage: {exc})", "broken", code="gpkg_broken"
        ) from None
    for kind, tname, sql in rows:
        text = (sql or "").upper()
        if kind == "table" and text.startswith("CREATE VIRTUAL TABLE") and " USING RTREE" not in text:
            con.close()
            raise _refuse(
                name,
                f"the GeoPackage holds a virtual table ({tname}), which could read other files; refused",
                "unsafe",
                code="gpkg_virtual",
            )
    if not any(t == "table" and n == "gpkg_contents" for t, n, _ in rows):
        con.close()
        raise _refuse(
            name, "an SQLite database without gpkg_contents (not a GeoPackage)", "format", code="not_gpkg"
        )
    return con


def _gpkg_layers(con: sqlite3.Connection, name: str) -> tuple[list[str], list[str]]:
    try:
        rows = con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall()
    except sqlite3.DatabaseError as exc:
        raise _refuse(
            name, f"cannot be read (broken gpkg_contents table: {exc})", "broken", code="gpkg_broken"
        ) from None
    spatial = [str(t) for t, d in rows if str(d).lower() == "features"]
    other = [str(t) for t, d in rows if str(d).lower() != "features"]
    return spatial, other


def _gpkg_crs(con: sqlite3.Connection, layer: str, name: str) -> CRS | None:
    try:
        row = con.execute(
            "SELECT s.srs_id, s.organization, s.organization_coordsys_id, s.definition "
            "FROM gpkg_geometry_columns c JOIN gpkg_spatial_ref_sys s ON c.srs_id = s.srs_id "
            "WHERE lower(c.table_name) = lower(?)",
            (layer,),
        ).fetchone()
    except sqlite3.DatabaseError as exc:
        raise _refuse(
            name, f"cannot be read (broken gpkg_spatial_ref_sys table: {exc})", "broken", code="gpkg_broken"
        ) from None
    if row is None:
        return None
    srs_id, org, code, definition = row
    if srs_id in (0, -1) or str(definition or "").strip().lower() in ("", "undefined"):
        return None
    if str(org or "").upper() == "EPSG" and code is not None:
        try:
            return _epsg(int(code), name)
        except (TypeError, ValueError):
            pass
    return _crs_from_wkt(str(definition), name, f"layer {layer!r}")


# ====================================================================== GML (XML)


class _XMLRefused(Exception):
    pass


def _local_reference(value: str) -> bool:
    """True for a reference GDAL would resolve on the local disk (a path, ``file:``, ``/vsi``)."""
    v = value.strip()
    if not v or v.startswith("#"):
        return False
    low = v.lower()
    if low.startswith(("http://", "https://", "urn:")):
        return False
    return True


def _check_gml(path: Path, name: str) -> set[str]:
    """Stream-parse an XML file: refuse DTDs/entities/XInclude/local references; return its srsNames."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    state: dict[str, Any] = {"root": None, "srs": set()}

    def doctype(*_a):
        raise _XMLRefused("the document has a DOCTYPE (DTD); DTDs and entities are refused")

    def entity(*_a):
        raise _XMLRefused("the document declares XML entities; refused")

    def external(*_a):
        raise _XMLRefused("the document references an external entity; refused")

    def start(tag: str, attrs: dict[str, str]) -> None:
        ns, _, local = tag.rpartition(" ")
        if state["root"] is None:
            state["root"] = (ns, local)
            if local != "FeatureCollection" and "opengis.net/gml" not in ns:
                shown = local if not ns else f"{local} ({ns})"
                raise _XMLRefused(f"XML whose root element is {shown[:80]}, not a GML feature collection")
        if ns == _XINCLUDE:
            raise _XMLRefused("the document uses XInclude; refused")
        for key, value in attrs.items():
            ans, _, alocal = key.rpartition(" ")
            if ans == _XLINK and alocal == "href" and _local_reference(value):
                raise _XMLRefused(f"xlink:href {value[:80]!r} names a local file; refused")
            if ans == _XSI and alocal in ("schemaLocation", "noNamespaceSchemaLocation"):
                parts = value.split()
                locs = parts[1::2] if alocal == "schemaLocation" else parts
                for loc in locs:
                    plain = (
                        "/" not in loc and "\\" not in loc and loc.lower().endswith(".xsd") and ":" not in loc
                    )
                    if _local_reference(loc) and not plain:
                        raise _XMLRefused(f"schemaLocation {loc[:80]!r} names a local file; refused")
            if alocal == "srsName" and len(state["srs"]) < 50:
                state["srs"].add(value.strip())

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    parser.StartElementHandler = start
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                parser.Parse(block, False)
            parser.Parse(b"", True)
    except _XMLRefused as exc:
        raise _refuse(name, str(exc), "unsafe" if "refused" in str(exc) else "format") from None
    except xml.parsers.expat.ExpatError as exc:
        raise _refuse(
            name,
            f"not well-formed XML ({xml.parsers.expat.errors.messages.get(exc.code, exc)}, line {exc.lineno})",
            "broken",
        ) from None
    if state["root"] is None:
        raise _refuse(name, "cannot be read (an XML document without elements)", "broken", code="xml_broken")
    return state["srs"]


def _gml_crs(srs: set[str], name: str) -> CRS | None:
    if not srs:
        return None
    crss = [crs_from_name(s, name) for s in sorted(srs)]
    first = crss[0]
    for other in crss[1:]:
        if not other.equals(first):
            raise _refuse(
                name, f"the GML mixes coordinate systems ({', '.join(sorted(srs))[:120]}); give one", "crs"
            )
    return first


# ====================================================================== Shapefile


def _shapefile_parts(shp: Path, name: str) -> dict[str, Path]:
    parts = {".shp": shp}
    for p in shp.parent.glob(_glob_escape(shp.stem) + ".*"):
        suf = p.suffix.lower()
        if p.stem == shp.stem and suf in _SHP_PARTS and suf != ".shp":
            parts[suf] = p
    if ".shx" not in parts:
        raise _refuse(name, "the Shapefile lacks its .shx part", "broken", code="shx_missing")
    shx_head = _head(parts[".shx"], 4)
    if shx_head != b"\x00\x00\x27\x0a":
        raise _refuse(
            name, "the Shapefile's .shx part is not a Shapefile index", "broken", code="shx_missing"
        )
    if ".dbf" in parts:
        v = _head(parts[".dbf"], 1)
        if not v or v[0] not in (
            0x02,
            0x03,
            0x04,
            0x05,
            0x30,
            0x31,
            0x32,
            0x43,
            0x63,
            0x83,
            0x8B,
            0x8E,
            0xCB,
            0xF5,
            0xFB,
        ):
            raise _refuse(name, "the Shapefile's .dbf part is not a dBASE table", "broken", code="dbf_broken")
    return parts


def _glob_escape(s: str) -> str:
    return re.sub(r"([*?\[\]])", r"[\1]", s)


def _shapefile_crs(parts: dict[str, Path], name: str) -> CRS | None:
    prj = parts.get(".prj")
    if prj is None:
        return None
    if prj.stat().st_size > 64 * 1024:
        raise _refuse(
            name, "the .prj part is larger than 64 KB; not a CRS definition", "crs", code="prj_not_wkt"
        )
    text = prj.read_bytes().decode("latin-1").strip()
    if not text:
        return None
    if not re.match(
        r"^(PROJCS|GEOGCS|PROJCRS|GEOGCRS|COMPD_CS|COMPOUNDCRS|PROJECTEDCRS|GEODCRS)\s*\[", text, re.I
    ):
        raise _refuse(name, "the .prj part is not WKT; refused", "crs", crs=text[:40], code="prj_not_wkt")
    return _crs_from_wkt(text, name, "the .prj part")


# ====================================================================== zip


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _safe_stem(stem: str) -> str:
    s = re.sub(r"[^\w\-]", "_", stem)[:80].lstrip(".")
    return s or "data"


@dataclass
class _Dataset:
    kind: str
    label: str
    members: list[zipfile.ZipInfo]


def _zip_datasets(infos: list[zipfile.ZipInfo]) -> list[_Dataset]:
    gdbs: dict[str, list[zipfile.ZipInfo]] = {}
    shps: dict[str, dict[str, zipfile.ZipInfo]] = {}
    single: list[_Dataset] = []
    for info in infos:
        p = PurePosixPath(info.filename)
        low = info.filename.lower()
        if ".gdb/" in low:
            root = info.filename[: low.index(".gdb/") + 4]
            gdbs.setdefault(root, []).append(info)
            continue
        suf = p.suffix.lower()
        if suf in _SHP_PARTS:
            shps.setdefault(str(p.with_suffix("")), {})[suf] = info
        elif suf in (".geojson", ".json"):
            single.append(_Dataset("geojson", p.name, [info]))
        elif suf == ".gpkg":
            single.append(_Dataset("gpkg", p.name, [info]))
        elif suf == ".gml":
            single.append(_Dataset("gml", p.name, [info]))
        elif suf == ".fgb":
            single.append(_Dataset("fgb", p.name, [info]))
    out = [
        _Dataset("shapefile", PurePosixPath(stem).name + ".shp", list(parts.values()))
        for stem, parts in shps.items()
        if ".shp" in parts
    ]
    out += [_Dataset("fgdb", PurePosixPath(root).name, members) for root, members in gdbs.items()]
    return out + single


def _extract_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, budget: list[int], name: str
) -> None:
    """Stream one member to ``dest``, stopping as soon as it exceeds its declared size or the budget."""
    written = 0
    try:
        with zf.open(info) as src, open(dest, "wb") as out:
            for block in iter(lambda: src.read(1 << 20), b""):
                written += len(block)
                budget[0] -= len(block)
                if written > info.file_size or budget[0] < 0:
                    raise _refuse(
                        name,
                        f"{info.filename[:80]} unpacks to more than its declared or allowed size (zip bomb?); refused",
                        "too_large",
                        code="zip_bomb",
                    )
                out.write(block)
    except zipfile.BadZipFile as exc:
        raise _refuse(name, f"the zip is damaged ({exc})", "broken", code="zip_damaged") from None
    except (EOFError, zlib.error) as exc:
        raise _refuse(
            name,
            f"the zip is truncated or damaged ({exc or type(exc).__name__})",
            "broken",
            code="zip_damaged",
        ) from None
    except NotImplementedError as exc:
        raise _refuse(
            name, f"the zip uses an unsupported feature ({exc})", "broken", code="zip_method"
        ) from None


def _unzip(
    path: Path, name: str, tmp: Path, limits: ReadLimits, layer: str | None
) -> tuple[Path, str, str | None]:
    """Check a zip and extract the one dataset in it; return (path, kind, layer left to choose)."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise _refuse(name, f"not a readable zip file ({exc})", "broken", code="zip_damaged") from None
    except (OSError, EOFError, ValueError) as exc:
        raise _refuse(name, f"not a readable zip file ({exc})", "broken", code="zip_damaged") from None
    with zf:
        infos = [
            i
            for i in zf.infolist()
            if not i.is_dir()
            and not i.filename.startswith("__MACOSX/")
            and PurePosixPath(i.filename).name != ".DS_Store"
        ]
        if not infos:
            raise _refuse(name, "the zip is empty", "empty", code="zip_empty")
        if len(infos) > limits.max_zip_members:
            raise _refuse(
                name,
                f"the zip holds {len(infos)} files (at most {limits.max_zip_members})",
                "too_large",
                code="zip_members",
            )
        total = 0
        for info in infos:
            fname = info.filename  # never used as a path: members are written under sanitised names
            if _is_symlink(info):
                raise _refuse(
                    name,
                    f"the zip holds a symbolic link ({fname[:80]}); refused",
                    "unsafe",
                    code="zip_symlink",
                )
            if info.flag_bits & 0x1:
                raise _refuse(
                    name, "the zip is password-protected (encrypted)", "broken", code="zip_encrypted"
                )
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _refuse(
                    name,
                    f"the zip uses compression method {info.compress_type}; only stored and deflate are supported",
                    "broken",
                    code="zip_method",
                )
            if fname.lower().endswith(".zip"):
                raise _refuse(name, "the zip holds another zip; unpack it first", "format", code="zip_nested")
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 1024**2 and ratio > limits.max_zip_ratio:
                raise _refuse(
                    name,
                    f"{fname[:80]} is compressed {ratio:.0f}:1 (more than {limits.max_zip_ratio:.0f}:1; zip bomb?); refused",
                    "too_large",
                    code="zip_bomb",
                )
            total += info.file_size
        if total > limits.max_bytes:
            raise _refuse(
                name,
                f"the zip unpacks to {total / 1024**2:.1f} MB, more than the limit of {limits.max_bytes / 1024**2:.0f} MB",
                "too_large",
                code="zip_bomb",
                size_mb=total / 1024**2,
                limit_mb=limits.max_bytes / 1024**2,
            )
        datasets = _zip_datasets(infos)
        if not datasets:
            raise _refuse(
                name,
                "the zip holds no Shapefile (.shp), GeoPackage, GeoJSON, GML or FileGDB",
                "format",
                code="zip_no_data",
            )
        if len(datasets) > 1:
            chosen = [
                d for d in datasets if layer is not None and layer in (d.label, PurePosixPath(d.label).stem)
            ]
            if len(chosen) != 1:
                listed = ", ".join(d.label for d in datasets[:10])
                what = "shapefiles" if all(d.kind == "shapefile" for d in datasets) else "datasets"
                raise InputFileError(
                    f"{name}: the zip holds {len(datasets)} {what} ({listed}); choose one (--layer NAME) "
                    "or zip only one",
                    "ambiguous",
                    {"file": name, "layers": listed, "n": len(datasets)},
                )
            datasets = chosen
            layer = None
        ds = datasets[0]
        budget = [limits.max_bytes]
        if ds.kind == "fgdb":
            out = tmp / (_safe_stem(PurePosixPath(ds.label).stem) + ".gdb")
            out.mkdir()
            for info in ds.members:
                base = PurePosixPath(info.filename).name
                if not base:
                    continue
                _extract_member(zf, info, out / re.sub(r"[^\w.\-]", "_", base), budget, name)
            return out, "fgdb", layer
        stem = _safe_stem(PurePosixPath(ds.label).stem)
        main_file: Path | None = None
        for info in ds.members:
            suf = PurePosixPath(info.filename).suffix.lower()
            target = tmp / f"{stem}{suf}"
            _extract_member(zf, info, target, budget, name)
            if ds.kind != "shapefile" or suf == ".shp":
                main_file = target
        if ds.kind == "shapefile" and not (tmp / f"{stem}.shx").exists():
            raise _refuse(name, "the Shapefile in the zip lacks its .shx part", "broken", code="shx_missing")
        if main_file is None:
            raise _refuse(name, "the zip holds no file to read", "broken", code="zip_empty")
        return main_file, ds.kind, layer


# ====================================================================== reading


def _clean_message(msg: object, *paths: Path | str) -> str:
    out = str(msg)
    for p in sorted({str(p) for p in paths if p}, key=len, reverse=True):
        out = out.replace(p, "")
    out = re.sub(r"(GeoJSON|GPKG):", "", out)
    return re.sub(r"\s+", " ", out).strip(" :")[:300]


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    # GDAL warnings name temporary paths; the error that follows (if any) says what matters.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _choose_layer(
    target: str,
    kind: str,
    layer: str | None,
    family: str | None,
    name: str,
    pick: str,
    spatial: list[str] | None = None,
) -> str | None:
    try:
        with _quiet():
            listed = [(str(n), str(t)) for n, t in pyogrio.list_layers(target)]
    except Exception as exc:  # noqa: BLE001 - pyogrio raises several types for unreadable files
        raise _refuse(
            name, f"cannot be read ({_clean_message(exc, target)})", "broken", code="gdal"
        ) from None
    names = [n for n, _ in listed]
    if layer is not None:
        if layer not in names:
            raise InputFileError(
                f"layer {layer!r} not found in {name}; layers in the file are: {', '.join(names) or '(none)'}",
                "ambiguous",
                {"file": name, "layers": ", ".join(names), "n": len(names)},
            )
        return layer
    geo = [(n, t) for n, t in listed if t not in ("None", "")]
    if spatial is not None:  # a GeoPackage says itself which tables are feature tables
        geo = [(n, t) for n, t in geo if n in spatial]
    if not geo:
        raise InputFileError(
            f"{name}: holds no layer with geometries"
            + (f" (only attribute tables: {', '.join(names)})" if names else ""),
            "empty",
            {"file": name},
        )
    if len(geo) == 1:
        return geo[0][0]
    want = {
        "polygon": ("Polygon", "MultiPolygon", "3D Polygon", "3D MultiPolygon"),
        "line": ("LineString", "MultiLineString", "3D LineString", "3D MultiLineString"),
        "point": ("Point", "MultiPoint", "3D Point", "3D MultiPoint"),
    }
    if family in want:
        fit = [n for n, t in geo if t in want[family]]
        if len(fit) == 1:
            return fit[0]
    if pick == "first":
        return geo[0][0]
    listed_s = ", ".join(n for n, _ in geo[:12])
    raise InputFileError(
        f"{name}: holds {len(geo)} layers ({listed_s}); choose one (--layer NAME)",
        "ambiguous",
        {"file": name, "layers": listed_s, "n": len(geo)},
    )


def _resolved_crs_of(target: str, layer: str | None, name: str) -> CRS | None:
    """For FileGDB/FlatGeobuf: the CRS GDAL read from the embedded WKT, identified offline."""
    with _quiet():
        info = pyogrio.read_info(target, layer=layer)
    crs = info.get("crs")
    if not crs:
        return None
    m = re.match(r"^EPSG:(\d+)$", str(crs))
    if m:
        return _epsg(int(m.group(1)), name)
    return _crs_from_wkt(str(crs), name, f"layer {layer!r}" if layer else "the file")


def open_vector(
    path: str | os.PathLike,
    *,
    layer: str | None = None,
    family: str | None = None,
    name: str | None = None,
    limits: ReadLimits = CLI_LIMITS,
    pick: str = "refuse",
    columns: list[str] | None = None,
    read_geometry: bool = True,
    kinds: frozenset[str] | set[str] | None = None,
) -> gpd.GeoDataFrame:
    """Read a vector file after verifying its type, with one driver and no network; see the module doc.

    Parameters
    ----------
    path : path-like
        A local file (or a ``.gdb`` folder, or a zip holding one dataset).
    layer : str, optional
        Layer inside a multi-layer file (or dataset inside a zip: its file name or stem).
    family : {"polygon", "line", "point"}, optional
        When the file has several layers and ``layer`` is None, the one layer of this geometry
        family is taken; several such layers are refused with their names.
    name : str, optional
        How the file is named in messages (uploads pass the sanitised upload name).
    limits : ReadLimits
        Byte and zip limits.
    pick : {"refuse", "first"}
        With several candidate layers: refuse listing them (user input) or take the first
        (catalogue sources, whose declaration names the layer when it matters).
    columns, read_geometry
        Passed to pyogrio.
    kinds : set of str, optional
        Verified types accepted (after unzipping); others are refused as unsupported.

    Returns
    -------
    GeoDataFrame
        With ``attrs["input"] = {"format", "layer", "driver"}``. The CRS is the one resolved here
        (None when the file declares none).

    Raises
    ------
    InputFileError
        Unsafe, unsupported, damaged or ambiguous input; the message names the file and problem.
    EmptyLayerError
        An empty file or feature collection.
    """
    p = check_path_string(path, name)
    name = name or str(p)
    is_gdb_dir = p.is_dir() and p.suffix.lower() == ".gdb"
    if not is_gdb_dir:
        check_regular_file(p, name, limits.max_bytes)
    kind = sniff(p, name)
    _check_kind(kind, kinds, name)
    if kind in _READERS_BY_KIND:
        return _READERS_BY_KIND[kind](p, name, layer or family)
    if kind not in KINDS:
        raise _refuse(
            name,
            f"{kind.upper()} files are not read here; give a GeoJSON, GeoPackage, Shapefile, GML or FileGDB",
            "format",
        )
    with tempfile.TemporaryDirectory(prefix="areal-read-") as tmpdir:
        tmp = Path(tmpdir)
        src = p
        if kind == "zip":
            src, kind, layer = _unzip(p, name, tmp, limits, layer)
            _check_kind(kind, kinds, name)
            if kind in _READERS_BY_KIND:
                return _READERS_BY_KIND[kind](src, name, layer or family)
        return _read_checked(src, kind, name, tmp, limits, layer, family, pick, columns, read_geometry)


def _check_kind(kind: str, kinds, name: str) -> None:
    if kinds is None or kind in kinds or (kind == "zip" and kinds):
        return
    if kind == "shapefile" and "shapefile" in kinds:
        return
    labels = {
        "gml": "XML/GML",
        "gpkg": "GeoPackage",
        "geojson": "GeoJSON",
        "fgdb": "FileGDB",
        "fgb": "FlatGeobuf",
    }
    allowed = ", ".join(labels.get(k, k) for k in sorted(kinds))
    raise _refuse(
        name,
        f"unsupported file type ({labels.get(kind, kind)}); accepted here: {allowed}",
        "format",
        code="kind",
    )


def _read_checked(
    src: Path,
    kind: str,
    name: str,
    tmp: Path,
    limits: ReadLimits,
    layer: str | None,
    family: str | None,
    pick: str,
    columns: list[str] | None,
    read_geometry: bool,
) -> gpd.GeoDataFrame:
    crs: CRS | None = None
    opts: dict[str, str] = {}
    spatial = None
    con = None
    if kind == "geojson":
        src, crs = _prepare_geojson(src, name, tmp, limits.max_bytes)
    elif kind == "gpkg":
        con = _gpkg_check(src, name)
        spatial, _ = _gpkg_layers(con, name)
    elif kind == "shapefile":
        parts = _shapefile_parts(src, name)
        crs = _shapefile_crs(parts, name)
    elif kind == "gml":
        crs = _gml_crs(_check_gml(src, name), name)
        opts = dict(GML_OPEN_OPTIONS)
        # GDAL writes a .gfs schema next to a GML it lists (pyogrio's list_layers takes no open
        # options, so WRITE_GFS=NO cannot reach it): read a copy in the temporary folder instead.
        if src.parent != tmp:
            (tmp / "checked").mkdir(exist_ok=True)
            copy = tmp / "checked" / (_safe_stem(src.stem) + ".gml")
            shutil.copyfile(src, copy)
            src = copy
    target = _PREFIX_OF.get(kind, "") + str(src)
    try:
        layer = _choose_layer(target, kind, layer, family, name, pick, spatial)
        if kind == "gpkg" and con is not None and layer is not None:
            crs = _gpkg_crs(con, layer, name)
        with _quiet():
            info = pyogrio.read_info(target, layer=layer, **opts)
        if info.get("driver") != _DRIVER_OF[kind]:
            raise _refuse(
                name,
                f"read as {info.get('driver')}, not as {_DRIVER_OF[kind]}; refused",
                "unsafe",
                code="driver",
            )
        if kind in ("fgdb", "fgb"):
            crs = _resolved_crs_of(target, layer, name)
        try:
            with _quiet():
                gdf = pyogrio.read_dataframe(
                    target, layer=layer, columns=columns, read_geometry=read_geometry, **opts
                )
        except InputFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - pyogrio/GDAL raise several types for unreadable files
            raise _refuse(
                name, f"cannot be read ({_clean_message(exc, target, src, tmp)})", "broken", code="gdal"
            ) from None
    finally:
        if con is not None:
            con.close()
    if not isinstance(gdf, gpd.GeoDataFrame):
        gdf = gpd.GeoDataFrame(gdf)
    elif read_geometry:
        gdf = (
            gdf.set_crs(crs, allow_override=True)
            if crs is not None
            else gdf.set_crs(None, allow_override=True)
        )
        check_finite(gdf, name)
    gdf.attrs["input"] = {"format": kind, "layer": layer, "driver": _DRIVER_OF[kind]}
    return gdf


def check_finite(gdf: gpd.GeoDataFrame, name: str) -> None:
    """Refuse geometries with infinite or NaN coordinates (GDAL reads ``1e999`` as infinity)."""
    geoms = np.asarray(gdf.geometry.values)
    if not len(geoms):
        return
    coords = shapely.get_coordinates(geoms)
    if len(coords) and not np.isfinite(coords).all():
        bad = int((~np.isfinite(coords)).any(axis=1).sum())
        raise InputFileError(
            f"{name}: {bad} coordinate(s) are not finite numbers (infinite or NaN)",
            "non_finite",
            {"file": name, "n": bad},
        )


_READERS_BY_KIND: dict[str, Callable[[Path, str, str | None], gpd.GeoDataFrame]] = {}


def register_kind(kind: str, reader: Callable[[Path, str, str | None], gpd.GeoDataFrame]) -> None:
    """Let a format this module does not read itself (e.g. ``"sosi"``) go through :func:`open_vector`.

    ``reader(path, name, layer)`` is called after the path, file and content checks; ``layer``
    is the layer asked for, else the geometry family asked for (``"polygon"``, ``"line"``,
    ``"point"``), else None.
    """
    _READERS_BY_KIND[kind] = reader


def _sosi_reader(path: Path, name: str, layer: str | None) -> gpd.GeoDataFrame:
    # imported on first use: areal.layers.sosi imports this module (and re-registers itself)
    from areal.layers import sosi

    return sosi._safe_reader(path, name, layer)


register_kind("sosi", _sosi_reader)
