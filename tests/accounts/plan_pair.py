"""A hand-made plan pair with a known answer (shared by the core, CLI and app tests).

Around (X0, Y0) in Trondheim, EPSG:25833, metres; every area is an exact rectangle:

* a 10 ha field of fulldyrka jord (AR5 21), LNF (5100, nåværende) in the current plan, becomes
  business land (1300, framtidig) in the proposed plan;
* 4 ha of forest of middels bonitet (AR5 30/13), future housing (1110, framtidig) in the current
  plan, is returned to LNF;
* 2 ha of mire (AR5 60) stay future housing in both plans (carried over: not new);
* 10 ha of forest of høy bonitet stay LNF, and 5 ha of existing business land (1300, nåværende)
  on built land (AR5 11) stay as they are.
"""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import box

from tests.conftest import X0, Y0


def _b(x0, y0, x1, y1):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def plan(rows, kommune: str = "5001") -> gpd.GeoDataFrame:
    """A plan frame from ``(arealformål, status, geometry)`` rows."""
    return gpd.GeoDataFrame(
        {
            "arealformal": [f for f, _, _ in rows],
            "arealbruksstatus": [s for _, s, _ in rows],
            "kommunenummer": kommune,
        },
        geometry=[g for *_, g in rows],
        crs=25833,
    )


def current_plan() -> gpd.GeoDataFrame:
    return plan(
        [
            ("5100", "1", _b(0, 0, 500, 400)),  # LNF over the field and the forest strip
            ("1110", "2", _b(600, 0, 800, 200)),  # future housing on forest: returned later
            ("1110", "2", _b(600, 200, 800, 300)),  # future housing on mire: carried over
            ("1300", "1", _b(0, 400, 500, 500)),  # existing business land
        ]
    )


def proposed_plan() -> gpd.GeoDataFrame:
    return plan(
        [
            ("1300", "2", _b(0, 0, 500, 200)),  # the field becomes business land
            ("5100", "1", _b(0, 200, 500, 300)),  # the rest of the LNF, in two parts
            ("5100", "1", _b(0, 300, 500, 400)),
            ("5100", "1", _b(600, 0, 800, 200)),  # returned to LNF
            ("1110", "2", _b(600, 200, 800, 300)),  # carried over
            ("1300", "1", _b(0, 400, 500, 500)),
        ]
    )


def ar5() -> gpd.GeoDataFrame:
    """AR5 (arealtype, skogbonitet) over the whole pair."""
    rows = [
        ("21", "98", _b(0, 0, 500, 200)),  # 10 ha fulldyrka
        ("30", "14", _b(0, 200, 500, 400)),  # 10 ha forest, høy
        ("30", "13", _b(600, 0, 800, 200)),  # 4 ha forest, middels
        ("60", "98", _b(600, 200, 800, 300)),  # 2 ha mire
        ("11", "98", _b(0, 400, 500, 500)),  # 5 ha built
    ]
    return gpd.GeoDataFrame(
        {"arealtype": [a for a, _, _ in rows], "skogbonitet": [b for _, b, _ in rows]},
        geometry=[g for *_, g in rows],
        crs=25833,
    )


def to_sosi(plan: gpd.GeoDataFrame, objtype: str = "KpArealformålOmråde") -> bytes:
    """The plan as a SOSI 4.5 file the way kommuneplaner are delivered: ISO 8859-10 bytes, CRLF,
    ``..KOORDSYS 23`` (EUREF89 UTM 33), centimetre units, one ``.KURVE`` per outline and a ``.FLATE``
    referring to it with ``..KPAREALFORMÅL``, ``..AREALST`` and ``..NASJONALAREALPLANID`` /
    ``...KOMM`` / ``...PLANID``."""
    lines = [
        ".HODE",
        "..TEGNSETT ISO8859-10",
        "..TRANSPAR",
        "...KOORDSYS 23",
        "...ORIGO-NØ 0 0",
        "...ENHET 0.01",
        "..SOSI-VERSJON 4.5",
    ]
    for i, row in enumerate(plan.itertuples(), start=1):
        ring = list(row.geometry.exterior.coords)
        lines += [f".KURVE {2 * i - 1}:", "..OBJTYPE KpArealformålGrense", "..NØ"]
        lines += [f"{round(y * 100)} {round(x * 100)}" for x, y in ring]
        lines += [
            f".FLATE {2 * i}:",
            f"..OBJTYPE {objtype}",
            f"..KPAREALFORMÅL {row.arealformal}",
            f"..AREALST {row.arealbruksstatus}",
            "..NASJONALAREALPLANID",
            f"...KOMM {row.kommunenummer}",
            "...PLANID 2026001",
            f"..REF :{2 * i - 1}",
            "..NØ",
            f"{round(row.geometry.centroid.y * 100)} {round(row.geometry.centroid.x * 100)}",
        ]
    lines.append(".SLUTT")
    return ("\r\n".join(lines) + "\r\n").encode("iso8859_10")
