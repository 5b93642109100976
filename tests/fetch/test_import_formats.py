"""`areal import FILE --as LAYER`: every format, column maps, refusals, and fetch ≡ import."""

import json
from pathlib import Path

import pandas as pd
import pytest
from areal.apps.cli import main
from areal.geo.errors import ImplausibleLocationError, LayerValidationError, RuleError
from areal.layers import fetch, loader
from areal.layers.importer import ColumnMap, import_file, normalise_columns
from click.testing import CliRunner
from recorded_transport import RECORDED, RecordedTransport

IMP = RECORDED / "import"
EXPECTED = [("5001", "1"), ("5001", "2"), ("5028", "1"), ("5028", "2")]  # 1300 areas: kommune, status


def _key(g):
    return sorted(zip(g["kommunenummer"], g["arealbruksstatus"]))


@pytest.mark.parametrize(
    "name,cmap",
    [
        ("naeringsareal.gpkg", "naeringsareal_columns.toml"),
        ("naeringsareal.geojson", "naeringsareal_columns.toml"),
        ("naeringsareal_shp.zip", "naeringsareal_shp_columns.toml"),
        ("naeringsareal.gml", "naeringsareal_columns.toml"),
        ("kommuneplan_sosi.geojson", None),  # SOSI short names: no map needed
    ],
)
def test_import_each_format(tmp_path, name, cmap):
    d = tmp_path / "data"
    rep = import_file(IMP / name, "business_areas", data_dir=d, column_map=IMP / cmap if cmap else None)
    assert rep.n_read == 6 and rep.n_written == 6 and rep.n_refused == 0
    assert rep.n_repaired == 1  # the bow-tie
    assert Path(rep.target) == d / "business/kommuneplan_arealformal_50.gpkg"
    if cmap:
        assert rep.mapped["KOMMNR"] == "kommunenummer" and rep.values_mapped == {"arealbruksstatus": 6}
    g = loader.load("business_areas", d, cache=False, strict=True)
    assert _key(g) == EXPECTED
    assert g.geometry.area.sum() == pytest.approx(
        800 * 500 + 600 * 500 + 700 * 700 + 2 * 0.5 * 600 * 200, rel=1e-6
    )


def test_fetched_and_imported_layers_are_the_same(tmp_path):
    """The recorded OGC API answer, fetched or saved and imported, gives the same cleaned layer."""
    a, b = tmp_path / "a", tmp_path / "b"
    fetch.fetch_layer(
        "business_areas",
        fetch.FetchContext(data_dir=a, transport=RecordedTransport(), progress=False, bbox=(0, 0, 1, 1)),
    )
    # a saved page carries no CRS (the service names it in the Content-Crs header): refused as WGS84
    # coordinates that are not; saved with its CRS it imports
    with pytest.raises(ImplausibleLocationError, match="not longitude/latitude"):
        import_file(RECORDED / "ogcapi_kommuneplaner_bbox.json", "business_areas", data_dir=b)
    page = json.loads((RECORDED / "ogcapi_kommuneplaner_bbox.json").read_text(encoding="utf-8"))
    page["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25833"}}
    saved = tmp_path / "page.geojson"
    saved.write_text(json.dumps(page), encoding="utf-8")
    import_file(saved, "business_areas", data_dir=b)
    ga = loader.load("business_areas", a, cache=False)
    gb = loader.load("business_areas", b, cache=False)
    cols = ["kommunenummer", "planidentifikasjon", "arealformal", "arealbruksstatus"]
    sa, sb = ga.sort_values(cols).reset_index(drop=True), gb.sort_values(cols).reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.DataFrame(sa[cols]), pd.DataFrame(sb[cols]))
    assert sa.geometry.geom_equals(sb.geometry).all()  # Polygon vs 1-part MultiPolygon allowed
    # and the same for the reindeer pastures (one season file imported vs the fetched season)
    fetch.fetch_layer(
        "reindeer_pastures", fetch.FetchContext(data_dir=a, transport=RecordedTransport(), progress=False)
    )
    ra = loader.load("reindeer_pastures", a, cache=False)
    import_file(
        RECORDED / "0000_25833_reindrift-arstidsbeite-varbeite_gdb.zip", "reindeer_pastures", data_dir=b
    )
    rb = loader.load("reindeer_pastures", b, cache=False)
    spring = (
        ra[ra["sesongomrade"].isin(["1", "2"])]
        .sort_values(["reinbeitedistrikt", "sesongomrade"])
        .reset_index(drop=True)
    )
    rb = rb.sort_values(["reinbeitedistrikt", "sesongomrade"]).reset_index(drop=True)
    assert list(rb["beitetid"]) == list(spring["beitetid"]) and rb.geometry.geom_equals(spring.geometry).all()


