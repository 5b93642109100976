"""The layer cache on disk: GeoParquet 1.1 with bbox covering columns and spatially sorted row groups.

A layer written by :func:`write_sorted` can be read whole (:func:`read_layer`, in its original row
order), by window (:meth:`ParquetSource.window`: a ``bbox`` filter on the covering column, so only
the row groups whose statistics meet the window are read), or streamed row by row number
(:meth:`ParquetSource.take`, the source interface of :func:`areal.geo.overlay.flat_overlay`).

* Rows are sorted along a Hilbert curve of their envelope centres (:func:`areal.geo.overlay.hilbert_key`)
  and written in row groups of :data:`ROW_GROUP_ROWS`, so a window touches few row groups.
* The ``bbox`` struct column (``xmin, ymin, xmax, ymax``, GeoParquet 1.1 ``covering``) gives every
  row's envelope without decoding a geometry; the statistics of its four fields prune row groups.
* The column :data:`ROW_COLUMN` keeps the row's number in the frame that was written, so a whole
  read gives back the original order (exports and tests see the same layer as before caching).

geopandas >= 1.0 writes (``write_covering_bbox=True``) and reads (``read_parquet(bbox=...)``) this;
pyarrow >= 14 reads the row-group statistics.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyarrow.parquet as pq
import shapely

ROW_GROUP_ROWS = 16_384
"""Rows per row group: small enough that a window reads little, large enough for fast scans."""

ROW_COLUMN = "_areal_row"
"""Column holding each row's number in the frame as written (restores the order on a full read)."""


def write_sorted(
    gdf: gpd.GeoDataFrame, path: str | os.PathLike, *, row_group_rows: int = ROW_GROUP_ROWS
) -> None:
    """Write ``gdf`` as GeoParquet 1.1: Hilbert-sorted rows, bbox covering column, row groups.

    Parameters
    ----------
    gdf : GeoDataFrame
    path : path-like
    row_group_rows : int
        Rows per row group.
    """
    from areal.geo.overlay import hilbert_key

    out = gdf.reset_index(drop=True)
    out[ROW_COLUMN] = np.arange(len(out), dtype=np.int64)
    if len(out):
        b = shapely.bounds(np.asarray(out.geometry.values))
        ok = np.isfinite(b).all(axis=1)
        cx = np.where(ok, (b[:, 0] + b[:, 2]) / 2, np.nan)
        cy = np.where(ok, (b[:, 1] + b[:, 3]) / 2, np.nan)
        if ok.any():
            ext = (np.nanmin(cx), np.nanmin(cy), np.nanmax(cx), np.nanmax(cy))
            key = hilbert_key(np.nan_to_num(cx, nan=ext[0]), np.nan_to_num(cy, nan=ext[1]), ext)
            key[~ok] = np.iinfo(np.uint64).max  # missing/empty geometries last
            out = out.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)
    # no dictionary for the geometry (every WKB is distinct) nor the covering column
    dictionary = [c for c in out.columns if c != out.geometry.name]
    out.to_parquet(
        path,
        write_covering_bbox=True,
        row_group_size=int(row_group_rows),
        schema_version="1.1.0",
        use_dictionary=dictionary,
    )


def read_layer(path: str | os.PathLike, *, bbox: tuple[float, float, float, float] | None = None):
    """Read a layer written by :func:`write_sorted` (whole: in the order written; ``bbox``: the rows meeting it)."""
    gdf = gpd.read_parquet(path, bbox=bbox)
    if ROW_COLUMN in gdf.columns:
        if bbox is None:
            gdf = gdf.sort_values(ROW_COLUMN, kind="stable")
        gdf = gdf.drop(columns=ROW_COLUMN).reset_index(drop=True)
    return gdf


DECODE_CHUNK = 1024
"""Rows per ``shapely.from_wkb`` call (about 1 ms each): short enough for the other thread's turn."""


def from_wkb_chunked(wkb: np.ndarray, chunk: int | None = None) -> np.ndarray:
    """``shapely.from_wkb`` in slices of ``chunk`` rows.

    shapely's WKB reader holds the GIL for the whole call; in slices another thread gets the
    GIL back between them instead of waiting for the whole row group.
    """
    chunk = chunk or DECODE_CHUNK
    if len(wkb) <= chunk:
        return shapely.from_wkb(wkb)
    out = np.empty(len(wkb), dtype=object)
    for i in range(0, len(wkb), chunk):
        out[i : i + chunk] = shapely.from_wkb(wkb[i : i + chunk])
    return out


def decode_wkb(chunks: list) -> np.ndarray:
    """Geometries of WKB chunks (arrow arrays or arrays of bytes), concatenated in order.

    One object array, decoded in slices (:func:`from_wkb_chunked`); missing WKB gives None.
    """
    if not chunks:
        return np.empty(0, dtype=object)
    arrays = [
        c.to_numpy(zero_copy_only=False) if hasattr(c, "to_numpy") else np.asarray(c, object) for c in chunks
    ]
    return from_wkb_chunked(np.concatenate(arrays) if len(arrays) > 1 else arrays[0])


