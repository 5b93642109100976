"""Criterion rasters of a suitability plan: raw values and scores per criterion, exclusion masks.

One per-grid function (:func:`criterion_arrays`) serves the whole-grid model and every tile of a
windowed run. Criteria that vary slowly (distances on a ``distance_res`` lattice, slope of a coarse
elevation model) are computed once on a coarser lattice (:func:`coarse_criteria`) and upsampled by
index arithmetic (:func:`coarse_index`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from areal.geo import criteria as C
from areal.geo.grid import AnalysisGrid, check_same_grid, rasterize
from areal.geo.profiles import Criterion
from areal.geo.suitability_plan import Plan, RasterSource
from pyproj import CRS


def check_distance_res(distance_res: float | None, grid: AnalysisGrid) -> float | None:
    """The coarse distance lattice to use: ``None`` for the grid's own, else a whole multiple of it.

    Raises
    ------
    ValueError
        When ``distance_res`` is not a whole multiple (>= 1) of the grid resolution.

    Examples
    --------
    >>> g = AnalysisGrid(25833, 100, (0, 0, 1000, 1000))
    >>> check_distance_res(None, g), check_distance_res(100, g), check_distance_res(300, g)
    (None, None, 300.0)
    >>> check_distance_res(250, g)
    Traceback (most recent call last):
    ...
    ValueError: distance_res 250 must be a whole multiple of the grid resolution 100 m
    """
    if distance_res is None or float(distance_res) == grid.res:
        return None
    ratio = float(distance_res) / grid.res
    if ratio < 1 or abs(ratio - round(ratio)) > 1e-9:
        raise ValueError(
            f"distance_res {distance_res!r} must be a whole multiple of the grid resolution {grid.res:g} m"
        )
    return float(distance_res)


def coarse_index(cgrid: AnalysisGrid, grid: AnalysisGrid) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of the ``cgrid`` cell holding each row / column centre of ``grid``.

    Index arithmetic only (both grids on one lattice, ``cgrid`` coarser): ``coarse[ri][:, ci]`` is
    ``coarse`` upsampled to ``grid`` by nearest cell.
    """
    x, _ = grid.cell_centres(np.zeros(grid.width, int), np.arange(grid.width))
    _, y = grid.cell_centres(np.arange(grid.height), np.zeros(grid.height, int))
    ci = np.floor((x - cgrid.bounds[0]) / cgrid.res).astype(np.intp)
    ri = np.floor((cgrid.bounds[3] - y) / cgrid.res).astype(np.intp)
    return ri, ci


@dataclass(frozen=True)
class CoarseCriterion:
    """A criterion evaluated once on a coarser lattice: raw values and scores (float32) on ``grid``."""

    grid: AnalysisGrid
    raw: np.ndarray
    score: np.ndarray


def terrain_factor(src: RasterSource, grid: AnalysisGrid) -> int:
    """How many grid cells fit in one cell of the elevation raster (>= 1).

    Slope is computed on a lattice of ``terrain_factor * grid.res``: a 1 km DEM has no 10 m
    detail, so its slope is computed once at 1 km and upsampled by index arithmetic.
    """
    from rasterio.transform import array_bounds
    from rasterio.warp import calculate_default_transform

    h, w = src.size
    if CRS.from_user_input(src.crs).equals(grid.crs):
        size = min(abs(src.transform.a), abs(src.transform.e))
    else:
        t, _, _ = calculate_default_transform(src.crs, grid.crs, w, h, *array_bounds(h, w, src.transform))
        size = min(abs(t.a), abs(t.e))
    return max(1, int(math.floor(size / grid.res + 1e-9)))


def raster_source_on_grid(src: RasterSource, grid: AnalysisGrid) -> np.ndarray:
    """A raster resampled onto ``grid`` (float32, NaN without data), reading only the window it needs."""
    win = src.window(grid.bounds, grid.crs)
    if win is None:
        return np.full(grid.shape, np.nan, dtype=np.float32)
    values, transform = win
    return C.raster_on_grid(values, transform, src.crs, grid, nodata=src.nodata)


