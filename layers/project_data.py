"""Reading the project's hand-written tables in ``data/``: the conflict rule table, emission factors.

Files are read here; validation lives in :mod:`geo.rules` / :mod:`geo.accounting` (pure functions).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from geo.accounting import EmissionFactors, parse_emission_factors
from geo.errors import RuleError
from geo.rules import RuleTable, parse_rules
from layers import registry, settings


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
