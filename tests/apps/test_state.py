"""Headless tests of the app state, one group per view (no browser, Panel's param-trigger style)."""

from __future__ import annotations

import json
import string

import geopandas as gpd
import numpy as np
import pytest
from areal.apps.planner import i18n
from areal.apps.planner.app import URL_PARAMETERS, App
from areal.apps.planner.state import LayerList, PlannerState
from conftest import UTM33, X0, Y0
from shapely.geometry import box
from shapely.geometry import mapping as shp_mapping

SITE = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 2000, Y0 + 2000)], crs=UTM33)  # 400 ha in Trondheim
SITE_GEOJSON = SITE.to_crs(4326).to_json().encode()


@pytest.fixture
def state(starter_data):
    return PlannerState(data=starter_data)


@pytest.fixture
def planner(starter_data):
    return PlannerState(data=starter_data, mode="planner")


# ---------------------------------------------------------------- general


def test_defaults(state, starter_data):
    assert state.lang == "nb" and state.mode == "public"
    assert state.visible == starter_data.default_visible()
    assert "municipalities" in state.visible and "business_areas" not in state.visible  # missing layer
    assert state.limits.max_bytes == 10 * 1024**2 and state.limits.max_vertices == 100_000


def test_i18n_tables_match():
    assert set(i18n.NB) == set(i18n.EN)
    fields = lambda s: {f[1] for f in string.Formatter().parse(s) if f[1]}  # noqa: E731
    for key in i18n.NB:
        assert fields(i18n.NB[key]) == fields(i18n.EN[key]), key
    with pytest.raises(KeyError, match="no UI string 'nope'"):
        i18n.t("nope")


# ---------------------------------------------------------------- MapView: the bridge's Python side


def test_view_and_layer_events(state):
    state.handle_map_event({"areal": 1, "type": "view", "lat": 63.43, "lon": 10.39, "zoom": 11})
    assert (state.lat, state.lon, state.zoom) == (63.43, 10.39, 11)
    state.handle_map_event({"type": "layers", "visible": ["forest", "nonsense", "forest", "roads"]})
    assert state.visible == ["forest", "roads"]  # unknown and duplicate ids dropped
    state.handle_map_event({"type": "base", "base": "grey"})
    assert state.base == "grey"
    state.handle_map_event({"type": "stats", "bytes": 1234, "requests": 3, "first_paint_ms": 500})
    assert state.map_stats == {"bytes": 1234, "requests": 3, "first_paint_ms": 500}


@pytest.mark.parametrize(
    "event",
    [
        None,
        "x",
        {"type": "view", "lat": "north"},
        {"type": "click"},
        {"type": "layers", "visible": "forest"},
        {"type": "unknown"},
    ],
)
def test_malformed_events_are_ignored(state, event):
    before = state.param.values()
    state.handle_map_event(event)
    assert state.param.values() == before


def test_click_and_draw_give_a_report(state):
    state.handle_map_event({"type": "click", "geojson": {"type": "Point", "coordinates": [10.395, 63.43]}})
    assert state.report.family == "point" and state.site_source == "click"
    assert "Trondheim" in state.report.municipalities["kommunenavn"].iloc[0]
    poly = shp_mapping(SITE.to_crs(4326).geometry.iloc[0])
    state.handle_map_event({"type": "draw", "geojson": poly})
    assert state.site_source == "draw"
    assert state.report.area_ha == pytest.approx(400, rel=1e-4)


def test_bridge_hands_on_every_map_message_once_and_in_order(state):
    """Messages that reach Python in one value (Panel keeps one pending value per property) all count."""
    from areal.apps.planner.views import MapView

    view = MapView(state=state)
    seen = []
    view.frame.param.watch(lambda e: seen.append(e.new["type"]), "event")
    layers = {"areal": 1, "type": "layers", "visible": ["forest"], "k": 10}
    stats = {"areal": 1, "type": "stats", "bytes": 5, "requests": 1, "first_paint_ms": 9, "k": 11}
    view.frame.outbox = [layers, stats]  # a toggle and its GeoJSON's stats within one debounce
    assert seen == ["layers", "stats"] and state.visible == ["forest"] and state.map_stats["bytes"] == 5
    assert view.frame.ack == 11
    view_msg = {"areal": 1, "type": "view", "lat": 63.5, "lon": 10.5, "zoom": 9, "k": 12}
    view.frame.outbox = [stats, view_msg]  # not yet pruned in the browser: only the new one is handled
    assert seen == ["layers", "stats", "view"] and state.zoom == 9 and view.frame.ack == 12


