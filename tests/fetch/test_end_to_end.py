"""Every mission layer, fetched in its official format, flows through the conflict and suitability engines.

The data directory holds the real extracts (AREAL_DATA_DIR) plus the official-format recordings
fetched offline (business areas, AR5, attributed reindeer maps, Naturbase): the same files
`areal fetch` writes on a user's machine.
"""

import shutil

import geopandas as gpd
import numpy as np
import pytest
import shapely
from areal.geo import suitability as S
from areal.geo.conflicts import find_conflicts
from areal.geo.grid import AnalysisGrid
from areal.layers import loader
from areal.layers.project_data import load_profile, load_rules
from areal.layers.suitability_inputs import load_suitability_inputs

MISSION = (
    "business_areas",
    "ar5",
    "reindeer_pastures",
    "reindeer_migration_routes",
    "aquaculture_sites",
    "protected_areas",
    "test_arenas",
)


@pytest.fixture(scope="module")
def full_data_dir(real_data, official_data_dir, tmp_path_factory):
    d = tmp_path_factory.mktemp("full-data")
    for src in real_data.rglob("*"):
        if src.is_file():
            (d / src.relative_to(real_data)).parent.mkdir(parents=True, exist_ok=True)
            (d / src.relative_to(real_data)).symlink_to(src)
    for src in official_data_dir.rglob("*"):
        if src.is_file() and src.name != "fetch-manifest.json":
            dst = d / src.relative_to(official_data_dir)
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.unlink(missing_ok=True)
            shutil.copy(src, dst)
    return d


@pytest.fixture(scope="module")
def mission(full_data_dir):
    return {lid: loader.load(lid, full_data_dir, strict=lid != "test_arenas") for lid in MISSION}


def test_mission_layers_come_from_official_files(mission):
    for lid, g in mission.items():
        assert len(g) > 0 and g.crs.to_epsg() == 25833, lid
        assert g.attrs["load_report"]["origin"] in ("data", "project"), lid
    assert "vårbeite I" in set(mission["reindeer_pastures"]["beitetid"])
    assert {"1", "2"} <= set(mission["business_areas"]["arealbruksstatus"])
    assert {"21", "30", "60"} <= set(mission["ar5"]["arealtype"])


def test_conflict_engine_on_official_layers(full_data_dir, mission):
    rules = load_rules()
    planned = mission["business_areas"][mission["business_areas"]["arealbruksstatus"] == "2"]
    layers = dict(mission)
    layers["farmland"] = loader.load("farmland", full_data_dir)  # the composite: AR5 where fetched
    assert set(layers["farmland"]["source"]) == {"ar5"}
    munis = loader.load("municipalities_sea", full_data_dir)
    res = find_conflicts(planned, layers, rules, as_layer="business_areas", municipalities=munis)
    missing = set(res.missing)
    assert not missing & set(MISSION), missing  # every mission layer was checked
    # independent check of the farmland pair: geopandas overlay of dissolved inputs
    farm = mission["ar5"][mission["ar5"]["arealtype"].isin(["21", "22", "23"])]
    expected = gpd.overlay(
        planned.dissolve()[["geometry"]], farm.dissolve()[["geometry"]], how="intersection"
    ).area.sum()
    got = res.polygons.loc[res.polygons["layer_b"] == "farmland", "area_m2"].sum()
    assert expected > 0 and got == pytest.approx(expected, rel=1e-9)
    # a test area checked against the reindeer maps: calving land is its own, high-severity pair
    calving = mission["reindeer_pastures"][mission["reindeer_pastures"]["beitetid"] == "vårbeite I"]
    area = gpd.GeoDataFrame(geometry=[calving.union_all().buffer(500)], crs=calving.crs)
    res2 = find_conflicts(area, layers, rules, as_layer="test_arenas")
    cal = res2.polygons[res2.polygons["class_b"] == "calving"]
    assert set(cal["severity"]) == {"high"}
    assert cal["area_m2"].sum() == pytest.approx(calving.union_all().area, rel=1e-9)


def test_suitability_engine_on_official_layers(full_data_dir, mission):
    profile = load_profile("data_centre")
    inputs = load_suitability_inputs(profile, full_data_dir, municipality="5001")
    model = S.build_model(profile, inputs, AnalysisGrid.for_region(inputs.land, res=100))
    skipped = dict(model.skipped)
    for key in ("farmland", "reindeer_calving"):
        assert key not in skipped, skipped  # official AR5 / reindeer maps are used, not skipped
    excl = model.area_lost().set_index("exclusion")
    assert excl.loc["farmland", "alone_area_ha"] > 0
    suit = model.suitability()
    assert np.nanmin(suit) >= 0 and np.nanmax(suit) <= 1
    farm = mission["ar5"][mission["ar5"]["arealtype"].isin(["21", "22", "23"])]
    sites = model.sites(threshold=0.0)  # every eligible region, to test the exclusion everywhere
    assert len(sites) > 0
    inner = shapely.buffer(np.asarray(sites.geometry.values), -1.0)  # 1 m inside: cell edges may touch
    assert not shapely.intersects(inner[:, None], np.asarray(farm.geometry.values)[None, :]).any()
