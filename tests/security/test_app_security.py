"""The app with hostile input: the corpus through the session state, hostile names in every view,
public-mode limits (pre-built models only, link parameters), the worker pool and its budgets,
the data endpoints' answers to bad parameters, and the planner login.
"""

from __future__ import annotations

import html
import json
import re
import sys
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from areal.apps.planner.data import AppData, LayerState
from areal.apps.planner.engines import Engines
from areal.apps.planner.state import PlannerState
from areal.apps.planner.tools import ArenaState, ConflictState, IndicatorState, SuitabilityState
from areal.apps.planner.workers import WORKER_NICENESS, Budget, ForkedWorker, SessionRunner, WorkerPool
from areal.geo.errors import BudgetExceededError, UploadError
from areal.geo.profiles import parse_profile
from areal.geo.rules import parse_rules
from areal.layers import registry
from conftest import UTM33, X0, Y0
from shapely.geometry import LineString, Point, box

BAD = Path(__file__).resolve().parents[1] / "fixtures" / "bad"
MANIFEST = json.loads((BAD / "manifest.json").read_text(encoding="utf-8"))
IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=1</script>"
HOSTILE = f"{IMG}{SCRIPT}[klikk](javascript:window.__pwned=1)"


def _gdf(geoms, **cols):
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs=UTM33)


@pytest.fixture(scope="module")
def hostile_world():
    """A tiny county whose data is hostile: municipality, arena and layer-reason texts carry markup."""
    munis = _gdf(
        [box(X0, Y0, X0 + 5000, Y0 + 5000), box(X0 + 5000, Y0, X0 + 10000, Y0 + 5000)],
        kommunenummer=["5001", "5028"],
        kommunenavn=[HOSTILE, "Melhus"],
    )
    layers = {
        "municipalities": munis,
        "municipalities_sea": munis,
        "county": _gdf([box(X0, Y0, X0 + 10000, Y0 + 5000)]),
        "osm_business": _gdf([box(X0 + 1000, Y0 + 1000, X0 + 2000, Y0 + 2000)]),
        "mire": _gdf([box(X0 + 1500, Y0 + 1000, X0 + 2500, Y0 + 2000)], navn=[HOSTILE]),
        "roads": _gdf([LineString([(X0 + 500, Y0), (X0 + 500, Y0 + 5000)])]),
        "test_arenas": gpd.GeoDataFrame(
            {
                "id": ["evil"],
                "name": [HOSTILE],
                "arena_type": ["lab"],
                "sectors": ["ict"],
                "sector_list": [("ict",)],
                "operator": [IMG],
                "can_test": [SCRIPT],
                "access": ["open"],
                "status": ["operating"],
                "precision": ["campus"],
                "municipality_name": [HOSTILE],
                "source_url": ["javascript:window.__pwned=1"],
                "source_title": [IMG],
            },
            geometry=[Point(X0 + 100, Y0 + 100)],
            crs=UTM33,
        ),
    }
    specs = registry.specs()
    states = {
        s.id: LayerState("loaded") if s.id in layers else LayerState("error", "", f"broken: {HOSTILE}")
        for s in specs
    }
    data = AppData(specs=specs, layers=layers, states=states)
    rules = parse_rules(
        {
            "rule": [
                {
                    "a": "business_areas",
                    "b": "mire",
                    "severity": "medium",
                    "basis": "pbl",
                    "explanation": "x",
                },
                {"a": "test_arenas", "b": "mire", "severity": "low", "basis": "x", "explanation": "y"},
            ]
        },
        known_layers=["business_areas", "mire", "test_arenas"],
    )
    prof = parse_profile(
        {
            "name": "tiny",
            "title_nb": "Liten",
            "title_en": "Tiny",
            "rationale": "t",
            "min_area_ha": 50,
            "threshold": 0.5,
            "connectivity": "rook",
            "exclusions": ["mire"],
            "criteria": [
                {
                    "id": "road",
                    "kind": "distance",
                    "layer": "roads",
                    "weight": 1,
                    "value": {"type": "linear", "best": 0, "worst": 10000},
                }
            ],
        },
        "tiny.toml",
    )
    return data, Engines(data, rules, {"tiny": prof})


