"""Provenance: the manifest of the datasets an output was made from.

Every GeoPackage (an attribute table ``provenance``), CSV folder (``provenance.csv``) and PDF (a
section) the tool writes carries one row per dataset used: publisher, dataset, vintage or fetch
date, SHA-256 of the source files, licence, scale, and where it came from. The figures of an
output can so be traced back to the exact files.

>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> g = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=25833)
>>> g.attrs["load_report"] = {"sources": [], "origin": "data"}
>>> manifest({"forest": g})[["layer", "publisher", "licence", "scale"]].values.tolist()
[['forest', 'Kartverket', 'CC BY 4.0', '1:1 000 000']]
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
from areal.geo.errors import UnknownNameError
from areal.layers import registry, settings

COLUMNS = [
    "layer",
    "dataset",
    "publisher",
    "vintage",
    "fetched",
    "licence",
    "scale",
    "sha256",
    "sources",
    "unverified",
]


def scale_of(layer_id: str, frame=None) -> str:
    """The map scale of a layer (its declaration; the composite's from the sources it used).

    >>> scale_of("ar5"), scale_of("n50_arealdekke"), scale_of("municipalities_sea")
    ('1:5 000', '1:50 000', '1:1 000 000')
    """
    if frame is not None and getattr(frame, "attrs", {}).get("farmland_sources"):
        return ", ".join(sorted({u["scale"] for u in frame.attrs["farmland_sources"]}))
    try:
        return registry.get(layer_id).scale
    except UnknownNameError:
        return ""


def _checksums(sources: Iterable[str]) -> str:
    from areal.layers.loader import file_checksum

    out = []
    for s in sources:
        path = Path(str(s).split("#")[0])
        if path.exists():
            out.append(f"{path.name}={file_checksum(path, settings.cache_dir())}")
    return "; ".join(out)


def manifest(
    layers: Mapping[str, object], data_dir: str | os.PathLike | None = None, *, extra: Iterable[dict] = ()
) -> pd.DataFrame:
    """One row per dataset used (:data:`COLUMNS`), from the loaded frames' load reports.

    Parameters
    ----------
    layers : mapping of layer id -> loaded frame (or None for a layer that was missing)
        A missing layer gets a row saying so: an output says what it could not use.
    data_dir : path, optional
        For the fetch dates of ``fetch-manifest.json``.
    extra : iterable of dict
        Further rows (a proposal file the user gave, with its own SHA-256).
    """
    from areal.layers.fetch import read_manifest

    fetched = read_manifest(settings.data_dir(data_dir)) if data_dir is not None else {}
    rows = []
    for lid, frame in layers.items():
        try:
            spec = registry.get(lid)
        except UnknownNameError:
            continue
        rep = getattr(frame, "attrs", {}).get("load_report", {}) if frame is not None else {}
        sources = list(rep.get("sources", []))
        f = fetched.get(lid, {})
        rows.append(
            {
                "layer": lid,
                "dataset": spec.title_nb,
                "publisher": spec.publisher,
                "vintage": spec.vintage,
                "fetched": f.get("date", "") if frame is not None else "",
                "licence": spec.licence,
                "scale": scale_of(lid, frame),
                "sha256": _checksums(sources) if frame is not None else "",
                "sources": "; ".join(Path(str(s).split("#")[0]).name for s in sources)
                if frame is not None
                else "missing (ikke kartlagt)",
                "unverified": spec.fetch.unverified if spec.fetch is not None else "",
            }
        )
    rows += [{c: r.get(c, "") for c in COLUMNS} for r in extra]
    return pd.DataFrame(rows, columns=COLUMNS)


def file_row(path: str | os.PathLike, what: str) -> dict:
    """A manifest row for a file the user gave (a proposal): its name and SHA-256."""
    from areal.layers.loader import file_checksum

    p = Path(path)
    return {
        "layer": what,
        "dataset": p.name,
        "publisher": "user",
        "sha256": f"{p.name}={file_checksum(p, settings.cache_dir())}" if p.exists() else "",
        "sources": p.name,
    }


def write_csv(frame: pd.DataFrame, folder: str | os.PathLike) -> Path:
    """``provenance.csv`` in an output folder."""
    path = Path(folder) / "provenance.csv"
    frame.to_csv(path, index=False)
    return path
