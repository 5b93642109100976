"""The ``farmland`` layer: farmland from the best source the data directory holds.

AR5 (1:5 000) where AR5 is mapped; else AR50 (1:50 000) where AR50 is; else N50 Kartdata's
``DyrketMark`` (1:50 000). Each source fills only the land no better source maps (its coverage
minus theirs, :mod:`areal.layers.coverage`), so a square metre has one source. Every feature
carries ``source`` (layer id), ``source_name`` and ``scale``; ``attrs["farmland_sources"]`` lists
the sources used with their hectares, and ``attrs["coverage"]`` (WKB) where the composite is
mapped at all. Rules, accounts and reports read this one layer and name the source and scale.

The composite is built by :func:`build_farmland`, which :func:`areal.layers.loader.load` calls for
``load("farmland")``; the component layers use the loader's cache.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.geo.crs import WORKING_CRS
from areal.geo.errors import LayerMissingError
from areal.geo.geometry import M2_PER_HA


@dataclass(frozen=True)
class FarmlandSource:
    """One source of the composite: a layer, the class that is farmland in it, and its scale."""

    layer: str
    name: str
    scale: str
    column: str
    values: tuple[str, ...]


SOURCES: tuple[FarmlandSource, ...] = (
    FarmlandSource("ar5", "AR5 (NIBIO)", "1:5 000", "arealtype", ("21", "22", "23")),
    FarmlandSource("ar50", "AR50 (NIBIO)", "1:50 000", "arealtype", ("20",)),
    FarmlandSource(
        "n50_arealdekke", "N50 Arealdekke, DyrketMark (Kartverket)", "1:50 000", "objtype", ("DyrketMark",)
    ),
)
"""The sources, best first."""


def compose(
    frames: dict[str, gpd.GeoDataFrame], coverages: dict[str, shapely.Geometry | None]
) -> gpd.GeoDataFrame:
    """The composite of loaded source layers (pure: frames and coverage geometries in).

    ``coverages[layer]`` None means the layer covers everywhere: the sources after it add nothing.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> ar5 = gpd.GeoDataFrame({"arealtype": ["21"]}, geometry=[box(0, 0, 10, 10)], crs=25833)
    >>> n50 = gpd.GeoDataFrame({"objtype": ["DyrketMark", "DyrketMark"]},
    ...                        geometry=[box(5, 0, 30, 10), box(40, 0, 50, 10)], crs=25833)
    >>> f = compose({"ar5": ar5, "n50_arealdekke": n50}, {"ar5": box(0, 0, 20, 10), "n50_arealdekke": None})
    >>> f[["source", "scale"]].assign(m2=f.area.round(1)).values.tolist()
    [['ar5', '1:5 000', 100.0], ['n50_arealdekke', '1:50 000', 100.0], ['n50_arealdekke', '1:50 000', 100.0]]
    """
    parts, used = [], []
    taken: shapely.Geometry | None = shapely.Polygon()  # land a better source maps
    for src in SOURCES:
        gdf = frames.get(src.layer)
        if gdf is None or taken is None:
            continue
        gdf = gdf.to_crs(WORKING_CRS) if gdf.crs is not None and not gdf.crs.equals(WORKING_CRS) else gdf
        sel = gdf[gdf[src.column].astype(str).str.strip().isin(src.values).to_numpy()]
        geoms = np.asarray(sel.geometry.values, dtype=object)
        if not taken.is_empty and len(geoms):
            geoms = shapely.difference(geoms, taken)
        keep = ~shapely.is_empty(geoms) & (shapely.area(geoms) > 0)
        cov = coverages.get(src.layer)
        part = pd.DataFrame(
            {
                "source": src.layer,
                "source_name": src.name,
                "scale": src.scale,
                src.column: sel[src.column].astype(str).to_numpy()[keep],
            }
        )
        parts.append(gpd.GeoDataFrame(part, geometry=list(geoms[keep]), crs=WORKING_CRS))
        used.append(
            {
                "layer": src.layer,
                "name": src.name,
                "scale": src.scale,
                "farmland_ha": float(shapely.area(geoms[keep]).sum()) / M2_PER_HA,
                "mapped_ha": (
                    float(shapely.difference(cov, taken).area) / M2_PER_HA
                    if cov is not None
                    else float("nan")
                ),
            }
        )
        taken = None if cov is None else shapely.union(taken, cov)
    if not parts:
        raise LayerMissingError(
            "layer 'farmland' is missing: none of its sources (AR5, AR50, N50 Arealdekke) is in the data "
            "directory. To get one, run `areal fetch farmland` (the best open source), or "
            "`areal import FILE --as ar5` / `--as n50_arealdekke`.",
            key="layer_missing",
            params={"layer": "farmland"},
        )
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=WORKING_CRS)
    out.attrs["farmland_sources"] = used
    out.attrs["coverage"] = None if taken is None else shapely.to_wkb(taken)
    return out


def build_farmland(
    data_dir: str | os.PathLike | None = None, *, cache: bool = True, cache_dir=None
) -> gpd.GeoDataFrame:
    """Load the source layers present in the data directory and compose them (see :func:`compose`)."""
    from areal.layers import loader
    from areal.layers.coverage import coverage_geometry

    frames, coverages, reports = {}, {}, []
    for src in SOURCES:
        try:
            gdf = loader.load(src.layer, data_dir, cache=cache, cache_dir=cache_dir)
        except LayerMissingError:
            continue
        frames[src.layer] = gdf
        coverages[src.layer] = coverage_geometry(src.layer, data_dir, frame=gdf).geometry
        reports.append(gdf.attrs.get("load_report", {}))
    out = compose(frames, coverages)
    out.attrs["load_report"] = {
        "layer": "farmland",
        "sources": [s for r in reports for s in r.get("sources", [])],
        "origin": "composite",
        "from_cache": False,
        "n_read": sum(r.get("n_features", 0) for r in reports),
        "n_features": len(out),
        "problems": [p for r in reports for p in r.get("problems", [])],
        "problem_notes": [p for r in reports for p in r.get("problem_notes", [])],
    }
    return out


def describe_sources(gdf: gpd.GeoDataFrame, lang: str = "nb") -> str:
    """One line naming the sources and scales of a composite (for notes, reports and the CLI).

    >>> from shapely.geometry import box
    >>> f = compose({"n50_arealdekke": gpd.GeoDataFrame({"objtype": ["DyrketMark"]},
    ...              geometry=[box(0, 0, 100, 100)], crs=25833)}, {"n50_arealdekke": box(0, 0, 200, 200)})
    >>> describe_sources(f)
    'jordbruksareal fra N50 Arealdekke, DyrketMark (Kartverket) (1:50 000): 1,0 ha'
    >>> describe_sources(f, "en")
    'farmland from N50 Arealdekke, DyrketMark (Kartverket) (1:50 000): 1.0 ha'
    """
    used = gdf.attrs.get("farmland_sources") or []
    if lang == "en":
        parts = [f"{u['name']} ({u['scale']}): {u['farmland_ha']:,.1f} ha" for u in used]
        return "farmland from " + "; ".join(parts)
    parts = [f"{u['name']} ({u['scale']}): {_nb(u['farmland_ha'])} ha" for u in used]
    return "jordbruksareal fra " + "; ".join(parts)


def _nb(x: float) -> str:
    # decimal comma, no-break space between thousands (the project's Norwegian number style)
    return f"{x:,.1f}".replace(",", "\u00a0").replace(".", ",")


def coverage_of(gdf: gpd.GeoDataFrame) -> shapely.Geometry | None:
    """Where a composite is mapped (None: everywhere)."""
    wkb = gdf.attrs.get("coverage")
    return None if wkb is None else shapely.from_wkb(wkb)


__all__ = ["SOURCES", "FarmlandSource", "build_farmland", "compose", "coverage_of", "describe_sources"]
