"""Raster multi-criteria suitability: weighted overlay, candidate sites, area lost, sensitivity.

Pure analysis over an :class:`~areal.geo.grid.AnalysisGrid`: layers come in as GeoDataFrames (already
loaded by :mod:`layers`), arrays and frames go out. Two paths share one per-grid function
(:func:`criterion_arrays`):

* :func:`build_model` computes everything on the whole grid and keeps the normalised criterion
  scores of the eligible cells, so :meth:`SuitabilityModel.suitability` after a weight change is a
  matrix-vector product (no distance is recomputed);
* :func:`run_windowed` walks the grid in tiles with a halo (the largest distance cap), so memory
  stays bounded at 10 m; inside a tile it gives the same numbers as the whole-grid path.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.geo import criteria as C
from areal.geo.errors import RuleError
from areal.geo.geometry import M2_PER_HA, area_columns
from areal.geo.grid import AnalysisGrid, check_same_grid, land_mask, rasterize
from areal.geo.profiles import CONNECTIVITY, Criterion, Profile
from pyproj import CRS
from rasterio import features
from scipy import ndimage, sparse


@dataclass(frozen=True)
class RasterSource:
    """A raster read by the caller (for example the elevation model): values, transform, CRS, nodata."""

    values: np.ndarray
    transform: object
    crs: object
    nodata: float | None = None
    name: str = "raster"


@dataclass
class SuitabilityInputs:
    """Everything a run needs, loaded by the caller.

    Attributes
    ----------
    layers : mapping of layer id -> GeoDataFrame
        Loaded layers in the grid's CRS.
    missing : mapping of layer id -> str
        Layers that could not be loaded and why; criteria and exclusions using them are skipped
        and reported.
    land : GeoDataFrame
        Land polygons of the study region (land mask; municipality of each site).
    elevation : RasterSource, optional
        Elevation raster for slope criteria.
    extra_exclusions : mapping of name -> GeoDataFrame
        Caller-supplied exclusions (for example areas of conflict rules of severity "exclusion").
    """

    layers: Mapping[str, gpd.GeoDataFrame]
    land: gpd.GeoDataFrame
    missing: Mapping[str, str] = field(default_factory=dict)
    elevation: RasterSource | None = None
    extra_exclusions: Mapping[str, gpd.GeoDataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """What a profile can use with the given inputs: active criteria, weights, exclusions, skips."""

    criteria: tuple[Criterion, ...]
    weights: np.ndarray
    exclusions: tuple[tuple[str, gpd.GeoDataFrame], ...]
    criterion_frames: Mapping[str, object]
    skipped: tuple[tuple[str, str], ...]

    @property
    def halo_m(self) -> float:
        """Largest distance cap (m): the halo a tile needs."""
        caps = [c.distance_cap for c in self.criteria if c.kind == "distance"]
        return max(caps, default=0.0)


def plan(profile: Profile, inputs: SuitabilityInputs) -> Plan:
    """Resolve a profile against the inputs: filter features, drop criteria whose layers are missing.

    A criterion or exclusion whose layer is missing is skipped with the reason (never silently);
    the remaining weights are renormalised to sum 1.

    Raises
    ------
    RuleError
        When no criterion is left.
    """
    skipped: list[tuple[str, str]] = []
    active, frames = [], {}
    for c in profile.criteria:
        if c.kind == "slope":
            if inputs.elevation is None:
                skipped.append(
                    (
                        c.id,
                        f"criterion skipped: no elevation raster ({inputs.missing.get('elevation', 'not given')})",
                    )
                )
                continue
            frames[c.id] = inputs.elevation
        elif c.kind == "categorical":
            classes, lost = [], []
            for layer, score in c.classes:
                if layer in inputs.layers:
                    classes.append((inputs.layers[layer], score, layer))
                else:
                    lost.append(layer)
            if not classes:
                skipped.append(
                    (c.id, f"criterion skipped: none of its class layers is available ({', '.join(lost)})")
                )
                continue
            if lost:
                skipped.append(
                    (c.id, f"classes without data, scored as default {c.default}: {', '.join(lost)}")
                )
            frames[c.id] = classes
        else:
            if c.layer not in inputs.layers:
                reason = inputs.missing.get(c.layer, "layer not loaded")
                skipped.append((c.id, f"criterion skipped: layer {c.layer!r} missing ({reason})"))
                continue
            gdf = C.select_features(
                inputs.layers[c.layer], c.where, f"criterion {c.id!r} (layer {c.layer!r})"
            )
            if len(gdf) == 0:
                skipped.append(
                    (c.id, f"criterion skipped: no feature of {c.layer!r} matches {dict(c.where)}")
                )
                continue
            frames[c.id] = gdf
        active.append(c)
    if not active:
        raise RuleError(
            f"{profile.source or profile.name}: no criterion can be evaluated; "
            + "; ".join(f"{k}: {v}" for k, v in skipped)
        )
    w = np.array([profile.weights[c.id] for c in active], dtype=np.float64)
    if w.sum() <= 0:
        raise RuleError(f"{profile.source or profile.name}: the available criteria all have weight 0")
    w = w / w.sum()
    excl = []
    for e in profile.exclusions:
        if e.layer not in inputs.layers:
            skipped.append(
                (
                    e.id,
                    f"exclusion skipped: layer {e.layer!r} missing ({inputs.missing.get(e.layer, 'layer not loaded')})",
                )
            )
            continue
        gdf = C.select_features(inputs.layers[e.layer], e.where, f"exclusion {e.id!r} (layer {e.layer!r})")
        if e.buffer_m > 0 and len(gdf):
            gdf = gdf.set_geometry(gdf.geometry.buffer(e.buffer_m))
        excl.append((e.id, gdf))
    for name, gdf in inputs.extra_exclusions.items():
        excl.append((name, gdf))
    return Plan(tuple(active), w, tuple(excl), frames, tuple(skipped))


def _check_distance_res(distance_res: float | None, grid: AnalysisGrid) -> float | None:
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


def sample_coarse(coarse: np.ndarray, cgrid: AnalysisGrid, grid: AnalysisGrid) -> np.ndarray:
    """Value of the coarse cell holding each cell centre of ``grid`` (both grids on one lattice)."""
    ri, ci = coarse_index(cgrid, grid)
    return coarse[np.ix_(ri, ci)]


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

    h, w = np.shape(src.values)
    if CRS.from_user_input(src.crs).equals(grid.crs):
        size = min(abs(src.transform.a), abs(src.transform.e))
    else:
        t, _, _ = calculate_default_transform(src.crs, grid.crs, w, h, *array_bounds(h, w, src.transform))
        size = min(abs(t.a), abs(t.e))
    return max(1, int(math.floor(size / grid.res + 1e-9)))


def _score(c: Criterion, raw: np.ndarray) -> np.ndarray:
    if c.kind == "categorical":
        return raw
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
) -> dict[str, CoarseCriterion]:
    """Criteria evaluated once on a coarser lattice than ``grid``, keyed by criterion id.

    * distance criteria when ``distance_res`` (a multiple of the grid resolution) is given:
      distances on that lattice over the whole grid (error below ``distance_res``);
    * slope when the elevation raster is coarser than the grid (:func:`terrain_factor` > 1): the
      DEM is resampled once onto a lattice of its own cell size and slope computed there.

    Each grid cell then takes the coarse cell holding its centre (:func:`coarse_index`); the
    coarse rasters do not depend on how the grid is tiled.
    """
    dres = _check_distance_res(distance_res, grid)
    out: dict[str, CoarseCriterion] = {}
    for c in p.criteria:
        src = p.criterion_frames[c.id]
        if c.kind == "distance" and dres:
            dgrid = AnalysisGrid(grid.crs, dres, grid.bounds)
            if cache is not None:
                raw = cache.get(
                    src,
                    dgrid,
                    cap_m=c.distance_cap,
                    all_touched=True,
                    what=c.layer,
                    digest=(digests or {}).get(c.id),
                )
            else:
                raw = C.distance_raster(src, dgrid, cap_m=c.distance_cap, all_touched=True, what=c.layer)
            out[c.id] = CoarseCriterion(dgrid, raw, _score(c, raw))
        elif c.kind == "slope":
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
                elev = C.raster_on_grid(src.values, src.transform, src.crs, tgrid, nodata=src.nodata)
                raw = C.slope_degrees(elev, tres)
                out[c.id] = CoarseCriterion(tgrid, raw, _score(c, raw))
    return out


def _fine_raw(
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
            raw = cache.get(src, ctx, cap_m=c.distance_cap, all_touched=True, what=c.layer, digest=digest)
        else:
            raw = C.distance_raster(src, ctx, cap_m=c.distance_cap, all_touched=True, what=c.layer)
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
        elev = C.raster_on_grid(src.values, src.transform, src.crs, big, nodata=src.nodata)
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
            raw = _fine_raw(c, p.criterion_frames[c.id], grid, ctx, cache, (digests or {}).get(c.id))
            score = _score(c, raw)
        out[c.id] = (raw, score)
    check_same_grid(*(s for _, s in out.values()), names=list(out), grid=grid)
    return out


def exclusion_arrays(p: Plan, grid: AnalysisGrid) -> dict[str, np.ndarray]:
    """Boolean mask per exclusion on ``grid`` (``all_touched=True``: an exclusion never leaks)."""
    return {
        name: rasterize(gdf, grid, all_touched=True, what=f"exclusion {name!r}").astype(bool)
        for name, gdf in p.exclusions
    }


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
    ) -> tuple[np.ndarray, int]:
        """Regions of cells ≥ threshold at least ``min_area_ha`` large: ``(labels, n)``."""
        return label_sites(
            suitability,
            self.grid,
            self.profile.threshold if threshold is None else threshold,
            connectivity or self.profile.connectivity,
            self.profile.min_area_ha if min_area_ha is None else min_area_ha,
        )

    def recompute(self, weights=None, threshold: float | None = None) -> tuple[np.ndarray, np.ndarray, int]:
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
        labels, n = label_mask(cand, self.grid, self.profile.connectivity, self.profile.min_area_ha)
        return values, labels, n

    def sites(
        self,
        weights=None,
        *,
        threshold: float | None = None,
        connectivity: str | None = None,
        min_area_ha: float | None = None,
        conflicts: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame] | None = None,
    ) -> gpd.GeoDataFrame:
        """Ranked candidate sites (see :func:`sites_from_labels`)."""
        s = self.suitability(weights)
        labels, n = self.label(s, threshold, connectivity, min_area_ha)
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
            labels_text={c.id: c.label for c in self.plan.criteria},
            kinds={c.id: c.kind for c in self.plan.criteria},
            municipalities=self.land_frame,
            conflicts=conflicts,
        )

    def fast_sites(
        self,
        weights=None,
        *,
        threshold: float | None = None,
        conflicts: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame] | None = None,
    ) -> gpd.GeoDataFrame:
        """The same table as :meth:`sites`, computed for an interactive weight change.

        Only the window holding the cells above the threshold is labelled, statistics are taken
        over the site cells only (site cells are always eligible, so the criterion scores come
        straight from the ``(criteria, cells)`` matrix) and each site is vectorised inside its own
        bounding box: no full-grid array is made. Uses the profile's connectivity and minimum area.
        """
        w = self.weights_for(weights)
        thr = self.profile.threshold if threshold is None else threshold
        values = w.astype(np.float32) @ self.scores
        hit = np.flatnonzero(values >= thr)
        if len(hit) == 0:
            return _empty_sites(self.grid.crs)
        # Label only the window holding the candidate cells (not the whole county grid).
        rows, cols = np.divmod(self.eligible_idx[hit], self.grid.width)
        r0, c0 = int(rows.min()), int(cols.min())
        cand = np.zeros((int(rows.max()) - r0 + 1, int(cols.max()) - c0 + 1), dtype=bool)
        cand[rows - r0, cols - c0] = True
        labels, n = label_mask(cand, self.grid, self.profile.connectivity, self.profile.min_area_ha)
        if n == 0:
            return _empty_sites(self.grid.crs)
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
        geoms = _label_geometries(labels, n, self.grid.transform * self.grid.transform.translation(c0, r0))
        return site_frame(
            stats,
            geoms,
            self.grid,
            weights=dict(zip(self.criteria, w)),
            labels_text={c.id: c.label for c in self.plan.criteria},
            kinds={c.id: c.kind for c in self.plan.criteria},
            municipalities=self.land_frame,
            conflicts=conflicts,
        )

    def site_mean(self, geom, suitability: np.ndarray | None = None) -> float:
        """Mean suitability over a site (cells whose centre is inside; the cell under a point or a tiny polygon).

        NaN when the site is off land / fully excluded / outside the grid.
        """
        return zonal_mean(self.suitability() if suitability is None else suitability, self.grid, geom)

    def area_lost(self) -> pd.DataFrame:
        """Land removed by each exclusion, alone and marginally (GLAES-style); see :func:`area_lost`."""
        return area_lost(self.land, self.exclusions, self.grid.cell_area)


def zonal_mean(array: np.ndarray, grid: AnalysisGrid, geom) -> float:
    """Mean of ``array`` (on ``grid``) over a geometry, ignoring NaN.

    Cells whose centre falls inside a polygon are used; a point, a line or a polygon smaller than
    one cell uses the cells it touches. Only the geometry's bounding window is rasterised.
    """
    check_same_grid(array, names=["array"], grid=grid)
    inv = ~grid.transform
    x0, y0, x1, y1 = geom.bounds
    c0, r0 = inv * (x0, y1)
    c1, r1 = inv * (x1, y0)
    r0, c0 = max(int(np.floor(r0)), 0), max(int(np.floor(c0)), 0)
    r1, c1 = min(int(np.ceil(r1)) + 1, grid.height), min(int(np.ceil(c1)) + 1, grid.width)
    if r0 >= r1 or c0 >= c1:
        return float("nan")
    sub = array[r0:r1, c0:c1]
    transform = grid.transform * grid.transform.translation(c0, r0)
    inside = features.geometry_mask([geom], sub.shape, transform, invert=True)
    if not inside.any():
        inside = features.geometry_mask([geom], sub.shape, transform, invert=True, all_touched=True)
    vals = sub[inside]
    vals = vals[np.isfinite(vals)]
    return float(vals.mean()) if len(vals) else float("nan")


def layer_digests(p: Plan) -> dict[str, str]:
    """Content hash per distance criterion (cache keys)."""
    return {c.id: C.layer_digest(p.criterion_frames[c.id]) for c in p.criteria if c.kind == "distance"}


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
        Compute distances on this coarser lattice (see :func:`criterion_arrays`).
    """
    p = plan(profile, inputs)
    cache = cache if cache is not None else C.DistanceCache()
    digests = layer_digests(p)
    coarse = coarse_criteria(p, grid, cache=cache, digests=digests, distance_res=distance_res)
    arrays = criterion_arrays(p, grid, cache, digests, coarse=coarse)
    land = land_mask(inputs.land, grid)
    excl = exclusion_arrays(p, grid)
    return SuitabilityModel(profile, grid, p, land, excl, arrays, inputs.land)


