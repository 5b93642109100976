"""Planning check of a proposed sea test area against aquaculture-site zones (known answers)."""

import math

import geopandas as gpd
import pytest
import shapely
from areal.apps.cli import main
from areal.geo.conflicts import find_conflicts, touched_features
from areal.geo.overlay import BUFFER_QUAD_SEGS
from areal.layers.project_data import load_rules
from click.testing import CliRunner
from conftest import UTM33
from shapely.geometry import box

# Two fish farms 6 km apart in Frohavet (sea, EPSG:25833); the rule zone around a site is 1000 m.
S1, S2 = (200_000.0, 7_080_000.0), (206_000.0, 7_080_000.0)
R = 1000.0
N = 4 * BUFFER_QUAD_SEGS  # vertices of the buffered circle
# Area of the regular N-gon the engine uses for a 1000 m zone: (N/2) r² sin(2π/N).
ZONE_M2 = N / 2 * R**2 * math.sin(2 * math.pi / N)


@pytest.fixture
def sites():
    return gpd.GeoDataFrame(
        {"site_id": [11111, 22222], "site_name": ["NORD", "SØR"], "placement": ["SJØ", "SJØ"]},
        geometry=shapely.points([S1, S2]),
        crs=UTM33,
    )


@pytest.fixture
def sea_area():
    # The proposal's southern edge runs through both sites: it covers exactly half of each zone.
    return gpd.GeoDataFrame(
        {"navn": ["Testområde Frohavet"]},
        geometry=[box(S1[0] - 3000, S1[1], S2[0] + 3000, S1[1] + 4000)],
        crs=UTM33,
    )


def test_zone_is_within_01_percent_of_the_circle():
    assert ZONE_M2 == pytest.approx(math.pi * R**2, rel=1e-3)


def test_sea_area_over_two_site_zones_reports_both(sites, sea_area):
    hits = touched_features(sea_area, sites, 1000.0, columns=("site_id", "site_name"))
    assert sorted(hits.site_name) == ["NORD", "SØR"]
    assert hits.area_m2.to_numpy() == pytest.approx([ZONE_M2 / 2] * 2, rel=1e-9)
    assert hits.area_ha.sum() == pytest.approx(ZONE_M2 / 1e4, rel=1e-9)  # ≈ 314.1 ha


def test_conflict_engine_with_default_rules(sites, sea_area):
    res = find_conflicts(sea_area, {"aquaculture_sites": sites}, load_rules(), as_layer="test_arenas")
    aq = res.polygons[res.polygons.layer_b == "aquaculture_sites"]
    assert len(aq) == 2 and set(aq.severity) == {"medium"}
    assert aq.area_m2.sum() == pytest.approx(ZONE_M2, rel=1e-9)
    assert "akvakultur" in aq.basis.iloc[0].lower()
    assert "protected_areas" in " ".join(res.missing)  # rule layers not supplied are listed, not ignored


def test_site_outside_the_zone_is_not_reported(sites, sea_area):
    far = sea_area.set_geometry(sea_area.translate(0, 1000.0 + 1.0).geometry)  # edge 1 m beyond the zones
    assert touched_features(far, sites, 1000.0).empty


def test_cli_arenas_check(tmp_path, sites, sea_area, monkeypatch):
    data = tmp_path / "data"
    (data / "aquaculture").mkdir(parents=True)
    ll = sites.to_crs(4326)
    import pandas as pd

    pd.DataFrame(
        {
            "site_id": sites.site_id,
            "site_name": sites.site_name,
            "site_status": "KLARERT",
            "placement": "SJØ",
            "latitude": ll.geometry.y,
            "longitude": ll.geometry.x,
        }
    ).to_csv(data / "aquaculture" / "akvakultur_lokaliteter.csv", index=False)
    monkeypatch.setenv("AREAL_DATA_DIR", str(data))
    f = tmp_path / "testomrade.geojson"
    sea_area.to_crs(4326).to_file(f, driver="GeoJSON")
    res = CliRunner().invoke(main, ["arenas", "check", str(f), "--out", str(tmp_path / "c.gpkg")])
    assert res.exit_code == 0, res.output
    # features by layer title and name, in Norwegian by default
    assert (
        "Akvakulturlokaliteter: 11111 NORD" in res.output and "Akvakulturlokaliteter: 22222 SØR" in res.output
    )
    lines = [
        ln for ln in res.output.replace("\xa0", " ").splitlines() if " ha  Akvakulturlokaliteter: " in ln
    ]
    assert len(lines) == 2
    # the WGS84 round trip of the file moves vertices by millimetres
    for ln in lines:
        assert float(ln.split()[0].replace(",", ".")) == pytest.approx(
            ZONE_M2 / 2 / 1e4, abs=0.05
        )  # printed to 0,1 ha
    layers = gpd.list_layers(tmp_path / "c.gpkg")["name"].tolist()
    assert "summary" in layers and "matrix_ha" in layers
