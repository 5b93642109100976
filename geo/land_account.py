"""The area model (areal- og naturregnskap): one account for every command that reports hectares.

Pure: frames in, a :class:`LandAccount` out. The caller (the CLI, the app, a report) loads the
layers and passes them in a dict keyed by catalogue layer id; a layer that is absent from the dict
is *not available* and every figure that depends on it is reported as NaN with the layer named in
:attr:`LandAccount.missing_layers` -- never as zero. Labels, remedies and the "not available" text
belong to the views (:mod:`areal.apps.labels`); the caller passes remedies in.

The model, in two parts:

* **Class areas** (:data:`CLASSES`): hectares of each land-cover / land-use class inside a zone.
  Every class is flattened first (:func:`areal.geo.overlay.flatten`), so a square metre covered by
  two features of one class (the two Snøhetta wild-reindeer areas, a national park inside a
  protected area) counts once. Classes are independent of each other: a forest in a reindeer
  pasture counts in both.
* **Conversion of new business land** (planned areas, a proposal, a site): each square metre is
  counted *once*, in the first category of :data:`CONVERSION_CATEGORIES` that covers it --
  already developed, farmland, mire, forest, then other nature -- so the categories add up to the
  target's area and the CO₂ of converting it (``data/emission_factors.toml``) is never counted twice.

Every command uses this one model: ``areal account`` (:func:`land_account`), ``areal account
--proposal`` and ``areal conflicts --account`` (:func:`proposal_account`, the same figures per
municipality), reports and scenario comparison (:func:`zone_account`). Areas are exact polygon
intersections through :mod:`areal.geo.overlay`. The county row is computed against the union of
the municipality polygons, so "municipal sums equal the county total" is a real check of the zone
set (no gaps, no overlaps), not a sum.

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
import numpy.typing as npt
import pandas as pd
import shapely
from areal.geo.crs import ensure_same_crs, to_working_crs
from areal.geo.errors import InputGeometryError
from areal.geo.geometry import M2_PER_HA, repair_geometries
from areal.geo.overlay import DEFAULT_CHUNK, flatten, intersect, polygonal

COUNTY_ID = "50"
COUNTY_NAME = "Trøndelag"

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
        Column stem: the account column is ``f"{id}_ha"`` (titles: :mod:`areal.apps.labels`).
    layers : tuple of str
        Catalogue layers the class is drawn from.
    combine : {"union", "first"}
        ``"union"``: all listed layers that are present, together (overlaps count once);
        ``"first"``: the first present layer (an official layer before a derived stand-in).
    column, values : str, tuple of str, optional
        Keep only features whose ``column`` is one of ``values`` (AR5 arealtype, plan status).
    only_for : tuple of str, optional
        The layers ``column``/``values`` apply to (default all): the ``farmland`` composite holds
        farmland only, raw ``ar5`` needs its arealtype filter.
    """

    id: str
    layers: tuple[str, ...]
    combine: str = "union"
    column: str | None = None
    values: tuple[str, ...] = ()
    only_for: tuple[str, ...] = ()


CLASSES: tuple[AccountClass, ...] = (
    AccountClass("forest", ("forest",)),
    AccountClass("mire", ("mire",)),
    AccountClass("open_land", ("open_land",)),
    AccountClass("built_up", ("built_up",)),
    AccountClass("fresh_water", ("lakes",)),
    # the composite (AR5, else AR50, else N50 DyrketMark) when loaded, else raw AR5
    AccountClass(
        "farmland",
        ("farmland", "ar5"),
        combine="first",
        column="arealtype",
        values=AR5_FARMLAND,
        only_for=("ar5",),
    ),
    AccountClass("ar5_forest", ("ar5",), column="arealtype", values=AR5_FOREST),
    AccountClass("ar5_mire", ("ar5",), column="arealtype", values=AR5_MIRE),
    AccountClass("ar5_developed", ("ar5",), column="arealtype", values=AR5_DEVELOPED),
    AccountClass("protected", ("protected_areas", "national_parks")),
    AccountClass("reindeer_pasture", ("reindeer_pastures", "reindeer_pasture_outline"), combine="first"),
    AccountClass("wild_reindeer", ("wild_reindeer",)),
    AccountClass("business_existing", ("business_areas",), column="arealbruksstatus", values=STATUS_EXISTING),
    AccountClass("business_planned", ("business_areas",), column="arealbruksstatus", values=STATUS_PLANNED),
    AccountClass("business_further", ("business_areas",), column="arealbruksstatus", values=STATUS_FURTHER),
)

