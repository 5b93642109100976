"""The AR5 code lists equal the official GML code lists; every AR5 sample reads through the loader."""

from pathlib import Path

import geopandas as gpd
import pytest
from areal.apps.cli import main
from areal.layers import loader
from areal.layers.catalogue.agriculture import AR5, AR5_EXTRA_CODES
from areal.layers.codelists import read_gml_codelist
from areal.layers.coverage import coverage_geometry
from click.testing import CliRunner

SAMPLES = Path("/work/shared/data/official-samples")
CODELISTS = SAMPLES / "nibio-ar5" / "codelists"
LISTS = {
    "arealtype": "fmvrv_ArealressursArealtype.gml",
    "skogbonitet": "fmvrv_ArealressursSkogbonitet.gml",
    "treslag": "fmvrv_ArealressursTreslag.gml",
    "grunnforhold": "fmvrv_ArealressursGrunnforhold.gml",
}


def _sample(rel: str) -> Path:
    p = SAMPLES / rel
    if not p.exists():
        pytest.skip(f"official sample {p} not here")
    return p


@pytest.mark.parametrize("column", sorted(LISTS))
def test_ar5_code_lists_equal_the_official_gml(column):
    official = read_gml_codelist(_sample(f"nibio-ar5/codelists/{LISTS[column]}"))
    ours = dict(AR5.code_lists[column])
    extra = AR5_EXTRA_CODES.get(column, set())
    assert {k: v for k, v in ours.items() if k not in extra} == official
    assert set(ours) - set(official) == extra  # only NIBIO's schema codes (treslag 35, skogbonitet 17, 18)


def test_the_corrected_codes():
    sb, gf, ts = AR5.code_lists["skogbonitet"], AR5.code_lists["grunnforhold"], AR5.code_lists["treslag"]
    assert (sb["11"], sb["15"], sb["17"], sb["18"]) == (
        "Impediment",
        "Særs høy",
        "Produktiv",
        "Høy og særs høy",
    )
    assert (gf["42"], gf["45"], gf["46"]) == ("Fjell i dagen", "Organiske jordlag", "Konstruert")
    assert ts["35"] == "Lauvblandingsskog"


def test_plan_status_code_list():
    assert read_gml_codelist(_sample("kommuneplan/codelists/gmkav_Arealbruksstatus.gml")) == {
        "1": "Nåværende",
        "2": "Framtidig",
        "3": "Videreutvikling av nåværende",
    }


def _import(path: Path, data: Path, *extra: str):
    res = CliRunner().invoke(main, ["import", str(path), "--as", "ar5", "--data-dir", str(data), *extra])
    return res


@pytest.mark.parametrize(
    "rel, n, crs_in, codes",
    [
        # FKB-AR5 GML (FKB-Ar5 4.6 schema): 272 ArealressursFlate, EPSG:25832
        (
            "nibio-ar5/fkb-ar5-gml/FKB_AR5.gml",
            272,
            25832,
            {"30", "50", "12", "21", "81", "23", "11", "22", "60"},
        ),
        # NIBIO's shapefile with the short field names artype / artreslag / arskogbon / argrunnf
        ("nibio-ar5/nibio-workshop-shapefile/1910-2_f.shp", 85, 25832, None),
        # NGIS-OpenAPI JSON, EPSG:4258, arealtype as strings
        ("nibio-ar5/ngis-openapi-json/ArealressursFlater_onlyPolygons.json", 2, 4258, {"60", "30"}),
    ],
)
def test_every_ar5_sample_reads_through_the_loader(rel, n, crs_in, codes, tmp_path):
    src = _sample(rel)
    res = _import(src, tmp_path)
    assert res.exit_code == 0, res.output
    g = loader.load("ar5", tmp_path, cache=False, strict=True)
    assert len(g) == n and g.crs.to_epsg() == 25833
    assert (
        gpd.read_file(src, rows=1, layer="ArealressursFlate" if src.suffix == ".gml" else None).crs.to_epsg()
        == crs_in
    )
    if codes is not None:
        assert set(g["arealtype"]) == codes
    for col in ("arealtype", "treslag", "skogbonitet", "grunnforhold"):
        assert set(g[col].dropna()) <= set(AR5.code_lists[col]), col
    # an imported AR5 is mapped where its file is, not in the whole county
    c = coverage_geometry("ar5", tmp_path)
    assert c.kind == "sidecar" and c.geometry.area == pytest.approx(g.union_all().area, rel=1e-6)


def test_fkb_ar5_gml_values_and_short_names(tmp_path):
    assert _import(_sample("nibio-ar5/fkb-ar5-gml/FKB_AR5.gml"), tmp_path / "gml").exit_code == 0
    gml = loader.load("ar5", tmp_path / "gml", cache=False)
    assert set(gml["treslag"]) == {"31", "98", "39", "32", "99", "33"}
    assert set(gml["skogbonitet"]) == {"98", "11", "13", "14", "12"}
    assert set(gml["grunnforhold"]) == {"44", "98", "43", "42", "41", "45"}
    assert (
        _import(_sample("nibio-ar5/nibio-workshop-shapefile/1910-2_f.shp"), tmp_path / "shp").exit_code == 0
    )
    shp = loader.load("ar5", tmp_path / "shp", cache=False)
    raw = gpd.read_file(SAMPLES / "nibio-ar5/nibio-workshop-shapefile/1910-2_f.shp")
    assert sorted(shp["arealtype"]) == sorted(raw["artype"].astype(str))
    assert sorted(shp["skogbonitet"]) == sorted(raw["arskogbon"].astype(str))
    assert shp.area.sum() == pytest.approx(raw.to_crs(25833).area.sum(), rel=1e-6)


def test_ar5_boundary_lines_are_refused_as_areas(tmp_path):
    res = _import(_sample("nibio-ar5/ngis-openapi-json/ArealressursFlater_onlyLines.json"), tmp_path)
    assert res.exit_code == 2
    assert "ArealressursFlater_onlyLines.json" in res.output and "LineString" in res.output
