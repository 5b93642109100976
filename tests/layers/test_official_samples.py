"""Every file of official-samples/ read by the project's own readers, with its counts, codes and CRS.

(AR5 files and code lists: tests/layers/test_codelists.py; SOSI files: tests/layers/test_sosi.py.)
"""

import json
import re
from pathlib import Path

import pytest
from areal.layers.codelists import read_gml_codelist
from areal.layers.fetch import PUB_AQUA_COLUMNS, parse_pub_aqua_csv
from areal.layers.safe_open import open_vector

SAMPLES = Path("/work/shared/data/official-samples")
RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "recorded"


def _sample(rel: str) -> Path:
    p = SAMPLES / rel
    if not p.exists():
        pytest.skip(f"official sample {p} not here")
    return p


def test_every_sample_file_is_covered_by_a_test():
    # the list of files the tests read; a new sample file must get a test
    covered = {
        "fiskeridir-akvakultur/EXTRACT_CSV_TEST_DATA_from_test_fdir.py.csv",
        "fiskeridir-akvakultur/pub-aqua-openapi-spec.json",
        "geonorge-nedlasting-api/nedlastingapiv3.xsd",
        "kartverket-n-series/n50-sosi/0617_N50_AdministrativeOmrader.sos",
        "kartverket-n-series/n50-sosi/1417_N50_RestriksjonsOmrader.sos",
        "kommuneplan/codelists/gmkav_Arealbruksstatus.gml",
        "kommuneplan/nap-ogcapi-feature-catalogue/kommuneplaner_feature_catalogue.json",
        "kommuneplan/nap-ogcapi-feature-catalogue/kommuneplaner_landsdekkende_kopi.yml",
        "kommuneplan/nap-ogcapi-feature-catalogue/psdata_kommuneplaner-landsdekkende-kopi.json",
        "kommuneplan/reguleringsplanforslag-5.0-validator-fixtures/gml.avgr.1-pass.gml",
        "kommuneplan/reguleringsplanforslag-5.0-validator-fixtures/gml.gmlid.1-2D-pass.gml",
        "naturbase-verneomrader/naturvernomraade.sos",
        "nibio-ar5/fkb-ar5-gml/FKB_AR5.gml",
        "nibio-ar5/ngis-openapi-json/ArealressursFlater_onlyLines.json",
        "nibio-ar5/ngis-openapi-json/ArealressursFlater_onlyPolygons.json",
        "nibio-ar5/nibio-workshop-shapefile/1910-2_f.shp",
        *(
            f"nibio-ar5/codelists/fmvrv_Arealressurs{n}.gml"
            for n in ("Arealtype", "AvgrensingType", "Grunnforhold", "Kartstandard", "Skogbonitet", "Treslag")
        ),
    }
    root = _sample(".")
    files = {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file()
        and p.name not in ("README.md", "PROVENANCE.md")
        and p.suffix not in (".shx", ".dbf", ".prj", ".cpg", ".qpj")  # parts of the shapefile
        # GDAL's side files (a GML's .gfs schema cache, the SOSI driver's *.Idx index folders),
        # left beside the samples by readers other than ours: not samples
        and p.suffix not in (".gfs", ".Idx")
    }
    assert files == covered


def test_aquaculture_dump_sample_parses():
    sites = parse_pub_aqua_csv(_sample("fiskeridir-akvakultur/EXTRACT_CSV_TEST_DATA_from_test_fdir.py.csv"))
    # 7 permit rows at 2 sites (NMBU 10362 with 3 species, NIVA Solbergstrand 10173 with 4)
    assert sorted(sites["site_id"]) == [10173, 10362]
    nmbu = sites.set_index("site_id").loc[10362]
    assert nmbu["site_name"] == "NMBU FISKELABORATORIET" and nmbu["placement"] == "LAND"
    assert nmbu["species"] == "Laks, Regnbueørret, Ørret" and nmbu["latitude"] == pytest.approx(59.669233)
    assert sites.set_index("site_id").loc[10173, "site_capacity"] == pytest.approx(7.5)
    assert sites.attrs["n_without_site"] == 0


