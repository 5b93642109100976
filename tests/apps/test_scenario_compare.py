"""One scenario comparison: the app's A/B compare and ``areal scenario compare`` are the same table.

Both call :func:`areal.apps.usecases.scenario.comparison_table`; the app used to show only the land
account of each site (its own loop over ``zone_account``), the command line the proposal, land
account, conflicts and indicators.
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import pytest
from areal.apps.cli import main
from areal.apps.planner.engines import Engines
from areal.apps.planner.scenarios import ScenarioState
from areal.apps.planner.state import PlannerState
from areal.geo.scenario import Scenario
from areal.layers.scenario_store import SqliteScenarioStore
from click.testing import CliRunner
from conftest import UTM33, X0, Y0
from shapely.geometry import box


def _same(x, y) -> bool:
    if x is None or y is None or (isinstance(x, float) and math.isnan(x)):
        return (x is None or math.isnan(x)) and (y is None or math.isnan(y))
    return x == pytest.approx(y, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_app_and_cli_compare_give_the_same_rows_and_numbers(starter_data, tmp_path, lang):
    store_path = tmp_path / "s.sqlite"
    store = SqliteScenarioStore(store_path)
    for name, geom in (
        ("A", box(X0, Y0, X0 + 2000, Y0 + 2000)),
        ("B", box(X0 + 1000, Y0 + 500, X0 + 4000, Y0 + 2500)),
    ):
        store.save(Scenario(name, gpd.GeoDataFrame(geometry=[geom], crs=UTM33), author="Kari"))
    app = PlannerState(data=starter_data, mode="planner", lang=lang)
    sc = ScenarioState(app=app, engines=Engines(starter_data), store=store, scenario_a="A", scenario_b="B")
    ours = sc.compare_table()
    res = CliRunner().invoke(
        main,
        ["scenario", "compare", "A", "B", "--json", "--lang", lang, "--store", str(store_path)]
        + ["--data-dir", starter_data.data_dir],
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["rows"]
    # every group the command compares, in the same order, with the same titles and numbers
    assert [(r["group"], r["metric"]) for r in rows] == list(zip(ours["group"], ours["metric"]))
    assert [(r["group_title"], r["metric_title"]) for r in rows] == list(
        zip(ours["group_title"], ours["metric_title"])
    )
    assert {"proposal", "land account", "conflicts", "indicators"} == set(ours["group"])
    for r, (_, o) in zip(rows, ours.iterrows()):
        assert _same(r["A"], o["a"]) and _same(r["B"], o["b"]), r
        assert _same(r["difference"], o["difference"]), r
    area = ours.set_index("metric").loc["area_ha"]
    assert (area["a"], area["b"]) == (pytest.approx(400.0), pytest.approx(600.0))
    # the app shows them side by side, in words of its language, with the difference
    shown = sc.compare()
    assert list(shown.columns) == ["group", "class", "a", "b", "b_minus_a"] and len(shown) == len(rows)
    groups = {"nb": "Konflikter", "en": "Conflicts"}[lang]
    assert groups in set(shown["group"])
    area_row = shown[shown["class"] == ("Areal (ha)" if lang == "nb" else "Area (ha)")].iloc[0]
    assert area_row["b_minus_a"] == "200,0" if lang == "nb" else area_row["b_minus_a"] == "200.0"
