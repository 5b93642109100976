"""Where scenarios are kept: an embedded SQLite file (default) or PostgreSQL/PostGIS.

Both stores have the same interface (:class:`ScenarioStore`: ``list``, ``get``, ``save``
(``overwrite=False`` refuses an existing name), ``rename``, ``delete``) and the same guarantees:

* one transaction per save: a save killed half-way (``kill -9``) leaves the previous version of
  the scenario intact (SQLite: write-ahead log, uncommitted frames are discarded on the next open;
  PostgreSQL: an aborted transaction is rolled back);
* two processes saving at once never corrupt the store (SQLite: ``BEGIN IMMEDIATE`` plus a busy
  timeout, so writers queue; PostgreSQL: a per-scenario advisory lock inside the transaction);
* the store records its schema version; an older store is migrated in one transaction when it is
  opened (v1 -> v2: column ``profile_name`` renamed ``profile``, column ``layers`` added; v2 -> v3:
  columns ``author`` and ``view_state`` added), a newer or unknown one is refused with a message
  naming the version. Old stores stay readable: their scenarios open with an empty author and view.

Geometries are stored as WKB in EPSG:25833 (PostGIS: ``geometry(Geometry, 25833)``); attributes as
JSON per feature, with the column dtypes so a round trip gives back the same frame.
"""

from __future__ import annotations

import abc
import builtins
import json
import math
import os
import sqlite3
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlparse

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.geo.crs import WORKING_CRS
from areal.geo.errors import (
    DuplicateNameError,
    ScenarioSchemaError,
    StoreError,
    UnknownNameError,
    unknown_name,
)
from areal.geo.scenario import SCHEMA_VERSION, Scenario, migrate_meta
from areal.layers import settings

STORE_FILE = "scenarios.sqlite"
BUSY_TIMEOUT_MS = 60_000
SRID = 25833


# ---------------------------------------------------------------- attribute (de)serialisation


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _columns_of(gdf: gpd.GeoDataFrame) -> list[list[str]]:
    return [[c, str(gdf[c].dtype)] for c in gdf.columns if c != gdf.geometry.name]


def _rows(gdf: gpd.GeoDataFrame) -> Iterable[tuple[int, str, bytes]]:
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    wkb = shapely.to_wkb(np.asarray(gdf.geometry.values, dtype=object))
    values = gdf[cols].to_numpy(dtype=object) if cols else np.empty((len(gdf), 0), dtype=object)
    for i in range(len(gdf)):
        attrs = {c: _plain(v) for c, v in zip(cols, values[i])}
        yield i, json.dumps(attrs, ensure_ascii=False), wkb[i]


def _frame(columns: list[list[str]], rows: list[tuple[str, bytes]]) -> gpd.GeoDataFrame:
    attrs = pd.DataFrame([json.loads(a) for a, _ in rows], columns=[c for c, _ in columns])
    for col, dtype in columns:
        try:
            if dtype.startswith("datetime"):
                attrs[col] = pd.to_datetime(attrs[col])
            elif dtype not in ("object",):
                attrs[col] = attrs[col].astype(dtype)
        except (TypeError, ValueError):
            pass  # keep what JSON gave back (e.g. ints with missing values)
    geoms = shapely.from_wkb([bytes(g) for _, g in rows]) if rows else []
    return gpd.GeoDataFrame(attrs, geometry=list(geoms), crs=WORKING_CRS)


def _scenario(meta: dict, columns: list[list[str]], rows: list[tuple[str, bytes]]) -> Scenario:
    meta = migrate_meta(meta)
    return Scenario(
        name=meta["name"],
        proposal=_frame(columns, rows),
        layers=tuple(meta.get("layers") or ()),
        profile=meta.get("profile") or "",
        weights=meta.get("weights") or {},
        note=meta.get("note") or "",
        created=meta.get("created") or "",
        updated=meta.get("updated") or "",
        schema_version=meta["schema_version"],
        author=meta.get("author") or "",
        view=meta.get("view") or {},
    )


