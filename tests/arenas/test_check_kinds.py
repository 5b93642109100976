"""A sea test area checked with the sea rules (known answers), on the command line too."""

import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from areal.apps.cli import main
from areal.apps.labels import layer_title
from areal.geo.conflicts import find_conflicts
from areal.geo.overlay import BUFFER_QUAD_SEGS
from areal.layers.project_data import load_rules
from click.testing import CliRunner
from conftest import UTM33
from shapely.geometry import box

S1 = (200_000.0, 7_080_000.0)  # a fish farm in Frohavet (sea, EPSG:25833)
N = 4 * BUFFER_QUAD_SEGS


def _ngon(r: float) -> float:
    return N / 2 * r**2 * math.sin(2 * math.pi / N)


@pytest.fixture
def farm():
    return gpd.GeoDataFrame(
        {"site_id": [11111], "site_name": ["NORD"], "placement": ["SJØ"]},
        geometry=shapely.points([S1]),
        crs=UTM33,
    )


@pytest.fixture
def half_over_the_farm():
    # the area's southern edge runs through the farm: it covers half of every zone around it
    return gpd.GeoDataFrame(
        {"navn": ["Testområde"]}, geometry=[box(S1[0] - 3000, S1[1], S1[0] + 3000, S1[1] + 4000)], crs=UTM33
    )


def test_the_sea_kind_has_the_sea_rules():
    t = load_rules()
    assert set(t.kinds) == {"business_areas", "test_area_sea", "test_area_land", "other"}
    sea = {(r.b, r.severity, r.buffer_m) for r in t.rules_for("test_area_sea")}
    assert ("aquaculture_sites:sea", "high", 500.0) in sea and (
        "aquaculture_sites:sea",
        "medium",
        2000.0,
    ) in sea
    assert ("coral_reefs", "high", 500.0) in sea and ("protected_areas", "exclusion", 0.0) in sea
    assert ("shipping_lanes", "high", 0.0) in sea and ("fishing_grounds", "medium", 0.0) in sea
    # a land test area gets the test-arena rules, and only those
    assert {r.a for r in t.rules_for("test_area_land")} == {"test_arenas"}


def test_a_sea_test_area_gets_the_500_m_and_2_km_zones_and_names_the_unmapped_layers(
    farm, half_over_the_farm
):
    res = find_conflicts(
        half_over_the_farm, {"aquaculture_sites": farm}, load_rules(), as_layer="test_area_sea"
    )
    aq = res.polygons[res.polygons.layer_b == "aquaculture_sites"].set_index("severity")
    assert aq.loc["high", "area_m2"] == pytest.approx(_ngon(500) / 2, rel=1e-9)
    assert aq.loc["medium", "area_m2"] == pytest.approx(_ngon(2000) / 2, rel=1e-9)
    assert {"shipping_lanes", "fishing_grounds", "coral_reefs", "protected_areas"} <= set(res.missing)


def test_cli_arenas_check_as_a_sea_test_area(tmp_path, farm, half_over_the_farm, monkeypatch):
    data = tmp_path / "data"
    (data / "aquaculture").mkdir(parents=True)
    ll = farm.to_crs(4326)
    pd.DataFrame(
        {
            "site_id": farm.site_id,
            "site_name": farm.site_name,
            "site_status": "KLARERT",
            "placement": "SJØ",
            "latitude": ll.geometry.y,
            "longitude": ll.geometry.x,
        }
    ).to_csv(data / "aquaculture" / "akvakultur_lokaliteter.csv", index=False)
    monkeypatch.setenv("AREAL_DATA_DIR", str(data))
    f = tmp_path / "testomrade.geojson"
    half_over_the_farm.to_crs(4326).to_file(f, driver="GeoJSON")
    out = tmp_path / "c.gpkg"
    res = CliRunner().invoke(main, ["arenas", "check", str(f), "--as", "test_area_sea", "--out", str(out)])
    assert res.exit_code == 0, res.output
    # missing layers by title, with how to get them (Norwegian by default)
    for lid in ("shipping_lanes", "fishing_grounds"):
        assert f"kartlaget «{layer_title(lid)}» mangler" in res.output and f"areal fetch {lid}" in res.output
    lines = [
        ln for ln in res.output.replace("\xa0", " ").splitlines() if " ha  Akvakulturlokaliteter: " in ln
    ]
    assert len(lines) == 2  # the 500 m and the 2 km zone
    got = sorted(float(ln.split()[0].replace("\xa0", "").replace(",", ".")) for ln in lines)
    assert got == pytest.approx(sorted([_ngon(500) / 2e4, _ngon(2000) / 2e4]), abs=0.05)  # printed to 0,1 ha
    bad = CliRunner().invoke(main, ["arenas", "check", str(f), "--as", "harbour"])
    assert bad.exit_code != 0 and "test_area_sea" in bad.output


def test_fetching_a_layer_with_an_unverified_endpoint_downloads_nothing(tmp_path):
    res = CliRunner(env={"AREAL_LANG": "en"}).invoke(
        main, ["fetch", "shipping_lanes", "--data-dir", str(tmp_path)]
    )
    assert res.exit_code != 0
    assert "unverified" in res.output and "areal import FILE --as shipping_lanes" in res.output
    res = CliRunner().invoke(main, ["fetch", "shipping_lanes", "--data-dir", str(tmp_path)])
    assert res.exit_code != 0
    assert "ikke bekreftet" in res.output and "`areal import FIL --as shipping_lanes`" in res.output
    assert not any(tmp_path.rglob("*.gpkg"))
