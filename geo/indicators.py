"""Green-competitiveness indicators per municipality: catalogue parsing, computation, ranks, medians.

Indicators are data (``data/indicators/*.toml``, read by :func:`areal.layers.project_data.load_indicators`).
Each names a *method* registered here (:data:`METHODS`) and its parameters; the method is a pure
function of an :class:`IndicatorInputs` (frames, the land account, suitability runs, the rule
table -- all loaded by the caller) and returns one value per municipality plus a county value.

Where an input layer is absent the indicator is *not available*: NaN with a reason naming the
layer (never a made-up zero). NaN values are left unranked.

Reasons and notes are :class:`Note` codes with their values (layer ids, profile names,
counts), not sentences: :func:`areal.apps.labels.indicator_text` puts them in words of either
language, and :meth:`~areal.geo.notes.Note.to_dict` serialises one to JSON.

Examples
--------
>>> doc = {"indicator": [{"id": "x", "title_nb": "X", "title_en": "X", "unit": "ha",
...        "method": "account_column", "params": {"column": "forest_ha"}, "higher_is_better": False,
...        "source": "N1000"}]}
>>> [i.id for i in parse_indicators(doc, source="x.toml")]
['x']
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Iterable, Mapping, Sequence, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.geo.errors import RuleError
from areal.geo.geometry import M2_PER_HA
from areal.geo.notes import Note
from rasterio import features
from scipy import ndimage

COUNTY_ID = "50"
"""Default county (Trøndelag); a run for another county passes ``IndicatorInputs(county_id=...)``."""
CONFLICT_LAYER = "business_areas"
PLANNED_STATUS = ("2",)

_KEYS = {
    "id",
    "title_nb",
    "title_en",
    "unit",
    "method",
    "params",
    "higher_is_better",
    "source",
    "rationale",
    "digits",
}
_REQUIRED = ("id", "title_nb", "title_en", "unit", "method", "higher_is_better", "source")


# ---------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry.

    Attributes
    ----------
    id, title_nb, title_en, unit : str
    method : str
        Name of a registered method (:data:`METHODS`).
    params : mapping
        Keyword arguments of the method (checked against its declared parameters).
    higher_is_better : bool
        Rank 1 goes to the highest value when true, to the lowest otherwise.
    source, rationale : str
        Where the figure comes from and why it matters.
    digits : int
        Decimals when printed.
    file : str
        Catalogue file it came from.
    """

    id: str
    title_nb: str
    title_en: str
    unit: str
    method: str
    params: Mapping[str, Any]
    higher_is_better: bool
    source: str
    rationale: str = ""
    digits: int = 2
    file: str = ""

    @property
    def for_scenario(self) -> bool:
        """Whether the method can evaluate a single proposal (a scenario)."""
        m = METHODS[self.method]
        return m.scenario is not None and m.scenario_ok(self.params)


@dataclass(frozen=True)
class Param:
    """A method parameter: type, default (``None`` = required) and allowed values."""

    kind: type | tuple[type, ...]
    default: Any = None
    choices: tuple = ()


@dataclass(frozen=True)
class Method:
    """A registered indicator method."""

    name: str
    fn: Callable[..., "IndicatorValues"]
    params: Mapping[str, Param]
    scenario: Callable[..., float] | None = None
    scenario_ok: Callable[[Mapping[str, Any]], bool] = lambda p: True
    doc: str = ""


METHODS: dict[str, Method] = {}


def _scenario_fn(m: Method) -> Callable[..., float]:
    """The method's single-proposal evaluation (only called for indicators with ``for_scenario``)."""
    if m.scenario is None:
        raise ValueError(f"indicator method {m.name!r} cannot evaluate a single proposal")
    return m.scenario


