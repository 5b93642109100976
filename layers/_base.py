"""The layer declaration record.

A layer is data, not code: every layer of the catalogue is one frozen :class:`LayerSpec`,
declared in a theme module of this package and looked up through :mod:`areal.layers.registry`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, Mapping

Kind = Literal["vector", "raster", "table"]
GeometryType = Literal["Polygon", "LineString", "Point", "Mixed"]
DType = Literal["str", "int", "float", "bool", "datetime", "object"]

THEMES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        # id: (Norwegian bokmål, English)
        "administrative": ("Administrative grenser", "Administrative boundaries"),
        "business": ("Næringsareal", "Business land"),
        "agriculture": ("Landbruk", "Agriculture"),
        "landcover": ("Arealdekke", "Land cover"),
        "aquaculture": ("Akvakultur og kyst", "Aquaculture and coast"),
        "reindeer": ("Reindrift og villrein", "Reindeer"),
        "nature": ("Naturvern", "Nature protection"),
        "infrastructure": ("Infrastruktur", "Infrastructure"),
        "energy": ("Energi", "Energy"),
        "terrain": ("Terreng", "Terrain"),
        "test_arenas": ("Test- og pilotarenaer", "Test arenas"),
    }
)


def _frozen(mapping: Mapping | None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


COUNTY = "{county}"
"""Placeholder in a ``where`` filter: the two-digit number of the run's county (any, in a national run)."""

COUNTY_MUNICIPALITIES = "{county_municipalities}"
"""Placeholder in a ``where`` filter: the four-digit municipality numbers of the run's county."""


@dataclass(frozen=True)
class Source:
    """Where a layer's data comes from in the data directory.

    Attributes
    ----------
    patterns : tuple of str
        Glob patterns relative to the data directory, tried in order; the first pattern that
        matches any file wins and *all* its matches are concatenated (e.g. AR5 per municipality).
    layer : str, optional
        Layer name inside a multi-layer container (GeoPackage, zipped GeoJSON, file geodatabase).
    crs : str, optional
        CRS to assume when the file carries none (CSV coordinates). A file that *does* carry a
        CRS is never overridden.
    x, y : str, optional
        Coordinate columns of a CSV.
    encoding : str, optional
        Text encoding of a CSV.
    reader : str, optional
        Name of a special reader in :mod:`areal.layers.readers` (for example ``"grid_capacity_jsonld"``);
        by default the reader follows the file extension.
    """

    patterns: tuple[str, ...]
    layer: str | None = None
    crs: str | None = None
    x: str | None = None
    y: str | None = None
    encoding: str | None = None
    reader: str | None = None


@dataclass(frozen=True)
class Fetch:
    """The official open service that provides a layer (used by ``areal fetch``).

    Attributes
    ----------
    service : str
        Publisher's service name, e.g. ``"Geonorge nedlasting"``.
    url : str
        Download or API URL (may hold ``{placeholders}`` filled by the fetcher).
    format : str
        Format delivered (``"GeoJSON"``, ``"FGDB (zip)"``, ``"GeoTIFF"`` ...).
    target : str
        Path inside the data directory where the fetched file is written.
    manual : str
        How to get the file by hand when the service is unreachable.
    method : str
        Name of the fetcher in :mod:`areal.layers.fetch` that knows the service's protocol
        (``"file"``, ``"nibio_seasons"``, ``"geonorge_order"``, ``"pub_aqua_csv"``, ``"wcs_dtm"``,
        ``"plan_wfs"``).
    params : Mapping[str, str]
        Protocol details for the fetcher (inner layer, metadata UUID, coverage name ...).
    unverified : str
        What about the service no real public sample confirms (file names, a capabilities
        document ...); shown by ``areal fetch --help`` / ``--list``, in the fetch's notes and in
        its error messages. Empty when every detail is confirmed by a real sample.
    """

    service: str
    url: str
    format: str
    target: str
    manual: str = ""
    method: str = "file"
    params: Mapping[str, str] = field(default_factory=dict)
    unverified: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _frozen(self.params))


CoverageKind = Literal["county", "municipalities", "features"]


@dataclass(frozen=True)
class Coverage:
    """Where a layer is mapped, so that "nothing found" can be told from "not mapped here".

    Attributes
    ----------
    kind : {"county", "municipalities", "features"}
        ``county``: a national layer, mapped over the whole county; ``municipalities``: mapped in
        the municipalities whose four-digit numbers name its source files (AR5 per municipality:
        ``ar5_5001.gpkg``), else the municipalities of its ``kommunenummer`` column;
        ``features``: a wall-to-wall map (every m² has a class, as AR5 or N50 Arealdekke have) is
        mapped where its source features are, before any class filter.
    note : str
        What the coverage means, shown in reports.

    A ``<source>.coverage.geojson`` file beside a source (written by ``areal fetch`` with the
    area it fetched) overrides ``kind``: see :mod:`areal.layers.coverage`.
    """

    kind: CoverageKind = "county"
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("county", "municipalities", "features"):
            raise ValueError(f"Coverage: kind {self.kind!r} is not one of county, municipalities, features")


