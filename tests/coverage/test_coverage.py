"""Hit, no hit, not mapped: hand-computed answers for the coverage statuses and the coverage loader."""

import math

import geopandas as gpd
import pytest
import shapely
from areal.apps.labels import status_text
from areal.geo.coverage import classify_area, classify_rules
from areal.geo.rules import parse_rules
from areal.layers import coverage as cov
from areal.layers import loader
from conftest import UTM33, X0, Y0
from shapely.geometry import box


def _frame(*geoms, **cols):
    return gpd.GeoDataFrame(cols or None, geometry=list(geoms), crs=UTM33)


def test_hit_with_overlaps_counted_once():
    f = _frame(box(0, 0, 100, 100), box(50, 0, 150, 100))
    s = classify_area(box(0, 0, 200, 100), f, None)
    assert (s.status, s.reason, s.n_features) == ("hit", "", 2)
    assert s.hit_ha == pytest.approx(1.5)  # 15 000 m², not 20 000
    assert s.covered_share == 1.0


def test_no_hit_only_where_fully_mapped():
    f = _frame(box(0, 0, 100, 100))
    s = classify_area(box(200, 0, 300, 100), f, box(0, 0, 400, 400))
    assert (s.status, s.hit_ha, s.uncovered_ha) == ("no_hit", 0.0, 0.0)


def test_outside_coverage_is_not_mapped_and_has_no_hectares():
    f = _frame(box(0, 0, 100, 100))
    s = classify_area(box(1000, 0, 1100, 100), f, box(0, 0, 400, 400))
    assert (s.status, s.reason) == ("not_mapped", "outside_coverage")
    assert math.isnan(s.hit_ha)  # never 0 ha
    assert s.uncovered_ha == pytest.approx(1.0)


def test_partly_mapped_reports_the_uncovered_share():
    f = _frame(box(0, 0, 100, 100))
    # area 300 × 100, coverage reaches x = 225: 75 % covered, nothing found
    s = classify_area(box(150, 0, 450, 100), f, box(0, 0, 225, 100))
    assert (s.status, s.reason) == ("not_mapped", "partly_mapped")
    assert s.covered_share == pytest.approx(0.25)
    assert s.uncovered_ha == pytest.approx(2.25)
    # a hit in the mapped part is a hit, still flagged as partly mapped
    h = classify_area(box(50, 0, 350, 100), f, box(0, 0, 200, 100))
    assert (h.status, h.reason, h.hit_ha) == ("hit", "partly_mapped", pytest.approx(0.5))
    assert h.partly_mapped


def test_missing_layer_is_not_mapped():
    s = classify_area(box(0, 0, 100, 100), None, None)
    assert (s.status, s.reason) == ("not_mapped", "layer_missing")
    assert math.isnan(s.hit_ha)
    assert status_text(s.status, s.reason) == "ikke kartlagt (kartlaget mangler)"
    assert status_text(s.status, s.reason, "en") == "not mapped (layer missing)"


def test_edge_touch_is_not_a_hit():
    s = classify_area(box(100, 0, 200, 100), _frame(box(0, 0, 100, 100)), None)
    assert s.status == "no_hit"


def test_points_and_lines():
    pts = _frame(shapely.Point(5, 5))
    assert classify_area(shapely.Point(5, 5).buffer(1), pts, None).status == "hit"
    line = _frame(shapely.LineString([(0, 50), (1000, 50)]))
    s = classify_area(box(0, 0, 100, 100), line, None)
    assert s.status == "hit" and s.length_km == pytest.approx(0.1)
    assert classify_area(shapely.Point(50, 50), _frame(box(0, 0, 10, 10)), box(0, 0, 20, 20)).status == (
        "not_mapped"
    )


