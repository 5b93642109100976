"""Uploads: every accepted format, and every way an upload can be bad."""

from __future__ import annotations

import io
import json
import zipfile

import geopandas as gpd
import pytest
import shapely
from areal.geo.errors import UploadError, UploadTooLargeError
from areal.layers.upload import PUBLIC_LIMITS, UploadLimits, read_geojson_geometry, read_upload, safe_name
from conftest import UTM33, X0, Y0
from shapely.geometry import LineString, box

SQUARE = box(X0, Y0, X0 + 2000, Y0 + 2000)  # 400 ha


def _gdf(crs=UTM33, geom=SQUARE):
    return gpd.GeoDataFrame({"name": ["site"]}, geometry=[geom], crs=crs)


def _bytes_of(gdf, tmp_path, name, **kw) -> bytes:
    path = tmp_path / name
    gdf.to_file(path, **kw)
    return path.read_bytes()


def _zip_shapefile(tmp_path, gdf, drop=()) -> bytes:
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    gdf.to_file(shp_dir / "omrade.shp")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in sorted(shp_dir.iterdir()):
            if f.suffix not in drop:
                zf.write(f, f"data/{f.name}")
    return buf.getvalue()


def test_geojson_wgs84(tmp_path):
    data = _bytes_of(_gdf().to_crs(4326), tmp_path, "a.geojson", driver="GeoJSON")
    out = read_upload(data, "a.geojson")
    assert out.crs.to_epsg() == 25833
    assert out.geometry.area.sum() == pytest.approx(4_000_000, rel=1e-6)
    assert out.attrs["filename"] == "a.geojson" and out.attrs["family"] == "polygon"


def test_geopackage_in_utm(tmp_path):
    data = _bytes_of(_gdf(), tmp_path, "a.gpkg", driver="GPKG", layer="omrade")
    out = read_upload(data, "område.gpkg")
    assert out.geometry.area.sum() == pytest.approx(4_000_000)
    assert out.attrs["layer"] == "omrade" and out.attrs["format"] == "gpkg"


def test_zipped_shapefile(tmp_path):
    out = read_upload(_zip_shapefile(tmp_path, _gdf()), "site.zip")
    assert out.attrs["format"] == "shapefile"
    assert out.geometry.area.sum() == pytest.approx(4_000_000)


def test_bowtie_is_repaired_and_counted(tmp_path, bowtie):
    data = _bytes_of(_gdf(geom=bowtie), tmp_path, "b.gpkg", driver="GPKG")
    out = read_upload(data, "b.gpkg")
    assert out.attrs["n_repaired"] == 1
    assert out.geometry.area.sum() == pytest.approx(1_000_000)


def test_shapefile_without_prj_is_crs_less(tmp_path):
    with pytest.raises(UploadError, match="no coordinate reference system") as exc:
        read_upload(_zip_shapefile(tmp_path, _gdf(), drop=(".prj",)), "site.zip")
    assert exc.value.key == "no_crs"


def test_geojson_with_projected_coordinates_but_no_crs():
    # A GeoJSON without "crs" is WGS84 by definition; UTM numbers in it are a CRS-less file.
    fc = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(SQUARE)}],
    }
    with pytest.raises(UploadError, match="not longitude/latitude") as exc:
        read_upload(json.dumps(fc).encode(), "utm.geojson")
    assert exc.value.key == "no_crs"


@pytest.mark.parametrize(
    "data, name, key, match",
    [
        (b"", "empty.geojson", "empty", "empty"),
        (b'{"type": "FeatureCollection", "features": []}', "none.geojson", "empty", "no geometries"),
        (b'{"type": "FeatureCollection", "features": [', "cut.geojson", "broken", "cannot be read"),
        (b"SQLite format 3\x00" + b"\x00" * 200, "bad.gpkg", "broken", "cannot be read"),
        (b"PK\x03\x04garbage", "bad.zip", "broken", "not a readable zip"),
        (b"%PDF-1.4 hello", "report.pdf", "format", "unsupported file type"),
    ],
    ids=["zero-bytes", "no-features", "truncated-json", "bad-gpkg", "bad-zip", "pdf"],
)
def test_broken_inputs(data, name, key, match):
    with pytest.raises(UploadError, match=match) as exc:
        read_upload(data, name)
    assert exc.value.key == key
    assert exc.value.details["file"] == name


def test_messages_name_the_file_never_a_server_path(tmp_path):
    with pytest.raises(UploadError) as exc:
        read_upload(b'{"type": "FeatureCollection", "features": [', "/home/someone/secret/cut.geojson")
    msg = str(exc.value)
    assert msg.startswith("cut.geojson:")
    assert "/tmp" not in msg and "areal-upload" not in msg and "/home" not in msg


def test_byte_limit():
    limits = UploadLimits(max_bytes=1000, max_vertices=100)
    with pytest.raises(UploadTooLargeError, match="limit") as exc:
        read_upload(b"{" + b" " * 2000 + b"}", "big.geojson", limits)
    assert exc.value.key == "too_large"
    assert PUBLIC_LIMITS.max_bytes == 10 * 1024**2 and PUBLIC_LIMITS.max_vertices == 100_000


def test_vertex_limit(tmp_path):
    circle = shapely.Point(X0, Y0).buffer(1000, quad_segs=2000)  # 8001 vertices
    data = _bytes_of(_gdf(geom=circle), tmp_path, "c.gpkg", driver="GPKG")
    with pytest.raises(UploadTooLargeError, match="8,001 vertices") as exc:
        read_upload(data, "c.gpkg", UploadLimits(max_bytes=10**8, max_vertices=8000))
    assert exc.value.key == "too_many_vertices"
    assert len(read_upload(data, "c.gpkg", UploadLimits(max_bytes=10**8, max_vertices=8001))) == 1


def test_lines_are_refused(tmp_path):
    data = _bytes_of(_gdf(geom=LineString([(X0, Y0), (X0 + 10, Y0)])), tmp_path, "l.gpkg", driver="GPKG")
    with pytest.raises(UploadError, match="polygons or points") as exc:
        read_upload(data, "l.gpkg")
    assert exc.value.key == "geometry_type"


def test_zip_member_paths_are_never_used(tmp_path):
    gj = _gdf().to_crs(4326).to_json().encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../escape.geojson", gj)
    out = read_upload(buf.getvalue(), "x.zip")
    assert out.geometry.area.sum() == pytest.approx(4_000_000, rel=1e-6)
    assert not (tmp_path.parent.parent / "escape.geojson").exists()


def test_zip_with_two_shapefiles(tmp_path):
    d = tmp_path / "two"
    d.mkdir()
    _gdf().to_file(d / "a.shp")
    _gdf().to_file(d / "b.shp")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in d.iterdir():
            zf.write(f, f.name)
    with pytest.raises(UploadError, match="2 shapefiles"):
        read_upload(buf.getvalue(), "two.zip")


def test_drawn_geojson_geometry():
    g = _gdf().to_crs(4326).geometry.iloc[0]
    out = read_geojson_geometry(shapely.geometry.mapping(g))
    assert out.geometry.area.sum() == pytest.approx(4_000_000, rel=1e-6)
    pt = read_geojson_geometry({"type": "Point", "coordinates": [10.4, 63.43]})
    assert pt.attrs["family"] == "point"
    with pytest.raises(UploadError, match="not a valid GeoJSON"):
        read_geojson_geometry({"type": "Polygon", "coordinates": "nonsense"})


def test_safe_name():
    assert safe_name("C:\\Users\\x\\site.zip") == "site.zip"
    assert safe_name("..") == "upload"
