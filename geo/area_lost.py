"""Land removed by each exclusion of a suitability run, alone and marginally (GLAES-style).

Two measures, both reported so neither is mistaken for the other:

* :func:`area_lost` counts grid **cells** (``all_touched``: a cell an exclusion touches is lost),
  which is what the suitability grid removes; at 250 m a thin migration route loses far more
  cells than its own area.
* :func:`exact_area_lost` intersects the exclusion **polygons** with the land polygons: the
  hectares an exclusion really covers, alone and marginally (covered by it and no other).

:func:`merge_area_lost` puts them in one table: ``alone_area_*`` / ``marginal_area_*`` exact,
``cells_*`` and ``cells_alone_ha`` the cell count at the resolution named in ``cell_res_m``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import shapely
from areal.geo.geometry import area_columns
from areal.geo.grid import check_same_grid
from areal.geo.overlay import as_geometry_array, flat_overlay, flatten, intersect

AREA_LOST_METHODS = ("exact", "cells")
"""``exact``: polygon areas; ``cells``: cell counts × cell area (an exclusion without polygons)."""


def area_lost(land: np.ndarray, exclusions: Mapping[str, np.ndarray], cell_area: float) -> pd.DataFrame:
    """Grid cells removed by each exclusion, alone and marginally (GLAES-style): a **cell count**.

    Returns one row per exclusion with ``cells_alone`` (land cells the exclusion covers) and
    ``cells_marginal`` (land cells excluded by it and by no other), their areas in m², daa and ha
    (``alone_*``, ``marginal_*``: cells × ``cell_area``, every touched cell counted whole) and the
    share of land (``share_alone``), plus rows ``all exclusions`` (union) and ``remaining``
    (eligible land). For the exact areas use :func:`exact_area_lost` and :func:`merge_area_lost`.
    """
    names = list(exclusions)
    check_same_grid(land, *exclusions.values(), names=["land", *names])
    count = np.zeros(land.shape, dtype=np.uint8)
    for m in exclusions.values():
        count += m & land
    alone = {k: int(np.count_nonzero(m & land)) for k, m in exclusions.items()}
    marginal = {k: int(np.count_nonzero(m & land & (count == 1))) for k, m in exclusions.items()}
    n_land = int(np.count_nonzero(land))
    n_any = int(np.count_nonzero(count > 0))
    return area_lost_table(alone, marginal, n_land, n_any, cell_area)


def area_lost_table(
    alone: Mapping[str, int], marginal: Mapping[str, int], n_land: int, n_any: int, cell_area: float
) -> pd.DataFrame:
    """Build the :func:`area_lost` table from cell counts (also used by the windowed path)."""
    rows = []
    for k in alone:
        rows.append({"exclusion": k, "cells_alone": alone[k], "cells_marginal": marginal[k]})
    rows.append({"exclusion": "all exclusions", "cells_alone": n_any, "cells_marginal": n_any})
    rows.append({"exclusion": "remaining", "cells_alone": n_land - n_any, "cells_marginal": n_land - n_any})
    df = pd.DataFrame(rows)
    for prefix, col in (("alone", "cells_alone"), ("marginal", "cells_marginal")):
        for k, v in area_columns(df[col].to_numpy() * cell_area).items():
            df[f"{prefix}_{k}"] = v
    df["share_alone"] = df["cells_alone"] / n_land if n_land else np.nan
    return df


def _polygons(geoms) -> np.ndarray:
    g = as_geometry_array(geoms)
    g = g[~shapely.is_missing(g)]
    return g[~shapely.is_empty(g)]


def exact_area_lost(land, exclusions: Mapping[str, object], *, bounds=None) -> pd.DataFrame:
    """Exact land (m²) removed by each exclusion, alone and marginally, from polygons.

    Parameters
    ----------
    land : array-like of geometries or GeoDataFrame
        The land (municipality polygons); overlaps inside it count once.
    exclusions : mapping of name -> array-like of geometries or GeoDataFrame
        Each exclusion's polygons (already selected and buffered), same projected CRS as ``land``.
    bounds : (xmin, ymin, xmax, ymax), optional
        Clip the land to this box (the analysis grid's extent).

    Returns
    -------
    DataFrame
        ``exclusion``, ``alone_area_m2/daa/ha`` (land the exclusion covers), ``marginal_area_*``
        (land covered by it and no other exclusion), ``share_alone``; rows ``all exclusions`` and
        ``remaining`` as in :func:`area_lost`.

    Examples
    --------
    Two cells of 100 m, an exclusion of 150 m × 50 m across both: 0.75 ha, not 2 ha.

    >>> from shapely import box
    >>> t = exact_area_lost([box(0, 0, 200, 100)], {"e": [box(25, 25, 175, 75)]}).set_index("exclusion")
    >>> float(t.loc["e", "alone_area_ha"]), float(t.loc["remaining", "alone_area_ha"])
    (0.75, 1.25)
    """
    land_flat = flatten(_polygons(land))
    lg = land_flat.geoms
    if bounds is not None:
        lg = intersect(lg, [shapely.box(*bounds)]).geoms
        land_flat = flatten(lg)
    land_m2 = float(shapely.area(land_flat.geoms).sum())
    # each exclusion on land, flattened (its own overlaps once)
    on_land: dict[str, np.ndarray] = {}
    for name, geoms in exclusions.items():
        g = _polygons(geoms)
        on_land[name] = (
            flat_overlay(g, land_flat).geoms if len(g) and len(land_flat.geoms) else np.empty(0, object)
        )
    alone = {k: float(shapely.area(v).sum()) for k, v in on_land.items()}
    every = np.concatenate(list(on_land.values())) if on_land else np.empty(0, object)
    all_m2 = float(shapely.area(flatten(every).geoms).sum()) if len(every) else 0.0
    marginal = {}
    for k, mine in on_land.items():
        others = [v for j, v in on_land.items() if j != k and len(v)]
        if not len(mine) or not others:
            marginal[k] = alone[k]
            continue
        shared = intersect(mine, flatten(np.concatenate(others)).geoms, keep_geometry=False)
        marginal[k] = alone[k] - float(shared.area.sum())
    rows = [{"exclusion": k, "alone": alone[k], "marginal": marginal[k]} for k in on_land]
    rows.append({"exclusion": "all exclusions", "alone": all_m2, "marginal": all_m2})
    rows.append({"exclusion": "remaining", "alone": land_m2 - all_m2, "marginal": land_m2 - all_m2})
    df = pd.DataFrame(rows)
    out = df[["exclusion"]].copy()
    for prefix in ("alone", "marginal"):
        for k, v in area_columns(df[prefix].to_numpy(dtype=float)).items():
            out[f"{prefix}_{k}"] = v
    out["share_alone"] = df["alone"] / land_m2 if land_m2 else np.nan
    return out


def merge_area_lost(cells: pd.DataFrame, exact: pd.DataFrame | None, cell_res_m: float) -> pd.DataFrame:
    """One table: exact areas where polygons exist, the cell count beside them, its resolution named.

    ``alone_area_*`` / ``marginal_area_*`` / ``share_alone`` are exact (``method = "exact"``) for
    every exclusion in ``exact``; an exclusion only in ``cells`` keeps the cell areas with
    ``method = "cells"``. ``cells_alone``, ``cells_marginal`` and ``cells_alone_ha`` are always the
    cell count (all touched cells) at ``cell_res_m``.

    Examples
    --------
    >>> import numpy as np
    >>> from shapely import box
    >>> land = np.ones((1, 2), bool)
    >>> cells = area_lost(land, {"e": land.copy()}, cell_area=10_000)
    >>> exact = exact_area_lost([box(0, 0, 200, 100)], {"e": [box(25, 25, 175, 75)]})
    >>> t = merge_area_lost(cells, exact, 100).set_index("exclusion")
    >>> row = t.loc["e"]
    >>> float(row.alone_area_ha), int(row.cells_alone), float(row.cells_alone_ha), row.method
    (0.75, 2, 2.0, 'exact')
    """
    out = cells.copy()
    out["cells_alone_ha"] = out["alone_area_ha"]
    out["cells_marginal_ha"] = out["marginal_area_ha"]
    out["cell_res_m"] = float(cell_res_m)
    out["method"] = "cells"
    if exact is not None and len(exact):
        ex = exact.set_index("exclusion")
        hit = out["exclusion"].isin(ex.index).to_numpy()
        named = ~out["exclusion"].isin(["all exclusions", "remaining"]).to_numpy()
        if not hit[named].all():  # some exclusion has cells only: the union rows stay cell counts
            hit &= named
        cols = [c for c in ex.columns if c.startswith(("alone_", "marginal_")) or c == "share_alone"]
        for c in cols:
            out.loc[hit, c] = ex.loc[out.loc[hit, "exclusion"], c].to_numpy()
        out.loc[hit, "method"] = "exact"
    return out
