"""Assembling the inputs of a suitability run: the one place the CLI, the app, indicators and reports use.

:func:`load_suitability_inputs` gathers, for a profile, every layer it names (``ports`` derived from
built-up areas and the sea), the elevation raster, the land mask (optionally one municipality) and
the exclusions of the conflict rule table (rules of severity *exclusion* for new business land,
see :func:`areal.layers.site_conflicts.rule_exclusions`). Where the layers come from is a
:class:`LayerSource`:

* :class:`DataDirSource`: read from a data directory through :func:`areal.layers.loader.load`
  (the CLI, indicators, reports); the simplified starter extract is not used, because a suitability
  run on simplified data would look real and is not;
* :class:`LoadedLayers`: frames already in memory (the app server's :class:`AppData`).

Missing layers are reported with the reason (:attr:`SuitabilityInputs.missing`); exclusion rules
that could not be applied are reported in :attr:`SuitabilityInputs.skipped`, so every caller shows
the same "skipped" list.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Protocol

import geopandas as gpd
import numpy as np
from areal.geo.criteria import derive_ports
from areal.geo.errors import LayerMissingError, unknown_name
from areal.geo.profiles import Profile
from areal.geo.rules import RuleTable
from areal.geo.suitability_plan import RasterSource, SuitabilityInputs

#: Layers derived from other catalogue layers (no file of their own): id -> (sources, description).
DERIVED_LAYERS = {
    "ports": (
        ("built_up", "sea"),
        "shoreline of N1000 built-up areas (Tettbebyggelse) within 50 m of the sea (Havflate)",
    ),
}

#: The use whose exclusion rules apply to green-industry sites (new business land).
SITED_AS = "business_areas"

SHIPPED_RULES = "shipped"
"""``rules=`` default of :func:`load_suitability_inputs`: the project's rule table (``data/rules/default.toml``)."""


class LayerSource(Protocol):
    """Where a suitability run's layers come from."""

    def vector(self, layer_id: str) -> gpd.GeoDataFrame:
        """A vector layer in EPSG:25833; raises :class:`LayerMissingError` with the reason."""
        ...

    def raster(self, layer_id: str) -> RasterSource:
        """A raster layer; raises :class:`LayerMissingError` with the reason."""
        ...


class WindowReader:
    """Reads windows of band 1 of a raster file (GeoTIFF, COG, VRT); pickles as its path."""

    def __init__(self, path: str | os.PathLike):
        self.path = str(path)

    def __call__(self, row: int, col: int, height: int, width: int) -> np.ndarray:
        """The window ``[row:row+height, col:col+width]`` of band 1."""
        import rasterio
        from rasterio.windows import Window

        with rasterio.open(self.path) as src:
            return src.read(1, window=Window(col, row, width, height))

    def __repr__(self) -> str:
        return f"WindowReader({self.path!r})"


#: Rasters up to this many cells are read whole (a 1 km DEM of the county); larger ones by window.
READ_WHOLE_CELLS = 4_000_000


def read_raster(path: str | os.PathLike, name: str = "raster") -> RasterSource:
    """Band 1 of a raster file as a :class:`~areal.geo.suitability_plan.RasterSource`.

    A small raster is read whole; a large one (a 10 m DTM, a VRT mosaic of tiles) only gets a
    window reader, so every grid or tile reads just the part it needs.
    """
    import rasterio

    with rasterio.open(path) as src:
        if src.width * src.height <= READ_WHOLE_CELLS:
            return RasterSource(src.read(1), src.transform, src.crs, src.nodata, name)
        return RasterSource(
            None,
            src.transform,
            src.crs,
            src.nodata,
            name,
            shape=(src.height, src.width),
            reader=WindowReader(path),
        )


def _short_reason(exc: Exception) -> str:
    # The loader's message ends with ". To get it, <remedy>."; the reason alone is enough here.
    return str(exc).split(". To get it")[0]


