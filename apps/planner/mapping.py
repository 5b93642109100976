"""The folium map: catalogue layers grouped by theme, legend, tooltips, credits, offline assets.

This is the only place where geometries leave the working CRS (EPSG:25833) for EPSG:4326.

Vector layers are not inlined into the page when a ``data_url`` is given: the map's script
(``apps/static/app/areal-map.js``) fetches each *visible* layer from the app's GeoJSON endpoint,
simplified for the current zoom band (see :data:`ZOOM_BANDS`), clipped to the viewport from zoom
10 on, and never larger than a per-layer byte budget, so a page never holds more than
:data:`PAGE_BUDGET_BYTES` of GeoJSON. Without ``data_url`` (a standalone HTML export) the visible
layers are inlined at the coarse band.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.apps import jsonsafe
from areal.apps.planner import i18n
from areal.geo.crs import WORKING_CRS
from areal.geo.geometry import family_of, simplify_for_display
from areal.layers._base import THEMES, LayerSpec
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template
from pyproj import Transformer

STATIC_URL = "/areal-static"
DATA_URL = "/areal/api"

TRONDELAG_CENTRE = (63.9, 12.0)
DEFAULT_ZOOM = 7

PAGE_BUDGET_BYTES = 5 * 1024**2
"""Most GeoJSON one page may hold at once (all visible layers together)."""


@dataclass(frozen=True)
class ZoomBand:
    """Simplification level for a range of zoom levels.

    Attributes
    ----------
    index : int
    max_zoom : int
        Highest Leaflet zoom of the band.
    tolerance_m : float
        Douglas–Peucker tolerance in metres (EPSG:25833), 0 = full detail.
    whole_layer : bool
        True: the whole layer is sent; False: only the (padded) viewport.
    decimals : int
        Decimal places of the WGS84 coordinates sent (5 ≈ 1 m).
    """

    index: int
    max_zoom: int
    tolerance_m: float
    whole_layer: bool
    decimals: int


ZOOM_BANDS: tuple[ZoomBand, ...] = (
    ZoomBand(0, 7, 250.0, True, 4),
    ZoomBand(1, 9, 60.0, True, 4),
    ZoomBand(2, 11, 15.0, False, 5),
    ZoomBand(3, 13, 4.0, False, 5),
    ZoomBand(4, 30, 0.0, False, 6),
)

BASE_MAPS: tuple[tuple[str, str, str, int], ...] = (
    # key, tile URL, attribution, max native zoom
    (
        "topo",
        "https://cache.kartverket.no/v1/wmts/1.0.0/topo/default/webmercator/{z}/{y}/{x}.png",
        '&copy; <a href="https://www.kartverket.no/">Kartverket</a>',
        18,
    ),
    (
        "grey",
        "https://cache.kartverket.no/v1/wmts/1.0.0/topograatone/default/webmercator/{z}/{y}/{x}.png",
        '&copy; <a href="https://www.kartverket.no/">Kartverket</a>',
        18,
    ),
    (
        "osm",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
        19,
    ),
)

_TO_4326 = Transformer.from_crs(WORKING_CRS, "EPSG:4326", always_xy=True)
_TO_25833 = Transformer.from_crs("EPSG:4326", WORKING_CRS, always_xy=True)


def band_for_zoom(zoom: float) -> ZoomBand:
    """The :class:`ZoomBand` that serves Leaflet zoom level ``zoom``."""
    for band in ZOOM_BANDS:
        if zoom <= band.max_zoom:
            return band
    return ZOOM_BANDS[-1]


def snap_bbox(bbox: Sequence[float], band: ZoomBand) -> tuple[float, float, float, float]:
    """Round a lon/lat bbox outward to a grid that depends on the band (better cache reuse)."""
    cell = {2: 0.25, 3: 0.05, 4: 0.01}.get(band.index, 1.0)
    w, s, e, n = (float(v) for v in bbox)
    return (
        math.floor(w / cell) * cell,
        math.floor(s / cell) * cell,
        math.ceil(e / cell) * cell,
        math.ceil(n / cell) * cell,
    )


# ------------------------------------------------------------------ feature properties


def _fmt(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (np.floating, float)):
        return round(float(value), 2)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (pd.Timestamp,)):
        return value.date().isoformat()
    return str(value)


def tooltip_columns(spec: LayerSpec, gdf: pd.DataFrame) -> list[str]:
    """The declared tooltip columns the frame actually has (in declaration order)."""
    return [c for c in spec.tooltip if c in gdf.columns]


def feature_properties(
    gdf: pd.DataFrame, spec: LayerSpec, lang: str = i18n.DEFAULT_LANG
) -> list[dict[str, Any]]:
    """Tooltip attributes per feature, code lists decoded to their labels in ``lang``.

    Code lists decode to their Norwegian labels; in English those and the values of
    :data:`i18n.CODED_FIELDS` columns go through :func:`i18n.value_label` (names stay as they are);
    lists of codes (:data:`i18n.LIST_FIELDS`) are shown in words in both languages.
    The raw code of the style's category column is kept as ``_c`` (for the colour).
    """
    cols = tooltip_columns(spec, gdf)
    data: dict[str, list] = {}
    for col in cols:
        values = gdf[col].tolist()
        codes = spec.code_lists.get(col)
        if codes:
            values = [codes.get(str(v), v) if v is not None else None for v in values]
        values = [_fmt(v) for v in values]
        if col in i18n.LIST_FIELDS:
            values = [i18n.list_label(v, i18n.LIST_FIELDS[col], lang) for v in values]
        elif codes or col in i18n.CODED_FIELDS:  # English words, or Norwegian ones for raw codes
            values = [i18n.value_label(v, lang) for v in values]
        elif col in i18n.SPLIT_FIELDS:  # a list of values (farmed species): each one translated
            sep = i18n.SPLIT_FIELDS[col]
            values = [
                sep.join(str(i18n.value_label(x, lang)) for x in v.split(sep)) if isinstance(v, str) else v
                for v in values
            ]
        data[col] = values
    cat = spec.style.category_column
    cat_values = None
    if cat and cat in gdf.columns and spec.style.class_breaks:
        cat_values = class_codes(gdf[cat].to_numpy(), spec.style.class_breaks)
    elif cat and cat in gdf.columns:
        # a missing category stays missing (no "_c"): astype(str) keeps NaN with pandas' str dtype
        cat_values = [None if _fmt(v) is None else str(v) for v in gdf[cat].tolist()]
    out = []
    for i in range(len(gdf)):
        props = {c: data[c][i] for c in cols if data[c][i] is not None}
        if cat_values is not None and cat_values[i] is not None:
            props["_c"] = cat_values[i]
        out.append(props)
    return out


def class_codes(values: Sequence[Any], breaks: Sequence[tuple[float, str]]) -> list[str | None]:
    """Class code (``"0"``, ``"1"`` ...) of each number by the lower bounds of ``breaks``; None for missing.

    >>> class_codes([0, 0.5, 1, 7, 30, None], ((float("-inf"), "grey"), (1, "y"), (5, "g"), (10, "dg")))
    ['0', '0', '1', '2', '3', None]
    """
    lows = np.array([b[0] for b in breaks], dtype=float)
    out: list[str | None] = []
    for v in values:
        try:
            x = float(v)
        except (TypeError, ValueError):
            out.append(None)
            continue
        out.append(None if not math.isfinite(x) else str(int(np.searchsorted(lows, x, side="right") - 1)))
    return out


def class_labels(breaks: Sequence[tuple[float, str]], unit: str, lang: str = i18n.DEFAULT_LANG) -> list[str]:
    """Legend labels of numeric classes: ``< 1 MW``, ``1–5 MW``, ``5–10 MW``, ``≥ 10 MW``.

    >>> class_labels(((float("-inf"), "a"), (1, "b"), (5, "c"), (10, "d")), "MW")
    ['< 1 MW', '1–5 MW', '5–10 MW', '≥ 10 MW']
    >>> class_labels(((0, "a"), (2.5, "b")), "MW")
    ['0–2,5 MW', '≥ 2,5 MW']
    """

    def num(x: float) -> str:
        text = f"{x:g}"
        return text.replace(".", ",") if lang == "nb" else text

    lows = [b[0] for b in breaks]
    out = []
    for i, lo in enumerate(lows):
        hi = lows[i + 1] if i + 1 < len(lows) else None
        if hi is None:
            out.append(f"≥ {num(lo)} {unit}".strip())
        elif not math.isfinite(lo):
            out.append(f"< {num(hi)} {unit}".strip())
        else:
            out.append(f"{num(lo)}–{num(hi)} {unit}".strip())
    return out


def style_categories(spec: LayerSpec) -> dict[str, str]:
    """Code → colour of a layer's classes (named categories or numeric classes)."""
    st = spec.style
    if st.class_breaks:
        return {str(i): colour for i, (_, colour) in enumerate(st.class_breaks)}
    return dict(st.categories)


