"""Test-arena catalogue: schema validation, placement, filters, proximity."""

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from areal.apps.cli import main
from areal.geo.arenas import (
    arenas_near,
    arenas_near_sites,
    catalogue_to_frame,
    filter_arenas,
    validate_catalogue,
)
from areal.geo.errors import LayerValidationError, UnknownNameError
from areal.layers import loader, settings
from click.testing import CliRunner
from conftest import UTM33, X0, Y0
from shapely.geometry import box

GOOD = {
    "id": "lab-a",
    "name": "Lab A",
    "arena_type": "lab",
    "sectors": "energy;ict",
    "operator": "NTNU",
    "can_test": "x",
    "access": "open",
    "status": "operating",
    "precision": "campus",
    "municipality": "5001",
    "municipality_name": "Trondheim",
    "lon": "10.404",
    "lat": "63.418",
    "geometry_wkt": "",
    "source_url": "https://example.org/a",
    "source_title": "A",
    "notes": "",
}


def frame(**changes):
    return pd.DataFrame([{**GOOD, **changes}], dtype=str)


@pytest.fixture
def munis():
    return gpd.GeoDataFrame(
        {"kommunenummer": ["5001"], "kommunenavn": ["Trondheim"]},
        geometry=[box(X0 - 20000, Y0 - 20000, X0 + 20000, Y0 + 20000)],
        crs=UTM33,
    )


def test_valid_row_has_no_problems():
    assert validate_catalogue(frame(), "t.csv") == []


def test_missing_source_is_refused():
    probs = validate_catalogue(frame(source_url=""), "t.csv")
    assert probs == [
        "t.csv line 2 (id 'lab-a'): column 'source_url' is empty — every entry needs a public source"
    ]


def test_unknown_sector_is_refused():
    probs = validate_catalogue(frame(sectors="energy;space_tourism"), "t.csv")
    assert len(probs) == 1 and "unknown sector 'space_tourism'" in probs[0] and "ocean_space" in probs[0]


@pytest.mark.parametrize(
    "changes, needle",
    [
        ({"precision": "municipality"}, "precision 'municipality' is inconsistent with a coordinate"),
        ({"precision": "campus", "lon": "", "lat": ""}, "precision 'campus' needs lon/lat or geometry_wkt"),
        (
            {"lon": "10.40412"},
            "lon 10.40412 has 5 decimals, more precise than precision 'campus' supports (at most 3)",
        ),
        (
            {
                "precision": "address",
                "lon": "",
                "lat": "",
                "arena_type": "test_area_sea",
                "geometry_wkt": "POLYGON ((10 63, 10.1 63, 10.1 63.1, 10 63))",
            },
            "precision 'address' is inconsistent with an area geometry",
        ),
        (
            {"lon": "", "lat": "", "geometry_wkt": "POLYGON ((10 63, 10.1 63, 10.1 63.1, 10 63))"},
            "only test areas (test_area_*) may have an area geometry",
        ),
        ({"status": "closed"}, "status 'closed' is not one of operating, planned"),
        ({"arena_type": "factory"}, "arena_type 'factory' is not one of lab"),
    ],
)
def test_inconsistent_rows_are_refused(changes, needle):
    probs = validate_catalogue(frame(**changes), "t.csv")
    assert any(needle in p for p in probs), probs


def test_errors_raise_with_all_problems(munis):
    df = pd.concat([frame(source_url=""), frame(id="b", sectors="nope")])
    with pytest.raises(LayerValidationError) as ei:
        catalogue_to_frame(df, munis, "t.csv")
    assert len(ei.value.problems) == 2 and "line 3 (id 'b')" in ei.value.problems[1]


def test_municipality_precision_has_no_position_and_no_distance(munis):
    """Issue 15: no arbitrary interior point (it put Ocean Farm 1 29.9 km from Håbranden)."""
    from areal.geo.arenas import located

    df = pd.concat([frame(precision="municipality", lon="", lat=""), frame(id="lab-b")], ignore_index=True)
    g = catalogue_to_frame(df, munis, "t.csv")
    assert g.placed_at_municipality.tolist() == [True, False]
    assert g.geometry.iloc[0] is None and g["municipality"].iloc[0] == "5001"
    assert located(g)["id"].tolist() == ["lab-b"]
    near = arenas_near(g, g.geometry.iloc[1], km=1000)
    assert near["id"].tolist() == ["lab-b"]  # the entry without a position has no distance


