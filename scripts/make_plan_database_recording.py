"""Write the plan-database recordings used by the arealregnskap tests and the app's demo.

Two OGC API Features responses (``.../kommuneplaner/collections/KpArealformålOmråde/items``) for
Trondheim (5001): the current kommuneplan and a proposal. The *shape* of the response is the
service's feature catalogue (``official-samples/kommuneplan/nap-ogcapi-feature-catalogue``:
``arealformål`` and ``arealbruksstatus`` as strings, ``arealplanId`` an object, CRS84 by default);
the *plans* are made up, placed on the real N50 DyrketMark (cultivated land) of east Trondheim
(``landuse/n50_arealdekke_trondheim_ost.gpkg``) so that the account finds real farmland under
them. No raw response of the service is published (it needs credentials): unverified beyond the
catalogue.

Run: ``python scripts/make_plan_database_recording.py`` (writes data/plan_database/, shipped with the package).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import box, mapping

OUT = Path(__file__).resolve().parents[1] / "data" / "plan_database"
TO_CRS84 = Transformer.from_crs(25833, 4326, always_xy=True)

# (arealformål, arealbruksstatus, områdenavn, UTM33 rectangle)
CURRENT = [
    ("5100", "1", "LNFR Ranheim øst", (277600, 7039600, 279000, 7040600)),
    ("1110", "2", "Boliger Vikhammer nord", (279100, 7040700, 279500, 7041000)),
    ("1300", "1", "Næringsområde Ranheim", (277200, 7040700, 277600, 7041000)),
    ("1110", "2", "Boliger Presthus", (279600, 7040000, 279900, 7040300)),
]
PROPOSED = [
    ("1300", "2", "Næringsområde Ranheim øst", (277600, 7039600, 278200, 7040200)),
    ("5100", "1", "LNFR Ranheim øst", (278200, 7039600, 279000, 7040600)),
    ("5100", "1", "LNFR Ranheim øst", (277600, 7040200, 278200, 7040600)),
    ("5100", "1", "LNFR Vikhammer nord", (279100, 7040700, 279500, 7041000)),
    ("1300", "1", "Næringsområde Ranheim", (277200, 7040700, 277600, 7041000)),
    ("1110", "2", "Boliger Presthus", (279600, 7040000, 279900, 7040300)),
]


def collection(rows, plan_id: str, stamp: str) -> dict:
    """One items response (a FeatureCollection of KpArealformålOmråde) in CRS84."""
    feats = []
    for i, (formal, status, name, rect) in enumerate(rows, start=1):
        geom = shapely.transform(
            box(*rect).segmentize(50.0), lambda xy: np.column_stack(TO_CRS84.transform(xy[:, 0], xy[:, 1]))
        )
        geom = json.loads(json.dumps(mapping(geom)), parse_float=lambda s: round(float(s), 7))
        feats.append(
            {
                "type": "Feature",
                "id": i,
                "geometry": geom,
                "properties": {
                    "objid": i,
                    "objekttypenavn": "KpArealformålOmråde",
                    "arealformål": formal,
                    "arealbruksstatus": status,
                    "beskrivelse": None,
                    "områdenavn": name,
                    "arealplanId": {"kommunenummer": "5001", "landkode": "NO", "planidentifikasjon": plan_id},
                    "identifikasjon": {
                        "lokalId": f"{plan_id}-{i}",
                        "navnerom": "https://data.geonorge.no/sosi/kommuneplan/5001",
                        "versjonId": None,
                    },
                    "oppdateringsdato": stamp,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "numberMatched": len(feats),
        "numberReturned": len(feats),
        "timeStamp": stamp,
        "links": [
            {
                "rel": "self",
                "type": "application/geo+json",
                "href": "https://nap.ft.dibk.no/services/rest/kommuneplaner/collections/"
                f"KpArealformålOmråde/items?f=json&planidentifikasjon={plan_id}",
            }
        ],
        "features": feats,
    }


def main() -> None:
    """Write both recordings and their README."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name, rows, plan_id, stamp in (
        ("kpa_5001_gjeldende.json", CURRENT, "2022001", "2022-06-15T00:00:00Z"),
        ("kpa_5001_forslag.json", PROPOSED, "2026001", "2026-03-01T00:00:00Z"),
    ):
        (OUT / name).write_text(
            json.dumps(collection(rows, plan_id, stamp), ensure_ascii=False, indent=1) + "\n"
        )
    (OUT / "README.md").write_text(
        "# Plan database recordings (made up, in the service's schema)\n\n"
        "`kpa_5001_gjeldende.json` (current plan) and `kpa_5001_forslag.json` (proposal): OGC API Features "
        "responses of the national plan database's `KpArealformålOmråde` collection, in the shape of its feature "
        "catalogue (`official-samples/kommuneplan/nap-ogcapi-feature-catalogue`, DiBK / Arkitektum). The plans are "
        "made up, placed on the real N50 DyrketMark of east Trondheim (`landuse/n50_arealdekke_trondheim_ost.gpkg`, "
        "Kartverket, CC BY 4.0). Unverified against a live response (the service needs Norge digitalt "
        "credentials). Written by `scripts/make_plan_database_recording.py`.\n"
    )


if __name__ == "__main__":
    main()
