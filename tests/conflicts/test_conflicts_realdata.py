"""The default rule table on the real extracts, checked against an independent geopandas computation."""

import geopandas as gpd
import pytest
import shapely
from areal.geo.conflicts import find_conflicts, pair_conflicts
from areal.geo.overlay import BUFFER_QUAD_SEGS
from areal.layers import loader
from areal.layers.project_data import load_rules
from shapely import box

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def real(real_data):
    rules = load_rules()
    layers = {}
    for lid in sorted(rules.layers()):
        try:
            layers[lid] = loader.load(lid, real_data)
        except FileNotFoundError:
            pass
    return rules, layers, loader.load("municipalities_sea", real_data)


def _proposal():
    # Three candidate sites (Trondheim/Malvik, Stjørdal/Levanger coast, Oppdal mountains), one overlapping another.
    return gpd.GeoDataFrame(
        {"navn": ["a", "b", "c", "d"]},
        geometry=[
            box(260000, 7020000, 290000, 7050000),
            box(285000, 7045000, 310000, 7075000),
            box(200000, 6940000, 240000, 6980000),
            box(300000, 7080000, 330000, 7100000),
        ],
        crs=25833,
    )


def _reference_ha(prop, layer, rule, rules):
    """Independent computation: geopandas buffer + dissolve + overlay (no code of geo.overlay)."""
    b = rules.select(rule.b_layer, layer, rule.b)
    core = b[b.geom_type.isin(["Polygon", "MultiPolygon"])].make_valid().union_all()
    if rule.buffer_m:
        b = gpd.GeoDataFrame(geometry=b.buffer(rule.buffer_m, quad_segs=BUFFER_QUAD_SEGS), crs=b.crs)
    b = b[b.geom_type.isin(["Polygon", "MultiPolygon"])]
    if len(b) == 0:
        return 0.0
    a_diss = prop.dissolve()[["geometry"]]
    b_diss = b[["geometry"]].dissolve()
    b_diss["geometry"] = b_diss.make_valid()
    if rule.zone == "outside":  # a § 49 ring: the zone without the protected area itself
        b_diss["geometry"] = b_diss.difference(core)
    return gpd.overlay(a_diss, b_diss, how="intersection", keep_geom_type=True).area.sum() / 1e4


def test_default_rules_on_real_extracts_match_geopandas_overlay(real):
    rules, layers, munis = real
    prop = _proposal()
    res = find_conflicts(prop, layers, rules, as_layer="business_areas", municipalities=munis)
    assert len(res.rules) >= 10
    ha = res.pair_ha()
    checked = 0
    for rule in res.rules:
        ref = _reference_ha(prop, layers[rule.b_layer], rule, rules)
        got = float(ha.get(rule.pair, 0.0))
        assert got == pytest.approx(ref, rel=1e-9, abs=1e-9), rule.pair
        checked += ref > 0
    assert checked >= 8  # most pairs really intersect here
    # Per-municipality split adds up to the pair totals.
    per_muni = res.by_municipality[[r.pair for r in res.rules]].sum()
    for rule in res.rules:
        assert per_muni[rule.pair] == pytest.approx(float(ha.get(rule.pair, 0.0)), rel=1e-9, abs=1e-9)
    assert {"5001", "5035", "5021"} <= set(res.by_municipality.kommunenummer)  # Trondheim, Stjørdal, Oppdal
    assert set(res.missing) >= {"ar5"}


@pytest.mark.filterwarnings("ignore:`keep_geom_type=True` in overlay")
def test_forest_mire_and_parks_pairs_match_overlay(real):
    rules, layers, munis = real
    res = pair_conflicts(layers["forest"], layers["mire"], rules, a_layer="forest", b_layer="mire")
    ref = (
        gpd.overlay(
            layers["forest"].dissolve()[["geometry"]],
            layers["mire"].dissolve()[["geometry"]],
            how="intersection",
        ).area.sum()
        / 1e4
    )
    assert res.total_ha() == pytest.approx(ref, rel=1e-9)
    # Snøhetta and Snøhetta øst overlap: the engine counts that ground once, a plain overlay twice.
    wild = layers["wild_reindeer"]
    prop = _proposal()
    res = find_conflicts(prop, {"wild_reindeer": wild}, rules, municipalities=munis)
    got = res.pair_ha()["business_areas × wild_reindeer"]
    union = shapely.intersection(
        shapely.union_all(prop.geometry.values), shapely.union_all(wild.geometry.values)
    )
    assert got == pytest.approx(union.area / 1e4, rel=1e-9)
    naive = gpd.overlay(prop, wild, how="intersection").area.sum() / 1e4
    assert naive > got * 1.2 > 0
    empty = pair_conflicts(wild, layers["power_lines"], rules, a_layer="wild_reindeer", b_layer="power_lines")
    assert empty.total_ha() == 0.0 and empty.by_municipality["medium_ha"].dtype == float
