"""Download catalogue layers from the official open services (``areal fetch``).

Every layer that can be fetched declares its service in the catalogue (:class:`areal.layers._base.Fetch`:
service, URL, format, target, manual alternative, and ``method`` = the protocol below). A fetch is::

    download (resumable, into ``<name>.part``, then os.replace) -> checksum -> manifest
    -> post-process into the path the catalogue's source patterns expect (atomic)

All network traffic goes through ONE function, the *transport* (``Request -> Response``), so tests
replay recorded responses without a network and live runs use :func:`urllib_transport`.
Downloads are kept in ``<data dir>/downloads/`` (so a second fetch can resume or skip them); the
manifest ``<data dir>/fetch-manifest.json`` records url, sha256, bytes, date, licence and attribution.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import socket
import tempfile
import tomllib
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
import shapely.geometry
from areal.geo.crs import WORKING_CRS
from areal.geo.errors import FetchError, LayerReadError, UnknownNameError, unknown_name
from areal.geo.notes import Note, register
from areal.layers import registry, settings
from areal.layers._base import Fetch, LayerSpec
from areal.layers.export import write_frame

MANIFEST = "fetch-manifest.json"
DOWNLOADS = "downloads"
CONFIG = "fetch.toml"
USER_AGENT = "areal/0.1 (Arealkart Trøndelag; +https://github.com/)"
CHUNK = 1 << 16

# ---------------------------------------------------------------- notes (structured; English here)

#: What a fetch notes about a layer (:attr:`FetchResult.notes`): code -> English sentence. The apps
#: render the same codes in the user's language (:mod:`areal.apps.fetch_text`).
FETCH_NOTES: dict[str, str | Callable[[Mapping[str, Any]], str]] = {
    "fetch.permits_without_site": "{n} permit row(s) without a site (empty LOK_NR) left out",
    "fetch.pages": "{pages} page(s) from collection {collection}",
    "fetch.tiles": "{tiles} tile(s) at {resolution:g} m",
    "fetch.order_checks": "order {order}: {checks} status check(s)",
    "fetch.farmland_from": lambda v: (
        f"farmland from {v['source']} ({v['publisher']}, 1:{format(v['scale'], ',').replace(',', ' ')})"
    ),
    "fetch.source_not_fetched": "{source} not fetched: {error}",
    "fetch.unverified": "unverified fetcher: {what}; check the result",
}
#: The labels of the progress bars (:func:`download`'s ``label``): code -> English.
FETCH_LABELS = {
    "fetch.label.page": "{layer} page {page}",
    "fetch.label.tile": "DTM tile {tile}",
    "fetch.label.order": "order",
    "fetch.label.order_status": "order status",
    "fetch.label.dataset": "{dataset}",
    "fetch.label.area": "{layer} {area}",
}
for _code, _text in {**FETCH_NOTES, **FETCH_LABELS}.items():
    register(_code, _text)


# ---------------------------------------------------------------- transport


@dataclass(frozen=True)
class Request:
    """One HTTP request as the fetchers see it."""

    url: str
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)
    data: bytes | None = None
    timeout: float = 10.0


class Response(Protocol):
    """What a transport returns: a readable, closable body with a status and headers."""

    status: int
    headers: Mapping[str, str]

    def read(self, n: int = -1) -> bytes: ...  # noqa: D102

    def close(self) -> None: ...  # noqa: D102


Transport = Callable[[Request], Response]


class _UrllibResponse:
    def __init__(self, raw):
        self._raw = raw
        self.status = getattr(raw, "status", 200)
        self.headers: Mapping[str, str] = {k.lower(): v for k, v in raw.headers.items()}

    def read(self, n: int = -1) -> bytes:
        return self._raw.read(n)

    def close(self) -> None:
        self._raw.close()


def _fetch(spec: LayerSpec) -> Fetch:
    """The layer's fetch declaration (every fetcher is called for a layer that has one)."""
    if spec.fetch is None:
        raise FetchError(f"layer {spec.id!r} declares no official download")
    return spec.fetch


def urllib_transport(req: Request) -> Response:
    """The live transport: :mod:`urllib` with a short connect timeout.

    Raises
    ------
    urllib.error.URLError, socket.timeout, OSError
        Translated into :class:`FetchError` by the caller.
    """
    headers = {"User-Agent": USER_AGENT, **dict(req.headers)}
    r = urllib.request.Request(req.url, data=req.data, headers=headers, method=req.method)
    try:
        return _UrllibResponse(urllib.request.urlopen(r, timeout=req.timeout))
    except urllib.error.HTTPError as exc:
        if exc.code == 416:  # range not satisfiable: the .part is already complete
            return _UrllibResponse(exc)
        raise


# ---------------------------------------------------------------- context, manifest


@dataclass
class FetchContext:
    """Everything a fetcher needs; built once per ``areal fetch`` run.

    Attributes
    ----------
    data_dir : Path
        Destination data directory.
    transport : Transport
        The one network function (:func:`urllib_transport` live, a recorded one in tests).
    timeout : float
        Seconds before a connection attempt is given up (kept short so offline fails fast).
    progress : bool
        Show tqdm progress bars.
    municipalities : list of str, optional
        Municipality numbers for per-municipality services (default: the 38 of Trøndelag).
    bbox : tuple, optional
        (xmin, ymin, xmax, ymax) in EPSG:25833 for raster services (default: the county's bounds).
    resolution : float, optional
        Raster resolution in metres (default: the catalogue's ``params["resolution"]``).
    config : dict
        ``<data dir>/fetch.toml`` (per-layer ``url`` overrides, e.g. the county's business areas).
    source : str, optional
        For ``areal fetch farmland``: the source layer to fetch (``ar5``, ``ar50``,
        ``n50_arealdekke``) instead of the best available one.
    retries, backoff : int, float
        A download that fails on the network or with HTTP 5xx is tried ``retries`` more times,
        waiting ``backoff``, 2 × ``backoff``, 4 × ``backoff`` ... seconds (resuming each time).
    refresh : bool
        Download again even when a completed file is already in ``downloads/``.
    poll_s, poll_max : float, int
        How often and how many times a Geonorge order that is not ready is asked again.
    label_text : callable, optional
        Renders a progress bar's label (a :class:`~areal.geo.notes.Note` of :data:`FETCH_LABELS`)
        in the user's language; default its English ``str()``.
    """

    data_dir: Path
    transport: Transport = urllib_transport
    timeout: float = 10.0
    progress: bool = True
    municipalities: list[str] | None = None
    bbox: tuple[float, float, float, float] | None = None
    resolution: float | None = None
    config: dict = field(default_factory=dict)
    source: str | None = None
    retries: int = 3
    backoff: float = 0.5
    refresh: bool = False
    poll_s: float = 10.0
    poll_max: int = 60
    label_text: Callable[[Note], str] | None = None


