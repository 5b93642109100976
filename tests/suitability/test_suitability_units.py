"""Known-answer tests of the suitability engine on tiny hand-made grids."""

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from areal.geo import criteria as C
from areal.geo.area_lost import area_lost
from areal.geo.errors import GridMismatchError, RuleError
from areal.geo.grid import AnalysisGrid, check_same_grid, rasterize
from areal.geo.profiles import ahp_weights, parse_profile
from areal.geo.sensitivity import rank_stability
from areal.geo.sites import label_sites
from areal.geo.suitability import build_model, weighted_overlay
from areal.geo.suitability_plan import SuitabilityInputs
from areal.geo.windowed import run_windowed
from conftest import UTM33, X0, Y0
from shapely.geometry import LineString, Point, box


def gdf(*geoms):
    return gpd.GeoDataFrame(geometry=list(geoms), crs=UTM33)


# ---------------------------------------------------------------- grid


def test_grid_snaps_origin_and_shape():
    g = AnalysisGrid(UTM33, 100, (X0 + 10, Y0 + 20, X0 + 390, Y0 + 250))
    assert g.bounds == (X0, Y0, X0 + 400, Y0 + 300)
    assert g.shape == (3, 4)
    assert g.transform.c == X0 and g.transform.f == Y0 + 300 and g.transform.e == -100


def test_grid_for_region_covers_polygon():
    region = gdf(box(X0 + 5, Y0 + 5, X0 + 995, Y0 + 495))
    g = AnalysisGrid.for_region(region, res=100)
    assert g.shape == (5, 10)


def test_rasterize_all_touched_is_explicit():
    g = AnalysisGrid(UTM33, 10, (X0, Y0, X0 + 100, Y0 + 100))
    line = gdf(box(X0 + 1, Y0 + 51, X0 + 99, Y0 + 54))  # thin strip in row 4, covers no cell centre
    assert rasterize(line, g, all_touched=True).sum() == 10
    assert rasterize(line, g, all_touched=False).sum() == 0
    sq = gdf(box(X0 + 20, Y0 + 20, X0 + 50, Y0 + 50))
    assert rasterize(sq, g, all_touched=False).sum() == 9


def test_grid_mismatch_names_both_shapes_and_layers():
    with pytest.raises(GridMismatchError) as exc:
        check_same_grid(np.zeros((3, 4)), np.zeros((4, 3)), names=["roads", "lakes"])
    msg = str(exc.value)
    assert "'roads'" in msg and "(3, 4)" in msg and "'lakes'" in msg and "(4, 3)" in msg
    with pytest.raises(GridMismatchError, match=r"\(2, 2\).*\(2, 3\)"):
        weighted_overlay([np.zeros((2, 2)), np.zeros((2, 3))], [1, 1])


def test_windows_cover_grid_once():
    g = AnalysisGrid(UTM33, 10, (X0, Y0, X0 + 250, Y0 + 130))
    seen = np.zeros(g.shape, int)
    for w in g.windows(tile=8, halo=3):
        seen[w.slices] += 1
        assert w.halo_row <= w.row and w.halo_row + w.halo_height >= w.row + w.height
    assert (seen == 1).all()


# ---------------------------------------------------------------- value functions and distances


def test_value_functions_at_given_distances():
    d = np.array([0.0, 1000.0, 2500.0, 5000.0, 8000.0])
    lin = C.apply_value_function(d, {"type": "linear", "best": 0, "worst": 5000})
    np.testing.assert_allclose(lin, [1, 0.8, 0.5, 0, 0], atol=1e-6)
    inc = C.apply_value_function(d, {"type": "linear", "best": 5000, "worst": 0})
    np.testing.assert_allclose(inc, [0, 0.2, 0.5, 1, 1], atol=1e-6)
    log = C.apply_value_function(d, {"type": "logistic", "midpoint": 2500, "scale": 1000})
    np.testing.assert_allclose(log[2], 0.5, atol=1e-6)
    np.testing.assert_allclose(log[0], 1 / (1 + np.exp(-2.5)), atol=1e-6)
    gau = C.apply_value_function(d, {"type": "gaussian", "mean": 1000, "sd": 1500})
    np.testing.assert_allclose(gau[1], 1.0, atol=1e-6)
    np.testing.assert_allclose(gau[2], np.exp(-0.5), atol=1e-6)
    tab = C.apply_value_function(d, {"type": "table", "x": [0, 2000, 4000], "y": [1, 0.6, 0]})
    np.testing.assert_allclose(tab, [1, 0.8, 0.45, 0, 0], atol=1e-6)


