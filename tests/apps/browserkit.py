"""What the browser tests share: the chromium flags, a server started with ``areal serve``, a visit.

The fixtures built on these (``browser``, ``planner_server``, ``public_server``, ``visit``,
``site_file``) are in ``tests/apps/conftest.py``, so every browser test module shares one
chromium and one server per mode.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LOCAL = ("http://127.0.0.1", "http://localhost", "about:", "data:", "blob:")

GALLERY = {
    "workflow_all_layers": "Every layer switched on and drawn, the non-commercial licence shown by the Kilder button",
    "workflow_site_popup": "A click inside the uploaded site opens its popup; the site stays",
    "workflow_conflict_basis": "A conflict polygon clicked: pair, severity, hectares and legal basis",
    "workflow_shared_link": "A shared link: layers, view, tab, site and the suitability overlay restored",
    "workflow_search_place": "Search: «røros» finds Rosse - Røros",
    "workflow_search_coordinate": "Search: a UTM 33 coordinate, with the plausibility line",
    "workflow_measure": "Measuring a distance and an area (EPSG:25833, Norwegian numbers)",
    "workflow_offline_base": "Tiles unreachable: the base map drawn from the app's own data, with names",
    "workflow_sidebar_folded": "Side panel folded away: the whole width for the map",
    "workflow_public_substations": "Public site report: free MW of the nearest substations with the CC BY-NC-SA credit",
    "workflow_english": "Switched to English: every label, legend and table in English, no Norwegian left",
    "workflow_pdf_progress": "A PDF report of the site being built in the app: progress bar and the current step",
    "workflow_pdf_download": "The PDF report ready: a download link with the report's own file name",
    "workflow_pdf_page": "The first page of the downloaded PDF: its own title and a base map from the N1000 layers",
    "workflow_site_sizes": "Data-centre sites after a weight change and a largest size of 150 ha: parcels of 20–150 ha with municipality and nearest place",
    "workflow_scenario_overwrite": "Saving under a taken name asks before overwriting",
    "workflow_scenario_opened": "A scenario opened: site, layers, profile, weights, resolution and tab restored",
    "workflow_scenario_compare": "Two scenarios side by side: proposal, land account, conflicts and indicators, A, B and B − A (the same rows as `areal scenario compare`)",
    "workflow_scenario_list": "Scenarios renamed and one deleted: the list with author, note and date",
    "workflow_scenario_pdf": "A saved scenario's PDF from the scenario tab: the same report as `areal report --scenario`",
    "workflow_scenario_pdf_page": "The first page of the scenario PDF: «Arealrapport for scenario: …», its area and base map",
    "workflow_sea_test_area": "A test area at sea checked with the sea rules: aquaculture zone, and fairways and fishing grounds «ikke kartlagt»",
}
"""Screenshots copied to ``$AREAL_GALLERY`` (file name -> caption in docs/app.md)."""


def _skip_or_fail(msg: str):
    if os.environ.get("CI"):
        pytest.fail(msg)
    pytest.skip(msg)


class Server:
    """``areal serve`` in a subprocess on a free port."""

    def __init__(
        self, mode: str, data_dir: Path, log: Path, extra: tuple[str, ...] = ("--wait",), timeout: float = 90
    ):
        from areal.apps.planner.server import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.data_dir = data_dir
        cmd = [
            sys.executable,
            "-c",
            "from areal.apps.cli import main; main()",
            "serve",
            "--port",
            str(self.port),
            "--no-show",
            *extra,  # default --wait: the tests time site checks, start with the 250 m models ready
            "--data-dir",
            str(data_dir),
        ] + (["--public"] if mode == "public" else [])
        self.log = open(log, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=dict(os.environ))
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"areal serve exited with {self.proc.returncode}: {log.read_text()[-2000:]}"
                )
            try:
                with urllib.request.urlopen(self.url, timeout=20) as r:  # a first session is slow under load
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"areal serve did not answer within {timeout:.0f} s: {log.read_text()[-2000:]}")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def _data_dir(tmp_path_factory) -> Path:
    env = os.environ.get("AREAL_DATA_DIR")
    if env and Path(env).is_dir():
        return Path(env)
    return tmp_path_factory.mktemp("starter-only")  # the packaged starter extract is used


def _start(mode, browser, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"server-{mode}")
    # the planner's scenarios go to a store of this test session, never into the data folder
    extra = ("--wait", "--store", str(tmp / "scenarios.sqlite")) if mode == "planner" else ("--wait",)
    srv = Server(mode, _data_dir(tmp_path_factory), tmp / "serve.log", extra)
    # Warm-up visit: the first session pays for imports; "first paint" is measured on the next one.
    page = browser.new_page()
    page.goto(srv.url)
    page.wait_for_selector(".areal-map[data-loaded='1']", timeout=60_000)
    page.close()
    return srv


class Visit:
    """A page with every non-local request blocked and recorded."""

    def __init__(self, browser, tmp_path: Path):
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
        self.page = self.context.new_page()
        self.blocked: list[tuple[str, str]] = []
        self.requests: list[tuple[str, str]] = []
        self.geojson: dict[str, int] = {}
        self.failed_local: list[str] = []
        self.ws_frames: list[str] = []
        self.tmp_path = tmp_path
        self.page.route("**/*", self._route)
        self.page.on("response", self._response)
        self.page.on("requestfailed", self._failed)
        self.page.on(
            "websocket",
            lambda ws: ws.on(
                "framereceived",
                lambda f: self.ws_frames.append(f if isinstance(f, str) else f.decode("utf-8", "replace")),
            ),
        )

    def _route(self, route):
        req = route.request
        self.requests.append((req.resource_type, req.url))
        if req.url.startswith(LOCAL):
            return route.continue_()
        self.blocked.append((req.resource_type, req.url))
        return route.abort()

    def _response(self, resp):
        if "/areal/api/geojson/" in resp.url:
            try:
                self.geojson[resp.url] = len(resp.body())
            except Exception:  # a response superseded by navigation
                pass

    def _failed(self, req):
        if req.url.startswith(LOCAL):
            self.failed_local.append(req.url)

    @property
    def map(self):
        return self.page.frame_locator("iframe.areal-map-frame")

    def open(self, url: str, timeout: float = 30_000) -> float:
        t0 = time.perf_counter()
        self.page.goto(url)
        self.page.wait_for_selector(".areal-map[data-loaded='1']", timeout=timeout)
        return time.perf_counter() - t0

    def shot(self, name: str) -> Path:
        path = self.tmp_path / f"{name}.png"
        self.page.screenshot(path=str(path))
        gallery = os.environ.get("AREAL_GALLERY")
        if gallery and name in GALLERY:
            Path(gallery).mkdir(parents=True, exist_ok=True)
            (Path(gallery) / f"{name}.png").write_bytes(path.read_bytes())
        return path

    def js(self, expr: str):
        """Evaluate in the map document."""
        return self.map.locator("body").evaluate(expr)

    def open_layers(self):
        """Open the layer panel (closed on opening, so it does not cover the map)."""
        panel = self.map.locator("#areal-layer-panel")
        if panel.get_attribute("data-open") != "1":
            self.map.locator(".areal-toggle").click()
        self.map.locator(".areal-panel-body").wait_for(state="visible", timeout=5_000)

    def click_map(self, x: float, y: float):
        """Click the map at a container point (pixels from the map's top left)."""
        b = self.page.locator("iframe.areal-map-frame").bounding_box()
        self.page.mouse.click(b["x"] + x, b["y"] + y)

    def upload(self, path: Path):
        self.page.set_input_files("input[type=file]", str(path))

    def text(self, selector: str, timeout: float = 10_000) -> str:
        """Visible text of a Panel pane (its content lives in the element's shadow root)."""
        loc = self.page.locator(selector).first
        loc.wait_for(timeout=timeout)
        js = (
            "e => Array.from((e.shadowRoot || e).children).filter(c => !['STYLE', 'LINK'].includes(c.tagName))"
            ".map(c => c.innerText).join('\\n')"
        )
        # The pane can be attached before its content arrives over the websocket (slow under load).
        deadline = time.monotonic() + timeout / 1000
        text = loc.evaluate(js)
        while not text.strip() and time.monotonic() < deadline:
            self.page.wait_for_timeout(100)
            text = loc.evaluate(js)
        return text

    def all_text(self) -> str:
        """Text of the page including shadow roots and the map document."""
        return self.page.evaluate("""() => {
            const out = [];
            const walk = (root) => {
              root.querySelectorAll('*').forEach(el => {
                if (el.shadowRoot) { out.push(el.shadowRoot.innerHTML); walk(el.shadowRoot); }
                if (el.tagName === 'IFRAME' && el.srcdoc) out.push(el.srcdoc);
              });
            };
            out.push(document.documentElement.outerHTML);
            walk(document);
            return out.join('\\n');
        }""")

    def close(self):
        self.context.close()


def _tab(visit, title: str):
    """Open the sidebar tab whose title holds ``title``."""
    visit.page.locator(".bk-tab", has_text=title).first.click()
