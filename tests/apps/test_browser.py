"""The app in a real browser: Debian chromium driven by playwright, with the network blocked.

One server per mode is shared by the whole session (started with ``areal serve`` in a
subprocess on a free port). Every test saves a screenshot under its ``tmp_path``; set
``AREAL_SCREENSHOT=docs/screenshot.png`` to also save the README's screenshot
(``scripts/screenshot.py`` does that), and ``AREAL_GALLERY=docs/img`` to copy the screenshots of
the planner workflows (``GALLERY`` in ``browserkit.py``) into that folder for the gallery in ``docs/app.md``
(``scripts/gallery.py`` does that).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import geopandas as gpd
import pytest
from conftest import UTM33
from shapely.geometry import box

from tests.apps.browserkit import LOCAL, Server, Visit, _data_dir, _start, _tab  # noqa: F401

pytestmark = pytest.mark.browser


# ---------------------------------------------------------------------- tests


def test_page_loads_offline_and_shows_municipalities(planner_server, visit, browser, tmp_path):
    elapsed = visit.open(planner_server.url)
    page_ms = visit.page.evaluate("performance.now()")
    shot = visit.shot("offline_first_paint")
    bytes_ = sum(visit.geojson.values())
    # First paint of two more fresh browser contexts (no cache): the median of three visits is the
    # figure, so one visit slowed by the rest of the suite sharing the two cores does not decide it.
    times = [elapsed]
    for _ in range(2):
        other = Visit(browser, tmp_path)
        try:
            times.append(other.open(planner_server.url))
        finally:
            other.close()
    median = sorted(times)[1]
    print(
        f"first paint with all default layers: {', '.join(f'{t:.2f}' for t in times)} s, median {median:.2f} s "
        f"(first visit navigation to drawn: {page_ms:.0f} ms); "
        f"GeoJSON on the page: {bytes_ / 1024:.0f} KiB in {len(visit.geojson)} responses"
    )
    assert median <= 3.0
    assert 0 < bytes_ <= 5 * 1024**2
    assert int(visit.page.get_attribute(".areal-map", "data-geojson-bytes")) <= 5 * 1024**2
    # The municipality layer is on and drawn (38 municipalities, more paths with the other layers).
    assert visit.map.locator("input.areal-layer-cb[value=municipalities]").is_checked()
    assert any("/geojson/municipalities" in u for u in visit.geojson)
    assert visit.map.locator("path.leaflet-interactive").count() >= 38
    # the credits are one "Kilder" button until opened (they hid the scale bar and the legend)
    assert not visit.map.locator(".leaflet-control-attribution").is_visible()
    visit.map.locator(".areal-sources-btn").click()
    assert (
        "Kartverket, Administrative enheter" in visit.map.locator(".leaflet-control-attribution").inner_text()
    )
    # Scripts, styles and fonts all come from the app; only base-map tiles were blocked.
    assets = [u for kind, u in visit.requests if kind in ("script", "stylesheet", "font")]
    assert assets and all(u.startswith(LOCAL) for u in assets), [u for u in assets if not u.startswith(LOCAL)]
    assert {kind for kind, _ in visit.blocked} <= {"image"}, visit.blocked[:5]
    assert not visit.failed_local, visit.failed_local
    # Missing layers are listed as unavailable, greyed, with their reason.
    ar5 = visit.map.locator(".areal-unavailable[data-layer=ar5]")
    assert "areal fetch ar5" in ar5.get_attribute("title")
    assert shot.stat().st_size > 10_000


def test_served_html_references_no_external_host(planner_server, visit):
    visit.open(planner_server.url)
    html = visit.all_text()
    import re

    srcs = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    external = [s for s in srcs if re.match(r"^(https?:)?//", s) and not s.startswith(LOCAL)]
    assert srcs and not external, external
    visit.shot("no_external_assets")


def test_layer_toggle(planner_server, visit, browser, tmp_path):
    """Toggle forest on and off: drawn, in the legend, credited, carried by the link, and the link restores it.

    The toggle's "layers" message is followed within Panel's debounce by the "stats" message of the
    forest GeoJSON (fast once the server has the layer cached, late in a long-lived server); the
    bridge used to keep only the last message, so the toggle never reached the session or its link
    (issue 14). It now hands on every message (apps/planner/bridge.py).
    """
    visit.open(planner_server.url)
    visit.open_layers()
    box_ = visit.map.locator("input.areal-layer-cb[value=forest]")
    assert not box_.is_checked()
    n_before = visit.map.locator("path.leaflet-interactive").count()
    with visit.page.expect_response(lambda r: "/areal/api/geojson/forest" in r.url) as resp:
        box_.check()
    assert resp.value.ok
    # the layer is drawn, listed in the legend and credited
    visit.map.locator("#areal-legend", has_text="Skog (N1000)").wait_for(timeout=10_000)
    visit.page.wait_for_timeout(300)
    assert visit.map.locator("path.leaflet-interactive").count() > n_before
    visit.map.locator(".areal-sources-btn").click()
    assert "N1000" in visit.map.locator(".leaflet-control-attribution").inner_text()
    visit.shot("layer_forest_on")
    # the link carries the layer list ...
    visit.page.wait_for_function("() => window.location.search.includes('forest')", timeout=15_000)
    link = visit.page.url
    # ... and opening it restores the layer: ticked, fetched, drawn and in the legend
    other = Visit(browser, tmp_path)
    try:
        with other.page.expect_response(lambda r: "/areal/api/geojson/forest" in r.url) as again:
            other.open(link)
        assert again.value.ok
        assert other.map.locator("input.areal-layer-cb[value=forest]").is_checked()
        other.map.locator("#areal-legend", has_text="Skog (N1000)").wait_for(timeout=10_000)
        other.shot("layer_forest_from_link")
    finally:
        other.close()
    box_.uncheck()
    # the legend lives in the map's frame: wait until it no longer lists the layer
    visit.map.locator("#areal-legend", has_text="Skog (N1000)").wait_for(state="detached", timeout=10_000)
    visit.page.wait_for_function("() => !window.location.search.includes('forest')", timeout=15_000)
    visit.shot("layer_forest_off")


def test_map_messages_of_one_moment_all_reach_the_session(planner_server, visit):
    """A layer toggle and a view change posted by the map in the same tick both reach the link."""
    visit.open(planner_server.url)
    visit.js("""() => {
        const S = ArealMap.state;
        S.setVisible('lakes', true);
        S.post('layers', {visible: S.visibleIds()});
        S.post('view', {lat: 63.5, lon: 10.5, zoom: 9});
        S.post('stats', {bytes: 1, requests: 1, first_paint_ms: 1, visible: S.visibleIds()});
    }""")
    visit.page.wait_for_function(
        "() => window.location.search.includes('lakes') && window.location.search.includes('z=9')",
        timeout=15_000,
    )


def test_link_reproduces_the_view(planner_server, visit):
    visit.open(planner_server.url + "?layers=municipalities,roads&lat=63.42&lon=10.4&z=11&base=grey")
    assert visit.map.locator("input.areal-layer-cb[value=roads]").is_checked()
    assert not visit.map.locator("input.areal-layer-cb[value=national_parks]").is_checked()
    frame = visit.page.frame_locator("iframe.areal-map-frame").locator("body")
    zoom = frame.evaluate("() => ArealMap.state.map.getZoom()")
    centre = frame.evaluate("() => ArealMap.state.map.getCenter()")
    assert zoom == 11 and abs(centre["lat"] - 63.42) < 1e-3 and abs(centre["lng"] - 10.4) < 1e-3
    # the link's base map is kept in the URL; with the tiles blocked the map shows the offline one
    assert "base=grey" in visit.page.url
    deadline = time.time() + 10
    while visit.map.locator("body").get_attribute("data-base") != "offline":
        assert time.time() < deadline
        time.sleep(0.1)
    assert any(
        "band=2" in u and "bbox=" in u for _, u in visit.requests
    )  # zoom 11: clipped to the view, finer band
    visit.shot("link_view")


_OPEN_TOOLTIP = """(_body, id) => {
  const e = ArealMap.state.entries[id];
  const layers = e && e.gj ? e.gj.getLayers() : [];
  if (!layers.length) return null;
  layers[0].openTooltip();
  const tt = layers[0].getTooltip().getElement();
  return tt ? {text: tt.innerText, cls: tt.className, name: layers[0].feature.properties.navn || ''} : null;
}"""


def test_map_tooltip_in_english(planner_server, visit):
    """Issue 14: in English a feature's tooltip has English field names and values (names as they are)."""
    from tests.apps.textscan import problems

    visit.open(planner_server.url + "?lang=en&layers=municipalities,national_parks&lat=63.0&lon=10.0&z=7")
    frame = visit.page.frame_locator("iframe.areal-map-frame").locator("body")
    deadline = time.time() + 15
    while (tip := frame.evaluate(_OPEN_TOOLTIP, "national_parks")) is None:
        assert time.time() < deadline, "no national park drawn"
        time.sleep(0.2)
    visit.shot("map_tooltip_english")
    text = tip["text"]
    assert "areal-tt" in tip["cls"]
    assert "Protection type: National park" in text, text
    assert "Verneform" not in text and "Nasjonalpark" not in text
    assert problems(text, "en", "national park tooltip", allowed=(tip["name"], *_credits())) == []


