"""Loading what the indicators need: account layers, rule layers, suitability runs (cached on disk).

Each profile is run once for the whole county at a coarse resolution and reduced to the best
sites per municipality (:func:`areal.geo.indicators.best_sites_by_municipality`). The reduction is cached
as GeoParquet under ``<cache dir>/indicators/``, keyed by the profile file, the resolution and the
content checksums of every layer the profile reads, so a second run of the whole table only loads
the layers.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from typing import Iterable

import geopandas as gpd
from areal.geo.errors import LayerMissingError
from areal.geo.indicators import IndicatorInputs, ProfileRun
from areal.layers import loader, registry, settings

CACHE_VERSION = "3"  # 2: runs include the rule table's exclusion rules; 3: large regions split


def _profile_cache_key(name: str, resolution: float, data_dir, profile, rules) -> str:
    from areal.layers.project_data import PROFILE_DIR
    from areal.layers.suitability_inputs import SITED_AS

    h = hashlib.sha256(f"v{CACHE_VERSION}|{resolution:g}|{name}".encode())
    p = settings.project_data(PROFILE_DIR, f"{name}.toml")
    h.update(p.read_bytes() if p.exists() else name.encode())
    rule_ids: list[str] = []
    if rules is not None:  # the exclusion rules, and the layers they read, change the run
        h.update(repr([r for r in rules.rules_for(SITED_AS) if r.severity == "exclusion"]).encode())
        rule_ids = [r.b_layer for r in rules.rules_for(SITED_AS) if r.severity == "exclusion"]
    ddir = settings.data_dir(data_dir)
    cdir = settings.cache_dir()
    for lid in dict.fromkeys(("municipalities", "county", *profile.layers, "built_up", "sea", *rule_ids)):
        try:
            spec = registry.get(lid)
        except Exception:
            continue
        if spec.kind == "raster":
            try:
                h.update(loader.file_checksum(loader.raster_path(lid, ddir), cdir).encode())
            except LayerMissingError:
                h.update(f"{lid}:missing".encode())
            continue
        h.update(f"{lid}:{loader.cache_key(spec, ddir, cdir)}".encode())
    return h.hexdigest()[:24]


def profile_run(
    name: str,
    resolution: float = 250.0,
    data_dir=None,
    *,
    n_sites: int = 3,
    use_cache: bool = True,
    rules=None,
) -> ProfileRun:
    """Run profile ``name`` for the county at ``resolution`` and keep the best sites per municipality.

    The inputs are those of every suitability run (:func:`areal.layers.suitability_inputs.load_suitability_inputs`),
    with the exclusion rules of ``rules`` (default: the shipped rule table).
    """
    from areal.geo import suitability as S
    from areal.geo.grid import AnalysisGrid
    from areal.geo.indicators import best_sites_by_municipality
    from areal.layers.project_data import load_profile, load_rules
    from areal.layers.suitability_inputs import load_suitability_inputs

    profile = load_profile(name)
    rules = rules if rules is not None else load_rules()
    key = _profile_cache_key(name, resolution, data_dir, profile, rules)
    folder = settings.cache_dir() / "indicators"
    path = folder / f"{name}-{key}.parquet"
    meta = path.with_suffix(".json")
    if use_cache and path.exists() and meta.exists():
        try:
            sites = gpd.read_parquet(path)
            info = json.loads(meta.read_text())
            return ProfileRun(profile, sites, resolution, tuple(tuple(x) for x in info["skipped"]))
        except Exception:
            pass  # a damaged cache entry is rebuilt
    inputs = load_suitability_inputs(profile, data_dir, rules=rules)
    grid = AnalysisGrid.for_region(loader.load("county", data_dir), res=resolution)
    model = S.build_model(profile, inputs, grid)
    sites = best_sites_by_municipality(
        model.suitability(),
        grid,
        inputs.land,
        threshold=profile.threshold,
        min_area_ha=profile.min_area_ha,
        connectivity=profile.connectivity,
        n=n_sites,
        max_area_ha=profile.max_area_ha,
    )
    run = ProfileRun(profile, sites, resolution, tuple(model.skipped))
    if use_cache:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
        sites.to_parquet(tmp)
        os.replace(tmp, path)
        meta.write_text(
            json.dumps(
                {"profile": name, "resolution": resolution, "skipped": [list(s) for s in model.skipped]}
            )
        )
    return run


def load_layers(ids: Iterable[str], data_dir=None) -> tuple[dict, dict]:
    """Load the layers ``ids`` that are present (optional ones without the starter extract).

    Returns ``(layers, remedies)``: present frames by id, and how to get every requested layer.
    """
    layers, remedies = {}, {}
    for lid in sorted(set(ids)):
        spec = registry.get(lid)
        remedies[lid] = f"`areal fetch {lid}`" + (f" ({spec.fetch.service})" if spec.fetch else "")
        try:
            layers[lid] = loader.load(lid, data_dir, use_starter=not spec.optional)
        except LayerMissingError:
            continue
    return layers, remedies


def load_indicator_inputs(
    indicators: Iterable,
    data_dir=None,
    *,
    profile_resolution: float = 250.0,
    extra_layers: dict | None = None,
    use_cache: bool = True,
    timings: dict | None = None,
) -> IndicatorInputs:
    """Load what ``indicators`` need (only that): the land account, rule layers, suitability runs.

    ``extra_layers`` replaces or adds layers (e.g. an imported business-area file as
    ``business_areas``) before the account is computed.
    """
    from areal.geo.land_account import land_account
    from areal.layers.account_inputs import emission_factors, load_account_inputs
    from areal.layers.project_data import load_rules

    timings = timings if timings is not None else {}
    indicators = list(indicators)
    methods = {i.method for i in indicators}
    t = time.perf_counter()
    acc_inputs = load_account_inputs(data_dir)
    layers = dict(acc_inputs.layers)
    layers.update(extra_layers or {})
    remedies = dict(acc_inputs.remedies)
    factors = emission_factors()
    rules = None
    wanted: set[str] = set()
    if "conflict_free_share" in methods:
        rules = load_rules()
        for ind in indicators:
            if ind.method == "conflict_free_share":
                wanted |= {r.b_layer for r in rules.rules_for(ind.params["as_layer"])}
    if "grid_capacity_near_site" in methods:
        wanted.add("grid_capacity")
    if "arenas_within" in methods:
        wanted |= {"test_arenas", "business_areas", "built_up"}  # measured from business and built-up land
    extra, more = load_layers(wanted - set(layers), data_dir)
    layers.update(extra)
    for k, v in more.items():
        remedies.setdefault(k, v)
    timings["load layers"] = time.perf_counter() - t
    t = time.perf_counter()
    from areal.layers import settings

    account = land_account(
        acc_inputs.municipalities,
        {k: v for k, v in layers.items()},
        emission_factors=factors,
        remedies=remedies,
        county=settings.county_row(),
    )
    timings["land account"] = time.perf_counter() - t
    from areal.geo.indicators import profile_runs

    def run(name: str):
        t = time.perf_counter()
        try:
            return profile_run(name, profile_resolution, data_dir, use_cache=use_cache, rules=rules)
        finally:
            timings[f"suitability {name}"] = time.perf_counter() - t

    runs, missing = profile_runs(indicators, run)
    return IndicatorInputs(
        acc_inputs.municipalities,
        account,
        layers,
        remedies,
        rules,
        runs,
        missing,
        factors,
        county_id=settings.county_row()[0],
    )


__all__ = ["load_indicator_inputs", "load_layers", "profile_run"]
