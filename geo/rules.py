"""The conflict rule table: which land uses collide, how badly, at what distance and on what basis.

Rules are data (``data/rules/*.toml``, read by :func:`areal.layers.project_data.load_rules`); this module
only turns an already-parsed TOML document into a validated :class:`RuleTable`. Validation errors
name the file, the line and the offending value, so a planner editing the table can fix it.

A *selector* names a layer (``"ar5"``) or one class of a layer (``"ar5:farmland"``); classes are
declared in the same table (``[classes.ar5.farmland]`` with a ``column`` and its ``values``).

*Kinds* say what a drawn or uploaded site is (``[kinds.test_area_sea]``): a kind id may stand on
the A side of rules although it is no layer, and ``include`` names further A sides whose rules
also apply to it (a land test area is checked with the rules of ``test_arenas``).

Examples
--------
>>> doc = {"rule": [{"a": "business_areas", "b": "mire", "severity": "medium", "buffer_m": 0,
...                  "basis": "pbl § 11-8", "explanation": "Peat is a carbon store."}]}
>>> table = parse_rules(doc, known_layers=["business_areas", "mire"])
>>> [r.pair for r in table.rules_for("business_areas")]
['business_areas × mire']
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import geopandas as gpd
import pandas as pd
from areal.geo.errors import RuleError, UnknownNameError

SEVERITIES: tuple[str, ...] = ("exclusion", "high", "medium", "low")
"""Allowed severities, most severe first."""

_RULE_KEYS = {
    "a",
    "b",
    "severity",
    "buffer_m",
    "zone",
    "basis",
    "explanation",
    "reference",
    "basis_nb",
    "explanation_nb",
}
_KIND_KEYS = {"include", "label"}

ZONES: tuple[str, ...] = ("whole", "outside")
"""How a buffered rule counts B: ``whole`` = B and its zone; ``outside`` = only the ring of the zone
outside B itself (naturmangfoldloven § 49: activities *outside* a protected area)."""
_CLASS_KEYS = {"column", "values", "label", "label_en"}
_REQUIRED_RULE_KEYS = ("a", "b", "severity", "basis", "explanation")


def severity_rank(severity: str) -> int:
    """Rank of a severity, 0 = most severe (``exclusion``)."""
    return SEVERITIES.index(severity)


def split_selector(selector: str) -> tuple[str, str | None]:
    """Split ``"layer:class"`` into ``("layer", "class")``; a bare layer gives ``("layer", None)``."""
    layer, _, cls = selector.partition(":")
    return layer, (cls or None)


@dataclass(frozen=True)
class ClassDef:
    """A named subset of a layer: rows whose ``column`` holds one of ``values``.

    Attributes
    ----------
    layer, name : str
        Layer id and class name (selector ``"layer:name"``).
    column : str
        Attribute column tested.
    values : tuple of str
        Codes that belong to the class (compared as strings).
    label : str
        Human-readable description (Norwegian, the default language).
    label_en : str
        The description in English ('' = none given).
    """

    layer: str
    name: str
    column: str
    values: tuple[str, ...]
    label: str = ""
    label_en: str = ""

    @property
    def selector(self) -> str:
        """``"layer:name"``."""
        return f"{self.layer}:{self.name}"


@dataclass(frozen=True)
class Rule:
    """One conflict rule between A (the new or proposed use) and B (the existing interest).

    Attributes
    ----------
    a, b : str
        Selectors: a layer id or ``"layer:class"``.
    severity : {"exclusion", "high", "medium", "low"}
        ``exclusion`` means the law or a binding plan rules the combination out.
    buffer_m : float
        Distance in metres applied to B before intersecting (0 = the area itself).
    basis : str
        Legal or planning basis (act and section), or the guidance it rests on.
    explanation : str
        One or two sentences for planners.
    reference : str
        Optional link or document reference.
    line : int or None
        Line of the rule in its TOML file (for messages).
    zone : {"whole", "outside"}
        ``whole`` (default): B grown by ``buffer_m``, B itself included. ``outside``: only the ring
        between B and ``buffer_m`` around it (a § 49 zone never counts the protected area itself).
    basis_nb, explanation_nb : str
        The basis and explanation in Norwegian bokmål ('' = only the default text above).
    """

    a: str
    b: str
    severity: str
    buffer_m: float = 0.0
    basis: str = ""
    explanation: str = ""
    reference: str = ""
    line: int | None = field(default=None, compare=False)
    zone: str = "whole"
    basis_nb: str = ""
    explanation_nb: str = ""

    @property
    def a_layer(self) -> str:
        """Layer id of A."""
        return split_selector(self.a)[0]

    @property
    def a_class(self) -> str | None:
        """Class name of A, or None for the whole layer."""
        return split_selector(self.a)[1]

    @property
    def b_layer(self) -> str:
        """Layer id of B."""
        return split_selector(self.b)[0]

    @property
    def b_class(self) -> str | None:
        """Class name of B, or None for the whole layer."""
        return split_selector(self.b)[1]

    @property
    def b_label(self) -> str:
        """B with its buffer, e.g. ``"aquaculture_sites (1000 m)"`` (the zone kind is in :attr:`zone`)."""
        return self.b if self.buffer_m == 0 else f"{self.b} ({self.buffer_m:g} m)"

    @property
    def pair(self) -> str:
        """Display name of the pair, ``"a × b"``, with the buffer when there is one."""
        return f"{self.a} × {self.b_label}"

    @property
    def slug(self) -> str:
        """File- and GeoPackage-safe name of the pair (``business_areas__ar5_farmland``)."""
        tail = f"_{self.buffer_m:g}m" if self.buffer_m else ""
        return re.sub(r"[^0-9A-Za-z_]+", "_", f"{self.a}__{self.b}{tail}").strip("_")


@dataclass(frozen=True)
class RuleTable:
    """A validated set of rules and class definitions.

    Attributes
    ----------
    rules : tuple of Rule
    classes : Mapping[str, ClassDef]
        Keyed by selector ``"layer:class"``.
    source : str
        File the table came from (for messages).
    """

    rules: tuple[Rule, ...]
    classes: Mapping[str, ClassDef] = field(default_factory=dict)
    source: str = "<rules>"
    kinds: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Kind id -> the further A sides whose rules apply to it (``[kinds.*] include``)."""
    virtual: frozenset[str] = frozenset()
    """Kind ids that are no layer (``test_area_sea``): A sides only, nothing to load."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "classes", MappingProxyType(dict(self.classes)))
        object.__setattr__(self, "kinds", MappingProxyType({k: tuple(v) for k, v in self.kinds.items()}))

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self):
        return iter(self.rules)

    def rules_for(self, a_layer: str) -> tuple[Rule, ...]:
        """Rules whose A side is ``a_layer`` (or a class of it), most severe first.

        For a kind (``[kinds.*]``) also the rules of the A sides it includes (each rule once).
        """
        sides = [a_layer, *self.kinds.get(a_layer, ())]
        out = [r for r in self.rules if r.a_layer in sides]
        return tuple(sorted(out, key=lambda r: severity_rank(r.severity)))

    def rules_between(self, a_layer: str, b_layer: str) -> tuple[Rule, ...]:
        """Rules with A on ``a_layer`` and B on ``b_layer``."""
        return tuple(r for r in self.rules_for(a_layer) if r.b_layer == b_layer)

    def exclusions(self) -> tuple[Rule, ...]:
        """Rules of severity ``exclusion``."""
        return tuple(r for r in self.rules if r.severity == "exclusion")

    def layers(self) -> set[str]:
        """Every layer id referenced by a rule (kind ids that are no layer left out)."""
        return {r.a_layer for r in self.rules if r.a_layer not in self.virtual} | {
            r.b_layer for r in self.rules
        }

    def class_def(self, selector: str) -> ClassDef | None:
        """Return the class behind ``selector``, None for a bare layer id.

        Raises
        ------
        UnknownNameError
            When the selector names a class the table does not define.
        """
        layer, cls = split_selector(selector)
        if cls is None:
            return None
        try:
            return self.classes[selector]
        except KeyError:
            known = sorted(k for k in self.classes if k.startswith(f"{layer}:"))
            raise UnknownNameError(
                f"{self.source}: class {selector!r} is not defined; classes of {layer!r}: {known or 'none'}"
            ) from None

    def select(self, layer_id: str, gdf: gpd.GeoDataFrame, selector: str) -> gpd.GeoDataFrame:
        """Rows of ``gdf`` (layer ``layer_id``) that belong to ``selector``.

        Parameters
        ----------
        layer_id : str
            Layer the frame holds; must be the selector's layer.
        gdf : GeoDataFrame
        selector : str
            ``"layer"`` (all rows) or ``"layer:class"``.

        Raises
        ------
        RuleError
            When the selector is for another layer or the frame lacks the class column.
        """
        layer, _ = split_selector(selector)
        if layer != layer_id and layer not in self.kinds.get(layer_id, ()):
            raise RuleError(f"{self.source}: selector {selector!r} does not apply to layer {layer_id!r}")
        cdef = self.class_def(selector)
        if cdef is None:
            return gdf
        if cdef.column not in gdf.columns:
            raise RuleError(
                f"{self.source}: class {selector!r} needs column {cdef.column!r}, which layer {layer_id!r} "
                f"does not have (columns: {', '.join(map(str, gdf.columns))})"
            )
        col = gdf[cdef.column]
        mask = col.notna() & col.astype(str).isin(cdef.values)
        return gdf[mask.to_numpy()]


# ---------------------------------------------------------------- parsing and validation


def _line_of(text: str | None, pattern: str, start: int = 0, stop: int | None = None) -> int | None:
    """1-based line number of the first regex match in ``text[start:stop]``."""
    if text is None:
        return None
    m = re.compile(pattern, re.M).search(text, start, len(text) if stop is None else stop)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _rule_spans(text: str | None) -> list[tuple[int, int]]:
    """Character spans of each ``[[rule]]`` block, in order."""
    if text is None:
        return []
    heads = [m.start() for m in re.finditer(r"^[ \t]*\[\[\s*rule\s*\]\]", text, re.M)]
    spans = []
    for i, h in enumerate(heads):
        nxt = re.compile(r"^[ \t]*\[", re.M).search(text, h + 1)
        end = nxt.start() if nxt else len(text)
        if i + 1 < len(heads):
            end = min(end, heads[i + 1])
        spans.append((h, end))
    return spans


class _Locator:
    """Find the line of a value in the TOML text (tomllib keeps no positions)."""

    def __init__(self, text: str | None, source: str):
        self.text = text
        self.source = source
        self.spans = _rule_spans(text)

    def rule_line(self, i: int, key: str | None = None) -> int | None:
        if i >= len(self.spans):
            return None
        start, stop = self.spans[i]
        if key is not None:
            line = _line_of(self.text, rf"^[ \t]*{re.escape(key)}\s*=", start, stop)
            if line is not None:
                return line
        return _line_of(self.text, r"\S", start, stop)

    def class_line(self, layer: str, name: str, key: str | None = None) -> int | None:
        head = rf"^[ \t]*\[\s*classes\.\"?{re.escape(layer)}\"?\.\"?{re.escape(name)}\"?\s*\]"
        line = _line_of(self.text, head)
        if line is None or key is None or self.text is None:
            return line
        m = re.compile(head, re.M).search(self.text)
        if m is None:  # _line_of found the header, so this does not happen
            return line
        nxt = re.compile(r"^[ \t]*\[", re.M).search(self.text, m.end())
        return (
            _line_of(self.text, rf"^[ \t]*{re.escape(key)}\s*=", m.end(), nxt.start() if nxt else None)
            or line
        )

    def where(self, line: int | None) -> str:
        return f"{self.source}, line {line}" if line is not None else self.source


def _check_selector(
    sel: Any,
    what: str,
    known: set[str] | None,
    classes: Mapping[str, ClassDef],
    loc: _Locator,
    line: int | None,
) -> str:
    if not isinstance(sel, str) or not sel.strip():
        raise RuleError(f"{loc.where(line)}: {what} must be a layer id or 'layer:class', got {sel!r}")
    sel = sel.strip()
    layer, cls = split_selector(sel)
    if known is not None and layer not in known:
        raise RuleError(
            f"{loc.where(line)}: unknown layer id {layer!r} in {what} = {sel!r}; "
            f"known layers: {', '.join(sorted(known))}"
        )
    if cls is not None and sel not in classes:
        defined = sorted(k for k in classes if k.startswith(f"{layer}:"))
        raise RuleError(
            f"{loc.where(line)}: unknown class {cls!r} in {what} = {sel!r}; classes of {layer!r}: "
            f"{', '.join(defined) or 'none (declare [classes.' + layer + '.' + cls + '])'}"
        )
    return sel


def parse_rules(
    doc: Mapping[str, Any],
    text: str | None = None,
    source: str = "<rules>",
    known_layers: Iterable[str] | None = None,
) -> RuleTable:
    """Validate a parsed rule document and build a :class:`RuleTable`.

    Parameters
    ----------
    doc : mapping
        The TOML document as parsed by ``tomllib``: ``[classes.<layer>.<name>]`` tables with
        ``column``, ``values`` (and optional ``label``), and ``[[rule]]`` entries with ``a``, ``b``,
        ``severity``, ``buffer_m`` (default 0), ``basis``, ``explanation`` (and optional ``reference``).
    text : str, optional
        The TOML source text, used only to name line numbers in error messages.
    source : str
        File name used in messages.
    known_layers : iterable of str, optional
        Valid layer ids (``areal.layers.project_data.load_rules`` passes the catalogue's). ``None``
        skips the layer-id check: this module knows nothing of the catalogue.

    Returns
    -------
    RuleTable

    Raises
    ------
    RuleError
        For an unknown layer id or class, an unknown severity, a negative or non-numeric buffer,
        a missing or unknown key, or a pair given twice; the message names the file, line and value.
    """
    known = None if known_layers is None else set(known_layers)
    loc = _Locator(text, source)
    unknown_top = set(doc) - {"classes", "rule", "meta", "kinds"}
    if unknown_top:
        key = sorted(unknown_top)[0]
        line = _line_of(text, rf"^[ \t]*\[*\s*{re.escape(key)}\b")
        raise RuleError(
            f"{loc.where(line)}: unknown top-level key {key!r}; expected [classes.*], [kinds.*], [[rule]] or [meta]"
        )
    raw_kinds = doc.get("kinds", {})
    if not isinstance(raw_kinds, Mapping):
        raise RuleError(f"{source}: 'kinds' must be a table of [kinds.<id>] tables")
    kinds: dict[str, tuple[str, ...]] = {}
    for kid, body in raw_kinds.items():
        line = _line_of(text, rf"^[ \t]*\[kinds\.{re.escape(kid)}\]")
        if not isinstance(body, Mapping) or set(body) - _KIND_KEYS:
            raise RuleError(
                f"{loc.where(line)}: [kinds.{kid}] must be a table with {', '.join(sorted(_KIND_KEYS))}, got {body!r}"
            )
        inc = body.get("include", [])
        if not isinstance(inc, list) or not all(isinstance(x, str) and x for x in inc):
            raise RuleError(
                f"{loc.where(line)}: [kinds.{kid}] include must be a list of A sides, got {inc!r}"
            )
        kinds[str(kid)] = tuple(inc)
    for kid, inc in kinds.items():
        for x in inc:
            if known is not None and x not in known and x not in kinds:
                raise RuleError(
                    f"{source}: [kinds.{kid}] includes {x!r}, which is neither a layer nor a kind; "
                    f"kinds: {', '.join(sorted(kinds))}"
                )
    a_known = None if known is None else known | set(kinds)

    classes: dict[str, ClassDef] = {}
    raw_classes = doc.get("classes", {})
    if not isinstance(raw_classes, Mapping):
        raise RuleError(f"{source}: 'classes' must be a table of [classes.<layer>.<name>] tables")
    for layer, entries in raw_classes.items():
        if known is not None and layer not in known:
            line = loc.class_line(layer, next(iter(entries), "")) if isinstance(entries, Mapping) else None
            raise RuleError(
                f"{loc.where(line)}: unknown layer id {layer!r} in [classes.{layer}]; "
                f"known layers: {', '.join(sorted(known))}"
            )
        for name, body in entries.items():
            line = loc.class_line(layer, name)
            if not isinstance(body, Mapping):
                raise RuleError(f"{loc.where(line)}: [classes.{layer}.{name}] must be a table, got {body!r}")
            extra = set(body) - _CLASS_KEYS
            if extra:
                k = sorted(extra)[0]
                raise RuleError(
                    f"{loc.where(loc.class_line(layer, name, k))}: unknown key {k!r} in "
                    f"[classes.{layer}.{name}]; allowed: {', '.join(sorted(_CLASS_KEYS))}"
                )
            column, values = body.get("column"), body.get("values")
            if not isinstance(column, str) or not column:
                raise RuleError(
                    f"{loc.where(loc.class_line(layer, name, 'column'))}: [classes.{layer}.{name}] "
                    f'needs column = "<attribute>", got {column!r}'
                )
            if not isinstance(values, list) or not values:
                raise RuleError(
                    f"{loc.where(loc.class_line(layer, name, 'values'))}: [classes.{layer}.{name}] "
                    f"needs a non-empty list values = [...], got {values!r}"
                )
            classes[f"{layer}:{name}"] = ClassDef(
                layer,
                name,
                column,
                tuple(str(v) for v in values),
                str(body.get("label", "")),
                str(body.get("label_en", "")),
            )

    raw_rules = doc.get("rule", [])
    if not isinstance(raw_rules, list):
        raise RuleError(f"{source}: rules must be an array of tables, written [[rule]]")
    rules: list[Rule] = []
    seen: dict[tuple[str, str, float], int | None] = {}
    for i, body in enumerate(raw_rules):
        head = loc.rule_line(i)
        extra = set(body) - _RULE_KEYS
        if extra:
            k = sorted(extra)[0]
            raise RuleError(
                f"{loc.where(loc.rule_line(i, k))}: unknown key {k!r} in rule {i + 1}; "
                f"allowed: {', '.join(sorted(_RULE_KEYS))}"
            )
        for k in _REQUIRED_RULE_KEYS:
            if k not in body:
                raise RuleError(f"{loc.where(head)}: rule {i + 1} lacks {k!r}")
        a = _check_selector(body["a"], "a", a_known, classes, loc, loc.rule_line(i, "a"))
        b = _check_selector(body["b"], "b", known, classes, loc, loc.rule_line(i, "b"))
        sev = body["severity"]
        if sev not in SEVERITIES:
            raise RuleError(
                f"{loc.where(loc.rule_line(i, 'severity'))}: unknown severity {sev!r} in rule {i + 1} "
                f"({a} × {b}); allowed: {', '.join(SEVERITIES)}"
            )
        buf = body.get("buffer_m", 0)
        if isinstance(buf, bool) or not isinstance(buf, (int, float)) or not math.isfinite(buf):
            raise RuleError(
                f"{loc.where(loc.rule_line(i, 'buffer_m'))}: buffer_m must be a number of metres, "
                f"got {buf!r} in rule {i + 1} ({a} × {b})"
            )
        if buf < 0:
            raise RuleError(
                f"{loc.where(loc.rule_line(i, 'buffer_m'))}: negative buffer_m = {buf!r} in rule {i + 1} "
                f"({a} × {b}); distances are applied to B and must be >= 0"
            )
        zone = body.get("zone", "whole")
        if zone not in ZONES:
            raise RuleError(
                f"{loc.where(loc.rule_line(i, 'zone'))}: unknown zone {zone!r} in rule {i + 1} "
                f"({a} × {b}); allowed: {', '.join(ZONES)}"
            )
        if zone == "outside" and not buf > 0:
            raise RuleError(
                f"{loc.where(loc.rule_line(i, 'zone'))}: zone = 'outside' in rule {i + 1} ({a} × {b}) "
                f"needs buffer_m > 0 (the ring outside B has no width at 0 m)"
            )
        for k in ("basis", "explanation"):
            if not isinstance(body[k], str) or not body[k].strip():
                raise RuleError(
                    f"{loc.where(loc.rule_line(i, k))}: {k} of rule {i + 1} ({a} × {b}) must be "
                    f"non-empty text, got {body[k]!r}"
                )
        if (a, b, float(buf)) in seen:
            raise RuleError(
                f"{loc.where(head)}: the pair {a} × {b} with buffer_m = {buf:g} is given twice "
                f"(first at line {seen[(a, b, float(buf))]})"
            )
        seen[(a, b, float(buf))] = head
        rules.append(
            Rule(
                a,
                b,
                sev,
                float(buf),
                body["basis"].strip(),
                body["explanation"].strip(),
                str(body.get("reference", "")),
                head,
                zone,
                basis_nb=str(body.get("basis_nb", "")).strip(),
                explanation_nb=str(body.get("explanation_nb", "")).strip(),
            )
        )
    b_sides = {r.b_layer for r in rules}
    virtual = {k for k in kinds if (k not in known if known is not None else k not in b_sides)}
    return RuleTable(tuple(rules), classes, source, kinds, frozenset(virtual))


def rules_frame(table: RuleTable) -> pd.DataFrame:
    """Return the rule table as a flat DataFrame (for exports and the app)."""
    return pd.DataFrame(
        [
            {
                "pair": r.pair,
                "a": r.a,
                "b": r.b,
                "severity": r.severity,
                "buffer_m": r.buffer_m,
                "zone": r.zone,
                "basis": r.basis,
                "explanation": r.explanation,
                "reference": r.reference,
            }
            for r in table.rules
        ],
        columns=["pair", "a", "b", "severity", "buffer_m", "zone", "basis", "explanation", "reference"],
    )