def test_upload_gives_a_site_report(planner_server, visit, site_file):
    visit.open(planner_server.url)
    t0 = time.perf_counter()
    visit.upload(site_file)
    text = visit.text(".areal-site-summary")
    elapsed = time.perf_counter() - t0
    print(f"upload → site report in the page: {elapsed:.2f} s")
    assert elapsed <= 2.0
    plain = text.replace("\u00a0", " ")  # nb numbers: space thousands, decimal comma
    assert "400,00 ha" in plain and "4 000,0 daa" in plain and "Trondheim" in text
    assert "omrade_trondheim.geojson" in text
    assert visit.page.locator(".areal-intersections").count() == 1
    # the conflict engine (rule basis) and the suitability engine (score per profile) fill their slots
    assert "Næringsområder i kommuneplan" in visit.text(".areal-conflicts")  # the pair in words
    assert "Datasenter" in visit.text(".areal-suitability") and "data_centre" not in visit.text(
        ".areal-suitability"
    )
    assert "Kraftledning" in visit.text(".areal-distances")
    visit.map.locator("#areal-legend", has_text="Valgt område").wait_for(timeout=5_000)
    visit.page.wait_for_timeout(800)
    shot = visit.shot("site_report")
    target = os.environ.get("AREAL_SCREENSHOT")
    if target and os.environ.get("AREAL_SCREENSHOT_TEST", "upload") == "upload":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_bytes(shot.read_bytes())