def register_method(
    name: str,
    params: Mapping[str, Param],
    *,
    scenario: Callable | None = None,
    scenario_ok: Callable[[Mapping[str, Any]], bool] | None = None,
):
    """Decorator registering ``fn(inputs, **params) -> IndicatorValues`` under ``name``."""

    def deco(fn):
        METHODS[name] = Method(
            name,
            fn,
            dict(params),
            scenario,
            scenario_ok or (lambda p: True),
            (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else "",
        )
        return fn

    return deco


def _check_param(value, spec: Param, where: str):
    kinds = spec.kind if isinstance(spec.kind, tuple) else (spec.kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise RuleError(f"{where} = {value!r}: expected {' or '.join(k.__name__ for k in kinds)}")
    if float in kinds and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kinds):
        raise RuleError(f"{where} = {value!r}: expected {' or '.join(k.__name__ for k in kinds)}")
    if isinstance(value, list):
        bad = [v for v in value if spec.choices and v not in spec.choices]
        if bad:
            raise RuleError(f"{where} = {value!r}: {bad} not in {list(spec.choices)}")
    elif spec.choices and value not in spec.choices:
        raise RuleError(f"{where} = {value!r}: expected one of {list(spec.choices)}")
    if isinstance(value, float) and (not math.isfinite(value) or value < 0):
        raise RuleError(f"{where} = {value!r}: expected a finite number >= 0")
    return value


def parse_indicator(entry: Mapping[str, Any], where: str, file: str = "") -> Indicator:
    """Validate one ``[[indicator]]`` table; errors name ``where`` (file and entry), key and value."""
    if not isinstance(entry, Mapping):
        raise RuleError(f"{where}: expected a table, got {entry!r}")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise RuleError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(_KEYS)}")
    for key in _REQUIRED:
        if key not in entry:
            raise RuleError(f"{where}: missing key {key!r}")
    iid = entry["id"]
    if not isinstance(iid, str) or not iid.replace("_", "").isalnum() or not iid[:1].isalpha():
        raise RuleError(f"{where}: id = {iid!r}: use letters, digits and '_' (starting with a letter)")
    where = f"{where} (id {iid!r})"
    for key in ("title_nb", "title_en", "unit", "source", "method"):
        v = entry[key]
        if not isinstance(v, str) or not v.strip():
            raise RuleError(f"{where}: {key} = {v!r}: expected non-empty text")
    hib = entry["higher_is_better"]
    if not isinstance(hib, bool):
        raise RuleError(f"{where}: higher_is_better = {hib!r}: expected true or false")
    method = entry["method"]
    if method not in METHODS:
        raise RuleError(
            f"{where}: method = {method!r} is not registered; methods: {', '.join(sorted(METHODS))}"
        )
    spec = METHODS[method].params
    raw = entry.get("params", {})
    if not isinstance(raw, Mapping):
        raise RuleError(f"{where}: params = {raw!r}: expected a table")
    extra = sorted(set(raw) - set(spec))
    if extra:
        raise RuleError(
            f"{where}: params.{extra[0]} is not a parameter of method {method!r}; "
            f"parameters: {sorted(spec) or 'none'}"
        )
    params = {}
    for name, p in spec.items():
        if name in raw:
            params[name] = _check_param(raw[name], p, f"{where}: params.{name}")
        elif p.default is None:
            raise RuleError(f"{where}: params.{name} is required by method {method!r}")
        else:
            params[name] = p.default
    digits = entry.get("digits", 2)
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 6:
        raise RuleError(f"{where}: digits = {digits!r}: expected an integer 0..6")
    rationale = entry.get("rationale", "")
    if not isinstance(rationale, str):
        raise RuleError(f"{where}: rationale = {rationale!r}: expected text")
    return Indicator(
        iid,
        entry["title_nb"].strip(),
        entry["title_en"].strip(),
        entry["unit"].strip(),
        method,
        params,
        hib,
        entry["source"].strip(),
        rationale.strip(),
        digits,
        file or where,
    )


def parse_indicators(doc: Mapping[str, Any], source: str = "<indicators>") -> list[Indicator]:
    """Parse one catalogue file (``[[indicator]]`` tables)."""
    unknown = sorted(set(doc) - {"indicator", "meta"})
    if unknown:
        raise RuleError(f"{source}: unknown top-level key(s) {unknown}; expected [[indicator]] tables")
    entries = doc.get("indicator", [])
    if not isinstance(entries, list) or not entries:
        raise RuleError(f"{source}: no [[indicator]] tables")
    return [parse_indicator(e, f"{source}: indicator #{i + 1}", source) for i, e in enumerate(entries)]


def check_catalogue(
    indicators: Sequence[Indicator], profiles: Sequence[str] | None = None
) -> list[Indicator]:
    """Check ids are unique across files and profile parameters name known profiles."""
    seen: dict[str, str] = {}
    for ind in indicators:
        if ind.id in seen:
            raise RuleError(f"{ind.file}: id = {ind.id!r} is already defined in {seen[ind.id]}")
        seen[ind.id] = ind.file
        prof = ind.params.get("profile")
        if ind.params.get("origin") == "best_site" and not prof:
            raise RuleError(f"{ind.file} (id {ind.id!r}): params.origin = 'best_site' needs params.profile")
        if profiles is not None and prof and prof not in profiles:
            raise RuleError(
                f"{ind.file} (id {ind.id!r}): params.profile = {prof!r} is not a shipped profile; "
                f"profiles: {', '.join(profiles)}"
            )
    return list(indicators)


# ---------------------------------------------------------------- reasons and notes


# A reason (why an indicator is not available) or a note (a caveat) is a :class:`areal.geo.notes.Note`:
# a code of :data:`NOTE_CODES` and its values (ids such as ``layer``, ``layers``, ``profile``,
# ``cls``; numbers; for ``profile_failed`` the error's own text). The words are
# :func:`areal.apps.labels.indicator_text`'s.


#: Every code a shipped method gives (reasons, then notes) -> the names of its values.
NOTE_CODES: Mapping[str, tuple[str, ...]] = {
    # reasons
    "layers_missing": ("layers", "purpose"),
    "no_account": (),
    "no_rules": (),
    "no_planned_areas": ("layer",),
    "profile_not_run": ("profile",),
    "profile_failed": ("profile", "error"),
    "no_origin": ("layers",),
    # notes
    "partial": ("cls", "present"),
    "no_value": ("n",),
    "checked_without": ("layers",),
    "profile_run": ("profile", "resolution", "threshold", "min_area_ha"),
    "no_site_scoring": ("n", "threshold", "min_area_ha"),
    "skipped": ("profile", "items"),
    "grid_capacity_licence": (),
    "no_profile_site": ("n", "profile"),
    "arena_distance": ("origin", "located", "total"),
    "built_up_fallback": ("n", "municipalities"),
}
"""What :class:`Note` codes the methods give, and their values (``purpose`` of a missing layer:
``""``, ``"planned_business"`` or ``"optional_non_commercial"``; ``origin``: a value of the
``arenas_within`` parameter)."""


