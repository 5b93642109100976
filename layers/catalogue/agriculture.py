"""Farmland: NIBIO AR5 (1:5 000), NIBIO AR50 (1:50 000), Kartverket N50 Arealdekke, and their composite.

Farmland comes from whatever the user can get: AR5 (the parcel-scale map; an FKB product, so an
order needs a Geonorge token), else AR50 (NIBIO's open 1:50 000 map), else N50 Kartdata's
``DyrketMark`` (Kartverket, open, 1:50 000). The ``farmland`` layer is their composite
(:mod:`areal.layers.farmland`): each source where it is mapped and no better one is, every
feature tagged with its source and scale.
"""

from areal.layers._base import Coverage, Fetch, LayerSpec, Source, Style

# The official code lists (SOSI FKB-AR5, published as GML dictionaries ArealressursArealtype,
# ...Skogbonitet, ...Treslag, ...Grunnforhold; tests/layers/test_codelists.py compares them),
# plus the codes NIBIO's own AR5 schema (NibioOpenSource/pgtopo_update_sql, topo_ar5.sql) also
# allows: treslag 35 and skogbonitet 17, 18.
AR5_ARTYPE = {
    "11": "Bebygd",
    "12": "Samferdsel",
    "21": "Fulldyrka jord",
    "22": "Overflatedyrka jord",
    "23": "Innmarksbeite",
    "30": "Skog",
    "50": "Åpen fastmark",
    "60": "Myr",
    "70": "Snøisbre",
    "81": "Ferskvann",
    "82": "Hav",
    "99": "Ikke kartlagt",
}
AR5_SKOGBONITET = {
    "11": "Impediment",
    "12": "Lav",
    "13": "Middels",
    "14": "Høy",
    "15": "Særs høy",
    "17": "Produktiv",  # NIBIO schema only (bonitet not split)
    "18": "Høy og særs høy",  # NIBIO schema only
    "98": "Ikke relevant",
    "99": "Ikke registrert",
}
AR5_TRESLAG = {
    "31": "Barskog",
    "32": "Lauvskog",
    "33": "Blandingsskog",
    "35": "Lauvblandingsskog",  # NIBIO schema only
    "39": "Ikke tresatt",
    "98": "Ikke relevant",
    "99": "Ikke registrert",
}
AR5_GRUNNFORHOLD = {
    "41": "Blokkmark",
    "42": "Fjell i dagen",
    "43": "Grunnlendt",
    "44": "Jorddekt",
    "45": "Organiske jordlag",
    "46": "Konstruert",
    "98": "Ikke relevant",
    "99": "Ikke registrert",
}
AR5_EXTRA_CODES = {"skogbonitet": {"17", "18"}, "treslag": {"35"}}
"""Codes in the catalogue that the published GML code lists lack (NIBIO's AR5 schema has them)."""

AR5 = LayerSpec(
    id="ar5",
    title_nb="AR5 arealressurser (jordbruk, skog, myr)",
    title_en="AR5 land resources (farmland, forest, mire)",
    theme="agriculture",
    kind="vector",
    geometry_type="Polygon",
    publisher="NIBIO",
    licence="CC BY 4.0",
    licence_url="https://creativecommons.org/licenses/by/4.0/",
    vintage="continuously updated",
    attribution="© NIBIO, AR5 (CC BY 4.0)",
    # FKB-AR5 GML holds ArealressursFlate (areas), ArealressursGrense and KantUtsnitt (lines):
    # the areas are read.
    source=Source(
        patterns=("ar5/*.gpkg", "ar5/*.zip", "ar5/*.geojson", "ar5/*.gml#ArealressursFlate", "ar5/*.shp"),
        layer=None,
    ),
    fetch=Fetch(
        service="Geonorge nedlasting API (Arealressurskart FKB-AR5, NIBIO), per municipality",
        url="https://nedlasting.geonorge.no/api/order",
        format="FGDB (zip) per municipality, layer fkb_ar5_omrade",
        target="ar5/ar5_{kommunenummer}.gpkg",
        manual="Download 'Arealressurskart - FKB-AR5' per municipality (FGDB, EUREF89 UTM33) from "
        "https://kartkatalog.geonorge.no/metadata/280bbd7a-5ce9-4c83-9e15-ac162cabd8a6 (NIBIO), "
        "then `areal import FILE --as ar5`.",
        method="geonorge_order",
        params={
            "metadata_uuid": "280bbd7a-5ce9-4c83-9e15-ac162cabd8a6",
            "format": "FGDB",
            "projection": "25833",
            "layer": "fkb_ar5_omrade",
        },
    ),
    columns={"arealtype": "str", "skogbonitet": "str", "treslag": "str", "grunnforhold": "str"},
    # SOSI short names: ..ARTYPE, ..ARTRESLAG, ..ARSKOGBON, ..ARGRUNNF in SOSI files, and
    # lower-case in NIBIO's shapefiles (official-samples/nibio-ar5/nibio-workshop-shapefile).
    rename={
        "ARTYPE": "arealtype",
        "ARTRESLAG": "treslag",
        "ARSKOGBON": "skogbonitet",
        "ARGRUNNF": "grunnforhold",
        "artype": "arealtype",
        "artreslag": "treslag",
        "arskogbon": "skogbonitet",
        "argrunnf": "grunnforhold",
    },
    code_lists={
        "arealtype": AR5_ARTYPE,
        "skogbonitet": AR5_SKOGBONITET,
        "treslag": AR5_TRESLAG,
        "grunnforhold": AR5_GRUNNFORHOLD,
    },
    tooltip=("arealtype", "skogbonitet", "treslag"),
    # AR5 is fetched per municipality: it says nothing outside the municipalities whose files exist.
    coverage=Coverage("municipalities", note="the municipalities for which AR5 was fetched or imported"),
    style=Style(
        color="#827717",
        fill_color="#cddc39",
        weight=0.2,
        fill_opacity=0.45,
        category_column="arealtype",
        categories={
            "11": "#fcdbd6",
            "12": "#b3b3b3",
            "21": "#ffd16e",
            "22": "#ffff4c",
            "23": "#ffffad",
            "30": "#9ecc73",
            "50": "#d9d9d9",
            "60": "#d1d1ff",
            "70": "#ffffff",
            "81": "#91e7ff",
            "82": "#ccfeff",
        },
    ),
    notes="Farmland = arealtype 21/22/23 (protected by jordlova § 9 and the national jordvern target); "
    "forest = 30 with skogbonitet; mire = 60. Not in the extracts here: fetch or import.",
)