def test_import_ar5_sosi_names_to_matching_pattern(tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    f = tmp_path / "ar5_sosi.geojson"
    gpd.GeoDataFrame(
        {"ARTYPE": [21, 30], "ARTRESLAG": [39, 31], "ARSKOGBON": [98, 13], "ARGRUNNF": [44, 44]},
        geometry=[box(270000, 7040000, 270100, 7040100), box(270100, 7040000, 270200, 7040100)],
        crs="EPSG:25833",
    ).to_file(f, driver="GeoJSON")
    rep = import_file(f, "ar5", data_dir=tmp_path / "d")
    assert Path(rep.target).name == "import_ar5_sosi.gpkg"
    g = loader.load("ar5", tmp_path / "d", cache=False, strict=True)
    assert list(g["arealtype"]) == ["21", "30"] and list(g["skogbonitet"]) == ["98", "13"]


def test_unknown_codes_are_refused_and_named(tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    f = tmp_path / "bad.gpkg"
    gpd.GeoDataFrame(
        {"kommunenummer": ["5001", "5001"], "arealformal": ["1300", "9999"], "arealbruksstatus": ["1", "1"]},
        geometry=[box(270000, 7040000, 270100, 7040100), box(270100, 7040000, 270200, 7040100)],
        crs="EPSG:25833",
    ).to_file(f)
    rep = import_file(f, "business_areas", data_dir=tmp_path / "d")
    assert rep.n_refused == 1 and rep.n_written == 1
    assert "column 'arealformal' not in the code list: '9999' (1×)" in str(rep.refused[0])
    assert rep.refused[0].values == {"column": "arealformal", "n": 1, "values": [["9999", 1]]}
    with pytest.raises(LayerValidationError, match=r"bad.gpkg: 1 row\(s\) with column 'arealformal'.*'9999'"):
        import_file(f, "business_areas", data_dir=tmp_path / "e", strict=True)
    assert not (tmp_path / "e").exists()


def test_missing_column_names_file_and_remedy(tmp_path):
    with pytest.raises(
        LayerValidationError,
        match=r"naeringsareal.gpkg: cannot import as 'business_areas': missing column\(s\) "
        r"\['kommunenummer', 'arealbruksstatus'\].*\[columns\] \"<your column>\"",
    ):
        import_file(IMP / "naeringsareal.gpkg", "business_areas", data_dir=tmp_path / "d")
    assert not (tmp_path / "d" / "business").exists()


def test_column_map_errors(tmp_path):
    bad = tmp_path / "m.toml"
    bad.write_text('[colums]\n"A" = "b"\n')
    with pytest.raises(RuleError, match="unknown section"):
        ColumnMap.from_toml(bad)
    with pytest.raises(
        LayerValidationError, match="column map names column 'NOPE', which is not in the file"
    ):
        import_file(
            IMP / "naeringsareal.gpkg",
            "business_areas",
            data_dir=tmp_path,
            column_map={"NOPE": "arealformal"},
        )


def test_normalise_columns_matches_nested_and_accented_names():
    from areal.layers import registry

    df = pd.DataFrame(
        {
            "arealplanId_NasjonalArealplanId_kommunenummer": ["5001"],
            "AREALFORMÅL": ["1300"],
            "Arealbruksstatus": ["1"],
        }
    )
    out, mapped = normalise_columns(df, registry.get("business_areas"))
    assert set(out.columns) == {"kommunenummer", "arealformal", "arealbruksstatus"} and len(mapped) == 3


def test_cli_import_prints_report(tmp_path):
    res = CliRunner().invoke(
        main,
        [
            "import",
            str(IMP / "naeringsareal.gpkg"),
            "--as",
            "business_areas",
            "--map",
            str(IMP / "naeringsareal_columns.toml"),
            "--data-dir",
            str(tmp_path),
        ],
    )
    assert res.exit_code == 0, res.output
    assert (
        "6 objekter lest, 6 skrevet" in res.output and "kolonnen `AREALFORMÅL` → `arealformal`" in res.output
    )
    assert "1 ugyldig geometri reparert" in res.output


def test_import_aquaculture_points_back_to_csv(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    f = tmp_path / "anlegg.geojson"
    gpd.GeoDataFrame(
        {"LOK_NR": [1], "LOK_NAVN": ["X"], "LOK_PLASS": ["SJØ"]},
        geometry=[Point(10.12, 63.621)],
        crs="EPSG:4326",
    ).to_file(f, driver="GeoJSON")
    rep = import_file(
        f,
        "aquaculture_sites",
        data_dir=tmp_path / "d",
        column_map={"LOK_NR": "site_id", "LOK_NAVN": "site_name", "LOK_PLASS": "placement"},
    )
    assert rep.target.endswith("aquaculture/akvakultur_lokaliteter.csv")
    a = loader.load("aquaculture_sites", tmp_path / "d", cache=False)
    assert list(a["site_id"]) == [1] and a["kommunenummer"].iloc[0] == "5054"