# ---------------------------------------------------------------- inputs and results


@dataclass
class ProfileRun:
    """A county-wide suitability run reduced to what indicators and reports need.

    Attributes
    ----------
    profile : Profile
    sites : GeoDataFrame
        The best sites of each municipality (see :func:`best_sites_by_municipality`).
    resolution : float
    skipped : tuple
        Criteria / exclusions skipped and why.
    """

    profile: Any
    sites: gpd.GeoDataFrame
    resolution: float
    skipped: tuple = ()

    def best(self) -> gpd.GeoDataFrame:
        """One row per municipality that has a site: its best site (``site_rank == 1``)."""
        return self.sites[self.sites["site_rank"] == 1]


@dataclass
class IndicatorInputs:
    """What the methods read. Loaded by the caller (:mod:`areal.layers.indicator_inputs`).

    Attributes
    ----------
    municipalities : GeoDataFrame
        The 38 land polygons with ``kommunenummer`` / ``kommunenavn`` (EPSG:25833).
    account : LandAccount, optional
        :func:`areal.geo.land_account.land_account` of the municipalities.
    layers : mapping
        Present layers by id (absent layers are simply not keys).
    remedies : mapping
        Layer id -> how to get it.
    rules : RuleTable, optional
        Conflict rules (for the conflict indicators).
    suitability : mapping
        Profile name -> :class:`ProfileRun`.
    suitability_missing : mapping
        Profile name -> why it was not run (a :class:`Note`, ``profile_failed``).
    emission_factors : optional
        For scenario evaluation.
    county_id : str
        Key of the county row in the land account (the run's county, ``--county``; default
        :data:`COUNTY_ID`, Trøndelag).
    scheduler : optional
        Where the conflict engine runs its partitions (:func:`areal.geo.scheduler.get_scheduler`).
    """

    municipalities: gpd.GeoDataFrame
    account: Any = None
    layers: Mapping[str, gpd.GeoDataFrame] = field(default_factory=dict)
    remedies: Mapping[str, str] = field(default_factory=dict)
    rules: Any = None
    suitability: Mapping[str, ProfileRun] = field(default_factory=dict)
    suitability_missing: Mapping[str, Note] = field(default_factory=dict)
    emission_factors: Any = None
    _cache: dict = field(default_factory=dict, repr=False)
    county_id: str = COUNTY_ID
    scheduler: Any = None

    @property
    def ids(self) -> list[str]:
        """Municipality numbers, sorted."""
        return sorted(self.municipalities["kommunenummer"].astype(str))

    def missing(self, layer: str, purpose: str = "") -> Note:
        """The 'not available' reason for an absent layer (``purpose``: see :data:`NOTE_CODES`)."""
        return Note.of("layers_missing", layers=[layer], purpose=purpose)

    def profile_missing(self, profile: str) -> Note:
        """Why a profile has no run: the caller's reason, else that it was not run."""
        why = self.suitability_missing.get(profile)
        if why is None:
            return Note.of("profile_not_run", profile=profile)
        return why if isinstance(why, Note) else Note.of("profile_failed", profile=profile, error=str(why))


@dataclass
class IndicatorValues:
    """Values of one indicator: per municipality, the county, and why something is missing.

    Attributes
    ----------
    values : Series
        Index ``kommunenummer`` (the 38), float; NaN = not available / not defined.
    county : float
        The value for Trøndelag as a whole (NaN when not defined).
    reason : Note, optional
        Why the indicator is not available (set whenever all values are NaN for lack of data).
    notes : tuple of Note
        Caveats (partial layers, municipalities without a site ...).
    """

    values: pd.Series
    county: float = math.nan
    reason: Note | None = None
    notes: tuple[Note, ...] = ()


def not_available(inputs: IndicatorInputs, reason: Note) -> IndicatorValues:
    """All NaN, with the reason."""
    return IndicatorValues(
        pd.Series(np.nan, index=pd.Index(inputs.ids, name="kommunenummer")), math.nan, reason
    )


# ---------------------------------------------------------------- methods


def _account_series(inputs: IndicatorInputs, column: str) -> tuple[pd.Series, float]:
    t = inputs.account.table.set_index("kommunenummer")
    s = t[column].drop(index=inputs.county_id).astype(float).reindex(inputs.ids)
    return s.rename_axis("kommunenummer"), float(t.loc[inputs.county_id, column])


#: Conversion categories of the land account that need a layer beyond business_areas.
_CATEGORY_LAYERS = {"farmland": "farmland"}  # the composite: AR5, else AR50, else N50


