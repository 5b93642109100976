"""The SOSI reader on hand-made files with hand-computed answers and on the real N50 and Naturbase samples."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import shapely
from areal.geo.errors import EmptyLayerError, InputFileError
from areal.layers.safe_open import open_vector
from areal.layers.sosi import decode, read_sosi, read_sosi_text

SAMPLES = Path("/work/shared/data/official-samples")

HEAD = """.HODE
..TEGNSETT {enc}
..TRANSPAR
...KOORDSYS {ks}
...ORIGO-NØ {on} {oe}
...ENHET {unit}
"""

# A 100 × 100 m square (curves 1 and 2, the second one reversed in the REF) with a 20 × 20 m hole (curve 3).
BODY = """.KURVE 1:
..OBJTYPE Formålsgrense
..NØ
0 0 ...KP 1
..NØ
0 10000
10000 10000 ...KP 1
.KURVE 2:
..OBJTYPE Formålsgrense
..NØ
0 0
10000 0
10000 10000
.KURVE 3:
..OBJTYPE Formålsgrense
..NØ
4000 4000
4000 6000
6000 6000
6000 4000
4000 4000
.FLATE 10:
..OBJTYPE KpArealformålOmråde
..KPAREALFORMÅL 1300
..AREALST 2
..NAVN "Nærøy næringsområde"
..VERNNETTVERK 1
..VERNNETTVERK 2
..NASJONALAREALPLANID
...KOMM 5001
...PLANID 20120001
..REF :1 :-2 (:3)
..NØ
1000 1000
.FLATE 11:
..OBJTYPE RpArealformålOmråde
..RPAREALFORMÅL 1169
..REF :3
..NØ
5000 5000
.PUNKT 20:
..OBJTYPE Stedsnavn
..NØ
5000 5000
.SLUTT
"""


def _sosi(enc="UTF-8", ks=23, on=7000000, oe=300000, unit=0.01, body=BODY):
    return HEAD.format(enc=enc, ks=ks, on=on, oe=oe, unit=unit) + body


def test_flate_with_hole_reversed_ref_units_origin_and_plan_attributes():
    gdf = read_sosi_text(_sosi())
    assert gdf.crs.to_epsg() == 25833
    kp = gdf.set_index("sosi_id").loc[10]
    assert kp.geometry.area == pytest.approx(100 * 100 - 20 * 20)  # ENHET 0.01: 10000 units = 100 m
    assert kp.geometry.bounds == pytest.approx((300000, 7000000, 300100, 7000100))  # ORIGO-NØ, N E -> x y
    assert len(kp.geometry.interiors) == 1
    assert (kp["KPAREALFORMÅL"], kp["AREALST"], kp["NAVN"]) == ("1300", "2", "Nærøy næringsområde")
    assert (kp["KOMM"], kp["PLANID"]) == ("5001", "20120001")  # nested attributes under their own name
    assert kp["VERNNETTVERK"] == "1,2"  # repeated attribute
    rp = gdf.set_index("sosi_id").loc[11]
    assert rp["RPAREALFORMÅL"] == "1169" and rp.geometry.area == pytest.approx(400)


def test_families_and_objtype_layers():
    text = _sosi()
    assert list(read_sosi_text(text)["sosi_type"]) == ["FLATE", "FLATE"]
    lines = read_sosi_text(text, "KURVE")
    assert len(lines) == 3 and lines.length.sum() == pytest.approx(200 + 200 + 80)
    assert list(read_sosi_text(text, "point")["OBJTYPE"]) == ["Stedsnavn"]
    assert list(read_sosi_text(text, "RpArealformålOmråde")["sosi_id"]) == [11]
    with pytest.raises(InputFileError, match="no layer 'Bygning'.*KpArealformålOmråde"):
        read_sosi_text(text, "Bygning")


def test_encodings_crlf_and_nd7(tmp_path):
    iso = _sosi(enc="ISO8859-10").replace("\n", "\r\n").encode("iso8859_10")
    assert b"\xf8" in iso  # ø as one byte: not UTF-8
    p = tmp_path / "plan.sos"
    p.write_bytes(iso)
    gdf = read_sosi(p)
    assert gdf.attrs["input"]["encoding"] == "iso8859_10"
    assert gdf.loc[0, "NAVN"] == "Nærøy næringsområde"
    assert gdf.loc[0].geometry.area == pytest.approx(9600)
    # a UTF-8 file that declares ISO8859-10 (as Naturbase's export does) is read as UTF-8
    assert decode(_sosi(enc="ISO8859-10").encode("utf-8"))[1] == "utf-8"
    text, enc = decode(b".HODE\n..TEGNSETT ND7\n..NAVN N{r|y omr}de\n")
    assert enc == "nd7" and "Nærøy område" in text


def test_arc_is_densified_on_its_circle():
    body = """.BUEP 1:
..NØ
0 -10000
10000 0
0 10000
.SLUTT
"""
    g = read_sosi_text(_sosi(on=0, oe=0, body=body)).geometry.iloc[0]
    xy = shapely.get_coordinates(g)
    assert len(xy) > 3
    assert ((xy**2).sum(axis=1) ** 0.5) == pytest.approx(100.0)  # radius 100 m around the origin
    assert xy[:, 1].max() == pytest.approx(100.0)  # through the middle point (N 100 m)


def test_refusals_name_the_value():
    with pytest.raises(InputFileError, match="KOORDSYS 99 is not supported"):
        read_sosi_text(_sosi(ks=99))
    with pytest.raises(InputFileError, match="refers to curve 7"):
        read_sosi_text(_sosi(body=".FLATE 1:\n..REF :7\n.SLUTT\n"))
    with pytest.raises(EmptyLayerError):
        read_sosi_text(".HODE\n..TEGNSETT UTF-8\n.SLUTT\n")


def _sample(rel):
    p = SAMPLES / rel
    if not p.exists():
        pytest.skip(f"official sample {p} not here")
    return p


def test_real_n50_restriksjonsomrader():
    p = _sample("kartverket-n-series/n50-sosi/1417_N50_RestriksjonsOmrader.sos")
    gdf = open_vector(p)  # through the safe opener, as `areal import` reads it
    assert gdf.attrs["input"]["format"] == "sosi" and gdf.attrs["input"]["encoding"] == "iso8859_10"
    assert gdf.crs.to_epsg() == 25833  # ..KOORDSYS 23
    assert len(gdf) == 15 and gdf["OBJTYPE"].value_counts().to_dict() == {
        "Naturvernområde": 13,
        "Allmenning": 2,
    }
    assert gdf.attrs["sosi"]["counts"] == {"FLATE": 15, "KURVE": 30}
    assert "Nærøyfjorden" in set(gdf["NAVN"]) and set(gdf["VERNEFORM"].dropna()) == {"LVO", "NR"}
    # the extract was cut from a larger file: one area's curves do not close (GDAL gives a 2-point ring)
    assert len(gdf.attrs["sosi"]["problems"]) == 1
    big = gdf.loc[gdf.area.idxmax()]
    assert big.geometry.area == pytest.approx(210_812_592, rel=1e-6)


def test_real_n50_kommune():
    p = _sample("kartverket-n-series/n50-sosi/0617_N50_AdministrativeOmrader.sos")
    gdf = read_sosi(p)
    assert len(gdf) == 1 and gdf.loc[0, "NAVN"] == "Gol" and gdf.loc[0, "KOMMUNENUMMER"] == "0617"
    assert gdf.area.iloc[0] / 1e6 == pytest.approx(533.47, abs=0.01)  # Gol: 533 km²
    assert len(read_sosi(p, "Kommunegrense")) == 3 and len(read_sosi(p, "Fylkesgrense")) == 2


def test_real_naturbase_export():
    p = _sample("naturbase-verneomrader/naturvernomraade.sos")
    gdf = read_sosi(p)
    assert gdf.attrs["input"]["encoding"] == "utf-8"  # declared ISO8859-10, re-encoded by the committer
    assert gdf.crs.to_epsg() == 25835  # ..KOORDSYS 25: UTM35, negative eastings in Trøndelag
    assert len(gdf) == 17 and set(gdf["OBJTYPE"]) == {"Naturvernområde"}
    assert gdf.is_valid.all() and (gdf.area > 0).all()
    leinora = gdf.set_index("ID").loc["VV00000683"]
    assert (leinora["NAVN"], leinora["VERNEFORM"], leinora["IUCN"]) == ("Leinøra", "NR", "1")
    assert leinora["OFFISIELTNAVN"] == "Leinøra naturreservat" and leinora["PLANDATO"] == "20090921"
    assert gdf.set_index("sosi_id").loc[50, "VERNNETTVERK"] == "1,2"
    assert gdf["VERNEFORM"].value_counts().to_dict() == {"NR": 16, "LVO": 1}
    pts = read_sosi(p, "PUNKT")
    assert pts["OBJTYPE"].value_counts().to_dict() == {"Teiggrensepunkt": 61, "Naturvernpunkt": 1}
    assert len(read_sosi(p, "KURVE")) == 48
    # in Trøndelag once reprojected
    x0, y0, x1, y1 = gdf.to_crs(25833).total_bounds
    assert 250_000 < x0 < x1 < 300_000 and 7_000_000 < y0 < y1 < 7_060_000


@pytest.mark.skipif(
    shutil.which("ogr2ogr") is None, reason="GDAL's ogr2ogr (with the SOSI driver) not installed"
)
@pytest.mark.parametrize("rel", ["1417_N50_RestriksjonsOmrader.sos", "0617_N50_AdministrativeOmrader.sos"])
def test_areas_equal_gdal_sosi_driver(rel, tmp_path):
    # GDAL's SOSI driver writes index folders (*.Idx) beside the file it reads: read a copy
    p = tmp_path / rel
    shutil.copyfile(_sample(f"kartverket-n-series/n50-sosi/{rel}"), p)
    out = tmp_path / "gdal.geojson"
    subprocess.run(
        ["ogr2ogr", "-f", "GeoJSON", str(out), str(p), "polygons"], check=True, capture_output=True
    )
    theirs = []
    for f in json.loads(out.read_text())["features"]:
        rings = f["geometry"]["coordinates"]
        # GDAL chains the curves into one ring as they come; a ring that crosses itself is repaired
        ring = shapely.Polygon(rings[0], rings[1:]) if len(rings[0]) >= 4 else shapely.Polygon()
        theirs.append(shapely.make_valid(ring).area)
    mine = read_sosi(p).area.tolist()
    assert mine == pytest.approx(theirs, rel=1e-9, abs=1e-6)


def test_areal_import_sos(tmp_path):
    from areal.apps.cli import main
    from click.testing import CliRunner

    p = _sample("naturbase-verneomrader/naturvernomraade.sos")
    res = CliRunner().invoke(main, ["import", str(p), "--as", "protected_areas", "--data-dir", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "17 objekter lest, 17 skrevet" in res.output  # the report in Norwegian by default
    import geopandas as gpd

    out = gpd.read_file(tmp_path / "protected" / "Naturvernomrader_50.gpkg")
    assert out.crs.to_epsg() == 25833 and set(out["verneform"]) <= {"NR", "LVO", "NM"}
    assert "Gaulosen" in set(out["navn"])