def test_classify_rules_buffer_shrinks_the_coverage():
    doc = {
        "classes": {"ar5": {"farmland": {"column": "arealtype", "values": ["21"]}}},
        "rule": [
            {
                "a": "business_areas",
                "b": "ar5:farmland",
                "severity": "high",
                "buffer_m": 0,
                "basis": "jordlova § 9",
                "explanation": "x",
            },
            {
                "a": "business_areas",
                "b": "ar5:farmland",
                "severity": "medium",
                "buffer_m": 50,
                "basis": "nærhet",
                "explanation": "y",
            },
            {
                "a": "business_areas",
                "b": "reindeer",
                "severity": "high",
                "buffer_m": 0,
                "basis": "rl § 22",
                "explanation": "z",
            },
        ],
    }
    table = parse_rules(doc, known_layers=["business_areas", "ar5", "reindeer"])
    ar5 = _frame(box(0, 0, 100, 100), box(100, 0, 200, 100), arealtype=["21", "30"])
    coverage = {"ar5": box(0, -1000, 400, 1000)}
    area = box(300, 0, 380, 100)  # on AR5-mapped land, 100 m from the farmland, 20 m from the edge
    out = classify_rules(area, table, {"ar5": ar5}, coverage, as_layer="business_areas").set_index("pair")
    zone, own, reindeer = (
        "business_areas × ar5:farmland (50 m)",
        "business_areas × ar5:farmland",
        ("business_areas × reindeer"),
    )
    assert out["status"].to_dict() == {own: "no_hit", zone: "not_mapped", reindeer: "not_mapped"}
    # the 50 m zone: only land at least 50 m inside the coverage is known: x in [300, 350] of [300, 380]
    assert out.loc[zone, "covered_share"] == pytest.approx(50 / 80)
    assert out.loc[reindeer, "reason"] == "layer_missing"
    near = classify_rules(box(120, 0, 140, 100), table, {"ar5": ar5}, coverage, as_layer="business_areas")
    near = near.set_index("pair")
    assert (near.loc[own, "status"], near.loc[zone, "status"]) == ("no_hit", "hit")  # 30 m away: in the zone
    assert near.loc[zone, "hit_ha"] == pytest.approx(20 * 100 / 1e4)


def _write(frame, path, layer=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_file(path, layer=layer, driver="GPKG")


def test_coverage_loader_per_municipality_file(tmp_path, monkeypatch):
    from areal.layers import registry

    munis = gpd.GeoDataFrame(
        {"kommunenummer": ["5001", "5006"], "kommunenavn": ["Trondheim", "Steinkjer"]},
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)],
        crs=UTM33,
    )
    ar5 = _frame(box(X0, Y0, X0 + 500, Y0 + 500), arealtype=["21"])
    _write(ar5, tmp_path / "ar5" / "ar5_5001.gpkg")
    spec = registry.get("ar5")
    files, _, _ = loader.find_sources(spec, tmp_path)
    assert [f.name for f in files] == ["ar5_5001.gpkg"]
    assert cov._municipality_numbers(files, spec) == ["5001"]
    assert cov._municipality_numbers([tmp_path / "1910-2_f.gpkg"], spec) is None  # not a fetched name
    monkeypatch.setattr(
        cov,
        "_municipality_union",
        lambda knrs, d: shapely.union_all(munis[munis["kommunenummer"].isin(knrs)].geometry.values),
    )
    c = cov.coverage_geometry("ar5", tmp_path)
    assert (c.available, c.kind, c.municipalities) == (True, "municipalities", ("5001",))
    assert c.geometry.area == pytest.approx(1e6)
    # a site in 5006: AR5 is not mapped there, whatever the frame says
    s = classify_area(box(X0 + 1200, Y0 + 100, X0 + 1300, Y0 + 200), ar5, c.geometry)
    assert (s.status, s.reason) == ("not_mapped", "outside_coverage")


def test_coverage_loader_missing_and_sidecar(tmp_path):
    c = cov.coverage_geometry("ar5", tmp_path)
    assert (c.available, c.kind) == (False, "missing")
    _write(_frame(box(X0, Y0, X0 + 10, Y0 + 10), arealtype=["21"]), tmp_path / "ar5" / "ar5_bbox.gpkg")
    cov.write_sidecar(tmp_path / "ar5" / "ar5_bbox.gpkg", box(X0, Y0, X0 + 50, Y0 + 50), description="bbox")
    c = cov.coverage_geometry("ar5", tmp_path)
    assert (c.kind, c.description, c.geometry.area) == ("sidecar", "bbox", pytest.approx(2500))
    assert cov.coverages(["ar5", "not_a_layer"], tmp_path).keys() == {"ar5"}