# ------------------------------------------------------------------ GeoJSON per zoom band


def _round_coords(geoms: np.ndarray, decimals: int) -> np.ndarray:
    return shapely.transform(geoms, lambda c: np.round(c, decimals))


def to_wgs84(geoms: np.ndarray) -> np.ndarray:
    """Reproject EPSG:25833 geometries to lon/lat (EPSG:4326)."""
    return shapely.transform(geoms, lambda c: np.column_stack(_TO_4326.transform(c[:, 0], c[:, 1])))


def site_geojson(site: gpd.GeoDataFrame) -> dict[str, Any]:
    """GeoJSON FeatureCollection (lon/lat) of a site frame, for drawing it on the map."""
    g = to_wgs84(np.asarray(site.to_crs(WORKING_CRS).geometry.values))
    return json.loads(_feature_collection(_round_coords(g, 6), [{} for _ in g]))


def bounds_wgs84(geom: shapely.Geometry) -> tuple[float, float, float, float]:
    """``(south, west, north, east)`` in degrees of an EPSG:25833 geometry (Leaflet's bounds order)."""
    w, s, e, n = _TO_4326.transform_bounds(*geom.bounds)
    return (float(s), float(w), float(n), float(e))


def bbox_to_working(bbox: Sequence[float]) -> tuple[float, float, float, float]:
    """A lon/lat bbox ``(w, s, e, n)`` as a bbox in EPSG:25833."""
    return tuple(_TO_25833.transform_bounds(*bbox))  # type: ignore[return-value]


