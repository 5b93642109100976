"""The folium map: offline assets, themes, legend, tooltips, credits, zoom bands, page budget."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
from areal.apps.planner import mapping
from areal.apps.planner.data import AppData
from areal.layers import registry
from conftest import UTM33, X0, Y0
from shapely.geometry import LineString, Point, box


@pytest.fixture(scope="module")
def starter() -> AppData:
    """The packaged starter extract only (no data folder): what a fresh install shows."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as empty:
        old = os.environ.get("AREAL_DATA_DIR")
        os.environ["AREAL_DATA_DIR"] = empty
        try:
            return AppData.load(empty)
        finally:
            if old is None:
                os.environ.pop("AREAL_DATA_DIR")
            else:
                os.environ["AREAL_DATA_DIR"] = old


def _config(html: str) -> dict:
    m = re.search(r"ArealMap\.init\([^,]+, (\{.*\}) /\*areal-config-end\*/", html, re.S)
    assert m, "map config not found"
    return json.loads(m.group(1).replace("<\\/", "</"))


def test_no_external_js_or_css(starter):
    html = mapping.map_html(mapping.build_map(starter.layers, starter.specs))
    refs = re.findall(r'<script[^>]+src="([^"]+)"', html) + re.findall(r'<link[^>]+href="([^"]+)"', html)
    assert refs, "the map loads its assets from somewhere"
    assert all(r.startswith("/areal-static/") for r in refs), refs
    assert "/areal-static/leaflet/leaflet.js" in refs
    assert "/areal-static/vendor/leaflet-draw/leaflet.draw.js" in refs
    assert not re.search(r"(cdn\.|jsdelivr|cdnjs|unpkg|code\.jquery|bootstrapcdn)", html)


def test_offline_assets_exist():
    from areal.apps.planner.server import static_dirs

    dirs = {k: Path(v) for k, v in static_dirs().items()}
    html = mapping.map_html(mapping.build_map({}, registry.specs(), data_url=None))
    for ref in re.findall(r'(?:src|href)="(/areal-static/[^"]+)"', html):
        prefix, _, rest = ref.lstrip("/").partition("/")
        sub, _, file = rest.partition("/")
        assert (dirs[f"{prefix}/{sub}"] / file).is_file(), ref
    for lic in ("leaflet-draw/LICENSE", "leaflet.markercluster/LICENSE"):
        assert "Permission is hereby granted" in (dirs["areal-static/vendor"] / lic).read_text()
    assert "1.9.4" in (dirs["areal-static/leaflet"] / "leaflet.js").read_text()[:2000]


def test_every_layer_listed_grouped_by_theme_missing_ones_with_reason(starter):
    reasons = starter.reasons("planner", "nb")  # public viewers get "ikke tilgjengelig" only (issue 14)
    cfg = _config(mapping.map_html(mapping.build_map(starter.layers, starter.specs, unavailable=reasons)))
    ids = [lc["id"] for lc in cfg["layers"]]
    expected = [s.id for s in registry.specs() if s.kind != "table"]
    assert ids == expected
    assert [t["id"] for t in cfg["themes"]][:3] == ["administrative", "business", "agriculture"]
    by_id = {lc["id"]: lc for lc in cfg["layers"]}
    assert by_id["forest"]["theme"] == "landcover"
    assert not by_id["ar5"]["available"] and "areal fetch ar5" in by_id["ar5"]["reason"]
    assert not by_id["business_areas"]["available"] and not by_id["business_areas"]["visible"]
    assert by_id["municipalities"]["available"] and by_id["municipalities"]["visible"]


def test_legend_and_credits_come_from_the_spec():
    spec = registry.get("roads")
    leg = mapping.legend_entries(spec)
    assert leg["symbol"] == "line"
    cats = {c["code"]: c for c in leg["categories"]}
    assert cats["E"]["label"] == "Europaveg" and cats["E"]["color"] == spec.style.categories["E"]
    cfg = _config(
        mapping.map_html(mapping.build_map({}, [spec, registry.get("municipalities")], data_url=None))
    )
    assert {lc["attribution"] for lc in cfg["layers"]} == {
        spec.attribution,
        registry.get("municipalities").attribution,
    }