@pytest.mark.parametrize(
    "spec, match",
    [
        ({"type": "cubic"}, "is not one of"),
        ({"type": "linear", "best": 0}, "missing \\['worst'\\]"),
        ({"type": "table", "x": [0, 5, 3], "y": [1, 0.5, 0]}, "strictly increasing"),
        ({"type": "gaussian", "mean": 0, "sd": -1}, "sd: must be > 0"),
    ],
)
def test_value_function_errors_name_key(spec, match):
    with pytest.raises(RuleError, match=match):
        C.check_value_function(spec, "f.toml: criteria[0].value")


def test_distance_raster_known_values_and_cap():
    g = AnalysisGrid(UTM33, 100, (X0, Y0, X0 + 1000, Y0 + 100))  # one row of 10 cells
    pt = gdf(Point(X0 + 50, Y0 + 50))  # in the first cell
    d = C.distance_raster(pt, g)
    np.testing.assert_allclose(d[0], np.arange(10) * 100.0)
    dc = C.distance_raster(pt, g, cap_m=450)
    np.testing.assert_allclose(dc[0], [0, 100, 200, 300, 400, 450, 450, 450, 450, 450])
    assert np.isinf(C.distance_raster(gdf(), g)).all()


def test_distance_cache_computes_once(tmp_path):
    g = AnalysisGrid(UTM33, 100, (X0, Y0, X0 + 1000, Y0 + 1000))
    pt = gdf(Point(X0 + 50, Y0 + 50))
    cache = C.DistanceCache(directory=tmp_path)
    a = cache.get(pt, g, cap_m=500)
    b = cache.get(pt, g, cap_m=500)
    assert a is b and cache.misses == 1 and cache.hits == 1
    fresh = C.DistanceCache(directory=tmp_path)  # a new session finds the .npy file
    np.testing.assert_array_equal(fresh.get(pt, g, cap_m=500), a)
    assert fresh.misses == 0
    cache.get(pt, g, cap_m=600)
    assert cache.misses == 2


def test_slope_of_a_plane():
    res = 10.0
    yy, xx = np.mgrid[0:5, 0:5]
    elev = xx * res * 0.1  # rises 0.1 m per m eastwards
    np.testing.assert_allclose(C.slope_degrees(elev, res), np.degrees(np.arctan(0.1)), rtol=1e-6)


def test_ports_are_built_up_shoreline():
    town = box(X0, Y0, X0 + 1000, Y0 + 1000)
    inland = box(X0 + 5000, Y0, X0 + 6000, Y0 + 1000)
    sea = box(X0 + 1000, Y0 - 2000, X0 + 3000, Y0 + 3000)
    ports = C.derive_ports(gdf(town, inland), gdf(sea), tolerance_m=50)
    assert len(ports) == 1
    assert ports.geometry.iloc[0].length == pytest.approx(1000 + 2 * 50)


# ---------------------------------------------------------------- weighted sum, sites, area lost


def test_weighted_sum_by_hand():
    a = np.array([[1.0, 0.5], [0.0, 0.2]])
    b = np.array([[0.0, 0.5], [1.0, 0.8]])
    elig = np.array([[True, True], [True, False]])
    out = weighted_overlay({"a": a, "b": b}, [3, 1], eligible=elig)
    np.testing.assert_allclose(out[0], [0.75, 0.5])
    assert out[1, 0] == pytest.approx(0.25) and np.isnan(out[1, 1])


@pytest.mark.parametrize("connectivity, n", [("rook", 2), ("queen", 1)])
def test_connectivity_choice(connectivity, n):
    g = AnalysisGrid(UTM33, 100, (X0, Y0, X0 + 300, Y0 + 300))
    s = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 0]], float)
    _, k = label_sites(s, g, 0.5, connectivity, 1.0)  # 1 ha = one cell
    assert k == n


