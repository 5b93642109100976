"""Area analysis per dataset, after Kartverket's DOK-arealanalyse: one status per dataset for an area.

For a point, drawn or uploaded area, an optional buffer and a *context* (planinitiativ,
reguleringsplan, kommuneplan, byggesak, ROS, KU; data in ``data/contexts.toml``),
:func:`analyse_area` reports per dataset (a rule's B selector: ``"protected_areas"``,
``"ar5:farmland"``):

* a status (:data:`STATUSES`): ``hit_red`` (the area or a rule zone meets the dataset and the rule
  is an exclusion or high), ``hit_yellow`` (a medium or low rule, or a hit only in the requested
  buffer), ``no_hit``, ``not_relevant`` (a dataset the rules know but the context leaves out),
  ``not_mapped`` (the layer is absent or covers no part of the area) and ``error``;
* the area hit inside the area (exact polygon intersection, overlaps inside the dataset counted
  once) and its share of the area, the area hit in the buffer ring, the hectares of each rule
  (the same engine as ``areal conflicts``: § 49 zones are rings outside the protected area),
  the distance from the area to the nearest object;
* the rules' legal basis, the guidance text (nb and en, from the context data), the data's
  scale and vintage.

Pure analysis: frames in, a frame out; the layers are loaded by the caller
(:mod:`areal.apps.usecases.analysis`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.geo.conflicts import find_conflicts
from areal.geo.crs import WORKING_CRS, to_working_crs
from areal.geo.errors import InputGeometryError, RuleError, unknown_name
from areal.geo.geometry import M2_PER_HA, repair_geometries
from areal.geo.overlay import as_geometry_array, flat_overlay, polygonal
from areal.geo.rules import Rule, RuleTable, severity_rank, split_selector

STATUSES: tuple[str, ...] = ("hit_red", "hit_yellow", "no_hit", "not_relevant", "not_mapped", "error")
"""Statuses, in report order (DOK-arealanalyse: HIT-RED, HIT-YELLOW, NO-HIT-GREEN, NOT-RELEVANT, ...)."""

RED_SEVERITIES = ("exclusion", "high")
"""A hit on a rule of these severities is red ("må håndteres"); medium and low are yellow."""

RESULT_COLUMNS = [
    "dataset",
    "layer",
    "status",
    "severity",
    "area_m2",
    "area_ha",
    "share",
    "buffer_ha",
    "zone_ha",
    "distance_m",
    "n_objects",
    "covered_share",
    "rules",
    "basis",
    "reference",
    "guidance_nb",
    "guidance_en",
    "scale",
    "vintage",
    "message",
]

_CONTEXT_KEYS = {"title_nb", "title_en", "description_nb", "description_en", "as_layer", "datasets"}
_DATASET_KEYS = {"guidance_nb", "guidance_en", "scale"}


@dataclass(frozen=True)
class Context:
    """One analysis context: which rules apply and which datasets are relevant."""

    id: str
    title_nb: str
    title_en: str
    as_layer: str
    datasets: tuple[str, ...]
    description_nb: str = ""
    description_en: str = ""


@dataclass(frozen=True)
class DatasetGuidance:
    """Guidance and scale of one dataset selector."""

    guidance_nb: str = ""
    guidance_en: str = ""
    scale: int | None = None


@dataclass(frozen=True)
class ContextTable:
    """The validated contexts and dataset guidance of ``data/contexts.toml``."""

    contexts: Mapping[str, Context]
    datasets: Mapping[str, DatasetGuidance] = field(default_factory=dict)
    source: str = "<contexts>"

    def get(self, name: str) -> Context:
        """The context ``name``.

        Raises
        ------
        UnknownNameError
            For an unknown name, listing the known ones.
        """
        try:
            return self.contexts[name]
        except KeyError:
            raise unknown_name(
                f"unknown context {name!r}; known contexts: {', '.join(self.contexts)}",
                "context",
                name,
                self.contexts,
            ) from None


def parse_contexts(doc: Mapping[str, Any], rules: RuleTable, source: str = "<contexts>") -> ContextTable:
    """Validate a parsed contexts document against a rule table.

    Every context's ``as_layer`` must be the A side of some rule and every dataset a B selector of
    one of its rules, so a context never names a dataset nothing can analyse.

    Raises
    ------
    RuleError
        For an unknown key, context, layer or dataset; the message names the file and the value.

    Examples
    --------
    >>> from areal.geo.rules import parse_rules
    >>> rules = parse_rules({"rule": [{"a": "business_areas", "b": "mire", "severity": "medium",
    ...     "basis": "KU § 21", "explanation": "Peat."}]}, known_layers=["business_areas", "mire"])
    >>> t = parse_contexts({"context": {"ku": {"title_nb": "KU", "title_en": "EIA",
    ...     "as_layer": "business_areas", "datasets": ["mire"]}}}, rules)
    >>> t.get("ku").datasets
    ('mire',)
    """
    extra = set(doc) - {"meta", "context", "dataset"}
    if extra:
        raise RuleError(
            f"{source}: unknown top-level key {sorted(extra)[0]!r}; expected [context.*], [dataset.*], [meta]"
        )
    contexts: dict[str, Context] = {}
    for cid, body in (doc.get("context") or {}).items():
        where = f"{source}: [context.{cid}]"
        if not isinstance(body, Mapping):
            raise RuleError(f"{where} must be a table")
        bad = set(body) - _CONTEXT_KEYS
        if bad:
            raise RuleError(
                f"{where}: unknown key {sorted(bad)[0]!r}; allowed: {', '.join(sorted(_CONTEXT_KEYS))}"
            )
        for k in ("title_nb", "title_en", "as_layer"):
            if not isinstance(body.get(k), str) or not body[k].strip():
                raise RuleError(f"{where}: {k} must be non-empty text, got {body.get(k)!r}")
        as_layer = body["as_layer"]
        own = rules.rules_for(as_layer)
        if not own:
            known = sorted({r.a_layer for r in rules.rules})
            raise RuleError(
                f"{where}: as_layer {as_layer!r} is the A side of no rule; layers with rules: {', '.join(known)}"
            )
        datasets = body.get("datasets")
        if not isinstance(datasets, list) or not datasets or not all(isinstance(d, str) for d in datasets):
            raise RuleError(f"{where}: datasets must be a non-empty list of selectors, got {datasets!r}")
        b_known = list(dict.fromkeys(r.b for r in own))
        for d in datasets:
            if d not in b_known:
                raise RuleError(
                    f"{where}: dataset {d!r} is named by no rule of {as_layer!r}; "
                    f"datasets of its rules: {', '.join(b_known)}"
                )
        contexts[cid] = Context(
            cid,
            body["title_nb"].strip(),
            body["title_en"].strip(),
            as_layer,
            tuple(dict.fromkeys(datasets)),
            str(body.get("description_nb", "")),
            str(body.get("description_en", "")),
        )
    if not contexts:
        raise RuleError(f"{source}: no [context.<id>] table")
    guidance: dict[str, DatasetGuidance] = {}
    every_b = {r.b for r in rules.rules}
    for sel, body in (doc.get("dataset") or {}).items():
        where = f"{source}: [dataset.{sel!r}]"
        if sel not in every_b:
            raise RuleError(f"{where}: no rule names dataset {sel!r}")
        bad = set(body) - _DATASET_KEYS
        if bad:
            raise RuleError(
                f"{where}: unknown key {sorted(bad)[0]!r}; allowed: {', '.join(sorted(_DATASET_KEYS))}"
            )
        scale = body.get("scale")
        if scale is not None and (isinstance(scale, bool) or not isinstance(scale, int) or scale <= 0):
            raise RuleError(
                f"{where}: scale must be a positive whole map-scale denominator (1:N), got {scale!r}"
            )
        guidance[sel] = DatasetGuidance(
            str(body.get("guidance_nb", "")), str(body.get("guidance_en", "")), scale
        )
    return ContextTable(contexts, guidance, source)


@dataclass
class AreaAnalysis:
    """Result of :func:`analyse_area`.

    Attributes
    ----------
    results : DataFrame
        One row per dataset, columns :data:`RESULT_COLUMNS`, ordered by status then area.
    context : Context
    buffer_m : float
    area_m2 : float
        Area of the analysed area itself (overlaps once; 0 for points and lines).
    municipalities : list of (kommunenummer, kommunenavn)
        The municipalities the area lies in (empty without the municipality layer).
    analysed : GeoDataFrame
        The analysed area (EPSG:25833), and ``buffer`` the area grown by ``buffer_m``.
    """

    results: pd.DataFrame
    context: Context
    buffer_m: float
    area_m2: float
    analysed: gpd.GeoDataFrame
    zone: Any = None
    municipalities: list[tuple[str, str]] = field(default_factory=list)

    @property
    def area_ha(self) -> float:
        """Area of the analysed area in hectares."""
        return self.area_m2 / M2_PER_HA

    def counts(self) -> dict[str, int]:
        """Number of datasets per status (every status present, 0 when none)."""
        vc = self.results["status"].value_counts()
        return {s: int(vc.get(s, 0)) for s in STATUSES}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary (numbers as numbers, missing as None)."""

        def clean(v):
            if isinstance(v, (np.floating, float)):
                return None if not np.isfinite(v) else float(v)
            if isinstance(v, np.integer):
                return int(v)
            if v is pd.NA or v is None:
                return None
            return v

        rows = [{k: clean(v) for k, v in r.items()} for r in self.results.to_dict(orient="records")]
        return {
            "context": self.context.id,
            "context_title_nb": self.context.title_nb,
            "context_title_en": self.context.title_en,
            "as_layer": self.context.as_layer,
            "buffer_m": float(self.buffer_m),
            "area_m2": float(self.area_m2),
            "area_ha": float(self.area_ha),
            "municipalities": [{"kommunenummer": k, "kommunenavn": n} for k, n in self.municipalities],
            "counts": self.counts(),
            "results": rows,
        }


