"""Municipality names in Norwegian and Sámi (issue 15): "Røros - Rosse" in every layer and output."""

import json

import geopandas as gpd
import pandas as pd
import pytest
from areal.geo.conflicts import find_conflicts
from areal.geo.names import name_parts, official_names
from areal.geo.rules import parse_rules
from areal.layers import loader
from areal.layers.loader import _names_table
from shapely import box

OFFICIAL = {
    "5001": "Trondheim - Tråante",
    "5007": "Namsos - Nåavmesjenjaelmie",
    "5025": "Røros - Rosse",
    "5041": "Snåsa - Snåase",
    "5043": "Røyrvik - Raarvihke",
}


def test_table_is_norwegian_first():
    assert _names_table() == OFFICIAL


def test_official_names_replace_only_the_listed_numbers():
    out = official_names(pd.Series(["5025", "5006"]), pd.Series(["Rosse", "Steinkjer"]), OFFICIAL)
    assert out.tolist() == ["Røros - Rosse", "Steinkjer"]


@pytest.mark.realdata
def test_every_dual_name_in_the_boundaries_file_is_in_the_table(real_data):
    doc = json.loads((real_data / "boundaries" / "Kommuner-M.geojson").read_text())
    dual = {
        f["properties"]["kommunenummer"]: f["properties"]["kommunenavn"]
        for f in doc["features"]
        if f["properties"]["kommunenummer"].startswith("50") and " - " in f["properties"]["kommunenavn"]
    }
    assert set(dual) == set(OFFICIAL)
    for k, v in dual.items():
        assert name_parts(v) == name_parts(OFFICIAL[k]), k


@pytest.mark.realdata
@pytest.mark.parametrize("layer", ["municipalities", "municipalities_sea"])
def test_both_municipality_layers_name_roros_in_norwegian_and_sami(real_data, layer):
    m = loader.load(layer, real_data).set_index("kommunenummer")["kommunenavn"]
    for k, v in OFFICIAL.items():
        assert m[k] == v
    assert any("Røros" in n for n in m)  # a search for "Røros" finds 5025
    assert m[m.str.contains("Røros")].index.tolist() == ["5025"]


@pytest.mark.realdata
def test_conflict_tables_name_the_municipality_in_both_languages(real_data):
    munis = loader.load("municipalities_sea", real_data)
    roros = munis[munis.kommunenummer == "5025"].geometry.iloc[0].representative_point()
    rules = parse_rules(
        {
            "rule": [
                {"a": "business_areas", "b": "mire", "severity": "medium", "basis": "b", "explanation": "e"}
            ]
        },
        known_layers=["business_areas", "mire"],
    )
    sq = box(roros.x - 500, roros.y - 500, roros.x + 500, roros.y + 500)
    res = find_conflicts(
        gpd.GeoDataFrame(geometry=[sq], crs=25833),
        {"mire": gpd.GeoDataFrame(geometry=[sq], crs=25833)},
        rules,
        municipalities=munis,
    )
    assert res.by_municipality["kommunenavn"].tolist() == ["Røros - Rosse"]
