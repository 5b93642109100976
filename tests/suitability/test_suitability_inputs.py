"""One assembly of suitability inputs for the CLI, the app and the indicators (issue 16)."""

import geopandas as gpd
import numpy as np
import pytest
from areal.apps.planner.data import AppData, LayerState
from areal.apps.planner.engines import Engines
from areal.geo.grid import AnalysisGrid
from areal.geo.profiles import parse_profile
from areal.geo.rules import parse_rules
from areal.layers import registry
from areal.layers.suitability_inputs import LoadedLayers, load_suitability_inputs
from conftest import UTM33, X0, Y0
from shapely.geometry import LineString, box

RULES = parse_rules(
    {
        "rule": [
            {
                "a": "business_areas",
                "b": "lakes",
                "severity": "exclusion",
                "buffer_m": 100,
                "basis": "vannressursloven § 11",
                "explanation": "Shore zone.",
            },
            {
                "a": "business_areas",
                "b": "national_parks",
                "severity": "exclusion",
                "basis": "naturmangfoldloven § 35",
                "explanation": "Park.",
            },
            {"a": "business_areas", "b": "mire", "severity": "medium", "basis": "x", "explanation": "y"},
        ]
    },
    known_layers=["business_areas", "lakes", "national_parks", "mire"],
)

PROFILE = parse_profile(
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
            },
            {
                "id": "port",
                "kind": "distance",
                "layer": "ports",
                "weight": 1,
                "value": {"type": "linear", "best": 0, "worst": 5000},
            },
        ],
    },
    "tiny.toml",
)


def _gdf(geoms, **cols):
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs=UTM33)


def _layers():
    return {
        "municipalities": _gdf(
            [box(X0, Y0, X0 + 1000, Y0 + 1000)], kommunenummer=["5001"], kommunenavn=["T"]
        ),
        "county": _gdf([box(X0, Y0, X0 + 1000, Y0 + 1000)]),
        "roads": _gdf([LineString([(X0 + 50, Y0), (X0 + 50, Y0 + 1000)])]),
        # a 60 m lake: buffered by the rule's 100 m it covers 3 × 3 cells of 100 m
        "lakes": _gdf([box(X0 + 420, Y0 + 420, X0 + 480, Y0 + 480)]),
        "built_up": _gdf([box(X0 + 900, Y0 + 900, X0 + 1000, Y0 + 1000)]),
        "sea": _gdf([box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)]),
    }


def test_rule_exclusions_enter_every_run_and_missing_rule_layers_are_named():
    src = LoadedLayers(_layers(), reasons={"national_parks": "not in the data directory"})
    inputs = load_suitability_inputs(PROFILE, src, rules=RULES)
    assert list(inputs.extra_exclusions) == ["rule: lakes (100 m)"]
    assert (
        "rule: national_parks",
        "exclusion rule skipped: layer 'national_parks' missing (naturmangfoldloven § 35)",
    ) in (inputs.skipped)
    assert "ports" in inputs.layers and inputs.layers["ports"].attrs["derived"].startswith("shoreline")
    from areal.geo.suitability import build_model

    g = AnalysisGrid(UTM33, 100, (X0, Y0, X0 + 1000, Y0 + 1000))
    m = build_model(PROFILE, inputs, g)
    lost = m.area_lost().set_index("exclusion")
    # 9 cells of 1 ha are touched; the exclusion itself covers its exact buffered area
    assert lost.loc["rule: lakes (100 m)", "cells_alone_ha"] == pytest.approx(9.0)
    exact = inputs.extra_exclusions["rule: lakes (100 m)"].geometry.area.sum() / 1e4
    assert lost.loc["rule: lakes (100 m)", "alone_area_ha"] == pytest.approx(exact, rel=1e-12)
    assert lost.loc["rule: lakes (100 m)", "method"] == "exact"
    assert int(m.eligible.sum()) == 91
    # the skip is reported with the plan's own skips, where every view reads them
    assert any(k == "rule: national_parks" for k, _ in m.skipped)
    # rules=None: no rule exclusions (the CLI's --no-conflicts)
    plain = load_suitability_inputs(PROFILE, src, rules=None)
    assert dict(plain.extra_exclusions) == {} and plain.skipped == ()


def test_derived_layers_are_made_once_per_source():
    src = LoadedLayers(_layers())
    a = load_suitability_inputs(PROFILE, src, rules=None).layers["ports"]
    b = load_suitability_inputs(PROFILE, src, rules=None).layers["ports"]
    assert a is b


def test_missing_layer_reason_comes_from_the_source():
    layers = {k: v for k, v in _layers().items() if k not in ("built_up",)}
    inputs = load_suitability_inputs(PROFILE, LoadedLayers(layers), rules=None)
    assert inputs.missing == {"ports": "derived from built_up, sea, which are missing"}


def test_app_engines_use_the_same_assembly_with_rule_exclusions():
    layers = _layers()
    specs = registry.specs()
    states = {
        s.id: LayerState("loaded") if s.id in layers else LayerState("missing", "x", "y") for s in specs
    }
    engines = Engines(AppData(specs=specs, layers=layers, states=states), RULES, {"tiny": PROFILE})
    app_inputs = engines.inputs(PROFILE)
    cli_inputs = load_suitability_inputs(PROFILE, LoadedLayers(layers, {"national_parks": "x"}), rules=RULES)
    assert list(app_inputs.extra_exclusions) == list(cli_inputs.extra_exclusions) == ["rule: lakes (100 m)"]
    model = engines.model("tiny", 100)
    assert int(model.eligible.sum()) == 91  # 100 land cells minus the buffered lake's 9


@pytest.mark.realdata
@pytest.mark.slow
def test_cli_app_and_indicators_get_the_same_inputs_on_real_data(real_data):
    from areal.layers.indicator_inputs import profile_run
    from areal.layers.project_data import load_profile

    profile = load_profile("data_centre")
    cli = load_suitability_inputs(profile, real_data)
    data = AppData.load(real_data, use_starter=False)
    app = Engines(data).inputs(profile)
    assert list(app.extra_exclusions) == list(cli.extra_exclusions)
    assert app.skipped == cli.skipped
    assert ("rule: reindeer_migration_routes", "already an exclusion of the profile") in cli.skipped
    for name, gdf in cli.extra_exclusions.items():
        assert len(app.extra_exclusions[name]) == len(gdf) > 0, name
        np.testing.assert_allclose(app.extra_exclusions[name].area.sum(), gdf.area.sum(), rtol=1e-12)
    run = profile_run("data_centre", 1000.0, real_data, use_cache=False)
    assert ("rule: reindeer_migration_routes", "already an exclusion of the profile") in run.skipped