def test_broken_upload_shows_an_error_and_keeps_the_report(planner_server, visit, site_file, tmp_path):
    visit.open(planner_server.url)
    visit.upload(site_file)
    visit.page.locator(".areal-site-summary").wait_for(timeout=10_000)
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [')
    visit.upload(broken)
    assert "broken.geojson kan ikke leses" in visit.text(".areal-error")
    assert "400,00 ha" in visit.text(".areal-site-summary").replace("\u00a0", " ")  # nothing else lost
    visit.shot("broken_upload")
    # The server keeps running: a new visit works.
    assert planner_server.alive()
    other = Visit(visit.page.context.browser, tmp_path)
    try:
        other.open(planner_server.url)
    finally:
        other.close()


def test_map_click_reaches_python(planner_server, visit):
    visit.open(planner_server.url + "?lat=63.43&lon=10.39&z=10")
    frame_box = visit.page.locator("iframe.areal-map-frame").bounding_box()
    visit.page.mouse.click(
        frame_box["x"] + frame_box["width"] * 0.4, frame_box["y"] + frame_box["height"] * 0.5
    )
    text = visit.text(".areal-site-summary")
    assert "punkt fra kartet" in text and "Punkt" in text
    visit.shot("map_click")


def test_drawn_polygon_reaches_python(planner_server, visit):
    visit.open(planner_server.url + "?lat=63.43&lon=10.39&z=11")
    visit.map.locator(".leaflet-draw-draw-polygon").click()
    b = visit.page.locator("iframe.areal-map-frame").bounding_box()
    pts = [(0.35, 0.4), (0.5, 0.4), (0.5, 0.6), (0.35, 0.6)]
    for fx, fy in pts + pts[:1]:
        visit.page.mouse.click(b["x"] + b["width"] * fx, b["y"] + b["height"] * fy)
        visit.page.wait_for_timeout(150)
    text = visit.text(".areal-site-summary")
    assert "tegnet i kartet" in text and " ha" in text
    visit.shot("drawn_polygon")


def test_language_switch(planner_server, visit):
    visit.open(planner_server.url)
    visit.page.get_by_role("button", name="English").click()
    visit.page.get_by_text("Land-use map Trøndelag").wait_for(timeout=10_000)
    visit.page.wait_for_selector(".areal-map[data-loaded='1']", timeout=10_000)
    visit.map.locator(".areal-toggle", has_text="Layers").wait_for(timeout=10_000)
    assert visit.map.locator(".areal-group-title", has_text="Administrative boundaries").count() == 1
    visit.page.wait_for_function("() => window.location.search.includes('lang=en')", timeout=10_000)
    for tab in ("Site check", "Layers and sources", "Conflicts", "Suitability", "Test arenas", "Indicators"):
        visit.page.get_by_text(tab, exact=True).first.wait_for(timeout=10_000)
    assert visit.page.get_by_text("Områdesjekk", exact=True).count() == 0
    visit.shot("english")


def test_public_mode(public_server, visit, site_file, tmp_path):
    visit.open(public_server.url)
    visit.upload(site_file)
    visit.page.locator(".areal-site-summary").wait_for(timeout=10_000)
    assert visit.page.get_by_text("Last ned rapport (CSV)").count() == 0  # no planner tools
    big = tmp_path / "stor.geojson"
    big.write_bytes(b" " * (10 * 1024**2 + 512 * 1024))
    visit.upload(big)
    err = visit.text(".areal-error", timeout=20_000)
    assert "stor.geojson er for stor" in err and "Grensen er 10 MB" in err
    visit.shot("public_oversized")
    # No file-system path anywhere in the page, the map document or the messages from the server.
    everything = visit.all_text() + "\n".join(visit.ws_frames)
    for needle in {
        str(public_server.data_dir),
        "/tmp/",
        "/root/",
        "/home/",
        "site-packages",
        "areal-upload-",
    }:
        assert needle not in everything, needle
    assert public_server.alive()


def test_data_endpoints_answer_errors_cleanly(planner_server, visit):
    import urllib.error

    def get(path):
        try:
            with urllib.request.urlopen(planner_server.url.rstrip("/") + path, timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    status, body = get("/areal/api/geojson/municipalities?band=0")
    assert status == 200 and json.loads(body)["type"] == "FeatureCollection"
    status, body = get("/areal/api/geojson/ar5?band=0")  # a missing layer
    assert status == 404 and "not an available vector layer" in json.loads(body)["error"]
    status, body = get("/areal/api/geojson/roads?band=9")
    assert status == 400 and "band" in json.loads(body)["error"]
    status, body = get("/areal/api/geojson/roads?band=3&bbox=1,2,x,4")
    assert status == 400
    status, _ = get("/areal/api/geojson/roads?band=3&bbox=10.3,63.3,10.5,63.5")
    assert status == 200
    assert planner_server.alive()
    # what a browser shows for a missing layer's endpoint
    visit.page.goto(planner_server.url.rstrip("/") + "/areal/api/geojson/ar5?band=0")
    assert "not an available vector layer" in visit.page.content()
    visit.shot("endpoint_missing_layer")


# ---------------------------------------------------------------------- analysis views


def _overlays(visit) -> list[str]:
    return (visit.map.locator("body").get_attribute("data-overlays") or "").split(",")


def _wait_overlay(visit, overlay_id: str, timeout: float = 15.0) -> None:
    deadline = time.time() + timeout
    while overlay_id not in _overlays(visit):
        assert time.time() < deadline, f"overlay {overlay_id!r} not on the map; overlays: {_overlays(visit)}"
        time.sleep(0.1)


def test_conflicts_run_shows_a_table_and_polygons(planner_server, visit):
    visit.open(planner_server.url)
    _tab(visit, "Konflikter")
    visit.page.locator(".areal-conf-run button").click()
    t0 = time.perf_counter()
    text = visit.text(".areal-conf-pairs", timeout=60_000)
    print(f"conflicts run (osm_business against every rule layer): {time.perf_counter() - t0:.2f} s")
    assert "Næringsområder i kommuneplan" in text and "business_areas" not in text and "reason" not in text
    assert visit.text(".areal-conf-munis")
    from tests.apps.textscan import problems

    assert problems(text, "nb", "conflict pairs") == []  # no raw status or reason codes either
    assert problems(visit.text(".areal-conf-munis"), "nb", "conflicts per municipality") == []
    _wait_overlay(visit, "conflicts")
    assert visit.map.locator("path.leaflet-interactive").count() > 38  # conflict polygons on the map
    visit.shot("conflicts")


def test_weight_change_updates_the_site_table(planner_server, visit):
    visit.open(planner_server.url + "?profile=data_centre&res=250")
    _tab(visit, "Egnethet")
    rows = visit.page.locator(".areal-sites .tabulator-row")
    rows.first.wait_for(timeout=60_000)
    before = visit.page.locator(".areal-sites .tabulator-table").inner_text()
    status_before = visit.text(".areal-suit-status")
    handle = visit.page.locator(".areal-weight-substation .noUi-handle")
    handle.focus()
    t0 = time.perf_counter()
    handle.press("Home")  # substation weight 0.35 -> 0: the ranking changes
    deadline = time.time() + 15
    after = before
    while time.time() < deadline and after == before:
        time.sleep(0.1)
        after = visit.page.locator(".areal-sites .tabulator-table").inner_text()
    waited = time.perf_counter() - t0
    print(f"weight change -> new site table in the browser: {waited:.2f} s")
    assert after != before
    # the status line reports this re-ranking (not the first build): a ready line whose re-rank
    # time fits in the wait just measured, with sites in it
    status = visit.text(".areal-suit-status")
    m = re.search(r"(\d+) kandidatområder · oppdatert på (\d+[.,]\d+) s", status)
    assert m, (status_before, status)
    assert int(m.group(1)) >= 1 and float(m.group(2).replace(",", ".")) <= waited, status
    # the profile and the weights are in the URL: a link reproduces the view
    visit.page.wait_for_function(
        "() => decodeURIComponent(window.location.search).includes('substation:0,')", timeout=10_000
    )
    assert "profile=data_centre" in visit.page.url
    assert "suitability" in _overlays(visit) and "sites" in _overlays(visit)
    # a click on a site row gives its reasons and conflicts
    rows.first.click()
    assert "#1" in visit.text(".areal-site-detail", timeout=15_000)
    visit.page.wait_for_timeout(800)
    shot = visit.shot("suitability")
    target = os.environ.get("AREAL_SCREENSHOT")
    if target and os.environ.get("AREAL_SCREENSHOT_TEST") == "suitability":
        Path(target).write_bytes(shot.read_bytes())


def test_test_arenas_view_lists_entries(planner_server, visit):
    visit.open(planner_server.url)
    _tab(visit, "Testarenaer")
    rows = visit.page.locator(".areal-arenas-list .tabulator-row")
    rows.first.wait_for(timeout=20_000)
    n = rows.count()
    assert n >= 10
    assert "arenaer" in visit.text(".areal-arena-count")
    _wait_overlay(visit, "arenas")
    rows.first.click()
    assert "Kilde" in visit.text(".areal-arena-detail", timeout=10_000)
    visit.shot("test_arenas")


def test_indicator_view_opens(planner_server, visit):
    visit.open(planner_server.url)
    _tab(visit, "Indikatorer")
    text = visit.text(".areal-ind-ranked", timeout=60_000)
    assert "Trondheim" in text
    _wait_overlay(visit, "indicator")
    path = visit.shot("indicators")
    assert path.stat().st_size > 10_000


# ---------------------------------------------------------------------- planner workflows (issue 14)


def _wait_js(visit, expr: str, timeout: float = 30.0):
    """Poll an expression in the map document until it is truthy (the map lives in a shadow root)."""
    deadline = time.time() + timeout
    while True:
        value = visit.js(expr)
        if value:
            return value
        assert time.time() < deadline, f"timed out waiting for {expr}"
        time.sleep(0.1)


def _wait_loaded(visit, timeout: float = 30.0):
    _wait_js(visit, "() => window.arealStats && window.arealStats.loaded", timeout)


def test_every_layer_toggles_and_draws(planner_server, visit):
    from areal.apps.jsonsafe import loads_strict

    visit.open(planner_server.url)
    visit.open_layers()
    boxes = visit.map.locator("input.areal-layer-cb")
    ids = [boxes.nth(i).get_attribute("value") for i in range(boxes.count())]
    assert len(ids) >= 20
    bodies = {}

    def keep(resp):
        if "/areal/api/geojson/" in resp.url:
            try:
                bodies[resp.url] = resp.body()
            except Exception:
                pass

    visit.page.on("response", keep)
    for lid in ids:
        box_ = visit.map.locator(f"input.areal-layer-cb[value={lid}]")
        if not box_.is_checked():
            box_.check()
        _wait_loaded(visit)
    visit.page.wait_for_timeout(500)
    stats = visit.js("() => window.arealStats")
    assert stats["failed"] == {}, stats["failed"]  # no layer failed to load or parse
    for url, body in bodies.items():
        loads_strict(body)  # what the browser parsed is strict JSON (no NaN)
    rasters = {"elevation", "landcover_raster"}
    for lid in set(ids) - rasters:
        assert stats["features"].get(lid, 0) > 0, (lid, stats["features"].get(lid))  # drawn, not empty
    for lid in set(ids) & rasters:
        assert visit.js(
            f"() => {{ const e = ArealMap.state.entries['{lid}']; const i = e.layer.getElement();"
            " return !!i && i.complete && i.naturalWidth > 0; }"
        ), lid
    assert (
        visit.map.locator(".areal-status").count() == 0
        or "zoom" in visit.map.locator(".areal-status").first.inner_text()
    )
    assert stats["bytes"] <= 5 * 1024**2
    # the non-commercial grid data shows its licence without opening Kilder
    if "grid_capacity" in ids:
        assert "CC BY-NC-SA" in visit.map.locator(".areal-nc").inner_text()
    legend = visit.map.locator("#areal-legend").inner_text()
    assert "MW" in legend  # substations classed by free MW
    visit.shot("workflow_all_layers")
    visit.map.locator(".areal-sources-btn").click()
    attribution = visit.map.locator(".leaflet-control-attribution").inner_text()
    assert "WattApp" in attribution and "N1000" in attribution


def test_click_inside_the_site_keeps_it_and_a_conflict_polygon_shows_its_basis(
    planner_server, visit, site_file
):
    visit.open(planner_server.url)
    visit.upload(site_file)
    assert "omrade_trondheim.geojson" in visit.text(".areal-site-summary")
    _wait_js(visit, "() => ArealMap.state.siteGeo !== null", 10)
    visit.page.wait_for_timeout(800)  # the map fits the site
    centre = visit.js(
        "() => { const m = ArealMap.state.map; const c = ArealMap.state.siteLayer.getBounds().getCenter();"
        " return m.latLngToContainerPoint(c); }"
    )
    visit.click_map(centre["x"], centre["y"])
    popup = visit.map.locator(".leaflet-popup-content .areal-popup")
    popup.wait_for(timeout=5_000)
    assert "Valgt område" in popup.inner_text() and "ha" in popup.inner_text()
    assert visit.js("() => document.body.dataset.lastClick") == "site-popup"
    visit.page.wait_for_timeout(500)
    assert "omrade_trondheim.geojson" in visit.text(".areal-site-summary")  # not replaced by a point
    assert "Punkt" not in visit.text(".areal-site-summary")
    visit.shot("workflow_site_popup")
    visit.map.locator(".leaflet-popup-close-button").click()
    # a conflict polygon: its popup with the legal basis
    _tab(visit, "Konflikter")
    visit.page.locator(".areal-conf-run button").click()
    visit.text(".areal-conf-pairs", timeout=60_000)
    _wait_overlay(visit, "conflicts")
    # zoom to the largest conflict polygon, as a planner would, then click inside it
    visit.js("""() => {
        const S = ArealMap.state, m = S.map;
        let best = null, size = -1;
        for (const l of S.overlays.conflicts.layer.getLayers()) {
          if (!l.getBounds) continue;
          const b = l.getBounds(), s = (b.getNorth() - b.getSouth()) * (b.getEast() - b.getWest());
          if (s > size) { size = s; best = l; }
        }
        m.fitBounds(best.getBounds(), {padding: [80, 80]});
    }""")
    visit.page.wait_for_timeout(1500)
    pt = visit.js("""() => {
        const S = ArealMap.state, m = S.map;
        for (const l of S.overlays.conflicts.layer.getLayers()) {
          if (!l._path) continue;
          const b = l.getBounds(), sw = m.latLngToContainerPoint(b.getSouthWest()), ne = m.latLngToContainerPoint(b.getNorthEast());
          for (let i = 1; i < 12; i++) for (let j = 1; j < 12; j++) {
            const x = sw.x + (ne.x - sw.x) * i / 12, y = ne.y + (sw.y - ne.y) * j / 12;
            const r = m.getContainer().getBoundingClientRect();
            if (x < 60 || y < 60 || x > r.width - 280 || y > r.height - 60) continue;
            if (document.elementFromPoint(x, y) === l._path) return {x: x, y: y};
          }
        }
        return null;
    }""")
    if not pt:
        debug = visit.js("""() => {
            const S = ArealMap.state, m = S.map, out = [];
            for (const l of S.overlays.conflicts.layer.getLayers().slice(0, 5)) {
              const b = l.getBounds(), c = m.latLngToContainerPoint(b.getCenter());
              const el = document.elementFromPoint(c.x, c.y);
              out.push([!!l._path, c.x, c.y, el && (el.tagName + '.' + el.getAttribute('class')), el === l._path]);
            }
            return [m.getZoom(), S.overlays.conflicts.layer.getLayers().length, out];
        }""")
        visit.shot("conflict_debug")
        raise AssertionError(f"no conflict polygon to click on screen: {debug}")
    visit.click_map(pt["x"], pt["y"])
    popup.wait_for(timeout=5_000)
    text = popup.inner_text()
    assert "Lovgrunnlag" in text and "ha" in text, text
    assert visit.js("() => document.body.dataset.lastClick") != "check-point"
    # the popup is readable: faded in and panned fully inside the map (Leaflet's autoPan)
    _wait_js(
        visit,
        """() => {
          const p = document.querySelector('.leaflet-popup'), m = document.querySelector('.leaflet-container');
          if (!p || getComputedStyle(p).opacity !== '1') return false;
          const a = p.getBoundingClientRect(), b = m.getBoundingClientRect();
          return a.top >= b.top && a.bottom <= b.bottom && a.left >= b.left && a.right <= b.right;
        }""",
        timeout=5.0,
    )
    visit.shot("workflow_conflict_basis")


def test_shared_link_restores_the_whole_view_with_overlays(planner_server, visit, browser, tmp_path):
    # A planner sets up a view: layers, place, a point site, the suitability tab with a weight.
    visit.open(planner_server.url + "?layers=municipalities,roads&lat=63.42&lon=10.4&z=10&base=grey")
    visit.click_map(500, 420)
    assert "punkt fra kartet" in visit.text(".areal-site-summary")
    visit.page.wait_for_function("() => window.location.search.includes('site=P')", timeout=10_000)
    _tab(visit, "Egnethet")
    visit.page.locator(".areal-sites .tabulator-row").first.wait_for(timeout=60_000)
    handle = visit.page.locator(".areal-weight-substation .noUi-handle")
    handle.focus()
    handle.press("Home")
    visit.page.wait_for_function(
        "() => decodeURIComponent(window.location.search).includes('substation:0,')", timeout=10_000
    )
    visit.page.wait_for_function("() => window.location.search.includes('tab=suitability')", timeout=10_000)
    link = visit.page.url
    where = "() => { const l = ArealMap.state.siteLayer; if (!l) return null; const ll = l.getLayers()[0].getLatLng(); return [ll.lng, ll.lat]; }"
    site_before = visit.js(where)
    # ... and sends the link: a fresh browser opens it and sees the same, without touching anything
    other = Visit(browser, tmp_path)
    try:
        other.open(link, timeout=60_000)
        assert other.map.locator("input.areal-layer-cb[value=roads]").is_checked()
        assert other.js("() => ArealMap.state.map.getZoom()") == 10
        assert other.page.locator(".bk-tab.bk-active", has_text="Egnethet").count() == 1
        other.page.locator(".areal-sites .tabulator-row").first.wait_for(timeout=60_000)
        _wait_overlay(other, "suitability", timeout=30)
        _wait_overlay(other, "sites", timeout=30)
        site_after = other.js(where)
        assert site_after and all(abs(a - b) < 1e-4 for a, b in zip(site_after, site_before))
        assert "substation:0," in other.page.evaluate("decodeURIComponent(window.location.search)")
        _tab(other, "Områdesjekk")
        assert "delt lenke" in other.text(".areal-site-summary")
        _tab(other, "Egnethet")
        other.page.wait_for_timeout(800)
        other.shot("workflow_shared_link")
    finally:
        other.close()


def test_search_a_place_and_coordinates(planner_server, visit):
    visit.open(planner_server.url)
    box_ = visit.map.locator(".areal-search-input")
    box_.fill("røros")
    first = visit.map.locator(".areal-search-hit").first
    first.wait_for(timeout=10_000)
    assert "Røros" in first.inner_text() and "kommune" in first.inner_text()
    visit.shot("workflow_search_place")
    box_.press("Enter")
    visit.page.wait_for_timeout(1200)
    c = visit.js("() => ArealMap.state.map.getCenter()")
    assert abs(c["lat"] - 62.6) < 0.4 and abs(c["lng"] - 11.4) < 0.5, c  # Røros
    assert "Røros" in visit.map.locator(".areal-search-label").inner_text()
    for query, lat, lon in (("271000 7040000", 63.41468, 10.41089), ("10.39 63.43", 63.43, 10.39)):
        box_.fill(query)
        hit = visit.map.locator(".areal-search-hit").first
        hit.wait_for(timeout=5_000)
        assert "Koordinat" in hit.inner_text()
        if query.startswith("271"):
            visit.shot("workflow_search_coordinate")
        box_.press("Enter")
        visit.page.wait_for_timeout(1000)
        c = visit.js("() => ArealMap.state.map.getCenter()")
        assert abs(c["lat"] - lat) < 1e-3 and abs(c["lng"] - lon) < 1e-3, (query, c)
    box_.fill("59.91 10.75")  # Oslo: found, but said to be outside the county
    assert "utenfor Trøndelag" in visit.map.locator(".areal-search-hit").first.inner_text()
    box_.fill("qqqq")
    visit.map.locator(".areal-search-none", has_text="Ingen treff").wait_for(timeout=5_000)


def test_measure_a_distance_and_an_area(planner_server, visit):
    from pyproj import Transformer
    from shapely.geometry import Polygon

    visit.open(planner_server.url + "?lat=63.43&lon=10.39&z=13")
    visit.map.locator(".areal-measure-btn").click()
    pts = [(420, 360), (640, 380), (600, 560)]
    for x, y in pts:
        visit.click_map(x, y)
        visit.page.wait_for_timeout(250)
    lls = visit.js(
        f"() => {json.dumps(pts)}.map(p => {{ const ll = ArealMap.state.map.containerPointToLatLng(p); return [ll.lng, ll.lat]; }})"
    )
    to_utm = Transformer.from_crs(4326, 25833, always_xy=True)
    xy = [to_utm.transform(*ll) for ll in lls]
    expected = sum(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 for (x1, y1), (x2, y2) in zip(xy, xy[1:]))
    got = float(visit.map.locator("#areal-measure").get_attribute("data-distance"))
    assert abs(got - expected) < 0.5, (got, expected)
    text = visit.map.locator(".areal-measure-distance").inner_text()
    assert text.endswith("m") and "," in text and "." not in text  # Norwegian: "1 320,9 m"
    assert "Punkt" not in visit.text(".areal-site-none")  # measuring clicks do not check points
    visit.click_map(*pts[0])  # back on the first point: the area
    visit.page.wait_for_timeout(300)
    area = float(visit.map.locator("#areal-measure").get_attribute("data-area"))
    assert abs(area - Polygon(xy).area) / Polygon(xy).area < 1e-3
    assert visit.map.locator(".areal-measure-area").inner_text().endswith(("daa", "ha"))
    visit.shot("workflow_measure")


def test_offline_base_map_when_tiles_fail(planner_server, visit):
    visit.open(planner_server.url + "?lat=63.43&lon=10.6&z=9")
    _wait_js(visit, "() => document.body.dataset.base === 'offline'", 15)
    assert "appens data" in visit.map.locator("#areal-notice").inner_text()
    visit.page.wait_for_timeout(1500)
    feats = visit.js("() => window.arealStats.features")
    for lid in ("base:sea", "base:lakes", "base:forest", "base:roads", "base:municipalities"):
        assert feats.get(lid, 0) > 0, (lid, feats)
    names = visit.map.locator(".areal-label").all_inner_texts()
    assert "Trondheim - Tråante" in names and len(names) >= 38
    assert any("Værnes" in n or "Trondheim" in n for n in names)
    scale = visit.map.locator(".leaflet-control-scale-line")
    assert scale.count() == 1 and scale.inner_text().strip().endswith(("km", "m"))  # metric only
    visit.shot("workflow_offline_base")


def test_side_panel_folds_and_overlays_leave_with_their_tab(planner_server, visit):
    visit.open(planner_server.url)
    width = visit.page.locator("iframe.areal-map-frame").bounding_box()["width"]
    _tab(visit, "Indikatorer")
    _wait_overlay(visit, "indicator", timeout=60)
    _tab(visit, "Områdesjekk")
    deadline = time.time() + 10
    while "indicator" in _overlays(visit) and time.time() < deadline:
        time.sleep(0.1)
    assert "indicator" not in _overlays(visit)  # left with its tab
    _tab(visit, "Indikatorer")
    _wait_overlay(visit, "indicator")  # and is back with it
    visit.page.get_by_role("button", name="◀ Skjul sidepanel").click()
    visit.page.wait_for_timeout(800)
    wide = visit.page.locator("iframe.areal-map-frame").bounding_box()["width"]
    assert wide > width + 300
    visit.shot("workflow_sidebar_folded")
    visit.page.get_by_role("button", name="▶ Vis sidepanel").click()
    visit.page.locator(".areal-sidebar").wait_for(state="visible", timeout=5_000)


def test_public_viewer_sees_no_developer_help_and_the_grid_credit(public_server, visit, site_file):
    visit.open(public_server.url)
    ar5 = visit.map.locator(".areal-unavailable[data-layer=ar5]")
    assert ar5.get_attribute("title") == "ikke tilgjengelig"
    visit.upload(site_file)
    credit = visit.text(".areal-substations-credit", timeout=15_000)
    assert "CC BY-NC-SA 4.0" in credit
    assert "Ledig for forbruk (MW)" in visit.text(".areal-substations")
    _tab(visit, "Kartlag og kilder")
    text = visit.text(".areal-unavailable-list")
    assert "areal fetch" not in text and "ikke tilgjengelig" in text
    _tab(visit, "Områdesjekk")
    visit.page.locator(".areal-substations").first.scroll_into_view_if_needed()
    visit.shot("workflow_public_substations")


# ---------------------------------------------------------------------- security (issue 12)

HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'


def _pwned(visit) -> list:
    """``window.__pwned`` in the page and in the map document (undefined unless a script ran)."""
    frame = visit.page.frame_locator("iframe.areal-map-frame")
    inner = frame.locator("body").evaluate("() => window.__pwned === undefined ? null : window.__pwned")
    outer = visit.page.evaluate("() => window.__pwned === undefined ? null : window.__pwned")
    return [outer, inner]


@pytest.fixture
def hostile_server(browser, tmp_path_factory):
    """Planner mode on a data folder whose only test arena has a hostile name (scenarios stored there too).

    Stopped after its one test: a server left running takes memory and CPU from the timed tests.
    """
    import csv

    data = tmp_path_factory.mktemp("hostile-data")
    src = Path(__file__).resolve().parents[2] / "data" / "test_arenas" / "test_arenas.csv"
    with open(src, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    row = dict(rows[0], id="evil-arena", name=f"Lab {HOSTILE}", operator=HOSTILE, can_test=HOSTILE)
    (data / "test_arenas").mkdir()
    with open(data / "test_arenas" / "hostile.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerow(row)
    srv = Server("planner", data, tmp_path_factory.mktemp("server-hostile") / "serve.log", timeout=300)
    yield srv
    srv.stop()


def test_hostile_names_run_no_script(hostile_server, visit, site_file, tmp_path):
    visit.open(hostile_server.url)
    # 1. an upload whose error detail quotes hostile content (planner mode shows the detail)
    evil = tmp_path / "evil.geojson"
    evil.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": HOSTILE}},
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": {"type": "Point", "coordinates": [10.4, 63.4]},
                    }
                ],
            }
        )
    )
    visit.upload(evil)
    err = visit.text(".areal-error", timeout=20_000)
    assert "<img src=x" in err  # shown literally, as text
    # 2. a scenario with a hostile name, saved and opened: its name is the site's source
    visit.upload(site_file)
    visit.page.locator(".areal-site-summary").wait_for(timeout=30_000)
    _tab(visit, "Scenarioer")
    name_input = visit.page.locator(".areal-scen-name input").first
    name_input.wait_for(timeout=60_000)
    name_input.fill(HOSTILE)
    visit.page.locator(".areal-scen-author input").fill(HOSTILE)
    visit.page.locator(".areal-scen-note textarea").fill(HOSTILE)
    visit.page.locator(".areal-scen-save button").click()
    assert "<img src=x" in visit.text(".areal-scen-message", timeout=20_000)  # «Lagret …», as text
    assert visit.text(".areal-scen-list").count("<img src=x") == 3  # name, author, note
    visit.page.locator(".areal-scen-pick select").select_option(HOSTILE)
    visit.page.locator(".areal-scen-open button").click()
    _tab(visit, "Områdesjekk")
    deadline = time.monotonic() + 30
    summary = visit.text(".areal-site-summary", timeout=20_000)
    while "scenario:" not in summary and time.monotonic() < deadline:  # the check runs in the pool
        visit.page.wait_for_timeout(300)
        summary = visit.text(".areal-site-summary")
    assert "scenario:<img src=x" in summary, summary
    # 3. the arena list, its details and the map popup of the hostile arena
    _tab(visit, "Testarenaer")
    rows = visit.page.locator(".areal-arenas-list .tabulator-row")
    rows.first.wait_for(timeout=30_000)
    assert "<img src=x" in rows.first.inner_text()
    rows.first.click()
    assert "<img src=x" in visit.text(".areal-arena-detail", timeout=10_000)
    _wait_overlay(visit, "arenas")
    marker = visit.map.locator('.leaflet-overlay-pane path.leaflet-interactive[fill="#00897b"]').first
    marker.wait_for(state="attached", timeout=10_000)
    marker.dispatch_event("click")  # it may lie outside the current view: a DOM click opens its popup
    popup = visit.map.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    assert "<img src=x" in popup.inner_text()
    visit.page.wait_for_timeout(1500)  # an injected <img onerror> would have fired by now
    shot = visit.shot("hostile_names")
    assert _pwned(visit) == [None, None]
    assert shot.stat().st_size > 10_000


