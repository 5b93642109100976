"""GUI-free state of the analysis views: conflicts, suitability, test arenas, indicators and scenarios.

Each class is a ``param.Parameterized`` over the session's :class:`~areal.apps.planner.state.PlannerState`
(``app``) and the server's :class:`~areal.apps.planner.engines.Engines`. Tests drive them directly:
change a parameter, read the result frames. What goes on the map is handed to
``app.set_overlay`` (GeoJSON or a PNG served by the overlay endpoint); the views never read files.
"""

from __future__ import annotations

import io
import logging
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import param
import shapely
from areal.apps import formatting as fmt
from areal.apps.labels import criterion_label, describe_arena, localise_conflicts, site_reasons
from areal.apps.planner import i18n, mapping
from areal.apps.planner.engines import RESOLUTIONS, SITE_CHECK_RES, Engines
from areal.apps.planner.state import PlannerState
from areal.apps.planner.workers import budget
from areal.geo import arenas as A
from areal.geo.conflicts import ConflictResult
from areal.geo.errors import ArealError, BudgetExceededError, RuleError
from areal.geo.profiles import ahp_weights
from areal.geo.rules import SEVERITIES
from areal.geo.sensitivity import site_sensitivity
from areal.geo.sites import attach_places

SEVERITY_COLOURS = {"exclusion": "#7b1fa2", "high": "#d32f2f", "medium": "#f57c00", "low": "#fbc02d"}
SITE_COLOUR = "#1565c0"
ARENA_COLOURS = {"operating": "#00897b", "planned": "#8e24aa"}
CHOROPLETH = ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")


class WeightDict(param.Dict):
    """Criterion weights that serialise to a readable ``a:0.35,b:0.2`` in the URL."""

    @classmethod
    def serialize(cls, value):  # noqa: D102
        if not value:
            return ""
        return ",".join(f"{k}:{float(v):g}" for k, v in value.items())

    @classmethod
    def deserialize(cls, value):  # noqa: D102
        if isinstance(value, dict):
            return value
        out = {}
        for part in str(value or "").split(","):
            k, _, v = part.partition(":")
            try:
                w = float(v)
            except ValueError:
                continue
            if k and np.isfinite(w) and w >= 0:
                out[k] = w
        return out


def _run(
    executor: Callable | None, fn: Callable[[], None], on_busy: Callable[[Exception], None] | None = None
) -> None:
    if executor is None:
        fn()
        return
    try:
        executor(fn)
    except BudgetExceededError as exc:  # the worker pool is full: say so instead of queueing forever
        if on_busy is not None:
            on_busy(exc)


def _gpkg_bytes(frames: dict[str, gpd.GeoDataFrame]) -> io.BytesIO:
    from areal.layers.export import write_frame

    with tempfile.TemporaryDirectory(prefix="areal-dl-") as tmp:
        path = Path(tmp) / "out.gpkg"
        mode = "w"
        for layer, gdf in frames.items():
            write_frame(gdf, path, layer=layer, mode=mode)
            mode = "a"
        return io.BytesIO(path.read_bytes())


class Tool(param.Parameterized):
    """Base: the session state, the server's engines, and how to run slow work."""

    app = param.ClassSelector(class_=PlannerState, doc="the session state (language, map, municipality)")
    engines = param.ClassSelector(class_=Engines, doc="the server's analysis engines")
    executor = param.Callable(
        default=None, allow_None=True, doc="runs slow work off the UI thread (None: run inline, as in tests)"
    )
    error = param.String(default="", doc="the last error message ('' = none)")

    @param.depends("app.lang", watch=True)
    def _on_lang(self) -> None:
        # an overlay carries its title, legend and popups as text: draw it again in the new language
        try:
            self.relabel()
        except Exception:  # noqa: BLE001 - a stale label is better than a broken language switch
            logging.getLogger("areal.app").warning(
                "overlay of %s not relabelled", type(self).__name__, exc_info=True
            )

    def relabel(self) -> None:
        """Redraw this tool's map overlay in the session's language (when it is on the map)."""

    def t(self, key: str, **values) -> str:
        """Translate in the session's language."""
        return self.app.t(key, **values)


# ====================================================================== conflicts


