"""`areal fetch` against recorded official responses: parsing, manifest, resume, offline, atomicity."""

import hashlib
import json
import time
from pathlib import Path

import pytest
import rasterio
from areal.apps.cli import main
from areal.geo.errors import FetchError
from areal.layers import fetch, loader, registry
from click.testing import CliRunner
from recorded_transport import RECORDED, RecordedTransport, offline_transport


def _listing(d: Path) -> list[str]:
    return sorted(str(p.relative_to(d)) for p in d.rglob("*"))


TOKEN = "recorded-geoid-token"


@pytest.fixture
def ctx(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    # the GeoID token for FKB-AR5 orders comes from the data directory's fetch.toml here
    (d / "fetch.toml").write_text(f'[credentials.geoid]\ntoken = "{TOKEN}"\n')
    return fetch.FetchContext(
        data_dir=d,
        transport=RecordedTransport(),
        progress=False,
        municipalities=["5001", "5028"],
        bbox=(270_000.0, 7_040_000.0, 271_000.0, 7_041_000.0),
        poll_s=0.0,
        backoff=0.0,
    )


def test_every_mission_fetcher_has_a_recording():
    index = json.loads((RECORDED / "index.json").read_text())
    ogc = registry.get("business_areas").fetch
    assert ogc.url + "collections/KpArealform%C3%A5lOmr%C3%A5de/items" in index
    for lid in (
        "reindeer_migration_routes",
        "reindeer_districts",
        "protected_areas",
        "aquaculture_sites",
        "elevation",
    ):
        assert registry.get(lid).fetch.url in index, lid
    seasons = registry.get("reindeer_pastures").fetch
    for ds in seasons.params["datasets"].split(","):
        assert seasons.url.format(dataset=ds) in index
    assert registry.get("ar5").fetch.url in index
    for path in index.values():
        assert (RECORDED / path).stat().st_size < 200_000


def test_reindeer_seasons_parsed_with_calving_land(ctx):
    res = fetch.fetch_layer("reindeer_pastures", ctx)
    assert (
        len(res.downloads) == 5 and res.n_features == 20
    )  # 5 seasons × 2 districts × 2 categories; Sweden left out
    g = loader.load("reindeer_pastures", ctx.data_dir, cache=False, strict=True)
    assert set(g["reinbeitedistrikt"]) == {"YH", "YI"}
    counts = g["beitetid"].value_counts()
    assert counts["vårbeite I"] == 2 and counts["vinterbeite II"] == 2 and len(counts) == 10
    calving = g[g["beitetid"] == "vårbeite I"]
    assert set(calving["sesongomrade"]) == {"1"}
    assert calving.geometry.area.sum() == pytest.approx(2 * 4e6)  # two 2×2 km squares


def test_ar5_order_with_token_and_polling(ctx):
    res = fetch.fetch_layer("ar5", ctx)
    assert res.targets == ["ar5/ar5_5001.gpkg", "ar5/ar5_5028.gpkg"]
    order = ctx.transport.requests[0]
    assert order.method == "POST" and order.url == "https://nedlasting.geonorge.no/api/order"
    body = json.loads(order.data)
    line = body["orderLines"][0]
    assert line["metadataUuid"] == "166382b4-82d6-4ea9-a68e-6fd0c87bf788"  # FKB-AR5's download distribution
    assert [a["code"] for a in line["areas"]] == ["5001", "5028"] and line["formats"] == [
        {"name": "FGDB 10.0"}
    ]
    assert line["projections"][0]["codespace"] == "http://www.opengis.net/def/crs/EPSG/0/25833"
    # one file was WaitingForProcessing: the order was asked again before anything was downloaded
    urls = [r.url for r in ctx.transport.requests]
    assert urls[1] == "https://nedlasting.geonorge.no/api/order/rec-0001"
    # structured notes (a code and its values), with an English str() for library users
    assert res.notes[0].code == "fetch.order_checks" and res.notes[0].values == {
        "order": "rec-0001",
        "checks": 1,
    }
    assert str(res.notes[0]) == "order rec-0001: 1 status check(s)"
    assert res.notes[1].code == "fetch.unverified" and str(res.notes[1]).startswith("unverified fetcher")
    assert all(dict(r.headers)["Authorization"] == f"Bearer {TOKEN}" for r in ctx.transport.requests)
    manifest = (ctx.data_dir / fetch.MANIFEST).read_text()
    assert TOKEN not in manifest  # the secret is never written down
    g = loader.load("ar5", ctx.data_dir, cache=False, strict=True)
    assert len(g) == 18
    farmland = g[g["arealtype"].isin(["21", "22", "23"])]
    assert farmland.geometry.area.sum() == pytest.approx(2 * 3 * 250_000)  # 3 cells of 500 m per municipality
    forest = g[g["arealtype"] == "30"]
    assert sorted(forest["skogbonitet"].unique()) == ["11", "13", "14"]


def test_ar5_without_token_says_how_to_get_access(ctx, monkeypatch):
    (ctx.data_dir / "fetch.toml").unlink()
    monkeypatch.delenv("AREAL_GEOID_TOKEN", raising=False)
    with pytest.raises(FetchError, match="AREAL_GEOID_TOKEN") as err:
        fetch.fetch_layer("ar5", ctx)
    assert "GeoID" in str(err.value) and ctx.transport.requests == []  # nothing was sent


def test_order_that_never_gets_ready_stops(ctx):
    ctx.poll_max = 0
    with pytest.raises(FetchError, match="not ready after 0 checks .waiting: 5028"):
        fetch.fetch_layer("ar5", ctx)


def test_business_areas_ogc_api_features_paged(ctx, monkeypatch):
    monkeypatch.setenv("AREAL_NORGE_DIGITALT_USER", "kommune")
    monkeypatch.setenv("AREAL_NORGE_DIGITALT_PASSWORD", "hemmelig")
    res = fetch.fetch_layer("business_areas", ctx)
    urls = [r.url for r in ctx.transport.requests]
    items = (
        "https://nap.ft.dibk.no/services/rest/kommuneplaner/collections/KpArealform%C3%A5lOmr%C3%A5de/items"
    )
    assert all(u.startswith(items + "?") for u in urls) and len(urls) == 3  # 5001 in two pages, 5028 in one
    assert (
        "kommunenummer=5001" in urls[0]
        and "crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F25833" in urls[0]
    )
    assert "offset=2" in urls[1]  # the rel=next link of the first page
    assert dict(ctx.transport.requests[0].headers)["Authorization"].startswith("Basic ")
    assert res.n_features == 6 and str(res.notes[0]) == "3 page(s) from collection KpArealformålOmråde"
    assert res.notes[0].values == {"pages": 3, "collection": "KpArealformålOmråde"}
    assert "hemmelig" not in (ctx.data_dir / fetch.MANIFEST).read_text()
    g = loader.load("business_areas", ctx.data_dir, cache=False, strict=True)
    rep = g.attrs["load_report"]
    assert len(g) == 4 and rep["n_filtered"] == 2 and rep["n_repaired"] == 1  # the bow-tie
    assert sorted(zip(g["kommunenummer"], g["arealbruksstatus"])) == [
        ("5001", "1"),
        ("5001", "2"),
        ("5028", "1"),
        ("5028", "2"),
    ]
    assert (g["arealformal"] == "1300").all() and set(g["planidentifikasjon"]) == {"2021001", "2019002"}


def test_business_areas_ogc_bbox_filter(ctx):
    ctx.municipalities = None
    res = fetch.fetch_layer("business_areas", ctx)
    (req,) = ctx.transport.requests
    assert "bbox=270000%2C7040000%2C271000%2C7041000" in req.url and "bbox-crs=" in req.url
    assert res.n_features == 6
    # the layer is mapped where it was asked for: a site outside the box is "not mapped"
    from areal.layers.coverage import coverage_geometry

    cov = coverage_geometry("business_areas", ctx.data_dir)
    assert cov.kind == "sidecar" and cov.geometry.bounds == (270000.0, 7040000.0, 271000.0, 7041000.0)


def test_protected_areas_and_aquaculture(ctx):
    fetch.fetch_layer("protected_areas", ctx)
    g = loader.load("protected_areas", ctx.data_dir, cache=False, strict=True)
    assert sorted(g["navn"]) == ["Gaulosen", "Leinøra", "Skjækerfjella", "Tauterryggen"]
    assert set(g["verneform"]) == {"Naturreservat", "Nasjonalpark", "MarintVerneomraade"}
    fetch.fetch_layer("aquaculture_sites", ctx)
    a = loader.load("aquaculture_sites", ctx.data_dir, cache=False, strict=True)
    # the real rows (Ås, Frogn) and the Nordland site lie outside the county; the permit without a
    # site (empty LOK_NR) is left out, not a crash
    assert sorted(a["site_id"]) == [12345, 23456]
    site = a.set_index("site_id").loc[12345]
    assert site["species"] == "Laks, Regnbueørret" and site["placement"] == "SJØ"
    assert site["kommunenummer"] == "5054"


def test_dtm_mosaic_clipped_to_county(ctx):
    res = fetch.fetch_layer("elevation", ctx)
    assert res.targets == ["terrain/dtm50_trondelag_25833.tif"]
    req = ctx.transport.requests[0]
    assert (
        "COVERAGE=nhm_dtm_topo_25833" in req.url
        and "WIDTH=20" in req.url
        and "BBOX=270000%2C7040000%2C271000%2C7041000" in req.url
    )
    path = loader.raster_path("elevation", ctx.data_dir)
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == 25833 and src.res == (50.0, 50.0) and src.shape == (20, 20)
        z = src.read(1, masked=True)
    assert z.count() == 400 and 100 < float(z.mean()) < 200  # the tile lies wholly inside Trøndelag


def test_dtm_mosaic_is_written_to_disk_in_chunks_not_merged_in_memory(ctx, monkeypatch):
    import rasterio.merge

    calls = []
    real = rasterio.merge.merge

    def spy(*a, **kw):
        calls.append(kw)
        out = real(*a, **kw)
        assert out is None  # with dst_path, merge writes the file and returns nothing
        return out

    monkeypatch.setattr(rasterio.merge, "merge", spy)
    fetch.fetch_layer("elevation", ctx)
    assert len(calls) == 1 and calls[0]["dst_path"] and calls[0]["mem_limit"] <= 64


def test_dtm_tiles_cover_bbox():
    tiles = fetch.dtm_tiles((0, 0, 2500, 1000), 10.0, 100)
    assert len(tiles) == 3 and tiles[-1] == (2000.0, 0.0, 2500.0, 1000.0)


def test_manifest_records_checksums(ctx):
    fetch.fetch_layer("protected_areas", ctx)
    m = fetch.read_manifest(ctx.data_dir)["protected_areas"]
    dl = m["downloads"][0]
    body = (RECORDED / "Natur_Vern_norge_med_svalbard_25833.zip").read_bytes()
    assert dl["sha256"] == hashlib.sha256(body).hexdigest() and dl["bytes"] == len(body)
    assert (
        m["licence"] == "NLOD 2.0"
        and "Miljødirektoratet" in m["attribution"]
        and m["targets"] == ["protected/Naturvernomrader_50.gpkg"]
    )


def test_interrupted_download_resumes_with_range(ctx):
    url = registry.get("protected_areas").fetch.url
    ctx.transport = RecordedTransport(cut_after={url: 5000})
    ctx.retries = 0  # no automatic retry: the next run resumes
    before = _listing(ctx.data_dir)
    with pytest.raises(FetchError, match="Miljødirektoratet"):
        fetch.fetch_layer("protected_areas", ctx)
    part = ctx.data_dir / "downloads" / "Natur_Vern_norge_med_svalbard_25833.zip.part"
    assert part.stat().st_size == 5000
    assert not (ctx.data_dir / "protected").exists() and "fetch-manifest.json" not in _listing(ctx.data_dir)
    assert set(_listing(ctx.data_dir)) - set(before) == {
        "downloads",
        "downloads/Natur_Vern_norge_med_svalbard_25833.zip.part",
    }
    res = fetch.fetch_layer("protected_areas", ctx)
    assert ctx.transport.requests[-1].headers["Range"] == "bytes=5000-"
    assert res.downloads[0].resumed_from == 5000 and not part.exists()
    body = (RECORDED / "Natur_Vern_norge_med_svalbard_25833.zip").read_bytes()
    assert res.downloads[0].sha256 == hashlib.sha256(body).hexdigest()


def test_cut_download_is_retried_with_backoff_and_resumed(ctx, monkeypatch):
    import time as _time

    url = registry.get("protected_areas").fetch.url
    ctx.transport = RecordedTransport(cut_after={url: 5000})
    ctx.retries, ctx.backoff = 2, 0.25
    sleeps = []
    monkeypatch.setattr(_time, "sleep", sleeps.append)
    res = fetch.fetch_layer("protected_areas", ctx)
    assert sleeps == [0.25]  # one retry, after the first backoff
    assert ctx.transport.requests[-1].headers["Range"] == "bytes=5000-"
    body = (RECORDED / "Natur_Vern_norge_med_svalbard_25833.zip").read_bytes()
    assert (
        res.downloads[0].resumed_from == 5000 and res.downloads[0].sha256 == hashlib.sha256(body).hexdigest()
    )
    # a second fetch does not download the completed file again
    n = len(ctx.transport.requests)
    again = fetch.fetch_layer("protected_areas", ctx)
    assert len(ctx.transport.requests) == n and again.downloads[0].resumed_from == -1
    assert again.downloads[0].sha256 == res.downloads[0].sha256


def test_checksum_mismatch_removes_the_file(ctx):
    spec = registry.get("protected_areas")
    dest = ctx.data_dir / "downloads" / "x.zip"
    with pytest.raises(FetchError, match="SHA-256 mismatch"):
        fetch.download(spec.fetch.url, dest, ctx, spec, expected_sha256="0" * 64)
    assert not dest.exists()


@pytest.mark.parametrize(
    "layer",
    ["business_areas", "ar5", "reindeer_pastures", "protected_areas", "aquaculture_sites", "elevation"],
)
def test_offline_fails_fast_and_writes_nothing(ctx, layer):
    ctx.transport = offline_transport
    before = _listing(ctx.data_dir)
    t0 = time.perf_counter()
    with pytest.raises(FetchError) as err:
        fetch.fetch_layer(layer, ctx)
    assert time.perf_counter() - t0 < 5
    spec = registry.get(layer)
    msg = str(err.value)
    assert (
        spec.fetch.service in msg
        and "Manual alternative: " + spec.fetch.manual in msg
        and "Network is unreachable" in msg
    )
    assert _listing(ctx.data_dir) == before


def test_cli_offline_with_unroutable_address(tmp_path):
    """Live transport, no network: an unroutable address and a tiny timeout fail at once."""
    d = tmp_path / "data"
    d.mkdir()
    (d / "fetch.toml").write_text('[protected_areas]\nurl = "http://10.255.255.1:9/vern.zip"\n')
    before = _listing(d)
    t0 = time.perf_counter()
    res = CliRunner(env={"AREAL_LANG": "en"}).invoke(
        main, ["fetch", "protected_areas", "--data-dir", str(d), "--timeout", "0.5", "--no-progress"]
    )
    assert time.perf_counter() - t0 < 10
    assert res.exit_code == 1
    assert "FetchError" in res.output and "Miljødirektoratet" in res.output and "kartkatalog" in res.output
    nb = CliRunner().invoke(
        main, ["fetch", "protected_areas", "--data-dir", str(d), "--timeout", "0.5", "--no-progress"]
    )
    assert nb.exit_code == 1 and "Feil: kartlaget «Verneområder (Naturbase)»: Miljødirektoratet" in nb.output
    assert "kan ikke nås" in nb.output and "FetchError" not in nb.output
    assert _listing(d) == before


def test_cli_list():
    res = CliRunner().invoke(main, ["fetch", "--list"])
    assert res.exit_code == 0 and "reindeer_pastures" in res.output and "kart8.nibio.no" in res.output


def test_unknown_and_unfetchable_layer(ctx):
    with pytest.raises(KeyError, match="has no official download; fetchable layers are"):
        fetch.fetch_layer("test_arenas", ctx)


@pytest.mark.parametrize(
    "layer", ["business_areas", "ar5", "reindeer_pastures", "reindeer_migration_routes", "protected_areas"]
)
def test_every_mission_layer_loads_from_official_data_dir(official_data_dir, layer):
    g = loader.load(layer, official_data_dir, cache=False, strict=True)
    assert len(g) > 0 and g.crs.to_epsg() == 25833 and g.is_valid.all()
    assert g.attrs["load_report"]["origin"] == "data"


class _Files:
    """A transport serving given local files by URL (for fetchers tested on real or derived files)."""

    def __init__(self, files):
        self.files, self.requests = files, []

    def __call__(self, req):
        from recorded_transport import RecordedResponse

        self.requests.append(req)
        return RecordedResponse(Path(self.files[req.url.split("?")[0]]).read_bytes())


def test_county_fetch_writes_a_geopackage(ctx, real_data):
    # the real county zip as the service's answer: the fetch reads it and writes the Fylke layer
    spec = registry.get("county")
    ctx.transport = _Files(
        {spec.fetch.url: real_data / "boundaries" / "Basisdata_0000_Norge_25833_Fylker_GeoJSON.zip"}
    )
    res = fetch.fetch_layer("county", ctx)
    assert res.targets == ["boundaries/fylker_25833.gpkg"]
    g = loader.load("county", ctx.data_dir, cache=False, strict=True)
    assert len(g) == 1 and g.crs.to_epsg() == 25833 and g.loc[0, "fylkesnummer"] == "50"


def test_n1000_theme_layers_by_objtype_append_to_the_geopackage(ctx, tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    # a theme layer as in N1000's FGDB: one layer, the class in objtype
    theme = gpd.GeoDataFrame(
        {"objtype": ["Skog", "Myr", "Skog", "ÅpentOmråde"]},
        geometry=[box(270000 + i * 1000, 7040000, 270900 + i * 1000, 7040900) for i in range(4)],
        crs="EPSG:25833",
    )
    gdb = tmp_path / "N1000.gdb"
    theme.to_file(gdb, layer="N1000_Arealdekke_omrade", driver="OpenFileGDB")
    import shutil

    zipped = shutil.make_archive(str(tmp_path / "n1000"), "zip", tmp_path, "N1000.gdb")
    url = registry.get("forest").fetch.url
    ctx.transport = _Files({url: zipped})
    target = ctx.data_dir / "n1000" / "N1000_trondelag_25833.gpkg"
    target.parent.mkdir(parents=True)
    gpd.GeoDataFrame(
        {"kommunenummer": ["5001"], "kommunenavn": ["Trondheim"]},
        geometry=[box(260000, 7030000, 290000, 7050000)],
        crs="EPSG:25833",
    ).to_file(target, layer="Kommune")
    for lid in ("forest", "mire"):
        fetch.fetch_layer(lid, ctx)
    import pyogrio

    layers = {n for n, _ in pyogrio.list_layers(target)}
    assert layers == {"Kommune", "Skog", "Myr"}  # appended, never wiped
    assert len(gpd.read_file(target, layer="Skog")) == 2 and len(gpd.read_file(target, layer="Myr")) == 1
    assert registry.get("forest").fetch.params == {"layer": "N1000_Arealdekke_omrade", "objtype": "Skog"}