def criterion_score(c: Criterion, raw: np.ndarray) -> np.ndarray:
    """Scores (0-1) of a criterion's raw values: its value function; categorical raw values are scores.

    A slope cell without elevation (outside the DEM) scores 0: no terrain penalty is known there.
    """
    if c.kind == "categorical":
        return raw
    if c.value is None:  # profiles.py gives every non-categorical criterion a value function
        raise ValueError(f"criterion {c.id!r} has no value function")
    score = C.apply_value_function(raw, c.value)
    if c.kind == "slope":  # no elevation (outside the DEM): no terrain penalty is known, score 0
        score[np.isnan(score)] = 0
    return score


def coarse_criteria(
    p: Plan,
    grid: AnalysisGrid,
    *,
    cache: C.DistanceCache | None = None,
    digests: Mapping[str, str] | None = None,
    distance_res: float | None = None,
    scheduler=None,
) -> dict[str, CoarseCriterion]:
    """Criteria evaluated once on a coarser lattice than ``grid``, keyed by criterion id.

    * distance criteria when ``distance_res`` (a multiple of the grid resolution) is given:
      distances on that lattice over the whole grid (error below ``distance_res``);
    * slope when the elevation raster is coarser than the grid (:func:`terrain_factor` > 1): the
      DEM is resampled once onto a lattice of its own cell size and slope computed there.

    Each grid cell then takes the coarse cell holding its centre (:func:`coarse_index`); the
    coarse rasters do not depend on how the grid is tiled. Without a ``cache`` the distance
    rasters are computed one per task on ``scheduler`` (:mod:`areal.geo.scheduler`; default the
    calling thread).
    """
    dres = check_distance_res(distance_res, grid)
    out: dict[str, CoarseCriterion] = {}
    dist = [c for c in p.criteria if c.kind == "distance"] if dres else []
    if dist and dres:
        dgrid = AnalysisGrid(grid.crs, dres, grid.bounds)
        if cache is not None:  # the cache is consulted (and filled) in the calling thread
            for c in dist:
                raw = cache.get(
                    p.criterion_frames[c.id],
                    dgrid,
                    cap_m=c.distance_cap,
                    all_touched=True,
                    what=c.layer or c.id,
                    digest=(digests or {}).get(c.id),
                )
                out[c.id] = CoarseCriterion(dgrid, raw, criterion_score(c, raw))
        else:  # one distance raster per task, on the scheduler (independent of each other)
            from areal.geo.scheduler import get_scheduler

            sched = get_scheduler(scheduler if scheduler is not None else "serial")
            items = [(c, p.criterion_frames[c.id]) for c in dist]
            # worker processes on this machine hand their rasters back as mapped files, not copies
            for c, co in zip(dist, sched.map(_coarse_distance, items, shared=(dgrid, sched.scratch()))):
                out[c.id] = co
    for c in p.criteria:
        src = p.criterion_frames[c.id]
        if c.kind == "slope":
            f = terrain_factor(src, grid)
            if f > 1:
                tres = f * grid.res
                # one coarse cell of margin so central differences see neighbours at the grid edge
                tgrid = AnalysisGrid(
                    grid.crs,
                    tres,
                    (
                        grid.bounds[0] - tres,
                        grid.bounds[1] - tres,
                        grid.bounds[2] + tres,
                        grid.bounds[3] + tres,
                    ),
                )
                elev = raster_source_on_grid(src, tgrid)
                raw = C.slope_degrees(elev, tres)
                out[c.id] = CoarseCriterion(tgrid, raw, criterion_score(c, raw))
    return out


