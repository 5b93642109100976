"""Every shipped profile on the real extracts at 250 m: invariants, and the CLI end to end."""

import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from areal.apps.cli import main
from areal.geo.grid import AnalysisGrid
from areal.geo.sensitivity import site_sensitivity
from areal.geo.suitability import build_model
from areal.layers import loader
from areal.layers.project_data import load_profile, profile_names
from areal.layers.suitability_inputs import load_suitability_inputs
from click.testing import CliRunner

pytestmark = pytest.mark.realdata


def test_five_profiles_shipped():
    names = profile_names()
    for need in (
        "battery_process",
        "hydrogen_ammonia",
        "data_centre",
        "biorefinery_wood",
        "land_based_aquaculture",
    ):
        assert need in names
    for n in names:
        p = load_profile(n)
        assert p.title_nb and p.title_en and p.rationale and p.min_area_ha > 0
        assert abs(sum(p.weights.values()) - 1) < 1e-9


@pytest.fixture(scope="module")
def county_grid(real_data):
    return AnalysisGrid.for_region(loader.load("county", real_data), res=250)


@pytest.mark.parametrize("name", profile_names())
def test_profile_invariants_on_real_data_250m(real_data, county_grid, name):
    t0 = time.perf_counter()
    profile = load_profile(name)
    inputs = load_suitability_inputs(profile, real_data)
    model = build_model(profile, inputs, county_grid)
    s = model.suitability()
    vals = s[~np.isnan(s)]
    assert vals.size > 0 and vals.min() >= 0 and vals.max() <= 1
    assert np.isnan(s[~model.land]).all()
    sites = model.sites()
    assert len(sites) > 0, f"{name}: no candidate site"
    assert (sites["area_ha"] >= profile.min_area_ha - 1e-6).all()
    assert sites["mean_score"].between(profile.threshold, 1).all()
    assert sites["mean_score"].is_monotonic_decreasing
    assert sites["rank"].tolist() == list(range(1, len(sites) + 1))
    assert sites["kommunenummer"].notna().all()
    assert sites.is_valid.all()
    # missing layers are reported (ar5 farmland is not in the extracts)
    assert any(k == "farmland" and "ar5" in r for k, r in model.skipped)
    # no site intersects an exclusion (shrunk by 1 m: sites may share a cell edge with an exclusion)
    inner = shapely.buffer(np.asarray(sites.geometry.values), -1.0)
    for ex_name, ex in model.plan.exclusions:
        if len(ex) == 0:
            continue
        tree = shapely.STRtree(np.asarray(ex.geometry.values))
        hits = tree.query(inner, predicate="intersects")
        assert hits.shape[1] == 0, (
            f"{name}: site(s) {sites['site_id'].to_numpy()[hits[0]]} intersect exclusion {ex_name}"
        )
    lost = model.area_lost().set_index("exclusion")
    assert lost.loc["remaining", "cells_alone"] == int(model.eligible.sum())
    sens = site_sensitivity(sites, dict(zip(model.criteria, model.weights)), n_runs=200, seed=1)
    assert len(sens) == len(sites) and sens["base_rank"].tolist() == sites["rank"].tolist()
    assert time.perf_counter() - t0 < 20


def test_weight_change_recomputes_no_distance(real_data, county_grid):
    from areal.geo.criteria import DistanceCache

    profile = load_profile("data_centre")
    cache = DistanceCache()
    model = build_model(profile, load_suitability_inputs(profile, real_data), county_grid, cache=cache)
    misses = cache.misses
    base = model.recompute()
    changed = model.recompute({"substation": 0.05})
    assert cache.misses == misses  # nothing recomputed
    assert not np.array_equal(base[0], changed[0])


def test_cli_writes_cog_sites_and_csv(real_data, tmp_path):
    res = CliRunner().invoke(
        main,
        [
            "suitability",
            "--profile",
            "data_centre",
            "--resolution",
            "250",
            "--out",
            str(tmp_path),
            "--data-dir",
            str(real_data),
            "--sensitivity-runs",
            "100",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "utelatt: AR5 arealressurser (jordbruk, skog, myr): mangler i datamappen" in res.output
    with rasterio.open(tmp_path / "data_centre_suitability.tif") as src:
        assert src.crs.to_epsg() == 25833 and np.isnan(src.nodata)
        assert src.overviews(1), "COG without overviews"
        assert src.res == (250.0, 250.0)
        a = src.read(1)
        assert np.nanmax(a) <= 1 and np.nanmin(a) >= 0
    sites = gpd.read_file(tmp_path / "data_centre_sites.gpkg")
    table = pd.read_csv(tmp_path / "data_centre_sites.csv")
    assert len(sites) == len(table) > 0 and sites.crs.to_epsg() == 25833
    assert {
        "rank",
        "area_ha",
        "area_daa",
        "kommunenavn",
        "reasons",
        "mc_median_rank",
        "n_conflicts",
        "conflicts",
        "conflict_area_ha",
        "conflict_basis",
    } <= set(table.columns)
    lost = pd.read_csv(tmp_path / "data_centre_area_lost.csv")
    # the rule table's exclusion rules for business land enter as exclusions (protected areas and
    # national parks are already profile exclusions and are reported as such, not counted twice)
    assert "rule: reindeer_migration_routes" not in set(lost["exclusion"])  # profile has it already
    assert "er allerede en utelukkelse i profilen" in res.output
    sc = pd.read_csv(tmp_path / "data_centre_site_conflicts.csv")
    assert {"site_id", "pair", "severity", "area_ha", "basis"} <= set(sc.columns)
    assert set(sc["site_id"]) <= set(table["site_id"])
    per_site = sc.groupby("site_id")["area_ha"].sum()
    t = table.set_index("site_id")
    np.testing.assert_allclose(t.loc[per_site.index, "conflict_area_ha"], per_site.to_numpy(), rtol=1e-9)
    assert (sc["severity"] != "exclusion").all() or (
        sc.loc[sc["severity"] == "exclusion", "area_ha"] < 1e-3
    ).all()


def test_cli_windowed_municipality(real_data, tmp_path):
    res = CliRunner().invoke(
        main,
        [
            "suitability",
            "--profile",
            "land_based_aquaculture",
            "--resolution",
            "100",
            "--municipality",
            "5001",
            "--windowed",
            "--tile",
            "128",
            "--out",
            str(tmp_path),
            "--data-dir",
            str(real_data),
        ],
    )
    assert res.exit_code == 0, res.output
    with rasterio.open(tmp_path / "land_based_aquaculture_suitability.tif") as src:
        assert src.crs.to_epsg() == 25833 and src.overviews(1)
    sites = gpd.read_file(tmp_path / "land_based_aquaculture_sites.gpkg")  # windowed runs now give sites
    assert {"rank", "area_ha", "mean_score", "conflicts"} <= set(sites.columns)
    assert (sites["mean_score"] >= 0).all() and sites.geometry.is_valid.all()


def test_cli_unknown_profile_lists_names(tmp_path):
    res = CliRunner().invoke(main, ["suitability", "--profile", "steelworks", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "data_centre" in res.output
