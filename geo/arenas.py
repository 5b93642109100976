"""Test-arena catalogue: schema validation, placement, filtering and proximity (pure functions).

The catalogue is a table with one row per lab, test bed, pilot plant, demonstration site, living
lab or test area. Its schema is documented in ``data/test_arenas/README.md``.
"""

from __future__ import annotations

import re
from typing import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.geo.errors import LayerValidationError, UnknownNameError

SECTORS = (
    "ocean_space",
    "aquaculture",
    "bioeconomy",
    "energy",
    "buildings",
    "mobility_autonomy",
    "health",
    "ict",
)
ARENA_TYPES = (
    "lab",
    "test_bed",
    "pilot_plant",
    "demonstration_site",
    "living_lab",
    "test_area_land",
    "test_area_sea",
    "test_area_air",
)
STATUSES = ("operating", "planned")
ACCESS = ("open", "by_agreement")
PRECISIONS = ("address", "register", "campus", "municipality")
"""``register``: a site coordinate from a public register (the aquaculture register's site position)."""
REQUIRED = ("id", "name", "arena_type", "sectors", "operator", "access", "status", "precision", "source_url")
# Decimal places a coordinate may carry for each precision: about 1 m, 0.1 m (as the register
# publishes it), 100 m.
MAX_DECIMALS = {"address": 5, "register": 6, "campus": 3}


def _decimals(value: object) -> int:
    text = str(value).strip()
    m = re.fullmatch(r"-?\d+(?:\.(\d+))?", text)
    return len(m.group(1) or "") if m else 0


def validate_catalogue(df: pd.DataFrame, source: str = "<catalogue>") -> list[str]:
    """Check every row of an arena catalogue and return all problems found.

    Each problem names the file, the row's ``id`` (or line number), the column and the value.
    Coordinates are expected as text (read the CSV with ``dtype=str``) so their precision can be
    checked against the ``precision`` column.

    Parameters
    ----------
    df : DataFrame
        The catalogue as read, all columns as strings.
    source : str
        File name used in messages.

    Returns
    -------
    list of str
        Empty when the catalogue is valid.
    """
    problems: list[str] = []
    missing_cols = [c for c in REQUIRED if c not in df.columns]
    if missing_cols:
        return [f"{source}: missing column(s) {missing_cols}; columns present: {list(df.columns)}"]
    seen: set[str] = set()
    for i, row in enumerate(df.fillna("").astype(str).to_dict("records")):
        where = f"{source} line {i + 2} (id {row['id']!r})"
        for col in REQUIRED:
            if not row[col].strip():
                problems.append(
                    f"{where}: column {col!r} is empty"
                    + (" — every entry needs a public source" if col == "source_url" else "")
                )
        if row["id"] in seen:
            problems.append(f"{where}: duplicate id {row['id']!r}")
        seen.add(row["id"])
        if row["source_url"].strip() and not row["source_url"].startswith(("http://", "https://")):
            problems.append(f"{where}: source_url {row['source_url']!r} is not a web address")
        for col, allowed in (
            ("arena_type", ARENA_TYPES),
            ("status", STATUSES),
            ("access", ACCESS),
            ("precision", PRECISIONS),
        ):
            if row[col] and row[col] not in allowed:
                problems.append(f"{where}: {col} {row[col]!r} is not one of {', '.join(allowed)}")
        for sector in filter(None, (s.strip() for s in row["sectors"].split(";"))):
            if sector not in SECTORS:
                problems.append(f"{where}: unknown sector {sector!r}; sectors are {', '.join(SECTORS)}")
        has_xy = bool(row.get("lon", "").strip() or row.get("lat", "").strip())
        wkt = row.get("geometry_wkt", "").strip()
        prec = row["precision"]
        if prec == "municipality":
            if has_xy or wkt:
                problems.append(
                    f"{where}: precision 'municipality' is inconsistent with a coordinate or geometry; "
                    "leave lon/lat/geometry_wkt empty (the entry has no position, only its municipality)"
                )
            if not re.fullmatch(r"50\d\d", row.get("municipality", "").strip()):
                problems.append(
                    f"{where}: municipality {row.get('municipality', '')!r} is not a Trøndelag number (50xx)"
                )
        elif prec in MAX_DECIMALS:
            if not (has_xy or wkt):
                problems.append(f"{where}: precision {prec!r} needs lon/lat or geometry_wkt")
            if has_xy:
                for col in ("lon", "lat"):
                    try:
                        float(row.get(col, ""))
                    except ValueError:
                        problems.append(f"{where}: {col} {row.get(col, '')!r} is not a number")
                        continue
                    if _decimals(row[col]) > MAX_DECIMALS[prec]:
                        problems.append(
                            f"{where}: {col} {row[col]} has {_decimals(row[col])} decimals, more precise than "
                            f"precision {prec!r} supports (at most {MAX_DECIMALS[prec]})"
                        )
            if wkt:
                try:
                    geom = shapely.from_wkt(wkt)
                except shapely.errors.GEOSException as exc:
                    problems.append(f"{where}: geometry_wkt cannot be parsed: {exc}")
                    geom = None
                if (
                    geom is not None
                    and geom.geom_type in ("Polygon", "MultiPolygon")
                    and prec in ("address", "register")
                ):
                    problems.append(
                        f"{where}: precision {prec!r} is inconsistent with an area geometry; use 'campus'"
                    )
                if (
                    geom is not None
                    and geom.geom_type in ("Polygon", "MultiPolygon")
                    and not row["arena_type"].startswith("test_area")
                ):
                    problems.append(
                        f"{where}: only test areas (test_area_*) may have an area geometry, not {row['arena_type']!r}"
                    )
    return problems