class ConflictState(Tool):
    """Proposal × protected interests: conflict polygons, pair matrix, per-municipality table."""

    proposal = param.Selector(default=None, objects=[], doc="proposal layer id, or 'site' (drawn/uploaded)")
    against = param.ListSelector(default=[], objects=[], doc="layers to test against (rule B sides)")
    result = param.ClassSelector(class_=ConflictResult, default=None, allow_None=True)
    running = param.Boolean(default=False)
    elapsed_s = param.Number(default=0.0)

    PROPOSALS = ("business_areas", "osm_business", "test_arenas", "site")

    def __init__(self, **params):
        super().__init__(**params)
        avail = [p for p in self.PROPOSALS if p == "site" or p in self.app.data.layers]
        self.param.proposal.objects = avail
        if self.proposal not in avail:
            self.proposal = next((p for p in avail if p != "site"), "site")
        self._update_against()

    @property
    def as_layer(self) -> str:
        """The rule A side the proposal is checked as."""
        return "test_arenas" if self.proposal == "test_arenas" else "business_areas"

    @param.depends("proposal", watch=True)
    def _update_against(self) -> None:
        objs = [b for b in self.engines.against_layers(self.as_layer) if b in self.app.data.layers]
        self.param.against.objects = objs
        self.against = list(objs)

    def proposal_frame(self) -> gpd.GeoDataFrame | None:
        """The proposal features (the session's site for 'site')."""
        if self.proposal == "site":
            return self.app.site
        return self.app.data.layers.get(self.proposal)

    def run(self) -> None:
        """Find the conflicts (in the municipality chosen in the app, if any) and put them on the map."""
        prop = self.proposal_frame()
        if prop is None or len(prop) == 0:
            self.error = self.t("conf.no_proposal")
            return
        try:
            geoms = np.asarray(prop.geometry.values)
            budget("conflicts", self.app.mode).check(
                int(shapely.get_num_geometries(geoms[np.isin(shapely.get_type_id(geoms), (0, 4))]).sum()),
                int(shapely.get_num_coordinates(geoms).sum()),
                self.t("conf.proposal"),
            )
        except BudgetExceededError as exc:
            self.error = self.t("error.site", msg=str(exc))
            return
        self.param.update(running=True, error="")

        def work():
            t0 = time.perf_counter()
            try:
                res = self.engines.conflicts(
                    prop, as_layer=self.as_layer, against=self.against, municipality=self.app.municipality
                )
            except (ArealError, ValueError) as exc:
                self.param.update(running=False, error=self.t("error.site", msg=str(exc)))
                return
            self.param.update(result=res, running=False, elapsed_s=time.perf_counter() - t0)
            self.app.set_overlay("conflicts", self.overlay(res))

        _run(
            self.executor,
            work,
            lambda exc: self.param.update(running=False, error=self.t("error.upload.busy")),
        )

    def relabel(self) -> None:  # noqa: D102
        if self.result is not None and "conflicts" in self.app.overlays:
            self.app.set_overlay("conflicts", self.overlay(self.result))

    def overlay(self, res: ConflictResult) -> dict[str, Any]:
        """Map payload: conflict polygons coloured by severity, the rule basis in the popup."""
        p = res.polygons
        lang = self.app.lang
        shown = localise_conflicts(p[["pair", "severity", "basis", "explanation"]], lang, res.rules)
        props = [
            {
                "_color": SEVERITY_COLOURS.get(r.severity, "#d32f2f"),
                "_tip": f"{w.pair} · {w.severity} · {fmt.area_ha(r.area_ha, lang)}",
                "_popup": [
                    [self.t("conf.pair"), w.pair],
                    [self.t("conf.severity"), w.severity],
                    [self.t("col.area_ha"), fmt.column_number("area_ha", r.area_ha, lang)],
                    [self.t("col.kommunenavn"), r.kommunenavn or ""],
                    [self.t("conf.basis"), w.basis],
                    [self.t("conf.explanation"), w.explanation],
                ],
            }
            for r, w in zip(p.itertuples(), shown.itertuples())
        ]
        legend = [
            {"label": self.t(f"severity.{s}"), "color": SEVERITY_COLOURS[s]}
            for s in SEVERITIES
            if len(p) and (p["severity"] == s).any()
        ]
        return {
            "kind": "geojson",
            "geojson": mapping.frame_geojson(p, props, tolerance_m=2.0),
            "title": self.t("conf.title"),
            "legend": legend,
            "fit": True,
        }

    # ---------------------------------------------------------------- tables and downloads

    def matrix_frame(self) -> pd.DataFrame:
        """Pair × hectares: one row per pair with severity, hectares and legal basis."""
        if self.result is None:
            return pd.DataFrame()
        out = self.result.summary()
        if not len(out):
            return out
        # pairs with hectares, and those that could not be checked here ("ikke kartlagt", no hectares)
        shown = out["area_ha"] > 0
        if "status" in out.columns:
            shown |= out["status"] == "not_mapped"
        return out[shown].reset_index(drop=True)

    def municipality_frame(self) -> pd.DataFrame:
        """Per-municipality hectares (per pair, per severity, total)."""
        if self.result is None:
            return pd.DataFrame()
        bm = self.result.by_municipality
        keep = [c for c in bm.columns if not (pd.api.types.is_numeric_dtype(bm[c]) and (bm[c] == 0).all())]
        return bm[keep].reset_index(drop=True)

    def csv_bytes(self) -> io.BytesIO:
        """The conflict polygons' attributes, the pair table and the municipality table as one CSV."""
        res = self.result
        frames = [
            pd.DataFrame(res.polygons.drop(columns="geometry")).assign(table="polygons"),
            self.matrix_frame().assign(table="pairs"),
            self.municipality_frame().assign(table="by_municipality"),
        ]
        buf = io.BytesIO()
        pd.concat(frames, ignore_index=True).to_csv(buf, index=False)
        buf.seek(0)
        return buf

    def gpkg_bytes(self) -> io.BytesIO:
        """Conflict polygons as a GeoPackage (EPSG:25833)."""
        return _gpkg_bytes({"conflicts": self.result.polygons})


