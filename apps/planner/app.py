"""The app: layout of the views, URL sync, and the entry point for ``panel serve``.

``App(state=...)`` composes the views; :func:`create_app` makes one per browser session (the
shared :class:`~apps.planner.data.AppData` is loaded once per server).
"""

from __future__ import annotations

import panel as pn
import param
from panel.viewable import Viewer

from apps.planner.data import AppData
from apps.planner.state import PlannerState
from apps.planner.views import LanguageSwitch, LayerPanel, MapView, SiteCheckView

URL_PARAMETERS = {
    "visible": "layers",
    "lat": "lat",
    "lon": "lon",
    "zoom": "z",
    "municipality": "kommune",
    "lang": "lang",
    "base": "base",
}
"""State parameter → URL query parameter; later views add theirs (profile, weights)."""

CSS = """
.areal-header { background: #1f3b73; color: #fff; padding: 6px 14px; }
.areal-header h1 { font-size: 20px; margin: 0; color: #fff; }
.areal-header .areal-sub { font-size: 13px; opacity: .85; }
.areal-sidebar { border-right: 1px solid #dde3ee; }
"""


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

    def __panel__(self):
        s = self.state
        header = pn.Row(
            pn.bind(self._header, s.param.lang),
            pn.Spacer(),
            self.language,
            sizing_mode="stretch_width",
            css_classes=["areal-header"],
            styles={"background": "#1f3b73", "color": "white"},
        )
        tabs = pn.Tabs(
            (s.t("site.title"), self.site_view),
            (s.t("layers.title"), self.layer_panel),
            *[(getattr(v, "title", type(v).__name__), v) for v in self.extra_views],
            dynamic=False,
            sizing_mode="stretch_width",
        )

        def _retitle(event):
            names = [s.t("site.title"), s.t("layers.title")]
            tabs._names = names + tabs._names[2:]
            tabs.param.trigger("objects")

        s.param.watch(_retitle, "lang")
        sidebar = pn.Column(
            tabs, width=400, scroll=True, sizing_mode="stretch_height", css_classes=["areal-sidebar"]
        )
        body = pn.Row(sidebar, self.map_view, sizing_mode="stretch_both")
        return pn.Column(header, body, sizing_mode="stretch_both", styles={"height": "100vh"})


def create_app(data: AppData, mode: str = "planner", *, conflict_engine=None, suitability_engine=None) -> App:
    """One session's app: state synced with the URL, then the views."""
    pn.extension(raw_css=[CSS], notifications=False)
    state = PlannerState(
        data=data, mode=mode, conflict_engine=conflict_engine, suitability_engine=suitability_engine
    )
    if pn.state.location is not None:
        pn.state.location.sync(state, URL_PARAMETERS)
    return App(state=state)


if __name__.startswith("bokeh"):  # `panel serve apps/planner/app.py`
    create_app(AppData.load(), "planner").servable(title="Arealkart Trøndelag")
