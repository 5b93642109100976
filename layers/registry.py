"""The one registry of catalogue layers.

>>> from areal.layers import registry
>>> registry.get("municipalities").publisher
'Kartverket'
"""

from __future__ import annotations

from typing import Iterable

from areal.geo.errors import DuplicateNameError, unknown_name
from areal.layers._base import LayerSpec

_REGISTRY: dict[str, LayerSpec] = {}


def register(spec: LayerSpec) -> LayerSpec:
    """Add a layer declaration; refuse a duplicate id.

    Raises
    ------
    DuplicateNameError
        When ``spec.id`` is already registered, listing the registered ids.
    """
    if spec.id in _REGISTRY:
        raise DuplicateNameError(
            f"layer id {spec.id!r} is already registered; registered ids are: {', '.join(sorted(_REGISTRY))}"
        )
    _REGISTRY[spec.id] = spec
    return spec


def get(layer_id: str) -> LayerSpec:
    """Return the declaration of ``layer_id``.

    Raises
    ------
    UnknownNameError
        A ``KeyError`` whose message lists the valid ids.
    """
    _ensure_loaded()
    try:
        return _REGISTRY[layer_id]
    except KeyError:
        raise unknown_name(
            f"{layer_id!r} is not a known layer; available layers are: {', '.join(sorted(_REGISTRY))}",
            "layer",
            layer_id,
            sorted(_REGISTRY),
        ) from None


def names(kind: str | None = None) -> list[str]:
    """Registered layer ids in catalogue order, optionally only one kind."""
    _ensure_loaded()
    return [k for k, s in _REGISTRY.items() if kind is None or s.kind == kind]


def specs(theme: str | None = None) -> list[LayerSpec]:
    """All declarations, optionally of one theme, in catalogue order."""
    _ensure_loaded()
    return [s for s in _REGISTRY.values() if theme is None or s.theme == theme]


def register_all(items: Iterable[LayerSpec]) -> None:
    """Register several declarations."""
    for spec in items:
        register(spec)


_loaded = False


def _ensure_loaded() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from areal.layers import catalogue  # the theme modules, imported once

    register_all(catalogue.ALL)
