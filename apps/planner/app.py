"""The app: layout of the views, URL sync, and the entry point for ``panel serve``.

``App(state=...)`` composes the views; :func:`create_app` makes one per browser session (the
shared :class:`~areal.apps.planner.data.AppData` is loaded once per server).
"""

from __future__ import annotations

import logging
import threading

import panel as pn
import param
from areal.apps.planner.data import AppData
from areal.apps.planner.engines import Engines
from areal.apps.planner.safe_text import esc
from areal.apps.planner.state import PlannerState
from areal.apps.planner.tool_views import ArenasView, ConflictsView, IndicatorView, SuitabilityView
from areal.apps.planner.tools import ArenaState, ConflictState, IndicatorState, SuitabilityState
from areal.apps.planner.views import LanguageSwitch, LayerPanel, MapView, SiteCheckView
from panel.viewable import Viewer

log = logging.getLogger("areal.app")

URL_PARAMETERS = {
    "visible": "layers",
    "lat": "lat",
    "lon": "lon",
    "zoom": "z",
    "municipality": "kommune",
    "lang": "lang",
    "base": "base",
    "tab": "tab",
    "site_code": "site",
    "site_kind": "kind",
}
"""PlannerState parameter → URL query parameter."""

SUITABILITY_URL_PARAMETERS = {
    "profile": "profile",
    "weights": "w",
    "resolution": "res",
    "threshold": "thr",
    "min_area_ha": "min_ha",
    "max_area_ha": "max_ha",
}
"""SuitabilityState parameter → URL query parameter (``w=substation:0.35,power_line:0.2``)."""

CSS = """
.areal-header { background: #1f3b73; color: #fff; padding: 6px 14px; }
.areal-header h1 { font-size: 20px; margin: 0; color: #fff; }
.areal-header .areal-sub { font-size: 13px; opacity: .85; }
.areal-sidebar { border-right: 1px solid #dde3ee; }
"""

SIDEBAR_WIDTH = 440
"""Width of the sidebar (px); tables wider than it scroll inside their pane, the sidebar folds away."""

TAB_KEYS = {
    "ConflictsView": "conflicts",
    "SuitabilityView": "suitability",
    "ArenasView": "arenas",
    "IndicatorView": "indicators",
    "ScenarioView": "scenarios",
    "AnalysisView": "analysis",
    "PlanAccountView": "arealregnskap",
}
"""The ``tab=`` value of each analysis view (the first two tabs are ``site`` and ``layers``)."""


def tab_key(view) -> str:
    """The URL key of a sidebar view."""
    return TAB_KEYS.get(type(view).__name__, type(view).__name__.lower())


def _remake(view):
    """A new view of the same kind on the same state (its widgets labelled in the current language)."""
    try:
        params = {k: getattr(view, k) for k in view.param if k != "name"}
        new = type(view)(**params)
    except Exception:  # noqa: BLE001 - a view that cannot be remade keeps its old labels
        log.warning("view %s could not be remade for the new language", type(view).__name__, exc_info=True)
        return view
    new._opened = getattr(view, "_opened", False)
    return new


TABS_CSS = """
.bk-header, .bk-headers-wrapper, .bk-headers { flex-wrap: wrap; row-gap: 2px; }
.bk-tab { white-space: nowrap; }
"""
"""The sidebar's tab bar wraps: nine tab titles do not fit a 400 px sidebar on one row."""