def _account_missing(inputs: IndicatorInputs, columns: Sequence[str]) -> Note | None:
    if inputs.account is None:
        return Note.of("no_account")
    for col in columns:
        if col not in inputs.account.table.columns:
            raise RuleError(
                f"account column {col!r} does not exist; columns: "
                f"{', '.join(inputs.account.table.columns[2:])}"
            )
    layers = []
    for m in inputs.account.missing_layers:
        if any(c in m.affects for c in columns) and m.layer not in layers:
            # a partial union (e.g. protected areas without national parks) is a note, not a gap
            if not any(inputs.account.available(c) for c in columns if c in m.affects):
                layers.append(m.layer)
    for col in columns:
        # conversion columns depend on the layer of their category as well as on business_areas
        for key, lid in _CATEGORY_LAYERS.items():
            if (
                key in col
                and col.startswith(("planned_", "proposal_"))
                and inputs.layers.get(lid) is None
                and lid not in layers
            ):
                layers.append(lid)
    if layers:
        return Note.of("layers_missing", layers=layers, purpose="")
    return None


def _account_notes(inputs: IndicatorInputs, columns: Sequence[str]) -> tuple[Note, ...]:
    """A partial class (a union missing some of its layers): which class, counted from which layers."""
    acc = inputs.account
    out = []
    for m in acc.missing_layers:
        if any(c in m.affects for c in columns) and any(acc.available(c) for c in columns):
            col = next(a for a in m.affects if a in columns)
            cls = col[: -len("_ha")] if col.endswith("_ha") else col
            out.append(Note.of("partial", cls=cls, present=list(acc.sources.get(cls, ()))))
    return tuple(dict.fromkeys(out))


def _scenario_account_column(column: str) -> str:
    return "site_" + column[len("planned_") :]


def _proposal_key(proposal: gpd.GeoDataFrame) -> str:
    import hashlib

    h = hashlib.sha256()
    for wkb in shapely.to_wkb(np.asarray(proposal.geometry.values, dtype=object)):
        h.update(wkb)
    return h.hexdigest()


def _account_column_scenario(inputs: IndicatorInputs, proposal: gpd.GeoDataFrame, column: str) -> float:
    from areal.geo.land_account import zone_account

    key = ("zone_account", _proposal_key(proposal))
    if key not in inputs._cache:
        inputs._cache[key] = zone_account(
            proposal, inputs.layers, emission_factors=inputs.emission_factors, remedies=inputs.remedies
        ).iloc[0]
    return float(inputs._cache[key][_scenario_account_column(column)])


@register_method(
    "account_column",
    {"column": Param(str)},
    scenario=_account_column_scenario,
    scenario_ok=lambda p: str(p.get("column", "")).startswith("planned_"),
)
def account_column(inputs: IndicatorInputs, column: str) -> IndicatorValues:
    """A column of the land account (hectares, a share or tonnes), per municipality and county."""
    reason = _account_missing(inputs, [column])
    if reason:
        return not_available(inputs, reason)
    s, county = _account_series(inputs, column)
    notes = _account_notes(inputs, [column])
    if s.isna().any():
        notes += (Note.of("no_value", n=int(s.isna().sum())),)
    return IndicatorValues(s, county, None, notes)


@register_method("account_share", {"numerator": Param(str), "denominator": Param(str, "land_ha")})
def account_share(inputs: IndicatorInputs, numerator: str, denominator: str = "land_ha") -> IndicatorValues:
    """Ratio of two land-account columns (e.g. protected land / land area)."""
    reason = _account_missing(inputs, [numerator, denominator])
    if reason:
        return not_available(inputs, reason)
    num, cn = _account_series(inputs, numerator)
    den, cd = _account_series(inputs, denominator)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = (num / den.where(den > 0)).astype(float)
    return IndicatorValues(s, cn / cd if cd > 0 else math.nan, None, _account_notes(inputs, [numerator]))


def free_share(total_m2: np.ndarray, conflict_m2: np.ndarray) -> np.ndarray:
    """Share of ``total`` not in conflict; NaN where there is no total.

    >>> free_share(np.array([100.0, 0.0]), np.array([25.0, 0.0])).tolist()
    [0.75, nan]
    """
    total = np.asarray(total_m2, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, 1.0 - np.minimum(np.asarray(conflict_m2, float), total) / total, np.nan)


def _conflict_union_m2(
    result, severities: Sequence[str], zone_of: np.ndarray | None = None
) -> float | pd.Series:
    """Area (m²) of the union of the conflict pieces of ``severities`` (per municipality if asked)."""
    from areal.geo.overlay import flatten

    g = result.polygons
    g = g[g["severity"].isin(list(severities))]
    if zone_of is None:
        return float(shapely.area(flatten(g.geometry.values).geoms).sum()) if len(g) else 0.0
    out = {}
    for knr, grp in g.groupby("kommunenummer"):
        out[str(knr)] = float(shapely.area(flatten(grp.geometry.values).geoms).sum())
    return pd.Series(out, dtype=float)


def _conflict_layers(inputs: IndicatorInputs, as_layer: str) -> tuple[dict, list[str]]:
    needed = sorted({r.b_layer for r in inputs.rules.rules_for(as_layer)})
    present = {lid: inputs.layers[lid] for lid in needed if inputs.layers.get(lid) is not None}
    return present, [lid for lid in needed if lid not in present]