#: The priority by which new business land is attributed to what it lies on: a square metre
#: counts once, in the first category that covers it (``other`` is the remainder).
CONVERSION_CATEGORIES: tuple[str, ...] = ("developed", "farmland", "mire", "forest", "other")

#: Where each conversion category comes from: AR5 when present, else N1000 (class ids, best first).
#: ``developed`` is the union of N1000 built-up, AR5 11/12 and existing business areas.
CATEGORY_CLASSES: Mapping[str, tuple[str, ...]] = {
    "developed": ("built_up", "ar5_developed", "business_existing"),
    "farmland": ("farmland",),
    "mire": ("ar5_mire", "mire"),
    "forest": ("ar5_forest", "forest"),
}


@dataclass(frozen=True)
class MissingLayer:
    """A layer the account could not use, what it affects and how to get it (``remedy``: from the caller)."""

    layer: str
    affects: tuple[str, ...]
    reason: str
    remedy: str = ""


@dataclass
class LandAccount:
    """Result of :func:`land_account` and :func:`proposal_account`.

    Attributes
    ----------
    table : DataFrame
        One row per municipality plus the county row (``kommunenummer == county_id``, ``"50"``): ``land_ha`` and
        ``<class>_ha`` for every class in :data:`CLASSES`, then the conversion breakdown of planned
        business land (``planned_*``) and, when a proposal is given, of the proposal
        (``proposal_*``). NaN means *not available* (see :attr:`missing_layers`).
    missing_layers : list of MissingLayer
    sources : dict
        Class id -> the layers it was computed from.
    notes : list of str
        Caveats (partial layers, categories without an emission factor).
    outside_ha : float
        Hectares of the proposal outside every municipality's land (at sea), which no row counts;
        0 without a proposal.
    county_id : str
        ``kommunenummer`` of the county row (the run's county; :data:`COUNTY_ID` by default).
    """

    table: pd.DataFrame
    missing_layers: list[MissingLayer] = field(default_factory=list)
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    outside_ha: float = 0.0
    county_id: str = COUNTY_ID

    @property
    def municipalities(self) -> pd.DataFrame:
        """The municipal rows (without the county row)."""
        return self.table[self.table["kommunenummer"] != self.county_id]

    @property
    def county(self) -> pd.Series:
        """The county total row."""
        return self.table[self.table["kommunenummer"] == self.county_id].iloc[0]

    def available(self, column: str) -> bool:
        """Whether a column holds figures (False when its layers are missing)."""
        return column in self.table and bool(self.table[column].notna().any())

    def present_columns(self) -> list[str]:
        """Area / CO2 columns that hold figures."""
        return [c for c in value_columns(self.table) if self.available(c)]


def value_columns(table: pd.DataFrame) -> list[str]:
    """The numeric account columns (everything but the municipality number and name)."""
    return [c for c in table.columns if c not in ("kommunenummer", "kommunenavn")]


# ---------------------------------------------------------------- areas (through geo.overlay)


def _polygons(geoms) -> np.ndarray:
    """Polygon parts only, empty and missing ones dropped."""
    g = polygonal(geoms)
    return g[~shapely.is_empty(g)]


