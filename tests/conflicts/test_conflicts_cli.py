import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from areal.apps.cli import main
from areal.apps.labels import layer_title
from click.testing import CliRunner
from shapely import box

# Around Stjørdal/Levanger and Trondheim: forest, mire, built-up, power lines, reindeer pasture, aquaculture.
PROPOSAL = [box(260000, 7020000, 280000, 7040000), box(290000, 7050000, 300000, 7060000)]


@pytest.fixture
def proposal_file(tmp_path):
    p = tmp_path / "proposal.gpkg"
    gpd.GeoDataFrame({"navn": ["a", "b"]}, geometry=PROPOSAL, crs=25833).to_file(p)
    return p


@pytest.mark.realdata
def test_conflicts_cli_writes_gpkg_csv_and_names_missing_layers(real_data, proposal_file, tmp_path):
    out = tmp_path / "conflicts.gpkg"
    res = CliRunner().invoke(
        main,
        [
            "conflicts",
            "--proposal",
            str(proposal_file),
            "--out",
            str(out),
            "--csv",
            str(tmp_path / "csv"),
            "--account",
            "--data-dir",
            str(real_data),
        ],
    )
    assert res.exit_code == 0, res.output
    for lid in ("ar5", "reindeer_pastures"):  # by title, with how to get them
        assert f"kartlaget «{layer_title(lid)}» mangler" in res.output and f"areal fetch {lid}" in res.output
    # pairs in words, Norwegian by default (`--lang en` for English; the ids are in the GeoPackage)
    assert "Næringsområder i kommuneplan (arealformål 1300) × Skog (N1000)" in res.output
    assert "business_areas × forest" not in res.output
    # the ar5 rules are listed as not mapped, never as 0 ha
    assert (
        "–  Næringsområder i kommuneplan (arealformål 1300) × Myr (AR5 arealtype 60): ikke kartlagt (kartlaget mangler)"
        in res.output
    )
    # farmland comes from the only source here, N50 DyrketMark of east Trondheim: partly mapped
    assert "jordbruksareal fra N50 Arealdekke, DyrketMark (Kartverket) (1:50 000)" in res.output
    assert "delvis kartlagt:" in res.output
    layers = dict(pyogrio.list_layers(out))
    assert {
        "summary",
        "matrix_ha",
        "by_municipality",
        "rules",
        "area_account",
        "business_areas__forest",
        "business_areas__power_lines_30m",
    } <= set(layers)
    forest = gpd.read_file(out, layer="business_areas__forest")
    assert forest.crs.to_epsg() == 25833 and set(forest.kommunenummer) >= {"5001", "5035"}
    summary = gpd.read_file(out, layer="summary")
    assert summary.set_index("pair").loc["business_areas × forest", "area_ha"] == pytest.approx(
        forest.area_ha.sum()
    )
    mire = summary.set_index("pair").loc["business_areas × ar5:mire"]
    assert (mire["status"], mire["reason"]) == ("not_mapped", "layer_missing")
    assert pd.isna(mire["area_ha"])
    farmland = summary.set_index("pair").loc["business_areas × farmland"]
    assert (farmland["status"], farmland["reason"]) == ("hit", "partly_mapped")
    assert (tmp_path / "csv" / "by_municipality.csv").exists() and (
        tmp_path / "csv" / "area_account.csv"
    ).exists()


@pytest.mark.realdata
def test_conflicts_cli_municipality_and_with_filters(real_data, proposal_file, tmp_path):
    out = tmp_path / "c.gpkg"
    res = CliRunner().invoke(
        main,
        [
            "conflicts",
            "--proposal",
            str(proposal_file),
            "--out",
            str(out),
            "--with",
            "forest,mire",
            "--municipality",
            "5035",
            "--data-dir",
            str(real_data),
        ],
    )
    assert res.exit_code == 0, res.output
    bm = gpd.read_file(out, layer="by_municipality")
    assert bm.kommunenummer.tolist() == ["5035"]
    assert set(gpd.read_file(out, layer="summary").pair) == {
        "business_areas × forest",
        "business_areas × mire",
    }
    bad = CliRunner().invoke(
        main,
        [
            "conflicts",
            "--proposal",
            str(proposal_file),
            "--out",
            str(out),
            "--with",
            "forests",
            "--data-dir",
            str(real_data),
        ],
    )
    assert bad.exit_code == 2 and "`forests` er ikke et kjent kartlag (mente du `forest`?)" in bad.output
    bad = CliRunner().invoke(
        main,
        [
            "conflicts",
            "--proposal",
            str(proposal_file),
            "--out",
            str(out),
            "--municipality",
            "9999",
            "--data-dir",
            str(real_data),
        ],
    )
    assert bad.exit_code == 2 and "9999 er ikke nummeret til en kommune i fylket" in bad.output


def test_conflicts_cli_bad_rule_file_names_line(tmp_path, proposal_file):
    rules = tmp_path / "r.toml"
    rules.write_text(
        '[[rule]]\na = "business_areas"\nb = "mire"\nseverity = "critical"\nbasis = "x"\nexplanation = "y"\n'
    )
    res = CliRunner().invoke(
        main,
        [
            "conflicts",
            "--lang",
            "en",
            "--proposal",
            str(proposal_file),
            "--out",
            str(tmp_path / "o.gpkg"),
            "--rules",
            str(rules),
        ],
    )
    assert res.exit_code == 2
    assert "RuleError" in res.output and "r.toml, line 4: unknown severity 'critical'" in res.output
