"""A layer's coverage geometry: where it was mapped, from what was fetched or loaded.

The rule comes from the layer's :class:`~areal.layers._base.Coverage` declaration:

* a ``<source>.coverage.geojson`` beside a source file wins (``areal fetch`` writes one with the
  municipalities or the box it fetched; :func:`write_sidecar`);
* ``county``: the county polygon (a national layer clipped to the county);
* ``municipalities``: the municipalities named by the fetched files (the fetch target
  ``ar5_{kommunenummer}.gpkg``: ``ar5_5001.gpkg`` → 5001), else those of the layer's
  ``kommunenummer`` column (an imported file carries a coverage file instead);
* ``features``: the union of the raw source features before any class filter (a wall-to-wall map).

The geometries feed :func:`areal.geo.coverage.classify_area`, which tells *hit*, *no hit* and
*not mapped* apart.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from areal.geo.crs import WORKING_CRS
from areal.geo.errors import LayerMissingError, UnknownNameError
from areal.layers import registry, settings
from areal.layers._base import LayerSpec
from shapely.geometry.base import BaseGeometry

SIDECAR_SUFFIX = ".coverage.geojson"


@dataclass(frozen=True)
class LayerCoverage:
    """Where one layer is mapped.

    Attributes
    ----------
    layer : str
    available : bool
        False when the layer is missing (then it is mapped nowhere).
    geometry : shapely geometry or None
        The covered area in EPSG:25833; None = everywhere (no county polygon to bound it).
    kind : str
        ``"county"``, ``"municipalities"``, ``"features"``, ``"sidecar"`` or ``"missing"``.
    municipalities : tuple of str
        The municipality numbers, for ``municipalities`` coverage.
    description : str
        One line for reports (English; the apps translate the kind).
    """

    layer: str
    available: bool
    geometry: BaseGeometry | None
    kind: str
    municipalities: tuple[str, ...] = field(default=())
    description: str = ""


def sidecar_path(source: str | os.PathLike) -> Path:
    """The coverage file beside a source file (``ar5_5001.gpkg`` → ``ar5_5001.gpkg.coverage.geojson``)."""
    p = Path(source)
    return p.with_name(p.name + SIDECAR_SUFFIX)


def write_sidecar(
    source: str | os.PathLike, geometry: BaseGeometry, *, description: str, municipalities=()
) -> Path:
    """Record the area a fetch covered beside its file (EPSG:25833 GeoJSON, one feature).

    >>> import tempfile
    >>> from shapely.geometry import box
    >>> d = Path(tempfile.mkdtemp())
    >>> p = write_sidecar(d / "x.gpkg", box(0, 0, 10, 10), description="bbox 0,0,10,10")
    >>> read_sidecar(p)[0].area, read_sidecar(p)[1]
    (100.0, 'bbox 0,0,10,10')
    """
    path = sidecar_path(source)
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25833"}},
        "features": [
            {
                "type": "Feature",
                "properties": {"description": description, "municipalities": list(municipalities)},
                "geometry": json.loads(shapely.to_geojson(geometry)),
            }
        ],
    }
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc), encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_sidecar(path: Path) -> tuple[BaseGeometry, str, tuple[str, ...]]:
    """Geometry, description and municipality numbers of a coverage file."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    feats = doc.get("features") or []
    if not feats:
        raise ValueError(f"{path}: coverage file holds no feature")
    geom = shapely.union_all([shapely.from_geojson(json.dumps(f["geometry"])) for f in feats])
    props = feats[0].get("properties") or {}
    return geom, str(props.get("description", "")), tuple(str(m) for m in props.get("municipalities") or ())


def _stem_pattern(spec: LayerSpec) -> re.Pattern | None:
    """The file-name pattern of a per-municipality fetch (``ar5_{kommunenummer}.gpkg`` → 4 digits)."""
    if spec.fetch is None or "{kommunenummer}" not in spec.fetch.target:
        return None
    stem = Path(spec.fetch.target).stem
    return re.compile("^" + re.escape(stem).replace(re.escape("{kommunenummer}"), r"(\d{4})") + "$")


def _municipality_numbers(files: list[Path], spec: LayerSpec) -> list[str] | None:
    """Municipality numbers from the fetched files' names; None when any file is not named so."""
    pat = _stem_pattern(spec)
    if pat is None:
        return None
    out = []
    for f in files:
        m = pat.match(f.stem)
        if m is None:
            return None  # an imported file: its name does not tell
        out.append(m.group(1))
    return sorted(set(out))


