"""Start the Panel server: the app, its GeoJSON/raster endpoints and the offline static assets."""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
import socket
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import tornado.web
from areal.apps import jsonsafe
from areal.apps.planner import i18n, mapping
from areal.apps.planner.data import AppData
from areal.apps.planner.safe_text import strip_paths
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


LOCAL_ADDRESSES = ("127.0.0.1", "localhost", "::1")
"""Addresses at which planner mode may run without a login."""

log = logging.getLogger("areal.server")


class RateLimiter:
    """A token bucket per client address: ``burst`` requests at once, then ``per_second`` on average.

    The map asks for every visible layer at once when a page opens (a burst), then a few tiles per
    pan; a client looping over the endpoints is slowed to ``per_second`` and answered 429.

    >>> lim = RateLimiter(burst=2, per_second=1.0, clock=lambda: 0.0)
    >>> [lim.allow("a") for _ in range(3)], lim.allow("b")
    ([True, True, False], True)
    """

    def __init__(self, burst: int, per_second: float, clock=None, max_clients: int = 10_000):
        import threading
        import time

        self.burst, self.per_second = float(burst), float(per_second)
        self.clock = clock or time.monotonic
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        """Take one token of ``client``'s bucket; False when it is empty."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.per_second)
            ok = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if ok else tokens, now)
            if len(self._buckets) > self.max_clients:  # forget the oldest, memory stays bounded
                for key in sorted(self._buckets, key=lambda k: self._buckets[k][1])[: self.max_clients // 10]:
                    del self._buckets[key]
            return ok

    def retry_after(self) -> int:
        """Seconds until one token is back."""
        return max(1, int(1.0 / self.per_second + 0.999))


#: Request budgets of the data endpoints per client: (burst, per second).
RATE_LIMITS = {"public": (200, 20.0), "planner": (1000, 100.0)}


class _DataHandler(tornado.web.RequestHandler):
    """Base of the data endpoints: JSON errors (never a traceback), the planner login when on, a rate limit."""

    def initialize(
        self,
        data: AppData,
        auth: bool = False,
        api_token: str | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.data = data
        self.auth = auth
        self.api_token = api_token
        self.limiter = limiter

    def prepare(self) -> None:  # noqa: D102
        if self.limiter is not None and not self.limiter.allow(self.request.remote_ip or "?"):
            self.set_header("Retry-After", str(self.limiter.retry_after()))
            self._fail(429, "too many requests: wait a moment and try again")
            return
        if not self.auth:
            return
        header = self.request.headers.get("Authorization", "")
        if self.api_token and hmac.compare_digest(header, f"Bearer {self.api_token}"):
            return
        if self.get_secure_cookie("user"):
            return
        self._fail(
            401,
            "login required (planner mode): log in on the app page, or send Authorization: Bearer <token>",
        )

    def _fail(self, status: int, message: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(jsonsafe.dumps({"error": message}))

    def write_error(self, status_code: int, **kwargs) -> None:  # noqa: D102
        # An unexpected exception: one generic line to the visitor, the traceback in the log only.
        if "exc_info" in kwargs:
            log.error("data endpoint %s failed", self.request.path, exc_info=kwargs["exc_info"])
        self.set_header("Content-Type", "application/json")
        self.finish(jsonsafe.dumps({"error": "internal error" if status_code >= 500 else self._reason}))


def parse_bbox(value: str) -> list[float] | None:
    """``w,s,e,n`` in degrees, checked: four finite numbers, west < east, south < north, on the globe.

    Raises
    ------
    ValueError
        Naming what is wrong (answered with HTTP 400).
    """
    if not value:
        return None
    parts = value.split(",")
    if len(parts) != 4:
        raise ValueError(f"bbox must be 4 numbers west,south,east,north; got {len(parts)}")
    try:
        w, s, e, n = (float(v) for v in parts)
    except ValueError:
        raise ValueError("bbox must be 4 numbers west,south,east,north") from None
    if not all(np.isfinite([w, s, e, n])):
        raise ValueError("bbox values must be finite numbers")
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise ValueError("bbox must lie within -180..180 (west < east) and -90..90 (south < north) degrees")
    return [w, s, e, n]


class GeoJSONHandler(_DataHandler):
    """``GET /areal/api/geojson/<layer>?band=<0..4>&bbox=w,s,e,n&kommune=<nr>&lang=<nb|en>``."""

    async def get(self, layer_id: str) -> None:  # noqa: D102
        try:
            try:
                band = int(self.get_argument("band", "0"))
            except ValueError:
                raise ValueError("band must be an integer") from None
            bbox = parse_bbox(self.get_argument("bbox", ""))
            kommune = self.get_argument("kommune", "")
            if kommune and not (kommune.isdigit() and len(kommune) <= 4):
                raise ValueError("kommune must be a municipality number (up to 4 digits)")
            lang = self.get_argument("lang", i18n.DEFAULT_LANG)
            loop = asyncio.get_running_loop()
            body = await loop.run_in_executor(None, self.data.geojson, layer_id, band, bbox, kommune, lang)
        except KeyError as exc:
            return self._fail(404, str(exc))
        except (ValueError, ArealError) as exc:
            return self._fail(400, strip_paths(str(exc)))
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


def extra_patterns(
    data: AppData,
    *,
    auth: bool = False,
    api_token: str | None = None,
    limiter: RateLimiter | None = None,
) -> list[tuple[str, Any, dict]]:
    """Tornado routes of the data endpoints (behind the planner login when ``auth``, rate-limited)."""
    api = mapping.DATA_URL.rstrip("/")
    kw = {"data": data, "auth": auth, "api_token": api_token, "limiter": limiter}
    return [
        (rf"{api}/geojson/([a-z0-9_]+)", GeoJSONHandler, kw),
        (rf"{api}/raster/([a-z0-9_]+)\.png", RasterHandler, kw),
        (rf"{api}/overlay/([0-9a-f]+)\.png", OverlayHandler, kw),
        (rf"{api}/places", PlacesHandler, kw),
    ]


def is_local_address(address: str) -> bool:
    """Whether the server listens on the local machine only."""
    return address.strip("[]") in LOCAL_ADDRESSES


def check_auth(mode: str, address: str, basic_auth: str | None) -> None:
    """Refuse planner mode on a non-local address without a login (the public viewer stays open)."""
    if mode == "planner" and not basic_auth and not is_local_address(address):
        raise ArealError(
            f"planner mode on {address} would be open to anyone on the network: give --basic-auth PASSWORD "
            "(or a credentials file, or set AREAL_BASIC_AUTH), or serve the read-only viewer with --public"
        )


def error_page(mode: str, exc: BaseException):
    """What a visitor sees when the session cannot be built (a broken link): one line, no traceback."""
    import panel as pn
    from areal.apps.planner import i18n
    from areal.apps.planner.safe_text import esc

    text = i18n.t("app.error_page", i18n.DEFAULT_LANG) + " / " + i18n.t("app.error_page", "en")
    if mode == "planner":
        text += f"\n\n{esc(type(exc).__name__)}: {esc(exc)}"
    return pn.Column(
        pn.pane.Alert(text, alert_type="danger", css_classes=["areal-error-page"]),
        pn.pane.HTML('<a href="./">Arealkart Trøndelag</a>'),
    )


def free_port() -> int:
    """A free TCP port on localhost."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_check_process(data: AppData, engines=None):
    """Fork the process that reads and checks the sites of every session (None where it cannot).

    Call it once ``data`` and ``engines`` are loaded and before other threads start (a fork
    copies only the calling thread; a lock another thread held would stay locked in the child).
    """
    from areal.apps.planner.workers import ForkedWorker

    try:
        worker = ForkedWorker((data, engines))
    except (RuntimeError, OSError) as exc:
        log.warning("site checks run in the worker threads: %s", exc)
        return None
    log.info("site checks run in process %s", worker.pid)
    return worker


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
    basic_auth: str | None = None,
    cookie_secret: str | None = None,
    api_token: str | None = None,
    workers: int = 2,
    site_process=None,
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
    basic_auth : str, optional
        Planner login: a password, or the path of a JSON file ``{"user": "password"}`` (Panel's
        basic auth). Required in planner mode when ``address`` is not the local machine; the data
        endpoints then answer 401 without the login cookie (or ``Authorization: Bearer <api_token>``).
    cookie_secret : str, optional
        Signs the login cookie (default: a random secret per start, so a restart logs everyone out).
    api_token : str, optional
        Token for scripts calling the data endpoints of a planner server with a login.
    workers : int
        Threads of the worker pool (site checks, uploads, analyses).
    site_process : ForkedWorker or False, optional
        The process that reads and checks sites (:func:`site_check_process`). Default: forked here
        (after the data is loaded, before the server starts); pass one made earlier when other
        threads are started before ``serve`` (the CLI's model preparation), or False to check
        sites in the worker threads.

    Raises
    ------
    ArealError
        Planner mode on a non-local address without ``basic_auth``.
    """
    import panel as pn
    from areal.apps.planner.app import create_app
    from areal.apps.planner.workers import WorkerPool

    check_auth(mode, address, basic_auth)
    auth = mode == "planner" and bool(basic_auth)
    if auth:
        kwargs.update(basic_auth=basic_auth, cookie_secret=cookie_secret or secrets.token_urlsafe(32))
    pool = WorkerPool(max_workers=workers)
    if site_process is None:
        site_process = site_check_process(data, engines)
    site_process = site_process or None

    def session():
        try:
            return create_app(data, mode, engines=engines, store=store, pool=pool, site_process=site_process)
        except Exception as exc:  # noqa: BLE001 - never a traceback on the page; it goes to the log
            log.error("a session could not be created", exc_info=True)
            return error_page(mode, exc)

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
        extra_patterns=extra_patterns(
            data, auth=auth, api_token=api_token, limiter=RateLimiter(*RATE_LIMITS[mode])
        ),
        websocket_max_message_size=ws_max,
        websocket_origin=[f"{address}:{port}", f"localhost:{port}", f"127.0.0.1:{port}"],
        **kwargs,
    )
