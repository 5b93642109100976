"""fast_sites (the app's re-ranking path) gives the same table and geometries as sites()."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from areal.geo.grid import AnalysisGrid
from areal.geo.profiles import parse_profile
from areal.geo.sites import zonal_mean
from areal.geo.suitability import build_model
from areal.geo.suitability_plan import SuitabilityInputs
from conftest import UTM33, X0, Y0
from shapely.geometry import LineString, Point, box


def _model(connectivity):
    land = gpd.GeoDataFrame(
        {"kommunenummer": ["5001", "5028"], "kommunenavn": ["A", "B"]},
        geometry=[box(X0, Y0, X0 + 3000, Y0 + 3000), box(X0 + 3000, Y0, X0 + 6000, Y0 + 3000)],
        crs=UTM33,
    )
    roads = gpd.GeoDataFrame(
        geometry=[
            LineString([(X0 + 100, Y0), (X0 + 100, Y0 + 3000)]),
            LineString([(X0 + 5900, Y0), (X0 + 5900, Y0 + 3000)]),
        ],
        crs=UTM33,
    )
    pts = gpd.GeoDataFrame(geometry=[Point(X0 + 3000, Y0 + 1500)], crs=UTM33)
    lakes = gpd.GeoDataFrame(geometry=[box(X0 + 2000, Y0 + 1000, X0 + 4000, Y0 + 1400)], crs=UTM33)
    prof = parse_profile(
        {
            "name": "t",
            "title_nb": "T",
            "title_en": "T",
            "rationale": "t",
            "min_area_ha": 3,
            "threshold": 0.55,
            "connectivity": connectivity,
            "exclusions": ["lakes"],
            "criteria": [
                {
                    "id": "road",
                    "kind": "distance",
                    "layer": "roads",
                    "weight": 2,
                    "value": {"type": "linear", "best": 0, "worst": 3000},
                },
                {
                    "id": "hub",
                    "kind": "distance",
                    "layer": "hub",
                    "weight": 1,
                    "value": {"type": "linear", "best": 0, "worst": 3000},
                },
            ],
        },
        "t.toml",
    )
    inp = SuitabilityInputs(layers={"roads": roads, "hub": pts, "lakes": lakes}, land=land)
    return build_model(prof, inp, AnalysisGrid(UTM33, 100, (X0, Y0, X0 + 6000, Y0 + 3000)))


@pytest.mark.parametrize("connectivity", ["rook", "queen"])
@pytest.mark.parametrize(
    "weights, threshold", [(None, None), ({"road": 1, "hub": 3}, 0.6), ({"road": 5, "hub": 1}, 0.7)]
)
def test_fast_sites_equals_sites(connectivity, weights, threshold):
    m = _model(connectivity)
    slow, fast = m.sites(weights, threshold=threshold), m.fast_sites(weights, threshold=threshold)
    assert len(slow) >= 2
    cols = [c for c in slow.columns if c != "geometry"]
    pd.testing.assert_frame_equal(
        pd.DataFrame(slow[cols]), pd.DataFrame(fast[cols]), check_dtype=False, rtol=1e-6
    )
    for a, b in zip(slow.geometry, fast.geometry):
        assert a.symmetric_difference(b).area == pytest.approx(0.0, abs=1e-6)


def test_fast_sites_empty_when_nothing_passes():
    m = _model("rook")
    assert len(m.fast_sites(threshold=1.01)) == 0


def test_zonal_mean_by_hand():
    g = AnalysisGrid(UTM33, 100, (X0, Y0, X0 + 400, Y0 + 200))
    a = np.arange(8, dtype=np.float32).reshape(2, 4)  # row 0 is the north row
    a[0, 0] = np.nan
    # the 2×2 cells in the west: values nan, 1 (north), 4, 5 (south) -> mean 10/3
    assert zonal_mean(a, g, box(X0, Y0, X0 + 200, Y0 + 200)) == pytest.approx(10 / 3)
    assert zonal_mean(a, g, Point(X0 + 350, Y0 + 50)) == 7.0  # the cell under a point
    assert np.isnan(zonal_mean(a, g, box(X0 + 1000, Y0, X0 + 1100, Y0 + 100)))  # outside the grid