def test_aquaculture_openapi_dump_endpoint():
    spec = json.loads(_sample("fiskeridir-akvakultur/pub-aqua-openapi-spec.json").read_text())
    assert spec["servers"][0]["url"].rstrip("/") == "https://api.fiskeridir.no/pub-aqua"
    ok = spec["paths"]["/api/v1/dump/new-legacy-csv"]["get"]["responses"]["200"]["content"]
    assert "text/plain;charset=UTF-8" in ok
    from areal.layers import registry

    assert (
        registry.get("aquaculture_sites").fetch.url
        == "https://api.fiskeridir.no/pub-aqua/api/v1/dump/new-legacy-csv"
    )
    # the columns the parser keeps are all in the real header
    header = (
        _sample("fiskeridir-akvakultur/EXTRACT_CSV_TEST_DATA_from_test_fdir.py.csv")
        .read_text()
        .splitlines()[1]
    )
    assert set(PUB_AQUA_COLUMNS) <= set(header.split(";")) and "STATUS" not in header.split(";")


def test_geonorge_order_fields_are_in_the_api_schema():
    xsd = _sample("geonorge-nedlasting-api/nedlastingapiv3.xsd").read_text(encoding="utf-8")
    names = set(re.findall(r'name="([A-Za-z]+)"', xsd))
    order = json.loads((RECORDED / "geonorge_order_ar5.json").read_text())
    used = {"referenceNumber", "files", "email", "orderDate"} | {k for f in order["files"] for k in f}
    used |= {"orderLines", "metadataUuid", "areas", "projections", "formats", "codespace", "softwareClient"}
    assert used <= names, used - names


def test_ogc_recording_has_the_catalogues_attributes():
    cat = json.loads(
        _sample("kommuneplan/nap-ogcapi-feature-catalogue/kommuneplaner_feature_catalogue.json").read_text()
    )
    assert len(cat) == 66  # 33 feature types and their "(flat)" variants
    kp = next(c for c in cat if c["name"] == "KpArealformålOmråde")
    assert kp["geometry"]["storageCrs"] == "http://www.opengis.net/def/crs/EPSG/0/25833"

    def shape(attrs):
        return {a["name"]: shape(a["attributes"]) if "attributes" in a else a["type"] for a in attrs}

    want = shape(kp["attributes"])
    assert (want["arealformål"], want["arealbruksstatus"]) == ("string", "string")
    page = json.loads((RECORDED / "ogcapi_kommuneplaner_5028.json").read_text())
    props = page["features"][0]["properties"]
    assert set(props) == set(want)
    for k, sub in want.items():
        if isinstance(sub, dict):
            assert set(props[k]) == set(sub), k
    assert isinstance(props["arealformål"], str) and isinstance(props["arealbruksstatus"], str)
    yml = _sample("kommuneplan/nap-ogcapi-feature-catalogue/kommuneplaner_landsdekkende_kopi.yml").read_text()
    from areal.layers import registry

    assert (
        registry.get("business_areas").fetch.url in yml
    )  # https://nap.ft.dibk.no/services/rest/kommuneplaner/
    ps = json.loads(
        _sample(
            "kommuneplan/nap-ogcapi-feature-catalogue/psdata_kommuneplaner-landsdekkende-kopi.json"
        ).read_text()
    )
    assert "Norge digitalt" in json.dumps(ps, ensure_ascii=False)  # the licence: credentials needed


def test_reguleringsplan_gml_fixtures_read():
    g = open_vector(
        _sample("kommuneplan/reguleringsplanforslag-5.0-validator-fixtures/gml.avgr.1-pass.gml"),
        layer="RpArealformålOmråde",
    )
    assert len(g) == 3 and g.crs.to_epsg() == 25832 and set(g["arealformål"].astype(str)) == {"1169"}
    h = open_vector(
        _sample("kommuneplan/reguleringsplanforslag-5.0-validator-fixtures/gml.gmlid.1-2D-pass.gml"),
        layer="RpOmråde",
    )
    assert len(h) >= 1 and h.crs.to_epsg() == 25832


def test_remaining_ar5_code_lists():
    assert read_gml_codelist(_sample("nibio-ar5/codelists/fmvrv_ArealressursKartstandard.gml")) == {
        "AR5": "AR5"
    }
    avgr = read_gml_codelist(_sample("nibio-ar5/codelists/fmvrv_ArealressursAvgrensingType.gml"))
    assert avgr["4206"] == "ArealressursGrense" and set(avgr) == {
        "4206",
        "9300",
        "3310",
        "9111",
        "7200",
        "3000",
    }
