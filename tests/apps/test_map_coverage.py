"""Neighbouring municipalities do not overlap on the map (issue 16): coverage-preserving simplification."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from areal.apps.planner import mapping
from areal.geo.geometry import simplify_for_display
from areal.layers import loader, registry


def overlap_ha(geoms) -> float:
    """Area (ha) where two of the polygons overlap (each pair once)."""
    geoms = np.asarray(geoms, dtype=object)
    i, j = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = i < j
    return float(shapely.area(shapely.intersection(geoms[i[keep]], geoms[j[keep]])).sum()) / 1e4


@pytest.mark.realdata
def test_municipalities_at_250_m_do_not_overlap(real_data):
    munis = loader.load("municipalities", real_data)
    geoms = np.asarray(munis.geometry.values)
    assert overlap_ha(geoms) == pytest.approx(0.0, abs=1e-6)
    one_by_one = shapely.simplify(geoms, 250.0, preserve_topology=True)
    assert overlap_ha(one_by_one) > 100  # what the map drew before (416 ha)
    cov = simplify_for_display(geoms, 250.0)
    assert overlap_ha(cov) == pytest.approx(0.0, abs=1e-6)
    assert shapely.get_num_coordinates(cov).sum() < shapely.get_num_coordinates(geoms).sum()
    # and no gap opens: the simplified municipalities cover the same total area
    assert shapely.union_all(cov).area == pytest.approx(shapely.area(cov).sum(), rel=1e-9)


@pytest.mark.realdata
def test_the_coarse_map_band_keeps_municipalities_apart(real_data):
    munis = loader.load("municipalities", real_data)
    band = mapping.ZOOM_BANDS[0]
    assert band.tolerance_m == 250.0
    doc = json.loads(mapping.layer_geojson(munis, registry.get("municipalities"), band))
    drawn = gpd.GeoDataFrame.from_features(doc["features"], crs=4326).to_crs(25833)
    assert len(drawn) == 38
    # lon/lat rounded to 4 decimals: shared vertices round alike, so the overlap stays ~0
    assert overlap_ha(drawn.geometry.values) < 0.5


def test_overlapping_polygons_and_lines_are_simplified_one_by_one():
    a = shapely.buffer(shapely.Point(0, 0), 100.0)
    b = shapely.buffer(shapely.Point(50, 0), 100.0)  # overlaps a: not a coverage
    line = shapely.LineString([(0, 0), (50, 1), (100, 0)])
    out = simplify_for_display(np.array([a, b, line, None], dtype=object), 5.0)
    expected = shapely.simplify(np.array([a, b, line]), 5.0, preserve_topology=True)
    assert all(shapely.equals_exact(out[:3], expected, 0.0)) and out[3] is None
