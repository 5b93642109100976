"""The county's lab and test arenas (catalogue compiled by the project from public sources)."""

from areal.layers._base import LayerSpec, Source, Style

SECTORS = {
    "ocean_space": "Havrom",
    "aquaculture": "Havbruk",
    "bioeconomy": "Bioøkonomi, landbruk og skog",
    "energy": "Energi",
    "buildings": "Bygg",
    "mobility_autonomy": "Mobilitet og autonomi",
    "health": "Helse",
    "ict": "IKT",
}
ARENA_TYPES = {
    "lab": "Laboratorium",
    "test_bed": "Testbed",
    "pilot_plant": "Pilotanlegg",
    "demonstration_site": "Demonstrasjonsanlegg",
    "living_lab": "Levende laboratorium",
    "test_area_land": "Testområde på land",
    "test_area_sea": "Testområde på sjø",
    "test_area_air": "Testområde i luft",
}

TEST_ARENAS = LayerSpec(
    id="test_arenas",
    title_nb="Test- og pilotarenaer",
    title_en="Test and pilot arenas",
    theme="test_arenas",
    kind="vector",
    geometry_type="Mixed",
    publisher="Arealkart Trøndelag (compiled from public sources, each entry names its source)",
    licence="CC BY 4.0",
    vintage="2026",
    attribution="Arealkart Trøndelag test-arena catalogue (sources per entry)",
    source=Source(patterns=("test_arenas/*.csv", "pkg:test_arenas/test_arenas.csv"), reader="test_arenas"),
    columns={
        "id": "str",
        "name": "str",
        "arena_type": "str",
        "sectors": "str",
        "status": "str",
        "precision": "str",
    },
    code_lists={
        "arena_type": ARENA_TYPES,
        "status": {"operating": "I drift", "planned": "Planlagt"},
        "precision": {
            "address": "Adresse",
            "register": "Offentlig register (posisjon)",
            "campus": "Område/campus",
            "municipality": "Kommune (ingen posisjon)",
        },
    },
    tooltip=("name", "arena_type", "operator", "sectors", "status", "precision"),
    style=Style(
        color="#c51162",
        fill_color="#ff4081",
        radius=7,
        fill_opacity=0.9,
        default_visible=True,
    ),
    redistributable=True,
    notes="Points, or polygons for test areas; aquaculture test sites at their register points; "
    "municipality-precision entries have no position (listed, not drawn, no distance).",
)

SPECS = (TEST_ARENAS,)
