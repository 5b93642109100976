"""Benchmark: the conflict engine (geo.overlay) against plain ``geopandas.overlay`` on the same inputs.

Run from the repository root (takes about two minutes on 2 cores)::

    AREAL_DATA_DIR=/path/to/data python benchmarks/bench_conflicts.py

Cases: pairs of real extracts (N1000 forest, mire, national parks, built-up; the reindeer pasture
outline), and a seeded synthetic AR5-like mosaic of 202,500 jittered Voronoi polygons against the real
N1000 forest (or seeded blobs when the extracts are absent). For each case it prints wall time, peak
memory and the speed ratio, and the relative difference of the total intersection area.

Memory: ``rss`` is the rise of the process high-water mark during the timed run (Linux VmHWM, reset
before each run), which sees GEOS' C heap too; with ``--tracemalloc`` a second, traced pass adds the
Python-heap peak (``py``; Python and numpy allocations only). Timed runs are never traced.
The engine time includes flattening both inputs (the overlap check) and building every piece's
geometry; geopandas.overlay gets the raw frames. The ``overlaps`` column counts features that
overlap another inside the same layer: there the engine counts the ground once and the plain overlay
once per feature, so their areas differ by design.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from areal.geo.overlay import flatten, intersect

CRS = 25833
ORIGIN = (250_000.0, 7_000_000.0)  # Trondheim region, EPSG:25833
AR5_CODES = np.array(["11", "12", "21", "22", "23", "30", "50", "60", "81"])
AR5_WEIGHTS = np.array([0.04, 0.03, 0.08, 0.02, 0.04, 0.55, 0.12, 0.08, 0.04])


def voronoi_mosaic(n_side: int, cell: float = 100.0, seed: int = 2841, origin=ORIGIN) -> gpd.GeoDataFrame:
    """A seeded AR5-like mosaic: ``n_side²`` jittered Voronoi cells with AR5 area-type codes."""
    rng = np.random.default_rng(seed)
    g = np.arange(n_side) * cell
    gx, gy = np.meshgrid(g, g)
    pts = np.c_[
        gx.ravel() + rng.uniform(0.1, 0.9, gx.size) * cell, gy.ravel() + rng.uniform(0.1, 0.9, gy.size) * cell
    ]
    pts += origin
    ext = shapely.box(origin[0], origin[1], origin[0] + n_side * cell, origin[1] + n_side * cell)
    vor = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=ext, ordered=True)
    cells = shapely.intersection(shapely.get_parts(vor), ext)
    codes = rng.choice(AR5_CODES, size=len(cells), p=AR5_WEIGHTS)
    return gpd.GeoDataFrame({"arealtype": codes}, geometry=cells, crs=CRS)


def blobs(n: int, extent: float, seed: int = 7, origin=ORIGIN) -> gpd.GeoDataFrame:
    """Seeded large irregular polygons (unioned buffered points) covering part of the extent."""
    rng = np.random.default_rng(seed)
    c = rng.uniform(origin, (origin[0] + extent, origin[1] + extent), (n, 2))
    u = shapely.union_all(
        shapely.buffer(shapely.points(c), rng.uniform(extent / 100, extent / 15, n), quad_segs=16)
    )
    parts = shapely.get_parts(u)
    return gpd.GeoDataFrame({"blob": np.arange(len(parts))}, geometry=parts, crs=CRS)


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_hwm() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


@dataclass
class Measure:
    seconds: float
    py_peak_mb: float
    rss_peak_mb: float
    area_m2: float
    n_pieces: int


def measure(fn, traced: bool = False) -> Measure:
    """Run ``fn() -> (area, n_pieces)`` once, timing it and recording the peak RSS rise.

    With ``traced`` the run is under tracemalloc (slower, so it is a separate pass from the timing).
    """
    gc.collect()
    base = _rss_kib("VmRSS")
    hwm_ok = _reset_hwm()
    if traced:
        tracemalloc.start()
    t0 = time.perf_counter()
    area, n = fn()
    dt = time.perf_counter() - t0
    peak = 0
    if traced:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    rss = (_rss_kib("VmHWM") - base) / 1024 if hwm_ok else float("nan")
    return Measure(dt, peak / 2**20 if traced else float("nan"), rss, float(area), int(n))


def engine_run(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, chunk_size: int = 50_000):
    fa = flatten(a.geometry.values)
    fb = flatten(b.geometry.values)
    p = intersect(fa.geoms, fb.geoms, chunk_size=chunk_size)
    return p.area.sum(), len(p)


def overlay_run(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame):
    r = gpd.overlay(a, b, how="intersection", keep_geom_type=True)
    return r.area.sum(), len(r)


def run_case(name: str, a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, traced: bool = False) -> dict:
    """Measure the engine and geopandas.overlay on the same inputs; return one result row.

    Runs taking under a second are repeated (best of 3) to damp timer noise.
    """
    eng = measure(lambda: engine_run(a, b))
    ref = measure(lambda: overlay_run(a, b))
    if ref.seconds < 1.0:
        eng = min([eng] + [measure(lambda: engine_run(a, b)) for _ in range(2)], key=lambda m: m.seconds)
        ref = min([ref] + [measure(lambda: overlay_run(a, b)) for _ in range(2)], key=lambda m: m.seconds)
    if traced:
        eng.py_peak_mb = measure(lambda: engine_run(a, b), traced=True).py_peak_mb
        ref.py_peak_mb = measure(lambda: overlay_run(a, b), traced=True).py_peak_mb
    rel = abs(eng.area_m2 - ref.area_m2) / ref.area_m2 if ref.area_m2 else abs(eng.area_m2)
    return {
        "case": name,
        "n_a": len(a),
        "n_b": len(b),
        "engine_s": eng.seconds,
        "overlay_s": ref.seconds,
        "ratio": ref.seconds / eng.seconds if eng.seconds else float("inf"),
        "engine_py_mb": eng.py_peak_mb,
        "overlay_py_mb": ref.py_peak_mb,
        "engine_rss_mb": eng.rss_peak_mb,
        "overlay_rss_mb": ref.rss_peak_mb,
        "area_ha": eng.area_m2 / 1e4,
        "rel_area_diff": rel,
        "merged": flatten(a.geometry.values).n_merged + flatten(b.geometry.values).n_merged,
        "pieces": eng.n_pieces,
        "overlay_rows": ref.n_pieces,
    }


def real_cases(data_dir: str | None) -> list[tuple[str, gpd.GeoDataFrame, gpd.GeoDataFrame]]:
    from areal.layers import loader

    try:
        lay = {
            k: loader.load(k, data_dir)
            for k in (
                "forest",
                "mire",
                "national_parks",
                "built_up",
                "reindeer_pasture_outline",
                "reindeer_migration_routes",
                "wild_reindeer",
                "protected_areas",
                "sea",
            )
        }
    except FileNotFoundError as exc:
        print(f"real extracts not found ({exc}); real cases skipped")
        return []
    return [
        ("forest × mire (N1000)", lay["forest"], lay["mire"]),
        ("forest × national_parks", lay["forest"], lay["national_parks"]),
        ("mire × national_parks", lay["mire"], lay["national_parks"]),
        ("forest × built_up", lay["forest"], lay["built_up"]),
        ("mire × built_up", lay["mire"], lay["built_up"]),
        ("national_parks × built_up", lay["national_parks"], lay["built_up"]),
        ("reindeer_pasture_outline × forest", lay["reindeer_pasture_outline"], lay["forest"]),
        ("reindeer_pasture_outline × mire", lay["reindeer_pasture_outline"], lay["mire"]),
        ("migration_routes × forest", lay["reindeer_migration_routes"], lay["forest"]),
        ("wild_reindeer × national_parks", lay["wild_reindeer"], lay["national_parks"]),
        ("protected_areas × sea", lay["protected_areas"], lay["sea"]),
    ]


def print_table(rows: list[dict]) -> None:
    head = (
        f"{'case':36} {'n_a':>8} {'n_b':>6} {'engine s':>9} {'overlay s':>10} {'ratio':>7} "
        f"{'py MB eng/ovl':>15} {'rss MB eng/ovl':>15} {'area ha':>12} {'rel diff':>9} {'overlaps':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['case'][:36]:36} {r['n_a']:>8,} {r['n_b']:>6,} {r['engine_s']:>9.3f} {r['overlay_s']:>10.3f} "
            f"{r['ratio']:>6.1f}x {r['engine_py_mb']:>7.0f}/{r['overlay_py_mb']:<7.0f} "
            f"{r['engine_rss_mb']:>7.0f}/{r['overlay_rss_mb']:<7.0f} {r['area_ha']:>12,.1f} {r['rel_area_diff']:>9.1e} {r['merged']:>8}"
        )


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-side", type=int, default=450, help="mosaic is n_side² cells (default 450 → 202,500)")
    ap.add_argument("--no-real", action="store_true", help="skip the real extracts")
    ap.add_argument("--data-dir", default=None, help="data directory (default $AREAL_DATA_DIR)")
    ap.add_argument(
        "--tracemalloc",
        action="store_true",
        help="add a traced pass per case for the Python-heap peak (doubles the run time)",
    )
    args = ap.parse_args(argv)
    rows = []
    cases = [] if args.no_real else real_cases(args.data_dir)
    t = time.perf_counter()
    mosaic = voronoi_mosaic(args.n_side)
    print(
        f"synthetic mosaic: {len(mosaic):,} Voronoi cells of ~1 ha, seed 2841, built in {time.perf_counter() - t:.1f} s"
    )
    if cases:
        forest = cases[0][1]
        cases.append(
            (
                "AR5-like mosaic × N1000 forest",
                mosaic,
                forest[forest.intersects(shapely.box(*mosaic.total_bounds))],
            )
        )
    cases.append(("AR5-like mosaic × seeded blobs", mosaic, blobs(300, args.n_side * 100.0)))
    for name, a, b in cases:
        rows.append(run_case(name, a, b, traced=args.tracemalloc))
        if len(rows) == 1:
            print_table(rows)
        else:
            print_table_row(rows[-1])
    syn = [r for r in rows if "mosaic" in r["case"]]
    real = [r for r in rows if "mosaic" not in r["case"]]
    clean = [r["rel_area_diff"] for r in rows if r["merged"] == 0]
    print(
        f"\nlargest relative area difference engine vs geopandas.overlay where no layer overlaps itself: "
        f"{max(clean):.1e}"
    )
    print(
        "(where 'overlaps' > 0, features overlap inside a layer: the engine counts that ground once,"
        " geopandas.overlay once per feature)"
    )
    if real:
        e, o = sum(r["engine_s"] for r in real), sum(r["overlay_s"] for r in real)
        print(f"real extracts, all pairs: engine {e:.2f} s, geopandas.overlay {o:.2f} s, ratio {o / e:.1f}x")
    for r in syn:
        print(
            f"synthetic {r['n_a']:,}-polygon mosaic: engine {r['engine_s']:.2f} s, geopandas.overlay "
            f"{r['overlay_s']:.2f} s, ratio {r['ratio']:.1f}x at relative area difference {r['rel_area_diff']:.1e}"
        )
    return rows


def print_table_row(r: dict) -> None:
    print(
        f"{r['case'][:36]:36} {r['n_a']:>8,} {r['n_b']:>6,} {r['engine_s']:>9.3f} {r['overlay_s']:>10.3f} "
        f"{r['ratio']:>6.1f}x {r['engine_py_mb']:>7.0f}/{r['overlay_py_mb']:<7.0f} "
        f"{r['engine_rss_mb']:>7.0f}/{r['overlay_rss_mb']:<7.0f} {r['area_ha']:>12,.1f} {r['rel_area_diff']:>9.1e} {r['merged']:>8}"
    )


if __name__ == "__main__":
    main()
