import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from areal.geo.conflicts import find_conflicts, pair_conflicts, worst_severity
from areal.geo.errors import RuleError
from areal.geo.overlay import BUFFER_QUAD_SEGS, flatten, intersect
from areal.geo.rules import parse_rules
from conftest import UTM33, X0, Y0
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import box

KNOWN = ["business_areas", "test_arenas", "mire", "forest", "aquaculture_sites", "protected_areas", "ar5"]


def table(*rules, classes=None):
    doc = {"rule": [dict(basis="test basis", explanation="test", **r) for r in rules]}
    if classes:
        doc["classes"] = classes
    return parse_rules(doc, known_layers=KNOWN)


def gdf(geoms, **cols):
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs=UTM33)


def munis(*parts):
    return gpd.GeoDataFrame(
        {"kommunenummer": [p[0] for p in parts], "kommunenavn": [p[1] for p in parts]},
        geometry=[p[2] for p in parts],
        crs=UTM33,
    )


def test_squares_give_exactly_100_ha(squares):
    big, small = squares
    p = intersect(big.geometry, small.geometry)
    assert p.area.sum() == 1_000_000.0
    res = find_conflicts(big, {"mire": small}, table(dict(a="business_areas", b="mire", severity="medium")))
    assert res.total_ha() == 100.0
    row = res.polygons.iloc[0]
    assert (row.area_m2, row.area_daa, row.area_ha) == (1_000_000.0, 1000.0, 100.0)
    assert row.pair == "business_areas × mire" and row.basis == "test basis" and row.severity == "medium"
    assert res.matrix.loc["business_areas", "mire"] == 100.0
    assert res.polygons.crs.to_epsg() == 25833


def test_500m_buffer_on_a_point_gives_the_circle_area():
    site = gdf([shapely.Point(X0 + 5000, Y0 + 5000)], site_id=[1])
    prop = gdf([box(X0, Y0, X0 + 10_000, Y0 + 10_000)])
    rules = table(dict(a="business_areas", b="aquaculture_sites", severity="medium", buffer_m=500))
    res = find_conflicts(prop, {"aquaculture_sites": site}, rules)
    area = res.polygons.area_m2.sum()
    assert abs(area / (math.pi * 500**2) - 1) < 1e-3
    n = 4 * BUFFER_QUAD_SEGS  # the buffer is a regular n-gon inscribed in the circle
    assert area == pytest.approx(n / 2 * 500**2 * math.sin(2 * math.pi / n), rel=1e-9)
    assert res.polygons.pair.iloc[0] == "business_areas × aquaculture_sites (500 m)"


def test_overlaps_inside_one_layer_count_once():
    prop = gdf([box(X0, Y0, X0 + 2000, Y0 + 2000)])
    # Two overlapping mires (union 150 ha), a duplicate of the first and one nested inside it.
    mire = gdf(
        [
            box(X0, Y0, X0 + 1000, Y0 + 1000),
            box(X0 + 500, Y0, X0 + 1500, Y0 + 1000),
            box(X0, Y0, X0 + 1000, Y0 + 1000),
            box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 200),
        ]
    )
    res = find_conflicts(prop, {"mire": mire}, table(dict(a="business_areas", b="mire", severity="low")))
    assert res.total_ha() == pytest.approx(150.0, rel=1e-12)
    assert res.pair_ha()["business_areas × mire"] == pytest.approx(150.0, rel=1e-12)
    # Overlapping proposal polygons also count once.
    prop2 = gdf([box(X0, Y0, X0 + 2000, Y0 + 2000), box(X0 + 1000, Y0, X0 + 3000, Y0 + 2000)])
    res2 = find_conflicts(
        prop2,
        {"mire": gdf([box(X0, Y0, X0 + 3000, Y0 + 1000)])},
        table(dict(a="business_areas", b="mire", severity="low")),
    )
    assert res2.total_ha() == pytest.approx(300.0, rel=1e-12)
    # Without flattening a plain overlay double counts: the test would fail on a naive engine.
    naive = gpd.overlay(prop, mire, how="intersection").area.sum() / 1e4
    assert naive == pytest.approx(301.0)


