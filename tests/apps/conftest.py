"""Fixtures of the app tests: the starter-extract data every fresh install has, and for the browser
tests one chromium and one ``areal serve`` per mode shared by every module."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from conftest import UTM33, X0, Y0
from shapely.geometry import box

from tests.apps.browserkit import ARGS, CHROMIUM, Visit, _skip_or_fail, _start


@pytest.fixture(scope="session")
def starter_data(tmp_path_factory):
    """AppData from the packaged starter extract only (an empty data folder)."""
    from areal.apps.planner.data import AppData

    return AppData.load(tmp_path_factory.mktemp("no-data"))


# ---------------------------------------------------------------------- browser tests (one chromium, one server per mode)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _skip_or_fail(f"Debian chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("python playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def planner_server(browser, tmp_path_factory):
    srv = _start("planner", browser, tmp_path_factory)
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def public_server(browser, tmp_path_factory):
    srv = _start("public", browser, tmp_path_factory)
    yield srv
    srv.stop()


@pytest.fixture
def visit(browser, tmp_path):
    v = Visit(browser, tmp_path)
    yield v
    v.close()


@pytest.fixture(scope="session")
def site_file(tmp_path_factory) -> Path:
    """A 2 × 2 km polygon (400 ha) south-west of Trondheim centre, as GeoJSON in WGS84."""
    path = tmp_path_factory.mktemp("uploads") / "omrade_trondheim.geojson"
    gpd.GeoDataFrame(
        {"navn": ["Testområde"]}, geometry=[box(X0, Y0, X0 + 2000, Y0 + 2000)], crs=UTM33
    ).to_crs(4326).to_file(path, driver="GeoJSON")
    return path
