"""PostGIS for the scenario-store tests: AREAL_TEST_POSTGIS_URL, or a throwaway cluster of our own."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parents[2]
PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")


@pytest.fixture(scope="session")
def postgis_url():
    """A PostgreSQL URL with PostGIS: from the environment, or started with .ci/start-postgis.

    Skipped (with the reason) only where PostgreSQL or PostGIS is absent and CI is not set; in CI
    a missing server is a failure.
    """
    url = os.environ.get("AREAL_TEST_POSTGIS_URL")
    if url:
        yield url
        return
    if not (PGBIN / "initdb").exists() or not POSTGIS_CONTROL.exists():
        msg = (
            f"PostgreSQL 15 + PostGIS not found ({PGBIN}/initdb, {POSTGIS_CONTROL}): "
            "apt-get install postgresql postgresql-15-postgis-3, or set AREAL_TEST_POSTGIS_URL"
        )
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    res = subprocess.run([str(REPO / ".ci" / "start-postgis")], capture_output=True, text=True, timeout=120)
    if res.returncode != 0:
        pytest.fail(f".ci/start-postgis failed ({res.returncode}): {res.stderr[-2000:]}")
    line = res.stdout.strip()
    assert line.startswith("export AREAL_TEST_POSTGIS_URL="), res.stdout
    url = line.split("=", 1)[1]
    try:
        yield url
    finally:
        subprocess.run(
            [str(REPO / ".ci" / "stop-postgis"), str(urlparse(url).port)], capture_output=True, timeout=60
        )


@pytest.fixture
def pg_store(postgis_url):
    """A PostGIS scenario store in a fresh schema, dropped afterwards."""
    import psycopg
    from areal.layers.scenario_store import PostgisScenarioStore

    schema = f"t_{uuid.uuid4().hex[:12]}"
    store = PostgisScenarioStore(postgis_url, schema=schema)
    yield store
    with psycopg.connect(postgis_url, autocommit=True) as con:
        con.execute(f"DROP SCHEMA {schema} CASCADE")
