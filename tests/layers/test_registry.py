import dataclasses

import pytest
from areal.geo.errors import ArealError, DuplicateNameError, UnknownNameError
from areal.layers import registry
from areal.layers._base import THEMES, LayerSpec, Source

REQUIRED = [
    "municipalities",
    "county",
    "aquaculture_sites",
    "forest",
    "mire",
    "open_land",
    "built_up",
    "lakes",
    "national_parks",
    "protected_areas",
    "roads",
    "railway",
    "power_lines",
    "airports",
    "wind_power",
    "grid_capacity",
    "coral_reefs",
    "reindeer_numbers",
    "business_areas",
    "ar5",
    "reindeer_pastures",
    "reindeer_migration_routes",
    "test_arenas",
]


@pytest.mark.parametrize("layer_id", REQUIRED)
def test_required_layers_declared(layer_id):
    spec = registry.get(layer_id)
    assert spec.id == layer_id
    assert spec.title_nb and spec.title_en and spec.publisher and spec.licence and spec.vintage
    assert spec.crs == "EPSG:25833"
    assert spec.theme in THEMES
    assert spec.source.patterns


def test_unknown_layer_lists_valid_ids():
    with pytest.raises(
        UnknownNameError, match="available layers are: .*aquaculture_sites.*municipalities"
    ) as ei:
        registry.get("kommuner")
    assert isinstance(ei.value, KeyError) and isinstance(ei.value, ArealError)
    assert "'kommuner' is not a known layer" in str(ei.value)


def test_duplicate_id_refused():
    spec = registry.get("forest")
    with pytest.raises(
        DuplicateNameError, match="'forest' is already registered; registered ids are: .*mire"
    ):
        registry.register(spec)


def test_spec_is_frozen_and_checked():
    spec = registry.get("forest")
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.id = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        spec.columns["x"] = "str"  # type: ignore[index]
    with pytest.raises(ValueError, match="theme 'nope' is not one of"):
        LayerSpec(
            id="x",
            title_nb="x",
            title_en="x",
            theme="nope",
            kind="vector",
            geometry_type="Point",
            publisher="p",
            licence="l",
            vintage="v",
            attribution="a",
            source=Source(patterns=("x",)),
        )


def test_mission_layers_carry_official_download():
    for lid in (
        "business_areas",
        "ar5",
        "reindeer_pastures",
        "reindeer_migration_routes",
        "protected_areas",
        "elevation",
    ):
        f = registry.get(lid).fetch
        assert f is not None and f.url.startswith("https://") and f.manual


def test_grid_capacity_is_optional_non_commercial():
    spec = registry.get("grid_capacity")
    assert spec.optional and "NC" in spec.licence and not spec.redistributable
