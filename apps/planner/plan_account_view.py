"""The app's arealregnskap view: a municipality, its current and proposed kommuneplan, the tables, the downloads.

State in :class:`PlanAccountState` (GUI-free, testable without a browser), the view
:class:`PlanAccountView` a function of it. The figures come from the one use case
:func:`areal.apps.usecases.plan_account.compute_plan_account`, so the app shows what
``areal plan-account`` prints and what the PDF holds.
"""

from __future__ import annotations

import html
import io
import tempfile
from pathlib import Path

import pandas as pd
import panel as pn
import param
from areal.apps import formatting as fmt
from areal.apps.planner.safe_text import esc, strip_paths
from areal.apps.planner.tools import Tool, _run
from areal.geo.errors import ArealError
from panel.viewable import Viewer

_T = {
    "nb": {
        "title": "Arealregnskap",
        "intro": "Arealreserve og endringer mellom gjeldende kommuneplan og et planforslag, etter arealformål "
        "og hva som ligger der i dag (AR5, ellers N50/N1000). Last opp begge planene (GML, SOSI, GeoPackage, "
        "GeoJSON) eller bruk plandatabasen.",
        "kommune": "Kommune",
        "current": "Gjeldende plan",
        "proposed": "Planforslag",
        "recordings": "Bruk plandatabasen (opptak)",
        "run": "Beregn arealregnskap",
        "busy": "Beregner …",
        "no_recording": "Plandatabasen krever innlogging (Norge digitalt); opptak finnes bare for {known}. "
        "Last opp planene for {kommune}.",
        "need_both": "Last opp både gjeldende plan og planforslag.",
        "error": "Kunne ikke lage arealregnskapet: {msg}",
        "csv": "Last ned CSV",
        "xlsx": "Last ned Excel",
        "pdf": "Last ned PDF",
        "source_upload": "opplastet",
        "source_db": "plandatabasen (opptak)",
        "map_new": "Nytt utbyggingsareal i planforslaget",
        "map_returned": "Tilbakeført til LNF",
        "map_removed": "Tatt ut til andre formål",
        "too_large": "{file}: {size} MB, mer enn grensen på {limit} MB.",
    },
    "en": {
        "title": "Land account",
        "intro": "Plan reserve and changes between the current municipal master plan and a proposal, by "
        "land-use purpose and by what lies there now (AR5, else N50/N1000). Upload both plans (GML, SOSI, "
        "GeoPackage, GeoJSON) or use the plan database.",
        "kommune": "Municipality",
        "current": "Current plan",
        "proposed": "Proposed plan",
        "recordings": "Use the plan database (recording)",
        "run": "Compute the land account",
        "busy": "Computing …",
        "no_recording": "The plan database needs a login (Norge digitalt); recordings exist only for {known}. "
        "Upload the plans of {kommune}.",
        "need_both": "Upload both the current and the proposed plan.",
        "error": "Could not make the land account: {msg}",
        "csv": "Download CSV",
        "xlsx": "Download Excel",
        "pdf": "Download PDF",
        "source_upload": "uploaded",
        "source_db": "plan database (recording)",
        "map_new": "New development land in the proposal",
        "map_returned": "Returned to LNF",
        "map_removed": "Removed to other purposes",
        "too_large": "{file}: {size} MB, more than the limit of {limit} MB.",
    },
}

CHANGE_COLOURS = {"new": "#c62828", "returned_lnf": "#2e7d32", "removed_other": "#ef6c00"}
"""Map colours: new development land red, returned to LNF green, taken out for other purposes orange."""

ACCEPTED = (".gml", ".sos", ".sosi", ".gpkg", ".geojson", ".json", ".zip")