@dataclass
class Download:
    """One downloaded file (a manifest row)."""

    url: str
    path: str
    sha256: str
    bytes: int
    date: str
    resumed_from: int = 0
    content_crs: str = ""


@dataclass
class FetchResult:
    """What ``areal fetch LAYER`` did."""

    layer: str
    service: str
    targets: list[str]
    downloads: list[Download]
    n_features: int | None = None
    notes: list[Note] = field(default_factory=list)
    """Structured notes (codes of :data:`FETCH_NOTES`); ``str(note)`` is the English sentence."""


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def _atomic_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_manifest(data_dir: str | os.PathLike) -> dict:
    """The fetch manifest of a data directory (``{}`` when nothing was fetched)."""
    path = Path(data_dir) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _record(ctx: FetchContext, spec: LayerSpec, result: FetchResult) -> None:
    manifest = read_manifest(ctx.data_dir)
    manifest[spec.id] = {
        "service": result.service,
        "publisher": spec.publisher,
        "dataset": spec.title_en,
        "vintage": spec.vintage,
        "unverified": spec.fetch.unverified if spec.fetch else "",
        "notes": [n.to_dict() for n in result.notes],
        "date": _now(),
        "licence": spec.licence,
        "licence_url": spec.licence_url,
        "attribution": spec.attribution,
        "targets": result.targets,
        "n_features": result.n_features,
        "downloads": [d.__dict__ for d in result.downloads],
    }
    _atomic_text(ctx.data_dir / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))


def load_config(data_dir: Path) -> dict:
    """Read ``<data dir>/fetch.toml`` (or ``$AREAL_FETCH_CONFIG``); ``{}`` when absent."""
    path = Path(os.environ.get("AREAL_FETCH_CONFIG") or data_dir / CONFIG)
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise FetchError(f"fetch configuration {path} is not valid TOML: {exc}") from exc


# ---------------------------------------------------------------- download


def _fail(spec: LayerSpec, url: str, exc: BaseException | str) -> FetchError:
    why = exc if isinstance(exc, str) else f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
    manual = spec.fetch.manual if spec.fetch else ""
    unverified = (
        f" Note: this fetcher is unverified ({spec.fetch.unverified})."
        if spec.fetch is not None and spec.fetch.unverified
        else ""
    )
    service = spec.fetch.service if spec.fetch else "the service"
    return FetchError(
        f"layer {spec.id!r}: cannot reach {service} at {url} ({why}). "
        f"Nothing was written to the layer's path. Manual alternative: {manual}{unverified}",
        key="fetch_unreachable",
        params={"layer": spec.id, "service": service, "url": url, "reason": str(why)},
    )


def _offline(exc: BaseException) -> bool:
    """The network is down or the name does not resolve (not a passing fault of the service)."""
    import errno

    reason = getattr(exc, "reason", exc)
    return isinstance(reason, socket.gaierror) or getattr(reason, "errno", None) in (
        errno.ENETUNREACH,
        errno.EHOSTUNREACH,
    )


def _retryable(spec: LayerSpec, url: str, exc: BaseException | str) -> _Retryable:
    err = _fail(spec, url, exc)
    return _Retryable(str(err), key=err.key, params=err.params)


def _http_error(spec: LayerSpec, url: str, status: int, auth: str | None) -> FetchError:
    """401/403: one clear message naming the service and how to get access; 5xx: retried."""
    if status in (401, 403):
        from areal.layers import credentials

        service = auth or ("geoid" if "geonorge" in url else "norge_digitalt")
        return credentials.refused(service, status, url, spec.id)
    if status >= 500 or status == 429:
        return _retryable(spec, url, f"HTTP {status}")
    return _fail(spec, url, f"HTTP {status}")


def _remove_empty_dirs(path: Path, stop: Path) -> None:
    while path != stop and path.is_dir() and not any(path.iterdir()):
        path.rmdir()
        path = path.parent


class _Retryable(FetchError):
    """A failure worth another try (network, HTTP 5xx, a body cut short)."""


def _sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def download(
    url: str,
    dest: Path,
    ctx: FetchContext,
    spec: LayerSpec,
    *,
    method: str = "GET",
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    label: Note | str | None = None,
    auth: str | None = None,
    expected_sha256: str | None = None,
    reuse: bool = True,
) -> Download:
    """Download ``url`` to ``dest`` resumably, atomically, with retries; return its checksum row.

    * A completed earlier download (``dest`` exists, and matches ``expected_sha256`` when given)
      is not fetched again (``reuse``; not for API calls, which pass ``reuse=False``).
    * The body goes to ``dest.part``; a retry sends ``Range: bytes=<size>-`` and appends when the
      server answers 206 (starts over on 200). Only a complete body is moved to ``dest``.
    * Network errors, HTTP 5xx and bodies cut short are retried ``ctx.retries`` times with
      exponential backoff; HTTP 401/403 stops at once with the service and how to get access
      (``auth`` names the credential service whose headers are sent, :mod:`areal.layers.credentials`).
    * The SHA-256 is computed while the body arrives and checked against ``expected_sha256``
      (a mismatch deletes the file and fails).

    On failure an empty ``.part`` is removed and a non-empty one is kept (to resume), and the error
    is a :class:`FetchError` naming the service, the URL and the manual alternative.
    """
    if reuse and method == "GET" and dest.exists() and not ctx.refresh:
        digest = _sha256_of(dest)
        if expected_sha256 is None or digest == expected_sha256.lower():
            return Download(
                url=url,
                path=str(dest.relative_to(ctx.data_dir)),
                sha256=digest,
                bytes=dest.stat().st_size,
                date=_now(),
                resumed_from=-1,  # -1: already complete, not downloaded again
            )
    hdrs = dict(headers or {})
    if auth is not None:
        from areal.layers import credentials

        hdrs.update(credentials.get(auth, ctx.data_dir).headers())
    import time

    attempt = 0
    while True:
        try:
            dl = _download_once(url, dest, ctx, spec, method, data, hdrs, label, auth)
            break
        except _Retryable:
            if attempt >= ctx.retries:
                raise
            time.sleep(ctx.backoff * (2**attempt))
            attempt += 1
    if expected_sha256 is not None and dl.sha256 != expected_sha256.lower():
        dest.unlink(missing_ok=True)
        raise _fail(
            spec, url, f"SHA-256 mismatch: got {dl.sha256}, expected {expected_sha256} (file removed)"
        )
    return dl


