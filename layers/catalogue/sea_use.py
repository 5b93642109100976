"""Uses of the sea that a new test area at sea must respect: fairways and fishing grounds.

No file of either is in the data folder and no real sample of their services is in
``official-samples/``: both layers are "ikke kartlagt" (not mapped) until a file is added with
``areal import FILE --as shipping_lanes`` / ``--as fishing_grounds``. The endpoints below are the
publishers' catalogue entries as published on Geonorge; they are **unverified** here (no internet
access, no recorded response), so ``areal fetch`` downloads nothing and says how to get the file by hand.
"""

from areal.layers._base import Fetch, LayerSpec, Source, Style
from areal.layers.catalogue._common import NLOD, NLOD_URL

SHIPPING_LANES = LayerSpec(
    id="shipping_lanes",
    title_nb="Farleder (hoved- og biled)",
    title_en="Fairways (main and secondary)",
    theme="aquaculture",
    kind="vector",
    geometry_type="Polygon",
    publisher="Kystverket",
    licence=NLOD,
    licence_url=NLOD_URL,
    vintage="unverified",
    attribution="© Kystverket, Hoved- og biled arealavgrensning (NLOD)",
    source=Source(patterns=("sea/farled*.gpkg", "sea/*ovedled*.gml")),
    fetch=Fetch(
        service="Kystverket via Geonorge: Hovedled og Biled, arealavgrensning (unverified endpoint)",
        url="https://kartkatalog.geonorge.no/metadata/kystverket/hovedled-og-biled-arealavgrensning/"
        "1e8d7811-87ea-429a-8d97-4ea6bbf6e010",
        format="GML / GeoPackage from Geonorge (unverified: no sample recorded here)",
        target="sea/farleder_trondelag_25833.gpkg",
        manual="Download 'Hovedled og Biled, arealavgrensning' (Kystverket, forskrift om farleder) for "
        "Trøndelag from https://kartkatalog.geonorge.no and run `areal import FILE --as shipping_lanes`",
        method="manual",
    ),
    tooltip=("ledkategori", "lednavn"),
    style=Style(color="#0d47a1", fill_color="#90caf9", weight=1.0, fill_opacity=0.25),
    notes="The fairways of forskrift om farleder (FOR-2009-11-30-1477); endpoint unverified, no data here.",
)

FISHING_GROUNDS = LayerSpec(
    id="fishing_grounds",
    title_nb="Fiskeplasser (kystnære fiskeridata)",
    title_en="Fishing grounds (coastal fisheries data)",
    theme="aquaculture",
    kind="vector",
    geometry_type="Polygon",
    publisher="Fiskeridirektoratet",
    licence=NLOD,
    licence_url=NLOD_URL,
    vintage="unverified",
    attribution="© Fiskeridirektoratet, kystnære fiskeridata: fiskeplasser (NLOD)",
    source=Source(patterns=("sea/fiskeplass*.gpkg", "sea/*iskeplass*.gml")),
    fetch=Fetch(
        service="Fiskeridirektoratet via Geonorge: Fiskeplasser, aktive og passive redskap (unverified endpoint)",
        url="https://kartkatalog.geonorge.no/search?text=fiskeplasser&organization=Fiskeridirektoratet",
        format="GML / GeoPackage from Geonorge (unverified: no sample recorded here)",
        target="sea/fiskeplasser_trondelag_25833.gpkg",
        manual="Download 'Fiskeplasser' (active and passive gear, Fiskeridirektoratet's coastal fisheries "
        "data) for Trøndelag from https://kartkatalog.geonorge.no and run "
        "`areal import FILE --as fishing_grounds`",
        method="manual",
    ),
    tooltip=("fiskeplassnavn", "redskap"),
    style=Style(color="#e65100", fill_color="#ffcc80", weight=1.0, fill_opacity=0.3),
    notes="Recorded by Fiskeridirektoratet's regional offices from interviews with fishers; guidance, "
    "not a legal zone. Endpoint unverified, no data here.",
)

SPECS = (SHIPPING_LANES, FISHING_GROUNDS)
