"""Loaders on tiny hand-made files in every supported format, with hand-computed answers."""

import builtins
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from areal.geo.errors import (
    ArealError,
    CRSMissingError,
    EmptyLayerError,
    LayerMissingError,
    LayerReadError,
    LayerValidationError,
)
from areal.layers import loader
from areal.layers._base import LayerSpec, Source
from conftest import UTM33, X0, Y0
from shapely.geometry import box


def spec_for(pattern, layer=None, geometry_type="Polygon", columns=None, **kw):
    src = Source(
        patterns=(pattern,), layer=layer, **{k: kw.pop(k) for k in ("crs", "x", "y", "encoding") if k in kw}
    )
    return LayerSpec(
        id="tiny",
        title_nb="Liten",
        title_en="Tiny",
        theme="landcover",
        kind="vector",
        geometry_type=geometry_type,
        publisher="test",
        licence="CC0",
        vintage="2026",
        attribution="test",
        source=src,
        columns=columns or {"name": "str"},
        **kw,
    )


@pytest.fixture
def tiny(bowtie):
    """Two 2×2 km squares offset by 1 km (4 km² each) and a bow-tie (1 km² after repair)."""
    geoms = [box(X0, Y0, X0 + 2000, Y0 + 2000), box(X0 + 1000, Y0 + 1000, X0 + 3000, Y0 + 3000), bowtie]
    return gpd.GeoDataFrame({"name": ["a", "b", "bow"], "code": [1, 2, 3]}, geometry=geoms, crs=UTM33)


def _check(df, n_repaired=1):
    assert len(df) == 3
    assert df.crs.equals(UTM33) or df.crs.to_epsg() == 25833
    assert df.geometry.is_valid.all()
    assert df.attrs["load_report"]["n_repaired"] == n_repaired
    assert df.geometry.area.sum() == pytest.approx(4e6 + 4e6 + 1e6, rel=1e-6)


def test_geojson_4326_is_reprojected(tmp_path, tiny):
    tiny.to_crs(4326).to_file(tmp_path / "t.geojson", driver="GeoJSON")
    df = loader.load(spec_for("t.geojson"), tmp_path)
    _check(df)
    assert df.geometry.area.sum() == pytest.approx(9e6, rel=1e-6)


def test_geopackage_named_layer(tmp_path, tiny):
    tiny.to_file(tmp_path / "t.gpkg", layer="other", driver="GPKG")
    tiny.iloc[:2].to_file(tmp_path / "t.gpkg", layer="wanted", driver="GPKG")
    df = loader.load(spec_for("t.gpkg", layer="wanted"), tmp_path)
    assert len(df) == 2 and df.attrs["load_report"]["n_repaired"] == 0


def test_geopackage_layer_not_found_names_layers(tmp_path, tiny):
    tiny.to_file(tmp_path / "t.gpkg", layer="other", driver="GPKG")
    with pytest.raises(
        LayerReadError, match="layer 'wanted' not found in .*t.gpkg; layers in the file are: other"
    ):
        loader.load(spec_for("t.gpkg", layer="wanted"), tmp_path)


def test_zipped_geojson_and_shapefile(tmp_path, tiny):
    tiny.to_file(tmp_path / "a.geojson", driver="GeoJSON")
    with zipfile.ZipFile(tmp_path / "gj.zip", "w") as z:
        z.write(tmp_path / "a.geojson", "a.geojson")
    _check(loader.load(spec_for("gj.zip"), tmp_path))
    shp = tmp_path / "shp"
    shp.mkdir()
    tiny.to_file(shp / "t.shp")
    with zipfile.ZipFile(tmp_path / "shp.zip", "w") as z:
        for f in shp.iterdir():
            z.write(f, f.name)
    _check(loader.load(spec_for("shp.zip"), tmp_path))


def test_gml(tmp_path, tiny):
    tiny.to_file(tmp_path / "t.gml", driver="GML")
    _check(loader.load(spec_for("t.gml"), tmp_path))