def _download_once(url, dest, ctx, spec, method, data, headers, label, auth) -> Download:
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    hdrs = dict(headers or {})
    if have and method == "GET":
        hdrs["Range"] = f"bytes={have}-"
    try:
        resp = ctx.transport(Request(url, method=method, headers=hdrs, data=data, timeout=ctx.timeout))
    except urllib.error.HTTPError as exc:
        raise _http_error(spec, url, exc.code, auth) from None
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
        if _offline(exc):  # no network at all: stop at once, a retry cannot help
            raise _fail(spec, url, exc) from exc
        raise _retryable(spec, url, exc) from exc
    h = hashlib.sha256()
    resumed = 0
    created_dir = not dest.parent.exists()
    try:
        status = int(getattr(resp, "status", 200))
        if status == 416 and have:
            mode = "ab"
            resumed = have
        elif status == 206 and have:
            mode, resumed = "ab", have
        elif status >= 400:
            raise _http_error(spec, url, status, auth)
        else:
            mode = "wb"
        if resumed:
            with open(part, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
        total = resp.headers.get("content-length")
        total = int(total) + resumed if total and status != 416 else None
        dest.parent.mkdir(parents=True, exist_ok=True)
        bar = None
        if ctx.progress:
            from tqdm import tqdm

            if isinstance(label, Note) and ctx.label_text is not None:
                desc = ctx.label_text(label)
            else:
                desc = str(label) if label is not None else dest.name
            bar = tqdm(total=total, initial=resumed, unit="B", unit_scale=True, desc=desc, leave=False)
        n = resumed
        with open(part, mode) as fh:
            while status != 416:
                chunk = resp.read(CHUNK)
                if not chunk:
                    break
                fh.write(chunk)
                h.update(chunk)
                n += len(chunk)
                if bar is not None:
                    bar.update(len(chunk))
        if bar is not None:
            bar.close()
        if total is not None and n < total:
            raise _retryable(
                spec, url, f"connection closed after {n} of {total} bytes (run the fetch again to resume)"
            )
        os.replace(part, dest)
    except FetchError:
        if part.exists() and part.stat().st_size == 0:
            part.unlink()
        if created_dir:
            _remove_empty_dirs(dest.parent, ctx.data_dir)
        raise
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
        if part.exists() and part.stat().st_size == 0:
            part.unlink()
        if created_dir:
            _remove_empty_dirs(dest.parent, ctx.data_dir)
        raise _retryable(spec, url, exc) from exc
    finally:
        resp.close()
    return Download(
        url=url,
        path=str(dest.relative_to(ctx.data_dir)),
        sha256=h.hexdigest(),
        bytes=n,
        date=_now(),
        resumed_from=resumed,
        content_crs=str(resp.headers.get("content-crs", "")),
    )


def _download_name(url: str, fallback: str) -> str:
    name = Path(urllib.parse.urlparse(url).path).name
    return re.sub(r"[^\w.\-]+", "_", name) or fallback


# ---------------------------------------------------------------- reading official files


def _vector_layers(path: str) -> list[tuple[str, str]]:
    try:
        gfs = Path(str(path)[:-4] + ".gfs") if str(path).lower().endswith(".gml") else None
        had = gfs is not None and gfs.exists()
        layers = [(str(n), str(t)) for n, t in pyogrio.list_layers(path)]
        if gfs is not None and not had:  # GDAL leaves a schema cache next to a GML: not ours to keep
            gfs.unlink(missing_ok=True)
        return layers
    except Exception as exc:
        raise LayerReadError(f"cannot open downloaded file {path}: {exc}") from exc


def read_official(path: Path, layer: str | None = None, family: str | None = "polygon") -> gpd.GeoDataFrame:
    """Read an official delivery (zipped FGDB/GML/Shapefile, GML, GeoJSON, GeoPackage).

    With ``layer=None`` the first layer whose geometry is of ``family`` is used (official FGDBs
    also carry boundary-line layers).
    """
    target: str = str(path)
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
        gdbs = sorted({n.split(".gdb/")[0] + ".gdb" for n in names if ".gdb/" in n})
        if gdbs:
            target = f"/vsizip/{path}/{gdbs[0]}"
        else:
            gml = [n for n in names if n.lower().endswith((".gml", ".geojson", ".gpkg"))]
            if gml:
                target = f"/vsizip/{path}/{gml[0]}"
    layers = _vector_layers(target)
    if layer is None:
        want = {
            "polygon": ("Polygon", "MultiPolygon"),
            "line": ("LineString", "MultiLineString"),
            "point": ("Point", "MultiPoint"),
        }
        cand = [n for n, t in layers if family is None or t in want.get(family, ())]
        if not cand:
            cand = [n for n, _ in layers]
        layer = cand[0] if cand else None
    elif layer not in [n for n, _ in layers]:
        raise LayerReadError(f"{path}: layer {layer!r} not found; layers are {[n for n, _ in layers]}")
    opts = {"WRITE_GFS": "NO"} if str(target).lower().endswith(".gml") else {}
    try:
        return pyogrio.read_dataframe(target, layer=layer, **opts)
    except Exception as exc:
        raise LayerReadError(f"cannot read {path} (layer {layer!r}): {exc}") from exc


def _county_mask(data_dir: Path) -> shapely.Geometry:
    from areal.layers import loader

    county = loader.load("county", data_dir)
    return shapely.union_all(np.asarray(county.geometry.values))


def keep_in_county(gdf: gpd.GeoDataFrame, data_dir: Path) -> gpd.GeoDataFrame:
    """Keep features that touch Trøndelag (national deliveries); the loader cuts them later."""
    if gdf.crs is None:
        return gdf
    mask = _county_mask(data_dir)
    g = gdf.to_crs(WORKING_CRS) if not gdf.crs.equals(WORKING_CRS) else gdf
    geoms = np.asarray(g.geometry.values)
    valid = shapely.make_valid(geoms)
    keep = shapely.intersects(valid, mask)
    return gdf.loc[keep].reset_index(drop=True)


def _write_target(gdf: gpd.GeoDataFrame, ctx: FetchContext, spec: LayerSpec, target: str) -> str:
    path = ctx.data_dir / target
    write_frame(gdf, path, layer=spec.source.layer or spec.id)
    return target


# ---------------------------------------------------------------- fetchers (one per protocol)

Fetcher = Callable[[LayerSpec, FetchContext], FetchResult]
FETCHERS: dict[str, Fetcher] = {}


def fetcher(name: str) -> Callable[[Fetcher], Fetcher]:
    """Register a fetcher under a protocol name (``Fetch.method``)."""

    def deco(fn: Fetcher) -> Fetcher:
        FETCHERS[name] = fn
        return fn

    return deco


def _ascii(name: str) -> str:
    return name.replace("ø", "o").replace("Ø", "O").replace("æ", "ae").replace("å", "a").replace("Å", "A")


def _placeholders() -> dict[str, str]:
    """``{county}`` and ``{county_name}`` (ASCII, as in Geonorge's Basisdata file names) of the run."""
    knr, name = settings.county_row()
    return {"county": knr, "county_name": _ascii(name)}


def _url(spec: LayerSpec, ctx: FetchContext) -> str:
    override = (ctx.config.get(spec.id) or {}).get("url")
    url = override or _fetch(spec).url
    return url.format(**_placeholders()) if "{county" in url else url


def _family(spec: LayerSpec) -> str | None:
    from areal.geo.geometry import family_of

    return family_of(spec.geometry_type) if spec.geometry_type else None


@fetcher("file")
def fetch_file(spec: LayerSpec, ctx: FetchContext) -> FetchResult:
    """One national file (zipped FGDB/GML): download, pick the layer, keep Trøndelag, write GPKG."""
    url = _url(spec, ctx)
    dl = download(url, ctx.data_dir / DOWNLOADS / _download_name(url, f"{spec.id}.zip"), ctx, spec)
    gdf = read_official(ctx.data_dir / dl.path, _fetch(spec).params.get("layer"), _family(spec))
    objtype = _fetch(spec).params.get("objtype")
    if objtype:
        # a theme layer (N1000_Arealdekke_omrade ...): the class is a value of objtype
        col = next((c for c in gdf.columns if c.lower() == "objtype"), None)
        if col is None:
            raise LayerReadError(
                f"layer {spec.id!r}: {dl.path} layer {_fetch(spec).params.get('layer')!r} has no objtype column; "
                f"columns: {[c for c in gdf.columns if c != gdf.geometry.name]}"
            )
        gdf = gdf[gdf[col].astype(str) == objtype].reset_index(drop=True)
    if spec.clip_to_county:
        gdf = keep_in_county(gdf, ctx.data_dir)
    # into a GeoPackage as one layer: the file's other layers (other N1000 classes) are kept
    target = _write_target(gdf, ctx, spec, _fetch(spec).target.format(**_placeholders()))
    return FetchResult(spec.id, _fetch(spec).service, [target], [dl], len(gdf))


@fetcher("manual")
def fetch_manual(spec: LayerSpec, ctx: FetchContext) -> FetchResult:
    """A layer whose download endpoint is not verified: say how to get the file by hand, download nothing."""
    raise FetchError(
        f"layer {spec.id!r}: the endpoint of {_fetch(spec).service} is unverified here, so nothing is "
        f"downloaded ({_fetch(spec).url}). {_fetch(spec).manual}",
        key="fetch_unverified",
        params={"layer": spec.id, "service": _fetch(spec).service, "url": _fetch(spec).url},
    )


@fetcher("nibio_seasons")
def fetch_nibio_seasons(spec: LayerSpec, ctx: FetchContext) -> FetchResult:
    """The five seasonal-pasture FGDBs of NIBIO, concatenated into one layer."""
    frames, dls = [], []
    for ds in _fetch(spec).params["datasets"].split(","):
        url = _fetch(spec).url.format(dataset=ds)
        dl = download(
            url,
            ctx.data_dir / DOWNLOADS / _download_name(url, f"{ds}.zip"),
            ctx,
            spec,
            label=Note.of("fetch.label.dataset", dataset=ds),
        )
        dls.append(dl)
        g = read_official(ctx.data_dir / dl.path, None, "polygon")
        g["datasett"] = ds
        frames.append(g.to_crs(WORKING_CRS) if g.crs is not None and not g.crs.equals(WORKING_CRS) else g)
    gdf = gpd.GeoDataFrame(
        pd.concat(frames, ignore_index=True), geometry=frames[0].geometry.name, crs=frames[0].crs
    )
    gdf = keep_in_county(gdf, ctx.data_dir)
    target = _write_target(gdf, ctx, spec, _fetch(spec).target)
    return FetchResult(spec.id, _fetch(spec).service, [target], dls, len(gdf))


def trondelag_municipalities(data_dir: Path) -> list[str]:
    """The municipality numbers of Trøndelag (2024) from the municipalities layer."""
    from areal.layers import loader

    munis = loader.load("municipalities", data_dir)
    return sorted(str(k) for k in munis["kommunenummer"])


@fetcher("geonorge_order")
def fetch_geonorge_order(spec: LayerSpec, ctx: FetchContext) -> FetchResult:
    """Geonorge download API: one order, polled until every file is ready, then one file per area.

    The order (``POST api/order``, body per the API's schema: ``orderLines`` with ``metadataUuid``,
    ``areas``, ``projections``, ``formats``) answers with ``files`` whose ``status`` is
    ``ReadyForDownload`` or ``WaitingForProcessing``; a waiting order is asked again
    (``GET api/order/{referenceNumber}``; unverified path) every ``ctx.poll_s`` seconds, at most
    ``ctx.poll_max`` times. Restricted data (FKB-AR5) needs a GeoID token
    (``params["auth"] = "geoid"``), sent with the order and the downloads.
    """
    import time

    p = dict(_fetch(spec).params)
    p.update({k: v for k, v in (ctx.config.get(spec.id) or {}).items() if k in ("metadata_uuid", "format")})
    if not p.get("metadata_uuid"):
        raise FetchError(
            f"layer {spec.id!r}: unverified: no Geonorge metadata UUID is known for {_fetch(spec).service}; "
            f'set [{spec.id}] metadata_uuid = "..." in <data dir>/fetch.toml (from the dataset\'s page in '
            f"https://kartkatalog.geonorge.no). Manual alternative: {_fetch(spec).manual}"
        )
    auth = p.get("auth")
    if auth:
        from areal.layers import credentials

        if not credentials.get(auth, ctx.data_dir).present:
            raise FetchError(
                f"layer {spec.id!r}: {_fetch(spec).service} needs credentials. To get access, "
                f"{credentials.how_to_get(auth)}. Manual alternative: {_fetch(spec).manual}",
                key="fetch_credentials",
                params={"layer": spec.id, "service": credentials.SERVICES[auth]["title"], "auth": auth},
            )
    area_type = p.get("area_type", "kommune")
    if area_type == "fylke":
        from areal.layers import settings as _settings

        codes = [_settings.county()]
    else:
        codes = ctx.municipalities or trondelag_municipalities(ctx.data_dir)
    body = {
        "email": "",
        "softwareClient": "areal",
        "softwareClientVersion": "0.1",
        "orderLines": [
            {
                "metadataUuid": p["metadata_uuid"],
                "areas": [{"code": c, "type": area_type, "name": c} for c in codes],
                "projections": [
                    {
                        "code": p["projection"],
                        "name": f"EUREF89 UTM sone {p['projection'][-2:]}, 2d",
                        "codespace": f"http://www.opengis.net/def/crs/EPSG/0/{p['projection']}",
                    }
                ],
                "formats": [{"name": p["format"]}],
            }
        ],
    }
    url = _fetch(spec).url
    order_path = ctx.data_dir / DOWNLOADS / f"{spec.id}-order.json"
    dl_order = download(
        url,
        order_path,
        ctx,
        spec,
        method="POST",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        label=Note.of("fetch.label.order"),
        auth=auth,
        reuse=False,
    )

    def files_of(path: Path) -> tuple[str, list[dict]]:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise _fail(spec, url, f"the order answer is not JSON: {exc}") from exc
        return str(doc.get("referenceNumber") or ""), doc.get("files") or []

    ref, files = files_of(order_path)
    dls = [dl_order]
    polls = 0
    while any(f.get("status") != "ReadyForDownload" for f in files):
        if polls >= ctx.poll_max:
            waiting = [f.get("area") or f.get("name") for f in files if f.get("status") != "ReadyForDownload"]
            raise _fail(
                spec,
                url,
                f"order {ref} not ready after {polls} checks (waiting: {', '.join(map(str, waiting))})",
            )
        time.sleep(ctx.poll_s)
        polls += 1
        status_url = url.rstrip("/") + f"/{urllib.parse.quote(ref)}"
        dls.append(
            download(
                status_url,
                order_path,
                ctx,
                spec,
                auth=auth,
                reuse=False,
                label=Note.of("fetch.label.order_status"),
            )
        )
        ref, files = files_of(order_path)
    targets, n = [], 0
    for code in codes:
        match = next(
            (
                f
                for f in files
                if f.get("downloadUrl") and (f.get("area") == code or f"_{code}_" in f.get("name", ""))
            ),
            None,
        )
        if match is None:
            raise _fail(spec, url, f"the order returned no file for area {code}")
        dl = download(
            match["downloadUrl"],
            ctx.data_dir / DOWNLOADS / _download_name(match.get("name") or "", f"{spec.id}_{code}.zip"),
            ctx,
            spec,
            label=Note.of("fetch.label.area", layer=spec.id, area=code),
            auth=auth,
        )
        dls.append(dl)
        gdf = read_official(ctx.data_dir / dl.path, p.get("layer"), _family(spec))
        target = _fetch(spec).target.format(kommunenummer=code, county=code)
        targets.append(_write_target(gdf, ctx, spec, target))
        n += len(gdf)
    notes = [Note.of("fetch.order_checks", order=ref, checks=polls)] if polls else []
    return FetchResult(spec.id, _fetch(spec).service, targets, dls, n, notes)


# Akvakulturregisteret "legacy" dump: one row per permit and site; the site columns we keep.
PUB_AQUA_COLUMNS = {
    "LOK_NR": "site_id",
    "LOK_NAVN": "site_name",
    "LOK_PLASS": "placement",
    "VANNMILJØ": "water_type",
    "LOK_KOMNR": "municipality_id",
    "LOK_KOM": "municipality",
    "LOK_KAP": "site_capacity",
    "LOK_ENHET": "capacity_unit_type",
    "PROD_OMR": "production_area_code",
    "N_GEOWGS84": "latitude",
    "Ø_GEOWGS84": "longitude",
    "ART": "species",
    "FORMÅL": "purpose",
    "PRODUKSJONSFORM": "production_method",
}


def parse_pub_aqua_csv(path: Path) -> pd.DataFrame:
    """Parse the register's legacy CSV dump into one row per site with the catalogue's columns.

    The dump starts with a title line, then the header; fields are ``;``-separated and decimals may
    use a comma. Species of the permits at a site are joined with ``", "``. The dump has no
    STATUS column; permit rows with an empty ``LOK_NR`` (no site) are left out and counted in
    ``attrs["n_without_site"]``.
    """
    text = Path(path).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines[:5]) if "LOK_NR" in ln), None)
    if start is None:
        raise LayerReadError(
            f"{path}: no 'LOK_NR' header in the first lines: not an Akvakulturregisteret dump"
        )
    from io import StringIO

    df = pd.read_csv(StringIO("\n".join(lines[start:])), sep=";", dtype=str, keep_default_na=False)
    missing = [
        c for c in ("LOK_NR", "LOK_NAVN", "LOK_PLASS", "N_GEOWGS84", "Ø_GEOWGS84") if c not in df.columns
    ]
    if missing:
        raise LayerReadError(f"{path}: columns {missing} missing from the dump; columns: {list(df.columns)}")
    # Permits without a site (empty LOK_NR) exist in the real dump: they have no place on a map.
    no_site = df["LOK_NR"].str.strip() == ""
    df = df[~no_site]
    df = df[[c for c in PUB_AQUA_COLUMNS if c in df.columns]].rename(columns=PUB_AQUA_COLUMNS)
    for c in ("latitude", "longitude", "site_capacity"):
        if c in df.columns:
            df[c] = pd.to_numeric(df[c].str.replace(",", ".", regex=False), errors="coerce")
    agg: dict[str, Any] = {c: "first" for c in df.columns if c not in ("site_id", "species")}
    if "species" in df.columns:
        agg["species"] = lambda s: ", ".join(sorted({v for v in s if v}))
    out = df.groupby("site_id", as_index=False, sort=True).agg(agg)
    out["site_id"] = out["site_id"].astype(int)
    out = out.sort_values("site_id").reset_index(drop=True)
    out.attrs["n_without_site"] = int(no_site.sum())
    return out