def test_tooltips_decode_code_lists_and_label_fields():
    spec = registry.get("roads")
    gdf = gpd.GeoDataFrame(
        {"vegkategori": ["E", "F"], "vegnummer": ["6", "704"], "typeVeg": ["enkelBilveg", None]},
        geometry=[LineString([(X0, Y0), (X0 + 100, Y0)])] * 2,
        crs=UTM33,
    )
    props = mapping.feature_properties(gdf, spec)
    assert props[0] == {"vegkategori": "Europaveg", "vegnummer": "6", "typeVeg": "Enkel bilveg", "_c": "E"}
    assert "typeVeg" not in props[1]
    cfg = _config(mapping.map_html(mapping.build_map({"roads": gdf}, [spec], lang="nb", data_url=None)))
    assert cfg["layers"][0]["fields"]["vegkategori"] == "Vegkategori"
    cfg_en = _config(mapping.map_html(mapping.build_map({"roads": gdf}, [spec], lang="en", data_url=None)))
    assert cfg_en["layers"][0]["fields"]["vegkategori"] == "Road category"
    assert cfg_en["layers"][0]["title"] == spec.title_en


def test_geojson_is_wgs84_and_inline_when_standalone():
    spec = registry.get("municipalities")
    gdf = gpd.GeoDataFrame(
        {"kommunenummer": ["5001"], "kommunenavn": ["Trondheim"]},
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)],
        crs=UTM33,
    )
    fc = json.loads(mapping.layer_geojson(gdf, spec, mapping.ZOOM_BANDS[4]))
    (x, y) = fc["features"][0]["geometry"]["coordinates"][0][0]
    assert 9 < x < 12 and 63 < y < 64  # lon/lat around Trondheim
    cfg = _config(mapping.map_html(mapping.build_map({"municipalities": gdf}, [spec], data_url=None)))
    assert cfg["layers"][0]["data"]["features"][0]["properties"]["kommunenavn"] == "Trondheim"


def test_zoom_bands():
    assert [mapping.band_for_zoom(z).index for z in (5, 7, 8, 9, 10, 12, 14, 18)] == [0, 0, 1, 1, 2, 3, 4, 4]
    assert all(a.tolerance_m > b.tolerance_m for a, b in zip(mapping.ZOOM_BANDS, mapping.ZOOM_BANDS[1:]))


def test_bbox_clips_and_budget_simplifies():
    spec = registry.get("forest")
    circle = Point(X0, Y0).buffer(20_000, quad_segs=4000)  # 16,001 vertices
    gdf = gpd.GeoDataFrame(geometry=[circle, box(X0 + 100_000, Y0, X0 + 101_000, Y0 + 1000)], crs=UTM33)
    full = mapping.layer_geojson(gdf, spec, mapping.ZOOM_BANDS[4])
    coarse = mapping.layer_geojson(gdf, spec, mapping.ZOOM_BANDS[0])
    assert len(coarse) < len(full) / 10
    w, s, e, n = (
        gpd.GeoSeries([box(X0 - 1000, Y0 - 1000, X0 + 1000, Y0 + 1000)], crs=UTM33).to_crs(4326).total_bounds
    )
    part = json.loads(mapping.layer_geojson(gdf, spec, mapping.ZOOM_BANDS[4], bbox=(w, s, e, n)))
    assert len(part["features"]) == 1  # the far square is not sent
    small = mapping.layer_geojson(gdf, spec, mapping.ZOOM_BANDS[4], budget_bytes=20_000)
    assert len(small) <= 20_000 and json.loads(small)["tolerance_m"] > 0


def test_too_large_layer_is_thinned_not_sent_empty():
    # Was: sent empty with "too_large" (the map drew nothing, issue 14). Now the budget keeps an
    # even spread of the points and says how many of how many are drawn.
    spec = registry.get("aquaculture_sites")
    pts = gpd.GeoDataFrame(geometry=[Point(X0 + 10 * i, Y0) for i in range(2000)], crs=UTM33)
    body = mapping.layer_geojson(pts, spec, mapping.ZOOM_BANDS[0], budget_bytes=5000)
    fc = json.loads(body)
    assert len(body) <= 5000
    kept = len(fc["features"])
    assert fc["thinned"] == {"kept": kept, "total": 2000} and 20 < kept < 2000
    xs = sorted(f["geometry"]["coordinates"][0] for f in fc["features"])
    lon0, lon1 = gpd.GeoSeries([Point(X0, Y0), Point(X0 + 19_990, Y0)], crs=UTM33).to_crs(4326).x
    assert xs[0] == pytest.approx(lon0, abs=1e-3) and xs[-1] > lon0 + 0.8 * (lon1 - lon0)  # spread


