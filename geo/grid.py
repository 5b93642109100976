"""The analysis grid: one frozen object holding CRS, origin, resolution and shape.

Every raster of the suitability engine lives on an :class:`AnalysisGrid`. Vectors are burnt onto
it with :func:`rasterize` (every rasterio choice explicit), arrays entering an overlay are checked
with :func:`check_same_grid`, and :meth:`AnalysisGrid.windows` hands out tiles (with a halo) for
chunked work. A window of a grid is itself an :class:`AnalysisGrid` (:meth:`AnalysisGrid.subgrid`),
so the tiled path runs exactly the same code as the in-memory path.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine
from areal.geo.crs import WORKING_CRS, require_crs, same_crs
from areal.geo.errors import CRSMismatchError, GridMismatchError
from pyproj import CRS
from rasterio import features

#: Output profile of every GeoTIFF the engine writes: a cloud-optimised GeoTIFF (GDAL ``COG``
#: driver), float32 scores with NaN as nodata, deflate-compressed 256-pixel tiles and overviews.
COG_PROFILE: dict = {
    "driver": "COG",
    "dtype": "float32",
    "nodata": float("nan"),
    "compress": "DEFLATE",
    "predictor": 3,
    "blocksize": 256,
    "overviews": "AUTO",
    "overview_resampling": "average",
    "bigtiff": "IF_SAFER",
}

#: Profile of the intermediate tiled GeoTIFF a windowed run streams into before COG conversion.
TILED_GTIFF_PROFILE: dict = {
    "driver": "GTiff",
    "dtype": "float32",
    "nodata": float("nan"),
    "tiled": True,
    "blockxsize": 512,
    "blockysize": 512,
    "compress": "DEFLATE",
    "predictor": 3,
    "bigtiff": "IF_SAFER",
}


@dataclass(frozen=True)
class Window:
    """A tile of a grid and the larger read window (tile plus halo) it needs.

    Attributes
    ----------
    row, col, height, width : int
        The tile (cells written by this window), in grid cells.
    halo_row, halo_col, halo_height, halo_width : int
        The read window (tile grown by the halo, clipped to the grid).
    """

    row: int
    col: int
    height: int
    width: int
    halo_row: int
    halo_col: int
    halo_height: int
    halo_width: int

    @property
    def inner(self) -> tuple[slice, slice]:
        """Slices of the tile inside the read window."""
        r0 = self.row - self.halo_row
        c0 = self.col - self.halo_col
        return slice(r0, r0 + self.height), slice(c0, c0 + self.width)

    @property
    def slices(self) -> tuple[slice, slice]:
        """Slices of the tile in the full grid."""
        return slice(self.row, self.row + self.height), slice(self.col, self.col + self.width)


@dataclass(frozen=True)
class AnalysisGrid:
    """A north-up raster grid in a projected CRS.

    Parameters
    ----------
    crs : pyproj.CRS or str
        Projected CRS (the project works in EPSG:25833).
    res : float
        Cell size in metres.
    bounds : tuple of float
        ``(xmin, ymin, xmax, ymax)``; snapped outwards to multiples of ``res`` so grids of the
        same resolution always share cell edges.

    Examples
    --------
    >>> g = AnalysisGrid("EPSG:25833", 100, (1010.0, 2020.0, 1390.0, 2250.0))
    >>> g.bounds, g.shape
    ((1000.0, 2000.0, 1400.0, 2300.0), (3, 4))
    """

    crs: CRS
    res: float
    bounds: tuple[float, float, float, float]

    def __post_init__(self) -> None:
        crs = CRS.from_user_input(self.crs)
        if not crs.is_projected:
            raise CRSMismatchError(f"AnalysisGrid needs a projected CRS in metres, got {crs.to_string()}")
        res = float(self.res)
        if not (res > 0 and math.isfinite(res)):
            raise ValueError(
                f"AnalysisGrid: resolution must be a positive number of metres, got {self.res!r}"
            )
        xmin, ymin, xmax, ymax = (float(v) for v in self.bounds)
        if not (xmax > xmin and ymax > ymin):
            raise ValueError(f"AnalysisGrid: empty bounds {self.bounds!r} (need xmax > xmin and ymax > ymin)")
        snapped = (
            math.floor(xmin / res) * res,
            math.floor(ymin / res) * res,
            math.ceil(xmax / res) * res,
            math.ceil(ymax / res) * res,
        )
        object.__setattr__(self, "crs", crs)
        object.__setattr__(self, "res", res)
        object.__setattr__(self, "bounds", snapped)

    # ------------------------------------------------------------ construction

    @classmethod
    def for_region(
        cls, region: gpd.GeoDataFrame, res: float = 100.0, crs: CRS | str | None = None
    ) -> AnalysisGrid:
        """Grid covering the bounding box of ``region`` (for example the county polygon).

        Parameters
        ----------
        region : GeoDataFrame
            Area to cover; reprojected to ``crs`` (default: the working CRS) when needed.
        res : float
            Cell size in metres (default 100).
        """
        crs = CRS.from_user_input(crs) if crs is not None else WORKING_CRS
        require_crs(region, "region")
        if not CRS.from_user_input(region.crs).equals(crs):
            region = region.to_crs(crs)
        xmin, ymin, xmax, ymax = (float(v) for v in region.total_bounds)
        return cls(crs, res, (xmin, ymin, xmax, ymax))

    # ------------------------------------------------------------ geometry of the grid

    @property
    def width(self) -> int:
        """Number of columns."""
        return int(round((self.bounds[2] - self.bounds[0]) / self.res))

    @property
    def height(self) -> int:
        """Number of rows."""
        return int(round((self.bounds[3] - self.bounds[1]) / self.res))

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)``."""
        return self.height, self.width

    @property
    def transform(self) -> Affine:
        """Affine transform of the upper-left corner (north-up)."""
        return Affine(self.res, 0.0, self.bounds[0], 0.0, -self.res, self.bounds[3])

    @property
    def cell_area(self) -> float:
        """Area of one cell in m²."""
        return self.res * self.res

    @property
    def key(self) -> str:
        """Stable text key (CRS, resolution, bounds), used in cache keys."""
        epsg = self.crs.to_epsg()
        crs = f"EPSG:{epsg}" if epsg else self.crs.to_wkt()
        return f"{crs}|{self.res:g}|" + ",".join(f"{v:.3f}" for v in self.bounds)

    def subgrid(self, row: int, col: int, height: int, width: int) -> AnalysisGrid:
        """The grid of a window of this grid (same CRS, resolution and cell edges)."""
        if height <= 0 or width <= 0:
            raise ValueError(f"subgrid: window height and width must be > 0, got {height}×{width}")
        x0 = self.bounds[0] + col * self.res
        y1 = self.bounds[3] - row * self.res
        return AnalysisGrid(self.crs, self.res, (x0, y1 - height * self.res, x0 + width * self.res, y1))

    def windows(self, tile: int = 1024, halo: int = 0) -> Iterator[Window]:
        """Tiles of ``tile × tile`` cells covering the grid, each with a read window grown by ``halo``.

        Parameters
        ----------
        tile : int
            Tile size in cells.
        halo : int
            Cells added on every side of the read window (clipped to the grid), for operations
            that look at neighbours (distances up to a cap, slope).
        """
        if tile <= 0:
            raise ValueError(f"windows: tile must be > 0 cells, got {tile}")
        if halo < 0:
            raise ValueError(f"windows: halo must be >= 0 cells, got {halo}")
        h, w = self.shape
        for r in range(0, h, tile):
            for c in range(0, w, tile):
                th, tw = min(tile, h - r), min(tile, w - c)
                hr, hc = max(0, r - halo), max(0, c - halo)
                he, we = min(h, r + th + halo), min(w, c + tw + halo)
                yield Window(r, c, th, tw, hr, hc, he - hr, we - hc)

    def cell_centres(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """X and y of the centres of the given cells."""
        x = self.bounds[0] + (np.asarray(cols) + 0.5) * self.res
        y = self.bounds[3] - (np.asarray(rows) + 0.5) * self.res
        return x, y


# ------------------------------------------------------------------ rasterising


def rasterize(
    gdf: gpd.GeoDataFrame,
    grid: AnalysisGrid,
    *,
    all_touched: bool,
    values: np.ndarray | float = 1,
    fill: float = 0,
    dtype: str = "uint8",
    merge_alg: str = "replace",
    what: str = "layer",
) -> np.ndarray:
    """Burn the geometries of ``gdf`` onto ``grid``.

    Parameters
    ----------
    gdf : GeoDataFrame
        Features in the grid's CRS (a mismatch raises).
    grid : AnalysisGrid
    all_touched : bool
        ``True``: every cell a geometry touches is burnt (use for lines and points, and for
        exclusions that must not leak); ``False``: only cells whose centre is inside.
    values : scalar or array
        Value burnt per feature.
    fill : float
        Value of untouched cells.
    dtype : str
        Output dtype.
    merge_alg : {"replace", "add"}
        How overlapping features combine.
    what : str
        Layer name used in error messages.

    Returns
    -------
    ndarray of shape ``grid.shape``
    """
    out = np.full(grid.shape, fill, dtype=dtype)
    if gdf is None or len(gdf) == 0:
        return out
    crs = require_crs(gdf, what)
    if not same_crs(crs, CRS.from_user_input(grid.crs)):
        raise CRSMismatchError(
            f"rasterize: {what} is in {crs.to_string()} but the grid is in {grid.crs.to_string()}; "
            f"use `.to_crs({grid.crs.to_string()!r})` first"
        )
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    vals = np.broadcast_to(np.asarray(values), (len(geoms),))
    # Only features touching the grid (plus one cell) are handed to GDAL: cheap for small tiles.
    # The frame's spatial index (built once, then cached on the frame) avoids testing every feature.
    env = shapely.box(*grid.bounds).buffer(grid.res, join_style="mitre")
    keep = np.sort(gdf.sindex.query(env, predicate="intersects"))
    keep = keep[~shapely.is_empty(geoms[keep])]
    if not len(keep):
        return out
    geoms = _clip_large(geoms[keep], grid)
    vals = vals[keep]
    keep = np.flatnonzero(~shapely.is_empty(geoms))
    if not len(keep):
        return out
    alg = {"replace": features.MergeAlg.replace, "add": features.MergeAlg.add}
    if merge_alg not in alg:
        raise ValueError(f"rasterize: merge_alg {merge_alg!r} is not one of {sorted(alg)}")
    features.rasterize(
        zip(geoms[keep], vals[keep]),
        out_shape=grid.shape,
        transform=grid.transform,
        fill=fill,
        all_touched=all_touched,
        merge_alg=alg[merge_alg],
        dtype=dtype,
        out=out,
    )
    return out


_CLIP_MIN_VERTICES = 256
"""Geometries with more vertices than this are cut to the grid before rasterising."""


def _clip_large(geoms: np.ndarray, grid: AnalysisGrid) -> np.ndarray:
    """Cut large geometries to the grid grown by two cells (same burnt cells, far fewer vertices).

    rasterio hands every geometry to GDAL through its GeoJSON mapping, vertex by vertex in
    Python; a county-wide forest polygon rasterised into a 2048-cell tile would pay for all its
    vertices in every tile. Cut to a box two cells larger than the grid, the part inside the
    grid is the same, so the same cells are burnt (edges of the box lie outside the grid).
    """
    n = shapely.get_num_coordinates(geoms)
    big = np.flatnonzero(n > _CLIP_MIN_VERTICES)
    if len(big) == 0:
        return geoms
    m = 2 * grid.res
    x0, y0, x1, y1 = grid.bounds
    bb = shapely.bounds(geoms[big])
    # only geometries reaching beyond the box gain anything
    out_of = (bb[:, 0] < x0 - m) | (bb[:, 1] < y0 - m) | (bb[:, 2] > x1 + m) | (bb[:, 3] > y1 + m)
    big = big[out_of]
    if len(big) == 0:
        return geoms
    geoms = geoms.copy()
    geoms[big] = shapely.clip_by_rect(geoms[big], x0 - m, y0 - m, x1 + m, y1 + m)
    return geoms


def land_mask(region: gpd.GeoDataFrame, grid: AnalysisGrid, *, all_touched: bool = False) -> np.ndarray:
    """Boolean mask of the cells whose centre lies on land (inside ``region``).

    ``region`` is a land polygon layer (for example the land-only municipalities).
    """
    return rasterize(region, grid, all_touched=all_touched, what="land region").astype(bool)


def check_same_grid(
    *arrays: np.ndarray, names: tuple[str, ...] | list[str] | None = None, grid: AnalysisGrid | None = None
) -> tuple[int, int]:
    """Check that all arrays share one 2-D shape (and that of ``grid`` when given).

    Raises
    ------
    GridMismatchError
        Naming both layers and both shapes.

    Examples
    --------
    >>> check_same_grid(np.zeros((2, 3)), np.zeros((3, 2)), names=("roads", "lakes"))
    Traceback (most recent call last):
    ...
    areal.geo.errors.GridMismatchError: arrays are not on the same grid: 'roads' has shape (2, 3) but 'lakes' has shape (3, 2)
    """
    names = list(names) if names is not None else [f"array {i}" for i in range(len(arrays))]
    if len(names) != len(arrays):
        raise ValueError(f"check_same_grid: {len(arrays)} arrays but {len(names)} names")
    ref_shape, ref_name = (grid.shape, f"grid ({grid.res:g} m)") if grid is not None else (None, None)
    for arr, name in zip(arrays, names):
        shape = tuple(np.shape(arr))
        if len(shape) != 2:
            raise GridMismatchError(f"{name!r} is not a 2-D raster: shape {shape}")
        if ref_shape is None:
            ref_shape, ref_name = shape, name
        elif shape != ref_shape:
            raise GridMismatchError(
                f"arrays are not on the same grid: {ref_name!r} has shape {ref_shape} but {name!r} has shape {shape}"
            )
    if ref_shape is None:
        raise ValueError("check_same_grid: no arrays and no grid")
    return ref_shape
