"""Replay the recorded official responses (no network); an offline transport; a data-dir builder.

``build_official_data_dir(path)`` runs the real fetchers against the recordings, so every mission
layer can then be loaded with ``areal.layers.loader.load(layer, data_dir=path)``.
"""

from __future__ import annotations

import io
import json
import re
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "tests" / "fixtures" / "recorded"
MISSION_LAYERS = (
    "business_areas",
    "ar5",
    "reindeer_pastures",
    "reindeer_migration_routes",
    "reindeer_districts",
    "protected_areas",
    "aquaculture_sites",
)


class RecordedResponse:
    """A recorded body served like an HTTP response (honours Range, can cut off after N bytes)."""

    def __init__(self, body: bytes, status: int = 200, start: int = 0, cut_after: int | None = None):
        self._buf = io.BytesIO(body[start:])
        self.status = status
        self.headers = {"content-length": str(len(body) - start)}
        self._left = cut_after

    def read(self, n: int = -1) -> bytes:
        if self._left is not None:
            if self._left <= 0:
                raise ConnectionResetError("recorded connection reset")
            n = self._left if n < 0 else min(n, self._left)
            self._left -= n
        return self._buf.read(n)

    def close(self) -> None:
        pass


class RecordedTransport:
    """Serve recorded files by URL (query strings ignored); log every request."""

    def __init__(self, recorded: Path = RECORDED, cut_after: dict[str, int] | None = None):
        self.index = {u: recorded / p for u, p in json.loads((recorded / "index.json").read_text()).items()}
        self.requests = []
        self.cut_after = dict(cut_after or {})

    def match(self, url: str) -> tuple[str, Path]:
        """The recording of ``url``: an index key with the same base whose query parameters are all
        in the request's (the most specific wins); a key without a query matches any query."""
        base, _, query = url.partition("?")
        have = set(urllib.parse.parse_qsl(query))
        best = None
        for key, path in self.index.items():
            kbase, _, kquery = key.partition("?")
            want = set(urllib.parse.parse_qsl(kquery))
            if kbase == base and want <= have and (best is None or len(want) > best[0]):
                best = (len(want), key, path)
        if best is None:
            raise AssertionError(f"no recorded response for {url}")
        return best[1], best[2]

    def __call__(self, req):
        self.requests.append(req)
        base, path = self.match(req.url)
        body = path.read_bytes()
        start, status = 0, 200
        rng = dict(req.headers).get("Range")
        if rng:
            start = int(re.match(r"bytes=(\d+)-", rng).group(1))
            status = 206
        cut = self.cut_after.pop(base.split("?")[0], None)
        return RecordedResponse(body, status, start, cut)


def offline_transport(req):
    """What urllib raises with the network down."""
    import urllib.error

    raise urllib.error.URLError(OSError(101, "Network is unreachable"))


def build_official_data_dir(path: Path) -> Path:
    """Populate ``path`` with every mission layer, fetched from the recorded official responses."""
    from areal.layers import fetch

    sys.path.insert(0, str(ROOT / "scripts"))
    import make_fixtures  # noqa: F401  (the fixture generator; its constants place the data)

    path.mkdir(parents=True, exist_ok=True)
    # FKB-AR5 needs a GeoID token: from the data directory's fetch.toml (a recorded, not a real one)
    (path / "fetch.toml").write_text('[credentials.geoid]\ntoken = "recorded-token"\n', encoding="utf-8")
    ctx = fetch.FetchContext(
        data_dir=path,
        transport=RecordedTransport(),
        progress=False,
        municipalities=["5001", "5028"],
        bbox=make_fixtures.DTM_BBOX,
        poll_s=0.0,
    )
    for lid in (
        "business_areas",
        "ar5",
        "reindeer_pastures",
        "reindeer_migration_routes",
        "reindeer_districts",
        "protected_areas",
        "aquaculture_sites",
        "elevation",
    ):
        fetch.fetch_layer(lid, ctx)
    return path
