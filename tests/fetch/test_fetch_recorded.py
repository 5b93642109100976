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


@pytest.fixture
def ctx(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    return fetch.FetchContext(
        data_dir=d,
        transport=RecordedTransport(),
        progress=False,
        municipalities=["5001", "5028"],
        bbox=(270_000.0, 7_040_000.0, 271_000.0, 7_041_000.0),
    )


def test_every_mission_fetcher_has_a_recording():
    index = json.loads((RECORDED / "index.json").read_text())
    for lid in (
        "business_areas",
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


def test_ar5_order_per_municipality(ctx):
    res = fetch.fetch_layer("ar5", ctx)
    assert res.targets == ["ar5/ar5_5001.gpkg", "ar5/ar5_5028.gpkg"]
    order = ctx.transport.requests[0]
    assert order.method == "POST" and order.url == "https://nedlasting.geonorge.no/api/order"
    body = json.loads(order.data)
    line = body["orderLines"][0]
    assert line["metadataUuid"] == "280bbd7a-5ce9-4c83-9e15-ac162cabd8a6"
    assert [a["code"] for a in line["areas"]] == ["5001", "5028"] and line["formats"] == [{"name": "FGDB"}]
    g = loader.load("ar5", ctx.data_dir, cache=False, strict=True)
    assert len(g) == 18
    farmland = g[g["arealtype"].isin(["21", "22", "23"])]
    assert farmland.geometry.area.sum() == pytest.approx(2 * 3 * 250_000)  # 3 cells of 500 m per municipality
    forest = g[g["arealtype"] == "30"]
    assert sorted(forest["skogbonitet"].unique()) == ["11", "13", "14"]


def test_business_areas_wfs_gml(ctx):
    res = fetch.fetch_layer("business_areas", ctx)
    req = ctx.transport.requests[0]
    assert "request=GetFeature" in req.url and "typeNames=app%3AKpArealform%C3%A5lOmr%C3%A5de" in req.url
    assert "bbox=270000%2C7040000%2C271000%2C7041000" in req.url
    assert res.n_features == 6
    g = loader.load("business_areas", ctx.data_dir, cache=False, strict=True)
    rep = g.attrs["load_report"]
    assert len(g) == 4 and rep["n_filtered"] == 2 and rep["n_repaired"] == 1  # the bow-tie
    assert sorted(zip(g["kommunenummer"], g["arealbruksstatus"])) == [
        ("5001", "1"),
        ("5001", "2"),
        ("5028", "1"),
        ("5028", "2"),
    ]
    assert (g["arealformal"] == "1300").all()


def test_business_areas_from_county_url_in_fetch_toml(ctx):
    (ctx.data_dir / "fetch.toml").write_text(
        f'[business_areas]\nurl = "{registry.get("business_areas").fetch.url}"\n'
    )
    ctx.config = fetch.load_config(ctx.data_dir)
    fetch.fetch_layer("business_areas", ctx)
    # the configured URL is fetched as it is (no WFS query string added)
    assert [r.url for r in ctx.transport.requests] == [registry.get("business_areas").fetch.url]


def test_protected_areas_and_aquaculture(ctx):
    fetch.fetch_layer("protected_areas", ctx)
    g = loader.load("protected_areas", ctx.data_dir, cache=False, strict=True)
    assert sorted(g["navn"]) == ["Gaulosen", "Leinøra", "Skjækerfjella", "Tauterryggen"]
    assert set(g["verneform"]) == {"Naturreservat", "Nasjonalpark", "MarintVerneomraade"}
    fetch.fetch_layer("aquaculture_sites", ctx)
    a = loader.load("aquaculture_sites", ctx.data_dir, cache=False, strict=True)
    assert sorted(a["site_id"]) == [12345, 23456]  # Nordland site outside the county
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
    res = CliRunner().invoke(
        main, ["fetch", "protected_areas", "--data-dir", str(d), "--timeout", "0.5", "--no-progress"]
    )
    assert time.perf_counter() - t0 < 10
    assert res.exit_code == 1
    assert "FetchError" in res.output and "Miljødirektoratet" in res.output and "kartkatalog" in res.output
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