class ParquetSource:
    """A GeoParquet layer as a source of rows: envelopes from the covering column, geometries on demand.

    Pickles as its path only, so a dask worker or a process opens the file itself: a cluster
    task ships a file name and row numbers, never geometries.

    Parameters
    ----------
    path : path-like
        A file written by :func:`write_sorted` (or any GeoParquet 1.1 file with a bbox covering).
    """

    def __init__(self, path: str | os.PathLike):
        self.path = str(Path(path))
        self._open()

    def _open(self) -> None:
        self._local = threading.local()  # one reader per thread: a ParquetFile is not shared
        meta = self._file.metadata
        self._n = meta.num_rows
        sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        self._starts = np.r_[0, np.cumsum(sizes)].astype(np.int64)
        geo = json.loads(self._file.schema_arrow.metadata[b"geo"])
        self.geometry = geo["primary_column"]
        cov = geo["columns"][self.geometry].get("covering", {}).get("bbox")
        self._bbox_column = cov["xmin"][0] if cov else None

    def __getstate__(self) -> dict:
        return {"path": self.path}

    def __setstate__(self, state: dict) -> None:
        self.path = state["path"]
        self._open()

    @property
    def _file(self) -> pq.ParquetFile:
        f = getattr(self._local, "file", None)
        if f is None:
            f = self._local.file = pq.ParquetFile(self.path)
        return f

    def __len__(self) -> int:
        return self._n

    @property
    def row_groups(self) -> int:
        """Number of row groups."""
        return len(self._starts) - 1

    def bounds(self) -> np.ndarray:
        """``(n, 4)`` envelopes (``xmin, ymin, xmax, ymax``) read from the covering column alone."""
        if self._bbox_column is None:
            geoms = shapely.from_wkb(self._file.read(columns=[self.geometry]).column(0).to_numpy(False))
            return shapely.bounds(geoms)
        col = self._file.read(columns=[self._bbox_column]).column(0).combine_chunks()
        return np.column_stack(
            [col.field(k).to_numpy(zero_copy_only=False) for k in ("xmin", "ymin", "xmax", "ymax")]
        ).astype(float)

    def take_wkb(self, rows: np.ndarray) -> list:
        """The WKB of ``rows`` (ascending row numbers) as arrow arrays, in row order.

        Only the row groups holding them are read. Ascending rows lie in ascending row groups,
        so the arrays concatenated are in the order asked for.
        """
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) == 0:
            return []
        group = np.searchsorted(self._starts, rows, side="right") - 1
        cut = np.flatnonzero(np.diff(group)) + 1
        out = []
        for sel in np.split(np.arange(len(rows)), cut):
            g = int(group[sel[0]])
            wkb = self._file.read_row_group(g, columns=[self.geometry]).column(0)
            out.append(wkb.take(rows[sel] - self._starts[g]))
        return out

    def take(self, rows: np.ndarray) -> np.ndarray:
        """Geometries of ``rows`` (ascending row numbers): only their row groups are read."""
        return decode_wkb(self.take_wkb(rows))

    def window(self, bbox: tuple[float, float, float, float], columns: list[str] | None = None):
        """The rows whose envelope meets ``bbox``, as a GeoDataFrame (``read_parquet(bbox=...)``)."""
        cols = None if columns is None else list(dict.fromkeys([*columns, self.geometry]))
        gdf = gpd.read_parquet(self.path, bbox=tuple(float(v) for v in bbox), columns=cols)
        return gdf.drop(columns=[c for c in (ROW_COLUMN,) if c in gdf.columns])

    def __repr__(self) -> str:
        return f"<ParquetSource {self.path}: {self._n:,} rows in {self.row_groups} row groups>"


class SourceSet:
    """Several sources seen as one (the parts of a layer cached per file: AR5 per municipality).

    Rows are numbered part after part; :meth:`take` sends each row to its part.
    """

    def __init__(self, sources):
        self.sources = list(sources)
        self._starts = np.r_[0, np.cumsum([len(s) for s in self.sources])].astype(np.int64)

    def __len__(self) -> int:
        return int(self._starts[-1])

    @property
    def starts(self) -> np.ndarray:
        """First global row number of each part (and the total at the end)."""
        return self._starts

    def bounds(self) -> np.ndarray:
        """Envelopes of every row of every part, ``(n, 4)``."""
        if not self.sources:
            return np.zeros((0, 4))
        return np.concatenate([s.bounds() for s in self.sources])

    def take_wkb(self, rows: np.ndarray) -> list:
        """The WKB of ``rows`` (ascending) as arrow arrays, in row order."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) == 0:
            return []
        part = np.searchsorted(self._starts, rows, side="right") - 1
        cut = np.flatnonzero(np.diff(part)) + 1
        out: list = []
        for sel in np.split(np.arange(len(rows)), cut):
            k = int(part[sel[0]])
            src = self.sources[k]
            if hasattr(src, "take_wkb"):
                out += src.take_wkb(rows[sel] - self._starts[k])
            else:  # a source of geometries (an ArraySource): encode, decoded with the rest
                out.append(shapely.to_wkb(src.take(rows[sel] - self._starts[k])))
        return out

    def take(self, rows: np.ndarray) -> np.ndarray:
        """Geometries of ``rows`` (ascending)."""
        return decode_wkb(self.take_wkb(rows))

    def __repr__(self) -> str:
        return f"<SourceSet of {len(self.sources)} parts, {len(self):,} rows>"