def _multipoint_file(tmp_path: Path, n: int = 20_000) -> Path:
    import numpy as np

    rng = np.random.default_rng(20)
    lon, lat = rng.uniform(10.0, 11.0, n), rng.uniform(63.2, 63.6, n)
    gj = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {
                    "type": "MultiPoint",
                    "coordinates": [[round(a, 5), round(b, 5)] for a, b in zip(lon, lat)],
                },
            }
        ],
    }
    path = tmp_path / "mange_punkter.geojson"
    path.write_text(json.dumps(gj))
    return path


def test_public_upload_of_20k_multipoint_keeps_the_map_responsive(public_server, visit, browser, tmp_path):
    """While one visitor's 20 000-point site check runs, a second visitor's first map stays ≤ 3 s.

    The idle first paint of the same page is measured first (median of 3) as the baseline.
    """

    def fresh_open() -> float:
        other = Visit(browser, tmp_path)
        try:
            return other.open(public_server.url)
        finally:
            other.close()

    baseline = sorted(fresh_open() for _ in range(3))[1]
    path = _multipoint_file(tmp_path)
    visit.open(public_server.url)
    visit.upload(path)
    busy = visit.page.locator(".areal-site-busy")
    busy.wait_for(timeout=20_000)  # the check runs in the worker pool
    t0 = time.perf_counter()
    loaded = [fresh_open()]
    still_busy = busy.count() > 0
    loaded.append(fresh_open())
    summary = visit.text(".areal-site-summary", timeout=120_000)
    check_s = time.perf_counter() - t0
    load = os.getloadavg()
    print(
        f"first map idle (median of 3): {baseline:.2f} s; during the 20k-point site check: "
        f"{loaded[0]:.2f} s, {loaded[1]:.2f} s (check still running at the first: {still_busy}); "
        f"site check done {check_s:.1f} s after the second client started; load average {load[0]:.2f}"
    )
    assert "mange_punkter.geojson" in summary and "Punkt" in summary
    # ≤ 3 s on a quiet machine. On a loaded one the idle baseline itself is above 3 s: then the
    # busy server may cost at most half the baseline again (a site check on the event loop, as
    # before issue 12, held the second visitor for the whole check: 25-50 s).
    assert min(loaded) <= max(3.0, 1.5 * baseline), (loaded, baseline)
    assert public_server.alive()