def _feature_parts(geoms: np.ndarray, props: list[dict]) -> list[str]:
    # One JSON text per feature (None for a missing geometry); properties through the one encoder.
    out: list[str] = []
    for g, p in zip(shapely.to_geojson(geoms).tolist() if len(geoms) else [], props):
        if g is None or g == "null":
            out.append(None)  # type: ignore[arg-type]
            continue
        out.append('{"type":"Feature","geometry":' + g + ',"properties":' + jsonsafe.dumps(p) + "}")
    return out


def _collection(parts: Sequence[str | None], extra: dict | None = None) -> str:
    head = '{"type":"FeatureCollection"'
    if extra:
        head += "," + jsonsafe.dumps(extra)[1:-1]
    return head + ',"features":[' + ",".join(p for p in parts if p is not None) + "]}"


def _feature_collection(geoms: np.ndarray, props: list[dict], extra: dict | None = None) -> str:
    return _collection(_feature_parts(geoms, props), extra)


def _merge_lines(geoms: np.ndarray, props: list[dict]) -> tuple[np.ndarray, list[dict]]:
    """One multi-line per distinct tooltip record: far fewer features at the coarse bands."""
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(props):
        groups.setdefault(jsonsafe.dumps(dict(sorted(p.items()))), []).append(i)
    out_g, out_p = [], []
    for members in groups.values():
        parts = shapely.get_parts(geoms[members])
        parts = parts[np.isin(shapely.get_type_id(parts), (1, 2))]
        if len(parts):
            out_g.append(shapely.multilinestrings(parts))
            out_p.append(props[members[0]])
    return np.asarray(out_g, dtype=object), out_p


