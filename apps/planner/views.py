"""Thin Panel views over :class:`~areal.apps.planner.state.PlannerState`.

Each view only lays out widgets bound to the state and calls the state's methods; all logic is
in the state and in :mod:`geo`. Later views (conflicts, suitability) subclass :class:`View` the
same way and are added to :class:`areal.apps.planner.app.App`.
"""

from __future__ import annotations

import io
from html import escape

import pandas as pd
import panel as pn
import param
from areal.apps.formatting import column_number
from areal.apps.labels import data_scale, localise_conflicts
from areal.apps.planner import i18n, mapping
from areal.apps.planner.bridge import MapFrame
from areal.apps.planner.safe_text import esc
from areal.apps.planner.site_kind import kind_select, not_mapped_note
from areal.apps.planner.state import PlannerState
from areal.geo.sitecheck import SiteReport
from areal.layers.upload import ACCEPTED
from panel.viewable import Viewer


class View(Viewer):
    """Base of all views: holds the shared state."""

    state = param.ClassSelector(class_=PlannerState, doc="the session state")


# ---------------------------------------------------------------------- map


OVERLAY_TABS = {
    "conflicts": "conflicts",
    "suitability": "suitability",
    "sites": "suitability",
    "arenas": "arenas",
    "indicator": "indicators",
}
"""Analysis overlay id -> the tab it belongs to: an overlay leaves the map with its tab and comes
back when the tab is opened again (overlays of no tab stay)."""


class MapView(View):
    """The folium map in its bridge frame; rebuilt only when the language changes.

    Whenever the map document says "ready" (first load, a rebuild, a reload) it is sent the whole
    current state: the site with its popup and the overlays of the open tab. So a shared link
    whose suitability model or site check finishes before the map has loaded still draws them.
    """

    def __init__(self, **params):
        super().__init__(**params)
        self.frame = MapFrame(html=self.build_html(), sizing_mode="stretch_both", min_height=480)
        self.frame.param.watch(self._on_event, "event")
        self.state.param.watch(self._on_rebuild, "map_version")
        self.state.param.watch(self._on_site, "site")
        self.state.param.watch(self._on_municipality, "municipality")
        self.state.param.watch(self._on_visible, "visible")
        self.state.param.watch(self._on_overlays, "overlays")
        self.state.param.watch(self._on_tab, "tab")

    def build_html(self) -> str:
        """The map document for the current state."""
        s, data = self.state, self.state.data
        # The view (centre, zoom) comes from the state, i.e. from the URL on opening: the
        # municipality filter does not move it here (selecting one later does).
        m = mapping.build_map(
            data.layers,
            data.specs,
            lang=s.lang,
            visible=s.visible,
            centre=(s.lat, s.lon),
            zoom=s.zoom,
            unavailable=s.available_reasons(),
            rasters=data.raster_bounds(),
            site=s.site,
            site_popup=self.site_popup(),
            site_fit=not s.site_source.startswith("link"),  # a link brings its own view
            municipality=s.municipality,
            base=s.base,
            draw=True,
        )
        return mapping.map_html(m)

    def site_popup(self) -> list[list[str]]:
        """Rows of the popup a click inside the site opens: area, municipalities, source."""
        s, rep = self.state, self.state.report
        if rep is None:
            return []
        rows = []
        if rep.family == "polygon":
            rows.append(
                [s.t("site.area"), s.t("site.area_value", m2=rep.area_m2, daa=rep.area_daa, ha=rep.area_ha)]
            )
        munis = ", ".join(str(n) for n in rep.municipalities["kommunenavn"])
        if munis:
            rows.append([s.t("site.municipality"), munis])
        return rows

    def shown_overlays(self, overlays: dict | None = None, tab: str | None = None) -> dict:
        """The overlays of the open tab (and those that belong to no tab)."""
        overlays = self.state.overlays if overlays is None else overlays
        tab = self.state.tab if tab is None else tab
        return {k: v for k, v in overlays.items() if OVERLAY_TABS.get(k, tab) == tab}

    def _on_event(self, event) -> None:
        if isinstance(event.new, dict) and event.new.get("type") == "ready":
            self._resync()
        self.state.handle_map_event(event.new)

    def _resync(self) -> None:
        cmds = [{"type": "overlay", "overlay": {"id": k, **v}} for k, v in self.shown_overlays().items()]
        if self.state.site is not None:
            cmds.insert(0, self._site_command(fit=False))
        if cmds:
            self.frame.send_batch(cmds)

    def _on_rebuild(self, _event=None) -> None:
        self.frame.html = self.build_html()  # the new document says "ready": overlays follow

    def _on_overlays(self, event) -> None:
        old, new = self.shown_overlays(event.old or {}), self.shown_overlays(event.new or {})
        cmds = [{"type": "clear_overlay", "id": k} for k in old if k not in new]
        cmds += [
            {"type": "overlay", "overlay": {"id": k, **v}} for k, v in new.items() if old.get(k) is not v
        ]
        if cmds:
            self.frame.send_batch(cmds)

    def _on_tab(self, event) -> None:
        old = self.shown_overlays(tab=event.old)
        new = self.shown_overlays(tab=event.new)
        cmds = [{"type": "clear_overlay", "id": k} for k in old if k not in new]
        cmds += [{"type": "overlay", "overlay": {"id": k, **v}} for k, v in new.items() if k not in old]
        if cmds:
            self.frame.send_batch(cmds)

    def _site_command(self, fit: bool) -> dict:
        return {
            "type": "site",
            "geojson": mapping.site_geojson(self.state.site),
            "fit": fit,
            "popup": self.site_popup(),
        }

    def _on_site(self, event) -> None:
        if event.new is None:
            self.frame.send("clear_site")
            return
        fit = self.state.site_source.startswith(("upload:", "scenario:"))
        self.frame.send_batch([self._site_command(fit)])

    def _on_municipality(self, event) -> None:
        bounds = self.state.data.municipality_bounds(event.new) if event.new else None
        self.frame.send("municipality", kommune=event.new, bounds=bounds)

    def _on_visible(self, event) -> None:
        self.frame.send("visible", visible=list(event.new))

    def __panel__(self):
        return self.frame


