"""Generate the bad-input corpus ``tests/fixtures/bad/`` (small files, every way an input can be bad).

Each file is something a careless user or an attacker could hand the program: broken, empty,
disguised (an OGR VRT named ``.geojson``), hostile (XML entities, links to local files or to a
server, zip bombs, lying zip sizes), or valid but implausible (swapped axes, the whole globe).
``manifest.json`` says for each file what must happen: ``"refused"`` with a message matching
``match`` (a regular expression over the one-line message), ``"warning"`` (read, with a warning
matching ``match``), or ``"ok"`` (read; hostile content must have no effect).

Files that point at a secret or at a server use ``SECRET`` and ``LISTENER`` below; the tests
regenerate the corpus into a temporary folder with a planted secret file and a live local listener
(``make_corpus(dest, secret=..., listener=...)``), so nothing here depends on this machine.

Usage::

    python scripts/make_bad_inputs.py            # rewrite tests/fixtures/bad/
"""

from __future__ import annotations

import io
import json
import sqlite3
import struct
import sys
import zipfile
from pathlib import Path

SECRET = "/etc/areal-secret.txt"
"""Placeholder path of the file no input may read (the tests plant a real one)."""
LISTENER = "http://127.0.0.1:9"
"""Placeholder URL no input may request (the tests run a real listener)."""

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "bad"

# A 200 × 200 m square near Trondheim (EPSG:25833) and the same in WGS84.
X0, Y0 = 270_000.0, 7_040_000.0
LON0, LAT0 = 10.3262, 63.4236
SQ_UTM = [[X0, Y0], [X0 + 200, Y0], [X0 + 200, Y0 + 200], [X0, Y0 + 200], [X0, Y0]]
SQ_LL = [[LON0, LAT0], [LON0 + 0.004, LAT0], [LON0 + 0.004, LAT0 + 0.002], [LON0, LAT0 + 0.002], [LON0, LAT0]]


def _fc(features, **extra) -> dict:
    return {"type": "FeatureCollection", **extra, "features": features}


def _feat(geom, props=None) -> dict:
    return {"type": "Feature", "properties": props or {"navn": "område"}, "geometry": geom}


def _poly(ring) -> dict:
    return {"type": "Polygon", "coordinates": [ring]}


def _gj(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


def _gml(body: str, *, root_attrs: str = "", doctype: str = "", srs: str = "EPSG:25833") -> bytes:
    pos = " ".join(f"{x} {y}" for x, y in SQ_UTM)
    geom = (
        f'<gml:Polygon gml:id="p1" srsName="{srs}"><gml:exterior><gml:LinearRing><gml:posList>{pos}'
        "</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + doctype
        + '<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:app="http://example.org/app" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xmlns:xi="http://www.w3.org/2001/XInclude" gml:id="fc" {root_attrs}>\n'
        + body.replace("{geom}", geom)
        + "\n</gml:FeatureCollection>\n"
    ).encode()


_FEATURE = '<gml:featureMember><app:Omrade gml:id="f1">{inner}<app:geom>{geom}</app:geom></app:Omrade></gml:featureMember>'


def _zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data, compress_type=method)
    return buf.getvalue()