def area_by_zone(
    zones: npt.ArrayLike, parts: npt.ArrayLike, chunk: int = DEFAULT_CHUNK, scheduler=None
) -> np.ndarray:
    """Area (m²) of ``parts`` inside each zone.

    Parameters
    ----------
    zones : sequence of shapely geometries
        Zone polygons (assumed not to overlap each other for the sums to add up).
    parts : array of shapely geometries
        Class polygons; they must not overlap each other (:func:`areal.geo.overlay.flatten` first).
    chunk : int
        Features of the larger side intersected per chunk (bounds the memory).
    scheduler : optional
        Run the intersection in spatial partitions on this scheduler
        (:func:`areal.geo.overlay.flat_overlay`, :func:`areal.geo.scheduler.get_scheduler`); the
        same areas.

    Returns
    -------
    ndarray of float, one entry per zone.

    Examples
    --------
    Two 2 × 2 squares and a part covering half of each:

    >>> from shapely import box
    >>> area_by_zone([box(0, 0, 2, 2), box(2, 0, 4, 2)], [box(1, 0, 3, 2)]).tolist()
    [2.0, 2.0]
    """
    zone_arr = np.asarray(zones, dtype=object)
    if scheduler is not None:
        from areal.geo.overlay import flat_overlay

        pieces = flat_overlay(parts, zone_arr, scheduler=scheduler, keep_geometry=False)
        return np.bincount(pieces.ib, weights=pieces.area, minlength=len(zone_arr)).astype(float)
    pieces = intersect(zone_arr, parts, chunk_size=chunk, keep_geometry=False)
    return np.bincount(pieces.ia, weights=pieces.area, minlength=len(zone_arr)).astype(float)


def clip_by_zone(zones: npt.ArrayLike, parts: npt.ArrayLike) -> list:
    """The part of ``parts`` inside each zone, one (multi)polygon per zone.

    Examples
    --------
    >>> from shapely import box
    >>> [g.area for g in clip_by_zone([box(0, 0, 2, 2), box(2, 0, 4, 2)], [box(1, 0, 3, 2)])]
    [2.0, 2.0]
    """
    zone_arr = np.asarray(zones, dtype=object)
    pieces = intersect(zone_arr, parts)
    out: list = [shapely.Polygon()] * len(zone_arr)
    if len(pieces) == 0:
        return out
    bounds = np.searchsorted(pieces.ia, np.arange(len(zone_arr) + 1))  # pieces are sorted by zone
    for i in np.unique(pieces.ia):
        group = pieces.geoms[bounds[i] : bounds[i + 1]]
        out[i] = group[0] if len(group) == 1 else polygonal([shapely.union_all(group)])[0]
    return out


def conversion_breakdown(
    targets: Sequence, categories: Mapping[str, np.ndarray | None]
) -> dict[str, np.ndarray]:
    """Split target land (planned business areas, a proposal) by what it lies on, each m² once.

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
        Category id -> area (m²) per zone; NaN for categories given as None. The categories of a
        zone add up to its target area.

    Examples
    --------
    A 2 × 2 target, half of it developed, and a forest over all of it: the developed half is not
    counted again as forest.

    >>> from shapely import box
    >>> out = conversion_breakdown([box(0, 0, 2, 2)], {"developed": [box(0, 0, 1, 2)], "forest": [box(0, 0, 2, 2)]})
    >>> {k: v.tolist() for k, v in out.items()}
    {'developed': [2.0], 'forest': [2.0], 'other': [0.0]}
    """
    rest = np.asarray(polygonal(np.asarray(list(targets), dtype=object)), dtype=object)
    out: dict[str, np.ndarray] = {}
    for cat, parts in categories.items():
        if parts is None:
            out[cat] = np.full(len(rest), np.nan)
            continue
        taken = clip_by_zone(rest, flatten(parts).geoms)
        out[cat] = np.array([g.area for g in taken], dtype=float)
        hit = np.flatnonzero(out[cat] > 0)
        if len(hit):
            rest[hit] = polygonal(shapely.difference(rest[hit], np.asarray(taken, dtype=object)[hit]))
    out["other"] = shapely.area(rest).astype(float)
    return out


# ---------------------------------------------------------------- assembling the account


