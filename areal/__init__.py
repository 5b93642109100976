"""Arealkart Trøndelag: land-use conflicts, green-industry suitability and test-arena planning.

One import package with the subpackages :mod:`areal.geo` (the pure analysis core),
:mod:`areal.layers` (layer declarations, readers, fetch, stores), :mod:`areal.apps` (the
command line, the map app, reports, the HTTP API) and :mod:`areal.data` (rules, profiles,
indicators, arenas). In the repository they are the top-level folders ``geo/``, ``layers/``,
``apps/`` and ``data/``; ``pyproject.toml`` maps them into this package.
"""

from __future__ import annotations

from importlib import metadata as _metadata
from pathlib import Path as _Path

_root = _Path(__file__).resolve().parent.parent
if (_root / "pyproject.toml").is_file() and (_root / "geo" / "__init__.py").is_file():
    # Run from a source checkout (a git worktree, or `python -c` in the repository without an
    # install): the subpackages are the repository's top-level folders.
    __path__.append(str(_root))  # type: ignore[name-defined]  # noqa: F821

try:
    __version__ = _metadata.version("arealkart")
except _metadata.PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
