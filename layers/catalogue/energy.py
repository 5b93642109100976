"""Energy: wind power plants and free grid capacity."""

from areal.layers._base import Fetch, LayerSpec, Source, Style
from areal.layers.catalogue._common import NLOD, NLOD_URL

WIND_POWER = LayerSpec(
    id="wind_power",
    title_nb="Vindkraftverk",
    title_en="Wind power plants",
    theme="energy",
    kind="vector",
    geometry_type="Point",
    publisher="NVE",
    licence=NLOD,
    licence_url=NLOD_URL,
    vintage="2021",
    attribution="© NVE, vindkraftverk (NLOD)",
    source=Source(patterns=("energy/nve_wind_parks.geojson",)),
    fetch=Fetch(
        service="NVE ArcGIS REST (Vindkraft)",
        url="https://nve.geodataonline.no/arcgis/rest/services/Vindkraft2/MapServer/0/query?where=1%3D1&outFields=*&f=geojson",
        format="GeoJSON (ArcGIS export)",
        target="energy/nve_wind_parks.geojson",
        manual="Download 'Vindkraftverk' from https://kartkatalog.geonorge.no (NVE)",
    ),
    columns={"anleggNavn": "str", "effekt_MW": "float"},
    clip_to_county=True,
    assign_municipality=True,
    tooltip=("anleggNavn", "effekt_MW", "antallTurbiner", "eier", "stadium"),
    style=Style(color="#0277bd", fill_color="#4fc3f7", radius=6, fill_opacity=0.9),
    redistributable=True,
)

GRID_LICENCE = "CC BY-NC-SA 4.0 (non-commercial)"
GRID_ATTRIBUTION = "Tensio TS, Tensio TN, Statnett via WattApp (CC BY-NC-SA 4.0, non-commercial use only)"
GRID_SOURCE = "energy/grid-capacity/*.json"

GRID_CAPACITY = LayerSpec(
    id="grid_capacity",
    title_nb="Transformatorstasjoner: ledig kapasitet for forbruk",
    title_en="Substations: free capacity for consumption",
    theme="energy",
    kind="vector",
    geometry_type="Point",
    publisher="Tensio TS, Tensio TN, Statnett via WattApp",
    licence=GRID_LICENCE,
    licence_url="https://creativecommons.org/licenses/by-nc-sa/4.0/",
    vintage="Dec 2025",
    attribution=GRID_ATTRIBUTION,
    source=Source(patterns=(GRID_SOURCE,), layer="points", crs="EPSG:4326", reader="grid_capacity_jsonld"),
    columns={"name": "str", "owner": "str", "availableCons": "float"},
    clip_to_county=True,
    tooltip=("name", "owner", "availableCons", "availableProd", "capacityDate"),
    style=Style(
        color="#424242",
        fill_color="#ffca28",
        radius=6,
        fill_opacity=0.95,
        category_column="availableCons",
        class_breaks=((float("-inf"), "#bdbdbd"), (1.0, "#fff176"), (5.0, "#9ccc65"), (10.0, "#2e7d32")),
        class_unit="MW",
    ),
    optional=True,
    notes="Non-commercial licence: optional, never in the starter extract. MW free for new consumption "
    "(availableCons) at each substation; the grid-area polygons of the same files are the layer grid_areas.",
)

GRID_AREAS = LayerSpec(
    id="grid_areas",
    title_nb="Nettområder (Statnett)",
    title_en="Grid areas (Statnett)",
    theme="energy",
    kind="vector",
    geometry_type="Polygon",
    publisher="Statnett via WattApp",
    licence=GRID_LICENCE,
    licence_url="https://creativecommons.org/licenses/by-nc-sa/4.0/",
    vintage="Dec 2025",
    attribution=GRID_ATTRIBUTION,
    source=Source(patterns=(GRID_SOURCE,), layer="areas", crs="EPSG:4326", reader="grid_capacity_jsonld"),
    columns={"name": "str", "owner": "str"},
    clip_to_county=True,
    tooltip=("name", "owner", "availableCons"),
    style=Style(color="#ef6c00", fill_color="#ef6c00", weight=2.0, fill_opacity=0.0, dash_array="8 5"),
    optional=True,
    notes="Statnett supply areas (one covers the whole county): an outline for context, never counted "
    "as hectares in a site check. Same non-commercial licence as grid_capacity.",
)

SPECS = (WIND_POWER, GRID_CAPACITY, GRID_AREAS)