def _check_frame(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputGeometryError(f"{what}: expected a GeoDataFrame, got {type(gdf).__name__}")
    gdf = to_working_crs(gdf, what)
    gdf, _ = repair_geometries(gdf, "polygon")
    return gdf


def _select(gdf: gpd.GeoDataFrame, cls: AccountClass, layer: str) -> np.ndarray:
    if cls.column is not None and (not cls.only_for or layer in cls.only_for):
        if cls.column not in gdf.columns:
            raise InputGeometryError(
                f"layer {layer!r} has no column {cls.column!r} (needed for class {cls.id!r}); "
                f"columns present: {[c for c in gdf.columns if c != gdf.geometry.name]}"
            )
        vals = gdf[cls.column].astype(str).str.strip()
        gdf = gdf[vals.isin(cls.values).to_numpy()]
    return np.asarray(gdf.geometry.values, dtype=object)


def _missing(cls: AccountClass, present: list[str], remedies: Mapping[str, str]) -> list[MissingLayer]:
    """The layers of ``cls`` that are absent, with the reason (``present``: those that are there)."""
    missing: list[MissingLayer] = []
    if not present:
        for lid in cls.layers:
            reason = (
                "not in the data directory"
                if len(cls.layers) == 1
                else (f"none of {', '.join(cls.layers)} is in the data directory")
            )
            missing.append(MissingLayer(lid, (f"{cls.id}_ha",), reason, remedies.get(lid, "")))
            if cls.combine == "first":
                break
    elif cls.combine == "union":
        for lid in cls.layers:
            if lid not in present:
                missing.append(
                    MissingLayer(
                        lid,
                        (f"{cls.id}_ha",),
                        f"not in the data directory: {cls.id} counts only {', '.join(present)}",
                        remedies.get(lid, ""),
                    )
                )
    return missing


def class_parts(
    cls: AccountClass,
    layers: Mapping[str, gpd.GeoDataFrame | None],
    remedies: Mapping[str, str] | None = None,
) -> tuple[np.ndarray | None, tuple[str, ...], list[MissingLayer]]:
    """Polygons of one class, flat (overlaps counted once), the layers used, and what is missing."""
    present = [lid for lid in cls.layers if layers.get(lid) is not None]
    missing = _missing(cls, present, remedies or {})
    if not present:
        return None, (), missing
    if cls.combine == "first":
        present = present[:1]
    geoms = np.concatenate([_select(layers[lid], cls, lid) for lid in present])
    return flatten(geoms).geoms, tuple(present), missing


def missing_layers(
    layers: Mapping[str, gpd.GeoDataFrame | None],
    remedies: Mapping[str, str] | None = None,
    classes: Iterable[AccountClass] = CLASSES,
) -> list[MissingLayer]:
    """The account layers absent from ``layers`` and the class columns they leave not available.

    Examples
    --------
    >>> [(m.layer, m.affects) for m in missing_layers({"forest": object()}, classes=CLASSES[:2])]
    [('mire', ('mire_ha',))]
    """
    out: dict[str, MissingLayer] = {}
    for cls in classes:
        for m in _missing(cls, [lid for lid in cls.layers if layers.get(lid) is not None], remedies or {}):
            old = out.get(m.layer)
            out[m.layer] = (
                m if old is None else MissingLayer(m.layer, old.affects + m.affects, old.reason, old.remedy)
            )
    return list(out.values())


def load_emission_factors(table: Mapping[str, Mapping]) -> dict[str, float]:
    """Check an emission-factor table (``data/emission_factors.toml`` parsed) and return ``{class: t/ha}``.

    The table is validated by :func:`areal.geo.emission_factors.parse_emission_factors`, the one
    parser of that file.

    Raises
    ------
    RuleError
        For an entry without a numeric ``factor``, a wrong unit or no ``source``.
    """
    from areal.geo.emission_factors import EmissionFactors, parse_emission_factors

    parsed = table if isinstance(table, EmissionFactors) else parse_emission_factors(table)
    return {cls: ef.factor for cls, ef in parsed.factors.items()}


_CLASS = {c.id: c for c in CLASSES}


class _Account:
    """Checked inputs of one account and the class polygons, each computed once.

    Without ``municipalities`` (a site account) there are no zones.
    """

    def __init__(self, layers, remedies, municipalities=None):
        self.layers = {
            k: (_check_frame(v, f"layer {k!r}") if v is not None else None) for k, v in layers.items()
        }
        self.remedies = dict(remedies or {})
        self.missing: list[MissingLayer] = []
        self.sources: dict[str, tuple[str, ...]] = {}
        self._parts: dict[str, np.ndarray | None] = {}
        if municipalities is None:
            return
        for col in ("kommunenummer", "kommunenavn"):
            if col not in municipalities.columns:
                raise InputGeometryError(
                    f"municipalities: column {col!r} is missing; columns present: {list(municipalities.columns)}"
                )
        self.munis = (
            _check_frame(municipalities, "municipalities").sort_values("kommunenummer").reset_index(drop=True)
        )
        present = {k: v for k, v in self.layers.items() if v is not None}
        ensure_same_crs(self.munis, *present.values(), names=("municipalities", *present))
        self.zones = np.asarray(self.munis.geometry.values, dtype=object)
        self.county = shapely.union_all(self.zones)
        self.all_zones = np.concatenate([self.zones, np.array([self.county], dtype=object)])

    def parts(self, cls: AccountClass) -> np.ndarray | None:
        if cls.id not in self._parts:
            parts, used, miss = class_parts(cls, self.layers, self.remedies)
            self._parts[cls.id] = parts
            self.missing += miss
            self.sources[cls.id] = used
        return self._parts[cls.id]

    def categories(self) -> tuple[dict[str, np.ndarray | None], list[str]]:
        """The conversion categories' polygons (see :data:`CATEGORY_CLASSES`) and the notes on them."""
        ar5 = self.layers.get("ar5") is not None
        dev_ids = [
            c for c in CATEGORY_CLASSES["developed"] if self.layers.get(_CLASS[c].layers[0]) is not None
        ]
        dev = [p for p in (self.parts(_CLASS[c]) for c in dev_ids) if p is not None]
        cats: dict[str, np.ndarray | None] = {
            "developed": np.concatenate(dev) if dev else None,
            "farmland": self.parts(_CLASS["farmland"]),  # None (and named missing) without AR5
            "mire": self.parts(_CLASS["ar5_mire" if ar5 else "mire"]),
            "forest": self.parts(_CLASS["ar5_forest" if ar5 else "forest"]),
        }
        notes = []
        farm = self.layers.get("farmland")
        if farm is not None and farm.attrs.get("farmland_sources"):
            used = farm.attrs["farmland_sources"]
            notes.append(
                "farmland from "
                + "; ".join(f"{u['name']} ({u['scale']})" for u in used)
                + "; outside their coverage 'other nature' may include farmland"
            )
        elif not ar5:
            notes.append("farmland needs AR5, AR50 or N50 Arealdekke: 'other nature' may include farmland")
        if not ar5:
            notes.append("forest and mire from N1000 (1:1 000 000)")
        names = {
            "built_up": "built_up",
            "ar5_developed": "ar5 11/12",
            "business_existing": "existing business areas",
        }
        notes.append(
            "developed land = " + (" ∪ ".join(names[c] for c in dev_ids) if dev_ids else "not available")
        )
        return cats, notes

    def targets(self, geoms: np.ndarray) -> list:
        """Target land cut by each municipality, then the county (overlaps merged by the clip)."""
        return clip_by_zone(self.all_zones, geoms)

    def merged_missing(self) -> list[MissingLayer]:
        """The missing list with one entry per layer (business_areas appears for several classes)."""
        merged: dict[str, MissingLayer] = {}
        for m in self.missing:
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
        return list(merged.values())


# A zone with less than this share of its area mapped by a layer is "not mapped" (NaN), not 0 ha.
_MAPPED_TOLERANCE = 1e-4


def _layer_coverage(acc: "_Account", layer: str) -> shapely.Geometry | None:
    """Where a layer is mapped: the frame's ``attrs["coverage"]`` (WKB), else everywhere (None)."""
    gdf = acc.layers.get(layer)
    wkb = getattr(gdf, "attrs", {}).get("coverage") if gdf is not None else None
    return shapely.from_wkb(wkb) if wkb is not None else None


def _mapped_shares(zones, coverage: shapely.Geometry) -> np.ndarray:
    """Share (0–1) of each zone's area inside the coverage."""
    z = np.asarray(zones, dtype=object)
    a = shapely.area(z)
    inside = shapely.area(shapely.intersection(z, coverage))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(a > 0, inside / a, 0.0)


def _apply_coverage(cols: dict, name: str, shares: np.ndarray) -> None:
    """Set ``cols[name]`` to NaN where nothing of the zone is mapped, and record the mapped share."""
    vals = np.asarray(cols[name], dtype=float).copy()
    vals[shares <= _MAPPED_TOLERANCE] = np.nan
    cols[name] = vals
    cols[name.removesuffix("_ha") + "_mapped_share"] = shares


def _breakdown_columns(
    prefix: str,
    targets: Sequence,
    cats: Mapping[str, np.ndarray | None],
    factors: Mapping[str, float] | None,
) -> dict[str, np.ndarray]:
    split = conversion_breakdown(targets, cats)
    cols = {f"{prefix}_total_ha": shapely.area(polygonal(np.asarray(targets, dtype=object))) / M2_PER_HA}
    for cat in CONVERSION_CATEGORIES:
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
        for cat in CONVERSION_CATEGORIES:
            ha = cols[f"{prefix}_on_{cat}_ha"]
            if cat in factors:
                co2 += np.nan_to_num(ha) * factors[cat]
            else:
                uncovered += np.nan_to_num(ha)
        cols[f"{prefix}_co2_t"] = co2
        cols[f"{prefix}_no_factor_ha"] = uncovered
    return cols


def _category_coverage(acc: "_Account", cols: dict, prefix: str, targets) -> None:
    """``<prefix>_on_<category>_ha`` is NaN where none of the target land is mapped by its layer."""
    for cat, ids in CATEGORY_CLASSES.items():
        used = [lid for i in ids for lid in acc.sources.get(i, ())]
        cover = [_layer_coverage(acc, lid) for lid in used]
        if not cover or any(c is None for c in cover) or f"{prefix}_on_{cat}_ha" not in cols:
            continue
        shares = _mapped_shares(targets, shapely.union_all(cover))
        shares[shapely.area(np.asarray(targets, dtype=object)) <= 0] = 1.0  # no target land: a real 0
        _apply_coverage(cols, f"{prefix}_on_{cat}_ha", shares)


def _breakdown_names(prefix: str, factors) -> list[str]:
    names = [f"{prefix}_total_ha"] + [f"{prefix}_on_{c}_ha" for c in CONVERSION_CATEGORIES]
    return (
        names
        + [f"{prefix}_developed_share"]
        + ([f"{prefix}_co2_t", f"{prefix}_no_factor_ha"] if factors else [])
    )


def _factor_notes(factors) -> list[str]:
    if factors is None:
        return []
    without = [c for c in CONVERSION_CATEGORIES if c not in factors]
    if not without:
        return []
    return [
        f"no emission factor for {', '.join(without)}: their hectares are reported as "
        "*_no_factor_ha and not counted in *_co2_t"
    ]


def _proposal_columns(acc: _Account, proposal: gpd.GeoDataFrame, cats, factors) -> tuple[dict, float]:
    prop = _check_frame(proposal, "proposal")
    ensure_same_crs(acc.munis, prop, names=("municipalities", "proposal"))
    geoms = flatten(np.asarray(prop.geometry.values, dtype=object)).geoms
    targets = acc.targets(geoms)
    cols = _breakdown_columns("proposal", targets, cats, factors)
    _category_coverage(acc, cols, "proposal", targets)
    outside = max(float(shapely.area(geoms).sum()) / M2_PER_HA - float(cols["proposal_total_ha"][-1]), 0.0)
    return cols, outside


def _frame(acc: _Account, cols: Mapping[str, np.ndarray], county: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kommunenummer": [*acc.munis["kommunenummer"].astype(str), county[0]],
            "kommunenavn": [*acc.munis["kommunenavn"].astype(str), county[1]],
            **cols,
        }
    )


