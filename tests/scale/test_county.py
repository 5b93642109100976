"""Any county: the county parameter, zero-padded municipality numbers."""

import geopandas as gpd
import pandas as pd
import pytest
from areal.layers import loader, settings
from areal.layers._base import COUNTY_MUNICIPALITIES, LayerSpec, Source
from shapely.geometry import box


def test_county_values_and_patterns(monkeypatch):
    monkeypatch.delenv(settings.ENV_COUNTY, raising=False)
    assert settings.county() == "50"
    monkeypatch.setenv(settings.ENV_COUNTY, "3")
    assert settings.county() == "03" and settings.county_pattern() == r"03\d\d"
    assert settings.county("all") == "all" and settings.county_pattern("all") == r"\d{4}"
    with pytest.raises(ValueError, match="'Trøndelag' is not a county number"):
        settings.county("Trøndelag")


def _munis(tmp_path, numbers):
    # numbers as a numeric source delivers them: Oslo 0301 arrives as 301
    x = range(len(numbers))
    gdf = gpd.GeoDataFrame(
        {"kommunenummer": numbers, "kommunenavn": [f"K{n}" for n in numbers]},
        geometry=[box(250_000 + 1000 * i, 7e6, 250_500 + 1000 * i, 7e6 + 500) for i in x],
        crs=25833,
    )
    gdf.to_file(tmp_path / "k.geojson", driver="GeoJSON")
    return LayerSpec(
        id="k",
        title_nb="K",
        title_en="K",
        theme="administrative",
        kind="vector",
        geometry_type="Polygon",
        publisher="test",
        licence="CC0",
        vintage="2024",
        attribution="test",
        source=Source(patterns=("k.geojson",)),
        columns={"kommunenummer": "str", "kommunenavn": "str"},
        where={"kommunenummer": COUNTY_MUNICIPALITIES},
    )


def test_numeric_municipality_numbers_are_zero_padded_and_the_county_filters(tmp_path, monkeypatch):
    spec = _munis(tmp_path, [301, 5001, 5006, 4601])
    monkeypatch.setenv(settings.ENV_COUNTY, "50")
    df = loader.load(spec, tmp_path, cache_dir=tmp_path / "c")
    assert df["kommunenummer"].tolist() == ["5001", "5006"]
    monkeypatch.setenv(settings.ENV_COUNTY, "03")
    df = loader.load(spec, tmp_path, cache_dir=tmp_path / "c")
    assert df["kommunenummer"].tolist() == ["0301"]  # not "301", and not the cached Trøndelag frame
    monkeypatch.setenv(settings.ENV_COUNTY, "all")
    df = loader.load(spec, tmp_path, cache_dir=tmp_path / "c")
    assert df["kommunenummer"].tolist() == ["0301", "5001", "5006", "4601"]


def test_pad_codes_keeps_missing_and_text():
    s = loader.pad_codes(pd.Series([301.0, "46", None, "x1"]), 4)
    assert s.tolist() == ["0301", "0046", None, "x1"]


def test_cli_county_and_scheduler_options_reach_the_run_and_are_restored(monkeypatch):
    import os

    from areal.apps.cli import main
    from click.testing import CliRunner

    monkeypatch.delenv(settings.ENV_COUNTY, raising=False)
    monkeypatch.delenv(settings.ENV_SCHEDULER, raising=False)
    seen = {}

    @main.command("probe-settings", hidden=True)
    def probe():
        seen.update(county=settings.county(), scheduler=settings.scheduler(), area=settings.area_method())

    try:
        r = CliRunner().invoke(main, ["--county", "3", "--scheduler", "processes:2", "probe-settings"])
        assert r.exit_code == 0, r.output
        assert seen == {"county": "03", "scheduler": "processes:2", "area": "planar"}
        r = CliRunner().invoke(main, ["--county", "all", "probe-settings"])
        assert seen["county"] == "all" and seen["area"] == "geodesic" and seen["scheduler"] == "threads"
        assert settings.ENV_COUNTY not in os.environ and settings.ENV_SCHEDULER not in os.environ
        r = CliRunner().invoke(main, ["--scheduler", "gpu", "probe-settings"])
        assert r.exit_code == 2 and "'gpu' is not one of serial, threads, processes" in r.output
        r = CliRunner().invoke(main, ["--county", "Trøndelag", "probe-settings"])
        assert r.exit_code == 2 and "not a county number" in r.output
    finally:
        main.commands.pop("probe-settings", None)


def test_indicators_read_the_county_row_of_the_run():
    from types import SimpleNamespace

    from areal.geo.indicators import IndicatorInputs, _account_series

    munis = gpd.GeoDataFrame({"kommunenummer": ["0301"]}, geometry=[box(0, 0, 1, 1)], crs=25833)
    table = pd.DataFrame(
        {"kommunenummer": ["0301", "03"], "kommunenavn": ["Oslo", "Oslo fylke"], "land_ha": [1.5, 1.5]}
    )
    inputs = IndicatorInputs(munis, SimpleNamespace(table=table), county_id="03")
    s, county = _account_series(inputs, "land_ha")
    assert s.to_dict() == {"0301": 1.5} and county == 1.5
    with pytest.raises(KeyError):
        _account_series(IndicatorInputs(munis, SimpleNamespace(table=table)), "land_ha")  # default 50


def test_the_land_account_total_row_is_the_run_county():
    from areal.geo.land_account import land_account, proposal_account

    munis = gpd.GeoDataFrame(
        {"kommunenummer": ["0301"], "kommunenavn": ["Oslo"]}, geometry=[box(0, 0, 1000, 1000)], crs=25833
    )
    acc = land_account(munis, {}, county=settings.county_row("03"))
    assert acc.table["kommunenummer"].tolist() == ["0301", "03"] and acc.county_id == "03"
    assert acc.county["kommunenavn"] == "Oslo" and acc.municipalities["kommunenummer"].tolist() == ["0301"]
    prop = gpd.GeoDataFrame(geometry=[box(0, 0, 500, 1000)], crs=25833)
    p = proposal_account(prop, {}, munis, county=settings.county_row("all"))
    assert p.table["kommunenummer"].tolist() == ["0301", "00"] and p.county["proposal_total_ha"] == 50.0
