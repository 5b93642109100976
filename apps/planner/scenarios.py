"""Scenario management in the app: save-as (overwrite only when confirmed), open, rename, delete, compare.

:class:`ScenarioState` is GUI-free (tests drive it directly); :class:`ScenarioView` lays out its
widgets. A scenario keeps the site, the visible layers, the profile and its weights, and a
``view`` (resolution, open tab, map centre, threshold and size limits, what the site is checked
as); opening it restores all of that. Names, notes and authors are the planner's own text:
every one is escaped before it reaches a Markdown pane, tables are rendered escaped.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import panel as pn
import param
from areal.apps import formatting as fmt
from areal.apps.planner.safe_text import esc
from areal.apps.planner.tools import SuitabilityState, Tool
from areal.geo.errors import ArealError, DuplicateNameError
from areal.geo.scenario import Scenario
from panel.viewable import Viewer


class ScenarioState(Tool):
    """The scenario store as the planner uses it; ``suit`` is the session's suitability state."""

    store = param.Parameter(default=None, doc="a layers.scenario_store.ScenarioStore")
    suit = param.ClassSelector(class_=SuitabilityState, default=None, allow_None=True)
    pending_overwrite = param.String(default="", doc="name whose overwrite awaits confirmation")
    pending_delete = param.String(default="", doc="name whose deletion awaits confirmation")
    message = param.String(default="", doc="what the last action did (shown as text)")
    version = param.Integer(default=0, doc="bumped when the store changed")
    scenario_a = param.String(default="")
    scenario_b = param.String(default="")

    work_tab = param.String(
        default="", doc="the last tab the planner worked in (the one a scenario restores)"
    )

    TAB = "scenarios"

    def __init__(self, **params):
        super().__init__(**params)
        self._draft: Scenario | None = None
        self.app.param.watch(self._note_tab, "tab")
        self._note_tab()

    def _note_tab(self, *_):
        # Saving happens in this tab; what a scenario should reopen is the tab worked in before.
        if self.app.tab != self.TAB:
            self.work_tab = self.app.tab

    # ---------------------------------------------------------------- reading

    def names(self) -> list[str]:
        """Stored scenario names (sorted)."""
        return self.store.names() if self.store is not None else []

    def table(self) -> pd.DataFrame:
        """One row per scenario: name, author, note, profile, last change (for the list)."""
        if self.store is None:
            return pd.DataFrame(columns=["scenario", "author", "note", "profile", "updated"])
        df = self.store.list()
        titles = self._profile_titles()
        return pd.DataFrame(
            {
                "scenario": df["name"],
                "author": df["author"],
                "note": df["note"],
                "profile": [titles.get(p, p) for p in df["profile"]],
                "updated": [self.when(v) for v in df["updated"]],
            }
        )

    def when(self, iso: str) -> str:
        """``2026-12-02T05:20:11+00:00`` as ``02.12.2026 05:20`` (nb) / ``2026-12-02 05:20`` (en), UTC."""
        return fmt.timestamp(iso, self.app.lang)

    def _profile_titles(self) -> dict[str, str]:
        out = {}
        for n in self.engines.profiles:
            p = self.engines.profile(n)
            out[n] = p.title_en if self.app.lang == "en" else p.title_nb
        return out

    # ---------------------------------------------------------------- saving

    def capture(self, name: str, note: str = "", author: str = "") -> Scenario:
        """The session as a scenario: site, layers, profile, weights and the view to restore."""
        a = self.app
        view: dict[str, Any] = {
            "tab": self.work_tab or a.tab,
            "lat": float(a.lat),
            "lon": float(a.lon),
            "zoom": int(a.zoom),
            "municipality": a.municipality,
            "site_kind": a.site_kind,
        }
        profile, weights = "", {}
        if self.suit is not None:
            s = self.suit
            profile, weights = s.profile, dict(s.weights)
            view["resolution"] = float(s.resolution)
            for k in ("threshold", "min_area_ha", "max_area_ha"):
                if getattr(s, k) is not None:
                    view[k] = float(getattr(s, k))
        return Scenario(
            name=name.strip(),
            proposal=a.site,
            layers=tuple(a.visible),
            profile=profile,
            weights=weights,
            note=note,
            author=author,
            view=view,
        )

    def save(self, name: str, note: str = "", author: str = "") -> str:
        """Save the session under ``name``: ``"saved"``, ``"confirm"`` (the name is taken) or ``"error"``.

        A taken name is never overwritten here: :attr:`pending_overwrite` asks first, and
        :meth:`confirm_overwrite` writes what was captured at this call.
        """
        self.param.update(error="", message="", pending_overwrite="", pending_delete="")
        if self.store is None:
            return "error"
        if self.app.site is None or not name.strip():
            self.error = self.t("scen.need_site")
            return "error"
        try:
            sc = self.capture(name, note, author)
            self.store.save(sc, overwrite=False)
        except DuplicateNameError:
            self._draft = sc
            self.pending_overwrite = sc.name
            return "confirm"
        except (ArealError, ValueError) as exc:
            self.error = self.t("error.site", msg=str(exc))
            return "error"
        self._saved(self.t("scen.saved_as", name=sc.name))
        return "saved"

    def confirm_overwrite(self) -> bool:
        """Write the scenario that waits for confirmation over the stored one."""
        sc, self._draft = self._draft, None
        name, self.pending_overwrite = self.pending_overwrite, ""
        if sc is None or sc.name != name:
            return False
        try:
            self.store.save(sc, overwrite=True)
        except (ArealError, ValueError) as exc:
            self.error = self.t("error.site", msg=str(exc))
            return False
        self._saved(self.t("scen.overwritten", name=name))
        return True

    def cancel(self) -> None:
        """Drop a pending overwrite or deletion: nothing is written."""
        self._draft = None
        self.param.update(pending_overwrite="", pending_delete="", message=self.t("scen.cancelled"))

    def _saved(self, message: str) -> None:
        self.param.update(error="", message=message)
        self.version += 1

    # ---------------------------------------------------------------- rename, delete

    def rename(self, old: str, new: str) -> bool:
        """Give ``old`` the name ``new`` (a taken name is refused with a message)."""
        self.param.update(error="", message="")
        try:
            self.store.rename(old, new)
        except DuplicateNameError:
            self.error = self.t("scen.exists", name=new.strip())
            return False
        except (ArealError, ValueError) as exc:
            self.error = self.t("error.site", msg=str(exc))
            return False
        for side in ("scenario_a", "scenario_b"):
            if getattr(self, side) == old:
                setattr(self, side, new.strip())
        self._saved(self.t("scen.renamed", old=old, new=new.strip()))
        return True

    def ask_delete(self, name: str) -> None:
        """Ask before deleting ``name``."""
        if name:
            self.param.update(pending_delete=name, pending_overwrite="", message="", error="")

    def confirm_delete(self) -> bool:
        """Delete the scenario that waits for confirmation."""
        name, self.pending_delete = self.pending_delete, ""
        if not name:
            return False
        try:
            self.store.delete(name)
        except (ArealError, KeyError) as exc:
            self.error = self.t("error.site", msg=str(exc))
            return False
        for side in ("scenario_a", "scenario_b"):
            if getattr(self, side) == name:
                setattr(self, side, "")
        self._saved(self.t("scen.deleted", name=name))
        return True

    # ---------------------------------------------------------------- opening

    def open(self, name: str) -> Scenario | None:
        """Restore a scenario: site, layers, profile, weights, resolution, limits, kind, map and tab."""
        try:
            sc = self.store.get(name)
        except (ArealError, KeyError) as exc:
            self.error = self.t("error.site", msg=str(exc))
            return None
        a, v = self.app, dict(sc.view)
        known = {s.id for s in a.data.specs} if a.data is not None else set()
        layers = [lid for lid in sc.layers if lid in known]
        updates: dict[str, Any] = {"visible": layers} if layers else {}
        if v.get("site_kind") in a.param.site_kind.objects:
            updates["site_kind"] = v["site_kind"]
        for k in ("lat", "lon", "zoom"):
            if k in v:
                updates[k] = int(v[k]) if k == "zoom" else float(v[k])
        if isinstance(v.get("municipality"), str):
            updates["municipality"] = v["municipality"]
        # (the kind's selector follows; a check of the old site it may start is superseded below)
        a.param.update(**updates)
        if self.suit is not None and sc.profile in self.engines.profiles:
            s = self.suit
            res = v.get("resolution")
            res = float(res) if res in s.param.resolution.objects else s.resolution
            if (sc.profile, res) != (s.profile, s.resolution):
                s.param.update(profile=sc.profile, resolution=res)  # its widgets follow; the model starts
            target = {
                "weights": dict(sc.weights) or dict(self.engines.profile(sc.profile).weights),
                **{k: v.get(k) for k in ("threshold", "min_area_ha", "max_area_ha")},
            }
            if any(getattr(s, k) != x for k, x in target.items()):
                s.param.update(**target)  # one re-ranking, on the worker like any weight change
            if not self.engines.has_model(s.profile, s.resolution) and s.status != "building":
                s.start()  # the model was never built in this session: build it, then rank
        a.set_site_frame(sc.proposal, f"scenario:{sc.name}")
        if isinstance(v.get("tab"), str) and v["tab"]:
            a.tab = v["tab"]
        self.param.update(error="", message=self.t("scen.opened", name=sc.name))
        return sc

    # ---------------------------------------------------------------- comparing

    def _pair(self) -> tuple[Scenario, Scenario] | None:
        if not (self.scenario_a and self.scenario_b) or self.store is None:
            return None
        try:
            return self.store.get(self.scenario_a), self.store.get(self.scenario_b)
        except (ArealError, KeyError) as exc:
            self.error = self.t("error.site", msg=str(exc))
            return None

    def compare_table(self) -> pd.DataFrame:
        """A and B compared: the table ``areal scenario compare`` prints.

        :func:`areal.apps.usecases.scenario.comparison_table`: groups and metrics in words, numbers, B − A.
        """
        pair = self._pair()
        if pair is None or pair[0].name == pair[1].name:
            return pd.DataFrame()
        from areal.apps.usecases.scenario import comparison_table

        try:
            return comparison_table(*pair, self.engines.scenario_metrics(), self.app.lang)
        except (ArealError, OSError, ValueError) as exc:
            self.error = self.t("error.site", msg=str(exc))
            return pd.DataFrame()

    def compare(self) -> pd.DataFrame:
        """The comparison as shown: group, what, A, B and B − A, numbers as the reader writes them."""
        from areal.apps.usecases.scenario import comparison_text

        table = self.compare_table()
        if not len(table):
            return pd.DataFrame()
        shown = comparison_text(table, self.app.lang)
        return pd.DataFrame(
            {
                "group": shown["group_title"],
                "class": shown["metric_title"],
                "a": shown["a"],
                "b": shown["b"],
                "b_minus_a": shown["difference"],
            }
        )

    def compare_meta(self) -> pd.DataFrame:
        """Profile and author of A and B (text: no difference), shown above the comparison."""
        pair = self._pair()
        if pair is None:
            return pd.DataFrame()
        a, b = pair
        titles = self._profile_titles()
        return pd.DataFrame(
            [
                {
                    "class": self.t("scen.cmp.profile"),
                    "a": titles.get(a.profile, a.profile) or "–",
                    "b": titles.get(b.profile, b.profile) or "–",
                },
                {"class": self.t("scen.cmp.author"), "a": a.author or "–", "b": b.author or "–"},
            ]
        )


