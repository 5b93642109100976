"""Wiring the conflict engine into suitability runs (the suitability modules of ``areal.geo`` do not import it).

* :func:`rule_exclusions`: the rule table's *exclusion* rules for a use (``business_areas`` by
  default) as exclusion frames, B class selected and buffered by the rule's ``buffer_m``;
* :func:`SiteConflicts`: a callable for ``conflicts=`` of the site builders that runs
  :func:`areal.geo.conflicts.find_conflicts` on the candidate sites and returns, per site and rule, the
  conflict polygon with pair, severity, hectares and legal basis;

The layers the rules name are loaded by :func:`areal.layers.suitability_inputs.rule_layers`.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.geo.conflicts import ConflictResult, find_conflicts
from areal.geo.geometry import M2_PER_HA
from areal.geo.profiles import Profile
from areal.geo.rules import RuleTable

SITE_CONFLICT_COLUMNS = ["site_id", "pair", "severity", "buffer_m", "area_ha", "basis", "explanation"]

# Pieces of conflict smaller than this (m²) are slivers of shared edges, not conflicts.
_MIN_PIECE_M2 = 1e-3


def rule_exclusions(
    rules: RuleTable,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    as_layer: str = "business_areas",
    profile: Profile | None = None,
) -> tuple[dict[str, gpd.GeoDataFrame], list[tuple[str, str]]]:
    """Exclusion frames from the rules of severity ``exclusion`` whose A side is ``as_layer``.

    Parameters
    ----------
    rules : RuleTable
    layers : mapping of layer id -> GeoDataFrame
        Loaded layers (B sides); a rule whose layer is absent is skipped with the reason.
    as_layer : str
        The use being sited (green industry is new business land).
    profile : Profile, optional
        A rule that repeats one of the profile's own exclusions (same layer, no class, no
        buffer) is skipped, so the area-lost table does not show the same land twice.

    Returns
    -------
    exclusions : dict of name -> GeoDataFrame
        ``"rule: <b> [(<buffer> m)]"`` -> the B features (class selected), buffered.
    skipped : list of (name, reason)
    """
    own = set()
    if profile is not None:
        own = {e.layer for e in profile.exclusions if not e.where and e.buffer_m == 0}
    out: dict[str, gpd.GeoDataFrame] = {}
    skipped: list[tuple[str, str]] = []
    for rule in rules.rules_for(as_layer):
        if rule.severity != "exclusion":
            continue
        name = f"rule: {rule.b_label}"
        if rule.b_layer not in layers or layers[rule.b_layer] is None:
            skipped.append((name, f"exclusion rule skipped: layer {rule.b_layer!r} missing ({rule.basis})"))
            continue
        if rule.b_class is None and rule.buffer_m == 0 and rule.b_layer in own:
            skipped.append((name, "already an exclusion of the profile"))
            continue
        gdf = rules.select(rule.b_layer, layers[rule.b_layer], rule.b)
        if rule.buffer_m > 0 and len(gdf):
            core = gdf.geometry.union_all() if rule.zone == "outside" else None
            gdf = gdf.set_geometry(gdf.geometry.buffer(rule.buffer_m))
            if core is not None:  # a § 49 ring: the zone outside B, not B again
                gdf = gdf.set_geometry(gdf.geometry.difference(core))
        out[name] = gdf
    return out, skipped


class SiteConflicts:
    """``conflicts=`` callable: the conflicts each candidate site touches, from the rule table.

    Calling it with the ranked sites runs :func:`areal.geo.conflicts.find_conflicts` (sites as
    ``as_layer``) and cuts each conflict polygon by site, so every row belongs to one site.
    The rows of the last call are kept in :attr:`table` (no geometry) for a CSV.

    Parameters
    ----------
    rules : RuleTable
    layers : mapping of layer id -> GeoDataFrame
        The existing interests the rules name.
    as_layer : str
        Which rules apply (default ``business_areas``).
    """

    def __init__(
        self, rules: RuleTable, layers: Mapping[str, gpd.GeoDataFrame], *, as_layer: str = "business_areas"
    ):
        self.rules = rules
        self.layers = layers
        self.as_layer = as_layer
        self.result: ConflictResult | None = None
        self.table = pd.DataFrame(columns=SITE_CONFLICT_COLUMNS)

    def __call__(self, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """Conflict polygons per site: columns :data:`SITE_CONFLICT_COLUMNS` + geometry."""
        crs = sites.crs
        empty = gpd.GeoDataFrame(
            pd.DataFrame(columns=SITE_CONFLICT_COLUMNS), geometry=gpd.GeoSeries([], crs=crs), crs=crs
        )
        if len(sites) == 0:
            return empty
        res = find_conflicts(
            sites[["site_id", sites.geometry.name]], self.layers, self.rules, as_layer=self.as_layer
        )
        self.result = res
        pieces = res.polygons
        if len(pieces) == 0:
            self.table = empty.drop(columns="geometry")
            return empty
        site_geoms = np.asarray(sites.geometry.values)
        piece_geoms = np.asarray(pieces.geometry.values)
        pi, si = shapely.STRtree(site_geoms).query(piece_geoms, predicate="intersects")
        cut = shapely.intersection(piece_geoms[pi], site_geoms[si])
        area = shapely.area(cut)
        ok = area > _MIN_PIECE_M2
        rows = pieces.iloc[pi[ok]][["pair", "severity", "buffer_m", "basis", "explanation"]].reset_index(
            drop=True
        )
        rows.insert(0, "site_id", sites["site_id"].to_numpy()[si[ok]])
        rows.insert(4, "area_ha", area[ok] / M2_PER_HA)
        out = gpd.GeoDataFrame(rows, geometry=list(cut[ok]), crs=crs)
        per = (
            out.drop(columns="geometry")
            .groupby(["site_id", "pair"], sort=False, as_index=False)
            .agg(
                severity=("severity", "first"),
                buffer_m=("buffer_m", "first"),
                area_ha=("area_ha", "sum"),
                basis=("basis", "first"),
                explanation=("explanation", "first"),
            )
        )
        self.table = (
            per[SITE_CONFLICT_COLUMNS]
            .sort_values(["site_id", "area_ha"], ascending=[True, False], kind="stable")
            .reset_index(drop=True)
        )
        return out
