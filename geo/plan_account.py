"""Arealregnskap for a kommuneplan: the plan reserve by land-use purpose and by what lies there now.

Pure: frames in, a :class:`PlanAccount` out. The method is the "union" analysis of the KDD guidance
*Arealregnskap i kommuneplan* (2023, vedlegg 2 teknisk manual): the current plan, the proposed plan
and a land-class map are overlaid so that every square metre becomes one piece carrying the
current arealformål and arealbruksstatus, the proposed ones, and the land class that lies there now.
The tables are sums of those pieces, so each m² is counted once in every table:

* **plan reserve** (arealreserve) of a plan: its areas whose arealbruksstatus is in
  ``reserve_status`` (``"2"`` framtidig by default; ``"3"`` videreutvikling av nåværende on
  request), per arealformål × land class;
* **new** in the proposed plan: proposed reserve where the current plan did not already hold the
  same arealformål as reserve (LNF turned into business land, housing turned into business land,
  land the current plan did not cover);
* **returned to LNF**: current reserve that the proposed plan gives an LNF(R) purpose
  (arealformål 5xxx) without reserve status, per the purpose it had;
* **removed to other purposes**: current reserve that the proposed plan gives another purpose
  without reserve status (grønnstruktur, an existing road ...), per the purpose it had; land the
  proposal does not cover is not counted as removed;
* **CO₂** by land class of each of these, from the emission factors (``data/emission_factors.toml``)
  of the conversion categories of :mod:`areal.geo.land_account`.

Land classes (:data:`LAND_CLASSES`) come from AR5 (1:5 000: farmland split into fulldyrka,
overflatedyrka and innmarksbeite; forest by site index, skogbonitet), else from N50 Arealdekke
(DyrketMark, Skog, Myr ...; 1:50 000) or N1000 (1:1 000 000). :func:`combine_land_sources` stacks
them, a coarser source only where the finer ones do not reach; the part of a plan that no source
covers is the class ``ikke_kartlagt`` (not mapped), never 0 ha of something.

Plans are frames with ``arealformal`` (the SOSI KpArealformål code as a string, ``"1300"``),
``arealbruksstatus`` (``"1"`` nåværende, ``"2"`` framtidig, ``"3"`` videreutvikling av nåværende: the
SOSI Arealbruksstatus code list) and ``kommunenummer``; :mod:`areal.layers.plan_files` reads them
from GML, SOSI, GeoPackage, GeoJSON and the plan database's OGC API JSON. Features of one plan that
overlap are counted once, for the feature of the higher priority: reserve status before others,
then the lower arealformål code (the overlap is reported in :attr:`PlanAccount.notes`).

Examples
--------
A current plan with 10 ha of LNF on fulldyrka jord and 4 ha of future housing on forest; the
proposed plan makes the 10 ha business land and returns the 4 ha to LNF:

>>> import geopandas as gpd
>>> from shapely import box
>>> def plan(rows):
...     return gpd.GeoDataFrame(
...         [dict(arealformal=f, arealbruksstatus=s, kommunenummer="5001") for f, s, _ in rows],
...         geometry=[g for *_, g in rows], crs=25833)
>>> current = plan([("5100", "1", box(0, 0, 1000, 100)), ("1110", "2", box(0, 100, 400, 200))])
>>> proposed = plan([("1300", "2", box(0, 0, 1000, 100)), ("5100", "1", box(0, 100, 400, 200))])
>>> land = gpd.GeoDataFrame({"land_class": ["fulldyrka", "skog_hoy"], "source": ["AR5", "AR5"]},
...     geometry=[box(0, 0, 1000, 100), box(0, 100, 400, 200)], crs=25833)
>>> acc = plan_account(current, proposed, land)
>>> float(acc.table("new").loc["1300", "fulldyrka"]), float(acc.table("returned_lnf").loc["1110", "skog_hoy"])
(10.0, 4.0)
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
from areal.geo.overlay import as_geometry_array, intersect, overlapping_pairs, polygonal

FARMLAND = ("fulldyrka", "overflatedyrka", "innmarksbeite", "dyrka_mark")
FOREST = (
    "skog_saers_hoy",
    "skog_hoy",
    "skog_middels",
    "skog_lav",
    "skog_impediment",
    "skog_hoy_saers_hoy",
    "skog_produktiv",
    "skog_uten_bonitet",
)
NOT_MAPPED = "ikke_kartlagt"

LAND_CLASSES: tuple[str, ...] = (
    *FARMLAND,
    *FOREST,
    "myr",
    "apen_fastmark",
    "bebygd",
    "samferdsel",
    "vann_is",
    "annet",
    NOT_MAPPED,
)
"""Land-class ids in table order (titles: :mod:`areal.apps.usecases.plan_account`).

