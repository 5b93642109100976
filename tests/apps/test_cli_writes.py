"""Every output of the command line is written atomically: a failure in the middle of a write leaves
the previous file (or none) and no temporary file (issue 16).

Failures are injected where the bytes are written: pandas' CSV writer half-way through a file,
the tiles of a windowed suitability run, the COG conversion after them.
"""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from areal.apps.cli import main
from areal.layers import export
from click.testing import CliRunner
from conftest import UTM33, X0, Y0
from shapely.geometry import box


def _files(folder) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def site(tmp_path):
    p = tmp_path / "site.geojson"
    gpd.GeoDataFrame({"navn": ["a"]}, geometry=[box(X0, Y0, X0 + 2000, Y0 + 1500)], crs=UTM33).to_crs(
        4326
    ).to_file(p, driver="GeoJSON")
    return p


def _half_written_csv(monkeypatch):
    """pandas writes the first line of a CSV, then the disk is full."""
    real = pd.DataFrame.to_csv

    def to_csv(self, path=None, *a, **k):
        text = real(self, None, *a, **k)
        with open(path, "w") as fh:
            fh.write(text.splitlines()[0] + "\n")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv)


def test_conflicts_csv_folder_is_kept_whole_when_a_write_fails(tmp_path, site, empty_data_dir, monkeypatch):
    csv = tmp_path / "csv"
    args = ["conflicts", "--proposal", str(site), "--csv", str(csv)]
    assert CliRunner().invoke(main, args).exit_code == 0
    before = {p.name: p.read_bytes() for p in csv.iterdir()}
    assert {"summary.csv", "matrix_ha.csv", "by_municipality.csv", "conflicts.csv"} <= set(before)
    _half_written_csv(monkeypatch)
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1 and "Feil: disken er full" in res.stderr
    assert {p.name: p.read_bytes() for p in csv.iterdir()} == before  # no half file, no .tmp- file


def test_scenario_compare_csv_is_atomic(tmp_path, site, empty_data_dir, monkeypatch):
    store = ["--store", str(tmp_path / "s.sqlite")]
    for name in ("A", "B"):
        assert (
            CliRunner().invoke(main, ["scenario", "save", name, "--proposal", str(site), *store]).exit_code
            == 0
        )
    out = tmp_path / "out" / "compare.csv"
    args = ["scenario", "compare", "A", "B", "--out", str(out), *store]
    assert CliRunner().invoke(main, args).exit_code == 0
    first = out.read_bytes()
    assert first.count(b"\n") > 3
    _half_written_csv(monkeypatch)
    assert CliRunner().invoke(main, args).exit_code == 1
    assert out.read_bytes() == first and _files(out.parent) == ["compare.csv"]


def _windowed(tmp_path, out):
    return CliRunner().invoke(
        main,
        [
            "suitability",
            "--profile",
            "data_centre",
            "--resolution",
            "2000",
            "--windowed",
            "--tile",
            "32",
            "--sensitivity-runs",
            "0",
            "--no-conflicts",
            "--out",
            str(out),
        ],
    )


def test_windowed_run_that_fails_in_a_tile_leaves_no_tile_file(tmp_path, empty_data_dir, monkeypatch):
    real = export.tiled_writer

    def failing(grid, out, **kw):
        dst, sink = real(grid, out, **kw)
        calls = []

        def sink2(win, arr):
            calls.append(win)
            if len(calls) == 2:
                raise OSError(28, "No space left on device")
            sink(win, arr)

        return dst, sink2

    monkeypatch.setattr(export, "tiled_writer", failing)
    out = tmp_path / "out"
    res = _windowed(tmp_path, out)
    assert res.exit_code == 1 and "Feil: disken er full" in res.stderr, res.output
    assert _files(out) == []  # no <profile>_tiles.tif, no .tmp-tiles-*, no half COG


def test_windowed_run_whose_cog_conversion_fails_leaves_nothing(tmp_path, empty_data_dir, monkeypatch):
    import rasterio.shutil

    out = tmp_path / "out"
    assert _windowed(tmp_path, out).exit_code == 0
    cog = out / "data_centre_suitability.tif"
    first = cog.read_bytes()
    run = json.loads((out / "data_centre_run.json").read_text())
    assert run["windowed"] is True and "municipalities" in run["starter_layers"]
    monkeypatch.setattr(
        rasterio.shutil, "copy", lambda *a, **k: (_ for _ in ()).throw(OSError("COG conversion failed"))
    )
    res = _windowed(tmp_path, out)
    assert res.exit_code == 1 and "COG conversion failed" in res.stderr
    assert cog.read_bytes() == first  # the previous result is kept whole
    assert not [n for n in _files(out) if n.startswith(".tmp") or "tiles" in n]
    with rasterio.open(cog) as src:
        assert src.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
