"""The analysis engines one app server shares between its sessions (no Panel import).

* conflicts: the rule table is read once; :meth:`Engines.conflicts` runs
  :func:`areal.geo.conflicts.find_conflicts` on layers pre-clipped to the proposal's extent (plus the
  largest rule buffer), so a drawn site or one proposal layer does not flatten whole county layers;
* suitability: one :class:`areal.geo.suitability.SuitabilityModel` per (profile, resolution), built
  once (thread-safe: concurrent requests for the same model wait for the one build) and kept in a
  small LRU; a weight change re-uses the model's cached criterion arrays;
* the two site-check engines passed to :func:`areal.geo.sitecheck.check_site`.

Layers come from :class:`~areal.apps.planner.data.AppData` (loaded once); reading profiles, rules and
the elevation raster happens here, never in the views.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Iterable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.apps.planner.data import AppData
from areal.geo.conflicts import ConflictResult
from areal.geo.crs import WORKING_CRS
from areal.geo.errors import ArealError, LayerMissingError, UnknownNameError
from areal.geo.grid import AnalysisGrid
from areal.geo.profiles import Profile
from areal.geo.rules import RuleTable, severity_rank
from areal.geo.sites import site_shares, zonal_mean
from areal.geo.suitability import SuitabilityModel, build_model
from areal.geo.suitability_plan import SuitabilityInputs

RESOLUTIONS = (100.0, 250.0, 500.0)
SITE_CHECK_RES = 250.0
"""Resolution at which the site check builds a profile's model when none is cached yet."""


def site_mean(array: np.ndarray, grid: AnalysisGrid, geom) -> float:
    """Mean of ``array`` over a site's cells (:func:`areal.geo.sites.site_cells`; NaN when none is scored).

    A MultiPoint is taken as its points (cell indices straight from the coordinates): rasterising a
    20 000-point MultiPoint walks its points one by one in Python and holds the interpreter lock.
    """
    return zonal_mean(array, grid, geom)