@pytest.mark.parametrize(
    "name, says",
    [
        ("zip_bad_crc.zip", "Zip-filen er skadet"),
        ("vrt_disguised_as_geojson.geojson", "støttes ikke"),
        ("gml_xxe_local_file.gml", "av sikkerhetshensyn"),
        ("swapped_lat_lon.geojson", "byttet plass"),
        ("zip_bomb_ratio.zip", "zip-bombe"),
        ("crs_link_to_server.geojson", "EPSG-kode"),
    ],
)
def test_bad_corpus_files_in_the_public_page(public_server, visit, name, says):
    """A handful of the bad-input corpus through the browser: one message naming the problem, no path."""
    src = Path(__file__).resolve().parents[1] / "fixtures" / "bad" / name
    visit.open(public_server.url)
    visit.upload(src)
    err = visit.text(".areal-error", timeout=30_000)
    assert name in err and says in err, err
    page = visit.all_text() + "\n".join(visit.ws_frames)
    for needle in ("/tmp/", "/root/", "site-packages", "Traceback", str(public_server.data_dir)):
        assert needle not in page, needle
    assert public_server.alive()


# ---------------------------------------------------------------------- language and PDF (issue 14)

_PAGE_TEXT = """(skipEnglish) => {
  // Visible text of the page: every shadow root (Panel panes) and the map document; text marked
  // lang="en" (a developer's command line folded away in the Norwegian UI) is left out in nb.
  const parts = [];
  const visit = (node) => {
    if (node.nodeType === Node.TEXT_NODE) { parts.push(node.textContent); return; }
    if (node.nodeType !== Node.ELEMENT_NODE && node.nodeType !== Node.DOCUMENT_FRAGMENT_NODE) return;
    if (node.nodeType === Node.ELEMENT_NODE) {
      if (['SCRIPT', 'STYLE', 'LINK', 'TEMPLATE', 'NOSCRIPT'].includes(node.tagName)) return;
      if (skipEnglish && node.getAttribute('lang') === 'en') return;
      if (node.tagName === 'DETAILS' && !node.open) {  // folded: only its summary is on screen
        const summary = node.querySelector('summary');
        if (summary) visit(summary);
        return;
      }
      const st = getComputedStyle(node);
      if (st.display === 'none' || st.visibility === 'hidden') return;
      if (node.shadowRoot) visit(node.shadowRoot);
      if (node.tagName === 'IFRAME' && node.contentDocument) visit(node.contentDocument.body);
    }
    node.childNodes.forEach(visit);
    if (node.nodeType === Node.ELEMENT_NODE && ['DIV', 'P', 'LI', 'TR', 'TD', 'TH', 'BR', 'H4', 'OPTION'].includes(node.tagName)) parts.push('\\n');
  };
  visit(document.body);
  return parts.join(' ');
}"""


