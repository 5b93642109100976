"""Scenario stores: round trips (SQLite, PostGIS), kill -9 mid-save, concurrent writers, schema migration."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from areal.geo.errors import InputGeometryError, ScenarioSchemaError, StoreError, UnknownNameError
from areal.geo.scenario import SCHEMA_VERSION, Scenario, compare, migrate_meta
from areal.layers.scenario_store import SQLITE_V1, SqliteScenarioStore, open_store
from click.testing import CliRunner
from conftest import UTM33, X0, Y0
from shapely.geometry import box

WORKER = Path(__file__).with_name("_save_worker.py")


def proposal(n: int = 3, tag: str = "a") -> gpd.GeoDataFrame:
    geoms = [box(X0 + 300 * i, Y0, X0 + 300 * i + 200, Y0 + 100 * (i + 1)) for i in range(n)]
    return gpd.GeoDataFrame(
        {
            "navn": [f"{tag}{i}" for i in range(n)],
            "mw": [10 * i for i in range(n)],
            "score": [0.5 + i for i in range(n)],
            "opt": [None] + [f"x{i}" for i in range(1, n)],
        },
        geometry=geoms,
        crs=UTM33,
    )


def assert_same(got: Scenario, want: Scenario) -> None:
    assert (got.name, got.profile, dict(got.weights), got.layers, got.note) == (
        want.name,
        want.profile,
        dict(want.weights),
        want.layers,
        want.note,
    )
    assert got.schema_version == SCHEMA_VERSION and got.proposal.crs.to_epsg() == 25833
    pd.testing.assert_frame_equal(
        got.proposal.drop(columns="geometry"), want.proposal.drop(columns="geometry"), check_dtype=False
    )
    assert got.proposal.geometry.geom_equals_exact(want.proposal.geometry, tolerance=1e-6).all()


def roundtrip(store) -> None:
    s = Scenario(
        "Alt A",
        proposal(),
        layers=("forest", "ar5"),
        profile="data_centre",
        weights={"grid": 0.5, "road": 0.3, "slope": 0.2},
        note="første utkast, æøå",
    )
    saved = store.save(s)
    got = store.get("Alt A")
    assert_same(got, s)
    assert got.created == saved.created
    assert list(store.list()["name"]) == ["Alt A"] and store.list().loc[0, "polygons"] == 3
    time.sleep(1.1)
    s2 = Scenario("Alt A", proposal(2, "b"), profile="battery", weights={"grid": 1}, note="v2")
    store.save(s2)
    got2 = store.get("Alt A")
    assert_same(got2, s2)
    assert got2.created == saved.created and got2.updated > saved.updated  # created kept, updated moved
    store.save(Scenario("Alt B", proposal(1)))
    assert store.names() == ["Alt A", "Alt B"]
    store.delete("Alt A")
    assert store.names() == ["Alt B"]
    with pytest.raises(UnknownNameError, match="no scenario 'Alt A' in .*saved scenarios are: Alt B"):
        store.get("Alt A")
    with pytest.raises(KeyError):
        store.delete("Alt A")


def test_sqlite_roundtrip(tmp_path):
    roundtrip(SqliteScenarioStore(tmp_path / "s.sqlite"))


def test_default_store_is_in_the_data_dir(empty_data_dir):
    store = open_store()
    assert Path(store.location) == empty_data_dir / "scenarios.sqlite"
    with sqlite3.connect(store.location) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.postgis
def test_postgis_roundtrip(pg_store):
    roundtrip(pg_store)


@pytest.mark.postgis
def test_postgis_geometry_column_is_25833(pg_store, postgis_url):
    import psycopg

    pg_store.save(Scenario("g", proposal(2)))
    with psycopg.connect(postgis_url) as con:
        srid, typ = con.execute(
            "SELECT srid, type FROM geometry_columns WHERE f_table_schema = %s AND f_table_name = 'scenario_features'",
            (pg_store.schema,),
        ).fetchone()
        area = con.execute(f"SELECT sum(ST_Area(geom)) FROM {pg_store.schema}.scenario_features").fetchone()[
            0
        ]
    assert (srid, typ) == (25833, "GEOMETRY")
    assert area == pytest.approx(200 * 100 + 200 * 200)


def test_open_store_refuses_unknown_scheme():
    with pytest.raises(StoreError, match="unknown scenario store URL scheme 'mysql'"):
        open_store("mysql://x/y")


# ---------------------------------------------------------------- kill -9 in the middle of a save


def test_sigkill_mid_save_keeps_previous_version(tmp_path):
    path = tmp_path / "s.sqlite"
    store = SqliteScenarioStore(path)
    before = Scenario("A", proposal(3), note="version 1")
    store.save(before)
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), str(path), "A", "400000"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "SAVING"
        wal = Path(str(path) + "-wal")
        deadline = time.monotonic() + 60
        # the transaction is writing once its pages spill into the write-ahead log
        while not (wal.exists() and wal.stat().st_size > 2_000_000):
            assert proc.poll() is None, "the save finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.002)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert "DONE" not in proc.stdout.read()
    after = SqliteScenarioStore(path)
    assert after.integrity() == "ok"
    got = after.get("A")
    assert got.note == "version 1" and len(got.proposal) == 3
    assert_same(got, before)
    after.save(Scenario("A", proposal(1), note="version 2"))  # the store still takes writes
    assert after.get("A").note == "version 2"


# ---------------------------------------------------------------- concurrent writers


def _writer(path: str, writer: int, rounds: int, start) -> None:
    store = SqliteScenarioStore(path)
    start.wait(30)
    for k in range(rounds):
        n = 20 + 37 * writer + k
        frame = proposal(n, tag=f"w{writer}")
        frame["writer"], frame["round"] = writer, k
        store.save(Scenario("shared", frame, note=f"writer {writer} round {k}"))
        store.save(Scenario(f"own{writer}", frame, note=f"round {k}"))


def test_concurrent_writers_leave_a_consistent_store(tmp_path):
    path = str(tmp_path / "s.sqlite")
    SqliteScenarioStore(path)
    ctx = mp.get_context("fork")
    start = ctx.Event()
    procs = [ctx.Process(target=_writer, args=(path, w, 8, start)) for w in range(4)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    store = SqliteScenarioStore(path)
    assert store.integrity() == "ok"
    assert store.names() == ["own0", "own1", "own2", "own3", "shared"]
    for w in range(4):
        own = store.get(f"own{w}")
        assert own.note == "round 7" and len(own.proposal) == 20 + 37 * w + 7
        assert set(own.proposal["writer"]) == {w} and set(own.proposal["round"]) == {7}
    shared = store.get("shared")  # one writer's complete save, never a mix
    w, k = int(shared.note.split()[1]), int(shared.note.split()[3])
    assert len(shared.proposal) == 20 + 37 * w + k
    assert set(shared.proposal["writer"]) == {w} and set(shared.proposal["round"]) == {k}


# ---------------------------------------------------------------- schema versions


def _v1_store(path: Path) -> None:
    con = sqlite3.connect(path)
    con.executescript(SQLITE_V1)
    g = box(X0, Y0, X0 + 100, Y0 + 100)
    con.execute(
        "INSERT INTO scenarios VALUES ('gammel', 'data_centre', ?, 'fra v1', '2024-01-01T00:00:00+00:00', "
        "'2024-01-02T00:00:00+00:00', 1, 1, ?)",
        (json.dumps({"grid": 2}), json.dumps([["navn", "object"]])),
    )
    con.execute(
        "INSERT INTO scenario_features VALUES ('gammel', 0, ?, ?)", (json.dumps({"navn": "x"}), g.wkb)
    )
    con.commit()
    con.close()


def test_v1_store_is_migrated(tmp_path):
    path = tmp_path / "old.sqlite"
    _v1_store(path)
    store = SqliteScenarioStore(path)
    s = store.get("gammel")
    assert (s.profile, dict(s.weights), s.layers, s.note, s.schema_version) == (
        "data_centre",
        {"grid": 2.0},
        (),
        "fra v1",
        3,
    )
    assert s.proposal.area.sum() == pytest.approx(10_000)
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT value FROM store_meta").fetchone()[0] == "3"
        cols = [r[1] for r in con.execute("PRAGMA table_info(scenarios)")]
    assert "profile" in cols and "profile_name" not in cols and "layers" in cols


def test_newer_store_is_refused(tmp_path):
    path = tmp_path / "new.sqlite"
    SqliteScenarioStore(path)
    with sqlite3.connect(path) as con:
        con.execute("UPDATE store_meta SET value = '4'")
    with pytest.raises(
        ScenarioSchemaError, match=r"schema version 4; this program reads versions 1\.\.3 \(upgrade"
    ):
        SqliteScenarioStore(path)


@pytest.mark.postgis
def test_postgis_v1_schema_is_migrated(pg_store, postgis_url):
    import psycopg
    from areal.layers.scenario_store import PostgisScenarioStore

    sc = pg_store.schema
    with psycopg.connect(postgis_url, autocommit=True) as con:
        con.execute(f"ALTER TABLE {sc}.scenarios RENAME COLUMN profile TO profile_name")
        con.execute(f"ALTER TABLE {sc}.scenarios DROP COLUMN layers")
        con.execute(f"ALTER TABLE {sc}.scenarios DROP COLUMN author")
        con.execute(f"ALTER TABLE {sc}.scenarios DROP COLUMN view_state")
        con.execute(f"UPDATE {sc}.store_meta SET value = '1'")
    store = PostgisScenarioStore(postgis_url, schema=sc)
    store.save(Scenario("x", proposal(1), profile="p"))
    assert store.get("x").profile == "p"


def test_migrate_meta():
    assert migrate_meta({"name": "a", "schema_version": 1, "profile_name": "p"}) == {
        "name": "a",
        "schema_version": 3,
        "profile": "p",
        "layers": [],
        "author": "",
        "view": {},
    }
    with pytest.raises(ScenarioSchemaError, match="schema version 9, newer than this program's 3"):
        migrate_meta({"name": "a", "schema_version": 9})
    with pytest.raises(ScenarioSchemaError, match="schema version 0: no migration exists"):
        migrate_meta({"name": "a", "schema_version": 0})


def test_scenario_validation():
    with pytest.raises(InputGeometryError, match="non-empty name"):
        Scenario("  ", proposal())
    with pytest.raises(InputGeometryError, match="weight 'grid' = 'x' is not a number"):
        Scenario("a", proposal(), weights={"grid": "x"})
    g = proposal().to_crs(4326)
    assert Scenario("a", g).proposal.crs.to_epsg() == 25833


def test_compare_with_extra_metrics():
    a, b = Scenario("A", proposal(1)), Scenario("B", proposal(2))
    extra = {"conflicts": lambda s: {"exclusion_ha": np.nan if s.name == "A" else 3.0}}
    t = compare(a, b, {"proposal": lambda s: {"area_ha": s.area_ha}, **extra})
    assert t.loc[("proposal", "area_ha")].tolist() == pytest.approx([2.0, 6.0, 4.0])
    row = t.loc[("conflicts", "exclusion_ha")]
    assert np.isnan(row["A"]) and row["B"] == 3.0 and np.isnan(row["difference"])


# ---------------------------------------------------------------- CLI


@pytest.mark.realdata
def test_cli_save_list_show_compare_delete(real_data, tmp_path):
    from areal.apps.cli import main

    fa, fb = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    proposal(2).to_file(fa)
    proposal(3).to_file(fb)
    store = str(tmp_path / "cli.sqlite")

    def run(*args):
        return CliRunner().invoke(main, [*args, "--store", store, "--data-dir", str(real_data)])

    res = run(
        "scenario",
        "save",
        "A",
        "--proposal",
        str(fa),
        "--profile",
        "p",
        "--weights",
        "grid=0.6,road=0.4",
        "--note",
        "hei",
        "--layers",
        "forest,mire",
    )
    assert res.exit_code == 0, res.output
    assert "2 flate(r), 6,0 ha" in res.output.replace("\xa0", " ")
    assert run("scenario", "save", "B", "--proposal", str(fb)).exit_code == 0
    res = run("scenario", "list")
    assert "2 scenario(er)" in res.output and "created" not in res.output
    res = run("scenario", "show", "A")
    # weights as typed (p is not a shipped profile: no criterion labels), layers by title
    assert "grid 0,60, road 0,40" in res.output and "Skog (N1000), Myr (N1000)" in res.output
    en = run("scenario", "show", "A", "--lang", "en")
    assert "grid 0.60, road 0.40" in en.output and "Forest (N1000), Mire (N1000)" in en.output
    res = run("scenario", "compare", "A", "B", "--out", str(tmp_path / "cmp.csv"))
    assert res.exit_code == 0, res.output
    area = [ln for ln in res.output.splitlines() if ln.startswith("Forslag: Areal (ha)")][0]
    assert area.split()[-3:] == ["6,0", "12,0", "6,0"]  # Norwegian numbers (apps.formatting)
    assert "area_ha" not in res.output and "land account" not in res.output
    assert "ikke tilgjengelig" in [ln for ln in res.output.splitlines() if "jordbruksareal" in ln.lower()][0]
    assert run("scenario", "save", "C", "--proposal", str(fa), "--weights", "grid").exit_code == 2
    assert run("scenario", "delete", "A").exit_code == 0
    res = run("scenario", "show", "A")
    assert res.exit_code == 2 and "det finnes ikke noe scenario «A»" in res.output
