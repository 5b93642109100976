"""§ 49 zones are rings outside the protected area (issue 15): known answers on hand-made squares."""

import math

import geopandas as gpd
import pytest
from areal.geo.conflicts import find_conflicts, touched_features
from areal.geo.errors import RuleError
from areal.geo.overlay import BUFFER_QUAD_SEGS
from areal.geo.rules import parse_rules
from areal.layers.project_data import load_rules
from conftest import UTM33, X0, Y0
from shapely import box

KNOWN = ["business_areas", "national_parks", "protected_areas"]
# The 500 m buffer of a square has quarter-circle corners drawn as regular polygons of
# BUFFER_QUAD_SEGS segments per quarter: its area is side² + 4·side·r + the n-gon.
N = 4 * BUFFER_QUAD_SEGS
NGON = N / 2 * 500**2 * math.sin(2 * math.pi / N)


def gdf(*geoms):
    return gpd.GeoDataFrame(geometry=list(geoms), crs=UTM33)


def rules(zone):
    return parse_rules(
        {
            "rule": [
                {
                    "a": "business_areas",
                    "b": "national_parks",
                    "severity": "exclusion",
                    "buffer_m": 0,
                    "basis": "nml § 35",
                    "explanation": "inside",
                },
                {
                    "a": "business_areas",
                    "b": "national_parks",
                    "severity": "medium",
                    "buffer_m": 500,
                    "zone": zone,
                    "basis": "nml § 49",
                    "explanation": "outside",
                },
            ]
        },
        known_layers=KNOWN,
    )


# A 2 km park square; the proposal straddles its east border: 1 km inside, 1.5 km outside, and
# spans the park's full height (2 km) so the corners of the zone stay outside the proposal.
PARK = box(X0, Y0, X0 + 2000, Y0 + 2000)
PROPOSAL = box(X0 + 1000, Y0, X0 + 3500, Y0 + 2000)


def test_500m_zone_is_the_ring_outside_the_park():
    res = find_conflicts(gdf(PROPOSAL), {"national_parks": gdf(PARK)}, rules("outside"))
    ha = res.pair_ha()
    assert ha["business_areas × national_parks"] == pytest.approx(200.0, abs=1e-9)  # 1000 × 2000 m
    # the ring outside the park within the proposal: 500 m × 2000 m = 100 ha, no park in it
    assert ha["business_areas × national_parks (500 m)"] == pytest.approx(100.0, abs=1e-9)
    ring = res.polygons[res.polygons.buffer_m == 500].geometry.union_all()
    assert ring.intersection(PARK).area == pytest.approx(0.0, abs=1e-6)


def test_whole_zone_would_count_the_park_again():
    res = find_conflicts(gdf(PROPOSAL), {"national_parks": gdf(PARK)}, rules("whole"))
    assert res.pair_ha()["business_areas × national_parks (500 m)"] == pytest.approx(300.0, abs=1e-9)


def test_ring_of_a_whole_square_is_buffer_minus_square():
    big = box(X0 - 5000, Y0 - 5000, X0 + 7000, Y0 + 7000)  # the proposal covers the whole zone
    res = find_conflicts(gdf(big), {"national_parks": gdf(PARK)}, rules("outside"))
    ring = 4 * 2000 * 500 + NGON  # buffer area − square area
    assert res.pair_ha()["business_areas × national_parks (500 m)"] * 1e4 == pytest.approx(ring, rel=1e-12)


def test_enclave_inside_a_park_stays_in_the_ring():
    holed = PARK.difference(box(X0 + 900, Y0 + 900, X0 + 1100, Y0 + 1100))  # 4 ha hole, outside the park
    inner = box(X0 + 800, Y0 + 800, X0 + 1200, Y0 + 1200)
    res = find_conflicts(gdf(inner), {"national_parks": gdf(holed)}, rules("outside"))
    assert res.pair_ha()["business_areas × national_parks (500 m)"] == pytest.approx(4.0, abs=1e-9)
    assert res.pair_ha()["business_areas × national_parks"] == pytest.approx(12.0, abs=1e-9)


def test_touched_features_ring():
    hits = touched_features(gdf(PROPOSAL), gdf(PARK), 500, zone="outside")
    assert hits.area_ha.sum() == pytest.approx(100.0, abs=1e-9)


def test_default_rules_put_section_49_zones_outside():
    t = load_rules()
    s49 = [r for r in t.rules if "§ 49" in r.basis and r.b_layer in ("protected_areas", "national_parks")]
    # business areas and test arenas: protected areas and parks; a sea test area: protected areas
    assert len(s49) == 5 and all(r.zone == "outside" and r.buffer_m > 0 for r in s49)


def test_bad_zone_is_refused_with_its_value():
    with pytest.raises(RuleError, match="unknown zone 'ring'.*allowed: whole, outside"):
        rules("ring")
    doc = {
        "rule": [
            {
                "a": "business_areas",
                "b": "national_parks",
                "severity": "medium",
                "zone": "outside",
                "basis": "b",
                "explanation": "e",
            }
        ]
    }
    with pytest.raises(RuleError, match="needs buffer_m > 0"):
        parse_rules(doc, known_layers=KNOWN)
