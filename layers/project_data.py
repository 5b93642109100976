"""Reading the project's hand-written tables in ``data/``: conflict rules, emission factors, suitability profiles.

Files are read here; validation lives in :mod:`areal.geo.rules`, :mod:`areal.geo.accounting` and
:mod:`areal.geo.profiles` (pure functions over parsed documents).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import geopandas as gpd
from areal.geo.accounting import EmissionFactors, parse_emission_factors
from areal.geo.criteria import derive_ports
from areal.geo.errors import LayerMissingError, RuleError, UnknownNameError
from areal.geo.profiles import Profile, parse_profile
from areal.geo.rules import RuleTable, parse_rules
from areal.geo.suitability_plan import RasterSource, SuitabilityInputs
from areal.layers import registry, settings


def _read_toml(path: Path, what: str) -> tuple[dict, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuleError(f"{what} file not found: {path}") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:  # the message carries "(at line N, column M)"
        raise RuleError(f"{path}: not valid TOML: {exc}") from exc


def default_rules_path() -> Path:
    """Return the path of the shipped default rule table, ``data/rules/default.toml``."""
    return settings.project_data("rules", "default.toml")


def load_rules(path: str | os.PathLike | None = None) -> RuleTable:
    """Read and validate a conflict rule table (default: :func:`default_rules_path`).

    Raises
    ------
    RuleError
        For a missing file, invalid TOML, or an invalid rule (message names file, line and value).
    """
    p = Path(path) if path is not None else default_rules_path()
    doc, text = _read_toml(p, "rule table")
    return parse_rules(doc, text, source=str(p), known_layers=registry.names())


def load_emission_factors(path: str | os.PathLike | None = None) -> EmissionFactors:
    """Read the emission factors (default ``data/emission_factors.toml``)."""
    p = Path(path) if path is not None else settings.project_data("emission_factors.toml")
    doc, text = _read_toml(p, "emission factor")
    return parse_emission_factors(doc, text, source=str(p))


PROFILE_DIR = "profiles"

#: Layers derived from other catalogue layers (no file of their own): id -> (sources, description).
DERIVED_LAYERS = {
    "ports": (
        ("built_up", "sea"),
        "shoreline of N1000 built-up areas (Tettbebyggelse) within 50 m of the sea (Havflate)",
    ),
}


def profile_names() -> list[str]:
    """Names of the shipped suitability profiles (files ``data/profiles/*.toml``)."""
    folder = settings.project_data(PROFILE_DIR)
    return sorted(p.stem for p in Path(folder).glob("*.toml"))


def load_profile(name: str | os.PathLike) -> Profile:
    """Read and validate a profile: a shipped name (``"data_centre"``) or a path to a TOML file.

    Raises
    ------
    UnknownNameError
        For an unknown name (the message lists the shipped profiles).
    RuleError
        For invalid TOML or an invalid entry (file, key and value named).
    """
    path = Path(name)
    if path.suffix != ".toml":
        path = settings.project_data(PROFILE_DIR, f"{name}.toml")
        if not path.exists():
            raise UnknownNameError(
                f"profile {str(name)!r} is not known; shipped profiles: {', '.join(profile_names())}"
            )
    data, _ = _read_toml(path, "profile")
    return parse_profile(data, source=path.name)


def _load_vector(layer_id: str, data_dir, missing: dict[str, str], cache: dict) -> gpd.GeoDataFrame | None:
    from areal.layers import loader

    if layer_id in cache:
        return cache[layer_id]
    if layer_id in DERIVED_LAYERS:
        srcs, how = DERIVED_LAYERS[layer_id]
        frames = [_load_vector(s, data_dir, missing, cache) for s in srcs]
        if any(f is None for f in frames):
            missing[layer_id] = f"derived from {', '.join(srcs)}, which are missing"
            cache[layer_id] = None
            return None
        gdf = derive_ports(*frames)
        gdf.attrs["derived"] = how
        cache[layer_id] = gdf
        return gdf
    try:
        gdf = loader.load(layer_id, data_dir, use_starter=False)
    except LayerMissingError as exc:
        missing[layer_id] = str(exc).split(". To get it")[0]
        gdf = None
    cache[layer_id] = gdf
    return gdf


def load_suitability_inputs(
    profile: Profile, data_dir: str | os.PathLike | None = None, *, municipality: str | None = None
) -> SuitabilityInputs:
    """Load every layer a profile needs (missing ones reported, never silently dropped).

    Parameters
    ----------
    profile : Profile
    data_dir : path, optional
        Data directory (default ``AREAL_DATA_DIR``).
    municipality : str, optional
        Municipality number (e.g. ``"5001"``): the land region is that municipality only.

    Notes
    -----
    The land mask is the land-only municipality polygons (``municipalities``). ``ports`` is
    derived (see :data:`DERIVED_LAYERS`). Starter extracts are not used: a suitability run on
    simplified data would look real and is not.
    """
    from areal.layers import loader

    missing: dict[str, str] = {}
    cache: dict = {}
    land = loader.load("municipalities", data_dir)
    if municipality is not None:
        sel = land[land["kommunenummer"].astype(str) == str(municipality)]
        if sel.empty:
            raise UnknownNameError(
                f"municipality {municipality!r} is not in Trøndelag; numbers: {', '.join(sorted(land['kommunenummer'].astype(str)))}"
            )
        land = sel.reset_index(drop=True)
    layers = {}
    for lid in profile.layers:
        if lid == "elevation":
            continue
        gdf = _load_vector(lid, data_dir, missing, cache)
        if gdf is not None:
            layers[lid] = gdf
    elevation = None
    if "elevation" in profile.layers:
        try:
            elevation = read_raster(loader.raster_path("elevation", data_dir), "elevation")
        except LayerMissingError as exc:
            missing["elevation"] = str(exc).split(". To get it")[0]
    return SuitabilityInputs(layers=layers, land=land, missing=missing, elevation=elevation)


def read_raster(path: str | os.PathLike, name: str = "raster") -> RasterSource:
    """Read band 1 of a raster file as a :class:`~areal.geo.suitability_plan.RasterSource`."""
    import rasterio

    with rasterio.open(path) as src:
        return RasterSource(src.read(1), src.transform, src.crs, src.nodata, name)


INDICATOR_DIR = "indicators"


def load_indicators(folder: str | os.PathLike | None = None):
    """Read and validate the indicator catalogue: every ``*.toml`` in ``data/indicators/`` (or ``folder``).

    Returns
    -------
    list of :class:`areal.geo.indicators.Indicator`, in file then entry order.

    Raises
    ------
    RuleError
        For invalid TOML, an unknown key, method or parameter, a bad value, a duplicate id, or a
        profile that is not shipped (the message names the file, the entry and the value).
    """
    from areal.geo.indicators import check_catalogue, parse_indicators

    d = Path(folder) if folder is not None else settings.project_data(INDICATOR_DIR)
    files = sorted(Path(d).glob("*.toml"))
    if not files:
        raise RuleError(f"no indicator files (*.toml) in {d}")
    out = []
    for f in files:
        doc, _ = _read_toml(f, "indicator")
        out += parse_indicators(doc, source=f.name)
    return check_catalogue(out, profile_names())