@lru_cache(maxsize=64)
def _features_union(layer_id: str, files: tuple[str, ...], stamps: tuple[float, ...], inner: str | None):
    # cached per source file state: a wall-to-wall county layer is unioned once per run
    from areal.layers.loader import _read_all

    spec = registry.get(layer_id)
    raw = _read_all(spec, [Path(f) for f in files], inner, f"layer {layer_id!r}")
    if raw.crs is not None and not raw.crs.equals(WORKING_CRS):
        raw = raw.to_crs(WORKING_CRS)
    g = np.asarray(raw.geometry.values)
    g = shapely.make_valid(g[~(shapely.is_missing(g) | shapely.is_empty(g))])
    return shapely.union_all(g)


def _county(data_dir: Path) -> BaseGeometry | None:
    from areal.layers import loader

    try:
        county = loader.load("county", data_dir)
    except LayerMissingError:
        return None
    return shapely.union_all(np.asarray(county.geometry.values))


def _municipality_union(numbers: list[str], data_dir: Path) -> BaseGeometry | None:
    from areal.layers import loader

    try:
        munis = loader.load("municipalities_sea", data_dir)
    except LayerMissingError:
        return None
    sel = munis[munis["kommunenummer"].astype(str).isin(numbers)]
    return shapely.union_all(np.asarray(sel.geometry.values))


def coverage_geometry(
    layer: str | LayerSpec,
    data_dir: str | os.PathLike | None = None,
    *,
    frame: gpd.GeoDataFrame | None = None,
) -> LayerCoverage:
    """Where a layer is mapped, from the files that were fetched or imported.

    Parameters
    ----------
    layer : str or LayerSpec
    data_dir : path, optional
    frame : GeoDataFrame, optional
        The loaded layer, for ``municipalities`` coverage read from its ``kommunenummer`` column.

    Returns
    -------
    LayerCoverage
        ``available=False`` (geometry empty) when the layer has no source at all.
    """
    from areal.layers.loader import COMPOSITES, find_sources, starter_path

    spec = layer if isinstance(layer, LayerSpec) else registry.get(layer)
    ddir = settings.data_dir(data_dir)
    if spec.source.reader in COMPOSITES:
        from areal.layers import loader
        from areal.layers.farmland import coverage_of

        try:
            frame = frame if frame is not None and "coverage" in frame.attrs else loader.load(spec, ddir)
        except LayerMissingError:
            return LayerCoverage(spec.id, False, shapely.Polygon(), "missing", description="layer missing")
        return LayerCoverage(
            spec.id, True, coverage_of(frame), "composite", description="where its sources are mapped"
        )
    files, inner, origin = find_sources(spec, ddir)
    if not files and not starter_path(spec).exists():
        return LayerCoverage(spec.id, False, shapely.Polygon(), "missing", description="layer missing")
    sidecars = [sidecar_path(f) for f in files if sidecar_path(f).exists()]
    if sidecars and len(sidecars) == len(files):
        parts = [read_sidecar(p) for p in sidecars]
        knrs = tuple(sorted({k for _, _, ks in parts for k in ks}))
        return LayerCoverage(
            spec.id,
            True,
            shapely.union_all([g for g, _, _ in parts]),
            "sidecar",
            knrs,
            "; ".join(d for _, d, _ in parts if d),
        )
    kind = spec.coverage.kind
    if kind == "features" and files:
        stamps = tuple(f.stat().st_mtime for f in files)
        geom = _features_union(spec.id, tuple(str(f) for f in files), stamps, inner)
        return LayerCoverage(spec.id, True, geom, "features", description="where the source features are")
    if kind == "municipalities":
        numbers = _municipality_numbers(files, spec) if files else None
        if numbers is None and frame is not None and "kommunenummer" in frame.columns:
            numbers = sorted(set(frame["kommunenummer"].dropna().astype(str)))
        if numbers:
            knrs = tuple(numbers)
            geom = _municipality_union(list(knrs), ddir)
            if geom is not None:
                return LayerCoverage(
                    spec.id, True, geom, "municipalities", tuple(knrs), f"municipalities {', '.join(knrs)}"
                )
    county = _county(ddir)
    return LayerCoverage(spec.id, True, county, "county", description="the whole county")


def coverages(
    layer_ids, data_dir: str | os.PathLike | None = None, frames=None
) -> dict[str, BaseGeometry | None]:
    """Coverage geometries of the available layers among ``layer_ids`` (missing layers left out)."""
    frames = frames or {}
    out = {}
    for lid in layer_ids:
        try:
            spec = registry.get(lid)
        except UnknownNameError:  # a rule may name a layer outside the catalogue
            continue
        cov = coverage_geometry(spec, data_dir, frame=frames.get(lid))
        if cov.available:
            out[lid] = cov.geometry
    return out