# ---------------------------------------------------------------------- layers, credits, language


class LayerPanel(View):
    """Municipality filter, the credits of the visible layers and the unavailable layers."""

    def __panel__(self):
        s = self.state
        munis = s.data.municipalities()
        options = {s.t("layers.municipality.all"): ""} | {
            f"{name} ({num})": num for num, name in munis.items()
        }
        select = pn.widgets.Select.from_param(
            s.param.municipality,
            options=options,
            name=s.t("layers.municipality"),
            sizing_mode="stretch_width",
        )
        return pn.Column(
            select,
            pn.bind(self._credits, s.param.visible, s.param.lang),
            pn.bind(self._unavailable, s.param.lang),
            sizing_mode="stretch_width",
        )

    def _credits(self, visible, lang) -> pn.viewable.Viewable:
        rows = self.state.credits()
        lines = [f"**{self.state.t('layers.credits')}**"] + [
            f"- {esc(title)}: {esc(attr)} — {esc(lic)}" for title, attr, lic in rows
        ]
        return pn.pane.Markdown("\n".join(lines), sizing_mode="stretch_width", css_classes=["areal-credits"])

    def _unavailable(self, lang) -> pn.viewable.Viewable:
        s = self.state
        reasons = s.available_reasons()
        titles = {sp.id: sp.title_in(lang) for sp in s.data.specs}
        n_total = sum(1 for sp in s.data.specs if sp.kind != "table")
        n_avail = len(s.data.layers) + len(s.data.rasters)
        # Escaped text, once per layer: the reasons hold commands and ids (`areal fetch ar5`,
        # business_areas) that Markdown would turn into code spans and emphasis.
        html = [f"<p><i>{escape(s.t('layers.available', n=n_avail, total=n_total))}</i></p>"]
        if reasons:
            html.append(f"<p><b>{escape(s.t('layers.unavailable'))}</b></p><ul class='areal-reasons'>")
            for lid, why in reasons.items():
                # "mangler i datamappen: <the loader's instruction>": the instruction is a developer's
                # command line in English, folded away and marked lang="en" for readers and tests
                head, _, detail = why.partition(": ")
                more = (
                    f" <details lang='en' class='areal-howto'><summary lang='{lang}'>"
                    f"{escape(s.t('layers.howto'))}</summary><span class='areal-cmd'>{escape(detail)}</span></details>"
                    if detail
                    else ""
                )
                html.append(f"<li><b>{escape(titles.get(lid, lid))}</b>: {escape(head)}{more}</li>")
            html.append("</ul>")
        return pn.pane.HTML(
            "".join(html),
            sizing_mode="stretch_width",
            css_classes=["areal-unavailable-list"],
            stylesheets=[
                ".areal-reasons{padding-left:18px;overflow-wrap:anywhere;font-size:12px}"
                ".areal-cmd{font-family:monospace;font-size:11px}"
            ],
        )


