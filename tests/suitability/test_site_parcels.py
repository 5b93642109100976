"""Candidate sites sized like business land: large regions split into compact parcels."""

import numpy as np
import pytest
from areal.geo.errors import RuleError
from areal.geo.grid import AnalysisGrid
from areal.geo.profiles import parse_profile
from areal.geo.sites import attach_places, label_mask, split_large_regions


def _grid(rows: int, cols: int, res: float = 100.0) -> AnalysisGrid:
    return AnalysisGrid("EPSG:25833", res, (0.0, 0.0, cols * res, rows * res))


def test_a_10_by_100_cell_bar_splits_into_five_20_column_blocks():
    g = _grid(10, 100)  # 1 ha cells: the bar is 1 000 ha
    lab, n = split_large_regions(np.ones((10, 100), dtype=np.int32), 1, g, 200, 20)
    assert n == 5
    for k in range(1, 6):
        rows, cols = np.nonzero(lab == k)
        # each parcel is one 10 x 20 block, numbered west to east
        assert (rows.min(), rows.max(), cols.min(), cols.max()) == (0, 9, 20 * (k - 1), 20 * k - 1)


def test_parcels_stay_within_the_limits_and_cells_are_kept():
    g = _grid(10, 100)
    lab, n = label_mask(np.ones((10, 100), bool), g, "queen", 20, 150)
    sizes = np.bincount(lab.ravel())[1:]
    assert n == 7 and sizes.sum() == 1000  # ceil(1000 / 150) = 7 parcels of 142-143 ha
    assert sizes.min() >= 142 and sizes.max() <= 150


def test_a_bent_corridor_gives_connected_parcels_within_limits():
    # an L: 4 cells wide, 60 long then 60 down; 1 ha cells, 464 ha
    m = np.zeros((64, 64), bool)
    m[:4, :] = True
    m[:, 60:] = True
    g = _grid(64, 64)
    lab, n = label_mask(m, g, "rook", 20, 100)
    sizes = np.bincount(lab.ravel())[1:]
    assert n >= 5
    assert sizes.min() >= 20 and sizes.max() <= 100
    from scipy import ndimage

    for k in range(1, n + 1):  # every parcel is one piece
        assert ndimage.label(lab == k)[1] == 1
    assert not (lab[~m]).any()  # parcels only on candidate cells


def test_regions_within_the_limit_are_untouched_and_the_split_is_deterministic():
    m = np.zeros((30, 120), bool)
    m[2:8, 2:20] = True  # 108 ha: kept whole with a 200 ha limit
    m[12:28, 5:115] = True  # 1 760 ha: split
    g = _grid(30, 120)
    lab1, n1 = label_mask(m, g, "queen", 20, 200)
    lab2, n2 = label_mask(m, g, "queen", 20, 200)
    assert n1 == n2 and (lab1 == lab2).all()
    assert (lab1[2:8, 2:20] == lab1[2, 2]).all() and (lab1 == lab1[2, 2]).sum() == 108
    # the transposed mask gives the transposed parcels
    lab_t, n_t = label_mask(m.T, _grid(120, 30), "queen", 20, 200)
    assert n_t == n1
    assert sorted(np.bincount(lab_t.ravel())[1:]) == sorted(np.bincount(lab1.ravel())[1:])
    # without a limit the large region is one site
    assert label_mask(m, g, "queen", 20)[1] == 2


def test_bad_limits_are_refused_with_the_value():
    g = _grid(10, 100)
    with pytest.raises(RuleError, match="smaller than one cell"):
        split_large_regions(np.ones((10, 100), dtype=np.int32), 1, g, 0.5)
    with pytest.raises(RuleError, match="must not exceed"):
        split_large_regions(np.ones((10, 100), dtype=np.int32), 1, g, 50, 60)


def test_profile_max_area_ha_is_read_and_checked():
    base = {
        "name": "x",
        "title_nb": "X",
        "title_en": "X",
        "rationale": "r",
        "min_area_ha": 20,
        "threshold": 0.5,
        "criteria": [
            {"id": "t", "kind": "slope", "value": {"type": "linear", "best": 0, "worst": 10}, "weight": 1}
        ],
    }
    assert parse_profile(base).max_area_ha is None
    assert parse_profile({**base, "max_area_ha": 200}).max_area_ha == 200
    with pytest.raises(RuleError, match="max_area_ha: must be >= 20"):
        parse_profile({**base, "max_area_ha": 10}, "p.toml")


def test_sites_get_the_nearest_place_or_nothing():
    import geopandas as gpd
    from shapely.geometry import Point, box

    sites = gpd.GeoDataFrame(
        {"site_id": [1, 2]}, geometry=[box(0, 0, 100, 100), box(9000, 0, 9100, 100)], crs=25833
    )
    places = gpd.GeoDataFrame({"name": ["Hell", None]}, geometry=[Point(50, 50), Point(9050, 50)], crs=25833)
    out = attach_places(sites, places)
    assert out["place_name"].tolist() == ["Hell", "Hell"]  # the unnamed point is no place
    assert out["place_distance_m"].tolist() == [0.0, 8950.0]
    none = attach_places(sites, places.iloc[:0])
    assert none["place_name"].tolist() == ["", ""] and none["place_distance_m"].isna().all()


@pytest.mark.realdata
def test_data_centre_sites_on_the_real_extracts_are_20_to_200_ha(real_data):
    from areal.geo.suitability import build_model
    from areal.layers import loader
    from areal.layers.project_data import load_profile
    from areal.layers.suitability_inputs import load_suitability_inputs

    prof = load_profile("data_centre")
    assert (prof.min_area_ha, prof.max_area_ha) == (20, 200)
    grid = AnalysisGrid.for_region(loader.load("county", real_data), res=100)
    model = build_model(prof, load_suitability_inputs(prof, real_data), grid)
    sites = model.sites()
    assert len(sites) >= 20
    assert sites["area_ha"].between(20, 200).all(), sites["area_ha"].describe()
    # the fast path of the app gives the same parcels
    fast = model.fast_sites()
    assert sorted(fast["area_ha"].round(3)) == sorted(sites["area_ha"].round(3))
    # a planner's own limits: 50-100 ha
    own = model.sites(min_area_ha=50, max_area_ha=100)
    assert own["area_ha"].between(50, 100).all() and len(own) > len(sites)
    # compact: each parcel fills most of its convex hull (the corridors did not)
    fill = own.geometry.area / own.geometry.convex_hull.area
    assert fill.median() > 0.7


@pytest.mark.realdata
def test_cli_size_limits_and_places(real_data, tmp_path):
    import pandas as pd
    from areal.apps.cli import main
    from click.testing import CliRunner

    args = ["suitability", "--profile", "data_centre", "--resolution", "500", "--sensitivity-runs", "0"]
    res = CliRunner().invoke(main, [*args, "--out", str(tmp_path), "--min-area", "50", "--max-area", "100"])
    assert res.exit_code == 0, res.output
    printed = res.output.replace("\xa0", " ")  # Norwegian by default, no-break spaces in numbers
    assert "minst 50,0 ha, høyst 100,0 ha (større områder delt)" in printed
    sites = pd.read_csv(tmp_path / "data_centre_sites.csv")
    assert len(sites) and sites["area_ha"].between(50, 100).all()
    assert sites["place_name"].notna().all() and (sites["place_distance_m"] >= 0).all()
    bad = CliRunner().invoke(
        main, [*args, "--out", str(tmp_path / "x"), "--min-area", "90", "--max-area", "60"]
    )
    assert bad.exit_code != 0 and "0 < min_area_ha <= max_area_ha" in bad.output
