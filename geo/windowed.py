"""The windowed (chunked) suitability run: tile by tile, bounded memory, same numbers as the model.

:func:`run_windowed` walks the grid in tiles with a halo (the largest distance cap), so memory
stays bounded at 10 m; inside a tile it gives the same numbers as the whole-grid path
(:func:`areal.geo.suitability.build_model`).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.geo import criteria as C
from areal.geo.area_lost import area_lost_table, exact_area_lost, merge_area_lost
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
from areal.geo.grid import AnalysisGrid, Window, land_mask
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

    win: Window
    out: np.ndarray | None
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


@dataclass(frozen=True)
class _Lattice:
    """Coarse criteria sharing one lattice, pre-summed: ``partial`` is their weighted score sum.

    A tile then gathers one value per eligible cell from ``partial`` instead of one per
    criterion; per-criterion values are gathered only for candidate cells (site statistics).
    ``members`` holds ``(criterion position, raw values, index arrays)`` where the index
    arrays map this lattice's rows / columns to the criterion's own (nested) lattice, or None
    when it is this lattice.
    """

    grid: AnalysisGrid
    partial: np.ndarray
    members: tuple


def _lattices(p: Plan, coarse: Mapping[str, CoarseCriterion], w32: np.ndarray) -> list[_Lattice]:
    """Group the coarse criteria by lattice; a lattice nested in a finer one is folded into it.

    Lattices nest when the coarser resolution is a whole multiple of the finer one and covers
    its extent (both are snapped to multiples of their resolution, so every fine lattice cell
    lies in one coarse cell): the 1 km slope lattice folds into the 100 m distance lattice.
    """
    pos = {c.id: i for i, c in enumerate(p.criteria)}
    groups: dict[str, list[str]] = {}
    for cid, co in coarse.items():
        groups.setdefault(co.grid.key, []).append(cid)
    hosts: list[tuple[AnalysisGrid, list]] = []
    for key in sorted(groups, key=lambda k: coarse[groups[k][0]].grid.res):
        g = coarse[groups[key][0]].grid
        host = None
        for hg, members in hosts:
            ratio = g.res / hg.res
            covers = (
                g.bounds[0] <= hg.bounds[0]
                and g.bounds[1] <= hg.bounds[1]
                and g.bounds[2] >= hg.bounds[2]
                and g.bounds[3] >= hg.bounds[3]
            )
            if abs(ratio - round(ratio)) < 1e-9 and covers and g.crs == hg.crs:
                host = (hg, members)
                break
        if host is None:
            host = (g, [])
            hosts.append(host)
        hg, members = host
        for cid in groups[key]:
            idx = None if g == hg else coarse_index(g, hg)
            members.append((pos[cid], coarse[cid], idx))
    out = []
    for hg, members in hosts:
        members.sort(key=lambda m: m[0])
        partial = np.zeros(hg.shape, dtype=np.float32)
        for k, co, idx in members:
            partial += w32[k] * (co.score if idx is None else co.score[np.ix_(*idx)])
        # only the raw values travel with the runner: scores of candidate cells are recomputed
        # from them (the same elementwise function, so the same values)
        out.append(_Lattice(hg, partial, tuple((k, co.raw, idx) for k, co, idx in members)))
    return out


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
        keep_out: bool = True,
    ):
        self.p, self.grid, self.land_frame = p, grid, land_frame
        self.thr, self.structure = thr, structure
        self.names = [n for n, _ in p.exclusions]
        self.w32 = p.weights.astype(np.float32)
        self.keep_out = keep_out
        self.lattices = _lattices(p, coarse, self.w32)
        self.fine = [(i, c) for i, c in enumerate(p.criteria) if c.id not in coarse]

    def __call__(self, win) -> _Tile:
        p, grid = self.p, self.grid
        tgrid = grid.subgrid(win.row, win.col, win.height, win.width)
        out = np.full(tgrid.shape, np.nan, dtype=np.float32)
        t = _Tile(win, out, dict.fromkeys(self.names, 0), dict.fromkeys(self.names, 0))
        land = land_mask(self.land_frame, tgrid)
        if not land.any():  # sea or outside the region: nothing else is rasterised
            return self._done(t)
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
        del count, excl, land
        t.n_any = t.n_land - int(np.count_nonzero(eligible))
        if not eligible.any():
            return self._done(t)
        rr, cc = (a.astype(np.int32) for a in np.nonzero(eligible))
        hgrid = grid.subgrid(win.halo_row, win.halo_col, win.halo_height, win.halo_width)
        keep_raw = self.structure is not None  # raw values only feed the site table
        # the weighted sum: one gather per lattice (pre-summed), then each fine criterion
        valid = np.zeros(len(rr), dtype=np.float32)
        flat_idx: list[np.ndarray | None] = []
        for lat in self.lattices:
            ri, ci = coarse_index(lat.grid, tgrid)
            dt = np.int32 if lat.partial.size < 2**31 else np.int64  # flat indices must not overflow
            fi = ri.astype(dt)[rr] * np.array(lat.grid.width, dtype=dt) + ci.astype(dt)[cc]
            valid += np.take(lat.partial.ravel(), fi)
            flat_idx.append(fi if keep_raw else None)
        fine_scores, fine_raws = {}, {}
        for n, c in self.fine:
            raw = fine_raw(c, p.criterion_frames[c.id], tgrid, hgrid, None, None)[eligible]
            sc = criterion_score(c, raw)
            valid += self.w32[n] * sc
            if keep_raw:
                fine_scores[n], fine_raws[n] = sc, raw
        if self.keep_out:
            out[eligible] = valid
        sel = valid >= self.thr
        t.n_cand = int(np.count_nonzero(sel))
        t.score_sum = float(valid.sum(dtype=np.float64))
        if self.structure is not None and t.n_cand:
            raws, scores = {}, {}
            for lat, fi in zip(self.lattices, flat_idx):
                if fi is None:  # kept whenever sites are labelled (keep_raw)
                    continue
                fs = fi[sel]
                r_l, c_l = np.divmod(fs, lat.grid.width)
                for k, raw, idx in lat.members:
                    if idx is None:
                        i, j = r_l, c_l
                    else:
                        i, j = idx[0][r_l], idx[1][c_l]
                    raws[k] = np.asarray(raw[i, j])
                    scores[k] = criterion_score(p.criteria[k], raws[k].copy())
            for n in fine_scores:
                raws[n], scores[n] = fine_raws[n][sel], fine_scores[n][sel]
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
                {c.id: raws[i] for i, c in enumerate(p.criteria)},
                {c.id: scores[i] for i, c in enumerate(p.criteria)},
                flat=flat,
            )
            t.n_lab = n
            t.edges = (lab[0].copy(), lab[-1].copy(), lab[:, 0].copy(), lab[:, -1].copy())
            t.cells = ((r_s * win.width + c_s).astype(np.int32), lab_s.astype(np.int32))
        return self._done(t)

    def _done(self, t: _Tile) -> _Tile:
        if not self.keep_out:
            t.out = None  # nobody writes the raster: do not ship it back
        return t


def _run_tile(runner: _TileRunner, win) -> _Tile:
    """One tile on a worker (module-level: processes and dask pickle it by reference)."""
    return runner(win)


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
    scheduler=None,
) -> WindowedResult:
    """Evaluate a profile tile by tile: bounded memory, same numbers as :func:`~areal.geo.suitability.build_model`.

    Coarse inputs (distances on the ``distance_res`` lattice, slope of a coarse DEM) are computed
    once per run over the whole grid (:func:`~areal.geo.criterion_arrays.coarse_criteria`) and upsampled into each tile by
    index arithmetic. Each tile then rasterises the land mask (tiles without land stop there),
    the exclusions (fully excluded tiles stop there), the fine criteria on a window grown by
    their halo, and scores the eligible cells only, in float32: coarse criteria sharing a
    lattice are summed once on that lattice, so a tile gathers one value per cell for all of them.
    Tiles run on ``scheduler`` (default: ``workers`` threads; numpy, GDAL and scipy release the
    GIL; or processes, or a dask cluster, see :mod:`areal.geo.scheduler`); the calling thread
    alone hands tiles to ``sink`` and merges their partial results in tile order (so every
    scheduler gives the same numbers), with at most ``2 * workers`` tiles in flight.

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
        Threads evaluating tiles (default: the number of CPUs) when no ``scheduler`` is given.
    sites : bool
        Also build ranked candidate sites: regions are labelled per tile, labels touching across
        tile edges (rook or queen) are joined (connected components over border pairs), region
        sums are merged, regions below ``min_area_ha`` dropped and only the kept regions
        vectorised (per tile, then dissolved).
    connectivity, min_area_ha : optional
        Override the profile's.
    conflicts : callable, optional
        See :func:`~areal.geo.sites.attach_conflicts`.
    scheduler : Scheduler, str, Executor or distributed.Client, optional
        Where tiles run (:func:`areal.geo.scheduler.get_scheduler`): ``"threads"``,
        ``"processes"``, ``"tcp://host:port"``, a ``distributed.Client`` ... The plan, the land
        mask and the coarse lattices are shipped once per worker.
    """
    from areal.geo.scheduler import get_scheduler

    p = plan(profile, inputs)
    dres = check_distance_res(distance_res, grid)
    workers = workers or os.cpu_count() or 1
    owned = scheduler is None
    sched = get_scheduler(
        scheduler if scheduler is not None else ("serial" if workers <= 1 else f"threads:{workers}")
    )
    try:
        return _run(
            profile,
            inputs,
            grid,
            p,
            dres,
            sched,
            tile,
            sink,
            progress,
            threshold,
            sites,
            connectivity,
            min_area_ha,
            conflicts,
            cache,
        )
    finally:
        sched.close() if owned else sched.release()


def _run(
    profile,
    inputs,
    grid,
    p,
    dres,
    sched,
    tile,
    sink,
    progress,
    threshold,
    sites,
    connectivity,
    min_area_ha,
    conflicts,
    cache,
):
    coarse = coarse_criteria(
        p,
        grid,
        cache=cache,
        digests=layer_digests(p) if cache is not None else None,
        distance_res=dres,
        scheduler=sched,
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
    runner = _TileRunner(p, grid, inputs.land, coarse, thr, structure, keep_out=sink is not None)
    del coarse  # the runner holds what the tiles need (pre-summed lattices, raw values)
    runner.lattices = [
        _Lattice(
            lat.grid,
            sched.share(lat.partial),
            tuple(
                (k, sched.share(raw) if structure is not None else None, idx) for k, raw, idx in lat.members
            ),
        )
        for lat in runner.lattices
    ]
    names = [n for n, _ in p.exclusions]
    alone = dict.fromkeys(names, 0)
    marginal = dict.fromkeys(names, 0)
    n_land = n_any = n_cand = n_tiles = n_empty = 0
    score_sum = 0.0
    kept: dict[tuple[int, int], _Tile] = {}
    offsets: dict[tuple[int, int], int] = {}
    n_total = 0
    stats_parts: list[SiteStats] = []

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
            if t.stats is not None:
                stats_parts.append(t.stats)
            t.stats = None
        if progress is not None:
            progress(1)

    wins = grid.windows(tile=tile, halo=halo)
    # rasterio silences this warning of its in-memory rasterisation datasets with
    # warnings.catch_warnings(), which is not thread-safe: with two threads it leaks out.
    # The filter is scoped to this run: the process's warning filters are restored after it.
    # (Worker processes run one tile at a time, where rasterio's own silencing works.)
    from rasterio.errors import NotGeoreferencedWarning

    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="Dataset has no geotransform", category=NotGeoreferencedWarning
        )
        for t in sched.map(_run_tile, wins, shared=runner):
            collect(t)
    table = merge_area_lost(
        area_lost_table(alone, marginal, n_land, n_any, grid.cell_area),
        exact_area_lost(inputs.land, dict(p.exclusions), bounds=grid.bounds),
        grid.res,
    )
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
    if merged.first is None:  # tiles always record first cells (flat indices)
        raise ValueError("windowed site merge: the tiles' statistics hold no first cells")
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
