"""The "Arealanalyse" tab: the session's drawn or uploaded area analysed per dataset in a context.

:class:`AnalysisState` holds the choices (context, buffer) and the result; it runs
:func:`areal.apps.usecases.analysis.run_area_analysis` on the session's site with the layers the
server has loaded (a layer the server lacks is "ikke kartlagt"). :class:`AnalysisView` lays out
the widgets and shows :func:`~areal.apps.usecases.analysis.display_rows`, the rows the CLI and the
PDF show, so the hectares are the same digit for digit.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import panel as pn
import param
from areal.apps.planner.safe_text import esc
from areal.apps.planner.state import PlannerState
from areal.apps.usecases.analysis import (
    COLUMN_TITLES,
    display_rows,
    load_contexts,
    run_area_analysis,
    summary_line,
)
from areal.geo.area_analysis import AreaAnalysis
from areal.geo.errors import ArealError
from panel.viewable import Viewer

TAB_KEY = "analysis"
"""The ``tab=`` value of the tab."""

TEXT = {
    "nb": {
        "title": "Arealanalyse",
        "intro": "Analyser området du har tegnet eller lastet opp mot hvert datasett i en plankontekst "
        "(som DOK-arealanalyse): status, areal og andel med treff, avstand, lovgrunnlag og veiledning.",
        "context": "Kontekst",
        "buffer": "Buffer (m)",
        "run": "Analyser området",
        "running": "Analyserer …",
        "no_site": "Tegn, klikk eller last opp et område i fanen «Sjekk område» først.",
        "error": "Analysen feilet: {msg}",
        "hits": "Treff: lovgrunnlag og veiledning",
    },
    "en": {
        "title": "Area analysis",
        "intro": "Analyse the area you drew or uploaded against every dataset in a planning context "
        "(like DOK-arealanalyse): status, area and share hit, distance, legal basis and guidance.",
        "context": "Context",
        "buffer": "Buffer (m)",
        "run": "Analyse the area",
        "running": "Analysing …",
        "no_site": "Draw, click or upload an area in the 'Check site' tab first.",
        "error": "The analysis failed: {msg}",
        "hits": "Hits: legal basis and guidance",
    },
}

TABLE_COLUMNS = ("title", "status", "area", "share", "distance")
"""Columns of the tab's table (the sidebar is narrow; buffer, zone and data quality follow per hit)."""


class AnalysisState(param.Parameterized):
    """Context, buffer and the result of the session's area analysis."""

    app = param.ClassSelector(class_=PlannerState, doc="the session state (site, language, layers)")
    context = param.Selector(
        default="reguleringsplan", objects=["reguleringsplan"], doc="analysis context id"
    )
    buffer_m = param.Number(default=0.0, bounds=(0.0, 5000.0), doc="buffer around the area (m)")
    result = param.ClassSelector(class_=AreaAnalysis, default=None, allow_None=True, doc="the last result")
    running = param.Boolean(default=False)
    error = param.String(default="", doc="the last error message ('' = none)")
    executor = param.Callable(
        default=None, allow_None=True, doc="runs the work off the event loop (None: inline)"
    )

    def __init__(self, **params):
        from areal.layers.project_data import load_rules

        context = params.pop("context", None)  # valid once the contexts are read
        super().__init__(**params)
        self.rules = load_rules()
        self.contexts = load_contexts(rules=self.rules)
        self.param.context.objects = list(self.contexts.contexts)
        if context is not None:
            self.context = context

    def text(self, key: str, **values) -> str:
        """Text of the tab in the session's language."""
        return TEXT["en" if self.app.lang == "en" else "nb"][key].format(**values)

    def context_titles(self) -> dict[str, str]:
        """Context title (in the session's language) -> id, for the selector."""
        en = self.app.lang == "en"
        return {(c.title_en if en else c.title_nb): c.id for c in self.contexts.contexts.values()}

    def run(self) -> None:
        """Analyse the session's site (on the executor when there is one)."""
        site = self.app.site
        if site is None or len(site) == 0:
            self.error = self.text("no_site")
            return
        self.param.update(running=True, error="")

        def work():
            try:
                res = run_area_analysis(
                    site,
                    self.context,
                    buffer_m=float(self.buffer_m),
                    layers=self.app.data.layers,
                    rules=self.rules,
                    contexts=self.contexts,
                    load=False,
                )
            except (ArealError, ValueError) as exc:
                self.param.update(running=False, error=self.text("error", msg=str(exc).splitlines()[0]))
                return
            self.param.update(result=res, running=False)

        if self.executor is None:
            work()
        else:
            self.executor(work)

    def rows(self) -> list[dict[str, str]]:
        """The displayed rows of the result (empty before a run)."""
        if self.result is None:
            return []
        return display_rows(self.result, self.rules, self.app.lang)

    def table(self) -> pd.DataFrame:
        """The status table as shown: one row per dataset, titled columns."""
        i = 1 if self.app.lang == "en" else 0
        rows = self.rows()
        return pd.DataFrame(
            [[r[c] for c in TABLE_COLUMNS] for r in rows],
            columns=[COLUMN_TITLES[c][i] for c in TABLE_COLUMNS],
        )


