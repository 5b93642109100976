import geopandas as gpd
import pytest
from areal.apps.cli import main
from click.testing import CliRunner


@pytest.mark.realdata
def test_areal_layers_on_real_data(real_data):
    res = CliRunner().invoke(main, ["layers", "--data-dir", str(real_data)])
    assert res.exit_code == 0, res.output
    # the id (the argument of fetch, import and layer) is the last column; the layer by its title first
    lines = {
        ln.split()[-1]: ln for ln in res.output.splitlines() if ln and not ln.startswith(("-", "kartlag"))
    }
    assert lines["municipalities"].startswith("Kommuner (2024)")
    assert lines["municipalities"].split()[2:4] == ["lastet", "38"]
    assert " lastet " in lines["aquaculture_sites"] and " 287 " in lines["aquaculture_sites"]
    assert " lastet " in lines["national_parks"] and " 8 " in lines["national_parks"]
    assert " 1\u00a0318 " in lines["rivers"]  # counts in the Norwegian format too
    assert "59\u00a0688,4\u00a0km²" in lines["county"].replace(" km²", "\u00a0km²")
    assert " mangler " in lines["ar5"] and "løpende ajourført" in lines["ar5"]
    assert "Kartverket" in lines["forest"] and "CC BY 4.0" in lines["forest"]
    en = CliRunner().invoke(main, ["layers", "--data-dir", str(real_data), "--lang", "en"])
    assert (
        "Municipalities (2024)" in en.output
        and " loaded " in en.output
        and "continuously updated" in en.output
    )


@pytest.mark.realdata
def test_areal_layer_export(real_data, tmp_path):
    out = tmp_path / "kommuner.gpkg"
    res = CliRunner().invoke(
        main, ["layer", "municipalities", "--out", str(out), "--data-dir", str(real_data)]
    )
    assert res.exit_code == 0, res.output
    assert "skrev 38 objekter av «Kommuner (2024)»" in res.output and "(5 geometrier reparert)" in res.output
    g = gpd.read_file(out, layer="municipalities")
    assert len(g) == 38 and g.crs.to_epsg() == 25833 and g.is_valid.all()


def test_unknown_layer_is_a_clear_error(tmp_path):
    res = CliRunner().invoke(main, ["layer", "nope", "--out", str(tmp_path / "x.gpkg")])
    assert res.exit_code == 2
    assert "Feil: `nope` er ikke et kjent kartlag; `areal layers` viser alle med id" in res.output
    res = CliRunner().invoke(main, ["layer", "nope", "--out", str(tmp_path / "x.gpkg"), "--lang", "en"])
    assert res.exit_code == 2
    assert "'nope' is not a known layer; available layers are:" in res.output


def test_missing_layer_export_names_remedy(empty_data_dir, tmp_path):
    res = CliRunner().invoke(main, ["layer", "ar5", "--out", str(tmp_path / "x.gpkg")])
    assert res.exit_code == 1
    assert "kartlaget «AR5 arealressurser" in res.output and "`areal fetch ar5`" in res.output
    assert "LayerMissingError" not in res.output
    res = CliRunner().invoke(main, ["layer", "ar5", "--out", str(tmp_path / "x.gpkg"), "--lang", "en"])
    assert res.exit_code == 1
    assert "LayerMissingError" in res.output and "areal fetch ar5" in res.output