_NAMES: list[str] = []


def _credits() -> tuple[str, ...]:
    """Passages quoted as written: credit lines (some English) and the data's place names (Røros lufthavn)."""
    from areal.apps.planner.data import AppData
    from areal.layers import registry

    if not _NAMES:
        data = AppData.load(
            os.environ.get("AREAL_DATA_DIR"),
            only=["airports", "stations", "municipalities", "protected_areas"],
        )
        for lid, col in (("airports", "navn"), ("stations", "navn"), ("protected_areas", "navn")):
            gdf = data.layers.get(lid)
            if gdf is not None and col in gdf.columns:
                _NAMES.extend(str(v) for v in gdf[col].dropna().unique())
    lines = {registry.get(n).attribution for n in registry.names()} | {
        registry.get(n).licence for n in registry.names()
    }
    return tuple(sorted({c for c in lines | set(_NAMES) if c and len(c) > 3}, key=len, reverse=True))


def _scan_tabs(visit, lang: str, where: str) -> list[str]:
    """Open every sidebar tab, scan its page text, screenshot it; the findings of all tabs."""
    from tests.apps.textscan import problems

    found = []
    tabs = visit.page.locator(".bk-tab")
    for i in range(tabs.count()):
        name = tabs.nth(i).inner_text().strip()
        tabs.nth(i).click()
        visit.page.wait_for_timeout(1500)  # the tab's views render over the websocket
        text = visit.page.evaluate(_PAGE_TEXT, lang == "nb")
        found += problems(text, lang, f"{where} · {name}", allowed=_credits())
        visit.shot(f"scan_{where}_{i}".replace(" ", "_"))
    return found


def test_every_planner_page_in_norwegian_then_english_then_back(planner_server, visit):
    visit.open(planner_server.url)
    found = _scan_tabs(visit, "nb", "planner-nb")
    visit.page.locator(".bk-tab").first.click()
    visit.page.get_by_role("button", name="English").click()
    visit.page.get_by_text("Land-use map Trøndelag").wait_for(timeout=10_000)
    visit.page.wait_for_timeout(1000)
    found += _scan_tabs(visit, "en", "planner-en")
    visit.page.locator(".bk-tab").first.click()
    visit.page.get_by_text("No site selected yet.").wait_for(timeout=10_000)
    visit.page.wait_for_timeout(1000)
    visit.shot("workflow_english")
    visit.page.get_by_role("button", name="Norsk").click()
    visit.page.get_by_text("Arealkart Trøndelag").first.wait_for(timeout=10_000)
    visit.page.wait_for_timeout(1000)
    found += _scan_tabs(visit, "nb", "planner-nb-again")
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_public_page_has_no_raw_ids_or_wrong_language(public_server, visit, lang):
    visit.open(public_server.url + ("?lang=en" if lang == "en" else ""))
    found = _scan_tabs(visit, lang, f"public-{lang}")
    assert found == [], "\n".join(found)


def test_site_report_scanned_in_both_languages(planner_server, visit, site_file):
    from tests.apps.textscan import problems

    visit.open(planner_server.url)
    visit.upload(site_file)
    visit.text(".areal-site-summary", timeout=60_000)
    visit.page.wait_for_timeout(1500)
    found = problems(visit.page.evaluate(_PAGE_TEXT, True), "nb", "site report nb", allowed=_credits())
    visit.page.get_by_role("button", name="English").click()
    visit.page.get_by_text("Land-use map Trøndelag").wait_for(timeout=10_000)
    visit.page.get_by_text("Site check", exact=True).first.wait_for(timeout=10_000)
    # the tabs, the side-panel button and the report are rebuilt in English after the header
    visit.page.locator(".bk-tab", has_text="Layers and sources").first.wait_for(timeout=30_000)
    visit.page.get_by_text("Hide side panel").first.wait_for(timeout=30_000)
    visit.text(".areal-site-summary", timeout=60_000)
    visit.page.wait_for_timeout(1500)
    found += problems(visit.page.evaluate(_PAGE_TEXT, False), "en", "site report en", allowed=_credits())
    assert found == [], "\n".join(found)


