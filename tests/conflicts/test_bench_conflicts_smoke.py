"""Tiny smoke test of the benchmark's functions (the benchmark itself is not part of pytest)."""

import importlib.util
import sys
from pathlib import Path

import pytest
import shapely

BENCH = Path(__file__).parents[2] / "benchmarks" / "bench_conflicts.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_conflicts", BENCH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def test_mosaic_is_a_seeded_gapless_coverage(bench):
    m = bench.voronoi_mosaic(12, cell=100.0)
    assert len(m) == 144 and m.crs.to_epsg() == 25833
    assert m.area.sum() == pytest.approx(1200.0 * 1200.0, rel=1e-12)
    assert shapely.coverage_is_valid(m.geometry.values)
    assert (bench.voronoi_mosaic(12, cell=100.0).geometry.values == m.geometry.values).all()
    assert set(m.arealtype) <= set(bench.AR5_CODES)


def test_run_case_reports_equal_areas_and_a_ratio(bench):
    m = bench.voronoi_mosaic(15, cell=100.0)
    b = bench.blobs(5, 1500.0)
    row = bench.run_case("tiny", m, b)
    assert row["rel_area_diff"] < 1e-9 and row["area_ha"] > 0 and row["merged"] == 0
    assert row["ratio"] > 0 and row["engine_s"] > 0 and row["overlay_s"] > 0
    assert row["pieces"] == row["overlay_rows"]
