"""NIBIO AR5 land resource map: farmland and productive forest (1:5 000)."""

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

SPECS = (AR5,)