def test_geoparquet(tmp_path, tiny):
    tiny.to_parquet(tmp_path / "t.parquet")
    _check(loader.load(spec_for("t.parquet"), tmp_path))


def test_csv_with_coordinates(tmp_path):
    pd.DataFrame(
        {"name": ["a", "b", "no-coords"], "lon": [10.4, 10.5, None], "lat": [63.4, 63.45, None]}
    ).to_csv(tmp_path / "p.csv", index=False)
    df = loader.load(spec_for("p.csv", geometry_type="Point", crs="EPSG:4326", x="lon", y="lat"), tmp_path)
    assert len(df) == 3  # the row without coordinates is kept, counted as empty
    assert df.attrs["load_report"]["n_empty"] == 1
    assert df.crs.to_epsg() == 25833
    assert 250_000 < df.geometry.iloc[0].x < 300_000


def test_several_files_concatenated(tmp_path, tiny):
    (tmp_path / "ar5").mkdir()
    tiny.iloc[:1].to_file(tmp_path / "ar5" / "a.gpkg")
    tiny.iloc[1:].to_crs(4326).to_file(tmp_path / "ar5" / "b.gpkg")
    df = loader.load(spec_for("ar5/*.gpkg"), tmp_path)
    _check(df)


def test_repair_counts_and_keeps_every_row(tmp_path, tiny):
    tiny.to_file(tmp_path / "t.gpkg")
    df = loader.load(spec_for("t.gpkg"), tmp_path)
    assert list(df["name"]) == ["a", "b", "bow"]
    assert df.geometry.iloc[2].area == pytest.approx(1e6)


# ---------------------------------------------------------------- bad input


def test_missing_file_names_path_and_remedy(empty_data_dir):
    with pytest.raises(LayerMissingError) as ei:
        loader.load("ar5", use_starter=False)
    msg = str(ei.value)
    assert str(empty_data_dir / "ar5" / "*.gpkg") in msg
    assert "areal fetch ar5" in msg and "kartkatalog.geonorge.no" in msg
    assert isinstance(ei.value, FileNotFoundError)


def test_missing_layer_status_does_not_raise(empty_data_dir):
    st = loader.status("ar5")
    assert st.status == "missing" and "ar5" in st.message


def test_no_crs(tmp_path, tiny):
    shp = tmp_path / "t.shp"
    tiny.to_file(shp)
    shp.with_suffix(".prj").unlink()
    with pytest.raises(CRSMissingError, match=r"layer 'tiny': .*t.shp has no CRS") as ei:
        loader.load(spec_for("t.shp"), tmp_path)
    assert isinstance(ei.value, ValueError) and isinstance(ei.value, ArealError)


def test_unknown_column_set(tmp_path, tiny):
    tiny.rename(columns={"name": "navn"}).to_file(tmp_path / "t.gpkg")
    with pytest.raises(
        LayerValidationError,
        match=r"missing required column\(s\) \['name'\]; columns present: \['navn', 'code'\]",
    ) as ei:
        loader.load(spec_for("t.gpkg"), tmp_path)
    assert ei.value.problems == ["missing column 'name'"]
    assert isinstance(ei.value, ValueError)


def test_unreadable_file(tmp_path):
    (tmp_path / "t.gpkg").write_bytes(b"this is not a geopackage at all" * 10)
    with pytest.raises(LayerReadError, match=r"layer 'tiny': cannot read .*t.gpkg") as ei:
        loader.load(spec_for("t.gpkg"), tmp_path)
    assert isinstance(ei.value, OSError)


def test_empty_file(tmp_path):
    (tmp_path / "t.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(
        EmptyLayerError, match=r"layer 'tiny': the source holds no features \(.*t.geojson\)"
    ) as ei:
        loader.load(spec_for("t.geojson"), tmp_path)
    assert isinstance(ei.value, ValueError)


