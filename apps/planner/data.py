"""The data one app server shares between its sessions (read-only after loading).

Loads every catalogue layer once (missing or broken layers are recorded with a reason, the app
keeps running), and serves simplified GeoJSON per zoom band and raster PNGs from caches. No
Panel import here: the GeoJSON endpoint and the tests use it directly.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Sequence

import geopandas as gpd
import numpy as np
import shapely
from areal.apps.planner import i18n, mapping
from areal.geo.errors import ArealError, LayerMissingError, UnknownNameError
from areal.layers import loader, registry
from areal.layers._base import LayerSpec


@dataclass(frozen=True)
class LayerState:
    """Availability of one catalogue layer in this server.

    Attributes
    ----------
    status : {"loaded", "starter", "missing", "error", "table"}
    reason_public : str
        Why it is not shown, safe for the public page (no file-system paths).
    reason_planner : str
        The full reason (may name files), shown only in planner mode.
    """

    status: str
    reason_public: str = ""
    reason_planner: str = ""


@dataclass
class AppData:
    """Layers, their availability and the display caches of one server.

    Attributes
    ----------
    specs : list of LayerSpec
        The whole catalogue, in catalogue order.
    layers : dict
        Loaded vector layers (EPSG:25833) by id.
    states : dict
        :class:`LayerState` per id.
    rasters : dict
        Path of each available raster layer.
    data_dir : str or None
        The data folder the layers came from (None: the default), for the reports.
    coverage : dict
        Where each loaded layer is mapped (:func:`areal.layers.coverage.coverages`), for the
        site check's hit / no hit / not mapped.
    """

    specs: list[LayerSpec]
    layers: dict[str, gpd.GeoDataFrame]
    states: dict[str, LayerState]
    rasters: dict[str, str] = field(default_factory=dict)
    coverage: dict = field(default_factory=dict)
    cache_size: int = 256
    _geojson: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _png: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _overlays: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _places: list | None = field(default=None, repr=False)
    _named_places: gpd.GeoDataFrame | None = field(default=None, repr=False)
    max_overlays: int = 64
    data_dir: str | None = None

    # ------------------------------------------------------------------ construction

    @classmethod
    def load(
        cls,
        data_dir: str | os.PathLike | None = None,
        *,
        use_starter: bool = True,
        only: Sequence[str] | None = None,
    ) -> "AppData":
        """Load the catalogue's layers from ``data_dir`` (or the packaged starter extract).

        Parameters
        ----------
        data_dir : path-like, optional
            Data directory (default: ``AREAL_DATA_DIR`` / the user data folder).
        use_starter : bool
            Fall back to the packaged starter extract for layers missing in ``data_dir``.
        only : sequence of str, optional
            Load only these layer ids (others are listed as unavailable); for tests.
        """
        specs = registry.specs()
        layers: dict[str, gpd.GeoDataFrame] = {}
        states: dict[str, LayerState] = {}
        rasters: dict[str, str] = {}
        for spec in specs:
            if only is not None and spec.id not in only:
                states[spec.id] = LayerState(
                    "missing", i18n.t("layers.missing", "nb"), "not loaded (only=...)"
                )
                continue
            if spec.kind == "table":
                states[spec.id] = LayerState("table")
                continue
            try:
                if spec.kind == "raster":
                    rasters[spec.id] = str(loader.raster_path(spec.id, data_dir))
                    states[spec.id] = LayerState("loaded")
                    continue
                gdf = loader.load(spec, data_dir, use_starter=use_starter)
            except LayerMissingError as exc:
                states[spec.id] = LayerState("missing", loader.how_to_get(spec), str(exc))
                continue
            except (ArealError, OSError, ValueError) as exc:
                states[spec.id] = LayerState("error", "", f"{type(exc).__name__}: {exc}")
                continue
            if not isinstance(gdf, gpd.GeoDataFrame) or len(gdf) == 0:
                states[spec.id] = LayerState("error", "", "no features")
                continue
            gdf.sindex  # build the spatial index once, shared by all sessions
            layers[spec.id] = gdf
            origin = gdf.attrs.get("load_report", {}).get("origin")
            states[spec.id] = LayerState("starter" if origin == "starter" else "loaded")
        from areal.layers.coverage import coverages

        try:
            cover = coverages(layers, data_dir, frames=layers)
        except (ArealError, OSError, ValueError):
            cover = {}  # without coverage every loaded layer counts as mapped everywhere
        return cls(
            specs=specs,
            layers=layers,
            states=states,
            rasters=rasters,
            coverage=cover,
            data_dir=None if data_dir is None else str(data_dir),
        )

    # ------------------------------------------------------------------ lookups

    def spec(self, layer_id: str) -> LayerSpec:
        """Declaration of a catalogue layer (raises ``UnknownNameError``)."""
        for s in self.specs:
            if s.id == layer_id:
                return s
        raise UnknownNameError(
            f"{layer_id!r} is not a known layer; available layers are: {', '.join(s.id for s in self.specs)}"
        )

    def reasons(self, mode: str, lang: str) -> dict[str, str]:
        """Why each unavailable layer is unavailable, worded for the mode.

        Public viewers get "ikke tilgjengelig" only (no file paths, no developer instructions);
        planners get the full reason once (where it was looked for and how to get it). Plain text:
        the views show it escaped, never as Markdown (its backticks and underscores are commands
        and layer ids, not formatting).
        """
        out = {}
        for lid, st in self.states.items():
            if st.status in ("loaded", "starter", "table"):
                continue
            if mode != "planner":
                out[lid] = i18n.t("map.unavailable", lang)
                continue
            what = i18n.t("layers.missing" if st.status == "missing" else "layers.error", lang)
            detail = st.reason_planner or st.reason_public
            out[lid] = f"{what}: {detail}" if detail else what
        return out

    def vector_ids(self) -> list[str]:
        """Ids of the available vector layers, in catalogue order."""
        return [s.id for s in self.specs if s.id in self.layers]

    def default_visible(self) -> list[str]:
        """Layers visible on opening (declared ``default_visible`` and available)."""
        return [s.id for s in self.specs if s.style.default_visible and s.id in self.layers]

    def layer_budget(self) -> int:
        """GeoJSON bytes one layer may use, so all layers at once stay within the page budget."""
        return int(mapping.PAGE_BUDGET_BYTES * 0.95) // max(len(self.layers), 1)

    def municipalities(self) -> dict[str, str]:
        """``{kommunenummer: kommunenavn}`` of the municipality layer, sorted by name."""
        munis = self.layers.get("municipalities")
        if munis is None:
            munis = self.layers.get("municipalities_sea")
        if munis is None:
            return {}
        pairs = sorted(
            zip(munis["kommunenummer"].astype(str), munis["kommunenavn"].astype(str)), key=lambda p: p[1]
        )
        return dict(pairs)

    def municipality_geometry(self, number: str):
        """Polygon of a municipality (EPSG:25833) or None."""
        for lid in ("municipalities", "municipalities_sea"):
            munis = self.layers.get(lid)
            if munis is None:
                continue
            hit = munis[munis["kommunenummer"].astype(str) == str(number)]
            if len(hit):
                return shapely.union_all(np.asarray(hit.geometry.values))
        return None

    def municipality_at(self, lat: float, lon: float) -> str:
        """Number of the municipality at a point in degrees ('' outside them all, or without the layer)."""
        from pyproj import Transformer

        x, y = Transformer.from_crs(4326, 25833, always_xy=True).transform(float(lon), float(lat))
        point = shapely.Point(x, y)
        for lid in ("municipalities", "municipalities_sea"):
            munis = self.layers.get(lid)
            if munis is None or not len(munis):
                continue
            if munis.crs is not None and munis.crs.to_epsg() != 25833:
                munis = munis.to_crs(25833)
            hit = munis.iloc[munis.sindex.query(point, predicate="intersects")]
            if len(hit):
                return str(hit["kommunenummer"].iloc[0])
        return ""

    def municipality_bounds(self, number: str) -> tuple[float, float, float, float] | None:
        """``(south, west, north, east)`` in degrees of a municipality, or None."""
        geom = self.municipality_geometry(number)
        if geom is None:
            return None
        return mapping.bounds_wgs84(geom)

    # ------------------------------------------------------------------ display caches

    def geojson(
        self,
        layer_id: str,
        band: int,
        bbox: Sequence[float] | None = None,
        kommune: str = "",
        lang: str = i18n.DEFAULT_LANG,
    ) -> bytes:
        """Simplified GeoJSON of a layer for a zoom band (cached), tooltip values in ``lang``.

        Raises
        ------
        UnknownNameError
            For an id that is not an available vector layer.
        ValueError
            For a band out of range or a malformed bbox.
        """
        if layer_id not in self.layers:
            raise UnknownNameError(f"{layer_id!r} is not an available vector layer")
        if lang not in i18n.LANGUAGES:
            raise ValueError(f"lang {lang!r} is not one of {', '.join(i18n.LANGUAGES)}")
        if not 0 <= int(band) < len(mapping.ZOOM_BANDS):
            raise ValueError(f"band {band!r} is not in 0..{len(mapping.ZOOM_BANDS) - 1}")
        zb = mapping.ZOOM_BANDS[int(band)]
        box = None
        if bbox is not None and not zb.whole_layer:
            if len(bbox) != 4 or not all(np.isfinite(bbox)):
                raise ValueError(f"bbox must be 4 numbers west,south,east,north; got {bbox!r}")
            box = mapping.snap_bbox(bbox, zb)
        key = (layer_id, zb.index, box, kommune or "", lang)
        with self._lock:
            if key in self._geojson:
                self._geojson.move_to_end(key)
                return self._geojson[key]
        within = self.municipality_geometry(kommune) if kommune else None
        data = mapping.layer_geojson(
            self.layers[layer_id],
            self.spec(layer_id),
            zb,
            bbox=box,
            within=within,
            budget_bytes=self.layer_budget(),
            lang=lang,
        )
        with self._lock:
            self._geojson[key] = data
            while len(self._geojson) > self.cache_size:
                self._geojson.popitem(last=False)
        return data

    def places(self) -> list[dict]:
        """The place index for search and labels (:func:`mapping.place_index`, cached)."""
        if self._places is None:
            places = mapping.place_index(self.layers)
            with self._lock:
                self._places = places
        return self._places

    #: Kinds of the place index that name a spot (a municipality or a park is an area, not a place).
    PLACE_KINDS = ("station", "airport")

    def named_places(self) -> gpd.GeoDataFrame:
        """The named points of the place index (stations, airports) in EPSG:25833, for naming sites."""
        cached = getattr(self, "_named_places", None)
        if cached is not None:
            return cached
        pts = [p for p in self.places() if p.get("kind") in self.PLACE_KINDS]
        gdf = gpd.GeoDataFrame(
            {"name": [p["name"] for p in pts], "kind": [p["kind"] for p in pts]},
            geometry=gpd.points_from_xy([p["lon"] for p in pts], [p["lat"] for p in pts]),
            crs=4326,
        ).to_crs(25833)
        self._named_places = gdf
        return gdf

    def raster(self, layer_id: str) -> tuple[bytes, tuple[float, float, float, float]]:
        """PNG (web mercator) of a raster layer and its ``(south, west, north, east)`` bounds (cached)."""
        if layer_id not in self.rasters:
            raise UnknownNameError(f"{layer_id!r} is not an available raster layer")
        with self._lock:
            if layer_id in self._png:
                return self._png[layer_id]
        kind = "categorical" if layer_id == "landcover_raster" else "continuous"
        out = mapping.raster_png(self.rasters[layer_id], kind=kind)
        with self._lock:
            self._png[layer_id] = out
        return out

    def raster_bounds(self) -> dict[str, tuple[float, float, float, float]]:
        """Bounds of every raster layer that renders (the PNG is made and cached on the way)."""
        out = {}
        for lid in self.rasters:
            try:
                out[lid] = self.raster(lid)[1]
            except (OSError, ValueError, ArealError) as exc:
                self.states[lid] = LayerState("error", "", f"{type(exc).__name__}: {exc}")
        return out

    def put_overlay(self, png: bytes) -> str:
        """Keep an analysis overlay image (a suitability PNG) for the overlay endpoint; returns its key."""
        import hashlib

        key = hashlib.sha1(png).hexdigest()[:20]
        with self._lock:
            self._overlays[key] = png
            self._overlays.move_to_end(key)
            while len(self._overlays) > self.max_overlays:
                self._overlays.popitem(last=False)
        return key

    def overlay(self, key: str) -> bytes:
        """An overlay image by key (raises ``UnknownNameError`` when it expired or never existed)."""
        with self._lock:
            if key in self._overlays:
                return self._overlays[key]
        raise UnknownNameError(f"overlay {key!r} is not (or no longer) available")

    def warm(self) -> None:
        """Prepare the opening view (coarse GeoJSON of the default layers, raster images)."""
        for lid in self.default_visible():
            self.geojson(lid, 0)
        for lid in mapping.OFFLINE_BASE_LAYERS:  # the base map used when tiles are unreachable
            if lid in self.layers:
                self.geojson(lid, 0)
        self.places()
        self.raster_bounds()
