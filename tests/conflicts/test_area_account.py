"""The proposal account of ``areal conflicts --account``: the one area model, each m² counted once."""

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from areal.geo.emission_factors import EmissionFactor, EmissionFactors
from areal.geo.land_account import land_account, proposal_account
from click.testing import CliRunner
from conftest import UTM33, X0, Y0
from shapely import box

EF = EmissionFactors(
    {
        "developed": EmissionFactor("developed", 0.0, "t CO2-eq/ha", "test"),
        "forest": EmissionFactor("forest", 73.0, "t CO2-eq/ha", "test"),
        "mire": EmissionFactor("mire", 1210.0, "t CO2-eq/ha", "test"),
    }
)


def gdf(geoms, **cols):
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs=UTM33)


MUNIS = gdf(
    [box(X0 - 5000, Y0 - 5000, X0 + 1000, Y0 + 5000), box(X0 + 1000, Y0 - 5000, X0 + 5000, Y0 + 5000)],
    kommunenummer=["5001", "5028"],
    kommunenavn=["Trondheim", "Melhus"],
)


def test_account_per_municipality_with_co2():
    prop = gdf([box(X0, Y0, X0 + 2000, Y0 + 1000)])  # 100 ha in 5001, 100 ha in 5028
    ar5 = gdf(
        [
            box(X0, Y0, X0 + 500, Y0 + 1000),
            box(X0 + 500, Y0, X0 + 1500, Y0 + 1000),
            box(X0 + 1500, Y0, X0 + 2000, Y0 + 1000),
        ],
        arealtype=["21", "30", "60"],
    )
    layers = {
        "ar5": ar5,
        "forest": gdf([box(X0 - 9000, Y0 - 9000, X0 + 9000, Y0 + 9000)]),  # ignored: AR5 is preferred
    }
    acc = proposal_account(prop, layers, MUNIS, emission_factors=EF)
    t = acc.table.set_index("kommunenummer")
    assert list(t.index) == ["5001", "5028", "50"]
    assert t.loc["5001", "proposal_total_ha"] == pytest.approx(100) and t.loc[
        "5028", "proposal_total_ha"
    ] == pytest.approx(100)
    assert t.loc["5001", "proposal_on_farmland_ha"] == pytest.approx(50)
    assert t.loc["5001", "proposal_on_forest_ha"] == pytest.approx(50)
    assert t.loc["5028", "proposal_on_forest_ha"] == pytest.approx(50)
    assert t.loc["5028", "proposal_on_mire_ha"] == pytest.approx(50)
    assert t.loc["5028", "proposal_co2_t"] == pytest.approx(50 * 73.0 + 50 * 1210.0)
    assert t.loc["5001", "proposal_co2_t"] == pytest.approx(50 * 73.0)
    assert t.loc["5001", "proposal_no_factor_ha"] == pytest.approx(50)  # farmland has no factor here
    assert t.loc["50", "proposal_co2_t"] == pytest.approx(100 * 73.0 + 50 * 1210.0)
    assert acc.outside_ha == pytest.approx(0)


def test_each_square_metre_counted_once_by_priority():
    """N1000 forest under built-up land: the old account counted it as forest (and its CO₂) too."""
    prop = gdf([box(X0, Y0, X0 + 1000, Y0 + 1000)])  # 100 ha in 5001
    layers = {
        "forest": gdf([box(X0, Y0, X0 + 1000, Y0 + 600)]),  # 60 ha
        "built_up": gdf([box(X0, Y0, X0 + 1000, Y0 + 200)]),  # 20 ha, all of it on the forest
        "mire": gdf([box(X0, Y0 + 500, X0 + 1000, Y0 + 700)]),  # 20 ha, 10 ha of it on the forest
    }
    t = proposal_account(prop, layers, MUNIS, emission_factors=EF).table.set_index("kommunenummer")
    r = t.loc["5001"]
    # developed 20, then mire 20 (before forest), forest 60 - 20 - 10 = 30, other 30
    assert (
        r.proposal_on_developed_ha,
        r.proposal_on_mire_ha,
        r.proposal_on_forest_ha,
        r.proposal_on_other_ha,
    ) == (pytest.approx((20, 20, 30, 30)))
    assert (
        r.proposal_on_developed_ha + r.proposal_on_mire_ha + r.proposal_on_forest_ha + r.proposal_on_other_ha
        == (pytest.approx(r.proposal_total_ha))
    )
    assert r.proposal_co2_t == pytest.approx(30 * 73.0 + 20 * 1210.0)
    assert math.isnan(r.proposal_on_farmland_ha)  # no AR5: not available, never 0


