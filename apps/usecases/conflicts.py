"""Conflict use case: a proposal checked against the rule table, for the CLI and the app.

:func:`check_conflicts` selects the rules (their A side, optionally only some B layers), keeps the
part of the proposal inside the chosen municipalities, pre-clips every B layer to the features near
the proposal (its parts' envelopes grown by the largest rule buffer: features far away cannot
conflict, so the result is the same and a drawn site does not flatten whole county layers), and
runs :func:`areal.geo.conflicts.find_conflicts`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

import geopandas as gpd
import numpy as np
import shapely
from areal.geo.conflicts import ConflictResult, find_conflicts
from areal.geo.crs import WORKING_CRS
from areal.geo.errors import UnknownNameError, unknown_name
from areal.geo.rules import RuleTable

FOOTPRINT_RADIUS_M = 0.5642
"""Half-width of the 1 m² band given to lines when ``footprint=True`` (a disc of 1 m² at a line's ends)."""

FOOTPRINT_SIDE_M = 1.0
"""Side of the 1 m² square given to points when ``footprint=True`` (a drawn point, an uploaded point set)."""


def near_features(
    layers: Mapping[str, gpd.GeoDataFrame], ids: Iterable[str], proposal: gpd.GeoDataFrame, buffer_m: float
) -> dict[str, gpd.GeoDataFrame]:
    """The features of each layer ``ids`` near any part of the proposal (envelopes grown by ``buffer_m`` + 1 m on every side)."""
    out = {}
    if len(proposal) == 0:
        return {i: layers[i].iloc[:0] for i in ids if layers.get(i) is not None}
    # Boxes from the bounds: shapely's envelope holds the GIL (0.2 s of a 20 000-point site on a
    # server whose event loop shares it); a box grown at its corners is only a little wider.
    b = shapely.bounds(np.asarray(proposal.geometry.values))
    d = buffer_m + 1.0
    env = shapely.box(b[:, 0] - d, b[:, 1] - d, b[:, 2] + d, b[:, 3] + d)
    for lid in ids:
        gdf = layers.get(lid)
        if gdf is None:
            continue
        # Bounding boxes only: an exact test of each part's envelope against large polygons is what
        # made many-part proposals slow (a 20 000-point site), and the overlay that follows is exact.
        _, hit = gdf.sindex.query(env)
        out[lid] = gdf.iloc[np.unique(hit)]
    return out


def clip_to_municipalities(
    proposal: gpd.GeoDataFrame, municipalities: gpd.GeoDataFrame | None, within: str | Sequence[str] | None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """The part of the proposal inside the municipalities ``within`` (numbers), and those municipalities.

    Without ``within`` both come back as they are.

    Raises
    ------
    UnknownNameError
        For a number that is not in ``municipalities`` (or no municipalities at all).
    """
    if not within:
        return proposal, municipalities
    knrs = [within] if isinstance(within, str) else list(within)
    if municipalities is None:
        raise UnknownNameError("a municipality filter needs the municipalities layer, which is missing")
    known = set(municipalities["kommunenummer"].astype(str))
    unknown = sorted(set(knrs) - known)
    if unknown:
        raise unknown_name(
            f"unknown municipality number(s) {', '.join(unknown)}; the county has {', '.join(sorted(known))}",
            "municipality",
            ", ".join(unknown),
            sorted(known),
        )
    municipalities = municipalities[municipalities["kommunenummer"].astype(str).isin(knrs)]
    area = shapely.union_all(np.asarray(municipalities.geometry.values))
    clipped = shapely.intersection(np.asarray(proposal.geometry.values), area)
    keep = ~shapely.is_empty(clipped)
    return proposal[keep].set_geometry(clipped[keep]), municipalities


def check_conflicts(
    proposal: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    rules: RuleTable,
    *,
    as_layer: str = "business_areas",
    against: Iterable[str] | None = None,
    municipalities: gpd.GeoDataFrame | None = None,
    within: str | Sequence[str] | None = None,
    footprint: bool = False,
    scheduler=None,
    area_method: str = "planar",
    coverage=None,
) -> ConflictResult:
    """Conflicts of a proposal with the layers the rules of ``as_layer`` name.

    Parameters
    ----------
    proposal : GeoDataFrame
        Proposal geometries (any CRS; EPSG:25833 when none is set).
    layers : mapping of layer id -> GeoDataFrame
        The loaded layers; a B layer absent here is reported in ``result.missing``.
    rules : RuleTable
    as_layer : str
        Which rules apply (their A side).
    against : iterable of str, optional
        Only rules whose B layer is one of these (default: all of ``as_layer``'s rules).
    municipalities : GeoDataFrame, optional
        Municipality polygons: pieces are split by municipality.
    within : str or sequence of str, optional
        Only the part of the proposal inside these municipalities (numbers); needs ``municipalities``.
    footprint : bool
        Give points a 1 m² square and lines a band 2 × 0.5642 m wide, so the zones they lie in
        are reported (the app's drawn points); otherwise they have no area.
    scheduler, area_method, coverage : optional
        Passed to :func:`~areal.geo.conflicts.find_conflicts` (where the engine's partitions run;
        planar or geodesic hectares; where each layer is mapped, for hit / no hit / not mapped).

    Raises
    ------
    UnknownNameError
        For a municipality number not in ``municipalities``, or no rule of ``as_layer`` against
        the ``against`` layers.
    """
    prop = proposal.to_crs(WORKING_CRS) if proposal.crs is not None else proposal.set_crs(WORKING_CRS)
    if footprint:
        geoms = np.asarray(prop.geometry.values)
        if np.isin(shapely.get_type_id(geoms), (4, 5)).any():
            # MultiPoints (and MultiLineStrings) as their parts: buffering a 20 000-point MultiPoint
            # as one geometry and overlaying it is quadratic (25 s); its parts take about 2 s.
            prop = prop.explode(index_parts=False).reset_index(drop=True)
            geoms = np.asarray(prop.geometry.values)
        kind = shapely.get_type_id(geoms)
        empty = shapely.is_empty(geoms)
        point, line = (kind == 0) & ~empty, ~np.isin(kind, (0, 3, 6)) & ~empty
        if point.any() or line.any():
            geoms = geoms.copy()
            # Points as squares of exactly 1 m² from their coordinates: shapely builds new
            # geometries holding the GIL, and a box is five times cheaper than a 64-sided disc
            # (20 000 points: 17 ms against 90 ms, on a worker sharing the GIL with the event loop).
            xy, h = shapely.get_coordinates(geoms[point]), FOOTPRINT_SIDE_M / 2
            geoms[point] = shapely.box(xy[:, 0] - h, xy[:, 1] - h, xy[:, 0] + h, xy[:, 1] + h)
            geoms[line] = shapely.buffer(geoms[line], FOOTPRINT_RADIUS_M)
            prop = prop.set_geometry(geoms)
    prop, municipalities = clip_to_municipalities(prop, municipalities, within)
    selected = rules.rules_for(as_layer)
    if against is not None:
        want = set(against)
        selected = tuple(r for r in selected if r.b_layer in want)
        if want and not selected:
            raise UnknownNameError(
                f"no rule for {as_layer} against {', '.join(sorted(want))}; rules of {as_layer} name: "
                f"{', '.join(sorted({r.b_layer for r in rules.rules_for(as_layer)}))}"
            )
    table = dataclasses.replace(rules, rules=tuple(selected))  # classes, kinds and labels kept
    max_buffer = max((r.buffer_m for r in selected), default=0.0)
    near = near_features(layers, {r.b_layer for r in selected}, prop, max_buffer)
    if municipalities is not None and len(prop):
        municipalities = municipalities.iloc[
            municipalities.sindex.query(shapely.box(*prop.total_bounds), predicate="intersects")
        ]
    return find_conflicts(
        prop,
        near,
        table,
        as_layer=as_layer,
        municipalities=municipalities,
        scheduler=scheduler,
        area_method=area_method,
        coverage=coverage,
    )