# ---------------------------------------------------------------- the interface


class ScenarioStore(abc.ABC):
    """Common interface of the scenario stores."""

    location: str

    @abc.abstractmethod
    def list(self) -> pd.DataFrame:
        """One row per scenario: name, profile, polygons, note, created, updated, author (sorted by name)."""

    @abc.abstractmethod
    def get(self, name: str) -> Scenario:
        """The scenario called ``name``; :class:`UnknownNameError` (listing the names) when absent."""

    @abc.abstractmethod
    def save(self, scenario: Scenario, overwrite: bool = True) -> Scenario:
        """Insert or replace ``scenario`` in one transaction; keeps ``created`` of an existing one.

        With ``overwrite=False`` an existing name is refused (:class:`DuplicateNameError`), checked
        inside the same transaction, so two sessions saving one new name cannot both win.
        """

    @abc.abstractmethod
    def rename(self, old: str, new: str) -> Scenario:
        """Give a scenario a new name (one transaction); refuses an unknown ``old`` or a taken ``new``."""

    @abc.abstractmethod
    def delete(self, name: str) -> None:
        """Remove a scenario; :class:`UnknownNameError` when absent."""

    def names(self) -> builtins.list[str]:  # `list` is the method above
        """Names of the stored scenarios."""
        return list(self.list()["name"])

    def exists(self, name: str) -> bool:
        """Whether a scenario of that name is stored."""
        return name in set(self.names())

    def _taken(self, name: str) -> DuplicateNameError:
        return DuplicateNameError(
            f"a scenario called {name!r} already exists in {self.location}",
            key="scenario_exists",
            params={"name": name, "store": str(self.location)},
        )

    def _unknown(self, name: str) -> UnknownNameError:
        names = self.names()
        return unknown_name(
            f"no scenario {name!r} in {self.location}; "
            + (f"saved scenarios are: {', '.join(names)}" if names else "the store is empty"),
            "scenario",
            name,
            names,
            store=str(self.location),
        )


def _one_line(exc: BaseException) -> str:
    return "; ".join(part.strip() for part in str(exc).splitlines() if part.strip())


LIST_COLUMNS = ["name", "profile", "polygons", "note", "created", "updated", "schema_version", "author"]


# ---------------------------------------------------------------- SQLite (embedded)

_SQLITE_V3 = """
CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE scenarios (
    name TEXT PRIMARY KEY,
    profile TEXT NOT NULL DEFAULT '',
    weights TEXT NOT NULL DEFAULT '{}',
    layers TEXT NOT NULL DEFAULT '[]',
    note TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL DEFAULT '',
    view_state TEXT NOT NULL DEFAULT '{}',
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    n_features INTEGER NOT NULL,
    columns TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE scenario_features (
    scenario TEXT NOT NULL REFERENCES scenarios(name) ON DELETE CASCADE,
    fid INTEGER NOT NULL,
    attrs TEXT NOT NULL,
    geom BLOB NOT NULL,
    PRIMARY KEY (scenario, fid)
);
"""

#: The v2 layout, kept to test the migration (and to document what v2 stores look like).
SQLITE_V2 = """
CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE scenarios (
    name TEXT PRIMARY KEY,
    profile TEXT NOT NULL DEFAULT '',
    weights TEXT NOT NULL DEFAULT '{}',
    layers TEXT NOT NULL DEFAULT '[]',
    note TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    n_features INTEGER NOT NULL,
    columns TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE scenario_features (
    scenario TEXT NOT NULL REFERENCES scenarios(name) ON DELETE CASCADE,
    fid INTEGER NOT NULL,
    attrs TEXT NOT NULL,
    geom BLOB NOT NULL,
    PRIMARY KEY (scenario, fid)
);
INSERT INTO store_meta VALUES ('schema_version', '2');
"""