def conflicts_of(
    inputs: IndicatorInputs, proposal: gpd.GeoDataFrame, as_layer: str, key: Hashable | None = None
):
    """Run the conflict engine on ``proposal`` against the present layers (cached under ``key``)."""
    from areal.geo.conflicts import find_conflicts

    if key is not None and key in inputs._cache:
        return inputs._cache[key]
    layers, missing = _conflict_layers(inputs, as_layer)
    res = find_conflicts(
        proposal,
        layers,
        inputs.rules,
        as_layer=as_layer,
        municipalities=inputs.municipalities,
        scheduler=inputs.scheduler,
    )
    if key is not None:
        inputs._cache[key] = (res, missing)
    return res, missing


def planned_business_areas(inputs: IndicatorInputs) -> gpd.GeoDataFrame:
    """The planned business areas (``arealbruksstatus`` 2) of ``business_areas``: what the conflict indicators check.

    Raises
    ------
    RuleError
        When the layer has no ``arealbruksstatus`` column.
    """
    ba = inputs.layers[CONFLICT_LAYER]
    if "arealbruksstatus" not in ba.columns:
        raise RuleError(
            f"layer {CONFLICT_LAYER!r} has no column 'arealbruksstatus' (plan status); columns: "
            f"{[c for c in ba.columns if c != ba.geometry.name]}"
        )
    return ba[ba["arealbruksstatus"].astype(str).str.strip().isin(PLANNED_STATUS).to_numpy()]


def _conflict_free_scenario(
    inputs: IndicatorInputs, proposal: gpd.GeoDataFrame, severities: list, as_layer: str = CONFLICT_LAYER
) -> float:
    if inputs.rules is None:
        return math.nan
    res, _ = conflicts_of(inputs, proposal, as_layer, key=("conflicts", as_layer, _proposal_key(proposal)))
    total = float(shapely.area(shapely.union_all(np.asarray(proposal.geometry.values, dtype=object))))
    return float(free_share(np.array([total]), np.array([_conflict_union_m2(res, severities)]))[0])


_SEV = ("exclusion", "high", "medium", "low")


@register_method(
    "conflict_free_share",
    {"severities": Param(list, ["exclusion", "high"], _SEV), "as_layer": Param(str, CONFLICT_LAYER)},
    scenario=_conflict_free_scenario,
)
def conflict_free_share(
    inputs: IndicatorInputs, severities: list, as_layer: str = CONFLICT_LAYER
) -> IndicatorValues:
    """Share of planned business land touched by no conflict of the given severities (default rules)."""
    if inputs.layers.get(CONFLICT_LAYER) is None:
        return not_available(inputs, inputs.missing(CONFLICT_LAYER, "planned_business"))
    if inputs.rules is None:
        return not_available(inputs, Note.of("no_rules"))
    planned = planned_business_areas(inputs)
    if len(planned) == 0:
        return not_available(inputs, Note.of("no_planned_areas", layer=CONFLICT_LAYER))
    res, missing = conflicts_of(inputs, planned, as_layer, key=f"planned:{as_layer}")
    from areal.geo.land_account import area_by_zone

    geoms = np.asarray(planned.geometry.values, dtype=object)
    dissolved = np.asarray(shapely.get_parts(shapely.union_all(geoms)), dtype=object)
    munis = inputs.municipalities.assign(kommunenummer=inputs.municipalities["kommunenummer"].astype(str))
    munis = munis.set_index("kommunenummer").loc[inputs.ids]
    total = area_by_zone(np.asarray(munis.geometry.values, dtype=object), dissolved)
    per_zone = cast(pd.Series, _conflict_union_m2(res, severities, zone_of=np.array(inputs.ids)))
    conf = per_zone.reindex(inputs.ids).fillna(0.0)
    values = pd.Series(free_share(total, conf.to_numpy()), index=pd.Index(inputs.ids, name="kommunenummer"))
    county = float(free_share(np.array([total.sum()]), np.array([_conflict_union_m2(res, severities)]))[0])
    notes: tuple[Note, ...] = ()
    if missing:
        notes = (Note.of("checked_without", layers=missing),)
    return IndicatorValues(values, county, None, notes)


@register_method("best_site_score", {"profile": Param(str)})
def best_site_score(inputs: IndicatorInputs, profile: str) -> IndicatorValues:
    """Mean score of the municipality's best candidate site for a suitability profile."""
    run = inputs.suitability.get(profile)
    if run is None:
        return not_available(inputs, inputs.profile_missing(profile))
    best = run.best().set_index("kommunenummer")["mean_score"].astype(float)
    values = best.reindex(inputs.ids).rename_axis("kommunenummer")
    n_none = int(values.isna().sum())
    thr, area = float(run.profile.threshold), float(run.profile.min_area_ha)
    notes: tuple[Note, ...] = (
        Note.of(
            "profile_run", profile=profile, resolution=float(run.resolution), threshold=thr, min_area_ha=area
        ),
    )
    if n_none:
        notes += (Note.of("no_site_scoring", n=n_none, threshold=thr, min_area_ha=area),)
    if run.skipped:
        notes += (Note.of("skipped", profile=profile, items=[[str(k), str(r)] for k, r in run.skipped]),)
    return IndicatorValues(values, float(best.max()) if len(best) else math.nan, None, notes)


