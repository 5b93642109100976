"""Fetchers without a real public sample say so: in `areal fetch --help`, `--list`, notes and errors."""

from areal.apps.cli import main
from areal.geo.errors import FetchError
from areal.layers import fetch, registry
from click.testing import CliRunner
from recorded_transport import offline_transport

UNVERIFIED = {"business_areas", "ar5", "ar50", "n50_arealdekke", "reindeer_pastures", "elevation"}


def test_the_unverified_fetchers_are_the_ones_without_a_real_sample():
    assert set(fetch.unverified()) == UNVERIFIED
    assert "årstidsbeite file names" in fetch.unverified()["reindeer_pastures"]
    assert "capabilities" in fetch.unverified()["elevation"]


def test_help_and_list_name_them():
    out = CliRunner(env={"AREAL_LANG": "en"}).invoke(main, ["fetch", "--help"]).output
    assert "Unverified fetchers" in out and all(f"{lid}:" in out for lid in UNVERIFIED)
    out = CliRunner().invoke(main, ["fetch", "--help"]).output  # Norwegian by default
    assert "Ubekreftede nedlastinger" in out and all(f"{lid}:" in out for lid in UNVERIFIED)
    listing = CliRunner().invoke(main, ["fetch", "--list", "--lang", "en"]).output
    assert listing.count("unverified:") == len(UNVERIFIED)
    listing = CliRunner().invoke(main, ["fetch", "--list"]).output
    assert listing.count("ukontrollert:") == len(UNVERIFIED)


def test_error_says_unverified(tmp_path):
    ctx = fetch.FetchContext(data_dir=tmp_path, transport=offline_transport, progress=False)
    try:
        fetch.download(
            registry.get("elevation").fetch.url, tmp_path / "x.tif", ctx, registry.get("elevation")
        )
    except FetchError as exc:
        assert "this fetcher is unverified (the coverage name" in str(exc)
    else:  # pragma: no cover - the offline transport always fails
        raise AssertionError("offline download did not fail")