def _dom_html(viewable) -> str:
    """The HTML every text model of a rendered view puts into the page (what innerHTML receives)."""
    import panel as pn

    root = pn.panel(viewable).get_root()
    out = []
    for model in root.references():
        text = getattr(model, "text", None)
        if isinstance(text, str):
            out.append(html.unescape(text))  # Panel sends HTML escaped once for transport
    return "\n".join(out)


def _assert_inert(dom: str, must_show: bool = True) -> None:
    low = dom.lower()
    assert "<img" not in low and "<script" not in low, [m for m in re.findall(r"<(?:img|script)[^>]*>", low)]
    assert 'href="javascript' not in low and "href='javascript" not in low
    if must_show:
        assert "&lt;img src=x onerror=" in dom  # the hostile text is shown, as text


def test_hostile_names_are_shown_as_text_in_every_view(hostile_world, tmp_path):
    from areal.apps.planner.app import App
    from areal.apps.planner.tool_views import ArenasView, ConflictsView, IndicatorView, SuitabilityView
    from areal.apps.planner.views import LayerPanel, SiteCheckView
    from areal.layers.scenario_store import open_store

    data, engines = hostile_world
    app = PlannerState(data=data, mode="planner", notice=f"profile {HOSTILE}")
    kw = dict(app=app, engines=engines)
    from areal.apps.planner.scenarios import ScenarioState, ScenarioView

    store = open_store(None, tmp_path)
    ind = IndicatorState(**kw)
    scen = ScenarioState(**kw, store=store)
    # a scenario with a hostile name, note and author, saved and opened: its name becomes the site's source
    app.set_site_frame(_gdf([box(X0 + 1200, Y0 + 1200, X0 + 1800, Y0 + 1800)]), "draw")
    assert scen.save(HOSTILE, note=HOSTILE, author=IMG) == "saved"
    scen.open(HOSTILE)
    assert app.site_source == f"scenario:{HOSTILE}" and app.report is not None
    site_view = SiteCheckView(state=app)
    dom = _dom_html(site_view)
    _assert_inert(dom)
    # an error whose message and detail quote the hostile content
    app._fail(UploadError(f"x.geojson: the CRS {HOSTILE!r} is not an EPSG code", "crs", {"file": HOSTILE}))
    assert app.error and app.error_detail
    _assert_inert(_dom_html(site_view))
    _assert_inert(_dom_html(LayerPanel(state=app)))
    app.municipality = "5001"
    conf = ConflictState(**kw)
    conf.error = HOSTILE
    _assert_inert(_dom_html(ConflictsView(tool=conf)))
    suit = SuitabilityState(**kw, profile="tiny", resolution=250.0)
    suit.apply_ahp([[IMG, "1"], ["1", "1"]])
    suit.notice = HOSTILE
    assert suit.ahp_error
    _assert_inert(_dom_html(SuitabilityView(tool=suit)))
    arenas = ArenaState(**kw)
    arenas.selected = "evil"
    dom = _dom_html(ArenasView(tool=arenas))
    _assert_inert(dom)
    assert (
        "javascript" not in re.sub(r"&[a-z]+;|\\", "", dom).split("href")[-1][:40]
    )  # no link to javascript:
    ind.selected = "5001"
    ind.error = HOSTILE
    _assert_inert(_dom_html(IndicatorView(tool=ind)))
    # the list, the overwrite question, the messages and the comparison quote the hostile text
    assert scen.save(HOSTILE) == "confirm"
    scen.scenario_a = scen.scenario_b = HOSTILE
    _assert_inert(_dom_html(ScenarioView(tool=scen)))
    scen.confirm_overwrite()
    assert scen.rename(HOSTILE, IMG)
    _assert_inert(_dom_html(ScenarioView(tool=scen)))
    _assert_inert(_dom_html(App(state=app, extra_views=[])), must_show=True)


# ---------------------------------------------------------------- the corpus through the session


