"""Suitability profiles (criteria, value functions, weights or AHP, exclusions) and AHP weights.

A profile is data (TOML in ``data/profiles/``); :func:`parse_profile` turns the parsed dict into
frozen objects and raises :class:`~areal.geo.errors.RuleError` naming the file, the key and the value.
Reading the files is done in :mod:`areal.layers.project_data`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from areal.geo.criteria import check_value_function
from areal.geo.errors import RuleError

#: Saaty's random consistency index RI by matrix order n (Saaty 1980, table 1.7).
SAATY_RI = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}
CR_LIMIT = 0.10
CRITERION_KINDS = ("distance", "categorical", "slope")
CONNECTIVITY = ("rook", "queen")


@dataclass(frozen=True)
class AHPResult:
    """Weights from an AHP pairwise comparison matrix.

    Attributes
    ----------
    weights : ndarray
        Principal right eigenvector, normalised to sum 1.
    lambda_max : float
        Principal eigenvalue.
    ci : float
        Consistency index ``(lambda_max - n) / (n - 1)``.
    cr : float
        Consistency ratio ``ci / RI(n)`` (0 for n ≤ 2).
    """

    weights: np.ndarray
    lambda_max: float
    ci: float
    cr: float


def _entry(v) -> float:
    """A matrix entry: a number, or a fraction written as text (TOML has no ``1/3``)."""
    if isinstance(v, str):
        return float(Fraction(v.strip()))
    if isinstance(v, bool):
        raise TypeError(f"not a number: {v!r}")
    return float(v)


def ahp_weights(matrix, *, where: str = "AHP matrix", cr_limit: float = CR_LIMIT) -> AHPResult:
    """Principal-eigenvector weights and consistency ratio of a pairwise comparison matrix.

    Parameters
    ----------
    matrix : array-like (n, n)
        ``a[i][j]`` = how much more important criterion i is than j (Saaty 1–9 scale; entries may
        be fractions written as text, ``"1/3"``); positive,
        ones on the diagonal, reciprocal (``a[j][i] = 1 / a[i][j]``).
    where : str
        Location used in messages (file and key).
    cr_limit : float
        A matrix with ``CR >= cr_limit`` is refused (default 0.10, Saaty's rule).

    Raises
    ------
    RuleError
        Not square, not positive, not reciprocal, or too inconsistent (the CR is shown).

    Examples
    --------
    >>> r = ahp_weights([[1, 2, 4], [1/2, 1, 2], [1/4, 1/2, 1]])
    >>> np.round(r.weights, 4).tolist(), round(r.cr, 6)
    ([0.5714, 0.2857, 0.1429], 0.0)
    """
    try:
        a = np.asarray([[_entry(v) for v in row] for row in matrix], dtype=float)
    except (TypeError, ValueError, ZeroDivisionError) as exc:
        raise RuleError(
            f'{where}: not a numeric matrix (numbers or fractions like "1/3"): {matrix!r}'
        ) from exc
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 1:
        raise RuleError(f"{where}: must be a square matrix, got shape {a.shape}")
    n = a.shape[0]
    if n > max(SAATY_RI):
        raise RuleError(f"{where}: at most {max(SAATY_RI)} criteria can be compared, got {n}")
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise RuleError(f"{where}: all entries must be positive numbers, got {a.tolist()}")
    if not np.allclose(np.diag(a), 1.0):
        raise RuleError(f"{where}: the diagonal must be 1, got {np.diag(a).tolist()}")
    bad = np.argwhere(~np.isclose(a * a.T, 1.0, rtol=1e-3))
    if len(bad):
        i, j = bad[0]
        raise RuleError(
            f"{where}: not reciprocal: a[{i}][{j}] = {a[i, j]:g} but a[{j}][{i}] = {a[j, i]:g} "
            f"(expected {1 / a[i, j]:g})"
        )
    vals, vecs = np.linalg.eig(a)
    k = int(np.argmax(vals.real))
    lam = float(vals[k].real)
    w = np.abs(vecs[:, k].real)
    w = w / w.sum()
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    ri = SAATY_RI[n]
    cr = ci / ri if ri > 0 else 0.0
    if cr >= cr_limit:
        raise RuleError(
            f"{where}: the matrix is too inconsistent: consistency ratio CR = {cr:.3f} "
            f"(lambda_max = {lam:.3f}, CI = {ci:.3f}, RI = {ri}); it must be < {cr_limit:.2f}. "
            "Revise the comparisons."
        )
    return AHPResult(w, lam, max(ci, 0.0), max(cr, 0.0))


@dataclass(frozen=True)
class Criterion:
    """One criterion of a profile.

    Attributes
    ----------
    id : str
        Key within the profile (column names of the site table use it).
    kind : {"distance", "categorical", "slope"}
    layer : str or None
        Layer id (distance criteria); ``"ports"`` is derived from built-up areas on the sea.
    value : dict or None
        Value function (distance and slope criteria).
    where : dict
        Feature filter (see :func:`areal.geo.criteria.select_features`).
    cap_m : float or None
        Distance cap (m); by default where the value function stops changing.
    classes : tuple of (layer id, score)
        Categorical criteria: land-cover layers and their scores.
    default : float
        Categorical score of cells in no class.
    label : str
        Human-readable name used in reasons (English).
    label_nb : str
        The name in Norwegian bokmål ('' = only ``label``).
    """

    id: str
    kind: str
    layer: str | None = None
    value: Mapping | None = None
    where: Mapping = field(default_factory=dict)
    cap_m: float | None = None
    classes: tuple[tuple[str, float], ...] = ()
    default: float = 0.0
    label: str = ""
    label_nb: str = ""

    @property
    def layers(self) -> tuple[str, ...]:
        """Layer ids this criterion reads."""
        if self.kind == "categorical":
            return tuple(layer for layer, _ in self.classes)
        if self.kind == "slope":
            return ("elevation",)
        return (self.layer,) if self.layer else ()

    @property
    def distance_cap(self) -> float:
        """Cap (m) applied to this criterion's distances (explicit, or from the value function)."""
        if self.cap_m is not None:
            return float(self.cap_m)
        v = self.value or {}
        t = v.get("type")
        if t == "linear":
            far = max(float(v["best"]), float(v["worst"]))
        elif t == "logistic":
            far = float(v["midpoint"]) + 12 * abs(float(v["scale"]))
        elif t == "gaussian":
            far = float(v["mean"]) + 6 * float(v["sd"])
        else:
            far = float(v["x"][-1])
        return max(far, 0.0)


@dataclass(frozen=True)
class Exclusion:
    """Land that cannot host a site: cells touched by the layer's (filtered, buffered) features."""

    id: str
    layer: str
    where: Mapping = field(default_factory=dict)
    buffer_m: float = 0.0
    label: str = ""


@dataclass(frozen=True)
class Profile:
    """A green-industry suitability profile."""

    name: str
    title_nb: str
    title_en: str
    rationale: str
    criteria: tuple[Criterion, ...]
    weights: Mapping[str, float]
    exclusions: tuple[Exclusion, ...]
    min_area_ha: float
    threshold: float
    connectivity: str = "queen"
    ahp: AHPResult | None = None
    source: str = ""
    max_area_ha: float | None = None
    """Largest candidate site (ha): larger regions are split into parcels (None: no limit)."""

    @property
    def layers(self) -> tuple[str, ...]:
        """All layer ids the profile reads (criteria and exclusions), in order, unique."""
        out: list[str] = []
        for c in self.criteria:
            out += c.layers
        out += [e.layer for e in self.exclusions]
        return tuple(dict.fromkeys(out))

    def criterion(self, cid: str) -> Criterion:
        """Criterion by id."""
        for c in self.criteria:
            if c.id == cid:
                return c
        raise RuleError(
            f"{self.source or self.name}: no criterion {cid!r}; criteria: {[c.id for c in self.criteria]}"
        )


def _num(
    value, where: str, *, lo: float | None = None, hi: float | None = None, lo_open: bool = False
) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RuleError(f"{where}: must be a number, got {value!r}")
    if lo is not None and (value < lo or (lo_open and value == lo)):
        raise RuleError(f"{where}: must be {'>' if lo_open else '>='} {lo}, got {value!r}")
    if hi is not None and value > hi:
        raise RuleError(f"{where}: must be <= {hi}, got {value!r}")
    return float(value)


def _text(d: Mapping, key: str, where: str) -> str:
    v = d.get(key)
    if not isinstance(v, str) or not v.strip():
        raise RuleError(f"{where}: key {key!r} must be a non-empty text, got {v!r}")
    return v.strip()


def _parse_criterion(d, where: str) -> tuple[Criterion, float | None]:
    if not isinstance(d, Mapping):
        raise RuleError(f"{where}: must be a table, got {d!r}")
    cid = _text(d, "id", where)
    kind = d.get("kind")
    if kind not in CRITERION_KINDS:
        raise RuleError(f"{where}.kind: {kind!r} is not one of {list(CRITERION_KINDS)}")
    known = {
        "id",
        "kind",
        "layer",
        "value",
        "where",
        "cap_m",
        "classes",
        "default",
        "label",
        "label_nb",
        "weight",
    }
    unknown = sorted(set(d) - known)
    if unknown:
        raise RuleError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(known)}")
    weight = _num(d["weight"], f"{where}.weight", lo=0) if "weight" in d else None
    label = str(d.get("label", cid))
    label_nb = str(d.get("label_nb", ""))
    where_ = d.get("where", {}) or {}
    if not isinstance(where_, Mapping):
        raise RuleError(f"{where}.where: must be a table column -> values, got {where_!r}")
    if kind == "categorical":
        classes = d.get("classes")
        if not isinstance(classes, list) or not classes:
            raise RuleError(
                f"{where}.classes: a categorical criterion needs a list of {{layer, score}}, got {classes!r}"
            )
        parsed = []
        for i, c in enumerate(classes):
            if not isinstance(c, Mapping) or "layer" not in c or "score" not in c:
                raise RuleError(f"{where}.classes[{i}]: must be {{layer = ..., score = ...}}, got {c!r}")
            parsed.append((str(c["layer"]), _num(c["score"], f"{where}.classes[{i}].score", lo=0, hi=1)))
        default = _num(d.get("default", 0.0), f"{where}.default", lo=0, hi=1)
        return Criterion(
            cid, kind, classes=tuple(parsed), default=default, label=label, label_nb=label_nb
        ), weight
    value = check_value_function(d.get("value"), f"{where}.value")
    layer = None
    if kind == "distance":
        layer = _text(d, "layer", where)
    cap = _num(d["cap_m"], f"{where}.cap_m", lo=0, lo_open=True) if "cap_m" in d else None
    return Criterion(
        cid, kind, layer=layer, value=value, where=dict(where_), cap_m=cap, label=label, label_nb=label_nb
    ), weight