def land_account(
    municipalities: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame | None],
    *,
    proposal: gpd.GeoDataFrame | None = None,
    emission_factors: Mapping[str, Mapping] | None = None,
    remedies: Mapping[str, str] | None = None,
    classes: Iterable[AccountClass] = CLASSES,
    county: tuple[str, str] = (COUNTY_ID, COUNTY_NAME),
    scheduler=None,
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
        Proposed business land (a drawn site, a scenario): its breakdown is added as ``proposal_*``
        (the figures of :func:`proposal_account`).
    emission_factors : mapping, optional
        ``{class: {"factor": float, "unit": "t CO2-eq/ha", "source": str}}`` (as in ``data/emission_factors.toml``) for the conversion categories
        (``developed``, ``farmland``, ``mire``, ``forest``, ``other``). Without it no CO2 is estimated.
    remedies : mapping, optional
        Layer id -> how to get it, shown with a missing layer (the caller's; none by default).
    classes : iterable of AccountClass
        The classes to account (default :data:`CLASSES`).
    county : (str, str)
        ``kommunenummer`` and ``kommunenavn`` of the total row: the run's county (default
        Trøndelag, ``("50", "Trøndelag")``).
    scheduler : optional
        Where the class areas per municipality are intersected (:func:`area_by_zone`).

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
    acc = _Account(layers, remedies, municipalities)
    factors = load_emission_factors(emission_factors) if emission_factors is not None else None
    county_zone = np.array([acc.county], dtype=object)
    cols: dict[str, np.ndarray] = {"land_ha": shapely.area(acc.all_zones) / M2_PER_HA}
    for cls in classes:
        parts = acc.parts(cls)
        if parts is None:
            cols[f"{cls.id}_ha"] = np.full(len(acc.all_zones), np.nan)
            continue
        cols[f"{cls.id}_ha"] = (
            np.concatenate(
                [
                    area_by_zone(acc.zones, parts, scheduler=scheduler),
                    area_by_zone(county_zone, parts, scheduler=scheduler),
                ]
            )
            / M2_PER_HA
        )
        cover = [_layer_coverage(acc, lid) for lid in acc.sources.get(cls.id, ())]
        if cover and all(c is not None for c in cover):
            # a partial layer (AR5 of some municipalities, the N50 farmland sample): not mapped is NaN
            _apply_coverage(cols, f"{cls.id}_ha", _mapped_shares(acc.all_zones, shapely.union_all(cover)))
    cats, notes = acc.categories()
    notes += _factor_notes(factors)
    planned = acc.parts(_CLASS["business_planned"])
    if planned is None:
        names = _breakdown_names("planned", factors)
        for name in names:
            cols[name] = np.full(len(acc.all_zones), np.nan)
        acc.missing.append(
            MissingLayer(
                "business_areas",
                tuple(names),
                "planned business areas (arealbruksstatus 2) not in the data directory",
                acc.remedies.get("business_areas", ""),
            )
        )
    else:
        targets = acc.targets(planned)
        cols.update(_breakdown_columns("planned", targets, cats, factors))
        _category_coverage(acc, cols, "planned", targets)
    outside = 0.0
    if proposal is not None:
        pcols, outside = _proposal_columns(acc, proposal, cats, factors)
        cols.update(pcols)
    return LandAccount(
        _frame(acc, cols, county), acc.merged_missing(), acc.sources, notes, outside, county[0]
    )


