"""Indicators: hand-computed tiny fixture, 'not available' naming the layer, catalogue errors, real extracts."""

import math
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from areal.geo.errors import RuleError
from areal.geo.indicators import (
    IndicatorInputs,
    ProfileRun,
    best_sites_by_municipality,
    compute_indicators,
    parse_indicators,
    rank,
)
from areal.geo.land_account import land_account
from areal.geo.rules import parse_rules
from click.testing import CliRunner
from conftest import UTM33, X0, Y0
from shapely.geometry import Point, box

FACTORS = {
    "developed": {"factor": 0.0, "unit": "t CO2-eq/ha", "source": "test"},
    "forest": {"factor": 100.0, "unit": "t CO2-eq/ha", "source": "test"},
    "mire": {"factor": 500.0, "unit": "t CO2-eq/ha", "source": "test"},
    "other": {"factor": 10.0, "unit": "t CO2-eq/ha", "source": "test"},
}
RULES = parse_rules(
    {
        "rule": [
            {
                "a": "business_areas",
                "b": "protected_areas",
                "severity": "exclusion",
                "basis": "nml § 34",
                "explanation": "x",
            },
            {
                "a": "business_areas",
                "b": "mire",
                "severity": "medium",
                "basis": "pbl § 11-8",
                "explanation": "y",
            },
        ]
    },
    known_layers=["business_areas", "protected_areas", "mire"],
)


def _gdf(geoms, **cols):
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=UTM33)


def b(x0, y0, x1, y1):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def p(x, y):
    return Point(X0 + x, Y0 + y)


def ind(iid, method, params, hib=True):
    return {
        "id": iid,
        "title_nb": iid,
        "title_en": iid,
        "unit": "u",
        "method": method,
        "params": params,
        "higher_is_better": hib,
        "source": "test",
    }


CATALOGUE = parse_indicators(
    {
        "indicator": [
            ind("planned", "account_column", {"column": "business_planned_ha"}),
            ind("free", "conflict_free_share", {"severities": ["exclusion", "high"]}),
            ind("developed", "account_column", {"column": "planned_developed_share"}),
            ind("farmland", "account_column", {"column": "planned_on_farmland_ha"}, False),
            ind("mire", "account_column", {"column": "planned_on_mire_ha"}, False),
            ind("co2", "account_column", {"column": "planned_co2_t"}, False),
            ind("protected", "account_share", {"numerator": "protected_ha"}, False),
            ind("best", "best_site_score", {"profile": "demo"}),
            ind("grid", "grid_capacity_near_site", {"profile": "demo", "radius_km": 5.0}),
            ind("arenas", "arenas_within", {"radius_km": 0.9}),
        ]
    },
    source="tiny.toml",
)


class _Profile:
    threshold, min_area_ha = 0.75, 2.0


@pytest.fixture
def tiny():
    """A = 5001 (x 0-1000), B = 5002 (x 1000-2000), both 1 km tall (100 ha)."""
    munis = _gdf(
        [b(0, 0, 1000, 1000), b(1000, 0, 2000, 1000)], kommunenummer=["5001", "5002"], kommunenavn=["A", "B"]
    )
    layers = {
        "built_up": _gdf([b(0, 0, 200, 1000)]),  # 20 ha in A
        "mire": _gdf([b(300, 0, 400, 1000)]),  # 10 ha in A
        "forest": _gdf([b(1000, 0, 2000, 1000)]),  # all of B
        "protected_areas": _gdf([b(350, 0, 450, 500)], navn=["p"], verneform=["NR"]),  # 5 ha in A
        "business_areas": _gdf(
            [b(100, 0, 400, 1000), b(1000, 0, 1200, 500), b(1500, 0, 1600, 1000)],
            arealbruksstatus=["2", "2", "1"],
            arealformal=["1300"] * 3,
        ),
        "test_arenas": _gdf(
            [p(500, 500), p(1800, 500), p(1900, 900)], id=["a", "b", "c"], name=["a", "b", "c"]
        ),
        "grid_capacity": _gdf(
            [p(50, 5050), p(50, 20000), p(6000, 50), b(0, 0, 2000, 1000)],
            availableCons=[10.0, 100.0, 7.0, 999.0],
        ),
    }
    acc = land_account(munis, layers, emission_factors=FACTORS)
    sites = gpd.GeoDataFrame(
        {
            "kommunenummer": ["5001", "5002"],
            "kommunenavn": ["A", "B"],
            "site_rank": [1, 1],
            "mean_score": [0.8, 0.9],
            "n_cells": [1, 1],
            "area_ha": [1.0, 1.0],
        },
        geometry=[b(0, 0, 100, 100), b(1900, 0, 2000, 100)],
        crs=UTM33,
    )
    run = ProfileRun(_Profile(), sites, 100.0)
    # how to get a layer is the caller's (layers/); geo/ names no CLI command itself
    remedies = {
        "ar5": "`areal fetch ar5` or `areal import FILE --as ar5`",
        "farmland": "`areal fetch farmland` (AR5, else AR50, else N50)",
    }
    return IndicatorInputs(munis, acc, layers, remedies, RULES, {"demo": run}, {}, FACTORS)