#: The v1 layout, kept to test the migration (and to document what v1 stores look like).
SQLITE_V1 = """
CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE scenarios (
    name TEXT PRIMARY KEY,
    profile_name TEXT NOT NULL DEFAULT '',
    weights TEXT NOT NULL DEFAULT '{}',
    note TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    n_features INTEGER NOT NULL,
    columns TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE scenario_features (
    scenario TEXT NOT NULL REFERENCES scenarios(name) ON DELETE CASCADE,
    fid INTEGER NOT NULL,
    attrs TEXT NOT NULL,
    geom BLOB NOT NULL,
    PRIMARY KEY (scenario, fid)
);
INSERT INTO store_meta VALUES ('schema_version', '1');
"""


class SqliteScenarioStore(ScenarioStore):
    """Scenarios in one SQLite file (WAL journal), by default ``<data_dir>/scenarios.sqlite``."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path is not None else settings.data_dir() / STORE_FILE
        self.location = str(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            self._prepare(con)

    def _connect(self) -> "_Conn":
        return _Conn(self.path)

    def _prepare(self, con: sqlite3.Connection) -> None:
        con.execute("BEGIN IMMEDIATE")
        try:
            has = con.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='store_meta'"
            ).fetchone()
            if not has:
                for stmt in _statements(_SQLITE_V3):
                    con.execute(stmt)
                con.execute("INSERT INTO store_meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            else:
                row = con.execute("SELECT value FROM store_meta WHERE key='schema_version'").fetchone()
                version = int(row[0]) if row else 0
                if version > SCHEMA_VERSION or version < 1:
                    raise ScenarioSchemaError(
                        f"scenario store {self.path} has schema version {version}; this program reads versions "
                        f"1..{SCHEMA_VERSION}" + (" (upgrade areal)" if version > SCHEMA_VERSION else "")
                    )
                if version == 1:
                    _sqlite_v1_to_v2(con)
                    version = 2
                if version == 2:
                    _sqlite_v2_to_v3(con)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def list(self) -> pd.DataFrame:  # noqa: D102
        with self._connect() as con:
            rows = con.execute(
                "SELECT name, profile, n_features, note, created, updated, schema_version, author "
                "FROM scenarios ORDER BY name"
            ).fetchall()
        return pd.DataFrame(rows, columns=LIST_COLUMNS)

    def get(self, name: str) -> Scenario:  # noqa: D102
        with self._connect() as con:
            con.execute("BEGIN")  # one snapshot for the row and its features
            try:
                row = con.execute(
                    "SELECT name, profile, weights, layers, note, created, updated, schema_version, n_features, "
                    "columns, author, view_state FROM scenarios WHERE name = ?",
                    (name,),
                ).fetchone()
                feats = (
                    con.execute(
                        "SELECT attrs, geom FROM scenario_features WHERE scenario = ? ORDER BY fid", (name,)
                    ).fetchall()
                    if row
                    else []
                )
            finally:
                con.execute("COMMIT")
        if row is None:
            raise self._unknown(name)
        if len(feats) != row[8]:
            raise StoreError(
                f"{self.path}: scenario {name!r} should have {row[8]} features but has {len(feats)}"
            )
        meta = dict(
            zip(["name", "profile", "weights", "layers", "note", "created", "updated", "schema_version"], row)
        )
        meta["weights"], meta["layers"] = json.loads(meta["weights"]), json.loads(meta["layers"])
        meta["author"], meta["view"] = row[10], json.loads(row[11])
        return _scenario(meta, json.loads(row[9]), feats)

    def save(self, scenario: Scenario, overwrite: bool = True) -> Scenario:  # noqa: D102
        s = scenario.touched()
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                old = con.execute("SELECT created FROM scenarios WHERE name = ?", (s.name,)).fetchone()
                if old and not overwrite:
                    raise self._taken(s.name)
                created = old[0] if old and old[0] else s.created
                con.execute("DELETE FROM scenario_features WHERE scenario = ?", (s.name,))
                con.execute(
                    "INSERT INTO scenarios (name, profile, weights, layers, note, created, updated, schema_version, "
                    "n_features, columns, author, view_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(name) DO UPDATE SET "
                    "profile=excluded.profile, weights=excluded.weights, layers=excluded.layers, note=excluded.note, "
                    "updated=excluded.updated, schema_version=excluded.schema_version, "
                    "n_features=excluded.n_features, columns=excluded.columns, author=excluded.author, "
                    "view_state=excluded.view_state",
                    (
                        s.name,
                        s.profile,
                        json.dumps(s.weights),
                        json.dumps(list(s.layers)),
                        s.note,
                        created,
                        s.updated,
                        SCHEMA_VERSION,
                        len(s.proposal),
                        json.dumps(_columns_of(s.proposal)),
                        s.author,
                        json.dumps(dict(s.view)),
                    ),
                )
                con.executemany(
                    "INSERT INTO scenario_features (scenario, fid, attrs, geom) VALUES (?, ?, ?, ?)",
                    ((s.name, fid, attrs, geom) for fid, attrs, geom in _rows(s.proposal)),
                )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return replace(s, created=created)

    def rename(self, old: str, new: str) -> Scenario:  # noqa: D102
        new = str(new).strip()
        if not new:
            raise StoreError("a scenario needs a non-empty name", key="scenario_no_name")
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                if con.execute("SELECT 1 FROM scenarios WHERE name = ?", (old,)).fetchone() is None:
                    raise self._unknown(old)
                if new != old and con.execute("SELECT 1 FROM scenarios WHERE name = ?", (new,)).fetchone():
                    raise self._taken(new)
                if new != old:
                    # a copy under the new name, the features moved over, the old row gone (the
                    # features' foreign key has no ON UPDATE CASCADE)
                    con.execute(
                        "INSERT INTO scenarios (name, profile, weights, layers, note, author, view_state, created, "
                        "updated, schema_version, n_features, columns) SELECT ?, profile, weights, layers, note, "
                        "author, view_state, created, ?, schema_version, n_features, columns FROM scenarios "
                        "WHERE name = ?",
                        (new, Scenario.now(), old),
                    )
                    con.execute("UPDATE scenario_features SET scenario = ? WHERE scenario = ?", (new, old))
                    con.execute("DELETE FROM scenarios WHERE name = ?", (old,))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return self.get(new)

    def delete(self, name: str) -> None:  # noqa: D102
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                con.execute("DELETE FROM scenario_features WHERE scenario = ?", (name,))
                n = con.execute("DELETE FROM scenarios WHERE name = ?", (name,)).rowcount
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        if n == 0:
            raise self._unknown(name)

    def integrity(self) -> str:
        """``PRAGMA integrity_check`` ("ok" for a sound file)."""
        with self._connect() as con:
            return con.execute("PRAGMA integrity_check").fetchone()[0]


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _sqlite_v1_to_v2(con: sqlite3.Connection) -> None:
    """Migration v1 -> v2 (inside the caller's transaction)."""
    con.execute("ALTER TABLE scenarios RENAME COLUMN profile_name TO profile")
    con.execute("ALTER TABLE scenarios ADD COLUMN layers TEXT NOT NULL DEFAULT '[]'")
    con.execute("UPDATE scenarios SET schema_version = 2")
    con.execute("UPDATE store_meta SET value = '2' WHERE key = 'schema_version'")


def _sqlite_v2_to_v3(con: sqlite3.Connection) -> None:
    """Migration v2 -> v3 (inside the caller's transaction): author and view state added."""
    con.execute("ALTER TABLE scenarios ADD COLUMN author TEXT NOT NULL DEFAULT ''")
    con.execute("ALTER TABLE scenarios ADD COLUMN view_state TEXT NOT NULL DEFAULT '{}'")
    con.execute("UPDATE scenarios SET schema_version = 3")
    con.execute("UPDATE store_meta SET value = '3' WHERE key = 'schema_version'")


class _Conn:
    """A SQLite connection in manual-transaction mode with WAL and a busy timeout; closed on exit."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(
                f"cannot open scenario store {self.path}: {exc}",
                key="store_unreachable",
                params={"store": str(self.path), "reason": str(exc)},
            ) from exc
        try:
            con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                con.execute("PRAGMA journal_mode = WAL")
            con.execute("PRAGMA synchronous = FULL")
            con.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            con.close()
            raise StoreError(
                f"{self.path} is not a usable scenario store: {exc}",
                key="store_unusable",
                params={"store": str(self.path), "reason": str(exc)},
            ) from exc
        self.con = con
        return con

    def __exit__(self, *exc) -> None:
        self.con.close()


# ---------------------------------------------------------------- PostgreSQL / PostGIS


class PostgisScenarioStore(ScenarioStore):
    """Scenarios in PostgreSQL with PostGIS, in schema ``schema`` (created when absent).

    Parameters
    ----------
    url : str
        ``postgresql://user:pass@host:port/db`` (libpq URL; ``?host=/socket/dir`` works too).
    schema : str
        Database schema holding the tables.
    """

    def __init__(self, url: str, schema: str = "areal"):
        if not schema.isidentifier():
            raise StoreError(f"schema name {schema!r} must be a plain identifier")
        self.url, self.schema = url, schema
        parsed = urlparse(url)
        self.location = f"postgresql://{parsed.hostname or 'localhost'}{':' + str(parsed.port) if parsed.port else ''}{parsed.path} (schema {schema})"
        with self._connect() as con, con.transaction():
            con.execute("SELECT pg_advisory_xact_lock(hashtext('areal scenario store'))")
            self._prepare(con)

    def _connect(self):
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - psycopg is a declared extra
            raise StoreError(
                "the PostGIS store needs psycopg 3: pip install 'areal[postgis]'", key="store_needs_psycopg"
            ) from exc
        try:
            return psycopg.connect(self.url, autocommit=True)
        except psycopg.Error as exc:
            raise StoreError(
                f"cannot connect to {self.location}: {exc}",
                key="store_unreachable",
                params={"store": self.location, "reason": _one_line(exc)},
            ) from exc

    def _prepare(self, con) -> None:
        sc = self.schema
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {sc}")
        has = con.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = 'store_meta'",
            (sc,),
        ).fetchone()
        if not has:
            con.execute(f"CREATE TABLE {sc}.store_meta (key text PRIMARY KEY, value text NOT NULL)")
            con.execute(
                f"CREATE TABLE {sc}.scenarios (name text PRIMARY KEY, profile text NOT NULL DEFAULT '', "
                "weights jsonb NOT NULL DEFAULT '{}', layers jsonb NOT NULL DEFAULT '[]', note text NOT NULL DEFAULT '', "
                "author text NOT NULL DEFAULT '', view_state jsonb NOT NULL DEFAULT '{}', created text NOT NULL, updated text NOT NULL, schema_version integer NOT NULL, "
                "n_features integer NOT NULL, columns jsonb NOT NULL DEFAULT '[]')"
            )
            con.execute(
                f"CREATE TABLE {sc}.scenario_features (scenario text NOT NULL REFERENCES {sc}.scenarios(name) "
                f"ON DELETE CASCADE, fid integer NOT NULL, attrs jsonb NOT NULL, "
                f"geom geometry(Geometry, {SRID}) NOT NULL, PRIMARY KEY (scenario, fid))"
            )
            con.execute(f"CREATE INDEX ON {sc}.scenario_features USING gist (geom)")
            con.execute(f"INSERT INTO {sc}.store_meta VALUES ('schema_version', %s)", (str(SCHEMA_VERSION),))
            return
        row = con.execute(f"SELECT value FROM {sc}.store_meta WHERE key = 'schema_version'").fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION or version < 1:
            raise ScenarioSchemaError(
                f"scenario store {self.location} has schema version {version}; this program reads versions "
                f"1..{SCHEMA_VERSION}" + (" (upgrade areal)" if version > SCHEMA_VERSION else "")
            )
        if version == 1:
            con.execute(f"ALTER TABLE {sc}.scenarios RENAME COLUMN profile_name TO profile")
            con.execute(f"ALTER TABLE {sc}.scenarios ADD COLUMN layers jsonb NOT NULL DEFAULT '[]'")
            con.execute(f"UPDATE {sc}.scenarios SET schema_version = 2")
            con.execute(f"UPDATE {sc}.store_meta SET value = '2' WHERE key = 'schema_version'")
            version = 2
        if version == 2:
            con.execute(f"ALTER TABLE {sc}.scenarios ADD COLUMN author text NOT NULL DEFAULT ''")
            con.execute(f"ALTER TABLE {sc}.scenarios ADD COLUMN view_state jsonb NOT NULL DEFAULT '{{}}'")
            con.execute(f"UPDATE {sc}.scenarios SET schema_version = 3")
            con.execute(f"UPDATE {sc}.store_meta SET value = '3' WHERE key = 'schema_version'")

    def list(self) -> pd.DataFrame:  # noqa: D102
        with self._connect() as con:
            rows = con.execute(
                f"SELECT name, profile, n_features, note, created, updated, schema_version, author "
                f"FROM {self.schema}.scenarios ORDER BY name"
            ).fetchall()
        return pd.DataFrame(rows, columns=LIST_COLUMNS)

    def get(self, name: str) -> Scenario:  # noqa: D102
        sc = self.schema
        with self._connect() as con, con.transaction():
            con.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            row = con.execute(
                f"SELECT name, profile, weights, layers, note, created, updated, schema_version, n_features, columns, "
                f"author, view_state FROM {sc}.scenarios WHERE name = %s",
                (name,),
            ).fetchone()
            feats = (
                con.execute(
                    f"SELECT attrs::text, ST_AsBinary(geom) FROM {sc}.scenario_features WHERE scenario = %s ORDER BY fid",
                    (name,),
                ).fetchall()
                if row
                else []
            )
        if row is None:
            raise self._unknown(name)
        if len(feats) != row[8]:
            raise StoreError(
                f"{self.location}: scenario {name!r} should have {row[8]} features but has {len(feats)}"
            )
        meta = dict(
            zip(["name", "profile", "weights", "layers", "note", "created", "updated", "schema_version"], row)
        )
        meta["author"], meta["view"] = row[10], row[11]
        return _scenario(meta, row[9], feats)

    def save(self, scenario: Scenario, overwrite: bool = True) -> Scenario:  # noqa: D102
        from psycopg.types.json import Jsonb

        s = scenario.touched()
        sc = self.schema
        with self._connect() as con, con.transaction():
            con.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"areal scenario {sc}.{s.name}",))
            old = con.execute(f"SELECT created FROM {sc}.scenarios WHERE name = %s", (s.name,)).fetchone()
            if old and not overwrite:
                raise self._taken(s.name)
            created = old[0] if old and old[0] else s.created
            con.execute(f"DELETE FROM {sc}.scenario_features WHERE scenario = %s", (s.name,))
            con.execute(
                f"INSERT INTO {sc}.scenarios (name, profile, weights, layers, note, created, updated, schema_version, "
                "n_features, columns, author, view_state) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (name) DO UPDATE SET "
                "profile=excluded.profile, weights=excluded.weights, layers=excluded.layers, note=excluded.note, "
                "updated=excluded.updated, schema_version=excluded.schema_version, n_features=excluded.n_features, "
                "columns=excluded.columns, author=excluded.author, view_state=excluded.view_state",
                (
                    s.name,
                    s.profile,
                    Jsonb(dict(s.weights)),
                    Jsonb(list(s.layers)),
                    s.note,
                    created,
                    s.updated,
                    SCHEMA_VERSION,
                    len(s.proposal),
                    Jsonb(_columns_of(s.proposal)),
                    s.author,
                    Jsonb(dict(s.view)),
                ),
            )
            with con.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO {sc}.scenario_features (scenario, fid, attrs, geom) "
                    f"VALUES (%s, %s, %s::jsonb, ST_GeomFromWKB(%s, {SRID}))",
                    [(s.name, fid, attrs, geom) for fid, attrs, geom in _rows(s.proposal)],
                )
        return replace(s, created=created)

    def rename(self, old: str, new: str) -> Scenario:  # noqa: D102
        new = str(new).strip()
        if not new:
            raise StoreError("a scenario needs a non-empty name", key="scenario_no_name")
        sc = self.schema
        with self._connect() as con, con.transaction():
            for n in sorted({old, new}):  # both names locked, in one order (no deadlock)
                con.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"areal scenario {sc}.{n}",))
            if con.execute(f"SELECT 1 FROM {sc}.scenarios WHERE name = %s", (old,)).fetchone() is None:
                raise self._unknown(old)
            if new != old and con.execute(f"SELECT 1 FROM {sc}.scenarios WHERE name = %s", (new,)).fetchone():
                raise self._taken(new)
            if new != old:
                con.execute(
                    f"INSERT INTO {sc}.scenarios (name, profile, weights, layers, note, author, view_state, created, "
                    "updated, schema_version, n_features, columns) SELECT %s, profile, weights, layers, note, author, "
                    f"view_state, created, %s, schema_version, n_features, columns FROM {sc}.scenarios WHERE name = %s",
                    (new, Scenario.now(), old),
                )
                con.execute(
                    f"UPDATE {sc}.scenario_features SET scenario = %s WHERE scenario = %s", (new, old)
                )
                con.execute(f"DELETE FROM {sc}.scenarios WHERE name = %s", (old,))
        return self.get(new)

    def delete(self, name: str) -> None:  # noqa: D102
        sc = self.schema
        with self._connect() as con, con.transaction():
            con.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"areal scenario {sc}.{name}",))
            con.execute(f"DELETE FROM {sc}.scenario_features WHERE scenario = %s", (name,))
            n = con.execute(f"DELETE FROM {sc}.scenarios WHERE name = %s", (name,)).rowcount
        if n == 0:
            raise self._unknown(name)


# ---------------------------------------------------------------- choosing a store


def open_store(url: str | None = None, data_dir: str | os.PathLike | None = None) -> ScenarioStore:
    """Open the store given by ``url``.

    ``None`` -> the embedded file ``<data_dir>/scenarios.sqlite``; ``sqlite:///path`` or a file path
    -> that SQLite file; ``postgresql://...`` / ``postgres://...`` -> PostGIS.

    Raises
    ------
    StoreError
        For an unknown URL scheme (naming it) or an unreachable server.
    """
    if url is None:
        return SqliteScenarioStore(settings.data_dir(data_dir) / STORE_FILE)
    scheme = urlparse(url).scheme.lower()
    if scheme in ("postgresql", "postgres"):
        return PostgisScenarioStore(url)
    if scheme == "sqlite":
        return SqliteScenarioStore(url.split("://", 1)[1] or STORE_FILE)
    if scheme in ("", "file") or len(scheme) == 1:  # a path (or a Windows drive letter)
        return SqliteScenarioStore(url.removeprefix("file://"))
    raise StoreError(
        f"unknown scenario store URL scheme {scheme!r} in {url!r}: use postgresql://... or a file path",
        key="store_url",
        params={"scheme": scheme, "url": url},
    )
