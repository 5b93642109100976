"""Checks of the catalogue against the real Trøndelag extracts (AREAL_DATA_DIR)."""

import geopandas as gpd
import pytest
import shapely
from areal.layers import loader, registry

pytestmark = pytest.mark.realdata


def test_county_polygon_area(real_data):
    county = loader.load("county", real_data)
    assert len(county) == 1
    assert county.geometry.area.sum() / 1e6 == pytest.approx(59_688, rel=1e-3)


def test_municipalities_repaired_and_counted(real_data):
    m = loader.load("municipalities", real_data)
    rep = m.attrs["load_report"]
    assert len(m) == 38 and m.kommunenummer.str.fullmatch(r"50\d\d").all()
    assert rep["n_repaired"] == 5  # the 5 invalid polygons as shipped
    assert rep["n_read"] == 357 and rep["n_filtered"] == 357 - 38  # none dropped but the other counties
    assert m.geometry.is_valid.all()
    assert m.geometry.area.sum() / 1e6 == pytest.approx(42_048, rel=5e-3)


def test_repair_loses_no_area(real_data):
    """Independent check: the repaired polygons keep the area make_valid gives in the source CRS."""
    raw = gpd.read_file(real_data / "boundaries" / "Kommuner-M.geojson")
    raw = raw[raw.kommunenummer.str.startswith("50")]
    assert (~raw.is_valid).sum() == 5
    expected = raw.set_geometry(shapely.make_valid(raw.geometry.values)).to_crs(25833).area.sum()
    assert loader.load("municipalities", real_data).area.sum() == pytest.approx(expected, rel=1e-9)


def test_aquaculture_sites_placed_by_point_in_polygon(real_data):
    a = loader.load("aquaculture_sites", real_data)
    assert len(a) == 287
    assert a.kommunenummer.str.fullmatch(r"50\d\d").all()
    assert a.attrs["load_report"]["n_outside_county"] == 1782 - 287
    # Independent check of the placement: for the Trøndelag rows the register's own numbers are already the
    # 2024 ones, and point-in-polygon agrees with every one of them (pre-2024 numbers, which occur elsewhere in
    # the register, are covered by test_loader.test_assign_municipality_by_point_in_polygon).
    assert (a.municipality_id.astype(str) == a.kommunenummer).all()


def test_national_parks(real_data):
    np_ = loader.load("national_parks", real_data)
    assert np_.navn.nunique() == 7 and len(np_) == 8  # Dovrefjell-Sunndalsfjella in two parts
    assert set(np_.verneform) == {"NP"}


def test_reindeer_outline_repaired(real_data):
    r = loader.load("reindeer_pasture_outline", real_data)
    assert r.attrs["load_report"]["n_repaired"] == 1
    assert r.area.sum() / 1e6 == pytest.approx(26_962, rel=5e-3)


def test_wind_power_clipped_to_county(real_data):
    assert len(loader.load("wind_power", real_data)) == 16


def test_coral_reefs_from_gml(real_data):
    assert len(loader.load("coral_reefs", real_data)) == 104


def test_every_layer_loads_or_is_missing_never_error(real_data):
    for lid in registry.names():
        st = loader.status(lid, real_data)
        assert st.status in ("loaded", "missing"), (lid, st.message)
        if lid in ("business_areas", "ar5", "reindeer_pastures", "reindeer_districts"):
            assert st.status == "missing"


def test_layer_totals_count_overlapping_features_once(real_data):
    """`areal layers`: the two Snøhetta wild-reindeer areas overlap; their ground counts once (README: 2,566 km²)."""
    wild = loader.load("wild_reindeer", real_data)
    assert wild.area.sum() / 1e6 == pytest.approx(3_157.5, abs=0.1)  # the features as shipped, overlap twice
    st = loader.status("wild_reindeer", real_data)
    assert st.unit == "km²" and st.total == pytest.approx(2_566.4, abs=0.1)
    assert st.total == pytest.approx(shapely.union_all(wild.geometry.values).area / 1e6, rel=1e-9)
