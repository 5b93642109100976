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
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
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
                "reindriftSesongområde": np.array(code, dtype="int32"),
                "reinbeitebrukerID": dist,
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
            "reinbeitebrukerID": ["YH", "YI"],
            "distriktsnavn": ["Tjåehkere sijte", "Lierne nord"],
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
        {"reinbeitebrukerID": ["YH", "XX"], **_fellesegenskaper(2, "NO_LDIR_REINDRIFT_FLYTTLEI", rng)},
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
    """Write the recorded AR5 geodatabase zips."""
    files = {}
    answer = {"referenceNumber": "rec-0001", "files": []}
    for code, name in AR5_FILES.items():
        gdf = ar5_frame(AR5_CENTRES[code], rng)
        grense = gpd.GeoDataFrame(
            {"avgrensingType": np.array([4206], dtype="int32")},
            geometry=[gdf.geometry.iloc[0].boundary],
            crs=UTM33,
        )
        url = f"https://nedlasting.geonorge.no/api/download/order/rec-0001/{name}"
        files[url] = _fgdb_zip(out / name, {"fkb_ar5_grense": grense, "fkb_ar5_omrade": gdf})
        answer["files"].append(
            {
                "name": name,
                "downloadUrl": url,
                "area": code,
                "areaName": code,
                "projection": "25833",
                "format": "FGDB",
                "status": "ReadyForDownload",
            }
        )
    order = out / "geonorge_order_ar5.json"
    order.write_text(json.dumps(answer, indent=2))
    files["https://nedlasting.geonorge.no/api/order"] = order
    return files


# ---------------------------------------------------------------- kommuneplan (WFS GML 3.2)

_GML_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" '
    'xmlns:app="https://skjema.geonorge.no/SOSI/produktspesifikasjon/Kommuneplan/20240101" '
    'numberMatched="{n}" numberReturned="{n}" timeStamp="2025-11-03T10:00:00Z">\n'
)


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


def _poslist(poly: Polygon) -> str:
    return " ".join(f"{cx:.2f} {cy:.2f}" for cx, cy in poly.exterior.coords)


def kommuneplan_gml(rows: list[dict]) -> str:
    """The recorded kommuneplan response as GML."""
    parts = [_GML_HEAD.format(n=len(rows))]
    for i, r in enumerate(rows):
        parts.append(
            f'<wfs:member><app:KpArealformålOmråde gml:id="kpaf.{i}">\n'
            f"<app:identifikasjon><app:Identifikasjon><app:lokalId>{1000 + i}</app:lokalId>"
            f"<app:navnerom>https://data.geonorge.no/sosi/kommuneplan/{r['k']}</app:navnerom></app:Identifikasjon></app:identifikasjon>\n"
            f"<app:oppdateringsdato>2024-03-01T00:00:00</app:oppdateringsdato>\n"
            f"<app:arealplanId><app:NasjonalArealplanId><app:administrativEnhet><app:AdministrativEnhetskode>"
            f"<app:kommunenummer>{r['k']}</app:kommunenummer></app:AdministrativEnhetskode></app:administrativEnhet>"
            f"<app:planidentifikasjon>{r['plan']}</app:planidentifikasjon></app:NasjonalArealplanId></app:arealplanId>\n"
            f'<app:område><gml:Polygon gml:id="kpaf.{i}.g" srsName="http://www.opengis.net/def/crs/EPSG/0/25833" srsDimension="2">'
            f"<gml:exterior><gml:LinearRing><gml:posList>{_poslist(r['geom'])}</gml:posList></gml:LinearRing></gml:exterior>"
            f"</gml:Polygon></app:område>\n"
            f"<app:arealformål>{r['formal']}</app:arealformål>\n"
            f"<app:arealbruksstatus>{r['status']}</app:arealbruksstatus>\n"
            f"<app:områdenavn>{r['name']}</app:områdenavn>\n"
            f"</app:KpArealformålOmråde></wfs:member>\n"
        )
    parts.append("</wfs:FeatureCollection>\n")
    return "".join(parts)


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

AQUA_HEADER = (
    "TILL_NR;ORG.NR/PERS.NR;NAVN;TILL_KOMNR;TILL_KOM;FORMÅL;PRODUKSJONSFORM;ART;ART_KODE;TILL_KAP;TILL_ENHET;"
    "LOK_NR;LOK_NAVN;LOK_KOMNR;LOK_KOM;LOK_PLASS;VANNMILJØ;LOK_KAP;LOK_ENHET;UTGÅR_DATO;N_GEOWGS84;Ø_GEOWGS84;PROD_OMR"
)


def aquaculture_csv() -> str:
    """The recorded aquaculture register dump."""
    rows = [  # two permits at the same site (joined), one land site, one site in Nordland (outside)
        "T-HI-0001;900000001;Firma A AS;5054;INDRE FOSEN;Kommersiell;Matfisk;Laks;071101;780;TN;12345;STRAUMSKJÆRET;5054;INDRE FOSEN;SJØ;SALTVANN;3600;TN;;63,6210;10,1200;6",
        "T-HI-0002;900000001;Firma A AS;5054;INDRE FOSEN;Kommersiell;Matfisk;Regnbueørret;071201;780;TN;12345;STRAUMSKJÆRET;5054;INDRE FOSEN;SJØ;SALTVANN;3600;TN;;63,6210;10,1200;6",
        "T-F-0003;900000002;Firma B AS;5055;HEIM;Kommersiell;Settefisk;Laks;071101;2000;STK;23456;SETTEFISK LAND;5055;HEIM;LAND;FERSKVANN;2000;STK;;63,3500;9,1000;6",
        "N-BR-0004;900000003;Firma C AS;1813;BRØNNØY;Kommersiell;Matfisk;Laks;071101;780;TN;34567;NORDLAND SITE;1813;BRØNNØY;SJØ;SALTVANN;3600;TN;;65,4700;12,2100;7",
    ]
    return "AKVAKULTURTILLATELSER PR. 03-11-2025\n" + AQUA_HEADER + "\n" + "\n".join(rows) + "\n"


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
    gml = out / "wfs_kommuneplaner_KpArealformalOmrade.gml"
    gml.write_text(kommuneplan_gml(kommuneplan_rows()), encoding="utf-8")
    files["https://nap.ft.dibk.no/services/wfs/kommuneplaner/"] = gml
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
