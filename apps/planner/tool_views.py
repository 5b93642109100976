"""Thin Panel views over the analysis states in :mod:`areal.apps.planner.tools`.

Each view lays out widgets bound to its state and calls the state's methods; results come back
as parameters (frames, status) that the view renders. Nothing here reads files or analyses.
"""

from __future__ import annotations

import pandas as pd
import panel as pn
import param
from areal.apps.formatting import display_frame
from areal.apps.labels import layer_title, localise_conflicts
from areal.apps.planner.safe_text import esc, md_link
from areal.apps.planner.tools import ArenaState, ConflictState, IndicatorState, SuitabilityState, Tool
from areal.apps.planner.views import _table
from panel.viewable import Viewer


class ToolView(Viewer):
    """Base of the analysis views."""

    tool = param.ClassSelector(class_=Tool)
    title_key = ""

    @property
    def title(self) -> str:
        """Tab title in the session's language."""
        return self.tool.t(self.title_key)

    def _error(self, error):
        if not error:
            return pn.pane.HTML("", visible=False)
        return pn.pane.Alert(
            esc(error), alert_type="danger", sizing_mode="stretch_width", css_classes=["areal-error"]
        )


def _municipality_columns(frame: pd.DataFrame, lang: str, rules) -> pd.DataFrame:
    """The per-municipality conflict table with its pair and severity columns in words (figures formatted)."""
    from areal.apps.labels import SEVERITY_TITLES, pair_text, severity_title

    out = display_frame(frame, lang)
    unit = "ha"

    def title(col: str) -> str:
        if " × " in col:
            return f"{pair_text(col, lang, rules)} ({unit})"
        if col.endswith("_ha") and col[:-3] in SEVERITY_TITLES:
            return f"{severity_title(col[:-3], lang).capitalize()} ({unit})"
        return col

    return out.rename(columns=title)


def _slider_format(lang: str):
    """The weight a slider shows, two decimals with the language's decimal sign (``0,35`` in nb)."""
    from bokeh.models import CustomJSTickFormatter

    sep = "." if lang == "en" else ","
    return CustomJSTickFormatter(code=f"return tick.toFixed(2).replace('.', '{sep}');")


def _word(tool, group: str, value) -> str:
    """A code of the arena table in words (``arena.kind.test_bed`` -> "testbed"); unknown codes as given."""
    key = f"{group}.{value}"
    return tool.t(key) if key in _keys() else str(value)


def _md(text: str, css: str = "") -> pn.pane.Markdown:
    return pn.pane.Markdown(text, sizing_mode="stretch_width", css_classes=[css] if css else [])


# ---------------------------------------------------------------------- conflicts


class ConflictsView(ToolView):
    """Proposal, layers to test against, run; map overlay, pair table, per-municipality table."""

    tool = param.ClassSelector(class_=ConflictState)
    title_key = "conf.title"

    def __init__(self, **params):
        super().__init__(**params)
        s = self.tool
        titles = {sp.id: sp.title_in(s.app.lang) for sp in s.app.data.specs}
        self.proposal = pn.widgets.Select.from_param(
            s.param.proposal,
            label=s.t("conf.proposal"),
            options={
                (s.t("conf.proposal.site") if p == "site" else titles.get(p, p)): p
                for p in s.param.proposal.objects
            },
            sizing_mode="stretch_width",
        )
        self.against = pn.widgets.MultiChoice.from_param(
            s.param.against,
            label=s.t("conf.against"),
            options={layer_title(v, s.app.lang): v for v in s.param.against.objects},
            sizing_mode="stretch_width",
        )
        self.run = pn.widgets.Button(label=s.t("conf.run"), color="primary", css_classes=["areal-conf-run"])
        self.run.on_click(lambda _e: s.run())

    def __panel__(self):
        s = self.tool
        return pn.Column(
            self.proposal,
            self.against,
            pn.bind(self._municipality, s.app.param.municipality),
            self.run,
            pn.bind(self._error, s.param.error),
            pn.bind(self._result, s.param.result, s.param.running),
            sizing_mode="stretch_width",
            css_classes=["areal-conflicts-view"],
        )

    def _municipality(self, number):
        s = self.tool
        name = (
            s.app.data.municipalities().get(number, s.t("layers.municipality.all"))
            if number
            else s.t("layers.municipality.all")
        )
        return _md(f"*{s.t('conf.municipality', name=esc(name))}*")

    def _result(self, result, running):
        s = self.tool
        if running:
            return pn.Row(pn.indicators.LoadingSpinner(value=True, size=24), _md(s.t("conf.running")))
        if result is None:
            return _md("")
        n = len(result.polygons)
        parts = [
            _md(s.t("conf.summary", n=n, ha=result.total_ha(), s=s.elapsed_s), "areal-conf-summary"),
        ]
        if result.missing:
            parts.append(_md(f"*{s.t('conf.missing', layers=esc(', '.join(result.missing)))}*"))
        if n == 0:
            parts.append(_md(s.t("conf.none"), "areal-conf-none"))
            return pn.Column(*parts, sizing_mode="stretch_width")
        # pairs, severities, bases and the status (with its reason folded in) in words
        m = localise_conflicts(s.matrix_frame(), s.app.lang, result.rules)
        parts += [
            _md(f"#### {s.t('conf.pairs')}"),
            _table(m, s.app, "areal-conf-pairs"),
            _md(f"#### {s.t('conf.by_municipality')}"),
            _table(
                _municipality_columns(s.municipality_frame(), s.app.lang, result.rules),
                s.app,
                "areal-conf-munis",
            ),
            _md(f"*{s.t('conf.click')}*"),
        ]
        if s.app.mode == "planner":
            parts.append(
                pn.Row(
                    pn.widgets.FileDownload(
                        callback=s.csv_bytes,
                        filename="areal_conflicts.csv",
                        label=s.t("conf.download_csv"),
                        color="primary",
                    ),
                    pn.widgets.FileDownload(
                        callback=s.gpkg_bytes,
                        filename="areal_conflicts.gpkg",
                        label=s.t("conf.download_gpkg"),
                    ),
                )
            )
        return pn.Column(*parts, sizing_mode="stretch_width")


