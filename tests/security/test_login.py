"""Planner mode behind a login when bound to anything but localhost (``areal serve --basic-auth``)."""

from __future__ import annotations

import http.cookiejar
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from areal.apps.cli import main
from click.testing import CliRunner


def test_planner_on_all_interfaces_without_a_login_is_refused(tmp_path):
    res = CliRunner().invoke(
        main, ["serve", "--address", "0.0.0.0", "--no-show", "--no-prewarm", "--data-dir", str(tmp_path)]
    )
    assert res.exit_code == 1
    assert "--basic-auth" in res.output and "--public" in res.output
    assert "--basic-auth" in CliRunner().invoke(main, ["serve", "--help"]).output


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory):
    from areal.apps.planner.server import free_port

    port = free_port()
    data = tmp_path_factory.mktemp("login-data")
    log = open(tmp_path_factory.mktemp("login-log") / "serve.log", "w")
    env = {**os.environ, "AREAL_BASIC_AUTH": "s3cret-planner", "AREAL_API_TOKEN": "tok-123"}
    cmd = [
        sys.executable,
        "-m",
        "areal.apps.cli",
        "serve",
        "--address",
        "0.0.0.0",
        "--port",
        str(port),
        "--no-show",
        "--no-prewarm",
        "--data-dir",
        str(data),
    ]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        assert proc.poll() is None, "areal serve exited"
        try:
            urllib.request.urlopen(base + "/login", timeout=5)
            break
        except OSError:
            time.sleep(0.5)
    yield base
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _status(opener, url, **kw) -> tuple[int, str, bytes]:
    try:
        with opener.open(urllib.request.Request(url, **kw), timeout=60) as r:
            return r.status, r.headers.get("Location", ""), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", ""), exc.read()


def test_unauthenticated_requests_get_the_login_or_401(guarded_server):
    anon = urllib.request.build_opener(_NoRedirect)
    code, location, _ = _status(anon, guarded_server + "/")
    assert code in (302, 303) and "login" in location
    code, _, body = _status(anon, guarded_server + "/areal/api/geojson/municipalities?band=0")
    assert code == 401 and b"login required" in body
    # a script with the API token gets the data
    code, _, body = _status(
        anon,
        guarded_server + "/areal/api/geojson/municipalities?band=0",
        headers={"Authorization": "Bearer tok-123"},
    )
    assert code == 200 and b"FeatureCollection" in body
    code, _, _ = _status(
        anon,
        guarded_server + "/areal/api/geojson/municipalities?band=0",
        headers={"Authorization": "Bearer wrong"},
    )
    assert code == 401


def test_after_logging_in_the_planner_and_its_data_are_served(guarded_server):
    jar = http.cookiejar.CookieJar()
    user = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    form = urllib.parse.urlencode({"username": "planner", "password": "wrong"}).encode()
    code, location, _ = _status(user, guarded_server + "/login", data=form)
    assert "error" in location and not any(c.name == "user" for c in jar)
    form = urllib.parse.urlencode({"username": "planner", "password": "s3cret-planner"}).encode()
    _status(user, guarded_server + "/login", data=form)
    assert any(c.name == "user" for c in jar)
    code, _, body = _status(user, guarded_server + "/areal/api/geojson/municipalities?band=0")
    assert code == 200 and b"FeatureCollection" in body


def test_bad_parameters_get_400_not_500(guarded_server):
    anon = urllib.request.build_opener(_NoRedirect)
    auth = {"Authorization": "Bearer tok-123"}
    api = guarded_server + "/areal/api/geojson/municipalities"
    for query in (
        "?band=2&bbox=-1e308,-1e308,1e308,1e308",
        "?band=x",
        "?band=0&bbox=1,2,3",
        "?kommune=../../etc",
    ):
        code, _, body = _status(anon, api + query, headers=auth)
        assert code == 400, (query, code, body)
        assert b"Traceback" not in body and b"/tmp/" not in body
    code, _, _ = _status(anon, guarded_server + "/areal/api/geojson/nope?band=0", headers=auth)
    assert code == 404