def test_thinned_lines_keep_the_longest():
    spec = registry.get("roads")
    lines = [LineString([(X0, Y0 + 100 * i), (X0 + 50 * (i + 1), Y0 + 100 * i)]) for i in range(300)]
    gdf = gpd.GeoDataFrame(
        {"vegkategori": ["E"] * 300, "vegnummer": list(range(300))}, geometry=lines, crs=UTM33
    )
    fc = json.loads(mapping.layer_geojson(gdf, spec, mapping.ZOOM_BANDS[4], budget_bytes=8000))
    kept = [int(float(f["properties"]["vegnummer"])) for f in fc["features"]]
    assert 0 < len(kept) < 300 and fc["thinned"]["total"] == 300
    assert sorted(kept) == list(range(300 - len(kept), 300))  # the longest lines


def test_missing_category_is_not_nan():
    spec = registry.get("roads")
    gdf = gpd.GeoDataFrame(
        {"vegkategori": ["E", None, float("nan")], "vegnummer": [6.0, float("nan"), 3.0]},
        geometry=[LineString([(X0, Y0 + i), (X0 + 1000, Y0 + i)]) for i in range(3)],
        crs=UTM33,
    )
    from areal.apps.jsonsafe import loads_strict

    for band in mapping.ZOOM_BANDS:
        fc = loads_strict(mapping.layer_geojson(gdf, spec, band))
        cats = sorted(str(f["properties"].get("_c")) for f in fc["features"])
        assert cats == ["E", "None", "None"]  # the uncategorised lines carry no "_c"
        assert all(v is not None for f in fc["features"] for v in f["properties"].values())


def _page_bytes(data: AppData, band: int, bbox=None) -> int:
    return sum(len(data.geojson(lid, band, bbox)) for lid in data.vector_ids())


def test_all_layers_at_once_stay_within_the_page_budget_starter(starter):
    for band in range(len(mapping.ZOOM_BANDS)):
        assert _page_bytes(starter, band, (10.0, 63.2, 10.8, 63.6)) <= mapping.PAGE_BUDGET_BYTES


def test_all_layers_at_once_stay_within_the_page_budget_real(real_data):
    data = AppData.load(real_data)
    sizes = {
        band: _page_bytes(data, band, (9.5, 63.0, 11.5, 64.0)) for band in range(len(mapping.ZOOM_BANDS))
    }
    print("GeoJSON bytes per page with every layer on, by zoom band:", sizes)
    assert max(sizes.values()) <= mapping.PAGE_BUDGET_BYTES
    # Zoom-band simplification matters: the coarse band is far smaller than full detail of the whole layer.
    full = sum(
        len(mapping.layer_geojson(data.layers[lid], data.spec(lid), mapping.ZOOM_BANDS[4]))
        for lid in ("forest", "open_land", "mire")
    )
    coarse = sum(len(data.geojson(lid, 0)) for lid in ("forest", "open_land", "mire"))
    assert coarse < full / 2


@pytest.fixture(scope="module")
def real_app_data(real_data) -> AppData:
    return AppData.load(real_data)


# a zoom-10 view over Trondheim (1,000 x 800 px) padded by half the view each side, as the map asks
ZOOM10_BBOX = (8.7, 62.9, 12.1, 64.0)


def test_every_layer_and_band_is_strict_json_and_drawn_real(real_app_data):
    from areal.apps.jsonsafe import loads_strict

    data = real_app_data
    empty = []
    for lid in data.vector_ids():
        for band in mapping.ZOOM_BANDS:
            bbox = (
                None if band.whole_layer else (ZOOM10_BBOX if band.index == 2 else (10.2, 63.3, 10.6, 63.5))
            )
            fc = loads_strict(data.geojson(lid, band.index, bbox))  # a browser's JSON.parse
            assert fc["type"] == "FeatureCollection"
            assert not fc.get("too_large"), (lid, band.index)
            if not fc["features"] and band.whole_layer:
                empty.append((lid, band.index))
    assert not empty, empty
    # roads: drawn at every zoom, with their categories (the reason the layer never drew)
    for band, bbox in ((0, None), (1, None), (2, ZOOM10_BBOX), (3, (10.2, 63.3, 10.6, 63.5))):
        fc = loads_strict(data.geojson("roads", band, bbox))
        cats = {f["properties"].get("_c") for f in fc["features"]}
        assert {"E", "F"} <= cats, (band, cats)