def _coarse_distance(shared, item) -> CoarseCriterion:
    """One distance criterion on the coarse lattice (a scheduler task)."""
    dgrid, scratch = shared
    c, src = item
    raw = C.distance_raster(src, dgrid, cap_m=c.distance_cap, all_touched=True, what=c.layer or c.id)
    score = criterion_score(c, raw)
    if scratch is not None:
        from areal.geo.scheduler import save_shared

        raw, score = save_shared(raw, scratch), save_shared(score, scratch)
    return CoarseCriterion(dgrid, raw, score)


def fine_raw(
    c: Criterion,
    src,
    grid: AnalysisGrid,
    ctx: AnalysisGrid,
    cache: C.DistanceCache | None,
    digest: str | None,
) -> np.ndarray:
    """Raw values of one criterion computed at the grid's own resolution (``ctx``: tile plus halo)."""
    if c.kind == "distance":
        if cache is not None:
            raw = cache.get(
                src, ctx, cap_m=c.distance_cap, all_touched=True, what=c.layer or c.id, digest=digest
            )
        else:
            raw = C.distance_raster(src, ctx, cap_m=c.distance_cap, all_touched=True, what=c.layer or c.id)
        if ctx is not grid:
            r0 = int(round((ctx.bounds[3] - grid.bounds[3]) / grid.res))
            c0 = int(round((grid.bounds[0] - ctx.bounds[0]) / grid.res))
            raw = raw[r0 : r0 + grid.height, c0 : c0 + grid.width]
        return raw
    if c.kind == "slope":
        # One extra cell on each side so the central differences at the grid edge see neighbours.
        big = AnalysisGrid(
            grid.crs,
            grid.res,
            (
                grid.bounds[0] - grid.res,
                grid.bounds[1] - grid.res,
                grid.bounds[2] + grid.res,
                grid.bounds[3] + grid.res,
            ),
        )
        elev = raster_source_on_grid(src, big)
        return C.slope_degrees(elev, grid.res)[1:-1, 1:-1]
    return C.categorical_scores(src, grid, default=c.default, all_touched=False)


def criterion_arrays(
    p: Plan,
    grid: AnalysisGrid,
    cache: C.DistanceCache | None = None,
    digests: Mapping[str, str] | None = None,
    distance_res: float | None = None,
    context: AnalysisGrid | None = None,
    coarse: Mapping[str, CoarseCriterion] | None = None,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Raw values and scores of every active criterion on ``grid``: ``{id: (raw, score)}``.

    Distance criteria are capped at their :attr:`Criterion.distance_cap`; raw values are metres
    (distance), degrees (slope) or the class score (categorical). Criteria in ``coarse``
    (default: :func:`coarse_criteria` of ``grid`` with ``distance_res``) are upsampled from their
    coarse lattice; the others are computed on ``grid``. ``context`` (a larger grid on the same
    lattice, e.g. a tile plus its halo) is where fine distances are computed before being cut to
    ``grid``.
    """
    ctx = context or grid
    if coarse is None:
        coarse = coarse_criteria(p, grid, cache=cache, digests=digests, distance_res=distance_res)
    out = {}
    for c in p.criteria:
        if c.id in coarse:
            co = coarse[c.id]
            ri, ci = coarse_index(co.grid, grid)
            raw, score = co.raw[np.ix_(ri, ci)], co.score[np.ix_(ri, ci)]
        else:
            raw = fine_raw(c, p.criterion_frames[c.id], grid, ctx, cache, (digests or {}).get(c.id))
            score = criterion_score(c, raw)
        out[c.id] = (raw, score)
    check_same_grid(*(s for _, s in out.values()), names=list(out), grid=grid)
    return out


def exclusion_arrays(p: Plan, grid: AnalysisGrid) -> dict[str, np.ndarray]:
    """Boolean mask per exclusion on ``grid`` (``all_touched=True``: an exclusion never leaks)."""
    return {
        name: rasterize(gdf, grid, all_touched=True, what=f"exclusion {name!r}").astype(bool)
        for name, gdf in p.exclusions
    }
