"""Smoke tests of benchmarks/bench_scale.py at tiny sizes (the benchmark itself is not part of pytest)."""

import importlib.util
import os
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "benchmarks" / "bench_scale.py"


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    old = os.environ.get("AREAL_BENCH_DIR")
    os.environ["AREAL_BENCH_DIR"] = str(tmp_path_factory.mktemp("bench"))
    spec = importlib.util.spec_from_file_location("bench_scale", BENCH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    mod.BLOCK = 25  # tiny blocks: the smoke mosaic has several parts in a second
    yield mod
    if old is None:
        os.environ.pop("AREAL_BENCH_DIR", None)
    else:
        os.environ["AREAL_BENCH_DIR"] = old


@pytest.fixture(scope="module")
def parts(bench):
    return [str(p) for p in bench.mosaic_parts(40 * 40)]  # 1,600 cells in 4 blocks of 25 × 25 (or less)


def test_the_mosaic_is_a_gapless_seeded_coverage_in_blocks(bench, parts):
    import geopandas as gpd
    import numpy as np
    import shapely

    assert len(parts) == 4
    again = bench.mosaic_parts(40 * 40)
    assert [str(p) for p in again] == parts  # reused, not rebuilt
    g = np.concatenate([gpd.read_parquet(p).geometry.values for p in parts])
    assert shapely.area(g).sum() == pytest.approx(40 * 40 * 100.0**2, rel=1e-9)  # no gap
    assert len(g) >= 1600 and (shapely.get_type_id(g) == 3).all()
    assert shapely.coverage_is_valid(g)  # and no overlap


def test_engine_and_peers_return_equal_areas(bench, parts):
    e1 = bench.run_engine(parts, 60, "threads:1")
    e2 = bench.run_engine(parts, 60, "threads:2")
    assert e1["area_m2"] > 0 and e1["area_m2"] == e2["area_m2"] and e2["pieces"] == e1["pieces"]
    assert e2["cpu_s"] > 0 and e2["peak_mib"] > 0
    f = bench.run_flatten(parts)
    assert f["merged"] == 0 and f["rows"] == e1["rows"]
    ov = bench.run_overlay(parts, 60)
    assert ov["area_m2"] == pytest.approx(e1["area_m2"], rel=1e-9)
    pytest.importorskip("duckdb")
    if bench._duckdb_spatial() is None:
        pytest.skip("duckdb-extension-spatial is not installed")
    dk = bench.run_duckdb(parts, 60)
    assert dk["area_m2"] == pytest.approx(e1["area_m2"], rel=1e-9)
    row = {
        "cells": e1["rows"],
        "points": 60,
        "load_before": "0",
        "load_after": "0",
        "engine": e2,
        "engine_flatten_all": f,
        "duckdb": dk,
        "overlay": ov,
    }
    bench.print_conflict_row(row)


@pytest.mark.postgis
def test_postgis_returns_the_engine_area(bench, parts):
    url = os.environ.get("AREAL_TEST_POSTGIS_URL")
    if not url:
        pytest.skip("no PostGIS server (AREAL_TEST_POSTGIS_URL)")
    pytest.importorskip("psutil")
    e = bench.run_engine(parts, 60, "serial")
    pg = bench.run_postgis(parts, 60, url, 120)
    assert pg["area_m2"] == pytest.approx(e["area_m2"], rel=1e-9)
    assert pg["pieces"] > 0 and pg["load_s"] > 0 and set(pg["runs"]) == {"serial", "2 parallel workers"}


def test_the_cli_parses_quick_sizes(bench, monkeypatch):
    seen = {}
    monkeypatch.setattr(
        bench, "bench_conflicts", lambda sizes, points, **kw: seen.update(sizes=sizes, points=points)
    )
    monkeypatch.setattr(bench, "bench_threads", lambda size, points, t, r: seen.update(size=size))
    bench.main(["conflicts", "--quick"])
    bench.main(["threads", "--quick"])
    assert seen == {"sizes": [20_000], "points": 300, "size": 20_000}


def test_suitability_and_national_reports_from_run_results(bench, monkeypatch, capsys):
    run = {
        "scheduler": "dask tcp://x (2 worker threads)",
        "res_m": 100.0,
        "region": "norway",
        "shape": [100, 200],
        "cells": 20_000,
        "tile": 50,
        "tiles": 8,
        "tiles_without_eligible_land": 2,
        "wall_s": 4.0,
        "cpu_s": 7.0,
        "peak_mib": 900.0,
        "sites": 3,
        "digest": "abc",
        "municipalities": 357,
    }
    monkeypatch.setattr(bench, "_child", lambda fn, kw, t: dict(run, scheduler=kw["scheduler"]))
    nat = bench.bench_national(quick=False, timeout_s=10)
    assert nat["per_tile_worker_s"] == pytest.approx(4.0 * 2 / 8)
    assert nat["tiles_10m"] == pytest.approx(8 * 100) and nat["projected_10m_16_workers_s"] == pytest.approx(
        800 * 1.0 / 16
    )
    suit = bench.bench_suitability(quick=True, timeout_s=10)
    assert set(suit["runs"]) == {"threads:2", "local:2"}
    out = capsys.readouterr().out
    assert "results identical: True" in out and "tiles/s" in out and "projected 10 m" in out


def test_the_digest_changes_with_the_result(bench):
    from types import SimpleNamespace

    import pandas as pd

    a = SimpleNamespace(
        area_lost=pd.DataFrame({"x": [1]}), n_candidate_cells=5, score_sum=1.5, n_tiles=2, sites=None
    )
    b = SimpleNamespace(**{**vars(a), "score_sum": 1.5000001})
    assert bench._digest(a) == bench._digest(SimpleNamespace(**vars(a))) != bench._digest(b)


def test_repeated_rounds_report_medians_and_keep_every_round(bench):
    runs = [
        {"wall_s": 3.0, "cpu_s": 1.0, "pieces": 3},
        {"wall_s": 1.0, "cpu_s": 5.0, "pieces": 1},
        {"error": "exit 1"},
        {"wall_s": 2.0, "cpu_s": 2.0, "pieces": 2},
    ]
    m = bench._median_run(runs)
    # wall and CPU are medians of their own (of the three runs that finished); the other figures
    # come from the run of median wall time
    assert (m["wall_s"], m["cpu_s"], m["pieces"]) == (2.0, 2.0, 2)
    assert m["runs_wall_s"] == [3.0, 1.0, 2.0] and m["runs_cpu_s"] == [1.0, 5.0, 2.0]
    assert bench._median_run([{"error": "x"}]) == {"error": "x"}
