"""Land account per municipality (areal- og naturregnskap): hectares of every class available.

Pure: frames in, a :class:`LandAccount` out. The caller (the CLI, the app, a report) loads the
layers and passes them in a dict keyed by catalogue layer id; a layer that is absent from the dict
is *not available* and every class that depends on it is reported as NaN with the layer named in
:attr:`LandAccount.missing_layers` -- never as zero.

Areas are computed by intersecting the class polygons with the zone polygons (municipalities, the
county land mask, a site): candidate pairs from an STRtree, pieces fully inside a zone counted by
their own area, the rest intersected in vectorised chunks (shapely 2), then summed per zone. The
county row is computed the same way against the union of the municipality polygons, so "municipal
sums equal the county total" is a real check of the zone set (no gaps, no overlaps), not a sum.

Examples
--------
Two municipalities of 1 km² each and a forest of 1.5 km² straddling them:

>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> munis = gpd.GeoDataFrame({"kommunenummer": ["5001", "5002"], "kommunenavn": ["A", "B"]},
...     geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=25833)
>>> forest = gpd.GeoDataFrame(geometry=[box(500, 0, 2000, 1000)], crs=25833)
>>> acc = land_account(munis, {"forest": forest})
>>> acc.table.set_index("kommunenummer")["forest_ha"].round(1).to_dict()
{'5001': 50.0, '5002': 100.0, '50': 150.0}
>>> [m.layer for m in acc.missing_layers][:2]
['mire', 'open_land']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.geo.crs import ensure_same_crs, to_working_crs
from areal.geo.errors import InputGeometryError
from areal.geo.geometry import M2_PER_HA, repair_geometries

COUNTY_ID = "50"
COUNTY_NAME = "Trøndelag"
NOT_AVAILABLE = "ikke tilgjengelig"

#: How to get each layer the account may use (shown when it is missing). The CLI may pass its own
#: (``areal.layers.loader.how_to_get``) through ``remedies=``.
REMEDIES: Mapping[str, str] = {
    "forest": "`areal fetch forest` (N1000)",
    "mire": "`areal fetch mire` (N1000)",
    "open_land": "`areal fetch open_land` (N1000)",
    "built_up": "`areal fetch built_up` (N1000)",
    "lakes": "`areal fetch lakes` (N1000)",
    "ar5": "`areal fetch ar5`, or `areal import FILE --as ar5`",
    "protected_areas": "`areal fetch protected_areas`",
    "national_parks": "`areal fetch national_parks`",
    "reindeer_pastures": "`areal fetch reindeer_pastures`",
    "reindeer_pasture_outline": "the reindeer pasture outline extract (reindeer/reindrift_arstidsbeite_samlet_trondelag.gpkg)",
    "wild_reindeer": "the wild-reindeer extract (reindeer/villreinomrader_trondelag.gpkg)",
    "business_areas": "`areal fetch business_areas`, or `areal import FILE --as business_areas`",
}

AR5_DEVELOPED = ("11", "12")
AR5_FARMLAND = ("21", "22", "23")
AR5_FOREST = ("30",)
AR5_MIRE = ("60",)
STATUS_EXISTING = ("1",)
STATUS_PLANNED = ("2",)
STATUS_FURTHER = ("3",)


@dataclass(frozen=True)
class AccountClass:
    """One land-cover / land-use class of the account.

    Attributes
    ----------
    id : str
        Column stem: the account column is ``f"{id}_ha"``.
    title_nb, title_en : str
        Row labels.
    layers : tuple of str
        Catalogue layers the class is drawn from.
    combine : {"union", "first"}
        ``"union"``: all listed layers that are present, dissolved (overlaps count once);
        ``"first"``: the first present layer (an official layer before a derived stand-in).
    column, values : str, tuple of str, optional
        Keep only features whose ``column`` is one of ``values`` (AR5 arealtype, plan status).
    dissolve : bool
        Union the features first, because they may overlap (protected areas and national parks,
        the two Snøhetta wild-reindeer areas, seasonal pastures).
    """

    id: str
    title_nb: str
    title_en: str
    layers: tuple[str, ...]
    combine: str = "union"
    column: str | None = None
    values: tuple[str, ...] = ()
    dissolve: bool = False


CLASSES: tuple[AccountClass, ...] = (
    AccountClass("forest", "Skog (N1000)", "Forest (N1000)", ("forest",)),
    AccountClass("mire", "Myr (N1000)", "Mire (N1000)", ("mire",)),
    AccountClass("open_land", "Åpent område (N1000)", "Open land (N1000)", ("open_land",)),
    AccountClass("built_up", "Tettbebyggelse (N1000)", "Built-up (N1000)", ("built_up",)),
    AccountClass("fresh_water", "Ferskvann, innsjøer (N1000)", "Fresh water, lakes (N1000)", ("lakes",)),
    AccountClass(
        "farmland",
        "Jordbruksareal (AR5 21–23)",
        "Farmland (AR5 21–23)",
        ("ar5",),
        column="arealtype",
        values=AR5_FARMLAND,
    ),
    AccountClass(
        "ar5_forest", "Skog (AR5 30)", "Forest (AR5 30)", ("ar5",), column="arealtype", values=AR5_FOREST
    ),
    AccountClass("ar5_mire", "Myr (AR5 60)", "Mire (AR5 60)", ("ar5",), column="arealtype", values=AR5_MIRE),
    AccountClass(
        "ar5_developed",
        "Bebygd og samferdsel (AR5 11–12)",
        "Built-up and transport (AR5 11–12)",
        ("ar5",),
        column="arealtype",
        values=AR5_DEVELOPED,
    ),
    AccountClass(
        "protected",
        "Verneområder og nasjonalparker",
        "Protected areas and national parks",
        ("protected_areas", "national_parks"),
        dissolve=True,
    ),
    AccountClass(
        "reindeer_pasture",
        "Reinbeiteland",
        "Reindeer pasture land",
        ("reindeer_pastures", "reindeer_pasture_outline"),
        combine="first",
        dissolve=True,
    ),
    AccountClass(
        "wild_reindeer", "Villreinområder", "Wild-reindeer areas", ("wild_reindeer",), dissolve=True
    ),
    AccountClass(
        "business_existing",
        "Næringsområder, nåværende",
        "Business areas, existing",
        ("business_areas",),
        column="arealbruksstatus",
        values=STATUS_EXISTING,
        dissolve=True,
    ),
    AccountClass(
        "business_planned",
        "Næringsområder, framtidige",
        "Business areas, planned",
        ("business_areas",),
        column="arealbruksstatus",
        values=STATUS_PLANNED,
        dissolve=True,
    ),
    AccountClass(
        "business_further",
        "Næringsområder, videreutvikling",
        "Business areas, further development",
        ("business_areas",),
        column="arealbruksstatus",
        values=STATUS_FURTHER,
        dissolve=True,
    ),
)

#: Order in which planned / proposed business land is attributed to what it lies on: a square
#: metre counts once, in the first category that covers it.
CONVERSION_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("developed", "allerede utbygd", "already developed"),
    ("farmland", "jordbruksareal", "farmland"),
    ("mire", "myr", "mire"),
    ("forest", "skog", "forest"),
    ("other", "annen natur", "other nature"),
)


@dataclass(frozen=True)
class MissingLayer:
    """A layer the account could not use, what it affects and how to get it."""

    layer: str
    affects: tuple[str, ...]
    reason: str
    remedy: str

    def message(self) -> str:
        """One line for the console and the report."""
        return f"{self.layer}: {self.reason} (affects {', '.join(self.affects)}). Get it with {self.remedy}."


@dataclass
class LandAccount:
    """Result of :func:`land_account`.

    Attributes
    ----------
    table : DataFrame
        One row per municipality plus the county row (``kommunenummer == "50"``): ``land_ha`` and
        ``<class>_ha`` for every class in :data:`CLASSES`, then the conversion breakdown of planned
        business land (``planned_*``) and, when a proposal is given, of the proposal
        (``proposal_*``). NaN means *not available* (see :attr:`missing_layers`).
    missing_layers : list of MissingLayer
    sources : dict
        Class id -> the layers it was computed from.
    notes : list of str
        Caveats (partial layers, categories without an emission factor).
    """

    table: pd.DataFrame
    missing_layers: list[MissingLayer] = field(default_factory=list)
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def municipalities(self) -> pd.DataFrame:
        """The municipal rows (without the county row)."""
        return self.table[self.table["kommunenummer"] != COUNTY_ID]

    @property
    def county(self) -> pd.Series:
        """The county total row."""
        return self.table[self.table["kommunenummer"] == COUNTY_ID].iloc[0]

    def available(self, column: str) -> bool:
        """Whether a column holds figures (False when its layers are missing)."""
        return column in self.table and bool(self.table[column].notna().any())

    def present_columns(self) -> list[str]:
        """Area / CO2 columns that hold figures."""
        return [c for c in value_columns(self.table) if self.available(c)]


def value_columns(table: pd.DataFrame) -> list[str]:
    """The numeric account columns (everything but the municipality number and name)."""
    return [c for c in table.columns if c not in ("kommunenummer", "kommunenavn")]


# ---------------------------------------------------------------- area by zone (the engine)


def _polygons(geoms: np.ndarray) -> np.ndarray:
    geoms = np.asarray(geoms, dtype=object)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    return geoms[keep]


def area_by_zone(zones: Sequence, parts: np.ndarray, chunk: int = 2048) -> np.ndarray:
    """Area (m²) of ``parts`` inside each zone.

    Parameters
    ----------
    zones : sequence of shapely geometries
        Zone polygons (assumed not to overlap each other for the sums to add up).
    parts : array of shapely geometries
        Class polygons; they must not overlap each other (dissolve first otherwise).
    chunk : int
        Number of zone/part pairs intersected per vectorised call (bounds the memory).

    Returns
    -------
    ndarray of float, one entry per zone.
    """
    zones = np.asarray(zones, dtype=object)
    parts = _polygons(parts)
    out = np.zeros(len(zones))
    if len(parts) == 0 or len(zones) == 0:
        return out
    tree = shapely.STRtree(parts)
    zi, pi = tree.query(zones, predicate="intersects")
    if len(zi) == 0:
        return out
    shapely.prepare(zones)
    inside = shapely.contains_properly(zones[zi], parts[pi])
    areas = np.empty(len(zi))
    areas[inside] = shapely.area(parts[pi[inside]])
    cut = np.flatnonzero(~inside)
    for start in range(0, len(cut), chunk):
        sel = cut[start : start + chunk]
        areas[sel] = shapely.area(shapely.intersection(zones[zi[sel]], parts[pi[sel]]))
    np.add.at(out, zi, areas)
    return out


def _clip_to_zone(zone, parts: np.ndarray, tree: shapely.STRtree):
    """The union of ``parts`` inside ``zone`` (a small geometry)."""
    idx = tree.query(zone, predicate="intersects")
    if len(idx) == 0:
        return shapely.Polygon()
    pieces = shapely.intersection(zone, parts[idx])
    pieces = pieces[~shapely.is_empty(pieces)]
    return shapely.union_all(pieces) if len(pieces) else shapely.Polygon()


def _polygonal(g):
    """Drop the stray lines and points an overlay may leave."""
    if g is None or g.is_empty:
        return shapely.Polygon()
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def conversion_breakdown(
    targets: Sequence, categories: Mapping[str, np.ndarray | None]
) -> dict[str, np.ndarray]:
    """Split target land (planned business areas, a proposal) by what it lies on.

    Parameters
    ----------
    targets : sequence of shapely geometries
        One (multi)polygon per zone: the target land inside that zone.
    categories : mapping
        Category id (``developed``, ``farmland``, ``mire``, ``forest``) -> polygon parts, or None when
        the category cannot be computed (its layer is missing). Priority follows the mapping order;
        ``other`` (the remainder) is added last.

    Returns
    -------
    dict
        Category id -> area (m²) per zone; NaN for categories given as None.
    """
    targets = [_polygonal(g) for g in targets]
    rest = list(targets)
    out: dict[str, np.ndarray] = {}
    for cat, parts in categories.items():
        if parts is None:
            out[cat] = np.full(len(targets), np.nan)
            continue
        parts = _polygons(parts)
        tree = shapely.STRtree(parts) if len(parts) else None
        areas = np.zeros(len(targets))
        for i, g in enumerate(rest):
            if g.is_empty or tree is None:
                continue
            piece = _polygonal(_clip_to_zone(g, parts, tree))
            areas[i] = piece.area
            if not piece.is_empty:
                rest[i] = _polygonal(shapely.difference(g, piece))
        out[cat] = areas
    out["other"] = np.array([g.area for g in rest])
    return out


# ---------------------------------------------------------------- assembling the account


def _check_frame(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputGeometryError(f"{what}: expected a GeoDataFrame, got {type(gdf).__name__}")
    gdf = to_working_crs(gdf, what)
    gdf, _ = repair_geometries(gdf, "polygon")
    return gdf


def _select(gdf: gpd.GeoDataFrame, cls: AccountClass, layer: str) -> np.ndarray:
    if cls.column is not None:
        if cls.column not in gdf.columns:
            raise InputGeometryError(
                f"layer {layer!r} has no column {cls.column!r} (needed for class {cls.id!r}); "
                f"columns present: {[c for c in gdf.columns if c != gdf.geometry.name]}"
            )
        vals = gdf[cls.column].astype(str).str.strip()
        gdf = gdf[vals.isin(cls.values).to_numpy()]
    return np.asarray(gdf.geometry.values, dtype=object)


def _dissolve(geoms: np.ndarray) -> np.ndarray:
    geoms = _polygons(geoms)
    if len(geoms) == 0:
        return geoms
    return np.asarray(shapely.get_parts(_polygonal(shapely.union_all(geoms))), dtype=object)


def class_parts(
    cls: AccountClass, layers: Mapping[str, gpd.GeoDataFrame | None], remedies: Mapping[str, str]
) -> tuple[np.ndarray | None, tuple[str, ...], list[MissingLayer]]:
    """Polygons of one class from the layers present, the layers used, and what is missing."""
    present = [lid for lid in cls.layers if layers.get(lid) is not None]
    missing: list[MissingLayer] = []
    if not present:
        for lid in cls.layers:
            reason = (
                "not in the data directory"
                if len(cls.layers) == 1
                else (f"none of {', '.join(cls.layers)} is in the data directory")
            )
            missing.append(
                MissingLayer(lid, (f"{cls.id}_ha",), reason, remedies.get(lid, f"`areal fetch {lid}`"))
            )
            if cls.combine == "first":
                break
        return None, (), missing
    if cls.combine == "first":
        present = present[:1]
    elif len(present) < len(cls.layers):
        for lid in cls.layers:
            if lid not in present:
                missing.append(
                    MissingLayer(
                        lid,
                        (f"{cls.id}_ha",),
                        f"not in the data directory: {cls.id} counts only {', '.join(present)}",
                        remedies.get(lid, f"`areal fetch {lid}`"),
                    )
                )
    geoms = np.concatenate([_select(layers[lid], cls, lid) for lid in present])
    parts = _dissolve(geoms) if cls.dissolve or len(present) > 1 else _polygons(geoms)
    return parts, tuple(present), missing


def load_emission_factors(table: Mapping[str, Mapping]) -> dict[str, float]:
    """Check an emission-factor table (``data/emission_factors.toml`` parsed) and return ``{class: t/ha}``.

    The table is validated by :func:`areal.geo.accounting.parse_emission_factors`, the one parser of that file.

    Raises
    ------
    RuleError
        For an entry without a numeric ``factor``, a wrong unit or no ``source``.
    """
    from areal.geo.accounting import EmissionFactors, parse_emission_factors

    parsed = table if isinstance(table, EmissionFactors) else parse_emission_factors(table)
    return {cls: ef.factor for cls, ef in parsed.factors.items()}


def _conversion_categories(
    layers: Mapping[str, gpd.GeoDataFrame | None], cache: dict[str, np.ndarray | None]
) -> tuple[dict[str, np.ndarray | None], list[str]]:
    """Developed / farmland / mire / forest polygons for the conversion breakdown, and notes."""
    notes = []
    developed = []
    used = []
    if layers.get("built_up") is not None:
        developed.append(np.asarray(layers["built_up"].geometry.values, dtype=object))
        used.append("built_up")
    ar5 = layers.get("ar5")
    by_id = {c.id: c for c in CLASSES}
    if ar5 is not None:
        developed.append(_select(ar5, by_id["ar5_developed"], "ar5"))
        used.append("ar5 11/12")
    if layers.get("business_areas") is not None:
        developed.append(_select(layers["business_areas"], by_id["business_existing"], "business_areas"))
        used.append("existing business areas")
    if not developed:
        dev = None
    else:
        dev = _dissolve(np.concatenate(developed))
    if ar5 is None:
        notes.append(
            "farmland share needs AR5 (`areal fetch ar5`): 'other nature' may include farmland; "
            "forest and mire from N1000 (1:1 000 000)"
        )
    cats: dict[str, np.ndarray | None] = {
        "developed": dev,
        "farmland": cache.get("farmland"),
        "mire": cache.get("ar5_mire") if ar5 is not None else cache.get("mire"),
        "forest": cache.get("ar5_forest") if ar5 is not None else cache.get("forest"),
    }
    notes.append("developed land = " + (" ∪ ".join(used) if used else "not available"))
    return cats, notes


def _breakdown_columns(
    prefix: str,
    targets: Sequence,
    cats: Mapping[str, np.ndarray | None],
    factors: Mapping[str, float] | None,
) -> dict[str, np.ndarray]:
    split = conversion_breakdown(targets, cats)
    cols = {f"{prefix}_total_ha": np.array([_polygonal(t).area for t in targets]) / M2_PER_HA}
    for cat, _, _ in CONVERSION_CATEGORIES:
        cols[f"{prefix}_on_{cat}_ha"] = split[cat] / M2_PER_HA
    with np.errstate(invalid="ignore", divide="ignore"):
        cols[f"{prefix}_developed_share"] = np.where(
            cols[f"{prefix}_total_ha"] > 0,
            cols[f"{prefix}_on_developed_ha"] / cols[f"{prefix}_total_ha"],
            np.nan,
        )
    if factors is not None:
        co2 = np.zeros(len(targets))
        uncovered = np.zeros(len(targets))
        for cat, _, _ in CONVERSION_CATEGORIES:
            ha = cols[f"{prefix}_on_{cat}_ha"]
            if cat in factors:
                co2 += np.nan_to_num(ha) * factors[cat]
            else:
                uncovered += np.nan_to_num(ha)
        cols[f"{prefix}_co2_t"] = co2
        cols[f"{prefix}_no_factor_ha"] = uncovered
    return cols


def _targets_per_zone(zones: np.ndarray, target_parts: np.ndarray) -> list:
    target_parts = _polygons(target_parts)
    tree = shapely.STRtree(target_parts) if len(target_parts) else None
    return [_clip_to_zone(z, target_parts, tree) if tree is not None else shapely.Polygon() for z in zones]


def land_account(
    municipalities: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame | None],
    *,
    proposal: gpd.GeoDataFrame | None = None,
    emission_factors: Mapping[str, Mapping] | None = None,
    remedies: Mapping[str, str] | None = None,
    classes: Iterable[AccountClass] = CLASSES,
) -> LandAccount:
    """Hectares of every available class per municipality, with a county total row.

    Parameters
    ----------
    municipalities : GeoDataFrame
        Municipality land polygons with ``kommunenummer`` and ``kommunenavn`` (the 38 of
        Trøndelag; land only, so the sea is not counted as a municipality's land).
    layers : mapping
        Catalogue layer id -> cleaned frame. A missing key (or None) means the layer is absent.
    proposal : GeoDataFrame, optional
        Proposed business land (a drawn site, a scenario): its breakdown is added as ``proposal_*``.
    emission_factors : mapping, optional
        ``{class: {"factor": float, "unit": "t CO2-eq/ha", "source": str}}`` (as in ``data/emission_factors.toml``) for the conversion categories
        (``developed``, ``farmland``, ``mire``, ``forest``, ``other``). Without it no CO2 is estimated.
    remedies : mapping, optional
        Layer id -> how to get it (defaults to :data:`REMEDIES`).
    classes : iterable of AccountClass
        The classes to account (default :data:`CLASSES`).

    Returns
    -------
    LandAccount

    Raises
    ------
    InputGeometryError
        When the municipalities lack their id columns, or a layer lacks a column a class needs.
    RuleError
        For an invalid emission-factor entry.
    """
    remedies = {**REMEDIES, **(remedies or {})}
    for col in ("kommunenummer", "kommunenavn"):
        if col not in municipalities.columns:
            raise InputGeometryError(
                f"municipalities: column {col!r} is missing; columns present: {list(municipalities.columns)}"
            )
    munis = _check_frame(municipalities, "municipalities").sort_values("kommunenummer").reset_index(drop=True)
    layers = {k: (_check_frame(v, f"layer {k!r}") if v is not None else None) for k, v in layers.items()}
    frames = [munis] + [v for v in layers.values() if v is not None]
    ensure_same_crs(*frames, names=("municipalities", *[k for k, v in layers.items() if v is not None]))
    factors = load_emission_factors(emission_factors) if emission_factors is not None else None

    zones = np.asarray(munis.geometry.values, dtype=object)
    county = shapely.union_all(zones)
    all_zones = np.concatenate([zones, np.array([county], dtype=object)])
    cols: dict[str, np.ndarray] = {"land_ha": shapely.area(all_zones) / M2_PER_HA}
    missing: list[MissingLayer] = []
    sources: dict[str, tuple[str, ...]] = {}
    notes: list[str] = []
    parts_cache: dict[str, np.ndarray | None] = {}
    for cls in classes:
        parts, used, miss = class_parts(cls, layers, remedies)
        parts_cache[cls.id] = parts
        missing += miss
        sources[cls.id] = used
        if parts is None:
            cols[f"{cls.id}_ha"] = np.full(len(all_zones), np.nan)
            continue
        muni_m2 = area_by_zone(zones, parts)
        county_m2 = area_by_zone(np.array([county], dtype=object), parts)
        cols[f"{cls.id}_ha"] = np.concatenate([muni_m2, county_m2]) / M2_PER_HA

    cats, cat_notes = _conversion_categories(layers, parts_cache)
    notes += cat_notes
    if factors is not None:
        without = [c for c, _, _ in CONVERSION_CATEGORIES if c not in factors]
        if without:
            notes.append(
                f"no emission factor for {', '.join(without)}: their hectares are reported as "
                "*_no_factor_ha and not counted in *_co2_t"
            )
    planned = parts_cache.get("business_planned")
    if planned is None:
        names = ["planned_total_ha"] + [f"planned_on_{c}_ha" for c, _, _ in CONVERSION_CATEGORIES]
        names += ["planned_developed_share"] + (["planned_co2_t", "planned_no_factor_ha"] if factors else [])
        for name in names:
            cols[name] = np.full(len(all_zones), np.nan)
        missing.append(
            MissingLayer(
                "business_areas",
                tuple(names),
                "planned business areas (arealbruksstatus 2) not in the data directory",
                remedies["business_areas"],
            )
        )
    else:
        cols.update(_breakdown_columns("planned", _targets_per_zone(all_zones, planned), cats, factors))
    if proposal is not None:
        prop = _check_frame(proposal, "proposal")
        ensure_same_crs(munis, prop, names=("municipalities", "proposal"))
        cols.update(
            _breakdown_columns(
                "proposal",
                _targets_per_zone(all_zones, _dissolve(np.asarray(prop.geometry.values))),
                cats,
                factors,
            )
        )

    table = pd.DataFrame(
        {
            "kommunenummer": [*munis["kommunenummer"].astype(str), COUNTY_ID],
            "kommunenavn": [*munis["kommunenavn"].astype(str), COUNTY_NAME],
            **cols,
        }
    )
    # deduplicate the missing list (business_areas appears for several classes)
    merged: dict[str, MissingLayer] = {}
    for m in missing:
        if m.layer in merged:
            old = merged[m.layer]
            merged[m.layer] = MissingLayer(
                m.layer,
                old.affects + tuple(a for a in m.affects if a not in old.affects),
                old.reason,
                old.remedy,
            )
        else:
            merged[m.layer] = m
    return LandAccount(table, list(merged.values()), sources, notes)


def zone_account(
    zones: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame | None],
    *,
    emission_factors: Mapping[str, Mapping] | None = None,
    remedies: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Account of a site (or any set of polygons) as one row: class hectares and what converting it means.

    The site is dissolved so overlapping proposal polygons count once. Missing classes are NaN.
    Used by reports (``--site``) and scenario comparison.
    """
    site = _check_frame(zones, "site")
    geom = _polygonal(shapely.union_all(np.asarray(site.geometry.values, dtype=object)))
    remedies = {**REMEDIES, **(remedies or {})}
    layers = {k: (_check_frame(v, f"layer {k!r}") if v is not None else None) for k, v in layers.items()}
    row: dict[str, float] = {"area_ha": geom.area / M2_PER_HA}
    cache: dict[str, np.ndarray | None] = {}
    for cls in CLASSES:
        parts, _, _ = class_parts(cls, layers, remedies)
        cache[cls.id] = parts
        row[f"{cls.id}_ha"] = np.nan if parts is None else area_by_zone([geom], parts)[0] / M2_PER_HA
    cats, _ = _conversion_categories(layers, cache)
    factors = load_emission_factors(emission_factors) if emission_factors is not None else None
    for k, v in _breakdown_columns("site", [geom], cats, factors).items():
        row[k] = float(v[0])
    return pd.DataFrame([row])


def column_titles(lang: str = "nb") -> dict[str, str]:
    """Readable labels of the account columns, in Norwegian (``"nb"``) or English (``"en"``)."""
    nb = lang != "en"
    out = {"land_ha": "Landareal (ha)" if nb else "Land area (ha)"}
    for c in CLASSES:
        out[f"{c.id}_ha"] = f"{c.title_nb if nb else c.title_en} (ha)"
    for prefix, nb_name, en_name in (
        ("planned", "Framtidig næringsareal", "Planned business land"),
        ("proposal", "Forslag", "Proposal"),
        ("site", "Område", "Site"),
    ):
        name = nb_name if nb else en_name
        out[f"{prefix}_total_ha"] = f"{name}, totalt (ha)" if nb else f"{name}, total (ha)"
        for cat, cat_nb, cat_en in CONVERSION_CATEGORIES:
            out[f"{prefix}_on_{cat}_ha"] = f"{name} på {cat_nb} (ha)" if nb else f"{name} on {cat_en} (ha)"
        out[f"{prefix}_developed_share"] = (
            f"{name}, andel på utbygd areal" if nb else f"{name}, share on developed land"
        )
        out[f"{prefix}_co2_t"] = (
            f"{name}, CO2 ved omdisponering (t)" if nb else f"{name}, CO2 of conversion (t)"
        )
        out[f"{prefix}_no_factor_ha"] = (
            f"{name} uten utslippsfaktor (ha)" if nb else f"{name} without emission factor (ha)"
        )
    return out


__all__ = [
    "AccountClass",
    "CLASSES",
    "CONVERSION_CATEGORIES",
    "LandAccount",
    "MissingLayer",
    "area_by_zone",
    "column_titles",
    "conversion_breakdown",
    "land_account",
    "load_emission_factors",
    "zone_account",
    "value_columns",
]