def test_hand_computed_indicators(tiny):
    res = compute_indicators(CATALOGUE, tiny)
    t = res.table.set_index("kommunenummer")
    s = res.summary.set_index("id")
    A, B = t.loc["5001"], t.loc["5002"]
    # planned business land: A 30 ha (x 100-400), B 10 ha
    assert (A.planned, B.planned, s.loc["planned", "county"]) == pytest.approx((30, 10, 40))
    # exclusion conflict = planned ∩ protected = x 350-400, y 0-500 = 2.5 ha
    assert A.free == pytest.approx(1 - 2.5 / 30) and B.free == pytest.approx(1.0)
    assert s.loc["free", "county"] == pytest.approx(1 - 2.5 / 40)
    # developed = built_up ∪ existing business: A's planned x 100-200 = 10 of 30 ha; B none
    assert (A.developed, B.developed, s.loc["developed", "county"]) == pytest.approx((1 / 3, 0, 0.25))
    # order developed, farmland, mire, forest, other: A = 10 dev + 10 mire + 10 other; B = 10 forest
    assert (A.mire, B.mire) == pytest.approx((10, 0))
    assert A.co2 == pytest.approx(10 * 0 + 10 * 500 + 10 * 10) and B.co2 == pytest.approx(10 * 100)
    assert s.loc["co2", "median"] == pytest.approx((5100 + 1000) / 2)
    assert (A.protected, B.protected) == pytest.approx((0.05, 0.0))
    assert (A.best, B.best, s.loc["best", "county"]) == pytest.approx((0.8, 0.9, 0.9))
    # substations (points) within 5 km of each best site; the 999 MW grid-area polygon is ignored
    assert (A.grid, B.grid, s.loc["grid", "county"]) == pytest.approx((10, 7, 7))
    # arenas within 0.9 km of each municipality's business land (A: x 100-400; B: x 1000-1200 and
    # 1500-1600; B's land touching A's border is not A's): A reaches a (100 m); B reaches a
    # (500 m), b (200 m) and c (300 m)
    assert (A.arenas, B.arenas) == (1, 3)
    # ranks respect higher_is_better
    assert (A.co2_rank, B.co2_rank) == (2, 1) and (A.free_rank, B.free_rank) == (2, 1)
    assert (A.protected_rank, B.protected_rank) == (2, 1) and (A.grid_rank, B.grid_rank) == (1, 2)


def test_not_available_names_the_layer(tiny):
    res = compute_indicators(CATALOGUE, tiny).summary.set_index("id")
    assert res.loc["farmland", "status"] == "not available"
    reason = res.loc["farmland", "reason"]
    assert (reason.code, reason.values) == ("layers_missing", {"layers": ["farmland"], "purpose": ""})
    without = {k: v for k, v in tiny.layers.items() if k not in ("business_areas", "grid_capacity")}
    inputs = IndicatorInputs(
        tiny.municipalities,
        land_account(tiny.municipalities, without, emission_factors=FACTORS),
        without,
        {"business_areas": "`areal import FILE --as business_areas`"},
        RULES,
        tiny.suitability,
        {},
        FACTORS,
    )
    out = compute_indicators(CATALOGUE, inputs)
    s = out.summary.set_index("id")
    for iid in ("planned", "free", "developed", "mire", "co2"):
        assert s.loc[iid, "status"] == "not available", iid
        assert "business_areas" in s.loc[iid, "reason"].values["layers"], iid
        assert out.table[iid].isna().all() and out.table[f"{iid}_rank"].isna().all()
        assert math.isnan(s.loc[iid, "median"])
    assert s.loc["grid", "reason"].values == {
        "layers": ["grid_capacity"],
        "purpose": "optional_non_commercial",
    }
    assert s.loc["protected", "status"] == "ok"  # the nature account does not need business areas


def test_rank_ties_and_nan():
    r = rank(pd.Series([3.0, np.nan, 5.0, 3.0]), higher_is_better=False)
    assert r.tolist() == [1, pd.NA, 3, 1]


