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
        raise ValueError(
            f"cannot write {path.name}: unknown extension {suffix!r}; use .gpkg, .geojson, .parquet or .csv"
        )


def write_cog(
    array, grid, out: str | os.PathLike, *, tags: dict | None = None, profile: dict | None = None
) -> Path:
    """Write a 2-D array on an :class:`~areal.geo.grid.AnalysisGrid` as a cloud-optimised GeoTIFF.

    Uses :data:`areal.geo.grid.COG_PROFILE` (float32, NaN nodata, deflate, 512-pixel tiles, overviews)
    unless ``profile`` overrides keys. Written to a temporary file and moved into place.
    """
    import numpy as np
    import rasterio
    from areal.geo.grid import COG_PROFILE, check_same_grid

    check_same_grid(array, names=["raster"], grid=grid)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    prof = {**COG_PROFILE, **(profile or {})}
    prof.update(
        width=grid.width, height=grid.height, count=1, crs=grid.crs.to_wkt(), transform=grid.transform
    )
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".tmp-", suffix=".tif")
    os.close(fd)
    try:
        with rasterio.open(tmp, "w", **prof) as dst:
            dst.write(np.asarray(array, dtype=prof["dtype"]), 1)
            if tags:
                dst.update_tags(**{k: str(v) for k, v in tags.items()})
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return out


def tiled_writer(grid, out: str | os.PathLike, *, tags: dict | None = None):
    """Open a tiled GeoTIFF (:data:`areal.geo.grid.TILED_GTIFF_PROFILE`) on ``grid`` for windowed writing.

    Returns ``(dataset, sink)``: ``sink(window, array)`` writes one tile; close the dataset, then
    :func:`to_cog` turns the file into a COG with overviews.
    """
    import rasterio
    from areal.geo.grid import TILED_GTIFF_PROFILE
    from rasterio.windows import Window

    prof = {
        **TILED_GTIFF_PROFILE,
        "width": grid.width,
        "height": grid.height,
        "count": 1,
        "crs": grid.crs.to_wkt(),
        "transform": grid.transform,
    }
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    dst = rasterio.open(out, "w", **prof)
    if tags:
        dst.update_tags(**{k: str(v) for k, v in tags.items()})

    def sink(win, arr) -> None:
        dst.write(arr, 1, window=Window(win.col, win.row, win.width, win.height))

    return dst, sink


def to_cog(src: str | os.PathLike, out: str | os.PathLike) -> Path:
    """Convert a GeoTIFF to a cloud-optimised GeoTIFF with overviews (GDAL ``COG`` driver, streamed)."""
    from areal.geo.grid import COG_PROFILE
    from rasterio.shutil import copy

    opts = {k: v for k, v in COG_PROFILE.items() if k not in ("driver", "dtype", "nodata")}
    copy(str(src), str(out), driver="COG", **opts)
    return Path(out)