class PlanAccountState(Tool):
    """Which plans, for which municipality, and the account made of them."""

    kommune = param.String(default="5001", doc="municipality number the account is for")
    current = param.Parameter(default=None, doc="the current plan: (name, bytes) of an upload, or a Path")
    proposed = param.Parameter(default=None, doc="the proposed plan: (name, bytes) of an upload, or a Path")
    source = param.String(default="", doc="'upload' or 'recording'")
    result = param.Parameter(default=None, doc="the PlanAccountResult, or None")
    running = param.Boolean(default=False)
    data_dir = param.Parameter(default=None, doc="data directory (None: the configured one)")

    def tr(self, key: str, **values) -> str:
        """A phrase of this view in the session's language."""
        return _T.get(self.app.lang, _T["nb"])[key].format(**values)

    def municipalities(self) -> dict[str, str]:
        """``{"Trondheim (5001)": "5001", ...}`` from the app's municipality layer."""
        munis = self.app.data.layers.get("municipalities")
        if munis is None:
            return {self.kommune: self.kommune}
        rows = (
            munis[["kommunenummer", "kommunenavn"]].astype(str).drop_duplicates().sort_values("kommunenavn")
        )
        return {f"{n} ({k})": k for k, n in rows.itertuples(index=False)}

    def set_upload(self, which: str, data: bytes | None, filename: str) -> None:
        """Keep an uploaded plan (``which``: ``"current"`` or ``"proposed"``)."""
        from areal.layers.upload import PLANNER_LIMITS, safe_name

        if not data:
            return
        name = safe_name(filename or "plan")
        limit = PLANNER_LIMITS.max_bytes
        if len(data) > limit:
            # refused before anything is parsed (the planner mode's upload limit)
            setattr(self, which, None)
            self.param.update(
                result=None,
                error=self.tr(
                    "too_large",
                    file=name,
                    size=fmt.number(len(data) / 1024**2, 1, self.app.lang),
                    limit=fmt.number(limit / 1024**2, 0, self.app.lang),
                ),
            )
            return
        setattr(self, which, (name, bytes(data)))
        self.param.update(source="upload", result=None, error="")

    def use_recordings(self) -> bool:
        """Take the plan database recordings of the chosen municipality; False (with a message) if none."""
        from areal.apps.usecases.plan_account import plan_database_recordings

        rec = plan_database_recordings(self.kommune)
        if rec is None:
            names = {v: k for k, v in self.municipalities().items()}
            self.param.update(
                error=self.tr(
                    "no_recording",
                    known=names.get("5001", "5001"),
                    kommune=names.get(self.kommune, self.kommune),
                ),
                result=None,
            )
            return False
        self.param.update(current=rec[0], proposed=rec[1], source="recording", error="", result=None)
        return True

    def run(self) -> None:
        """Compute the account (off the UI thread when an executor is set)."""
        if self.current is None or self.proposed is None:
            self.error = self.tr("need_both")
            return
        self.param.update(running=True, error="")
        cur, prop, kommune = self.current, self.proposed, self.kommune

        def work():
            from areal.apps.usecases.plan_account import compute_plan_account

            try:
                with tempfile.TemporaryDirectory(prefix="areal-plan-") as tmp:
                    paths, names = [], []
                    for i, plan in enumerate((cur, prop)):
                        if isinstance(plan, tuple):
                            # a fixed file name: the browser's name is only shown, never a path
                            p = Path(tmp) / f"plan{i}.bin"
                            p.write_bytes(plan[1])
                            paths.append(p)
                            names.append(plan[0])
                        else:
                            paths.append(Path(plan))
                            names.append(Path(plan).name)
                    res = compute_plan_account(
                        paths[0], paths[1], kommune=kommune, data_dir=self.data_dir, names=tuple(names)
                    )
            except (ArealError, ValueError) as exc:
                self.param.update(running=False, error=self.tr("error", msg=strip_paths(str(exc))))
                return
            self.param.update(result=res, running=False)
            self.show_changes()

        _run(self.executor, work, lambda exc: self.param.update(running=False, error=str(exc)))

    def show_changes(self) -> None:
        """Put the new and the returned areas of the account on the map (fitted to them)."""
        from areal.apps.planner import mapping
        from areal.apps.usecases.plan_account import formal_title

        if self.result is None:
            return
        lang = self.app.lang
        ch = self.result.account.changes(self.kommune)
        if len(ch) == 0:
            self.app.clear_overlay("plan_account")
            return
        label = {
            "new": self.tr("map_new"),
            "returned_lnf": self.tr("map_returned"),
            "removed_other": self.tr("map_removed"),
        }
        props = [
            {
                "_color": CHANGE_COLOURS[r.change],
                "_tip": f"{label[r.change]} · {formal_title(r.arealformal, lang)} · {fmt.area_ha(r.area_ha, lang)}",
                "_popup": [
                    [self.tr("title"), label[r.change]],
                    [self.tr("kommune"), r.kommunenummer],
                    [
                        "Arealformål" if lang == "nb" else "Land-use purpose",
                        formal_title(r.arealformal, lang),
                    ],
                    ["ha", fmt.number(r.area_ha, 1, lang)],
                ],
            }
            for r in ch.itertuples()
        ]
        self.app.set_overlay(
            "plan_account",
            {
                "kind": "geojson",
                "geojson": mapping.frame_geojson(ch[["geometry"]], props, tolerance_m=1.0),
                "title": self.tr("title"),
                "legend": [
                    {"label": label[k], "color": c}
                    for k, c in CHANGE_COLOURS.items()
                    if (ch["change"] == k).any()
                ],
                "fit": True,
            },
        )

    # downloads: the same writers as the CLI
    def csv_bytes(self) -> io.BytesIO:
        """The long CSV of the account."""
        from areal.apps.usecases.plan_account import write_csv

        with tempfile.TemporaryDirectory() as tmp:
            return io.BytesIO(write_csv(self.result, Path(tmp) / "a.csv", self.app.lang).read_bytes())

    def xlsx_bytes(self) -> io.BytesIO:
        """The workbook (one sheet per table)."""
        from areal.apps.usecases.plan_account import write_xlsx

        with tempfile.TemporaryDirectory() as tmp:
            return io.BytesIO(write_xlsx(self.result, Path(tmp) / "a.xlsx", self.app.lang).read_bytes())

    def pdf_bytes(self) -> io.BytesIO:
        """The PDF."""
        from areal.apps.usecases.plan_account import render_pdf

        return io.BytesIO(render_pdf(self.result, self.app.lang))


