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

GRID_CAPACITY = LayerSpec(
    id="grid_capacity",
    title_nb="Ledig nettkapasitet for forbruk",
    title_en="Free grid capacity for consumption",
    theme="energy",
    kind="vector",
    geometry_type="Mixed",
    publisher="Tensio TS, Tensio TN, Statnett via WattApp",
    licence="CC BY-NC-SA 4.0 (non-commercial)",
    licence_url="https://creativecommons.org/licenses/by-nc-sa/4.0/",
    vintage="Dec 2025",
    attribution="Tensio TS, Tensio TN, Statnett via WattApp (CC BY-NC-SA 4.0, non-commercial use only)",
    source=Source(patterns=("energy/grid-capacity/*.json",), crs="EPSG:4326", reader="grid_capacity_jsonld"),
    columns={"name": "str", "owner": "str", "availableCons": "float"},
    clip_to_county=True,
    tooltip=("name", "owner", "availableCons", "availableProd", "capacityDate"),
    style=Style(color="#ff6f00", fill_color="#ffca28", radius=6, fill_opacity=0.9),
    optional=True,
    notes="Non-commercial licence: optional, never in the starter extract. MW free for new consumption. Substations are points; some Statnett entries are grid-area polygons.",
)

SPECS = (WIND_POWER, GRID_CAPACITY)
