"""Start the Panel server: the app, its GeoJSON/raster endpoints and the offline static assets."""

from __future__ import annotations

import asyncio
import socket
from importlib import resources
from pathlib import Path
from typing import Any

import tornado.web
from areal.apps import jsonsafe
from areal.apps.planner import mapping
from areal.apps.planner.data import AppData
from areal.geo.errors import ArealError

APP_STATIC = Path(__file__).resolve().parent.parent / "static"


def leaflet_dir() -> Path:
    """Leaflet 1.9.4 (JS, CSS, images) as shipped by the PyPI package ``django-js-lib-leaflet``."""
    return Path(str(resources.files("js_lib_leaflet").joinpath("static", "js_lib_leaflet")))


def static_dirs() -> dict[str, str]:
    """URL prefix → folder of the app's own assets (nothing is loaded from a CDN)."""
    prefix = mapping.STATIC_URL.strip("/")
    return {
        f"{prefix}/leaflet": str(leaflet_dir()),
        f"{prefix}/vendor": str(APP_STATIC / "vendor"),
        f"{prefix}/app": str(APP_STATIC / "app"),
    }


class _DataHandler(tornado.web.RequestHandler):
    def initialize(self, data: AppData) -> None:
        self.data = data

    def _fail(self, status: int, message: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(jsonsafe.dumps({"error": message}))


class GeoJSONHandler(_DataHandler):
    """``GET /areal/api/geojson/<layer>?band=<0..4>&bbox=w,s,e,n&kommune=<nr>``."""

    async def get(self, layer_id: str) -> None:  # noqa: D102
        try:
            band = int(self.get_argument("band", "0"))
            bbox_arg = self.get_argument("bbox", "")
            bbox = [float(v) for v in bbox_arg.split(",")] if bbox_arg else None
            kommune = self.get_argument("kommune", "")
            loop = asyncio.get_running_loop()
            body = await loop.run_in_executor(None, self.data.geojson, layer_id, band, bbox, kommune)
        except KeyError as exc:
            return self._fail(404, str(exc))
        except (ValueError, ArealError) as exc:
            return self._fail(400, str(exc))
        self.set_header("Content-Type", "application/geo+json; charset=utf-8")
        self.set_header("Cache-Control", "max-age=600")
        self.finish(body)


class RasterHandler(_DataHandler):
    """``GET /areal/api/raster/<layer>.png``."""

    async def get(self, layer_id: str) -> None:  # noqa: D102
        try:
            loop = asyncio.get_running_loop()
            png, _ = await loop.run_in_executor(None, self.data.raster, layer_id)
        except KeyError as exc:
            return self._fail(404, str(exc))
        self.set_header("Content-Type", "image/png")
        self.set_header("Cache-Control", "max-age=3600")
        self.finish(png)


class OverlayHandler(_DataHandler):
    """``GET /areal/api/overlay/<key>.png``: analysis images (suitability) made by a session."""

    def get(self, key: str) -> None:  # noqa: D102
        try:
            png = self.data.overlay(key)
        except KeyError as exc:
            return self._fail(404, str(exc))
        self.set_header("Content-Type", "image/png")
        self.set_header("Cache-Control", "max-age=3600, immutable")
        self.finish(png)


class PlacesHandler(_DataHandler):
    """``GET /areal/api/places``: names to search and label (municipalities, stations, ...)."""

    async def get(self) -> None:  # noqa: D102
        loop = asyncio.get_running_loop()
        places = await loop.run_in_executor(None, self.data.places)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "max-age=3600")
        self.finish(jsonsafe.dumps(places))


def extra_patterns(data: AppData) -> list[tuple[str, Any, dict]]:
    """Tornado routes of the data endpoints."""
    api = mapping.DATA_URL.rstrip("/")
    return [
        (rf"{api}/geojson/([a-z0-9_]+)", GeoJSONHandler, {"data": data}),
        (rf"{api}/raster/([a-z0-9_]+)\.png", RasterHandler, {"data": data}),
        (rf"{api}/overlay/([0-9a-f]+)\.png", OverlayHandler, {"data": data}),
        (rf"{api}/places", PlacesHandler, {"data": data}),
    ]


def free_port() -> int:
    """A free TCP port on localhost."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(
    data: AppData,
    *,
    mode: str = "planner",
    port: int = 5006,
    address: str = "127.0.0.1",
    show: bool = False,
    start: bool = True,
    threaded: bool = False,
    engines=None,
    store=None,
    **kwargs,
):
    """Serve the app at ``http://<address>:<port>/``.

    Parameters
    ----------
    data : AppData
        The loaded layers (shared by all sessions).
    mode : {"planner", "public"}
        Planner workbench or public read-only viewer.
    port, address : int, str
        Where to listen.
    show : bool
        Open a browser tab.
    start, threaded : bool
        Passed to :func:`panel.serve` (``threaded=True`` returns a stoppable thread).
    engines : Engines, optional
        Shared analysis engines (conflicts, suitability, land account); enables those views.
    store : ScenarioStore, optional
        Scenario store for the scenario tools (planner mode).
    """
    import panel as pn
    from areal.apps.planner.app import create_app

    def session():
        return create_app(data, mode, engines=engines, store=store)

    # Uploads arrive base64-encoded over the websocket: leave room above the mode's byte limit so
    # an oversized file still reaches the server and gets a clear message instead of a dropped socket.
    from areal.layers.upload import PLANNER_LIMITS, PUBLIC_LIMITS

    limit = PUBLIC_LIMITS if mode == "public" else PLANNER_LIMITS
    ws_max = int(limit.max_bytes * 1.5) + 20 * 1024**2
    return pn.serve(
        session,
        port=port,
        address=address,
        show=show,
        start=start,
        threaded=threaded,
        title="Arealkart Trøndelag",
        static_dirs=static_dirs(),
        extra_patterns=extra_patterns(data),
        websocket_max_message_size=ws_max,
        websocket_origin=[f"{address}:{port}", f"localhost:{port}", f"127.0.0.1:{port}"],
        **kwargs,
    )