def test_best_sites_split_by_municipality():
    from areal.geo.grid import AnalysisGrid

    grid = AnalysisGrid(UTM33, 100.0, (X0, Y0, X0 + 2000, Y0 + 1000))
    munis = _gdf(
        [b(0, 0, 1000, 1000), b(1000, 0, 2000, 1000)], kommunenummer=["5001", "5002"], kommunenavn=["A", "B"]
    )
    s = np.zeros(grid.shape, np.float32)
    s[0:2, 2:5] = 0.9  # 6 cells in A
    s[5, 6] = 0.95  # 1 cell in A: below the 2 ha minimum
    s[8:10, 8:12] = 0.8  # 8 cells across the border: 4 in A, 4 in B
    s[0, 15] = np.nan
    out = best_sites_by_municipality(s, grid, munis, threshold=0.75, min_area_ha=2.0, n=3)
    a = out[out.kommunenummer == "5001"].sort_values("site_rank")
    assert a["mean_score"].tolist() == pytest.approx([0.9, 0.8]) and a["area_ha"].tolist() == pytest.approx(
        [6, 4]
    )
    bb = out[out.kommunenummer == "5002"]
    assert (
        len(bb) == 1
        and bb.iloc[0].area_ha == pytest.approx(4)
        and bb.iloc[0].geometry.area == pytest.approx(4e4)
    )
    assert a.iloc[0].geometry.bounds == pytest.approx((X0 + 200, Y0 + 800, X0 + 500, Y0 + 1000))


def test_best_sites_are_sized_like_business_land():
    """A suitable region of 200 ha is handed out as parcels of at most ``max_area_ha``."""
    from areal.geo.grid import AnalysisGrid

    grid = AnalysisGrid(UTM33, 100.0, (X0, Y0, X0 + 2000, Y0 + 1000))
    munis = _gdf([b(0, 0, 2000, 1000)], kommunenummer=["5001"], kommunenavn=["A"])
    s = np.full(grid.shape, 0.9, np.float32)
    whole = best_sites_by_municipality(s, grid, munis, threshold=0.75, min_area_ha=2.0, n=50)
    assert whole["area_ha"].tolist() == pytest.approx([200])
    out = best_sites_by_municipality(s, grid, munis, threshold=0.75, min_area_ha=2.0, n=50, max_area_ha=30)
    assert len(out) >= 7 and (out["area_ha"] <= 30 + 1e-9).all() and (out["area_ha"] >= 2).all()
    assert out["area_ha"].sum() == pytest.approx(200)  # the region is cut, no cell lost
    assert out.geometry.area.sum() == pytest.approx(200 * 1e4)


# ---------------------------------------------------------------- catalogue validation


@pytest.mark.parametrize(
    "change, message",
    [
        ({"colour": "red"}, "unknown key(s) ['colour']"),
        ({"method": "magic"}, "method = 'magic' is not registered"),
        ({"higher_is_better": "yes"}, "higher_is_better = 'yes': expected true or false"),
        (
            {"params": {"column": "x", "scale": 2}},
            "params.scale is not a parameter of method 'account_column'",
        ),
        ({"params": {}}, "params.column is required by method 'account_column'"),
        ({"params": {"column": 3}}, "params.column = 3: expected str"),
        ({"unit": ""}, "unit = '': expected non-empty text"),
        ({"id": "2x"}, "id = '2x'"),
    ],
)
def test_catalogue_errors_name_file_key_value(change, message):
    entry = {**ind("x", "account_column", {"column": "forest_ha"}), **change}
    with pytest.raises(RuleError, match="cat.toml: indicator #1") as e:
        parse_indicators({"indicator": [entry]}, source="cat.toml")
    assert message in str(e.value)


def test_catalogue_params_checked():
    with pytest.raises(RuleError, match=r"params.severities = \['grave'\]: \['grave'\] not in"):
        parse_indicators(
            {"indicator": [ind("x", "conflict_free_share", {"severities": ["grave"]})]}, "c.toml"
        )
    with pytest.raises(RuleError, match="params.origin = 'airport'"):
        parse_indicators({"indicator": [ind("x", "arenas_within", {"origin": "airport"})]}, "c.toml")


