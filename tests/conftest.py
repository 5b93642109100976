"""Shared fixtures: tiny hand-made geometries and files, and access to the real extracts."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import box

FIXTURES = Path(__file__).parent / "fixtures"
UTM33 = "EPSG:25833"
# A point well inside Trøndelag (Trondheim area), to place tiny fixtures on real ground.
X0, Y0 = 270_000.0, 7_040_000.0


def pytest_report_header(config):
    import pyogrio
    import rasterio

    return (
        f"GEOS {shapely.geos_version_string}, GDAL {pyogrio.__gdal_version_string__}, "
        f"rasterio {rasterio.__version__}, geopandas {gpd.__version__}; "
        f"AREAL_DATA_DIR={os.environ.get('AREAL_DATA_DIR', '(unset)')}"
    )


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory):
    """Never write into the user's cache; one cache per test session."""
    old = os.environ.get("AREAL_CACHE_DIR")
    os.environ["AREAL_CACHE_DIR"] = str(tmp_path_factory.mktemp("areal-cache"))
    yield
    if old is None:
        os.environ.pop("AREAL_CACHE_DIR", None)
    else:
        os.environ["AREAL_CACHE_DIR"] = old


def _real_data_dir() -> Path | None:
    env = os.environ.get("AREAL_DATA_DIR")
    if env and (Path(env) / "n1000" / "N1000_trondelag_25833.gpkg").exists():
        return Path(env)
    return None


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The real extracts (``AREAL_DATA_DIR``). Skipped outside CI when absent; a failure in CI."""
    path = _real_data_dir()
    if path is None:
        msg = "real extracts not found: set AREAL_DATA_DIR to the shared data folder (../shared/data)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@pytest.fixture
def squares() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A 2×2 km square and a 1×1 km square inside it: exactly 100 ha of overlap."""
    a = gpd.GeoDataFrame({"name": ["big"]}, geometry=[box(X0, Y0, X0 + 2000, Y0 + 2000)], crs=UTM33)
    b = gpd.GeoDataFrame(
        {"name": ["small"]}, geometry=[box(X0 + 500, Y0 + 500, X0 + 1500, Y0 + 1500)], crs=UTM33
    )
    return a, b


@pytest.fixture
def bowtie() -> shapely.Geometry:
    """A self-intersecting polygon (two 1 km triangles) for the repair path: area 1 km² after repair."""
    return shapely.Polygon([(X0, Y0), (X0 + 2000, Y0 + 1000), (X0 + 2000, Y0), (X0, Y0 + 1000), (X0, Y0)])


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(2841)


@pytest.fixture
def empty_data_dir(tmp_path, monkeypatch) -> Path:
    """An empty data directory set as AREAL_DATA_DIR."""
    d = tmp_path / "data"
    d.mkdir()
    monkeypatch.setenv("AREAL_DATA_DIR", str(d))
    return d
