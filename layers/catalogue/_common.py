"""Provenance constants shared by several declarations."""

CC_BY_4 = "CC BY 4.0"
CC_BY_4_URL = "https://creativecommons.org/licenses/by/4.0/"
NLOD = "NLOD 2.0"
NLOD_URL = "https://data.norge.no/nlod/no/2.0"
KARTVERKET = "Kartverket"
N1000_GPKG = "n1000/N1000_trondelag_25833.gpkg"
N1000_FETCH_URL = (
    "https://nedlasting.geonorge.no/geonorge/Basisdata/N1000Kartdata/FGDB/"
    "Basisdata_0000_Norge_25833_N1000Kartdata_FGDB.zip"
)
N1000_ATTRIBUTION = "© Kartverket, N1000 (CC BY 4.0)"