def layer_geojson(
    gdf: gpd.GeoDataFrame,
    spec: LayerSpec,
    band: ZoomBand,
    *,
    bbox: Sequence[float] | None = None,
    within: shapely.Geometry | None = None,
    budget_bytes: int | None = None,
    lang: str = i18n.DEFAULT_LANG,
) -> bytes:
    """GeoJSON (lon/lat) of a layer simplified for a zoom band.

    Parameters
    ----------
    gdf : GeoDataFrame
        The cleaned layer in EPSG:25833.
    spec : LayerSpec
        Its declaration (tooltip columns, code lists, style category).
    band : ZoomBand
        Simplification level.
    bbox : sequence of 4 floats, optional
        ``(west, south, east, north)`` in degrees: only features there, cut to it (used from
        zoom 10 on; the map asks for a padded viewport).
    within : shapely geometry, optional
        Only features that intersect it (a municipality filter), EPSG:25833.
    budget_bytes : int, optional
        When the result is larger, the tolerance is doubled (up to 7 times) until it fits; a
        layer that still does not fit is *thinned*: the largest features (longest lines, largest
        polygons, an even spread of points) are kept up to the budget and ``"thinned"`` says how
        many of how many are drawn, so the map draws the main roads and says "zoom in for all"
        instead of drawing nothing.
    lang : {"nb", "en"}
        Language of the tooltip values (:func:`feature_properties`).

    Returns
    -------
    bytes
        UTF-8 GeoJSON FeatureCollection; ``"band"`` and ``"tolerance_m"`` are added as members
        (and ``"thinned": {"kept": k, "total": n}`` when thinned). Strict JSON (no NaN).
    """
    geoms = np.asarray(gdf.geometry.values)
    idx = np.arange(len(gdf))
    clip_box = None
    if bbox is not None:
        clip_box = bbox_to_working(bbox)
        idx = np.sort(gdf.sindex.query(shapely.box(*clip_box), predicate="intersects"))
    if within is not None:
        hit = gdf.sindex.query(within, predicate="intersects")
        idx = np.intersect1d(idx, hit)
    geoms = geoms[idx]
    sub = gdf.iloc[idx]
    props = feature_properties(sub, spec, lang)
    fam = family_of(spec.geometry_type)
    if clip_box is not None and fam != "point":
        types = shapely.get_type_id(geoms)
        cut = ~np.isin(types, (0, 4))
        geoms = geoms.copy()
        geoms[cut] = shapely.clip_by_rect(geoms[cut], *clip_box)
    if fam == "line" and len(geoms):
        # one multi-line per distinct tooltip record: the properties of a thousand road links
        # with the same category cost more bytes than their simplified geometry
        geoms, props = _merge_lines(geoms, props)
    tolerance = band.tolerance_m
    parts: list[str | None] = []
    for _ in range(8):
        g = geoms
        if tolerance > 0 and len(geoms):
            g = simplify_for_display(geoms, tolerance)  # neighbouring polygons stay neighbours
        g = _round_coords(to_wgs84(g), band.decimals) if len(g) else g
        keep = ~(shapely.is_empty(g) | shapely.is_missing(g)) if len(g) else np.zeros(0, bool)
        parts = _feature_parts(g[keep], [p for p, k in zip(props, keep) if k])
        extra = {"band": band.index, "tolerance_m": tolerance}
        text = _collection(parts, extra)
        data = text.encode("utf-8")
        if budget_bytes is None or len(data) <= budget_bytes:
            return data
        last_geoms = geoms[keep]
        tolerance = max(tolerance * 2, 10.0)
    return _thinned(last_geoms, parts, fam, band, tolerance / 2, budget_bytes)


def thinning_order(geoms: np.ndarray, family: str | None) -> np.ndarray:
    """Order in which features are kept when a layer must be thinned: most important first.

    Lines by length, polygons by area (largest first); points in an even spread (every
    2^k-th point first, so any prefix covers the whole extent).

    >>> import shapely
    >>> lines = np.array([shapely.LineString([(0, 0), (1, 0)]), shapely.LineString([(0, 0), (5, 0)])])
    >>> thinning_order(lines, "line").tolist()
    [1, 0]
    >>> thinning_order(np.array([shapely.Point(i, 0) for i in range(5)]), "point").tolist()
    [0, 4, 2, 1, 3]
    """
    n = len(geoms)
    if family == "line":
        return np.argsort(-shapely.length(geoms), kind="stable")
    if family == "polygon":
        return np.argsort(-shapely.area(geoms), kind="stable")
    # points: bit-reversal-like spread: first index 0, then the largest stride, then halves
    order, seen = [], np.zeros(n, bool)
    step = 1 << max(int(n - 1).bit_length(), 0)
    while step >= 1:
        for i in range(0, n, step):
            if not seen[i]:
                seen[i] = True
                order.append(i)
        step //= 2
    return np.asarray(order, dtype=int)


def _thinned(
    geoms: np.ndarray,
    parts: list[str | None],
    family: str | None,
    band: ZoomBand,
    tolerance: float,
    budget_bytes: int,
) -> bytes:
    total = len(parts)
    order = thinning_order(geoms, family)
    sizes = np.array([len(parts[i].encode("utf-8")) + 1 for i in order], dtype=np.int64)
    fits = int(np.searchsorted(np.cumsum(sizes), budget_bytes - 200, side="right"))
    chosen = np.sort(order[:fits])
    extra = {"band": band.index, "tolerance_m": tolerance, "thinned": {"kept": fits, "total": total}}
    if fits == 0:
        extra["too_large"] = True
    return _collection([parts[i] for i in chosen], extra).encode("utf-8")


# ------------------------------------------------------------------ legend and layer config


def _category_labels(spec: LayerSpec, lang: str = i18n.DEFAULT_LANG) -> list[dict[str, str]]:
    st = spec.style
    if st.class_breaks:
        names = class_labels(st.class_breaks, st.class_unit, lang)
        return [
            {"code": str(i), "label": names[i], "color": colour}
            for i, (_, colour) in enumerate(st.class_breaks)
        ]
    labels = spec.code_lists.get(st.category_column or "", {})
    return [
        {
            "code": code,
            "label": i18n.value_label(labels.get(code, code), lang),
            "color": colour,
        }
        for code, colour in st.categories.items()
    ]


