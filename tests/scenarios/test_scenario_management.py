"""Scenario management in both stores: save-as without silent overwrite, rename, author, view, v2 stores."""

import sqlite3

import geopandas as gpd
import pytest
from areal.geo.errors import DuplicateNameError, InputGeometryError, StoreError, UnknownNameError
from areal.geo.scenario import Scenario
from areal.layers.scenario_store import SQLITE_V2, SqliteScenarioStore
from conftest import UTM33, X0, Y0
from shapely.geometry import box


def proposal(n: int) -> gpd.GeoDataFrame:
    geoms = [box(X0 + 300 * i, Y0, X0 + 300 * i + 200, Y0 + 100) for i in range(n)]
    return gpd.GeoDataFrame({"navn": [f"p{i}" for i in range(n)]}, geometry=geoms, crs=UTM33)


VIEW = {
    "resolution": 250.0,
    "tab": "suitability",
    "lat": 63.4,
    "lon": 10.4,
    "zoom": 11,
    "site_kind": "test_area_sea",
}


def manage(store) -> None:
    first = store.save(
        Scenario("Hell", proposal(2), note="før", author="Kari <b>", view=VIEW), overwrite=False
    )
    # save-as under a taken name is refused, the stored one stays as it was
    with pytest.raises(DuplicateNameError, match="a scenario called 'Hell' already exists"):
        store.save(Scenario("Hell", proposal(1), note="etter"), overwrite=False)
    kept = store.get("Hell")
    assert (kept.note, len(kept.proposal), kept.author, dict(kept.view)) == ("før", 2, "Kari <b>", VIEW)
    # confirmed: overwrite keeps the created time, replaces the rest
    store.save(Scenario("Hell", proposal(1), note="etter", author="Ola"), overwrite=True)
    over = store.get("Hell")
    assert (over.note, len(over.proposal), over.author, over.created) == ("etter", 1, "Ola", first.created)
    assert store.list().set_index("name").loc["Hell", "author"] == "Ola"
    # rename: the features move with it
    store.save(Scenario("Værnes", proposal(3)))
    renamed = store.rename("Hell", "Hell øst")
    assert store.names() == ["Hell øst", "Værnes"]
    assert (len(renamed.proposal), renamed.note, renamed.created) == (1, "etter", first.created)
    with pytest.raises(DuplicateNameError):
        store.rename("Hell øst", "Værnes")
    with pytest.raises(UnknownNameError, match="no scenario 'Hell'"):
        store.rename("Hell", "x")
    with pytest.raises(StoreError, match="non-empty name"):
        store.rename("Værnes", "  ")
    assert len(store.get("Værnes").proposal) == 3  # untouched by the refused renames
    store.delete("Hell øst")
    assert store.names() == ["Værnes"]


def test_sqlite_management(tmp_path):
    manage(SqliteScenarioStore(tmp_path / "s.sqlite"))


@pytest.mark.postgis
def test_postgis_management(pg_store):
    manage(pg_store)


def test_a_v2_store_stays_readable_and_is_migrated(tmp_path):
    path = tmp_path / "v2.sqlite"
    store = SqliteScenarioStore(tmp_path / "donor.sqlite")
    store.save(Scenario("donor", proposal(2), profile="data_centre", note="fra v2"))
    with sqlite3.connect(path) as con:
        con.executescript(SQLITE_V2)
        with sqlite3.connect(tmp_path / "donor.sqlite") as donor:
            f = donor.execute("SELECT scenario, fid, attrs, geom FROM scenario_features").fetchall()
            cols = donor.execute("SELECT columns FROM scenarios").fetchone()[0]
        con.execute(
            "INSERT INTO scenarios VALUES ('gammel', 'data_centre', '{\"a\": 1}', '[\"forest\"]', 'fra v2', "
            "'2025-01-01T00:00:00+00:00', '2025-01-02T00:00:00+00:00', 2, 2, ?)",
            (cols,),
        )
        con.executemany("INSERT INTO scenario_features VALUES ('gammel', ?, ?, ?)", [r[1:] for r in f])
    s = SqliteScenarioStore(path).get("gammel")
    assert (s.profile, s.layers, s.note, s.author, dict(s.view), s.schema_version) == (
        "data_centre",
        ("forest",),
        "fra v2",
        "",
        {},
        3,
    )
    assert len(s.proposal) == 2
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT value FROM store_meta").fetchone()[0] == "3"


def test_view_keys_are_checked():
    with pytest.raises(InputGeometryError, match="unknown view key 'password'"):
        Scenario("x", proposal(1), view={"password": "x"})
    with pytest.raises(InputGeometryError, match="must be text or a number"):
        Scenario("x", proposal(1), view={"tab": ["a"]})


def test_cli_refuses_a_taken_name_without_overwrite_and_renames(tmp_path):
    from areal.apps.cli import main
    from click.testing import CliRunner

    f = tmp_path / "p.geojson"
    proposal(2).to_crs(4326).to_file(f, driver="GeoJSON")
    store = ["--store", str(tmp_path / "cli.sqlite")]

    def run(*args):
        return CliRunner().invoke(main, ["scenario", *args, *store])

    assert run("save", "A", "--proposal", str(f), "--note", "første", "--author", "Kari").exit_code == 0
    again = run("save", "A", "--proposal", str(f), "--note", "andre")
    assert again.exit_code != 0 and "det finnes allerede et scenario «A»" in again.output
    s = SqliteScenarioStore(tmp_path / "cli.sqlite").get("A")
    assert (s.note, s.author) == ("første", "Kari")  # untouched
    assert run("save", "A", "--proposal", str(f), "--note", "andre", "--overwrite").exit_code == 0
    assert SqliteScenarioStore(tmp_path / "cli.sqlite").get("A").note == "andre"
    res = run("rename", "A", "A2")
    assert res.exit_code == 0 and "ga scenario «A» navnet «A2»" in res.output  # Norwegian by default
    assert SqliteScenarioStore(tmp_path / "cli.sqlite").names() == ["A2"]
