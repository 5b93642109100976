"""Coverage: *hit*, *no hit* or *not mapped* -- what a layer can say about an area.

A layer is only evidence where it was mapped. AR5 fetched for two municipalities says nothing
about a third; a missing layer says nothing anywhere. Reporting "0 ha farmland" there would be
wrong: the right answer is "ikke kartlagt" (not mapped). This module tells the three apart, the
way DOK-arealanalyse does (*treff*, *ikke treff*, *ikke kartlagt*).

Pure: an area geometry, the layer's features (or None when the layer is missing) and the
layer's coverage geometry (None = the layer claims to cover everywhere, as a national layer
does) in; an :class:`AreaStatus` out. The coverage geometries themselves come from
:func:`areal.layers.coverage.coverage_geometry`.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> farmland = gpd.GeoDataFrame(geometry=[box(0, 0, 100, 100)], crs=25833)
>>> classify_area(box(50, 0, 150, 100), farmland, box(0, 0, 200, 200)).status
'hit'
>>> classify_area(box(300, 0, 400, 100), farmland, box(0, 0, 200, 200)).status
'not_mapped'
>>> classify_area(box(300, 0, 400, 100), None, None).reason
'layer_missing'
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.geo.geometry import M2_PER_HA
from shapely.geometry.base import BaseGeometry

STATUSES: tuple[str, ...] = ("hit", "no_hit", "not_mapped")
"""The three answers, in report order."""

REASONS: tuple[str, ...] = ("", "layer_missing", "outside_coverage", "partly_mapped")
"""Why an area is not (fully) mapped; the words are :data:`areal.apps.labels.COVERAGE_REASONS`."""

# Pieces smaller than this (m²) are slivers of shared edges, not features in the area.
_MIN_PIECE_M2 = 1e-3

# Shares of an area below this are edge slivers of two digitisations, not a gap in the mapping.
COVERAGE_TOLERANCE = 1e-4

STATUS_COLUMNS = [
    "status",
    "reason",
    "hit_ha",
    "n_features",
    "covered_share",
    "uncovered_ha",
    "length_km",
]


@dataclass(frozen=True)
class AreaStatus:
    """What one layer says about one area.

    Attributes
    ----------
    status : {"hit", "no_hit", "not_mapped"}
        ``hit``: the layer has features in the area (even if only part of the area is mapped);
        ``no_hit``: the whole area is mapped and nothing is there; ``not_mapped``: nothing was
        found but (part of) the area lies outside what the layer covers, or the layer is missing.
    reason : str
        ``""``, ``"layer_missing"``, ``"outside_coverage"`` (nothing of the area is mapped) or
        ``"partly_mapped"`` (a share of the area is not mapped; see ``covered_share``).
    hit_ha : float
        Hectares of the area under the layer's features (overlaps counted once). NaN when nothing
        of the area is mapped: "not mapped" is never 0 ha.
    n_features : int
        Features that touch the area.
    covered_share : float
        Share (0–1) of the area inside the layer's coverage (length share for a line, 0 or 1 for
        a point).
    uncovered_ha : float
        Hectares of the area outside the coverage (0 for points and lines).
    length_km : float
        Kilometres of line features inside the area (NaN when the layer has no lines there).
    """

    status: str
    reason: str
    hit_ha: float
    n_features: int
    covered_share: float
    uncovered_ha: float
    length_km: float = math.nan

    @property
    def partly_mapped(self) -> bool:
        """Part, but not all, of the area is covered."""
        return COVERAGE_TOLERANCE < self.covered_share < 1.0 - COVERAGE_TOLERANCE


def _geoms(frame: gpd.GeoDataFrame | gpd.GeoSeries | np.ndarray) -> np.ndarray:
    if isinstance(frame, gpd.GeoDataFrame):
        g = np.asarray(frame.geometry.values)
    elif isinstance(frame, gpd.GeoSeries):
        g = np.asarray(frame.values)
    else:
        g = np.asarray(frame)
    return g[~(shapely.is_missing(g) | shapely.is_empty(g))]


def _measure(geom: BaseGeometry) -> tuple[str, float]:
    """The area's family and its size (m² for polygons, m for lines, point count)."""
    tid = shapely.get_type_id(geom)
    if tid in (3, 6) or (tid == 7 and geom.area > 0):
        return "polygon", float(geom.area)
    if tid in (1, 2, 5) or (tid == 7 and geom.length > 0):
        return "line", float(geom.length)
    return "point", float(shapely.get_num_geometries(geom))