def test_catalogue_folder_errors(tmp_path):
    from areal.layers.project_data import load_indicators

    (tmp_path / "a.toml").write_text(
        '[[indicator]]\nid = "x"\ntitle_nb = "x"\ntitle_en = "x"\nunit = "ha"\n'
        'method = "account_column"\nparams = { column = "forest_ha" }\n'
        'higher_is_better = true\nsource = "s"\n',
        encoding="utf-8",
    )
    (tmp_path / "b.toml").write_text((tmp_path / "a.toml").read_text())
    with pytest.raises(RuleError, match="b.toml.*id = 'x' is already defined in a.toml"):
        load_indicators(tmp_path)
    (tmp_path / "b.toml").write_text(
        (tmp_path / "a.toml")
        .read_text()
        .replace('"x"', '"y"')
        .replace(
            'method = "account_column"\nparams = { column = "forest_ha" }',
            'method = "best_site_score"\nparams = { profile = "steelworks" }',
        )
    )
    with pytest.raises(RuleError, match="params.profile = 'steelworks' is not a shipped profile"):
        load_indicators(tmp_path)
    (tmp_path / "b.toml").write_text("[[indicator]\n")
    with pytest.raises(RuleError, match="b.toml: not valid TOML"):
        load_indicators(tmp_path)


def test_shipped_catalogue():
    from areal.layers.project_data import load_indicators

    inds = load_indicators()
    assert len(inds) >= 8
    ids = {i.id for i in inds}
    assert {
        "planned_business_ha",
        "planned_business_conflict_free_share",
        "planned_on_developed_share",
        "farmland_at_stake_ha",
        "mire_at_stake_ha",
        "co2_at_stake_t",
        "grid_capacity_near_best_site_mw",
        "test_arenas_within_30km",
    } <= ids
    assert all(i.source and i.title_nb and i.title_en for i in inds)
    grid = next(i for i in inds if i.id == "grid_capacity_near_best_site_mw")
    assert "non-commercial" in grid.source


# ---------------------------------------------------------------- real extracts


@pytest.fixture(scope="module")
def real_table(real_data, tmp_path_factory):
    from areal.geo.indicators import compute_indicators as ci
    from areal.layers.indicator_inputs import load_indicator_inputs
    from areal.layers.project_data import load_indicators

    inds = load_indicators()
    t0 = time.perf_counter()
    inputs = load_indicator_inputs(inds, real_data, profile_resolution=250.0, use_cache=False)
    res = ci(inds, inputs)
    return res, time.perf_counter() - t0


@pytest.mark.realdata
def test_real_all_indicators_38_municipalities(real_table):
    res, seconds = real_table
    assert seconds < 60, f"all indicators took {seconds:.1f} s (uncached)"
    assert len(res.table) == 38 and res.table["kommunenummer"].is_unique
    s = res.summary.set_index("id")
    for i in res.indicators:
        vals, ranks = res.table[i.id], res.table[f"{i.id}_rank"]
        assert (vals.notna() == ranks.notna()).all(), i.id
        assert s.loc[i.id, "n_values"] == vals.notna().sum()
        if vals.notna().any():
            assert s.loc[i.id, "median"] == pytest.approx(float(np.median(vals.dropna())))
            best = vals.max() if i.higher_is_better else vals.min()
            assert (vals[ranks == 1] == best).all() and ranks.max() <= vals.notna().sum()
            # a better value never gets a worse rank
            order = vals.dropna().sort_values(ascending=not i.higher_is_better).index
            assert ranks[order].is_monotonic_increasing, i.id
        else:
            assert s.loc[i.id, "status"] == "not available" and s.loc[i.id, "reason"]
    for iid in ("planned_business_ha", "planned_on_developed_share", "co2_at_stake_t"):
        assert "business_areas" in s.loc[iid, "reason"].values["layers"]
    # farmland is there (the N50 sample through the composite): only business_areas is missing
    assert s.loc["farmland_at_stake_ha", "reason"].values["layers"] == ["business_areas"]
    assert s.loc["protected_share", "status"] == "ok" and s.loc["test_arenas_within_30km", "status"] == "ok"
    assert s.loc["best_site_data_centre", "n_values"] >= 3