def _analysed_geometry(area: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, Any, float]:
    if area is None or len(area) == 0:
        raise InputGeometryError("the area to analyse is empty (no features)")
    gdf = to_working_crs(area, "area")
    gdf, _ = repair_geometries(gdf)
    geoms = as_geometry_array(gdf)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) == 0:
        raise InputGeometryError("the area to analyse has only empty geometries")
    whole = shapely.union_all(geoms)
    poly = polygonal(np.array([whole], dtype=object))[0]
    area_m2 = float(shapely.area(poly)) if poly is not None and not shapely.is_empty(poly) else 0.0
    return gdf, whole, area_m2


def _rule_status(rules: list[Rule]) -> tuple[str, str]:
    worst = min((r.severity for r in rules), key=severity_rank)
    return ("hit_red" if worst in RED_SEVERITIES else "hit_yellow"), worst


def analyse_area(
    area: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame | None],
    rules: RuleTable,
    contexts: ContextTable,
    context: str,
    *,
    buffer_m: float = 0.0,
    vintages: Mapping[str, str] | None = None,
    not_mapped: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    coverage: Mapping[str, Any] | None = None,
    municipalities: gpd.GeoDataFrame | None = None,
) -> AreaAnalysis:
    """Analyse an area per dataset in a context.

    Parameters
    ----------
    area : GeoDataFrame
        The area (polygons; points and lines are tested for contact and have no area), any CRS
        with a CRS set.
    layers : mapping of layer id -> GeoDataFrame or None
        Loaded layers; a layer absent (or None) is ``not_mapped``.
    rules : RuleTable
    contexts : ContextTable
    context : str
        Context id (``"reguleringsplan"``).
    buffer_m : float
        Requested buffer around the area (m): datasets met only there are ``hit_yellow``.
    vintages : mapping of layer id -> str, optional
        Data vintage per layer (from its LayerSpec).
    not_mapped : mapping of layer id -> str, optional
        Layers known to be unmapped for this area, with the reason (a coverage check).
    errors : mapping of layer id -> str, optional
        Layers that failed to load, with the one-line message: ``error``.
    coverage : mapping of layer id -> geometry or None, optional
        Where each layer is mapped (:func:`areal.layers.coverage.coverages`); a layer not in it,
        or with None, is mapped everywhere. No hit in an area the layer does not cover (the
        area grown by the buffer) is ``not_mapped`` (:func:`areal.geo.coverage.decide`), never
        0 ha; a hit in a partly mapped area stays a hit and says how much was mapped.
    municipalities : GeoDataFrame, optional
        With ``kommunenummer`` / ``kommunenavn``: the municipalities the area lies in are named.

    Returns
    -------
    AreaAnalysis

    Raises
    ------
    InputGeometryError
        For an empty area, a negative buffer, or points/lines without a buffer.
    UnknownNameError
        For an unknown context.

    Examples
    --------
    A 100 ha square half on mire, with a protected area 300 m away:

    >>> from shapely import box
    >>> from areal.geo.rules import parse_rules
    >>> rules = parse_rules({"rule": [
    ...     {"a": "business_areas", "b": "mire", "severity": "medium", "basis": "KU § 21", "explanation": "."},
    ...     {"a": "business_areas", "b": "protected_areas", "severity": "exclusion", "basis": "nml", "explanation": "."}]},
    ...     known_layers=["business_areas", "mire", "protected_areas"])
    >>> ctx = parse_contexts({"context": {"ku": {"title_nb": "KU", "title_en": "EIA",
    ...     "as_layer": "business_areas", "datasets": ["mire", "protected_areas"]}}}, rules)
    >>> g = lambda *b: gpd.GeoDataFrame(geometry=[box(*x) for x in b], crs=25833)
    >>> res = analyse_area(g((0, 0, 1000, 1000)), {"mire": g((0, 0, 500, 1000)),
    ...     "protected_areas": g((1300, 0, 2000, 1000))}, rules, ctx, "ku", buffer_m=500)
    >>> print(res.results[["dataset", "status", "area_ha", "buffer_ha", "distance_m"]].to_string(index=False))
            dataset     status  area_ha  buffer_ha  distance_m
               mire hit_yellow     50.0        0.0         0.0
    protected_areas hit_yellow      0.0       20.0       300.0
    """
    ctx = contexts.get(context)
    if not np.isfinite(buffer_m) or buffer_m < 0:
        raise InputGeometryError(f"buffer must be a distance of 0 m or more, got {buffer_m!r}")
    gdf, whole, area_m2 = _analysed_geometry(area)
    vintages = vintages or {}
    not_mapped = dict(not_mapped or {})
    errors = dict(errors or {})
    own = rules.rules_for(ctx.as_layer)
    selectors = list(dict.fromkeys(r.b for r in own))
    # area used for the rule hectares: the area itself (points and lines get no hectares)
    prop = gpd.GeoDataFrame(geometry=[whole], crs=WORKING_CRS)
    ring = None
    if buffer_m > 0:
        grown = shapely.buffer(whole, buffer_m)
        ring = shapely.difference(grown, whole) if area_m2 > 0 else grown
    rows = []
    extent = shapely.buffer(whole, buffer_m) if buffer_m > 0 else whole
    relevant = set(ctx.datasets)
    # conflicts over the context's rules with loaded layers, once: the hectares per rule
    ctx_rules = tuple(r for r in own if r.b in relevant)
    loaded = {k: v for k, v in layers.items() if v is not None and k not in errors and k not in not_mapped}
    pair_ha: dict[str, float] = {}
    if area_m2 > 0 and ctx_rules:
        try:
            res = find_conflicts(
                prop,
                loaded,
                dataclasses.replace(rules, rules=tuple(ctx_rules)),
                as_layer=ctx.as_layer,
            )
            pair_ha = {k: float(v) for k, v in res.pair_ha().items()}
        except RuleError:
            pair_ha = {}
    for sel in selectors:
        layer, _ = split_selector(sel)
        sel_rules = [r for r in own if r.b == sel]
        g = contexts.datasets.get(sel, DatasetGuidance())
        row: dict[str, Any] = {
            "dataset": sel,
            "layer": layer,
            "status": None,
            "severity": None,
            "area_m2": np.nan,
            "area_ha": np.nan,
            "share": np.nan,
            "buffer_ha": np.nan,
            "zone_ha": np.nan,
            "distance_m": np.nan,
            "n_objects": 0,
            "covered_share": np.nan,
            "rules": "; ".join(f"{r.b_label} [{r.severity}]" for r in sel_rules),
            "basis": " | ".join(dict.fromkeys(r.basis for r in sel_rules)),
            "reference": " ".join(dict.fromkeys(r.reference for r in sel_rules if r.reference)),
            "guidance_nb": g.guidance_nb,
            "guidance_en": g.guidance_en,
            "scale": g.scale,
            "vintage": vintages.get(layer, ""),
            "message": "",
        }
        if sel not in relevant:
            row.update(status="not_relevant", message=f"not part of the context {ctx.id!r}")
        elif layer in errors:
            row.update(status="error", message=errors[layer])
        elif layer in not_mapped or layers.get(layer) is None:
            row.update(status="not_mapped", message=not_mapped.get(layer, f"layer {layer!r} is not loaded"))
        else:
            try:
                row.update(
                    _dataset_hits(whole, ring, area_m2, layers[layer], rules, sel, layer, sel_rules, pair_ha)
                )
                _apply_coverage(row, extent, (coverage or {}).get(layer))
            except (RuleError, ValueError, shapely.errors.GEOSException) as exc:
                row.update(status="error", message=f"{sel}: {exc}")
        rows.append(row)
    df = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    order = {s: i for i, s in enumerate(STATUSES)}
    df = df.assign(
        _o=df["status"].map(order), _a=-df["area_m2"].fillna(0), _d=df["distance_m"].fillna(np.inf)
    )
    df = (
        df.sort_values(["_o", "_a", "_d"], kind="stable")
        .drop(columns=["_o", "_a", "_d"])
        .reset_index(drop=True)
    )
    return AreaAnalysis(
        df, ctx, float(buffer_m), area_m2, gdf, ring, _municipalities_of(whole, municipalities)
    )


