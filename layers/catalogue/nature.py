"""Protected areas: national parks (N1000) and Naturbase areas."""

from areal.layers._base import Fetch, LayerSpec, Source, Style
from areal.layers.catalogue._common import (
    CC_BY_4,
    CC_BY_4_URL,
    KARTVERKET,
    N1000_ATTRIBUTION,
    N1000_FETCH_URL,
    N1000_GPKG,
    NLOD,
    NLOD_URL,
)

VERNEFORM = {
    "NP": "Nasjonalpark",
    "Nasjonalpark": "Nasjonalpark",
    "Naturreservat": "Naturreservat",
    "Landskapsvernomraade": "Landskapsvernområde",
    "LandskapsvernomraadeDyrelivsfredning": "Landskapsvernområde med dyrelivsfredning",
    "Dyrefredningsomrade": "Dyrefredningsområde",
    "Dyrelivsfredning": "Dyrelivsfredning",
    "BiotopvernVilt": "Biotopvern (vilt)",
    "Biotopvern": "Biotopvern",
    "MarintVerneomraade": "Marint verneområde",
    "Plantelivsfredning": "Plantelivsfredning",
    "NaturminneGeologisk": "Naturminne",
    "Naturminne": "Naturminne",
    "Biotopvernomraade": "Biotopvernområde",
    "BiotopvernomraadeViltloven": "Biotopvernområde (viltloven)",
    "Dyrelivsfredningsomraade": "Dyrelivsfredning",
    "Plantefredningsomraade": "Plantefredningsområde",
    "Landskapsvernomraade_Plantefredning": "Landskapsvernområde med plantelivsfredning",
    # SOSI short codes, as in Naturbase's SOSI export and N50 (official-samples: NR, LVO, NM)
    "NR": "Naturreservat",
    "LVO": "Landskapsvernområde",
    "NM": "Naturminne",
}

NATIONAL_PARKS = LayerSpec(
    id="national_parks",
    title_nb="Nasjonalparker (N1000)",
    title_en="National parks (N1000)",
    theme="nature",
    kind="vector",
    geometry_type="Polygon",
    publisher=KARTVERKET,
    licence=CC_BY_4,
    licence_url=CC_BY_4_URL,
    vintage="2024/25",
    attribution=N1000_ATTRIBUTION,
    source=Source(patterns=(N1000_GPKG,), layer="Naturvernomrade"),
    fetch=Fetch(
        service="Geonorge nedlasting (N1000 Kartdata)",
        url=N1000_FETCH_URL,
        format="FGDB (zip)",
        target=N1000_GPKG,
        manual="Download 'N1000 Kartdata' from https://kartkatalog.geonorge.no",
        # the FGDB's theme layer with objtype (layer name unverified; see landcover.N1000_THEMES)
        params={"layer": "N1000_Restriksjonsomrader_omrade", "objtype": "Naturvernområde"},
    ),
    columns={"navn": "str", "verneform": "str"},
    code_lists={"verneform": VERNEFORM},
    tooltip=("navn", "verneform", "vernedato"),
    style=Style(color="#1b5e20", fill_color="#66bb6a", weight=1.2, fill_opacity=0.3, default_visible=True),
    scale="1:1 000 000",
    redistributable=True,
    notes="8 national parks at 1:1M; inland reserves come with the full Naturbase layer via fetch.",
)

PROTECTED_AREAS = LayerSpec(
    id="protected_areas",
    title_nb="Verneområder (Naturbase)",
    title_en="Protected areas (Naturbase)",
    theme="nature",
    kind="vector",
    geometry_type="Polygon",
    publisher="Miljødirektoratet",
    licence=NLOD,
    licence_url=NLOD_URL,
    vintage="2026",
    attribution="© Miljødirektoratet, Naturbase verneområder (NLOD)",
    source=Source(
        patterns=(
            "protected/Naturvernomrader*.gpkg",
            "protected/naturbase_verneomrader_marine_trondelag_25833.gpkg#verneomrader_marine_county50",
        ),
    ),
    fetch=Fetch(
        service="Miljødirektoratet nedlasting (Naturbase: Vern)",
        url="https://nedlasting.miljodirektoratet.no/Miljodata/Vern/FILEGDB/25833/Natur_Vern_norge_med_svalbard_25833.zip",
        format="File geodatabase (zip), EUREF89 UTM33, all of Norway (clipped to Trøndelag)",
        target="protected/Naturvernomrader_50.gpkg",
        manual="Download 'Naturvernområder' (Vern) as FGDB from https://kartkatalog.miljodirektoratet.no or "
        "https://kartkatalog.geonorge.no and run `areal import FILE --as protected_areas`",
        method="file",
        params={"layer": "naturvernområde"},
    ),
    columns={"navn": "str", "verneform": "str"},
    code_lists={"verneform": VERNEFORM},
    clip_to_county=True,
    tooltip=("navn", "verneform", "iucn", "naturvernId"),
    style=Style(color="#004d40", fill_color="#26a69a", weight=0.8, fill_opacity=0.35, default_visible=True),
    redistributable=True,
    notes="Here only areas with a marine part (73); the full layer comes with fetch.",
)

SPECS = (NATIONAL_PARKS, PROTECTED_AREAS)
