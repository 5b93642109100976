"""Map payload and first paint of the app (prints figures; not a timed test).

1. GeoJSON bytes a page holds, per zoom band, with the default layers and with *every* layer on,
   against the plain baseline (whole layers at full detail, what inlining them into folium would
   send).
2. First paint: ``areal serve`` in a subprocess, headless Debian chromium with the network
   blocked, time from navigation until every default layer is drawn (median of 5 visits after a
   warm-up visit).

Run: ``AREAL_DATA_DIR=... python benchmarks/app_map.py``
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import urllib.request

from areal.apps.planner import mapping
from areal.apps.planner.data import AppData
from areal.apps.planner.server import free_port

VIEW = (9.9, 63.2, 10.9, 63.65)  # a Trondheim-sized viewport for the clipped bands


def payload() -> None:
    data = AppData.load()
    ids, default = data.vector_ids(), data.default_visible()
    full = sum(len(mapping.layer_geojson(data.layers[i], data.spec(i), mapping.ZOOM_BANDS[-1])) for i in ids)
    full_default = sum(
        len(mapping.layer_geojson(data.layers[i], data.spec(i), mapping.ZOOM_BANDS[-1])) for i in default
    )
    print(
        f"{len(ids)} vector layers, {len(default)} on by default; per-layer budget {data.layer_budget():,} B"
    )
    print(
        f"baseline (whole layers, full detail): default layers {full_default / 1024:,.0f} KiB, "
        f"all layers {full / 1024:,.0f} KiB"
    )
    print(f"{'band':>4} {'zooms':>7} {'tol m':>6} {'default KiB':>12} {'all KiB':>9} {'all/baseline':>13}")
    lo = 0
    for b in mapping.ZOOM_BANDS:
        bbox = None if b.whole_layer else VIEW
        t0 = time.perf_counter()
        d = sum(len(data.geojson(i, b.index, bbox)) for i in default)
        a = sum(len(data.geojson(i, b.index, bbox)) for i in ids)
        dt = time.perf_counter() - t0
        print(
            f"{b.index:>4} {lo:>3}-{min(b.max_zoom, 19):<3} {b.tolerance_m:>6.0f} {d / 1024:>12,.0f} {a / 1024:>9,.0f} "
            f"{a / full:>12.2f}x  (built in {dt:.2f} s)"
        )
        lo = b.max_zoom + 1
    print(f"page budget: {mapping.PAGE_BUDGET_BYTES / 1024**2:.0f} MiB")


def first_paint(n: int = 5) -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from areal.apps.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--no-show",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as p:
            b = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--no-first-run",
                ],
            )
            times, sizes = [], []
            for i in range(n + 1):
                page = b.new_page(viewport={"width": 1400, "height": 900})
                page.route(
                    "**/*",
                    lambda r: (
                        r.continue_()
                        if r.request.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:"))
                        else r.abort()
                    ),
                )
                t0 = time.perf_counter()
                page.goto(url)
                page.wait_for_selector(".areal-map[data-loaded='1']", timeout=60_000)
                if i:  # the first visit warms the server up
                    times.append(time.perf_counter() - t0)
                    sizes.append(int(page.get_attribute(".areal-map", "data-geojson-bytes")))
                page.close()
            b.close()
        print(
            f"first paint with the default layers, network blocked: median {statistics.median(times):.2f} s, "
            f"max {max(times):.2f} s over {n} visits; GeoJSON on the page {sizes[0] / 1024:,.0f} KiB"
        )
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    print(f"machine: {os.cpu_count()} cores")
    payload()
    first_paint()
