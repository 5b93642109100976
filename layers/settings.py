"""Where the data directory and the cache live.

Nothing here is global mutable state: every function reads the environment when called, so
tests can point ``AREAL_DATA_DIR`` / ``AREAL_CACHE_DIR`` at a temporary folder.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

ENV_DATA_DIR = "AREAL_DATA_DIR"
ENV_CACHE_DIR = "AREAL_CACHE_DIR"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """The data directory: ``override``, else ``$AREAL_DATA_DIR``, else ``~/.local/share/areal/data``.

    ``areal fetch`` downloads into it; the catalogue's source patterns are relative to it.
    """
    if override is not None:
        return Path(override).expanduser()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "areal" / "data"


def cache_dir(override: str | os.PathLike | None = None) -> Path:
    """The cache directory: ``override``, else ``$AREAL_CACHE_DIR``, else ``~/.cache/areal``."""
    if override is not None:
        return Path(override).expanduser()
    env = os.environ.get(ENV_CACHE_DIR)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "areal"


def project_data(*parts: str) -> Path:
    """Path of a hand-written project data file shipped in ``data/`` (rules, profiles, catalogues)."""
    return Path(str(resources.files("areal.data").joinpath(*parts)))


def starter_dir() -> Path:
    """Folder of the packaged starter extract (simplified, redistributable layers)."""
    return Path(str(resources.files("areal.layers").joinpath("starter")))