def catalogue_to_frame(
    df: pd.DataFrame, municipalities: gpd.GeoDataFrame, source: str = "<catalogue>"
) -> gpd.GeoDataFrame:
    """Validate a catalogue and turn it into a GeoDataFrame in the municipalities' CRS.

    Point entries come from lon/lat (WGS84), area entries from ``geometry_wkt`` (WGS84).
    Municipality-precision entries (only the municipality is published) get **no** position: no
    arbitrary point inside the municipality, which distance measures would take for the arena's
    place. They keep ``municipality`` and ``placed_at_municipality = True``; :func:`located`
    leaves them out.

    Raises
    ------
    LayerValidationError
        With every problem of :func:`validate_catalogue`.
    """
    problems = validate_catalogue(df, source)
    if problems:
        raise LayerValidationError(
            f"{source}: {len(problems)} problem(s) in the test-arena catalogue: " + "; ".join(problems),
            problems,
        )
    df = df.fillna("").astype(str).copy()
    geoms = np.full(len(df), None, dtype=object)
    for i, row in enumerate(df.to_dict("records")):
        if row.get("geometry_wkt", "").strip():
            geoms[i] = shapely.from_wkt(row["geometry_wkt"])
        elif row.get("lon", "").strip():
            geoms[i] = shapely.Point(float(row["lon"]), float(row["lat"]))
    out = gpd.GeoDataFrame(df, geometry=list(geoms), crs="EPSG:4326").to_crs(municipalities.crs)
    at_muni = (df["precision"] == "municipality").to_numpy()
    known = set(municipalities["kommunenummer"].astype(str))
    for i in np.flatnonzero(at_muni).tolist():
        knr = df["municipality"].iloc[i]
        if knr not in known:
            raise LayerValidationError(
                f"{source}: id {df['id'].iloc[i]!r}: municipality {knr!r} is not among the 2024 municipalities"
            )
    out["placed_at_municipality"] = at_muni
    out["sector_list"] = [tuple(filter(None, s.split(";"))) for s in df["sectors"]]
    return out