@fetcher("pub_aqua_csv")
def fetch_pub_aqua(spec: LayerSpec, ctx: FetchContext) -> FetchResult:
    """Fiskeridirektoratet's register dump → the site CSV the catalogue reads."""
    url = _url(spec, ctx)
    dl = download(url, ctx.data_dir / DOWNLOADS / "akvakulturregisteret.csv", ctx, spec)
    sites = parse_pub_aqua_csv(ctx.data_dir / dl.path)
    write_frame(sites, ctx.data_dir / _fetch(spec).target)
    notes = [Note.of("fetch.permits_without_site", n=int(sites.attrs["n_without_site"]))]
    return FetchResult(spec.id, _fetch(spec).service, [_fetch(spec).target], [dl], len(sites), notes)


# Arealbruksstatus, official code list (SOSI Plan; official-samples/kommuneplan/codelists): the
# OGC API delivers arealbruksstatus as a string: a code or, unverified, the code's name.
AREALBRUKSSTATUS_NAMES = {"Nåværende": "1", "Framtidig": "2", "Videreutvikling av nåværende": "3"}


def _flatten_properties(props: Mapping) -> dict:
    """Nested OGC API properties as flat columns: ``arealplanId.kommunenummer`` → ``kommunenummer``.

    >>> _flatten_properties({"arealformål": "1300", "arealplanId": {"kommunenummer": "5001",
    ...     "planidentifikasjon": "2012001"}, "utnytting": {"utnyttingstall": 40}})
    {'arealformål': '1300', 'kommunenummer': '5001', 'planidentifikasjon': '2012001', 'utnyttingstall': 40}
    """
    out: dict = {}
    for k, v in props.items():
        if isinstance(v, Mapping):
            for k2, v2 in v.items():
                out[k2 if k2 not in out and k2 not in props else f"{k}.{k2}"] = v2
        else:
            out[k] = v
    return out