def proposal_account(
    proposal: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame | None],
    municipalities: gpd.GeoDataFrame,
    *,
    emission_factors: Mapping[str, Mapping] | None = None,
    remedies: Mapping[str, str] | None = None,
    county: tuple[str, str] = (COUNTY_ID, COUNTY_NAME),
) -> LandAccount:
    """What a proposal lies on, per municipality it touches and for the county, and the CO₂ of converting it.

    The same figures as the ``proposal_*`` columns of :func:`land_account` (one model: each m²
    counted once, by :data:`CONVERSION_CATEGORIES`), without computing the whole county's classes.
    ``county`` as in :func:`land_account`.

    Returns
    -------
    LandAccount
        ``table``: ``kommunenummer``, ``kommunenavn`` and the ``proposal_*`` columns, one row per
        municipality holding part of the proposal, then the county row. ``outside_ha``: the part of
        the proposal on no municipality's land (at sea).

    Examples
    --------
    A 2 × 1 km proposal across two municipalities, a quarter of it on mire:

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> munis = gpd.GeoDataFrame({"kommunenummer": ["5001", "5002"], "kommunenavn": ["A", "B"]},
    ...     geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=25833)
    >>> prop = gpd.GeoDataFrame(geometry=[box(500, 0, 1500, 1000)], crs=25833)
    >>> mire = gpd.GeoDataFrame(geometry=[box(1250, 0, 1500, 1000)], crs=25833)
    >>> acc = proposal_account(prop, {"mire": mire}, munis)
    >>> acc.table[["kommunenummer", "proposal_total_ha", "proposal_on_mire_ha", "proposal_on_other_ha"]].values.tolist()
    [['5001', 50.0, 0.0, 50.0], ['5002', 50.0, 25.0, 25.0], ['50', 100.0, 25.0, 75.0]]
    """
    acc = _Account(layers, remedies, municipalities)
    factors = load_emission_factors(emission_factors) if emission_factors is not None else None
    cats, notes = acc.categories()
    notes += _factor_notes(factors)
    cols, outside = _proposal_columns(acc, proposal, cats, factors)
    table = _frame(acc, cols, county)
    keep = (table["proposal_total_ha"] > 0).to_numpy().copy()
    keep[-1] = True  # the county row
    wanted = set(_breakdown_names("proposal", factors))
    missing = []
    for m in acc.merged_missing():
        # a class behind a category: the proposal columns of that category are not available
        cats_hit = [c for c, ids in CATEGORY_CLASSES.items() if any(f"{i}_ha" in m.affects for i in ids)]
        affects = tuple(f"proposal_on_{c}_ha" for c in cats_hit if cats[c] is None)
        if affects and set(affects) <= wanted:
            missing.append(MissingLayer(m.layer, affects, m.reason, m.remedy))
    return LandAccount(table[keep].reset_index(drop=True), missing, acc.sources, notes, outside, county[0])


