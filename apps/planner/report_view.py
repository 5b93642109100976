"""PDF reports from the app: the checked site, a municipality or a saved scenario, built off the UI thread.

The report is the same one ``areal report`` writes (:mod:`areal.apps.report`; a scenario through
:func:`~areal.apps.report.scenario_report`, the use case of ``areal report --scenario``): the button starts
the build in a worker thread, a progress bar and the current step show while it runs, and a
download link with the report's own file name appears when it is done. Planner mode only: a
report runs the indicator and suitability engines, which public visitors must not trigger.
"""

from __future__ import annotations

import io
import re
import threading
import time
from datetime import date

import panel as pn
import param
from areal.apps.planner.state import PlannerState
from panel.viewable import Viewer

#: Steps of a report build, in order (i18n keys ``report.step.<step>``).
STEPS = ("inputs", "map", "pdf")


def slug(text: str) -> str:
    """A file-name-safe form of a title (``Rosse - Røros (5025)`` -> ``rosse_roros_5025``).

    >>> slug("Rosse - Røros (5025)")
    'rosse_roros_5025'
    """
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})
    return re.sub(r"[^0-9a-z]+", "_", text.translate(table).lower()).strip("_")


def build_report(
    kind: str, state: PlannerState, knr: str = "", step=lambda name: None, scenario=None
) -> tuple[bytes, str]:
    """The PDF bytes and file name of a site, municipality or scenario report in the session's language.

    ``knr`` is the municipality of a municipality report, ``scenario`` the stored
    :class:`~areal.geo.scenario.Scenario` of a scenario report.
    """
    import tempfile
    from pathlib import Path

    from areal.apps.report import municipality_report, render_report, scenario_report, site_report

    lang, data_dir = state.lang, state.data.data_dir
    step("inputs")
    if kind == "municipality":
        inputs = municipality_report(knr, data_dir, lang=lang)
        name = f"arealrapport_{slug(inputs.name)}.pdf"
    elif kind == "scenario":
        inputs = scenario_report(scenario, data_dir, lang=lang)
        name = f"arealrapport_scenario_{slug(inputs.name) or 'uten_navn'}.pdf"
    else:
        source = state.site_source.split(":", 1)[1] if state.site_source.startswith("upload:") else ""
        label = source or state.t("report.drawn_site")
        inputs = site_report(state.site, label, data_dir, lang=lang)
        name = f"arealrapport_omrade_{slug(inputs.name)}.pdf"
    step("pdf")
    with tempfile.TemporaryDirectory() as tmp:
        out = render_report(inputs, Path(tmp) / "report.pdf", lang=lang, when=date.today())
        return out.read_bytes(), name


