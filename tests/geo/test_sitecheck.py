"""Site check: known answers on hand-made squares, and the real extracts."""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from areal.geo.errors import CRSMismatchError, InputGeometryError
from areal.geo.sitecheck import check_site
from conftest import UTM33, X0, Y0
from shapely.geometry import LineString, Point, box


@pytest.fixture
def layers():
    """Site = 2×2 km square at (X0, Y0). Hand-computed answers in the tests."""
    munis = gpd.GeoDataFrame(
        {"kommunenummer": ["5001", "5006"], "kommunenavn": ["Trondheim", "Steinkjer"]},
        geometry=[
            box(X0 - 5000, Y0 - 5000, X0 + 1500, Y0 + 5000),
            box(X0 + 1500, Y0 - 5000, X0 + 9000, Y0 + 5000),
        ],
        crs=UTM33,
    )
    # Two forest squares overlapping each other by 0.5 × 1 km inside the site: union inside = 1.5 km² = 150 ha.
    forest = gpd.GeoDataFrame(
        {"navn": ["a", "b"]},
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 500, Y0, X0 + 1500, Y0 + 1000)],
        crs=UTM33,
    )
    lakes = gpd.GeoDataFrame(
        geometry=[box(X0 + 10_000, Y0, X0 + 11_000, Y0 + 1000)], crs=UTM33
    )  # not touched
    roads = gpd.GeoDataFrame(
        {"navn": ["E6", "Fv 1"]},
        geometry=[
            LineString([(X0 - 1000, Y0 + 1000), (X0 + 3000, Y0 + 1000)]),  # 2 km inside the site
            LineString([(X0 + 5000, Y0), (X0 + 5000, Y0 + 2000)]),
        ],
        crs=UTM33,
    )
    power = gpd.GeoDataFrame(
        geometry=[LineString([(X0 + 2300, Y0 - 500), (X0 + 2300, Y0 + 3000)])], crs=UTM33
    )
    grid = gpd.GeoDataFrame(
        {"name": ["Sub A", "Sub B", "Sub C"], "owner": ["Tensio TN"] * 3, "availableCons": [12.0, 0.0, 3.0]},
        geometry=[Point(X0 + 2000, Y0 + 5000), Point(X0 - 4000, Y0), Point(X0 + 30_000, Y0)],
        crs=UTM33,
    )
    grid_areas = gpd.GeoDataFrame(
        {"name": ["Area"], "owner": ["Statnett"]},
        geometry=[box(X0 - 100_000, Y0 - 100_000, X0 + 100_000, Y0 + 100_000)],
        crs=UTM33,
    )
    arenas = gpd.GeoDataFrame(
        {"id": ["t1", "t2", "t3", "t4"], "name": ["Far", "Near", "Mid", "Inside"]},
        geometry=[
            Point(X0 + 20_000, Y0),
            Point(X0 + 2600, Y0 + 1000),
            Point(X0 + 1000, Y0 + 6000),
            Point(X0 + 100, Y0 + 100),
        ],
        crs=UTM33,
    )
    return {
        "municipalities": munis,
        "forest": forest,
        "lakes": lakes,
        "roads": roads,
        "power_lines": power,
        "grid_capacity": grid,
        "grid_areas": grid_areas,
        "test_arenas": arenas,
    }


@pytest.fixture
def site():
    return gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 2000, Y0 + 2000)], crs=UTM33)


def test_area_in_three_units(site, layers):
    rep = check_site(site, layers)
    assert rep.family == "polygon"
    assert rep.area_m2 == pytest.approx(4_000_000)
    assert rep.area_daa == pytest.approx(4000)
    assert rep.area_ha == pytest.approx(400)


def test_overlapping_features_of_one_layer_count_once(site, layers):
    inter = check_site(site, layers).intersections.set_index("layer")
    # forest a (100 ha) + b (100 ha) overlap by 50 ha: 150 ha, not 200 ha.
    assert inter.loc["forest", "area_ha"] == pytest.approx(150)
    assert inter.loc["forest", "share_pct"] == pytest.approx(37.5)
    assert inter.loc["forest", "n_features"] == 2
    assert "lakes" not in inter.index  # not touched
    assert inter.loc["roads", "length_km"] == pytest.approx(2.0)
    # Was asserted as 400 ha (100 %) of "free grid capacity" (issue 14: it says nothing): the grid
    # area that covers the county is never counted as hectares; substations are points.
    assert "grid_areas" not in inter.index and "grid_capacity" not in inter.index


