"""The windowed (chunked) suitability run: tile by tile, bounded memory, same numbers as the model.

:func:`run_windowed` walks the grid in tiles with a halo (the largest distance cap), so memory
stays bounded at 10 m; inside a tile it gives the same numbers as the whole-grid path
(:func:`areal.geo.suitability.build_model`).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.geo import criteria as C
from areal.geo.area_lost import area_lost_table
from areal.geo.criterion_arrays import (
    CoarseCriterion,
    check_distance_res,
    coarse_criteria,
    coarse_index,
    criterion_score,
    exclusion_arrays,
    fine_raw,
)
from areal.geo.geometry import M2_PER_HA
from areal.geo.grid import AnalysisGrid, land_mask
from areal.geo.profiles import Profile
from areal.geo.sites import SiteStats, connectivity_structure, dissolve_labels, empty_sites, site_frame
from areal.geo.suitability_plan import Plan, SuitabilityInputs, layer_digests, plan
from rasterio import features
from scipy import ndimage, sparse


@dataclass
class WindowedResult:
    """Summary of a windowed run (the suitability tiles went to the sink).

    ``sites`` holds the ranked candidate sites when the run was asked for them (``sites=True``),
    merged across tile borders; else ``None``.
    """

    grid: AnalysisGrid
    plan: Plan
    area_lost: pd.DataFrame
    n_tiles: int
    n_candidate_cells: int
    score_sum: float
    sites: gpd.GeoDataFrame | None = None
    n_skipped_tiles: int = 0


@dataclass
class _Tile:
    """What one tile hands back to the single writer/merger thread."""

    win: object
    out: np.ndarray
    alone: dict
    marginal: dict
    n_land: int = 0
    n_any: int = 0
    n_cand: int = 0
    score_sum: float = 0.0
    # candidate regions of the tile (local labels 1..n_lab)
    n_lab: int = 0
    stats: SiteStats | None = None
    edges: tuple = ()  # labels of the top row, bottom row, left column, right column
    cells: tuple = ()  # (flat index in the tile, local label) of the tile's candidate cells


class _TileRunner:
    """Evaluates one window of a windowed run (thread-safe: reads shared inputs only)."""

    def __init__(
        self,
        p: Plan,
        grid: AnalysisGrid,
        land_frame: gpd.GeoDataFrame,
        coarse: Mapping[str, CoarseCriterion],
        thr: float,
        structure: np.ndarray | None,
    ):
        self.p, self.grid, self.land_frame, self.coarse = p, grid, land_frame, coarse
        self.thr, self.structure = thr, structure
        self.names = [n for n, _ in p.exclusions]
        self.w32 = p.weights.astype(np.float32)

    def __call__(self, win) -> _Tile:
        p, grid = self.p, self.grid
        tgrid = grid.subgrid(win.row, win.col, win.height, win.width)
        out = np.full(tgrid.shape, np.nan, dtype=np.float32)
        t = _Tile(win, out, dict.fromkeys(self.names, 0), dict.fromkeys(self.names, 0))
        land = land_mask(self.land_frame, tgrid)
        if not land.any():  # sea or outside the region: nothing else is rasterised
            return t
        count = np.zeros(tgrid.shape, np.uint8)
        excl = exclusion_arrays(p, tgrid)
        for k, m in excl.items():
            m &= land
            count += m
            t.alone[k] = int(np.count_nonzero(m))
        if len(excl) > 0:
            single = count == 1
            for k, m in excl.items():
                t.marginal[k] = int(np.count_nonzero(m & single))
        t.n_land = int(np.count_nonzero(land))
        eligible = land & (count == 0)
        t.n_any = t.n_land - int(np.count_nonzero(eligible))
        if not eligible.any():
            return t
        rr, cc = (a.astype(np.int32) for a in np.nonzero(eligible))
        hgrid = grid.subgrid(win.halo_row, win.halo_col, win.halo_height, win.halo_width)
        keep_raw = self.structure is not None  # raw values only feed the site table
        raws = {}
        stack = np.empty((len(p.criteria), len(rr)), dtype=np.float32)
        for n, c in enumerate(p.criteria):
            if c.id in self.coarse:
                co = self.coarse[c.id]
                dt = np.int32 if co.score.size < 2**31 else np.int64  # flat indices must not overflow
                ri, ci = (a.astype(dt) for a in coarse_index(co.grid, tgrid))
                i, j = ri[rr], ci[cc]
                np.take(co.score.ravel(), i * dt(co.score.shape[1]) + j, out=stack[n])
                if keep_raw:
                    raws[c.id] = co.raw[i, j]
                del i, j
            else:
                raw = fine_raw(c, p.criterion_frames[c.id], tgrid, hgrid, None, None)[eligible]
                stack[n] = criterion_score(c, raw)
                if keep_raw:
                    raws[c.id] = raw
        valid = self.w32 @ stack
        out[eligible] = valid
        sel = valid >= self.thr
        t.n_cand = int(np.count_nonzero(sel))
        t.score_sum = float(valid.sum(dtype=np.float64))
        if self.structure is not None and t.n_cand:
            cand = np.zeros(tgrid.shape, dtype=bool)
            cand[rr[sel], cc[sel]] = True
            lab, n = ndimage.label(cand, structure=self.structure)
            r_s, c_s = rr[sel], cc[sel]
            lab_s = lab[r_s, c_s]
            flat = (win.row + r_s).astype(np.int64) * grid.width + (win.col + c_s)
            t.stats = SiteStats.of(
                lab_s,
                n,
                valid[sel],
                {k: v[sel] for k, v in raws.items()},
                {c.id: stack[i][sel] for i, c in enumerate(p.criteria)},
                flat=flat,
            )
            t.n_lab = n
            t.edges = (lab[0].copy(), lab[-1].copy(), lab[:, 0].copy(), lab[:, -1].copy())
            t.cells = ((r_s * win.width + c_s).astype(np.int32), lab_s.astype(np.int32))
        return t


def _border_pairs(a: np.ndarray, b: np.ndarray, queen: bool) -> np.ndarray:
    """Label pairs facing each other across a tile border (``a`` and ``b`` are the two edge lines)."""
    pairs = [np.stack([a, b], 1)]
    if queen:
        pairs += [np.stack([a[:-1], b[1:]], 1), np.stack([a[1:], b[:-1]], 1)]
    out = np.concatenate(pairs)
    return out[(out[:, 0] > 0) & (out[:, 1] > 0)]


def _merge_regions(tiles: dict, offsets: dict, n_total: int, queen: bool) -> np.ndarray:
    """Region id (0-based) of every global label 1..n_total, labels touching across tile edges joined."""
    edges = []
    for (i, j), t in tiles.items():
        off = offsets[(i, j)]
        top, bottom, left, right = (np.where(e > 0, e + off, 0) for e in t.edges)
        right_t = tiles.get((i, j + 1))
        if right_t is not None:
            o2 = offsets[(i, j + 1)]
            edges.append(
                _border_pairs(right, np.where(right_t.edges[2] > 0, right_t.edges[2] + o2, 0), queen)
            )
        below = tiles.get((i + 1, j))
        if below is not None:
            o2 = offsets[(i + 1, j)]
            edges.append(_border_pairs(bottom, np.where(below.edges[0] > 0, below.edges[0] + o2, 0), queen))
        if queen:  # corner neighbours across four tiles
            d = tiles.get((i + 1, j + 1))
            if d is not None and bottom[-1] > 0 and d.edges[0][0] > 0:
                edges.append(np.array([[bottom[-1], d.edges[0][0] + offsets[(i + 1, j + 1)]]]))
            d = tiles.get((i + 1, j - 1))
            if d is not None and bottom[0] > 0 and d.edges[0][-1] > 0:
                edges.append(np.array([[bottom[0], d.edges[0][-1] + offsets[(i + 1, j - 1)]]]))
    e = np.concatenate(edges) if edges else np.zeros((0, 2), dtype=np.int64)
    g = sparse.coo_matrix(
        (np.ones(len(e), dtype=np.int8), (e[:, 0], e[:, 1])), shape=(n_total + 1, n_total + 1)
    )
    _, comp = sparse.csgraph.connected_components(g, directed=False)
    return comp[1:]


def run_windowed(
    profile: Profile,
    inputs: SuitabilityInputs,
    grid: AnalysisGrid,
    *,
    tile: int = 1024,
    sink: Callable[[object, np.ndarray], None] | None = None,
    progress: Callable[[int], None] | None = None,
    threshold: float | None = None,
    distance_res: float | None = None,
    workers: int | None = None,
    sites: bool = False,
    connectivity: str | None = None,
    min_area_ha: float | None = None,
    conflicts: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame] | None = None,
    cache: C.DistanceCache | None = None,
) -> WindowedResult:
    """Evaluate a profile tile by tile: bounded memory, same numbers as :func:`~areal.geo.suitability.build_model`.

    Coarse inputs (distances on the ``distance_res`` lattice, slope of a coarse DEM) are computed
    once per run over the whole grid (:func:`~areal.geo.criterion_arrays.coarse_criteria`) and upsampled into each tile by
    index arithmetic. Each tile then rasterises the land mask (tiles without land stop there),
    the exclusions (fully excluded tiles stop there), the fine criteria on a window grown by
    their halo, and scores the eligible cells only, in float32. Tiles run on ``workers`` threads
    (numpy, GDAL and scipy release the GIL); the calling thread alone hands tiles to ``sink`` and
    merges their partial results, with at most ``2 * workers`` tiles in flight.

    Parameters
    ----------
    tile : int
        Tile size in cells.
    sink : callable, optional
        Receives each :class:`~areal.geo.grid.Window` and its suitability array (float32, NaN = nodata),
        for example a function writing into a tiled GeoTIFF. Called from the calling thread only.
    progress : callable, optional
        Called with 1 after each tile (for a progress bar).
    threshold : float, optional
        Candidate threshold (default the profile's).
    distance_res : float, optional
        Coarser lattice for distances (see :func:`~areal.geo.criterion_arrays.coarse_criteria`).
    workers : int, optional
        Threads evaluating tiles (default: the number of CPUs).
    sites : bool
        Also build ranked candidate sites: regions are labelled per tile, labels touching across
        tile edges (rook or queen) are joined (connected components over border pairs), region
        sums are merged, regions below ``min_area_ha`` dropped and only the kept regions
        vectorised (per tile, then dissolved).
    connectivity, min_area_ha : optional
        Override the profile's.
    conflicts : callable, optional
        See :func:`~areal.geo.sites.attach_conflicts`.
    """
    p = plan(profile, inputs)
    dres = check_distance_res(distance_res, grid)
    coarse = coarse_criteria(
        p, grid, cache=cache, digests=layer_digests(p) if cache is not None else None, distance_res=dres
    )
    fine = [c for c in p.criteria if c.id not in coarse]
    halo = 0
    caps = [c.distance_cap for c in fine if c.kind == "distance"]
    if caps:
        halo = C.halo_cells(max(caps), grid.res)
    if any(c.kind == "slope" for c in fine):
        halo = max(halo, 1)
    thr = profile.threshold if threshold is None else threshold
    conn = connectivity or profile.connectivity
    min_ha = profile.min_area_ha if min_area_ha is None else min_area_ha
    structure = connectivity_structure(conn) if sites else None
    # Build the spatial indexes once, before threads share the frames.
    for f in [inputs.land, *(g for _, g in p.exclusions)]:
        _ = f.sindex
    for c in fine:
        src = p.criterion_frames[c.id]
        for g in [x[0] for x in src] if c.kind == "categorical" else [src] if c.kind == "distance" else []:
            _ = g.sindex
    runner = _TileRunner(p, grid, inputs.land, coarse, thr, structure)
    names = [n for n, _ in p.exclusions]
    alone = dict.fromkeys(names, 0)
    marginal = dict.fromkeys(names, 0)
    n_land = n_any = n_cand = n_tiles = n_empty = 0
    score_sum = 0.0
    kept: dict[tuple[int, int], _Tile] = {}
    offsets: dict[tuple[int, int], int] = {}
    n_total = 0
    stats_parts: list[SiteStats] = []
    workers = workers or os.cpu_count() or 1

    def collect(t: _Tile) -> None:
        nonlocal n_land, n_any, n_cand, n_tiles, n_empty, score_sum, n_total
        if sink is not None:
            sink(t.win, t.out)
        t.out = None  # the tile's raster is written; keep only its summary
        for k in names:
            alone[k] += t.alone[k]
            marginal[k] += t.marginal[k]
        n_land += t.n_land
        n_any += t.n_any
        n_cand += t.n_cand
        score_sum += t.score_sum
        n_tiles += 1
        n_empty += t.n_land == 0 or t.n_land == t.n_any
        if t.n_lab:
            key = (t.win.row // tile, t.win.col // tile)
            kept[key] = t
            offsets[key] = n_total
            n_total += t.n_lab
            stats_parts.append(t.stats)
            t.stats = None
        if progress is not None:
            progress(1)

    wins = grid.windows(tile=tile, halo=halo)
    if workers <= 1:
        for win in wins:
            collect(runner(win))
    else:
        # rasterio silences this warning of its in-memory rasterisation datasets with
        # warnings.catch_warnings(), which is not thread-safe: with two threads it leaks out.
        # The filter is scoped to this run: the process's warning filters are restored after it.
        from rasterio.errors import NotGeoreferencedWarning

        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message="Dataset has no geotransform", category=NotGeoreferencedWarning
            )
            with ThreadPoolExecutor(max_workers=workers) as ex:
                pending = []
                for win in wins:
                    pending.append(ex.submit(runner, win))
                    if len(pending) >= 2 * workers:
                        collect(pending.pop(0).result())
                for f in pending:
                    collect(f.result())
    table = area_lost_table(alone, marginal, n_land, n_any, grid.cell_area)
    site_gdf = None
    if sites:
        site_gdf = _windowed_sites(
            p, grid, kept, offsets, n_total, stats_parts, conn, min_ha, inputs.land, conflicts
        )
    return WindowedResult(grid, p, table, n_tiles, n_cand, score_sum, site_gdf, n_empty)


def _windowed_sites(
    p: Plan,
    grid: AnalysisGrid,
    tiles: dict,
    offsets: dict,
    n_total: int,
    parts: list[SiteStats],
    conn: str,
    min_ha: float,
    land: gpd.GeoDataFrame,
    conflicts,
) -> gpd.GeoDataFrame:
    """Merge per-tile regions into sites (see :func:`run_windowed`)."""
    if n_total == 0:
        return empty_sites(grid.crs)
    comp = _merge_regions(tiles, offsets, n_total, conn == "queen")
    n_comp = int(comp.max()) + 1
    merged = SiteStats.concat(parts).merge(comp, n_comp)
    min_cells = min_ha * M2_PER_HA / grid.cell_area
    keep = np.flatnonzero(merged.count >= min_cells - 1e-9)
    # order kept regions by their first cell, as ndimage.label numbers them on the whole grid
    keep = keep[np.argsort(merged.first[keep], kind="stable")]
    site_of_comp = np.zeros(n_comp, dtype=np.int32)
    site_of_comp[keep] = np.arange(1, len(keep) + 1, dtype=np.int32)
    site_of = np.concatenate([[0], site_of_comp[comp]])
    pieces, piece_labels = [], []
    for key, t in tiles.items():
        flat, lab = t.cells
        sid = site_of[lab + offsets[key]]
        m = sid > 0
        if not m.any():
            continue
        win = t.win
        dense = np.zeros((win.height, win.width), dtype=np.int32)
        dense.ravel()[flat[m]] = sid[m]
        tgrid = grid.subgrid(win.row, win.col, win.height, win.width)
        for geom, val in features.shapes(dense, mask=dense > 0, connectivity=4, transform=tgrid.transform):
            pieces.append(shapely.geometry.shape(geom))
            piece_labels.append(int(val))
    geoms = dissolve_labels(pieces, np.asarray(piece_labels, dtype=np.int64), len(keep))
    return site_frame(
        merged.take(keep),
        geoms,
        grid,
        weights=dict(zip([c.id for c in p.criteria], p.weights)),
        municipalities=land,
        conflicts=conflicts,
    )