class App(Viewer):
    """Header, sidebar (layers, site check) and the map. More views plug in via ``extra_views``."""

    state = param.ClassSelector(class_=PlannerState)
    extra_views = param.List(
        default=[], doc="further Viewers (conflicts, suitability) shown in the sidebar tabs"
    )

    def __init__(self, **params):
        super().__init__(**params)
        self.map_view = MapView(state=self.state)
        self.layer_panel = LayerPanel(state=self.state)
        self.site_view = SiteCheckView(state=self.state)
        self.language = LanguageSwitch(state=self.state)

    def _header(self, lang):
        s = self.state
        sub = s.t(f"app.subtitle.{s.mode}")
        return pn.pane.HTML(
            f"<div style='color:#fff'><div style='font-size:20px;font-weight:700'>{s.t('app.title')}</div>"
            f"<div style='font-size:13px;opacity:.85'>{sub}</div></div>",
            sizing_mode="stretch_width",
            css_classes=["areal-title"],
            margin=(4, 10),
        )

    def tab_keys(self) -> list[str]:
        """``tab=`` keys of the sidebar tabs, in order."""
        return ["site", "layers", *(tab_key(v) for v in self.extra_views)]

    def __panel__(self):
        s = self.state
        self.sidebar_toggle = pn.widgets.Button(
            label=s.t("app.sidebar.hide"),
            color="light",
            css_classes=["areal-sidebar-toggle"],
            margin=(8, 10),
        )
        header = pn.Row(
            pn.bind(self._header, s.param.lang),
            pn.Spacer(),
            self.sidebar_toggle,
            self.language,
            sizing_mode="stretch_width",
            css_classes=["areal-header"],
            styles={"background": "#1f3b73", "color": "white"},
        )
        tabs = pn.Tabs(
            (s.t("site.title"), self.site_view),
            (s.t("layers.title"), self.layer_panel),
            *[(getattr(v, "title", type(v).__name__), v) for v in self.extra_views],
            dynamic=True,
            sizing_mode="stretch_width",
            css_classes=["areal-tabs"],
            # the tab titles wrap onto a second row instead of running out of the sidebar
            stylesheets=[TABS_CSS],
        )
        self.tabs = tabs

        def _retitle(event):
            # Widgets take their labels when they are made: a new language makes the views anew
            # (their states, and so the work done, stay) and re-adds them under the new tab names.
            self.site_view = SiteCheckView(state=self.state)
            self.layer_panel = LayerPanel(state=self.state)
            self.extra_views = [_remake(v) for v in self.extra_views]
            names = [s.t("site.title"), s.t("layers.title")]
            names += [getattr(v, "title", type(v).__name__) for v in self.extra_views]
            objects = [self.site_view, self.layer_panel, *self.extra_views]
            active = tabs.active
            with param.parameterized.discard_events(tabs):
                tabs.clear()
            tabs.extend(list(zip(names, objects)))
            tabs.active = active
            if 2 <= active < len(objects):
                self.open_view(objects[active])

        def _opened(event):
            i = event.new - 2
            if 0 <= i < len(self.extra_views):
                self.open_view(self.extra_views[i])

        tabs.param.watch(_opened, "active")
        keys = self.tab_keys()

        def _tab_to_url(event):
            if 0 <= event.new < len(keys):
                s.tab = keys[event.new]

        tabs.param.watch(_tab_to_url, "active")

        def _url_to_tab(*_):
            if s.tab in keys and tabs.active != keys.index(s.tab):
                tabs.active = keys.index(s.tab)

        s.param.watch(_url_to_tab, "tab")
        if s.tab in keys and s.tab != "site":  # a link to a tab opens it (and starts its work)
            tabs.active = keys.index(s.tab)

        s.param.watch(_retitle, "lang")
        sidebar = pn.Column(
            pn.bind(self._notice, s.param.notice),
            tabs,
            width=SIDEBAR_WIDTH,
            scroll=True,
            sizing_mode="stretch_height",
            css_classes=["areal-sidebar"],
        )
        self.sidebar = sidebar

        def _fold(_event=None):
            sidebar.visible = not sidebar.visible
            self.sidebar_toggle.label = s.t("app.sidebar.hide" if sidebar.visible else "app.sidebar.show")

        self.sidebar_toggle.on_click(_fold)
        s.param.watch(
            lambda e: setattr(
                self.sidebar_toggle,
                "label",
                s.t("app.sidebar.hide" if sidebar.visible else "app.sidebar.show"),
            ),
            "lang",
        )
        body = pn.Row(sidebar, self.map_view, sizing_mode="stretch_both")
        return pn.Column(header, body, sizing_mode="stretch_both", styles={"height": "100vh"})

    def _notice(self, notice):
        if not notice:
            return pn.pane.HTML("", visible=False)
        return pn.pane.Alert(
            f"**{self.state.t('notice.title')}:** {esc(notice)}",
            alert_type="info",
            sizing_mode="stretch_width",
            css_classes=["areal-notice"],
        )

    def open_view(self, view) -> None:
        """A view's tab was opened: start its work once (model build, map overlay)."""
        if getattr(view, "_opened", False):
            return
        view._opened = True
        tool = getattr(view, "tool", None)
        if isinstance(tool, SuitabilityState):
            if tool.status == "idle":
                tool.start()
        elif isinstance(tool, (ArenaState, IndicatorState)):
            tool.show()


def thread_executor(fn) -> None:
    """Run slow work (a model build, a county-wide conflict run) off the UI thread.

    Without a server's worker pool only (a script calling :func:`create_app` directly); a served
    app runs its work on the server's bounded :class:`~areal.apps.planner.workers.WorkerPool`.
    """
    threading.Thread(target=fn, name="areal-work", daemon=True).start()


