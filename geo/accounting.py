"""Area account (arealregnskap): what a proposal would take, per municipality, and the CO₂ it releases.

For a proposal layer (planned business areas, a test area) the account lists, per municipality,
hectares of farmland, forest, mire, reindeer pasture, protected area and aquaculture buffer zones
inside the proposal, and an estimate of the CO₂ released by converting the forest and mire. The
emission factors are data (``data/emission_factors.toml``) with their sources named.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from areal.geo.crs import to_working_crs
from areal.geo.errors import RuleError
from areal.geo.geometry import M2_PER_HA, repair_geometries
from areal.geo.overlay import DEFAULT_CHUNK, as_geometry_array, buffer, flatten, intersect


@dataclass(frozen=True)
class EmissionFactor:
    """One emission factor: tonnes CO₂-eq released per hectare converted."""

    category: str
    factor: float
    unit: str
    source: str
    note: str = ""


@dataclass(frozen=True)
class EmissionFactors:
    """Emission factors by category (``forest``, ``mire`` ...), with the file they came from."""

    factors: Mapping[str, EmissionFactor]
    source: str = "<emission factors>"

    def __post_init__(self) -> None:
        object.__setattr__(self, "factors", MappingProxyType(dict(self.factors)))

    def __getitem__(self, category: str) -> EmissionFactor:
        try:
            return self.factors[category]
        except KeyError:
            raise RuleError(
                f"{self.source}: no emission factor for {category!r}; "
                f"defined: {', '.join(sorted(self.factors))}"
            ) from None

    def __contains__(self, category: object) -> bool:
        return category in self.factors


def parse_emission_factors(
    doc: Mapping[str, Any], text: str | None = None, source: str = "<emission factors>"
) -> EmissionFactors:
    """Validate a parsed emission-factor document: ``[category]`` tables with factor, unit, source.

    Raises
    ------
    RuleError
        For a missing or negative factor, a unit other than t CO2-eq/ha, or a missing source;
        the message names the file, line and value.
    """
    out = {}
    for cat, body in doc.items():
        if cat == "meta":
            continue
        line = None
        if text is not None:
            m = re.search(rf"^[ \t]*\[\s*{re.escape(cat)}\s*\]", text, re.M)
            line = text.count("\n", 0, m.start()) + 1 if m else None
        where = f"{source}, line {line}" if line else source
        if not isinstance(body, Mapping):
            raise RuleError(f"{where}: [{cat}] must be a table with factor, unit and source")
        f = body.get("factor")
        if isinstance(f, bool) or not isinstance(f, (int, float)) or not math.isfinite(f) or f < 0:
            raise RuleError(f"{where}: [{cat}] factor must be a number >= 0 (t CO2-eq/ha), got {f!r}")
        unit = body.get("unit", "")
        if unit != "t CO2-eq/ha":
            raise RuleError(f"{where}: [{cat}] unit must be 't CO2-eq/ha', got {unit!r}")
        src = body.get("source")
        if not isinstance(src, str) or not src.strip():
            raise RuleError(f"{where}: [{cat}] must name its source, got {src!r}")
        out[cat] = EmissionFactor(cat, float(f), unit, src.strip(), str(body.get("note", "")))
    return EmissionFactors(out, source)


@dataclass(frozen=True)
class AccountSource:
    """A layer (optionally one class of it) that feeds an account category."""

    layer: str
    column: str | None = None
    values: tuple[str, ...] = ()

    def select(self, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
        """Return the rows of the class, or None when the frame lacks the class column."""
        if self.column is None:
            return gdf
        if self.column not in gdf.columns:
            return None
        col = gdf[self.column]
        return gdf[(col.notna() & col.astype(str).isin(self.values)).to_numpy()]


@dataclass(frozen=True)
class AccountCategory:
    """One column of the area account.

    Attributes
    ----------
    name : str
        Column stem (``farmland`` gives ``farmland_ha``).
    sources : tuple of AccountSource
        Candidate layers, best first.
    combine : {"first", "union"}
        ``first``: the first available source is used (AR5 before N1000); ``union``: all available
        sources are merged (protected areas and national parks), overlaps counted once.
    buffer_m : float
        Distance applied to the sources (aquaculture sites are points).
    emission : str, optional
        Key of the emission factor applied to the hectares.
    """

    name: str
    sources: tuple[AccountSource, ...]
    combine: str = "first"
    buffer_m: float = 0.0
    emission: str | None = None


DEFAULT_CATEGORIES: tuple[AccountCategory, ...] = (
    AccountCategory("farmland", (AccountSource("ar5", "arealtype", ("21", "22", "23")),)),
    AccountCategory(
        "forest", (AccountSource("ar5", "arealtype", ("30",)), AccountSource("forest")), emission="forest"
    ),
    AccountCategory(
        "mire", (AccountSource("ar5", "arealtype", ("60",)), AccountSource("mire")), emission="mire"
    ),
    AccountCategory(
        "reindeer_pasture", (AccountSource("reindeer_pastures"), AccountSource("reindeer_pasture_outline"))
    ),
    AccountCategory(
        "protected", (AccountSource("protected_areas"), AccountSource("national_parks")), combine="union"
    ),
    # 1000 m matches the aquaculture zone of the default rule table (a planning proxy, not a legal distance).
    AccountCategory("aquaculture_buffer", (AccountSource("aquaculture_sites"),), buffer_m=1000.0),
)
"""The categories of the default account."""


def _geoms_for(
    cat: AccountCategory, layers: Mapping[str, gpd.GeoDataFrame]
) -> tuple[np.ndarray | None, list[str]]:
    used, parts = [], []
    for src in cat.sources:
        gdf = layers.get(src.layer)
        if gdf is None:
            continue
        sub = src.select(gdf)
        if sub is None:
            continue
        sub = to_working_crs(sub, f"layer {src.layer!r}")
        parts.append(buffer(as_geometry_array(sub), cat.buffer_m))
        used.append(src.layer + (f" ({src.column} in {', '.join(src.values)})" if src.column else ""))
        if cat.combine == "first":
            break
    if not parts:
        return None, []
    return np.concatenate(parts), used


def area_account(
    proposal: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    municipalities: gpd.GeoDataFrame,
    emission_factors: EmissionFactors,
    *,
    categories: Sequence[AccountCategory] = DEFAULT_CATEGORIES,
    chunk_size: int = DEFAULT_CHUNK,
) -> pd.DataFrame:
    """Hectares each category loses to the proposal, per municipality, and the CO₂ released.

    Parameters
    ----------
    proposal : GeoDataFrame
        The proposed use (polygons; overlaps inside it are counted once).
    layers : mapping of layer id to GeoDataFrame
        Available layers; a category whose layers are all absent gets NaN (not 0) and is listed in
        ``.attrs["missing"]``.
    municipalities : GeoDataFrame
        With ``kommunenummer`` and ``kommunenavn``.
    emission_factors : EmissionFactors
        Needs the keys named by the categories (``forest``, ``mire``).
    categories : sequence of AccountCategory
        What to count (default :data:`DEFAULT_CATEGORIES`).
    chunk_size : int
        Features per chunk in the intersection engine.

    Returns
    -------
    DataFrame
        One row per municipality the proposal touches: ``kommunenummer``, ``kommunenavn``,
        ``proposal_ha``, ``<category>_ha`` ..., ``co2_<category>_t`` for categories with an emission
        factor, and ``co2_total_t``. ``.attrs["sources"]`` names the layer used per category and
        ``.attrs["emission_factors"]`` the factors with their sources.
    """
    prop, _ = repair_geometries(to_working_crs(proposal, "proposal"))
    munis, _ = repair_geometries(to_working_crs(municipalities, "municipalities"))
    mgeom = as_geometry_array(munis)
    knr = munis["kommunenummer"].astype(str).to_numpy(dtype=object)
    knv = munis["kommunenavn"].to_numpy(dtype=object)
    # Proposal cut into municipalities once; every category is then intersected with these pieces.
    pflat = flatten(as_geometry_array(prop))
    ppieces = intersect(pflat.geoms, mgeom, chunk_size=chunk_size)
    order = sorted(set(ppieces.ib.tolist()), key=lambda i: knr[i])
    table = pd.DataFrame({"kommunenummer": knr[order], "kommunenavn": knv[order]})
    pos = {m: k for k, m in enumerate(order)}
    row_of_piece = np.array([pos[m] for m in ppieces.ib], dtype=np.intp)
    table["proposal_ha"] = np.bincount(row_of_piece, weights=ppieces.area, minlength=len(order)) / M2_PER_HA
    sources, missing = {}, []
    co2_cols = []
    for cat in categories:
        geoms, used = _geoms_for(cat, layers)
        col = f"{cat.name}_ha"
        if geoms is None:
            table[col] = np.nan
            missing.append(cat.name)
            sources[cat.name] = "missing: " + " or ".join(s.layer for s in cat.sources)
        else:
            sources[cat.name] = " + ".join(used)
            cut = intersect(ppieces.geoms, flatten(geoms).geoms, chunk_size=chunk_size)
            table[col] = np.bincount(row_of_piece[cut.ia], weights=cut.area, minlength=len(order)) / M2_PER_HA
        if cat.emission is not None:
            ef = emission_factors[cat.emission]
            table[f"co2_{cat.name}_t"] = table[col] * ef.factor
            co2_cols.append(f"co2_{cat.name}_t")
    table["co2_total_t"] = table[co2_cols].sum(axis=1, min_count=1) if co2_cols else np.nan
    table.attrs["sources"] = sources
    table.attrs["missing"] = missing
    table.attrs["emission_factors"] = {
        k: {"factor": v.factor, "unit": v.unit, "source": v.source}
        for k, v in emission_factors.factors.items()
    }
    return table
