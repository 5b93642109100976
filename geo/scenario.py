"""Scenarios: a named set of proposal geometries with the choices that produced them.

Pure: the record, its validation, schema migration of plain dicts, and comparison of two
scenarios through metric callables (the extension point where conflict totals and indicators
plug in). Storage lives in :mod:`areal.layers.scenario_store`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.geo.crs import to_working_crs
from areal.geo.errors import InputGeometryError, ScenarioSchemaError
from areal.geo.geometry import M2_PER_HA, repair_geometries

SCHEMA_VERSION = 3
"""Current scenario schema. v1 called the profile field ``profile_name`` and had no ``layers``;
v2 had no ``author`` and no ``view``."""

VIEW_KEYS = (
    "resolution",
    "tab",
    "lat",
    "lon",
    "zoom",
    "municipality",
    "threshold",
    "min_area_ha",
    "max_area_ha",
    "site_kind",
)
"""What a scenario's ``view`` may hold: the app state that opening it restores besides the site,
the layers, the profile and its weights."""


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Scenario:
    """A saved planning alternative.

    Attributes
    ----------
    name : str
        Unique name in its store.
    proposal : GeoDataFrame
        Proposal polygons (EPSG:25833) with their attributes.
    layers : tuple of str
        Catalogue layers chosen when the scenario was made.
    profile : str
        Suitability profile name ("" when none).
    weights : dict
        Criterion -> weight of that profile.
    note : str
    created, updated : str
        ISO 8601 UTC timestamps.
    schema_version : int
    author : str
        Who saved it (free text).
    view : dict
        The rest of the app state to restore (keys of :data:`VIEW_KEYS`: resolution, open tab,
        map centre, threshold, size limits, what the site is checked as); plain JSON values.
    """

    name: str
    proposal: gpd.GeoDataFrame
    layers: tuple[str, ...] = ()
    profile: str = ""
    weights: Mapping[str, float] = field(default_factory=dict)
    note: str = ""
    created: str = field(default_factory=_now)
    updated: str = field(default_factory=_now)
    schema_version: int = SCHEMA_VERSION
    author: str = ""
    view: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        name = str(self.name).strip()
        if not name:
            raise InputGeometryError("a scenario needs a non-empty name")
        if not isinstance(self.proposal, gpd.GeoDataFrame):
            raise InputGeometryError(
                f"scenario {name!r}: proposal must be a GeoDataFrame, got {type(self.proposal).__name__}"
            )
        weights = {}
        for k, v in dict(self.weights).items():
            try:
                w = float(v)
            except (TypeError, ValueError):
                raise InputGeometryError(f"scenario {name!r}: weight {k!r} = {v!r} is not a number") from None
            if not math.isfinite(w) or w < 0:
                raise InputGeometryError(
                    f"scenario {name!r}: weight {k!r} = {v!r} must be a finite number >= 0"
                )
            weights[str(k)] = w
        prop = to_working_crs(self.proposal, f"scenario {name!r} proposal").reset_index(drop=True)
        prop, _ = repair_geometries(prop, "polygon")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "proposal", prop)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "layers", tuple(str(x) for x in self.layers))
        view = {}
        for k, v in dict(self.view or {}).items():
            if k not in VIEW_KEYS:
                raise InputGeometryError(
                    f"scenario {name!r}: unknown view key {k!r}; allowed: {', '.join(VIEW_KEYS)}"
                )
            if v is not None and not isinstance(v, (str, int, float, bool)):
                raise InputGeometryError(f"scenario {name!r}: view {k!r} = {v!r} must be text or a number")
            if isinstance(v, float) and not math.isfinite(v):
                raise InputGeometryError(f"scenario {name!r}: view {k!r} = {v!r} must be finite")
            view[k] = v
        object.__setattr__(self, "view", view)
        object.__setattr__(self, "author", str(self.author or "").strip())

    @property
    def area_ha(self) -> float:
        """Area of the proposal, overlaps counted once (ha)."""
        geoms = np.asarray(self.proposal.geometry.values, dtype=object)
        return float(shapely.area(shapely.union_all(geoms))) / M2_PER_HA if len(geoms) else 0.0

    @staticmethod
    def now() -> str:
        """The current time as stored in ``created``/``updated`` (ISO 8601 UTC, seconds)."""
        return _now()

    def touched(self) -> "Scenario":
        """A copy with ``updated`` set to now."""
        return replace(self, updated=_now())

    def meta(self) -> dict[str, Any]:
        """The non-geometric fields as a plain dict (current schema)."""
        return {
            "name": self.name,
            "layers": list(self.layers),
            "profile": self.profile,
            "weights": dict(self.weights),
            "note": self.note,
            "created": self.created,
            "updated": self.updated,
            "schema_version": self.schema_version,
            "author": self.author,
            "view": dict(self.view),
        }


def migrate_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    """Bring a scenario's plain-dict fields to :data:`SCHEMA_VERSION`.

    v1 -> v2: ``profile_name`` was renamed ``profile``; ``layers`` was added (empty).
    v2 -> v3: ``author`` (empty) and ``view`` (empty: opening restores the site, layers, profile
    and weights only) were added.

    Raises
    ------
    ScenarioSchemaError
        For a version newer than this program, or an unknown older one, naming the version.
    """
    meta = dict(meta)
    version = int(meta.get("schema_version", 1))
    name = meta.get("name", "?")
    if version > SCHEMA_VERSION:
        raise ScenarioSchemaError(
            f"scenario {name!r} has schema version {version}, newer than this program's {SCHEMA_VERSION}: "
            "upgrade areal to read it"
        )
    if version < 1:
        raise ScenarioSchemaError(
            f"scenario {name!r} has schema version {version}: no migration exists, "
            f"versions 1..{SCHEMA_VERSION} can be read"
        )
    if version == 1:
        meta["profile"] = meta.pop("profile_name", "") or ""
        meta.setdefault("layers", [])
        version = 2
    if version == 2:
        meta["author"] = meta.get("author") or ""
        meta["view"] = meta.get("view") or {}
        version = 3
    meta["schema_version"] = version
    return meta


# ---------------------------------------------------------------- comparison


Metric = Callable[[Scenario], Mapping[str, float]]


def area_metric(s: Scenario) -> dict[str, float]:
    """Proposal size: number of polygons and area (ha)."""
    return {"polygons": float(len(s.proposal)), "area_ha": s.area_ha}


def compare(a: Scenario, b: Scenario, metrics: Mapping[str, Metric] | None = None) -> pd.DataFrame:
    """Side-by-side table of metrics for two scenarios and their difference.

    Parameters
    ----------
    a, b : Scenario
    metrics : mapping, optional
        Group name -> callable returning ``{metric name: value}`` for a scenario. This is the
        extension point: the land account, conflict totals (``find_conflicts``) and indicators
        each add a callable. Default: :func:`area_metric` only.

    Returns
    -------
    DataFrame
        Index ``(group, metric)``, columns ``a.name``, ``b.name`` and ``"difference"`` (B − A;
        NaN where either side is not available).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> mk = lambda n, w: Scenario(n, gpd.GeoDataFrame(geometry=[box(0, 0, w, 100)], crs=25833))
    >>> compare(mk("A", 100), mk("B", 300)).loc[("proposal", "area_ha")].tolist()
    [1.0, 3.0, 2.0]
    """
    metrics = dict(metrics or {"proposal": area_metric})
    rows = []
    for group, fn in metrics.items():
        va, vb = dict(fn(a)), dict(fn(b))
        for key in list(va) + [k for k in vb if k not in va]:
            x, y = va.get(key, np.nan), vb.get(key, np.nan)
            x = np.nan if x is None else float(x)
            y = np.nan if y is None else float(y)
            rows.append((group, key, x, y, y - x))
    if a.name == b.name:
        raise InputGeometryError(f"compare needs two different scenarios, got {a.name!r} twice")
    df = pd.DataFrame(rows, columns=["group", "metric", a.name, b.name, "difference"])
    return df.set_index(["group", "metric"])