def test_register_precision_takes_the_register_coordinate(munis):
    g = catalogue_to_frame(frame(precision="register", lon="10.404123", lat="63.418456"), munis, "t.csv")
    assert g.geometry.iloc[0].geom_type == "Point" and not g.placed_at_municipality.iloc[0]
    bad = validate_catalogue(frame(precision="register", lon="10.4041234", lat="63.418"), "t.csv")
    assert any("7 decimals" in p and "'register'" in p for p in bad)


def test_polygon_test_area(munis):
    g = catalogue_to_frame(
        frame(
            arena_type="test_area_sea",
            lon="",
            lat="",
            geometry_wkt="POLYGON ((10.3 63.4, 10.4 63.4, 10.4 63.5, 10.3 63.4))",
        ),
        munis,
    )
    assert g.geometry.iloc[0].geom_type == "Polygon" and g.crs == munis.crs


def test_filter_and_near(munis):
    df = pd.concat([frame(), frame(id="b", sectors="ocean_space", status="planned", lon="10.5", lat="63.5")])
    g = catalogue_to_frame(df, munis)
    assert list(filter_arenas(g, sector="ocean").id) == ["b"]
    assert list(filter_arenas(g, status="operating").id) == ["lab-a"]
    with pytest.raises(
        UnknownNameError, match="'closed' is not a valid status; must be one of operating, planned"
    ):
        filter_arenas(g, status="closed")
    with pytest.raises(
        UnknownNameError, match="'b' is not a valid sector"
    ):  # ambiguous prefix: bioeconomy, buildings
        filter_arenas(g, sector="b")
    near = arenas_near(g, g.geometry.iloc[0], km=1)
    assert list(near.id) == ["lab-a"] and near.distance_km.iloc[0] == 0
    sites = gpd.GeoDataFrame(geometry=[g.geometry.iloc[1].buffer(100)], crs=g.crs)
    tab = arenas_near_sites(g, sites, km=30)
    assert set(tab.arena_id) == {"lab-a", "b"} and tab.distance_km.min() == 0


def test_shipped_catalogue_loads_with_sources(empty_data_dir):
    g = loader.load("test_arenas")
    assert g.attrs["load_report"]["origin"] == "project"
    assert len(g) >= 15
    assert g.source_url.str.startswith("http").all()
    raw = pd.read_csv(
        settings.project_data("test_arenas", "test_arenas.csv"), dtype=str, keep_default_na=False
    )
    assert validate_catalogue(raw, "test_arenas.csv") == []
    # a position exactly where one is published, none where only the municipality is
    assert (g.geometry.isna() == g.placed_at_municipality).all() and g.crs.to_epsg() == 25833
    county = loader.load("county")
    placed = g[g.geometry.notna()]
    assert shapely.within(placed.geometry.values, county.union_all()).all()
    # the aquaculture test sites sit on their register points (Akvakulturregisteret, Dec 2025)
    by_id = g.set_index("id")
    for aid, lon, lat in (
        ("ocean-farm-1-froya", 9.133483, 63.942),
        ("sintef-ace-rataren", 8.521533, 63.7813),
        ("sintef-ace-tristeinen", 9.619183, 63.868933),
    ):
        p = gpd.GeoSeries([by_id.loc[aid].geometry], crs=25833).to_crs(4326).iloc[0]
        assert (round(p.x, 6), round(p.y, 6)) == (lon, lat) and by_id.loc[aid, "precision"] == "register"


def test_cli_lists_and_filters(empty_data_dir):
    res = CliRunner().invoke(main, ["arenas", "--sector", "ocean", "--near", "10.40,63.43", "--km", "30"])
    assert res.exit_code == 0, res.output
    # arenas by name, in Norwegian by default (the ids are for --json)
    assert "OceanLab marint observatorium" in res.output and "ZEB-laboratoriet" not in res.output
    assert "oceanlab-observatory-munkholmen" not in res.output
    en = CliRunner().invoke(
        main, ["arenas", "--sector", "ocean", "--near", "10.40,63.43", "--km", "30", "--lang", "en"]
    )
    assert (
        en.exit_code == 0 and "OceanLab Marine Observatory" in en.output and "ZEB Laboratory" not in en.output
    )
    res = CliRunner().invoke(main, ["arenas", "--km", "3"])
    assert res.exit_code == 2 and "`--km` trenger `--near LENGDE,BREDDE`" in res.output
    res = CliRunner().invoke(main, ["arenas", "--km", "3", "--lang", "en"])
    assert res.exit_code == 2 and "--km needs --near" in res.output