class DataDirSource:
    """Layers read from a data directory (frames are cached per source).

    Parameters
    ----------
    data_dir : path-like, optional
        Default ``AREAL_DATA_DIR``.
    use_starter : bool
        Use the packaged starter extract for layers missing in ``data_dir`` (default False: a run on
        simplified data would look real and is not).
    """

    def __init__(self, data_dir: str | os.PathLike | None = None, *, use_starter: bool = False):
        self.data_dir = data_dir
        self.use_starter = use_starter
        self._cache: dict[str, gpd.GeoDataFrame | LayerMissingError] = {}
        self.derived: dict[str, gpd.GeoDataFrame | LayerMissingError] = {}

    def vector(self, layer_id: str) -> gpd.GeoDataFrame:
        """A layer through :func:`areal.layers.loader.load` (cached)."""
        from areal.layers import loader

        if layer_id not in self._cache:
            try:
                self._cache[layer_id] = loader.load(layer_id, self.data_dir, use_starter=self.use_starter)
            except LayerMissingError as exc:
                self._cache[layer_id] = LayerMissingError(_short_reason(exc))
        got = self._cache[layer_id]
        if isinstance(got, LayerMissingError):
            raise got
        return got

    def starter_layers(self) -> list[str]:
        """Ids of the layers read so far from the packaged starter extract (simplified data)."""
        return sorted(
            lid
            for lid, got in self._cache.items()
            if not isinstance(got, LayerMissingError)
            and got.attrs.get("load_report", {}).get("origin") == "starter"
        )

    def raster(self, layer_id: str) -> RasterSource:
        """A raster layer's band 1."""
        from areal.layers import loader

        try:
            path = loader.raster_path(layer_id, self.data_dir)
        except LayerMissingError as exc:
            raise LayerMissingError(_short_reason(exc), key=exc.key, params=exc.params) from None
        return read_raster(path, layer_id)


class LoadedLayers:
    """Layers already in memory (the app server's).

    Parameters
    ----------
    layers : mapping of layer id -> GeoDataFrame
    reasons : mapping of layer id -> str, optional
        Why an absent layer is absent (default "layer not loaded").
    rasters : mapping of layer id -> path, optional
        Raster files (read on first use, then kept).
    """

    def __init__(
        self,
        layers: Mapping[str, gpd.GeoDataFrame],
        reasons: Mapping[str, str] | None = None,
        rasters: Mapping[str, str | os.PathLike] | None = None,
    ):
        self.layers = layers
        self.reasons = dict(reasons or {})
        self.rasters = dict(rasters or {})
        self._rasters: dict[str, RasterSource] = {}
        self.derived: dict[str, gpd.GeoDataFrame | LayerMissingError] = {}

    def vector(self, layer_id: str) -> gpd.GeoDataFrame:
        """The loaded frame."""
        gdf = self.layers.get(layer_id)
        if gdf is None:
            raise LayerMissingError(self.reasons.get(layer_id) or "layer not loaded")
        return gdf

    def raster(self, layer_id: str) -> RasterSource:
        """The raster's band 1 (read once)."""
        if layer_id not in self._rasters:
            if layer_id not in self.rasters:
                raise LayerMissingError(self.reasons.get(layer_id) or f"{layer_id} raster is missing")
            self._rasters[layer_id] = read_raster(self.rasters[layer_id], layer_id)
        return self._rasters[layer_id]


def _vector(source: LayerSource, layer_id: str, derived: dict) -> gpd.GeoDataFrame:
    """A layer of the source, deriving the layers of :data:`DERIVED_LAYERS` (once per source)."""
    if layer_id not in DERIVED_LAYERS:
        return source.vector(layer_id)
    if layer_id not in derived:
        srcs, how = DERIVED_LAYERS[layer_id]
        try:
            frames = [source.vector(s) for s in srcs]
        except LayerMissingError:
            derived[layer_id] = LayerMissingError(f"derived from {', '.join(srcs)}, which are missing")
        else:
            gdf = derive_ports(*frames)
            gdf.attrs["derived"] = how
            derived[layer_id] = gdf
    got = derived[layer_id]
    if isinstance(got, LayerMissingError):
        raise got
    return got


def as_source(source: LayerSource | str | os.PathLike | None) -> LayerSource:
    """A :class:`LayerSource` as is; a data directory (or None: ``AREAL_DATA_DIR``) as a :class:`DataDirSource`."""
    if source is None or isinstance(source, (str, os.PathLike)):
        return DataDirSource(source)
    return source