def test_bridge_resends_commands_until_the_browser_has_seen_them(state):
    from areal.apps.planner.bridge import MapFrame

    frame = MapFrame(html="<p>map</p>")
    a = frame.send("visible", visible=["forest"])
    b = frame.send("view", lat=63.4, lon=10.4, zoom=10)
    assert [c["seq"] for c in frame.command["commands"]] == [a["seq"], b["seq"]]  # both, however long apart
    frame.seen = a["seq"]
    c = frame.send("clear_site")
    assert [x["seq"] for x in frame.command["commands"]] == [b["seq"], c["seq"]]


def test_language_change_rebuilds_the_map(state):
    v = state.map_version
    state.lang = "en"
    assert state.map_version == v + 1


def test_mapview_sends_commands_and_receives_events(state):
    from areal.apps.planner.views import MapView

    view = MapView(state=state)
    assert "ArealMap.init" in view.frame.html and "/areal-static/leaflet/leaflet.js" in view.frame.html
    # Browser -> Python: the component's `event` param is what the browser sets.
    view.frame.event = {"areal": 1, "n": 1, "type": "view", "lat": 63.5, "lon": 10.5, "zoom": 9}
    assert state.zoom == 9
    # Python -> browser: state changes become commands.
    state.upload(SITE_GEOJSON, "site.geojson")
    assert view.frame.last_command["type"] == "site" and view.frame.last_command["fit"] is True
    assert view.frame.last_command["geojson"]["features"][0]["geometry"]["type"] == "Polygon"
    state.municipality = "5001"
    cmd = view.frame.last_command
    assert cmd["type"] == "municipality" and cmd["kommune"] == "5001" and len(cmd["bounds"]) == 4
    state.visible = ["forest"]
    assert view.frame.last_command == {**view.frame.last_command, "type": "visible", "visible": ["forest"]}
    html = view.frame.html
    state.lang = "en"
    assert view.frame.html != html and "Municipalities (2024)" in view.frame.html


# ---------------------------------------------------------------- LayerPanel


def test_credits_follow_visible_layers(state):
    state.visible = ["municipalities", "aquaculture_sites"]
    credits = state.credits()
    assert [c[1] for c in credits] == [
        "© Kartverket, Administrative enheter (CC BY 4.0)",
        "© Fiskeridirektoratet, Akvakulturregisteret (NLOD)",
    ]
    state.visible = ["municipalities"]
    assert len(state.credits()) == 1


def test_unavailable_reasons_have_no_paths_in_public_mode(state, planner, starter_data, tmp_path_factory):
    public = state.available_reasons()
    assert "ar5" in public and "business_areas" in public
    assert "test_arenas" not in public  # the catalogue ships with the package
    text = " ".join(public.values())
    assert "no-data" not in text and "/tmp" not in text and "/root" not in text
    # Was: public viewers read `areal fetch ar5` (developer instructions, issue 14): now only
    # "ikke tilgjengelig"; planners get where it was looked for and how to get it, once.
    assert set(public.values()) == {"ikke tilgjengelig"}
    ar5 = planner.available_reasons()["ar5"]
    assert "no-data" in ar5 and ar5.count("areal fetch ar5") == 1


def test_missing_layer_help_is_escaped_text_once(planner, state):
    from areal.apps.planner.views import LayerPanel

    pane = LayerPanel(state=planner)._unavailable("nb")
    html = pane.object
    assert "<code>" not in html and "<em>" not in html
    assert html.count("`areal fetch ar5`") == 1  # kept as typed, backticks escaped-safe (not ar50)
    assert "`areal fetch ar5`" in html
    public = LayerPanel(state=state)._unavailable("nb").object
    assert "areal fetch" not in public and "ikke tilgjengelig" in public


def test_municipality_filter_is_validated(state):
    state.municipality = "5001"
    assert state.municipality == "5001"
    state.municipality = "9999"
    assert state.municipality == ""


