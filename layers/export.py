"""Writing cleaned layers and results to files, atomically and without destroying what is there.

Rules every writer here follows:

* **Atomic**: the output is written to a temporary file in the destination folder and moved into
  place with :func:`os.replace`; on failure the temporary file is removed and the destination is
  untouched. A half-written file never appears under the final name.
* **A GeoPackage keeps its other layers**: writing layer ``L`` into an existing GeoPackage copies
  the file, replaces (or adds) only ``L`` in the copy, checks that every other layer is still
  there, and moves the copy into place. Importing one layer into the N1000 GeoPackage leaves its
  other 22 layers as they were.
* **A backup of what is replaced**: before an existing file (or an existing layer of a GeoPackage)
  is replaced, the old file is copied to ``<folder>/.areal-backup/<file name>.<UTC time>``; the
  last :data:`KEEP_BACKUPS` backups of each file are kept.
* **Tables are tables**: a frame without geometries (a plain DataFrame, or a GeoDataFrame whose
  geometries are all missing) is written to a GeoPackage as an attribute table (no geometry
  column, ``data_type = 'attributes'`` in ``gpkg_contents``), not as a feature table.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator, Mapping

import geopandas as gpd
import pandas as pd
import pyogrio

BACKUP_DIR = ".areal-backup"
"""Folder (next to the file) holding backups of replaced files."""

KEEP_BACKUPS = 5
"""Backups kept per file name (older ones are deleted)."""


def backup_path(path: Path) -> Path:
    """Where :func:`backup` puts a copy of ``path`` now."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    base = path.parent / BACKUP_DIR / f"{path.name}.{stamp}"
    out, n = base, 1
    while out.exists():
        out = base.with_name(f"{base.name}-{n}")
        n += 1
    return out


def backup(path: str | os.PathLike) -> Path | None:
    """Copy an existing file to ``.areal-backup/`` next to it (keeping the last :data:`KEEP_BACKUPS`)."""
    path = Path(path)
    if not path.is_file():
        return None
    dest = backup_path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, dest)
    olds = sorted(dest.parent.glob(f"{path.name}.*"), key=lambda p: p.stat().st_mtime)
    for old in olds[:-KEEP_BACKUPS]:
        old.unlink(missing_ok=True)
    return dest