def test_minimum_area_exactly_kept_one_cell_smaller_dropped():
    g = AnalysisGrid(UTM33, 100, (X0, Y0, X0 + 1000, Y0 + 1000))  # 1 ha cells
    s = np.zeros(g.shape)
    s[0, 0:5] = 0.9  # 5 cells = 5 ha: exactly the minimum
    s[5, 0:4] = 0.9  # 4 cells: one cell smaller
    s[9, 9] = 0.8
    labels, n = label_sites(s, g, 0.5, "rook", 5.0)
    assert n == 1
    assert labels[0, 0:5].tolist() == [1] * 5 and labels[5].sum() == 0


def _tiny_profile(**over):
    d = {
        "name": "tiny",
        "title_nb": "Liten",
        "title_en": "Tiny",
        "rationale": "test",
        "min_area_ha": 2,
        "threshold": 0.5,
        "connectivity": "rook",
        "exclusions": ["lakes"],
        "criteria": [
            {
                "id": "road",
                "kind": "distance",
                "layer": "roads",
                "weight": 3,
                "value": {"type": "linear", "best": 0, "worst": 1000},
            },
            {
                "id": "line",
                "kind": "distance",
                "layer": "power",
                "weight": 1,
                "value": {"type": "linear", "best": 0, "worst": 1000},
            },
        ],
    }
    d.update(over)
    return parse_profile(d, "tiny.toml")


def _tiny_inputs():
    land = gpd.GeoDataFrame(
        {"kommunenummer": ["5001"], "kommunenavn": ["Trondheim"]},
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)],
        crs=UTM33,
    )
    roads = gdf(LineString([(X0 + 50, Y0), (X0 + 50, Y0 + 1000)]))  # column 0
    power = gdf(LineString([(X0 + 950, Y0), (X0 + 950, Y0 + 1000)]))  # column 9
    lakes = gdf(box(X0 + 380, Y0 + 380, X0 + 620, Y0 + 620))  # centres of only 2×2 cells inside, touches 4×4
    return SuitabilityInputs(layers={"roads": roads, "power": power, "lakes": lakes}, land=land)


def test_model_by_hand_and_sites():
    g = AnalysisGrid(UTM33, 100, (X0, Y0, X0 + 1000, Y0 + 1000))
    m = build_model(_tiny_profile(), _tiny_inputs(), g)
    s = m.suitability()
    col = np.arange(10)
    expected = 0.75 * np.clip(1 - col * 100 / 1000, 0, 1) + 0.25 * np.clip(1 - (9 - col) * 100 / 1000, 0, 1)
    np.testing.assert_allclose(s[0], expected, atol=1e-6)
    # the lake (all-touched) is excluded: rows/cols 3..6 touch it
    assert np.isnan(s[3:7, 3:7]).all() and not np.isnan(s[2, 2])
    sites = m.sites()
    assert len(sites) == 1 and sites["rank"].tolist() == [1]
    assert (sites["mean_score"] >= 0.5).all()
    assert sites.iloc[0]["kommunenummer"] == "5001"
    assert "road" in sites.iloc[0]["top_criteria"].split(";")
    assert sites.iloc[0]["area_ha"] == pytest.approx(sites.iloc[0]["n_cells"])  # 1 ha cells
    # a weight change is a re-weighting only: no distance recomputed
    s2 = m.suitability({"road": 1, "line": 3})
    np.testing.assert_allclose(s2[0], expected[::-1], atol=1e-6)


def test_area_lost_alone_and_marginal():
    land = np.ones((2, 3), bool)
    a = np.array([[1, 1, 0], [0, 0, 0]], bool)
    b = np.array([[0, 1, 1], [0, 0, 0]], bool)
    t = area_lost(land, {"a": a, "b": b}, cell_area=10_000).set_index("exclusion")
    assert t.loc["a", "cells_alone"] == 2 and t.loc["a", "cells_marginal"] == 1
    assert t.loc["all exclusions", "cells_alone"] == 3 and t.loc["remaining", "alone_area_ha"] == 3.0
    assert t.loc["b", "alone_area_daa"] == 20.0


