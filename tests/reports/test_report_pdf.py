"""PDF reports: rendered to PNG with pdftoppm, text read back with pdftotext."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from areal.apps.report import ReportInputs, Suitability, render_report
from click.testing import CliRunner
from conftest import UTM33, X0, Y0
from PIL import Image
from shapely.geometry import box

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext") or not shutil.which("pdftoppm"),
    reason="poppler-utils (pdftotext, pdftoppm) not installed",
)


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_png(path, tmp_path) -> Image.Image:
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True
    )
    (png,) = tmp_path.glob("page*.png")
    return Image.open(png).convert("RGB")


def tiny_inputs(**kw) -> ReportInputs:
    site = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 1000, Y0 + 500)], crs=UTM33)
    forest = gpd.GeoDataFrame(geometry=[box(X0 - 500, Y0 - 500, X0 + 500, Y0 + 1000)], crs=UTM33)
    account = pd.DataFrame(
        {
            "Klasse": ["Areal (ha)", "Skog (N1000) (ha)", "Jordbruksareal (AR5, ellers AR50/N50) (ha)"],
            "Areal (ha)": ["50,0", "25,0", "ikke tilgjengelig"],
        }
    )
    return ReportInputs(
        kind="site",
        name="Testtomt Øysand",
        focus=site,
        map_layers={"forest": forest},
        attributions={"forest": "© Kartverket, N1000 (CC BY 4.0)"},
        account=account,
        **kw,
    )


def test_report_sections_not_available(tmp_path):
    out = render_report(tiny_inputs(), tmp_path / "r.pdf", when=date(2026, 1, 2))
    text = pdf_text(out)
    assert "Arealrapport for område: Testtomt Øysand" in text
    assert "2026-01-02" in text and "EPSG:25833" in text
    assert "Skog (N1000): © Kartverket, N1000 (CC BY 4.0)" in text
    assert "25,0" in text and "ikke tilgjengelig" in text
    for what in (
        "Konfliktanalysen er ikke kjørt",
        "Indikatorene er ikke beregnet",
        "Egnethetsanalysen er ikke kjørt",
    ):
        assert what in text
    assert "Metode" in text
    img = np.asarray(pdf_png(out, tmp_path))
    assert img.shape[0] > 300 and (img < 250).any(axis=2).mean() > 0.05  # a page with a drawn map, not blank


def test_report_renders_passed_results(tmp_path):
    conflicts = pd.DataFrame(
        {
            "Interesse": ["Jordbruksareal", "Reinbeite"],
            "Nivå": ["high", "medium"],
            "Areal (ha)": ["3,5", "12,0"],
            "Lovgrunnlag": ["jordlova § 9", "reindriftsloven § 22"],
        }
    )
    indicators = pd.DataFrame(
        {"Indikator": ["Andel på utbygd areal"], "Verdi": ["0,42"], "Fylkesmedian": ["0,31"]}
    )
    suit = Suitability(
        "datasenter",
        {"nett": 0.5, "vei": 0.3, "helning": 0.2},
        0.045,
        pd.DataFrame({"Tomt": ["A"], "Poeng": ["0,81"]}),
    )
    out = render_report(
        tiny_inputs(conflicts=conflicts, indicators=indicators, suitability=suit), tmp_path / "r.pdf"
    )
    text = pdf_text(out)
    assert "jordlova § 9" in text and "reindriftsloven § 22" in text
    assert "Fylkesmedian" in text and "0,31" in text
    assert "Konsistensratio (CR): 0,045" in text and "datasenter" in text and "0,50" in text
    assert "Konfliktanalysen er ikke kjørt" not in text


def test_map_without_credit_is_refused(tmp_path):
    inputs = tiny_inputs()
    inputs.attributions = {}
    with pytest.raises(ValueError, match=r"draws \['forest'\] without a source credit"):
        render_report(inputs, tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()


@pytest.mark.realdata
def test_cli_municipality_report(real_data, tmp_path):
    from areal.apps.cli import main
    from areal.apps.usecases.account import compute_account

    out = tmp_path / "trondheim.pdf"
    res = CliRunner().invoke(
        main, ["report", "--municipality", "5001", "--out", str(out), "--data-dir", str(real_data)]
    )
    assert res.exit_code == 0, res.output
    text = pdf_text(out)
    assert "Arealrapport for Trondheim - Tråante (5001)" in text
    acc, _ = compute_account(real_data)
    t = acc.table.set_index("kommunenummer")
    for knr in ("5001", "50"):
        for col in ("land_ha", "forest_ha", "mire_ha", "built_up_ha", "protected_ha"):
            shown = f"{t.loc[knr, col]:,.1f}".replace(",", " ").replace(".", ",")
            assert shown in text, (knr, col, shown)
    # the missing layer named by its title, in Norwegian (the council's PDF holds no command lines)
    flat = " ".join(text.split())
    assert (
        "ikke tilgjengelig" in text
        and "AR5 arealressurser (jordbruk, skog, myr): mangler i datamappen" in flat
    )
    assert "© Kartverket, N1000 (CC BY 4.0)" in text and "Administrative enheter" in text
    img = pdf_png(out, tmp_path)
    assert img.size[0] > 300


@pytest.mark.realdata
def test_cli_scenario_report(real_data, tmp_path):
    from areal.apps.cli import main

    site = gpd.GeoDataFrame({"navn": ["x"]}, geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=UTM33)
    site.to_file(tmp_path / "site.gpkg")
    store = str(tmp_path / "s.sqlite")
    common = ["--store", store, "--data-dir", str(real_data)]
    assert (
        CliRunner()
        .invoke(main, ["scenario", "save", "Alt 1", "--proposal", str(tmp_path / "site.gpkg"), *common])
        .exit_code
        == 0
    )
    out = tmp_path / "s.pdf"
    res = CliRunner().invoke(main, ["report", "--scenario", "Alt 1", "--out", str(out), *common])
    assert res.exit_code == 0, res.output
    text = pdf_text(out)
    assert "Arealrapport for scenario: Alt 1" in text and "100,0" in text  # the 1 km² square
    res = CliRunner().invoke(
        main, ["report", "--municipality", "5001", "--scenario", "Alt 1", "--out", str(out)]
    )
    assert res.exit_code == 2 and "nøyaktig ett av" in res.output


def test_cli_and_app_build_a_scenario_report_through_one_use_case(tmp_path, monkeypatch):
    """``areal report --scenario`` and the app's "Last ned PDF" both call ``scenario_report``."""
    import areal.apps.report as report
    from areal.apps.cli import main
    from areal.apps.planner.report_view import build_report
    from areal.layers.scenario_store import open_store

    site = gpd.GeoDataFrame({"navn": ["x"]}, geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=UTM33)
    site.to_file(tmp_path / "site.gpkg")
    store = str(tmp_path / "s.sqlite")
    saved = CliRunner().invoke(
        main, ["scenario", "save", "Alt 1", "--proposal", str(tmp_path / "site.gpkg"), "--store", store]
    )
    assert saved.exit_code == 0, saved.output
    calls = []

    class Stop(Exception):
        pass

    def spy(scenario, data_dir=None, **kw):
        calls.append((scenario.name, kw.get("lang")))
        raise Stop

    monkeypatch.setattr(report, "scenario_report", spy)
    res = CliRunner().invoke(
        main, ["report", "--scenario", "Alt 1", "--out", str(tmp_path / "s.pdf"), "--store", store]
    )
    assert calls, res.output
    app_state = type("S", (), {"lang": "en", "data": type("D", (), {"data_dir": None})()})()
    with pytest.raises(Stop):
        build_report("scenario", app_state, scenario=open_store(store, None).get("Alt 1"))
    assert calls == [("Alt 1", "nb"), ("Alt 1", "en")]