def legend_entries(spec: LayerSpec, lang: str = i18n.DEFAULT_LANG) -> dict[str, Any]:
    """Legend of one layer: symbol kind, colours, and its category classes (decoded labels)."""
    st = spec.style
    return {
        "symbol": {"polygon": "polygon", "line": "line", "point": "point"}.get(
            family_of(spec.geometry_type) or "", "polygon"
        ),
        "color": st.color,
        "fill_color": st.fill_color or st.color,
        "fill_opacity": st.fill_opacity,
        "weight": st.weight,
        "dash_array": st.dash_array,
        "categories": _category_labels(spec, lang),
    }


def _layer_config(spec: LayerSpec, lang: str, visible: bool, n_features: int | None) -> dict[str, Any]:
    st = spec.style
    return {
        "id": spec.id,
        "title": spec.title_in(lang),
        "theme": spec.theme,
        "kind": spec.kind,
        "family": family_of(spec.geometry_type) or ("mixed" if spec.geometry_type == "Mixed" else None),
        "attribution": spec.attribution,
        "licence": spec.licence,
        "noncommercial": is_noncommercial(spec),
        "visible": visible,
        "cluster": bool(family_of(spec.geometry_type) == "point" and (n_features or 0) > 200),
        "style": {
            "color": st.color,
            "fill_color": st.fill_color or st.color,
            "weight": st.weight,
            "fill_opacity": st.fill_opacity,
            "radius": st.radius,
            "dash_array": st.dash_array,
            "categories": style_categories(spec),
        },
        "fields": {c: i18n.field_label(c, lang) for c in spec.tooltip},
        "legend": legend_entries(spec, lang),
    }


MAP_SCRIPTS = ("format", "geo", "style", "search", "controls", "map")
"""The map script's parts (``apps/static/app/areal-<name>.js``), loaded in this order."""

OFFLINE_BASE_LAYERS = ("sea", "forest", "built_up", "lakes", "rivers", "roads", "municipalities")
"""Layers the offline base map is drawn from (bottom to top), those that are available."""

NONCOMMERCIAL = "non-commercial"


def is_noncommercial(spec: LayerSpec) -> bool:
    """Whether a layer's licence forbids commercial use (its credit must always show)."""
    return "NC" in spec.licence.split() or NONCOMMERCIAL in spec.licence.lower() or "BY-NC" in spec.licence


def place_index(layers: Mapping[str, gpd.GeoDataFrame]) -> list[dict[str, Any]]:
    """Names to search and label: municipalities, stations, airports, protected areas, test arenas.

    Each entry: ``name``, ``kind``, ``lat``, ``lon`` (a point inside the feature), ``bounds``
    (``[south, west, north, east]`` for areas), ``label`` (the text drawn on the offline base
    map, only for municipalities, stations and airports). Municipality names keep both forms
    ("Rosse - Røros"); the search matches each part.
    """
    sources = (
        ("municipalities", "kommunenavn", "municipality", True),
        ("stations", "navn", "station", True),
        ("airports", "navn", "airport", True),
        ("national_parks", "navn", "park", False),
        ("protected_areas", "navn", "park", False),
        ("test_arenas", "name", "arena", False),
    )
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for lid, col, kind, label in sources:
        gdf = layers.get(lid)
        if gdf is None or col not in gdf.columns or not len(gdf):
            continue
        geoms = np.asarray(gdf.geometry.values)
        pts = to_wgs84(shapely.point_on_surface(geoms))
        areal = np.isin(shapely.get_type_id(geoms), (3, 6))
        for name, pt, geom, is_area in zip(gdf[col].tolist(), pts, geoms, areal):
            if name is None or (isinstance(name, float) and math.isnan(name)) or pt is None or pt.is_empty:
                continue
            key = (kind, str(name))
            if key in seen:
                continue
            seen.add(key)
            entry: dict[str, Any] = {
                "name": str(name),
                "kind": kind,
                "lat": round(pt.y, 5),
                "lon": round(pt.x, 5),
            }
            if is_area:
                entry["bounds"] = [round(v, 4) for v in bounds_wgs84(geom)]
            if label:
                entry["label"] = str(name)
            out.append(entry)
    return out