def zone_account(
    zones: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame | None],
    *,
    emission_factors: Mapping[str, Mapping] | None = None,
    remedies: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Account of a site (or any set of polygons) as one row: class hectares and what converting it means.

    The site is flattened so overlapping proposal polygons count once. Missing classes are NaN.
    Used by reports (``--site``) and scenario comparison.
    """
    site = _check_frame(zones, "site")
    geom = polygonal([shapely.union_all(flatten(np.asarray(site.geometry.values, dtype=object)).geoms)])[0]
    acc = _Account(layers, remedies)  # the site is the one zone
    row: dict[str, float] = {"area_ha": geom.area / M2_PER_HA}
    for cls in CLASSES:
        parts = acc.parts(cls)
        row[f"{cls.id}_ha"] = np.nan if parts is None else area_by_zone([geom], parts)[0] / M2_PER_HA
        cover = [_layer_coverage(acc, lid) for lid in acc.sources.get(cls.id, ())]
        if parts is not None and cover and all(c is not None for c in cover):
            cols = {f"{cls.id}_ha": np.array([row[f"{cls.id}_ha"]])}
            _apply_coverage(cols, f"{cls.id}_ha", _mapped_shares([geom], shapely.union_all(cover)))
            row.update({k: float(v[0]) for k, v in cols.items()})
    cats, _ = acc.categories()
    factors = load_emission_factors(emission_factors) if emission_factors is not None else None
    cols = _breakdown_columns("site", [geom], cats, factors)
    _category_coverage(acc, cols, "site", [geom])
    for k, v in cols.items():
        row[k] = float(v[0])
    return pd.DataFrame([row])


__all__ = [
    "AccountClass",
    "CATEGORY_CLASSES",
    "CLASSES",
    "CONVERSION_CATEGORIES",
    "LandAccount",
    "MissingLayer",
    "area_by_zone",
    "class_parts",
    "clip_by_zone",
    "conversion_breakdown",
    "land_account",
    "load_emission_factors",
    "missing_layers",
    "proposal_account",
    "value_columns",
    "zone_account",
]
