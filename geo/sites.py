"""Candidate sites: labelling suitable cells into regions, vectorising and ranking them with their reasons.

Also the per-site statistics that merge across tiles (:class:`SiteStats`), the conflicts a site
touches (:func:`attach_conflicts`, from an injected engine) and the mean of a raster over a site
(:func:`zonal_mean`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.geo.errors import RuleError
from areal.geo.geometry import M2_PER_HA, area_columns
from areal.geo.grid import AnalysisGrid, check_same_grid
from areal.geo.profiles import CONNECTIVITY
from rasterio import features
from scipy import ndimage

TOP_CRITERIA = 3
"""How many criteria a site's reasons name (``top_criteria``)."""


def site_cells(grid: AnalysisGrid, geom) -> np.ndarray:
    """Flat indices (``row * width + col``) of the grid cells that stand for a site.

    Cells whose centre falls inside a polygon; a polygon smaller than one cell, a line or a point
    uses the cells it touches, a (Multi)Point the cells holding its points (indices straight from
    the coordinates: rasterising a 20 000-point MultiPoint walks its points one by one in Python).
    Only the geometry's bounding window is rasterised.

    Examples
    --------
    >>> from shapely import box, Point
    >>> g = AnalysisGrid("EPSG:25833", 10, (0, 0, 40, 40))
    >>> site_cells(g, box(0, 0, 20, 10)).tolist(), site_cells(g, Point(35, 35)).tolist()
    ([12, 13], [3])
    """
    if shapely.get_type_id(geom) in (0, 4):
        xy = shapely.get_coordinates(geom)
        cols, rows = ~grid.transform * (xy[:, 0], xy[:, 1])
        r, c = np.floor(np.asarray(rows)).astype(np.int64), np.floor(np.asarray(cols)).astype(np.int64)
        ok = (r >= 0) & (r < grid.height) & (c >= 0) & (c < grid.width)
        return np.unique(r[ok] * grid.width + c[ok])
    inv = ~grid.transform
    x0, y0, x1, y1 = geom.bounds
    c0, r0 = inv * (x0, y1)
    c1, r1 = inv * (x1, y0)
    r0, c0 = max(int(np.floor(r0)), 0), max(int(np.floor(c0)), 0)
    r1, c1 = min(int(np.ceil(r1)) + 1, grid.height), min(int(np.ceil(c1)) + 1, grid.width)
    if r0 >= r1 or c0 >= c1:
        return np.zeros(0, np.int64)
    shape = (r1 - r0, c1 - c0)
    transform = grid.transform * grid.transform.translation(c0, r0)
    inside = features.geometry_mask([geom], shape, transform, invert=True)
    if not inside.any():
        inside = features.geometry_mask([geom], shape, transform, invert=True, all_touched=True)
    rr, cc = np.nonzero(inside)
    return (rr + r0) * grid.width + (cc + c0)


def zonal_mean(array: np.ndarray, grid: AnalysisGrid, geom) -> float:
    """Mean of ``array`` (on ``grid``) over a geometry's cells (:func:`site_cells`), ignoring NaN."""
    check_same_grid(array, names=["array"], grid=grid)
    vals = np.asarray(array).ravel()[site_cells(grid, geom)]
    vals = vals[np.isfinite(vals)]
    return float(vals.mean()) if len(vals) else float("nan")


def site_shares(grid: AnalysisGrid, geom, masks: dict[str, np.ndarray]) -> dict[str, float]:
    """Share (0–1) of a site's cells (:func:`site_cells`) that each boolean mask covers.

    What the site check tells when a site has no score: how much of it lies off land, how much
    each exclusion takes. Empty when the site has no cell on the grid.

    Examples
    --------
    >>> from shapely import box
    >>> g = AnalysisGrid("EPSG:25833", 10, (0, 0, 40, 40))
    >>> m = np.zeros((4, 4), bool); m[3, 1] = True  # row 3: the bottom row (north up)
    >>> site_shares(g, box(0, 0, 20, 10), {"vern": m})
    {'vern': 0.5}
    """
    cells = site_cells(grid, geom)
    if len(cells) == 0:
        return {}
    return {k: float(np.asarray(m).ravel()[cells].mean()) for k, m in masks.items()}