def test_proposal_account_equals_the_land_account_proposal_columns():
    prop = gdf([box(X0 + 300, Y0 - 200, X0 + 1700, Y0 + 900), box(X0 + 600, Y0, X0 + 900, Y0 + 300)])
    layers = {
        "forest": gdf([box(X0, Y0, X0 + 1200, Y0 + 600), box(X0 + 1100, Y0 + 500, X0 + 1500, Y0 + 800)]),
        "built_up": gdf([box(X0 + 800, Y0 + 100, X0 + 1300, Y0 + 300)]),
        "mire": gdf([box(X0 + 1400, Y0, X0 + 1800, Y0 + 900)]),
    }
    pa = proposal_account(prop, layers, MUNIS, emission_factors=EF).table.set_index("kommunenummer")
    la = land_account(MUNIS, layers, proposal=prop, emission_factors=EF).table.set_index("kommunenummer")
    cols = [c for c in pa.columns if c.startswith("proposal_")]
    pd.testing.assert_frame_equal(pa[cols], la.loc[pa.index, cols], check_exact=False, rtol=1e-12)


def test_part_at_sea_is_reported_not_counted():
    prop = gdf([box(X0 + 4000, Y0, X0 + 6000, Y0 + 1000)])  # 100 ha on land, 100 ha east of the land
    acc = proposal_account(prop, {"forest": gdf([box(X0, Y0, X0 + 9000, Y0 + 9000)])}, MUNIS)
    assert acc.table.set_index("kommunenummer").loc["50", "proposal_total_ha"] == pytest.approx(100)
    assert acc.outside_ha == pytest.approx(100)
    missing = {m.layer: m.affects for m in acc.missing_layers}
    assert missing["farmland"] == ("proposal_on_farmland_ha",)  # the composite: AR5, AR50 or N50


@pytest.mark.realdata
def test_conflicts_account_and_account_proposal_agree(real_data, tmp_path):
    """The same proposal gives the same hectares and CO₂ in `areal conflicts --account` and `areal account --proposal`."""
    from areal.apps.cli import main

    prop = tmp_path / "proposal.gpkg"
    # Stjørdal/Levanger and Trondheim, both on land: forest, mire and built-up in the proposal
    gdf = gpd.GeoDataFrame(
        {"navn": ["a", "b"]},
        geometry=[box(262000, 7030000, 272000, 7036000), box(268000, 7038000, 273000, 7042000)],
        crs=25833,
    )
    gdf.to_file(prop)
    r1 = CliRunner().invoke(
        main,
        [
            "conflicts",
            "--proposal",
            str(prop),
            "--with",
            "forest",
            "--out",
            str(tmp_path / "c.gpkg"),
            "--csv",
            str(tmp_path / "csv"),
            "--account",
            "--data-dir",
            str(real_data),
        ],
    )
    assert r1.exit_code == 0, r1.output
    r2 = CliRunner().invoke(
        main,
        ["account", "--proposal", str(prop), "--out", str(tmp_path / "a.csv"), "--data-dir", str(real_data)],
    )
    assert r2.exit_code == 0, r2.output
    c = pd.read_csv(tmp_path / "csv" / "area_account.csv", dtype={"kommunenummer": str}).set_index(
        "kommunenummer"
    )
    a = pd.read_csv(tmp_path / "a.csv", dtype={"kommunenummer": str}).set_index("kommunenummer")
    cols = [col for col in c.columns if col.startswith("proposal_")]
    assert len(c) >= 2 and "50" in c.index
    np.testing.assert_allclose(
        c[cols].to_numpy(float), a.loc[c.index, cols].to_numpy(float), rtol=1e-4, equal_nan=True
    )
    county = c.loc["50"]
    assert county.proposal_total_ha == pytest.approx(gdf.area.sum() / 10_000, rel=1e-6)  # all on land
    parts = ["developed", "mire", "forest", "other"]  # farmland is NA (no AR5 in the extracts)
    assert sum(county[f"proposal_on_{p}_ha"] for p in parts) == pytest.approx(
        county.proposal_total_ha, rel=1e-9
    )
    assert county.proposal_on_forest_ha > 0 and county.proposal_on_developed_ha > 0
