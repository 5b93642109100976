"""Land account: hand-computed tiny fixture, 'not available' behaviour, real-data county sums."""

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from areal.geo.errors import InputGeometryError, RuleError
from areal.geo.land_account import COUNTY_ID, area_by_zone, land_account, load_emission_factors, zone_account
from click.testing import CliRunner
from conftest import UTM33, X0, Y0
from shapely.geometry import box

FACTORS = {
    "developed": {"factor": 0.0, "unit": "t CO2-eq/ha", "source": "test"},
    "forest": {"factor": 100.0, "unit": "t CO2-eq/ha", "source": "test"},
    "mire": {"factor": 500.0, "unit": "t CO2-eq/ha", "source": "test"},
}


def _gdf(geoms, **cols):
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=UTM33)


def b(x0, y0, x1, y1):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


@pytest.fixture
def tiny():
    """Two 100 ha municipalities side by side and hand-placed class polygons (see the test for the sums)."""
    munis = _gdf(
        [b(0, 0, 1000, 1000), b(1000, 0, 2000, 1000)], kommunenummer=["5002", "5001"], kommunenavn=["A", "B"]
    )
    layers = {
        "forest": _gdf([b(500, 0, 2000, 500)]),  # A 25 ha, B 50 ha
        "mire": _gdf([b(100, 600, 300, 800)]),  # A 4 ha
        "built_up": _gdf([b(0, 500, 500, 1000)]),  # A 25 ha
        "lakes": _gdf([b(-200, 0, 100, 100)]),  # A 1 ha; 2 ha lie outside the land
        "protected_areas": _gdf([b(1000, 500, 1500, 1000)], navn=["p"], verneform=["Naturreservat"]),
        "national_parks": _gdf([b(1250, 500, 1750, 1000)], navn=["n"], verneform=["NP"]),  # overlap 12.5 ha
        "wild_reindeer": _gdf([b(1500, 500, 2000, 1000), b(1500, 750, 2000, 1000)]),  # 25 ha once
        "business_areas": _gdf(
            [b(0, 900, 100, 1000), b(400, 400, 600, 600), b(950, 100, 1050, 200)],
            arealbruksstatus=["1", "2", "2"],
            arealformal=["1300"] * 3,
            kommunenummer=["5002"] * 3,
        ),
    }
    return munis, layers


def row(acc, knr):
    return acc.table.set_index("kommunenummer").loc[knr]


def test_hand_computed_account(tiny):
    munis, layers = tiny
    acc = land_account(munis, layers, emission_factors=FACTORS)
    a, bb, c = row(acc, "5002"), row(acc, "5001"), row(acc, COUNTY_ID)
    assert list(acc.table["kommunenummer"]) == ["5001", "5002", COUNTY_ID]
    assert (a.land_ha, bb.land_ha, c.land_ha) == pytest.approx((100, 100, 200))
    assert (a.forest_ha, bb.forest_ha, c.forest_ha) == pytest.approx((25, 50, 75))
    assert (a.mire_ha, a.built_up_ha, a.fresh_water_ha) == pytest.approx((4, 25, 1))
    assert (bb.protected_ha, bb.wild_reindeer_ha) == pytest.approx((37.5, 25))  # overlaps counted once
    assert (a.business_existing_ha, a.business_planned_ha, bb.business_planned_ha) == pytest.approx(
        (1, 4.5, 0.5)
    )
    # planned 4 ha square in A: 1 ha on built-up, 1 ha on forest, 2 ha other; the 1 ha straddler is forest
    assert a.planned_total_ha == pytest.approx(4.5)
    assert (
        a.planned_on_developed_ha,
        a.planned_on_forest_ha,
        a.planned_on_mire_ha,
        a.planned_on_other_ha,
    ) == pytest.approx((1, 1.5, 0, 2))
    assert a.planned_developed_share == pytest.approx(1 / 4.5)
    assert (a.planned_co2_t, bb.planned_co2_t, c.planned_co2_t) == pytest.approx((150, 50, 200))
    assert a.planned_no_factor_ha == pytest.approx(2)
    # AR5 absent: farmland is not available, never 0
    assert math.isnan(a.farmland_ha) and math.isnan(c.planned_on_farmland_ha)