# ====================================================================== suitability


class SuitabilityState(Tool):
    """Profile, weights, resolution → suitability overlay and ranked candidate sites."""

    profile = param.Selector(default=None, objects=[], doc="suitability profile name")
    weights = WeightDict(default={}, doc="criterion -> weight (normalised when used)")
    resolution = param.Selector(default=100.0, objects=list(RESOLUTIONS), doc="cell size (m)")
    status = param.Selector(default="idle", objects=["idle", "building", "ready", "error"])
    sites = param.ClassSelector(class_=gpd.GeoDataFrame, default=None, allow_None=True)
    stability = param.DataFrame(default=None, allow_None=True, doc="rank stability per site")
    update_s = param.Number(default=0.0, doc="seconds to re-rank the sites after the last change")
    build_s = param.Number(default=0.0, doc="seconds the model build took")
    selected = param.Integer(default=0, doc="site_id of the selected site (0 = none)")
    detail = param.Dict(default={}, doc="reasons, values and conflicts of the selected site")
    ahp_cr = param.Number(default=None, allow_None=True, doc="consistency ratio of the last AHP matrix")
    ahp_error = param.String(default="")
    version = param.Integer(default=0, doc="bumped after every re-ranking")
    notice = param.String(default="", doc="why the view shows something else than the link asked for")
    threshold = param.Number(
        default=None, allow_None=True, bounds=(0.0, 1.0), doc="candidate threshold (None: the profile's)"
    )
    min_area_ha = param.Number(
        default=None, allow_None=True, bounds=(0.0, 100_000.0), doc="smallest site, ha (None: the profile's)"
    )
    max_area_ha = param.Number(
        default=None,
        allow_None=True,
        bounds=(0.0, 100_000.0),
        doc="largest site, ha; larger regions are split (None: the profile's)",
    )

    def __init__(self, **params):
        super().__init__(**params)
        names = list(self.engines.profiles)
        self.param.profile.objects = names
        self.param.profile.check_on_set = True  # a link's unknown ?profile= is refused, not shown
        # Defaults are set without events: nothing is built until the view is opened or a link asks.
        with param.parameterized.discard_events(self):
            if self.profile not in names:
                self.profile = "data_centre" if "data_centre" in names else names[0]
            if "resolution" not in params and self.app.mode == "public":
                self.resolution = 250.0
            prof = self.engines.profile(self.profile)
            if set(self.weights) != set(prof.weights):
                self.weights = dict(prof.weights)

    # ---------------------------------------------------------------- inputs

    def criteria(self) -> list[str]:
        """Criterion ids of the profile."""
        return [c.id for c in self.engines.profile(self.profile).criteria]

    def labels(self) -> dict[str, str]:
        """Criterion id -> label."""
        return {c.id: criterion_label(c, self.app.lang) for c in self.engines.profile(self.profile).criteria}

    @param.depends("profile", watch=True)
    def _sync_weights(self) -> None:
        prof = self.engines.profile(self.profile)
        if set(self.weights) != set(prof.weights):  # a URL may carry this profile's weights: keep them
            self.weights = dict(prof.weights)
        with param.parameterized.discard_events(self):  # the new profile's own limits
            self.param.update(threshold=None, min_area_ha=None, max_area_ha=None)
        self.param.update(ahp_cr=None, ahp_error="", selected=0, detail={})

    def limits(self) -> tuple[float, float, float | None]:
        """``(threshold, min_area_ha, max_area_ha)`` in use: the session's, else the profile's."""
        prof = self.engines.profile(self.profile)
        thr = prof.threshold if self.threshold is None else float(self.threshold)
        lo = prof.min_area_ha if self.min_area_ha is None else float(self.min_area_ha)
        hi = prof.max_area_ha if self.max_area_ha is None else float(self.max_area_ha)
        return thr, lo, hi

    def set_limits(
        self,
        threshold: float | None = None,
        min_area_ha: float | None = None,
        max_area_ha: float | None = None,
    ) -> None:
        """Change the threshold and the size limits (the widgets call this); one re-ranking.

        A smallest size above the largest is refused with a message (nothing changes).
        """
        thr, lo, hi = self.limits()
        lo = lo if min_area_ha is None else float(min_area_ha)
        hi = hi if max_area_ha is None else float(max_area_ha)
        if hi is not None and lo > hi:
            self.error = self.t(
                "suit.size_order", lo=fmt.area_ha(lo, self.app.lang), hi=fmt.area_ha(hi, self.app.lang)
            )
            return
        self.error = ""
        self.param.update(
            threshold=thr if threshold is None else float(threshold), min_area_ha=lo, max_area_ha=hi
        )

    def set_weight(self, criterion: str, value: float) -> None:
        """Change one weight (the sliders call this)."""
        self.weights = {**self.weights, criterion: float(value)}

    def reset_weights(self) -> None:
        """Back to the profile's weights."""
        self.weights = dict(self.engines.profile(self.profile).weights)

    def apply_ahp(self, matrix) -> bool:
        """Weights from a pairwise comparison matrix (criteria in profile order).

        A matrix with CR ≥ 0.10 is refused: ``ahp_error`` says why (with the CR) and the weights
        stay as they were.
        """
        crit = self.criteria()
        try:
            res = ahp_weights(matrix, where=self.t("suit.ahp"))
            if len(res.weights) != len(crit):
                raise RuleError(self.t("suit.ahp_size", n=len(crit)))
        except RuleError as exc:
            self.param.update(ahp_error=str(exc), ahp_cr=None)
            return False
        self.param.update(ahp_error="", ahp_cr=float(res.cr))
        self.weights = {k: round(float(w), 4) for k, w in zip(crit, res.weights)}
        return True

    # ---------------------------------------------------------------- model and results

    def model(self):
        """The cached model (built on first use)."""
        return self.engines.model(self.profile, self.resolution)

    def allowed_resolutions(self) -> list[float]:
        """Resolutions this session may use: all in planner mode; in public mode only pre-built ones.

        Public visitors never start a model build of their own: the server prepares every profile at
        :data:`~areal.apps.planner.engines.SITE_CHECK_RES` (``--prewarm``) and keeps what it built.
        """
        if self.app.mode != "public":
            return list(RESOLUTIONS)
        cached = {r for r in RESOLUTIONS if self.engines.has_model(self.profile, r)}
        return sorted(cached | {SITE_CHECK_RES})

    @param.depends("profile", "resolution", watch=True)
    def start(self) -> None:
        """Build the model if needed (off the UI thread when an executor is set), then rank."""
        allowed = self.allowed_resolutions()
        if self.resolution not in allowed:
            requested = self.resolution
            used = SITE_CHECK_RES if SITE_CHECK_RES in allowed else allowed[0]
            self.notice = self.t("notice.resolution", used=used, value=f"{requested:g}")
            if self.notice not in self.app.notice:  # also at the top of the page
                self.app.notice = f"{self.app.notice} {self.notice}".strip()
            self.resolution = used  # starts again with an allowed resolution
            return
        if self.engines.has_model(self.profile, self.resolution):
            _run(self.executor, self.refresh, self._busy)
            return
        self.param.update(status="building", error="")
        profile, res = self.profile, self.resolution

        def work():
            t0 = time.perf_counter()
            try:
                self.engines.model(profile, res)
            except (ArealError, ValueError, OSError) as exc:
                self.param.update(status="error", error=self.t("error.site", msg=str(exc)))
                return
            self.build_s = time.perf_counter() - t0
            if (profile, res) == (self.profile, self.resolution):
                self.refresh()

        _run(self.executor, work, self._busy)

    def _busy(self, exc: Exception) -> None:
        self.param.update(status="error", error=self.t("error.upload.busy"))

    @param.depends("weights", "threshold", "min_area_ha", "max_area_ha", watch=True)
    def _on_weights(self) -> None:
        if self.engines.has_model(self.profile, self.resolution):
            _run(self.executor, self.refresh, self._busy)  # re-ranking (and the map image) off the loop

    def active_weights(self, model) -> dict[str, float]:
        """The weights of the model's active criteria (skipped criteria dropped)."""
        return {k: float(self.weights.get(k, w)) for k, w in zip(model.criteria, model.weights)}

    def refresh(self) -> None:
        """Re-rank the sites for the current weights (the model's cached arrays), update the map."""
        model = self.model()
        w = self.active_weights(model)
        t0 = time.perf_counter()
        thr, lo, hi = self.limits()
        try:
            sites = model.fast_sites(w, threshold=thr, min_area_ha=lo, max_area_ha=hi)
        except RuleError as exc:  # e.g. all weights zero
            self.param.update(status="error", error=str(exc))
            return
        if len(sites):
            sites["reasons"] = site_reasons(sites, model.plan.criteria, self.app.lang)
            self._reasons_lang = self.app.lang
            sites = attach_places(sites, self.app.data.named_places())
        wv = model.weights_for(w)
        stab = None
        if len(sites) > 1:
            stab = site_sensitivity(sites, dict(zip(model.criteria, wv)), n_runs=300, seed=0)
        update_s = time.perf_counter() - t0
        # The map first, then the table: from a worker thread each change reaches the page on its
        # own, and a new table must not show before its sites are on the map.
        self._map(model, w, sites)
        self.param.update(
            sites=sites, stability=stab, update_s=update_s, status="ready", error="", selected=0, detail={}
        )
        self.version += 1

    def relabel(self) -> None:  # noqa: D102
        if self.sites is not None and self.engines.has_model(self.profile, self.resolution):
            model = self.model()
            self._map(model, self.active_weights(model), self.sites)

    def place_text(self, row) -> str:
        """``Hell (3,2 km)``: the site's nearest named place and how far it is ('' without one)."""
        name = str(getattr(row, "place_name", "") or "")
        if not name:
            return ""
        d = float(getattr(row, "place_distance_m", float("nan")))
        return name if not d > 0 else f"{name} ({fmt.distance(d, self.app.lang, scale=1_000_000)})"

    def _map(self, model, w, sites) -> None:
        lang = self.app.lang
        png, bounds = mapping.array_png(model.suitability(w), model.grid)
        key = self.app.data.put_overlay(png)
        image = {
            "kind": "image",
            "url": f"{mapping.DATA_URL}/overlay/{key}.png",
            "bounds": list(bounds),
            "opacity": 0.75,
            "title": self.t("suit.overlay"),
            "legend": [{"label": "0 → 1", "gradient": list(mapping.SUIT_GRADIENT)}],
        }
        props = [
            {
                "_color": SITE_COLOUR,
                "_id": int(r.site_id),
                "_tip": f"#{r.rank} · {fmt.area_ha(r.area_ha, lang)} · {fmt.score(r.mean_score, lang)}",
                "_popup": [
                    [self.t("suit.rank"), f"{r.rank}"],
                    [self.t("col.area_ha"), fmt.column_number("area_ha", r.area_ha, lang)],
                    [self.t("suit.score"), fmt.score(r.mean_score, lang)],
                    [self.t("col.kommunenavn"), str(getattr(r, "kommunenavn", "") or "")],
                    [self.t("suit.place"), self.place_text(r)],
                    [self.t("suit.reasons"), str(getattr(r, "reasons", ""))],
                ],
            }
            for r in sites.itertuples()
        ]
        outline = {
            "kind": "geojson",
            "geojson": mapping.frame_geojson(sites[["geometry"]], props, tolerance_m=model.grid.res / 4),
            "title": self.t("suit.sites"),
            "legend": [{"label": self.t("suit.sites"), "color": SITE_COLOUR}],
            "hollow": True,
            "fit": False,
        }
        self.app.set_overlays({"suitability": image, "sites": outline})

    def site_table(self) -> pd.DataFrame:
        """Ranked sites: rank, hectares, score, municipality, rank stability, reasons."""
        if self.sites is None or len(self.sites) == 0:
            return pd.DataFrame(columns=["rank", "area_ha", "mean_score", "kommunenavn", "reasons"])
        cols = [c for c in ("site_id", "rank", "area_ha", "mean_score", "kommunenavn") if c in self.sites]
        out = pd.DataFrame(self.sites[cols])
        if "place_name" in self.sites:
            out["place"] = [self.place_text(r) for r in self.sites.itertuples()]
        if self.stability is not None:
            st = self.stability.set_index("site_id")
            out["mc_median_rank"] = out["site_id"].map(st["mc_median_rank"])
            out["mc_share_top_5"] = out["site_id"].map(st["mc_share_top_5"])
        if "reasons" in self.sites:  # in the session's language now (it may have changed since the run)
            stale = getattr(self, "_reasons_lang", self.app.lang) != self.app.lang
            crit = (
                self.model().plan.criteria
                if stale and self.engines.has_model(self.profile, self.resolution)
                else []
            )
            out["reasons"] = (
                site_reasons(self.sites, crit, self.app.lang) if crit else self.sites["reasons"].to_numpy()
            )
        return out

    def select(self, site_id: int) -> None:
        """Select a site: its reasons, criterion values, rank stability and conflicts."""
        if self.sites is None or site_id not in set(self.sites["site_id"]):
            self.param.update(selected=0, detail={})
            return
        row = self.sites[self.sites["site_id"] == site_id]
        model = self.model()
        values = pd.DataFrame(
            [
                {
                    "criterion": self.labels().get(k, k),
                    "value": float(row.iloc[0][f"{k}_value"]),
                    "score": float(row.iloc[0][f"{k}_score"]),
                }
                for k in model.criteria
            ]
        )
        conflicts = self.engines.site_conflicts(row)
        stab = (
            self.stability[self.stability["site_id"] == site_id].iloc[0].to_dict()
            if self.stability is not None
            else {}
        )
        self.param.update(
            selected=int(site_id),
            detail={
                "rank": int(row.iloc[0]["rank"]),
                "area_ha": float(row.iloc[0]["area_ha"]),
                "reasons": str(row.iloc[0].get("reasons", "")),
                "values": values,
                "conflicts": conflicts,
                "stability": stab,
            },
        )

    @param.depends("app.feature", watch=True)
    def _on_feature(self) -> None:
        f = self.app.feature
        if f.get("overlay") == "sites" and isinstance(f.get("fid"), int):
            self.select(f["fid"])

    def skipped_words(self) -> list[str]:
        """What :meth:`skipped` lists, in words: the criterion or layer, and why (no ids, no commands)."""
        from areal.apps.labels import skipped_words

        return skipped_words(self.skipped(), self.engines.profile(self.profile), self.app.lang)

    def skipped(self) -> list[tuple[str, str]]:
        """Criteria and exclusions the model skipped, with why."""
        return list(self.model().skipped) if self.engines.has_model(self.profile, self.resolution) else []

    def starter_layers(self) -> list[str]:
        """Profile layers that come from the simplified starter extract."""
        return self.engines.starter_layers(self.engines.profile(self.profile).layers)

    def cog_bytes(self) -> io.BytesIO:
        """The suitability raster for the current weights as a cloud-optimised GeoTIFF."""
        from areal.layers.export import write_cog

        model = self.model()
        with tempfile.TemporaryDirectory(prefix="areal-dl-") as tmp:
            path = Path(tmp) / "suitability.tif"
            write_cog(
                model.suitability(self.active_weights(model)),
                model.grid,
                path,
                tags={"profile": self.profile, "weights": WeightDict.serialize(self.weights)},
            )
            return io.BytesIO(path.read_bytes())

    def gpkg_bytes(self) -> io.BytesIO:
        """The ranked sites (with reasons and rank stability) as a GeoPackage."""
        sites = self.sites
        if self.stability is not None:
            sites = sites.merge(self.stability, on="site_id")
        return _gpkg_bytes({f"{self.profile}_sites": sites})