@pytest.fixture(scope="module")
def starter(tmp_path_factory):
    return AppData.load(tmp_path_factory.mktemp("no-data"))


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_corpus_through_the_public_session(starter, name):
    state = PlannerState(data=starter, mode="public")
    exp = MANIFEST[name]
    state.upload((BAD / name).read_bytes(), name)
    if exp["expect"] == "refused":
        assert state.error, name
        assert state.error_detail == ""  # public: no technical detail
        assert not re.search(r"/tmp/|/home/|/root/|Traceback|site-packages", state.error), state.error
        assert not re.search(r"\bnan\b|\{|\}", state.error), state.error  # every placeholder filled
        assert state.site is None
    else:
        assert state.error == "" and state.site is not None and state.report is not None


def test_planner_session_shows_the_english_detail(starter):
    state = PlannerState(data=starter, mode="planner")
    state.upload((BAD / "zip_bad_crc.zip").read_bytes(), "zip_bad_crc.zip")
    assert (
        state.error.startswith("Filen zip_bad_crc.zip kan ikke leses")
        and "Zip-filen er skadet" in state.error
    )
    assert "Bad CRC-32" in state.error_detail


# ---------------------------------------------------------------- public mode: pre-built models only


def test_public_links_never_build_a_model(hostile_world):
    data, engines = hostile_world
    public = PlannerState(data=data, mode="public")
    built = []
    real_model = engines.model

    def spy(name, res):
        if not engines.has_model(name, res):
            built.append((name, res))
        return real_model(name, res)

    engines.model = spy
    try:
        s = SuitabilityState(app=public, engines=engines, profile="tiny", resolution=100.0)
        s.start()
        assert s.resolution == 250.0 and "250 m" in s.notice and "100 m" in s.notice
        assert built == [("tiny", 250.0)]  # the pre-built resolution, never the 100 m of the link
        assert "100" in public.notice
        s.resolution = 500.0  # not built: refused too
        assert s.resolution == 250.0 and built == [("tiny", 250.0)]
        planner = SuitabilityState(
            app=PlannerState(data=data, mode="planner"), engines=engines, profile="tiny"
        )
        assert planner.allowed_resolutions() == [100.0, 250.0, 500.0]
    finally:
        engines.model = real_model


def test_unknown_profile_in_a_link_is_refused_with_a_notice(hostile_world):
    from areal.apps.planner.app import _link_notices

    data, engines = hostile_world
    app = PlannerState(data=data, mode="public")
    s = SuitabilityState(app=app, engines=engines)
    with pytest.raises(ValueError):
        s.profile = "x"  # what a link's ?profile=x does: refused (the session used to crash on it)
    notes = _link_notices(app, s, {"profile": [b"x"], "lat": [b"1000"], "z": [b"abc"]}, engines)
    assert (
        any("«x»" in n for n in notes) and any("«lat»" in n for n in notes) and any("«z»" in n for n in notes)
    )


# ---------------------------------------------------------------- the worker pool


def test_site_check_runs_on_the_pool_and_comes_back_on_the_session(starter):
    pool = WorkerPool(max_workers=1)
    runner = SessionRunner(pool, doc=None)  # no document: the result is applied at once
    state = PlannerState(data=starter, mode="public", runner=runner)
    threads = []
    real = state.compute_report

    def spy(site, what="site"):
        threads.append(threading.current_thread().name)
        return real(site, what)

    state.compute_report = spy
    gj = (
        gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 500, Y0 + 500)], crs=UTM33)
        .to_crs(4326)
        .to_json()
        .encode()
    )
    state.upload(gj, "a.geojson")
    for _ in range(200):
        if state.report is not None:
            break
        time.sleep(0.05)
    assert state.report is not None and not state.busy and threads[0].startswith("areal-work")
    pool.shutdown()