def connectivity_structure(connectivity: str) -> np.ndarray:
    """The 3×3 neighbourhood of ``scipy.ndimage.label`` for ``"rook"`` (edges) or ``"queen"`` (also corners).

    Examples
    --------
    >>> connectivity_structure("rook").astype(int).tolist()
    [[0, 1, 0], [1, 1, 1], [0, 1, 0]]
    """
    if connectivity not in CONNECTIVITY:
        raise RuleError(f"connectivity {connectivity!r} is not one of {list(CONNECTIVITY)}")
    return ndimage.generate_binary_structure(2, 2 if connectivity == "queen" else 1)


def label_sites(
    suitability: np.ndarray, grid: AnalysisGrid, threshold: float, connectivity: str, min_area_ha: float
) -> tuple[np.ndarray, int]:
    """Label contiguous regions of cells with suitability ≥ ``threshold``, dropping small ones.

    Parameters
    ----------
    connectivity : {"rook", "queen"}
        Rook: cells sharing an edge; queen: also cells sharing a corner.
    min_area_ha : float
        Regions smaller than this are dropped (a region of exactly this area is kept).

    Returns
    -------
    labels : ndarray of int32
        0 outside sites, 1..n per kept region (ordered by first cell).
    n : int
    """
    check_same_grid(suitability, names=["suitability"], grid=grid)
    cand = np.nan_to_num(suitability, nan=-1.0) >= threshold
    return label_mask(cand, grid, connectivity, min_area_ha)


def label_mask(
    cand: np.ndarray,
    grid: AnalysisGrid,
    connectivity: str,
    min_area_ha: float,
    max_area_ha: float | None = None,
) -> tuple[np.ndarray, int]:
    """:func:`label_sites` on an already thresholded boolean mask.

    With ``max_area_ha`` regions larger than that are split into compact parcels
    (:func:`split_large_regions`).
    """
    labels, n = ndimage.label(cand, structure=connectivity_structure(connectivity))
    if n == 0:
        return labels.astype(np.int32), 0
    labels, n = _drop_small(labels.astype(np.int32), n, min_area_ha * M2_PER_HA / grid.cell_area)
    if max_area_ha is not None and n:
        labels, n = split_large_regions(labels, n, grid, max_area_ha, min_area_ha, connectivity)
    return labels, n


def _drop_small(labels: np.ndarray, n: int, min_cells: float) -> tuple[np.ndarray, int]:
    """Labels 1..n with regions below ``min_cells`` removed, the rest renumbered in order."""
    counts = np.bincount(labels.ravel(), minlength=n + 1)
    keep = counts >= min_cells - 1e-9
    keep[0] = False
    remap = np.zeros(n + 1, dtype=np.int32)
    remap[keep] = np.arange(1, int(keep.sum()) + 1, dtype=np.int32)
    return remap[labels], int(keep.sum())


def _bisect(rows: np.ndarray, cols: np.ndarray, idx: np.ndarray, k: int, out: list[np.ndarray]) -> None:
    """Recursive coordinate bisection of cells ``idx`` into ``k`` parts of equal size (±1 cell).

    Each cut is across the principal axis of the cells (the long direction of a corridor), at the
    share of cells the two halves' part counts ask for (a partition of the projections, so the
    result is deterministic for the same cells).
    """
    if k <= 1:
        out.append(idx)
        return
    r = rows[idx].astype(np.float64)
    c = cols[idx].astype(np.float64)
    r0, c0 = r - r.mean(), c - c.mean()
    # principal axis of the 2 x 2 covariance in closed form (cheaper than eigh on a tiny matrix)
    theta = 0.5 * np.arctan2(2.0 * (r0 @ c0), (r0 @ r0) - (c0 @ c0))
    proj = np.round(r0 * np.cos(theta) + c0 * np.sin(theta), 9)
    k1 = k // 2
    cut = (len(idx) * k1) // k  # the left part gets no more than k1 full parcels
    # only the cut matters, not the order within each side: a partition, O(n), deterministic
    order = np.argpartition(proj, cut) if 0 < cut < len(idx) else np.arange(len(idx))
    _bisect(rows, cols, idx[order[:cut]], k1, out)
    _bisect(rows, cols, idx[order[cut:]], k - k1, out)


