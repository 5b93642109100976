"""Generate the recorded official-format responses used by the fetch and import tests.

Small, hand-made files in the schema each official service delivers (names, codes and container
formats as documented in docs/data-sources.md), placed on real ground in Trøndelag, seeded::

    python scripts/make_fixtures.py [OUT_DIR]      # default tests/fixtures/recorded

The same functions build a temporary data directory for the end-to-end tests
(``tests/fetch/conftest.py``), so the committed files and the test data cannot drift apart.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import urllib.parse
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Polygon, box

UTM33 = "EPSG:25833"
SEED = 2841
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "recorded"

# Representative points of municipalities (EPSG:25833), from the 2024 boundaries.
TRONDHEIM = (277_228.0, 7_027_796.0)  # 5001
MELHUS = (262_948.0, 7_015_009.0)  # 5028
SNASA = (384_684.0, 7_121_056.0)  # 5041
LIERNE = (433_033.0, 7_142_226.0)  # 5042
OUTSIDE = (520_000.0, 7_300_000.0)  # Sweden: outside Trøndelag (must be left out)

# Recorded URLs → files (what the recorded transport serves).
NIBIO = "https://kart8.nibio.no/uttak_Download/reindrift/0000_25833_reindrift-{}_gdb.zip"
SEASONS = {  # dataset → (layer name in the FGDB, the two season codes)
    "arstidsbeite-varbeite": ("reindrift_arstidsbeite_varbeite_flate", (1, 2)),
    "arstidsbeite-sommerbeite": ("reindrift_arstidsbeite_sommerbeite_flate", (3, 4)),
    "arstidsbeite-hostbeite": ("reindrift_arstidsbeite_hostbeite_flate", (5, 6)),
    "arstidsbeite-hostvinterbeite": ("reindrift_arstidsbeite_hostvinterbeite_flate", (7, 8)),
    "arstidsbeite-vinterbeite": ("reindrift_arstidsbeite_vinterbeite_flate", (9, 10)),
}
AR5_FILES = {
    "5001": "Basisdata_5001_Trondheim_25833_FKB-AR5_FGDB.zip",
    "5028": "Basisdata_5028_Melhus_25833_FKB-AR5_FGDB.zip",
}
AR5_CENTRES = {"5001": TRONDHEIM, "5028": MELHUS}


def _square(cx: float, cy: float, half: float) -> Polygon:
    return box(cx - half, cy - half, cx + half, cy + half)


def _zip_add(zf: zipfile.ZipFile, path: Path, arcname: str) -> None:
    """Add a file with a fixed timestamp, so the archive is byte-for-byte reproducible."""
    info = zipfile.ZipInfo(arcname, date_time=(2025, 11, 3, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, path.read_bytes())


def _fgdb_zip(out: Path, layers: dict[str, gpd.GeoDataFrame]) -> Path:
    """Write layers into a file geodatabase and zip it as NIBIO/Geonorge do (folder ``*.gdb/``)."""
    with tempfile.TemporaryDirectory() as tmp:
        gdb = Path(tmp) / (out.stem.replace("_gdb", "").replace("_FGDB", "") + ".gdb")
        for name, gdf in layers.items():
            gdf.to_file(gdb, layer=name, driver="OpenFileGDB", engine="pyogrio", append=gdb.exists())
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in sorted(gdb.rglob("*")):
                _zip_add(zf, f, f"{gdb.name}/{f.relative_to(gdb)}")
    return out


def _fellesegenskaper(n: int, navnerom: str, rng: np.random.Generator) -> dict:
    return {
        "lokalId": [f"{int(v)}" for v in rng.integers(100000, 999999, n)],
        "navnerom": [navnerom] * n,
        "oppdateringsdato": pd.to_datetime(["2024-05-02"] * n),
    }


# ---------------------------------------------------------------- reindeer (NIBIO FGDB zips)


def reindeer_seasons(rng: np.random.Generator) -> dict[str, gpd.GeoDataFrame]:
    """One polygon layer per season: category I and II per district, plus one outside the county."""
    out = {}
    for i, (ds, (layer, codes)) in enumerate(SEASONS.items()):
        geoms, code, dist = [], [], []
        for j, (cx, cy, d) in enumerate([(*SNASA, "YH"), (*LIERNE, "YI")]):
            ox = cx + 3000 * i
            # category I: a 2×2 km square; category II: the 2 km-wide strip east of it
            geoms += [_square(ox, cy, 1000), box(ox + 1000, cy - 1000, ox + 3000, cy + 1000)]
            code += list(codes)
            dist += [d, d]
        geoms.append(_square(*OUTSIDE, 1000))
        code.append(codes[0])
        dist.append("XX")
        gdf = gpd.GeoDataFrame(
            {
                # NIBIO's field names (topo_rein schema, NibioOpenSource/pgtopo_update_sql): lower case
                "sesomr": np.array(code, dtype="int32"),
                "beitebrukerid": dist,
                **_fellesegenskaper(len(geoms), "NO_LDIR_REINDRIFT_" + ds.split("-")[1].upper(), rng),
            },
            geometry=geoms,
            crs=UTM33,
        )
        out[ds] = gdf
    return out


def write_reindeer(out: Path, rng: np.random.Generator) -> dict[str, Path]:
    """Write the recorded reindeer geodatabase zips."""
    files = {}
    for ds, gdf in reindeer_seasons(rng).items():
        layer = SEASONS[ds][0]
        border = gpd.GeoDataFrame({"lokalId": ["1"]}, geometry=[gdf.geometry.iloc[0].boundary], crs=UTM33)
        files[NIBIO.format(ds)] = _fgdb_zip(
            out / f"0000_25833_reindrift-{ds}_gdb.zip",
            {layer.replace("_flate", "_grense"): border, layer: gdf},
        )
    dist = gpd.GeoDataFrame(
        {
            "distkode": ["YH", "YI"],  # districts by code only: no name field
            **_fellesegenskaper(2, "NO_LDIR_REINDRIFT_REINBEITEDISTRIKT", rng),
        },
        geometry=[_square(SNASA[0] + 5000, SNASA[1], 12000), _square(LIERNE[0] + 5000, LIERNE[1], 12000)],
        crs=UTM33,
    )
    files[NIBIO.format("reinbeitedistrikt")] = _fgdb_zip(
        out / "0000_25833_reindrift-reinbeitedistrikt_gdb.zip", {"reindrift_reinbeitedistrikt_flate": dist}
    )
    line = LineString(
        [
            (SNASA[0] - 6000, SNASA[1] - 4000),
            (SNASA[0] + 2000, SNASA[1] + 3000),
            (LIERNE[0], LIERNE[1] - 2000),
        ]
    )
    flytt = gpd.GeoDataFrame(
        {"beitebrukerid": ["YH", "XX"], **_fellesegenskaper(2, "NO_LDIR_REINDRIFT_FLYTTLEI", rng)},
        geometry=[line.buffer(400), _square(*OUTSIDE, 500)],
        crs=UTM33,
    )
    files[NIBIO.format("flyttlei")] = _fgdb_zip(
        out / "0000_25833_reindrift-flyttlei_gdb.zip", {"reindrift_flyttlei_flate": flytt}
    )
    return files


# ---------------------------------------------------------------- AR5 (Geonorge order + FGDB zips)


def ar5_frame(centre: tuple[float, float], rng: np.random.Generator) -> gpd.GeoDataFrame:
    """A 3×3 grid of 500 m cells: farmland 21/22/23, forest 30 (with bonitet), mire 60, open land 50, built-up 11."""
    cx, cy = centre
    rows = [  # arealtype, treslag, skogbonitet, grunnforhold
        (21, 39, 98, 44),
        (22, 39, 98, 44),
        (23, 39, 98, 43),
        (30, 31, 13, 44),
        (30, 32, 14, 43),
        (30, 33, 11, 44),
        (60, 39, 98, 42),
        (50, 39, 98, 45),
        (11, 98, 98, 98),
    ]
    geoms = [
        box(cx + (k % 3) * 500, cy + (k // 3) * 500, cx + (k % 3 + 1) * 500, cy + (k // 3 + 1) * 500)
        for k in range(9)
    ]
    a = np.array(rows, dtype="int32")
    return gpd.GeoDataFrame(
        {
            "arealtype": a[:, 0],
            "treslag": a[:, 1],
            "skogbonitet": a[:, 2],
            "grunnforhold": a[:, 3],
            "kartstandard": ["AR5"] * 9,
            "kartlagtdato": pd.to_datetime(["2019-06-01"] * 9),
            **_fellesegenskaper(9, "NO_NIBIO_AR5", rng),
        },
        geometry=geoms,
        crs=UTM33,
    )


def write_ar5(out: Path, rng: np.random.Generator) -> dict[str, Path]:
    """Write the recorded AR5 order, its status answer and the geodatabase zips.

    The order and file fields are those of the Geonorge download API's documentation
    (kartverket/Geonorge.NedlastingAPI, Views/Help; official-samples/geonorge-nedlasting-api):
    the first answer has one file ``WaitingForProcessing``, the status answer has both ready.
    """
    files = {}
    uuid = "166382b4-82d6-4ea9-a68e-6fd0c87bf788"
    entries = []
    for i, (code, name) in enumerate(AR5_FILES.items()):
        gdf = ar5_frame(AR5_CENTRES[code], rng)
        grense = gpd.GeoDataFrame(
            {"avgrensingType": np.array([4206], dtype="int32")},
            geometry=[gdf.geometry.iloc[0].boundary],
            crs=UTM33,
        )
        file_id = f"00000000-0000-4000-8000-00000000000{i + 1}"
        url = f"https://nedlasting.geonorge.no/api/v2/download/order/rec-0001/{file_id}"
        files[url] = _fgdb_zip(out / name, {"fkb_ar5_grense": grense, "fkb_ar5_omrade": gdf})
        entries.append(
            {
                "downloadUrl": url,
                "name": name,
                "fileId": file_id,
                "metadataUuid": uuid,
                "area": code,
                "areaName": name.split("_")[2],
                "projection": "25833",
                "projectionName": "EUREF89 UTM sone 33, 2d",
                "format": "FGDB 10.0",
                "status": "ReadyForDownload",
                "metadataName": "FKB-AR5",
            }
        )
    first = [dict(e) for e in entries]
    first[-1]["status"] = "WaitingForProcessing"
    answer = {"referenceNumber": "rec-0001", "files": first, "email": "", "orderDate": "2026-01-05T10:00:00"}
    order = out / "geonorge_order_ar5.json"
    order.write_text(json.dumps(answer, indent=2, ensure_ascii=False))
    files["https://nedlasting.geonorge.no/api/order"] = order
    status = out / "geonorge_order_ar5_status.json"
    status.write_text(json.dumps({**answer, "files": entries}, indent=2, ensure_ascii=False))
    files["https://nedlasting.geonorge.no/api/order/rec-0001"] = status
    return files


# ---------------------------------------------------------------- kommuneplan rows


def kommuneplan_rows() -> list[dict]:
    """(kommune, plan, arealformål, status, polygon): business land 1300 existing and planned, plus others."""
    x, y = TRONDHEIM
    mx, my = MELHUS
    return [
        dict(
            k="5001",
            plan="2021001",
            formal="1300",
            status="1",
            name="Tiller næringsområde",
            geom=box(x, y, x + 800, y + 500),
        ),
        dict(
            k="5001",
            plan="2021001",
            formal="1300",
            status="2",
            name="Torgård nord",
            geom=box(x + 800, y, x + 1400, y + 500),
        ),
        dict(
            k="5001",
            plan="2021001",
            formal="1110",
            status="1",
            name="Boliger",
            geom=box(x, y + 500, x + 800, y + 1000),
        ),
        dict(
            k="5028",
            plan="2019002",
            formal="1300",
            status="2",
            name="Kvål næringspark",
            geom=box(mx, my, mx + 700, my + 700),
        ),
        dict(
            k="5028",
            plan="2019002",
            formal="5100",
            status="1",
            name="LNFR",
            geom=box(mx + 700, my, mx + 1400, my + 700),
        ),
        # a bow-tie (self-intersecting) business area as municipalities sometimes deliver: repaired, counted
        dict(
            k="5028",
            plan="2019002",
            formal="1300",
            status="1",
            name="Krokstad",
            geom=Polygon([(mx, my + 1000), (mx + 600, my + 1400), (mx + 600, my + 1000), (mx, my + 1400)]),
        ),
    ]


# ---------------------------------------------------------------- kommuneplan (OGC API Features pages)

OGC_ITEMS = (
    "https://nap.ft.dibk.no/services/rest/kommuneplaner/collections/"
    + urllib.parse.quote("KpArealformålOmråde")
    + "/items"
)


def _ogc_feature(i: int, r: dict) -> dict:
    """One KpArealformålOmråde as the OGC API delivers it.

    The attributes, names, nesting and types are those of the service's feature catalogue
    (official-samples/kommuneplan/nap-ogcapi-feature-catalogue); the values are made up around
    Trondheim and Melhus.
    """
    return {
        "type": "Feature",
        "id": 1000 + i,
        "geometry": json.loads(shapely.to_geojson(r["geom"])),
        "properties": {
            "objid": 1000 + i,
            "objekttypenavn": "KpArealformålOmråde",
            "arealformål": r["formal"],
            "arealbruksstatus": r["status"],
            "beskrivelse": None,
            "områdenavn": r["name"],
            "utnytting": {"utnyttingstype": "BYA", "utnyttingstall": 40.0, "utnyttingstall_minimum": None},
            "uteoppholdsareal": None,
            "eierform": None,
            "arealplanId": {"kommunenummer": r["k"], "landkode": "578", "planidentifikasjon": r["plan"]},
            "identifikasjon": {
                "lokalId": str(1000 + i),
                "navnerom": f"https://data.geonorge.no/sosi/kommuneplan/{r['k']}",
                "versjonId": "1",
            },
            "førsteDigitaliseringsdato": "2021-06-01T00:00:00Z",
            "oppdateringsdato": "2024-03-01T00:00:00Z",
            "kopidata": {
                "områdeId": r["k"],
                "originalDatavert": "Nasjonal arealplanbase",
                "kopidato": "2026-01-05",
            },
        },
    }


def _ogc_page(feats: list[dict], next_href: str | None) -> dict:
    links = [{"rel": "self", "type": "application/geo+json", "href": OGC_ITEMS}]
    if next_href:
        links.append({"rel": "next", "type": "application/geo+json", "href": next_href})
    return {
        "type": "FeatureCollection",
        "numberReturned": len(feats),
        "timeStamp": "2026-01-05T10:00:00Z",
        "links": links,
        "features": feats,
    }


def write_kommuneplan_ogc(out: Path) -> dict[str, Path]:
    """Pages: the county bbox (all), 5001 in two pages (rel=next), 5028 in one."""
    rows = kommuneplan_rows()
    feats = [_ogc_feature(i, r) for i, r in enumerate(rows)]
    k5001 = [f for f in feats if f["properties"]["arealplanId"]["kommunenummer"] == "5001"]
    k5028 = [f for f in feats if f["properties"]["arealplanId"]["kommunenummer"] == "5028"]
    nxt = OGC_ITEMS + "?kommunenummer=5001&offset=2&limit=2&f=json"
    pages = {
        OGC_ITEMS: ("ogcapi_kommuneplaner_bbox.json", _ogc_page(feats, None)),
        OGC_ITEMS + "?kommunenummer=5001": ("ogcapi_kommuneplaner_5001_p1.json", _ogc_page(k5001[:2], nxt)),
        nxt: ("ogcapi_kommuneplaner_5001_p2.json", _ogc_page(k5001[2:], None)),
        OGC_ITEMS + "?kommunenummer=5028": ("ogcapi_kommuneplaner_5028.json", _ogc_page(k5028, None)),
    }
    files = {}
    for url, (name, doc) in pages.items():
        path = out / name
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        files[url] = path
    return files


# ---------------------------------------------------------------- Naturbase (Miljødirektoratet FGDB zip)


def naturbase_frame(rng: np.random.Generator) -> gpd.GeoDataFrame:
    """The recorded Naturbase frame."""
    x, y = TRONDHEIM
    rows = [
        (
            "VV00000001",
            "Leinøra",
            "Naturreservat",
            "IUCN_IA",
            "1983-12-09",
            box(x + 1200, y + 200, x + 1600, y + 700),
        ),
        (
            "VV00000002",
            "Gaulosen",
            "Naturreservat",
            "IUCN_IA",
            "1983-12-09",
            box(x - 1500, y - 800, x - 500, y + 200),
        ),
        (
            "VV00000003",
            "Skjækerfjella",
            "Nasjonalpark",
            "IUCN_II",
            "2004-06-25",
            _square(SNASA[0] + 2000, SNASA[1] + 500, 1500),
        ),
        (
            "VV00000004",
            "Tauterryggen",
            "MarintVerneomraade",
            "IUCN_IV",
            "2016-06-17",
            _square(300_000, 7_060_000, 800),
        ),
        ("VV00000005", "Utenfor", "Naturreservat", "IUCN_IA", "2000-01-01", _square(*OUTSIDE, 500)),
    ]
    return gpd.GeoDataFrame(
        {
            "naturvernId": [r[0] for r in rows],
            "navn": [r[1] for r in rows],
            "offisieltNavn": [f"{r[1]} {r[2].lower()}" for r in rows],
            "verneform": [r[2] for r in rows],
            "iucn": [r[3] for r in rows],
            "vernedato": pd.to_datetime([r[4] for r in rows]),
            "faktaark": [f"https://faktaark.naturbase.no/?id={r[0]}" for r in rows],
        },
        geometry=[r[5] for r in rows],
        crs=UTM33,
    )


# ---------------------------------------------------------------- aquaculture (pub-aqua legacy CSV)

# The dump's real layout (official-samples/fiskeridir-akvakultur: title line with 26 ";", the
# 28-column header, dd-mm-yyyy dates, "." decimals, no STATUS column).
AQUA_TITLE = "AKVAKULTURTILLATELSER PR. 03-11-2025 " + ";" * 26
AQUA_HEADER = (
    "TILL_NR;ORG.NR/PERS.NR;NAVN;ADRESSE;POSTNR;POSTSTED;TILDELINGSTIDSPUNKT;TIDSBEGRENSET;TILL_KOMNR;TILL_KOM;"
    "FORMÅL;PRODUKSJONSFORM;ART;ART_KODE;TILL_KAP;TILL_ENHET;LOK_NR;LOK_NAVN;LOK_KOMNR;LOK_KOM;LOK_PLASS;"
    "VANNMILJØ;LOK_KAP;LOK_ENHET;UTGÅR_DATO;N_GEOWGS84;Ø_GEOWGS84;PROD_OMR"
)
# the first real rows of the dump, verbatim (NMBU at Ås, NIVA at Frogn: outside Trøndelag)
AQUA_REAL_ROWS = [
    "A A 0001;969159570;NORGES MILJØ- OG BIOVITENSKAPELIGE UNIVERSITET (NMBU);POSTBOKS 5003;1432;ÅS;03-10-1991;;3021;ÅS;KOMMERSIELL;MATFISK;Laks;0711;1.000;TN;10362;NMBU FISKELABORATORIET;3021;ÅS;LAND;FERSKVANN;1.000;TN;;59.669233;10.757967;",
    "A F 0001;855869942;NORSK INSTITUTT FOR VANNFORSKNING;ØKERNVEIEN 94;0579;OSLO;05-02-1991;31-10-2028;3022;FROGN;FORSKNING;MATFISK;Laks;0711;3.800;TN;10173;SOLBERGSTRAND;3022;FROGN;LAND;FERSKVANN/SALTVANN;7.500;TN;31-10-2028;59.615783;10.652650;",
]


def aquaculture_csv() -> str:
    """The recorded aquaculture register dump: the real layout, made-up Trøndelag rows."""
    rows = [  # two permits at the same site (joined), one land site, one site in Nordland (outside),
        # and a permit without a site (empty LOK_NR, as the real dump has): skipped, counted
        "T-HI-0001;900000001;Firma A AS;Postboks 1;7100;RISSA;01-02-2005;;5054;INDRE FOSEN;KOMMERSIELL;MATFISK;Laks;0711;780.000;TN;12345;STRAUMSKJÆRET;5054;INDRE FOSEN;SJØ;SALTVANN;3600.000;TN;;63.621000;10.120000;6",
        "T-HI-0002;900000001;Firma A AS;Postboks 1;7100;RISSA;01-02-2005;;5054;INDRE FOSEN;KOMMERSIELL;MATFISK;Regnbueørret;0712;780.000;TN;12345;STRAUMSKJÆRET;5054;INDRE FOSEN;SJØ;SALTVANN;3600.000;TN;;63.621000;10.120000;6",
        "T-F-0003;900000002;Firma B AS;Vegen 2;7200;KYRKSÆTERØRA;12-06-2012;;5055;HEIM;KOMMERSIELL;SETTEFISK;Laks;0711;2000.000;STK;23456;SETTEFISK LAND;5055;HEIM;LAND;FERSKVANN;2000.000;STK;;63.350000;9.100000;6",
        "N-BR-0004;900000003;Firma C AS;Kaia 3;8900;BRØNNØYSUND;20-08-2001;;1813;BRØNNØY;KOMMERSIELL;MATFISK;Laks;0711;780.000;TN;34567;NORDLAND SITE;1813;BRØNNØY;SJØ;SALTVANN;3600.000;TN;;65.470000;12.210000;7",
        "T-F-0005;900000004;Firma D AS;Gata 4;7500;STJØRDAL;05-05-2020;;5035;STJØRDAL;KOMMERSIELL;STAMFISK;Laks;0711;0.000;TN;;;;;;;;;;;;",
    ]
    return AQUA_TITLE + "\n" + AQUA_HEADER + "\n" + "\n".join(AQUA_REAL_ROWS + rows) + "\n"


# ---------------------------------------------------------------- DTM (WCS GeoTIFF tile)

DTM_RES = 50.0
DTM_BBOX = (270_000.0, 7_040_000.0, 271_000.0, 7_041_000.0)


def write_dtm(path: Path, rng: np.random.Generator) -> Path:
    """Write the recorded DTM tile."""
    import rasterio
    from rasterio.transform import from_origin

    n = int((DTM_BBOX[2] - DTM_BBOX[0]) / DTM_RES)
    yy, xx = np.mgrid[0:n, 0:n]
    z = (120.0 + 2.0 * xx + 1.0 * (n - yy) + rng.normal(0, 0.5, (n, n))).astype("float32")
    path.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=n,
        width=n,
        count=1,
        dtype="float32",
        crs=UTM33,
        transform=from_origin(DTM_BBOX[0], DTM_BBOX[3], DTM_RES, DTM_RES),
        nodata=-32767.0,
    ) as dst:
        dst.write(z, 1)
    return path


# ---------------------------------------------------------------- user files for import


def write_import_files(out: Path) -> dict[str, Path]:
    """The same business areas in each import format, with non-standard (municipal) column names."""
    rows = kommuneplan_rows()
    df = gpd.GeoDataFrame(
        {
            "KOMMNR": [r["k"] for r in rows],
            "AREALFORMÅL": [r["formal"] for r in rows],
            "STATUS": [{"1": "Nåværende", "2": "Framtidig"}[r["status"]] for r in rows],
            "NAVN": [r["name"] for r in rows],
        },
        geometry=[r["geom"] for r in rows],
        crs=UTM33,
    )
    files = {}
    imp = out / "import"
    imp.mkdir(parents=True, exist_ok=True)
    files["gpkg"] = imp / "naeringsareal.gpkg"
    df.to_file(files["gpkg"], layer="naeringsareal", driver="GPKG", engine="pyogrio")
    files["geojson"] = imp / "naeringsareal.geojson"
    files["geojson"].unlink(missing_ok=True)
    df.to_crs(4326).to_file(files["geojson"], driver="GeoJSON", engine="pyogrio")
    with tempfile.TemporaryDirectory() as tmp:
        shp = Path(tmp) / "naeringsareal.shp"
        df.rename(columns={"AREALFORMÅL": "AREALFORM"}).to_file(
            shp, driver="ESRI Shapefile", engine="pyogrio", encoding="UTF-8"
        )
        files["shpzip"] = imp / "naeringsareal_shp.zip"
        with zipfile.ZipFile(files["shpzip"], "w", zipfile.ZIP_DEFLATED) as zf:
            for f in sorted(Path(tmp).iterdir()):
                _zip_add(zf, f, f.name)
    files["gml"] = imp / "naeringsareal.gml"
    files["gml"].unlink(missing_ok=True)
    df.to_file(files["gml"], driver="GML", engine="pyogrio", dataset_options={"FORMAT": "GML3.2"})
    # SOSI-derived GeoJSON (sosi2geojson-style): SOSI short names and SOSI objtype
    sosi = gpd.GeoDataFrame(
        {
            "OBJTYPE": ["KpArealformålOmråde"] * len(rows),
            "KOMM": [r["k"] for r in rows],
            "KPAREALFORMÅL": [int(r["formal"]) for r in rows],
            "AREALSTATUS": [int(r["status"]) for r in rows],
            "OMRÅDENAVN": [r["name"] for r in rows],
        },
        geometry=[r["geom"] for r in rows],
        crs=UTM33,
    )
    files["sosi_geojson"] = imp / "kommuneplan_sosi.geojson"
    files["sosi_geojson"].unlink(missing_ok=True)
    sosi.to_file(
        files["sosi_geojson"],
        driver="GeoJSON",
        engine="pyogrio",
        layer_options={"WRITE_NON_FINITE_VALUES": "NO"},
    )
    files["map"] = imp / "naeringsareal_columns.toml"
    files["map"].write_text(
        '# column map for the municipal business-area file\n[columns]\n"KOMMNR" = "kommunenummer"\n'
        '"AREALFORMÅL" = "arealformal"\n"STATUS" = "arealbruksstatus"\n\n'
        '[values.arealbruksstatus]\n"Nåværende" = "1"\n"Framtidig" = "2"\n',
        encoding="utf-8",
    )
    files["map_shp"] = imp / "naeringsareal_shp_columns.toml"
    files["map_shp"].write_text(
        files["map"].read_text(encoding="utf-8").replace('"AREALFORMÅL"', '"AREALFORM"'), encoding="utf-8"
    )
    return files


# ---------------------------------------------------------------- everything


def build(out: str | os.PathLike = DEFAULT_OUT) -> dict[str, Path]:
    """Write every recorded response into ``out``; return {recorded URL → file} (plus import files)."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rng = np.random.default_rng(SEED)
    files: dict[str, Path] = {}
    files.update(write_reindeer(out, rng))
    files.update(write_ar5(out, rng))
    files.update(write_kommuneplan_ogc(out))
    files[
        "https://nedlasting.miljodirektoratet.no/Miljodata/Vern/FILEGDB/25833/Natur_Vern_norge_med_svalbard_25833.zip"
    ] = _fgdb_zip(out / "Natur_Vern_norge_med_svalbard_25833.zip", {"naturvernområde": naturbase_frame(rng)})
    aqua = out / "pub_aqua_new_legacy.csv"
    aqua.write_text(aquaculture_csv(), encoding="utf-8")
    files["https://api.fiskeridir.no/pub-aqua/api/v1/dump/new-legacy-csv"] = aqua
    files["https://wcs.geonorge.no/skwms1/wcs.hoyde-dtm-nhm-25833"] = write_dtm(
        out / "wcs_dtm_270000_7040000_50m.tif", rng
    )
    index = {url: str(p.relative_to(out)) for url, p in files.items()}
    (out / "index.json").write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    imports = write_import_files(out)
    return {**files, **{f"import:{k}": v for k, v in imports.items()}}


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    built = build(target)
    for key, path in built.items():
        print(f"{path.stat().st_size:>8,} B  {path.relative_to(target)}  ← {key}")
