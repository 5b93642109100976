"""Site check: what a proposed site (point or polygon) touches, and how far it is from infrastructure.

Pure: a site geometry and a dict of cleaned layers (EPSG:25833) in, a :class:`SiteReport` out.
The conflict and suitability parts are filled by engines passed in as callables; without them
their slots say "not available".

>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> forest = gpd.GeoDataFrame(geometry=[box(0, 0, 200, 100), box(100, 0, 300, 100)], crs=25833)
>>> rep = check_site(box(0, 0, 400, 100), {"forest": forest})
>>> rep.area_ha, float(rep.intersections.loc[0, "area_ha"])
(4.0, 3.0)

A layer that is missing says "not mapped", never 0 ha:

>>> rep = check_site(box(0, 0, 400, 100), {"forest": forest}, expected=["ar5"])
>>> rep.coverage[["layer", "status", "reason", "hit_ha"]]
    layer      status         reason  hit_ha
0  forest         hit                    3.0
1     ar5  not_mapped  layer_missing     NaN
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.geo.coverage import STATUS_COLUMNS, classify_area
from areal.geo.crs import WORKING_CRS, require_crs, same_crs
from areal.geo.errors import ArealError, CRSMismatchError, InputGeometryError
from areal.geo.geometry import M2_PER_DAA, M2_PER_HA
from areal.geo.overlay import as_geometry_array, flatten, intersect
from shapely.geometry.base import BaseGeometry

SiteEngine = Callable[[gpd.GeoDataFrame, Mapping[str, gpd.GeoDataFrame]], pd.DataFrame]
"""Signature of the conflict and suitability engines: (site frame, layers) -> result frame."""

DISTANCE_TARGETS: tuple[tuple[str, str, str | None], ...] = (
    # (target, layer id, geometry family to keep or None for all)
    ("power_line", "power_lines", None),
    ("substation", "grid_capacity", "point"),
    ("road", "roads", None),
    ("railway", "railway", None),
    ("station", "stations", None),
    ("airport", "airports", None),
    ("port", "ports", None),
)
"""Infrastructure the report measures the distance to; a missing layer is reported as unavailable."""

MUNICIPALITY_LAYERS = ("municipalities", "municipalities_sea")
SKIP_INTERSECTION = ("municipalities", "municipalities_sea", "county", "grid_areas")
"""Layers never reported as hectares under a site: the frame of reference (municipalities, county)
and the grid areas (one Statnett area covers the county: "100 % of the site" says nothing)."""
SUBSTATION_LAYER = "grid_capacity"
FREE_MW_COLUMN = "availableCons"
NAME_COLUMNS = ("navn", "name", "anleggNavn", "site_name", "kommunenavn", "Villreinom")


@dataclass
class SiteReport:
    """Everything the site check found.

    Attributes
    ----------
    family : {"polygon", "point"}
        The site's geometry family.
    area_m2, area_daa, area_ha : float
        Site area (0 for a point).
    n_parts : int
        Number of polygons / points of the site.
    municipalities : DataFrame
        ``kommunenummer``, ``kommunenavn``, ``area_ha``, ``share_pct`` (share of the site).
    intersections : DataFrame
        One row per layer the site touches: ``layer``, ``n_features``, ``area_ha`` (polygon layers,
        dissolved so overlaps count once), ``share_pct``, ``length_km`` (line layers).
    distances : DataFrame
        ``target``, ``layer``, ``available``, ``distance_m`` (0 when touching), ``nearest``.
    substations : DataFrame or None
        The nearest substations with their free capacity for consumption: ``name``, ``owner``,
        ``distance_m``, ``free_mw`` (None when the grid-capacity layer is not available).
    arenas : DataFrame or None
        The nearest test arenas (``name``, ``distance_m`` and the layer's own columns), None when
        the ``test_arenas`` layer is not available.
    coverage : DataFrame
        One row per layer (loaded, or expected but missing): ``layer`` and
        :data:`areal.geo.coverage.STATUS_COLUMNS` -- ``hit``, ``no_hit`` or ``not_mapped``. A layer
        that is missing, or does not cover the site, is ``not_mapped`` with NaN hectares, never 0 ha.
    conflicts, suitability : DataFrame or None
        Filled by the engines; None with a note in ``notes`` when no engine is given.
    notes : dict
        ``{"conflicts": ..., "suitability": ..., "arenas": ...}`` explanations of empty slots.
    elapsed_s : float
        Computation time.
    """

    family: str
    area_m2: float
    area_daa: float
    area_ha: float
    n_parts: int
    bounds: tuple[float, float, float, float]
    municipalities: pd.DataFrame
    intersections: pd.DataFrame
    distances: pd.DataFrame
    coverage: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["layer", *STATUS_COLUMNS]))
    arenas: pd.DataFrame | None = None
    substations: pd.DataFrame | None = None
    conflicts: pd.DataFrame | None = None
    suitability: pd.DataFrame | None = None
    notes: dict[str, str] = field(default_factory=dict)
    elapsed_s: float = 0.0

    def not_mapped(self) -> pd.DataFrame:
        """The layers that say nothing about the site (missing, or not covering it)."""
        return self.coverage[self.coverage["status"] == "not_mapped"].reset_index(drop=True)

    def summary_frame(self) -> pd.DataFrame:
        """The headline numbers as a two-column frame (for CSV export)."""
        rows = [
            ("area_m2", self.area_m2),
            ("area_daa", self.area_daa),
            ("area_ha", self.area_ha),
            ("municipalities", ", ".join(self.municipalities["kommunenavn"].astype(str))),
        ]
        for r in self.distances.itertuples():
            rows.append((f"distance_{r.target}_m", r.distance_m if r.available else None))
        return pd.DataFrame(rows, columns=["key", "value"])


def _site_geometry(site: gpd.GeoDataFrame | BaseGeometry) -> tuple[BaseGeometry, str, int]:
    if isinstance(site, gpd.GeoDataFrame | gpd.GeoSeries):
        crs = require_crs(site, "site")
        if not same_crs(crs, WORKING_CRS):
            raise CRSMismatchError(
                f"site is in {crs.to_string()}, expected {WORKING_CRS.to_string()}; use .to_crs(25833) first"
            )
        geoms = np.asarray(site.geometry.values if isinstance(site, gpd.GeoDataFrame) else site.values)
    else:
        geoms = np.asarray([site])
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) == 0:
        raise InputGeometryError("site: no geometry (empty input)")
    types = set(shapely.get_type_id(geoms).tolist())
    if types <= {3, 6}:
        family = "polygon"
    elif types <= {0, 4}:
        family = "point"
    else:
        raise InputGeometryError(
            f"site: must be polygons or points, got {sorted(set(shapely.get_type_id(geoms)))}"
        )
    n_parts = int(sum(shapely.get_num_geometries(geoms)))
    return shapely.union_all(geoms), family, n_parts


def _name_column(gdf: pd.DataFrame) -> str | None:
    return next((c for c in NAME_COLUMNS if c in gdf.columns), None)


def _bounds(geom) -> tuple[float, float, float, float]:
    xmin, ymin, xmax, ymax = (float(v) for v in geom.bounds)
    return xmin, ymin, xmax, ymax


def _municipalities(
    geom: BaseGeometry, family: str, area: float, layers: Mapping[str, gpd.GeoDataFrame]
) -> pd.DataFrame:
    cols = ["kommunenummer", "kommunenavn", "area_ha", "share_pct"]
    for lid in MUNICIPALITY_LAYERS:
        munis = layers.get(lid)
        if munis is None or len(munis) == 0:
            continue
        idx = munis.sindex.query(geom, predicate="intersects")
        if len(idx) == 0:
            continue
        hit = munis.iloc[np.sort(idx)]
        a = np.zeros(len(hit))
        if family == "polygon":
            pieces = intersect(as_geometry_array(hit), [geom], keep_geometry=False)
            a = np.bincount(pieces.ia, weights=pieces.area, minlength=len(hit)).astype(float)
        out = pd.DataFrame(
            {
                "kommunenummer": hit["kommunenummer"].to_numpy(),
                "kommunenavn": hit["kommunenavn"].to_numpy(),
                "area_ha": a / M2_PER_HA,
                "share_pct": (100.0 * a / area) if area > 0 else np.full(len(hit), np.nan),
            }
        )
        if family == "polygon":
            out = out[out["area_ha"] > 0]
        if len(out):
            return out.sort_values("area_ha", ascending=False, kind="stable").reset_index(drop=True)
    return pd.DataFrame(columns=cols)


def _intersections(geom: BaseGeometry, area: float, layers: Mapping[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    rows = []
    for lid, gdf in layers.items():
        if lid in SKIP_INTERSECTION or not isinstance(gdf, gpd.GeoDataFrame) or len(gdf) == 0:
            continue
        idx = gdf.sindex.query(geom, predicate="intersects")
        if len(idx) == 0:
            continue
        cand = np.asarray(gdf.geometry.values)[np.sort(idx)]
        tid = shapely.get_type_id(cand)
        poly, line, point = np.isin(tid, (3, 6)), np.isin(tid, (1, 2, 5)), np.isin(tid, (0, 4))
        area_ha = length_km = np.nan
        if poly.any():
            # Clip, then flatten the clipped parts so overlapping features of one layer count once.
            pieces = intersect(cand[poly], [geom])
            area_ha = float(shapely.area(flatten(pieces.geoms).geoms).sum()) / M2_PER_HA
        if line.any():
            length_km = (
                float(shapely.length(shapely.union_all(shapely.intersection(cand[line], geom)))) / 1000.0
            )
        rows.append(
            {
                "layer": lid,
                "n_features": int(len(cand)),
                "area_ha": area_ha,
                "share_pct": 100.0 * area_ha * M2_PER_HA / area
                if area > 0 and not np.isnan(area_ha)
                else np.nan,
                "length_km": length_km,
                "n_points": int(point.sum()),
            }
        )
    cols = ["layer", "n_features", "area_ha", "share_pct", "length_km", "n_points"]
    return pd.DataFrame(rows, columns=cols)


def _coverage(
    geom: BaseGeometry,
    layers: Mapping[str, gpd.GeoDataFrame],
    coverage: Mapping[str, BaseGeometry | None] | None,
    expected: tuple[str, ...],
) -> pd.DataFrame:
    rows = []
    for lid in dict.fromkeys([*layers, *expected]):
        gdf = layers.get(lid)
        if lid in SKIP_INTERSECTION or (gdf is not None and not isinstance(gdf, gpd.GeoDataFrame)):
            continue
        st = classify_area(geom, gdf, (coverage or {}).get(lid))
        rows.append({"layer": lid, **{c: getattr(st, c) for c in STATUS_COLUMNS}})
    return pd.DataFrame(rows, columns=["layer", *STATUS_COLUMNS])


def _distances(geom: BaseGeometry, layers: Mapping[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    rows = []
    for target, lid, family in DISTANCE_TARGETS:
        gdf = layers.get(lid)
        if gdf is not None and family is not None and len(gdf):
            keep = np.isin(
                shapely.get_type_id(np.asarray(gdf.geometry.values)), (0, 4) if family == "point" else (3, 6)
            )
            gdf = gdf.loc[keep]
        if gdf is None or len(gdf) == 0:
            rows.append(
                {"target": target, "layer": lid, "available": False, "distance_m": np.nan, "nearest": None}
            )
            continue
        (_, idx), dist = gdf.sindex.nearest(geom, return_distance=True)
        name_col = _name_column(gdf)
        name = gdf.iloc[int(idx[0])][name_col] if name_col else None
        rows.append(
            {
                "target": target,
                "layer": lid,
                "available": True,
                "distance_m": float(dist[0]),
                "nearest": None if pd.isna(name) else str(name),
            }
        )
    return pd.DataFrame(rows, columns=["target", "layer", "available", "distance_m", "nearest"])


def _arenas(geom: BaseGeometry, layers: Mapping[str, gpd.GeoDataFrame], n: int) -> pd.DataFrame | None:
    arenas = layers.get("test_arenas")
    if arenas is None or len(arenas) == 0:
        return None
    from areal.geo.arenas import located

    arenas = located(arenas)  # municipality-only entries have no position, hence no distance
    d = shapely.distance(np.asarray(arenas.geometry.values), geom)
    order = np.argsort(d, kind="stable")[:n]
    out = pd.DataFrame(arenas.iloc[order].drop(columns=arenas.geometry.name))
    name_col = _name_column(out)
    names = out[name_col] if name_col else pd.Series(out.index.astype(str), index=out.index)
    out = out.drop(columns=[c for c in (name_col, "name") if c and c in out.columns])
    out.insert(0, "name", names)
    out.insert(1, "distance_m", d[order])
    return out.reset_index(drop=True)


def _substations(geom: BaseGeometry, layers: Mapping[str, gpd.GeoDataFrame], n: int) -> pd.DataFrame | None:
    cap = layers.get(SUBSTATION_LAYER)
    if cap is None or len(cap) == 0:
        return None
    geoms = np.asarray(cap.geometry.values)
    cap = cap.loc[np.isin(shapely.get_type_id(geoms), (0, 4))]
    if len(cap) == 0:
        return None
    d = shapely.distance(np.asarray(cap.geometry.values), geom)
    order = np.argsort(d, kind="stable")[:n]
    hit = cap.iloc[order]
    mw = (
        pd.to_numeric(hit[FREE_MW_COLUMN], errors="coerce").to_numpy(float)
        if FREE_MW_COLUMN in hit
        else np.full(len(hit), np.nan)
    )
    return pd.DataFrame(
        {
            "name": hit["name"].astype(str).to_numpy() if "name" in hit else [None] * len(hit),
            "owner": hit["owner"].astype(str).to_numpy() if "owner" in hit else [None] * len(hit),
            "distance_m": d[order],
            "free_mw": mw,
        }
    )


def _run_engine(
    engine: SiteEngine | None, site: gpd.GeoDataFrame, layers, what: str
) -> tuple[pd.DataFrame | None, str]:
    if engine is None:
        return None, f"{what} engine not available"
    try:
        return engine(site, layers), ""
    except ArealError as exc:
        return None, f"{what} failed: {type(exc).__name__}: {exc}"


def check_site(
    site: gpd.GeoDataFrame | BaseGeometry,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    conflict_engine: SiteEngine | None = None,
    suitability_engine: SiteEngine | None = None,
    n_arenas: int = 3,
    n_substations: int = 3,
    coverage: Mapping[str, BaseGeometry | None] | None = None,
    expected: tuple[str, ...] | list[str] = (),
) -> SiteReport:
    """Report what a site touches and how far it is from infrastructure and test arenas.

    Parameters
    ----------
    site : GeoDataFrame or shapely geometry
        Polygons or points in EPSG:25833 (a frame's rows are merged into one site).
    layers : mapping of str to GeoDataFrame
        Cleaned layers in EPSG:25833, keyed by catalogue id. Missing layers are simply absent;
        the report says which distances and slots are therefore unavailable.
    conflict_engine, suitability_engine : callable, optional
        ``(site_frame, layers) -> DataFrame``; when None the slot is empty with a note.
    n_arenas : int
        How many nearest test arenas to list.
    n_substations : int
        How many nearest substations (with their free MW) to list.
    coverage : mapping of layer id -> geometry or None, optional
        Where each layer is mapped (:func:`areal.layers.coverage.coverages`); a layer not named
        covers everywhere.
    expected : sequence of str
        Layers the check should speak about even when they are missing (they come out
        ``not_mapped``, reason ``layer_missing``).

    Returns
    -------
    SiteReport

    Raises
    ------
    InputGeometryError
        Empty site, or lines / mixed geometry families.
    CRSMismatchError
        A site frame not in EPSG:25833.
    """
    t0 = time.perf_counter()
    geom, family, n_parts = _site_geometry(site)
    shapely.prepare(geom)
    area = float(geom.area) if family == "polygon" else 0.0
    site_frame = gpd.GeoDataFrame(geometry=[geom], crs=WORKING_CRS)
    arenas = _arenas(geom, layers, n_arenas)
    conflicts, c_note = _run_engine(conflict_engine, site_frame, layers, "conflict")
    suitability, s_note = _run_engine(suitability_engine, site_frame, layers, "suitability")
    notes = {
        "conflicts": c_note,
        "suitability": s_note,
        "arenas": "" if arenas is not None else "test_arenas layer not available",
    }
    report = SiteReport(
        family=family,
        area_m2=area,
        area_daa=area / M2_PER_DAA,
        area_ha=area / M2_PER_HA,
        n_parts=n_parts,
        bounds=_bounds(geom),
        municipalities=_municipalities(geom, family, area, layers),
        intersections=_intersections(geom, area, layers),
        distances=_distances(geom, layers),
        coverage=_coverage(geom, layers, coverage, tuple(expected)),
        arenas=arenas,
        substations=_substations(geom, layers, n_substations),
        conflicts=conflicts,
        suitability=suitability,
        notes=notes,
    )
    report.elapsed_s = time.perf_counter() - t0
    return report


def with_suitability(
    report: SiteReport,
    site: gpd.GeoDataFrame | BaseGeometry,
    layers: Mapping[str, gpd.GeoDataFrame],
    suitability_engine: SiteEngine | None,
) -> SiteReport:
    """The report with its suitability slot (and note) filled by ``suitability_engine``.

    For a check whose vector part ran elsewhere (the app runs it in a child process, while the
    suitability models live in the server): the same slot :func:`check_site` fills.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> r = check_site(box(0, 0, 100, 100), {})
    >>> r2 = with_suitability(r, box(0, 0, 100, 100), {}, lambda site, layers: pd.DataFrame({"score": [0.5]}))
    >>> float(r2.suitability["score"][0]), r2.notes["suitability"], r.suitability is None
    (0.5, '', True)
    """
    t0 = time.perf_counter()
    geom, _family, _n = _site_geometry(site)
    frame = gpd.GeoDataFrame(geometry=[geom], crs=WORKING_CRS)
    suitability, note = _run_engine(suitability_engine, frame, layers, "suitability")
    out = replace(report, suitability=suitability, notes={**report.notes, "suitability": note})
    out.elapsed_s = report.elapsed_s + (time.perf_counter() - t0)
    return out
