"""Suitability benchmarks over Trøndelag (real extracts in AREAL_DATA_DIR).

    python benchmarks/bench_suitability.py 100m            # full run + recompute after a weight change
    python benchmarks/bench_suitability.py 10m [--tile 2048] [--distance-res 100] [--workers 2] [--no-sites]
    python benchmarks/bench_suitability.py all

Each measurement runs in its own subprocess so peak memory (ru_maxrss) is that run's alone.
The baseline is the plain numpy arithmetic (full arrays, no cache, no tiling) in the same run; at
10 m it cannot fit in memory, so it is measured on a sub-window and the per-cell figure is scaled.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

PROFILE = "data_centre"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _setup(res: float):
    from areal.geo.grid import AnalysisGrid
    from areal.layers import loader
    from areal.layers.project_data import load_profile
    from areal.layers.suitability_inputs import load_suitability_inputs

    p = load_profile(PROFILE)
    inputs = load_suitability_inputs(p)
    grid = AnalysisGrid.for_region(loader.load("county"), res=res)
    return p, inputs, grid


def run_100m() -> dict:
    from areal.geo.suitability import build_model

    t0 = time.perf_counter()
    p, inputs, grid = _setup(100)
    t_load = time.perf_counter() - t0
    t1 = time.perf_counter()
    model = build_model(p, inputs, grid)
    t_build = time.perf_counter() - t1
    t2 = time.perf_counter()
    sites = model.sites()
    t_sites = time.perf_counter() - t2
    times = []
    for i in range(7):
        w = {model.criteria[0]: 0.2 + 0.05 * i}
        t = time.perf_counter()
        model.recompute(w)
        times.append(time.perf_counter() - t)
    # plain numpy baseline: full-grid arrays, weighted sum with NaN masking, threshold, label
    from scipy import ndimage

    scores = model.score_arrays()
    arrays = [np.nan_to_num(a) for a in scores.values()]
    base = []
    for i in range(3):
        t = time.perf_counter()
        w = model.weights_for({model.criteria[0]: 0.2 + 0.05 * i})
        s = sum(wi * a.astype(np.float64) for wi, a in zip(w, arrays))
        s = np.where(model.eligible, s, np.nan)
        lab, n = ndimage.label(s >= p.threshold, structure=np.ones((3, 3)))
        base.append(time.perf_counter() - t)
    return {
        "what": "100m",
        "shape": grid.shape,
        "cells": grid.width * grid.height,
        "load_s": t_load,
        "build_s": t_build,
        "sites_s": t_sites,
        "full_run_s": t_load + t_build + t_sites,
        "n_sites": len(sites),
        "recompute_median_s": float(np.median(times)),
        "recompute_max_s": float(np.max(times)),
        "baseline_recompute_median_s": float(np.median(base)),
        "peak_mib": _peak_mib(),
    }


def run_10m(tile: int, distance_res: float | None, workers: int, sites: bool) -> dict:
    from areal.geo.windowed import run_windowed

    p, inputs, grid = _setup(10)
    n = [0]
    t0 = time.perf_counter()
    res = run_windowed(
        p,
        inputs,
        grid,
        tile=tile,
        distance_res=distance_res,
        workers=workers,
        sites=sites,
        progress=lambda k: n.__setitem__(0, n[0] + k),
    )
    dt = time.perf_counter() - t0
    return {
        "what": "10m windowed",
        "shape": grid.shape,
        "cells": grid.width * grid.height,
        "tile": tile,
        "distance_res": distance_res,
        "workers": workers,
        "tiles": res.n_tiles,
        "tiles_without_eligible_land": res.n_skipped_tiles,
        "seconds": dt,
        "peak_mib": _peak_mib(),
        "candidate_cells": res.n_candidate_cells,
        "sites": None if res.sites is None else len(res.sites),
        "load_average": os.getloadavg()[0],
    }


def run_baseline_10m(size: int) -> dict:
    """Plain numpy on a size×size window of the 10 m grid around Trondheim: full arrays, exact EDT."""
    from areal.geo import criteria as C
    from areal.geo.grid import land_mask, rasterize
    from areal.geo.suitability_plan import plan
    from scipy import ndimage

    p, inputs, grid = _setup(10)
    r0, c0 = 2 * grid.height // 5, grid.width // 3
    sub = grid.subgrid(r0, c0, size, size)
    pl = plan(p, inputs)
    t0 = time.perf_counter()
    land = land_mask(inputs.land, sub)
    excl = np.zeros(sub.shape, bool)
    for _, gdf in pl.exclusions:
        excl |= rasterize(gdf, sub, all_touched=True).astype(bool)
    total = np.zeros(sub.shape)
    for c, w in zip(pl.criteria, pl.weights):
        src = pl.criterion_frames[c.id]
        if c.kind == "distance":
            tgt = rasterize(src, sub, all_touched=True).astype(bool)
            raw = (
                ndimage.distance_transform_edt(~tgt, sampling=(sub.res, sub.res))
                if tgt.any()
                else np.full(sub.shape, np.inf)
            )
        elif c.kind == "categorical":
            raw = C.categorical_scores(src, sub, default=c.default)
        else:
            elev = C.raster_on_grid(src.values, src.transform, src.crs, sub, nodata=src.nodata)
            raw = C.slope_degrees(elev, sub.res)
        score = raw if c.kind == "categorical" else np.nan_to_num(C.apply_value_function(raw, c.value))
        total += w * score
    total[~(land & ~excl)] = np.nan
    dt = time.perf_counter() - t0
    return {
        "what": "10m numpy baseline (sub-window, exact uncapped EDT)",
        "cells": size * size,
        "seconds": dt,
        "peak_mib": _peak_mib(),
        "s_per_mcell": dt / (size * size / 1e6),
    }


def _child(args: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["100m", "10m", "all"])
    ap.add_argument("--tile", type=int, default=2048)
    ap.add_argument("--distance-res", type=float, default=100.0)
    ap.add_argument("--baseline-size", type=int, default=4000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-sites", action="store_true", help="10 m run without candidate sites")
    ap.add_argument("--child", action="store_true")
    a, rest = ap.parse_known_args()
    if a.child:
        if a.what == "100m":
            r = run_100m()
        elif rest and rest[0] == "baseline":
            r = run_baseline_10m(a.baseline_size)
        else:
            r = run_10m(a.tile, a.distance_res or None, a.workers, not a.no_sites)
        print(json.dumps(r, default=float))
        return
    results = []
    if a.what in ("100m", "all"):
        r = _child(["100m"])
        results.append(r)
        print(f"100 m, {r['shape'][0]}×{r['shape'][1]} = {r['cells'] / 1e6:.1f} M cells ({PROFILE}):")
        print(
            f"  full run {r['full_run_s']:.1f} s (load {r['load_s']:.1f}, build {r['build_s']:.1f}, "
            f"sites {r['sites_s']:.1f}); {r['n_sites']} sites; peak {r['peak_mib']:.0f} MiB"
        )
        print(
            f"  recompute after a weight change: median {r['recompute_median_s']:.3f} s, max "
            f"{r['recompute_max_s']:.3f} s (target <= 0.3 s); plain numpy full-grid baseline "
            f"{r['baseline_recompute_median_s']:.3f} s -> {r['baseline_recompute_median_s'] / r['recompute_median_s']:.1f}x"
        )
    if a.what in ("10m", "all"):
        b = _child(["10m", "baseline", "--baseline-size", str(a.baseline_size)])
        r = _child(
            ["10m", "--tile", str(a.tile), "--distance-res", str(a.distance_res), "--workers", str(a.workers)]
            + (["--no-sites"] if a.no_sites else [])
        )
        results += [b, r]
        print(
            f"10 m, {r['shape'][0]}×{r['shape'][1]} = {r['cells'] / 1e9:.2f} G cells, windowed tile {r['tile']}, "
            f"distance lattice {r['distance_res']} m, {r['workers']} threads, sites {r['sites']}: "
            f"{r['seconds']:.1f} s, peak {r['peak_mib']:.0f} MiB (targets 60 s, 2048 MiB); "
            f"{r['tiles']} tiles, {r['tiles_without_eligible_land']} without eligible land; "
            f"load average at the end {r['load_average']:.1f}"
        )
        est = b["s_per_mcell"] * r["cells"] / 1e6
        print(
            f"  numpy baseline on {b['cells'] / 1e6:.0f} M cells: {b['seconds']:.1f} s, peak {b['peak_mib']:.0f} MiB "
            f"-> {b['s_per_mcell']:.3f} s/M cells, {est:.0f} s if scaled to the county "
            f"(and ~{r['cells'] * 8 * 3 / 2**30:.0f} GiB of float64 arrays: cannot fit) -> windowed is {est / r['seconds']:.1f}x"
        )
    print(json.dumps(results, default=float))


if __name__ == "__main__":
    main()
