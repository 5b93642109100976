"""The fetchers over real HTTP: a local http.server (in a thread) replays the recordings.

The live transport (urllib) talks to 127.0.0.1; URLs of the official services are rewritten to
``http://127.0.0.1:<port>/<host>/<path>``. Covered here: paging by rel=next, Range resume after a
connection cut mid-body, HTTP 401 with the message naming the service and how to get access.
"""

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from areal.geo.errors import FetchError
from areal.layers import fetch, loader, registry
from recorded_transport import RecordedTransport


class Replay(BaseHTTPRequestHandler):
    recordings = RecordedTransport()
    require_auth: set[str] = set()  # hosts that answer 401 without an Authorization header
    cut_once: dict[str, int] = {}  # path -> bytes to send before dropping the connection (once)
    log: list[dict] = []

    def log_message(self, *args):  # quiet
        pass

    def _url(self) -> str:
        host, _, rest = self.path.lstrip("/").partition("/")
        return f"https://{host}/{rest}"

    def do_POST(self):  # noqa: N802 - http.server's naming
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        self.do_GET()

    def do_GET(self):  # noqa: N802
        url = self._url()
        self.log.append({"url": url, "headers": dict(self.headers)})
        host = urllib.parse.urlparse(url).netloc
        if host in self.require_auth and "Authorization" not in self.headers:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="nap"')
            self.end_headers()
            return
        try:
            _, path = self.recordings.match(url)
        except AssertionError:
            self.send_response(404)
            self.end_headers()
            return
        body = path.read_bytes()
        start = 0
        rng = self.headers.get("Range")
        if rng:
            start = int(rng.split("=")[1].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        if path.suffix == ".json" and "kommuneplaner" in url:
            self.send_header("Content-Crs", "<http://www.opengis.net/def/crs/EPSG/0/25833>")
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        cut = self.cut_once.pop(url.split("?")[0], None)
        if cut is not None:
            self.wfile.write(body[start : start + cut])
            self.wfile.flush()
            self.connection.shutdown(2)  # drop the connection mid-body
            return
        self.wfile.write(body[start:])


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    Replay.log, Replay.require_auth, Replay.cut_once = [], set(), {}
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _ctx(tmp_path, httpd, **kw):
    port = httpd.server_address[1]

    def via_localhost(req):
        u = urllib.parse.urlparse(req.url)
        local = f"http://127.0.0.1:{port}/{u.netloc}{u.path}" + (f"?{u.query}" if u.query else "")
        return fetch.urllib_transport(fetch.Request(local, req.method, req.headers, req.data, req.timeout))

    d = tmp_path / "data"
    d.mkdir(exist_ok=True)
    return fetch.FetchContext(
        data_dir=d, transport=via_localhost, progress=False, backoff=0.0, poll_s=0.0, timeout=5.0, **kw
    )


def test_ogc_api_pages_over_http(server, tmp_path, monkeypatch):
    monkeypatch.setenv("AREAL_NORGE_DIGITALT_USER", "kommune")
    monkeypatch.setenv("AREAL_NORGE_DIGITALT_PASSWORD", "hemmelig")
    Replay.require_auth = {"nap.ft.dibk.no"}
    ctx = _ctx(tmp_path, server, municipalities=["5001", "5028"])
    res = fetch.fetch_layer("business_areas", ctx)
    assert res.n_features == 6 and len(Replay.log) == 3
    assert all(r["headers"]["Authorization"].startswith("Basic ") for r in Replay.log)
    assert res.downloads[0].content_crs.endswith("/EPSG/0/25833>")
    g = loader.load("business_areas", ctx.data_dir, cache=False, strict=True)
    assert len(g) == 4 and g.crs.to_epsg() == 25833


def test_http_401_names_the_service_and_how_to_get_access(server, tmp_path, monkeypatch):
    monkeypatch.delenv("AREAL_NORGE_DIGITALT_USER", raising=False)
    monkeypatch.delenv("AREAL_NORGE_DIGITALT_PASSWORD", raising=False)
    Replay.require_auth = {"nap.ft.dibk.no"}
    ctx = _ctx(tmp_path, server, municipalities=["5001"])
    with pytest.raises(FetchError) as err:
        fetch.fetch_layer("business_areas", ctx)
    msg = str(err.value)
    assert "HTTP 401" in msg and "Norge digitalt" in msg and "AREAL_NORGE_DIGITALT_USER" in msg
    assert len(Replay.log) == 1  # not retried: a refusal is not a network fault
    assert not (ctx.data_dir / "business").exists()


def test_connection_cut_mid_body_is_resumed_with_range(server, tmp_path):
    spec = registry.get("protected_areas")
    Replay.cut_once = {spec.fetch.url: 4000}
    ctx = _ctx(tmp_path, server)
    res = fetch.fetch_layer("protected_areas", ctx)
    assert [r["headers"].get("Range") for r in Replay.log] == [None, "bytes=4000-"]
    assert res.downloads[0].resumed_from == 4000
    g = loader.load("protected_areas", ctx.data_dir, cache=False, strict=True)
    assert len(g) == 4