def test_raster_png(tmp_path):
    import numpy as np
    import rasterio

    path = tmp_path / "dem.tif"
    arr = np.arange(100, dtype="int16").reshape(10, 10)
    arr[0, 0] = -9999
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=10,
        height=10,
        count=1,
        dtype="int16",
        crs="EPSG:25833",
        transform=rasterio.Affine(1000, 0, X0, 0, -1000, Y0 + 10_000),
        nodata=-9999,
    ) as dst:
        dst.write(arr, 1)
    png, (s, w, n, e) = mapping.raster_png(path)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    ll = gpd.GeoSeries([box(X0, Y0, X0 + 10_000, Y0 + 10_000)], crs=UTM33).to_crs(4326).total_bounds
    assert s <= ll[1] + 0.01 and n >= ll[3] - 0.01 and w <= ll[0] + 0.01 and e >= ll[2] - 0.01
    import io

    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(png)))
    assert img[..., 3].min() == 0 and img[..., 3].max() > 0  # nodata is transparent


# ---------------------------------------------------------------------- tooltips in English (issue 14)


@pytest.mark.parametrize(
    "layer_id, nb, en",
    [
        (
            "protected_areas",
            {"Naturreservat", "Dyrefredningsområde"},
            {"Nature reserve", "Wildlife sanctuary"},
        ),
        ("national_parks", {"Nasjonalpark"}, {"National park"}),
    ],
)
def test_starter_geojson_tooltips_in_the_session_language(starter, layer_id, nb, en):
    by_lang = {
        lang: json.loads(starter.geojson(layer_id, 0, lang=lang))["features"] for lang in ("nb", "en", "nb")
    }
    verneform = {lang: {f["properties"]["verneform"] for f in fs} for lang, fs in by_lang.items()}
    assert nb <= verneform["nb"] and not en & verneform["nb"]  # Norwegian as before (cache kept apart)
    assert en <= verneform["en"] and not nb & verneform["en"]
    # names are names in both languages; codes only through the table
    assert [f["properties"]["navn"] for f in by_lang["en"]] == [
        f["properties"]["navn"] for f in by_lang["nb"]
    ]
    with pytest.raises(ValueError, match="lang"):
        starter.geojson(layer_id, 0, lang="de")


def test_ar5_tooltips_in_english_per_column():
    """AR5's code lists share codes (11 is Bebygd as arealtype, Impediment as skogbonitet)."""
    spec = registry.get("ar5")
    gdf = gpd.GeoDataFrame(
        {"arealtype": ["30", "11"], "skogbonitet": ["13", "11"], "treslag": ["31", "99"]},
        geometry=[box(X0, Y0, X0 + 100, Y0 + 100), box(X0 + 200, Y0, X0 + 300, Y0 + 100)],
        crs=UTM33,
    )
    nb = [
        f["properties"]
        for f in json.loads(mapping.layer_geojson(gdf, spec, mapping.ZOOM_BANDS[4]))["features"]
    ]
    en = [
        f["properties"]
        for f in json.loads(mapping.layer_geojson(gdf, spec, mapping.ZOOM_BANDS[4], lang="en"))["features"]
    ]
    assert nb[0] == {"arealtype": "Skog", "skogbonitet": "Middels", "treslag": "Barskog", "_c": "30"}
    assert en[0] == {
        "arealtype": "Forest",
        "skogbonitet": "Medium",
        "treslag": "Coniferous forest",
        "_c": "30",
    }
    assert en[1] == {
        "arealtype": "Built-up",
        "skogbonitet": "Unproductive",
        "treslag": "Not recorded",
        "_c": "11",
    }
    cfg = _config(
        mapping.map_html(mapping.build_map({"ar5": gdf}, [spec], lang="en", visible=["ar5"], data_url=None))
    )
    assert cfg["layers"][0]["data"]["features"][0]["properties"]["arealtype"] == "Forest"  # inline too
    assert cfg["layers"][0]["fields"]["skogbonitet"] == "Site index"


def test_english_tooltips_translate_words_not_names():
    spec = registry.get("roads")
    gdf = gpd.GeoDataFrame(
        {"vegkategori": ["F"], "vegnummer": ["Sti"], "typeVeg": ["sti"]},
        geometry=[LineString([(X0, Y0), (X0 + 100, Y0)])],
        crs=UTM33,
    )
    assert mapping.feature_properties(gdf, spec, "en") == [
        {"vegkategori": "County road", "vegnummer": "Sti", "typeVeg": "Path", "_c": "F"}
    ]
    parks = registry.get("national_parks")
    named = gpd.GeoDataFrame(
        {"navn": ["Skog"], "verneform": ["NP"]}, geometry=[box(X0, Y0, X0 + 9, Y0 + 9)], crs=UTM33
    )
    assert mapping.feature_properties(named, parks, "en") == [{"navn": "Skog", "verneform": "National park"}]