def _crs_from_header(value: str, requested: str) -> str:
    """The CRS of an OGC API response: its ``Content-Crs`` header, else the one requested."""
    v = value.strip().strip("<>")
    m = re.search(r"/EPSG/0/(\d+)$", v)
    if m:
        return f"EPSG:{m.group(1)}"
    if v.endswith("CRS84"):
        return "OGC:CRS84"
    return requested


def _next_link(doc: Mapping, base: str) -> str | None:
    for link in doc.get("links") or []:
        if link.get("rel") == "next" and link.get("href"):
            return urllib.parse.urljoin(base, link["href"])
    return None


def _write_coverage(ctx: FetchContext, target: str, queries: list[dict]) -> None:
    """Record what an area query covered beside its file: the municipalities asked for, or the bbox."""
    from areal.layers.coverage import _municipality_union, write_sidecar

    knrs = [q["kommunenummer"] for q in queries if "kommunenummer" in q]
    if knrs:
        geom = _municipality_union(knrs, ctx.data_dir)
        if geom is None:
            return  # without municipality polygons the coverage stays the county
        write_sidecar(
            ctx.data_dir / target, geom, description=f"municipalities {', '.join(knrs)}", municipalities=knrs
        )
    else:
        xmin, ymin, xmax, ymax = (float(v) for v in queries[0]["bbox"].split(","))
        write_sidecar(
            ctx.data_dir / target,
            shapely.box(xmin, ymin, xmax, ymax),
            description=f"bbox {queries[0]['bbox']}",
        )


