"""The suitability rasters are cloud-optimised GeoTIFFs by layout, not only by name (issue 16).

What GDAL's ``validate_cloud_optimized_geotiff.py`` and ``rio cogeo validate`` check, read from the
file's bytes: 256 × 256 tiles in every image, overviews down to one tile, all IFDs (the image
directories) at the start of the file before any tile data, the main image's IFD first, and the
tile data of the smallest overview first and the full resolution last (a reader of a zoomed-out
view needs only the front of the file). Both writers are checked: :func:`write_cog` (whole-grid
run) and :func:`tiled_cog` (windowed run, via :func:`to_cog`).
"""

from __future__ import annotations

import struct

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from areal.geo.grid import COG_PROFILE, AnalysisGrid
from areal.layers.export import tiled_cog, write_cog
from conftest import UTM33, X0, Y0
from shapely.geometry import box

BLOCK = COG_PROFILE["blocksize"]


def tiff_ifd_offsets(path) -> list[int]:
    """Byte offsets of every IFD in the main chain (classic TIFF and BigTIFF)."""
    with open(path, "rb") as fh:
        data = fh.read()
    order = {b"II": "<", b"MM": ">"}[data[:2]]
    version = struct.unpack(order + "H", data[2:4])[0]
    if version == 42:
        first, count_fmt, entry, next_fmt = struct.unpack(order + "I", data[4:8])[0], "H", 12, "I"
    elif version == 43:
        first, count_fmt, entry, next_fmt = struct.unpack(order + "Q", data[8:16])[0], "Q", 20, "Q"
    else:  # pragma: no cover - not a TIFF
        raise AssertionError(f"not a TIFF: version {version}")
    offsets, off = [], first
    while off:
        offsets.append(off)
        n = struct.unpack_from(order + count_fmt, data, off)[0]
        pos = off + struct.calcsize(count_fmt) + n * entry
        off = struct.unpack_from(order + next_fmt, data, pos)[0]
    return offsets


def first_tile_offset(path, overview_level: int | None = None) -> int:
    kw = {} if overview_level is None else {"overview_level": overview_level}
    with rasterio.open(path, **kw) as src:
        return int(src.get_tag_item("BLOCK_OFFSET_0_0", "TIFF", bidx=1))


def check_cog_layout(path) -> None:
    with rasterio.open(path) as src:
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert src.block_shapes == [(BLOCK, BLOCK)]
        factors = src.overviews(1)
        width, height = src.width, src.height
    assert factors, "no overviews"
    # overviews go down until the smallest image fits in one tile
    smallest = max(factors)
    assert max(-(-width // smallest), -(-height // smallest)) <= BLOCK
    assert max(-(-width // (smallest // 2)), -(-height // (smallest // 2))) > BLOCK
    for level in range(len(factors)):
        with rasterio.open(path, overview_level=level) as ov:
            assert ov.block_shapes == [(BLOCK, BLOCK)], f"overview {level} is not tiled {BLOCK}"
    ifds = tiff_ifd_offsets(path)
    assert len(ifds) == 1 + len(factors)  # the full image, then one IFD per overview (no masks)
    assert ifds == sorted(ifds)  # main image first, overviews after it
    tiles = [first_tile_offset(path)] + [first_tile_offset(path, lv) for lv in range(len(factors))]
    assert max(ifds) < min(tiles), "an IFD lies after tile data (not at the start of the file)"
    # tile data: smallest overview first, the full resolution last
    assert tiles == sorted(tiles, reverse=True)


@pytest.fixture
def grid():
    # 1 100 × 700 cells: overviews at 2 and 4 (550 and 275 wide), then 8 fits in one 256 tile
    region = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 110_000, Y0 + 70_000)], crs=UTM33)
    return AnalysisGrid.for_region(region, res=100)


def _scores(grid):
    rows, cols = np.mgrid[0 : grid.height, 0 : grid.width]
    arr = ((rows + cols) % 101 / 100.0).astype("float32")
    arr[:10, :10] = np.nan
    return arr


def test_write_cog_has_the_cog_layout(tmp_path, grid):
    out = write_cog(_scores(grid), grid, tmp_path / "s.tif")
    check_cog_layout(out)
    with rasterio.open(out) as src:
        assert src.overviews(1) == [2, 4, 8]
        np.testing.assert_array_equal(src.read(1), _scores(grid))


def test_windowed_cog_has_the_cog_layout_and_the_same_values(tmp_path, grid):
    arr = _scores(grid)
    with tiled_cog(grid, tmp_path / "w.tif") as sink:
        for win in grid.windows(tile=300):
            sink(win, arr[win.row : win.row + win.height, win.col : win.col + win.width])
    check_cog_layout(tmp_path / "w.tif")
    with rasterio.open(tmp_path / "w.tif") as src:
        np.testing.assert_array_equal(src.read(1), arr)


def test_the_check_fails_on_a_plain_tiled_geotiff(tmp_path, grid):
    # the layout check is not vacuous: a tiled GeoTIFF with overviews added afterwards has its
    # overview IFDs and tiles at the end of the file
    out = tmp_path / "plain.tif"
    prof = {
        "driver": "GTiff",
        "dtype": "float32",
        "tiled": True,
        "blockxsize": BLOCK,
        "blockysize": BLOCK,
        "width": grid.width,
        "height": grid.height,
        "count": 1,
        "crs": grid.crs.to_wkt(),
        "transform": grid.transform,
    }
    with rasterio.open(out, "w", **prof) as dst:
        dst.write(_scores(grid), 1)
    with rasterio.open(out, "r+") as dst:
        dst.build_overviews([2, 4, 8])
    with pytest.raises(AssertionError):
        check_cog_layout(out)
    assert tiff_ifd_offsets(out) != sorted(tiff_ifd_offsets(out)) or first_tile_offset(out) < max(
        tiff_ifd_offsets(out)
    )