class ArealLayers(JSCSSMixin, MacroElement):
    """Leaflet script element: layers, grouped control, legend, credits and the Python bridge."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            ArealMap.init({{ this._parent.get_name() }}, {{ this.config_json }} /*areal-config-end*/, {
            {%- for key, var in this.base_vars.items() %}"{{ key }}": {{ var }},{% endfor -%}
            });
        {% endmacro %}
        """
    )

    def __init__(self, config: dict[str, Any], base_vars: dict[str, str], static_url: str):
        super().__init__()
        self._name = "ArealLayers"
        # "</" cannot appear inside the inline <script> (a tooltip value could hold it).
        self.config_json = jsonsafe.dumps(config).replace("</", "<\\/")
        self.base_vars = base_vars
        self.default_js = [
            ("leaflet_draw_js", f"{static_url}/vendor/leaflet-draw/leaflet.draw.js"),
            ("markercluster_js", f"{static_url}/vendor/leaflet.markercluster/leaflet.markercluster.js"),
        ] + [
            (f"areal_{name.replace('-', '_')}_js", f"{static_url}/app/areal-{name}.js")
            for name in MAP_SCRIPTS
        ]
        self.default_css = [
            ("leaflet_draw_css", f"{static_url}/vendor/leaflet-draw/leaflet.draw.css"),
            ("markercluster_css", f"{static_url}/vendor/leaflet.markercluster/MarkerCluster.css"),
            (
                "markercluster_default_css",
                f"{static_url}/vendor/leaflet.markercluster/MarkerCluster.Default.css",
            ),
            ("areal_map_css", f"{static_url}/app/areal-map.css"),
        ]


def offline_map(location: Sequence[float], zoom: int, static_url: str = STATIC_URL) -> folium.Map:
    """A ``folium.Map`` whose Leaflet JS/CSS come from the app's own static route (no CDN).

    folium's other defaults (jQuery, Bootstrap, Font Awesome, awesome-markers) are not used by
    this app and are dropped, so the page references no external host for scripts or styles.
    """
    m = folium.Map(
        location=list(location),
        zoom_start=zoom,
        tiles=None,
        control_scale=False,  # the map script adds a metric-only scale bar
        prefer_canvas=False,
        zoom_control=True,
    )
    m.default_js = [("leaflet", f"{static_url}/leaflet/leaflet.js")]
    m.default_css = [("leaflet_css", f"{static_url}/leaflet/leaflet.css")]
    return m


