"""Raster multi-criteria suitability: the weighted overlay and the whole-grid model.

Pure analysis over an :class:`~areal.geo.grid.AnalysisGrid`: layers come in as GeoDataFrames (already
loaded by :mod:`areal.layers`), arrays and frames go out. :func:`build_model` computes everything on
the whole grid and keeps the normalised criterion scores of the eligible cells, so
:meth:`SuitabilityModel.suitability` after a weight change is a matrix-vector product (no distance is
recomputed). The other concerns live in their own modules:

* :mod:`areal.geo.suitability_plan`: inputs and the plan of a run;
* :mod:`areal.geo.criterion_arrays`: criterion rasters and exclusion masks;
* :mod:`areal.geo.sites`: labelling, ranking and reasons of candidate sites;
* :mod:`areal.geo.area_lost`: land removed per exclusion;
* :mod:`areal.geo.sensitivity`: rank stability under weight changes;
* :mod:`areal.geo.windowed`: the tile-by-tile run with bounded memory (same numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
from areal.geo import criteria as C
from areal.geo.area_lost import area_lost, exact_area_lost, merge_area_lost
from areal.geo.criterion_arrays import coarse_criteria, criterion_arrays, exclusion_arrays
from areal.geo.errors import RuleError
from areal.geo.grid import AnalysisGrid, check_same_grid, land_mask
from areal.geo.profiles import Profile
from areal.geo.sites import (
    SiteStats,
    empty_sites,
    label_geometries,
    label_mask,
    site_frame,
    sites_from_labels,
    zonal_mean,
)
from areal.geo.suitability_plan import Plan, SuitabilityInputs, layer_digests, plan


def weighted_overlay(
    scores: Mapping[str, np.ndarray] | list[np.ndarray],
    weights: Iterable[float],
    *,
    eligible: np.ndarray | None = None,
    names: list[str] | None = None,
) -> np.ndarray:
    """Weighted sum of score rasters (weights normalised to 1); NaN where not ``eligible``.

    Raises
    ------
    GridMismatchError
        When the rasters (and the mask) do not share one shape; the message names both.
    """
    if isinstance(scores, Mapping):
        names, arrays = list(scores), list(scores.values())
    else:
        arrays = list(scores)
        names = names or [f"criterion {i}" for i in range(len(arrays))]
    w = np.asarray(list(weights), dtype=np.float64)
    if len(w) != len(arrays):
        raise ValueError(f"weighted_overlay: {len(arrays)} rasters but {len(w)} weights")
    if np.any(w < 0) or w.sum() <= 0:
        raise ValueError(f"weighted_overlay: weights must be >= 0 with a positive sum, got {w.tolist()}")
    w = w / w.sum()
    extra = [eligible] if eligible is not None else []
    check_same_grid(*arrays, *extra, names=names + ["eligible mask"] * len(extra))
    out = np.zeros(np.shape(arrays[0]), dtype=np.float32)
    for a, wi in zip(arrays, w):
        out += np.float32(wi) * np.asarray(a, dtype=np.float32)
    if eligible is not None:
        out[~eligible] = np.nan
    return out


# ------------------------------------------------------------------ the in-memory model


class SuitabilityModel:
    """State of a whole-grid run, kept so a weight or threshold change recomputes in a fraction of a second.

    Built by :func:`build_model`. Holds the land mask, every exclusion mask, the raw criterion
    rasters and the normalised scores of the eligible cells as one ``(criteria, cells)`` matrix.
    """

    def __init__(
        self,
        profile: Profile,
        grid: AnalysisGrid,
        p: Plan,
        land: np.ndarray,
        exclusions: dict[str, np.ndarray],
        arrays: dict[str, tuple[np.ndarray, np.ndarray]],
        land_frame: gpd.GeoDataFrame,
    ):
        self.profile = profile
        self.grid = grid
        self.plan = p
        self.land = land
        self.exclusions = exclusions
        self.criteria = [c.id for c in p.criteria]
        self.weights = p.weights.copy()
        self.raw = {k: v[0] for k, v in arrays.items()}
        excluded = np.zeros(grid.shape, bool)
        for m in exclusions.values():
            excluded |= m
        self.eligible = land & ~excluded
        self.eligible_idx = np.flatnonzero(self.eligible)
        self.scores = np.stack([arrays[k][1].ravel()[self.eligible_idx] for k in self.criteria]).astype(
            np.float32
        )
        self.land_frame = land_frame

    @property
    def skipped(self) -> tuple[tuple[str, str], ...]:
        """Criteria/exclusions skipped and why."""
        return self.plan.skipped

    def weights_for(self, weights: Mapping[str, float] | np.ndarray | None) -> np.ndarray:
        """Weights as a normalised vector in criterion order (``None``: the profile's)."""
        if weights is None:
            return self.weights
        if isinstance(weights, Mapping):
            unknown = sorted(set(weights) - set(self.criteria))
            if unknown:
                raise RuleError(f"weights for unknown criteria {unknown}; active criteria: {self.criteria}")
            w = np.array([float(weights.get(k, self.weights[i])) for i, k in enumerate(self.criteria)])
        else:
            w = np.asarray(weights, dtype=np.float64)
        if len(w) != len(self.criteria) or np.any(w < 0) or w.sum() <= 0:
            raise RuleError(
                f"weights {w.tolist()} must be {len(self.criteria)} non-negative numbers with a positive sum"
            )
        return w / w.sum()

    def suitability(self, weights: Mapping[str, float] | np.ndarray | None = None) -> np.ndarray:
        """Suitability in [0, 1] (float32); NaN off land and on excluded cells."""
        w = self.weights_for(weights).astype(np.float32)
        out = np.full(self.grid.shape, np.nan, dtype=np.float32)
        out.ravel()[self.eligible_idx] = w @ self.scores
        return out

    def score_arrays(self) -> dict[str, np.ndarray]:
        """Per-criterion score rasters (NaN where not eligible), for display."""
        out = {}
        for i, k in enumerate(self.criteria):
            a = np.full(self.grid.shape, np.nan, dtype=np.float32)
            a.ravel()[self.eligible_idx] = self.scores[i]
            out[k] = a
        return out

    def label(
        self,
        suitability: np.ndarray,
        threshold: float | None = None,
        connectivity: str | None = None,
        min_area_ha: float | None = None,
        max_area_ha: float | None = None,
    ) -> tuple[np.ndarray, int]:
        """Regions of cells ≥ threshold at least ``min_area_ha`` large, split at ``max_area_ha``: ``(labels, n)``.

        ``None`` means the profile's value (the profile may set no ``max_area_ha``: no split).
        """
        thr = self.profile.threshold if threshold is None else threshold
        cand = np.nan_to_num(suitability, nan=-1.0) >= thr
        return label_mask(
            cand,
            self.grid,
            connectivity or self.profile.connectivity,
            *self.size_limits(min_area_ha, max_area_ha),
        )

    def size_limits(
        self, min_area_ha: float | None = None, max_area_ha: float | None = None
    ) -> tuple[float, float | None]:
        """``(min_area_ha, max_area_ha)`` of a run: the given values, else the profile's."""
        lo = self.profile.min_area_ha if min_area_ha is None else float(min_area_ha)
        hi = self.profile.max_area_ha if max_area_ha is None else float(max_area_ha)
        return lo, hi

    def recompute(
        self,
        weights=None,
        threshold: float | None = None,
        min_area_ha: float | None = None,
        max_area_ha: float | None = None,
    ) -> tuple[np.ndarray, np.ndarray, int]:
        """Weighted sum + threshold + labelling: what a weight change costs.

        Works on the eligible cells only (a matrix-vector product) and labels the candidate
        mask. Returns ``(values, labels, n)`` where ``values`` are the suitability values of the
        eligible cells (in ``eligible_idx`` order).
        """
        w = self.weights_for(weights).astype(np.float32)
        values = w @ self.scores
        thr = self.profile.threshold if threshold is None else threshold
        cand = np.zeros(self.grid.shape, dtype=bool)
        cand.ravel()[self.eligible_idx[values >= thr]] = True
        labels, n = label_mask(
            cand, self.grid, self.profile.connectivity, *self.size_limits(min_area_ha, max_area_ha)
        )
        return values, labels, n

    def sites(
        self,
        weights=None,
        *,
        threshold: float | None = None,
        connectivity: str | None = None,
        min_area_ha: float | None = None,
        max_area_ha: float | None = None,
        conflicts: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame] | None = None,
    ) -> gpd.GeoDataFrame:
        """Ranked candidate sites (see :func:`~areal.geo.sites.sites_from_labels`).

        Sites are between ``min_area_ha`` and ``max_area_ha`` (default: the profile's; larger
        regions are split into compact parcels, :func:`~areal.geo.sites.split_large_regions`).
        """
        s = self.suitability(weights)
        labels, n = self.label(s, threshold, connectivity, min_area_ha, max_area_ha)
        w = self.weights_for(weights)
        score_full = self.score_arrays() if n else {}  # once, not once per criterion
        return sites_from_labels(
            labels,
            n,
            s,
            self.grid,
            raw=self.raw,
            scores=score_full,
            weights=dict(zip(self.criteria, w)),
            municipalities=self.land_frame,
            conflicts=conflicts,
        )

    def fast_sites(
        self,
        weights=None,
        *,
        threshold: float | None = None,
        min_area_ha: float | None = None,
        max_area_ha: float | None = None,
        conflicts: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame] | None = None,
    ) -> gpd.GeoDataFrame:
        """The same table as :meth:`sites`, computed for an interactive weight change.

        Only the window holding the cells above the threshold is labelled, statistics are taken
        over the site cells only (site cells are always eligible, so the criterion scores come
        straight from the ``(criteria, cells)`` matrix) and each site is vectorised inside its own
        bounding box: no full-grid array is made. Uses the profile's connectivity; the size limits
        as in :meth:`sites`.
        """
        w = self.weights_for(weights)
        thr = self.profile.threshold if threshold is None else threshold
        values = w.astype(np.float32) @ self.scores
        hit = np.flatnonzero(values >= thr)
        if len(hit) == 0:
            return empty_sites(self.grid.crs)
        # Label only the window holding the candidate cells (not the whole county grid).
        rows, cols = np.divmod(self.eligible_idx[hit], self.grid.width)
        r0, c0 = int(rows.min()), int(cols.min())
        cand = np.zeros((int(rows.max()) - r0 + 1, int(cols.max()) - c0 + 1), dtype=bool)
        cand[rows - r0, cols - c0] = True
        labels, n = label_mask(
            cand, self.grid, self.profile.connectivity, *self.size_limits(min_area_ha, max_area_ha)
        )
        if n == 0:
            return empty_sites(self.grid.crs)
        lab_h = labels[rows - r0, cols - c0]
        inside = lab_h > 0
        lab = lab_h[inside]
        cells = self.eligible_idx[hit[inside]]
        s = values[hit[inside]].astype(np.float64)
        scores_in = self.scores[:, hit[inside]]
        stats = SiteStats.of(
            lab,
            n,
            s,
            {k: self.raw[k].ravel()[cells] for k in self.criteria},
            {k: scores_in[i] for i, k in enumerate(self.criteria)},
        )
        geoms = label_geometries(labels, n, self.grid.transform * self.grid.transform.translation(c0, r0))
        return site_frame(
            stats,
            geoms,
            self.grid,
            weights=dict(zip(self.criteria, w)),
            municipalities=self.land_frame,
            conflicts=conflicts,
        )

    def site_mean(self, geom, suitability: np.ndarray | None = None) -> float:
        """Mean suitability over a site (cells whose centre is inside; the cell under a point or a tiny polygon).

        NaN when the site is off land / fully excluded / outside the grid.
        """
        return zonal_mean(self.suitability() if suitability is None else suitability, self.grid, geom)

    def area_lost(self) -> pd.DataFrame:
        """Land removed by each exclusion, alone and marginally (GLAES-style).

        Exact polygon areas (:func:`~areal.geo.area_lost.exact_area_lost`) beside the cell count
        at the grid resolution (:func:`~areal.geo.area_lost.area_lost`); see
        :func:`~areal.geo.area_lost.merge_area_lost`.
        """
        cells = area_lost(self.land, self.exclusions, self.grid.cell_area)
        exact = exact_area_lost(self.land_frame, dict(self.plan.exclusions), bounds=self.grid.bounds)
        return merge_area_lost(cells, exact, self.grid.res)


def build_model(
    profile: Profile,
    inputs: SuitabilityInputs,
    grid: AnalysisGrid,
    *,
    cache: C.DistanceCache | None = None,
    distance_res: float | None = None,
) -> SuitabilityModel:
    """Evaluate a profile on the whole grid and keep the state for fast re-weighting.

    Parameters
    ----------
    profile : Profile
    inputs : SuitabilityInputs
    grid : AnalysisGrid
    cache : DistanceCache, optional
        Distance rasters are taken from / stored in it (a new in-memory cache by default).
    distance_res : float, optional
        Compute distances on this coarser lattice (see :func:`~areal.geo.criterion_arrays.criterion_arrays`).
    """
    p = plan(profile, inputs)
    cache = cache if cache is not None else C.DistanceCache()
    digests = layer_digests(p)
    coarse = coarse_criteria(p, grid, cache=cache, digests=digests, distance_res=distance_res)
    arrays = criterion_arrays(p, grid, cache, digests, coarse=coarse)
    land = land_mask(inputs.land, grid)
    excl = exclusion_arrays(p, grid)
    return SuitabilityModel(profile, grid, p, land, excl, arrays, inputs.land)