def test_site_check_says_not_mapped_never_zero_ha():
    from areal.geo.sitecheck import check_site

    ar5 = _frame(box(X0, Y0, X0 + 1000, Y0 + 1000), arealtype=["21"])
    forest = _frame(box(X0 + 1500, Y0, X0 + 1600, Y0 + 100))
    site = box(X0 + 1200, Y0 + 100, X0 + 1300, Y0 + 200)  # 1 ha, east of the AR5-mapped municipality
    rep = check_site(
        site,
        {"ar5": ar5, "forest": forest},
        coverage={"ar5": box(X0, Y0, X0 + 1000, Y0 + 1000)},
        expected=["ar5", "forest", "reindeer_pastures"],
    )
    st = rep.coverage.set_index("layer")
    assert st.loc["ar5", "status"] == "not_mapped" and st.loc["ar5", "reason"] == "outside_coverage"
    assert st.loc["reindeer_pastures", "status"] == "not_mapped"
    assert st.loc["reindeer_pastures", "reason"] == "layer_missing"
    assert st.loc[["ar5", "reindeer_pastures"], "hit_ha"].isna().all()  # no number, not 0 ha
    assert st.loc["forest", "status"] == "no_hit" and st.loc["forest", "hit_ha"] == 0.0
    assert set(rep.not_mapped()["layer"]) == {"ar5", "reindeer_pastures"}
    # inside the mapped municipality the same check is a hit with the overlay's hectares
    inside = check_site(
        box(X0 + 900, Y0, X0 + 1100, Y0 + 100), {"ar5": ar5}, coverage={"ar5": ar5.union_all()}
    )
    row = inside.coverage.set_index("layer").loc["ar5"]
    assert (row["status"], row["reason"], row["hit_ha"]) == ("hit", "partly_mapped", pytest.approx(1.0))
    assert row["uncovered_ha"] == pytest.approx(1.0)


def test_conflict_table_and_report_say_not_mapped():
    from areal.apps.report import conflict_rows
    from areal.geo.conflicts import find_conflicts

    doc = {
        "rule": [
            {
                "a": "business_areas",
                "b": b,
                "severity": "high",
                "buffer_m": 0,
                "basis": f"basis {b}",
                "explanation": "x",
            }
            for b in ("mire", "ar5", "forest")
        ]
    }
    table = parse_rules(doc, known_layers=["business_areas", "mire", "ar5", "forest"])
    prop = _frame(box(0, 0, 200, 100))
    layers = {"mire": _frame(box(0, 0, 100, 100)), "forest": _frame(box(1000, 0, 1100, 100))}
    res = find_conflicts(prop, layers, table, coverage={"forest": box(150, 0, 2000, 100)})
    summary = res.summary().set_index("pair")
    assert summary.loc["business_areas × mire", ["status", "area_ha"]].tolist() == ["hit", 1.0]
    # forest covers only half of the proposal and nothing was found there: partly mapped, 0 ha where mapped
    assert summary.loc["business_areas × forest", ["status", "reason"]].tolist() == [
        "not_mapped",
        "partly_mapped",
    ]
    assert summary.loc["business_areas × ar5", "status"] == "not_mapped"
    assert math.isnan(summary.loc["business_areas × ar5", "area_ha"])
    from areal.apps.labels import pair_title

    rows = conflict_rows(res, lang="nb")
    titles = {r.pair: pair_title(r, "nb") for r in table.rules}  # the report shows pairs in words
    cells = dict(zip(rows.iloc[:, 0], rows.iloc[:, 2]))
    assert cells[titles["business_areas × ar5"]] == "ikke kartlagt (kartlaget mangler)"
    assert cells[titles["business_areas × mire"]] == "1,0"
    outside = find_conflicts(prop, layers, table, coverage={"forest": box(5000, 0, 6000, 100)}).summary()
    row = outside.set_index("pair").loc["business_areas × forest"]
    assert row["reason"] == "outside_coverage" and math.isnan(row["area_ha"])