def build_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    specs: Sequence[LayerSpec],
    *,
    lang: str = i18n.DEFAULT_LANG,
    visible: Sequence[str] | None = None,
    centre: Sequence[float] = TRONDELAG_CENTRE,
    zoom: int = DEFAULT_ZOOM,
    unavailable: Mapping[str, str] | None = None,
    rasters: Mapping[str, Sequence[float]] | None = None,
    site: gpd.GeoDataFrame | None = None,
    municipality: str = "",
    municipality_bounds: Sequence[float] | None = None,
    base: str = "topo",
    data_url: str | None = DATA_URL,
    static_url: str = STATIC_URL,
    draw: bool = True,
    site_popup: Sequence[Sequence[str]] | None = None,
    point_mode: bool = True,
    site_fit: bool = True,
) -> folium.Map:
    """Build the app's map.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Available vector layers (EPSG:25833) by catalogue id.
    specs : sequence of LayerSpec
        Every catalogue layer to list, in order (grouped by ``spec.theme`` in :data:`THEMES` order).
    lang : {"nb", "en"}
        Language of titles, labels and tooltips.
    visible : sequence of str, optional
        Layers shown on opening; default: those whose style says ``default_visible``.
    centre, zoom
        Initial view (lat, lon) and Leaflet zoom.
    unavailable : mapping of str to str, optional
        Layers that cannot be shown, with the reason shown next to their name.
    rasters : mapping of str to bounds, optional
        Raster layers the data endpoint serves as PNG, with ``(south, west, north, east)``.
    site : GeoDataFrame, optional
        The current site (drawn highlighted; the view fits it).
    municipality : str
        Municipality number to filter the vector layers by ('' = all).
    municipality_bounds : sequence, optional
        ``(south, west, north, east)`` of that municipality (the map fits it on opening).
    base : {"topo", "grey", "osm", "offline"}
        Base map shown on opening ("offline": drawn from the app's own data; the map switches to
        it by itself when the tiles cannot be reached).
    data_url : str or None
        GeoJSON endpoint prefix; None inlines the visible layers (standalone HTML).
    static_url : str
        Prefix of the app's static route (Leaflet and plugins).
    draw : bool
        Offer the drawing tools (polygon and point), the measuring tool and the point-check
        switch, and post clicks/drawings to the parent page.
    site_popup : sequence of (label, value), optional
        Rows of the popup a click inside the site opens (its area, municipality, source).
    point_mode : bool
        Whether a click on the map (outside the site) checks a point on opening.
    site_fit : bool
        Fit the view to the site on opening (False when the view comes from a link).

    Returns
    -------
    folium.Map
    """
    unavailable = dict(unavailable or {})
    rasters = dict(rasters or {})
    if visible is None:
        visible = [s.id for s in specs if s.style.default_visible]
    visible_set = set(visible)
    m = offline_map(centre, zoom, static_url)
    base_vars = {}
    for key, url, attr, max_native in BASE_MAPS:
        tl = folium.TileLayer(
            url,
            attr=attr,
            name=i18n.t(f"map.base.{key}", lang),
            max_native_zoom=max_native,
            max_zoom=20,
            show=(key == base),
            overlay=False,
            control=False,
        )
        tl.add_to(m)
        base_vars[key] = tl.get_name()
    cfg_layers = []
    for spec in specs:
        if spec.kind == "table":
            continue
        entry = _layer_config(
            spec, lang, spec.id in visible_set, len(layers[spec.id]) if spec.id in layers else None
        )
        if spec.kind == "raster":
            entry["available"] = spec.id in rasters and data_url is not None
            entry["bounds"] = list(rasters.get(spec.id, ())) or None
        else:
            entry["available"] = spec.id in layers
        if not entry["available"]:
            entry["reason"] = unavailable.get(spec.id, i18n.t("map.unavailable", lang))
            entry["visible"] = False
        elif data_url is None and entry["visible"] and spec.kind == "vector":
            entry["data"] = json.loads(
                layer_geojson(
                    layers[spec.id], spec, ZOOM_BANDS[1], budget_bytes=PAGE_BUDGET_BYTES // 8, lang=lang
                )
            )
        cfg_layers.append(entry)
    site_json = site_geojson(site) if site is not None and len(site) else None
    offline_ids = [lid for lid in OFFLINE_BASE_LAYERS if lid in layers] if data_url else []
    offline_specs = {s.id: s for s in specs}
    offline_credit = sorted({offline_specs[lid].attribution for lid in offline_ids if lid in offline_specs})
    config = {
        "lang": lang,
        "data_url": data_url,
        "bands": [{"index": b.index, "max_zoom": b.max_zoom, "whole": b.whole_layer} for b in ZOOM_BANDS],
        "themes": [{"id": k, "title": v[1] if lang == "en" else v[0]} for k, v in THEMES.items()],
        "layers": cfg_layers,
        "base": base,
        "base_titles": {k: i18n.t(f"map.base.{k}", lang) for k in [*(b[0] for b in BASE_MAPS), "offline"]},
        "site": site_json,
        "municipality": municipality,
        "municipality_bounds": list(municipality_bounds) if municipality_bounds else None,
        "draw": draw,
        "point_mode": point_mode,
        "site_fit": site_fit,
        "site_popup": [list(r) for r in site_popup or []],
        "offline_layers": offline_ids,
        "offline_attribution": "; ".join(offline_credit),
        "text": {k.split(".", 1)[1]: i18n.t(k, lang) for k in i18n.NB if k.startswith("map.")},
        "page_budget": PAGE_BUDGET_BYTES,
    }
    ArealLayers(config, base_vars, static_url).add_to(m)
    return m


def map_html(m: folium.Map) -> str:
    """The full HTML document of a map (what the app puts into its iframe)."""
    return m.get_root().render()


# ------------------------------------------------------------------ raster layers as images


def _mercator_png(
    values: np.ndarray,
    transform,
    crs,
    colour: Callable[[np.ndarray], np.ndarray],
    *,
    max_size: int = 1024,
    alpha: int = 190,
    resampling: str = "nearest",
    optimize: bool = False,
) -> tuple[bytes, tuple[float, float, float, float]]:
    """The one raster renderer: a georeferenced array as a web-mercator PNG and its lon/lat bounds.

    The array is thinned by striding to about ``max_size`` cells a side (the map shows it at county
    scale; a download carries the full raster), warped to EPSG:3857, and its finite cells coloured
    by ``colour`` (values -> RGBA floats in 0-1) with opacity ``alpha``; NaN is transparent. Returns
    the PNG and ``(south, west, north, east)``.
    """
    import rasterio
    from PIL import Image
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    step = max(1, int(math.ceil(max(values.shape) / max_size)))
    src = np.ascontiguousarray(values[::step, ::step], dtype=np.float32)
    t = transform
    src_transform = rasterio.Affine(t.a * step, t.b, t.c, t.d, t.e * step, t.f)
    h, w = src.shape
    left, top = src_transform.c, src_transform.f
    right, bottom = left + src_transform.a * w, top + src_transform.e * h
    dst_transform, width, height = calculate_default_transform(
        crs, "EPSG:3857", w, h, left, bottom, right, top
    )
    out = np.full((height, width), np.nan, dtype=np.float32)
    reproject(
        src,
        out,
        src_transform=src_transform,
        src_crs=crs,
        dst_transform=dst_transform,
        dst_crs="EPSG:3857",
        src_nodata=np.nan,
        dst_nodata=np.nan,
        resampling=getattr(Resampling, resampling),
    )
    valid = np.isfinite(out)
    rgba = np.zeros((height, width, 4), dtype=np.uint8)
    if valid.any():
        rgba[valid] = (np.asarray(colour(out[valid])) * 255).astype(np.uint8)
        rgba[valid, 3] = alpha
    buf = io.BytesIO()
    if optimize:
        Image.fromarray(rgba, "RGBA").save(buf, format="PNG", optimize=True)
    else:
        Image.fromarray(rgba, "RGBA").save(buf, format="PNG", compress_level=1)
    to_ll = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
    west, north = dst_transform.c, dst_transform.f
    east, south = west + dst_transform.a * width, north + dst_transform.e * height
    wl, sl = to_ll.transform(west, south)
    el, nl = to_ll.transform(east, north)
    return buf.getvalue(), (sl, wl, nl, el)


