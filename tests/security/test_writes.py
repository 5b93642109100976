"""Writes never destroy: imports keep the other layers, every write is atomic, tables are tables."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from areal.apps.cli import main
from areal.geo.errors import InputFileError, LayerValidationError
from areal.layers import export
from areal.layers.export import BACKUP_DIR, tiled_cog, to_cog, write_cog, write_frame, write_layers
from areal.layers.importer import import_file
from click.testing import CliRunner
from conftest import UTM33, X0, Y0
from shapely.geometry import LineString, Point, box

N1000 = "n1000/N1000_trondelag_25833.gpkg"


def _counts(gpkg: Path) -> dict[str, int]:
    con = sqlite3.connect(gpkg)
    try:
        tables = [t for (t,) in con.execute("SELECT table_name FROM gpkg_contents")]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()


def _forest(n: int = 3) -> gpd.GeoDataFrame:
    geoms = [box(X0 + i * 300, Y0, X0 + i * 300 + 200, Y0 + 200) for i in range(n)]
    return gpd.GeoDataFrame({"navn": [f"skog {i}" for i in range(n)]}, geometry=geoms, crs=UTM33)


@pytest.mark.realdata
def test_import_into_the_n1000_geopackage_keeps_every_other_layer(real_data, tmp_path):
    data = tmp_path / "data"
    (data / "n1000").mkdir(parents=True)
    shutil.copyfile(real_data / N1000, data / N1000)
    before = _counts(data / N1000)
    assert len(before) == 23 and sum(before.values()) > 900
    site = tmp_path / "skog.geojson"
    _forest().to_crs(4326).to_file(site, driver="GeoJSON")
    res = CliRunner().invoke(main, ["import", str(site), "--as", "forest", "--data-dir", str(data)])
    assert res.exit_code == 0, res.output
    after = _counts(data / N1000)
    assert set(after) == set(before)  # 23 layers, none lost
    assert after["Skog"] == 3
    assert {k: v for k, v in after.items() if k != "Skog"} == {k: v for k, v in before.items() if k != "Skog"}
    # the replaced file was backed up byte for byte
    backups = list((data / "n1000" / BACKUP_DIR).iterdir())
    assert len(backups) == 1 and backups[0].read_bytes() == (real_data / N1000).read_bytes()
    # and every layer of the file still loads
    from areal.layers import loader, registry

    from_n1000 = [s.id for s in registry.specs() if s.source.patterns and s.source.patterns[0] == N1000]
    statuses = {lid: loader.status(lid, data).status for lid in from_n1000}
    assert set(statuses.values()) == {"loaded"}, statuses


def test_import_refuses_lines_or_points_into_a_polygon_layer_and_the_reverse(tmp_path):
    data = tmp_path / "data"
    lines = tmp_path / "lines.geojson"
    gpd.GeoDataFrame(geometry=[LineString([(X0, Y0), (X0 + 500, Y0 + 50)])], crs=UTM33).to_file(lines)
    with pytest.raises(LayerValidationError, match="a polygon layer.*holds 1 LineString"):
        import_file(lines, "forest", data_dir=data)
    points = tmp_path / "points.geojson"
    gpd.GeoDataFrame(geometry=[Point(X0, Y0)], crs=UTM33).to_file(points)
    with pytest.raises(LayerValidationError, match="holds 1 Point"):
        import_file(points, "forest", data_dir=data)
    polys = tmp_path / "polys.geojson"
    _forest(1).to_file(polys)
    with pytest.raises(LayerValidationError, match="a line layer.*holds 1 Polygon"):
        import_file(polys, "roads", data_dir=data)
    assert not data.exists() or not any(data.rglob("*.gpkg"))


def test_several_layers_are_refused_with_the_list_or_chosen_with_layer(tmp_path):
    two = tmp_path / "two.gpkg"
    _forest(2).to_file(two, layer="alpha", driver="GPKG")
    _forest(1).to_file(two, layer="beta", driver="GPKG")
    with pytest.raises(InputFileError, match=r"holds 2 layers \(alpha, beta\); choose one \(--layer NAME\)"):
        import_file(two, "forest", data_dir=tmp_path / "d")
    rep = import_file(two, "forest", data_dir=tmp_path / "d", inner_layer="beta")
    assert rep.n_written == 1
    res = CliRunner().invoke(main, ["import", str(two), "--as", "forest", "--data-dir", str(tmp_path / "e")])
    assert (
        res.exit_code == 2
        and "inneholder flere datasett (alpha, beta); velg ett med `--layer NAVN`" in res.output
    )
    argv = ["import", str(two), "--as", "forest", "--data-dir", str(tmp_path / "e")]
    res = CliRunner(env={"AREAL_LANG": "en"}).invoke(main, argv)
    assert res.exit_code == 2 and "holds 2 layers (alpha, beta)" in res.output


def test_write_frame_into_a_geopackage_replaces_only_that_layer(tmp_path):
    out = tmp_path / "x.gpkg"
    write_frame(_forest(2), out, layer="a")
    write_frame(_forest(3), out, layer="b")
    write_frame(_forest(1), out, layer="a")
    assert _counts(out) == {"a": 1, "b": 3}
    assert len(list((tmp_path / BACKUP_DIR).iterdir())) == 1  # only the replacement made a backup


def test_a_failed_write_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    out = tmp_path / "x.gpkg"
    write_frame(_forest(2), out, layer="a")
    original = out.read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(export, "_write", boom)
    with pytest.raises(OSError, match="disk full"):
        write_frame(_forest(1), out, layer="b")
    with pytest.raises(OSError, match="disk full"):
        write_frame(_forest(1), tmp_path / "new.geojson")
    assert out.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.gpkg"]  # no temporary file left


def test_tables_are_written_as_attribute_tables(tmp_path):
    out = tmp_path / "t.gpkg"
    table = pd.DataFrame({"pair": ["a × b"], "area_ha": [1.5]})
    write_layers(
        {"conflicts": _forest(1), "summary": table, "matrix": gpd.GeoDataFrame(table, geometry=[None])}, out
    )
    kinds = dict(pyogrio.list_layers(out))
    assert kinds["conflicts"] == "Polygon" and kinds["summary"] is None and kinds["matrix"] is None
    con = sqlite3.connect(out)
    contents = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
    geomcols = {t for (t,) in con.execute("SELECT table_name FROM gpkg_geometry_columns")}
    con.close()
    assert contents == {"conflicts": "features", "summary": "attributes", "matrix": "attributes"}
    assert geomcols == {"conflicts"}
    assert pyogrio.read_dataframe(out, layer="summary")["area_ha"].tolist() == [1.5]
    if shutil.which("ogrinfo"):
        info = subprocess.run(["ogrinfo", "-so", str(out), "summary"], capture_output=True, text=True).stdout
        assert "Geometry: None" in info


def test_areal_conflicts_writes_its_geopackage_whole_or_not_at_all(tmp_path, monkeypatch):
    import areal.geo.conflicts as gc

    site = tmp_path / "site.geojson"
    _forest(1).to_crs(4326).to_file(site)
    out = tmp_path / "out" / "c.gpkg"
    data = tmp_path / "empty"
    args = ["conflicts", "--proposal", str(site), "--out", str(out), "--data-dir", str(data)]
    assert CliRunner().invoke(main, args).exit_code == 0
    layers = dict(pyogrio.list_layers(out))
    assert layers["summary"] is None and layers["rules"] is None and layers["by_municipality"] is None
    first = out.read_bytes()
    monkeypatch.setattr(export, "_write", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1 and "disk full" in res.output
    assert out.read_bytes() == first and sorted(p.name for p in out.parent.iterdir()) == ["c.gpkg"]
    del gc


def test_rasters_are_written_atomically(tmp_path, monkeypatch):
    from areal.geo.grid import AnalysisGrid

    grid = AnalysisGrid.for_region(
        gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 2000, Y0 + 1000)], crs=UTM33), res=100
    )
    arr = np.ones(grid.shape, dtype="float32")
    cog = write_cog(arr, grid, tmp_path / "s.tif")
    original = cog.read_bytes()
    # a windowed run that fails half-way leaves neither the COG nor the tile scratch file
    with pytest.raises(RuntimeError, match="tile failed"):
        with tiled_cog(grid, tmp_path / "w.tif") as sink:
            for i, win in enumerate(grid.windows(tile=8)):
                if i == 1:
                    raise RuntimeError("tile failed")
                sink(win, np.zeros((win.height, win.width), dtype="float32"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.tif"]
    # a successful windowed run leaves only the COG
    with tiled_cog(grid, tmp_path / "w.tif") as sink:
        for win in grid.windows(tile=8):
            sink(win, np.full((win.height, win.width), 0.5, dtype="float32"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.tif", "w.tif"]
    # to_cog into an existing file that fails keeps the old file
    import rasterio.shutil

    monkeypatch.setattr(
        rasterio.shutil, "copy", lambda *a, **k: (_ for _ in ()).throw(OSError("copy failed"))
    )
    with pytest.raises(OSError, match="copy failed"):
        to_cog(tmp_path / "w.tif", cog)
    assert cog.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.tif", "w.tif"]