def test_empty_csv(tmp_path):
    (tmp_path / "p.csv").write_text("")
    with pytest.raises(EmptyLayerError, match="p.csv is empty"):
        loader.load(spec_for("p.csv", geometry_type="Point", crs="EPSG:4326", x="lon", y="lat"), tmp_path)


def test_bad_encoding_named(tmp_path):
    (tmp_path / "p.csv").write_bytes("name,lon,lat\nØrland,9.6,63.7\n".encode("latin-1"))
    with pytest.raises(LayerReadError, match="p.csv is not valid utf-8 text"):
        loader.load(spec_for("p.csv", geometry_type="Point", crs="EPSG:4326", x="lon", y="lat"), tmp_path)


def test_code_list_and_strict(tmp_path, tiny):
    tiny.to_file(tmp_path / "t.gpkg")
    spec = spec_for("t.gpkg", code_lists={"name": {"a": "A", "b": "B"}})
    df = loader.load(spec, tmp_path, cache=False)
    assert df.attrs["load_report"]["problems"] == ["column 'name': 1 values not in the code list: 'bow' (1×)"]
    with pytest.raises(LayerValidationError, match="'bow'"):
        loader.load(spec, tmp_path, cache=False, strict=True)


def test_wrong_geometry_type_reported(tmp_path, tiny):
    tiny.to_file(tmp_path / "t.gpkg")
    df = loader.load(spec_for("t.gpkg", geometry_type="Point"), tmp_path, cache=False)
    assert "3 geometries are not Point" in df.attrs["load_report"]["problems"][0]


# ---------------------------------------------------------------- cache


def test_second_load_reads_no_source_file(tmp_path, tiny, monkeypatch):
    src = tmp_path / "t.gpkg"
    tiny.to_file(src)
    spec = spec_for("t.gpkg")
    first = loader.load(spec, tmp_path)
    assert not first.attrs["load_report"]["from_cache"]

    real_open = builtins.open

    def guarded_open(file, *a, **k):
        if Path(str(file)).resolve() == src.resolve():
            raise AssertionError("source file was opened on a cached load")
        return real_open(file, *a, **k)

    def no_reader(*a, **k):
        raise AssertionError("a reader was called on a cached load")

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(loader, "reader_for", no_reader)
    second = loader.load(spec, tmp_path)
    assert second.attrs["load_report"]["from_cache"]
    assert second.attrs["load_report"]["n_repaired"] == 1
    pd.testing.assert_frame_equal(
        pd.DataFrame(first.drop(columns="geometry")), pd.DataFrame(second.drop(columns="geometry"))
    )
    assert second.geometry.geom_equals_exact(first.geometry, tolerance=0).all()


def test_changed_source_invalidates_cache(tmp_path, tiny):
    src = tmp_path / "t.gpkg"
    tiny.to_file(src)
    spec = spec_for("t.gpkg")
    loader.load(spec, tmp_path)
    src.unlink()
    tiny.iloc[:2].to_file(src)
    df = loader.load(spec, tmp_path)
    assert len(df) == 2 and not df.attrs["load_report"]["from_cache"]


def test_assign_municipality_by_point_in_polygon():
    munis = gpd.GeoDataFrame(
        {"kommunenummer": ["5001", "5014"], "kommunenavn": ["Trondheim", "Frøya"]},
        geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)],
        crs=UTM33,
    )
    pts = gpd.GeoDataFrame(
        {"kommunenummer": ["1620", "5001", "x"]},  # 1620: Frøya's pre-2020 number
        geometry=shapely.points([(15, 5), (5, 5), (25, 5)]),
        crs=UTM33,
    )
    out = loader.assign_municipality(pts, munis)
    assert list(out.kommunenummer) == ["5014", "5001", "5014"]  # the last is outside: nearest
    assert list(out.kommunenummer_kilde) == ["1620", "5001", "x"]