def test_hand_computed_with_ar5_changes_the_split(tiny):
    munis, layers = tiny
    layers["ar5"] = _gdf(
        [b(400, 400, 500, 500), b(500, 500, 600, 600), b(500, 0, 2000, 500), b(300, 300, 450, 450)],
        arealtype=["21", "60", "30", "11"],
    )
    acc = land_account(munis, layers, emission_factors=FACTORS)
    a = row(acc, "5002")
    assert (a.farmland_ha, a.ar5_mire_ha, a.ar5_forest_ha, a.ar5_developed_ha) == pytest.approx(
        (1, 1, 25, 2.25)
    )
    # developed = built-up 1 ha ∪ AR5 11 0.25 ha; farmland 1 − 0.25; mire 1 (AR5); forest 1 + 0.5 (AR5 30)
    assert (
        a.planned_on_developed_ha,
        a.planned_on_farmland_ha,
        a.planned_on_mire_ha,
        a.planned_on_forest_ha,
        a.planned_on_other_ha,
    ) == pytest.approx((1.25, 0.75, 1, 1.5, 0))
    assert a.planned_co2_t == pytest.approx(1 * 500 + 1.5 * 100)
    assert a.planned_no_factor_ha == pytest.approx(0.75)  # farmland has no factor in FACTORS
    assert [m.layer for m in acc.missing_layers] == ["open_land", "reindeer_pastures"]


def test_absent_layers_are_not_available_never_zero(tiny):
    munis, layers = tiny
    del layers["business_areas"]
    # remedies are the caller's (layers/): geo/ names no CLI command of its own
    assert all(m.remedy == "" for m in land_account(munis, layers).missing_layers)
    from areal.layers.account_inputs import account_remedies

    acc = land_account(munis, layers, emission_factors=FACTORS, remedies=account_remedies())
    for col in (
        "farmland_ha",
        "ar5_forest_ha",
        "business_existing_ha",
        "business_planned_ha",
        "planned_total_ha",
        "planned_on_developed_ha",
        "planned_developed_share",
        "planned_co2_t",
    ):
        assert acc.table[col].isna().all(), col
        assert not acc.available(col)
    missing = {m.layer: m for m in acc.missing_layers}
    # farmland names the composite (AR5, else AR50, else N50), the AR5 classes name ar5
    assert set(missing) == {"farmland", "ar5", "business_areas", "reindeer_pastures", "open_land"}
    assert "areal fetch ar5" in missing["ar5"].remedy and "areal fetch farmland" in missing["farmland"].remedy
    assert missing["farmland"].affects == ("farmland_ha",)
    assert "areal import FILE --as business_areas" in missing["business_areas"].remedy
    assert "planned_co2_t" in missing["business_areas"].affects
    assert "reindeer_pasture_ha" in missing["reindeer_pastures"].affects
    # present classes with no area in a municipality are a real 0
    assert row(acc, "5001").mire_ha == 0.0


def test_partial_union_is_named(tiny):
    munis, layers = tiny
    del layers["national_parks"]
    acc = land_account(munis, layers)
    assert row(acc, "5001").protected_ha == pytest.approx(25)
    (m,) = [m for m in acc.missing_layers if m.layer == "national_parks"]
    assert "counts only protected_areas" in m.reason


def test_proposal_and_site_account(tiny):
    munis, layers = tiny
    prop = _gdf([b(400, 400, 600, 600), b(450, 450, 600, 600)])  # overlapping drawings count once
    acc = land_account(munis, layers, proposal=prop, emission_factors=FACTORS)
    assert row(acc, "5002").proposal_total_ha == pytest.approx(4)
    assert row(acc, COUNTY_ID).proposal_on_forest_ha == pytest.approx(1)
    site = zone_account(prop, layers, emission_factors=FACTORS).iloc[0]
    assert (
        site.area_ha,
        site.forest_ha,
        site.built_up_ha,
        site.site_on_other_ha,
        site.site_co2_t,
    ) == pytest.approx((4, 1, 1, 2, 100))
    assert math.isnan(site.farmland_ha)


def test_area_by_zone_chunking_matches_unchunked(rng):
    zones = np.array([b(0, 0, 1000, 1000), b(1000, 0, 2000, 1000)], dtype=object)
    xs, ys = rng.uniform(-100, 2000, 300), rng.uniform(-100, 1000, 300)
    parts = np.array([box(X0 + x, Y0 + y, X0 + x + 30, Y0 + y + 30) for x, y in zip(xs, ys)], dtype=object)
    assert area_by_zone(zones, parts, chunk=7) == pytest.approx(area_by_zone(zones, parts, chunk=100_000))