class PlanAccountView(Viewer):
    """The sidebar tab: pick a municipality, give the two plans, read the tables, download them."""

    tool = param.ClassSelector(class_=PlanAccountState)

    @property
    def title(self) -> str:
        """The tab's title."""
        return self.tool.tr("title")

    def __init__(self, **params):
        super().__init__(**params)
        t = self.tool
        opts = t.municipalities()
        self.kommune = pn.widgets.Select(
            label=t.tr("kommune"),
            options=opts,
            value=t.kommune if t.kommune in opts.values() else next(iter(opts.values())),
            sizing_mode="stretch_width",
            css_classes=["areal-pa-kommune"],
        )
        self.kommune.param.watch(self._kommune_changed, "value")
        t.kommune = self.kommune.value
        self.up_current = pn.widgets.FileInput(accept=",".join(ACCEPTED), css_classes=["areal-pa-current"])
        self.up_proposed = pn.widgets.FileInput(accept=",".join(ACCEPTED), css_classes=["areal-pa-proposed"])
        self.up_current.param.watch(
            lambda e: t.set_upload("current", e.new, self.up_current.filename), "value"
        )
        self.up_proposed.param.watch(
            lambda e: t.set_upload("proposed", e.new, self.up_proposed.filename), "value"
        )
        self.recordings = pn.widgets.Button(
            label=t.tr("recordings"), color="light", css_classes=["areal-pa-recordings"]
        )
        self.recordings.on_click(lambda _e: t.use_recordings() and t.run())
        self.run_button = pn.widgets.Button(label=t.tr("run"), color="primary", css_classes=["areal-pa-run"])
        self.run_button.on_click(lambda _e: t.run())
        t.app.param.watch(self._relabel, "lang")

    def _kommune_changed(self, event) -> None:
        # another municipality: the old account and its map overlay no longer apply
        self.tool.param.update(kommune=event.new, result=None, error="")
        self.tool.app.clear_overlay("plan_account")

    def _relabel(self, _event=None) -> None:
        t = self.tool
        self.kommune.label = t.tr("kommune")
        self.recordings.label = t.tr("recordings")
        self.run_button.label = t.tr("run")

    def _status(self, running, error, _lang):
        if running:
            return pn.pane.Markdown(f"*{self.tool.tr('busy')}*", css_classes=["areal-pa-busy"])
        if error:
            return pn.pane.Alert(esc(error), alert_type="danger", css_classes=["areal-pa-error"])
        return pn.pane.HTML("", visible=False)

    def _result(self, result, lang):
        from areal.apps.usecases.plan_account import TABLE_TITLES, co2_table, display_table, note_text, text
        from areal.geo.plan_account import TABLES

        if result is None:
            return pn.pane.HTML("", visible=False)
        t = self.tool
        src = t.tr("source_db") if t.source == "recording" else t.tr("source_upload")
        parts = [
            pn.pane.Markdown(
                f"**{esc(result.municipality_title(t.kommune, lang))}** · "
                f"{esc(result.current_name)} → {esc(result.proposed_name)} ({src})",
                css_classes=["areal-pa-head"],
            )
        ]
        for kind in TABLES:
            parts.append(pn.pane.Markdown(f"#### {TABLE_TITLES[lang][kind]} (ha)"))
            parts.append(_html_table(display_table(result, kind, t.kommune, lang), f"areal-pa-{kind}"))
        parts.append(pn.pane.Markdown(f"#### {TABLE_TITLES[lang]['co2']} (t CO₂)"))
        parts.append(_html_table(co2_table(result, t.kommune, lang), "areal-pa-co2"))
        parts.append(pn.pane.Markdown(f"*{esc(text('co2_note', lang))}*"))
        parts.append(
            pn.pane.Markdown(f"*{esc(result.provenance(lang))}*", css_classes=["areal-pa-provenance"])
        )
        for note in result.account.notes + result.warnings:
            parts.append(pn.pane.Markdown(f"*{esc(note_text(note, lang))}*"))
        parts.append(
            pn.Row(
                pn.widgets.FileDownload(
                    callback=t.csv_bytes, filename="arealregnskap.csv", label=t.tr("csv"), color="primary"
                ),
                pn.widgets.FileDownload(
                    callback=t.xlsx_bytes, filename="arealregnskap.xlsx", label=t.tr("xlsx")
                ),
                pn.widgets.FileDownload(
                    callback=t.pdf_bytes, filename="arealregnskap.pdf", label=t.tr("pdf")
                ),
                css_classes=["areal-pa-downloads"],
            )
        )
        return pn.Column(*parts, sizing_mode="stretch_width", css_classes=["areal-pa-result"])

    def __panel__(self):
        t = self.tool
        app = t.app
        return pn.Column(
            pn.bind(lambda _l: pn.pane.Markdown(t.tr("intro")), app.param.lang),
            self.kommune,
            pn.bind(lambda _l: pn.pane.Markdown(f"**{t.tr('current')}**"), app.param.lang),
            self.up_current,
            pn.bind(lambda _l: pn.pane.Markdown(f"**{t.tr('proposed')}**"), app.param.lang),
            self.up_proposed,
            pn.Row(self.run_button, self.recordings),
            pn.bind(self._status, t.param.running, t.param.error, app.param.lang),
            pn.bind(self._result, t.param.result, app.param.lang),
            sizing_mode="stretch_width",
            css_classes=["areal-plan-account"],
        )


def _html_table(df: pd.DataFrame, css: str):
    """A compact HTML table (first column text, numbers right-aligned, the sum row bold), scrolling sideways."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    for i, row in enumerate(df.itertuples(index=False)):
        cells = "".join(
            f"<td style='text-align:{'left' if j == 0 else 'right'};white-space:nowrap'>{html.escape(str(v))}</td>"
            for j, v in enumerate(row)
        )
        style = " style='font-weight:600'" if i == len(df) - 1 else ""
        rows.append(f"<tr{style}>{cells}</tr>")
    doc = (
        f"<div style='overflow-x:auto'><table class='{css}' style='border-collapse:collapse;font-size:12px'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
    return pn.pane.HTML(doc, sizing_mode="stretch_width", css_classes=[css])
