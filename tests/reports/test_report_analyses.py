"""Report sections filled from the engines: conflict table with legal basis, indicators with the
county median, suitability with weights and the AHP consistency ratio (real extracts + fixture)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed"
)


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.realdata
def test_municipality_report_with_conflicts_indicators_suitability(real_data, tmp_path):
    from areal.apps.cli import main
    from areal.apps.usecases.indicators import compute_indicator_table
    from areal.layers.project_data import load_profile
    from conftest import FIXTURES

    fixture = FIXTURES / "business_areas_5001.geojson"
    out = tmp_path / "r.pdf"
    res = CliRunner().invoke(
        main,
        [
            "report",
            "-m",
            "5001",
            "--business-areas",
            str(fixture),
            "--profile",
            "battery_process",
            "--out",
            str(out),
            "--data-dir",
            str(real_data),
        ],
    )
    assert res.exit_code == 0, res.output
    text = re.sub(r"[ \t]+", " ", pdf_text(out))
    # a conflict pair in words (no layer ids), its severity, hectares and legal basis
    assert "× Myr (N1000)" in text and "middels 30,0" in text and "business_areas" not in text
    assert "forskrift om konsekvensutredninger § 21" in text
    # an indicator with its value, rank and the county median
    result, _ = compute_indicator_table(real_data, business_areas=fixture)
    med = result.summary.set_index("id").loc["protected_share", "median"]
    val = result.row("5001")["protected_share"]
    line = [ln for ln in text.splitlines() if ln.strip().startswith("Andel landareal vernet")][0]
    assert line.split()[-3:] == [
        f"{val:.3f}".replace(".", ","),
        str(int(result.row("5001")["protected_share_rank"])),
        f"{med:.3f}".replace(".", ","),
    ]
    assert "Fylkesmedian" in text
    # suitability: the AHP consistency ratio of the profile and its weights
    cr = load_profile("battery_process").ahp.cr
    assert f"Konsistensratio (CR): {cr:.3f}".replace(".", ",") in text
    assert "transformatorstasjon med ledig kapasitet" in text and "Trondheim - Tråante" in text


@pytest.mark.realdata
def test_municipality_report_without_business_areas_says_what_to_run(real_data, tmp_path):
    from areal.apps.cli import main

    out = tmp_path / "r.pdf"
    res = CliRunner().invoke(
        main,
        ["report", "-m", "5001", "--profile", "data_centre", "--out", str(out), "--data-dir", str(real_data)],
    )
    assert res.exit_code == 0, res.output
    text = re.sub(r"\s+", " ", pdf_text(out))
    # no planned business land: the section says so in Norwegian and lists the conflicts between
    # the interests already mapped in the municipality instead
    assert "Næringsområdene i kommuneplanene (arealformål 1300) finnes ikke i datamappen" in text
    assert "konfliktene mellom interesser som allerede er kartlagt i kommunen" in text
    assert "Konsistensratio (CR): ikke relevant" in text  # data_centre has direct weights


@pytest.mark.realdata
def test_site_report_conflicts_and_site_indicators(real_data, tmp_path):
    from areal.apps.cli import main
    from conftest import FIXTURES

    out = tmp_path / "s.pdf"
    res = CliRunner().invoke(
        main,
        [
            "report",
            "--site",
            str(FIXTURES / "business_areas_5001.geojson"),
            "--profile",
            "hydrogen_ammonia",
            "--out",
            str(out),
            "--data-dir",
            str(real_data),
        ],
    )
    assert res.exit_code == 0, res.output
    text = re.sub(r"[ \t]+", " ", pdf_text(out))
    assert "× Tettbebyggelse (N1000)" in text and " lav " in text
    assert "Andel framtidig næringsareal på allerede utbygd areal" in text and "Fylkesmedian" in text
    assert "Konsistensratio (CR): 0," in text
    res = CliRunner().invoke(
        main,
        [
            "report",
            "--site",
            str(FIXTURES / "business_areas_5001.geojson"),
            "--profile",
            "steelworks",
            "--out",
            str(out),
            "--data-dir",
            str(real_data),
        ],
    )
    assert res.exit_code == 2 and "steelworks" in res.output
