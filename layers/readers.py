"""Format readers: a file in, a (Geo)DataFrame out, nothing else.

Readers do no validation, reprojection or repair; :mod:`areal.layers.loader` does that the same way
for every format. Every failure is re-raised as a typed error that names the file and layer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from areal.geo.errors import EmptyLayerError, LayerReadError
from areal.layers._base import Source

Reader = Callable[[Path, Source, "str | None", str], "pd.DataFrame"]
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".gml", ".shp", ".zip", ".fgb", ".gdb", ".sos", ".kml")


def read_vector(path: Path, source: Source, layer: str | None, what: str) -> gpd.GeoDataFrame:
    """Read any OGR vector format (GeoJSON, GeoPackage, GML, Shapefile, zipped files, FGDB)."""
    try:
        if layer is not None:
            available = [str(n) for n, _ in pyogrio.list_layers(path)]
            if layer not in available:
                raise LayerReadError(
                    f"{what}: layer {layer!r} not found in {path}; layers in the file are: {', '.join(available)}"
                )
        return pyogrio.read_dataframe(path, layer=layer)
    except LayerReadError:
        raise
    except Exception as exc:  # pyogrio raises DataSourceError, DataLayerError, OSError...
        raise LayerReadError(
            f"{what}: cannot read {path}" + (f" (layer {layer!r})" if layer else "") + f": {exc}"
        ) from exc


def read_parquet(path: Path, source: Source, layer: str | None, what: str) -> gpd.GeoDataFrame:
    """Read GeoParquet."""
    try:
        return gpd.read_parquet(path)
    except Exception as exc:
        raise LayerReadError(f"{what}: cannot read GeoParquet {path}: {exc}") from exc


def read_csv(path: Path, source: Source, layer: str | None, what: str) -> pd.DataFrame:
    """Read a CSV; with ``source.x``/``source.y`` the rows become points (missing coordinates → empty point)."""
    if Path(path).stat().st_size == 0:
        raise EmptyLayerError(f"{what}: {path} is empty")
    try:
        df = pd.read_csv(path, encoding=source.encoding or "utf-8", sep=None, engine="python")
    except UnicodeDecodeError as exc:
        raise LayerReadError(
            f"{what}: {path} is not valid {source.encoding or 'utf-8'} text ({exc.reason} at byte {exc.start})"
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise EmptyLayerError(f"{what}: {path} is empty") from exc
    except Exception as exc:
        raise LayerReadError(f"{what}: cannot read CSV {path}: {exc}") from exc
    df = df.loc[:, [c for c in df.columns if not str(c).startswith("Unnamed:")]]
    if source.x is None:
        return df
    missing = [c for c in (source.x, source.y) if c not in df.columns]
    if missing:
        from areal.geo.errors import LayerValidationError

        raise LayerValidationError(
            f"{what}: {path} lacks the coordinate column(s) {missing}; columns present: {list(df.columns)}",
            [f"missing coordinate column {c!r}" for c in missing],
        )
    x = pd.to_numeric(df[source.x], errors="coerce").to_numpy(float)
    y = pd.to_numeric(df[source.y], errors="coerce").to_numpy(float)
    geoms = shapely.points(x, y)
    geoms[~(np.isfinite(x) & np.isfinite(y))] = None
    return gpd.GeoDataFrame(df, geometry=geoms, crs=None)


GRID_CAPACITY_PARTS = {"points": (0, 4), "areas": (3, 6)}
"""The parts of a WattApp file a layer may take: substations (points) or grid areas (polygons)."""


def read_grid_capacity_jsonld(path: Path, source: Source, layer: str | None, what: str) -> gpd.GeoDataFrame:
    """Read WattApp grid-capacity JSON-LD (a list of GeoJSON-like collections with provenance).

    ``layer`` ``"points"`` keeps the substations, ``"areas"`` the grid-area polygons (a Statnett
    area covers a whole county: drawn as an outline, never a hectare figure); None keeps both.
    """
    if layer is not None and layer not in GRID_CAPACITY_PARTS:
        raise LayerReadError(
            f"{what}: part {layer!r} of a WattApp file is not one of {sorted(GRID_CAPACITY_PARTS)}"
        )
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except Exception as exc:
        raise LayerReadError(f"{what}: cannot parse JSON-LD {path}: {exc}") from exc
    collections = doc if isinstance(doc, list) else [doc]
    rows = []
    for coll in collections:
        if not isinstance(coll, dict) or "features" not in coll:
            raise LayerReadError(f"{what}: {path} holds no 'features' list (is it a WattApp capacity file?)")
        licence = coll.get("dcterms:license")
        for feat in coll["features"]:
            props = dict(feat.get("properties") or {})
            props["feature_id"] = feat.get("id")
            props["licence_url"] = licence if isinstance(licence, str) else json.dumps(licence)
            geom = feat.get("geometry")
            props["geometry"] = shapely.geometry.shape(geom) if geom else None
            rows.append(props)
    if not rows:
        return gpd.GeoDataFrame({"geometry": []}, geometry="geometry")
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=None)
    if layer is not None:
        keep = np.isin(shapely.get_type_id(np.asarray(gdf.geometry.values)), GRID_CAPACITY_PARTS[layer])
        gdf = gdf.loc[keep].reset_index(drop=True)
    return gdf


READERS: dict[str, Reader] = {
    "vector": read_vector,
    "parquet": read_parquet,
    "csv": read_csv,
    "grid_capacity_jsonld": read_grid_capacity_jsonld,
}


def register_reader(name: str, reader: Reader) -> None:
    """Add a special reader (used by catalogue modules with a bespoke format)."""
    READERS[name] = reader


def reader_for(path: Path, source: Source) -> Reader:
    """Pick the reader for a file: the source's named reader, else by extension."""
    if source.reader:
        if source.reader not in READERS:
            raise KeyError(f"no reader named {source.reader!r}; readers are {sorted(READERS)}")
        return READERS[source.reader]
    suffix = path.suffix.lower()
    if suffix == ".parquet" or suffix == ".geoparquet":
        return READERS["parquet"]
    if suffix in (".csv", ".txt"):
        return READERS["csv"]
    return READERS["vector"]