``dyrka_mark`` is cultivated land from N50 (DyrketMark), which does not tell fulldyrka from
overflatedyrka; ``skog_uten_bonitet`` is forest without a site index (N50/N1000, or AR5 98/99).
"""

#: AR5 arealtype -> land class (forest, 30, is split by skogbonitet, :data:`AR5_SKOGBONITET`).
AR5_ARTYPE: Mapping[str, str] = {
    "11": "bebygd",
    "12": "samferdsel",
    "21": "fulldyrka",
    "22": "overflatedyrka",
    "23": "innmarksbeite",
    "50": "apen_fastmark",
    "60": "myr",
    "70": "vann_is",
    "81": "vann_is",
    "82": "vann_is",
    "99": NOT_MAPPED,
}
#: AR5 skogbonitet (site index) of forest: the NIBIO code list (11 impediment ... 15 særs høy) and
#: the editing schema's 17 produktiv / 18 høy og særs høy.
AR5_SKOGBONITET: Mapping[str, str] = {
    "11": "skog_impediment",
    "12": "skog_lav",
    "13": "skog_middels",
    "14": "skog_hoy",
    "15": "skog_saers_hoy",
    "17": "skog_produktiv",
    "18": "skog_hoy_saers_hoy",
}
#: N50 Arealdekke objtype -> land class.
N50_OBJTYPE: Mapping[str, str] = {
    "DyrketMark": "dyrka_mark",
    "Skog": "skog_uten_bonitet",
    "Myr": "myr",
    "ÅpentOmråde": "apen_fastmark",
    "TettBebyggelse": "bebygd",
    "BymessigBebyggelse": "bebygd",
    "Industriområde": "bebygd",
    "Innsjø": "vann_is",
    "InnsjøRegulert": "vann_is",
    "Elv": "vann_is",
    "Havflate": "vann_is",
    "SnøIsbre": "vann_is",
    "Golfbane": "annet",
    "Gravplass": "annet",
    "Park": "annet",
    "Alpinbakke": "annet",
    "Lufthavn": "samferdsel",
    "Steinbrudd": "annet",
    "Steintipp": "annet",
    "Sportsidrettplass": "annet",
}
#: N1000 layer ids (:mod:`areal.layers.catalogue.landcover`) -> land class. N1000 has no farmland.
N1000_LAYERS: Mapping[str, str] = {
    "built_up": "bebygd",
    "mire": "myr",
    "forest": "skog_uten_bonitet",
    "open_land": "apen_fastmark",
    "lakes": "vann_is",
}

#: Land class -> conversion category of the emission factors (:data:`areal.geo.land_account.CONVERSION_CATEGORIES`).
CO2_CATEGORY: Mapping[str, str] = {
    **{c: "farmland" for c in FARMLAND},
    **{c: "forest" for c in FOREST},
    "myr": "mire",
    "bebygd": "developed",
    "samferdsel": "developed",
    "apen_fastmark": "other",
    "vann_is": "other",
    "annet": "other",
}

TABLES = ("reserve_current", "reserve_proposed", "new", "returned_lnf", "removed_other")
"""The area tables of the account (each arealformål × land class, hectares)."""

RESERVE_STATUS = ("2",)
LNF_MAIN = "5"  # LNF(R) purposes are 5001, 5100, 5110 ... 5230: the main group's first digit
_PLAN_COLUMNS = ("arealformal", "arealbruksstatus", "kommunenummer")
_STATUS_CODES = ("1", "2", "3")


class Note(str):
    """A note of the account: English text (logs, JSON) with its ``kind`` and ``values``.

    A view says it in its own language (:func:`areal.apps.usecases.plan_account.note_text`).

    Kinds: ``"plan_overlap"`` (``what``, ``m2``), ``"land_overlap"`` (``what``, ``m2``),
    ``"repaired"`` (``what``, ``n``).

    >>> n = Note("a.gml: 2 invalid polygon(s) repaired", "repaired", what="a.gml", n=2)
    >>> n, n.kind, n.values["n"]
    ('a.gml: 2 invalid polygon(s) repaired', 'repaired', 2)
    """

    kind: str
    values: dict

    def __new__(cls, text: str, kind: str, **values):
        """``text`` as the string; ``kind`` and ``values`` for translation."""
        obj = super().__new__(cls, text)
        obj.kind = kind
        obj.values = values
        return obj


@dataclass
class PlanAccount:
    """Result of :func:`plan_account`.

    Attributes
    ----------
    pieces : DataFrame
        The union: one row per piece of the same current and proposed purpose and land class,
        ``kommunenummer, cur_formal, cur_status, prop_formal, prop_status, land_class, source,
        area_m2`` (``cur_*`` empty where the current plan does not cover the piece, ``prop_*``
        likewise). Every table is a sum over these rows.
    reserve_status : tuple of str
    sources : DataFrame
        Hectares of the plans' union covered by each land-class source (``NOT_MAPPED`` for none).
    co2_factors : dict
        Conversion category -> t CO₂-eq/ha used (categories without a factor are absent).
    notes : list of str
    """

    pieces: pd.DataFrame
    reserve_status: tuple[str, ...] = RESERVE_STATUS
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    co2_factors: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    zones: gpd.GeoDataFrame | None = None

    @property
    def municipalities(self) -> list[str]:
        """The municipalities holding part of either plan, sorted."""
        return sorted(set(self.pieces["kommunenummer"]))

    def _selection(self, kind: str, frame: pd.DataFrame | None = None) -> tuple[pd.DataFrame, str]:
        p = self.pieces if frame is None else frame
        cur_res = p["cur_status"].isin(self.reserve_status)
        prop_res = p["prop_status"].isin(self.reserve_status)
        if kind == "reserve_current":
            return p[cur_res], "cur_formal"
        if kind == "reserve_proposed":
            return p[prop_res], "prop_formal"
        if kind == "new":
            kept = cur_res & (p["cur_formal"] == p["prop_formal"])
            return p[prop_res & ~kept], "prop_formal"
        if kind == "returned_lnf":
            lnf = p["prop_formal"].str.startswith(LNF_MAIN) & ~prop_res
            return p[cur_res & lnf], "cur_formal"
        if kind == "removed_other":
            # out of the reserve to another purpose; land the proposal does not cover is not "removed"
            lnf = p["prop_formal"].str.startswith(LNF_MAIN)
            covered = p["prop_formal"] != ""
            return p[cur_res & covered & ~prop_res & ~lnf], "cur_formal"
        raise ValueError(f"table {kind!r} is not one of {', '.join(TABLES)}")

    def table(self, kind: str, kommune: str | None = None, *, totals: bool = False) -> pd.DataFrame:
        """One table: arealformål rows × land-class columns, hectares.

        Parameters
        ----------
        kind : {"reserve_current", "reserve_proposed", "new", "returned_lnf", "removed_other"}
        kommune : str, optional
            One municipality (default: all together).
        totals : bool
            Add the ``"sum"`` row and column (the layout of the KDD guidance).

        Returns
        -------
        DataFrame
            Index: arealformål codes (sorted); columns: every land class of :data:`LAND_CLASSES`,
            zeros where nothing lies.
        """
        sel, key = self._selection(kind)
        if kommune is not None:
            sel = sel[sel["kommunenummer"] == kommune]
        out = (
            sel.groupby([key, "land_class"])["area_m2"].sum().unstack("land_class", fill_value=0.0)
            if len(sel)
            else pd.DataFrame(index=pd.Index([], name=key))
        )
        out = out.reindex(columns=list(LAND_CLASSES), fill_value=0.0).sort_index() / M2_PER_HA
        out.index.name, out.columns.name = "arealformal", None
        if totals:
            out["sum"] = out.sum(axis=1)
            out.loc["sum"] = out.sum(axis=0)
        return out

    def co2(self, kommune: str | None = None) -> pd.DataFrame:
        """Hectares and t CO₂-eq by land class for each table (NaN t where no factor exists).

        Returns
        -------
        DataFrame
            Index: land classes; columns ``category``, ``factor`` and ``<table>_ha``, ``<table>_t``
            for each of :data:`TABLES`.
        """
        out = pd.DataFrame(index=pd.Index(list(LAND_CLASSES), name="land_class"))
        out["category"] = [CO2_CATEGORY.get(c, "") for c in out.index]
        out["factor"] = [self.co2_factors.get(cat, np.nan) for cat in out["category"]]
        for kind in TABLES:
            ha = self.table(kind, kommune).sum(axis=0).reindex(out.index, fill_value=0.0)
            out[f"{kind}_ha"] = ha
            out[f"{kind}_t"] = ha * out["factor"]
        return out

    def changes(self, kommune: str | None = None) -> gpd.GeoDataFrame:
        """Where the proposal changes the reserve, as polygons (for the map).

        Returns
        -------
        GeoDataFrame
            ``change`` (``"new"``, ``"returned_lnf"`` or ``"removed_other"``), ``arealformal`` (proposed
            for new land, the former purpose otherwise), ``kommunenummer``, ``area_ha``; one
            (multi)polygon per group, EPSG:25833. Empty without zones.
        """
        cols = ["change", "arealformal", "kommunenummer", "area_ha"]
        if self.zones is None or len(self.zones) == 0:
            return gpd.GeoDataFrame(columns=[*cols, "geometry"], geometry="geometry", crs=25833)
        rows = []
        for kind in ("new", "returned_lnf", "removed_other"):
            sel, key = self._selection(kind, self.zones)
            if kommune is not None:
                sel = sel[sel["kommunenummer"] == kommune]
            for (formal, knr), grp in sel.groupby([key, "kommunenummer"]):
                geom = shapely.union_all(np.asarray(grp.geometry.values, dtype=object))
                rows.append(
                    {
                        "change": kind,
                        "arealformal": formal,
                        "kommunenummer": knr,
                        "area_ha": geom.area / M2_PER_HA,
                        "geometry": geom,
                    }
                )
        if not rows:
            return gpd.GeoDataFrame(columns=[*cols, "geometry"], geometry="geometry", crs=25833)
        return gpd.GeoDataFrame(rows, geometry="geometry", crs=25833)

    def long(self) -> pd.DataFrame:
        """All tables, per municipality, in long form (``table, kommunenummer, arealformal, land_class, source, ha``)."""
        rows = []
        for kind in TABLES:
            sel, key = self._selection(kind)
            g = sel.groupby(["kommunenummer", key, "land_class", "source"])["area_m2"].sum().reset_index()
            g = g.rename(columns={key: "arealformal"})
            g.insert(0, "table", kind)
            rows.append(g)
        out = pd.concat(rows, ignore_index=True)
        out["ha"] = out.pop("area_m2") / M2_PER_HA
        return out


# ---------------------------------------------------------------- land classes from the sources


def _land_frame(gdf: gpd.GeoDataFrame, classes, source: str) -> gpd.GeoDataFrame:
    keep = pd.Series(classes, index=gdf.index).notna().to_numpy()
    out = gpd.GeoDataFrame(
        {"land_class": np.asarray(classes, dtype=object)[keep], "source": source},
        geometry=np.asarray(gdf.geometry.values, dtype=object)[keep],
        crs=gdf.crs,
    )
    return out


def _column(gdf: gpd.GeoDataFrame, column: str, what: str) -> pd.Series:
    if column not in gdf.columns:
        raise InputGeometryError(
            f"{what}: column {column!r} is missing; columns present: "
            f"{[c for c in gdf.columns if c != gdf.geometry.name]}"
        )
    # integer codes read as floats by some drivers ("30.0") are the same code
    return gdf[column].astype("string").str.strip().str.replace(r"\.0+$", "", regex=True).fillna("")


def ar5_land_classes(ar5: gpd.GeoDataFrame, source: str = "AR5") -> gpd.GeoDataFrame:
    """AR5 polygons as land classes: farmland by arealtype, forest (30) by skogbonitet.

    Parameters
    ----------
    ar5 : GeoDataFrame
        With ``arealtype`` and ``skogbonitet`` (the catalogue layer ``ar5``).

    Raises
    ------
    InputGeometryError
        For a missing column or an arealtype that is not in the AR5 code list (named with its count).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> ar5 = gpd.GeoDataFrame({"arealtype": ["21", "30", "30"], "skogbonitet": ["98", "14", "99"]},
    ...     geometry=[box(0, 0, 1, 1)] * 3, crs=25833)
    >>> ar5_land_classes(ar5)["land_class"].tolist()
    ['fulldyrka', 'skog_hoy', 'skog_uten_bonitet']
    """
    art = _column(ar5, "arealtype", "AR5")
    bon = (
        _column(ar5, "skogbonitet", "AR5") if "skogbonitet" in ar5.columns else pd.Series("", index=ar5.index)
    )
    forest = art == "30"
    cls = art.map(AR5_ARTYPE)
    cls[forest] = bon[forest].map(AR5_SKOGBONITET).fillna("skog_uten_bonitet")
    bad = art[cls.isna()]
    if len(bad):
        counts = ", ".join(f"{v!r} ({n}×)" for v, n in bad.value_counts().items())
        raise InputGeometryError(f"AR5: column 'arealtype' has values not in the AR5 code list: {counts}")
    return _land_frame(ar5, cls.to_numpy(dtype=object), source)


def n50_land_classes(arealdekke: gpd.GeoDataFrame, source: str = "N50") -> gpd.GeoDataFrame:
    """N50 Arealdekke polygons (column ``objtype``) as land classes; unknown types are ``annet``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> n50 = gpd.GeoDataFrame({"objtype": ["DyrketMark", "Skog", "Havflate"]},
    ...     geometry=[box(0, 0, 1, 1)] * 3, crs=25833)
    >>> n50_land_classes(n50)["land_class"].tolist()
    ['dyrka_mark', 'skog_uten_bonitet', 'vann_is']
    """
    obj = _column(arealdekke, "objtype", "N50 Arealdekke")
    return _land_frame(arealdekke, obj.map(N50_OBJTYPE).fillna("annet").to_numpy(dtype=object), source)


def n1000_land_classes(
    layers: Mapping[str, gpd.GeoDataFrame | None], source: str = "N1000"
) -> gpd.GeoDataFrame:
    """N1000 land-cover layers (keyed by catalogue id, :data:`N1000_LAYERS`) as one land-class frame.

    Their overlaps are resolved by :func:`combine_land_sources` in class order (built-up first).
    """
    frames = [
        _land_frame(g, np.full(len(g), N1000_LAYERS[lid], dtype=object), source)
        for lid, g in layers.items()
        if lid in N1000_LAYERS and g is not None and len(g)
    ]
    if not frames:
        return gpd.GeoDataFrame({"land_class": [], "source": []}, geometry=[], crs=25833)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)


def _valid(geoms: np.ndarray) -> tuple[np.ndarray, int]:
    """Polygon parts, invalid ones repaired with ``make_valid`` (counted, never dropped)."""
    g = polygonal(geoms)
    bad = ~shapely.is_valid(g)
    if bad.any():
        g = g.copy()
        g[bad] = polygonal(shapely.make_valid(g[bad]))
    return g, int(bad.sum())


def _class_rank(classes: np.ndarray) -> np.ndarray:
    order = {c: i for i, c in enumerate(("bebygd", "samferdsel", *FARMLAND, "myr", *FOREST))}
    return np.array([order.get(c, len(order)) for c in classes])


def _resolve_overlaps(geoms: np.ndarray, rank: np.ndarray) -> tuple[np.ndarray, float]:
    """Each m² once: where polygons overlap, the one of lower ``rank`` (then lower index) keeps it.

    Returns the new geometries and the overlapping area (m²) that was taken from the losers.
    """
    i, j = overlapping_pairs(geoms)
    if len(i) == 0:
        return geoms, 0.0
    # the loser of each pair is the one with the higher (rank, index)
    i_wins = (rank[i] < rank[j]) | ((rank[i] == rank[j]) & (i < j))
    winner, loser = np.where(i_wins, i, j), np.where(i_wins, j, i)
    out = geoms.copy()
    lost = 0.0
    order = np.argsort(loser, kind="stable")
    winner, loser = winner[order], loser[order]
    for k in np.unique(loser):
        w = winner[loser == k]
        before = shapely.area(out[k])
        # subtract the *original* winners: a point covered by several goes to the best of them
        out[k] = polygonal([shapely.difference(geoms[k], shapely.union_all(geoms[w]))])[0]
        lost += float(before - shapely.area(out[k]))
    return out, lost


def combine_land_sources(
    sources: Sequence[gpd.GeoDataFrame], extent=None
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Stack land-class frames, best source first: each later one only where the earlier ones do not reach.

    Parameters
    ----------
    sources : sequence of GeoDataFrame
        Frames of ``land_class`` and ``source`` (from :func:`ar5_land_classes`,
        :func:`n50_land_classes`, :func:`n1000_land_classes`), finest scale first.
    extent : shapely geometry, optional
        Clip to this area first (the plans' union): only what the account can use is processed.

    Returns
    -------
    (GeoDataFrame, list of str)
        One frame without overlaps (each m² one class from one source) and notes on what was
        resolved.

    Examples
    --------
    AR5 covers the west half; N1000 forest covers all: N1000 counts only in the east half.

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> ar5 = gpd.GeoDataFrame({"land_class": ["fulldyrka"], "source": ["AR5"]}, geometry=[box(0, 0, 1, 2)], crs=25833)
    >>> n1000 = gpd.GeoDataFrame({"land_class": ["skog_uten_bonitet"], "source": ["N1000"]}, geometry=[box(0, 0, 2, 2)], crs=25833)
    >>> land, _ = combine_land_sources([ar5, n1000])
    >>> land.assign(a=land.area).groupby("source")["a"].sum().to_dict()
    {'AR5': 2.0, 'N1000': 2.0}
    """
    notes: list[str] = []
    out_g, out_c, out_s = [], [], []
    covered = None
    for frame in sources:
        if frame is None or len(frame) == 0:
            continue
        frame = to_working_crs(frame, "land classes")
        g, n_bad = _valid(as_geometry_array(frame))
        if n_bad:
            what = str(frame["source"].iloc[0])
            notes.append(Note(f"{what}: {n_bad} invalid polygon(s) repaired", "repaired", what=what, n=n_bad))
        cls = frame["land_class"].astype(str).to_numpy(dtype=object)
        src = frame["source"].astype(str).to_numpy(dtype=object)
        if extent is not None:
            hit = shapely.intersects(g, extent)
            g, cls, src = g[hit], cls[hit], src[hit]
            inside = shapely.contains_properly(extent, g)
            g = g.copy()
            g[~inside] = polygonal(shapely.intersection(g[~inside], extent))
        keep = ~shapely.is_empty(g)
        g, cls, src = g[keep], cls[keep], src[keep]
        if len(g) == 0:
            continue
        g, lost = _resolve_overlaps(g, _class_rank(cls))
        if lost > 0:
            notes.append(
                Note(
                    f"{src[0]}: {lost / M2_PER_HA:.4f} ha where its polygons overlap counted once "
                    "(built-up, then farmland, mire, forest, others first)",
                    "land_overlap",
                    what=str(src[0]),
                    m2=lost,
                )
            )
        this_cover = shapely.union_all(g)
        if covered is not None:
            g = polygonal(shapely.difference(g, covered))
            keep = ~shapely.is_empty(g)
            g, cls, src = g[keep], cls[keep], src[keep]
        covered = this_cover if covered is None else shapely.union(covered, this_cover)
        out_g.append(g)
        out_c.append(cls)
        out_s.append(src)
    if not out_g:
        return gpd.GeoDataFrame({"land_class": [], "source": []}, geometry=[], crs=25833), notes
    return (
        gpd.GeoDataFrame(
            {"land_class": np.concatenate(out_c), "source": np.concatenate(out_s)},
            geometry=np.concatenate(out_g),
            crs=25833,
        ),
        notes,
    )