def _link_notices(state: PlannerState, suit, args: dict, engines) -> list[str]:
    """Notes on link parameters that were not applied (unknown profile, resolution, bad values)."""

    def first(name):
        v = (args or {}).get(name)
        if isinstance(v, list):
            v = v[0] if v else None
        return v.decode("utf-8", "replace") if isinstance(v, bytes) else v

    notes = []
    if suit is not None:
        prof = first("profile")
        if prof is not None and prof not in engines.profiles:
            notes.append(state.t("notice.profile", value=str(prof)[:60], used=suit.profile))
    for url_name, pname in (
        ("lat", "lat"),
        ("lon", "lon"),
        ("z", "zoom"),
        ("base", "base"),
        ("lang", "lang"),
    ):
        raw = first(url_name)
        if raw is None:
            continue
        p = state.param[pname]
        try:
            value = p.deserialize(raw) if not isinstance(p, (param.Number, param.Integer)) else float(raw)
            if isinstance(p, param.Integer):
                value = int(value)
            p._validate(value)
        except Exception:  # noqa: BLE001 - any invalid link value: not applied, said so
            notes.append(state.t("notice.parameter", name=url_name))
    return notes


def create_app(
    data: AppData,
    mode: str = "planner",
    *,
    engines: Engines | None = None,
    store=None,
    conflict_engine=None,
    suitability_engine=None,
    executor=None,
    pool=None,
    site_process=None,
) -> App:
    """One session's app: state synced with the URL, then the views.

    With ``engines`` (shared by the server's sessions) the conflicts, suitability, test-arena and
    indicator views are added and the site check gets the conflict and suitability engines
    (unless others are passed). ``store`` (a scenario store) enables the scenario tools.
    ``site_process`` (the server's :class:`~areal.apps.planner.workers.ForkedWorker`, forked with
    the same data and engines) runs the site checks of a served session.
    """
    pn.extension("tabulator", raw_css=[CSS], notifications=False)
    if conflict_engine is not None or pool is None:
        site_process = None  # the child checks with the server's own engines, and only for a served app
    if engines is not None:
        conflict_engine = conflict_engine or engines.site_conflicts
        suitability_engine = suitability_engine or engines.site_suitability
    runner = None
    if pool is not None:  # served: site checks and analyses on the server's bounded worker pool
        from areal.apps.planner.workers import SessionRunner

        runner = SessionRunner(pool, pn.state.curdoc)
        executor = executor or runner.executor()
    executor = executor or thread_executor
    state = PlannerState(
        data=data,
        mode=mode,
        conflict_engine=conflict_engine,
        suitability_engine=suitability_engine,
        runner=runner,
        site_process=site_process,
    )
    args = pn.state.session_args if pn.state.curdoc is not None else {}
    if pn.state.location is not None:
        pn.state.location.sync(state, URL_PARAMETERS)
    views = []
    if engines is not None:
        kw = dict(app=state, engines=engines, executor=executor)
        suit = SuitabilityState(**kw)
        if pn.state.location is not None:
            pn.state.location.sync(suit, SUITABILITY_URL_PARAMETERS)
        views = [SuitabilityView(tool=suit)]
        if mode == "planner":
            views.insert(0, ConflictsView(tool=ConflictState(**kw)))
        if "test_arenas" in data.layers:
            views.append(ArenasView(tool=ArenaState(**kw)))
        if "municipalities" in data.layers:
            views.append(IndicatorView(tool=IndicatorState(**kw)))
        if store is not None and mode == "planner":
            from areal.apps.planner.scenarios import ScenarioState, ScenarioView

            views.append(ScenarioView(tool=ScenarioState(**kw, store=store, suit=suit)))
        if mode == "planner" and "municipalities" in data.layers:
            from areal.apps.planner.plan_account_view import PlanAccountState, PlanAccountView

            views.append(PlanAccountView(tool=PlanAccountState(app=state, executor=executor)))
    from areal.apps.planner.analysis_view import analysis_view

    views.append(analysis_view(state, executor))  # the "Arealanalyse" tab (DOK-style area analysis)
    suit_tool = next((v.tool for v in views if isinstance(v, SuitabilityView)), None)
    notes = _link_notices(state, suit_tool, args, engines)
    if notes:
        state.notice = " ".join(notes)
    app = App(state=state, extra_views=views)
    if any(
        k in (args or {}) for k in ("profile", "w", "res", "thr", "min_ha", "max_ha")
    ):  # a suitability link
        for v in views:
            if isinstance(v, SuitabilityView):
                app.open_view(v)
    return app


if __name__.startswith("bokeh"):  # `panel serve apps/planner/app.py`
    create_app(AppData.load(), "planner").servable(title="Arealkart Trøndelag")
