"""What the drawn site is: the selector of the site check, and the rule layers that are not mapped.

The kind (:data:`~areal.apps.planner.state.SITE_KINDS`) decides which rules of the rule table
check the site (``[kinds]`` in ``data/rules/default.toml``); changing it checks the same site
again. Rule layers missing from the data folder are listed as "ikke kartlagt", never as 0 ha.
"""

from __future__ import annotations

import panel as pn
from areal.apps.planner.safe_text import esc
from areal.apps.planner.state import PlannerState


def kind_select(state: PlannerState) -> pn.widgets.Select:
    """The "Hva er området?" selector, bound to ``state.site_kind``."""
    return pn.widgets.Select.from_param(
        state.param.site_kind,
        label=state.t("site.kind"),
        options={state.t(f"site.kind.{k}"): k for k in state.param.site_kind.objects},
        sizing_mode="stretch_width",
        css_classes=["areal-site-kind"],
    )


def not_mapped_note(state: PlannerState, conflicts) -> pn.pane.Markdown:
    """The «Sjekket som: …» line and the rule layers that could not be checked (their catalogue titles)."""
    kind = (getattr(conflicts, "attrs", {}) or {}).get("as_layer", state.site_kind)
    lines = [state.t("site.checked_as", kind=state.t(f"site.kind.{kind}"))] if kind else []
    missing = list((getattr(conflicts, "attrs", {}) or {}).get("not_mapped", []))
    if missing:
        titles = {s.id: s.title_in(state.lang) for s in state.data.specs} if state.data is not None else {}
        lines.append(state.t("site.rules_not_mapped", layers=", ".join(titles.get(m, m) for m in missing)))
    return pn.pane.Markdown(
        "  \n".join(f"*{esc(x)}*" for x in lines),
        sizing_mode="stretch_width",
        css_classes=["areal-kind-note"],
    )