def test_errors_name_the_problem(tiny):
    munis, layers = tiny
    with pytest.raises(InputGeometryError, match="column 'kommunenavn' is missing"):
        land_account(munis.drop(columns="kommunenavn"), layers)
    layers["ar5"] = _gdf([b(0, 0, 10, 10)], kode=["21"])
    with pytest.raises(InputGeometryError, match="layer 'ar5' has no column 'arealtype'"):
        land_account(munis, layers)
    with pytest.raises(RuleError, match=r"\[forest\] must name its source"):
        load_emission_factors({"forest": {"factor": 3.0, "unit": "t CO2-eq/ha"}})
    with pytest.raises(RuleError, match=r"\[mire\] factor must be a number >= 0 \(t CO2-eq/ha\), got 'x'"):
        load_emission_factors({"mire": {"factor": "x", "unit": "t CO2-eq/ha", "source": "s"}})


def test_shipped_emission_factors_are_sourced():
    from areal.layers.account_inputs import emission_factors

    table = emission_factors()
    factors = load_emission_factors(table)
    assert set(factors) >= {"developed", "forest", "mire"} and factors["developed"] == 0
    assert all(len(table[k].source) > 20 for k in factors)


# ---------------------------------------------------------------- real extracts


@pytest.fixture(scope="module")
def real_account(real_data):
    from areal.geo.land_account import land_account as la
    from areal.layers import loader, registry
    from areal.layers.account_inputs import emission_factors, load_account_inputs

    inputs = load_account_inputs(real_data)
    raw = gpd.read_file(__import__("conftest").FIXTURES / "business_areas_5001.geojson")
    ba = loader.clean(raw, registry.get("business_areas"), "fixture", loader.LoadReport("business_areas"))
    layers = {**inputs.layers, "business_areas": ba}
    return la(inputs.municipalities, inputs.layers, emission_factors=emission_factors()), la(
        inputs.municipalities, layers, emission_factors=emission_factors()
    )


@pytest.mark.realdata
def test_real_municipal_sums_equal_county_totals(real_account):
    for acc in real_account:
        assert len(acc.municipalities) == 38
        cols = [c for c in acc.present_columns() if not c.endswith("_share")]
        assert {
            "forest_ha",
            "mire_ha",
            "open_land_ha",
            "built_up_ha",
            "fresh_water_ha",
            "protected_ha",
            "reindeer_pasture_ha",
            "wild_reindeer_ha",
        } <= set(cols)
        sums = acc.municipalities[cols].sum()
        county = acc.county[cols].astype(float)
        for col in cols:
            if pd.isna(county[col]):  # not mapped in the county: then not mapped in some municipality
                assert acc.municipalities[col].isna().any(), col
                continue
            assert sums[col] == pytest.approx(county[col], rel=1e-3, abs=1e-6), col


@pytest.mark.realdata
def test_real_known_totals(real_account):
    acc, _ = real_account
    c = acc.county
    assert c.land_ha / 100 == pytest.approx(42_048, rel=5e-3)  # municipalities test in test_realdata
    assert c.wild_reindeer_ha / 100 == pytest.approx(
        2_566, rel=2e-3
    )  # README: 2,566 km² once the overlap is removed
    assert acc.table["planned_total_ha"].isna().all()
    # farmland: the only source here is the N50 DyrketMark sample of east Trondheim (513.6 ha, of which
    # 509.8 ha on municipal land): mapped in Trondheim and (a sliver) in Malvik, not mapped elsewhere
    farm = acc.table.set_index("kommunenummer")["farmland_ha"]
    assert set(farm.dropna().index) == {"5001", "5031", "50"}
    assert farm["5001"] == pytest.approx(509.79, abs=0.01) and farm["50"] == pytest.approx(
        farm["5001"] + farm["5031"]
    )
    share = acc.table.set_index("kommunenummer")["farmland_mapped_share"]
    assert 0 < share["5001"] < 0.1 and share["5035"] == 0.0  # the sample covers a small part of Trondheim