def test_nearest_substations_with_free_mw(site, layers):
    sub = check_site(site, layers, n_substations=2).substations
    assert sub["name"].tolist() == ["Sub A", "Sub B"]
    assert sub["distance_m"].tolist() == pytest.approx([3000, 4000])
    assert sub["free_mw"].tolist() == [12.0, 0.0]
    assert check_site(site, {k: v for k, v in layers.items() if k != "grid_capacity"}).substations is None


def test_municipality_split(site, layers):
    m = check_site(site, layers).municipalities
    assert list(m["kommunenavn"]) == ["Trondheim", "Steinkjer"]  # 1.5 km × 2 km vs 0.5 km × 2 km
    assert m["area_ha"].tolist() == pytest.approx([300, 100])
    assert m["share_pct"].sum() == pytest.approx(100)


def test_distances_and_unavailable_targets(site, layers):
    d = check_site(site, layers).distances.set_index("target")
    assert d.loc["power_line", "distance_m"] == pytest.approx(300)
    assert d.loc["road", "distance_m"] == 0  # the E6 crosses the site
    # Substations are the grid layer's points: Sub A is 3 km north.
    assert d.loc["substation", "distance_m"] == pytest.approx(3000)
    assert d.loc["substation", "nearest"] == "Sub A"
    for missing in ("railway", "airport", "port"):
        assert not d.loc[missing, "available"]
        assert np.isnan(d.loc[missing, "distance_m"])


def test_nearest_test_arenas(site, layers):
    a = check_site(site, layers, n_arenas=3).arenas
    assert a["name"].tolist() == ["Inside", "Near", "Mid"]
    assert a["distance_m"].tolist() == pytest.approx([0, 600, 4000])


def test_arenas_slot_not_available_without_layer(site, layers):
    layers.pop("test_arenas")
    rep = check_site(site, layers)
    assert rep.arenas is None
    assert "not available" in rep.notes["arenas"]


def test_engine_slots(site, layers):
    rep = check_site(site, layers)
    assert rep.conflicts is None and rep.suitability is None
    assert rep.notes["conflicts"] == "conflict engine not available"
    seen = {}

    def conflicts(site_frame, lay):
        seen["crs"] = site_frame.crs.to_epsg()
        seen["layers"] = sorted(lay)
        return pd.DataFrame({"severity": ["high"], "legal_basis": ["jordlova § 9"], "area_ha": [1.0]})

    def suitability(site_frame, lay):
        return pd.DataFrame({"profile": ["datasenter"], "score": [0.7]})

    rep = check_site(site, layers, conflict_engine=conflicts, suitability_engine=suitability)
    assert rep.conflicts["legal_basis"].tolist() == ["jordlova § 9"]
    assert rep.suitability["score"].tolist() == [0.7]
    assert seen == {"crs": 25833, "layers": sorted(layers)}


def test_point_site(layers):
    rep = check_site(Point(X0 + 200, Y0 + 200), layers)
    assert rep.family == "point" and rep.area_ha == 0
    assert rep.municipalities["kommunenavn"].tolist() == ["Trondheim"]
    inter = rep.intersections.set_index("layer")
    assert inter.loc["forest", "n_features"] == 1
    assert inter.loc["forest", "area_ha"] == 0


def test_bad_sites(layers):
    with pytest.raises(InputGeometryError, match="empty"):
        check_site(gpd.GeoDataFrame(geometry=[], crs=UTM33), layers)
    with pytest.raises(InputGeometryError, match="polygons or points"):
        check_site(LineString([(X0, Y0), (X0 + 1, Y0)]), layers)
    with pytest.raises(CRSMismatchError, match="EPSG:4326"):
        check_site(gpd.GeoDataFrame(geometry=[box(10, 63, 10.1, 63.1)], crs=4326), layers)


def test_real_data_report_within_two_seconds(real_data):
    from areal.layers import loader, registry

    layers = {}
    for spec in registry.specs():
        if spec.kind != "vector":
            continue
        try:
            layers[spec.id] = loader.load(spec, real_data)
        except FileNotFoundError:
            continue
    for g in layers.values():
        g.sindex
    # A 10 × 10 km square south of Trondheim.
    site = gpd.GeoDataFrame(geometry=[box(265_000, 7_030_000, 275_000, 7_040_000)], crs=UTM33)
    t0 = time.perf_counter()
    rep = check_site(site, layers)
    assert time.perf_counter() - t0 < 2.0
    assert rep.municipalities["kommunenavn"].str.contains("Trondheim").any()
    inter = rep.intersections.set_index("layer")
    # Land-cover classes of N1000 do not overlap: their areas add up to at most the site.
    assert (
        inter.reindex(["forest", "open_land", "built_up", "mire", "lakes"])["area_ha"].sum() <= 10_000 + 1e-6
    )
    assert rep.distances.set_index("target").loc["road", "distance_m"] == 0