# ---------------------------------------------------------------- the plans


def check_plan(plan: gpd.GeoDataFrame, what: str, *, default_status: str | None = None) -> gpd.GeoDataFrame:
    """A plan frame checked and cleaned: codes as strings, EPSG:25833, repaired polygons.

    Parameters
    ----------
    plan : GeoDataFrame
        With ``arealformal``, ``arealbruksstatus`` and ``kommunenummer``.
    what : str
        How the plan is named in messages (its file name).
    default_status : {"1", "2", "3"}, optional
        Status for features without one (a reguleringsplan carries no arealbruksstatus).

    Raises
    ------
    InputGeometryError
        One line naming the plan, the column and the offending value(s).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> bad = gpd.GeoDataFrame({"arealformal": ["1300"], "arealbruksstatus": ["7"], "kommunenummer": ["5001"]},
    ...     geometry=[box(0, 0, 1, 1)], crs=25833)
    >>> check_plan(bad, "kpa.gml")
    Traceback (most recent call last):
    ...
    areal.geo.errors.InputGeometryError: kpa.gml: column 'arealbruksstatus' has value '7' (1×), not one of 1 nåværende, 2 framtidig, 3 videreutvikling av nåværende
    """
    if not isinstance(plan, gpd.GeoDataFrame):
        raise InputGeometryError(f"{what}: expected a GeoDataFrame, got {type(plan).__name__}")
    for col in _PLAN_COLUMNS:
        if col not in plan.columns:
            raise InputGeometryError(
                f"{what}: column {col!r} is missing; columns present: "
                f"{[c for c in plan.columns if c != plan.geometry.name]}"
            )
    if len(plan) == 0:
        raise InputGeometryError(f"{what}: the plan holds no arealformål areas")
    plan = to_working_crs(plan, what)
    plan, _ = repair_geometries(plan, "polygon")
    out = plan[[*_PLAN_COLUMNS, plan.geometry.name]].copy()
    for col in _PLAN_COLUMNS:
        # codes stored as numbers come back as "1300.0" from some drivers: the same code
        out[col] = out[col].astype("string").str.strip().str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
        out[col] = out[col].replace("", pd.NA)
    if default_status is not None:
        out["arealbruksstatus"] = out["arealbruksstatus"].fillna(default_status)
    for col in _PLAN_COLUMNS:
        empty = int(out[col].isna().sum())
        if empty:
            hint = (
                "; a reguleringsplan has none: give the status to count it with (e.g. --default-status 2)"
                if col == "arealbruksstatus"
                else ("; give the municipality (--kommune NNNN)" if col == "kommunenummer" else "")
            )
            raise InputGeometryError(
                f"{what}: column {col!r} is empty for {empty} of {len(out)} feature(s){hint}"
            )
    status = out["arealbruksstatus"]
    bad = status[~status.isin(_STATUS_CODES)]
    if len(bad):
        counts = ", ".join(f"{v!r} ({n}×)" for v, n in bad.value_counts().items())
        raise InputGeometryError(
            f"{what}: column 'arealbruksstatus' has value {counts}, not one of "
            "1 nåværende, 2 framtidig, 3 videreutvikling av nåværende"
        )
    formal = out["arealformal"]
    bad = formal[~formal.str.fullmatch(r"\d{3,4}")]
    if len(bad):
        counts = ", ".join(f"{v!r} ({n}×)" for v, n in bad.value_counts().head(5).items())
        raise InputGeometryError(f"{what}: column 'arealformal' has value {counts}, not an arealformål code")
    knr = out["kommunenummer"]
    bad = knr[~knr.str.fullmatch(r"\d{4}")]
    if len(bad):
        counts = ", ".join(f"{v!r} ({n}×)" for v, n in bad.value_counts().head(5).items())
        raise InputGeometryError(f"{what}: column 'kommunenummer' has value {counts}, not a 4-digit number")
    geoms = polygonal(as_geometry_array(out))
    keep = ~shapely.is_empty(geoms)
    if not keep.any():
        raise InputGeometryError(f"{what}: no feature has a polygon (only points, lines or empty geometries)")
    out = out[keep].copy()
    out = out.set_geometry(gpd.GeoSeries(geoms[keep], index=out.index, crs=out.crs))
    return out.reset_index(drop=True)