@pytest.mark.realdata
def test_real_planned_business_fixture(real_account):
    _, acc = real_account
    t = acc.table.set_index("kommunenummer").loc["5001"]
    assert t.business_planned_ha == pytest.approx(60) and t.business_existing_ha == pytest.approx(15)
    assert t.planned_on_developed_ha == pytest.approx(
        20, abs=0.01
    )  # Testfelt A lies inside Trondheim's built-up area
    assert t.planned_developed_share == pytest.approx(1 / 3, abs=1e-3)
    from areal.layers.project_data import load_emission_factors as shipped

    ef = shipped()
    assert t.planned_co2_t == pytest.approx(
        t.planned_on_forest_ha * ef["forest"].factor + t.planned_on_mire_ha * ef["mire"].factor
    )


@pytest.mark.realdata
def test_cli_account_municipality(real_data, tmp_path):
    from areal.apps.cli import main

    out = tmp_path / "acc.csv"
    res = CliRunner().invoke(
        main, ["account", "--municipality", "5001", "--out", str(out), "--data-dir", str(real_data)]
    )
    assert res.exit_code == 0, res.output
    lines = {ln[:55].strip(): ln for ln in res.output.splitlines()}
    # farmland from the only source here, the N50 sample: named with its scale, mapped on a share of 5001
    assert "509,8" in lines["Jordbruksareal (AR5, ellers AR50/N50) (ha)"].replace("\u00a0", " ")
    assert "0,022" in lines["Jordbruksareal (AR5, ellers AR50/N50), andel kartlagt"]
    assert "Jordbruksareal fra N50 Arealdekke, DyrketMark (Kartverket) (1:50 000)" in res.output
    # missing layers by title with how to get them, in Norwegian by default; no raw id left as a name
    assert "«Næringsområder i kommuneplan (arealformål 1300)» finnes ikke i datamappen" in res.output
    assert "areal fetch ar5" in res.output and "areal import FIL --as business_areas" in res.output
    assert "is not in the data directory" not in res.output and "wrote " not in res.output
    df = __import__("pandas").read_csv(out, dtype={"kommunenummer": str})
    assert len(df) == 39 and df["farmland_ha"].isna().sum() == 36  # not mapped: not 0 ha
    tr = df.set_index("kommunenummer").loc["5001"]
    from areal.apps.formatting import number

    assert number(tr.forest_ha, 1) in lines["Skog (N1000) (ha)"]
    gpkg = tmp_path / "acc.gpkg"
    res = CliRunner().invoke(main, ["account", "--out", str(gpkg), "--data-dir", str(real_data)])
    assert res.exit_code == 0, res.output
    g = gpd.read_file(gpkg, layer="land_account")
    assert len(g) == 39 and g.crs.to_epsg() == 25833
    assert set(gpd.read_file(gpkg, layer="missing_layers")["layer"]) == {"ar5", "business_areas"}


def test_cli_unknown_municipality(real_data):
    from areal.apps.cli import main

    res = CliRunner().invoke(main, ["account", "--municipality", "9999", "--data-dir", str(real_data)])
    assert (
        res.exit_code == 2
        and "9999 er ikke nummeret til en kommune i fylket; kommunenumrene er 5001, " in res.output
    )
    argv = ["account", "--municipality", "9999", "--data-dir", str(real_data), "--lang", "en"]
    res = CliRunner().invoke(main, argv)
    assert res.exit_code == 2 and "'9999' is not one of the 38 municipalities: 5001, " in res.output


@pytest.mark.realdata
def test_cli_account_with_proposal(real_data):
    from areal.apps.cli import main
    from conftest import FIXTURES

    res = CliRunner().invoke(
        main,
        [
            "account",
            "-m",
            "5001",
            "--proposal",
            str(FIXTURES / "business_areas_5001.geojson"),
            "--data-dir",
            str(real_data),
        ],
    )
    assert res.exit_code == 0, res.output
    lines = {ln[:55].strip(): ln.split() for ln in res.output.splitlines()}
    # all five fixture polygons as a proposal: 20 + 10 + 30 + 15 + 12 ha, none overlapping
    assert lines["Forslag, totalt (ha)"][-2:] == ["87,0", "87,0"]
    assert lines["Forslag på jordbruksareal (ha)"][-4:] == ["ikke", "tilgjengelig"] * 2
