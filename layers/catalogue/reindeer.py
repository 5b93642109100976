"""Reindeer husbandry (reindrift) and wild reindeer (villrein)."""

from areal.layers._base import Fetch, LayerSpec, Source, Style
from areal.layers.catalogue._common import NLOD, NLOD_URL

# NIBIO publishes every reindeer husbandry dataset of Landbruksdirektoratet as one zipped file
# geodatabase for all of Norway (EUREF89 UTM33); host kart8.nibio.no ("uttak_Download").
_NIBIO_REINDRIFT = "https://kart8.nibio.no/uttak_Download/reindrift/0000_25833_reindrift-{dataset}_gdb.zip"
_LDIR = "Landbruksdirektoratet / NIBIO, reindriftskart"
# The five seasonal-pasture datasets (SOSI produktspesifikasjon "Reindrift - Årstidsbeite - <season>").
SEASON_DATASETS = (
    "arstidsbeite-varbeite",
    "arstidsbeite-sommerbeite",
    "arstidsbeite-hostbeite",
    "arstidsbeite-hostvinterbeite",
    "arstidsbeite-vinterbeite",
)

# SOSI ReindriftSesongområde (SESOMR, integer): two categories per season, by function and intensity.
# Vårbeite 1 = kalvingsland og tidlig vårland (incl. reservekalvingsland); 2 = oksebeiteland.
SESONGOMRADE = {
    "1": "Vårbeite I: kalvingsland og tidlig vårland",
    "2": "Vårbeite II: oksebeiteland og øvrig vårland",
    "3": "Sommerbeite I: høysommerland",
    "4": "Sommerbeite II: lavereliggende sommerland",
    "5": "Høstbeite I: tidlig høstland / parringsland",
    "6": "Høstbeite II: spredt brukte høstbeiter",
    "7": "Høstvinterbeite I: tidlig høstvinterbeite",
    "8": "Høstvinterbeite II: spredt brukte høstvinterbeiter",
    "9": "Vinterbeite I: intensivt brukte vinterbeiter",
    "10": "Vinterbeite II: spredt brukte vinterbeiter",
}
SESONG_TO_BEITETID = {
    "1": "vårbeite I",
    "2": "vårbeite II",
    "3": "sommerbeite I",
    "4": "sommerbeite II",
    "5": "høstbeite I",
    "6": "høstbeite II",
    "7": "høstvinterbeite I",
    "8": "høstvinterbeite II",
    "9": "vinterbeite I",
    "10": "vinterbeite II",
}
BEITETID = {
    "vårbeite I": "Vårbeite I (kalvingsland)",
    "vårbeite II": "Vårbeite II (oksebeite)",
    "sommerbeite I": "Sommerbeite I (høysommerland)",
    "sommerbeite II": "Sommerbeite II (lavereliggende sommerland)",
    "høstbeite I": "Høstbeite I (parringsland)",
    "høstbeite II": "Høstbeite II",
    "høstvinterbeite I": "Høstvinterbeite I",
    "høstvinterbeite II": "Høstvinterbeite II",
    "vinterbeite I": "Vinterbeite I",
    "vinterbeite II": "Vinterbeite II",
    # season-only labels (files without the I/II category)
    "sommerbeite": "Sommerbeite",
    "høstbeite": "Høstbeite",
    "høstvinterbeite": "Høstvinterbeite",
    "vinterbeite": "Vinterbeite",
    "vårhøstbeite": "Vår-/høstbeite",
    "helårsbeite": "Helårsbeite",
}
# Official attribute names (SOSI: SESOMR → reindriftSesongområde, BEITEBRUKERID → reinbeitebrukerID),
# as they come out of the FGDB/GML, in SOSI short form and lower-cased.
_REIN_RENAME = {
    "reindriftSesongområde": "sesongomrade",
    "reindriftsesongomrade": "sesongomrade",
    "reindriftSesongomrade": "sesongomrade",
    "SESOMR": "sesongomrade",
    "sesomr": "sesongomrade",  # NIBIO's files (topo_rein schema): lower case
    "beitebrukerid": "reinbeitedistrikt",
    "distkode": "reinbeitedistrikt",  # districts: the code, no name field
    "reinbeitebrukerID": "reinbeitedistrikt",
    "reinbeitebrukerid": "reinbeitedistrikt",
    "BEITEBRUKERID": "reinbeitedistrikt",
}