def _site_reference(inputs: IndicatorInputs, profile: str) -> tuple[gpd.GeoDataFrame | None, Note | None]:
    run = inputs.suitability.get(profile)
    if run is None:
        return None, inputs.profile_missing(profile)
    return run.best().set_index("kommunenummer"), None


@register_method("grid_capacity_near_site", {"profile": Param(str), "radius_km": Param(float, 10.0)})
def grid_capacity_near_site(
    inputs: IndicatorInputs, profile: str, radius_km: float = 10.0
) -> IndicatorValues:
    """Free grid capacity for consumption (MW) at substations within ``radius_km`` of the best site."""
    cap = inputs.layers.get("grid_capacity")
    if cap is None:
        return not_available(inputs, inputs.missing("grid_capacity", "optional_non_commercial"))
    best, why = _site_reference(inputs, profile)
    if best is None:
        return not_available(inputs, why or inputs.profile_missing(profile))
    pts = cap[cap.geometry.geom_type == "Point"]
    mw = pd.to_numeric(pts["availableCons"], errors="coerce").to_numpy()
    tree = shapely.STRtree(np.asarray(pts.geometry.values, dtype=object))

    def within(geom) -> float:
        idx = tree.query(geom, predicate="dwithin", distance=radius_km * 1000.0)
        return float(np.nansum(mw[idx])) if len(idx) else 0.0

    values = pd.Series({k: within(best.loc[k].geometry) for k in best.index}, dtype=float)
    values = values.reindex(inputs.ids).rename_axis("kommunenummer")
    top = best.sort_values("mean_score", ascending=False)
    county = within(top.iloc[0].geometry) if len(top) else math.nan
    notes: tuple[Note, ...] = (Note.of("grid_capacity_licence"),)
    if values.isna().any():
        notes += (Note.of("no_profile_site", n=int(values.isna().sum()), profile=profile),)
    return IndicatorValues(values, county, None, notes)


@register_method(
    "arenas_within",
    {
        "radius_km": Param(float, 30.0),
        "origin": Param(str, "business_land", ("business_land", "representative_point", "best_site")),
        "profile": Param(str, ""),
    },
)
def arenas_within(
    inputs: IndicatorInputs, radius_km: float = 30.0, origin: str = "business_land", profile: str = ""
) -> IndicatorValues:
    """Number of test arenas within ``radius_km`` (straight line) of where firms and people are.

    ``origin``: ``business_land`` (default) measures from the municipality's business areas
    (``business_areas``, existing and planned), or, where it has none, its built-up areas
    (``built_up``): an arena 30 km from any of them counts. ``representative_point`` (an
    arbitrary point inside the municipality, kept for comparison) and ``best_site`` (the
    profile's best site) as before. Arenas without a published position are not counted.
    """
    from areal.geo.arenas import located

    arenas = inputs.layers.get("test_arenas")
    if arenas is None:
        return not_available(inputs, inputs.missing("test_arenas"))
    n_all = len(arenas)
    arenas = located(arenas)
    notes_extra: tuple[Note, ...] = ()
    if origin == "business_land":
        geoms, notes_extra = _business_land_by_municipality(inputs)
        if geoms is None:
            return not_available(inputs, notes_extra[0])
    elif origin == "best_site":
        ref, why = _site_reference(inputs, profile)
        if ref is None:
            return not_available(inputs, why or inputs.profile_missing(profile))
        geoms = {k: ref.loc[k].geometry for k in ref.index}
    else:
        m = inputs.municipalities.assign(kommunenummer=inputs.municipalities["kommunenummer"].astype(str))
        geoms = dict(zip(m["kommunenummer"], m.geometry.representative_point()))
    tree = shapely.STRtree(np.asarray(arenas.geometry.values, dtype=object))
    counts = {
        k: float(len(tree.query(g, predicate="dwithin", distance=radius_km * 1000.0)))
        for k, g in geoms.items()
    }
    values = pd.Series(counts, dtype=float).reindex(inputs.ids).rename_axis("kommunenummer")
    notes: tuple[Note, ...] = (
        Note.of("arena_distance", origin=origin, located=len(arenas), total=n_all),
        *notes_extra,
    )
    return IndicatorValues(values, math.nan, None, notes)


def _business_land_by_municipality(inputs: IndicatorInputs) -> tuple[dict | None, tuple[Note, ...]]:
    """Per municipality the union of its business areas, or its built-up areas where it has none."""
    from areal.geo.overlay import polygonal

    business = inputs.layers.get("business_areas")
    built = inputs.layers.get("built_up")
    if business is None and built is None:
        return None, (Note.of("no_origin", layers=["business_areas", "built_up"]),)
    m = inputs.municipalities.assign(kommunenummer=inputs.municipalities["kommunenummer"].astype(str))
    mg = np.asarray(m.geometry.values, dtype=object)
    out: dict[str, Any] = {}
    fallback = []

    def per_muni(layer) -> dict[str, Any]:
        if layer is None or len(layer) == 0:
            return {}
        g = np.asarray(layer.geometry.values, dtype=object)
        tree = shapely.STRtree(g)
        res = {}
        for k, poly in zip(m["kommunenummer"], mg):
            hit = tree.query(poly, predicate="intersects")
            if len(hit):
                # polygonal parts only: a neighbour's business land touching the border is not ours
                res[k] = polygonal(
                    np.array([shapely.intersection(shapely.union_all(g[hit]), poly)], dtype=object)
                )[0]
        return {k: v for k, v in res.items() if v is not None and not shapely.is_empty(v)}

    b, u = per_muni(business), per_muni(built)
    for k in m["kommunenummer"]:
        if k in b:
            out[k] = b[k]
        elif k in u:
            out[k] = u[k]
            fallback.append(k)
    notes: tuple[Note, ...] = ()
    if fallback:
        notes = (Note.of("built_up_fallback", n=len(fallback), municipalities=fallback),)
    return out, notes