def _parse_exclusion(d, where: str) -> Exclusion:
    if isinstance(d, str):
        return Exclusion(d, d, label=d)
    if not isinstance(d, Mapping):
        raise RuleError(f"{where}: must be a layer id or a table {{layer, where, buffer_m}}, got {d!r}")
    layer = _text(d, "layer", where)
    where_ = d.get("where", {}) or {}
    if not isinstance(where_, Mapping):
        raise RuleError(f"{where}.where: must be a table column -> values, got {where_!r}")
    buf = _num(d.get("buffer_m", 0.0), f"{where}.buffer_m", lo=0)
    eid = str(d.get("id", layer))
    return Exclusion(eid, layer, dict(where_), buf, str(d.get("label", eid)))


def parse_profile(data: Mapping, source: str = "profile") -> Profile:
    """Validate a parsed profile (TOML as a dict) and return a :class:`Profile`.

    Parameters
    ----------
    data : mapping
        Keys: ``name``, ``title_nb``, ``title_en``, ``rationale``, ``min_area_ha``, ``threshold``,
        optional ``max_area_ha`` (larger regions are split into parcels), optional ``connectivity`` (``"rook"``/``"queen"``), ``[[criteria]]`` (each with ``id``,
        ``kind``, ``layer``, ``value``, optional ``weight``/``where``/``cap_m``/``classes``),
        optional ``[ahp]`` (``order`` = criterion ids, ``matrix``) used instead of weights, and
        ``exclusions`` (layer ids or tables).
    source : str
        File name used in every message.

    Raises
    ------
    RuleError
        Naming ``source``, the key and the offending value.
    """
    if not isinstance(data, Mapping):
        raise RuleError(f"{source}: a profile must be a table, got {type(data).__name__}")
    name = _text(data, "name", source)
    title_nb = _text(data, "title_nb", source)
    title_en = _text(data, "title_en", source)
    rationale = _text(data, "rationale", source)
    min_area = _num(data.get("min_area_ha"), f"{source}: min_area_ha", lo=0, lo_open=True)
    threshold = _num(data.get("threshold"), f"{source}: threshold", lo=0, hi=1)
    max_area = None
    if "max_area_ha" in data:
        max_area = _num(data["max_area_ha"], f"{source}: max_area_ha", lo=min_area)
    conn = data.get("connectivity", "queen")
    if conn not in CONNECTIVITY:
        raise RuleError(f"{source}: connectivity {conn!r} is not one of {list(CONNECTIVITY)}")
    raw_crit = data.get("criteria")
    if not isinstance(raw_crit, list) or not raw_crit:
        raise RuleError(
            f"{source}: key 'criteria' must be a non-empty list of [[criteria]] tables, got {raw_crit!r}"
        )
    criteria: list[Criterion] = []
    weights: dict[str, float] = {}
    for i, d in enumerate(raw_crit):
        c, w = _parse_criterion(d, f"{source}: criteria[{i}]")
        if c.id in weights or any(c.id == o.id for o in criteria):
            raise RuleError(f"{source}: criteria[{i}].id {c.id!r} is used twice")
        criteria.append(c)
        if w is not None:
            weights[c.id] = w
    ids = [c.id for c in criteria]
    ahp = None
    if "ahp" in data:
        if weights:
            raise RuleError(
                f"{source}: give either per-criterion 'weight' or an [ahp] matrix, not both "
                f"(weights given for {sorted(weights)})"
            )
        block = data["ahp"]
        if not isinstance(block, Mapping) or "order" not in block or "matrix" not in block:
            raise RuleError(f"{source}: [ahp] needs 'order' (criterion ids) and 'matrix', got {block!r}")
        order = list(block["order"])
        if sorted(order) != sorted(ids):
            raise RuleError(
                f"{source}: ahp.order {order!r} must list every criterion id exactly once: {ids!r}"
            )
        ahp = ahp_weights(block["matrix"], where=f"{source}: ahp.matrix")
        weights = {cid: float(w) for cid, w in zip(order, ahp.weights)}
    else:
        missing = [cid for cid in ids if cid not in weights]
        if missing:
            raise RuleError(f"{source}: criteria {missing} have no 'weight' (and there is no [ahp] matrix)")
    total = sum(weights.values())
    if total <= 0:
        raise RuleError(f"{source}: the weights sum to {total!r}; at least one must be > 0")
    weights = {k: v / total for k, v in weights.items()}
    raw_ex = data.get("exclusions", [])
    if not isinstance(raw_ex, list):
        raise RuleError(f"{source}: key 'exclusions' must be a list, got {raw_ex!r}")
    exclusions = tuple(_parse_exclusion(d, f"{source}: exclusions[{i}]") for i, d in enumerate(raw_ex))
    return Profile(
        name,
        title_nb,
        title_en,
        rationale,
        tuple(criteria),
        weights,
        exclusions,
        min_area,
        threshold,
        conn,
        ahp,
        source,
        max_area,
    )
