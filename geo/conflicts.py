"""Area conflicts: where a proposed use meets protected interests, how many hectares, on what basis.

:func:`find_conflicts` checks a proposal (planned business areas, a test area, a drawn polygon)
against every layer its rules name; :func:`pair_conflicts` checks any two layers. Both return a
:class:`ConflictResult` with conflict polygons (EPSG:25833; m², daa, ha; municipality; rule basis),
a hectare matrix per pair and a table per municipality.

Areas are exact polygon intersections (see :mod:`areal.geo.overlay`) with overlaps inside each side
counted once: the small side of a rule is flattened, the large side is read, checked for overlaps
and intersected only where it meets the small side (:func:`areal.geo.overlay.flat_overlay`), in
partitions on a scheduler (:mod:`areal.geo.scheduler`). Hectares are planar in EPSG:25833 by
default (within about 0.2 % in Trøndelag), or geodesic on the GRS80 ellipsoid for a national run
(``area_method="geodesic"``, :mod:`areal.geo.areas`); the result states which.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.geo.areas import area_m2, check_method
from areal.geo.coverage import covered_share, decide
from areal.geo.crs import WORKING_CRS, ensure_same_crs, to_working_crs
from areal.geo.errors import RuleError
from areal.geo.geometry import M2_PER_DAA, M2_PER_HA, area_columns, repair_geometries
from areal.geo.overlay import (
    DEFAULT_CHUNK,
    Flat,
    Pieces,
    as_geometry_array,
    buffer,
    flat_overlay,
    flatten,
    intersect,
    polygonal,
)
from areal.geo.rules import SEVERITIES, Rule, RuleTable, severity_rank

POLYGON_COLUMNS = [
    "pair",
    "layer_a",
    "class_a",
    "layer_b",
    "class_b",
    "severity",
    "buffer_m",
    "basis",
    "explanation",
    "kommunenummer",
    "kommunenavn",
    "area_m2",
    "area_daa",
    "area_ha",
]

# A piece whose area outside every municipality is below this (m²) is not split off as "no municipality".
_OUTSIDE_TOLERANCE_M2 = 1e-3


@dataclass
class ConflictResult:
    """Conflict polygons and their summaries.

    Attributes
    ----------
    polygons : GeoDataFrame
        One row per conflict piece (EPSG:25833), columns :data:`POLYGON_COLUMNS` + geometry.
    matrix : DataFrame
        Hectares per pair: index = A selector, columns = B selector.
    by_municipality : DataFrame
        Per municipality: hectares per pair, then per severity the area touched by at least one rule
        of that severity (overlaps between pairs counted once), and ``conflict_ha`` over all severities.
    rules : tuple of Rule
        Rules that were applied.
    not_checked : tuple of Rule
        Rules whose B layer is missing (reported as not mapped).
    missing : list of str
        Layers named by a rule but not supplied (their rules were not checked).
    skipped : list of str
        Rules not applied, each with the reason.
    area_method : str
        How the areas were computed (:data:`areal.geo.areas.AREA_METHODS`).
    statuses : DataFrame
        Per rule (applied or not): ``pair``, ``layer_b``, ``status`` (``hit``, ``no_hit``,
        ``not_mapped``; empty for a rule skipped for another reason), ``reason``, ``covered_share``.
        A missing layer, or a proposal outside the layer's coverage, is ``not_mapped``.
    """

    polygons: gpd.GeoDataFrame
    matrix: pd.DataFrame
    by_municipality: pd.DataFrame
    rules: tuple[Rule, ...] = ()
    missing: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    area_method: str = "planar"
    not_checked: tuple[Rule, ...] = ()
    statuses: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["pair", "layer_b", "status", "reason", "covered_share"])
    )

    def total_ha(self, severity: str | None = None) -> float:
        """Hectares in conflict (of one severity, or of any), overlaps between pairs counted once."""
        if severity is not None and severity not in SEVERITIES:
            raise ValueError(f"severity was {severity!r} but is expected to be one of {SEVERITIES}")
        g = self.polygons
        if severity is not None:
            g = g[g["severity"] == severity]
        if len(g) == 0:
            return 0.0
        return float(area_m2(flatten(g.geometry).geoms, WORKING_CRS, self.area_method).sum()) / M2_PER_HA

    def pair_ha(self) -> pd.Series:
        """Hectares per pair (a pair's own pieces never overlap)."""
        if len(self.polygons) == 0:
            return pd.Series(dtype=float, name="area_ha")
        return self.polygons.groupby("pair", sort=False)["area_ha"].sum()

    def summary(self) -> pd.DataFrame:
        """One row per rule: pair, severity, buffer, hectares, basis, status and reason.

        Applied rules first; then the rules of missing layers. A rule whose layer is missing or
        does not cover the proposal has NaN hectares and status ``not_mapped``: not 0 ha.
        """
        ha = self.pair_ha()
        st = self.statuses.set_index("pair") if len(self.statuses) else None

        def status(pair: str) -> tuple[str, str]:
            if st is None or pair not in st.index:
                return "hit" if ha.get(pair, 0.0) > 0 else "no_hit", ""
            return str(st.at[pair, "status"]), str(st.at[pair, "reason"])

        rows = []
        for r in self.rules:
            s, why = status(r.pair)
            area = float(ha.get(r.pair, 0.0))
            if s == "not_mapped" and why == "outside_coverage":
                area = float("nan")
            rows.append(
                {
                    "pair": r.pair,
                    "severity": r.severity,
                    "buffer_m": r.buffer_m,
                    "area_ha": area,
                    "basis": r.basis,
                    "status": s,
                    "reason": why,
                }
            )
        for r in self.not_checked:
            rows.append(
                {
                    "pair": r.pair,
                    "severity": r.severity,
                    "buffer_m": r.buffer_m,
                    "area_ha": float("nan"),
                    "basis": r.basis,
                    "status": "not_mapped",
                    "reason": "layer_missing",
                }
            )
        cols = ["pair", "severity", "buffer_m", "area_ha", "basis", "status", "reason"]
        return pd.DataFrame(rows, columns=cols)


def _empty_polygons() -> gpd.GeoDataFrame:
    df = pd.DataFrame(
        {
            c: pd.Series(dtype=float if c.startswith("area") or c == "buffer_m" else object)
            for c in POLYGON_COLUMNS
        }
    )
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([], crs=WORKING_CRS), crs=WORKING_CRS)