class LanguageSwitch(View):
    """Norsk / English."""

    def __panel__(self):
        return pn.widgets.RadioButtonGroup.from_param(
            self.state.param.lang,
            options={"Norsk": "nb", "English": "en"},
            label="",
            variant="outline",
            width=160,
        )


# ---------------------------------------------------------------------- site check


def _conflict_list(frame: pd.DataFrame, state: PlannerState) -> pn.pane.HTML:
    """The site's conflicts as blocks (severity, pair, hectares; legal basis; explanation), escaped."""
    from areal.apps.formatting import area_ha

    items = []
    for r in frame.to_dict("records"):
        head = " · ".join(
            escape(str(v))
            for v in (r.get("severity"), r.get("pair"), area_ha(r.get("area_ha"), state.lang))
            if v not in (None, "")
        )
        rows = [f"<div class='areal-conf-head'><b>{head}</b></div>"]
        for col in ("basis", "explanation"):
            if r.get(col):
                rows.append(f"<div><i>{escape(state.t('col.' + col))}:</i> {escape(str(r[col]))}</div>")
        items.append(f"<li>{''.join(rows)}</li>")
    return pn.pane.HTML(
        f"<ul class='areal-conf-list'>{''.join(items)}</ul>",
        sizing_mode="stretch_width",
        css_classes=["areal-conflicts"],
        stylesheets=[
            ".areal-conf-list{list-style:none;padding:0;margin:0;font-size:12px}"
            ".areal-conf-list li{border-left:3px solid #d32f2f;padding:2px 6px;margin:4px 0}"
            ".areal-conf-list div{overflow-wrap:break-word}"
        ],
    )


def _profile_or_none(name: str):
    from areal.layers.project_data import load_profile

    try:
        return load_profile(name)
    except Exception:  # noqa: BLE001 - an unknown profile shows as named
        return None


def _profile_title(name: str, lang: str) -> str:
    prof = _profile_or_none(name)
    if prof is None:
        return name
    return prof.title_en if lang == "en" else prof.title_nb