# ---------------------------------------------------------------- suitability per municipality


def profile_runs(
    indicators: Iterable[Indicator], run: Callable[[str], ProfileRun]
) -> tuple[dict[str, ProfileRun], dict[str, Note]]:
    """Run every suitability profile the indicators name, once each: ``(runs, why not)``.

    ``run(name)`` makes one :class:`ProfileRun` (from a data directory, or from a server's cached
    models); a profile that cannot run is reported with the reason, and the rest still run.

    >>> class I:  # two indicators on one profile, one without
    ...     def __init__(self, p): self.params = {"profile": p} if p else {}
    >>> def run(name): raise ValueError("no land")
    >>> runs, missing = profile_runs([I("x"), I("x"), I(None)], run)
    >>> runs, missing["x"].code, missing["x"].values
    ({}, 'profile_failed', {'profile': 'x', 'error': 'ValueError: no land'})
    """
    runs: dict[str, ProfileRun] = {}
    missing: dict[str, Note] = {}
    for name in dict.fromkeys(i.params["profile"] for i in indicators if i.params.get("profile")):
        try:
            runs[name] = run(name)
        except Exception as exc:  # noqa: BLE001 - reported as the indicator's reason
            missing[name] = Note.of("profile_failed", profile=name, error=f"{type(exc).__name__}: {exc}")
    return runs, missing


def best_sites_by_municipality(
    suitability: np.ndarray,
    grid,
    municipalities: gpd.GeoDataFrame,
    *,
    threshold: float,
    min_area_ha: float,
    connectivity: str = "queen",
    n: int = 3,
    max_area_ha: float | None = None,
) -> gpd.GeoDataFrame:
    """The ``n`` best candidate sites of every municipality from one county-wide suitability raster.

    Cells scoring ≥ ``threshold`` are grouped into contiguous sites *inside each municipality*
    (a region crossing a border becomes one site per side), sites smaller than ``min_area_ha``
    are dropped, regions larger than ``max_area_ha`` are split into compact parcels (the sizes of
    business land, as in the app's site list), and the sites are ranked by mean score (then
    area) within their municipality.

    Returns
    -------
    GeoDataFrame
        ``kommunenummer``, ``kommunenavn``, ``site_rank`` (1 = best in the municipality),
        ``mean_score``, ``n_cells``, ``area_ha`` and the site polygon (EPSG of the grid).
    """
    from areal.geo.grid import rasterize
    from areal.geo.sites import label_mask

    munis = municipalities.reset_index(drop=True)
    idx = rasterize(
        munis,
        grid,
        all_touched=False,
        values=np.arange(1, len(munis) + 1),
        dtype="int32",
        what="municipalities",
    )
    cand = np.nan_to_num(suitability, nan=-1.0) >= threshold
    rows = []
    for k, sl in enumerate(ndimage.find_objects(idx), start=1):
        if sl is None:
            continue
        sub = cand[sl] & (idx[sl] == k)
        if not sub.any():
            continue
        sgrid = grid.subgrid(sl[0].start, sl[1].start, sub.shape[0], sub.shape[1])
        labels, m = label_mask(sub, sgrid, connectivity, min_area_ha, max_area_ha)
        if m == 0:
            continue
        lab = labels.ravel()
        s = np.nan_to_num(suitability[sl].ravel().astype(np.float64))
        counts = np.bincount(lab, minlength=m + 1)[1:]
        mean = np.bincount(lab, weights=s, minlength=m + 1)[1:] / np.maximum(counts, 1)
        order = np.lexsort((-counts, -mean))[:n]
        for rank, j in enumerate(order, start=1):
            shapes = [
                shapely.geometry.shape(g)
                for g, _ in features.shapes(
                    (labels == j + 1).astype(np.uint8),
                    mask=labels == j + 1,
                    connectivity=4,
                    transform=sgrid.transform,
                )
            ]
            rows.append(
                {
                    "kommunenummer": str(munis.loc[k - 1, "kommunenummer"]),
                    "kommunenavn": str(munis.loc[k - 1, "kommunenavn"]),
                    "site_rank": rank,
                    "mean_score": float(mean[j]),
                    "n_cells": int(counts[j]),
                    "area_ha": float(counts[j] * grid.cell_area / M2_PER_HA),
                    "geometry": shapely.union_all(shapes),
                }
            )
    cols = ["kommunenummer", "kommunenavn", "site_rank", "mean_score", "n_cells", "area_ha", "geometry"]
    if not rows:
        return gpd.GeoDataFrame(
            {c: [] for c in cols[:-1]}, geometry=gpd.GeoSeries([], crs=grid.crs), crs=grid.crs
        )
    return gpd.GeoDataFrame(rows, columns=cols, geometry="geometry", crs=grid.crs)