def located(arenas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The entries with a published position (municipality-only entries have none).

    >>> import geopandas as gpd, shapely
    >>> a = gpd.GeoDataFrame({"id": ["x", "y"]}, geometry=[shapely.Point(0, 0), None], crs=25833)
    >>> located(a)["id"].tolist()
    ['x']
    """
    g = np.asarray(arenas.geometry.values, dtype=object)
    return arenas.loc[~(shapely.is_missing(g) | shapely.is_empty(g))]


def _resolve(values: str | Iterable[str] | None, allowed: tuple[str, ...], what: str) -> set[str] | None:
    if values is None:
        return None
    items = [values] if isinstance(values, str) else list(values)
    out = set()
    for v in items:
        hits = [a for a in allowed if a == v] or [a for a in allowed if a.startswith(v)]
        if len(hits) != 1:
            raise UnknownNameError(f"{v!r} is not a valid {what}; must be one of {', '.join(allowed)}")
        out.add(hits[0])
    return out


def filter_arenas(
    arenas: gpd.GeoDataFrame,
    sector: str | Iterable[str] | None = None,
    arena_type: str | Iterable[str] | None = None,
    status: str | Iterable[str] | None = None,
) -> gpd.GeoDataFrame:
    """Entries serving any of the sectors, of any of the types and statuses (unique prefixes accepted).

    >>> _resolve("ocean", SECTORS, "sector")
    {'ocean_space'}
    """
    keep = np.ones(len(arenas), dtype=bool)
    sectors = _resolve(sector, SECTORS, "sector")
    if sectors:
        keep &= np.array([bool(sectors & set(s)) for s in arenas["sector_list"]], dtype=bool)
    types = _resolve(arena_type, ARENA_TYPES, "arena type")
    if types:
        keep &= arenas["arena_type"].isin(types).to_numpy()
    statuses = _resolve(status, STATUSES, "status")
    if statuses:
        keep &= arenas["status"].isin(statuses).to_numpy()
    return arenas.loc[keep]


def arenas_near(
    arenas: gpd.GeoDataFrame, geom: shapely.Geometry, km: float | None = None, n: int | None = None
) -> gpd.GeoDataFrame:
    """Arenas by straight-line distance (km) from ``geom`` (a travel-distance proxy), nearest first.

    Distances are planar in the arenas' CRS (EPSG:25833, metres). ``km`` keeps those within that
    distance; ``n`` keeps the nearest ``n``.
    """
    if km is not None and km < 0:
        raise ValueError(f"km must be ≥ 0, got {km}")
    arenas = located(arenas)  # an entry without a position has no distance
    d = shapely.distance(np.asarray(arenas.geometry.values), geom) / 1000.0
    out = arenas.assign(distance_km=d).sort_values("distance_km", kind="stable")
    if km is not None:
        out = out[out["distance_km"] <= km]
    if n is not None:
        out = out.head(n)
    return out


def arenas_near_sites(arenas: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, km: float) -> pd.DataFrame:
    """For each candidate site, the arenas within ``km`` (site index, arena id, name, distance_km)."""
    arenas = located(arenas)
    tree = shapely.STRtree(np.asarray(arenas.geometry.values))
    s_idx, a_idx = tree.query(np.asarray(sites.geometry.values), predicate="dwithin", distance=km * 1000.0)
    d = (
        shapely.distance(np.asarray(sites.geometry.values)[s_idx], np.asarray(arenas.geometry.values)[a_idx])
        / 1000.0
    )
    return (
        pd.DataFrame(
            {
                "site": sites.index.to_numpy()[s_idx],
                "arena_id": arenas["id"].to_numpy()[a_idx],
                "arena_name": arenas["name"].to_numpy()[a_idx],
                "distance_km": d,
            }
        )
        .sort_values(["site", "distance_km"], kind="stable")
        .reset_index(drop=True)
    )
