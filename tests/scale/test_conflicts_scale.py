"""The conflict engine on the scheduler seam, and geodesic hectares for a national run."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from areal.geo.conflicts import find_conflicts, pair_conflicts
from areal.geo.rules import parse_rules
from shapely import box

KNOWN = ["business_areas", "ar5", "aquaculture_sites"]


def table():
    doc = {
        "rule": [
            {
                "a": "business_areas",
                "b": "ar5",
                "severity": "high",
                "basis": "jordlova § 9",
                "explanation": "t",
            },
            {
                "a": "business_areas",
                "b": "aquaculture_sites",
                "severity": "medium",
                "buffer_m": 300,
                "basis": "akvakulturloven",
                "explanation": "t",
            },
        ]
    }
    return parse_rules(doc, known_layers=KNOWN)


def mosaic(x0, y0, n=40, cell=50.0):
    cells = [
        box(x0 + i * cell, y0 + j * cell, x0 + (i + 1) * cell, y0 + (j + 1) * cell)
        for i in range(n)
        for j in range(n)
    ]
    return gpd.GeoDataFrame({"arealtype": ["21"] * len(cells)}, geometry=cells, crs=25833)


@pytest.fixture(scope="module")
def case():
    x0, y0 = 270_000.0, 7_040_000.0
    ar5 = mosaic(x0, y0)
    ar5 = pd_concat(ar5, ar5.iloc[[5, 77]])  # two duplicated cells: overlaps counted once
    rng = np.random.default_rng(3)
    pts = shapely.points(rng.uniform(x0, x0 + 2000, 30), rng.uniform(y0, y0 + 2000, 30))
    prop = gpd.GeoDataFrame(geometry=shapely.buffer(pts, rng.uniform(30, 150, 30)), crs=25833)
    sites = gpd.GeoDataFrame(
        geometry=shapely.points([[x0 + 500, y0 + 500], [x0 + 1500, y0 + 900]]), crs=25833
    )
    return prop, {"ar5": ar5, "aquaculture_sites": sites}


def pd_concat(a, b):
    import pandas as pd

    return gpd.GeoDataFrame(pd.concat([a, b], ignore_index=True), crs=a.crs)


def test_threads_and_a_dask_cluster_give_the_serial_result(case, dask_client):
    prop, layers = case
    base = find_conflicts(prop, layers, table())
    assert base.total_ha() > 0 and len(base.rules) == 2
    for sched in ("threads:2", dask_client):
        got = find_conflicts(prop, layers, table(), scheduler=sched)
        cols = ["pair", "area_m2"]
        assert got.polygons[cols].equals(base.polygons[cols])
        assert got.matrix.equals(base.matrix)


def test_duplicated_cells_count_once_as_with_the_flattened_layer(case):
    prop, layers = case
    res = find_conflicts(prop, {"ar5": layers["ar5"]}, table())
    clean = find_conflicts(prop, {"ar5": layers["ar5"].iloc[:-2]}, table())
    assert res.pair_ha().iloc[0] == pytest.approx(clean.pair_ha().iloc[0], rel=1e-12)


def test_pair_conflicts_streams_the_larger_side_either_way(case):
    prop, layers = case
    a = pair_conflicts(layers["ar5"], prop, table(), a_layer="ar5", b_layer="business_areas")
    b = find_conflicts(prop, {"ar5": layers["ar5"]}, table())
    assert a.total_ha() == pytest.approx(b.total_ha(), rel=1e-12)


def test_geodesic_hectares_are_stated_and_smaller_at_bergen():
    bergen = box(-20_000, 6_730_000, -18_000, 6_732_000)  # EPSG:25833, 2 × 2 km near Bergen
    prop = gpd.GeoDataFrame(geometry=[bergen], crs=25833)
    ar5 = mosaic(-21_000, 6_729_000, n=20, cell=200.0)
    planar = find_conflicts(prop, {"ar5": ar5}, table())
    geo = find_conflicts(prop, {"ar5": ar5}, table(), area_method="geodesic")
    assert planar.area_method == "planar" and geo.area_method == "geodesic"
    assert planar.total_ha() == pytest.approx(400.0, rel=1e-12)
    assert 0.993 < geo.total_ha() / planar.total_ha() < 0.995  # UTM 33 overstates Bergen by ~0.6 %
    assert geo.polygons["area_ha"].sum() == pytest.approx(geo.total_ha(), rel=1e-9)
    with pytest.raises(ValueError, match="not one of planar, geodesic"):
        find_conflicts(prop, {"ar5": ar5}, table(), area_method="exact")


def test_the_land_account_on_a_scheduler_gives_the_same_hectares():
    from areal.geo.land_account import area_by_zone, land_account

    munis = gpd.GeoDataFrame(
        {"kommunenummer": ["5001", "5006"], "kommunenavn": ["A", "B"]},
        geometry=[box(270_000, 7_040_000, 271_000, 7_042_000), box(271_000, 7_040_000, 272_000, 7_042_000)],
        crs=25833,
    )
    forest = mosaic(270_500, 7_040_500, n=20, cell=50.0)
    zones = np.asarray(munis.geometry.values)
    parts = np.asarray(forest.geometry.values)
    np.testing.assert_allclose(
        area_by_zone(zones, parts, scheduler="threads:2"), area_by_zone(zones, parts), rtol=1e-12
    )
    a = land_account(munis, {"forest": forest}).table["forest_ha"]
    b = land_account(munis, {"forest": forest}, scheduler="threads:2").table["forest_ha"]
    np.testing.assert_allclose(b, a, rtol=1e-12)
    assert a.tolist() == pytest.approx([50.0, 50.0, 100.0])