@fetcher("ogcapi_features")
def fetch_ogcapi_features(spec: LayerSpec, ctx: FetchContext) -> FetchResult:
    """OGC API Features: ``/collections/{id}/items`` paged by the ``rel=next`` links, GeoJSON out.

    Filters: ``kommunenummer=<nr>`` per municipality when ``--municipality`` is given, else the
    county's ``bbox`` (with ``bbox-crs``); coordinates are asked for in EPSG:25833 (``crs``).
    Credentials (``params["auth"]``, e.g. Norge digitalt) go in the Authorization header; HTTP
    401/403 stops with the service and how to get access.
    """
    p = _fetch(spec).params
    conf = ctx.config.get(spec.id) or {}
    base = conf.get("url") or _fetch(spec).url
    collection = conf.get("collection") or p["collection"]
    crs_uri = f"http://www.opengis.net/def/crs/EPSG/0/{p.get('epsg', '25833')}"
    items = urllib.parse.urljoin(base if base.endswith("/") else base + "/", "collections/")
    items += urllib.parse.quote(collection) + "/items"
    common = {"f": "json", "limit": p.get("limit", "1000"), "crs": crs_uri}
    if ctx.municipalities:
        queries = [{**common, "kommunenummer": k} for k in ctx.municipalities]
    else:
        xmin, ymin, xmax, ymax = ctx.bbox or tuple(_county_mask(ctx.data_dir).bounds)
        queries = [{**common, "bbox": f"{xmin:.0f},{ymin:.0f},{xmax:.0f},{ymax:.0f}", "bbox-crs": crs_uri}]
    frames: list = []
    dls: list = []
    seen: set = set()
    for q in queries:
        url: str | None = items + "?" + urllib.parse.urlencode(q)
        while url is not None:
            if url in seen:  # a server that links a page to itself would loop forever
                raise _fail(spec, url, "the rel=next link repeats a page already read")
            seen.add(url)
            dest = ctx.data_dir / DOWNLOADS / f"{spec.id}-page-{len(dls):05d}.json"
            dl = download(
                url,
                dest,
                ctx,
                spec,
                auth=p.get("auth"),
                reuse=False,
                label=Note.of("fetch.label.page", layer=spec.id, page=len(dls) + 1),
            )
            dls.append(dl)
            try:
                doc = json.loads(dest.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise _fail(spec, url, f"the answer is not JSON: {exc}") from exc
            feats = doc.get("features") or []
            if feats:
                rows = [_flatten_properties(f.get("properties") or {}) for f in feats]
                geoms = [shapely.geometry.shape(f["geometry"]) if f.get("geometry") else None for f in feats]
                crs = _crs_from_header(dl.content_crs, f"EPSG:{p.get('epsg', '25833')}")
                frames.append(
                    gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=crs).to_crs(WORKING_CRS)
                )
            url = _next_link(doc, url) if feats else None
    if not frames:
        raise _fail(spec, items, "the service returned no features for the area asked for")
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=WORKING_CRS)
    if "arealbruksstatus" in gdf:
        gdf["arealbruksstatus"] = gdf["arealbruksstatus"].astype(str).replace(AREALBRUKSSTATUS_NAMES)
    from areal.layers.importer import normalise_columns

    gdf, _ = normalise_columns(gdf, spec)
    target = _write_target(gdf, ctx, spec, _fetch(spec).target)
    _write_coverage(ctx, target, queries)
    notes = [Note.of("fetch.pages", pages=len(dls), collection=collection)]
    return FetchResult(spec.id, _fetch(spec).service, [target], dls, len(gdf), notes)