def test_flatten_keeps_touching_polygons_and_merges_overlaps():
    cells = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(0.5, 0.5, 1.5, 1.5), box(5, 5, 6, 6)]
    flat = flatten(cells)
    assert flat.n_merged == 3 and len(flat.geoms) == 2
    assert shapely.area(flat.geoms).sum() == pytest.approx(shapely.union_all(cells).area)
    mosaic = flatten([box(i, j, i + 1, j + 1) for i in range(5) for j in range(5)])
    assert mosaic.n_merged == 0 and len(mosaic.geoms) == 25


def test_municipality_split_and_outside_area():
    prop = gdf([box(X0, Y0, X0 + 2000, Y0 + 1000)])
    m = munis(
        ("5001", "Trondheim", box(X0 - 100, Y0 - 100, X0 + 600, Y0 + 2000)),
        ("5028", "Melhus", box(X0 + 600, Y0 - 100, X0 + 1500, Y0 + 2000)),
    )
    res = find_conflicts(
        prop,
        {"mire": gdf([box(X0 - 1, Y0 - 1, X0 + 5000, Y0 + 5000)])},
        table(dict(a="business_areas", b="mire", severity="high")),
        municipalities=m,
    )
    bm = res.by_municipality.set_index("kommunenummer")
    assert bm.loc["5001", "business_areas × mire"] == pytest.approx(60.0, rel=1e-12)
    assert bm.loc["5028", "business_areas × mire"] == pytest.approx(90.0, rel=1e-12)
    assert bm.loc["(none)", "high_ha"] == pytest.approx(50.0, rel=1e-12)  # east of both municipalities
    assert bm.loc["5028", "kommunenavn"] == "Melhus"
    assert res.polygons.area_ha.sum() == pytest.approx(200.0, rel=1e-12)


def test_classes_severity_union_and_missing_layers():
    classes = {
        "ar5": {
            "farmland": {"column": "arealtype", "values": ["21", "22", "23"]},
            "mire": {"column": "arealtype", "values": ["60"]},
        }
    }
    rules = table(
        dict(a="business_areas", b="ar5:farmland", severity="high"),
        dict(a="business_areas", b="ar5:mire", severity="medium"),
        dict(a="business_areas", b="protected_areas", severity="exclusion"),
        dict(a="business_areas", b="forest", severity="low"),
        classes=classes,
    )
    ar5 = gdf(
        [
            box(X0, Y0, X0 + 1000, Y0 + 1000),
            box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000),
            box(X0, Y0 + 1000, X0 + 1000, Y0 + 2000),
        ],
        arealtype=["21", "60", "30"],
    )
    forest = gdf([box(X0, Y0, X0 + 2000, Y0 + 500)])
    prop = gdf([box(X0, Y0, X0 + 2000, Y0 + 2000)])
    res = find_conflicts(prop, {"ar5": ar5, "forest": forest}, rules)
    ha = res.pair_ha()
    assert ha["business_areas × ar5:farmland"] == 100.0 and ha["business_areas × ar5:mire"] == 100.0
    assert res.missing == ["protected_areas"]
    assert any("protected_areas" in s and "missing" in s for s in res.skipped)
    assert res.total_ha("low") == 100.0 and res.total_ha() == pytest.approx(
        200.0
    )  # forest lies on farmland+mire
    assert set(res.polygons.class_b) == {"farmland", "mire", ""}
    assert worst_severity(res) == "high"
    with pytest.raises(ValueError, match="severity was 'bad'"):
        res.total_ha("bad")


def test_pair_conflicts_uses_reverse_rules_and_refuses_unknown_pairs():
    rules = table(dict(a="protected_areas", b="aquaculture_sites", severity="medium", buffer_m=100))
    prot = gdf([box(X0, Y0, X0 + 1000, Y0 + 1000)])
    site = gdf([shapely.Point(X0, Y0)])
    res = pair_conflicts(site, prot, rules, a_layer="aquaculture_sites", b_layer="protected_areas")
    n = 4 * BUFFER_QUAD_SEGS
    assert res.total_ha() * 1e4 == pytest.approx(n / 2 * 100**2 * math.sin(2 * math.pi / n) / 4, rel=1e-9)
    with pytest.raises(RuleError, match="no rule for mire × forest in either direction"):
        pair_conflicts(prot, prot, rules, a_layer="mire", b_layer="forest")
    with pytest.raises(RuleError, match="no rule has 'test_arenas' on its A side"):
        find_conflicts(prot, {}, rules, as_layer="test_arenas")