# ---------------------------------------------------------------- scenarios


def scenario_conflict_metric(inputs: IndicatorInputs, as_layer: str = CONFLICT_LAYER) -> Callable:
    """A :func:`areal.geo.scenario.compare` metric: hectares of a proposal in conflict, per severity and in all.

    Overlaps between rules are counted once within a severity and in ``conflict_ha``. Rules whose
    layer is absent are skipped; ``layers_missing`` counts them (0 = checked against every rule layer).
    """
    from areal.geo.rules import SEVERITIES

    def totals(s) -> dict[str, float]:
        res, missing = conflicts_of(
            inputs, s.proposal, as_layer, key=("conflicts", as_layer, _proposal_key(s.proposal))
        )
        out = {f"{sev}_ha": res.total_ha(sev) for sev in SEVERITIES}
        out["conflict_ha"] = res.total_ha()
        out["layers_missing"] = float(len(missing))
        return out

    return totals


def scenario_indicator_metric(inputs: IndicatorInputs, indicators: Sequence[Indicator]) -> Callable:
    """A :func:`areal.geo.scenario.compare` metric: every catalogue indicator that can evaluate one proposal.

    The proposal takes the place of the planned business land (share free of exclusion/high
    conflicts, share on developed land, farmland/mire at stake, CO2); NaN = not available.
    """
    usable = [i for i in indicators if i.for_scenario]

    def values(s) -> dict[str, float]:
        return {i.id: _scenario_fn(METHODS[i.method])(inputs, s.proposal, **i.params) for i in usable}

    return values


# ---------------------------------------------------------------- table


def rank(values: pd.Series, higher_is_better: bool) -> pd.Series:
    """Rank 1 = best; ties share the best rank; NaN stays unranked (``<NA>``).

    >>> rank(pd.Series([3.0, float("nan"), 5.0, 3.0]), True).tolist()
    [2, <NA>, 1, 2]
    """
    return values.rank(ascending=not higher_is_better, method="min", na_option="keep").astype("Int64")


@dataclass
class IndicatorTable:
    """Every indicator for the 38 municipalities.

    Attributes
    ----------
    table : DataFrame
        One row per municipality: ``kommunenummer``, ``kommunenavn``, then ``<id>`` and ``<id>_rank``.
    summary : DataFrame
        One row per indicator: id, titles, unit, higher_is_better, ``median`` (over the
        municipalities with a value), ``county``, ``n_values``, ``status`` ("ok" or
        "not available"), ``reason`` (a :class:`Note`, None when ok), ``notes`` (a tuple of
        :class:`Note`), ``source``, ``method``.
    indicators : list of Indicator
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    indicators: list[Indicator]

    def row(self, knr: str) -> pd.Series:
        """The indicators of one municipality."""
        return self.table.set_index("kommunenummer").loc[str(knr)]


def compute_indicators(indicators: Sequence[Indicator], inputs: IndicatorInputs) -> IndicatorTable:
    """Compute every indicator, rank the municipalities and take the county median."""
    names = inputs.municipalities.assign(kommunenummer=inputs.municipalities["kommunenummer"].astype(str))
    names = names.set_index("kommunenummer")["kommunenavn"].astype(str)
    table = pd.DataFrame({"kommunenummer": inputs.ids, "kommunenavn": [names[k] for k in inputs.ids]})
    rows = []
    for ind in indicators:
        res = METHODS[ind.method].fn(inputs, **ind.params)
        vals = res.values.reindex(inputs.ids).astype(float)
        table[ind.id] = vals.to_numpy()
        table[f"{ind.id}_rank"] = rank(vals, ind.higher_is_better).to_numpy()
        n = int(vals.notna().sum())
        rows.append(
            {
                "id": ind.id,
                "title_nb": ind.title_nb,
                "title_en": ind.title_en,
                "unit": ind.unit,
                "higher_is_better": ind.higher_is_better,
                "median": float(vals.median()) if n else math.nan,
                "county": res.county,
                "n_values": n,
                "status": "ok" if res.reason is None else "not available",
                "reason": res.reason,
                "notes": tuple(res.notes),
                "source": ind.source,
                "method": ind.method,
                "digits": ind.digits,
            }
        )
    return IndicatorTable(table, pd.DataFrame(rows), list(indicators))


__all__ = [
    "IndicatorInputs",
    "IndicatorTable",
    "IndicatorValues",
    "Indicator",
    "METHODS",
    "Method",
    "NOTE_CODES",
    "Note",
    "Param",
    "ProfileRun",
    "best_sites_by_municipality",
    "scenario_conflict_metric",
    "scenario_indicator_metric",
    "check_catalogue",
    "compute_indicators",
    "free_share",
    "not_available",
    "parse_indicator",
    "parse_indicators",
    "rank",
    "register_method",
]
