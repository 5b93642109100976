"""Rasters read by window (never whole): a large DEM on disk gives the same slope as one in memory."""

import numpy as np
import pytest
import rasterio
from affine import Affine
from areal.geo.criterion_arrays import raster_source_on_grid
from areal.geo.grid import AnalysisGrid
from areal.layers import suitability_inputs as SI


@pytest.fixture
def dem_file(tmp_path):
    rng = np.random.default_rng(1)
    z = (rng.normal(0, 1, (300, 400)).cumsum(0).cumsum(1)).astype(np.float32)
    t = Affine(10, 0, 250_000, 0, -10, 7_003_000)
    path = tmp_path / "dem.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=400,
        height=300,
        count=1,
        dtype="float32",
        crs="EPSG:25833",
        transform=t,
        nodata=-9999,
        tiled=True,
        blockxsize=128,
        blockysize=128,
    ) as dst:
        dst.write(z, 1)
    return path, z, t


def test_a_large_raster_gets_a_window_reader_and_the_same_values(dem_file, monkeypatch):
    path, z, t = dem_file
    mem = SI.read_raster(path)
    assert mem.values is not None
    monkeypatch.setattr(SI, "READ_WHOLE_CELLS", 1000)
    calls = []
    disk = SI.read_raster(path)
    assert disk.values is None and disk.size == (300, 400)
    real = disk.reader

    def spy(*a):
        calls.append(a)
        return real(*a)

    object.__setattr__(disk, "reader", spy)
    grid = AnalysisGrid(25833, 20, (251_000, 7_000_500, 252_000, 7_001_500))  # 1 km inside the DEM
    a, b = raster_source_on_grid(mem, grid), raster_source_on_grid(disk, grid)
    np.testing.assert_array_equal(a, b)
    ((row, col, h, w),) = calls
    assert h * w < 0.15 * z.size  # a window of the raster, not all of it
    assert (row, col) == (148, 98)  # 1.5 km below the top, 1 km from the left, less the 2-cell margin


def test_a_window_outside_the_raster_is_nodata(dem_file):
    path, _, _ = dem_file
    src = SI.read_raster(path)
    far = AnalysisGrid(25833, 100, (300_000, 7_100_000, 301_000, 7_101_000))
    assert src.window(far.bounds, far.crs) is None
    assert np.isnan(raster_source_on_grid(src, far)).all()


def test_the_reader_pickles_as_its_path(dem_file):
    import pickle

    path, z, _ = dem_file
    r = SI.WindowReader(path)
    again = pickle.loads(pickle.dumps(r))
    np.testing.assert_array_equal(again(10, 20, 5, 7), z[10:15, 20:27])


def test_large_geometries_are_cut_to_the_tile_before_rasterising_with_the_same_cells():
    import geopandas as gpd
    import shapely
    from areal.geo import grid as G

    rng = np.random.default_rng(4)
    ang = np.sort(rng.uniform(0, 2 * np.pi, 3000))
    rad = rng.uniform(4000, 5000, 3000)
    blob = shapely.Polygon(np.c_[250_000 + rad * np.cos(ang), 7_000_000 + rad * np.sin(ang)])
    line = shapely.LineString(
        np.c_[np.linspace(244_000, 256_000, 800), 7_000_000 + 300 * np.sin(np.linspace(0, 40, 800))]
    )
    gdf = gpd.GeoDataFrame(geometry=[blob, line], crs=25833)
    tile = AnalysisGrid(25833, 10, (253_000, 6_999_000, 254_280, 7_001_280))  # a tile at the blob's edge
    cut = G._clip_large(np.asarray(gdf.geometry.values), tile)
    assert (
        shapely.get_num_coordinates(cut).sum()
        < 0.2 * shapely.get_num_coordinates(np.asarray(gdf.geometry.values)).sum()
    )
    for all_touched in (False, True):
        old = G._CLIP_MIN_VERTICES
        try:
            G._CLIP_MIN_VERTICES = 10**9  # no cutting: the reference
            want = G.rasterize(gdf, tile, all_touched=all_touched)
        finally:
            G._CLIP_MIN_VERTICES = old
        got = G.rasterize(gdf, tile, all_touched=all_touched)
        assert want.any() and not want.all()
        np.testing.assert_array_equal(got, want)