def test_points_as_proposal_and_reprojected_input_are_handled():
    rules = table(dict(a="test_arenas", b="mire", severity="medium"))
    pts = gdf([shapely.Point(X0, Y0)])
    res = find_conflicts(
        pts, {"mire": gdf([box(X0 - 10, Y0 - 10, X0 + 10, Y0 + 10)])}, rules, as_layer="test_arenas"
    )
    assert res.total_ha() == 0 and "no polygon area" in res.skipped[0]
    prop = gdf([box(X0, Y0, X0 + 1000, Y0 + 1000)]).to_crs(4326)
    res = find_conflicts(
        prop, {"mire": gdf([box(X0, Y0, X0 + 1000, Y0 + 1000)])}, rules, as_layer="test_arenas"
    )
    assert res.total_ha() == pytest.approx(100.0, rel=1e-6)


def _voronoi_mosaic(rng, n, cell):
    g = np.arange(n) * cell
    gx, gy = np.meshgrid(g, g)
    pts = np.c_[
        gx.ravel() + rng.uniform(0.1, 0.9, gx.size) * cell, gy.ravel() + rng.uniform(0.1, 0.9, gy.size) * cell
    ]
    ext = box(X0, Y0, X0 + n * cell, Y0 + n * cell)
    vor = shapely.voronoi_polygons(shapely.multipoints(pts + [X0, Y0]), extend_to=ext, ordered=True)
    return shapely.intersection(shapely.get_parts(vor), ext)


@pytest.mark.parametrize("chunk_size", [37, 50_000])
def test_engine_equals_geopandas_overlay_on_a_mosaic(rng, chunk_size):
    cells = _voronoi_mosaic(rng, 40, 50.0)
    c = rng.uniform([X0, Y0], [X0 + 2000, Y0 + 2000], (12, 2))
    blobs = shapely.get_parts(shapely.union_all(shapely.buffer(shapely.points(c), rng.uniform(50, 400, 12))))
    p = intersect(cells, blobs, chunk_size=chunk_size)
    ref = gpd.overlay(
        gdf(cells, i=np.arange(len(cells))), gdf(blobs, j=np.arange(len(blobs))), how="intersection"
    )
    assert p.area.sum() == pytest.approx(ref.area.sum(), rel=1e-9)
    assert p.n_contained > 0 and len(p) == len(ref)
    by_pair = dict(zip(zip(ref.i, ref.j), ref.area))
    assert all(a == pytest.approx(by_pair[(i, j)], rel=1e-9) for i, j, a in zip(p.ia, p.ib, p.area))


coord = st.floats(0, 1000, allow_nan=False)


@st.composite
def polygons(draw):
    x, y = draw(coord), draw(coord)
    w, h = draw(st.floats(1, 800)), draw(st.floats(1, 800))
    rot = draw(st.floats(0, 90))
    return shapely.affinity.rotate(box(x, y, x + w, y + h), rot)


@settings(max_examples=60, deadline=None)
@given(st.lists(polygons(), min_size=1, max_size=6), st.lists(polygons(), min_size=1, max_size=6))
def test_intersection_area_is_at_most_the_smaller_input(a, b):
    fa, fb = flatten(a), flatten(b)
    area = intersect(fa.geoms, fb.geoms).area.sum()
    ua, ub = shapely.union_all(a).area, shapely.union_all(b).area
    assert area <= min(ua, ub) * (1 + 1e-9) + 1e-6
    assert area == pytest.approx(
        shapely.intersection(shapely.union_all(a), shapely.union_all(b)).area, rel=1e-7, abs=1e-6
    )
    assert shapely.area(fa.geoms).sum() == pytest.approx(ua, rel=1e-9, abs=1e-6)