def test_pdf_report_downloads_from_the_app(planner_server, visit, site_file, tmp_path):
    from tests.apps.textscan import problems

    visit.open(planner_server.url)
    visit.upload(site_file)
    assert "omrade_trondheim.geojson" in visit.text(".areal-site-summary", timeout=60_000)
    visit.page.locator(".areal-report-make-site button").click()
    visit.page.locator(".areal-report-progress").first.wait_for(timeout=10_000)  # progress while it builds
    assert "Beregner" in visit.text(".areal-report-step")
    visit.shot("workflow_pdf_progress")
    link = visit.page.locator(".areal-report-download-site")
    link.wait_for(timeout=180_000)
    visit.shot("workflow_pdf_download")
    with visit.page.expect_download(timeout=30_000) as dl:
        link.locator("a, button").first.click()
    pdf = tmp_path / dl.value.suggested_filename
    dl.value.save_as(pdf)
    assert pdf.name.startswith("arealrapport_omrade_") and pdf.suffix == ".pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert flat.startswith("Arealrapport for område: Trondheim")  # its own title, not the file name
    assert "Arealkonflikter med lovgrunnlag" in flat and "Kilder for kartlagene" in flat
    assert problems(flat, "nb", pdf.name, allowed=_credits()) == []
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True
    )
    page1 = next(tmp_path.glob("page*.png"))
    gallery = os.environ.get("AREAL_GALLERY")
    if gallery:
        (Path(gallery) / "workflow_pdf_page.png").write_bytes(page1.read_bytes())
    assert page1.stat().st_size > 50_000  # a real map, not a red square on flat green


# ---------------------------------------------------------------------- candidate sites, scenarios, sea test area


def _num(text: str) -> float:
    """A number as the page writes it (``1 234,5`` or ``1,234.5``)."""
    t = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("−", "-")
    if "," in t and "." not in t:
        t = t.replace(",", ".")
    return float(t.replace(",", ""))


def _site_areas(visit) -> list[float]:
    cells = visit.page.locator(".areal-sites .tabulator-row .tabulator-cell[tabulator-field='Areal (ha)']")
    return [_num(c) for c in cells.all_inner_texts() if c.strip()]


def _wait_table_change(visit, before: str, timeout: float = 30.0) -> str:
    deadline = time.time() + timeout
    after = before
    while time.time() < deadline and after == before:
        time.sleep(0.2)
        after = visit.page.locator(".areal-sites .tabulator-table").inner_text()
    assert after != before, "the site table did not change"
    return after


def test_a_weight_and_a_size_limit_give_sites_of_20_to_200_ha(planner_server, visit):
    visit.open(planner_server.url + "?profile=data_centre&res=250")
    _tab(visit, "Egnethet")
    rows = visit.page.locator(".areal-sites .tabulator-row")
    rows.first.wait_for(timeout=60_000)
    areas = _site_areas(visit)
    assert areas and min(areas) >= 20 and max(areas) <= 200, areas  # the profile's 20-200 ha
    before = visit.page.locator(".areal-sites .tabulator-table").inner_text()
    handle = visit.page.locator(".areal-weight-substation .noUi-handle")
    handle.focus()
    handle.press("Home")  # substation weight 0.35 -> 0
    before = _wait_table_change(visit, before)
    # the largest size down to 150 ha, as a municipality looking for business land would
    box = visit.page.locator(".areal-max-area input").first
    box.fill("150")
    box.press("Enter")
    _wait_table_change(visit, before)
    areas = _site_areas(visit)
    assert len(areas) >= 5 and min(areas) >= 20 and max(areas) <= 150, areas
    header = visit.page.locator(".areal-sites .tabulator-col-title").all_inner_texts()
    assert "Kommune" in header and "Nærmeste sted" in header, header
    places = visit.page.locator(
        ".areal-sites .tabulator-cell[tabulator-field='Nærmeste sted']"
    ).all_inner_texts()
    assert any(p.strip() for p in places), places
    visit.page.wait_for_function("() => window.location.search.includes('max_ha=150')", timeout=10_000)
    _wait_overlay(visit, "sites")
    rows.first.click()
    visit.text(".areal-site-detail", timeout=15_000)
    # the best parcels on the map, as the planner zooms in to look at them
    visit.js("""() => {
        const S = ArealMap.state, ls = S.overlays.sites.layer.getLayers();
        let b = ls[0].getBounds();
        for (const l of ls.slice(1, 6)) b = b.extend(l.getBounds());
        S.map.fitBounds(b.pad(0.3));
    }""")
    visit.page.locator(".areal-sites").first.scroll_into_view_if_needed()
    visit.page.locator(".areal-sites .tabulator-tableholder").first.evaluate("e => { e.scrollLeft = 0; }")
    visit.page.wait_for_timeout(1500)
    visit.shot("workflow_site_sizes")


def _scen_message(visit, expect: str, timeout: float = 15_000) -> str:
    deadline = time.monotonic() + timeout / 1000
    text = ""
    while time.monotonic() < deadline:
        loc = visit.page.locator(".areal-scen-message")
        if loc.count():
            text = visit.text(".areal-scen-message", timeout=2_000)
            if expect in text:
                return text
        visit.page.wait_for_timeout(150)
    raise AssertionError(f"no message with {expect!r}; last: {text!r}")


def test_save_reopen_overwrite_rename_and_delete_a_scenario(planner_server, visit, site_file):
    visit.open(planner_server.url + "?profile=data_centre&res=250")
    visit.upload(site_file)
    assert "omrade_trondheim.geojson" in visit.text(".areal-site-summary", timeout=20_000)
    _tab(visit, "Egnethet")
    visit.page.locator(".areal-sites .tabulator-row").first.wait_for(timeout=60_000)
    handle = visit.page.locator(".areal-weight-substation .noUi-handle")
    handle.focus()
    handle.press("Home")  # the planner's own weights: substation 0
    visit.page.wait_for_function(
        "() => decodeURIComponent(window.location.search).includes('substation:0,')", timeout=10_000
    )
    _tab(visit, "Scenarioer")
    visit.page.locator(".areal-scen-name input").fill("Heimdal næring")
    visit.page.locator(".areal-scen-author input").fill("Kari Nordmann")
    visit.page.locator(".areal-scen-note textarea").fill("Første utkast <b>fet</b>")
    visit.page.locator(".areal-scen-save button").click()
    _scen_message(visit, "Lagret «Heimdal næring»")
    list_text = visit.text(".areal-scen-list")
    assert "Kari Nordmann" in list_text and "Første utkast <b>fet</b>" in list_text  # shown as text
    # the same name again: the app asks first
    visit.page.locator(".areal-scen-note textarea").fill("Andre utkast")
    visit.page.locator(".areal-scen-save button").click()
    ask = visit.text(".areal-scen-ask", timeout=10_000)
    assert "finnes allerede" in ask and "Heimdal næring" in ask
    assert "Første utkast" in visit.text(".areal-scen-list")  # nothing written yet
    visit.shot("workflow_scenario_overwrite")
    visit.page.locator(".areal-scen-overwrite button").click()
    _scen_message(visit, "overskrevet")
    deadline = time.monotonic() + 15
    while "Andre utkast" not in visit.text(".areal-scen-list") and time.monotonic() < deadline:
        visit.page.wait_for_timeout(200)
    assert "Andre utkast" in visit.text(".areal-scen-list")
    # change the session: other tab, the site gone, the profile's weights back
    _tab(visit, "Egnethet")
    visit.page.get_by_role("button", name="Tilbakestill vekter").click()
    visit.page.wait_for_function(
        "() => !decodeURIComponent(window.location.search).includes('substation:0,')", timeout=10_000
    )
    _tab(visit, "Områdesjekk")
    visit.page.locator(".areal-clear button").click()
    visit.page.locator(".areal-site-none").first.wait_for(timeout=10_000)
    # reopen: site, weights and the suitability tab come back
    _tab(visit, "Scenarioer")
    visit.page.locator(".areal-scen-pick select").select_option("Heimdal næring")
    visit.page.locator(".areal-scen-open button").click()
    visit.page.wait_for_function(
        "() => decodeURIComponent(window.location.search).includes('substation:0,')", timeout=15_000
    )
    visit.page.wait_for_function("() => window.location.search.includes('tab=suitability')", timeout=10_000)
    visit.page.locator(".areal-sites .tabulator-row").first.wait_for(timeout=30_000)
    _wait_js(visit, "() => ArealMap.state.siteGeo !== null", 45)
    visit.page.wait_for_timeout(1000)
    visit.shot("workflow_scenario_opened")
    _tab(visit, "Områdesjekk")
    assert "Heimdal næring" in visit.text(".areal-site-summary", timeout=15_000)
    # rename, then delete another one (asked first)
    _tab(visit, "Scenarioer")
    visit.page.locator(".areal-scen-name input").fill("Til sletting")
    visit.page.locator(".areal-scen-save button").click()
    _scen_message(visit, "Lagret «Til sletting»")
    # the two side by side
    visit.page.locator(".areal-scen-a select").select_option("Heimdal næring")
    visit.page.locator(".areal-scen-b select").select_option("Til sletting")
    cmp_ = visit.text(".areal-scen-compare", timeout=20_000)
    assert "A: Heimdal næring" in cmp_ and "B − A" in cmp_, cmp_
    assert "Kari Nordmann" in visit.text(".areal-scen-compare-meta", timeout=10_000)
    # every group ``areal scenario compare`` shows, not the land account alone
    assert all(g in cmp_ for g in ("Forslag", "Arealregnskap", "Konflikter", "Indikatorer")), cmp_
    visit.page.locator(".areal-scen-compare").scroll_into_view_if_needed()
    visit.shot("workflow_scenario_compare")
    visit.page.locator(".areal-scen-pick select").select_option("Heimdal næring")
    visit.page.locator(".areal-scen-new-name input").fill("Heimdal næring, alt. 2")
    visit.page.locator(".areal-scen-new-name input").press("Tab")
    visit.page.locator(".areal-scen-rename button").click()
    _scen_message(visit, "heter nå «Heimdal næring, alt. 2»")
    visit.page.locator(".areal-scen-pick select").select_option("Til sletting")
    visit.page.locator(".areal-scen-delete button").click()
    assert "Slette scenarioet «Til sletting»" in visit.text(".areal-scen-ask", timeout=10_000)
    visit.page.locator(".areal-scen-delete-yes button").click()
    _scen_message(visit, "Slettet «Til sletting»")
    deadline = time.monotonic() + 15
    text = visit.text(".areal-scen-list")
    while "Til sletting" in text and time.monotonic() < deadline:  # the list follows the message
        visit.page.wait_for_timeout(200)
        text = visit.text(".areal-scen-list")
    assert "Heimdal næring, alt. 2" in text and "Til sletting" not in text
    visit.page.wait_for_timeout(500)
    visit.shot("workflow_scenario_list")