# ====================================================================== test arenas


class ArenaState(Tool):
    """Filter the test-arena catalogue, list it, show it on the map, details on click."""

    sector = param.Selector(default="", objects=["", *A.SECTORS])
    arena_type = param.Selector(default="", objects=["", *A.ARENA_TYPES])
    status = param.Selector(default="", objects=["", *A.STATUSES])
    selected = param.String(default="", doc="id of the selected arena")

    def available(self) -> bool:
        """Whether the ``test_arenas`` layer is loaded."""
        return "test_arenas" in self.app.data.layers

    def frame(self) -> gpd.GeoDataFrame:
        """The arenas passing the filters."""
        arenas = self.app.data.layers["test_arenas"]
        return A.filter_arenas(arenas, self.sector or None, self.arena_type or None, self.status or None)

    def text_of(self, row, column: str) -> str:
        """A text column of an arena in the session's language (``<column>`` Norwegian, ``<column>_en``)."""

        def get(c):
            return row.get(c) if isinstance(row, dict) else getattr(row, c, None)

        en, nb = get(f"{column}_en"), get(column)
        if self.app.lang == "en" and isinstance(en, str) and en:
            return en
        return "" if nb is None or (isinstance(nb, float) and nb != nb) else str(nb)

    def name_of(self, row) -> str:
        """An arena's name in the session's language (``name`` is Norwegian, ``name_en`` English)."""
        return self.text_of(row, "name")

    def word(self, group: str, code) -> str:
        """A code of the arena table in words (``arena.kind.test_bed`` -> "testbed"); unknown as given."""
        key = f"{group}.{code}"
        return self.t(key) if key in i18n.NB else str(code)

    def table(self) -> pd.DataFrame:
        """List of the filtered arenas."""
        cols = ["id", "name", "arena_type", "status", "municipality_name", "precision"]
        f = self.frame()
        out = pd.DataFrame(f[[c for c in cols if c in f.columns]]).reset_index(drop=True)
        out["name"] = [self.name_of(r) for r in f.itertuples()]
        return out

    def relabel(self) -> None:  # noqa: D102
        if "arenas" in self.app.overlays:
            self.show()

    @param.depends("sector", "arena_type", "status", watch=True)
    def show(self) -> None:
        """Put the filtered arenas on the map (municipality-precision entries hollow)."""
        if not self.available():
            return
        # only entries with a published position are drawn (municipality-only entries have none)
        f = A.located(self.frame())
        props = []
        for r in f.itertuples():
            hollow = r.precision == "municipality"
            props.append(
                {
                    "_color": ARENA_COLOURS.get(r.status, "#00897b"),
                    "_hollow": hollow,
                    "_id": r.id,
                    "_tip": self.name_of(r),
                    "_popup": [
                        [self.t("col.name"), self.name_of(r)],
                        [self.t("arena.type"), self.word("arena.kind", r.arena_type)],
                        [self.t("arena.status"), self.word("arena.status", r.status)],
                        [self.t("arena.operator"), self.text_of(r, "operator")],
                        [self.t("arena.can_test"), self.text_of(r, "can_test")],
                        [
                            self.t("arena.precision"),
                            self.t("arena.precision_municipality")
                            if hollow
                            else self.word("arena.precision", r.precision),
                        ],
                    ],
                    "_link": [self.t("arena.source"), r.source_url],
                }
            )
        legend = [{"label": self.t(f"arena.status.{s}"), "color": c} for s, c in ARENA_COLOURS.items()]
        self.app.set_overlay(
            "arenas",
            {
                "kind": "geojson",
                "geojson": mapping.frame_geojson(f[["geometry"]], props, tolerance_m=5.0),
                "title": self.t("arena.title"),
                "legend": legend,
                "fit": False,
            },
        )

    def details(self, arena_id: str) -> dict[str, Any]:
        """One arena's record (with its one-line description)."""
        arenas = self.app.data.layers["test_arenas"]
        hit = arenas[arenas["id"] == arena_id]
        if not len(hit):
            return {}
        row = hit.iloc[0].drop(labels=["geometry", "sector_list"], errors="ignore").to_dict()
        row["description"] = describe_arena(hit.iloc[0])
        row["name"] = self.name_of(row)
        row["operator"] = self.text_of(row, "operator")
        row["can_test"] = self.text_of(row, "can_test")
        return row

    @param.depends("app.feature", watch=True)
    def _on_feature(self) -> None:
        f = self.app.feature
        if f.get("overlay") == "arenas" and isinstance(f.get("fid"), str):
            self.selected = f["fid"]