def _prepare(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    gdf = to_working_crs(gdf, what)
    gdf, _ = repair_geometries(gdf)
    return gdf


class _FlatCache:
    """Flattened (and buffered) class subsets, computed once per selector and distance."""

    def __init__(self, rules: RuleTable):
        self.rules = rules
        self._cache: dict[tuple[str, str, float], Flat] = {}

    def get(self, layer_id: str, gdf: gpd.GeoDataFrame, selector: str, buffer_m: float = 0.0) -> Flat:
        key = (layer_id, selector, float(buffer_m))
        if key not in self._cache:
            sub = self.rules.select(layer_id, gdf, selector)
            geoms = buffer(as_geometry_array(sub), buffer_m)
            self._cache[key] = flatten(geoms)
        return self._cache[key]


def _split_by_municipality(
    geoms: np.ndarray, municipalities: gpd.GeoDataFrame | None, chunk_size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cut pieces along municipality borders: (piece index, geometry, kommunenummer, kommunenavn)."""
    n = len(geoms)
    if municipalities is None or len(municipalities) == 0 or n == 0:
        none = np.full(n, None, object)
        return np.arange(n), geoms, none, none.copy()
    mgeom = as_geometry_array(municipalities)
    knr = municipalities["kommunenummer"].astype(str).to_numpy(dtype=object)
    knv = (
        municipalities["kommunenavn"].to_numpy(dtype=object)
        if "kommunenavn" in municipalities
        else knr.copy()
    )
    cut = intersect(geoms, mgeom, chunk_size=chunk_size)
    idx, g, nr, nv = [cut.ia], [cut.geoms], [knr[cut.ib]], [knv[cut.ib]]
    inside = np.bincount(cut.ia, weights=cut.area, minlength=n)
    full = shapely.area(geoms)
    outside = np.flatnonzero(full - inside > np.maximum(_OUTSIDE_TOLERANCE_M2, 1e-9 * full))
    if len(outside):
        rest = np.empty(len(outside), object)
        for k, i in enumerate(outside):
            rest[k] = shapely.difference(geoms[i], shapely.union_all(mgeom[cut.ib[cut.ia == i]]))
        rest = polygonal(rest)
        ok = shapely.area(rest) > 0
        idx.append(outside[ok])
        g.append(rest[ok])
        nr.append(np.full(int(ok.sum()), None, object))
        nv.append(np.full(int(ok.sum()), None, object))
    idx_all = np.concatenate(idx)
    order = np.argsort(idx_all, kind="stable")
    return idx_all[order], np.concatenate(g)[order], np.concatenate(nr)[order], np.concatenate(nv)[order]


def _rule_pieces(
    pieces,
    rule: Rule,
    municipalities: gpd.GeoDataFrame | None,
    chunk_size: int,
    area_method: str,
) -> gpd.GeoDataFrame:
    if len(pieces) == 0:
        return _empty_polygons()
    # Pieces of one A feature against the pieces of B never overlap (both sides are flat), and
    # the same holds after cutting along municipality borders.
    _, geoms, knr, knv = _split_by_municipality(pieces.geoms, municipalities, chunk_size)
    area = area_m2(geoms, WORKING_CRS, area_method)
    n = len(geoms)
    df = pd.DataFrame(
        {
            "pair": rule.pair,
            "layer_a": rule.a_layer,
            "class_a": rule.a_class or "",
            "layer_b": rule.b_layer,
            "class_b": rule.b_class or "",
            "severity": rule.severity,
            "buffer_m": rule.buffer_m,
            "basis": rule.basis,
            "explanation": rule.explanation,
            "kommunenummer": knr,
            "kommunenavn": knv,
            "area_m2": area,
            "area_daa": area / M2_PER_DAA,
            "area_ha": area / M2_PER_HA,
        },
        index=pd.RangeIndex(n),
    )
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=WORKING_CRS), crs=WORKING_CRS)


def _summaries(
    polygons: gpd.GeoDataFrame, rules: tuple[Rule, ...], area_method: str = "planar"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    a_sel = sorted({r.a for r in rules})
    b_sel = list(dict.fromkeys(r.b_label for r in rules))
    ha = polygons.groupby(["pair"])["area_ha"].sum() if len(polygons) else pd.Series(dtype=float)
    matrix = pd.DataFrame(0.0, index=pd.Index(a_sel, name="a"), columns=pd.Index(b_sel, name="b"))
    for r in rules:
        matrix.loc[r.a, r.b_label] = float(ha.get(r.pair, 0.0))

    keys = ["kommunenummer", "kommunenavn"]
    if len(polygons) == 0:
        cols = [r.pair for r in rules] + [f"{s}_ha" for s in SEVERITIES] + ["conflict_ha"]
        empty = pd.DataFrame(
            {k: pd.Series(dtype=object) for k in keys} | {c: pd.Series(dtype=float) for c in cols}
        )
        return matrix, empty
    p = polygons.assign(
        kommunenummer=polygons["kommunenummer"].fillna("(none)"),
        kommunenavn=polygons["kommunenavn"].fillna("(outside municipalities)"),
    )
    per_pair = p.pivot_table(index=keys, columns="pair", values="area_ha", aggfunc="sum", fill_value=0.0)
    per_pair = per_pair.reindex(columns=[r.pair for r in rules], fill_value=0.0)
    union = {}
    for (knr, knv), grp in p.groupby(keys, sort=True):
        row = {}
        for s in SEVERITIES:
            g = grp.geometry.values[grp["severity"].to_numpy() == s]
            row[f"{s}_ha"] = _flat_ha(g, area_method) if len(g) else 0.0
        row["conflict_ha"] = _flat_ha(grp.geometry.values, area_method)
        union[(knr, knv)] = row
    by_muni = per_pair.join(pd.DataFrame.from_dict(union, orient="index").rename_axis(keys))
    by_muni = by_muni.reset_index()
    by_muni.columns.name = None
    return matrix, by_muni.sort_values("kommunenummer", kind="stable").reset_index(drop=True)


def _flat_ha(geoms, area_method: str) -> float:
    return float(area_m2(flatten(geoms).geoms, WORKING_CRS, area_method).sum()) / M2_PER_HA


def _apply(
    a_frame: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    rules_to_apply: tuple[Rule, ...],
    table: RuleTable,
    a_layer: str,
    municipalities: gpd.GeoDataFrame | None,
    chunk_size: int,
    scheduler=None,
    area_method: str = "planar",
) -> ConflictResult:
    check_method(area_method)
    a_frame = _prepare(a_frame, f"layer {a_layer!r}")
    munis = _prepare(municipalities, "municipalities") if municipalities is not None else None
    cache = _FlatCache(table)
    prepared: dict[str, gpd.GeoDataFrame] = {}
    frames, applied, missing, skipped, not_checked = [], [], [], [], []
    for rule in rules_to_apply:
        if rule.b_layer not in layers or layers[rule.b_layer] is None:
            if rule.b_layer not in missing:
                missing.append(rule.b_layer)
            skipped.append(f"{rule.pair}: layer {rule.b_layer!r} is missing")
            not_checked.append(rule)
            continue
        if rule.b_layer not in prepared:
            prepared[rule.b_layer] = _prepare(layers[rule.b_layer], f"layer {rule.b_layer!r}")
        try:
            a_sel = as_geometry_array(table.select(a_layer, a_frame, rule.a))
            b_sel = as_geometry_array(table.select(rule.b_layer, prepared[rule.b_layer], rule.b))
        except RuleError as exc:
            skipped.append(f"{rule.pair}: {exc}")
            continue
        if not _has_area(a_sel, 0.0):
            skipped.append(
                f"{rule.pair}: {rule.a} has no polygon area (points or lines): draw or buffer polygons"
            )
            continue
        if len(prepared[rule.b_layer]) and not _has_area(b_sel, rule.buffer_m):
            skipped.append(f"{rule.pair}: {rule.b} has no polygon area; the rule needs buffer_m > 0")
            continue
        applied.append(rule)
        # The larger side is streamed (flattened only where it meets the other, buffered as it
        # is read); the smaller side is flattened whole, once per selector and distance.
        if len(b_sel) >= len(a_sel):
            small = cache.get(a_layer, a_frame, rule.a)
            pieces = flat_overlay(b_sel, small, buffer_m=rule.buffer_m, scheduler=scheduler)
        else:
            small = cache.get(rule.b_layer, prepared[rule.b_layer], rule.b, rule.buffer_m)
            pieces = flat_overlay(a_sel, small, scheduler=scheduler)
        if rule.zone == "outside":
            pieces = _outside(pieces, b_sel)
        frames.append(_rule_pieces(pieces, rule, munis, chunk_size, area_method))
    frames = [f for f in frames if len(f)]
    polygons = pd.concat(frames, ignore_index=True) if frames else _empty_polygons()
    polygons = gpd.GeoDataFrame(polygons, geometry="geometry", crs=WORKING_CRS)[
        POLYGON_COLUMNS + ["geometry"]
    ]
    matrix, by_muni = _summaries(polygons, tuple(applied), area_method)
    return ConflictResult(
        polygons,
        matrix,
        by_muni,
        tuple(applied),
        missing,
        skipped,
        area_method,
        not_checked=tuple(not_checked),
    )


def _statuses(result: ConflictResult, a_frame: gpd.GeoDataFrame, coverage) -> pd.DataFrame:
    """Hit / no hit / not mapped per rule, from the engine's hectares and each layer's coverage."""
    ha = result.pair_ha()
    rows = []
    need_area = any(coverage.get(r.b_layer) is not None for r in result.rules)
    area_geom = None
    if need_area:
        g = as_geometry_array(_prepare(a_frame, "proposal"))
        area_geom = shapely.union_all(polygonal(g))
    for r in result.rules:
        cov = coverage.get(r.b_layer)
        share = 1.0 if cov is None or area_geom is None else covered_share(area_geom, cov, r.buffer_m)
        status, reason = decide(float(ha.get(r.pair, 0.0)) > 0, share)
        rows.append(
            {"pair": r.pair, "layer_b": r.b_layer, "status": status, "reason": reason, "covered_share": share}
        )
    for r in result.not_checked:
        rows.append(
            {
                "pair": r.pair,
                "layer_b": r.b_layer,
                "status": "not_mapped",
                "reason": "layer_missing",
                "covered_share": 0.0,
            }
        )
    return pd.DataFrame(rows, columns=["pair", "layer_b", "status", "reason", "covered_share"])


def _outside(pieces: Pieces, b_geoms: np.ndarray) -> Pieces:
    """The pieces of a zone with B itself cut away: the ring outside B (a § 49 zone).

    Only B features meeting a piece are unioned, so the cost follows the pieces, not the layer.
    An enclave inside B (a hole) is outside B and stays in the ring.

    Examples
    --------
    >>> from shapely import box
    >>> from areal.geo.overlay import intersect
    >>> park = np.array([box(0, 0, 1000, 1000)])
    >>> zone = intersect(buffer(park, 500), [box(500, 0, 2000, 1000)])
    >>> float(_outside(zone, park).area.sum())  # the 500 m wide strip east of the park
    500000.0
    """
    if len(pieces) == 0:
        return pieces
    b = polygonal(b_geoms[~shapely.is_missing(b_geoms)])
    b = b[~shapely.is_empty(b)]
    if len(b) == 0:
        return pieces
    tree = shapely.STRtree(b)
    ip, ib = tree.query(pieces.geoms, predicate="intersects")
    geoms = pieces.geoms.copy()
    for i in np.unique(ip):
        geoms[i] = shapely.difference(geoms[i], shapely.union_all(b[ib[ip == i]]))
    geoms = polygonal(geoms)
    area = shapely.area(geoms)
    keep = area > 0
    return Pieces(pieces.ia[keep], pieces.ib[keep], geoms[keep], area[keep], pieces.n_contained)


def _has_area(geoms: np.ndarray, buffer_m: float) -> bool:
    """True when the features have polygon area (or any feature, once buffered by ``buffer_m`` > 0)."""
    g = geoms[~shapely.is_missing(geoms)]
    g = g[~shapely.is_empty(g)]
    if buffer_m > 0:
        return len(g) > 0
    return bool(np.isin(shapely.get_type_id(g), (3, 6, 7)).any()) and bool(
        (shapely.area(polygonal(g)) > 0).any()
    )


def find_conflicts(
    proposal: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    rules: RuleTable,
    *,
    as_layer: str = "business_areas",
    municipalities: gpd.GeoDataFrame | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    scheduler=None,
    area_method: str = "planar",
    coverage: Mapping[str, shapely.Geometry | None] | None = None,
) -> ConflictResult:
    """Check a proposal against every layer its rules name.

    Parameters
    ----------
    proposal : GeoDataFrame
        The proposed use (any CRS with a CRS set; reprojected to EPSG:25833; invalid geometries repaired).
    layers : mapping of layer id to GeoDataFrame
        The existing interests. A layer named by a rule but absent here is reported in
        ``result.missing`` and its rules are skipped.
    rules : RuleTable
    as_layer : str
        Which rules apply: those whose A side is this layer (a drawn polygon checked as
        ``"business_areas"``, a test area as ``"test_arenas"`` ...).
    municipalities : GeoDataFrame, optional
        With ``kommunenummer`` / ``kommunenavn``: pieces are cut along municipality borders.
    chunk_size : int
        Features per chunk when pieces are cut along municipality borders.
    scheduler : Scheduler, str, Executor or distributed.Client, optional
        Where the partitions of the large side run (:func:`areal.geo.scheduler.get_scheduler`;
        default the calling thread). Every scheduler gives the same pieces.
    area_method : {"planar", "geodesic"}
        ``planar`` (EPSG:25833, the county default) or ``geodesic`` (GRS80 ellipsoid, exact across
        Norway: a national run); stated in :attr:`ConflictResult.area_method`.
    coverage : mapping of layer id -> geometry or None, optional
        Where each B layer is mapped (:func:`areal.layers.coverage.coverages`); a layer not
        named covers everywhere. Rules come out ``hit``, ``no_hit`` or ``not_mapped`` in
        :attr:`ConflictResult.statuses` and :meth:`ConflictResult.summary`.

    Returns
    -------
    ConflictResult

    Raises
    ------
    RuleError
        When no rule has ``as_layer`` on its A side.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> from areal.geo.rules import parse_rules
    >>> table = parse_rules({"rule": [{"a": "business_areas", "b": "mire", "severity": "medium",
    ...     "basis": "pbl § 11-8", "explanation": "Peat stores carbon."}]},
    ...     known_layers=["business_areas", "mire"])
    >>> prop = gpd.GeoDataFrame(geometry=[box(0, 0, 2000, 2000)], crs=25833)
    >>> mire = gpd.GeoDataFrame(geometry=[box(500, 500, 1500, 1500)], crs=25833)
    >>> find_conflicts(prop, {"mire": mire}, table).total_ha()
    100.0
    """
    selected = rules.rules_for(as_layer)
    if not selected:
        with_a = sorted({r.a_layer for r in rules.rules})
        raise RuleError(
            f"{rules.source}: no rule has {as_layer!r} on its A side; layers with rules: {', '.join(with_a)}"
        )
    result = _apply(
        proposal, layers, selected, rules, as_layer, municipalities, chunk_size, scheduler, area_method
    )
    result.statuses = _statuses(result, proposal, coverage or {})
    return result


def pair_conflicts(
    a: gpd.GeoDataFrame,
    b: gpd.GeoDataFrame,
    rules: RuleTable,
    *,
    a_layer: str,
    b_layer: str,
    municipalities: gpd.GeoDataFrame | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    scheduler=None,
    area_method: str = "planar",
) -> ConflictResult:
    """Conflicts between any two layers, by the rules written for that pair.

    Rules with A on ``a_layer`` and B on ``b_layer`` are used; when there are none, the rules of the
    reverse direction are used (the buffer then applies to ``a``). ``scheduler`` and
    ``area_method`` as in :func:`find_conflicts`.

    Raises
    ------
    RuleError
        When the table has no rule for the pair in either direction.
    """
    fwd = rules.rules_between(a_layer, b_layer)
    if fwd:
        return _apply(
            a, {b_layer: b}, fwd, rules, a_layer, municipalities, chunk_size, scheduler, area_method
        )
    rev = rules.rules_between(b_layer, a_layer)
    if rev:
        return _apply(
            b, {a_layer: a}, rev, rules, b_layer, municipalities, chunk_size, scheduler, area_method
        )
    pairs = sorted({f"{r.a_layer} × {r.b_layer}" for r in rules.rules if a_layer in (r.a_layer, r.b_layer)})
    raise RuleError(
        f"{rules.source}: no rule for {a_layer} × {b_layer} in either direction; rules with {a_layer!r}: "
        f"{', '.join(pairs) or 'none'}"
    )


def worst_severity(result: ConflictResult) -> str | None:
    """Return the most severe severity present in a result, or None when there is no conflict."""
    present = set(result.polygons["severity"]) if len(result.polygons) else set()
    return min(present, key=severity_rank) if present else None


def touched_features(
    proposal: gpd.GeoDataFrame,
    layer: gpd.GeoDataFrame,
    buffer_m: float = 0.0,
    *,
    columns: tuple[str, ...] = (),
    chunk_size: int = DEFAULT_CHUNK,
    zone: str = "whole",
) -> pd.DataFrame:
    """Which features of one layer a proposal touches, and by how many hectares each.

    The per-feature view behind a conflict pair: a test area overlapping the 1000 m zones of two
    aquaculture sites lists both sites with the hectares inside each site's zone. Zones of
    different features may overlap, so the per-feature hectares may sum to more than the pair's.

    Parameters
    ----------
    proposal : GeoDataFrame
        The proposed area(s); overlaps inside it count once.
    layer : GeoDataFrame
        Existing features (points, lines or polygons), same CRS as ``proposal``.
    buffer_m : float
        Zone around each feature (a rule's ``buffer_m``); 0 for polygons as they are.
    columns : tuple of str
        Attributes of ``layer`` to carry (for example ``site_id``, ``site_name``).
    zone : {"whole", "outside"}
        A rule's :attr:`~areal.geo.rules.Rule.zone`: ``outside`` counts only the ring of each
        feature's zone that lies outside every feature of the layer.

    Returns
    -------
    DataFrame
        One row per touched feature: its index in ``layer`` as ``feature``, the ``columns``,
        ``area_m2``, ``area_daa``, ``area_ha``; largest first.
    """
    if buffer_m < 0:
        raise ValueError(f"buffer_m must be >= 0, got {buffer_m}")
    ensure_same_crs(proposal, layer, names=("proposal", "layer"))
    prop = flatten(proposal.geometry.values).geoms
    geoms = as_geometry_array(layer.geometry.values)
    zones = buffer(geoms, buffer_m) if buffer_m > 0 else geoms
    pieces = intersect(zones, prop, chunk_size=chunk_size, keep_geometry=zone == "outside")
    if zone == "outside" and buffer_m > 0:
        pieces = _outside(pieces, geoms)
    per = pd.Series(pieces.area).groupby(pieces.ia).sum()
    out = pd.DataFrame({"feature": layer.index.to_numpy()[per.index.to_numpy()]})
    for col in columns:
        out[col] = layer[col].to_numpy()[per.index.to_numpy()]
    for k, v in area_columns(per.to_numpy()).items():
        out[k] = v
    return out.sort_values("area_m2", ascending=False, kind="stable").reset_index(drop=True)