class AnalysisView(Viewer):
    """Context, buffer, run; then the summary, the status table and the guidance for each hit."""

    tool = param.ClassSelector(class_=AnalysisState)

    @property
    def title(self) -> str:
        """Tab title in the session's language."""
        return self.tool.text("title")

    def __init__(self, **params):
        super().__init__(**params)
        s = self.tool
        self.context = pn.widgets.Select.from_param(
            s.param.context, label=s.text("context"), options=s.context_titles(), sizing_mode="stretch_width"
        )
        self.buffer = pn.widgets.FloatInput.from_param(
            s.param.buffer_m, label=s.text("buffer"), step=50, sizing_mode="stretch_width"
        )
        self.run = pn.widgets.Button(label=s.text("run"), color="primary", css_classes=["areal-analysis-run"])
        self.run.on_click(lambda _e: s.run())
        s.app.param.watch(self._relabel, "lang")

    def _relabel(self, _event=None) -> None:
        """Widget texts in the new language (the table follows through its binding)."""
        s = self.tool
        self.context.param.update(options=s.context_titles(), label=s.text("context"))
        self.buffer.label = s.text("buffer")
        self.run.label = s.text("run")

    def __panel__(self):
        s = self.tool
        return pn.Column(
            pn.pane.Markdown(esc(s.text("intro")), sizing_mode="stretch_width"),
            self.context,
            self.buffer,
            self.run,
            pn.bind(self._error, s.param.error),
            pn.bind(self._result, s.param.result, s.param.running, s.app.param.lang),
            sizing_mode="stretch_width",
            css_classes=["areal-analysis-view"],
        )

    def _error(self, error):
        if not error:
            return pn.pane.HTML("", visible=False)
        return pn.pane.Alert(
            esc(error), alert_type="danger", sizing_mode="stretch_width", css_classes=["areal-error"]
        )

    def _result(self, result, running, _lang=None):
        s = self.tool
        if running:
            return pn.Row(
                pn.indicators.LoadingSpinner(value=True, size=24), pn.pane.Markdown(s.text("running"))
            )
        if result is None:
            return pn.pane.HTML("", visible=False)
        lang = s.app.lang
        parts = [
            pn.pane.Markdown(
                f"**{esc(summary_line(result, lang))}**",
                sizing_mode="stretch_width",
                css_classes=["areal-analysis-summary"],
            ),
            pn.pane.DataFrame(
                s.table(),
                index=False,
                escape=True,
                sizing_mode="stretch_width",
                css_classes=["areal-analysis-table"],
                stylesheets=[_TABLE_CSS],
            ),
        ]
        hits = [r for r in s.rows() if r["status_id"] in ("hit_red", "hit_yellow")]
        if hits:
            basis_t, guide_t = COLUMN_TITLES["basis"][lang == "en"], COLUMN_TITLES["guidance"][lang == "en"]
            lines = [f"**{esc(s.text('hits'))}**"]
            for r in hits:
                lines.append(
                    f"- **{esc(r['title'])}** ({esc(r['status'])}; {esc(_extent(r, lang))}): "
                    f"{esc(guide_t)}: {esc(r['guidance'])} *{esc(basis_t)}: {esc(r['basis'])}*"
                )
            parts.append(
                pn.pane.Markdown(
                    "\n".join(lines), sizing_mode="stretch_width", css_classes=["areal-analysis-hits"]
                )
            )
        return pn.Column(*parts, sizing_mode="stretch_width")


def _extent(r: dict, lang: str) -> str:
    """Area, buffer, zone and data quality of a hit, in one line."""
    t = 1 if lang == "en" else 0
    parts = [f"{COLUMN_TITLES[k][t].lower()} {r[k]}" for k in ("area", "buffer", "zone") if r[k] != "–"]
    parts.append(f"{COLUMN_TITLES['quality'][t].lower()} {r['quality']}")
    return ", ".join(parts)


_TABLE_CSS = """
:host { display: block; max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; font-size: 12px; width: 100%; }
td, th { vertical-align: top; padding: 2px 4px; text-align: left; }
td:first-child, th:first-child { overflow-wrap: anywhere; text-align: left !important; }
td:not(:first-child), th:not(:first-child) { white-space: nowrap; text-align: right; }
"""


def analysis_view(app: PlannerState, executor: Callable | None = None) -> AnalysisView:
    """The tab's view over a new state for the session ``app``."""
    return AnalysisView(tool=AnalysisState(app=app, executor=executor))
