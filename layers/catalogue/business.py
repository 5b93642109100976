"""Business land: master-plan business areas (arealformål 1300) and the OSM sample."""

from areal.layers._base import Fetch, LayerSpec, Source, Style

AREALFORMAL = {
    "1001": "Bebyggelse og anlegg",
    "1110": "Boligbebyggelse",
    "1130": "Sentrumsformål",
    "1140": "Kjøpesenter",
    "1150": "Forretninger",
    "1160": "Offentlig eller privat tjenesteyting",
    "1170": "Fritids- og turistformål",
    "1300": "Næringsbebyggelse",
    "1500": "Andre typer bebyggelse og anlegg",
    "1800": "Kombinert bebyggelse og anleggsformål",
    "2001": "Samferdselsanlegg og teknisk infrastruktur",
    "3001": "Grønnstruktur",
    "4001": "Forsvaret",
    "5100": "LNFR-areal for nødvendige tiltak for landbruk og reindrift",
    "5200": "LNFR-areal for spredt bolig-, fritids- eller næringsbebyggelse",
    "6001": "Bruk og vern av sjø og vassdrag",
}
AREALBRUKSSTATUS = {"1": "Nåværende", "2": "Framtidig", "3": "Videreutvikling av nåværende"}

BUSINESS_AREAS = LayerSpec(
    id="business_areas",
    title_nb="Næringsområder i kommuneplan (arealformål 1300)",
    title_en="Business areas in municipal master plans (land use 1300)",
    theme="business",
    kind="vector",
    geometry_type="Polygon",
    publisher="Kommunene i Trøndelag via Geonorge (Arealplaner)",
    licence="NLOD 2.0",
    licence_url="https://data.norge.no/nlod/no/2.0",
    vintage="current master plans",
    attribution="Kommuneplanens arealdel, kommunene i Trøndelag / Geonorge (NLOD)",
    source=Source(
        patterns=("business/kommuneplan_arealformal_*.gpkg", "business/*.gpkg", "business/*.geojson")
    ),
    # The national plan database publishes no WFS for kommuneplaner: OGC API Features (collection
    # KpArealformålOmråde, storage CRS 25833), for Norge digitalt members (official-samples/
    # kommuneplan/nap-ogcapi-feature-catalogue). Unverified: the collection id in the URL and the
    # kommunenummer query parameter (the catalogue lists names and fields, not URLs).
    fetch=Fetch(
        service="DiBK Nasjonal arealplanbase, kommuneplaner (OGC API Features; Norge digitalt access)",
        url="https://nap.ft.dibk.no/services/rest/kommuneplaner/",
        format="GeoJSON pages (OGC API Features, KpArealformålOmråde)",
        target="business/kommuneplan_arealformal_50.gpkg",
        manual="Download 'Kommuneplaner' (SOSI/GML) for the municipalities from https://kartkatalog.geonorge.no "
        "and import it with `areal import FILE --as business_areas` (SOSI files are read), or set "
        '[business_areas] url = "..." in <data dir>/fetch.toml to another OGC API Features service.',
        method="ogcapi_features",
        params={
            "collection": "KpArealformålOmråde",
            "epsg": "25833",
            "limit": "1000",
            "auth": "norge_digitalt",
        },
        unverified="the collection id in the URL, the kommunenummer query parameter and the login "
        "scheme (the feature catalogue gives names and fields, not URLs; no raw response is public)",
    ),
    columns={"kommunenummer": "str", "arealformal": "str", "arealbruksstatus": "str"},
    # SOSI-GML names and the SOSI short names of SOSI-derived files (KPAREALFORMÅL, AREALSTATUS, KOMM).
    rename={
        "arealformål": "arealformal",
        "kommunenr": "kommunenummer",
        "KPAREALFORMÅL": "arealformal",
        "KPAREALFORMAL": "arealformal",
        "AREALSTATUS": "arealbruksstatus",
        "KOMM": "kommunenummer",
        "KOMMUNENR": "kommunenummer",
    },
    code_lists={"arealformal": AREALFORMAL, "arealbruksstatus": AREALBRUKSSTATUS},
    where={"arealformal": "1300"},
    tooltip=("kommunenummer", "arealformal", "arealbruksstatus", "plannavn"),
    style=Style(
        color="#6a1b9a",
        fill_color="#ab47bc",
        weight=1.0,
        fill_opacity=0.5,
        default_visible=True,
        category_column="arealbruksstatus",
        categories={"1": "#6a1b9a", "2": "#e040fb", "3": "#8e24aa"},
    ),
    notes="Not in the extracts here: fetch or import. arealbruksstatus 1 = existing, 2 = planned.",
)

OSM_BUSINESS = LayerSpec(
    id="osm_business",
    title_nb="Næringsareal i OSM (Trondheim sentrum, utvalg)",
    title_en="Business land in OSM (central Trondheim sample)",
    theme="business",
    kind="vector",
    geometry_type="Polygon",
    publisher="© OpenStreetMap contributors",
    licence="ODbL 1.0",
    licence_url="https://opendatacommons.org/licenses/odbl/1-0/",
    vintage="2020",
    attribution="© OpenStreetMap contributors (ODbL)",
    source=Source(
        patterns=("landuse/osm_landuse_trondheim_sentrum_2020.gpkg",), layer="osm_landuse_trondheim_sentrum"
    ),
    columns={"landuse": "str"},
    where={"landuse": "industrial|commercial|retail"},
    code_lists={"landuse": {"industrial": "Industri", "commercial": "Næring/kontor", "retail": "Handel"}},
    tooltip=("landuse",),
    style=Style(color="#4a148c", fill_color="#ce93d8", weight=1.0, fill_opacity=0.6),
    notes="Tiny 3.2 × 2.3 km sample of existing business land; ODbL, so not in the starter extract.",
)

SPECS = (BUSINESS_AREAS, OSM_BUSINESS)