# ---------------------------------------------------------------------- suitability


class SuitabilityView(ToolView):
    """Profile, weight sliders, AHP editor; status, ranked sites, the selected site's details."""

    tool = param.ClassSelector(class_=SuitabilityState)
    title_key = "suit.title"

    def __init__(self, **params):
        super().__init__(**params)
        s = self.tool
        self.profile = pn.widgets.Select.from_param(
            s.param.profile,
            label=s.t("suit.profile"),
            options={
                (s.engines.profile(n).title_en if s.app.lang == "en" else s.engines.profile(n).title_nb): n
                for n in s.param.profile.objects
            },
            sizing_mode="stretch_width",
        )
        self.resolution = pn.widgets.RadioButtonGroup.from_param(
            s.param.resolution,
            label=s.t("suit.resolution"),
            options={f"{r:g} m": r for r in s.allowed_resolutions()},  # public: pre-built models only
        )
        self.table = pn.widgets.Tabulator(
            pd.DataFrame(),
            show_index=False,
            disabled=True,
            selectable=1,
            sizing_mode="stretch_width",
            height=260,
            css_classes=["areal-sites"],
            hidden_columns=["site_id"],  # kept for the row click, never shown
            layout="fit_data_table",
        )
        self.table.on_click(self._on_row)
        self.ahp_text = pn.widgets.TextAreaInput(
            label=s.t("suit.ahp"), height=110, sizing_mode="stretch_width", css_classes=["areal-ahp-text"]
        )
        self.ahp_button = pn.widgets.Button(label=s.t("suit.ahp_apply"), css_classes=["areal-ahp-apply"])
        self.ahp_button.on_click(self._on_ahp)
        self.reset = pn.widgets.Button(label=s.t("suit.reset"), color="light")
        self.reset.on_click(lambda _e: s.reset_weights())
        thr, lo, hi = s.limits()
        self.threshold = pn.widgets.FloatSlider(
            label=s.t("suit.threshold"),
            start=0.3,
            end=1.0,
            step=0.01,
            value=thr,
            format=_slider_format(s.app.lang),
            sizing_mode="stretch_width",
            css_classes=["areal-threshold"],
        )
        self.min_area = pn.widgets.IntInput(
            label=s.t("suit.min_area"),
            start=1,
            end=100_000,
            step=5,
            value=int(round(lo)),
            width=130,
            css_classes=["areal-min-area"],
        )
        self.max_area = pn.widgets.IntInput(
            label=s.t("suit.max_area"),
            start=1,
            end=100_000,
            step=10,
            value=None if hi is None else int(round(hi)),
            width=130,
            css_classes=["areal-max-area"],
        )
        self._syncing = False
        self.threshold.param.watch(lambda e: self._limit(threshold=e.new), "value_throttled")
        self.min_area.param.watch(lambda e: self._limit(min_area_ha=e.new), "value")
        self.max_area.param.watch(lambda e: self._limit(max_area_ha=e.new), "value")
        s.param.watch(self._sync_limits, ["profile", "threshold", "min_area_ha", "max_area_ha"])
        s.param.watch(self._fill_table, "version")
        s.app.param.watch(self._fill_table, "lang")
        self._fill_table()

    def _limit(self, **change) -> None:
        if self._syncing or any(v is None for v in change.values()):
            return
        self.tool.set_limits(**change)

    def _sync_limits(self, *_):
        # The widgets show the limits in use (a new profile's own, or a restored scenario's).
        thr, lo, hi = self.tool.limits()
        self._syncing = True
        try:
            self.threshold.value = thr
            self.min_area.value = int(round(lo))
            self.max_area.value = None if hi is None else int(round(hi))
        finally:
            self._syncing = False

    def _limits_card(self):
        s = self.tool
        return pn.Column(
            _md(f"#### {s.t('suit.limits')}"),
            self.threshold,
            pn.Row(self.min_area, self.max_area),
            _md(f"*{s.t('suit.limits_help')}*"),
            pn.bind(lambda e: self._error(e) if s.status != "error" else self._error(""), s.param.error),
            sizing_mode="stretch_width",
            css_classes=["areal-suit-limits"],
        )

    def _on_row(self, event) -> None:
        row = event.row
        if row is not None and 0 <= row < len(self.table.value):
            self.tool.select(int(self.table.value.iloc[row]["site_id"]))

    def _on_ahp(self, _event) -> None:
        rows = [
            r.replace(";", ",").replace("\t", ",")
            for r in self.ahp_text.value.strip().splitlines()
            if r.strip()
        ]
        matrix = [[v.strip() for v in (r.split(",") if "," in r else r.split())] for r in rows]
        self.tool.apply_ahp(matrix)

    def _fill_table(self, *_):
        s = self.tool
        df = display_frame(s.site_table(), s.app.lang)
        self.table.value = df.rename(
            columns={c: s.t(f"col.{c}") for c in df.columns if c != "site_id" and f"col.{c}" in _keys()}
        )

    def _sliders(self, profile, weights, lang=None):
        s = self.tool
        labels = s.labels()
        out = []
        for cid in s.criteria():
            sl = pn.widgets.FloatSlider(
                label=labels.get(cid, cid),
                format=_slider_format(s.app.lang),
                start=0.0,
                end=1.0,
                step=0.01,
                value=float(weights.get(cid, 0.0)),
                sizing_mode="stretch_width",
                css_classes=["areal-weight", f"areal-weight-{cid}"],
            )
            sl.param.watch(lambda e, c=cid: s.set_weight(c, e.new), "value_throttled")
            out.append(sl)
        order = ", ".join(labels.get(c, c) for c in s.criteria())
        if not self.ahp_text.value:
            self.ahp_text.placeholder = "\n".join(",".join("1" for _ in s.criteria()) for _ in s.criteria())
        return pn.Column(
            _md(f"#### {s.t('suit.weights')}"),
            *out,
            self.reset,
            pn.Card(
                _md(s.t("suit.ahp_help", order=order)),
                self.ahp_text,
                self.ahp_button,
                pn.bind(self._ahp_status, s.param.ahp_error, s.param.ahp_cr),
                title=s.t("suit.ahp"),
                collapsed=True,
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )

    def _notice(self, notice):
        if not notice:
            return pn.pane.HTML("", visible=False)
        return pn.pane.Alert(
            esc(notice), alert_type="info", sizing_mode="stretch_width", css_classes=["areal-suit-notice"]
        )

    def _ahp_status(self, error, cr):
        s = self.tool
        if error:
            return pn.pane.Alert(
                esc(error), alert_type="danger", css_classes=["areal-ahp-error"], sizing_mode="stretch_width"
            )
        if cr is not None:
            return _md(s.t("suit.ahp_ok", cr=cr), "areal-ahp-ok")
        return _md("")

    def _status(self, status, version, error, lang=None):
        s = self.tool
        if status == "building":
            return pn.Row(
                pn.indicators.LoadingSpinner(value=True, size=24),
                _md(s.t("suit.building", res=s.resolution), "areal-suit-building"),
            )
        if status == "error":
            return self._error(error)
        if status != "ready":
            return _md("")
        n = 0 if s.sites is None else len(s.sites)
        lines = [s.t("suit.updated", n=n, s=s.update_s)]
        skipped = s.skipped_words()
        if skipped:
            lines.append("*" + s.t("suit.skipped", what=esc("; ".join(skipped))) + "*")
        starter = s.starter_layers()
        if starter:
            names = ", ".join(layer_title(lid, s.app.lang) for lid in starter)
            lines.append("*" + s.t("suit.starter", layers=esc(names)) + "*")
        if n == 0:
            lines.append(s.t("suit.no_sites"))
        return _md("  \n".join(lines), "areal-suit-status")

    def _detail(self, selected, detail, lang=None):
        s = self.tool
        if not selected or not detail:
            return _md(f"*{s.t('suit.select')}*")
        parts = [
            _md(
                f"#### {s.t('suit.site', rank=detail['rank'], ha=detail['area_ha'])}\n{esc(detail['reasons'])}",
                "areal-site-detail",
            )
        ]
        st = detail.get("stability") or {}
        if st:
            parts.append(
                _md(
                    s.t(
                        "suit.stability",
                        med=st["mc_median_rank"],
                        iqr=st["mc_rank_iqr"],
                        top=st["mc_share_top_5"],
                        n=300,
                    )
                )
            )
        parts += [
            _md(f"**{s.t('suit.values')}**"),
            _table(detail["values"], s.app, "areal-site-values"),
            _md(f"**{s.t('suit.conflicts')}**"),
        ]
        conf = detail["conflicts"]
        if len(conf):
            conf = localise_conflicts(conf, s.app.lang)
            parts.append(
                _table(conf[["severity", "pair", "area_ha", "basis"]], s.app, "areal-site-conflicts")
            )
        else:
            parts.append(_md(s.t("conf.none")))
        return pn.Column(*parts, sizing_mode="stretch_width")

    def __panel__(self):
        s = self.tool
        downloads = []
        if s.app.mode == "planner":
            downloads = [
                pn.Row(
                    pn.widgets.FileDownload(
                        callback=s.cog_bytes,
                        filename="areal_suitability.tif",
                        label=s.t("suit.download_cog"),
                        color="primary",
                    ),
                    pn.widgets.FileDownload(
                        callback=s.gpkg_bytes, filename="areal_sites.gpkg", label=s.t("suit.download_gpkg")
                    ),
                )
            ]
        return pn.Column(
            self.profile,
            pn.Row(_md(s.t("suit.resolution")), self.resolution),
            pn.bind(self._notice, s.param.notice),
            pn.bind(self._sliders, s.param.profile, s.param.weights),
            self._limits_card(),
            pn.bind(self._status, s.param.status, s.param.version, s.param.error),
            self.table,
            pn.bind(self._detail, s.param.selected, s.param.detail),
            *downloads,
            sizing_mode="stretch_width",
            css_classes=["areal-suitability-view"],
        )


def _keys():
    from areal.apps.planner import i18n

    return i18n.NB


# ---------------------------------------------------------------------- test arenas


class ArenasView(ToolView):
    """Filters, list, details (with the source link); the map shows the filtered arenas."""

    tool = param.ClassSelector(class_=ArenaState)
    title_key = "arena.title"

    def __init__(self, **params):
        super().__init__(**params)
        s = self.tool
        allx = s.t("arena.all")
        self.filters = [
            pn.widgets.Select.from_param(
                s.param.sector,
                label=s.t("arena.sector"),
                options={allx: "", **{_word(s, "arena.sector", v): v for v in s.param.sector.objects if v}},
            ),
            pn.widgets.Select.from_param(
                s.param.arena_type,
                label=s.t("arena.type"),
                options={allx: "", **{_word(s, "arena.kind", v): v for v in s.param.arena_type.objects if v}},
            ),
            pn.widgets.Select.from_param(
                s.param.status,
                label=s.t("arena.status"),
                options={allx: "", **{s.t(f"arena.status.{v}"): v for v in s.param.status.objects if v}},
            ),
        ]
        self.table = pn.widgets.Tabulator(
            pd.DataFrame(),
            show_index=False,
            disabled=True,
            selectable=1,
            sizing_mode="stretch_width",
            height=300,
            css_classes=["areal-arenas-list"],
            hidden_columns=["id"],
            layout="fit_data_table",
        )
        self.table.on_click(self._on_row)
        s.param.watch(self._fill, ["sector", "arena_type", "status"])
        self._fill()

    def _fill(self, *_):
        if not self.tool.available():
            return
        df = display_frame(self.tool.table(), self.tool.app.lang)
        for col, group in (
            ("arena_type", "arena.kind"),
            ("status", "arena.status"),
            ("precision", "arena.precision"),
        ):
            if col in df.columns:
                df[col] = df[col].map(lambda v, g=group: _word(self.tool, g, v))
        self.table.value = df.rename(
            columns={c: self.tool.t(f"col.{c}") for c in df.columns if c != "id" and f"col.{c}" in _keys()}
        )

    def _on_row(self, event):
        if event.row is not None and 0 <= event.row < len(self.table.value):
            self.tool.selected = str(self.table.value.iloc[event.row]["id"])

    def _count(self, *_):
        return _md(self.tool.t("arena.count", n=len(self.tool.frame())), "areal-arena-count")

    def _details(self, selected):
        s = self.tool
        d = s.details(selected) if selected else {}
        if not d:
            return _md(f"*{s.t('arena.select')}*")
        status = d["status"] if f"arena.status.{d['status']}" in _keys() else ""
        rows = [
            f"#### {esc(d['name'])}",
            f"{s.t('arena.type')}: {esc(_word(s, 'arena.kind', d['arena_type']))} · {s.t('arena.status')}: "
            + (s.t("arena.status." + status) if status else esc(d["status"])),
            f"{s.t('arena.operator')}: {esc(d.get('operator', ''))}",
            f"{s.t('arena.can_test')}: {esc(d.get('can_test', ''))}",
            f"{s.t('arena.precision')}: "
            + (
                s.t("arena.precision_municipality")
                if d["precision"] == "municipality"
                else esc(_word(s, "arena.precision", d["precision"]))
            ),
            f"{s.t('arena.source')}: {md_link(d.get('source_title') or d['source_url'], d['source_url'])}",
        ]
        return _md("  \n".join(rows), "areal-arena-detail")

    def __panel__(self):
        s = self.tool
        if not s.available():
            return _md(f"*{s.t('site.not_available')}*")
        return pn.Column(
            *self.filters,
            pn.bind(self._count, s.param.sector, s.param.arena_type, s.param.status),
            self.table,
            pn.bind(self._details, s.param.selected),
            sizing_mode="stretch_width",
            css_classes=["areal-arenas"],
        )


# ---------------------------------------------------------------------- indicators and scenarios


class IndicatorView(ToolView):
    """Choropleth column, ranked table, a municipality's account (scenarios: :mod:`~areal.apps.planner.scenarios`)."""

    tool = param.ClassSelector(class_=IndicatorState)
    title_key = "ind.title"

    def __init__(self, **params):
        super().__init__(**params)
        s = self.tool
        titles = s.titles()
        self.column = pn.widgets.Select.from_param(
            s.param.column,
            label=s.t("ind.column"),
            options={titles.get(c, c): c for c in s.param.column.objects},
            sizing_mode="stretch_width",
        )
        munis = s.app.data.municipalities()
        self.muni = pn.widgets.Select.from_param(
            s.param.selected,
            label=s.t("ind.municipality"),
            options={"–": "", **{f"{n} ({k})": k for k, n in munis.items()}},
            sizing_mode="stretch_width",
        )

    def _ranked(self, column, lang):
        s = self.tool
        df = s.ranked().rename(columns={"value": s.titles().get(column, column)})
        why = s.reason()
        parts = [_md(f"*{s.t('site.not_available')}: {esc(why)}*", "areal-ind-na")] if why else []
        return pn.Column(*parts, _table(df, s.app, "areal-ind-ranked"), sizing_mode="stretch_width")

    def _account(self, selected, lang):
        s = self.tool
        if not selected:
            return _md(f"*{s.t('ind.click')}*")
        name = s.app.data.municipalities().get(selected, selected)
        return pn.Column(
            _md(f"#### {s.t('ind.account', name=esc(name))}"),
            _table(s.account_of(selected), s.app, "areal-ind-account"),
            sizing_mode="stretch_width",
        )

    def __panel__(self):
        s = self.tool
        return pn.Column(
            self.column,
            pn.bind(self._ranked, s.param.column, s.app.param.lang),
            self.muni,
            pn.bind(self._account, s.param.selected, s.app.param.lang),
            sizing_mode="stretch_width",
            css_classes=["areal-indicators"],
        )
