"""The conflict use case shared by the CLI and the app (apps/usecases/conflicts.py)."""

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from areal.apps.usecases.conflicts import check_conflicts
from areal.geo.conflicts import find_conflicts
from areal.geo.errors import UnknownNameError
from areal.geo.rules import parse_rules
from conftest import UTM33, X0, Y0
from shapely import box

RULES = parse_rules(
    {
        "rule": [
            {"a": "business_areas", "b": "mire", "severity": "medium", "basis": "b", "explanation": "e"},
            {
                "a": "business_areas",
                "b": "aquaculture_sites",
                "severity": "high",
                "buffer_m": 500,
                "basis": "b",
                "explanation": "e",
            },
        ]
    },
    known_layers=["business_areas", "mire", "aquaculture_sites"],
)


def gdf(geoms, **cols):
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs=UTM33)


MUNIS = gdf(
    [box(X0, Y0, X0 + 5000, Y0 + 5000), box(X0 + 5000, Y0, X0 + 10000, Y0 + 5000)],
    kommunenummer=["5001", "5028"],
    kommunenavn=["Trondheim", "Melhus"],
)
# mire features near and far from the proposal: the far ones are pre-clipped away
MIRE = gdf([box(X0 + 1000 * i, Y0 + 200, X0 + 1000 * i + 400, Y0 + 600) for i in range(10)])
SITES = gdf([shapely.Point(X0 + 2300, Y0 + 1200), shapely.Point(X0 + 9000, Y0 + 4000)])
PROP = gdf([box(X0 + 1800, Y0, X0 + 6200, Y0 + 1000)])


def test_pre_clipped_layers_give_the_engine_s_answer():
    layers = {"mire": MIRE, "aquaculture_sites": SITES}
    got = check_conflicts(PROP, layers, RULES, municipalities=MUNIS)
    want = find_conflicts(PROP, layers, RULES, municipalities=MUNIS)
    pd.testing.assert_series_equal(got.pair_ha(), want.pair_ha())
    # mire: x 2000-2400, 3000-3400, 4000-4400, 5000-5400, 6000-6200 (y 200-600): 16 ha × 4 + 8 ha
    assert got.pair_ha()["business_areas × mire"] == pytest.approx(72.0)
    pd.testing.assert_frame_equal(got.by_municipality, want.by_municipality)


def test_within_municipality_and_point_footprint():
    layers = {"mire": MIRE, "aquaculture_sites": SITES}
    res = check_conflicts(PROP, layers, RULES, municipalities=MUNIS, within="5028")
    assert res.pair_ha()["business_areas × mire"] == pytest.approx(16 + 8)  # x 5000-6200 only
    with pytest.raises(UnknownNameError, match="unknown municipality number"):
        check_conflicts(PROP, layers, RULES, municipalities=MUNIS, within="9999")
    point = gdf([shapely.Point(X0 + 2200, Y0 + 400)])  # a drawn point inside a mire
    assert check_conflicts(point, layers, RULES, against=["mire"]).total_ha() == 0
    hit = check_conflicts(point, layers, RULES, against=["mire"], footprint=True)
    assert hit.pair_ha()["business_areas × mire"] * 10_000 == pytest.approx(1.0, rel=1e-12)  # a 1 m² square
    # points of a MultiPoint each get their square (one on the mire, one outside: 1 m²)
    two = gdf([shapely.MultiPoint([(X0 + 2200, Y0 + 400), (X0 + 100, Y0 + 900)])])
    got = check_conflicts(two, layers, RULES, against=["mire"], footprint=True)
    assert got.pair_ha()["business_areas × mire"] * 10_000 == pytest.approx(1.0, rel=1e-12)
    with pytest.raises(UnknownNameError, match="no rule for business_areas against roads"):
        check_conflicts(PROP, layers, RULES, against=["roads"])