def _no_score_notes(frame: pd.DataFrame, state: PlannerState) -> list[str]:
    """Why each profile without a score has none, in words (shares off land and per exclusion)."""
    from areal.apps.formatting import percent
    from areal.apps.labels import plan_item_name

    if "why" not in frame.columns:
        return []
    notes = []
    for _, row in frame.iterrows():
        why = row["why"]
        if not isinstance(why, dict):
            continue
        title = _profile_title(row["profile"], state.lang) if "profile" in frame.columns else row["title"]
        if not why:
            notes.append(state.t("site.noscore", title=title, why=state.t("site.noscore.none")))
            continue
        # an unknown profile: exclusions are named by their layer id
        prof = _profile_or_none(row["profile"]) if "profile" in frame.columns else None
        bits = []
        for key, share in sorted(why.items(), key=lambda kv: (kv[0] != "", -kv[1])):
            if share <= 0:
                continue
            pct = percent(share, state.lang, digits=0)
            if key == "":
                bits.append(state.t("site.noscore.offland", share=pct))
            else:
                name = plan_item_name(key, prof, state.lang)
                bits.append(state.t("site.noscore.excl", share=pct, name=name))
        notes.append(
            state.t("site.noscore", title=title, why="; ".join(bits) or state.t("site.noscore.none"))
        )
    return notes


def _titles(state: PlannerState) -> dict[str, str]:
    return {s.id: s.title_in(state.lang) for s in state.data.specs}


def _table(df: pd.DataFrame, state: PlannerState, css: str) -> pn.pane.DataFrame:
    from areal.apps.formatting import display_frame

    out = display_frame(df, state.lang)
    out = out.rename(columns={c: state.t(f"col.{c}") for c in df.columns if f"col.{c}" in _COL_KEYS})
    return pn.pane.DataFrame(
        out,
        index=False,
        na_rep="–",
        sizing_mode="stretch_width",
        css_classes=[css],
        escape=True,
        stylesheets=[TABLE_CSS],
    )


TABLE_CSS = """
:host { display: block; max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; font-size: 12px; width: 100%; }
td, th { white-space: normal; overflow-wrap: break-word; hyphens: auto; vertical-align: top; padding: 2px 4px;
         text-align: left; }
th { min-width: 3.5em; }
"""
"""Tables wrap their cells and scroll sideways inside their pane instead of being cut off."""


_COL_KEYS = {k for k in i18n.NB if k.startswith("col.")}