def _shapefile(geoms: list[list[list[float]]], kind: int = 5) -> dict[str, bytes]:
    """A minimal polygon (5) or point (1) Shapefile: .shp, .shx, .dbf (one 'id' field)."""
    recs = []
    for ring in geoms:
        if kind == 1:
            content = struct.pack("<i2d", 1, ring[0][0], ring[0][1])
        else:
            xs, ys = [p[0] for p in ring], [p[1] for p in ring]
            content = struct.pack("<i4d2i", 5, min(xs), min(ys), max(xs), max(ys), 1, len(ring))
            content += struct.pack("<i", 0) + b"".join(struct.pack("<2d", *p) for p in ring)
        recs.append(content)
    allx = [p[0] for r in geoms for p in r]
    ally = [p[1] for r in geoms for p in r]
    bbox = (min(allx), min(ally), max(allx), max(ally))

    def header(length_words: int) -> bytes:
        return struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length_words) + struct.pack(
            "<2i4d4d", 1000, kind, *bbox, 0, 0, 0, 0
        )

    body, index, offset = b"", b"", 50
    for i, c in enumerate(recs, 1):
        rec = struct.pack(">2i", i, len(c) // 2) + c
        index += struct.pack(">2i", offset, len(c) // 2)
        offset += len(rec) // 2
        body += rec
    shp = header(50 + len(body) // 2) + body
    shx = header(50 + len(index) // 2) + index
    n = len(recs)
    dbf = struct.pack("<B3BIHH20x", 3, 124, 1, 1, n, 32 + 32 + 1, 1 + 10)
    dbf += b"id".ljust(11, b"\x00") + b"N" + b"\x00" * 4 + bytes([10, 0]) + b"\x00" * 14 + b"\r"
    dbf += b"".join(b" " + str(i).rjust(10).encode() for i in range(1, n + 1)) + b"\x1a"
    return {"shp": shp, "shx": shx, "dbf": dbf}


PRJ_25833 = (
    'PROJCS["ETRS_1989_UTM_Zone_33N",GEOGCS["GCS_ETRS_1989",DATUM["D_ETRS_1989",SPHEROID["GRS_1980",6378137.0,'
    '298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",15.0],'
    'PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)


def _shp_zip(stem="omrade", prj: str | None = PRJ_25833, drop=(), kind=5, geoms=None, extra=None) -> bytes:
    parts = _shapefile(geoms or [SQ_UTM], kind)
    members = {f"{stem}.{k}": v for k, v in parts.items() if k not in drop}
    if prj is not None:
        members[f"{stem}.prj"] = prj.encode()
    members.update(extra or {})
    return _zip(members)


def _patch_zip_sizes(data: bytes, file_size: int) -> bytes:
    """Make every local and central header claim ``file_size`` uncompressed bytes."""
    b = bytearray(data)
    i = 0
    while True:
        i = b.find(b"PK\x03\x04", i)
        if i < 0:
            break
        b[i + 22 : i + 26] = struct.pack("<I", file_size)
        i += 4
    i = 0
    while True:
        i = b.find(b"PK\x01\x02", i)
        if i < 0:
            break
        b[i + 24 : i + 28] = struct.pack("<I", file_size)
        i += 4
    return bytes(b)


def _fixed_date() -> None:
    """GDAL stamps GeoPackages with the write time unless OGR_CURRENT_DATE says otherwise."""
    import pyogrio

    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2024-01-01T00:00:00Z"})


def _gpkg(path: Path, make) -> None:
    """A GeoPackage written by GDAL (through pyogrio), then changed by ``make(connection)``."""
    import geopandas as gpd
    from shapely.geometry import Polygon

    _fixed_date()
    gdf = gpd.GeoDataFrame({"navn": ["område"]}, geometry=[Polygon(SQ_UTM)], crs=25833)
    gdf.to_file(path, layer="omrade", driver="GPKG", engine="pyogrio", SPATIAL_INDEX="NO")
    con = sqlite3.connect(path)
    if make is not None:
        make(con)
        con.commit()
    con.execute("VACUUM")  # small files: the corpus is committed
    con.close()


def corpus(secret: str = SECRET, listener: str = LISTENER) -> dict[str, tuple[bytes | None, dict]]:
    """Every file of the corpus: name -> (bytes, expectation). ``None`` bytes: built by :func:`_special`."""
    L, S = listener.rstrip("/"), secret
    ok_poly = _poly(SQ_LL)
    refuse = lambda match: {"expect": "refused", "match": match}  # noqa: E731
    files: dict[str, tuple[bytes | None, dict]] = {}

    def add(name, data, exp):
        files[name] = (data, exp)

    # ------------------------------------------------------------------ GeoJSON / JSON
    add("empty.geojson", b"", refuse("empty"))
    add("whitespace.geojson", b"  \n\t\n", refuse("not valid JSON|empty|unsupported"))
    add("truncated.geojson", _gj(_fc([_feat(ok_poly)]))[:-7], refuse("not valid JSON"))
    add("not_json.geojson", b"{this is not json}", refuse("not valid JSON"))
    add("json_array.geojson", b"[1, 2, 3]", refuse("not GeoJSON"))
    add("json_string.json", b'"hello"', refuse("unsupported file type"))
    add("no_type.geojson", b"{}", refuse("not GeoJSON"))
    add("topojson.json", _gj({"type": "Topology", "objects": {}, "arcs": []}), refuse("not GeoJSON"))
    add("esrijson.json", _gj({"geometryType": "esriGeometryPolygon", "features": []}), refuse("not GeoJSON"))
    add(
        "features_not_list.geojson",
        _gj({"type": "FeatureCollection", "features": {"a": 1}}),
        refuse("features"),
    )
    add(
        "feature_not_object.geojson",
        _gj({"type": "FeatureCollection", "features": [1, 2]}),
        refuse("not a GeoJSON Feature"),
    )
    add("empty_collection.geojson", _gj(_fc([])), refuse("no features|no geometries"))
    add("null_geometry.geojson", _gj(_fc([_feat(None), _feat(None)])), refuse("no geometr"))
    add(
        "empty_polygon.geojson",
        _gj(_fc([_feat({"type": "Polygon", "coordinates": []})])),
        refuse("no geometr|cannot be read"),
    )
    add(
        "nan_literal.geojson",
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[NaN,63.4]}}]}',
        refuse("not a number JSON allows|not valid JSON"),
    )
    add(
        "infinity_literal.geojson",
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[Infinity,63.4]}}]}',
        refuse("not a number JSON allows|not valid JSON"),
    )
    add(
        "infinite_coordinates.geojson",
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1e999,63.4]}}]}',
        refuse("not finite"),
    )
    add(
        "huge_coordinates.geojson",
        _gj(_fc([_feat({"type": "Point", "coordinates": [1e308, -1e308]})])),
        refuse("not longitude/latitude|outside|span|cannot import as"),
    )
    add(
        "deep_nesting.geojson",
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":'
        + b"[" * 20_000
        + b"]" * 20_000
        + b'},"geometry":null}]}',
        refuse("nested too deeply|not valid JSON"),
    )
    add(
        "not_utf8.geojson",
        _gj(_fc([_feat(ok_poly)])).replace("område".encode(), "område".encode("latin-1")),
        refuse("not UTF-8"),
    )
    add(
        "crs_link_to_server.geojson",
        _gj(
            _fc(
                [_feat(ok_poly)],
                crs={"type": "link", "properties": {"href": f"{L}/crs.wkt", "type": "ogcwkt"}},
            )
        ),
        refuse("link"),
    )
    add(
        "crs_name_url.geojson",
        _gj(_fc([_feat(ok_poly)], crs={"type": "name", "properties": {"name": f"{L}/crs-name"}})),
        refuse("not an EPSG code"),
    )
    add(
        "crs_name_local_file.geojson",
        _gj(_fc([_feat(ok_poly)], crs={"type": "name", "properties": {"name": S}})),
        refuse("not an EPSG code"),
    )
    add(
        "crs_name_vsicurl.geojson",
        _gj(_fc([_feat(ok_poly)], crs={"type": "name", "properties": {"name": f"/vsicurl/{L}/vsi"}})),
        refuse("not an EPSG code"),
    )
    add(
        "crs_unknown_epsg.geojson",
        _gj(_fc([_feat(ok_poly)], crs={"type": "name", "properties": {"name": "EPSG:99999"}})),
        refuse("EPSG:99999 is not a known"),
    )
    add(
        "crs_garbage.geojson",
        _gj(_fc([_feat(ok_poly)], crs={"type": "name", "properties": {"name": "EPSG:abc"}})),
        refuse("not an EPSG code"),
    )
    add(
        "crs_nested_different.geojson",
        _gj(_fc([{**_feat(ok_poly), "crs": {"type": "name", "properties": {"name": "EPSG:25833"}}}])),
        refuse("different CRS"),
    )
    add(
        "utm_without_crs.geojson",
        _gj(_fc([_feat(_poly(SQ_UTM))])),
        refuse("not longitude/latitude|no projected CRS"),
    )
    add("swapped_lat_lon.geojson", _gj(_fc([_feat(_poly([[y, x] for x, y in SQ_LL]))])), refuse("swapped"))
    add(
        "swapped_utm.geojson",
        _gj(
            _fc(
                [_feat(_poly([[y, x] for x, y in SQ_UTM]))],
                crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25833"}},
            )
        ),
        refuse("swapped"),
    )
    add(
        "whole_globe.geojson",
        _gj(_fc([_feat(_poly([[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]]))])),
        refuse("span"),
    )
    add(
        "outside_norway_paris.geojson",
        _gj(_fc([_feat(_poly([[x - 8.0, y - 14.6] for x, y in SQ_LL]))])),
        refuse("outside Norway"),
    )
    add(
        "outside_county_oslo.geojson",
        _gj(_fc([_feat(_poly([[x + 0.4, y - 3.5] for x, y in SQ_LL]))])),
        {"expect": "warning", "match": "outside Trøndelag"},
    )
    add(
        "lines.geojson",
        _gj(_fc([_feat({"type": "LineString", "coordinates": SQ_LL[:3]})])),
        refuse("polygons or points|only polygons|cannot import as"),
    )
    add(
        "mixed_points_polygons.geojson",
        _gj(_fc([_feat(ok_poly), _feat({"type": "Point", "coordinates": SQ_LL[0]})])),
        refuse("polygons or points|only polygons|cannot import as"),
    )
    add(
        "geometry_collection.geojson",
        _gj(_fc([_feat({"type": "GeometryCollection", "geometries": [ok_poly]})])),
        refuse("polygons or points|only polygons|GeometryCollection|cannot import as"),
    )
    add(
        "vrt_disguised_as_geojson.geojson",
        f'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>CSV:{S}</SrcDataSource><SrcLayer>{Path(S).stem}</SrcLayer></OGRVRTLayer></OGRVRTDataSource>'.encode(),
        refuse("unsupported file type|not a GML|root element"),
    )
    add(
        "vrt_vsicurl.geojson",
        f'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/vsicurl/{L}/vrt.csv</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>'.encode(),
        refuse("unsupported file type|not a GML|root element"),
    )
    add(
        "html_script.geojson",
        b"<html><body><script>window.__pwned=1</script><img src=x onerror=alert(1)></body></html>",
        refuse("unsupported file type|not a GML|root element"),
    )

    # ------------------------------------------------------------------ GML / XML
    add(
        "gml_xxe_local_file.gml",
        _gml(
            _FEATURE.replace("{inner}", "<app:navn>&sec;</app:navn>"),
            doctype=f'<!DOCTYPE gml:FeatureCollection [<!ENTITY sec SYSTEM "file://{S}">]>\n',
        ),
        refuse("DOCTYPE"),
    )
    add(
        "gml_xxe_server.gml",
        _gml(
            _FEATURE.replace("{inner}", "<app:navn>&net;</app:navn>"),
            doctype=f'<!DOCTYPE gml:FeatureCollection [<!ENTITY net SYSTEM "{L}/xxe">]>\n',
        ),
        refuse("DOCTYPE"),
    )
    add(
        "gml_parameter_entity.gml",
        _gml(_FEATURE.replace("{inner}", ""), doctype=f'<!DOCTYPE x [<!ENTITY % p SYSTEM "{L}/dtd"> %p;]>\n'),
        refuse("DOCTYPE"),
    )
    laughs = "".join(f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, 10))
    add(
        "gml_billion_laughs.gml",
        _gml(
            _FEATURE.replace("{inner}", "<app:navn>&l9;</app:navn>"),
            doctype=f'<!DOCTYPE x [<!ENTITY l0 "lol">{laughs}]>\n',
        ),
        refuse("DOCTYPE"),
    )
    add(
        "gml_xinclude.gml",
        _gml(_FEATURE.replace("{inner}", f'<xi:include href="{S}" parse="text"/>')),
        refuse("XInclude"),
    )
    add(
        "gml_xlink_local_file.gml",
        _gml(_FEATURE.replace("{inner}", f'<app:ref xlink:href="file://{S}"/>')),
        refuse("xlink:href"),
    )
    add(
        "gml_xlink_absolute_path.gml",
        _gml(_FEATURE.replace("{inner}", f'<app:ref xlink:href="{S}#x"/>')),
        refuse("xlink:href"),
    )
    add(
        "gml_xlink_server.gml",
        _gml(_FEATURE.replace("{inner}", f'<app:ref xlink:href="{L}/xlink.gml#p"/>')),
        {"expect": "ok", "match": ""},
    )
    add(
        "gml_schema_server.gml",
        _gml(
            _FEATURE.replace("{inner}", ""),
            root_attrs=f'xsi:schemaLocation="http://example.org/app {L}/schema.xsd"',
        ),
        {"expect": "ok", "match": ""},
    )
    add(
        "gml_schema_local_file.gml",
        _gml(_FEATURE.replace("{inner}", ""), root_attrs=f'xsi:schemaLocation="http://example.org/app {S}"'),
        refuse("schemaLocation"),
    )
    add(
        "gml_wfs_describe_feature_type.gml",
        _gml(
            _FEATURE.replace("{inner}", ""),
            root_attrs=f'xsi:schemaLocation="http://example.org/app {L}/wfs?SERVICE=WFS&amp;REQUEST=DescribeFeatureType&amp;TYPENAME=app:Omrade"',
        ),
        {"expect": "ok", "match": ""},
    )
    add(
        "gml_srs_url.gml",
        _gml(_FEATURE.replace("{inner}", ""), srs=f"{L}/srs.wkt"),
        refuse("not an EPSG code"),
    )
    add(
        "gml_srs_unknown_epsg.gml",
        _gml(_FEATURE.replace("{inner}", ""), srs="EPSG:99999"),
        refuse("EPSG:99999 is not a known"),
    )
    add(
        "gml_not_well_formed.gml",
        _gml(_FEATURE.replace("{inner}", "<app:navn>x"))[:-30],
        refuse("not well-formed"),
    )
    add(
        "gml_no_geometry.gml",
        b'<?xml version="1.0"?><gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:app="http://example.org/app"><gml:featureMember><app:Kode><app:verdi>1</app:verdi></app:Kode></gml:featureMember></gml:FeatureCollection>',
        refuse("no layer with geometries|no geometr|no features"),
    )
    add(
        "kml_document.kml",
        b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><Point><coordinates>10.4,63.4</coordinates></Point></Placemark></kml>',
        refuse("not a GML|root element|unsupported"),
    )
    add(
        "svg_image.gml",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>window.__pwned=1</script></svg>',
        refuse("not a GML|root element|unsupported"),
    )

    # ------------------------------------------------------------------ GeoPackage / SQLite
    add("gpkg_header_only.gpkg", b"SQLite format 3\x00" + b"\x00" * 200, refuse("cannot be read"))
    add("gpkg_truncated.gpkg", None, refuse("cannot be read|malformed|not a database"))
    add("sqlite_not_gpkg.gpkg", None, refuse("not a GeoPackage|gpkg_contents"))
    add("gpkg_attributes_only.gpkg", None, refuse("no layer with geometries"))
    add("gpkg_two_layers.gpkg", None, refuse("2 layers"))
    add("gpkg_virtual_table.gpkg", None, refuse("virtual table"))
    add("gpkg_empty_layer.gpkg", None, refuse("no features|no geometr"))
    add("gpkg_undefined_srs.gpkg", None, refuse("no coordinate reference system|no CRS"))
    add("gpkg_custom_srs.gpkg", None, refuse("CRS"))
    add("gpkg_lines.gpkg", None, refuse("polygons or points|only polygons|cannot import as"))
    add("gpkg_wrong_application_id.gpkg", None, refuse("not a GeoPackage"))

    # ------------------------------------------------------------------ zip and Shapefile
    add("zip_zero_bytes.zip", b"", refuse("empty"))
    add("zip_empty_archive.zip", _zip({}), refuse("empty|not a readable zip"))
    add("zip_truncated.zip", _shp_zip()[:300], refuse("zip"))
    good = _zip({"omrade.geojson": _gj(_fc([_feat(ok_poly)]))}, zipfile.ZIP_STORED)
    bad_crc = bytearray(good)
    k = bad_crc.find("område".encode())
    bad_crc[k] ^= 0x01
    add("zip_bad_crc.zip", bytes(bad_crc), refuse("CRC|damaged"))
    deflated = _zip({"omrade.geojson": _gj(_fc([_feat(ok_poly)] * 20))})
    add(
        "zip_lying_small_size.zip",
        _patch_zip_sizes(deflated, 100),
        refuse("damaged|CRC|declared|cannot be read|not valid JSON"),
    )
    add(
        "zip_declares_4gb.zip",
        _patch_zip_sizes(deflated, 4_000_000_000),
        refuse("unpacks to|zip bomb|more than"),
    )
    add(
        "zip_bomb_ratio.zip",
        _zip({"bomb.geojson": b'{"type":"FeatureCollection","features":[]}' + b" " * 8_000_000}),
        refuse("zip bomb|compressed"),
    )
    add(
        "zip_unsupported_method.zip",
        _zip({"omrade.geojson": _gj(_fc([_feat(ok_poly)]))}, zipfile.ZIP_BZIP2),
        refuse("compression method"),
    )
    enc = bytearray(good)
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        j = enc.find(sig)
        enc[j + off] |= 0x01
    add("zip_encrypted.zip", bytes(enc), refuse("password|encrypted"))
    add(
        "zip_many_members.zip",
        _zip({f"f{i:04d}.txt": b"x" for i in range(250)}),
        refuse("files \\(at most|no Shapefile"),
    )
    add("zip_nested_zip.zip", _zip({"inner.zip": good}), refuse("another zip"))
    add("zip_no_dataset.zip", _zip({"readme.txt": b"nothing here"}), refuse("no Shapefile"))
    add(
        "zip_two_shapefiles.zip",
        _zip(
            {
                **{f"a.{k}": v for k, v in _shapefile([SQ_UTM]).items()},
                **{f"b.{k}": v for k, v in _shapefile([SQ_UTM]).items()},
                "a.prj": PRJ_25833.encode(),
                "b.prj": PRJ_25833.encode(),
            }
        ),
        refuse("2 shapefiles"),
    )
    add("zip_shp_without_shx.zip", _shp_zip(drop=("shx",)), refuse("shx"))
    add("zip_shp_without_prj.zip", _shp_zip(prj=None), refuse("no coordinate reference system|no CRS"))
    add("zip_shp_prj_is_a_path.zip", _shp_zip(prj=S), refuse("not WKT"))
    add("zip_shp_prj_is_a_url.zip", _shp_zip(prj=f"{L}/prj"), refuse("not WKT"))
    add(
        "zip_shp_prj_unknown.zip",
        _shp_zip(prj='LOCAL_CS["somewhere",UNIT["metre",1]]'),
        refuse("not WKT|CRS"),
    )
    add(
        "zip_shp_bad_magic.zip",
        _zip(
            {
                "omrade.shp": b"\x00" * 100,
                "omrade.shx": _shapefile([SQ_UTM])["shx"],
                "omrade.dbf": _shapefile([SQ_UTM])["dbf"],
                "omrade.prj": PRJ_25833.encode(),
            }
        ),
        refuse("cannot be read|not"),
    )
    add("zip_shp_points_swapped.zip", _shp_zip(kind=1, geoms=[[[Y0, X0]]]), refuse("swapped"))
    add(
        "zip_vrt_member.zip",
        _zip(
            {
                "layer.vrt": f"<OGRVRTDataSource><OGRVRTLayer name='x'><SrcDataSource>CSV:{S}</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>".encode()
            }
        ),
        refuse("no Shapefile"),
    )
    add(
        "zip_vrt_as_geojson.zip",
        _zip(
            {
                "layer.geojson": f"<OGRVRTDataSource><OGRVRTLayer name='x'><SrcDataSource>CSV:{S}</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>".encode()
            }
        ),
        refuse("not valid JSON"),
    )
    add("zip_gml_xxe.zip", _zip({"a.gml": files["gml_xxe_local_file.gml"][0]}), refuse("DOCTYPE|unsupported"))
    add(
        "zip_member_path_traversal.zip",
        _zip({"../../../../tmp/areal-escaped.geojson": _gj(_fc([_feat(ok_poly)]))}),
        {"expect": "ok", "match": ""},
    )
    add("zip_symlink_member.zip", None, refuse("symbolic link"))
    add("shapefile_index_only.shx", _shapefile([SQ_UTM])["shx"], refuse("index|\\.shp"))
    add("shapefile_dbf_only.dbf", _shapefile([SQ_UTM])["dbf"], refuse("attribute table|\\.shp|unsupported"))

    # ------------------------------------------------------------------ other types
    add("pdf_document.geojson", b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n", refuse("unsupported file type"))
    add("png_image.gpkg", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, refuse("unsupported file type"))
    add(
        "random_binary.zip", bytes((i * 7919) % 251 for i in range(2048)), refuse("unsupported file type|zip")
    )
    add(
        "csv_without_coordinates.csv",
        "navn;verdi\nområde;1\n".encode(),
        refuse("unsupported file type|coordinate|without geometries"),
    )
    add("sosi_text.sos", b".HODE\r\n..TEGNSETT UTF-8\r\n.SLUTT\r\n", refuse("SOSI|unsupported"))
    add("text_path_to_secret.geojson", f"{S}\n".encode(), refuse("unsupported file type"))
    return files


def _special(name: str, path: Path, secret: str) -> None:
    """Files that need a library to build (GeoPackages, a zip with a symlink)."""
    if name == "gpkg_truncated.gpkg":
        tmp = path.with_name("full-" + path.name)
        _gpkg(tmp, None)
        path.write_bytes(tmp.read_bytes()[:4096])
        tmp.unlink()
    elif name == "sqlite_not_gpkg.gpkg":
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE t (a INTEGER)")
        con.commit()
        con.close()
    elif name == "gpkg_attributes_only.gpkg":
        import pandas as pd
        import pyogrio

        pyogrio.write_dataframe(pd.DataFrame({"navn": ["område"]}), path, layer="tabell", driver="GPKG")
    elif name == "gpkg_two_layers.gpkg":
        import geopandas as gpd
        from shapely.geometry import Polygon

        _gpkg(path, None)
        gpd.GeoDataFrame({"navn": ["b"]}, geometry=[Polygon(SQ_UTM)], crs=25833).to_file(
            path, layer="andre", driver="GPKG", SPATIAL_INDEX="NO"
        )
    elif name == "gpkg_virtual_table.gpkg":

        def make(con):
            con.execute("PRAGMA writable_schema=ON")
            con.execute(
                "INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES "
                f"('table', 'evil', 'evil', 0, 'CREATE VIRTUAL TABLE evil USING VirtualOGR(''{secret}'')')"
            )

        _gpkg(path, make)
    elif name == "gpkg_empty_layer.gpkg":
        _gpkg(path, lambda con: con.execute("DELETE FROM omrade"))
    elif name == "gpkg_undefined_srs.gpkg":
        _gpkg(path, lambda con: con.execute("UPDATE gpkg_geometry_columns SET srs_id = 0"))
    elif name == "gpkg_custom_srs.gpkg":

        def make(con):
            con.execute(
                "INSERT INTO gpkg_spatial_ref_sys VALUES ('custom', 990001, 'CUSTOM', 1, "
                '\'LOCAL_CS["somewhere",UNIT["metre",1]]\', NULL)'
            )
            con.execute("UPDATE gpkg_geometry_columns SET srs_id = 990001")

        _gpkg(path, make)
    elif name == "gpkg_lines.gpkg":
        import geopandas as gpd
        from shapely.geometry import LineString

        gpd.GeoDataFrame({"navn": ["linje"]}, geometry=[LineString(SQ_UTM[:3])], crs=25833).to_file(
            path, layer="linjer", driver="GPKG", SPATIAL_INDEX="NO"
        )
    elif name == "gpkg_wrong_application_id.gpkg":
        _gpkg(path, lambda con: con.execute("PRAGMA application_id = 1297379922"))  # 'MPBT' (MBTiles)
    elif name == "zip_symlink_member.zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            info = zipfile.ZipInfo("omrade.geojson")
            info.external_attr = (0o120777 << 16) | 0x20
            zf.writestr(info, secret)
        path.write_bytes(buf.getvalue())
    else:  # pragma: no cover - a name added to corpus() without a builder
        raise KeyError(name)


def make_corpus(dest: Path, *, secret: str = SECRET, listener: str = LISTENER) -> dict[str, dict]:
    """Write the corpus into ``dest`` and return the manifest (also written as ``manifest.json``)."""
    dest.mkdir(parents=True, exist_ok=True)
    _fixed_date()
    manifest = {}
    try:
        for name, (data, exp) in corpus(secret, listener).items():
            path = dest / name
            path.unlink(missing_ok=True)
            if data is None:
                _special(name, path, secret)
            else:
                path.write_bytes(data)
            manifest[name] = exp
    finally:
        import pyogrio

        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    (dest / "manifest.json").write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return manifest


if __name__ == "__main__":
    m = make_corpus(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
    total = sum(p.stat().st_size for p in (Path(sys.argv[1]) if len(sys.argv) > 1 else OUT).iterdir())
    print(f"{len(m)} files, {total / 1024:.0f} KiB")