# ------------------------------------------------------------------ candidate sites


def _structure(connectivity: str) -> np.ndarray:
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
    cand: np.ndarray, grid: AnalysisGrid, connectivity: str, min_area_ha: float
) -> tuple[np.ndarray, int]:
    """:func:`label_sites` on an already thresholded boolean mask."""
    labels, n = ndimage.label(cand, structure=_structure(connectivity))
    if n == 0:
        return labels.astype(np.int32), 0
    counts = np.bincount(labels.ravel(), minlength=n + 1)
    min_cells = min_area_ha * M2_PER_HA / grid.cell_area
    keep = counts >= min_cells - 1e-9
    keep[0] = False
    remap = np.zeros(n + 1, dtype=np.int32)
    remap[keep] = np.arange(1, int(keep.sum()) + 1, dtype=np.int32)
    return remap[labels], int(keep.sum())


def sites_from_labels(
    labels: np.ndarray,
    n: int,
    suitability: np.ndarray,
    grid: AnalysisGrid,
    *,
    raw: Mapping[str, np.ndarray] | None = None,
    scores: Mapping[str, np.ndarray] | None = None,
    weights: Mapping[str, float] | None = None,
    labels_text: Mapping[str, str] | None = None,
    kinds: Mapping[str, str] | None = None,
    municipalities: gpd.GeoDataFrame | None = None,
    conflicts: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame] | None = None,
) -> gpd.GeoDataFrame:
    """Vectorise labelled regions into ranked candidate sites.

    Columns: ``site_id`` (1 = best), ``rank``, ``mean_score``, ``min_score``, ``max_score``,
    ``n_cells``, ``area_m2``/``area_daa``/``area_ha``, ``kommunenummer``/``kommunenavn``
    (representative point in ``municipalities``), ``<criterion>_value`` (mean raw value: metres,
    degrees or class score) and ``<criterion>_score`` per criterion, ``reasons`` (the criteria
    that contribute most, with their mean values), and, when ``conflicts`` is given,
    ``n_conflicts``/``conflicts`` (see :func:`attach_conflicts`).
    """
    if n == 0:
        return _empty_sites(grid.crs)
    check_same_grid(labels, suitability, names=["labels", "suitability"])
    flat = labels.ravel()
    idx = flat > 0
    lab = flat[idx]
    stats = SiteStats.of(
        lab,
        n,
        suitability.ravel()[idx],
        {k: raw[k].ravel()[idx] for k in (scores or {})},
        {k: scores[k].ravel()[idx] for k in (scores or {})},
    )
    # Vectorise: 4-connected pieces per label (always valid polygons), then one multipolygon per site.
    parts, part_labels = [], []
    for geom, val in features.shapes(labels, mask=labels > 0, connectivity=4, transform=grid.transform):
        parts.append(shapely.geometry.shape(geom))
        part_labels.append(int(val))
    geoms = _dissolve(parts, np.asarray(part_labels, dtype=np.int64), n)
    return site_frame(
        stats,
        geoms,
        grid,
        weights=weights,
        labels_text=labels_text,
        kinds=kinds,
        municipalities=municipalities,
        conflicts=conflicts,
    )