def rule_layers(
    rules: RuleTable, source: LayerSource, *, as_layer: str = SITED_AS
) -> tuple[dict[str, gpd.GeoDataFrame], dict[str, str]]:
    """The B layers the rules of ``as_layer`` name, and the reason of each one missing."""
    layers: dict[str, gpd.GeoDataFrame] = {}
    missing: dict[str, str] = {}
    for lid in dict.fromkeys(r.b_layer for r in rules.rules_for(as_layer)):
        try:
            layers[lid] = source.vector(lid)
        except LayerMissingError as exc:
            missing[lid] = str(exc)
    return layers, missing


def load_suitability_inputs(
    profile: Profile,
    source: LayerSource | str | os.PathLike | None = None,
    *,
    municipality: str | None = None,
    rules: RuleTable | str | None = SHIPPED_RULES,
    land: gpd.GeoDataFrame | None = None,
) -> SuitabilityInputs:
    """Everything a suitability run of ``profile`` needs (missing layers reported, never silently dropped).

    Parameters
    ----------
    profile : Profile
    source : LayerSource or path, optional
        Where the layers come from: a :class:`LayerSource`, or a data directory (default
        ``AREAL_DATA_DIR``) read without the starter extract.
    municipality : str, optional
        Municipality number (e.g. ``"5001"``): the land region is that municipality only.
    rules : RuleTable, ``"shipped"`` or None
        The conflict rule table whose *exclusion* rules for business land become exclusions
        (default: the shipped table; None: none). A rule repeating a profile exclusion, or whose
        layer is missing, is reported in :attr:`SuitabilityInputs.skipped`.
    land : GeoDataFrame, optional
        The land mask (default: the source's ``municipalities``, land only).

    Raises
    ------
    LayerMissingError
        When the land mask (``municipalities``) is missing.
    UnknownNameError
        For a municipality number that is not in Trøndelag.
    """
    from areal.layers.site_conflicts import rule_exclusions

    src = as_source(source)
    if land is None:
        try:
            land = src.vector("municipalities")
        except LayerMissingError as exc:
            raise LayerMissingError(
                f"suitability needs the 'municipalities' layer (land mask), which is missing: {exc}",
                key="layer_missing",
                params={"layer": "municipalities"},
            ) from None
    if municipality is not None:
        sel = land[land["kommunenummer"].astype(str) == str(municipality)]
        if sel.empty:
            known = sorted(land["kommunenummer"].astype(str))
            raise unknown_name(
                f"municipality {municipality!r} is not in Trøndelag; numbers: {', '.join(known)}",
                "municipality",
                municipality,
                known,
            )
        land = sel.reset_index(drop=True)
    derived = getattr(src, "derived", None)  # derived layers are made once per source
    if derived is None:
        derived = {}
    layers: dict[str, gpd.GeoDataFrame] = {}
    missing: dict[str, str] = {}
    for lid in profile.layers:
        if lid == "elevation":
            continue
        try:
            layers[lid] = _vector(src, lid, derived)
        except LayerMissingError as exc:
            missing[lid] = str(exc)
    elevation = None
    if "elevation" in profile.layers:
        try:
            elevation = src.raster("elevation")
        except LayerMissingError as exc:
            missing["elevation"] = str(exc)
    extra: dict[str, gpd.GeoDataFrame] = {}
    skipped: list[tuple[str, str]] = []
    if rules is not None:
        if isinstance(rules, str):
            from areal.layers.project_data import load_rules

            rules = load_rules()
        b_layers, _ = rule_layers(rules, src)  # an absent layer: rule_exclusions names the rule skipped
        extra, skipped = rule_exclusions(rules, b_layers, as_layer=SITED_AS, profile=profile)
    return SuitabilityInputs(
        layers=layers,
        land=land,
        missing=missing,
        elevation=elevation,
        extra_exclusions=extra,
        skipped=tuple(skipped),
    )


__all__ = [
    "DERIVED_LAYERS",
    "DataDirSource",
    "LayerSource",
    "LoadedLayers",
    "as_source",
    "load_suitability_inputs",
    "read_raster",
    "WindowReader",
    "rule_layers",
]
