"""Suitability use case: a profile run with ranked sites, area lost, sensitivity and site conflicts.

Shared by ``areal suitability`` (and an HTTP API); the app keeps a model per profile in memory
(:class:`areal.apps.planner.engines.Engines`) but assembles its inputs the same way
(:func:`areal.layers.suitability_inputs.load_suitability_inputs`). Writing files is the view's job:
the whole-grid run returns the suitability raster, the windowed run hands its tiles to ``sink``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd
from areal.geo.grid import AnalysisGrid
from areal.geo.profiles import Profile
from areal.geo.suitability_plan import SuitabilityInputs

SENSITIVITY_COLUMNS = ["site_id", "mc_median_rank", "mc_rank_iqr", "mc_share_top_5"]
"""Columns of the rank-stability table joined to the site table."""


@dataclass
class SuitabilitySetup:
    """Everything a run needs before it starts: the profile, its inputs, the grid, the conflict engine."""

    profile: Profile
    inputs: SuitabilityInputs
    grid: AnalysisGrid
    conflicts: Callable | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)
    starter: list[str] = field(default_factory=list)
    """Layers read from the simplified starter extract (``use_starter=True``), to be said with the result."""


@dataclass
class SuitabilityRun:
    """Result of :func:`run_suitability`.

    Attributes
    ----------
    sites : GeoDataFrame
        Ranked candidate sites (with conflicts and rank stability when computed).
    area_lost : DataFrame
        Land removed per exclusion.
    skipped : list of (name, reason)
        Criteria, exclusions and rules that could not be used, and why.
    sensitivity : DataFrame or None
        Rank stability per site (None without sites or with 0 runs).
    site_conflicts : DataFrame or None
        Per site and rule: pair, severity, hectares, basis (None without the rule table).
    suitability : ndarray or None
        The suitability raster of a whole-grid run (a windowed run sent its tiles to the sink).
    """

    setup: SuitabilitySetup
    windowed: bool
    sites: gpd.GeoDataFrame
    area_lost: pd.DataFrame
    skipped: list[tuple[str, str]]
    criteria: list[str]
    weights: np.ndarray
    sensitivity: pd.DataFrame | None = None
    site_conflicts: pd.DataFrame | None = None
    suitability: np.ndarray | None = None


def prepare_suitability(
    profile: str | os.PathLike | Profile,
    *,
    resolution: float = 100.0,
    municipality: str | None = None,
    connectivity: str | None = None,
    rules: str | os.PathLike | None = None,
    use_conflicts: bool = True,
    data_dir: str | os.PathLike | None = None,
    use_starter: bool = False,
) -> SuitabilitySetup:
    """Load a profile's inputs (with the rule table's exclusions) and make its grid.

    Parameters
    ----------
    profile : str, path or Profile
        A shipped profile name, a TOML file or a parsed profile.
    rules : path, optional
        Rule table (default: the shipped one). With ``use_conflicts=False`` no rule is used: no
        rule exclusions, no site conflicts.
    use_starter : bool
        Read layers missing from the data directory from the packaged starter extract (simplified;
        :attr:`SuitabilitySetup.starter` lists them so the caller can say so). Default False.
    """
    from areal.layers import loader
    from areal.layers.project_data import load_profile, load_rules
    from areal.layers.site_conflicts import SiteConflicts
    from areal.layers.suitability_inputs import DataDirSource, load_suitability_inputs, rule_layers

    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    if connectivity:
        prof = replace(prof, connectivity=connectivity)
    source = DataDirSource(data_dir, use_starter=use_starter)
    table = load_rules(rules) if use_conflicts else None
    inputs = load_suitability_inputs(prof, source, municipality=municipality, rules=table)
    conflicts, notes = None, []
    if table is not None:
        layers, missing = rule_layers(table, source)
        notes = [
            (f"conflict layer {lid}", f"its rules are not checked: {why}") for lid, why in missing.items()
        ]
        conflicts = SiteConflicts(table, layers)
    region = inputs.land if municipality else loader.load("county", data_dir, use_starter=use_starter)
    grid = AnalysisGrid.for_region(region, res=resolution)
    starter = source.starter_layers()
    if region.attrs.get("load_report", {}).get("origin") == "starter":
        starter = sorted({*starter, "county"})
    return SuitabilitySetup(prof, inputs, grid, conflicts, notes, starter)


def run_suitability(
    setup: SuitabilitySetup,
    *,
    windowed: bool = False,
    tile: int = 2048,
    sink: Callable[[object, np.ndarray], None] | None = None,
    progress: Callable[[int], None] | None = None,
    threshold: float | None = None,
    distance_res: float | None = None,
    workers: int | None = None,
    sensitivity_runs: int = 500,
    scheduler=None,
) -> SuitabilityRun:
    """Run a prepared profile, then the rank stability of its sites.

    Whole grid (:func:`areal.geo.suitability.build_model`) or tile by tile
    (:func:`areal.geo.windowed.run_windowed`, the tiles go to ``sink``).

    ``progress`` is called with 1 per tile (windowed) or per step (whole grid: model, raster, sites).
    ``scheduler`` is where the tiles of a windowed run go (:func:`areal.geo.scheduler.get_scheduler`;
    default ``workers`` threads).
    """
    from areal.geo.sensitivity import site_sensitivity
    from areal.geo.suitability import build_model
    from areal.geo.windowed import run_windowed

    prof, inputs, grid, conflicts = setup.profile, setup.inputs, setup.grid, setup.conflicts
    step = progress or (lambda n: None)
    suit = None
    if windowed:
        res = run_windowed(
            prof,
            inputs,
            grid,
            tile=tile,
            sink=sink,
            progress=progress,
            threshold=threshold,
            distance_res=distance_res,
            workers=workers,
            sites=True,
            conflicts=conflicts,
            scheduler=scheduler,
        )
        area_lost, skipped, sites = res.area_lost, res.plan.skipped, res.sites
        criteria, weights = [c.id for c in res.plan.criteria], res.plan.weights
    else:
        model = build_model(prof, inputs, grid, distance_res=distance_res)
        step(1)
        suit = model.suitability()
        step(1)
        sites = model.sites(threshold=threshold, conflicts=conflicts)
        step(1)
        area_lost, skipped = model.area_lost(), model.skipped
        criteria, weights = model.criteria, model.weights
    sens = None
    if len(sites) and sensitivity_runs > 0:
        sens = site_sensitivity(sites, dict(zip(criteria, weights)), n_runs=sensitivity_runs, seed=0)
        sites = sites.merge(sens[SENSITIVITY_COLUMNS], on="site_id")
    return SuitabilityRun(
        setup,
        windowed,
        sites,
        area_lost,
        list(skipped) + list(setup.notes),
        list(criteria),
        np.asarray(weights),
        sens,
        conflicts.table if conflicts is not None else None,
        suit,
    )