def test_url_round_trip(starter_data):
    from panel.io.location import Location

    loc = Location(
        search="?layers=forest,municipalities&lat=63.43&lon=10.39&z=11&kommune=5001&lang=en&base=osm"
    )
    st = PlannerState(data=starter_data)
    loc.sync(st, URL_PARAMETERS)
    assert st.visible == ["forest", "municipalities"]
    assert (st.lat, st.lon, st.zoom, st.municipality, st.lang, st.base) == (
        63.43,
        10.39,
        11,
        "5001",
        "en",
        "osm",
    )
    st.param.update(zoom=12, visible=["roads"])
    assert "z=12" in loc.search and "layers=roads" in loc.search
    assert LayerList.serialize(["a", "b"]) == "a,b" and LayerList.deserialize("a,,b") == ["a", "b"]


# ---------------------------------------------------------------- SiteCheckView


def test_upload_gives_report(planner):
    planner.upload(SITE_GEOJSON, "site.geojson")
    rep = planner.report
    assert rep.area_ha == pytest.approx(400, rel=1e-4)
    assert planner.site_source == "upload:site.geojson" and planner.error == ""
    assert rep.notes["conflicts"] and rep.conflicts is None
    assert rep.arenas is not None and len(rep.arenas) > 0  # nearest test arenas from the shipped catalogue


def test_bad_upload_keeps_everything_else(state):
    state.upload(SITE_GEOJSON, "site.geojson")
    state.param.update(visible=["forest"], zoom=10, municipality="5001")
    site, report = state.site, state.report
    state.upload(b'{"type": "FeatureCollection", "features": [', "broken.geojson")
    # The message names the problem (issue 12: "one clear message naming the problem").
    assert state.error == "Filen broken.geojson kan ikke leses. Er den skadet? Filen er ikke gyldig JSON."
    assert state.error_detail == ""  # public: no technical details
    assert state.site is site and state.report is report
    assert (state.visible, state.zoom, state.municipality) == (["forest"], 10, "5001")
    n = state.n_errors
    state.upload(b'{"type": "FeatureCollection", "features": [', "broken.geojson")
    assert state.n_errors == n + 1  # the same error again still reaches the view
    state.dismiss_error()
    assert state.error == ""


@pytest.mark.parametrize(
    "data, name, nb_start",
    [
        (b"", "tom.geojson", "Filen tom.geojson inneholder ingen geometri"),
        (
            b"x" * (10 * 1024**2 + 1),
            "stor.geojson",
            "Filen stor.geojson er for stor (10,0 MB). Grensen er 10 MB.",
        ),
        (
            json.dumps(
                {"type": "Polygon", "coordinates": [[[X0, Y0], [X0 + 10, Y0], [X0, Y0 + 10], [X0, Y0]]]}
            ).encode(),
            "utm.geojson",
            "Filen utm.geojson mangler koordinatsystem",
        ),
        (b"hello", "notes.txt", "Filtypen til notes.txt støttes ikke"),
    ],
    ids=["empty", "oversized", "crs-less", "wrong-type"],
)
def test_upload_error_messages(state, data, name, nb_start):
    state.upload(data, name)
    assert state.error.startswith(nb_start)
    assert state.report is None


def test_error_message_follows_language(state):
    state.lang = "en"
    state.upload(b"", "empty.geojson")
    assert state.error == "The file empty.geojson holds no geometry."


def test_planner_mode_shows_details_and_bigger_limits(planner):
    planner.upload(b"", "empty.geojson")
    assert "0 bytes" in planner.error_detail
    assert planner.limits.max_bytes > 10 * 1024**2


def test_clear_site(state):
    state.upload(SITE_GEOJSON, "site.geojson")
    state.clear_site()
    assert state.site is None and state.report is None


def test_engines_fill_the_report_slots(starter_data):
    import pandas as pd

    st = PlannerState(data=starter_data, conflict_engine=lambda s, lay: pd.DataFrame({"severity": ["high"]}))
    st.upload(SITE_GEOJSON, "site.geojson")
    assert st.report.conflicts["severity"].tolist() == ["high"]
    assert st.report.suitability is None


# ---------------------------------------------------------------- the views render headless


