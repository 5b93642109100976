"""The Arealanalyse tab's state and view over the starter extract (no real data needed)."""

import geopandas as gpd
import panel as pn
from areal.apps.planner.analysis_view import AnalysisState, AnalysisView
from areal.apps.planner.state import PlannerState
from conftest import UTM33, X0, Y0
from shapely.geometry import box


def test_tab_runs_on_the_session_site_and_speaks_both_languages(starter_data):
    state = PlannerState(data=starter_data, mode="planner")
    tab = AnalysisState(app=state, context="byggesak", buffer_m=100)
    tab.run()
    assert tab.result is None and "Sjekk område" in tab.error  # no site yet: say where to make one
    state.site = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 2000, Y0 + 2000)], crs=UTM33)
    tab.run()
    assert tab.error == "" and tab.result is not None
    rows = tab.rows()
    assert {r["dataset"] for r in rows} >= {"protected_areas", "farmland"}
    ids = [r["status_id"] for r in rows]
    assert "not_relevant" in ids  # byggesak leaves the coarse N1000 datasets out
    farm = next(r for r in rows if r["dataset"] == "farmland")
    if farm["status_id"] == "not_mapped":  # AR5 is not in the starter extract
        assert farm["area"] == "–" and farm["status"] == "Ikke kartlagt"
    assert list(tab.table().columns)[:3] == ["Datasett", "Status", "Areal treff"]
    state.lang = "en"
    assert list(tab.table().columns)[:3] == ["Dataset", "Status", "Area hit"]
    assert tab.text("title") == "Area analysis"
    view = AnalysisView(tool=tab)
    assert view.title == "Area analysis"
    state.lang = "nb"
    assert view.run.label == "Analyser området" and "Reguleringsplan" in view.context.options
    state.lang = "en"
    assert view.run.label == "Analyse the area" and view.context.options["Zoning plan"] == "reguleringsplan"
    assert tab.context == "byggesak"  # a language switch keeps the chosen context
    assert isinstance(pn.panel(view), pn.viewable.Viewable)
