"""Layers with internal overlaps are dissolved before their areas are reported (issue 15).

The two Snøhetta wild-reindeer areas overlap: summed per feature they make 3 157.5 km², the
ground they cover is 2 566.4 km². Every area report counts that ground once.
"""

import pytest
import shapely
from areal.apps.usecases.account import compute_account
from areal.layers import loader

pytestmark = pytest.mark.realdata


def test_wild_reindeer_area_is_counted_once_everywhere(real_data):
    df = loader.load("wild_reindeer", real_data)
    summed = float(df.geometry.area.sum()) / 1e6
    once = float(shapely.union_all(df.geometry.values).area) / 1e6
    assert summed > once * 1.2  # the overlap is real (Snøhetta / Snøhetta øst)
    st = loader.status("wild_reindeer", real_data)
    assert st.unit == "km²" and st.total == pytest.approx(once, rel=1e-9)
    acc, _ = compute_account(real_data)
    county = acc.table.set_index("kommunenummer").loc[acc.county_id, "wild_reindeer_ha"] / 100
    # the account clips to the municipalities' land: at most the ground once, never the sum
    assert once * 0.99 < county <= once + 1e-6