def test_missing_layer_is_reported_not_silent():
    inp = _tiny_inputs()
    layers = dict(inp.layers)
    del layers["power"]
    inp = SuitabilityInputs(layers=layers, land=inp.land, missing={"power": "no file"})
    g = AnalysisGrid(UTM33, 100, (X0, Y0, X0 + 1000, Y0 + 1000))
    m = build_model(_tiny_profile(), inp, g)
    assert m.criteria == ["road"] and m.weights.tolist() == [1.0]
    assert any(k == "line" and "no file" in r for k, r in m.skipped)


def test_conflicts_callable_is_attached():
    g = AnalysisGrid(UTM33, 100, (X0, Y0, X0 + 1000, Y0 + 1000))
    m = build_model(_tiny_profile(), _tiny_inputs(), g)
    calls = []

    def conflicts(sites):
        calls.append(len(sites))
        return gpd.GeoDataFrame({"rule": ["reindeer"]}, geometry=[box(X0, Y0, X0 + 100, Y0 + 100)], crs=UTM33)

    sites = m.sites(conflicts=conflicts)
    assert calls == [len(sites)]
    assert sites.iloc[0]["n_conflicts"] == 1 and sites.iloc[0]["conflicts"] == "reindeer"


# ---------------------------------------------------------------- AHP and profile validation


def test_ahp_known_weights_and_cr():
    # Consistent matrix: weights are exact ratios, CR = 0.
    w = np.array([0.5, 0.3, 0.2])
    r = ahp_weights(w[:, None] / w[None, :])
    np.testing.assert_allclose(r.weights, w, atol=1e-9)
    assert r.cr == pytest.approx(0.0, abs=1e-9)
    # Textbook 3×3 example: w ≈ (0.637, 0.258, 0.105), lambda_max ≈ 3.039, CR ≈ 0.033.
    r = ahp_weights([[1, 3, 5], ["1/3", 1, 3], ["1/5", "1/3", 1]])
    np.testing.assert_allclose(r.weights, [0.637, 0.258, 0.105], atol=1e-3)
    assert r.lambda_max == pytest.approx(3.0385, abs=1e-3)
    assert r.cr == pytest.approx(0.0193 / 0.58, abs=1e-3)


def test_ahp_inconsistent_matrix_refused_with_cr():
    with pytest.raises(RuleError, match=r"CR = \d+\.\d{3}.*must be < 0\.10"):
        ahp_weights([[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]], where="x.toml: ahp.matrix")
    with pytest.raises(RuleError, match=r"not reciprocal: a\[0\]\[1\] = 3"):
        ahp_weights([[1, 3], [3, 1]])


def test_profile_errors_name_file_key_value():
    with pytest.raises(RuleError, match=r"tiny\.toml: criteria\[0\]\.kind: 'nearness'"):
        _tiny_profile(criteria=[{"id": "a", "kind": "nearness", "layer": "roads", "weight": 1}])
    with pytest.raises(RuleError, match=r"tiny\.toml: min_area_ha: must be > 0, got -3"):
        _tiny_profile(min_area_ha=-3)
    with pytest.raises(RuleError, match=r"no 'weight'"):
        _tiny_profile(
            criteria=[
                {
                    "id": "a",
                    "kind": "distance",
                    "layer": "roads",
                    "value": {"type": "linear", "best": 0, "worst": 1},
                }
            ]
        )


# ---------------------------------------------------------------- sensitivity


def test_rank_stability_seeded_and_sensible():
    S = np.array([[0.9, 0.9], [0.8, 0.1], [0.1, 0.85]])  # site 0 robust; 1 and 2 swap with weights
    a = rank_stability(S, np.array([0.5, 0.5]), n_runs=400, seed=3, top_k=1)
    b = rank_stability(S, np.array([0.5, 0.5]), n_runs=400, seed=3, top_k=1)
    assert a.equals(b)
    assert a.loc[0, "base_rank"] == 1 and a.loc[0, "mc_share_top_1"] == 1.0 and a.loc[0, "mc_rank_iqr"] == 0
    assert a.loc[1, "mc_rank_iqr"] > 0 or a.loc[1, "oat_worst_rank"] != a.loc[1, "oat_best_rank"]


# ---------------------------------------------------------------- windowed == in-memory


