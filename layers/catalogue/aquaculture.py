"""Aquaculture sites and coral reefs along the coast."""

from areal.layers._base import Fetch, LayerSpec, Source, Style
from areal.layers.catalogue._common import NLOD, NLOD_URL

AQUACULTURE = LayerSpec(
    id="aquaculture_sites",
    title_nb="Akvakulturlokaliteter",
    title_en="Aquaculture sites",
    theme="aquaculture",
    kind="vector",
    geometry_type="Point",
    publisher="Fiskeridirektoratet",
    licence=NLOD,
    licence_url=NLOD_URL,
    vintage="Dec 2025",
    attribution="© Fiskeridirektoratet, Akvakulturregisteret (NLOD)",
    source=Source(
        patterns=("aquaculture/akvakultur_lokaliteter.csv",), crs="EPSG:4326", x="longitude", y="latitude"
    ),
    fetch=Fetch(
        service="Fiskeridirektoratet Akvakulturregisteret (pub-aqua API)",
        url="https://api.fiskeridir.no/pub-aqua/api/v1/dump/new-legacy-csv",
        format="CSV (semicolon separated, one row per permit and site, WGS84 N_GEOWGS84/Ø_GEOWGS84)",
        target="aquaculture/akvakultur_lokaliteter.csv",
        manual="Download the register dump from https://api.fiskeridir.no/pub-aqua/api/v1/dump/new-legacy-csv "
        "(or the site list at https://www.fiskeridir.no/registre/akvakulturregisteret) and save it as "
        "<data dir>/aquaculture/akvakultur_lokaliteter.csv",
        method="pub_aqua_csv",
    ),
    columns={
        "site_id": "int",
        "site_name": "str",
        "placement": "str",
        "latitude": "float",
        "longitude": "float",
    },
    code_lists={"placement": {"SJØ": "Sjø", "LAND": "Land", "HAV": "Hav (havbruk til havs)"}},
    clip_to_county=True,
    assign_municipality=True,
    tooltip=(
        "site_name",
        "site_id",
        "species",
        "site_capacity",
        "capacity_unit_type",
        "placement",
        "kommunenavn",
    ),
    style=Style(
        color="#006064",
        fill_color="#00bcd4",
        radius=4,
        fill_opacity=0.8,
        default_visible=True,
        category_column="placement",
        categories={"SJØ": "#00838f", "LAND": "#ff8f00"},
    ),
    redistributable=True,
    notes="Register municipality numbers are pre-2024 for some rows: municipality is assigned by point-in-polygon.",
)

CORAL_REEFS = LayerSpec(
    id="coral_reefs",
    title_nb="Korallrev",
    title_en="Coral reefs",
    theme="aquaculture",
    kind="vector",
    geometry_type="Point",
    publisher="Havforskningsinstituttet via Geonorge",
    licence="open data (Geonorge)",
    vintage="2024",
    attribution="© Havforskningsinstituttet, Korallrev (Geonorge)",
    source=Source(patterns=("marine/*Korallrev*.gml",)),
    fetch=Fetch(
        service="Geonorge nedlasting (Korallrev, Havforskningsinstituttet)",
        url="https://nedlasting.geonorge.no/geonorge/KystOgFiskeri/Korallrev/GML/"
        "KystOgFiskeri_50_Trondelag_25833_Korallrev_GML.zip",
        format="GML 3.2 (zip)",
        target="marine/KystOgFiskeri_50_Trondelag_25833_Korallrev_GML.gml",
        manual="Download 'Korallrev' for Trøndelag as GML from https://kartkatalog.geonorge.no",
    ),
    columns={"naturtypeNavn": "str"},
    tooltip=("naturtypeNavn", "observasjonsSted", "minimumsdybde", "maksimumsdybde"),
    style=Style(color="#ad1457", fill_color="#f06292", radius=3, fill_opacity=0.9),
    notes="104 points; licence stated only as open data, so not redistributed in the starter extract.",
)

SPECS = (AQUACULTURE, CORAL_REEFS)