def split_large_regions(
    labels: np.ndarray,
    n: int,
    grid: AnalysisGrid,
    max_area_ha: float,
    min_area_ha: float = 0.0,
    connectivity: str = "queen",
) -> tuple[np.ndarray, int]:
    """Split regions larger than ``max_area_ha`` into compact parcels no larger than that.

    A region of ``N`` cells above the limit of ``M`` whole cells becomes ``k = ceil(N / M)``
    parcels by recursive coordinate bisection (:func:`_bisect`: each cut across the region's long
    axis, so a road corridor is cut into consecutive pieces along the road); parcel sizes differ by
    at most one cell. A parcel that falls apart into pieces (a cut through a bend) is labelled per
    piece; a piece smaller than ``min_area_ha`` joins the touching parcel it shares most edges
    with when that parcel stays within the limit, and is dropped otherwise. Regions within the
    limit keep their cells. Deterministic; the result is renumbered by first cell.

    Parameters
    ----------
    labels : ndarray of int
        0 outside regions, 1..n inside (from :func:`label_mask`).
    max_area_ha, min_area_ha : float
        Parcel size limits (``max_area_ha`` at least one cell).

    Returns
    -------
    labels : ndarray of int32
    n : int

    Examples
    --------
    A 10 × 100-cell region of 1 ha cells (1 000 ha) and a limit of 200 ha: five 200 ha parcels.

    >>> from areal.geo.grid import AnalysisGrid
    >>> g = AnalysisGrid("EPSG:25833", 100, (0.0, 0.0, 10_000.0, 1_000.0))
    >>> lab, n = split_large_regions(np.ones((10, 100), dtype=np.int32), 1, g, 200, 20)
    >>> n, np.bincount(lab.ravel())[1:].tolist()
    (5, [200, 200, 200, 200, 200])
    """
    if not max_area_ha > 0:
        raise RuleError(f"max_area_ha must be > 0, got {max_area_ha!r}")
    if min_area_ha > max_area_ha:
        raise RuleError(f"min_area_ha ({min_area_ha:g}) must not exceed max_area_ha ({max_area_ha:g})")
    cell_ha = grid.cell_area / M2_PER_HA
    max_cells = int(np.floor(max_area_ha / cell_ha + 1e-9))
    if max_cells < 1:
        raise RuleError(f"max_area_ha = {max_area_ha:g} is smaller than one cell ({cell_ha:g} ha)")
    min_cells = min_area_ha / cell_ha
    labels = np.asarray(labels, dtype=np.int32)
    counts = np.bincount(labels.ravel(), minlength=n + 1)
    big = np.flatnonzero(counts[1:] > max_cells) + 1
    if len(big) == 0:
        return labels, n
    out = labels.copy()
    structure = connectivity_structure(connectivity)
    next_label = n + 1
    slices = ndimage.find_objects(labels, max_label=n)
    for lab in big:
        sl = slices[lab - 1]
        sub = labels[sl] == lab
        rows, cols = np.nonzero(sub)
        k = int(np.ceil(len(rows) / max_cells))
        parts: list[np.ndarray] = []
        _bisect(rows, cols, np.arange(len(rows)), k, parts)
        part_of = np.zeros(sub.shape, dtype=np.int32)
        for i, p in enumerate(parts):
            part_of[rows[p], cols[p]] = i + 1
        pieces = _pieces(part_of, len(parts), structure, min_cells, max_cells)
        view = out[sl]
        view[sub] = 0
        m = pieces > 0
        view[m] = pieces[m] + next_label - 1
        next_label += int(pieces.max()) if m.any() else 0
    # renumber by first cell, as ndimage.label numbers regions
    flat = out.ravel()
    present = np.unique(flat[flat > 0])
    first = np.full(next_label, np.iinfo(np.int64).max, dtype=np.int64)
    nz = np.flatnonzero(flat)
    np.minimum.at(first, flat[nz], nz)
    order = present[np.argsort(first[present], kind="stable")]
    remap = np.zeros(next_label, dtype=np.int32)
    remap[order] = np.arange(1, len(order) + 1, dtype=np.int32)
    return remap[out], len(order)