def _covered_share(area_geom: BaseGeometry, family: str, size: float, coverage: BaseGeometry | None) -> float:
    if coverage is None:
        return 1.0
    if coverage.is_empty or size <= 0:
        return 0.0
    inside = shapely.intersection(area_geom, coverage)
    if family == "polygon":
        return min(1.0, float(inside.area) / size)
    if family == "line":
        return min(1.0, float(inside.length) / size)
    return float(shapely.get_num_geometries(inside)) / size if not inside.is_empty else 0.0


def classify_area(
    area_geom: BaseGeometry,
    layer_frame: gpd.GeoDataFrame | gpd.GeoSeries | None,
    coverage_geom: BaseGeometry | None,
    *,
    tolerance: float = COVERAGE_TOLERANCE,
) -> AreaStatus:
    """Hit, no hit or not mapped: what one layer says about one area.

    Parameters
    ----------
    area_geom : shapely geometry
        The area asked about (a site, a proposal's union), EPSG:25833.
    layer_frame : GeoDataFrame, GeoSeries or None
        The layer's features (already reduced to the class and zone the question is about);
        None when the layer is missing.
    coverage_geom : shapely geometry or None
        Where the layer is mapped; None means everywhere (a national layer).
    tolerance : float
        Uncovered shares up to this count as covered (edge slivers).

    Returns
    -------
    AreaStatus

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> ar5 = gpd.GeoDataFrame(geometry=[box(0, 0, 100, 100)], crs=25833)
    >>> s = classify_area(box(100, 0, 300, 100), ar5, box(0, 0, 200, 100))
    >>> s.status, s.reason, s.covered_share, s.uncovered_ha, s.hit_ha
    ('not_mapped', 'partly_mapped', 0.5, 1.0, 0.0)
    >>> classify_area(box(100, 0, 200, 100), ar5, box(0, 0, 200, 100)).status
    'no_hit'
    """
    family, size = _measure(area_geom)
    if layer_frame is None:
        return AreaStatus(
            "not_mapped", "layer_missing", math.nan, 0, 0.0, size / M2_PER_HA if family == "polygon" else 0.0
        )
    share = _covered_share(area_geom, family, size, coverage_geom)
    uncovered_ha = (1.0 - share) * size / M2_PER_HA if family == "polygon" else 0.0
    geoms = _geoms(layer_frame)
    hit_idx = (
        shapely.STRtree(geoms).query(area_geom, predicate="intersects") if len(geoms) else np.array([], int)
    )
    cand = geoms[np.sort(hit_idx)]
    hit_ha, length_km = 0.0, math.nan
    if len(cand) and family == "polygon":
        # A feature that only shares an edge with the area is not in it.
        tid = shapely.get_type_id(cand)
        poly, line = np.isin(tid, (3, 6)), np.isin(tid, (1, 2, 5))
        pieces = shapely.intersection(cand, area_geom)
        keep = np.where(poly, shapely.area(pieces) > _MIN_PIECE_M2, True)
        keep &= np.where(line, shapely.length(pieces) > 0, True)
        cand, pieces, poly, line = cand[keep], pieces[keep], poly[keep], line[keep]
        if poly.any():
            # union so features of one layer that overlap count once
            hit_ha = float(shapely.union_all(pieces[poly]).area) / M2_PER_HA
        if line.any():
            length_km = float(shapely.union_all(pieces[line]).length) / 1000.0
    status, reason = decide(bool(len(cand)), share, tolerance)
    if status == "not_mapped" and reason == "outside_coverage":
        hit_ha = math.nan  # nothing of the area is mapped: no number, not 0 ha
    return AreaStatus(status, reason, hit_ha, int(len(cand)), share, uncovered_ha, length_km)


def covered_share(area_geom: BaseGeometry, coverage: BaseGeometry | None, buffer_m: float = 0.0) -> float:
    """Share (0–1) of an area where a layer (its zone of ``buffer_m``) is mapped.

    >>> from shapely.geometry import box
    >>> covered_share(box(0, 0, 100, 100), box(0, 0, 50, 100))
    0.5
    >>> covered_share(box(0, 0, 100, 100), box(-100, -100, 80, 200), buffer_m=30)
    0.5
    """
    family, size = _measure(area_geom)
    return _covered_share(area_geom, family, size, _erode(coverage, buffer_m))


