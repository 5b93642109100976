"""Indicators end to end on official-format data (the ``official_data_dir`` fixture of this folder)."""

import pytest
from areal.geo.indicators import compute_indicators


def test_official_data_business_indicators(official_data_dir):
    """End to end on official-format data (business areas from the plan WFS, AR5 from Geonorge)."""
    from areal.layers.indicator_inputs import load_indicator_inputs
    from areal.layers.project_data import load_indicators

    inds = [i for i in load_indicators() if i.file == "business_land.toml"]
    inputs = load_indicator_inputs(inds, official_data_dir, use_cache=False)
    assert "business_areas" in inputs.layers and "ar5" in inputs.layers
    res = compute_indicators(inds, inputs)
    s = res.summary.set_index("id")
    assert (s["status"] == "ok").all(), s[["status", "reason"]]
    t = res.table.set_index("kommunenummer")
    with_planned = t[t["planned_business_ha"] > 0]
    assert len(with_planned) >= 1
    for iid in ("planned_business_conflict_free_share", "planned_on_developed_share"):
        v = with_planned[iid]
        assert v.notna().all() and ((v >= 0) & (v <= 1)).all(), iid
    assert with_planned["farmland_at_stake_ha"].notna().all()  # AR5 is present
    assert (with_planned["co2_at_stake_t"] >= 0).all() and s.loc["co2_at_stake_t", "county"] > 0
    assert s.loc["planned_business_ha", "county"] == pytest.approx(t["planned_business_ha"].sum(), rel=1e-3)
