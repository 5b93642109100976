import geopandas as gpd
import numpy as np
import pytest
import shapely
from areal.geo.accounting import EmissionFactor, EmissionFactors, area_account
from conftest import UTM33, X0, Y0
from shapely import box

EF = EmissionFactors(
    {
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
        "national_parks": gdf([box(X0, Y0, X0 + 200, Y0 + 1000)]),
        "protected_areas": gdf([box(X0 + 100, Y0, X0 + 300, Y0 + 1000)]),  # overlaps the park: union 30 ha
        "aquaculture_sites": gdf([shapely.Point(X0 + 2000 + 1000, Y0 + 500)]),
    }
    acc = area_account(prop, layers, MUNIS, EF).set_index("kommunenummer")
    assert acc.loc["5001", "proposal_ha"] == 100.0 and acc.loc["5028", "proposal_ha"] == 100.0
    assert acc.loc["5001", "farmland_ha"] == 50.0 and acc.loc["5028", "farmland_ha"] == 0.0
    assert acc.loc["5001", "forest_ha"] == 50.0 and acc.loc["5028", "forest_ha"] == 50.0
    assert acc.loc["5028", "mire_ha"] == 50.0
    assert acc.loc["5028", "co2_mire_t"] == 50.0 * 1210.0
    assert acc.loc["5001", "co2_total_t"] == 50.0 * 73.0
    assert acc.loc["5001", "protected_ha"] == pytest.approx(30.0, rel=1e-12)
    # A 1000 m zone around a site 1000 m east of the proposal's edge only touches it: no area.
    assert acc["aquaculture_buffer_ha"].sum() == pytest.approx(0.0, abs=1e-6)
    assert np.isnan(acc.loc["5001", "reindeer_pasture_ha"])
    assert "reindeer_pasture" in acc.attrs["missing"]
    assert acc.attrs["sources"]["forest"].startswith("ar5")
    assert acc.attrs["sources"]["protected"] == "protected_areas + national_parks"


def test_account_falls_back_to_n1000_forest_and_buffers_points():
    prop = gdf([box(X0, Y0, X0 + 1000, Y0 + 1000)])
    layers = {
        "forest": gdf([box(X0, Y0, X0 + 1000, Y0 + 400)]),
        "aquaculture_sites": gdf([shapely.Point(X0 + 500, Y0 + 500)]),
    }
    acc = area_account(prop, layers, MUNIS, EF)
    assert acc["forest_ha"].iloc[0] == 40.0 and acc["co2_forest_t"].iloc[0] == 40.0 * 73.0
    assert acc["aquaculture_buffer_ha"].iloc[0] == pytest.approx(100.0)  # 1000 m zone covers the whole square
    assert np.isnan(acc["farmland_ha"].iloc[0]) and np.isnan(acc["co2_mire_t"].iloc[0])
    assert acc["co2_total_t"].iloc[0] == 40.0 * 73.0