def _official(dataset: str, target: str, method: str = "file", layer: str = "") -> Fetch:
    url = _NIBIO_REINDRIFT.format(dataset="{dataset}" if method == "nibio_seasons" else dataset)
    return Fetch(
        service="NIBIO nedlasting, reindrift (Landbruksdirektoratet)",
        url=url,
        format="File geodatabase (zip), EUREF89 UTM33, all of Norway (clipped to Trøndelag)",
        target=target,
        manual=f"Download 'Reindrift - {dataset}' as FGDB from https://kartkatalog.geonorge.no (NIBIO / "
        f"Landbruksdirektoratet) and run `areal import FILE --as ...`",
        method=method,
        params={"datasets": ",".join(SEASON_DATASETS)}
        if method == "nibio_seasons"
        else ({"layer": layer} if layer else {}),
        # NIBIO's URL pattern is known; the five årstidsbeite file names and the FGDB layer names
        # are not confirmed by any public file (README of the shared data, official-samples)
        unverified="the årstidsbeite file names and the FGDB layer names"
        if method == "nibio_seasons"
        else "",
    )


REINDEER_PASTURES = LayerSpec(
    id="reindeer_pastures",
    title_nb="Reindrift årstidsbeiter",
    title_en="Reindeer seasonal pastures",
    theme="reindeer",
    kind="vector",
    geometry_type="Polygon",
    publisher=_LDIR,
    licence=NLOD,
    licence_url=NLOD_URL,
    vintage="continuously updated",
    attribution="© Landbruksdirektoratet/NIBIO, reindriftskart (NLOD)",
    source=Source(patterns=("reindeer/reindrift-arstidsbeite*.gpkg", "reindeer/*arstidsbeite*_gdb.zip")),
    fetch=_official(
        "arstidsbeite-<season>", "reindeer/reindrift-arstidsbeite_50.gpkg", method="nibio_seasons"
    ),
    columns={"sesongomrade": "str", "beitetid": "str", "reinbeitedistrikt": "str"},
    rename=_REIN_RENAME,
    derive={"beitetid": ("sesongomrade", SESONG_TO_BEITETID)},
    code_lists={"sesongomrade": SESONGOMRADE, "beitetid": BEITETID},
    clip_to_county=True,
    tooltip=("beitetid", "reinbeitedistrikt"),
    style=Style(
        color="#8d6e63",
        fill_color="#bcaaa4",
        weight=0.5,
        category_column="beitetid",
        categories={"vårbeite I": "#d84315", "vårbeite II": "#ff8a65"},
    ),
    notes="Official data: one dataset per season, attribute reindriftSesongområde (1-10, two categories "
    "per season) → `sesongomrade`, label `beitetid` derived; reinbeitebrukerID → `reinbeitedistrikt`. "
    "Vårbeite I is calving land (kalvingsland), the most sensitive season. Pastures are guidance "
    "(reindriftsloven § 1, pbl hensynssone 520), not a ban.",
)

REINDEER_PASTURE_OUTLINE = LayerSpec(
    id="reindeer_pasture_outline",
    title_nb="Reinbeiteland, samlet omriss",
    title_en="Reindeer pasture land, merged outline",
    theme="reindeer",
    kind="vector",
    geometry_type="Polygon",
    publisher="Landbruksdirektoratet (merged by gislab-se/landskapsanalys)",
    licence="NLOD upstream; derived copy states no licence",
    vintage="2026 copy",
    attribution="Landbruksdirektoratet reindriftskart (NLOD), merged and simplified by gislab-se/landskapsanalys",
    source=Source(
        patterns=("reindeer/reindrift_arstidsbeite_samlet_trondelag.gpkg",),
        layer="reindrift_arstidsbeite_samlet_dissolved",
    ),
    tooltip=("label",),
    style=Style(color="#795548", fill_color="#d7ccc8", weight=0.4, fill_opacity=0.3),
    notes="All seasons merged into one MultiPolygon, no attributes (no calving land); 1 invalid geometry repaired.",
)

