"""Build the packaged starter extract (``layers/starter/*.parquet``) from the full data.

Only layers whose licence allows redistribution (Kartverket CC BY 4.0, NLOD) are included,
simplified for display, as GeoParquet in EPSG:25833; the total must stay under 5 MB.

Usage::

    AREAL_DATA_DIR=../shared/data python scripts/build_starter.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import shapely
from areal.geo.geometry import repair_geometries
from areal.layers import loader, registry, settings

# Simplification tolerance in metres per layer (display at county scale; analysis uses full data).
TOLERANCE = {
    "municipalities": 40.0,
    "municipalities_sea": 150.0,
    "county": 75.0,
    "forest": 75.0,
    "mire": 75.0,
    "open_land": 75.0,
    "built_up": 50.0,
    "lakes": 100.0,
    "national_parks": 100.0,
    "protected_areas": 50.0,
    "roads": 100.0,
    "railway": 100.0,
    "power_lines": 100.0,
}
MIN_AREA_M2 = {"forest": 50_000.0, "mire": 50_000.0, "open_land": 50_000.0, "lakes": 50_000.0}
LIMIT_BYTES = 5 * 1024 * 1024


def build(out_dir: Path) -> dict:
    """Write the starter files and a manifest; return the manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.parquet"):
        old.unlink()
    manifest = {"layers": {}, "note": "Simplified copy for first start; run `areal fetch` for full data."}
    for spec in registry.specs():
        if not spec.redistributable or spec.kind != "vector" or spec.id == "test_arenas":
            continue
        gdf = loader.load(spec.id)
        if gdf.attrs["load_report"].get("origin") == "starter":
            continue
        tol = TOLERANCE.get(spec.id)
        if tol:
            gdf = gdf.copy()
            gdf["geometry"] = shapely.simplify(gdf.geometry.values, tol, preserve_topology=True)
            gdf, _ = repair_geometries(gdf, "polygon" if spec.geometry_type == "Polygon" else None)
        if spec.id in MIN_AREA_M2:
            parts = gdf.explode(index_parts=False)
            gdf = parts[parts.area >= MIN_AREA_M2[spec.id]].dissolve().reset_index(drop=True)
        keep = [
            c
            for c in gdf.columns
            if c in set(spec.columns) | set(spec.tooltip) | {"kommunenummer", "kommunenavn", "geometry"}
        ]
        gdf = gdf[keep]
        path = out_dir / f"{spec.id}.parquet"
        gdf.to_parquet(path, compression="zstd", write_covering_bbox=False)
        manifest["layers"][spec.id] = {
            "features": len(gdf),
            "bytes": path.stat().st_size,
            "simplified_m": tol,
            "attribution": spec.attribution,
            "licence": spec.licence,
        }
    total = sum(v["bytes"] for v in manifest["layers"].values())
    manifest["total_bytes"] = total
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    if total > LIMIT_BYTES:
        raise SystemExit(f"starter extract is {total / 1e6:.2f} MB, over the 5 MB limit")
    return manifest


if __name__ == "__main__":
    m = build(settings.starter_dir())
    for k, v in m["layers"].items():
        print(f"{k:22} {v['features']:6} {v['bytes'] / 1024:8.1f} KiB")
    print(f"total {m['total_bytes'] / 1e6:.2f} MB")
    sys.exit(0)
