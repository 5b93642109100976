"""Provenance in every output: the GeoPackage's table, the CSV folder's file, the PDF's section."""

import hashlib
import shutil
import subprocess

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from areal.apps.cli import main
from click.testing import CliRunner
from shapely.geometry import box

N50 = "landuse/n50_arealdekke_trondheim_ost.gpkg"


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def proposal(tmp_path):
    p = tmp_path / "proposal.gpkg"
    gpd.GeoDataFrame(geometry=[box(275000, 7039500, 276500, 7040500)], crs=25833).to_file(p)
    return p


@pytest.mark.realdata
def test_conflicts_gpkg_and_csv_carry_the_manifest(real_data, proposal, tmp_path):
    out, csv = tmp_path / "c.gpkg", tmp_path / "csv"
    res = CliRunner().invoke(
        main,
        [
            "conflicts",
            "--proposal",
            str(proposal),
            "--with",
            "farmland,forest,wild_reindeer",
            "--out",
            str(out),
        ]
        + ["--csv", str(csv), "--data-dir", str(real_data)],
    )
    assert res.exit_code == 0, res.output
    prov = pd.DataFrame(pyogrio.read_dataframe(out, layer="provenance", read_geometry=False)).set_index(
        "layer"
    )
    assert list(pd.read_csv(csv / "provenance.csv")["layer"]) == list(prov.index)
    farm = prov.loc["farmland"]
    assert farm["scale"] == "1:50 000" and farm["licence"] == "CC BY 4.0" and "NIBIO" in farm["publisher"]
    # the SHA-256 is the source file's own
    assert f"n50_arealdekke_trondheim_ost.gpkg={_sha(real_data / N50)}" in farm["sha256"]
    forest = prov.loc["forest"]
    assert forest["publisher"] == "Kartverket" and forest["scale"] == "1:1 000 000"
    assert _sha(real_data / "n1000" / "N1000_trondelag_25833.gpkg") in forest["sha256"]
    user = prov.loc["proposal"]
    assert user["publisher"] == "user" and _sha(proposal) in user["sha256"]


@pytest.mark.realdata
def test_account_csv_and_gpkg_carry_the_manifest(real_data, tmp_path):
    res = CliRunner().invoke(
        main, ["account", "--out", str(tmp_path / "a.csv"), "--data-dir", str(real_data)]
    )
    assert res.exit_code == 0, res.output
    prov = pd.read_csv(tmp_path / "a_provenance.csv").set_index("layer")
    assert {"municipalities", "forest", "farmland"} <= set(prov.index)
    assert prov.loc["ar5", "sources"] == "missing (ikke kartlagt)"  # a layer that was not there is named
    res = CliRunner().invoke(
        main, ["account", "--out", str(tmp_path / "a.gpkg"), "--data-dir", str(real_data)]
    )
    assert res.exit_code == 0, res.output
    assert "provenance" in {n for n, _ in pyogrio.list_layers(tmp_path / "a.gpkg")}


@pytest.mark.realdata
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_pdf_has_a_provenance_section(real_data, tmp_path):
    out = tmp_path / "r.pdf"
    res = CliRunner().invoke(
        main, ["report", "--municipality", "5001", "--out", str(out), "--data-dir", str(real_data)]
    )
    assert res.exit_code == 0, res.output
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True).stdout
    assert "Datagrunnlag (kilder, versjon, sjekksum, lisens, målestokk)" in text
    assert _sha(real_data / "n1000" / "N1000_trondelag_25833.gpkg")[:12] in text
    assert "1:1 000 000" in text and "1:50 000" in text


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_provenance_headings_fit_their_columns(lang):
    """Each heading line of the PDF's provenance table fits its column (bold 7.5 pt, 6 pt padding each side)."""
    import pandas as pd
    from areal.apps.report import PROVENANCE_WIDTHS, _fonts, provenance_rows
    from reportlab.pdfbase.pdfmetrics import stringWidth

    _, bold = _fonts()
    prov = pd.DataFrame(
        {
            "dataset": ["Kommuner"],
            "publisher": ["Kartverket"],
            "vintage": ["2024"],
            "fetched": ["2026-11-30T10:00:00"],
            "licence": ["CC BY 4.0"],
            "scale": ["1:50 000"],
            "sha256": ["f=0123456789abcdef"],
        }
    )
    for heading, width in zip(provenance_rows(prov, lang).columns, PROVENANCE_WIDTHS):
        for line in heading.split("\n"):
            assert stringWidth(line, bold, 7.5) <= width - 12, (heading, width)
