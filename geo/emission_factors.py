"""Emission factors of land conversion: tonnes CO₂-eq released per hectare, with their sources.

The factors are data (``data/emission_factors.toml``, read by
:func:`areal.layers.project_data.load_emission_factors`); this module validates the parsed document.
The area model that applies them is :mod:`areal.geo.land_account`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from areal.geo.errors import RuleError


@dataclass(frozen=True)
class EmissionFactor:
    """One emission factor: tonnes CO₂-eq released per hectare converted."""

    category: str
    factor: float
    unit: str
    source: str
    note: str = ""


@dataclass(frozen=True)
class EmissionFactors:
    """Emission factors by category (``forest``, ``mire`` ...), with the file they came from."""

    factors: Mapping[str, EmissionFactor]
    source: str = "<emission factors>"

    def __post_init__(self) -> None:
        object.__setattr__(self, "factors", MappingProxyType(dict(self.factors)))

    def __getitem__(self, category: str) -> EmissionFactor:
        try:
            return self.factors[category]
        except KeyError:
            raise RuleError(
                f"{self.source}: no emission factor for {category!r}; "
                f"defined: {', '.join(sorted(self.factors))}"
            ) from None

    def __contains__(self, category: object) -> bool:
        return category in self.factors


def parse_emission_factors(
    doc: Mapping[str, Any], text: str | None = None, source: str = "<emission factors>"
) -> EmissionFactors:
    """Validate a parsed emission-factor document: ``[category]`` tables with factor, unit, source.

    Raises
    ------
    RuleError
        For a missing or negative factor, a unit other than t CO2-eq/ha, or a missing source;
        the message names the file, line and value.
    """
    out = {}
    for cat, body in doc.items():
        if cat == "meta":
            continue
        line = None
        if text is not None:
            m = re.search(rf"^[ \t]*\[\s*{re.escape(cat)}\s*\]", text, re.M)
            line = text.count("\n", 0, m.start()) + 1 if m else None
        where = f"{source}, line {line}" if line else source
        if not isinstance(body, Mapping):
            raise RuleError(f"{where}: [{cat}] must be a table with factor, unit and source")
        f = body.get("factor")
        if isinstance(f, bool) or not isinstance(f, (int, float)) or not math.isfinite(f) or f < 0:
            raise RuleError(f"{where}: [{cat}] factor must be a number >= 0 (t CO2-eq/ha), got {f!r}")
        unit = body.get("unit", "")
        if unit != "t CO2-eq/ha":
            raise RuleError(f"{where}: [{cat}] unit must be 't CO2-eq/ha', got {unit!r}")
        src = body.get("source")
        if not isinstance(src, str) or not src.strip():
            raise RuleError(f"{where}: [{cat}] must name its source, got {src!r}")
        out[cat] = EmissionFactor(cat, float(f), unit, src.strip(), str(body.get("note", "")))
    return EmissionFactors(out, source)
