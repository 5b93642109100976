"""Conflict engine wired into suitability: rule exclusions (with buffers) and per-site conflicts."""

import geopandas as gpd
import numpy as np
import pytest
from areal.geo.grid import AnalysisGrid
from areal.geo.profiles import parse_profile
from areal.geo.rules import parse_rules
from areal.geo.suitability import build_model
from areal.geo.suitability_plan import SuitabilityInputs
from areal.geo.windowed import run_windowed
from areal.layers.site_conflicts import SiteConflicts, rule_exclusions
from conftest import UTM33, X0, Y0
from shapely.geometry import LineString, box

RULES = parse_rules(
    {
        "rule": [
            {
                "a": "business_areas",
                "b": "protected_areas",
                "severity": "high",
                "buffer_m": 0,
                "basis": "naturmangfoldloven § 34",
                "explanation": "Protected.",
            },
            {
                "a": "business_areas",
                "b": "lakes",
                "severity": "exclusion",
                "buffer_m": 100,
                "basis": "vannressursloven § 11",
                "explanation": "Shore zone.",
            },
            {
                "a": "test_arenas",
                "b": "roads",
                "severity": "exclusion",
                "buffer_m": 0,
                "basis": "other use",
                "explanation": "Not for business_areas.",
            },
        ]
    },
    known_layers=["business_areas", "protected_areas", "lakes", "test_arenas", "roads"],
)


def _case():
    land = gpd.GeoDataFrame(
        {"kommunenummer": ["5001"], "kommunenavn": ["Trondheim"]},
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)],
        crs=UTM33,
    )
    layers = {
        "roads": gpd.GeoDataFrame(geometry=[LineString([(X0 + 50, Y0), (X0 + 50, Y0 + 1000)])], crs=UTM33),
        # a 60 m lake: alone it touches one 100 m cell; buffered by 100 m it touches 3 × 3 cells
        "lakes": gpd.GeoDataFrame(geometry=[box(X0 + 420, Y0 + 420, X0 + 480, Y0 + 480)], crs=UTM33),
        # 150 m × 200 m of it lies on land (and in the site), 100 m × 200 m off land: 3.00 ha in conflict
        "protected_areas": gpd.GeoDataFrame(
            {"navn": ["Vern"]}, geometry=[box(X0 - 100, Y0, X0 + 150, Y0 + 200)], crs=UTM33
        ),
    }
    prof = parse_profile(
        {
            "name": "tiny",
            "title_nb": "Liten",
            "title_en": "Tiny",
            "rationale": "test",
            "min_area_ha": 1,
            "threshold": 0.0,
            "connectivity": "rook",
            "exclusions": [],
            "criteria": [
                {
                    "id": "road",
                    "kind": "distance",
                    "layer": "roads",
                    "weight": 1,
                    "value": {"type": "linear", "best": 0, "worst": 5000},
                }
            ],
        },
        "tiny.toml",
    )
    return land, layers, prof


def test_rule_exclusion_removes_exactly_the_buffered_area():
    land, layers, prof = _case()
    excl, skipped = rule_exclusions(RULES, layers)
    assert list(excl) == ["rule: lakes (100 m)"]  # only exclusion rules of business_areas
    assert excl["rule: lakes (100 m)"].geometry.iloc[0].area == pytest.approx(
        60 * 60 + 4 * 60 * 100 + np.pi * 100**2, rel=1e-3
    )
    g = AnalysisGrid(UTM33, 100, (X0, Y0, X0 + 1000, Y0 + 1000))
    m = build_model(prof, SuitabilityInputs(layers=layers, land=land, extra_exclusions=excl), g)
    s = m.suitability()
    expected = np.zeros(g.shape, bool)
    expected[4:7, 3:6] = True  # y 320..580 -> rows 4..6; x 320..580 -> cols 3..5
    np.testing.assert_array_equal(np.isnan(s), expected)
    lost = m.area_lost().set_index("exclusion")
    # 9 cells of 1 ha are touched; the exclusion itself covers its exact buffered area
    assert lost.loc["rule: lakes (100 m)", "cells_alone_ha"] == pytest.approx(9.0)
    exact = excl["rule: lakes (100 m)"].geometry.area.sum() / 1e4
    assert lost.loc["rule: lakes (100 m)", "alone_area_ha"] == pytest.approx(exact, rel=1e-12)
    assert lost.loc["rule: lakes (100 m)", "method"] == "exact"
    sites = m.sites()
    assert len(sites) == 1 and sites.iloc[0]["area_ha"] == pytest.approx(91.0)
    # without the rule only the profile's (empty) exclusions apply: all 100 ha
    plain = build_model(prof, SuitabilityInputs(layers=layers, land=land), g).sites()
    assert plain.iloc[0]["area_ha"] == pytest.approx(100.0)


def test_rule_exclusion_missing_layer_and_duplicate_reported():
    land, layers, prof = _case()
    excl, skipped = rule_exclusions(RULES, {k: v for k, v in layers.items() if k != "lakes"})
    assert excl == {} and skipped[0][0] == "rule: lakes (100 m)" and "'lakes' missing" in skipped[0][1]


@pytest.mark.parametrize("windowed", [False, True])
def test_site_lists_the_conflict_it_touches_with_hectares(windowed):
    land, layers, prof = _case()
    excl, _ = rule_exclusions(RULES, layers)
    inputs = SuitabilityInputs(layers=layers, land=land, extra_exclusions=excl)
    g = AnalysisGrid(UTM33, 100, (X0, Y0, X0 + 1000, Y0 + 1000))
    conflicts = SiteConflicts(RULES, layers)
    if windowed:
        sites = run_windowed(prof, inputs, g, tile=3, sites=True, conflicts=conflicts).sites
    else:
        sites = build_model(prof, inputs, g).sites(conflicts=conflicts)
    assert len(sites) == 1
    site = sites.iloc[0]
    assert site["n_conflicts"] == 1
    assert site["conflicts"] == "business_areas × protected_areas (high, 3.00 ha)"
    assert site["conflict_area_ha"] == pytest.approx(3.0)
    assert site["conflict_basis"] == "naturmangfoldloven § 34"
    t = conflicts.table
    assert t[["site_id", "pair", "severity"]].values.tolist() == [
        [1, "business_areas × protected_areas", "high"]
    ]
    assert t["area_ha"].iloc[0] == pytest.approx(3.0)
