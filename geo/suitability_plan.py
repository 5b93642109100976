"""Suitability inputs and the plan of a run: which criteria and exclusions a profile can use.

The caller (:mod:`areal.layers`) loads the layers into :class:`SuitabilityInputs`; :func:`plan`
resolves a profile against them (features selected, missing layers skipped with the reason,
weights renormalised). Everything downstream (:mod:`areal.geo.criterion_arrays`,
:mod:`areal.geo.suitability`, :mod:`areal.geo.windowed`) works from the :class:`Plan`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
from affine import Affine
from areal.geo import criteria as C
from areal.geo.errors import RuleError
from areal.geo.profiles import Criterion, Profile


@dataclass(frozen=True)
class RasterSource:
    """A raster (the elevation model): values in memory, or a window reader; transform, CRS, nodata.

    ``values`` holds the whole band when it is small (or made in memory). A large raster on disk
    (a 10 m DTM, a VRT of tiles) is given as ``reader`` instead: ``reader(row, col, height,
    width)`` returns that window of band 1, and :meth:`window` reads only the part a grid needs,
    so the raster is never read whole. The reader must be picklable (workers call it).
    """

    values: np.ndarray | None
    transform: Affine
    crs: object
    nodata: float | None = None
    name: str = "raster"
    shape: tuple[int, int] | None = None
    reader: Callable[[int, int, int, int], np.ndarray] | None = None

    @property
    def size(self) -> tuple[int, int]:
        """``(rows, cols)`` of the raster."""
        if self.values is not None:
            rows, cols = np.shape(self.values)
            return int(rows), int(cols)
        if self.shape is None:
            raise ValueError(f"raster {self.name!r} has neither values nor a shape")
        return self.shape

    def window(self, bounds, crs, margin: int = 2):
        """The part of the raster covering ``bounds`` (in ``crs``), plus ``margin`` cells: ``(values, transform)``.

        Returns None when the bounds miss the raster.
        """
        import math

        from pyproj import CRS
        from rasterio.warp import transform_bounds

        b = tuple(bounds)
        if not CRS.from_user_input(crs).equals(CRS.from_user_input(self.crs)):
            b = transform_bounds(crs, self.crs, *b, densify_pts=21)
        inv = ~self.transform
        cols, rows = zip(*(inv * (x, y) for x, y in ((b[0], b[1]), (b[0], b[3]), (b[2], b[1]), (b[2], b[3]))))
        h, w = self.size
        r0, r1 = max(0, math.floor(min(rows)) - margin), min(h, math.ceil(max(rows)) + margin)
        c0, c1 = max(0, math.floor(min(cols)) - margin), min(w, math.ceil(max(cols)) + margin)
        if r1 <= r0 or c1 <= c0:
            return None
        if self.values is not None:
            arr = self.values[r0:r1, c0:c1]
        elif self.reader is not None:
            arr = self.reader(r0, c0, r1 - r0, c1 - c0)
        else:
            raise ValueError(f"raster {self.name!r} has neither values nor a reader")
        return arr, self.transform * Affine.translation(c0, r0)


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
    skipped : tuple of (name, reason)
        Exclusions the caller could not supply, and why (a rule whose layer is missing); they are
        reported with the plan's own skips (:attr:`Plan.skipped`).
    """

    layers: Mapping[str, gpd.GeoDataFrame]
    land: gpd.GeoDataFrame
    missing: Mapping[str, str] = field(default_factory=dict)
    elevation: RasterSource | None = None
    extra_exclusions: Mapping[str, gpd.GeoDataFrame] = field(default_factory=dict)
    skipped: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Plan:
    """What a profile can use with the given inputs: active criteria, weights, exclusions, skips."""

    criteria: tuple[Criterion, ...]
    weights: np.ndarray
    exclusions: tuple[tuple[str, gpd.GeoDataFrame], ...]
    criterion_frames: Mapping[str, Any]  # a GeoDataFrame, a RasterSource or (frame, score, layer) classes
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
    active: list[Criterion] = []
    frames: dict[str, Any] = {}
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
            classes: list[tuple[gpd.GeoDataFrame, float, str]] = []
            lost: list[str] = []
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
            lid = c.layer or ""  # distance and overlap criteria name a layer (profiles.py checks)
            if lid not in inputs.layers:
                reason = inputs.missing.get(lid, "layer not loaded")
                skipped.append((c.id, f"criterion skipped: layer {c.layer!r} missing ({reason})"))
                continue
            gdf = C.select_features(inputs.layers[lid], c.where, f"criterion {c.id!r} (layer {lid!r})")
            if len(gdf) == 0:
                skipped.append((c.id, f"criterion skipped: no feature of {lid!r} matches {dict(c.where)}"))
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
    skipped += inputs.skipped
    return Plan(tuple(active), w, tuple(excl), frames, tuple(skipped))


def layer_digests(p: Plan) -> dict[str, str]:
    """Content hash per distance criterion (cache keys)."""
    return {c.id: C.layer_digest(p.criterion_frames[c.id]) for c in p.criteria if c.kind == "distance"}