@pytest.mark.parametrize("mode", ["public", "planner"])
def test_app_renders_without_a_browser(starter_data, mode):
    import panel as pn

    st = PlannerState(data=starter_data, mode=mode)
    app = App(state=st)
    st.upload(SITE_GEOJSON, "site.geojson")
    model = pn.panel(app).get_root()
    assert model is not None
    texts = []

    def walk(layout):
        for obj in getattr(layout, "objects", []) or []:
            walk(obj)
        if hasattr(layout, "object") and isinstance(layout.object, str):
            texts.append(layout.object)

    walk(app.site_view.__panel__())
    report_view = app.site_view._report(st.report, st.lang)
    downloads = [o for o in report_view.objects if isinstance(o, pn.Row)]
    assert bool(downloads) == (mode == "planner")


def test_commands_in_one_tick_all_reach_the_map(state):
    """Two commands set in the same tick: the last ``command`` value still carries both."""
    from areal.apps.planner.views import MapView

    view = MapView(state=state)
    a = view.frame.send("overlay", overlay={"id": "a"})
    b = view.frame.send("overlay", overlay={"id": "b"})
    batch = view.frame.command
    assert batch["type"] == "batch" and [c["seq"] for c in batch["commands"]][-2:] == [a["seq"], b["seq"]]
    state.set_overlays({"x": {"kind": "geojson", "geojson": {}}, "y": {"kind": "geojson", "geojson": {}}})
    ids = [c["overlay"]["id"] for c in view.frame.command["commands"] if c["type"] == "overlay"]
    assert ids[-2:] == ["x", "y"]
    state.clear_overlay("x")
    assert view.frame.last_command == {**view.frame.last_command, "type": "clear_overlay", "id": "x"}


def test_site_report_gives_free_mw_of_nearest_substations_with_the_nc_credit(real_data):
    from areal.apps.planner.data import AppData
    from areal.apps.planner.views import SiteCheckView

    data = AppData.load(real_data, only=["grid_capacity", "grid_areas", "municipalities"])
    st = PlannerState(data=data, mode="public")
    st.upload(SITE_GEOJSON, "site.geojson")
    rep = st.report
    # the Statnett area over the county is not "400 ha 100 % free grid capacity" any more
    inter = rep.intersections.set_index("layer")
    assert "grid_areas" not in inter.index
    if "grid_capacity" in inter.index:  # a substation inside the site is a point, never hectares
        assert np.isnan(inter.loc["grid_capacity", "area_ha"]) and inter.loc["grid_capacity", "n_points"] >= 1
    assert len(rep.substations) == 3 and rep.substations["distance_m"].is_monotonic_increasing
    assert rep.substations["free_mw"].notna().all()
    col = SiteCheckView(state=st)._report(rep, "nb")
    panes = {c for o in col.objects for c in (o.css_classes or [])}
    assert "areal-substations" in panes
    credit = next(o for o in col.objects if "areal-substations-credit" in (o.css_classes or []))
    assert "CC BY-NC-SA 4.0" in credit.object and "WattApp" in credit.object


# ---------------------------------------------------------------- links, tabs, overlays, places (issue 14)


def test_a_site_goes_into_the_link_and_comes_back_from_it(starter_data):
    st = PlannerState(data=starter_data)
    st.handle_map_event({"type": "click", "geojson": {"type": "Point", "coordinates": [10.4, 63.42]}})
    assert st.site_code.startswith("P") and st.site_source == "click"
    st.upload(SITE_GEOJSON, "site.geojson")
    code = st.site_code
    assert code.startswith("A") and len(code) < 60
    # what a link does: a new session with the URL's site_code checks the same site again
    other = PlannerState(data=starter_data)
    other.site_code = code
    assert other.site_source == "link"
    assert other.report.area_ha == pytest.approx(st.report.area_ha, rel=1e-3)
    assert other.site_code == code  # not rewritten into something else
    bad = PlannerState(data=starter_data)
    bad.site_code = "Anot a code!"
    assert bad.site is None and bad.site_code == ""
    st.clear_site()
    assert st.site_code == ""