class SiteCheckView(View):
    """Upload / click / draw a site and read its report; errors appear here, nothing else is lost."""

    def __init__(self, **params):
        super().__init__(**params)
        self.upload = pn.widgets.FileInput(
            accept=",".join(ACCEPTED),
            multiple=False,
            sizing_mode="stretch_width",
            css_classes=["areal-upload"],
        )
        self.upload.param.watch(self._on_upload, "value")
        self.clear = pn.widgets.Button(
            label=self.state.t("site.clear"), color="light", css_classes=["areal-clear"]
        )
        self.clear.on_click(lambda _e: self.state.clear_site())

    def _on_upload(self, event) -> None:
        if event.new is None:
            return
        self.state.upload(event.new, self.upload.filename or "upload")

    def __panel__(self):
        s = self.state
        parts = [
            pn.bind(self._howto, s.param.lang),
            kind_select(s),
            self.upload,
            pn.bind(self._busy, s.param.busy, s.param.lang),
            pn.bind(self._error, s.param.error, s.param.n_errors, s.param.lang),
            pn.bind(self._report, s.param.report, s.param.lang),
        ]
        if s.mode == "planner":  # a report runs the engines: planners only
            from areal.apps.planner.report_view import ReportDownload

            parts.append(pn.bind(lambda lang: pn.pane.Markdown(f"#### {s.t('report.title')}"), s.param.lang))
            parts.append(ReportDownload(state=s, kind="municipality"))
        return pn.Column(*parts, sizing_mode="stretch_width")

    def _howto(self, lang):
        s = self.state
        self.clear.label = s.t("site.clear")
        text = s.t("site.howto", max_mb=s.limits.max_mb, max_vertices=s.limits.max_vertices)
        return pn.pane.Markdown(f"### {s.t('site.title')}\n{text}", sizing_mode="stretch_width")

    def _error(self, error, n_errors, lang):
        s = self.state
        if not error:
            return pn.pane.HTML("", visible=False)
        # The message and its detail quote the visitor's file (names, values): shown as text only.
        text = esc(error) + (f"\n\n{s.t('error.detail', msg=esc(s.error_detail))}" if s.error_detail else "")
        return pn.pane.Alert(
            text, alert_type="danger", sizing_mode="stretch_width", css_classes=["areal-error"]
        )

    def _busy(self, busy, lang):
        if not busy:
            return pn.pane.HTML("", visible=False)
        return pn.Row(
            pn.indicators.LoadingSpinner(value=True, size=20),
            pn.pane.Markdown(self.state.t("site.busy"), css_classes=["areal-site-busy"]),
        )

    def _report(self, report: SiteReport | None, lang):
        s = self.state
        if report is None:
            return pn.pane.Markdown(s.t("site.none"), css_classes=["areal-site-none"])
        src = s.site_source
        source = (
            s.t("site.source.upload", file=esc(src.split(":", 1)[1]))
            if src.startswith("upload:")
            else (s.t(f"site.source.{src}") if src in ("click", "draw", "link") else esc(src))
        )
        if report.family == "polygon":
            area = s.t("site.area_value", m2=report.area_m2, daa=report.area_daa, ha=report.area_ha)
        else:
            area = s.t("site.point")
        munis = ", ".join(
            f"{esc(r.kommunenavn)} ({esc(r.kommunenummer)})" for r in report.municipalities.itertuples()
        ) or s.t("site.no_municipality")
        head = pn.pane.Markdown(
            f"**{s.t('site.area')}:** {area}  \n**{s.t('site.municipality')}:** {munis}  \n*{source}* · "
            f"*{s.t('site.computed', s=report.elapsed_s)}*",
            sizing_mode="stretch_width",
            css_classes=["areal-site-summary"],
        )
        titles = _titles(s)
        parts: list = [head]
        inter = report.intersections.copy()
        parts.append(pn.pane.Markdown(f"#### {s.t('site.intersections')}"))
        if len(inter):
            inter["layer"] = inter["layer"].map(lambda v: titles.get(v, v))
            parts.append(_table(inter, s, "areal-intersections"))
        else:
            parts.append(pn.pane.Markdown(s.t("site.no_intersections")))
        gaps = report.not_mapped()
        if len(gaps):
            # "ikke kartlagt" is not "nothing here": name the layers that say nothing about the site
            from areal.apps.labels import status_text

            names = ", ".join(
                f"{esc(titles.get(r.layer, r.layer))} ({status_text(r.status, r.reason, s.lang)})"
                for r in gaps.itertuples()
            )
            parts.append(
                pn.pane.Markdown(s.t("site.not_mapped", layers=names), css_classes=["areal-not-mapped"])
            )
        dist = report.distances.copy()
        dist["target"] = dist["target"].map(lambda v: s.t(f"target.{v}"))
        dist["distance_m"] = [  # rounded to what the target layer's map scale can carry
            column_number("distance_m", d, s.lang, scale=data_scale(lid)) if a else None
            for d, lid, a in zip(dist["distance_m"], dist["layer"], dist["available"])
        ]
        dist["nearest"] = [
            n if a else s.t("site.not_available") for n, a in zip(dist["nearest"], dist["available"])
        ]
        parts += [
            pn.pane.Markdown(f"#### {s.t('site.distances')}"),
            _table(dist[["target", "distance_m", "nearest"]], s, "areal-distances"),
        ]
        subs = getattr(report, "substations", None)
        if subs is not None and len(subs):
            # free MW of the nearest substations (never hectares of a grid area), with the
            # non-commercial credit of the grid data wherever it is shown (public mode too)
            cap = s.data.spec("grid_capacity")
            parts += [
                pn.pane.Markdown(f"#### {s.t('site.substations')}"),
                _table(subs[["name", "owner", "distance_m", "free_mw"]], s, "areal-substations"),
                pn.pane.HTML(
                    f"<small>{escape(s.t('site.credit', credit=cap.attribution))}</small>",
                    css_classes=["areal-substations-credit"],
                    sizing_mode="stretch_width",
                ),
            ]
        parts.append(pn.pane.Markdown(f"#### {s.t('site.arenas')}"))
        if report.arenas is None:
            parts.append(pn.pane.Markdown(f"*{s.t('site.not_available')}*", css_classes=["areal-arenas-na"]))
        else:
            cols = [
                c for c in ("name", "distance_m", "arena_type", "kommunenavn") if c in report.arenas.columns
            ]
            arenas = report.arenas[cols].copy()
            if "arena_type" in arenas:  # the kind in words (test_bed -> testbed)
                arenas["arena_type"] = [
                    s.t(f"arena.kind.{v}") if f"arena.kind.{v}" in i18n.NB else v
                    for v in arenas["arena_type"]
                ]
            parts.append(_table(arenas, s, "areal-arenas"))
        for slot, key in (("conflicts", "site.conflicts"), ("suitability", "site.suitability")):
            frame = getattr(report, slot)
            parts.append(pn.pane.Markdown(f"#### {s.t(key)}"))
            if frame is None:
                parts.append(
                    pn.pane.Markdown(f"*{s.t('site.not_available')}*", css_classes=[f"areal-{slot}-na"])
                )
            else:
                if slot == "conflicts":  # one block per conflict: a 5-column table does not fit the pane
                    parts.append(_conflict_list(localise_conflicts(frame, s.lang), s))
                    parts.append(not_mapped_note(s, frame))  # "Sjekket som …" and the unmapped rule layers
                    continue
                notes = _no_score_notes(frame, s) if slot == "suitability" else []
                if "why" in frame.columns:
                    frame = frame.drop(columns="why")
                if "profile" in frame.columns:  # the profile's title in the language, not its id
                    frame = frame.assign(title=[_profile_title(p, s.lang) for p in frame["profile"]]).drop(
                        columns="profile"
                    )
                parts.append(_table(frame, s, f"areal-{slot}"))
                if notes:  # a "–" score is explained: off land, or which exclusions took the site
                    parts.append(
                        pn.pane.Markdown(
                            "\n".join(f"- {esc(n)}" for n in notes), css_classes=["areal-noscore"]
                        )
                    )
                if slot == "suitability" and "resolution_m" in frame and frame["resolution_m"].isna().any():
                    parts.append(
                        pn.pane.Markdown(f"*{s.t('site.preparing')}*", css_classes=["areal-preparing"])
                    )
        if s.mode == "planner":
            parts.append(
                pn.Row(
                    pn.widgets.FileDownload(
                        callback=self._csv,
                        filename="areal_site_report.csv",
                        label=s.t("site.download_csv"),
                        color="primary",
                    ),
                    pn.widgets.FileDownload(
                        callback=self._gpkg,
                        filename="areal_site.gpkg",
                        label=s.t("site.download_gpkg"),
                        color="default",
                    ),
                )
            )
            from areal.apps.planner.report_view import ReportDownload

            parts.append(ReportDownload(state=s, kind="site"))
        parts.append(self.clear)
        return pn.Column(*parts, sizing_mode="stretch_width", css_classes=["areal-report"])

    def _csv(self) -> io.BytesIO:
        rep = self.state.report
        frames = [
            rep.summary_frame().assign(section="summary"),
            rep.municipalities.assign(section="municipalities"),
            rep.intersections.assign(section="intersections"),
            rep.distances.assign(section="distances"),
        ]
        buf = io.BytesIO()
        pd.concat(frames, ignore_index=True).to_csv(buf, index=False)
        buf.seek(0)
        return buf

    def _gpkg(self) -> io.BytesIO:
        import tempfile
        from pathlib import Path

        from areal.layers.export import write_frame

        with tempfile.TemporaryDirectory(prefix="areal-dl-") as tmp:
            path = Path(tmp) / "site.gpkg"
            write_frame(self.state.site, path, layer="site")
            return io.BytesIO(path.read_bytes())