def _label_geometries(labels: np.ndarray, n: int, window_transform) -> np.ndarray:
    """One (multi)polygon per label, vectorising only each label's bounding box."""
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


def _empty_sites(crs) -> gpd.GeoDataFrame:
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


def _dissolve(parts: list, part_labels: np.ndarray, n: int) -> np.ndarray:
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
    labels_text: Mapping[str, str] | None = None,
    kinds: Mapping[str, str] | None = None,
    municipalities: gpd.GeoDataFrame | None = None,
    conflicts: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame] | None = None,
) -> gpd.GeoDataFrame:
    """Ranked site table from per-region sums and geometries (see :func:`sites_from_labels`)."""
    crs = grid.crs
    n = len(stats)
    if n == 0:
        return _empty_sites(crs)
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
        names = labels_text or {}
        units = kinds or {}
        texts = []
        for i in range(n):
            top = sorted(contrib, key=lambda k: -contrib[k][i])[:3]
            texts.append(
                "; ".join(
                    f"{names.get(k, k)}: score {data[f'{k}_score'][i]:.2f}"
                    + _value_text(units.get(k), data[f"{k}_value"][i])
                    for k in top
                )
            )
        gdf["reasons"] = texts
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
    gdf = gdf.sort_values(["mean_score", "area_m2"], ascending=[False, False], kind="stable").reset_index(
        drop=True
    )
    gdf.insert(0, "site_id", np.arange(1, n + 1))
    gdf.insert(1, "rank", np.arange(1, n + 1))
    if conflicts is not None:
        gdf = attach_conflicts(gdf, conflicts)
    return gdf