def _download_pdf(visit, kind: str, tmp_path: Path, timeout: float = 180_000) -> tuple[Path, str]:
    """Wait for the report's download link, download the PDF and return it with its text (one line)."""
    link = visit.page.locator(f".areal-report-download-{kind}")
    link.wait_for(timeout=timeout)
    with visit.page.expect_download(timeout=30_000) as dl:
        link.locator("a, button").first.click()
    tmp_path.mkdir(parents=True, exist_ok=True)
    pdf = tmp_path / dl.value.suggested_filename
    dl.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return pdf, " ".join(text.split())


def test_scenario_pdf_downloads_from_the_scenario_tab(planner_server, visit, site_file, tmp_path):
    """A saved scenario's PDF from its tab: progress, then the report of ``areal report --scenario``."""
    from tests.apps.textscan import problems

    visit.open(planner_server.url + "?profile=data_centre&res=250")
    visit.upload(site_file)
    assert "omrade_trondheim.geojson" in visit.text(".areal-site-summary", timeout=60_000)
    _tab(visit, "Scenarioer")
    visit.page.locator(".areal-scen-name input").fill("Tiller næring")
    visit.page.locator(".areal-scen-author input").fill("Ola Nordmann")
    visit.page.locator(".areal-scen-save button").click()
    _scen_message(visit, "Lagret «Tiller næring»")
    visit.page.locator(".areal-scen-pick select").select_option("Tiller næring")
    make = visit.page.locator(".areal-report-make-scenario button")
    assert make.inner_text().strip() == "Last ned PDF"
    make.click()
    visit.page.locator(".areal-report-scenario .areal-report-progress").first.wait_for(timeout=10_000)
    assert "Beregner" in visit.text(".areal-report-scenario .areal-report-step")  # progress while it builds
    pdf, flat = _download_pdf(visit, "scenario", tmp_path)
    visit.page.locator(".areal-report-download-scenario").first.scroll_into_view_if_needed()
    visit.shot("workflow_scenario_pdf")
    assert pdf.name == "arealrapport_scenario_tiller_naering.pdf"
    assert flat.startswith("Arealrapport for scenario: Tiller næring"), flat[:200]
    assert "Scenario i Trondheim" in flat and "kilde: Tiller næring" in flat  # the line under the title
    assert "Arealkonflikter med lovgrunnlag" in flat and "Kilder for kartlagene" in flat
    assert "Scenarioets egnethetsprofil: Datasenter" in flat  # the scenario's own profile, in words
    assert "Egnethet" in flat and "Arealregnskap" in flat
    assert problems(flat, "nb", pdf.name, allowed=_credits()) == []
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "scenario")],
        check=True,
    )
    page1 = next(tmp_path.glob("scenario*.png"))
    assert page1.stat().st_size > 50_000  # a map with its base layers, not an empty page
    gallery = os.environ.get("AREAL_GALLERY")
    if gallery:
        (Path(gallery) / "workflow_scenario_pdf_page.png").write_bytes(page1.read_bytes())
    # switched to English: the same action and the same report in English
    visit.page.get_by_role("button", name="English").click()
    visit.page.get_by_text("Land-use map Trøndelag").wait_for(timeout=10_000)
    _tab(visit, "Scenarios")
    visit.page.locator(".areal-scen-pick select").select_option("Tiller næring")
    make = visit.page.locator(".areal-report-make-scenario button")
    make.wait_for(timeout=10_000)
    assert make.inner_text().strip() == "Download PDF"
    make.click()
    visit.page.locator(".areal-report-scenario .areal-report-progress").first.wait_for(timeout=10_000)
    assert "Computing" in visit.text(".areal-report-scenario .areal-report-step")
    pdf_en, flat_en = _download_pdf(visit, "scenario", tmp_path / "en")
    assert flat_en.startswith("Land report for scenario: Tiller næring"), flat_en[:200]
    assert "The scenario's suitability profile: Data centre" in flat_en
    assert "Land-use conflicts with legal basis" in flat_en
    # (the app's own name, «Arealkart Trøndelag (areal)», stays as it is in the method line)
    allowed = (*_credits(), "Arealkart Trøndelag (areal)")
    assert problems(flat_en, "en", pdf_en.name, allowed=allowed) == []


@pytest.fixture(scope="session")
def sea_file(tmp_path_factory) -> Path:
    """A 1.5 × 1.5 km test area at sea in Heim whose edge is 300 m from the fish farm Kistvika."""
    path = tmp_path_factory.mktemp("uploads") / "testomrade_sjo.geojson"
    x, y = 208_956, 7_041_625  # Kistvika (Akvakulturregisteret), EPSG:25833
    gpd.GeoDataFrame(
        {"navn": ["Testområde sjø"]}, geometry=[box(x + 300, y - 750, x + 1800, y + 750)], crs=UTM33
    ).to_crs(4326).to_file(path, driver="GeoJSON")
    return path


def test_check_a_sea_test_area(planner_server, visit, sea_file):
    visit.open(planner_server.url)
    visit.page.locator(".areal-site-kind select").select_option(label="Testområde på sjø")
    visit.page.wait_for_function(
        "() => window.location.search.includes('kind=test_area_sea')", timeout=10_000
    )
    visit.upload(sea_file)
    assert "testomrade_sjo.geojson" in visit.text(".areal-site-summary", timeout=20_000)
    conflicts = visit.text(".areal-conflicts", timeout=20_000)
    # the pair in words (no raw ids), the basis and explanation in Norwegian
    assert "Testområde på sjø × Sjøbaserte lokaliteter" in conflicts, conflicts
    assert "akvakulturloven" in conflicts and "Fortøyninger og nøter" in conflicts
    assert "test_area_sea" not in conflicts and "aquaculture_sites" not in conflicts
    note = visit.text(".areal-kind-note")
    assert "Sjekket som: Testområde på sjø" in note
    assert "Ikke kartlagt" in note and "Farleder" in note and "Fiskeplasser" in note
    visit.page.locator(".areal-conflicts").first.scroll_into_view_if_needed()
    visit.page.wait_for_timeout(800)
    visit.shot("workflow_sea_test_area")
    # the same area as business land: other rules
    visit.page.locator(".areal-site-kind select").select_option(label="Næringsareal")
    visit.page.wait_for_function(
        "() => !window.location.search.includes('kind=test_area_sea')", timeout=10_000
    )
    deadline = time.time() + 20
    while time.time() < deadline and "Næringsareal" not in visit.text(".areal-kind-note"):
        time.sleep(0.2)
    assert "Sjekket som: Næringsareal" in visit.text(".areal-kind-note")
