"""Reading the project's hand-written tables in ``data/``: conflict rules, emission factors, profiles, indicators.

Files are read here; validation lives in :mod:`areal.geo.rules`, :mod:`areal.geo.emission_factors` and
:mod:`areal.geo.profiles` (pure functions over parsed documents).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from areal.geo.area_analysis import ContextTable, parse_contexts
from areal.geo.emission_factors import EmissionFactors, parse_emission_factors
from areal.geo.errors import RuleError, unknown_name
from areal.geo.profiles import Profile, parse_profile
from areal.geo.rules import RuleTable, parse_rules
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


def load_contexts(path: str | os.PathLike | None = None, rules: RuleTable | None = None) -> ContextTable:
    """Read and validate the area-analysis contexts (default ``data/contexts.toml``) against ``rules``.

    Raises
    ------
    RuleError
        For a missing file, invalid TOML, or a context naming an unknown layer or dataset.
    """
    p = Path(path) if path is not None else settings.project_data("contexts.toml")
    doc, _ = _read_toml(p, "context table")
    return parse_contexts(doc, rules if rules is not None else load_rules(), source=str(p))


def load_emission_factors(path: str | os.PathLike | None = None) -> EmissionFactors:
    """Read the emission factors (default ``data/emission_factors.toml``)."""
    p = Path(path) if path is not None else settings.project_data("emission_factors.toml")
    doc, text = _read_toml(p, "emission factor")
    return parse_emission_factors(doc, text, source=str(p))


PROFILE_DIR = "profiles"


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
            raise unknown_name(
                f"profile {str(name)!r} is not known; shipped profiles: {', '.join(profile_names())}",
                "profile",
                name,
                profile_names(),
            )
    data, _ = _read_toml(path, "profile")
    return parse_profile(data, source=path.name)


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