def test_arena_sectors_in_words_in_both_languages():
    spec = registry.get("test_arenas")
    gdf = gpd.GeoDataFrame(
        {"name": ["Lab"], "arena_type": ["lab"], "sectors": ["buildings;energy"], "status": ["planned"]},
        geometry=[Point(X0, Y0)],
        crs=UTM33,
    )
    assert mapping.feature_properties(gdf, spec, "nb") == [
        {"name": "Lab", "arena_type": "Laboratorium", "sectors": "bygg, energi", "status": "Planlagt"}
    ]
    assert mapping.feature_properties(gdf, spec, "en") == [
        {"name": "Lab", "arena_type": "Laboratory", "sectors": "buildings, energy", "status": "Planned"}
    ]


def test_every_coded_tooltip_value_of_the_real_extracts_has_english(real_app_data):
    """The coded columns without a code list (road type, licensing stage, IUCN ...) as the real data has them."""
    from areal.apps.planner import i18n

    from tests.apps.textscan import problems

    data, missing, seen = real_app_data, set(), set()
    for lid in data.vector_ids():
        spec = data.spec(lid)
        coded = [
            c for c in spec.tooltip if c in spec.code_lists or c in i18n.CODED_FIELDS or c in i18n.LIST_FIELDS
        ]
        if not coded:
            continue
        for f in json.loads(data.geojson(lid, 0, lang="en"))["features"]:
            for col in coded:
                if isinstance(v := f["properties"].get(col), str):
                    seen.add(col)
                    if problems(v, "en") or i18n.VALUE_EN.get(v, v) != v:  # Norwegian, or a code
                        missing.add((lid, col, v))
        words_nb = set(i18n.VALUE_NB.values())
        for f in json.loads(data.geojson(lid, 0))["features"]:
            for col in spec.tooltip:
                if col in i18n.CODED_FIELDS and isinstance(v := f["properties"].get(col), str):
                    # Norwegian: no raw code left (enkelBilveg, IUCN_II, TN), every value known
                    if v in i18n.VALUE_NB or (v not in i18n.VALUE_EN and v not in words_nb):
                        missing.add((lid, col, v))
    assert {"verneform", "typeVeg", "stadium", "iucn", "sectors"} <= seen
    assert not missing, sorted(missing)


def test_raw_codes_in_words_in_norwegian_tooltips():
    """Values some sources deliver as identifiers read as words in the Norwegian map too."""
    import geopandas as gpd
    from areal.apps.planner import i18n
    from areal.layers import registry
    from shapely import LineString

    spec = registry.get("roads")
    if "typeVeg" not in spec.tooltip:
        pytest.skip("the roads layer shows no road type")
    gdf = gpd.GeoDataFrame(
        {c: ["x"] for c in spec.tooltip} | {"typeVeg": ["enkelBilveg"]},
        geometry=[LineString([(0, 0), (1, 1)])],
        crs="EPSG:25833",
    )
    assert mapping.feature_properties(gdf, spec, "nb")[0]["typeVeg"] == "Enkel bilveg"
    assert mapping.feature_properties(gdf, spec, "en")[0]["typeVeg"] == "Single carriageway"
    assert set(i18n.VALUE_NB) <= set(i18n.VALUE_EN)  # every code has its English too


def test_farmed_species_in_english_one_by_one():
    """The aquaculture register's comma-separated species read in English; Norwegian unchanged."""
    import geopandas as gpd
    from shapely import Point

    spec = registry.get("aquaculture_sites")
    assert "species" in spec.tooltip
    gdf = gpd.GeoDataFrame(
        {c: [None] for c in spec.tooltip} | {"species": ["Laks, Regnbueørret, Calanus glacialis **"]},
        geometry=[Point(0, 0)],
        crs="EPSG:25833",
    )
    assert mapping.feature_properties(gdf, spec, "en")[0]["species"] == (
        "Atlantic salmon, Rainbow trout, Calanus glacialis **"
    )
    assert (
        mapping.feature_properties(gdf, spec, "nb")[0]["species"]
        == "Laks, Regnbueørret, Calanus glacialis **"
    )


def test_every_farmed_species_of_the_register_has_english(real_app_data):
    from areal.apps.planner import i18n

    names = set()
    for f in json.loads(real_app_data.geojson("aquaculture_sites", 0))["features"]:
        if isinstance(v := f["properties"].get("species"), str):
            names.update(v.split(", "))
    assert len(names) > 20
    missing = sorted(n for n in names if n not in i18n.VALUE_EN and not n.endswith("**"))
    assert not missing, missing
