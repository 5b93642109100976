"""The windowed suitability run gives the same numbers on every scheduler (threads, processes, dask)."""

import geopandas as gpd
import numpy as np
import pytest
import rasterio.transform
from areal.geo.grid import AnalysisGrid
from areal.geo.profiles import parse_profile
from areal.geo.suitability import build_model
from areal.geo.suitability_plan import RasterSource, SuitabilityInputs
from areal.geo.windowed import _lattices, run_windowed
from conftest import UTM33, X0, Y0
from shapely.geometry import LineString, Point, box


def _frame(*geoms):
    return gpd.GeoDataFrame(geometry=list(geoms), crs=UTM33)


@pytest.fixture(scope="module")
def case():
    land = gpd.GeoDataFrame(
        {"kommunenummer": ["5001", "5006"], "kommunenavn": ["A", "B"]},
        geometry=[box(X0, Y0, X0 + 2400, Y0 + 3000), box(X0 + 2400, Y0, X0 + 4000, Y0 + 3000)],
        crs=UTM33,
    )
    roads = _frame(LineString([(X0, Y0 + 900), (X0 + 4000, Y0 + 2100)]))
    power = _frame(*[Point(X0 + x, Y0 + y) for x, y in [(900, 2400), (3300, 600), (2300, 1500)]])
    lakes = _frame(box(X0 + 500, Y0 + 500, X0 + 800, Y0 + 900))
    forest = _frame(box(X0 + 1000, Y0 + 1000, X0 + 3000, Y0 + 2600))
    rng = np.random.default_rng(7)
    dem = rng.normal(100, 30, (8, 10)).astype(np.float32)  # 500 m cells: a coarse slope lattice
    elev = RasterSource(
        dem, rasterio.transform.from_origin(X0, Y0 + 4000, 500, 500), UTM33, None, "elevation"
    )
    inputs = SuitabilityInputs(
        layers={"roads": roads, "power": power, "lakes": lakes, "forest": forest}, land=land, elevation=elev
    )
    prof = parse_profile(
        {
            "name": "t",
            "title_nb": "T",
            "title_en": "T",
            "rationale": "test",
            "min_area_ha": 2,
            "threshold": 0.55,
            "connectivity": "queen",
            "exclusions": ["lakes"],
            "criteria": [
                {
                    "id": "road",
                    "kind": "distance",
                    "layer": "roads",
                    "weight": 3,
                    "value": {"type": "logistic", "midpoint": 600, "scale": 150},
                },
                {
                    "id": "line",
                    "kind": "distance",
                    "layer": "power",
                    "weight": 2,
                    "value": {"type": "gaussian", "mean": 200, "sd": 500},
                },
                {
                    "id": "slope",
                    "kind": "slope",
                    "weight": 1,
                    "value": {"type": "table", "x": [0, 5, 15], "y": [1, 0.8, 0]},
                },
                {
                    "id": "cover",
                    "kind": "categorical",
                    "weight": 1,
                    "default": 0.5,
                    "classes": [{"layer": "forest", "score": 0.9}],
                },
            ],
        },
        "t.toml",
    )
    grid = AnalysisGrid(UTM33, 25, (X0, Y0, X0 + 4000, Y0 + 3000))
    return prof, inputs, grid


def _run(case, scheduler):
    prof, inputs, grid = case
    tiled = np.full(grid.shape, -5.0, dtype=np.float32)

    def sink(win, arr):
        tiled[win.slices] = arr

    res = run_windowed(
        prof, inputs, grid, tile=37, sink=sink, distance_res=100, sites=True, scheduler=scheduler
    )
    return res, tiled


def test_lattices_fold_the_slope_lattice_into_the_distance_lattice(case):
    from areal.geo.criterion_arrays import coarse_criteria
    from areal.geo.suitability_plan import plan

    prof, inputs, grid = case
    p = plan(prof, inputs)
    coarse = coarse_criteria(p, grid, distance_res=100)
    assert sorted(coarse) == ["line", "road", "slope"]
    lats = _lattices(p, coarse, p.weights.astype(np.float32))
    assert len(lats) == 1 and lats[0].grid.res == 100
    # the pre-summed lattice is the weighted sum of the criteria, slope upsampled by index
    from areal.geo.criterion_arrays import coarse_index

    ri, ci = coarse_index(coarse["slope"].grid, lats[0].grid)
    w = dict(zip([c.id for c in p.criteria], p.weights.astype(np.float32)))
    want = w["road"] * coarse["road"].score + w["line"] * coarse["line"].score
    want = want + w["slope"] * coarse["slope"].score[np.ix_(ri, ci)]
    np.testing.assert_allclose(lats[0].partial, want, atol=1e-6)


def test_threads_equal_the_whole_grid_model(case):
    prof, inputs, grid = case
    res, tiled = _run(case, "threads:2")
    full = build_model(prof, inputs, grid, distance_res=100).suitability()
    np.testing.assert_array_equal(np.isnan(full), np.isnan(tiled))
    np.testing.assert_allclose(tiled, full, atol=1e-6, equal_nan=True)
    assert res.n_tiles == 5 * 4 and len(res.sites) > 0  # 160 × 120 cells in tiles of 37


@pytest.mark.parametrize("spec", ["serial"])
def test_every_scheduler_gives_the_threads_numbers_bit_for_bit(case, spec):
    base, tb = _run(case, "threads:2")
    res, t = _run(case, spec)
    np.testing.assert_array_equal(t, tb)
    assert res.score_sum == base.score_sum and res.n_candidate_cells == base.n_candidate_cells
    assert res.area_lost.equals(base.area_lost)
    assert res.sites.drop(columns="geometry").equals(base.sites.drop(columns="geometry"))
    assert all(a.equals(b) for a, b in zip(res.sites.geometry, base.sites.geometry))


def test_a_dask_cluster_gives_the_threads_numbers_bit_for_bit(case, dask_client):
    base, tb = _run(case, "threads:2")
    res, t = _run(case, dask_client)
    np.testing.assert_array_equal(t, tb)
    assert res.score_sum == base.score_sum
    assert res.sites.drop(columns="geometry").equals(base.sites.drop(columns="geometry"))