class ReportDownload(Viewer):
    """A "make PDF" button for the site, a municipality or a scenario, its progress, then the download link."""

    state = param.ClassSelector(class_=PlannerState)
    kind = param.Selector(default="site", objects=["site", "municipality", "scenario"])
    running = param.Boolean(default=False)
    step = param.String(default="")
    started = param.Number(default=0.0)
    pdf = param.Bytes(default=None, allow_None=True)
    filename = param.String(default="")
    error = param.String(default="")
    municipality = param.String(default="", doc="kommunenummer of a municipality report")
    store = param.Parameter(default=None, doc="the scenario store of a scenario report")
    scenario = param.String(default="", doc="name of the stored scenario of a scenario report")

    def __init__(self, **params):
        super().__init__(**params)
        s = self.state
        key = f"report.make_{self.kind}"
        self.button = pn.widgets.Button(
            label=s.t(key), color="primary", css_classes=[f"areal-report-make-{self.kind}"]
        )
        self.button.on_click(self._start)
        self.select = None
        if self.kind == "municipality":
            munis = s.data.municipalities()
            self.select = pn.widgets.Select(
                label=s.t("report.municipality"),
                options={v: k for k, v in munis.items()},
                value=self._default_municipality() or next(iter(munis), ""),
                css_classes=["areal-report-municipality"],
                sizing_mode="stretch_width",
            )
            self._picked = False  # the planner chose one: the map no longer decides
            self._following = False
            self.select.param.watch(self._on_pick, "value")
            s.param.watch(self._follow_map, ["municipality", "lat", "lon"])
        if self.kind == "scenario":
            self.button.disabled = not self.scenario
            self.param.watch(self._new_scenario, "scenario")

    def _default_municipality(self) -> str:
        """The municipality filtered on, else the one in the middle of the map ('' when neither)."""
        s = self.state
        if s.municipality:
            return s.municipality
        try:
            return s.data.municipality_at(s.lat, s.lon)
        except Exception:  # noqa: BLE001 - no municipality layer or a point off the grid: the first one
            return ""

    def _on_pick(self, _event) -> None:
        if not self._following:
            self._picked = True

    def _follow_map(self, *events) -> None:
        # a filter chosen always wins; otherwise the report follows the map until a pick of its own
        if self._picked and "municipality" not in {e.name for e in events}:
            return
        knr = self._default_municipality()
        if knr and knr in self.select.options.values() and knr != self.select.value:
            self._following = True
            try:
                self.select.value = knr
            finally:
                self._following = False

    def _new_scenario(self, event) -> None:
        # another scenario picked: the link of the last one goes, so it cannot be taken for this one
        self.button.disabled = not event.new
        if not self.running:
            self.param.update(pdf=None, filename="", error="")

    def _start(self, _event=None) -> None:
        if self.running:
            return
        knr = self.select.value if self.select is not None else ""
        scenario = None
        if self.kind == "scenario":
            if not self.scenario or self.store is None:
                return
            try:
                scenario = self.store.get(self.scenario)  # as saved now, read on the UI thread
            except Exception as exc:  # noqa: BLE001 - a scenario deleted meanwhile: said, app usable
                self.error = self.state.t("report.failed", msg=str(exc))
                return
        self.param.update(running=True, step="inputs", started=time.monotonic(), pdf=None, error="")
        doc = pn.state.curdoc

        def later(**kw):
            if doc is not None and doc.session_context is not None:
                doc.add_next_tick_callback(lambda: self.param.update(**kw))
            else:  # no browser session (tests): update directly
                self.param.update(**kw)

        def work():
            try:
                pdf, name = build_report(
                    self.kind, self.state, knr, step=lambda n: later(step=n), scenario=scenario
                )
                later(running=False, pdf=pdf, filename=name, step="")
            except Exception as exc:  # shown to the planner, the app stays usable
                later(running=False, error=self.state.t("report.failed", msg=str(exc)), step="")

        threading.Thread(target=work, daemon=True, name=f"areal-report-{self.kind}").start()

    def _status(self, running, step, pdf, error, lang):
        s = self.state
        if running:
            return pn.Column(
                pn.indicators.Progress(
                    active=True, sizing_mode="stretch_width", css_classes=["areal-report-progress"]
                ),
                pn.pane.Markdown(
                    f"{s.t('report.step.' + (step or 'inputs'))} ({s.t('report.wait')})",
                    css_classes=["areal-report-step"],
                ),
                sizing_mode="stretch_width",
            )
        if error:
            return pn.pane.Alert(error, alert_type="danger", css_classes=["areal-report-error"])
        if pdf:
            return pn.widgets.FileDownload(
                file=io.BytesIO(pdf),
                filename=self.filename,
                label=s.t("report.download", file=self.filename),
                button_type="success",
                embed=True,
                css_classes=[f"areal-report-download-{self.kind}"],
            )
        return pn.pane.HTML("", visible=False)

    def __panel__(self):
        s = self.state
        parts = [self.select] if self.select is not None else []
        parts += [
            self.button,
            pn.bind(
                self._status,
                self.param.running,
                self.param.step,
                self.param.pdf,
                self.param.error,
                s.param.lang,
            ),
        ]
        return pn.Column(*parts, sizing_mode="stretch_width", css_classes=[f"areal-report-{self.kind}"])
