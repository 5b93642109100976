"""``areal plan-account`` end to end: files in every format, CSV/XLSX/PDF contents, the official samples."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from areal.apps.cli import main
from areal.geo.plan_account import ar5_land_classes, plan_account
from areal.layers.plan_files import read_plan
from click.testing import CliRunner
from shapely.geometry import box

from tests.accounts.plan_pair import ar5, current_plan, proposed_plan

SAMPLES = Path(os.environ.get("AREAL_DATA_DIR", "/nonexistent")) / "official-samples"
RP = SAMPLES / "kommuneplan" / "reguleringsplanforslag-5.0-validator-fixtures"
RECORDED = Path(__file__).parents[1] / "fixtures" / "recorded"
PLAN_DB = Path(__file__).parents[2] / "data" / "plan_database"


def _samples():
    if not RP.exists():
        if os.environ.get("CI"):
            pytest.fail(f"official samples not found under {SAMPLES}")
        pytest.skip("official samples not found (set AREAL_DATA_DIR)")


@pytest.fixture
def pair_files(tmp_path, monkeypatch):
    """The known pair as a GeoPackage (current) and a GeoJSON (proposed), AR5 in a data directory."""
    data = tmp_path / "data"
    (data / "ar5").mkdir(parents=True)
    ar5().assign(treslag="98", grunnforhold="98").to_file(
        data / "ar5" / "ar5_5001.gpkg", layer="ar5", driver="GPKG"
    )
    monkeypatch.setenv("AREAL_DATA_DIR", str(data))
    cur = tmp_path / "gjeldende.gpkg"
    current_plan().to_file(cur, driver="GPKG")
    prop = tmp_path / "forslag.geojson"
    proposed_plan().to_crs(4326).to_file(prop, driver="GeoJSON")
    return cur, prop, data


def _run(*args):
    return CliRunner().invoke(main, ["plan-account", *map(str, args)])


def test_cli_known_pair_csv_xlsx_pdf(pair_files, tmp_path):
    cur, prop, data = pair_files
    out = tmp_path / "ut"
    res = _run("--current", cur, "--proposed", prop, "--out", out, "--data-dir", data)
    assert res.exit_code == 0, res.output
    assert "AR5 (1:5 000, © NIBIO, AR5 (CC BY 4.0)) 31,0\xa0ha" in res.output

    # CSV: long form, Norwegian decimal comma, one row per table × purpose × land class × source
    csv = pd.read_csv(
        out / "arealregnskap.csv", sep=";", decimal=",", dtype={"arealformal": str, "kommunenummer": str}
    )
    new = csv[csv["table"] == "new"]
    assert new[["arealformal", "land_class", "source"]].values.tolist() == [["1300", "fulldyrka", "AR5"]]
    assert new["ha"].tolist() == [10.0] and new["tabell"].tolist() == ["Nytt i planforslaget"]
    back = csv[csv["table"] == "returned_lnf"]
    assert back[["arealformal", "land_class", "ha"]].values.tolist() == [["1110", "skog_middels", 4.0]]
    assert back["co2_t"].tolist() == [4 * 448.0]

    # XLSX: the KDD layout (arealformål rows, land-class columns, sums), read back
    from openpyxl import load_workbook

    wb = load_workbook(out / "arealregnskap.xlsx")
    assert wb.sheetnames[:4] == [
        "Arealreserve i gjeldende plan",
        "Arealreserve i planforslaget",
        "Nytt i planforslaget",
        "Tilbakeført til LNF",
    ]
    rows = list(wb["Nytt i planforslaget"].iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "Arealformål")
    body = {r[0]: dict(zip(header[1:], r[1:])) for r in rows[rows.index(header) + 1 :] if r and r[0]}
    assert body["1300 Næringsbebyggelse"]["Fulldyrka jord"] == 10.0
    assert body["1300 Næringsbebyggelse"]["Sum"] == 10.0 and body["Sum"]["Sum"] == 10.0
    rows = list(wb["Tilbakeført til LNF"].iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "Arealformål")
    body = {r[0]: dict(zip(header[1:], r[1:])) for r in rows[rows.index(header) + 1 :] if r and r[0]}
    assert body["1110 Boligbebyggelse"]["Skog, middels bonitet"] == 4.0
    src = [r for r in wb["Kilder"].iter_rows(values_only=True)]
    assert ("AR5", "1:5 000", "© NIBIO, AR5 (CC BY 4.0)", 31.0) in src

    # PDF: the text as a reader sees it
    txt = subprocess.run(
        ["pdftotext", "-layout", str(out / "arealregnskap.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Arealregnskap for kommuneplanens arealdel" in txt
    assert "Nytt i planforslaget" in txt and "Tilbakeført til LNF" in txt
    assert "Arealklasser (hva som ligger der i dag): AR5 (1:5 000, © NIBIO, AR5 (CC BY 4.0)) 31,0" in txt
    new_part = txt.split("Nytt i planforslaget")[1].split("Tilbakeført til LNF")[0]
    header = next(ln for ln in new_part.splitlines() if "Arealformål" in ln)
    assert header.split() == ["Arealformål", "Fulldyrka", "jord", "Skog,", "middels", "bonitet", "Myr", "Sum"]
    line = next(ln for ln in new_part.splitlines() if "1300 Næringsbebyggelse" in ln)
    assert line.split()[2:] == ["10,0", "0,0", "0,0", "10,0"]
    back = txt.split("Tilbakeført til LNF")[1].split("CO₂ etter arealklasse")[0]
    line = next(ln for ln in back.splitlines() if "1110 Boligbebyggelse" in ln)
    assert line.split()[2:] == ["0,0", "4,0", "0,0", "4,0"]
    assert "1 792" in txt  # 4 ha forest × 448 t CO₂/ha returned to LNF


def test_cli_json_and_quiet(pair_files, tmp_path):
    cur, _, data = pair_files
    prop = tmp_path / "forslag.gpkg"  # in EPSG:25833, so the figures are exact to the last bit
    proposed_plan().to_file(prop, driver="GPKG")
    res = _run("--current", cur, "--proposed", prop, "--json", "--data-dir", data)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["tables"]["new"] == {"1300": {"fulldyrka": 10.0}}
    assert doc["tables"]["returned_lnf"] == {"1110": {"skog_middels": 4.0}}
    assert doc["co2_t"]["returned_lnf"] == {"skog_middels": 1792.0}
    res = _run("--current", cur, "--proposed", prop, "--quiet", "--data-dir", data)
    assert res.exit_code == 0 and res.output == ""


def test_cli_bad_values_exit_2(pair_files):
    cur, prop, data = pair_files
    res = _run("--current", cur, "--proposed", prop, "--kommune", "50")
    assert res.exit_code == 2 and "'50': gi kommunens nummer med fire sifre" in res.output
    res = _run("--current", cur, "--proposed", prop, "--kommune", "50", "--lang", "en")
    assert res.exit_code == 2 and "'50': give a 4-digit municipality number" in res.output
    res = _run("--current", cur, "--proposed", prop, "--reserve-status", "2,4")
    assert res.exit_code == 2 and "give arealbruksstatus codes" in res.output


def test_cli_bad_file_one_line(pair_files, tmp_path):
    cur, _, data = pair_files
    bad = proposed_plan()
    bad.loc[3, "arealbruksstatus"] = "7"
    path = tmp_path / "kpa_forslag.geojson"
    bad.to_crs(4326).to_file(path, driver="GeoJSON")
    res = _run("--current", cur, "--proposed", path, "--data-dir", data, "--lang", "en")
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert lines == [
        "Error: InputGeometryError: kpa_forslag.geojson: column 'arealbruksstatus' has value '7' (1×), "
        "not one of 1 nåværende, 2 framtidig, 3 videreutvikling av nåværende"
    ]
    no_col = tmp_path / "uten_formal.gpkg"
    proposed_plan().drop(columns="arealformal").to_file(no_col, driver="GPKG")
    res = _run("--current", cur, "--proposed", no_col, "--data-dir", data)
    assert res.exit_code == 2 and "uten_formal.gpkg: no arealformål column" in res.output


# ---------------------------------------------------------------- the official-format samples


def test_regulation_plan_gml_sample_read_and_accounted(tmp_path):
    _samples()
    plan = read_plan(RP / "gml.avgr.1-pass.gml")
    assert len(plan) == 3 and plan.attrs["kind"] == "rp" and plan.crs.to_epsg() == 25832
    assert plan["arealformal"].tolist() == ["1169"] * 3
    assert plan["omradenavn"].tolist() == ["o_BTAN1", "o_BTAN2", "o_BTAN3"]
    assert plan["arealbruksstatus"].isna().all()  # a reguleringsplan has no arealbruksstatus
    # the fixture's Arealplan says kommunenummer "String" (a placeholder): refused, named
    res = _run(
        "--current",
        RP / "gml.avgr.1-pass.gml",
        "--proposed",
        RP / "gml.avgr.1-pass.gml",
        "--default-status",
        "2",
    )
    assert res.exit_code == 2
    assert (
        "gml.avgr.1-pass.gml: column 'kommunenummer' has value 'String' (3×), not a 4-digit number"
        in res.output
    )
    # accounted as a proposal on empty land (LNF) for 4203 (the municipality of the other fixture)
    lnf = gpd.GeoDataFrame(
        {"arealformal": ["5100"], "arealbruksstatus": ["1"], "kommunenummer": ["4203"]},
        geometry=[box(*plan.total_bounds).buffer(10)],
        crs=25832,
    )
    cur = tmp_path / "lnf.gpkg"
    lnf.to_file(cur, driver="GPKG")
    res = _run(
        "--current",
        cur,
        "--proposed",
        RP / "gml.avgr.1-pass.gml",
        "--kommune",
        "4203",
        "--default-status",
        "2",
        "--json",
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    # the fixture's three areas overlap a little (0.0067 m²): each m² once, so the union's area
    import shapely

    expected = shapely.union_all(plan.to_crs(25833).geometry.values).area / 10_000
    assert doc["tables"]["new"]["1169"] == {"ikke_kartlagt": pytest.approx(expected, rel=1e-9)}
    assert any(
        "gml.avgr.1-pass.gml: 0.0000 ha where its areas overlap counted once" in n for n in doc["notes"]
    )
    assert any("reguleringsplan" in w for w in doc["warnings"])


def test_gml_without_land_use_areas_names_its_layers():
    _samples()
    res = _run("--current", RP / "gml.gmlid.1-2D-pass.gml", "--proposed", RP / "gml.gmlid.1-2D-pass.gml")
    assert res.exit_code == 2
    assert "har ikke noe lag KpArealformålOmråde eller RpArealformålOmråde" in res.output
    assert "lagene i filen er RpOmråde, RpBestemmelseOmråde" in res.output
    res = _run(
        "--current",
        RP / "gml.gmlid.1-2D-pass.gml",
        "--proposed",
        RP / "gml.gmlid.1-2D-pass.gml",
        "--lang",
        "en",
    )
    assert res.exit_code == 2
    assert (
        "no KpArealformålOmråde or RpArealformålOmråde layer; layers in the file are: RpOmråde, RpBestemmelseOmråde"
        in res.output
    )


def _ogc_page_with_crs(tmp_path):
    # the recorded OGC API page (the WFS GML recording was removed: no such service exists); saved
    # with its CRS, which the service states in the Content-Crs header
    page = json.loads((RECORDED / "ogcapi_kommuneplaner_bbox.json").read_text(encoding="utf-8"))
    page["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25833"}}
    p = tmp_path / "kommuneplaner.json"
    p.write_text(json.dumps(page), encoding="utf-8")
    return p


def test_kommuneplan_ogc_recording_read(tmp_path):
    page = _ogc_page_with_crs(tmp_path)
    plan = read_plan(page)
    assert plan.attrs["kind"] == "kp" and len(plan) == 6
    assert plan["arealformal"].tolist() == ["1300", "1300", "1110", "1300", "5100", "1300"]
    assert plan["arealbruksstatus"].tolist() == ["1", "2", "1", "2", "1", "1"]
    assert plan["kommunenummer"].tolist() == ["5001"] * 3 + ["5028"] * 3
    only = read_plan(page, kommune="5028")
    assert only["kommunenummer"].tolist() == ["5028"] * 3


def test_plan_database_json_read():
    plan = read_plan(PLAN_DB / "kpa_5001_forslag.json")
    assert len(plan) == 6 and plan.crs.to_epsg() == 4326  # OGC API Features default: CRS84
    assert plan["kommunenummer"].tolist() == ["5001"] * 6  # from the nested arealplanId object
    assert plan["planidentifikasjon"].tolist() == ["2026001"] * 6
    assert plan["arealformal"].tolist() == ["1300", "5100", "5100", "5100", "1300", "1110"]


def test_plan_database_string_names_read(tmp_path):
    # the catalogue types arealformål/arealbruksstatus as strings: names are read as their codes
    doc = json.loads((PLAN_DB / "kpa_5001_forslag.json").read_text())
    doc["features"][0]["properties"].update(
        {"arealformål": "Næringsbebyggelse", "arealbruksstatus": "Framtidig"}
    )
    doc["features"][1]["properties"].update(
        {"arealformål": "5100 LNFR-areal", "arealbruksstatus": "Nåværende"}
    )
    path = tmp_path / "navn.json"
    path.write_text(json.dumps(doc, ensure_ascii=False))
    plan = read_plan(path)
    assert plan.loc[:1, ["arealformal", "arealbruksstatus"]].values.tolist() == [["1300", "2"], ["5100", "1"]]


def test_ar5_gml_sample_as_land_classes():
    _samples()
    from areal.layers.safe_open import open_vector

    raw = open_vector(SAMPLES / "nibio-ar5" / "fkb-ar5-gml" / "FKB_AR5.gml", layer="ArealressursFlate")
    land = ar5_land_classes(raw)
    counts = land["land_class"].value_counts().to_dict()
    # the sample's codes: arealtype 30 ×149 split by skogbonitet 11/12/13/14 (98: none), 21 ×28 ...
    assert counts["fulldyrka"] == 28 and counts["overflatedyrka"] == 2 and counts["innmarksbeite"] == 7
    assert counts["myr"] == 2 and counts["bebygd"] == 5 and counts["samferdsel"] == 32
    assert sum(v for k, v in counts.items() if k.startswith("skog_")) == 149
    assert {"skog_impediment", "skog_lav", "skog_middels", "skog_hoy"} <= set(counts)
    # a plan over the whole sample: the pieces add up to the plan area, each m² once
    x0, y0, x1, y1 = raw.total_bounds
    plan = gpd.GeoDataFrame(
        {"arealformal": ["1300"], "arealbruksstatus": ["2"], "kommunenummer": ["3305"]},
        geometry=[box(x0 + 500, y0 + 500, x1 - 500, y1 - 500)],
        crs=raw.crs,
    )
    lnf = plan.assign(arealformal="5100", arealbruksstatus="1")
    acc = plan_account(lnf, plan, land.to_crs(25833))
    new = acc.table("new")
    assert new.loc["1300"].sum() == pytest.approx(plan.to_crs(25833).area.sum() / 10_000, rel=1e-9)
    # the sample is a road-corridor extract: what of the box it does not cover is "ikke kartlagt"
    import shapely

    site = plan.to_crs(25833).geometry.iloc[0]
    cover = shapely.union_all(shapely.make_valid(land.to_crs(25833).geometry.values)).intersection(site)
    assert new.loc["1300", "ikke_kartlagt"] == pytest.approx((site.area - cover.area) / 10_000, rel=1e-6)
    assert new.loc["1300", "fulldyrka"] > 0
    # the sample's polygons overlap (130 pairs after repair, a FME conversion): counted once, and said so
    assert any(n.startswith("land classes: ") and "where they overlap counted once" in n for n in acc.notes)


@pytest.mark.realdata
def test_plan_database_recordings_on_real_land(real_data):
    res = _run(
        "--current",
        PLAN_DB / "kpa_5001_gjeldende.json",
        "--proposed",
        PLAN_DB / "kpa_5001_forslag.json",
        "--json",
        "--data-dir",
        real_data,
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    # the made-up plans lie inside the real N50 extract of east Trondheim: N50 is the source
    assert [s["id"] for s in doc["land_sources"]][0] == "N50"
    new = doc["tables"]["new"]["1300"]
    assert sum(new.values()) == pytest.approx(36.0, abs=0.01)  # a 600 × 600 m area
    assert new["dyrka_mark"] > 10  # on real N50 DyrketMark
    back = doc["tables"]["returned_lnf"]["1110"]
    assert sum(back.values()) == pytest.approx(12.0, abs=0.01)
    assert doc["municipalities"] == {"5001": "Trondheim - Tråante"}


def _codelist(path: Path) -> dict[str, str]:
    import xml.etree.ElementTree as ET

    ns = {"gml": "http://www.opengis.net/gml/3.2"}
    out = {}
    for d in ET.parse(path).getroot().iter("{http://www.opengis.net/gml/3.2}Definition"):
        out[d.find("gml:identifier", ns).text.strip()] = d.find("gml:name", ns).text.strip()
    return out


def test_code_lists_match_the_official_ones():
    _samples()
    from areal.geo.plan_account import AR5_SKOGBONITET as CLASSES_BY_BONITET
    from areal.layers.catalogue.agriculture import AR5_ARTYPE, AR5_GRUNNFORHOLD, AR5_SKOGBONITET
    from areal.layers.plan_files import AREALBRUKSSTATUS

    lists = SAMPLES / "nibio-ar5" / "codelists"
    bon = _codelist(lists / "fmvrv_ArealressursSkogbonitet.gml")
    assert {k: AR5_SKOGBONITET[k] for k in bon} == bon  # 11 Impediment ... 15 Særs høy
    grunn = _codelist(lists / "fmvrv_ArealressursGrunnforhold.gml")
    assert {k: AR5_GRUNNFORHOLD[k] for k in grunn} == grunn
    art = _codelist(lists / "fmvrv_ArealressursArealtype.gml")
    assert {k: AR5_ARTYPE[k].lower() for k in art} == {k: v.lower() for k, v in art.items()}
    # the account's forest classes follow the same codes
    assert CLASSES_BY_BONITET["11"] == "skog_impediment" and CLASSES_BY_BONITET["15"] == "skog_saers_hoy"
    status = _codelist(SAMPLES / "kommuneplan" / "codelists" / "gmkav_Arealbruksstatus.gml")
    assert status == AREALBRUKSSTATUS


def test_sosi_plans(pair_files, tmp_path):
    from tests.accounts.plan_pair import to_sosi

    _, _, data = pair_files
    cur, prop = tmp_path / "gjeldende.sos", tmp_path / "forslag.sos"
    cur.write_bytes(to_sosi(current_plan()))
    prop.write_bytes(to_sosi(proposed_plan()))
    plan = read_plan(prop)
    assert plan.attrs["input"]["format"] == "sosi" and plan.crs.to_epsg() == 25833
    assert plan["arealformal"].tolist() == ["1300", "5100", "5100", "5100", "1110", "1300"]
    assert plan["arealbruksstatus"].tolist() == ["2", "1", "1", "1", "2", "1"]
    assert plan["kommunenummer"].tolist() == ["5001"] * 6
    res = _run("--current", cur, "--proposed", prop, "--json", "--data-dir", data)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["tables"]["new"] == {"1300": {"fulldyrka": 10.0}}
    assert doc["tables"]["returned_lnf"] == {"1110": {"skog_middels": 4.0}}


def test_two_municipalities_in_the_outputs(tmp_path):
    import geopandas as gpd
    from areal.apps.usecases.plan_account import compute_plan_account, write_outputs
    from openpyxl import load_workbook

    from tests.accounts.plan_pair import plan

    other = plan([("1300", "2", box(0, 0, 100, 100))], kommune="5028")
    lnf = plan([("5100", "1", box(0, 0, 100, 100))], kommune="5028")
    cur = gpd.GeoDataFrame(pd.concat([current_plan(), lnf], ignore_index=True), crs=25833)
    prop = gpd.GeoDataFrame(pd.concat([proposed_plan(), other], ignore_index=True), crs=25833)
    res = compute_plan_account(cur, prop, land=ar5_land_classes(ar5()), names=("a", "b"))
    res.municipality_names = {"5001": "Trondheim", "5028": "Melhus"}
    csv, xlsx, pdf = write_outputs(res, tmp_path)
    df = pd.read_csv(csv, sep=";", decimal=",", dtype=str)
    assert set(df["kommunenummer"]) == {"5001", "5028"}
    rows = list(load_workbook(xlsx)["Nytt i planforslaget"].iter_rows(values_only=True))
    titles = [r[0] for r in rows if r and r[0] in ("Alle kommuner", "Trondheim (5001)", "Melhus (5028)")]
    assert titles == ["Alle kommuner", "Trondheim (5001)", "Melhus (5028)"]
    txt = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert txt.index("Alle kommuner") < txt.index("Trondheim (5001)") < txt.index("Melhus (5028)")


def test_plan_database_flat_collection_read(tmp_path):
    # the catalogue's "(flat)" collections carry kommunenummer and planidentifikasjon as plain properties
    doc = json.loads((PLAN_DB / "kpa_5001_forslag.json").read_text())
    for f in doc["features"]:
        props = f["properties"]
        props.update(props.pop("arealplanId"))
        props.update(props.pop("identifikasjon"))
    path = tmp_path / "flat.json"
    path.write_text(json.dumps(doc, ensure_ascii=False))
    plan = read_plan(path)
    assert plan["kommunenummer"].tolist() == ["5001"] * 6
    assert plan["planidentifikasjon"].tolist() == ["2026001"] * 6
