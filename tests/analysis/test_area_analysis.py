"""Area analysis per dataset (issue 15): statuses, hectares, distances, rings, on hand-made squares."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from areal.geo.area_analysis import STATUSES, analyse_area, parse_contexts
from areal.geo.errors import InputGeometryError, RuleError, UnknownNameError
from areal.geo.rules import parse_rules
from areal.layers.project_data import load_contexts, load_rules
from conftest import UTM33, X0, Y0
from shapely import box

KNOWN = ["business_areas", "national_parks", "ar5", "mire", "power_lines", "aquaculture_sites", "forest"]
RULES = parse_rules(
    {
        "classes": {"ar5": {"farmland": {"column": "arealtype", "values": ["21", "22", "23"]}}},
        "rule": [
            {
                "a": "business_areas",
                "b": "national_parks",
                "severity": "exclusion",
                "basis": "nml § 35",
                "explanation": ".",
            },
            {
                "a": "business_areas",
                "b": "national_parks",
                "severity": "medium",
                "buffer_m": 500,
                "zone": "outside",
                "basis": "nml § 49",
                "explanation": ".",
            },
            {
                "a": "business_areas",
                "b": "ar5:farmland",
                "severity": "high",
                "basis": "jordlova § 9",
                "explanation": ".",
            },
            {
                "a": "business_areas",
                "b": "mire",
                "severity": "medium",
                "basis": "KU § 21",
                "explanation": ".",
            },
            {
                "a": "business_areas",
                "b": "power_lines",
                "severity": "high",
                "buffer_m": 30,
                "basis": "fef",
                "explanation": ".",
            },
            {
                "a": "business_areas",
                "b": "aquaculture_sites",
                "severity": "medium",
                "buffer_m": 1000,
                "basis": "akvl",
                "explanation": ".",
            },
            {"a": "business_areas", "b": "forest", "severity": "low", "basis": "pbl", "explanation": "."},
        ],
    },
    known_layers=KNOWN,
)
CTX = parse_contexts(
    {
        "context": {
            "reguleringsplan": {
                "title_nb": "Reguleringsplan",
                "title_en": "Zoning plan",
                "as_layer": "business_areas",
                "datasets": ["national_parks", "ar5:farmland", "mire", "power_lines", "aquaculture_sites"],
            }
        },
        "dataset": {
            "mire": {"guidance_nb": "Mål torvdybde.", "guidance_en": "Measure peat depth.", "scale": 1000000}
        },
    },
    RULES,
)


def gdf(*geoms, **cols):
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs=UTM33)


# a 1 km square area (100 ha)
AREA = box(X0, Y0, X0 + 1000, Y0 + 1000)


def layers():
    return {
        # the park covers the west 200 m of the area: 20 ha inside, the 500 m ring outside covers
        # x 200..700 → 50 ha of the area
        "national_parks": gdf(box(X0 - 3000, Y0 - 3000, X0 + 200, Y0 + 4000)),
        # two overlapping farmland fields (overlap counted once) and a forest row that is not farmland
        "ar5": gdf(
            box(X0 + 800, Y0, X0 + 1000, Y0 + 500),
            box(X0 + 900, Y0, X0 + 1100, Y0 + 500),
            box(X0 + 800, Y0 + 500, X0 + 1000, Y0 + 1000),
            arealtype=["21", "23", "30"],
        ),
        # mire 100 m east of the area: only in a 150 m buffer (50 m × 1000 m = 5 ha)
        "mire": gdf(box(X0 + 1100, Y0, X0 + 1300, Y0 + 1000)),
        # no power line anywhere near: 2 km away
        "power_lines": gdf(shapely.LineString([(X0 + 3000, Y0 - 5000), (X0 + 3000, Y0 + 5000)])),
        # aquaculture_sites not loaded: not mapped
    }


def test_statuses_areas_and_distances_known_answer():
    res = analyse_area(gdf(AREA), layers(), RULES, CTX, "reguleringsplan", buffer_m=150)
    r = res.results.set_index("dataset")
    assert res.area_ha == 100.0
    # park: exclusion inside → red; 20 ha inside (20 %), the § 49 ring 50 ha outside the park
    assert (
        r.loc["national_parks", "status"] == "hit_red" and r.loc["national_parks", "severity"] == "exclusion"
    )
    assert r.loc["national_parks", "area_ha"] == pytest.approx(20.0, abs=1e-9)
    assert r.loc["national_parks", "share"] == pytest.approx(0.2, abs=1e-12)
    assert r.loc["national_parks", "zone_ha"] == pytest.approx(50.0, abs=1e-9)
    assert "nml § 49" in r.loc["national_parks", "basis"]
    # farmland: 200 m × 500 m inside (the overlapping field counted once) → high → red
    assert r.loc["ar5:farmland", "status"] == "hit_red"
    assert r.loc["ar5:farmland", "area_ha"] == pytest.approx(10.0, abs=1e-9)
    assert r.loc["ar5:farmland", "n_objects"] == 2 and r.loc["ar5:farmland", "distance_m"] == 0.0
    # mire only in the requested buffer → yellow, 5 ha in the buffer, 100 m away
    assert r.loc["mire", "status"] == "hit_yellow" and r.loc["mire", "area_ha"] == 0.0
    assert r.loc["mire", "buffer_ha"] == pytest.approx(5.0, abs=1e-9)
    assert r.loc["mire", "distance_m"] == pytest.approx(100.0)
    assert r.loc["mire", "guidance_en"] == "Measure peat depth." and r.loc["mire", "scale"] == 1_000_000
    # power line 2 km away: no hit, distance measured
    assert r.loc["power_lines", "status"] == "no_hit" and r.loc["power_lines", "distance_m"] == pytest.approx(
        2000.0
    )
    # not loaded → not mapped, never 0 ha
    assert r.loc["aquaculture_sites", "status"] == "not_mapped" and np.isnan(
        r.loc["aquaculture_sites", "area_ha"]
    )
    # forest is named by a rule but not by the context
    assert r.loc["forest", "status"] == "not_relevant"
    assert list(res.results["status"]) == sorted(res.results["status"], key=STATUSES.index)
    assert res.counts() == {
        "hit_red": 2,
        "hit_yellow": 1,
        "no_hit": 1,
        "not_relevant": 1,
        "not_mapped": 1,
        "error": 0,
    }


def test_without_buffer_the_nearby_mire_is_no_hit():
    res = analyse_area(gdf(AREA), layers(), RULES, CTX, "reguleringsplan")
    r = res.results.set_index("dataset")
    assert r.loc["mire", "status"] == "no_hit" and r.loc["mire", "distance_m"] == pytest.approx(100.0)


def test_a_zone_hit_only_takes_the_zone_rule_severity():
    # area fully outside the park, 300 m from it: the § 49 ring (medium) → yellow
    area = box(X0 + 500, Y0, X0 + 1000, Y0 + 1000)
    res = analyse_area(gdf(area), layers(), RULES, CTX, "reguleringsplan")
    r = res.results.set_index("dataset")
    assert (
        r.loc["national_parks", "status"] == "hit_yellow" and r.loc["national_parks", "severity"] == "medium"
    )
    assert r.loc["national_parks", "area_ha"] == 0.0
    assert r.loc["national_parks", "zone_ha"] == pytest.approx(20.0, abs=1e-9)  # x 500..700


def test_a_point_inside_the_park_is_red_with_no_area():
    res = analyse_area(gdf(shapely.Point(X0 + 100, Y0 + 100)), layers(), RULES, CTX, "reguleringsplan")
    r = res.results.set_index("dataset")
    assert r.loc["national_parks", "status"] == "hit_red" and r.loc["national_parks", "area_ha"] == 0.0
    assert np.isnan(r.loc["national_parks", "share"])


def test_a_layer_that_failed_is_an_error_with_its_message():
    res = analyse_area(
        gdf(AREA),
        layers(),
        RULES,
        CTX,
        "reguleringsplan",
        errors={"mire": "mire: column 'x' is not a number"},
    )
    r = res.results.set_index("dataset")
    assert r.loc["mire", "status"] == "error" and "column 'x'" in r.loc["mire", "message"]


def test_bad_input_is_refused_with_one_line():
    with pytest.raises(UnknownNameError, match="unknown context 'bygg'; known contexts: reguleringsplan"):
        analyse_area(gdf(AREA), layers(), RULES, CTX, "bygg")
    with pytest.raises(InputGeometryError, match="buffer must be .* got -5"):
        analyse_area(gdf(AREA), layers(), RULES, CTX, "reguleringsplan", buffer_m=-5)
    with pytest.raises(InputGeometryError, match="empty"):
        analyse_area(gdf(AREA).iloc[:0], layers(), RULES, CTX, "reguleringsplan")
    with pytest.raises(RuleError, match="dataset 'lakes' is named by no rule"):
        parse_contexts(
            {
                "context": {
                    "x": {
                        "title_nb": "x",
                        "title_en": "x",
                        "as_layer": "business_areas",
                        "datasets": ["lakes"],
                    }
                }
            },
            RULES,
        )


def test_shipped_contexts_are_valid_and_cover_the_six_dok_contexts():
    t = load_contexts(rules=load_rules())
    assert set(t.contexts) == {"planinitiativ", "reguleringsplan", "kommuneplan", "byggesak", "ros", "ku"}
    for sel in t.get("reguleringsplan").datasets:
        g = t.datasets[sel]
        assert g.guidance_nb and g.guidance_en, sel


def test_outside_the_layers_coverage_is_not_mapped_never_zero():
    # AR5 fetched only for the municipality east of x = 2000: the area (x 0..1000) is not mapped
    cov = {"ar5": box(X0 + 2000, Y0 - 5000, X0 + 9000, Y0 + 5000), "mire": None}
    lay = layers() | {"ar5": gdf(box(X0 + 3000, Y0, X0 + 3100, Y0 + 100), arealtype=["21"])}
    r = analyse_area(gdf(AREA), lay, RULES, CTX, "reguleringsplan", coverage=cov).results.set_index("dataset")
    assert r.loc["ar5:farmland", "status"] == "not_mapped" and np.isnan(r.loc["ar5:farmland", "area_ha"])
    assert (
        r.loc["ar5:farmland", "covered_share"] == 0.0
        and "outside_coverage" in r.loc["ar5:farmland", "message"]
    )
    assert r.loc["mire", "covered_share"] == 1.0  # None: mapped everywhere


def test_a_hit_in_a_partly_mapped_area_stays_a_hit_and_says_so():
    cov = {"ar5": box(X0 + 500, Y0 - 5000, X0 + 9000, Y0 + 5000)}  # east half of the area mapped
    r = analyse_area(gdf(AREA), layers(), RULES, CTX, "reguleringsplan", coverage=cov).results.set_index(
        "dataset"
    )
    assert r.loc["ar5:farmland", "status"] == "hit_red" and r.loc["ar5:farmland", "area_ha"] == pytest.approx(
        10.0
    )
    assert r.loc["ar5:farmland", "covered_share"] == pytest.approx(0.5)
    assert "partly_mapped" in r.loc["ar5:farmland", "message"]


def test_the_municipalities_of_the_area_are_named_in_norwegian_and_sami():
    munis = gdf(
        box(X0 - 5000, Y0 - 5000, X0 + 500, Y0 + 5000),
        box(X0 + 500, Y0 - 5000, X0 + 5000, Y0 + 5000),
        box(X0 + 1000, Y0 - 5000, X0 + 6000, Y0 + 5000),
        kommunenummer=["5025", "5001", "5006"],
        kommunenavn=["Røros - Rosse", "Trondheim - Tråante", "Steinkjer"],
    )
    res = analyse_area(
        gdf(box(X0, Y0, X0 + 1000, Y0 + 1000)), layers(), RULES, CTX, "reguleringsplan", municipalities=munis
    )
    # 5006 only touches the area's east edge (x = X0 + 1000): not in it
    assert res.municipalities == [("5001", "Trondheim - Tråante"), ("5025", "Røros - Rosse")]
    assert res.to_dict()["municipalities"][1] == {"kommunenummer": "5025", "kommunenavn": "Røros - Rosse"}