# ====================================================================== indicators and scenarios


class IndicatorState(Tool):
    """A choropleth of one land-account column (indicators join as further columns) with a ranked table.

    Scenarios (save, open, compare) are :class:`areal.apps.planner.scenarios.ScenarioState`.
    """

    column = param.Selector(default=None, objects=[], doc="the figure mapped")
    selected = param.String(default="", doc="municipality number clicked")

    def __init__(self, **params):
        super().__init__(**params)
        cols = self.engines.indicator_ids() + self.engines.account_columns()
        self.param.column.objects = cols
        if self.column not in cols and cols:
            # the first figure that is available (those that are not stay listed, with the reason)
            first = next((c for c in cols if not self.engines.indicator_reason(c)), cols[0])
            with param.parameterized.discard_events(self):  # drawn when the view is opened
                self.column = first

    def titles(self) -> dict[str, str]:
        """Readable titles of the columns (indicators with their unit, account columns) in the session's language."""
        return {**self.engines.account_titles(self.app.lang), **self.engines.indicator_titles(self.app.lang)}

    def reason(self) -> str:
        """Why the selected indicator is not available ('' when it is)."""
        from areal.apps.labels import indicator_text

        return indicator_text(self.engines.indicator_reason(self.column), self.app.lang)

    def ranked(self) -> pd.DataFrame:
        """Municipalities ranked by the column (largest first; 'not available' when NaN)."""
        if self.column in self.engines.indicator_ids():
            acc = self.engines.indicator_table().table
        else:
            acc = self.engines.account().municipalities
        out = pd.DataFrame(acc[["kommunenummer", "kommunenavn", self.column]]).rename(
            columns={self.column: "value"}
        )
        out = out.sort_values("value", ascending=False, kind="stable", na_position="last").reset_index(
            drop=True
        )
        out.insert(0, "rank", np.arange(1, len(out) + 1))
        return out

    def classes(self) -> tuple[np.ndarray, list[dict[str, str]]]:
        """Quantile class breaks and the legend entries."""
        vals = self.ranked()["value"].to_numpy(dtype=float)
        vals = vals[np.isfinite(vals)]
        if not len(vals):
            return np.array([]), [{"label": self.t("site.not_available"), "color": "#bdbdbd"}]
        breaks = np.unique(np.quantile(vals, np.linspace(0, 1, len(CHOROPLETH) + 1)))
        d = 2 if np.nanmax(np.abs(vals)) < 10 else 0
        legend = [
            {
                "label": f"{fmt.number(lo, d, self.app.lang)} – {fmt.number(hi, d, self.app.lang)}",
                "color": CHOROPLETH[min(i, len(CHOROPLETH) - 1)],
            }
            for i, (lo, hi) in enumerate(zip(breaks[:-1], breaks[1:]))
        ]
        return breaks, legend

    def colour(self, value: float, breaks: np.ndarray) -> str:
        """Class colour of a value ('not available' grey for NaN)."""
        if not np.isfinite(value) or not len(breaks):
            return "#bdbdbd"
        i = int(np.clip(np.searchsorted(breaks, value, side="right") - 1, 0, len(breaks) - 2))
        return CHOROPLETH[min(i, len(CHOROPLETH) - 1)]

    def relabel(self) -> None:  # noqa: D102
        if "indicator" in self.app.overlays:
            self.show()

    @param.depends("column", watch=True)
    def show(self) -> None:
        """Put the choropleth on the map."""
        munis = self.app.data.layers.get("municipalities")
        if munis is None or self.column is None:
            return
        ranked = self.ranked().set_index("kommunenummer")
        breaks, legend = self.classes()
        title = self.titles().get(self.column, self.column)
        props = []
        for r in munis.itertuples():
            v = float(ranked["value"].get(str(r.kommunenummer), np.nan))
            props.append(
                {
                    "_color": self.colour(v, breaks),
                    "_id": str(r.kommunenummer),
                    "_tip": f"{r.kommunenavn}: "
                    + fmt.number(v, 2, self.app.lang, missing=self.t("site.not_available")),
                    "_popup": [
                        [self.t("col.kommunenavn"), r.kommunenavn],
                        [title, fmt.number(v, 2, self.app.lang, missing=self.t("site.not_available"))],
                    ],
                }
            )
        self.app.set_overlay(
            "indicator",
            {
                "kind": "geojson",
                "geojson": mapping.frame_geojson(munis[["geometry"]], props, tolerance_m=150.0),
                "title": title,
                "legend": legend,
                "fill_opacity": 0.7,
                "fit": False,
            },
        )

    def account_of(self, number: str) -> pd.DataFrame:
        """The land account of one municipality as (class, hectares) rows."""
        acc = self.engines.account().table
        row = acc[acc["kommunenummer"].astype(str) == str(number)]
        if not len(row):
            return pd.DataFrame(columns=["class", "value"])
        titles = self.titles()
        rows = []
        for c in self.engines.account_columns(all_columns=True):
            v = row.iloc[0][c]
            rows.append({"class": titles.get(c, c), "value": float(v) if pd.notna(v) else np.nan})
        return pd.DataFrame(rows)

    @param.depends("app.feature", watch=True)
    def _on_feature(self) -> None:
        f = self.app.feature
        if f.get("overlay") == "indicator" and isinstance(f.get("fid"), str):
            self.selected = f["fid"]