class ScenarioView(Viewer):
    """Save as (with the overwrite question), the list, open / rename / delete, compare A and B."""

    tool = param.ClassSelector(class_=ScenarioState)
    title_key = "scen.title"

    @property
    def title(self) -> str:
        """Tab title in the session's language."""
        return self.tool.t(self.title_key)

    def __init__(self, **params):
        super().__init__(**params)
        s = self.tool
        t = s.t
        self.w_name = pn.widgets.TextInput(
            label=t("scen.name"), sizing_mode="stretch_width", css_classes=["areal-scen-name"]
        )
        self.w_author = pn.widgets.TextInput(
            label=t("scen.author"), sizing_mode="stretch_width", css_classes=["areal-scen-author"]
        )
        self.w_note = pn.widgets.TextAreaInput(
            label=t("scen.note"), height=70, sizing_mode="stretch_width", css_classes=["areal-scen-note"]
        )
        self.w_save = pn.widgets.Button(
            label=t("scen.save_as"), color="primary", css_classes=["areal-scen-save"]
        )
        self.w_save.on_click(lambda _e: s.save(self.w_name.value, self.w_note.value, self.w_author.value))
        self.w_yes = pn.widgets.Button(
            label=t("scen.overwrite_yes"), color="danger", css_classes=["areal-scen-overwrite"]
        )
        self.w_yes.on_click(lambda _e: s.confirm_overwrite())
        self.w_no = pn.widgets.Button(label=t("scen.cancel"), css_classes=["areal-scen-cancel"])
        self.w_no.on_click(lambda _e: s.cancel())
        self.w_del_yes = pn.widgets.Button(
            label=t("scen.delete_yes"), color="danger", css_classes=["areal-scen-delete-yes"]
        )
        self.w_del_yes.on_click(lambda _e: s.confirm_delete())
        self.w_del_no = pn.widgets.Button(label=t("scen.cancel"), css_classes=["areal-scen-delete-no"])
        self.w_del_no.on_click(lambda _e: s.cancel())
        self.w_pick = pn.widgets.Select(
            label=t("scen.pick"), options=[], sizing_mode="stretch_width", css_classes=["areal-scen-pick"]
        )
        self.w_open = pn.widgets.Button(
            label=t("scen.open"), color="primary", css_classes=["areal-scen-open"]
        )
        self.w_open.on_click(lambda _e: self.w_pick.value and s.open(self.w_pick.value))
        self.w_new_name = pn.widgets.TextInput(
            label=t("scen.new_name"), sizing_mode="stretch_width", css_classes=["areal-scen-new-name"]
        )
        self.w_rename = pn.widgets.Button(label=t("scen.rename"), css_classes=["areal-scen-rename"])
        self.w_rename.on_click(
            lambda _e: self.w_pick.value and s.rename(self.w_pick.value, self.w_new_name.value)
        )
        self.w_delete = pn.widgets.Button(
            label=t("scen.delete"), color="danger", variant="outline", css_classes=["areal-scen-delete"]
        )
        self.w_delete.on_click(lambda _e: s.ask_delete(self.w_pick.value or ""))
        self.w_a = pn.widgets.Select(
            label="A", options=[""], sizing_mode="stretch_width", css_classes=["areal-scen-a"]
        )
        self.w_b = pn.widgets.Select(
            label="B", options=[""], sizing_mode="stretch_width", css_classes=["areal-scen-b"]
        )
        from areal.apps.planner.report_view import ReportDownload

        # the PDF of the picked scenario: the report ``areal report --scenario`` writes
        self.report = ReportDownload(state=s.app, kind="scenario", store=s.store)
        self.w_pick.param.watch(lambda e: setattr(self.report, "scenario", e.new or ""), "value")
        self.w_a.link(s, value="scenario_a")
        self.w_b.link(s, value="scenario_b")
        s.param.watch(self._refresh_names, "version")
        self._refresh_names()

    def _refresh_names(self, *_):
        names = self.tool.names()
        keep = self.w_pick.value if self.w_pick.value in names else (names[0] if names else None)
        self.w_pick.options = names
        self.w_pick.value = keep
        self.report.scenario = keep or ""
        for w, side in ((self.w_a, "scenario_a"), (self.w_b, "scenario_b")):
            w.options = ["", *names]
            w.value = getattr(self.tool, side) if getattr(self.tool, side) in names else ""

    def _question(self, pending_overwrite, pending_delete):
        s = self.tool
        if pending_overwrite:
            return pn.Column(
                pn.pane.Alert(
                    esc(s.t("scen.overwrite_ask", name=pending_overwrite)),
                    alert_type="warning",
                    css_classes=["areal-scen-ask"],
                ),
                pn.Row(self.w_yes, self.w_no),
                sizing_mode="stretch_width",
            )
        if pending_delete:
            return pn.Column(
                pn.pane.Alert(
                    esc(s.t("scen.delete_ask", name=pending_delete)),
                    alert_type="warning",
                    css_classes=["areal-scen-ask"],
                ),
                pn.Row(self.w_del_yes, self.w_del_no),
                sizing_mode="stretch_width",
            )
        return pn.pane.HTML("", visible=False)

    def _status(self, message, error):
        if error:
            return pn.pane.Alert(
                esc(error), alert_type="danger", sizing_mode="stretch_width", css_classes=["areal-error"]
            )
        if message:
            return pn.pane.Markdown(
                esc(message), sizing_mode="stretch_width", css_classes=["areal-scen-message"]
            )
        return pn.pane.HTML("", visible=False)

    def _list(self, version, lang):
        from areal.apps.planner.views import _table

        s = self.tool
        df = s.table()
        if not len(df):
            return pn.pane.Markdown(f"*{esc(s.t('scen.none'))}*", css_classes=["areal-scen-none"])
        return _table(df, s.app, "areal-scen-list")

    def _compare(self, a, b, version):
        from areal.apps.planner.views import _table

        df = self.tool.compare()
        if not len(df):
            return pn.pane.Markdown(f"*{esc(self.tool.t('scen.compare_help'))}*")
        heads = {
            "group": self.tool.t("scen.cmp.group"),
            "class": self.tool.t("scen.cmp.what"),
            "a": f"A: {a}",
            "b": f"B: {b}",
            "b_minus_a": "B − A",
        }
        meta = self.tool.compare_meta().rename(columns=heads)
        # both tables wrap their cells and scroll sideways inside the pane (views.TABLE_CSS)
        return pn.Column(
            _table(meta, self.tool.app, "areal-scen-compare-meta"),
            _table(df.rename(columns=heads), self.tool.app, "areal-scen-compare"),
            sizing_mode="stretch_width",
        )

    def __panel__(self):
        s = self.tool
        t = s.t
        return pn.Column(
            pn.pane.Markdown(f"#### {t('scen.save_title')}"),
            self.w_name,
            self.w_author,
            self.w_note,
            self.w_save,
            pn.bind(self._question, s.param.pending_overwrite, s.param.pending_delete),
            pn.bind(self._status, s.param.message, s.param.error),
            pn.pane.Markdown(f"#### {t('scen.saved_title')}"),
            pn.bind(self._list, s.param.version, s.app.param.lang),
            self.w_pick,
            pn.Row(self.w_open, self.w_delete),
            pn.Row(self.w_new_name, self.w_rename, sizing_mode="stretch_width"),
            pn.pane.Markdown(f"#### {t('report.scenario_title')}"),
            self.report,
            pn.pane.Markdown(f"#### {t('scen.compare')}"),
            pn.Row(self.w_a, self.w_b, sizing_mode="stretch_width"),
            pn.bind(self._compare, s.param.scenario_a, s.param.scenario_b, s.param.version),
            sizing_mode="stretch_width",
            css_classes=["areal-scenarios"],
        )