@dataclass(frozen=True)
class Style:
    """Map style and legend of a layer (Leaflet path options).

    ``categories`` colours the codes of ``category_column``; ``class_breaks`` instead classes a
    numeric ``category_column`` into ranges ``((lower bound, colour), ...)`` labelled with
    ``class_unit`` (free MW at substations: ``< 1 MW``, ``1–5 MW``, ...).
    """

    color: str = "#3388ff"
    fill_color: str | None = None
    weight: float = 1.0
    fill_opacity: float = 0.35
    radius: float = 5.0
    dash_array: str | None = None
    default_visible: bool = False
    categories: Mapping[str, str] = field(default_factory=dict)
    category_column: str | None = None
    class_breaks: tuple[tuple[float, str], ...] = ()
    class_unit: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", _frozen(self.categories))
        if self.class_breaks and not self.category_column:
            raise ValueError("Style: class_breaks classify category_column, which is not set")
        lows = [b[0] for b in self.class_breaks]
        if lows != sorted(lows) or len(set(lows)) != len(lows):
            raise ValueError(f"Style: class_breaks must rise strictly, got lower bounds {lows}")


@dataclass(frozen=True)
class LayerSpec:
    """Declaration of one catalogue layer.

    Attributes
    ----------
    id : str
        Registry key (snake_case English).
    title_nb, title_en : str
        Titles in Norwegian bokmål and English.
    theme : str
        One of :data:`THEMES`.
    kind : {"vector", "raster", "table"}
    geometry_type : {"Polygon", "LineString", "Point"} or None
        Geometry family; Multi* variants are accepted.
    publisher, licence, vintage : str
        Provenance shown next to every map and export.
    attribution : str
        Credit line to display.
    source : Source
        Where the file is found in the data directory.
    fetch : Fetch, optional
        Official download, when ``areal fetch`` can bring it.
    columns : Mapping[str, str]
        Required columns and their dtype kinds (``str``, ``int``, ``float``, ``bool``, ``datetime``).
    rename : Mapping[str, str]
        Source column → canonical column, applied before validation.
    derive : Mapping[str, tuple[str, Mapping[str, str]]]
        New column ← (source column, value map), applied after ``rename`` when the new column is
        absent (e.g. the season label ``beitetid`` from the official season code).
    code_lists : Mapping[str, Mapping[str, str]]
        Allowed codes per column with their Norwegian labels.
    where : Mapping[str, str]
        Row filter: column → regular expression the value must fully match.
    clip_to_county : bool
        National layer: keep features within the Trøndelag county polygon (polygons are cut).
    assign_municipality : bool
        Add ``kommunenummer``/``kommunenavn`` by point-in-polygon against the 2024 municipalities.
    tooltip : tuple of str
        Key attributes shown in map tooltips.
    redistributable : bool
        The licence allows shipping a simplified copy in the starter extract.
    optional : bool
        Not needed for the core analyses (for example a non-commercial layer).
    notes : str
        Known defects and caveats.
    coverage : Coverage
        Where the layer is mapped (default: the whole county).
    scale : str
        The map scale of the data (``"1:5 000"``, ``"1:50 000"``, ``"1:1 000 000"``), stated in
        every output's provenance; empty when not a map product (a register, a point list).
    """

    id: str
    title_nb: str
    title_en: str
    theme: str
    kind: Kind
    geometry_type: GeometryType | None
    publisher: str
    licence: str
    vintage: str
    attribution: str
    source: Source
    fetch: Fetch | None = None
    columns: Mapping[str, DType] = field(default_factory=dict)
    rename: Mapping[str, str] = field(default_factory=dict)
    derive: Mapping[str, tuple[str, Mapping[str, str]]] = field(default_factory=dict)
    code_lists: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    where: Mapping[str, str] = field(default_factory=dict)
    clip_to_county: bool = False
    assign_municipality: bool = False
    tooltip: tuple[str, ...] = ()
    style: Style = field(default_factory=Style)
    redistributable: bool = False
    optional: bool = False
    crs: str = "EPSG:25833"
    licence_url: str = ""
    notes: str = ""
    coverage: Coverage = field(default_factory=Coverage)
    scale: str = ""

    def __post_init__(self) -> None:
        problems = []
        if not self.id.isidentifier() or self.id.lower() != self.id:
            problems.append(f"id {self.id!r} must be a lower-case identifier")
        if self.theme not in THEMES:
            problems.append(f"theme {self.theme!r} is not one of {sorted(THEMES)}")
        if self.kind == "vector" and self.geometry_type is None:
            problems.append("a vector layer needs a geometry_type")
        if self.kind != "vector" and self.geometry_type is not None:
            problems.append(f"a {self.kind} layer has no geometry_type")
        bad = set(self.columns.values()) - {"str", "int", "float", "bool", "datetime", "object"}
        if bad:
            problems.append(f"unknown dtype kinds {sorted(bad)}")
        if problems:
            raise ValueError(f"LayerSpec {self.id!r}: " + "; ".join(problems))
        object.__setattr__(
            self, "derive", _frozen({k: (v[0], _frozen(v[1])) for k, v in dict(self.derive).items()})
        )
        for name in ("columns", "rename", "where"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        object.__setattr__(
            self, "code_lists", _frozen({k: _frozen(v) for k, v in dict(self.code_lists).items()})
        )

    @property
    def title(self) -> str:
        """Norwegian title (the app's default language)."""
        return self.title_nb

    def title_in(self, lang: str) -> str:
        """Title in ``"nb"`` or ``"en"``."""
        return self.title_en if lang == "en" else self.title_nb