def decide(hit: bool, share: float, tolerance: float = COVERAGE_TOLERANCE) -> tuple[str, str]:
    """``(status, reason)`` from whether anything was found and the covered share.

    >>> decide(False, 1.0), decide(False, 0.0), decide(True, 0.4)
    (('no_hit', ''), ('not_mapped', 'outside_coverage'), ('hit', 'partly_mapped'))
    """
    partly = tolerance < share < 1.0 - tolerance
    if hit:
        return "hit", "partly_mapped" if partly else ""
    if share >= 1.0 - tolerance:
        return "no_hit", ""
    return "not_mapped", "outside_coverage" if share <= tolerance else "partly_mapped"


def _erode(coverage: BaseGeometry | None, buffer_m: float) -> BaseGeometry | None:
    """Where a zone of ``buffer_m`` around the layer's features is fully known.

    A point within ``buffer_m`` of unmapped land may lie in the zone of a feature there that
    nobody mapped, so only the coverage shrunk by the buffer answers "no hit" for the zone.
    """
    if coverage is None or buffer_m <= 0:
        return coverage
    return shapely.buffer(coverage, -buffer_m)


def classify_rules(
    area_geom: BaseGeometry,
    rules,
    layers: Mapping[str, gpd.GeoDataFrame | None],
    coverages: Mapping[str, BaseGeometry | None] | None = None,
    *,
    as_layer: str | None = None,
) -> pd.DataFrame:
    """The status of every rule of a rule table for one area.

    Each rule's B side is selected (its class) and grown by the rule's buffer, then classified
    with :func:`classify_area` against the layer's coverage (shrunk by the buffer: see
    :func:`_erode`).

    Parameters
    ----------
    area_geom : shapely geometry
        The area (EPSG:25833).
    rules : RuleTable or sequence of Rule
        With ``as_layer``, the rules of that A layer of a :class:`~areal.geo.rules.RuleTable`.
    layers : mapping of layer id -> GeoDataFrame or None
        Loaded layers; an absent id is a missing layer.
    coverages : mapping of layer id -> geometry or None, optional
        Coverage per layer; an absent id (or None) covers everywhere.
    as_layer : str, optional
        Only the rules whose A side is this layer (needs a RuleTable).

    Returns
    -------
    DataFrame
        One row per rule: ``pair``, ``layer_b``, ``class_b``, ``severity``, ``buffer_m`` and
        :data:`STATUS_COLUMNS`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from areal.geo.rules import parse_rules
    >>> doc = {"rule": [{"a": "business_areas", "b": b, "severity": "high", "buffer_m": 0,
    ...                  "basis": "x", "explanation": "y"} for b in ("mire", "ar5")]}
    >>> table = parse_rules(doc, known_layers=["business_areas", "mire", "ar5"])
    >>> mire = gpd.GeoDataFrame(geometry=[box(0, 0, 10, 10)], crs=25833)
    >>> classify_rules(box(5, 0, 15, 10), table, {"mire": mire}, as_layer="business_areas")[
    ...     ["layer_b", "status", "hit_ha"]]
      layer_b      status  hit_ha
    0    mire         hit   0.005
    1     ar5  not_mapped     NaN
    """
    coverages = coverages or {}
    selected = rules.rules_for(as_layer) if as_layer is not None else tuple(getattr(rules, "rules", rules))
    rows = []
    for rule in selected:
        frame = layers.get(rule.b_layer)
        if frame is not None and hasattr(rules, "select"):
            frame = rules.select(rule.b_layer, frame, rule.b)
        if frame is not None and rule.buffer_m > 0 and len(frame):
            frame = gpd.GeoSeries(shapely.buffer(_geoms(frame), rule.buffer_m), crs=frame.crs)
        st = classify_area(area_geom, frame, _erode(coverages.get(rule.b_layer), rule.buffer_m))
        rows.append(
            {
                "pair": rule.pair,
                "layer_b": rule.b_layer,
                "class_b": rule.b_class,
                "severity": rule.severity,
                "buffer_m": rule.buffer_m,
                **asdict(st),
            }
        )
    cols = ["pair", "layer_b", "class_b", "severity", "buffer_m", *STATUS_COLUMNS]
    return pd.DataFrame(rows, columns=cols)