def raster_png(
    path, *, kind: str = "continuous", max_size: int = 1024
) -> tuple[bytes, tuple[float, float, float, float]]:
    """Render a raster file as a web-mercator PNG and its lon/lat bounds ``(south, west, north, east)``.

    Parameters
    ----------
    path : path-like
        GeoTIFF with a CRS.
    kind : {"continuous", "categorical"}
        Colour map: terrain colours (2nd to 98th percentile) for continuous values, a qualitative
        palette for classes.
    max_size : int
        Largest width/height of the image in pixels.
    """
    import matplotlib
    import rasterio

    with rasterio.open(path) as src:
        values = src.read(1, masked=True).astype("float32").filled(np.nan)
        transform, crs = src.transform, src.crs

    if kind == "categorical":

        def colour(v):
            return matplotlib.colormaps["tab20"]((v.astype(int) % 20) / 19.0)

    else:
        finite = values[np.isfinite(values)]
        lo, hi = np.percentile(finite, [2, 98]) if finite.size else (0.0, 1.0)

        def colour(v):
            return matplotlib.colormaps["terrain"](np.clip((v - lo) / max(hi - lo, 1e-9), 0, 1))

    return _mercator_png(
        values,
        transform,
        crs,
        colour,
        max_size=max_size,
        alpha=170,
        resampling="nearest" if kind == "categorical" else "bilinear",
        optimize=True,
    )


# ------------------------------------------------------------------ analysis overlays

SUIT_GRADIENT = ("#d73027", "#fc8d59", "#fee08b", "#d9ef8b", "#91cf60", "#1a9850")
"""Colours of the suitability overlay from 0 (left) to 1 (right)."""


def frame_geojson(
    gdf: gpd.GeoDataFrame, props: Sequence[Mapping[str, Any]], *, tolerance_m: float = 0.0, decimals: int = 5
) -> dict[str, Any]:
    """GeoJSON (lon/lat) of an analysis result with the given per-feature properties.

    Geometries are simplified by ``tolerance_m`` in EPSG:25833 first; the properties (colour,
    tooltip, popup rows) are made by the caller.
    """
    if len(gdf) != len(props):
        raise ValueError(f"frame_geojson: {len(gdf)} features but {len(props)} property records")
    geoms = np.asarray(gdf.to_crs(WORKING_CRS).geometry.values)
    if tolerance_m > 0 and len(geoms):
        geoms = simplify_for_display(geoms, tolerance_m)
    g = _round_coords(to_wgs84(geoms), decimals) if len(geoms) else geoms
    return json.loads(_feature_collection(g, [dict(p) for p in props]))


def array_png(
    array: np.ndarray, grid, *, colours: Sequence[str] = SUIT_GRADIENT, max_size: int = 1024, alpha: int = 190
) -> tuple[bytes, tuple[float, float, float, float]]:
    """Render a 0–1 raster on an analysis grid (EPSG:25833) as a web-mercator PNG (see :func:`_mercator_png`).

    NaN is transparent. Returns the PNG and ``(south, west, north, east)``.
    """
    from matplotlib.colors import LinearSegmentedColormap

    cmap = LinearSegmentedColormap.from_list("areal_suit", list(colours))
    return _mercator_png(
        array, grid.transform, grid.crs, lambda v: cmap(np.clip(v, 0, 1)), max_size=max_size, alpha=alpha
    )