def test_urlstate_round_trip_and_refusals():
    from areal.apps.planner import urlstate

    poly = {
        "type": "MultiPolygon",
        "coordinates": [
            [
                [[10.1, 63.1], [10.2, 63.1], [10.2, 63.2], [10.1, 63.1]],
                [[10.12, 63.12], [10.13, 63.12], [10.13, 63.13], [10.12, 63.12]],
            ],
            [[[11.0, 64.0], [11.5, 64.0], [11.5, 64.5], [11.0, 64.0]]],
        ],
    }
    code = urlstate.encode_geometry(poly)
    assert set(code) <= set(urlstate.ALPHABET + "PA.~")
    assert urlstate.decode_geometry(code) == poly
    for bad in ("", "X123", "P", "A0", "P0_", "A" + "0" * 6):
        with pytest.raises(urlstate.SiteCodeError):
            urlstate.decode_geometry(bad)
    with pytest.raises(urlstate.SiteCodeError, match="LineString"):
        urlstate.encode_geometry({"type": "LineString", "coordinates": [[0, 0], [1, 1]]})


def test_map_gets_the_site_and_overlays_when_it_says_ready_and_overlays_follow_their_tab(state):
    from areal.apps.planner.views import MapView

    view = MapView(state=state)
    state.upload(SITE_GEOJSON, "site.geojson")
    state.set_overlays(
        {"indicator": {"kind": "geojson", "geojson": {}, "title": "x"}, "note": {"kind": "geojson"}}
    )
    view.frame.event = {"areal": 1, "type": "ready", "visible": []}  # a (re)loaded map document
    batch = view.frame.command["commands"]
    ids = [c["overlay"]["id"] for c in batch if c["type"] == "overlay"]
    assert "note" in ids and "indicator" not in ids  # the indicator overlay belongs to its tab
    site = [c for c in batch if c["type"] == "site"][-1]
    assert site["popup"][0][0] == i18n.t("site.area")
    state.tab = "indicators"
    assert (
        view.frame.last_command["type"] == "overlay"
        and view.frame.last_command["overlay"]["id"] == "indicator"
    )
    state.tab = "site"
    assert view.frame.last_command == {**view.frame.last_command, "type": "clear_overlay", "id": "indicator"}


def test_tab_follows_the_url_and_the_tabs(starter_data):
    app = App(state=PlannerState(data=starter_data, tab="layers"))
    app.__panel__()
    assert app.tabs.active == 1 and app.tab_keys()[:2] == ["site", "layers"]
    app.tabs.active = 0
    assert app.state.tab == "site"
    app.sidebar_toggle.clicks += 1
    assert app.sidebar.visible is False and "Vis" in app.sidebar_toggle.label


def test_place_index_has_both_name_forms_and_stations(real_data):
    from areal.apps.planner import mapping
    from areal.apps.planner.data import AppData

    data = AppData.load(real_data, only=["municipalities", "stations", "airports", "national_parks"])
    places = mapping.place_index(data.layers)
    names = {p["name"]: p for p in places}
    roros = next(p for n, p in names.items() if "Røros" in n and p["kind"] == "municipality")
    assert "Rosse" in roros["name"] and len(roros["bounds"]) == 4 and roros["label"]
    assert 62.3 < roros["lat"] < 62.9 and 11.0 < roros["lon"] < 12.3
    assert sum(p["kind"] == "municipality" for p in places) == 38
    assert any(p["kind"] == "station" and p["name"] == "Oppdal" for p in places)
    assert all("label" not in p for p in places if p["kind"] == "park")
    from areal.apps.jsonsafe import loads_strict

    loads_strict(__import__("areal.apps.jsonsafe", fromlist=["dumps"]).dumps(places))


def test_municipality_report_defaults_to_the_municipality_in_view(planner):
    """The report's municipality is the one filtered on, else the one in the middle of the map."""
    from areal.apps.planner.report_view import ReportDownload

    munis = planner.data.municipalities()
    assert "5001" in munis and "5025" in munis
    first = next(iter(munis))
    planner.param.update(lat=63.43, lon=10.39, zoom=11)  # Trondheim in view
    rep = ReportDownload(state=planner, kind="municipality")
    assert rep.select.value == "5001" != first
    planner.param.update(lat=62.57, lon=11.38)  # panned to Røros: the report follows
    assert rep.select.value == "5025"
    planner.municipality = "5001"  # a filter chosen wins
    assert rep.select.value == "5001"
    rep.select.value = "5025"  # the planner's own pick stays while the map moves
    planner.param.update(lat=63.43, lon=10.39)
    assert rep.select.value == "5025"
