"""GUI-free state of one app session (imports nothing from Panel).

The views only display this state and call its methods; the tests drive it directly
(``state.param.update(...)``, ``state.handle_map_event(...)``, ``state.param.trigger(...)``).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any, Callable

import geopandas as gpd
import numpy as np
import param
import shapely
from areal.apps.planner import i18n, urlstate
from areal.apps.planner.data import AppData
from areal.apps.planner.safe_text import strip_paths
from areal.apps.planner.workers import budget
from areal.geo.errors import ArealError
from areal.geo.sitecheck import SiteReport, check_site, with_suitability
from areal.layers.upload import (
    PLANNER_LIMITS,
    PUBLIC_LIMITS,
    UploadLimits,
    read_geojson_geometry,
    read_upload,
)

log = logging.getLogger("areal.app")

SITE_KINDS = ("business_areas", "test_area_sea", "test_area_land", "other")
"""What a drawn or uploaded site can be; each is checked with its own rules (``[kinds]`` of the rule table)."""


@dataclass(frozen=True)
class SiteJob:
    """A site check as plain data, so that it can run in the server's site-check process.

    Attributes
    ----------
    source : {"geojson", "upload", "frame"}
        What ``payload`` is: a GeoJSON geometry in lon/lat (drawn, clicked, from a link), the
        bytes of an uploaded file, or a frame in EPSG:25833 (an opened scenario's proposal).
    payload : object
        The geometry, bytes or frame.
    what : str
        How the site is named in messages (the file name, "tegnet område", ...).
    mode : str
        The app mode (its upload limits and site-check budget).
    kind : str
        What the site is checked as (one of :data:`SITE_KINDS`).
    filename : str
        The uploaded file's name (``source="upload"``).
    """

    source: str
    payload: Any
    what: str
    mode: str
    kind: str = "business_areas"
    filename: str = ""

    @property
    def limits(self) -> UploadLimits:
        """Upload limits of the mode."""
        return PUBLIC_LIMITS if self.mode == "public" else PLANNER_LIMITS

    def name_of(self, site: gpd.GeoDataFrame) -> str:
        """The site's name in messages: an upload's (cleaned) file name, else ``what``."""
        return str(site.attrs.get("filename") or self.what) if self.source == "upload" else self.what

    def read(self) -> gpd.GeoDataFrame:
        """The site as a frame in EPSG:25833 (raises the upload readers' errors)."""
        if self.source == "upload":
            return read_upload(self.payload, self.filename, self.limits)
        if self.source == "geojson":
            return read_geojson_geometry(self.payload, self.limits, what=self.what)
        return self.payload.to_crs(25833)


def site_report(
    data: AppData | None,
    site: gpd.GeoDataFrame,
    what: str,
    mode: str,
    kind: str = "business_areas",
    conflict_engine: Callable | None = None,
    suitability_engine: Callable | None = None,
) -> SiteReport:
    """The site check of the app: budget, loaded layers, engines, coverage (one implementation).

    Raises :class:`~areal.geo.errors.BudgetExceededError` when the site has more points or
    vertices than the mode's site-check budget.
    """
    geoms = np.asarray(site.geometry.values)
    is_point = np.isin(shapely.get_type_id(geoms), (0, 4))
    n_points = int(shapely.get_num_geometries(geoms[is_point]).sum())
    n_vertices = int(shapely.get_num_coordinates(geoms[~is_point]).sum())
    budget("site_check", mode).check(n_points, n_vertices, what)
    layers = data.layers if data is not None else {}
    if conflict_engine is not None and kind != "business_areas":
        conflict_engine = functools.partial(conflict_engine, as_layer=kind)
    expected = [sp.id for sp in data.specs if sp.kind == "vector"] if data is not None else []
    return check_site(
        site,
        layers,
        conflict_engine=conflict_engine,
        suitability_engine=suitability_engine,
        coverage=getattr(data, "coverage", None),
        expected=expected,
    )


def encode_site(site: gpd.GeoDataFrame) -> str:
    """The site as a link code (:mod:`~areal.apps.planner.urlstate`); '' when it is too large for one."""
    import json

    from areal.apps.planner import mapping

    fc = mapping.site_geojson(site)
    geoms = [f["geometry"] for f in fc["features"]]
    if len(geoms) != 1:
        polys = [g for g in geoms if g["type"] in ("Polygon", "MultiPolygon")]
        if len(polys) != len(geoms) or not polys:
            return ""
        coords = [g["coordinates"] for g in polys if g["type"] == "Polygon"]
        coords += [p for g in polys if g["type"] == "MultiPolygon" for p in g["coordinates"]]
        geoms = [{"type": "MultiPolygon", "coordinates": coords}]
    geom = json.loads(json.dumps(geoms[0]))
    if urlstate.n_vertices(geom) > urlstate.MAX_VERTICES:
        return ""
    try:
        return urlstate.encode_geometry(geom)
    except urlstate.SiteCodeError:
        return ""


def check_in_process(context: tuple, job: SiteJob) -> tuple[gpd.GeoDataFrame, SiteReport, str]:
    """Read and check a site in the site-check process: ``(site, report, link code)``.

    ``context`` is ``(data, engines)`` as the server forked them. The suitability slot is left
    to the server (:func:`~areal.geo.sitecheck.with_suitability`): its models are built and kept
    there, and the child's copy would be stale.
    """
    data, engines = context
    site = job.read()
    conflicts = engines.site_conflicts if engines is not None else None
    report = site_report(data, site, job.name_of(site), job.mode, job.kind, conflict_engine=conflicts)
    return site, report, encode_site(site)


class LayerList(param.List):
    """A list of layer ids that serialises to a readable ``a,b,c`` in the URL."""

    @classmethod
    def serialize(cls, value):  # noqa: D102
        return None if value is None else ",".join(value)

    @classmethod
    def deserialize(cls, value):  # noqa: D102
        if isinstance(value, str):
            return [v for v in value.split(",") if v]
        return list(value or [])


class CodeString(param.String):
    """A code such as a municipality number; the URL parser turns ``5001`` into an int, this turns it back."""

    @classmethod
    def deserialize(cls, value):  # noqa: D102
        return "" if value is None else str(value)


class PlannerState(param.Parameterized):
    """Everything one session shows: view, layers, language, mode, site and its report.

    ``visible``, ``lat``, ``lon``, ``zoom``, ``municipality``, ``lang``, ``base``, ``tab`` and
    ``site_code`` are synced with the URL by the app, so a link reproduces the view, the open tab
    and the site (a link's site is checked again on opening).
    """

    lang = param.Selector(default=i18n.DEFAULT_LANG, objects=list(i18n.LANGUAGES), doc="UI language")
    mode = param.Selector(
        default="public",
        objects=["public", "planner"],
        constant=True,
        doc="public viewer (read-only) or planner mode; fixed per server",
    )
    visible = LayerList(default=[], item_type=str, doc="ids of the layers shown on the map")
    lat = param.Number(default=63.9, bounds=(57.0, 72.0), doc="map centre latitude")
    lon = param.Number(default=12.0, bounds=(0.0, 32.0), doc="map centre longitude")
    zoom = param.Integer(default=7, bounds=(3, 20), doc="Leaflet zoom")
    base = param.Selector(
        default="topo",
        objects=["topo", "grey", "osm", "offline"],
        doc="base map ('offline': the app's own data)",
    )
    municipality = CodeString(default="", doc="municipality number filter ('' = whole county)")
    tab = param.String(default="site", doc="the open sidebar tab (site, layers, conflicts, suitability, ...)")
    site_code = param.String(
        default="", doc="the site as a compact geometry code for links (apps/planner/urlstate.py; '' = none)"
    )

    site = param.ClassSelector(
        class_=gpd.GeoDataFrame, default=None, allow_None=True, doc="the site being checked (EPSG:25833)"
    )
    site_source = param.String(default="", doc="'click', 'draw' or 'upload:<file>'")
    site_kind = param.Selector(
        default="business_areas",
        objects=list(SITE_KINDS),
        doc="what the site is (business area, test area at sea or on land, other): which rules check it",
    )
    report = param.ClassSelector(class_=SiteReport, default=None, allow_None=True, doc="site report")
    error = param.String(default="", doc="the last error, in the UI language ('' = none)")
    error_detail = param.String(default="", doc="technical detail of the last error (planner mode only)")
    n_errors = param.Integer(default=0, doc="errors so far (a repeated identical error still changes this)")
    map_stats = param.Dict(default={}, doc="what the map last reported (bytes of GeoJSON, first paint)")
    map_version = param.Integer(default=0, doc="bumped when the map document must be rebuilt")
    overlays = param.Dict(
        default={}, doc="analysis overlays on the map: id -> payload (GeoJSON or a PNG image with bounds)"
    )
    feature = param.Dict(default={}, doc="the last analysis feature clicked on the map: {overlay, fid, n}")

    data = param.ClassSelector(class_=AppData, doc="layers shared by all sessions")
    conflict_engine = param.Callable(
        default=None, allow_None=True, doc="(site, layers) -> conflicts frame; None = not available"
    )
    suitability_engine = param.Callable(
        default=None, allow_None=True, doc="(site, layers) -> suitability frame; None = not available"
    )
    runner = param.Callable(
        default=None,
        allow_None=True,
        doc="runner(job, done, seconds): runs a site check off the event loop (None: inline, as in tests)",
    )
    site_process = param.Parameter(
        default=None,
        doc="the server's site-check process (a ForkedWorker running check_in_process; None: in this process)",
    )
    busy = param.Boolean(default=False, doc="a site check is running in the worker pool")
    notice = param.String(
        default="", doc="a note for the visitor (a link parameter that was not applied ...)"
    )

    def __init__(self, **params):
        super().__init__(**params)
        self._job = 0
        if not self.visible and self.data is not None:
            self.visible = self.data.default_visible()

    # ------------------------------------------------------------------ derived

    @property
    def limits(self) -> UploadLimits:
        """Upload limits of the mode."""
        return PUBLIC_LIMITS if self.mode == "public" else PLANNER_LIMITS

    def t(self, key: str, **values) -> str:
        """Translate a UI string into the session's language."""
        return i18n.t(key, self.lang, **values)

    @param.depends("visible", watch=True)
    def _drop_unknown_layers(self) -> None:
        # A hand-edited URL may name layers that do not exist here: keep only known ones.
        if self.data is None:
            return
        known = {s.id for s in self.data.specs}
        clean = [v for i, v in enumerate(self.visible) if v in known and v not in self.visible[:i]]
        if clean != self.visible:
            self.visible = clean

    @param.depends("municipality", watch=True)
    def _check_municipality(self) -> None:
        if (
            self.municipality
            and self.data is not None
            and self.municipality not in self.data.municipalities()
        ):
            self.municipality = ""

    @param.depends("lang", watch=True)
    def _rebuild_map_for_language(self) -> None:
        self.map_version += 1

    # ------------------------------------------------------------------ the bridge

    def handle_map_event(self, event: dict[str, Any]) -> None:
        """Apply a message the map posted (click, draw, view, layers, stats).

        Unknown or malformed messages are ignored: they come from a browser.
        """
        if not isinstance(event, dict):
            return
        kind = event.get("type")
        try:
            if kind == "view":
                self.param.update(lat=float(event["lat"]), lon=float(event["lon"]), zoom=int(event["zoom"]))
            elif kind in ("layers", "ready") and isinstance(event.get("visible"), list):
                if kind == "layers":
                    self.visible = [str(v) for v in event["visible"]]
            elif kind == "base" and event.get("base") in ("topo", "grey", "osm", "offline"):
                self.base = event["base"]
            elif kind == "stats":
                self.map_stats = {k: event.get(k) for k in ("bytes", "requests", "first_paint_ms")}
            elif kind == "feature" and isinstance(event.get("overlay"), str):
                fid = event.get("fid")
                if isinstance(fid, (int, str)) and not isinstance(fid, bool):
                    self.feature = {
                        "overlay": event["overlay"],
                        "fid": fid,
                        "n": self.feature.get("n", 0) + 1,
                    }
            elif kind in ("click", "draw") and isinstance(event.get("geojson"), dict):
                self.set_site_geojson(event["geojson"], kind)
        except (KeyError, TypeError, ValueError):
            return

    # ------------------------------------------------------------------ site check

    def set_site_geojson(self, geojson: dict, source: str = "draw") -> None:
        """Use a GeoJSON geometry in lon/lat (from the map) as the site."""
        self._run_site_job(
            self._job_spec("geojson", geojson, self.t(f"site.source.{source}")), lambda _s: source
        )

    def upload(self, data: bytes, filename: str) -> None:
        """Use an uploaded file as the site; a bad file sets ``error`` and keeps everything else.

        Reading and checking run off the event loop when the app set a ``runner`` (in the
        server's site-check process when it has one); the result is applied on the session's loop.
        """
        job = self._job_spec("upload", data, filename, filename=filename)
        self._run_site_job(job, lambda site: f"upload:{site.attrs.get('filename', '')}")

    def set_site_frame(self, site: gpd.GeoDataFrame, source: str) -> None:
        """Use a frame (EPSG:25833), e.g. an opened scenario's proposal, as the site."""
        self._run_site_job(self._job_spec("frame", site.to_crs(25833), source), lambda _site: source)

    def _job_spec(self, source: str, payload: Any, what: str, filename: str = "") -> SiteJob:
        return SiteJob(source, payload, what, self.mode, self.site_kind, filename)

    def set_overlay(self, overlay_id: str, payload: dict[str, Any]) -> None:
        """Show (or replace) an analysis overlay on the map."""
        self.overlays = {**self.overlays, overlay_id: payload}

    def set_overlays(self, overlays: dict[str, dict[str, Any]]) -> None:
        """Show (or replace) several overlays in one change (one message to the map)."""
        self.overlays = {**self.overlays, **overlays}

    def clear_overlay(self, overlay_id: str) -> None:
        """Remove an analysis overlay from the map."""
        if overlay_id in self.overlays:
            self.overlays = {k: v for k, v in self.overlays.items() if k != overlay_id}

    def clear_site(self) -> None:
        """Forget the site and its report."""
        self._own_code = ""
        self.param.update(site=None, site_source="", report=None, error="", error_detail="", site_code="")

    @param.depends("site_code", watch=True)
    def _site_from_link(self) -> None:
        # A link (or a hand-edited URL) carries a site: check it. Codes this session made itself
        # (every site change writes one) are not read back.
        code = self.site_code
        if not code or code == getattr(self, "_own_code", ""):
            return
        try:
            geom = urlstate.decode_geometry(code)
        except urlstate.SiteCodeError:
            self.site_code = ""
            return
        self.set_site_geojson(geom, "link")

    @param.depends("site_kind", watch=True)
    def _recheck_as_kind(self) -> None:
        # The same site, checked with the rules of its new kind.
        if self.site is not None:
            self.set_site_frame(self.site, self.site_source)

    def dismiss_error(self) -> None:
        """Hide the error message."""
        self.param.update(error="", error_detail="")

    def _run_site_job(self, spec: SiteJob, source_of: Callable[[gpd.GeoDataFrame], str]) -> None:
        """Read and check a site (``spec``) and show its result or its error.

        A newer check supersedes an older one still running: the older result is dropped.
        """
        self._job += 1
        token = self._job

        def full_job():  # the link code of the site is made off the event loop too
            if self.site_process is not None:
                site, report, code = self.site_process.run(check_in_process, spec)
                layers = self.data.layers if self.data is not None else {}
                return site, with_suitability(report, site, layers, self.suitability_engine), code
            site = spec.read()
            return site, self.compute_report(site, spec.name_of(site)), encode_site(site)

        def done(result, error) -> None:
            if token != self._job:
                return
            self.busy = False
            if error is not None:
                self._fail(error)
                return
            site, report, code = result
            self._own_code = code
            self.param.update(
                site=site,
                site_source=source_of(site),
                report=report,
                error="",
                error_detail="",
                site_code=code,
            )

        if self.runner is None:
            try:
                result = full_job()
            except ArealError as exc:
                done(None, exc)
                return
            done(result, None)
            return
        self.busy = True
        self.runner(full_job, done, budget("site_check", self.mode).seconds)

    def compute_report(self, site: gpd.GeoDataFrame, what: str = "site") -> SiteReport:
        """Run the site check (:func:`site_report`) with this session's mode, kind and engines."""
        return site_report(
            self.data,
            site,
            what,
            self.mode,
            self.site_kind,
            conflict_engine=self.conflict_engine,
            suitability_engine=self.suitability_engine,
        )

    def _fail(self, exc: BaseException) -> None:
        key = getattr(exc, "key", None)
        details = dict(getattr(exc, "details", {}) or {})
        if not isinstance(exc, ArealError):
            # A bug, not the visitor's input: one generic line on the page, the traceback in the log.
            log.error("site check failed", exc_info=(type(exc), exc, exc.__traceback__))
            text = self.t("error.internal")
            detail = f"{type(exc).__name__}: {exc}" if self.mode == "planner" else ""
            self.param.update(error=text, error_detail=detail, n_errors=self.n_errors + 1)
            return
        text = ""
        if key and f"error.upload.{key}" in i18n.NB:
            try:
                text = self.t(f"error.upload.{key}", **{"file": "", **details})
            except (KeyError, ValueError, IndexError):
                text = ""
        if not text:
            msg = str(exc) if self.mode == "planner" else strip_paths(str(exc))
            text = self.t("error.site", msg=msg)
        code = details.get("code")
        if code and f"error.problem.{code}" in i18n.NB:
            text = f"{text} {self.t(f'error.problem.{code}')}"
        detail = str(exc) if self.mode == "planner" else ""
        # Only the message changes: the site, report, layers and view the user had stay as they were.
        self.param.update(error=text, error_detail=detail, n_errors=self.n_errors + 1)

    # ------------------------------------------------------------------ helpers for views

    def available_reasons(self) -> dict[str, str]:
        """Unavailable layers with the reason, worded for the mode."""
        return self.data.reasons(self.mode, self.lang) if self.data is not None else {}

    def credits(self) -> list[tuple[str, str, str]]:
        """``(title, attribution, licence)`` of each visible layer, in catalogue order."""
        if self.data is None:
            return []
        on = set(self.visible)
        return [
            (s.title_in(self.lang), s.attribution, s.licence)
            for s in self.data.specs
            if s.id in on and (s.id in self.data.layers or s.id in self.data.rasters)
        ]

    def engines(self) -> dict[str, Callable | None]:
        """The analysis engines plugged in (for views that show 'not available')."""
        return {"conflicts": self.conflict_engine, "suitability": self.suitability_engine}