def _municipalities_of(whole, municipalities: gpd.GeoDataFrame | None) -> list[tuple[str, str]]:
    if municipalities is None or len(municipalities) == 0:
        return []
    m = to_working_crs(municipalities, "municipalities")
    geoms = as_geometry_array(m)
    idx = shapely.STRtree(geoms).query(whole, predicate="intersects")
    if area_of(whole) > 0:  # a shared border is not "in": keep those holding some of the area
        idx = [i for i in idx if shapely.area(shapely.intersection(geoms[i], whole)) > 1e-3]
    names = m["kommunenavn"] if "kommunenavn" in m else m["kommunenummer"]
    out = {str(m["kommunenummer"].iloc[i]): str(names.iloc[i]) for i in idx}
    return sorted(out.items())


def area_of(geom) -> float:
    """Polygon area of a geometry (0 for points and lines)."""
    poly = polygonal(np.array([geom], dtype=object))[0]
    return float(shapely.area(poly)) if poly is not None and not shapely.is_empty(poly) else 0.0


def _apply_coverage(row: dict[str, Any], extent, cov) -> None:
    """Coverage of the layer over the analysed extent: not mapped where it is not (not 0 ha)."""
    from areal.geo.coverage import covered_share, decide

    share = 1.0 if cov is None else covered_share(extent, cov)
    row["covered_share"] = share
    hit = row["status"] in ("hit_red", "hit_yellow")
    status, reason = decide(hit, share)
    if status == "not_mapped":
        row.update(
            status="not_mapped",
            severity=None,
            message=f"{reason}: the layer covers {share:.0%} of the area",
            area_m2=np.nan,
            area_ha=np.nan,
            share=np.nan,
            buffer_ha=np.nan,
            zone_ha=np.nan,
        )
    elif reason == "partly_mapped":
        row["message"] = f"partly_mapped: the layer covers {share:.0%} of the area"