def _value_text(kind: str | None, v: float) -> str:
    if kind == "distance":
        return f" (mean distance {v / 1000:.1f} km)" if v >= 1000 else f" (mean distance {v:.0f} m)"
    if kind == "slope":
        return f" (mean slope {v:.1f}°)"
    return ""


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


# ------------------------------------------------------------------ area lost per exclusion


def area_lost(land: np.ndarray, exclusions: Mapping[str, np.ndarray], cell_area: float) -> pd.DataFrame:
    """Land removed by each exclusion, alone and marginally (GLAES-style).

    Returns one row per exclusion with ``cells_alone`` (land cells the exclusion covers) and
    ``cells_marginal`` (land cells excluded by it and by no other), their areas in m², daa and ha
    (``alone_*``, ``marginal_*``) and the share of land (``share_alone``), plus rows ``all
    exclusions`` (union) and ``remaining`` (eligible land).
    """
    names = list(exclusions)
    check_same_grid(land, *exclusions.values(), names=["land", *names])
    count = np.zeros(land.shape, dtype=np.uint8)
    for m in exclusions.values():
        count += m & land
    alone = {k: int(np.count_nonzero(m & land)) for k, m in exclusions.items()}
    marginal = {k: int(np.count_nonzero(m & land & (count == 1))) for k, m in exclusions.items()}
    n_land = int(np.count_nonzero(land))
    n_any = int(np.count_nonzero(count > 0))
    return area_lost_table(alone, marginal, n_land, n_any, cell_area)