@fetcher("plan_wfs")
def fetch_plan_wfs(spec: LayerSpec, ctx: FetchContext) -> FetchResult:
    """Master-plan land use: WFS GetFeature for the county's bbox, or the URL set in ``fetch.toml``."""
    p = _fetch(spec).params
    url = (ctx.config.get(spec.id) or {}).get("url")
    if not url:
        xmin, ymin, xmax, ymax = ctx.bbox or tuple(_county_mask(ctx.data_dir).bounds)
        q = {
            "service": "WFS",
            "version": "2.0.0",
            "request": "GetFeature",
            "typeNames": p["type_name"],
            "srsName": p["srs"],
            "bbox": f"{xmin:.0f},{ymin:.0f},{xmax:.0f},{ymax:.0f},{p['srs']}",
        }
        url = _fetch(spec).url + ("&" if "?" in _fetch(spec).url else "?") + urllib.parse.urlencode(q)
    suffix = Path(urllib.parse.urlparse(url).path).suffix.lower()
    name = f"{spec.id}{suffix if suffix in ('.zip', '.gpkg', '.geojson', '.gml', '.json') else '.gml'}"
    dl = download(url, ctx.data_dir / DOWNLOADS / name, ctx, spec)
    gdf = read_official(ctx.data_dir / dl.path, p.get("layer"), "polygon")
    from areal.layers.importer import normalise_columns

    gdf, _ = normalise_columns(gdf, spec)
    gdf = keep_in_county(gdf, ctx.data_dir)
    target = _write_target(gdf, ctx, spec, _fetch(spec).target)
    return FetchResult(spec.id, _fetch(spec).service, [target], [dl], len(gdf))


def dtm_tiles(
    bbox: tuple[float, float, float, float], res: float, tile_px: int
) -> list[tuple[float, float, float, float]]:
    """Split a bbox (snapped outwards to the resolution) into tiles of at most ``tile_px`` cells a side."""
    xmin, ymin = np.floor(bbox[0] / res) * res, np.floor(bbox[1] / res) * res
    xmax, ymax = np.ceil(bbox[2] / res) * res, np.ceil(bbox[3] / res) * res
    step = tile_px * res
    out = []
    for y0 in np.arange(ymin, ymax, step):
        for x0 in np.arange(xmin, xmax, step):
            out.append((float(x0), float(y0), float(min(x0 + step, xmax)), float(min(y0 + step, ymax))))
    return out