REINDEER_MIGRATION = LayerSpec(
    id="reindeer_migration_routes",
    title_nb="Flyttleier for rein",
    title_en="Reindeer migration routes",
    theme="reindeer",
    kind="vector",
    geometry_type="Polygon",
    publisher=_LDIR,
    licence=NLOD,
    licence_url=NLOD_URL,
    vintage="2026 copy",
    attribution="© Landbruksdirektoratet/NIBIO, flyttlei (NLOD)",
    source=Source(
        patterns=("reindeer/reindrift-flyttlei*.gpkg", "reindeer/reindrift_flyttlei_trondelag.gpkg"),
        layer=None,
    ),
    fetch=_official("flyttlei", "reindeer/reindrift-flyttlei_50.gpkg"),
    clip_to_county=True,
    tooltip=("label",),
    style=Style(color="#e65100", fill_color="#ff9800", weight=0.6, fill_opacity=0.5),
    notes="Protected by reindriftsloven § 22: may not be closed. The local copy is merged corridors.",
)

REINDEER_DISTRICTS = LayerSpec(
    id="reindeer_districts",
    title_nb="Reinbeitedistrikter",
    title_en="Reindeer grazing districts",
    theme="reindeer",
    kind="vector",
    geometry_type="Polygon",
    publisher=_LDIR,
    licence=NLOD,
    licence_url=NLOD_URL,
    vintage="continuously updated",
    attribution="© Landbruksdirektoratet/NIBIO, reinbeitedistrikt (NLOD)",
    source=Source(patterns=("reindeer/reindrift-reinbeitedistrikt*.gpkg",)),
    fetch=_official("reinbeitedistrikt", "reindeer/reindrift-reinbeitedistrikt_50.gpkg"),
    columns={"reinbeitedistrikt": "str"},
    rename=_REIN_RENAME,
    clip_to_county=True,
    tooltip=("reinbeitedistrikt",),
    style=Style(color="#4e342e", fill_opacity=0.0, weight=1.2, dash_array="6 3"),
)

WILD_REINDEER = LayerSpec(
    id="wild_reindeer",
    title_nb="Villreinområder",
    title_en="Wild reindeer areas",
    theme="reindeer",
    kind="vector",
    geometry_type="Polygon",
    publisher="Miljødirektoratet (via NINA repository)",
    licence="NLOD (inferred)",
    vintage="about 2020",
    attribution="Miljødirektoratet villreinområder, via NINA (1BartPeeters/NI_indicator_wildReindeer)",
    source=Source(
        patterns=("reindeer/villreinomrader_trondelag.gpkg",), layer="villreinomrader_clipped_trondelag"
    ),
    columns={"Omradenr": "str", "Villreinom": "str"},
    tooltip=("Villreinom", "Omradenr", "Nasj_v_o"),
    style=Style(color="#33691e", fill_color="#aed581", weight=0.8, fill_opacity=0.3, dash_array="2 4"),
    notes="Wild reindeer, not husbandry. Snøhetta and Snøhetta øst overlap: dissolve before summing areas.",
)

REINDEER_NUMBERS = LayerSpec(
    id="reindeer_numbers",
    title_nb="Tamrein per kommune 1949–2015",
    title_en="Semi-domestic reindeer per municipality 1949–2015",
    theme="reindeer",
    kind="table",
    geometry_type=None,
    publisher="Speed et al. (compiled)",
    licence="MIT",
    vintage="2015",
    attribution="Speed et al., reindeer numbers per municipality (MIT)",
    source=Source(patterns=("reindeer/tamrein.csv",), encoding="latin-1"),
    columns={"knr2017": "int", "kommune": "str", "aar": "int", "tamrein": "float"},
    notes="Municipality numbers of the 2017 division; counts only.",
)

SPECS = (
    REINDEER_PASTURES,
    REINDEER_PASTURE_OUTLINE,
    REINDEER_MIGRATION,
    REINDEER_DISTRICTS,
    WILD_REINDEER,
    REINDEER_NUMBERS,
)