def area_lost_table(
    alone: Mapping[str, int], marginal: Mapping[str, int], n_land: int, n_any: int, cell_area: float
) -> pd.DataFrame:
    """Build the :func:`area_lost` table from cell counts (also used by the windowed path)."""
    rows = []
    for k in alone:
        rows.append({"exclusion": k, "cells_alone": alone[k], "cells_marginal": marginal[k]})
    rows.append({"exclusion": "all exclusions", "cells_alone": n_any, "cells_marginal": n_any})
    rows.append({"exclusion": "remaining", "cells_alone": n_land - n_any, "cells_marginal": n_land - n_any})
    df = pd.DataFrame(rows)
    for prefix, col in (("alone", "cells_alone"), ("marginal", "cells_marginal")):
        for k, v in area_columns(df[col].to_numpy() * cell_area).items():
            df[f"{prefix}_{k}"] = v
    df["share_alone"] = df["cells_alone"] / n_land if n_land else np.nan
    return df


# ------------------------------------------------------------------ sensitivity


def rank_stability(
    site_scores: np.ndarray,
    weights: np.ndarray,
    *,
    delta: float = 0.2,
    n_runs: int = 1000,
    concentration: float = 100.0,
    top_k: int = 5,
    seed: int = 0,
) -> pd.DataFrame:
    """Per-site rank stability under weight changes.

    A site's mean suitability is linear in the weights (``site_scores @ w``), so every perturbed
    ranking is exact without recomputing rasters.

    Parameters
    ----------
    site_scores : ndarray (sites, criteria)
        Mean criterion score of each site (the ``<criterion>_score`` columns).
    weights : ndarray (criteria,)
        Base weights.
    delta : float
        One-at-a-time change: each weight is multiplied by ``1 ± delta`` and all renormalised.
    n_runs : int
        Monte-Carlo draws of weights from a Dirichlet distribution centred on the base weights.
    concentration : float
        Dirichlet concentration (``alpha = concentration * w``): larger = closer to the base.
    top_k : int
        Report the share of runs in which a site ranks in the top ``k``.
    seed : int
        Random seed (runs are reproducible).

    Returns
    -------
    DataFrame
        One row per site in input order: ``base_rank``, ``oat_best_rank``, ``oat_worst_rank``,
        ``mc_median_rank``, ``mc_rank_q25``, ``mc_rank_q75``, ``mc_rank_iqr``, ``mc_share_top_k``.
    """
    S = np.asarray(site_scores, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    if S.ndim != 2 or S.shape[1] != len(w):
        raise ValueError(f"rank_stability: site_scores has shape {S.shape} but there are {len(w)} weights")
    n_sites = S.shape[0]

    def ranks(W: np.ndarray) -> np.ndarray:  # W: (runs, criteria) -> (runs, sites), 1 = best
        vals = W @ S.T
        order = np.argsort(-vals, axis=1, kind="stable")
        r = np.empty_like(order)
        np.put_along_axis(r, order, np.arange(1, n_sites + 1)[None, :].repeat(len(W), 0), axis=1)
        return r

    base = ranks(w[None, :])[0]
    oat = []
    for i in range(len(w)):
        for sign in (-1, 1):
            v = w.copy()
            v[i] *= 1 + sign * delta
            oat.append(v / v.sum())
    r_oat = ranks(np.array(oat)) if oat else base[None, :]
    rng = np.random.default_rng(seed)
    alpha = np.maximum(concentration * w, 1e-3)
    r_mc = ranks(rng.dirichlet(alpha, size=n_runs))
    q25, med, q75 = np.percentile(r_mc, [25, 50, 75], axis=0)
    return pd.DataFrame(
        {
            "base_rank": base,
            "oat_best_rank": r_oat.min(axis=0),
            "oat_worst_rank": r_oat.max(axis=0),
            "mc_median_rank": med,
            "mc_rank_q25": q25,
            "mc_rank_q75": q75,
            "mc_rank_iqr": q75 - q25,
            f"mc_share_top_{top_k}": (r_mc <= top_k).mean(axis=0),
        }
    )


def site_sensitivity(sites: gpd.GeoDataFrame, model: SuitabilityModel, **kw) -> pd.DataFrame:
    """:func:`rank_stability` for the sites of a model run, joined to ``site_id``."""
    cols = [f"{k}_score" for k in model.criteria]
    out = rank_stability(sites[cols].to_numpy(), model.weights, **kw)
    out.insert(0, "site_id", sites["site_id"].to_numpy())
    return out


# ------------------------------------------------------------------ windowed (chunked) path


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
                raw = _fine_raw(c, p.criterion_frames[c.id], tgrid, hgrid, None, None)[eligible]
                stack[n] = _score(c, raw)
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
    """Evaluate a profile tile by tile: bounded memory, same numbers as :func:`build_model`.

    Coarse inputs (distances on the ``distance_res`` lattice, slope of a coarse DEM) are computed
    once per run over the whole grid (:func:`coarse_criteria`) and upsampled into each tile by
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
        Coarser lattice for distances (see :func:`coarse_criteria`).
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
        See :func:`attach_conflicts`.
    """
    p = plan(profile, inputs)
    dres = _check_distance_res(distance_res, grid)
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
    structure = _structure(conn) if sites else None
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
        from rasterio.errors import NotGeoreferencedWarning

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
        return _empty_sites(grid.crs)
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
    geoms = _dissolve(pieces, np.asarray(piece_labels, dtype=np.int64), len(keep))
    return site_frame(
        merged.take(keep),
        geoms,
        grid,
        weights=dict(zip([c.id for c in p.criteria], p.weights)),
        labels_text={c.id: c.label for c in p.criteria},
        kinds={c.id: c.kind for c in p.criteria},
        municipalities=land,
        conflicts=conflicts,
    )