# AR50 arealtype (NIBIO's AR50 product specification). No AR50 file was found in any public
# repository: the field name and codes are unverified until a real file is read.
AR50_ARTYPE = {
    "10": "Bebygd",
    "20": "Jordbruksareal",
    "30": "Skog",
    "50": "Åpen fastmark",
    "60": "Myr",
    "70": "Snøisbre",
    "81": "Ferskvann",
    "82": "Hav",
    "99": "Ikke kartlagt",
}

AR50 = LayerSpec(
    id="ar50",
    title_nb="AR50 arealressurser (1:50 000)",
    title_en="AR50 land resources (1:50 000)",
    theme="agriculture",
    kind="vector",
    geometry_type="Polygon",
    publisher="NIBIO",
    licence="CC BY 4.0",
    licence_url="https://creativecommons.org/licenses/by/4.0/",
    vintage="continuously updated",
    attribution="© NIBIO, AR50 (CC BY 4.0)",
    source=Source(patterns=("ar50/*.gpkg", "ar50/*.zip")),
    fetch=Fetch(
        service="Geonorge nedlasting (Arealressurskart AR50, NIBIO), open, per county — unverified",
        url="https://nedlasting.geonorge.no/api/order",
        format="FGDB (zip) per county",
        target="ar50/ar50_{county}.gpkg",
        manual="Download 'Arealressurskart AR50' for Trøndelag from https://kartkatalog.geonorge.no (NIBIO, open) "
        "and run `areal import FILE --as ar50`.",
        method="geonorge_order",
        params={"format": "FGDB 10.0", "projection": "25833", "area_type": "fylke", "unverified": "true"},
    ),
    columns={"arealtype": "str"},
    rename={"artype": "arealtype", "ARTYPE": "arealtype"},
    code_lists={"arealtype": AR50_ARTYPE},
    coverage=Coverage("features", note="where the AR50 file has features (a wall-to-wall map)"),
    tooltip=("arealtype",),
    style=Style(color="#9e9d24", fill_color="#e6ee9c", weight=0.3, fill_opacity=0.4),
    notes="Unverified: no real AR50 file was available; field artype and codes from NIBIO's product "
    "description. Farmland = arealtype 20 (jordbruksareal).",
)

N50_ARTYPE = {
    "DyrketMark": "Dyrket mark",
    "Skog": "Skog",
    "Myr": "Myr",
    "ÅpentOmråde": "Åpent område",
    "TettBebyggelse": "Tett bebyggelse",
    "BymessigBebyggelse": "Bymessig bebyggelse",
    "Industriområde": "Industriområde",
    "Havflate": "Havflate",
    "Innsjø": "Innsjø",
    "InnsjøRegulert": "Innsjø, regulert",
    "ElvBekk": "Elv",
    "SnøIsbre": "Snø og isbre",
    "Alpinbakke": "Alpinbakke",
    "Golfbane": "Golfbane",
    "Gravplass": "Gravplass",
    "Lufthavn": "Lufthavn",
    "Park": "Park",
    "Rullebane": "Rullebane",
    "Steinbrudd": "Steinbrudd",
    "Steintipp": "Steintipp",
    "SportIdrettPlass": "Sport- og idrettsplass",
    "FerskvannTørrfall": "Ferskvann, tørrfall",
    "Skjær": "Skjær",
}