def _same_value_components(values: np.ndarray, structure: np.ndarray) -> tuple[np.ndarray, int]:
    """Connected components of cells > 0 with equal value (neighbours per ``structure``): ``(labels, m)``.

    One graph over all cells instead of one ``ndimage.label`` per value: neighbours of the same
    value are joined (``scipy.sparse.csgraph.connected_components``).
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    h, w = values.shape
    inside = values > 0
    ids = np.full(values.shape, -1, dtype=np.int64)
    ids[inside] = np.arange(int(inside.sum()))
    rows, cols = [], []
    # half of the neighbourhood is enough: each edge once; cell (r, c) and (r + dr, c + dc)
    for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
        if not structure[1 + dr, 1 + dc]:
            continue
        c0, c1 = max(0, -dc), w - max(0, dc)
        a, b = values[: h - dr, c0:c1], values[dr:, c0 + dc : c1 + dc]
        same = (a > 0) & (a == b)
        rows.append(ids[: h - dr, c0:c1][same])
        cols.append(ids[dr:, c0 + dc : c1 + dc][same])
    n = int(inside.sum())
    r = np.concatenate(rows) if rows else np.empty(0, np.int64)
    c = np.concatenate(cols) if cols else np.empty(0, np.int64)
    graph = coo_matrix((np.ones(len(r), dtype=np.int8), (r, c)), shape=(n, n))
    m, comp = connected_components(graph, directed=False)
    out = np.zeros(values.shape, dtype=np.int32)
    out[inside] = comp + 1
    return out, int(m)


def _pieces(
    part_of: np.ndarray, n_parts: int, structure: np.ndarray, min_cells: float, max_cells: int
) -> np.ndarray:
    """Connected pieces of each part (1..m); pieces below ``min_cells`` join a touching piece or go."""
    pieces, m = _same_value_components(part_of, structure)
    sizes = np.bincount(pieces.ravel(), minlength=m + 1)
    small = [p for p in np.argsort(sizes[1:], kind="stable") + 1 if sizes[p] < min_cells - 1e-9]
    boxes = list(ndimage.find_objects(pieces, max_label=m)) if small else []
    for p in small:
        box = boxes[p - 1]
        if box is None:
            continue
        # the piece's box grown by one cell: its neighbours are there
        sl = tuple(slice(max(x.start - 1, 0), x.stop + 1) for x in box)
        sub = pieces[sl]
        mask = sub == p
        ring = ndimage.binary_dilation(mask, structure=structure) & ~mask & (sub > 0)
        if ring.any():
            nb, shared = np.unique(sub[ring], return_counts=True)
            for j in nb[np.argsort(-shared, kind="stable")]:
                if sizes[j] + sizes[p] <= max_cells:
                    sub[mask] = j
                    sizes[j] += sizes[p]
                    sizes[p] = 0
                    # j now also covers p's box (a later small piece j must see all of itself)
                    bj = boxes[j - 1]
                    boxes[j - 1] = tuple(
                        slice(min(a.start, b.start), max(a.stop, b.stop)) for a, b in zip(bj, box)
                    )
                    break
        if sizes[p]:
            sub[mask] = 0
            sizes[p] = 0
    return pieces


def sites_from_labels(
    labels: np.ndarray,
    n: int,
    suitability: np.ndarray,
    grid: AnalysisGrid,
    *,
    raw: Mapping[str, np.ndarray] | None = None,
    scores: Mapping[str, np.ndarray] | None = None,
    weights: Mapping[str, float] | None = None,
    municipalities: gpd.GeoDataFrame | None = None,
    conflicts: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame] | None = None,
) -> gpd.GeoDataFrame:
    """Vectorise labelled regions into ranked candidate sites.

    Columns: ``site_id`` (1 = best), ``rank``, ``mean_score``, ``min_score``, ``max_score``,
    ``n_cells``, ``area_m2``/``area_daa``/``area_ha``, ``kommunenummer``/``kommunenavn``
    (representative point in ``municipalities``), ``<criterion>_value`` (mean raw value: metres,
    degrees or class score) and ``<criterion>_score`` per criterion, ``top_criteria`` (the ids of the
    :data:`TOP_CRITERIA` criteria adding most to the site's score, ``;``-joined, most first), and, when ``conflicts`` is given,
    ``n_conflicts``/``conflicts`` (see :func:`attach_conflicts`).
    """
    if n == 0:
        return empty_sites(grid.crs)
    check_same_grid(labels, suitability, names=["labels", "suitability"])
    flat = labels.ravel()
    idx = flat > 0
    lab = flat[idx]
    stats = SiteStats.of(
        lab,
        n,
        suitability.ravel()[idx],
        {k: raw[k].ravel()[idx] for k in scores} if raw is not None and scores is not None else {},
        {k: scores[k].ravel()[idx] for k in scores} if scores is not None else {},
    )
    # Vectorise: 4-connected pieces per label (always valid polygons), then one multipolygon per site.
    parts, part_labels = [], []
    for geom, val in features.shapes(labels, mask=labels > 0, connectivity=4, transform=grid.transform):
        parts.append(shapely.geometry.shape(geom))
        part_labels.append(int(val))
    geoms = dissolve_labels(parts, np.asarray(part_labels, dtype=np.int64), n)
    return site_frame(
        stats,
        geoms,
        grid,
        weights=weights,
        municipalities=municipalities,
        conflicts=conflicts,
    )


def label_geometries(labels: np.ndarray, n: int, window_transform) -> np.ndarray:
    """One (multi)polygon per label, vectorising only each label's bounding box.

    With many labels (parcels split from large regions lie side by side) the window is
    vectorised once instead: one pass beats hundreds of small ones.
    """
    if n > 32:
        parts, part_labels = [], []
        for geom, val in features.shapes(labels, mask=labels > 0, connectivity=4, transform=window_transform):
            parts.append(shapely.geometry.shape(geom))
            part_labels.append(int(val))
        return dissolve_labels(parts, np.asarray(part_labels, dtype=np.int64), n)
    geoms = np.empty(n, dtype=object)
    for i, sl in enumerate(ndimage.find_objects(labels, max_label=n)):
        lab = i + 1
        if sl is None:
            geoms[i] = shapely.Polygon()
            continue
        sub = labels[sl]
        mask = sub == lab
        transform = window_transform * window_transform.translation(sl[1].start, sl[0].start)
        parts = [
            shapely.geometry.shape(g)
            for g, _ in features.shapes(mask.astype(np.uint8), mask=mask, connectivity=4, transform=transform)
        ]
        geoms[i] = shapely.union_all(parts)
    return geoms


def empty_sites(crs) -> gpd.GeoDataFrame:
    """A site table without rows (the columns every site table has)."""
    return gpd.GeoDataFrame(
        {
            "site_id": pd.Series(dtype=int),
            "rank": pd.Series(dtype=int),
            "mean_score": pd.Series(dtype=float),
            "area_ha": pd.Series(dtype=float),
        },
        geometry=gpd.GeoSeries([], crs=crs),
        crs=crs,
    )


def dissolve_labels(parts: list, part_labels: np.ndarray, n: int) -> np.ndarray:
    """One (multi)polygon per label 1..n from pieces labelled ``part_labels``."""
    geoms = np.empty(n, dtype=object)
    order = np.argsort(part_labels, kind="stable")
    parts_arr = np.empty(len(parts), dtype=object)
    parts_arr[:] = parts
    parts_arr = parts_arr[order]
    bounds = np.searchsorted(part_labels[order], np.arange(1, n + 2))
    for i in range(n):
        geoms[i] = shapely.union_all(parts_arr[bounds[i] : bounds[i + 1]])
    return geoms


@dataclass
class SiteStats:
    """Per-region sums from which site attributes are computed (mergeable across tiles).

    Arrays have one entry per region: ``count`` (cells), ``score_sum``, ``score_min``,
    ``score_max`` (suitability), ``first`` (flat index of the region's first cell, for ordering),
    and per criterion ``raw_sum[k]`` / ``crit_sum[k]`` (raw value and score sums).
    """

    count: np.ndarray
    score_sum: np.ndarray
    score_min: np.ndarray
    score_max: np.ndarray
    raw_sum: dict[str, np.ndarray]
    crit_sum: dict[str, np.ndarray]
    first: np.ndarray | None = None

    @classmethod
    def of(
        cls,
        lab: np.ndarray,
        n: int,
        s: np.ndarray,
        raw: Mapping[str, np.ndarray],
        score: Mapping[str, np.ndarray],
        flat: np.ndarray | None = None,
    ) -> SiteStats:
        """Sums over cells labelled ``lab`` (1..n) with suitability ``s`` (and flat indices ``flat``)."""
        s = np.asarray(s, dtype=np.float64)
        counts = np.bincount(lab, minlength=n + 1)[1:]
        mins = np.full(n, np.inf)
        maxs = np.full(n, -np.inf)
        np.minimum.at(mins, lab - 1, s)
        np.maximum.at(maxs, lab - 1, s)
        first = None
        if flat is not None:
            first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(first, lab - 1, flat.astype(np.int64))

        def sums(v):
            return np.bincount(lab, weights=np.asarray(v, dtype=np.float64), minlength=n + 1)[1:]

        return cls(
            counts,
            sums(s),
            mins,
            maxs,
            {k: sums(v) for k, v in raw.items()},
            {k: sums(v) for k, v in score.items()},
            first,
        )

    def __len__(self) -> int:
        return len(self.count)

    def merge(self, groups: np.ndarray, n: int) -> SiteStats:
        """Combine regions: entry ``i`` goes to group ``groups[i]`` (0..n-1)."""

        def add(v):
            return np.bincount(groups, weights=v, minlength=n)

        mins = np.full(n, np.inf)
        maxs = np.full(n, -np.inf)
        np.minimum.at(mins, groups, self.score_min)
        np.maximum.at(maxs, groups, self.score_max)
        first = None
        if self.first is not None:
            first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(first, groups, self.first)
        return SiteStats(
            np.bincount(groups, weights=self.count, minlength=n).round().astype(np.int64),
            add(self.score_sum),
            mins,
            maxs,
            {k: add(v) for k, v in self.raw_sum.items()},
            {k: add(v) for k, v in self.crit_sum.items()},
            first,
        )

    def take(self, idx: np.ndarray) -> SiteStats:
        """The regions at ``idx``, in that order."""
        return SiteStats(
            self.count[idx],
            self.score_sum[idx],
            self.score_min[idx],
            self.score_max[idx],
            {k: v[idx] for k, v in self.raw_sum.items()},
            {k: v[idx] for k, v in self.crit_sum.items()},
            None if self.first is None else self.first[idx],
        )

    @staticmethod
    def concat(parts: list[SiteStats]) -> SiteStats:
        """Regions of several tiles, one after the other."""
        keys = list(parts[0].raw_sum) if parts else []
        cat = np.concatenate
        return SiteStats(
            cat([p.count for p in parts]),
            cat([p.score_sum for p in parts]),
            cat([p.score_min for p in parts]),
            cat([p.score_max for p in parts]),
            {k: cat([p.raw_sum[k] for p in parts]) for k in keys},
            {k: cat([p.crit_sum[k] for p in parts]) for k in keys},
            cat([p.first for p in parts]) if parts and parts[0].first is not None else None,
        )


def site_frame(
    stats: SiteStats,
    geoms: np.ndarray,
    grid: AnalysisGrid,
    *,
    weights: Mapping[str, float] | None = None,
    municipalities: gpd.GeoDataFrame | None = None,
    conflicts: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame] | None = None,
) -> gpd.GeoDataFrame:
    """Ranked site table from per-region sums and geometries (see :func:`sites_from_labels`)."""
    crs = grid.crs
    n = len(stats)
    if n == 0:
        return empty_sites(crs)
    counts = stats.count
    data = {
        "mean_score": stats.score_sum / counts,
        "min_score": stats.score_min,
        "max_score": stats.score_max,
        "n_cells": counts,
    }
    data.update(area_columns(counts * grid.cell_area))
    contrib = {}
    for k in stats.raw_sum:
        data[f"{k}_value"] = stats.raw_sum[k] / counts
        data[f"{k}_score"] = stats.crit_sum[k] / counts
        contrib[k] = (weights or {}).get(k, 0.0) * data[f"{k}_score"]
    df = pd.DataFrame(data)
    gdf = gpd.GeoDataFrame(df, geometry=list(geoms), crs=crs)
    if contrib:
        # The reasons of a site: the criteria that add most to its score (words: areal.apps.labels).
        gdf["top_criteria"] = [
            ";".join(sorted(contrib, key=lambda k: -contrib[k][i])[:TOP_CRITERIA]) for i in range(n)
        ]
    if municipalities is not None and len(municipalities) and "kommunenummer" in municipalities.columns:
        pts = gdf.geometry.representative_point()
        join = gpd.sjoin(
            gpd.GeoDataFrame(geometry=pts, crs=crs),
            municipalities[["kommunenummer", "kommunenavn", municipalities.geometry.name]],
            how="left",
            predicate="within",
        )
        join = join[~join.index.duplicated(keep="first")]
        gdf["kommunenummer"] = join["kommunenummer"].to_numpy()
        gdf["kommunenavn"] = join["kommunenavn"].to_numpy()
        # A small coastal parcel's representative point can fall on a cell's sea half: such a site
        # takes the municipality it touches (the nearest one; 0 m when they overlap).
        lost = gdf["kommunenummer"].isna().to_numpy()
        if lost.any():
            near = gpd.sjoin_nearest(
                gdf.loc[lost, [gdf.geometry.name]],
                municipalities[["kommunenummer", "kommunenavn", municipalities.geometry.name]],
                how="left",
            )
            near = near[~near.index.duplicated(keep="first")]
            gdf.loc[lost, "kommunenummer"] = near["kommunenummer"].to_numpy()
            gdf.loc[lost, "kommunenavn"] = near["kommunenavn"].to_numpy()
    gdf = gdf.sort_values(["mean_score", "area_m2"], ascending=[False, False], kind="stable").reset_index(
        drop=True
    )
    gdf.insert(0, "site_id", np.arange(1, n + 1))
    gdf.insert(1, "rank", np.arange(1, n + 1))
    if conflicts is not None:
        gdf = attach_conflicts(gdf, conflicts)
    return gdf


def attach_conflicts(
    sites: gpd.GeoDataFrame, conflicts: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]
) -> gpd.GeoDataFrame:
    """Add the conflicts each site touches, from an injected conflict engine.

    ``conflicts(sites)`` returns conflict polygons. They are matched to sites by a ``site_id``
    column when present, else by intersection. The first present of the columns ``pair``,
    ``rule``, ``rule_id``, ``layer``, ``other_layer``, ``theme`` names a conflict; ``severity``,
    ``basis`` and ``area_ha`` (else the polygon area) are used when present.

    Adds ``n_conflicts`` (distinct conflicts), ``conflicts`` (``name (severity, X.XX ha)``,
    ``; ``-joined, most hectares first), ``conflict_area_ha`` (sum over conflicts: a cell in two
    conflicts counts twice) and ``conflict_basis`` (legal basis of each conflict, ``; ``-joined).
    """
    out = sites.copy()
    res = conflicts(sites)
    out["n_conflicts"] = 0
    out["conflicts"] = ""
    out["conflict_area_ha"] = 0.0
    out["conflict_basis"] = ""
    if res is None or len(res) == 0:
        return out
    name_col = next(
        (c for c in ("pair", "rule", "rule_id", "layer", "other_layer", "theme") if c in res.columns), None
    )
    if "site_id" in res.columns:
        pairs = pd.DataFrame({"site_id": res["site_id"].to_numpy(), "i": np.arange(len(res))})
    else:
        left, right = shapely.STRtree(np.asarray(res.geometry.values)).query(
            np.asarray(out.geometry.values), predicate="intersects"
        )
        pairs = pd.DataFrame({"site_id": out["site_id"].to_numpy()[left], "i": right})
    pairs["ha"] = (
        res["area_ha"].to_numpy(float)
        if "area_ha" in res.columns
        else res.geometry.area.to_numpy() / M2_PER_HA
    )[pairs["i"]]
    pairs["name"] = (
        res[name_col].astype(str).to_numpy()
        if name_col
        else np.array([f"conflict {i}" for i in range(len(res))])
    )[pairs["i"]]
    pairs["severity"] = (
        res["severity"].astype(str).to_numpy()[pairs["i"]] if "severity" in res.columns else ""
    )
    pairs["basis"] = res["basis"].astype(str).to_numpy()[pairs["i"]] if "basis" in res.columns else ""
    per = (
        pairs.groupby(["site_id", "name"], sort=False)
        .agg(ha=("ha", "sum"), severity=("severity", "first"), basis=("basis", "first"))
        .reset_index()
    )
    per = per.sort_values(["site_id", "ha", "name"], ascending=[True, False, True], kind="stable")
    text, basis, n, ha = {}, {}, {}, {}
    for sid, grp in per.groupby("site_id", sort=False):
        text[sid] = "; ".join(
            f"{r.name} ({r.severity}, {r.ha:.2f} ha)" if r.severity else r.name for r in grp.itertuples()
        )
        basis[sid] = "; ".join(dict.fromkeys(b for b in grp["basis"] if b))
        n[sid] = len(grp)
        ha[sid] = float(grp["ha"].sum())
    sid = out["site_id"]
    out["n_conflicts"] = sid.map(n).fillna(0).astype(int)
    out["conflicts"] = sid.map(text).fillna("")
    out["conflict_area_ha"] = sid.map(ha).fillna(0.0)
    out["conflict_basis"] = sid.map(basis).fillna("")
    return out


def attach_places(
    sites: gpd.GeoDataFrame, places: gpd.GeoDataFrame, name_col: str = "name"
) -> gpd.GeoDataFrame:
    """Add the nearest named place of each site: ``place_name`` and ``place_distance_m``.

    The distance is from the site's edge (0 when the place lies inside it). Places without a name
    are ignored; without any place the columns are empty (``""`` and NaN), never a made-up name.

    Examples
    --------
    >>> from shapely.geometry import Point, box
    >>> sites = gpd.GeoDataFrame({"site_id": [1]}, geometry=[box(0, 0, 100, 100)], crs=25833)
    >>> places = gpd.GeoDataFrame({"name": ["Hell", "Stjørdal"]},
    ...                           geometry=[Point(400, 50), Point(5000, 0)], crs=25833)
    >>> attach_places(sites, places)[["place_name", "place_distance_m"]].values.tolist()
    [['Hell', 300.0]]
    """
    out = sites.copy()
    out["place_name"] = ""
    out["place_distance_m"] = np.nan
    if places is None or not len(places) or name_col not in places.columns or not len(out):
        return out
    named = places[places[name_col].notna() & (places[name_col].astype(str).str.strip() != "")]
    if not len(named):
        return out
    named = named.to_crs(out.crs)
    tree = shapely.STRtree(np.asarray(named.geometry.values))
    geoms = np.asarray(out.geometry.values)
    (left, right), dist = tree.query_nearest(geoms, return_distance=True, all_matches=False)
    names = named[name_col].astype(str).to_numpy()
    out.loc[out.index[left], "place_name"] = names[right]
    out.loc[out.index[left], "place_distance_m"] = dist
    return out
