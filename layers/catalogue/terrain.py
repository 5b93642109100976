"""Terrain and rasterised land cover."""

from areal.layers._base import Fetch, LayerSpec, Source

ELEVATION = LayerSpec(
    id="elevation",
    title_nb="Høydemodell",
    title_en="Elevation model",
    theme="terrain",
    kind="raster",
    geometry_type=None,
    publisher="Kartverket (DTM) or NOAA ETOPO1 (local test copy)",
    licence="CC BY 4.0 (Kartverket DTM); ETOPO1: free use and redistribution, not for legal use",
    vintage="DTM: current; ETOPO1: 2009",
    attribution="© Kartverket høydedata / NOAA NGDC ETOPO1 (Amante & Eakins 2009)",
    source=Source(patterns=("terrain/dtm*_trondelag*.tif", "terrain/etopo1_ice_trondelag_25833_1000m.tif")),
    fetch=Fetch(
        service="Kartverket WCS (høydedata, Nasjonal høydemodell DTM)",
        url="https://wcs.geonorge.no/skwms1/wcs.hoyde-dtm-nhm-25833",
        format="GeoTIFF (WCS 1.0.0 GetCoverage nhm_dtm_topo_25833), tiled, mosaicked and clipped",
        target="terrain/dtm{resolution}_trondelag_25833.tif",
        manual="Download 'DTM 10' (or 50) for Trøndelag from https://hoydedata.no/LaserInnsyn2/ (Eksport) and save "
        "the mosaic as <data dir>/terrain/dtm10_trondelag_25833.tif",
        method="wcs_dtm",
        unverified="the coverage name and parameters: no WCS capabilities document of the service is public",
        params={"coverage": "nhm_dtm_topo_25833", "resolution": "50", "tile_px": "2000"},
    ),
    notes="The local ETOPO1 copy is 1 km: slopes are smoothed, peaks low; it exercises the terrain code only.",
)

LANDCOVER_RASTER = LayerSpec(
    id="landcover_raster",
    title_nb="Arealdekke N1000, raster 250 m",
    title_en="N1000 land cover, 250 m raster",
    theme="terrain",
    kind="raster",
    geometry_type=None,
    publisher="Kartverket",
    licence="CC BY 4.0",
    vintage="2024/25",
    attribution="© Kartverket, N1000 (CC BY 4.0)",
    source=Source(patterns=("rasters/N1000_trondelag_landcover_250m.tif",)),
    notes="For testing raster code only.",
)

SPECS = (ELEVATION, LANDCOVER_RASTER)
