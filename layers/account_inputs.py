"""Reading what the land account needs: the layers present, emission factors, a proposal file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from areal.geo.crs import to_working_crs
from areal.geo.errors import (
    CRSMissingError,
    EmptyLayerError,
    InputGeometryError,
    LayerMissingError,
    adding,
)
from areal.geo.geometry import repair_geometries
from areal.geo.land_account import CLASSES
from areal.layers import loader, registry

EMISSION_FACTORS_FILE = "emission_factors.toml"


@dataclass
class AccountInputs:
    """Layers for :func:`areal.geo.land_account.land_account`, with provenance.

    Attributes
    ----------
    municipalities : GeoDataFrame
    layers : dict
        Layer id -> cleaned frame, only for layers that are present.
    remedies : dict
        Layer id -> how to get it (from the catalogue's fetch declaration).
    origins : dict
        Layer id -> "data" or "starter" (the simplified packaged extract).
    """

    municipalities: gpd.GeoDataFrame
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    remedies: dict[str, str] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    data_dir: str | None = None

    def attributions(self) -> dict[str, str]:
        """Layer id -> credit line, for every layer used (municipalities included)."""
        ids = ["municipalities", *self.layers]
        return {lid: registry.get(lid).attribution for lid in ids}

    def provenance(self, data_dir=None):  # data_dir: default the one the inputs were loaded from
        """The datasets used, one row each (:func:`areal.layers.provenance.manifest`); missing ones named."""
        from areal.layers.provenance import manifest

        frames = {"municipalities": self.municipalities, **self.layers}
        frames |= {lid: None for lid in account_layer_ids() if lid not in frames}
        return manifest(frames, data_dir if data_dir is not None else self.data_dir)


def account_layer_ids() -> list[str]:
    """Every catalogue layer the account can use, in class order."""
    out: list[str] = []
    for cls in CLASSES:
        for lid in cls.layers:
            if lid not in out:
                out.append(lid)
    return out


IMPORTABLE = ("ar5", "business_areas")
"""Account layers a user can also bring as a file (``areal import FILE --as <id>``)."""


def account_remedies() -> dict[str, str]:
    """How to get each layer the account can use (shown next to a missing layer).

    Examples
    --------
    >>> account_remedies()["ar5"].split(" (")[0]
    '`areal fetch ar5` or `areal import FILE --as ar5`'
    """
    out = {}
    for lid in account_layer_ids():
        spec = registry.get(lid)
        if spec.fetch is None:
            out[lid] = loader.how_to_get(spec)
            continue
        out[lid] = (
            f"`areal fetch {lid}`"
            + (f" or `areal import FILE --as {lid}`" if lid in IMPORTABLE else "")
            + f" ({spec.fetch.service})"
        )
    return out


def load_account_inputs(
    data_dir: str | os.PathLike | None = None, *, use_starter: bool = True
) -> AccountInputs:
    """Load the municipalities and every account layer that is present.

    A layer that is missing is left out of :attr:`AccountInputs.layers` (the account reports it as
    not available, naming the remedy); a layer that is present but broken raises.
    """
    munis = loader.load("municipalities", data_dir, use_starter=use_starter)
    inputs = AccountInputs(munis, remedies=account_remedies(), data_dir=str(data_dir) if data_dir else None)
    inputs.origins["municipalities"] = munis.attrs.get("load_report", {}).get("origin", "data")
    for lid in account_layer_ids():
        try:
            gdf = loader.load(lid, data_dir, use_starter=use_starter)
        except LayerMissingError:
            continue
        inputs.layers[lid] = gdf
        inputs.origins[lid] = gdf.attrs.get("load_report", {}).get("origin", "data")
    return inputs


def emission_factors(path: str | os.PathLike | None = None):
    """Read the emission-factor table (default ``data/emission_factors.toml``); see :mod:`areal.layers.project_data`."""
    from areal.layers.project_data import load_emission_factors

    return load_emission_factors(path)


def read_proposal(path: str | os.PathLike, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read proposed business land (GeoPackage, GeoJSON, shapefile ...) into EPSG:25833, repaired.

    The file is opened by :func:`areal.layers.safe_open.open_vector` (type from the content, one
    driver, no network; a file with several layers needs ``layer``), and its location is checked
    (swapped axes, outside Norway, the whole globe are refused; outside Trøndelag is a warning in
    ``attrs["warnings"]``).

    Raises
    ------
    LayerReadError, CRSMissingError, InputGeometryError
        Naming the file.
    """
    p = Path(path)
    with adding(path=str(p)):
        return _read_proposal(p, layer)


def _read_proposal(p: Path, layer: str | None) -> gpd.GeoDataFrame:
    from areal.geo.plausibility import check_location
    from areal.layers.safe_open import open_vector

    file = {"path": str(p)}
    try:
        gdf = open_vector(p, layer=layer, family="polygon", name=f"proposal file {p}")
    except EmptyLayerError as exc:
        raise InputGeometryError(str(exc), key="empty", params=file) from None
    if len(gdf) == 0:
        raise InputGeometryError(f"proposal file {p} holds no features", key="empty", params=file)
    if gdf.crs is None:
        raise CRSMissingError(
            f"proposal file {p} has no CRS: cannot transform naive geometries", key="no_crs", params=file
        )
    geoms = np.asarray(gdf.geometry.values)
    gdf = gdf.loc[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(gdf) == 0:
        raise InputGeometryError(
            f"proposal file {p} holds no geometries (all are empty)", key="empty", params=file
        )
    warnings = check_location(gdf, f"proposal file {p}")
    gdf = to_working_crs(gdf, str(p))
    gdf, rep = repair_geometries(gdf, "polygon")
    polys = gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    if not polys.all():
        bad = gdf.geometry.geom_type[~polys].value_counts().to_dict()
        raise InputGeometryError(
            f"proposal file {p}: only polygons can be accounted, found {bad}",
            key="geometry_type",
            params={**file, "types": ", ".join(map(str, bad)), "want": "polygon"},
        )
    gdf.attrs["n_repaired"] = rep.n_invalid
    gdf.attrs["warnings"] = warnings
    return gdf