def test_windowed_equals_in_memory_on_small_area(tmp_path):
    rng = np.random.default_rng(7)
    land = gpd.GeoDataFrame(
        {"kommunenummer": ["5001"], "kommunenavn": ["T"]},
        geometry=[box(X0, Y0, X0 + 6000, Y0 + 4000).difference(box(X0 + 4500, Y0, X0 + 6000, Y0 + 1200))],
        crs=UTM33,
    )
    roads = gdf(*[LineString(rng.uniform([X0, Y0], [X0 + 6000, Y0 + 4000], size=(3, 2))) for _ in range(3)])
    power = gdf(*[Point(*p) for p in rng.uniform([X0, Y0], [X0 + 6000, Y0 + 4000], size=(4, 2))])
    lakes = gdf(box(X0 + 2000, Y0 + 2000, X0 + 2600, Y0 + 2500))
    elev_t = rasterio.transform.from_origin(X0 - 1000, Y0 + 5000, 500, 500)
    yy, xx = np.mgrid[0:20, 0:20]
    elev = (np.sin(xx / 3) * 40 + yy * 15).astype("float32")
    from areal.geo.suitability_plan import RasterSource

    inputs = SuitabilityInputs(
        layers={"roads": roads, "power": power, "lakes": lakes},
        land=land,
        elevation=RasterSource(elev, elev_t, UTM33, None),
    )
    crit = [
        {
            "id": "road",
            "kind": "distance",
            "layer": "roads",
            "weight": 2,
            "value": {"type": "logistic", "midpoint": 800, "scale": 200},
        },
        {
            "id": "line",
            "kind": "distance",
            "layer": "power",
            "weight": 1,
            "value": {"type": "linear", "best": 0, "worst": 1500},
        },
        {
            "id": "slope",
            "kind": "slope",
            "weight": 1,
            "value": {"type": "table", "x": [0, 5, 15], "y": [1, 0.8, 0]},
        },
    ]
    prof = _tiny_profile(criteria=crit, threshold=0.4)
    g = AnalysisGrid(UTM33, 50, (X0, Y0, X0 + 6000, Y0 + 4000))
    for dres in (None, 100):
        full = build_model(prof, inputs, g, distance_res=dres).suitability()
        tiled = np.full(g.shape, -5.0, dtype=np.float32)

        def sink(win, arr):
            tiled[win.slices] = arr

        res = run_windowed(prof, inputs, g, tile=17, sink=sink, distance_res=dres)
        assert res.n_tiles > 20
        np.testing.assert_array_equal(np.isnan(full), np.isnan(tiled))
        np.testing.assert_allclose(tiled, full, atol=1e-6, equal_nan=True)
        assert res.n_candidate_cells == int(np.sum(np.nan_to_num(full, nan=-1) >= 0.4))
    m = build_model(prof, inputs, g)
    pd_full = m.area_lost().set_index("exclusion")["cells_alone"]
    pd_tiled = res.area_lost.set_index("exclusion")["cells_alone"]
    assert pd_full.equals(pd_tiled)