class Engines:
    """Conflict rules and suitability models of one server.

    Parameters
    ----------
    data : AppData
        The loaded layers.
    rules : RuleTable, optional
        Default: the project's rule table (``data/rules/default.toml``).
    profiles : mapping of name to Profile, optional
        Default: the shipped profiles (``data/profiles/*.toml``), read on first use.
    max_models : int
        Models kept in memory (a 100 m county model of 7 criteria holds about 0.7 GB).
    """

    def __init__(
        self,
        data: AppData,
        rules: RuleTable | None = None,
        profiles: Mapping[str, Profile] | None = None,
        *,
        max_models: int = 8,
    ):
        from areal.layers.project_data import load_rules

        self.data = data
        self.rules = rules if rules is not None else load_rules()
        self._profiles: dict[str, Profile] | None = dict(profiles) if profiles is not None else None
        self.max_models = max_models
        self._models: OrderedDict[tuple[str, float], SuitabilityModel] = OrderedDict()
        self._default_suit: dict[tuple[str, float], np.ndarray] = {}
        self._building: dict[tuple[str, float], threading.Lock] = {}
        self._lock = threading.Lock()
        self.build_seconds: dict[tuple[str, float], float] = {}

    # ------------------------------------------------------------------ profiles

    @property
    def profiles(self) -> dict[str, Profile]:
        """Profiles by name."""
        if self._profiles is None:
            from areal.layers.project_data import load_profile, profile_names

            self._profiles = {n: load_profile(n) for n in profile_names()}
        return self._profiles

    def profile(self, name: str) -> Profile:
        """A profile by name (raises ``UnknownNameError`` listing the known ones)."""
        try:
            return self.profiles[name]
        except KeyError:
            raise UnknownNameError(
                f"profile {name!r} is not known; profiles: {', '.join(self.profiles)}"
            ) from None

    # ------------------------------------------------------------------ layers

    def municipalities(self) -> gpd.GeoDataFrame | None:
        """Municipality polygons (with sea when available) for splitting conflicts."""
        return self.data.layers.get("municipalities_sea", self.data.layers.get("municipalities"))

    def starter_layers(self, ids: Iterable[str]) -> list[str]:
        """Which of these layers come from the simplified starter extract."""
        return [
            i for i in ids if self.data.states.get(i) is not None and self.data.states[i].status == "starter"
        ]

    # ------------------------------------------------------------------ conflicts

    def against_layers(self, as_layer: str) -> list[str]:
        """B-side layers of the rules of ``as_layer``, in rule order, unique."""
        return list(dict.fromkeys(r.b_layer for r in self.rules.rules_for(as_layer)))

    def conflicts(
        self,
        proposal: gpd.GeoDataFrame,
        *,
        as_layer: str = "business_areas",
        against: Iterable[str] | None = None,
        municipality: str = "",
    ) -> ConflictResult:
        """Conflicts of a proposal with the loaded layers.

        Parameters
        ----------
        proposal : GeoDataFrame
            Proposal polygons (EPSG:25833); points and lines are given a 1 m² footprint so the
            zones they lie in are reported.
        as_layer : str
            Which rules apply (their A side).
        against : iterable of str, optional
            Only rules whose B layer is one of these (default: all of ``as_layer``'s rules).
        municipality : str
            Only the part of the proposal inside this municipality ('' = all).
        """
        from areal.apps.usecases.conflicts import check_conflicts

        return check_conflicts(
            proposal,
            self.data.layers,
            self.rules,
            as_layer=as_layer,
            against=against,
            municipalities=self.municipalities(),
            within=municipality or None,
            footprint=True,
        )

    def site_kinds(self) -> list[str]:
        """What a site can be checked as: the rule table's kinds (``[kinds.*]``), in table order."""
        return list(self.rules.kinds) or ["business_areas"]

    def site_conflicts(
        self, site: gpd.GeoDataFrame, layers=None, as_layer: str = "business_areas"
    ) -> pd.DataFrame:
        """Site-check engine: conflicts of the site checked as ``as_layer`` (a kind), by severity.

        Columns ``severity``, ``pair``, ``area_ha``, ``basis``, ``explanation``; one row per rule
        that touches the site, most severe first. ``attrs["not_mapped"]`` lists the rule layers
        that are missing here (their rules could not be checked: "ikke kartlagt", never 0 ha) and
        ``attrs["as_layer"]`` the kind used.
        """
        res = self.conflicts(site, as_layer=as_layer)
        cols = ["severity", "pair", "area_ha", "basis", "explanation"]
        out = self._site_conflict_rows(res, cols)
        out.attrs["not_mapped"] = list(res.missing)
        out.attrs["as_layer"] = as_layer
        return out

    @staticmethod
    def _site_conflict_rows(res: ConflictResult, cols: list[str]) -> pd.DataFrame:
        if len(res.polygons) == 0:
            return pd.DataFrame(columns=cols)
        g = (
            res.polygons.groupby(["pair", "severity", "basis", "explanation"], sort=False)["area_ha"]
            .sum()
            .reset_index()
        )
        g["_r"] = g["severity"].map(severity_rank)
        return g.sort_values(["_r", "area_ha"], ascending=[True, False], kind="stable")[cols].reset_index(
            drop=True
        )

    # ------------------------------------------------------------------ suitability

    @property
    def source(self):
        """The loaded layers as a :class:`~areal.layers.suitability_inputs.LayerSource` (made once)."""
        src = getattr(self, "_source", None)
        if src is None:
            from areal.layers.suitability_inputs import LoadedLayers

            reasons = {
                lid: (st.reason_public or st.status) for lid, st in self.data.states.items() if st is not None
            }
            src = self._source = LoadedLayers(self.data.layers, reasons, self.data.rasters)
        return src

    def inputs(self, profile: Profile) -> SuitabilityInputs:
        """The profile's inputs from the loaded data, with the rule table's exclusion rules.

        The same assembly as the CLI's (:func:`areal.layers.suitability_inputs.load_suitability_inputs`).
        """
        from areal.layers.suitability_inputs import load_suitability_inputs

        return load_suitability_inputs(profile, self.source, rules=self.rules)

    def grid(self, res: float) -> AnalysisGrid:
        """Analysis grid over the county at ``res`` metres."""
        region = self.data.layers.get("county", self.data.layers.get("municipalities"))
        if region is None:
            raise LayerMissingError("suitability needs the 'county' or 'municipalities' layer for its grid")
        return AnalysisGrid.for_region(region, res=float(res))

    def has_model(self, name: str, res: float) -> bool:
        """Whether the model is built (and cached)."""
        with self._lock:
            return (name, float(res)) in self._models

    def model(self, name: str, res: float) -> SuitabilityModel:
        """The model of a profile at a resolution: built once, then from memory."""
        key = (name, float(res))
        with self._lock:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key]
            build_lock = self._building.setdefault(key, threading.Lock())
        with build_lock:  # a second request for the same model waits for the first build
            with self._lock:
                if key in self._models:
                    return self._models[key]
            t0 = time.perf_counter()
            profile = self.profile(name)
            model = build_model(profile, self.inputs(profile), self.grid(res))
            self.build_seconds[key] = time.perf_counter() - t0
            with self._lock:
                self._models[key] = model
                while len(self._models) > self.max_models:
                    old, _ = self._models.popitem(last=False)
                    self._default_suit.pop(old, None)
            return model

    def default_suitability(self, name: str, res: float) -> np.ndarray:
        """The profile-weight suitability raster of a cached (or newly built) model."""
        key = (name, float(res))
        model = self.model(name, res)
        with self._lock:
            arr = self._default_suit.get(key)
        if arr is None:
            arr = model.suitability()
            with self._lock:
                self._default_suit[key] = arr
        return arr

    def best_cached_res(self, name: str) -> float | None:
        """The finest resolution at which the profile's model is in memory, or None."""
        with self._lock:
            have = [r for (n, r) in self._models if n == name]
        return min(have) if have else None

    def site_suitability(self, site: gpd.GeoDataFrame, layers=None) -> pd.DataFrame:
        """Site-check engine: each profile's mean suitability (profile weights) over the site.

        Uses the finest cached model of each profile; a profile without one is built at
        :data:`SITE_CHECK_RES`. Columns ``profile``, ``title``, ``score`` (0–1, NaN when the site is
        off land or excluded), ``resolution_m`` and ``why``: for a site without a score, the share of
        its cells off land (key ``""``) and taken by each exclusion (keyed by exclusion id), else None.
        """
        geom = shapely.union_all(np.asarray(site.to_crs(WORKING_CRS).geometry.values))
        rows = []
        for name, prof in self.profiles.items():
            res = self.best_cached_res(name) or SITE_CHECK_RES
            if self.warming and not self.has_model(name, res):
                # Do not make the user wait for the start-up preparation: say so instead.
                rows.append(
                    {
                        "profile": name,
                        "title": prof.title_nb,
                        "score": np.nan,
                        "resolution_m": np.nan,
                        "why": None,
                    }
                )
                continue
            arr = self.default_suitability(name, res)
            model = self.model(name, res)
            score = site_mean(arr, model.grid, geom)
            why = None
            if not np.isfinite(score):  # say what took the site: off land, or which exclusions
                why = site_shares(model.grid, geom, {"": ~model.land, **model.exclusions})
            rows.append(
                {"profile": name, "title": prof.title_nb, "score": score, "resolution_m": res, "why": why}
            )
        return pd.DataFrame(rows, columns=["profile", "title", "score", "resolution_m", "why"])

    def prewarm(self, res: float = SITE_CHECK_RES, *, indicators: bool = False) -> threading.Thread:
        """Build every profile's model at ``res`` (and the indicator table) in a background thread.

        While it runs, :meth:`site_suitability` reports the profiles not built yet as being
        prepared instead of blocking the site check.
        """

        def run():
            try:
                for name in list(self.profiles):
                    try:
                        self.default_suitability(name, res)
                    except Exception:  # noqa: BLE001 - a profile that cannot run is reported when used
                        continue
                if indicators:
                    try:
                        self.indicator_ids()
                    except Exception:  # noqa: BLE001 - the indicator view reports its own error
                        pass
            finally:
                self._warming = None

        t = threading.Thread(target=run, name="areal-prewarm", daemon=True)
        self._warming = t
        t.start()
        return t

    @property
    def warming(self) -> bool:
        """True while :meth:`prewarm` is still preparing models."""
        t = getattr(self, "_warming", None)
        return t is not None and t.is_alive()

    # ------------------------------------------------------------------ land account (indicator view)

    def account(self):
        """The land account of the 38 municipalities and the county (computed once)."""
        with self._lock:
            acc = getattr(self, "_account", None)
        if acc is not None:
            return acc
        from areal.apps.usecases.account import account
        from areal.layers import loader

        munis = self.data.layers.get("municipalities")
        if munis is None:
            raise LayerMissingError("the land account needs the 'municipalities' layer, which is missing")
        remedies = {s.id: loader.how_to_get(s) for s in self.data.specs if s.id not in self.data.layers}
        acc = account(munis, self.data.layers, remedies=remedies)
        with self._lock:
            self._account = acc
        return acc

    def account_columns(self, all_columns: bool = False) -> list[str]:
        """Account columns for the choropleth: those with figures (or every one with ``all_columns``)."""
        from areal.geo.land_account import value_columns

        acc = self.account()
        return value_columns(acc.table) if all_columns else acc.present_columns()

    def account_titles(self, lang: str) -> dict[str, str]:
        """Readable titles of the account columns."""
        from areal.apps.labels import column_titles

        return column_titles(lang)

    def zone_account(self, zones: gpd.GeoDataFrame) -> pd.DataFrame:
        """Land account of a proposal (one row), for scenario comparison."""
        from areal.apps.usecases.account import site_account

        return site_account(zones.to_crs(WORKING_CRS), self.data.layers)

    def scenario_metrics(self) -> dict:
        """The metric groups of a scenario comparison from this server's layers (built once).

        The same groups as ``areal scenario compare``
        (:func:`areal.apps.usecases.scenario.scenario_metrics`): proposal, land account,
        conflicts, indicators; conflict runs are cached across comparisons.
        """
        with self._lock:
            metrics = getattr(self, "_scenario_metrics", None)
        if metrics is not None:
            return metrics
        from areal.apps.usecases.scenario import scenario_metrics
        from areal.layers import loader

        remedies = {s.id: loader.how_to_get(s) for s in self.data.specs if s.id not in self.data.layers}
        metrics = scenario_metrics(
            self.data.layers, self.data.layers.get("municipalities"), self.rules, remedies=remedies
        )
        with self._lock:
            self._scenario_metrics = metrics
        return metrics

    # ------------------------------------------------------------------ indicators (geo/indicators.py)

    def indicator_table(self):
        """The indicator catalogue (``data/indicators``) computed for the municipalities (once).

        Suitability indicators use this server's cached models (built at
        :data:`SITE_CHECK_RES` when missing); an indicator whose data is absent is "not available"
        with the reason, never a made-up zero.
        """
        with self._lock:
            table = getattr(self, "_indicators", None)
        if table is not None:
            return table
        from areal.apps.usecases.indicators import compute_loaded_indicator_table
        from areal.geo.indicators import ProfileRun, best_sites_by_municipality
        from areal.layers import loader

        def run_profile(name: str) -> ProfileRun:  # from this server's cached models
            res = self.best_cached_res(name) or SITE_CHECK_RES
            model = self.model(name, res)
            prof = model.profile
            sites = best_sites_by_municipality(
                self.default_suitability(name, res),
                model.grid,
                model.land_frame,
                threshold=prof.threshold,
                min_area_ha=prof.min_area_ha,
                connectivity=prof.connectivity,
                n=3,
                max_area_ha=prof.max_area_ha,
            )
            return ProfileRun(prof, sites, res, tuple(model.skipped))

        remedies = {s.id: loader.how_to_get(s) for s in self.data.specs if s.id not in self.data.layers}
        table = compute_loaded_indicator_table(
            self.data.layers,
            self.data.layers["municipalities"],
            self.account(),
            remedies,
            self.rules,
            run_profile,
        )
        with self._lock:
            self._indicators = table
        return table

    def indicator_ids(self) -> list[str]:
        """Ids of the catalogue's indicators (those not available too: the view says why)."""
        try:
            return [str(i) for i in self.indicator_table().summary["id"]]
        except (ArealError, OSError, ValueError):  # no catalogue / no municipalities: account columns only
            return []

    def indicator_titles(self, lang: str) -> dict[str, str]:
        """Indicator id -> title with unit."""
        if not self.indicator_ids():
            return {}
        from areal.apps.labels import indicator_heading

        return {i.id: indicator_heading(i, lang) for i in self.indicator_table().indicators}

    def indicator_reason(self, indicator_id: str):
        """Why an indicator is not available (a :class:`areal.geo.notes.Note`).

        None when it is available, or for account columns.
        """
        if indicator_id not in self.indicator_ids():
            return None
        sm = self.indicator_table().summary.set_index("id")
        return sm.loc[indicator_id, "reason"] if sm.loc[indicator_id, "status"] != "ok" else None
