"""Writing cleaned layers and results to files (atomic: a half-written file never appears)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd


def write_frame(df: pd.DataFrame, out: str | os.PathLike, layer: str | None = None, mode: str = "w") -> Path:
    """Write a (Geo)DataFrame by extension: ``.gpkg`` (named layer), ``.geojson``, ``.parquet``, ``.csv``.

    For a new file the output is written to a temporary file next to it and moved into place.
    With ``mode="a"`` a layer is added to an existing GeoPackage.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    suffix = out.suffix.lower()
    if mode == "a" and suffix == ".gpkg" and out.exists():
        _write(df, out, suffix, layer, append=True)
        return out
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".tmp-", suffix=suffix)
    os.close(fd)
    os.unlink(tmp)
    try:
        _write(df, Path(tmp), suffix, layer)
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return out


def _write(df: pd.DataFrame, path: Path, suffix: str, layer: str | None, append: bool = False) -> None:
    is_geo = isinstance(df, gpd.GeoDataFrame)
    if suffix == ".csv":
        (df.drop(columns=df.geometry.name) if is_geo else df).to_csv(path, index=False)
    elif suffix == ".parquet":
        df.to_parquet(path)
    elif suffix in (".gpkg", ".geojson", ".json", ".fgb"):
        if not is_geo:
            df = gpd.GeoDataFrame(df, geometry=[None] * len(df))
        driver = {".gpkg": "GPKG", ".fgb": "FlatGeobuf"}.get(suffix, "GeoJSON")
        kw = {"layer": layer} if driver == "GPKG" and layer else {}
        if driver == "GeoJSON":
            df = df.to_crs(4326) if df.crs is not None else df
        df.to_file(path, driver=driver, engine="pyogrio", append=append, **kw)
    else:
        raise ValueError(f"cannot write {path.name}: unknown extension {suffix!r}; use .gpkg, .geojson, .parquet or .csv")
