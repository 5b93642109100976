"""The same area gives the same hectares in the app, the CLI, the API and the PDF (issue 15).

One GeoJSON file (WGS84, straddling the border of the Tautra protected area, in the real
extracts) goes through every view: ``areal check --json`` and its text and PDF, a started
``areal api`` server over HTTP, and the app's "Arealanalyse" tab state. The numbers are equal
exactly and the text shows the same figures digit for digit.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import geopandas as gpd
import pytest
from areal.apps.cli import main
from click.testing import CliRunner
from shapely import box

pytestmark = pytest.mark.realdata

ROOT = Path(__file__).resolve().parents[2]
# 2 km × 2 km across the protected area at Tautra (EPSG:25833); hits the area, its § 49 ring
# and the buffer
AREA = box(282000, 7056000, 284000, 7058000)
CONTEXT, BUFFER = "kommuneplan", 250


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def area_file(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("area") / "tautra.geojson"
    p.write_text(gpd.GeoDataFrame(geometry=[AREA], crs=25833).to_crs(4326).to_json(drop_id=True))
    return p


@pytest.fixture(scope="module")
def api_url(real_data):
    """A started ``areal api`` (its own process), stopped by its pid at the end."""
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), AREAL_DATA_DIR=str(real_data))
    proc = subprocess.Popen(
        [sys.executable, "-m", "areal.apps.cli", "api", "--port", str(port), "--data-dir", str(real_data)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/", timeout=1)
                break
            except (urllib.error.URLError, ConnectionError):
                if proc.poll() is not None:
                    pytest.fail(f"areal api ended: {proc.stdout.read().decode()[-2000:]}")
                time.sleep(0.1)
        else:
            pytest.fail("areal api did not answer within 30 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def post(url: str, body) -> tuple[int, dict]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("\xa0", " "))


def test_api_posts_a_geojson_area_and_reads_a_status_per_dataset(api_url, area_file):
    landing = json.loads(urllib.request.urlopen(api_url + "/").read())
    assert {"conformance", "processes"} <= {ln["href"].rsplit("/", 1)[-1] for ln in landing["links"]}
    conf = json.loads(urllib.request.urlopen(api_url + "/conformance").read())
    assert "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/core" in conf["conformsTo"]
    procs = json.loads(urllib.request.urlopen(api_url + "/processes").read())
    assert {p["id"] for p in procs["processes"]} == {"area-analysis", "conflicts", "suitability"}
    desc = json.loads(urllib.request.urlopen(api_url + "/processes/area-analysis").read())
    assert "reguleringsplan" in desc["inputs"]["context"]["schema"]["enum"]
    assert desc["outputs"]["result"]["schema"]["properties"]["results"]["type"] == "array"

    geo = json.loads(area_file.read_text())
    status, out = post(
        api_url + "/processes/area-analysis/execution",
        {"inputs": {"inputGeometry": geo, "context": "reguleringsplan", "requestedBuffer": BUFFER}},
    )
    assert status == 200, out
    rows = {r["dataset"]: r for r in out["result"]["results"]}
    assert rows["protected_areas"]["status"] == "hit_red" and rows["protected_areas"]["area_ha"] > 10
    assert rows["national_parks"]["status"] == "no_hit" and rows["national_parks"]["distance_m"] > 10_000
    # farmland: the composite's only source here is the N50 sample of east Trondheim: not mapped here
    assert rows["farmland"]["status"] == "not_mapped" and rows["farmland"]["area_ha"] is None
    assert rows["forest"]["status"] == "not_relevant"  # N1000 forest is not part of reguleringsplan
    assert all(
        r["status"] in {"hit_red", "hit_yellow", "no_hit", "not_relevant", "not_mapped", "error"}
        for r in rows.values()
    )
    assert "§ 34" in rows["protected_areas"]["basis"] and rows["protected_areas"]["guidance_nb"]


def test_api_bad_input_is_400_with_one_line(api_url, area_file):
    geo = json.loads(area_file.read_text())
    cases = [
        (b"{not json", "not valid JSON"),
        ({"inputs": {"inputGeometry": geo, "context": "bygg"}}, "input context: 'bygg' is not one of"),
        (
            {"inputs": {"inputGeometry": geo, "requestedBuffer": -1}},
            "input requestedBuffer: -1 is less than the minimum",
        ),
        ({"inputs": {"context": "ku"}}, "'inputGeometry' is a required property"),
        (
            {
                "inputs": {
                    "inputGeometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
                }
            },
            "outside Norway",
        ),
        ({"inputs": {"inputGeometry": {"type": "Polygon", "coordinates": "x"}}}, "inputGeometry"),
    ]
    for body, expected in cases:
        status, out = post(api_url + "/processes/area-analysis/execution", body)
        assert status == 400, (body, out)
        assert expected in out["detail"] and "\n" not in out["detail"], out
        assert "Traceback" not in out["detail"] and str(ROOT) not in out["detail"]
    status, out = post(api_url + "/processes/nope/execution", {"inputs": {}})
    assert status == 404 and "unknown process 'nope'" in out["detail"]


def test_api_conflicts_process_gives_the_ring_outside_the_protected_area(api_url, area_file):
    geo = json.loads(area_file.read_text())
    status, out = post(api_url + "/processes/conflicts/execution", {"inputs": {"inputGeometry": geo}})
    assert status == 200, out
    pairs = {p["pair"]: p for p in out["result"]["pairs"]}
    inside = pairs["business_areas × protected_areas"]["area_ha"]
    ring = pairs["business_areas × protected_areas (200 m)"]
    assert ring["zone"] == "outside" and 0 < ring["area_ha"] < 400 - inside


def test_same_hectares_in_app_cli_api_and_pdf(real_data, api_url, area_file, tmp_path):
    from areal.apps.planner.analysis_view import AnalysisState
    from areal.apps.planner.data import AppData
    from areal.apps.planner.state import PlannerState
    from areal.layers.upload import PLANNER_LIMITS, read_upload

    args = [
        "check",
        str(area_file),
        "--context",
        CONTEXT,
        "--buffer",
        str(BUFFER),
        "--data-dir",
        str(real_data),
    ]
    # CLI --json
    res = CliRunner().invoke(main, [*args, "--json"])
    assert res.exit_code == 0, res.output
    cli = json.loads(res.stdout)
    # CLI text and its PDF
    pdf = tmp_path / "analyse.pdf"
    text = CliRunner().invoke(main, [*args, "--pdf", str(pdf)])
    assert text.exit_code == 0, text.output
    # API
    status, api = post(
        api_url + "/processes/area-analysis/execution",
        {
            "inputs": {
                "inputGeometry": json.loads(area_file.read_text()),
                "context": CONTEXT,
                "requestedBuffer": BUFFER,
            }
        },
    )
    assert status == 200, api
    api = api["result"]
    # app: the tab's state over the server's layers, the site uploaded as in the app
    layers = sorted({d.split(":")[0] for d in (r["dataset"] for r in cli["results"])} | {"municipalities"})
    state = PlannerState(data=AppData.load(real_data, only=layers), mode="planner")
    state.site = read_upload(area_file.read_bytes(), area_file.name, PLANNER_LIMITS)
    tab = AnalysisState(app=state, context=CONTEXT, buffer_m=BUFFER)
    tab.run()
    assert tab.error == "" and tab.result is not None
    app = tab.result.to_dict()

    # the same numbers, exactly, everywhere
    keys = ("status", "area_ha", "share", "buffer_ha", "zone_ha", "distance_m")
    for doc in (api, app):
        assert doc["area_ha"] == cli["area_ha"]
        assert [(r["dataset"], *(r[k] for k in keys)) for r in doc["results"]] == [
            (r["dataset"], *(r[k] for k in keys)) for r in cli["results"]
        ]
    assert cli["municipalities"] and api["municipalities"] == cli["municipalities"] == app["municipalities"]
    hits = [r for r in cli["results"] if r["status"] in ("hit_red", "hit_yellow")]
    assert any(r["dataset"] == "protected_areas" and r["area_ha"] > 10 for r in hits)

    # the same text: the app's table, the CLI's lines and the PDF
    shown = tab.rows()
    table = tab.table()
    pdf_text = _squash(
        subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
    )
    cli_lines = text.output.splitlines()
    for r in shown:
        if r["status_id"] not in ("hit_red", "hit_yellow", "no_hit"):
            continue
        line = next(ln for ln in cli_lines if r["title"][:60] in ln)
        assert r["area"] in line and r["zone"] in line and r["buffer"] in line, (r, line)
        assert _squash(r["area"]) in pdf_text and _squash(r["zone"]) in pdf_text
        assert r["area"] in set(table["Areal treff"])
    total = next(r for r in shown if r["dataset"] == "protected_areas")["area"]
    assert re.fullmatch(r"\d+,\d\xa0ha", total)  # Norwegian: decimal comma, no-break space


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_pdf_names_not_mapped_datasets_and_never_zero(real_data, area_file, tmp_path):
    pdf = tmp_path / "a.pdf"
    res = CliRunner().invoke(
        main,
        ["check", str(area_file), "--context", "byggesak", "--pdf", str(pdf), "--data-dir", str(real_data)],
    )
    assert res.exit_code == 0, res.output
    txt = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    farm = next(ln for ln in txt.splitlines() if "AR5" in ln and "Ikke kartlagt" in ln)
    assert "0,00" not in farm and "–" in farm


def test_api_suitability_process_small_grid_cached(api_url):
    body = {"inputs": {"profile": "data_centre", "municipality": "5001", "resolution": 1000, "top": 3}}
    t0 = time.perf_counter()
    status, out = post(api_url + "/processes/suitability/execution", body)
    first = time.perf_counter() - t0
    assert status == 200, out
    res = out["result"]
    feats = res["sites"]["features"]
    assert res["resolution_m"] == 1000 and 1 <= len(feats) <= 3
    assert [f["properties"]["rank"] for f in feats] == sorted(f["properties"]["rank"] for f in feats)
    lost = {r["exclusion"]: r for r in res["area_lost"]}
    assert lost["remaining"]["cell_res_m"] == 1000.0 and {r["method"] for r in res["area_lost"]} == {"exact"}
    t0 = time.perf_counter()
    status, again = post(api_url + "/processes/suitability/execution", body)
    assert status == 200 and again == out and time.perf_counter() - t0 < max(first, 0.5)  # from the cache
    status, bad = post(
        api_url + "/processes/suitability/execution", {"inputs": {"profile": "x", "municipality": "5001"}}
    )
    assert status == 400 and "input profile: 'x' is not one of" in bad["detail"]


def test_cli_check_in_english(real_data, area_file):
    res = CliRunner().invoke(
        main, ["check", str(area_file), "--context", "ku", "--lang", "en", "--data-dir", str(real_data)]
    )
    assert res.exit_code == 0, res.output
    assert res.output.startswith("Area analysis (Environmental impact assessment (KU)): area 400.0 ha")
    assert (
        "Hit – must be handled" in res.output
        and "Not mapped" in res.output
        and "ikke" not in res.output.lower()
    )
