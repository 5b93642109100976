import tomllib

import geopandas as gpd
import pytest
from areal.geo.errors import RuleError, UnknownNameError
from areal.geo.rules import SEVERITIES, parse_rules
from areal.layers import registry
from areal.layers.project_data import default_rules_path, load_emission_factors, load_rules
from shapely import box

KNOWN = ["business_areas", "ar5", "mire", "aquaculture_sites", "reindeer_pastures"]

GOOD = """\
[classes.ar5.farmland]
column = "arealtype"
values = ["21", "22", "23"]

[[rule]]
a = "business_areas"
b = "ar5:farmland"
severity = "high"
buffer_m = 0
basis = "jordlova § 9"
explanation = "Farmland."

[[rule]]
a = "business_areas"
b = "aquaculture_sites"
severity = "medium"
buffer_m = 1000
basis = "akvakulturloven"
explanation = "Fish farms."
"""


def _parse(text, known=KNOWN):
    return parse_rules(tomllib.loads(text), text, source="rules.toml", known_layers=known)


def test_good_table_parses_with_classes_and_lines():
    t = _parse(GOOD)
    assert [r.pair for r in t.rules] == [
        "business_areas × ar5:farmland",
        "business_areas × aquaculture_sites (1000 m)",
    ]
    assert [r.line for r in t.rules] == [5, 13]
    assert t.classes["ar5:farmland"].values == ("21", "22", "23")
    assert t.rules_for("business_areas")[0].severity == "high"  # most severe first
    assert t.exclusions() == ()


@pytest.mark.parametrize(
    "old, new, line, fragment",
    [
        ('b = "aquaculture_sites"', 'b = "fish_farms"', 15, "unknown layer id 'fish_farms'"),
        ("buffer_m = 1000", "buffer_m = -50", 17, "negative buffer_m = -50"),
        ('severity = "medium"', 'severity = "severe"', 16, "unknown severity 'severe'"),
        ("buffer_m = 1000", 'buffer_m = "far"', 17, "buffer_m must be a number of metres, got 'far'"),
        ('b = "ar5:farmland"', 'b = "ar5:pasture"', 7, "unknown class 'pasture'"),
        (
            'explanation = "Fish farms."',
            'explanation = "Fish farms."\nweight = 3',
            20,
            "unknown key 'weight'",
        ),
    ],
)
def test_invalid_rules_are_refused_with_line_and_value(old, new, line, fragment):
    with pytest.raises(RuleError, match=f"rules.toml, line {line}: ") as exc:
        _parse(GOOD.replace(old, new, 1) if old != "buffer_m = 1000" else GOOD.replace(old, new))
    assert fragment in str(exc.value)


def test_unknown_class_layer_and_duplicate_pair_are_refused():
    bad = GOOD.replace("[classes.ar5.farmland]", "[classes.ar6.farmland]")
    with pytest.raises(RuleError, match=r"rules.toml, line 1: unknown layer id 'ar6' in \[classes.ar6\]"):
        _parse(bad)
    dup = GOOD + GOOD[GOOD.index("[[rule]]") :]
    with pytest.raises(
        RuleError,
        match=r"line 20: the pair business_areas × ar5:farmland with buffer_m = 0 is given twice \(first at line 5\)",
    ):
        _parse(dup)


def test_load_rules_names_toml_syntax_line(tmp_path):
    p = tmp_path / "broken.toml"
    p.write_text('[[rule]]\na = "business_areas"\nb = \n')
    with pytest.raises(RuleError, match=r"broken.toml: not valid TOML: .*line 3"):
        load_rules(p)
    with pytest.raises(RuleError, match="rule table file not found"):
        load_rules(tmp_path / "nope.toml")


def test_select_picks_class_subset_and_reports_missing_column():
    t = _parse(GOOD)
    ar5 = gpd.GeoDataFrame({"arealtype": ["21", "30", "23", None]}, geometry=[box(0, 0, 1, 1)] * 4, crs=25833)
    assert t.select("ar5", ar5, "ar5:farmland")["arealtype"].tolist() == ["21", "23"]
    assert len(t.select("ar5", ar5, "ar5")) == 4
    with pytest.raises(RuleError, match="needs column 'arealtype'"):
        t.select("ar5", ar5.drop(columns="arealtype"), "ar5:farmland")
    with pytest.raises(UnknownNameError, match="class 'ar5:forest' is not defined"):
        t.class_def("ar5:forest")


def test_default_table_covers_the_mission_pairs_with_real_legal_bases():
    t = load_rules()
    assert str(default_rules_path()).endswith("data/rules/default.toml")
    assert t.layers() <= set(registry.names())
    assert {r.severity for r in t.rules} == set(SEVERITIES)
    mission_b = {
        "ar5",
        "forest",
        "mire",
        "aquaculture_sites",
        "reindeer_pastures",
        "reindeer_pasture_outline",
        "reindeer_migration_routes",
        "protected_areas",
        "national_parks",
        "power_lines",
        "built_up",
        "wild_reindeer",
    }
    assert mission_b | {"test_arenas"} <= {r.b_layer for r in t.rules_for("business_areas")}
    assert mission_b | {"business_areas"} <= {r.b_layer for r in t.rules_for("test_arenas")}
    assert {"farmland", "ar5:forest", "ar5:mire", "reindeer_pastures:calving"} <= {r.b for r in t.rules}
    by_pair = {r.pair: r for r in t.rules}
    assert "jordlova § 9" in by_pair["business_areas × farmland"].basis
    assert "§ 12" in by_pair["business_areas × farmland"].basis
    assert "reindriftsloven § 22" in by_pair["business_areas × reindeer_migration_routes"].basis
    assert by_pair["business_areas × reindeer_migration_routes"].severity == "exclusion"
    assert "naturmangfoldloven § 35" in by_pair["business_areas × national_parks"].basis
    assert "§ 49" in by_pair["business_areas × protected_areas (200 m)"].basis
    assert "akvakulturloven" in by_pair["business_areas × aquaculture_sites (1000 m)"].basis
    for r in t.rules:
        if r.b_layer in ("reindeer_pastures", "reindeer_pasture_outline"):
            assert r.basis.startswith("Guidance, not a legal ban"), r.pair
            assert "520" in r.basis or r.a_layer == "farmland"


def test_emission_factors_name_their_source_and_unit(tmp_path):
    ef = load_emission_factors()
    assert ef["forest"].unit == ef["mire"].unit == "t CO2-eq/ha"
    assert "Asplan Viak" in ef["mire"].source and ef["mire"].factor == 1210.0
    assert ef["forest"].factor > 0 and "NIBIO" in ef["forest"].source
    p = tmp_path / "ef.toml"
    p.write_text('[meta]\nunit = "x"\n\n[forest]\nfactor = -3\nunit = "t CO2-eq/ha"\nsource = "me"\n')
    with pytest.raises(RuleError, match=r"ef.toml, line 4: \[forest\] factor must be a number >= 0 .*got -3"):
        load_emission_factors(p)
    with pytest.raises(RuleError, match="no emission factor for 'peat'"):
        ef["peat"]