@pytest.mark.parametrize("connectivity", ["rook", "queen"])
def test_windowed_sites_equal_in_memory_across_tile_borders(connectivity):
    """Sites from a tiled run (labels merged across tile edges) equal the whole-grid sites."""
    land = gpd.GeoDataFrame(
        {"kommunenummer": ["5001"], "kommunenavn": ["T"]},
        geometry=[box(X0, Y0, X0 + 4000, Y0 + 3000)],
        crs=UTM33,
    )
    roads = gdf(
        LineString([(X0, Y0 + 900), (X0 + 4000, Y0 + 2100)]),
        LineString([(X0 + 2600, Y0), (X0 + 2900, Y0 + 3000)]),
    )
    power = gdf(
        *[
            Point(X0 + x, Y0 + y)
            for x, y in [(900, 2400), (3300, 600), (600, 700), (2300, 1500), (3500, 2600)]
        ]
    )
    lakes = gdf(
        *[
            box(X0 + x, Y0 + y, X0 + x + 140, Y0 + y + 140)
            for x in range(300, 4000, 700)
            for y in range(250, 3000, 650)
        ]
    )
    inputs = SuitabilityInputs(layers={"roads": roads, "power": power, "lakes": lakes}, land=land)
    crit = [
        {
            "id": "road",
            "kind": "distance",
            "layer": "roads",
            "weight": 2,
            "value": {"type": "logistic", "midpoint": 600, "scale": 150},
        },
        {
            "id": "line",
            "kind": "distance",
            "layer": "power",
            "weight": 3,
            "value": {"type": "gaussian", "mean": 200, "sd": 500},
        },
    ]
    prof = _tiny_profile(criteria=crit, threshold=0.6, min_area_ha=3, connectivity=connectivity)
    g = AnalysisGrid(UTM33, 25, (X0, Y0, X0 + 4000, Y0 + 3000))  # 160 × 120 cells
    full = build_model(prof, inputs, g).sites()
    tile = 23
    for workers in (1, 2):
        res = run_windowed(prof, inputs, g, tile=tile, sites=True, workers=workers)
        win = res.sites
        assert len(full) >= 3 and len(win) == len(full)
        np.testing.assert_array_equal(win["rank"], full["rank"])
        np.testing.assert_array_equal(win["n_cells"], full["n_cells"])
        np.testing.assert_allclose(win["area_ha"], full["area_ha"])
        np.testing.assert_allclose(win["mean_score"], full["mean_score"], atol=1e-6)
        np.testing.assert_allclose(win["min_score"], full["min_score"], atol=1e-6)
        for k in ("road", "line"):
            np.testing.assert_allclose(win[f"{k}_value"], full[f"{k}_value"], rtol=1e-6)
            np.testing.assert_allclose(win[f"{k}_score"], full[f"{k}_score"], atol=1e-6)
        assert win["top_criteria"].tolist() == full["top_criteria"].tolist()
        for a, b in zip(win.geometry, full.geometry):
            assert a.symmetric_difference(b).area < 1e-3
            assert a.is_valid
    # at least one site straddles a tile border (in both directions of the tiling)
    edge = tile * g.res
    crosses = [
        (int((gm.bounds[0] - X0) // edge) != int((gm.bounds[2] - X0 - 1e-6) // edge))
        or (int((Y0 + 3000 - gm.bounds[3]) // edge) != int((Y0 + 3000 - gm.bounds[1] - 1e-6) // edge))
        for gm in full.geometry
    ]
    assert any(crosses)
    assert max(full["n_cells"]) > tile * tile  # a site larger than one tile


@pytest.mark.parametrize("connectivity, n_sites", [("rook", 4), ("queen", 2)])
def test_windowed_sites_join_diagonal_cells_across_tile_corners(connectivity, n_sites):
    """Two cells touching only at a corner shared by four tiles: one site (queen) or two (rook)."""
    g = AnalysisGrid(UTM33, 100, (X0, Y0, X0 + 400, Y0 + 800))  # 8 rows × 4 cols, tiles of 2×2
    cells = [(1, 1), (2, 2), (5, 2), (6, 1)]  # a diagonal and an anti-diagonal across tile corners
    land = gpd.GeoDataFrame(
        {"kommunenummer": ["5001"] * 4, "kommunenavn": ["T"] * 4},
        geometry=[
            box(X0 + c * 100, Y0 + 800 - (r + 1) * 100, X0 + (c + 1) * 100, Y0 + 800 - r * 100)
            for r, c in cells
        ],
        crs=UTM33,
    )
    inputs = SuitabilityInputs(layers={"roads": gdf(Point(X0 + 50, Y0 + 50))}, land=land)
    crit = [
        {
            "id": "road",
            "kind": "distance",
            "layer": "roads",
            "weight": 1,
            "value": {"type": "linear", "best": 0, "worst": 100000},
        }
    ]
    prof = _tiny_profile(
        criteria=crit, exclusions=[], threshold=0.5, min_area_ha=1, connectivity=connectivity
    )
    full = build_model(prof, inputs, g).sites()
    win = run_windowed(prof, inputs, g, tile=2, sites=True, workers=1).sites
    assert len(full) == len(win) == n_sites
    assert win["n_cells"].tolist() == full["n_cells"].tolist()
    for a, b in zip(win.geometry, full.geometry):
        assert a.symmetric_difference(b).area < 1e-6


def test_windowed_run_leaves_the_process_warning_filters_as_they_were():
    """The threaded run silences rasterio's NotGeoreferencedWarning for its own duration only."""
    import warnings

    land = gpd.GeoDataFrame(
        {"kommunenummer": ["5001"], "kommunenavn": ["T"]},
        geometry=[box(X0, Y0, X0 + 800, Y0 + 800)],
        crs=UTM33,
    )
    inputs = SuitabilityInputs(layers={"roads": gdf(Point(X0 + 50, Y0 + 50))}, land=land)
    crit = [
        {
            "id": "road",
            "kind": "distance",
            "layer": "roads",
            "weight": 1,
            "value": {"type": "linear", "best": 0, "worst": 1000},
        }
    ]
    prof = _tiny_profile(criteria=crit, exclusions=[], threshold=0.5, min_area_ha=1)
    g = AnalysisGrid(UTM33, 100, (X0, Y0, X0 + 800, Y0 + 800))
    before = list(warnings.filters)
    res = run_windowed(prof, inputs, g, tile=3, workers=2)
    assert res.n_tiles == 9
    assert list(warnings.filters) == before


def test_area_lost_of_a_two_cell_exclusion_across_cell_edges_is_exact():
    """Issue 15: a 150 m × 50 m exclusion straddling two 100 m cells loses 0.75 ha, not 2 ha."""
    from areal.geo.area_lost import exact_area_lost, merge_area_lost

    land_poly = box(X0, Y0, X0 + 200, Y0 + 100)
    excl = box(X0 + 25, Y0 + 25, X0 + 175, Y0 + 75)  # crosses the edge x = X0 + 100
    other = box(X0 + 150, Y0, X0 + 200, Y0 + 100)  # overlaps 25 m × 50 m of it
    g = AnalysisGrid(UTM33, 100, (X0, Y0, X0 + 200, Y0 + 100))
    land = np.ones(g.shape, bool)
    cells = area_lost(land, {"e": land.copy(), "o": np.array([[False, True]])}, cell_area=g.cell_area)
    exact = exact_area_lost([land_poly], {"e": [excl, excl], "o": [other]}, bounds=g.bounds)
    t = merge_area_lost(cells, exact, g.res).set_index("exclusion")
    assert t.loc["e", "cells_alone"] == 2 and t.loc["e", "cells_alone_ha"] == 2.0  # the cell count
    assert t.loc["e", "alone_area_m2"] == 7500.0  # exact; its duplicate counted once
    assert t.loc["e", "marginal_area_m2"] == 7500.0 - 25 * 50
    assert t.loc["o", "alone_area_m2"] == 5000.0 and t.loc["o", "marginal_area_m2"] == 5000.0 - 25 * 50
    assert t.loc["all exclusions", "alone_area_m2"] == 7500.0 + 5000.0 - 25 * 50
    assert t.loc["remaining", "alone_area_m2"] == 20000.0 - 11250.0
    assert t.loc["e", "share_alone"] == 7500.0 / 20000.0 and t.loc["e", "cell_res_m"] == 100.0


def test_model_area_lost_is_exact_for_polygon_exclusions():
    land = gpd.GeoDataFrame(
        {"kommunenummer": ["5001"]}, geometry=[box(X0, Y0, X0 + 200, Y0 + 100)], crs=UTM33
    )
    prof = parse_profile(
        {
            "name": "tiny",
            "title_nb": "Liten",
            "title_en": "Tiny",
            "rationale": "test",
            "min_area_ha": 0.5,
            "threshold": 0.0,
            "connectivity": "rook",
            "exclusions": ["lakes"],
            "criteria": [
                {
                    "id": "road",
                    "kind": "distance",
                    "layer": "roads",
                    "weight": 1,
                    "value": {"type": "linear", "best": 0, "worst": 5000},
                },
            ],
        },
        "tiny.toml",
    )
    layers = {
        "roads": gpd.GeoDataFrame(geometry=[LineString([(X0, Y0), (X0 + 200, Y0)])], crs=UTM33),
        "lakes": gpd.GeoDataFrame(geometry=[box(X0 + 25, Y0 + 25, X0 + 175, Y0 + 75)], crs=UTM33),
    }
    m = build_model(
        prof, SuitabilityInputs(layers=layers, land=land), AnalysisGrid(UTM33, 100, land.total_bounds)
    )
    t = m.area_lost().set_index("exclusion")
    assert t.loc["lakes", "cells_alone"] == 2 and t.loc["lakes", "alone_area_ha"] == 0.75
