"""The GeoParquet layer cache: sorted row groups, bbox covering, reads by window and by row."""

import geopandas as gpd
import numpy as np
import pyarrow.parquet as pq
import pytest
import shapely
from areal.geo.overlay import flat_overlay
from areal.layers.geoparquet import ROW_COLUMN, ParquetSource, read_layer, write_sorted
from shapely import box


@pytest.fixture
def grid_layer(tmp_path):
    rng = np.random.default_rng(11)
    order = rng.permutation(40 * 40)  # written in a scrambled order
    cells = [box(x * 10, y * 10, x * 10 + 10, y * 10 + 10) for x in range(40) for y in range(40)]
    gdf = gpd.GeoDataFrame({"code": [f"c{i}" for i in order]}, geometry=[cells[i] for i in order], crs=25833)
    path = tmp_path / "layer.parquet"
    write_sorted(gdf, path, row_group_rows=100)
    return gdf, path


def test_written_as_geoparquet_1_1_with_a_bbox_covering_and_sorted_row_groups(grid_layer):
    gdf, path = grid_layer
    f = pq.ParquetFile(path)
    assert f.metadata.num_row_groups == 16
    import json

    geo = json.loads(f.schema_arrow.metadata[b"geo"])
    assert geo["version"] == "1.1.0"
    assert geo["columns"]["geometry"]["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]
    # each row group covers a compact patch (Hilbert order), not a stripe of the whole layer
    xmin = f.schema_arrow.names.index("bbox")
    areas = []
    for g in range(f.metadata.num_row_groups):
        st = f.metadata.row_group(g).column(xmin).statistics  # bbox.xmin
        st2 = f.metadata.row_group(g).column(xmin + 2).statistics  # bbox.xmax
        areas.append(st2.max - st.min)
    assert max(areas) <= 200  # 100 cells of 10 m in a patch at most 20 cells wide


def test_full_read_restores_the_order_written(grid_layer):
    gdf, path = grid_layer
    back = read_layer(path)
    assert list(back.columns) == ["code", "geometry"]
    assert back["code"].tolist() == gdf["code"].tolist()
    assert all(a.equals(b) for a, b in zip(back.geometry, gdf.geometry))


def test_window_reads_only_the_rows_meeting_the_bbox(grid_layer):
    gdf, path = grid_layer
    src = ParquetSource(path)
    win = src.window((95, 95, 125, 115))
    assert ROW_COLUMN not in win.columns
    want = gdf[gdf.intersects(box(95, 95, 125, 115))]
    assert sorted(win["code"]) == sorted(want["code"])


def test_source_bounds_and_take_by_row_number(grid_layer):
    gdf, path = grid_layer
    src = ParquetSource(path)
    assert len(src) == len(gdf) and src.row_groups == 16
    b = src.bounds()
    full = read_layer(path)  # original order; the file order is the Hilbert order
    file_order = gpd.read_parquet(path)
    np.testing.assert_array_equal(b, shapely.bounds(np.asarray(file_order.geometry.values)))
    rows = np.array([0, 5, 99, 100, 1599])
    got = src.take(rows)
    assert all(a.equals(b) for a, b in zip(got, file_order.geometry.values[rows]))
    assert len(full) == len(gdf)


def test_a_source_pickles_as_its_path(grid_layer):
    import pickle

    _, path = grid_layer
    src = ParquetSource(path)
    blob = pickle.dumps(src)
    assert len(blob) < 500
    again = pickle.loads(blob)
    assert len(again) == len(src) and again.take(np.array([3]))[0].equals(src.take(np.array([3]))[0])


def test_flat_overlay_streams_from_the_file_with_the_in_memory_result(grid_layer):
    gdf, path = grid_layer
    few = [box(33, 33, 77, 61), shapely.Point(250, 250).buffer(40)]
    mem = flat_overlay(gpd.read_parquet(path).geometry.values, few, partition_rows=200)
    disk = flat_overlay(ParquetSource(path), few, partition_rows=200, scheduler="threads:2")
    np.testing.assert_array_equal(disk.ia, mem.ia)
    np.testing.assert_array_equal(disk.area, mem.area)
    assert disk.area.sum() == pytest.approx(44 * 28 + shapely.Point(0, 0).buffer(40).area, rel=1e-12)


def test_a_layer_in_several_files_is_cached_one_part_per_file(tmp_path):
    from areal.layers import loader
    from areal.layers._base import LayerSpec, Source

    spec = LayerSpec(
        id="tiny_ar5",
        title_nb="Liten",
        title_en="Tiny",
        theme="agriculture",
        kind="vector",
        geometry_type="Polygon",
        publisher="test",
        licence="CC0",
        vintage="2026",
        attribution="test",
        source=Source(patterns=("ar5/*.gpkg",)),
        columns={"arealtype": "str"},
    )
    (tmp_path / "ar5").mkdir()
    for knr, x0 in (("5001", 0), ("5006", 10_000)):
        cells = [
            box(x0 + x, 7e6 + y, x0 + x + 100, 7e6 + y + 100)
            for x in range(0, 1000, 100)
            for y in range(0, 500, 100)
        ]
        gpd.GeoDataFrame({"arealtype": ["30"] * len(cells)}, geometry=cells, crs=25833).to_file(
            tmp_path / "ar5" / f"ar5_{knr}.gpkg"
        )
    cache = tmp_path / "cache"
    srcs = loader.parquet_sources(spec, tmp_path, cache_dir=cache)
    assert [len(s) for s in srcs] == [50, 50]
    entry = next((cache / "layers").glob("tiny_ar5-*.parquet"))
    assert entry.is_dir() and sorted(p.name for p in entry.iterdir()) == [
        "part-0000.parquet",
        "part-0001.parquet",
    ]
    df = loader.load(spec, tmp_path, cache_dir=cache)
    assert df.attrs["load_report"]["from_cache"] and len(df) == 100
    assert df.geometry.iloc[0].bounds[0] == 0 and df.geometry.iloc[50].bounds[0] == 10_000  # file order
    assert df.attrs["load_report"]["n_features"] == 100
    from areal.layers.geoparquet import SourceSet

    both = SourceSet(srcs)
    b = both.bounds()
    assert len(both) == 100 and b[:, 0].min() == 0 and b[:, 2].max() == 11_000
    got = flat_overlay(both, [box(900, 7e6, 10_100, 7e6 + 100)])
    assert got.area.sum() == pytest.approx(200 * 100, rel=1e-12)  # one cell column on each side
    want = np.flatnonzero(((b[:, 0] == 900) | (b[:, 0] == 10_000)) & (b[:, 1] == 7e6))
    assert len(want) == 2 and got.ia.tolist() == want.tolist()
