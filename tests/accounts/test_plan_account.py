"""The arealregnskap of a plan pair (geo.plan_account): known answers, each m² once, clear errors."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
from areal.geo.errors import InputGeometryError
from areal.geo.plan_account import (
    LAND_CLASSES,
    ar5_land_classes,
    combine_land_sources,
    n1000_land_classes,
    plan_account,
)
from shapely.geometry import box

from tests.accounts.plan_pair import _b, ar5, current_plan, plan, proposed_plan

FACTORS = {"developed": 0.0, "forest": 448.0, "mire": 1210.0}


def _nonzero(table) -> dict:
    t = table.stack()
    return {k: round(float(v), 9) for k, v in t[t != 0].items()}


@pytest.fixture
def acc():
    return plan_account(current_plan(), proposed_plan(), ar5_land_classes(ar5()), emission_factors=FACTORS)


def test_ten_ha_farmland_to_business_and_four_ha_returned_to_lnf(acc):
    # the acceptance point: exactly these figures, and nothing else in the two change tables
    assert _nonzero(acc.table("new")) == {("1300", "fulldyrka"): 10.0}
    assert _nonzero(acc.table("returned_lnf")) == {("1110", "skog_middels"): 4.0}


def test_plan_reserves_by_purpose_and_land_class(acc):
    assert _nonzero(acc.table("reserve_current")) == {("1110", "skog_middels"): 4.0, ("1110", "myr"): 2.0}
    assert _nonzero(acc.table("reserve_proposed")) == {("1300", "fulldyrka"): 10.0, ("1110", "myr"): 2.0}
    t = acc.table("reserve_proposed", totals=True)
    assert t.loc["sum", "sum"] == 12.0 and t.loc["1300", "sum"] == 10.0
    assert list(t.columns) == [*LAND_CLASSES, "sum"]


def test_each_square_metre_once_in_the_union(acc):
    # the union of both plans is 31 ha (20 LNF + 4 + 2 + 5): the pieces add up to exactly that
    assert acc.pieces["area_m2"].sum() == pytest.approx(310_000.0, abs=1e-6)
    assert set(acc.pieces["source"]) == {"AR5"}  # AR5 covers all of it: nothing "ikke kartlagt"


def test_co2_by_class(acc):
    co2 = acc.co2()
    assert co2.loc["skog_middels", "returned_lnf_t"] == 4 * 448.0
    assert co2.loc["myr", "reserve_current_t"] == 2 * 1210.0
    # farmland has no emission factor here: its hectares are shown, its tonnes are not a zero
    assert co2.loc["fulldyrka", "new_ha"] == 10.0 and math.isnan(co2.loc["fulldyrka", "new_t"])


def test_land_not_mapped_is_its_own_column():
    # a 1 ha new business area where no land-class source reaches: "ikke kartlagt", not 0 ha
    proposed = gpd.GeoDataFrame(
        pd_concat([proposed_plan(), plan([("1300", "2", _b(900, 0, 1000, 100))])]), crs=25833
    )
    acc = plan_account(current_plan(), proposed, ar5_land_classes(ar5()))
    assert _nonzero(acc.table("new")) == {("1300", "fulldyrka"): 10.0, ("1300", "ikke_kartlagt"): 1.0}
    without = plan_account(current_plan(), proposed_plan(), None)
    assert _nonzero(without.table("new")) == {("1300", "ikke_kartlagt"): 10.0}


def pd_concat(frames):
    import pandas as pd

    return pd.concat(frames, ignore_index=True)


def test_overlap_inside_a_plan_counted_once():
    # the proposed business area drawn twice (a duplicate polygon): still 10 ha, and said so
    proposed = gpd.GeoDataFrame(
        pd_concat([proposed_plan(), plan([("1300", "2", _b(0, 0, 500, 200))])]), crs=25833
    )
    acc = plan_account(current_plan(), proposed, ar5_land_classes(ar5()))
    assert _nonzero(acc.table("new")) == {("1300", "fulldyrka"): 10.0}
    assert any("10.0000 ha where its areas overlap counted once" in n for n in acc.notes)


def test_coarser_source_only_where_ar5_does_not_reach():
    # AR5 covers the field only; N1000 forest covers everything: N1000 fills the rest, once
    field = ar5().iloc[[0]]
    forest = gpd.GeoDataFrame(geometry=[_b(-100, -100, 1100, 600)], crs=25833)
    land, _ = combine_land_sources([ar5_land_classes(field), n1000_land_classes({"forest": forest})])
    acc = plan_account(current_plan(), proposed_plan(), land)
    assert _nonzero(acc.table("new")) == {("1300", "fulldyrka"): 10.0}
    assert _nonzero(acc.table("returned_lnf")) == {("1110", "skog_uten_bonitet"): 4.0}
    src = acc.sources.set_index("source")["ha"]
    assert src["AR5"] == 10.0 and src["N1000"] == pytest.approx(21.0)


def test_per_municipality():
    other = plan([("1300", "2", box(0, 0, 100, 100))], kommune="5028")
    cur = gpd.GeoDataFrame(
        pd_concat([current_plan(), plan([("5100", "1", box(0, 0, 100, 100))], "5028")]), crs=25833
    )
    prop = gpd.GeoDataFrame(pd_concat([proposed_plan(), other]), crs=25833)
    acc = plan_account(cur, prop, ar5_land_classes(ar5()))
    assert acc.municipalities == ["5001", "5028"]
    assert _nonzero(acc.table("new", "5028")) == {("1300", "ikke_kartlagt"): 1.0}
    assert _nonzero(acc.table("new", "5001")) == {("1300", "fulldyrka"): 10.0}


@pytest.mark.parametrize(
    "column, value, message",
    [
        (
            "arealbruksstatus",
            "9",
            r"kpa\.gpkg: column 'arealbruksstatus' has value '9' \(1×\), not one of 1 nåværende",
        ),
        (
            "arealformal",
            "Næring",
            r"kpa\.gpkg: column 'arealformal' has value 'Næring' \(1×\), not an arealformål code",
        ),
        (
            "kommunenummer",
            "50",
            r"kpa\.gpkg: column 'kommunenummer' has value '50' \(1×\), not a 4-digit number",
        ),
        (
            "arealbruksstatus",
            None,
            r"kpa\.gpkg: column 'arealbruksstatus' is empty for 1 of 6 feature\(s\).*--default-status",
        ),
    ],
)
def test_bad_value_named_in_one_line(column, value, message):
    bad = proposed_plan()
    bad.loc[2, column] = value
    with pytest.raises(InputGeometryError, match=message):
        plan_account(current_plan(), bad, None, names=("gjeldende.gpkg", "kpa.gpkg"))


def test_missing_column_named():
    with pytest.raises(InputGeometryError, match=r"kpa\.gpkg: column 'arealbruksstatus' is missing"):
        plan_account(
            current_plan(), proposed_plan().drop(columns="arealbruksstatus"), None, names=("a", "kpa.gpkg")
        )


def test_status_3_in_the_reserve_on_request():
    prop = proposed_plan()
    prop.loc[5, "arealbruksstatus"] = "3"  # existing business land marked for further development
    acc = plan_account(current_plan(), prop, ar5_land_classes(ar5()), reserve_status=("2", "3"))
    assert _nonzero(acc.table("new")) == {("1300", "fulldyrka"): 10.0, ("1300", "bebygd"): 5.0}
    with pytest.raises(ValueError, match="reserve_status"):
        plan_account(current_plan(), prop, None, reserve_status=("4",))


def test_ar5_bad_code_named():
    bad = ar5()
    bad.loc[0, "arealtype"] = "27"
    with pytest.raises(
        InputGeometryError, match=r"AR5: column 'arealtype' has values not in the AR5 code list: '27' \(1×\)"
    ):
        ar5_land_classes(bad)


def test_changes_as_polygons_for_the_map(acc):
    ch = acc.changes()
    got = {(r.change, r.arealformal): round(r.area_ha, 9) for r in ch.itertuples()}
    assert got == {("new", "1300"): 10.0, ("returned_lnf", "1110"): 4.0}
    assert ch.crs.to_epsg() == 25833 and ch.geometry.is_valid.all()
    assert len(acc.changes("5028")) == 0


def test_numeric_codes_are_codes():
    # a GeoPackage export with numeric columns (5001.0, 1300.0, 2.0): read as the codes
    prop = proposed_plan()
    prop = prop.assign(
        arealformal=prop["arealformal"].astype(float),
        arealbruksstatus=prop["arealbruksstatus"].astype(float),
        kommunenummer=5001.0,
    )
    acc = plan_account(current_plan(), prop, ar5_land_classes(ar5()))
    assert _nonzero(acc.table("new")) == {("1300", "fulldyrka"): 10.0}


def test_reserve_taken_out_for_other_purposes_and_the_balance():
    # the 2 ha of future housing on mire become green structure (3001, nåværende) instead
    prop = proposed_plan()
    prop.loc[4, ["arealformal", "arealbruksstatus"]] = ["3001", "1"]
    acc = plan_account(current_plan(), prop, ar5_land_classes(ar5()))
    assert _nonzero(acc.table("removed_other")) == {("1110", "myr"): 2.0}
    assert _nonzero(acc.table("returned_lnf")) == {("1110", "skog_middels"): 4.0}
    total = {
        k: acc.table(k).to_numpy().sum()
        for k in ("reserve_current", "reserve_proposed", "new", "returned_lnf", "removed_other")
    }
    # nothing changes purpose inside the reserve here, and the proposal covers the current plan:
    # proposed reserve = current reserve + new − returned − removed
    assert (
        total["reserve_proposed"]
        == total["reserve_current"] + total["new"] - total["returned_lnf"] - total["removed_other"]
    )
    # land the proposal does not cover is not "removed"
    part = plan_account(current_plan(), proposed_plan().iloc[[0, 1, 2, 3, 5]], ar5_land_classes(ar5()))
    assert part.table("removed_other").to_numpy().sum() == 0
