"""Administrative boundaries: municipalities and the county mask.

The filters name the county of the run (``--county`` / ``$AREAL_COUNTY``, default 50 Trøndelag)
through placeholders the loader fills in (:func:`areal.layers.loader.expand_where`).
"""

from areal.layers._base import COUNTY as COUNTY_NUMBER
from areal.layers._base import COUNTY_MUNICIPALITIES, Fetch, LayerSpec, Source, Style
from areal.layers.catalogue._common import CC_BY_4, CC_BY_4_URL, KARTVERKET, N1000_GPKG

_KOMMUNER_URL = (
    "https://nedlasting.geonorge.no/geonorge/Basisdata/Kommuner/GeoJSON/"
    "Basisdata_0000_Norge_4258_Kommuner_GeoJSON.zip"
)

MUNICIPALITIES = LayerSpec(
    id="municipalities",
    title_nb="Kommuner (2024)",
    title_en="Municipalities (2024)",
    theme="administrative",
    kind="vector",
    geometry_type="Polygon",
    publisher=KARTVERKET,
    licence=CC_BY_4,
    licence_url=CC_BY_4_URL,
    vintage="2024",
    attribution="© Kartverket, Administrative enheter (CC BY 4.0)",
    source=Source(patterns=("boundaries/Kommuner-M.geojson", "boundaries/Kommuner-S.geojson")),
    fetch=Fetch(
        service="Geonorge nedlasting (Administrative enheter, kommuner)",
        url=_KOMMUNER_URL,
        format="GeoJSON (zip)",
        target="boundaries/Kommuner-M.geojson",
        manual="Download 'Administrative enheter kommuner' as GeoJSON from https://kartkatalog.geonorge.no",
    ),
    columns={"kommunenummer": "str", "kommunenavn": "str"},
    where={"kommunenummer": COUNTY_MUNICIPALITIES},
    tooltip=("kommunenavn", "kommunenummer"),
    style=Style(color="#444444", fill_color="#ffffff", weight=1.2, fill_opacity=0.0, default_visible=True),
    redistributable=True,
    notes="Land only. 5 of the 38 Trøndelag polygons are invalid as shipped and are repaired with make_valid.",
)

MUNICIPALITIES_SEA = LayerSpec(
    id="municipalities_sea",
    title_nb="Kommuner med sjøareal (N1000)",
    title_en="Municipalities with sea area (N1000)",
    theme="administrative",
    kind="vector",
    geometry_type="Polygon",
    publisher=KARTVERKET,
    licence=CC_BY_4,
    licence_url=CC_BY_4_URL,
    vintage="2024/25",
    attribution="© Kartverket, N1000 (CC BY 4.0)",
    source=Source(patterns=(N1000_GPKG,), layer="Kommune"),
    columns={"kommunenummer": "str", "kommunenavn": "str"},
    where={"kommunenummer": COUNTY_MUNICIPALITIES},
    tooltip=("kommunenavn", "kommunenummer"),
    style=Style(color="#777777", fill_opacity=0.0, weight=0.8, dash_array="4 4"),
    redistributable=True,
    notes="1:1 000 000; sea included, so sea sites (aquaculture, test areas) fall in a municipality.",
)

COUNTY = LayerSpec(
    id="county",
    title_nb="Trøndelag fylke (med sjø)",
    title_en="Trøndelag county (sea included)",
    theme="administrative",
    kind="vector",
    geometry_type="Polygon",
    publisher=KARTVERKET,
    licence=CC_BY_4,
    licence_url=CC_BY_4_URL,
    vintage="2024",
    attribution="© Kartverket, Administrative enheter (CC BY 4.0)",
    source=Source(patterns=("boundaries/Basisdata_0000_Norge_25833_Fylker_GeoJSON.zip",), layer="Fylke"),
    fetch=Fetch(
        service="Geonorge nedlasting (Administrative enheter, fylker)",
        url="https://nedlasting.geonorge.no/geonorge/Basisdata/Fylker/GeoJSON/"
        "Basisdata_0000_Norge_25833_Fylker_GeoJSON.zip",
        format="GeoJSON (zip)",
        target="boundaries/Basisdata_0000_Norge_25833_Fylker_GeoJSON.zip",
        manual="Download 'Administrative enheter fylker' as GeoJSON, EUREF89 UTM33, from https://kartkatalog.geonorge.no",
    ),
    columns={"fylkesnummer": "str", "fylkesnavn": "str"},
    where={"fylkesnummer": COUNTY_NUMBER},
    tooltip=("fylkesnavn",),
    style=Style(color="#1f3b73", fill_opacity=0.0, weight=2.0),
    redistributable=True,
    notes="Full resolution, sea included: the Trøndelag analysis mask.",
)

SPECS = (MUNICIPALITIES, MUNICIPALITIES_SEA, COUNTY)