def _dataset_hits(whole, ring, area_m2, gdf, rules, sel, layer, sel_rules, pair_ha) -> dict[str, Any]:
    sub = to_working_crs(rules.select(layer, gdf, sel), f"layer {layer!r}")
    geoms = as_geometry_array(sub)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    out: dict[str, Any] = {"n_objects": 0}
    if len(geoms) == 0:
        out.update(
            status="no_hit",
            area_m2=0.0,
            area_ha=0.0,
            share=0.0 if area_m2 else np.nan,
            buffer_ha=0.0,
            zone_ha=0.0,
        )
        out["message"] = f"no object of {sel!r} in the layer"
        return out
    tree = shapely.STRtree(geoms)
    # distance to the nearest object (0 when touching)
    _, dist = tree.query_nearest(whole, return_distance=True, all_matches=False)
    out["distance_m"] = float(dist[0]) if len(dist) else np.nan
    touching = tree.query(whole, predicate="intersects")
    out["n_objects"] = int(len(touching))
    polys = np.isin(shapely.get_type_id(geoms), (3, 6, 7))
    inside_m2 = 0.0
    if area_m2 > 0 and polys.any() and len(touching):
        inside_m2 = float(flat_overlay(geoms[polys], [whole], keep_geometry=False).area.sum())
    buffer_m2 = 0.0
    buffer_touch = False
    if ring is not None and not shapely.is_empty(ring):
        near = tree.query(ring, predicate="intersects")
        buffer_touch = len(near) > 0
        if buffer_touch and polys.any():
            ring_poly = polygonal(np.array([ring], dtype=object))
            buffer_m2 = float(flat_overlay(geoms[polys], ring_poly, keep_geometry=False).area.sum())
    zone_rules = [r for r in sel_rules if r.buffer_m > 0]
    zone_hits = [r for r in zone_rules if pair_ha.get(r.pair, 0.0) > 0]
    if area_m2 == 0 and zone_rules:  # a point or line: contact with a zone
        zone_hits = [
            r for r in zone_rules if len(tree.query(whole, predicate="dwithin", distance=r.buffer_m))
        ]
    out["area_m2"] = inside_m2
    out["area_ha"] = inside_m2 / M2_PER_HA
    out["share"] = inside_m2 / area_m2 if area_m2 > 0 else np.nan
    out["buffer_ha"] = buffer_m2 / M2_PER_HA
    # hectares in the rules' zones (a § 49 ring); NaN for a dataset without a zone rule
    out["zone_ha"] = float(sum(pair_ha.get(r.pair, 0.0) for r in zone_rules)) if zone_rules else np.nan
    direct = [r for r in sel_rules if r.buffer_m == 0] or sel_rules
    # a hit: polygons overlapping the area with area, or points/lines on it (no area to measure)
    on_it = len(touching) and (inside_m2 > 0 or area_m2 == 0 or not polys[touching].all())
    if on_it:
        out["status"], out["severity"] = _rule_status(direct)
    elif zone_hits:
        out["status"], out["severity"] = _rule_status(zone_hits)
    elif buffer_touch:
        out["status"], out["severity"] = "hit_yellow", None
        out["message"] = "only in the requested buffer"
    else:
        out["status"] = "no_hit"
    return out
