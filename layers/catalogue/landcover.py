"""N1000 land cover: forest, mire, open land, built-up areas, lakes, sea."""

from areal.layers._base import Fetch, LayerSpec, Source, Style
from areal.layers.catalogue._common import (
    CC_BY_4,
    CC_BY_4_URL,
    KARTVERKET,
    N1000_ATTRIBUTION,
    N1000_FETCH_URL,
    N1000_GPKG,
)

# N1000's FGDB holds theme layers with an ``objtype`` column (N1000_Arealdekke_omrade,
# N1000_Samferdsel_senterlinje ...); one class per layer exists only in the GML (hmalmedal/N1000,
# R/datadoc.R). The fetch reads the theme layer and keeps the class's objtype. Theme layer names
# other than N1000_Arealdekke_omrade and N1000_Samferdsel_senterlinje are unverified.
N1000_THEMES = {
    "Skog": ("N1000_Arealdekke_omrade", "Skog"),
    "Myr": ("N1000_Arealdekke_omrade", "Myr"),
    "ApentOmrade": ("N1000_Arealdekke_omrade", "ÅpentOmråde"),
    "Tettbebyggelse": ("N1000_Arealdekke_omrade", "Tettbebyggelse"),
    "Innsjo": ("N1000_Arealdekke_omrade", "Innsjø"),
    "Havflate": ("N1000_Arealdekke_omrade", "Havflate"),
    "Lufthavn": ("N1000_Arealdekke_omrade", "Lufthavn"),
    "ElvBekk": ("N1000_Arealdekke_senterlinje", "ElvBekk"),
    "Veglenke": ("N1000_Samferdsel_senterlinje", "Veglenke"),
    "Bane": ("N1000_Samferdsel_senterlinje", "Bane"),
    "Stasjon": ("N1000_Samferdsel_posisjon", "Stasjon"),
    "LuftledningLH": ("N1000_BygningerOgAnlegg_senterlinje", "LuftledningLH"),
    "Naturvernomrade": ("N1000_Restriksjonsomrader_omrade", "Naturvernområde"),
    "Kommune": ("N1000_AdministrativeOmrader_omrade", "Kommune"),
}


def n1000_fetch_params(layer: str) -> dict[str, str]:
    """``layer`` (the FGDB theme layer) and ``objtype`` (the class) of an N1000 class."""
    theme, objtype = N1000_THEMES.get(layer, ("N1000_Arealdekke_omrade", layer))
    return {"layer": theme, "objtype": objtype}


def _n1000(id, layer, nb, en, style, theme="landcover", geometry_type="Polygon", **kw) -> LayerSpec:
    # N1000 layers differ only in layer name, titles and style: one declaration each, same provenance.
    return LayerSpec(
        id=id,
        title_nb=nb,
        title_en=en,
        theme=theme,
        kind="vector",
        geometry_type=geometry_type,
        publisher=KARTVERKET,
        licence=CC_BY_4,
        licence_url=CC_BY_4_URL,
        vintage="2024/25",
        attribution=N1000_ATTRIBUTION,
        source=Source(patterns=(N1000_GPKG,), layer=layer),
        fetch=Fetch(
            service="Geonorge nedlasting (N1000 Kartdata)",
            url=N1000_FETCH_URL,
            format="FGDB (zip), clipped to Trøndelag by `areal fetch`",
            target=N1000_GPKG,  # one layer per class, added to the GeoPackage (the others are kept)
            manual="Download 'N1000 Kartdata' (FGDB, EUREF89 UTM33) from https://kartkatalog.geonorge.no",
            params=n1000_fetch_params(layer),
        ),
        style=style,
        redistributable=True,
        scale="1:1 000 000",
        notes="1:1 000 000, coarse: region-wide context, not parcel decisions.",
        **kw,
    )


FOREST = _n1000(
    "forest",
    "Skog",
    "Skog (N1000)",
    "Forest (N1000)",
    Style(color="#2e7d32", fill_color="#4caf50", weight=0.3),
)
MIRE = _n1000(
    "mire", "Myr", "Myr (N1000)", "Mire (N1000)", Style(color="#6d4c41", fill_color="#a1887f", weight=0.3)
)
OPEN_LAND = _n1000(
    "open_land",
    "ApentOmrade",
    "Åpent område (N1000)",
    "Open land (N1000)",
    Style(color="#9e9d24", fill_color="#e6ee9c", weight=0.3, fill_opacity=0.25),
)
BUILT_UP = _n1000(
    "built_up",
    "Tettbebyggelse",
    "Tettbebyggelse (N1000)",
    "Built-up areas (N1000)",
    Style(color="#b71c1c", fill_color="#e57373", weight=0.6, default_visible=True),
)
LAKES = _n1000(
    "lakes",
    "Innsjo",
    "Innsjøer (N1000)",
    "Lakes (N1000)",
    Style(color="#1565c0", fill_color="#64b5f6", weight=0.3, fill_opacity=0.5),
    columns={"høyde": "float"},
)
SEA = _n1000(
    "sea",
    "Havflate",
    "Havflate (N1000)",
    "Sea surface (N1000)",
    Style(color="#0d47a1", fill_color="#90caf9", weight=0.0, fill_opacity=0.2),
)
RIVERS = _n1000(
    "rivers",
    "ElvBekk",
    "Elver og bekker (N1000)",
    "Rivers and streams (N1000)",
    Style(color="#1e88e5", weight=1.0, fill_opacity=0.0),
    geometry_type="LineString",
    columns={"vannbredde": "int"},
)

SPECS = (FOREST, MIRE, OPEN_LAND, BUILT_UP, LAKES, SEA, RIVERS)
