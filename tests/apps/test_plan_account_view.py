"""The app's arealregnskap view: its state without a browser, then the page in chromium."""

from __future__ import annotations

import io
import time

import pytest
from areal.apps.planner.plan_account_view import PlanAccountState, PlanAccountView
from areal.apps.planner.state import PlannerState

from tests.accounts.plan_pair import current_plan, proposed_plan


@pytest.fixture
def tool(starter_data, tmp_path):
    empty = tmp_path / "no-data"
    empty.mkdir()
    # an empty data directory: the land classes come from the packaged N1000 starter extract
    return PlanAccountState(app=PlannerState(data=starter_data, mode="planner"), data_dir=empty)


def _gpkg_bytes(frame, tmp_path, name) -> bytes:
    path = tmp_path / name
    frame.to_file(path, driver="GPKG")
    return path.read_bytes()


def test_uploaded_pair_gives_the_known_figures(tool, tmp_path):
    tool.set_upload("current", _gpkg_bytes(current_plan(), tmp_path, "a.gpkg"), "gjeldende KPA.gpkg")
    tool.set_upload("proposed", _gpkg_bytes(proposed_plan(), tmp_path, "b.gpkg"), "forslag.gpkg")
    tool.run()
    assert tool.error == "" and tool.result is not None
    acc = tool.result.account
    assert acc.table("new").loc["1300"].sum() == 10.0
    assert acc.table("returned_lnf").loc["1110"].sum() == 4.0
    assert tool.result.current_name == "gjeldende_KPA.gpkg"  # the sanitised upload name, no server path
    # the downloads are the CLI's writers
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(tool.xlsx_bytes().getvalue()))
    assert "Nytt i planforslaget" in wb.sheetnames
    assert tool.pdf_bytes().getvalue()[:5] == b"%PDF-"
    assert tool.csv_bytes().getvalue().decode("utf-8-sig").startswith("table;tabell;kommunenummer")


def test_recordings_of_the_plan_database(tool):
    assert tool.use_recordings() is True
    tool.run()
    new = tool.result.account.table("new")
    assert new.loc["1300"].sum() == pytest.approx(36.0, abs=0.01)
    assert [s.id for s in tool.result.land_sources][0] == "N1000"  # starter only: N1000, said so


def test_no_recording_for_another_municipality(tool):
    tool.kommune = "5035"
    assert tool.use_recordings() is False
    assert "opptak finnes bare for" in tool.error and "(5035)" in tool.error


def test_a_bad_upload_is_one_message(tool, tmp_path):
    bad = proposed_plan()
    bad.loc[0, "arealbruksstatus"] = "9"
    tool.set_upload("current", _gpkg_bytes(current_plan(), tmp_path, "a.gpkg"), "a.gpkg")
    tool.set_upload("proposed", _gpkg_bytes(bad, tmp_path, "b.gpkg"), "forslag.gpkg")
    tool.run()
    assert tool.result is None
    assert tool.error == (
        "Kunne ikke lage arealregnskapet: forslag.gpkg: column 'arealbruksstatus' has value '9' (1×), "
        "not one of 1 nåværende, 2 framtidig, 3 videreutvikling av nåværende"
    )


def test_view_renders_tables_and_downloads(tool):
    tool.use_recordings()
    tool.run()
    view = PlanAccountView(tool=tool)
    html = view._result(tool.result, "nb")
    text = " ".join(str(getattr(o, "object", "")) for o in html.objects).replace("\\", "")
    assert "Nytt i planforslaget" in text and "1300 Næringsbebyggelse" in text
    assert "Arealklasser (hva som ligger der i dag): N1000 (1:1 000 000" in text
    assert view.title == "Arealregnskap"


# ---------------------------------------------------------------------- the page


@pytest.mark.browser
def test_view_in_the_browser(planner_server, visit, tmp_path):

    visit.open(planner_server.url + "?tab=arealregnskap")
    page = visit.page
    page.locator(".areal-plan-account").first.wait_for(timeout=30_000)
    page.locator(".areal-pa-recordings button").click()
    page.locator(".areal-pa-result").first.wait_for(timeout=120_000)
    deadline = time.monotonic() + 30
    txt = visit.text(".areal-pa-new")
    while "1300" not in txt and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        txt = visit.text(".areal-pa-new")
    assert "1300 Næringsbebyggelse" in txt
    assert "Dyrka mark (N50)" in txt  # HTML-escaped text, no Markdown backslashes
    prov = visit.text(".areal-pa-provenance")
    assert "Arealklasser (hva som ligger der i dag):" in prov
    shot = visit.shot("plan_account_view")
    with page.expect_download() as dl:
        page.locator(".areal-pa-downloads button").nth(2).click()
    pdf = tmp_path / "arealregnskap.pdf"
    dl.value.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert shot.exists()


def test_changes_on_the_map(tool, tmp_path):
    tool.set_upload("current", _gpkg_bytes(current_plan(), tmp_path, "a.gpkg"), "a.gpkg")
    tool.set_upload("proposed", _gpkg_bytes(proposed_plan(), tmp_path, "b.gpkg"), "b.gpkg")
    tool.run()
    ov = tool.app.overlays["plan_account"]
    feats = ov["geojson"]["features"]
    tips = sorted(f["properties"]["_tip"] for f in feats)
    assert tips == [
        "Nytt utbyggingsareal i planforslaget · 1300 Næringsbebyggelse · 10,0\xa0ha",
        "Tilbakeført til LNF · 1110 Boligbebyggelse · 4,0\xa0ha",
    ]
    assert [x["label"] for x in ov["legend"]] == [
        "Nytt utbyggingsareal i planforslaget",
        "Tilbakeført til LNF",
    ]


def test_sosi_upload(tool):
    from tests.accounts.plan_pair import to_sosi

    # the upload is stored under a fixed name: SOSI is recognised from its content
    tool.set_upload("current", to_sosi(current_plan()), "KPA 2022.sos")
    tool.set_upload("proposed", to_sosi(proposed_plan()), "KPA forslag.sos")
    tool.run()
    assert tool.error == ""
    assert tool.result.account.table("new").loc["1300"].sum() == 10.0


def test_english(tool, tmp_path):
    view = PlanAccountView(tool=tool)
    tool.app.lang = "en"
    assert view.title == "Land account" and view.run_button.label == "Compute the land account"
    assert view.recordings.label == "Use the plan database (recording)"
    tool.use_recordings()
    tool.run()
    import subprocess

    pdf = tmp_path / "en.pdf"
    pdf.write_bytes(tool.pdf_bytes().getvalue())
    txt = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Land account (arealregnskap) of the municipal master plan" in txt
    assert "New in the proposed plan" in txt and "Returned to LNF" in txt
    assert "Forest without site index" in txt and "36.0" in txt  # English numbers: decimal point
    assert "Figures in brackets: hectares of a land class without an emission factor" in txt


def test_changing_municipality_clears_the_account(tool):
    view = PlanAccountView(tool=tool)
    tool.use_recordings()
    tool.run()
    assert "plan_account" in tool.app.overlays
    view.kommune.value = "5035"
    assert tool.result is None and "plan_account" not in tool.app.overlays and tool.kommune == "5035"


def test_upload_over_the_limit_refused(tool, monkeypatch):
    from areal.layers import upload

    monkeypatch.setattr(upload, "PLANNER_LIMITS", upload.UploadLimits(max_bytes=1024**2, max_vertices=10))
    tool.set_upload("current", b"x" * (2 * 1024**2), "stor.gml")
    assert tool.current is None
    assert tool.error == "stor.gml: 2,0 MB, mer enn grensen på 1 MB."
