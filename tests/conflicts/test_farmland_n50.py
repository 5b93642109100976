"""Acceptance: the real N50 DyrketMark sample runs through `areal conflicts` as farmland.

A proposal over east Trondheim reports farmland hectares equal to an independent geopandas
overlay of the proposal with the sample's DyrketMark layer, and the output names the source and
scale. Half of the proposal lies outside the sample: that part is reported as not mapped.
"""

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from areal.apps.cli import main
from click.testing import CliRunner
from shapely.geometry import box

N50 = "landuse/n50_arealdekke_trondheim_ost.gpkg"


@pytest.fixture
def proposal(tmp_path):
    # two sites over Ranheim–Vikhammer farmland, one of them running east past the sample's edge
    p = tmp_path / "proposal.gpkg"
    gpd.GeoDataFrame(
        {"navn": ["Ranheim", "Vikhammer"]},
        geometry=[box(275000, 7039500, 276500, 7040500), box(279000, 7040000, 281500, 7041500)],
        crs=25833,
    ).to_file(p)
    return p


@pytest.mark.realdata
def test_n50_dyrketmark_as_farmland_equals_an_independent_overlay(real_data, proposal, tmp_path):
    out = tmp_path / "c.gpkg"
    res = CliRunner().invoke(
        main,
        ["conflicts", "--proposal", str(proposal), "--with", "farmland", "--out", str(out)]
        + ["--csv", str(tmp_path / "csv"), "--data-dir", str(real_data)],
    )
    assert res.exit_code == 0, res.output
    # independent: geopandas overlay of the proposal with the sample's own DyrketMark layer
    prop = gpd.read_file(proposal)
    dyrket = gpd.read_file(real_data / N50, layer="dyrketmark")
    expected_ha = gpd.overlay(prop.dissolve(), dyrket.dissolve(), how="intersection").area.sum() / 1e4
    assert expected_ha > 100  # real farmland under the proposal
    summary = gpd.read_file(out, layer="summary").set_index("pair")
    row = summary.loc["business_areas × farmland"]
    assert row["area_ha"] == pytest.approx(expected_ha, rel=1e-9)
    assert (row["status"], row["reason"]) == ("hit", "partly_mapped")  # east of the sample: not mapped
    # the source and scale are named: in the output and in the written tables
    assert "jordbruksareal fra N50 Arealdekke, DyrketMark (Kartverket) (1:50 000)" in res.output
    assert "delvis kartlagt:" in res.output  # Norwegian by default (--lang en: "partly mapped:")
    sources = pd.DataFrame(pyogrio.read_dataframe(out, layer="farmland_sources", read_geometry=False))
    assert sources[["layer", "scale"]].values.tolist() == [["n50_arealdekke", "1:50 000"]]
    pieces = gpd.read_file(out, layer="business_areas__farmland")
    assert pieces.crs.to_epsg() == 25833 and pieces["area_ha"].sum() == pytest.approx(expected_ha, rel=1e-9)
    assert (tmp_path / "csv" / "farmland_sources.csv").exists()