def _wait_report(state, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while (state.busy or (state.report is None and not state.error)) and time.monotonic() < deadline:
        time.sleep(0.05)


def _site_bytes(*geoms) -> bytes:
    return gpd.GeoDataFrame(geometry=list(geoms), crs=UTM33).to_crs(4326).to_json().encode()


def test_site_check_in_the_forked_process_equals_the_inline_one(starter):
    """The child reads and checks; the parent only fills the suitability slot; same report as inline."""
    import os

    engines = Engines(starter)
    worker = ForkedWorker((starter, engines))
    pool = WorkerPool(max_workers=1)
    try:
        assert worker.pid != os.getpid()
        kw = dict(data=starter, mode="public", conflict_engine=engines.site_conflicts)
        inline = PlannerState(**kw, suitability_engine=lambda site, layers: None)
        forked = PlannerState(
            **kw,
            suitability_engine=lambda site, layers: None,
            runner=SessionRunner(pool),
            site_process=worker,
        )

        def never(site, what="site"):
            raise AssertionError("checked in the server process")

        forked.compute_report = never
        gj = _site_bytes(box(X0 + 800, Y0 + 800, X0 + 2200, Y0 + 1600))
        for state in (inline, forked):
            state.site_kind = "test_area_land"
            state.upload(gj, "a.geojson")
        _wait_report(forked)
        assert forked.error == "" and forked.report is not None, forked.error
        a, b = inline.report, forked.report
        assert b.area_ha == pytest.approx(a.area_ha, rel=1e-12) and a.area_ha == pytest.approx(112.0)
        for name in ("municipalities", "intersections", "distances", "coverage", "conflicts"):
            pd_a, pd_b = getattr(a, name), getattr(b, name)
            assert pd_a.equals(pd_b), name
        assert b.conflicts.attrs["as_layer"] == "test_area_land"  # the session's kind reached the child
        assert forked.site_source == "upload:a.geojson" and forked.site_code == inline.site_code != ""
        # an error raised in the child comes back typed, with its key: the translated message
        forked.upload(b"{not json", "b.geojson")
        _wait_report(forked)
        assert forked.error and forked.report is b  # the old report stays
        inline.upload(b"{not json", "b.geojson")
        assert forked.error == inline.error
    finally:
        worker.shutdown()
        pool.shutdown()


def test_site_checks_go_on_in_the_server_when_the_process_dies(starter, caplog):
    import os
    import signal

    worker = ForkedWorker((starter, None))
    pool = WorkerPool(max_workers=1)
    try:
        os.kill(worker.pid, signal.SIGKILL)
        state = PlannerState(data=starter, mode="public", runner=SessionRunner(pool), site_process=worker)
        with caplog.at_level("ERROR", logger="areal.app"):
            state.upload(_site_bytes(box(X0, Y0, X0 + 500, Y0 + 500)), "a.geojson")
            _wait_report(state)
        assert state.report is not None and state.report.area_ha == pytest.approx(25.0), state.error
        assert not worker.alive and worker.fallbacks == 1
        assert any("died" in r.getMessage() for r in caplog.records)
    finally:
        worker.shutdown()
        pool.shutdown()


def test_the_site_check_process_ends_with_the_server(tmp_path):
    """A server killed outright (no exit handlers) takes its site-check process with it."""
    import os
    import signal
    import subprocess

    script = (
        "import sys, time\n"
        "from areal.apps.planner.workers import ForkedWorker\n"
        "w = ForkedWorker({})\n"
        "print(w.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    child = int(proc.stdout.readline())
    os.kill(child, 0)  # alive
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{child}/stat") as fh:
                if fh.read().split()[2] == "Z":  # a zombie has ended
                    break
        except FileNotFoundError:
            break
        time.sleep(0.1)
    else:
        os.kill(child, signal.SIGKILL)
        raise AssertionError(f"process {child} outlived its server")


def test_pool_refuses_when_full_and_times_out(starter):
    pool = WorkerPool(max_workers=1, max_pending=1)
    release = threading.Event()
    pool.submit(release.wait)
    with pytest.raises(BudgetExceededError, match="busy") as ei:
        pool.submit(lambda: None)
    assert ei.value.key == "busy"
    release.set()
    time.sleep(0.1)
    results = []
    slow = threading.Event()
    SessionRunner(pool)(lambda: slow.wait(5), lambda r, e: results.append(e), seconds=0.2)
    time.sleep(0.6)
    assert results and isinstance(results[0], BudgetExceededError) and results[0].key == "timeout"
    slow.set()
    time.sleep(0.2)
    assert len(results) == 1  # the late result is dropped
    pool.shutdown()


def test_site_check_budget_counts_multipoint_parts(starter):
    state = PlannerState(data=starter, mode="public")
    pts = shapely_multipoint(60_000)
    with pytest.raises(BudgetExceededError, match="60,000 points"):
        state.compute_report(gpd.GeoDataFrame(geometry=[pts], crs=UTM33), "mp.geojson")
    assert Budget(10, 10, 1).check(10, 10, "x") is None


def shapely_multipoint(n: int):
    import shapely

    rng = np.random.default_rng(12)
    return shapely.multipoints(np.c_[rng.uniform(X0, X0 + 40_000, n), rng.uniform(Y0, Y0 + 30_000, n)])


@pytest.mark.realdata
def test_20k_point_multipoint_site_check_is_not_quadratic(real_data):
    """10k points took 5 s and 20k 25 s (the MultiPoint was buffered as one geometry)."""
    data = AppData.load(real_data)
    engines = Engines(data)
    times = {}
    for n in (10_000, 20_000):
        site = gpd.GeoDataFrame(geometry=[shapely_multipoint(n)], crs=UTM33)
        t0 = time.perf_counter()
        res = engines.site_conflicts(site)
        times[n] = time.perf_counter() - t0
        assert len(res.columns) == 5
    print(f"site conflicts: 10k points {times[10_000]:.2f} s, 20k points {times[20_000]:.2f} s")
    assert times[20_000] < 12.0 and times[20_000] < 4 * times[10_000]


# ---------------------------------------------------------------- data endpoints and login


def test_bbox_and_band_are_checked():
    from areal.apps.planner.server import parse_bbox

    assert parse_bbox("") is None and parse_bbox("10,63,11,64") == [10.0, 63.0, 11.0, 64.0]
    for bad in ("-1e308,-1e308,1e308,1e308", "1,2,3", "a,b,c,d", "11,63,10,64", "nan,1,2,3", "inf,1,2,3"):
        with pytest.raises(ValueError):
            parse_bbox(bad)


def test_planner_mode_off_localhost_needs_a_login():
    from areal.apps.planner.server import check_auth
    from areal.geo.errors import ArealError

    check_auth("planner", "127.0.0.1", None)
    check_auth("public", "0.0.0.0", None)  # the public viewer stays open
    check_auth("planner", "0.0.0.0", "secret")
    with pytest.raises(ArealError, match="--basic-auth"):
        check_auth("planner", "0.0.0.0", None)


def test_point_sites_take_the_cells_of_their_points():
    """The fast point path of the suitability engine gives zonal_mean's answer (no rasterising)."""
    from areal.apps.planner.engines import site_mean
    from areal.geo.grid import AnalysisGrid
    from areal.geo.suitability import zonal_mean

    grid = AnalysisGrid.for_region(
        gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 10_000, Y0 + 8_000)], crs=UTM33), res=250
    )
    rng = np.random.default_rng(3)
    arr = rng.random(grid.shape).astype("float32")
    arr[rng.random(grid.shape) < 0.2] = np.nan
    import shapely

    for n in (2, 5, 300, 5000):
        pts = shapely.multipoints(np.c_[rng.uniform(X0, X0 + 10_000, n), rng.uniform(Y0, Y0 + 8_000, n)])
        assert site_mean(arr, grid, pts) == pytest.approx(zonal_mean(arr, grid, pts), nan_ok=True)
    cell = Point(X0 + 375, Y0 + 8_000 - 125)  # centre of row 0, column 1
    assert site_mean(arr, grid, cell) == pytest.approx(zonal_mean(arr, grid, cell), nan_ok=True)
    poly = box(X0 + 1000, Y0 + 1000, X0 + 3000, Y0 + 2000)
    assert site_mean(arr, grid, poly) == zonal_mean(arr, grid, poly)
    assert np.isnan(site_mean(arr, grid, Point(X0 - 5000, Y0)))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread niceness is Linux's")
def test_workers_run_below_the_event_loop_and_their_threads_inherit_it():
    """A running check must not take the CPU from the page a second visitor is opening."""
    import os

    def prio() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    pool = WorkerPool(max_workers=1)
    base = prio()

    def job():
        inner = []
        t = threading.Thread(target=lambda: inner.append(prio()))  # e.g. the analysis scheduler's
        t.start()
        t.join()
        return prio(), inner[0]

    worker, child = pool.submit(job).result(timeout=10)
    pool.shutdown()
    assert worker == min(19, base + WORKER_NICENESS) and child == worker
    assert prio() == base  # the caller (the event loop) keeps its own