N50_AREALDEKKE = LayerSpec(
    id="n50_arealdekke",
    title_nb="N50 arealdekke (dyrket mark, skog, myr …)",
    title_en="N50 land cover (cultivated land, forest, mire …)",
    theme="agriculture",
    kind="vector",
    geometry_type="Polygon",
    publisher="Kartverket",
    licence="CC BY 4.0",
    licence_url="https://creativecommons.org/licenses/by/4.0/",
    vintage="N50 Kartdata (edition of the file)",
    attribution="© Kartverket, N50 Kartdata (CC BY 4.0)",
    source=Source(
        patterns=(
            "n50/*.gpkg#N50_Arealdekke_omrade",
            "landuse/n50_arealdekke*.gpkg#arealdekke_all",
        )
    ),
    fetch=Fetch(
        service="Geonorge nedlasting (N50 Kartdata, Kartverket), open, per county",
        url="https://nedlasting.geonorge.no/geonorge/Basisdata/N50Kartdata/FGDB/"
        "Basisdata_{county}_{county_name}_25833_N50Kartdata_FGDB.zip",
        format="FGDB (zip) per county, theme layer N50_Arealdekke_omrade with objtype",
        target="n50/N50_{county}_arealdekke.gpkg",
        manual="Download 'N50 Kartdata' for Trøndelag (FGDB, EUREF89 UTM33) from "
        "https://kartkatalog.geonorge.no (Kartverket) and run `areal import FILE --as n50_arealdekke "
        "--layer N50_Arealdekke_omrade`.",
        method="file",
        params={"layer": "N50_Arealdekke_omrade", "unverified": "file name per county"},
    ),
    columns={"objtype": "str"},
    rename={"OBJTYPE": "objtype", "objekttypenavn": "objtype"},
    code_lists={"objtype": N50_ARTYPE},
    # N50 Arealdekke is wall-to-wall: it is mapped wherever it has features, whatever their class.
    coverage=Coverage("features", note="where the N50 Arealdekke file has features (a wall-to-wall map)"),
    tooltip=("objtype",),
    style=Style(
        color="#6d4c41",
        fill_color="#ffe082",
        weight=0.3,
        fill_opacity=0.35,
        category_column="objtype",
        categories={"DyrketMark": "#ffd16e", "Skog": "#9ecc73", "Myr": "#d1d1ff", "ÅpentOmråde": "#d9d9d9"},
    ),
    notes="1:50 000: DyrketMark is fulldyrka and overflatedyrka jord; innmarksbeite is not a class of "
    "its own. The extract here covers east Trondheim only.",
)

FARMLAND = LayerSpec(
    id="farmland",
    title_nb="Jordbruksareal (beste tilgjengelige kilde)",
    title_en="Farmland (best available source)",
    theme="agriculture",
    kind="vector",
    geometry_type="Polygon",
    publisher="NIBIO / Kartverket",
    licence="CC BY 4.0",
    licence_url="https://creativecommons.org/licenses/by/4.0/",
    vintage="of each source",
    attribution="© NIBIO (AR5, AR50), © Kartverket (N50 Kartdata) (CC BY 4.0)",
    source=Source(patterns=(), reader="composite_farmland"),
    fetch=Fetch(
        service="the best source available: AR5 (NIBIO, with a GeoID token), else AR50 (NIBIO, open), "
        "else N50 Kartdata Arealdekke (Kartverket, open)",
        url="",
        format="as the chosen source",
        target="",
        manual="fetch or import one of its sources (the layers ar5, which needs AREAL_GEOID_TOKEN, ar50 or "
        "n50_arealdekke), e.g. `areal import FILE --as n50_arealdekke`.",
        method="farmland_best",
        params={"order": "ar5,ar50,n50_arealdekke"},
    ),
    columns={"source": "str", "scale": "str"},
    coverage=Coverage("features", note="where any of its sources is mapped"),
    tooltip=("source", "scale", "arealtype"),
    style=Style(color="#b28704", fill_color="#ffd16e", weight=0.3, fill_opacity=0.5),
    notes="AR5 (arealtype 21, 22, 23; 1:5 000) where AR5 is mapped, else AR50 (arealtype 20; "
    "1:50 000), else N50 Arealdekke DyrketMark (1:50 000). Column source names the source.",
)

SPECS = (AR5, FARMLAND, AR50, N50_AREALDEKKE)