def _plan_arrays(plan: gpd.GeoDataFrame, what: str, reserve_status, notes: list[str]):
    geoms = as_geometry_array(plan)
    formal = plan["arealformal"].astype(str).to_numpy(dtype=object)
    status = plan["arealbruksstatus"].astype(str).to_numpy(dtype=object)
    knr = plan["kommunenummer"].astype(str).to_numpy(dtype=object)
    # priority: reserve status first, then the lower arealformål code
    key = np.array([(0 if s in reserve_status else 1) * 10_000 + int(f) for s, f in zip(status, formal)])
    rank = np.argsort(np.argsort(key, kind="stable"), kind="stable")
    geoms, lost = _resolve_overlaps(geoms, rank)
    if lost > 0:
        notes.append(
            Note(
                f"{what}: {lost / M2_PER_HA:.4f} ha where its areas overlap counted once "
                "(for the area with reserve status, then the lower arealformål code)",
                "plan_overlap",
                what=what,
                m2=lost,
            )
        )
    keep = ~shapely.is_empty(geoms)
    return geoms[keep], formal[keep], status[keep], knr[keep]


def _minus(geoms: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Each of ``geoms`` minus every polygon of ``other`` it meets."""
    out = geoms.copy()
    if len(other) == 0 or len(geoms) == 0:
        return out
    gi, oi = shapely.STRtree(other).query(geoms, predicate="intersects")
    if len(gi) == 0:
        return out
    order = np.argsort(gi, kind="stable")
    gi, oi = gi[order], oi[order]
    starts = np.flatnonzero(np.r_[True, gi[1:] != gi[:-1]])
    for s, e in zip(starts, np.r_[starts[1:], len(gi)]):
        k = gi[s]
        out[k] = polygonal([shapely.difference(geoms[k], shapely.union_all(other[oi[s:e]]))])[0]
    return out


def _outside(geoms: np.ndarray, other: np.ndarray, owner: np.ndarray, area: np.ndarray) -> np.ndarray:
    """The part of each of ``geoms`` outside ``other``, computed only where the intersections leave some.

    ``owner``/``area``: the intersection pieces of ``geoms`` with ``other`` (flat layers, so their
    areas add up). Two plans that cover the same ground leave nothing outside: no geometry work.
    """
    own = shapely.area(geoms)
    covered = np.bincount(owner, weights=area, minlength=len(geoms))
    need = np.flatnonzero(own - covered > 1e-9 * np.maximum(own, 1.0))
    out = np.full(len(geoms), shapely.Polygon(), dtype=object)
    if len(need):
        out[need] = _minus(geoms[need], other)
    return out


def plan_account(
    current: gpd.GeoDataFrame,
    proposed: gpd.GeoDataFrame,
    land: gpd.GeoDataFrame | None,
    *,
    reserve_status: Iterable[str] = RESERVE_STATUS,
    emission_factors: Mapping[str, float] | None = None,
    names: tuple[str, str] = ("current plan", "proposed plan"),
    default_status: str | None = None,
) -> PlanAccount:
    """The arealregnskap of a plan pair: reserve, new, returned to LNF, by land class; see the module doc.

    Parameters
    ----------
    current, proposed : GeoDataFrame
        The plans (:func:`check_plan` columns).
    land : GeoDataFrame or None
        ``land_class`` and ``source`` polygons without overlaps (:func:`combine_land_sources`).
        None or empty: everything is ``ikke_kartlagt``.
    reserve_status : iterable of str
        Arealbruksstatus codes that make the plan reserve (default ``("2",)`` framtidig).
    emission_factors : mapping, optional
        Conversion category -> t CO₂-eq/ha (:func:`areal.geo.land_account.load_emission_factors`).
    names : (str, str)
        How the two plans are named in messages.
    default_status : str, optional
        Passed to :func:`check_plan` for features without a status.

    Returns
    -------
    PlanAccount
    """
    reserve_status = tuple(str(s) for s in reserve_status)
    bad = [s for s in reserve_status if s not in _STATUS_CODES]
    if bad or not reserve_status:
        raise ValueError(f"reserve_status must be codes among {', '.join(_STATUS_CODES)}, got {bad or '()'}")
    notes: list[str] = []
    cur = check_plan(current, names[0], default_status=default_status)
    prop = check_plan(proposed, names[1], default_status=default_status)
    ensure_same_crs(cur, prop, names=names)
    cg, cf, cs, ck = _plan_arrays(cur, names[0], reserve_status, notes)
    pg, pf, ps, pk = _plan_arrays(prop, names[1], reserve_status, notes)

    # the union of the two plans: both, current only, proposed only (each m² once)
    both = intersect(cg, pg)
    cur_only = _outside(cg, pg, both.ia, both.area)
    prop_only = _outside(pg, cg, both.ib, both.area)
    c_keep = np.flatnonzero(shapely.area(cur_only) > 0)
    p_keep = np.flatnonzero(shapely.area(prop_only) > 0)
    zones = np.concatenate([both.geoms, cur_only[c_keep], prop_only[p_keep]])
    nc, npp = len(c_keep), len(p_keep)
    z_cur = np.concatenate([both.ia, c_keep, np.full(npp, -1)]).astype(np.intp)
    z_prop = np.concatenate([both.ib, np.full(nc, -1), p_keep]).astype(np.intp)

    def pick(values, idx):
        return np.where(idx >= 0, values[np.maximum(idx, 0)], "").astype(object)

    zone = pd.DataFrame(
        {
            "cur_formal": pick(cf, z_cur),
            "cur_status": pick(cs, z_cur),
            "prop_formal": pick(pf, z_prop),
            "prop_status": pick(ps, z_prop),
            # the municipality of the proposed plan where it covers the piece, else the current one's
            "kommunenummer": np.where(z_prop >= 0, pick(pk, z_prop), pick(ck, z_cur)),
        }
    )
    zone_area = shapely.area(zones)

    # what lies there now: the land classes under each piece; the rest is not mapped
    rows = []
    covered: np.ndarray = np.zeros(len(zones))
    if land is not None and len(land):
        lf = to_working_crs(land, "land classes")
        lg, n_bad = _valid(as_geometry_array(lf))
        if n_bad:
            notes.append(
                Note(f"land classes: {n_bad} invalid polygon(s) repaired", "repaired", what="", n=n_bad)
            )
        # each m² one land class, even when the caller did not stack the sources first
        lg, lost = _resolve_overlaps(lg, _class_rank(lf["land_class"].astype(str).to_numpy()))
        if lost > 0:
            notes.append(
                Note(
                    f"land classes: {lost / M2_PER_HA:.4f} ha where they overlap counted once "
                    "(built-up, then farmland, mire, forest, others first)",
                    "land_overlap",
                    what="",
                    m2=lost,
                )
            )
        lp = intersect(zones, lg, keep_geometry=False)
        covered = np.bincount(lp.ia, weights=lp.area, minlength=len(zones))
        piece = zone.iloc[lp.ia].reset_index(drop=True)
        piece["land_class"] = lf["land_class"].astype(str).to_numpy()[lp.ib]
        piece["source"] = lf["source"].astype(str).to_numpy()[lp.ib]
        piece["area_m2"] = lp.area
        rows.append(piece)
    rest = np.clip(zone_area - covered, 0.0, None)
    # below a square millimetre per piece the remainder is the rounding of the intersections
    miss = rest > 1e-6
    if miss.any():
        piece = zone[miss].reset_index(drop=True)
        piece["land_class"] = NOT_MAPPED
        piece["source"] = NOT_MAPPED
        piece["area_m2"] = rest[miss]
        rows.append(piece)
    cols = [*zone.columns, "land_class", "source", "area_m2"]
    pieces = pd.concat(rows, ignore_index=True)[cols] if rows else pd.DataFrame(columns=cols)
    pieces = (
        pieces.groupby(cols[:-1], sort=True, dropna=False)["area_m2"].sum().reset_index()
        if len(pieces)
        else pieces
    )
    sources = (pieces.groupby("source")["area_m2"].sum() / M2_PER_HA).rename("ha").reset_index()
    return PlanAccount(
        pieces,
        reserve_status,
        sources,
        dict(emission_factors or {}),
        notes,
        gpd.GeoDataFrame(zone, geometry=zones, crs=25833),
    )


__all__ = [
    "AR5_ARTYPE",
    "AR5_SKOGBONITET",
    "CO2_CATEGORY",
    "LAND_CLASSES",
    "N1000_LAYERS",
    "N50_OBJTYPE",
    "NOT_MAPPED",
    "Note",
    "PlanAccount",
    "TABLES",
    "ar5_land_classes",
    "check_plan",
    "combine_land_sources",
    "n1000_land_classes",
    "n50_land_classes",
    "plan_account",
]