@fetcher("wcs_dtm")
def fetch_wcs_dtm(spec: LayerSpec, ctx: FetchContext) -> FetchResult:
    """Kartverket DTM by WCS 1.0.0 GetCoverage, tile by tile, mosaicked and clipped to the county."""
    import rasterio
    from rasterio.features import geometry_mask
    from rasterio.merge import merge

    p = _fetch(spec).params
    res = float(ctx.resolution or p["resolution"])
    mask_geom = _county_mask(ctx.data_dir)
    bbox = ctx.bbox or tuple(mask_geom.bounds)
    dls, paths = [], []
    for i, (x0, y0, x1, y1) in enumerate(dtm_tiles(bbox, res, int(p["tile_px"]))):
        q = {
            "SERVICE": "WCS",
            "VERSION": "1.0.0",
            "REQUEST": "GetCoverage",
            "FORMAT": "GeoTIFF",
            "COVERAGE": p["coverage"],
            "BBOX": f"{x0:.0f},{y0:.0f},{x1:.0f},{y1:.0f}",
            "CRS": "EPSG:25833",
            "RESPONSE_CRS": "EPSG:25833",
            "WIDTH": str(int(round((x1 - x0) / res))),
            "HEIGHT": str(int(round((y1 - y0) / res))),
        }
        url = _fetch(spec).url + "?" + urllib.parse.urlencode(q)
        dest = ctx.data_dir / DOWNLOADS / f"dtm{res:g}_{int(x0)}_{int(y0)}.tif"
        dls.append(download(url, dest, ctx, spec, label=Note.of("fetch.label.tile", tile=i + 1)))
        paths.append(dest)
    target = _fetch(spec).target.format(resolution=f"{res:g}")
    out = ctx.data_dir / target
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".tmp-", suffix=".tif")
    os.close(fd)
    n_inside = 0
    srcs = [rasterio.open(pth) for pth in paths]
    try:
        nodata = srcs[0].nodata if srcs[0].nodata is not None else -32767.0
        # The mosaic is written to disk in chunks (rasterio's merge with dst_path, at most
        # mem_limit MB at a time), then masked block by block: never held whole in memory.
        kw = dict(driver="GTiff", compress="deflate", tiled=True, blockxsize=256, blockysize=256)
        merge(
            srcs,
            bounds=bbox,
            res=res,
            nodata=nodata,
            dtype="float32",
            dst_path=tmp,
            dst_kwds=kw,
            mem_limit=64,
        )
    finally:
        for s_ in srcs:
            s_.close()
    try:
        with rasterio.open(tmp, "r+") as dst:
            for _, win in dst.block_windows(1):
                arr = dst.read(1, window=win)
                outside = geometry_mask(
                    [mask_geom], out_shape=arr.shape, transform=dst.window_transform(win), invert=False
                )
                arr[outside] = nodata
                n_inside += int((~outside).sum())
                dst.write(arr, 1, window=win)
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return FetchResult(
        spec.id,
        _fetch(spec).service,
        [target],
        dls,
        n_inside,
        [Note.of("fetch.tiles", tiles=len(paths), resolution=res)],
    )


@fetcher("farmland_best")
def fetch_farmland(spec: LayerSpec, ctx: FetchContext) -> FetchResult:
    """Farmland from the best source that can be fetched: AR5 with a GeoID token, else AR50, else N50.

    A source that cannot be fetched (no token, service unreachable) is noted and the next one is
    tried; the composite layer ``farmland`` then reads whichever source arrived.
    """
    order = [s.strip() for s in _fetch(spec).params["order"].split(",")]
    if ctx.source:
        order = [ctx.source]
    elif not os.environ.get("AREAL_GEOID_TOKEN") and not (ctx.config.get("geonorge") or {}).get("token"):
        order = [s for s in order if s != "ar5"]  # AR5 (FKB) needs a GeoID token: not an open source
    notes: list[Note] = []
    for lid in order:
        try:
            res = fetch_layer(lid, ctx)
        except FetchError as exc:
            notes.append(Note.of("fetch.source_not_fetched", source=lid, error=str(exc)))
            continue
        scale = 5_000 if lid == "ar5" else 50_000
        notes.insert(
            0, Note.of("fetch.farmland_from", source=lid, publisher=registry.get(lid).publisher, scale=scale)
        )
        # the source's own notes (pages, unverified) follow
        notes += res.notes
        return FetchResult(spec.id, _fetch(spec).service, res.targets, res.downloads, res.n_features, notes)
    raise FetchError("layer 'farmland': no source could be fetched: " + " | ".join(map(str, notes)))


# ---------------------------------------------------------------- public API


def fetchable() -> list[str]:
    """Ids of the layers ``areal fetch`` can download."""
    return [n for n in registry.names() if registry.get(n).fetch is not None]


def fetch_layer(layer_id: str, ctx: FetchContext) -> FetchResult:
    """Fetch one layer into ``ctx.data_dir`` and record it in the manifest.

    Raises
    ------
    UnknownNameError
        The layer has no official service.
    FetchError
        The service cannot be reached (the message names the service, URL and manual alternative).
    """
    spec = registry.get(layer_id)
    if spec.fetch is None:
        raise unknown_name(
            f"layer {layer_id!r} has no official download; fetchable layers are: {', '.join(fetchable())}",
            "fetchable",
            layer_id,
            fetchable(),
        )
    if spec.fetch.method not in FETCHERS:
        raise UnknownNameError(
            f"layer {layer_id!r}: no fetcher {spec.fetch.method!r}; fetchers are {sorted(FETCHERS)}"
        )
    ctx.data_dir.mkdir(parents=True, exist_ok=True)
    result = FETCHERS[spec.fetch.method](spec, ctx)
    if spec.fetch.unverified:
        result.notes.append(Note.of("fetch.unverified", layer=spec.id, what=spec.fetch.unverified))
    _record(ctx, spec, result)
    return result


def unverified() -> dict[str, str]:
    """Fetchable layers whose service details no real public sample confirms, and what is unverified."""
    out = {}
    for n in fetchable():
        note = _fetch(registry.get(n)).unverified
        if note:
            out[n] = note
    return out


def fetch_layers(layer_ids: Iterable[str], ctx: FetchContext) -> list[FetchResult]:
    """Fetch several layers in order; the first failure stops the run (earlier layers stay)."""
    return [fetch_layer(lid, ctx) for lid in layer_ids]


def make_context(data_dir: str | os.PathLike | None = None, **kw) -> FetchContext:
    """A context for ``data_dir`` (default :func:`areal.layers.settings.data_dir`) with its ``fetch.toml``."""
    ddir = settings.data_dir(data_dir)
    return FetchContext(data_dir=ddir, config=kw.pop("config", None) or load_config(ddir), **kw)
