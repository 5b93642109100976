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
ENV_COUNTY = "AREAL_COUNTY"
ENV_SCHEDULER = "AREAL_SCHEDULER"

DEFAULT_COUNTY = "50"
"""Trøndelag (2024 division): the county of the project unless ``--county`` / ``$AREAL_COUNTY`` says another."""

ALL_COUNTIES = "all"
"""County value for a national run: every municipality of Norway, every county."""


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


def county(override: str | int | None = None) -> str:
    """The county of the run: ``override``, else ``$AREAL_COUNTY``, else ``"50"`` (Trøndelag).

    A two-digit county number (``3`` and ``"3"`` become ``"03"``, Oslo), or ``"all"`` for all of
    Norway.

    Raises
    ------
    ValueError
        For anything that is not a one- or two-digit number or ``"all"``.

    Examples
    --------
    >>> county("3"), county(50), county("all")
    ('03', '50', 'all')
    """
    value = override if override is not None else os.environ.get(ENV_COUNTY) or DEFAULT_COUNTY
    text = str(value).strip().lower()
    if text in (ALL_COUNTIES, "00", "0000", "norge", "norway"):
        return ALL_COUNTIES
    if not text.isdigit() or not 1 <= len(text) <= 2:
        raise ValueError(
            f"county {value!r} is not a county number (two digits, e.g. 50 for Trøndelag, 03 for Oslo) or 'all'"
        )
    return text.zfill(2)


def county_pattern(county_id: str | None = None) -> str:
    r"""Regular expression of the municipality numbers of a county (``50\d\d``; all: ``\d{4}``)."""
    c = county(county_id)
    return r"\d{4}" if c == ALL_COUNTIES else c + r"\d\d"


def scheduler(override: str | None = None) -> str:
    """Where engines run their chunks: ``override``, else ``$AREAL_SCHEDULER``, else ``"threads"``.

    See :func:`areal.geo.scheduler.get_scheduler` for the values (``threads``, ``processes``,
    ``tcp://host:port``, ``local``, with ``:N`` workers).
    """
    return override or os.environ.get(ENV_SCHEDULER) or "threads"


def area_method(county_id: str | None = None) -> str:
    """Areas of a run: geodesic for all of Norway (exact in every UTM zone), planar for one county."""
    return "geodesic" if county(county_id) == ALL_COUNTIES else "planar"


#: The counties of the 2024 division (number -> name), for the total row of an account.
COUNTY_NAMES = {
    "03": "Oslo",
    "11": "Rogaland",
    "15": "Møre og Romsdal",
    "18": "Nordland",
    "31": "Østfold",
    "32": "Akershus",
    "33": "Buskerud",
    "34": "Innlandet",
    "39": "Vestfold",
    "40": "Telemark",
    "42": "Agder",
    "46": "Vestland",
    "50": "Trøndelag",
    "55": "Troms",
    "56": "Finnmark",
}


def county_row(county_id: str | None = None) -> tuple[str, str]:
    """``(kommunenummer, kommunenavn)`` of the total row of an account for the run's county.

    >>> county_row("50"), county_row("all")
    (('50', 'Trøndelag'), ('00', 'Norge'))
    """
    c = county(county_id)
    if c == ALL_COUNTIES:
        return "00", "Norge"
    return c, COUNTY_NAMES.get(c, f"fylke {c}")