@contextlib.contextmanager
def atomic_path(out: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """A temporary path next to ``out`` that becomes ``out`` when the block succeeds.

    On an exception the temporary file is removed and ``out`` is left as it was.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".tmp-", suffix=suffix or out.suffix)
    os.close(fd)
    os.unlink(tmp)  # the writers create the file themselves
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, out)
    finally:
        tmp_path.unlink(missing_ok=True)


WRITABLE = (".gpkg", ".geojson", ".json", ".fgb", ".parquet", ".csv")
"""File extensions :func:`write_frame` writes."""


def check_suffix(out: str | os.PathLike, allowed: tuple[str, ...] = WRITABLE) -> Path:
    """``out`` as a Path when its extension is one of ``allowed``, else a ValueError naming the file.

    Checked before anything is written, so the message names the file the user asked for (never
    the temporary file the writer uses).

    Examples
    --------
    >>> check_suffix("sites.gpkg").name
    'sites.gpkg'
    >>> check_suffix("x.shp")
    Traceback (most recent call last):
    ...
    ValueError: cannot write x.shp: unknown extension '.shp'; use .gpkg, .geojson, .json, .fgb, .parquet or .csv
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in allowed:
        known = ", ".join(allowed[:-1]) + (" or " if len(allowed) > 1 else "") + allowed[-1]
        raise ValueError(f"cannot write {out.name}: unknown extension {suffix or '(none)'!r}; use {known}")
    return out


def _is_table(df: pd.DataFrame) -> bool:
    if not isinstance(df, gpd.GeoDataFrame):
        return True
    if df._geometry_column_name not in df.columns:
        return True
    return len(df) > 0 and bool(df.geometry.isna().all())


def _gpkg_layers(path: Path) -> list[str]:
    return [str(n) for n, _ in pyogrio.list_layers(path)]


def write_frame(
    df: pd.DataFrame,
    out: str | os.PathLike,
    layer: str | None = None,
    mode: str = "w",
    *,
    keep_backup: bool = True,
) -> Path:
    """Write a (Geo)DataFrame by extension: ``.gpkg`` (named layer), ``.geojson``, ``.parquet``, ``.csv``.

    Parameters
    ----------
    df : DataFrame or GeoDataFrame
        A frame without geometries goes into a GeoPackage as an attribute table.
    out : path
        Destination file.
    layer : str, optional
        Layer name in a GeoPackage (default: the file's stem).
    mode : {"w", "a"}
        ``"w"`` replaces the layer (or the whole file for single-layer formats); ``"a"`` appends
        the rows to the layer (creating it when absent). Either way the other layers of an
        existing GeoPackage are kept.
    keep_backup : bool
        Copy what is replaced to ``.areal-backup/`` first.

    Returns
    -------
    Path
    """
    out = check_suffix(out)
    suffix = out.suffix.lower()
    if suffix == ".gpkg" and out.exists():
        return _write_into_gpkg(df, out, layer or out.stem, append=(mode == "a"), keep_backup=keep_backup)
    with atomic_path(out) as tmp:
        _write(df, tmp, suffix, layer)
        if out.exists() and keep_backup:
            backup(out)
    return out


def write_csv(df: pd.DataFrame, out: str | os.PathLike, **to_csv: Any) -> Path:
    """Write a table as CSV atomically: :meth:`pandas.DataFrame.to_csv` options as keywords.

    A geometry column is left out. Used for every CSV the command line writes (``--csv``,
    ``--out x.csv``), so a failed run leaves the previous file, never half a table.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_csv(pd.DataFrame({"a": [1.5, None]}), d / "t.csv", index=False, na_rep="NA").read_text().split()
    ['a', '1.5', 'NA']
    """
    out = check_suffix(out, (".csv",))
    if isinstance(df, gpd.GeoDataFrame) and df._geometry_column_name in df.columns:
        df = pd.DataFrame(df.drop(columns=df.geometry.name))
    with atomic_path(out) as tmp:
        df.to_csv(tmp, **to_csv)
    return out


def write_layers(layers: Mapping[str, pd.DataFrame], out: str | os.PathLike) -> Path:
    """Write several layers as one new GeoPackage, atomically (the whole file, then one move).

    Used for result files (``areal conflicts --out``): ``out`` is replaced as a whole, and no
    reader ever sees a GeoPackage with only some of its layers.
    """
    out = check_suffix(out, (".gpkg",))
    with atomic_path(out) as tmp:
        for name, df in layers.items():
            _write(df, tmp, ".gpkg", name, append=False)
    return out


def _write_into_gpkg(df: pd.DataFrame, out: Path, layer: str, *, append: bool, keep_backup: bool) -> Path:
    before = _gpkg_layers(out)
    with atomic_path(out) as tmp:
        shutil.copy2(out, tmp)
        _write(df, tmp, ".gpkg", layer, append=append)
        after = set(_gpkg_layers(tmp))
        lost = [n for n in before if n not in after]
        if lost or layer not in after:
            raise OSError(
                f"writing layer {layer!r} into {out} would lose layer(s) {lost}; {out} was left unchanged"
            )
        if keep_backup and (layer in before):
            backup(out)
    return out


def _write(df: pd.DataFrame, path: Path, suffix: str, layer: str | None, append: bool = False) -> None:
    is_geo = isinstance(df, gpd.GeoDataFrame)
    if suffix == ".csv":
        (pd.DataFrame(df.drop(columns=df.geometry.name)) if is_geo else df).to_csv(path, index=False)
    elif suffix == ".parquet":
        df.to_parquet(path)
    elif suffix == ".gpkg" and _is_table(df):
        table = (
            pd.DataFrame(df.drop(columns=df.geometry.name))
            if is_geo and df._geometry_column_name in df
            else df
        )
        pyogrio.write_dataframe(
            pd.DataFrame(table), path, layer=layer or path.stem, driver="GPKG", append=append
        )
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

    Uses :data:`areal.geo.grid.COG_PROFILE` (float32, NaN nodata, deflate, 256-pixel tiles, overviews)
    unless ``profile`` overrides keys. Written to a temporary file and moved into place.
    """
    import numpy as np
    import rasterio
    from areal.geo.grid import COG_PROFILE, check_same_grid

    check_same_grid(array, names=["raster"], grid=grid)
    prof = {**COG_PROFILE, **(profile or {})}
    prof.update(
        width=grid.width, height=grid.height, count=1, crs=grid.crs.to_wkt(), transform=grid.transform
    )
    with atomic_path(out, ".tif") as tmp:
        with rasterio.open(tmp, "w", **prof) as dst:
            dst.write(np.asarray(array, dtype=prof["dtype"]), 1)
            if tags:
                dst.update_tags(**{k: str(v) for k, v in tags.items()})
        os.chmod(tmp, 0o644)
    return Path(out)


def tiled_writer(grid, out: str | os.PathLike, *, tags: dict | None = None):
    """Open a tiled GeoTIFF (:data:`areal.geo.grid.TILED_GTIFF_PROFILE`) on ``grid`` for windowed writing.

    Returns ``(dataset, sink)``: ``sink(window, array)`` writes one tile; close the dataset, then
    :func:`to_cog` turns the file into a COG with overviews. ``out`` is a scratch file: the caller
    removes it (see :func:`tiled_cog`, which does all of this and cleans up on failure).
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


@contextlib.contextmanager
def tiled_cog(grid, out: str | os.PathLike, *, tags: dict | None = None):
    """Windowed writing straight to a COG: ``with tiled_cog(grid, out) as sink: sink(window, array)``.

    The tiles go to a hidden scratch file next to ``out``; when the block succeeds it becomes the
    COG ``out`` (atomically); on failure, or after the conversion, the scratch file is removed.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(dir=out.parent, prefix=".tmp-tiles-", suffix=".tif")
    os.close(fd)
    scratch_path = Path(scratch)
    dst = None
    try:
        dst, sink = tiled_writer(grid, scratch_path, tags=tags)
        yield sink
        dst.close()
        dst = None
        to_cog(scratch_path, out)
    finally:
        if dst is not None:
            dst.close()
        scratch_path.unlink(missing_ok=True)


def to_cog(src: str | os.PathLike, out: str | os.PathLike) -> Path:
    """Convert a GeoTIFF to a cloud-optimised GeoTIFF with overviews (GDAL ``COG`` driver), atomically."""
    from areal.geo.grid import COG_PROFILE
    from rasterio.shutil import copy

    opts = {k: v for k, v in COG_PROFILE.items() if k not in ("driver", "dtype", "nodata")}
    with atomic_path(out, ".tif") as tmp:
        copy(str(src), str(tmp), driver="COG", **opts)
    return Path(out)
