"""Transport and grid infrastructure from N1000."""

from areal.layers._base import Style
from areal.layers.catalogue.landcover import _n1000

VEGKATEGORI = {
    "E": "Europaveg",
    "R": "Riksveg",
    "F": "Fylkesveg",
    "K": "Kommunal veg",
    "P": "Privat veg",
    "S": "Skogsbilveg",
}

ROADS = _n1000(
    "roads",
    "Veglenke",
    "Veger (N1000)",
    "Roads (N1000)",
    Style(
        color="#e65100",
        weight=1.2,
        default_visible=False,
        category_column="vegkategori",
        categories={"E": "#d50000", "R": "#ff6d00", "F": "#ffab00", "K": "#9e9e9e", "P": "#bdbdbd"},
    ),
    theme="infrastructure",
    geometry_type="LineString",
    columns={"vegkategori": "str", "typeVeg": "str"},
    code_lists={"vegkategori": VEGKATEGORI},
    tooltip=("vegkategori", "vegnummer", "typeVeg"),
)
RAILWAY = _n1000(
    "railway",
    "Bane",
    "Jernbane (N1000)",
    "Railway (N1000)",
    Style(color="#212121", weight=2.0, dash_array="6 3"),
    theme="infrastructure",
    geometry_type="LineString",
)
STATIONS = _n1000(
    "stations",
    "Stasjon",
    "Jernbanestasjoner (N1000)",
    "Railway stations (N1000)",
    Style(color="#212121", fill_color="#ffffff", radius=3, fill_opacity=1.0),
    theme="infrastructure",
    geometry_type="Point",
    tooltip=("navn",),
)
POWER_LINES = _n1000(
    "power_lines",
    "LuftledningLH",
    "Kraftledninger (N1000)",
    "Power lines (N1000)",
    Style(color="#f9a825", weight=1.8, default_visible=True),
    theme="energy",
    geometry_type="LineString",
)
AIRPORTS = _n1000(
    "airports",
    "Lufthavn",
    "Lufthavner (N1000)",
    "Airports (N1000)",
    Style(color="#283593", fill_color="#5c6bc0", radius=6, fill_opacity=0.9),
    theme="infrastructure",
    geometry_type="Point",
    columns={"navn": "str", "lufthavntype": "str"},
    code_lists={"lufthavntype": {"L": "Lufthavn", "H": "Helikopterplass"}},
    tooltip=("navn", "iataKode", "lufthavntype"),
)

SPECS = (ROADS, RAILWAY, STATIONS, POWER_LINES, AIRPORTS)