@pytest.mark.realdata
def test_cli_indicators_outputs(real_data, tmp_path):
    from areal.apps.cli import main

    r = CliRunner().invoke(
        main,
        [
            "indicators",
            "--out",
            str(tmp_path / "i.gpkg"),
            "--csv",
            str(tmp_path / "i.csv"),
            "-m",
            "5001",
            "--data-dir",
            str(real_data),
        ],
    )
    assert r.exit_code == 0, r.output
    assert (
        "Trondheim" in r.output
        and "ikke tilgjengelig" in r.output
        and "areal fetch business_areas" in r.output
    )
    g = gpd.read_file(tmp_path / "i.gpkg", layer="indicators")
    assert len(g) == 38 and "test_arenas_within_30km_rank" in g.columns and g.crs.to_epsg() == 25833
    cat = gpd.read_file(tmp_path / "i.gpkg", layer="indicator_catalogue")
    assert {"median", "reason", "source"} <= set(cat.columns)
    df = pd.read_csv(tmp_path / "i.csv", dtype={"kommunenummer": str})
    assert len(df) == 40 and df["kommunenummer"].iloc[-2:].tolist() == ["median", "50"]
    assert df.loc[df.kommunenummer == "median", "protected_share"].iloc[0] == pytest.approx(
        df["protected_share"].iloc[:38].median(), rel=1e-5
    )


# ---------------------------------------------------------------- scenario compare


def test_scenario_compare_conflicts_and_indicators(tiny):
    from areal.geo.indicators import scenario_conflict_metric, scenario_indicator_metric
    from areal.geo.scenario import Scenario, compare

    # A: x 300-500 (20 ha): 10 ha mire (medium), protected x 350-450 y 0-500 = 5 ha (exclusion)
    # B: x 0-200 (20 ha): all on built_up (developed), no conflict
    sa = Scenario("A", _gdf([b(300, 0, 500, 1000)]))
    sb = Scenario("B", _gdf([b(0, 0, 200, 1000)]))
    table = compare(
        sa,
        sb,
        {
            "conflicts": scenario_conflict_metric(tiny),
            "indicators": scenario_indicator_metric(tiny, CATALOGUE),
        },
    )
    c = table.loc["conflicts"]
    assert c.loc["exclusion_ha"].tolist() == pytest.approx([5, 0, -5])
    assert c.loc["medium_ha"].tolist() == pytest.approx([10, 0, -10])
    assert c.loc["conflict_ha"].tolist() == pytest.approx(
        [12.5, 0, -12.5]
    )  # 10 mire ∪ 5 protected, 2.5 shared
    assert c.loc["layers_missing", "A"] == 0
    i = table.loc["indicators"]
    assert set(i.index) == {
        "free",
        "developed",
        "farmland",
        "mire",
        "co2",
    }  # the others need 38 municipalities
    assert i.loc["free"].tolist() == pytest.approx([0.75, 1.0, 0.25])
    assert i.loc["developed"].tolist() == pytest.approx([0.0, 1.0, 1.0])
    # A: 10 ha mire × 500 + 10 ha other × 10 ; B: developed × 0
    assert i.loc["co2"].tolist() == pytest.approx([5100, 0, -5100])
    assert i.loc["farmland"].isna().all()  # no AR5: not available, not 0


@pytest.mark.realdata
def test_cli_scenario_compare_shows_conflicts_and_indicators(real_data, tmp_path):
    from areal.apps.cli import main
    from conftest import FIXTURES

    ba = gpd.read_file(FIXTURES / "business_areas_5001.geojson")
    planned = ba[ba["arealbruksstatus"].astype(str) == "2"]
    planned.iloc[:1].to_file(tmp_path / "a.gpkg")
    planned.to_file(tmp_path / "b.gpkg")
    store = str(tmp_path / "s.sqlite")

    def run(*a):
        return CliRunner().invoke(main, [*a, "--store", store, "--data-dir", str(real_data)])

    assert run("scenario", "save", "A", "--proposal", str(tmp_path / "a.gpkg")).exit_code == 0
    assert run("scenario", "save", "B", "--proposal", str(tmp_path / "b.gpkg")).exit_code == 0
    res = run("scenario", "compare", "A", "B", "--out", str(tmp_path / "cmp.csv"))
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert any(ln.startswith("Konflikter: Utelukket (ha)") for ln in lines)  # in words, not exclusion_ha
    assert any(ln.startswith("Indikatorer: Andel framtidig næringsareal på allerede utbygd") for ln in lines)
    cmp = pd.read_csv(tmp_path / "cmp.csv", index_col=[0, 1])
    dev = cmp.loc[("indicators", "planned_on_developed_share")]
    acc = cmp.loc[("land account", "site_developed_share")]
    assert dev["A"] == pytest.approx(acc["A"]) and dev["B"] == pytest.approx(acc["B"])  # one definition
    assert dev["A"] == pytest.approx(1.0, abs=1e-3)  # Testfelt A lies inside Trondheim's built-up area
    assert cmp.loc[("conflicts", "conflict_ha"), "B"] >= cmp.loc[("conflicts", "conflict_ha"), "A"]
