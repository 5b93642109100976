"""Indicator use cases: the catalogue (``data/indicators``) computed for the 38 municipalities.

Shared by ``areal indicators`` and ``areal report`` (the app computes the same table from its
loaded layers in :meth:`areal.apps.planner.engines.Engines.indicator_table`).
"""

from __future__ import annotations

import time
from pathlib import Path


def compute_indicator_table(
    data_dir: Path | None,
    *,
    profile_resolution: float = 250.0,
    business_areas: Path | None = None,
    timings: dict | None = None,
    catalogue: Path | None = None,
):
    """Load the catalogue and inputs and compute the table (shared by ``indicators``, ``report``)."""
    from areal.geo.indicators import compute_indicators
    from areal.layers.indicator_inputs import load_indicator_inputs
    from areal.layers.project_data import load_indicators

    inds = load_indicators(catalogue)
    extra = {}
    if business_areas is not None:
        extra["business_areas"] = read_business_areas(business_areas)
    inputs = load_indicator_inputs(
        inds, data_dir, profile_resolution=profile_resolution, extra_layers=extra, timings=timings
    )
    t = time.perf_counter()
    table = compute_indicators(inds, inputs)
    if timings is not None:
        timings["indicators"] = time.perf_counter() - t
    return table, inputs


def read_business_areas(path: Path):
    """Import a planned-business-area file (official kommuneplan schema) through the loader's cleaning pipeline."""
    import geopandas as gpd
    from areal.geo.errors import LayerReadError
    from areal.layers import loader, registry

    try:
        raw = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise LayerReadError(f"cannot read business-area file {path}: {exc}") from exc
    return loader.clean(raw, registry.get("business_areas"), str(path), loader.LoadReport("business_areas"))
