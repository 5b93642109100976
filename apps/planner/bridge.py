"""The map bridge: a Panel component that hosts the folium map and talks to it both ways.

folium renders a one-way HTML document. Here the document runs inside an ``<iframe srcdoc>``
owned by :class:`MapFrame`, a Panel ``JSComponent``:

* map → Python: the map script posts ``window.parent.postMessage({areal: 1, type, ...})`` for
  clicks, drawings (GeoJSON in lon/lat), view and layer changes and load statistics; the
  component accepts messages only from its own iframe, numbers them (``k``) and keeps them in its
  ``outbox`` until Python acknowledges them (``ack``). Python hands each new message, in order
  and once, to the ``event`` parameter (``MapView`` passes it to
  :meth:`PlannerState.handle_map_event`).
* Python → map: setting ``command`` posts it into the iframe (show a site, filter by
  municipality, set the visible layers, move the view); commands sent before the map says
  "ready" are queued. Each value carries every command the browser has not acknowledged yet
  (``seen``); the browser skips sequence numbers it has already handled.

Why both directions carry everything unacknowledged: Panel keeps one pending value per property
of a component and applies it after a short debounce (``Syncable._server_change``), and Bokeh
sends only the last value a property had within one tick. A single "last message" property is
therefore lossy: a layer toggle followed within the debounce by the "stats" message of its own
GeoJSON response (fast once the server has that layer cached, i.e. late in a long-lived server)
was overwritten, so the toggle never reached the session and its link (issue 14).

The component also mirrors the load statistics into ``data-*`` attributes of its element
(``data-loaded``, ``data-geojson-bytes``, ``data-first-paint-ms``) for the browser tests.
"""

from __future__ import annotations

import itertools

import param
from panel.custom import JSComponent


class MapFrame(JSComponent):
    """An iframe holding the map document, with a lossless two-way message bridge."""

    html = param.String(default="", doc="the map's HTML document (folium output)")
    outbox = param.List(
        default=[],
        doc="messages of the map not yet acknowledged (set from the browser, each with a number k)",
    )
    ack = param.Number(default=0, doc="the number k of the last map message Python handled (set from Python)")
    event = param.Dict(
        default={}, doc="the map message being handled (set in Python from the outbox, in order)"
    )
    command = param.Dict(default={}, doc="a message for the map (set from Python)")
    seen = param.Integer(
        default=0, doc="the last command sequence number the browser handled (set from the browser)"
    )

    # ``event`` is Python's own: the browser sends the outbox, an echo of each message back is waste
    _rename = {"event": None}

    _counter = itertools.count(1)
    MAX_PENDING = 500
    """Commands kept for a browser that does not acknowledge them (a closed tab): the newest ones."""

    _esm = """
    export function render({ model, el }) {
      const wrap = document.createElement("div");
      wrap.className = "areal-map";
      wrap.style.cssText = "width:100%;height:100%;position:relative";
      const frame = document.createElement("iframe");
      frame.className = "areal-map-frame";
      frame.title = "map";
      frame.style.cssText = "width:100%;height:100%;border:0;display:block";
      wrap.appendChild(frame);
      let ready = false;
      let queue = [];
      let lastSeq = 0;
      // map -> Python: every message stays in the outbox until Python acknowledges its number k
      // (numbers grow with the clock, so a re-rendered view never reuses one)
      let outbox = [];
      let lastK = 0;
      const post = (d) => {
        lastK = Math.max(lastK + 1, Date.now() * 1000);
        outbox.push(Object.assign({}, d, {k: lastK}));
        if (outbox.length > 500) outbox = outbox.slice(-500);
        model.outbox = outbox.slice();
      };
      model.on("ack", () => { outbox = outbox.filter((m) => m.k > model.ack); });
      const send = (c) => frame.contentWindow.postMessage(Object.assign({}, c, {areal: 1}), "*");
      const load = () => {
        ready = false;
        wrap.dataset.loaded = "0";
        frame.srcdoc = model.html;
      };
      load();
      model.on("html", load);
      model.on("command", () => {
        const c = model.command;
        if (!c || !c.type) return;
        // a batch carries several commands in one property change (changes in one tick combine)
        const list = c.type === "batch" ? (c.commands || []) : [c];
        let handled = lastSeq;
        list.forEach((x) => {
          if (x.seq !== undefined) {
            if (x.seq <= lastSeq) return;  // already handled (commands are re-sent until seen)
            lastSeq = x.seq;
          }
          if (ready) send(x); else queue.push(x);
        });
        if (lastSeq > handled) model.seen = lastSeq;
      });
      const onmsg = (e) => {
        if (e.source !== frame.contentWindow) return;
        const d = e.data;
        if (!d || d.areal !== 1) return;
        if (d.type === "ready") {
          ready = true;
          queue.forEach(send);
          queue = [];
        }
        if (d.type === "stats") {
          wrap.dataset.loaded = "1";
          wrap.dataset.geojsonBytes = String(d.bytes);
          wrap.dataset.firstPaintMs = String(d.first_paint_ms);
          wrap.dataset.visible = (d.visible || []).join(",");
        }
        post(d);
      };
      window.addEventListener("message", onmsg);
      model.on("remove", () => window.removeEventListener("message", onmsg));
      return wrap;
    }
    """

    def __init__(self, **params):
        super().__init__(**params)
        self._recent: list[dict] = []
        self._last_k = 0.0
        self.param.watch(self._on_outbox, "outbox")
        self.param.watch(self._on_seen, "seen")

    def _on_outbox(self, event) -> None:
        # Every message newer than the last one handled, in order, each once; then acknowledge.
        fresh = [
            m
            for m in (event.new or [])
            if isinstance(m, dict) and isinstance(m.get("k"), (int, float)) and m["k"] > self._last_k
        ]
        for m in sorted(fresh, key=lambda m: m["k"]):
            self._last_k = float(m["k"])
            self.event = m
        if fresh:
            self.ack = self._last_k

    def _on_seen(self, event) -> None:
        self._recent = [c for c in self._recent if c.get("seq", 0) > (event.new or 0)]

    @property
    def last_command(self) -> dict:
        """The last command posted (the ``command`` value also carries the recent earlier ones)."""
        return self._recent[-1] if self._recent else {}

    def send_batch(self, commands: list[dict]) -> dict:
        """Post several commands in one property change."""
        return self._post([{"seq": next(self._counter), **c} for c in commands])

    def send(self, type_: str, **payload) -> dict:
        """Post a command to the map (a sequence number makes repeated commands distinct)."""
        return self._post([{"type": type_, "seq": next(self._counter), **payload}])

    def _post(self, cmds: list[dict]) -> dict:
        # Changes of ``command`` within one tick are combined (only the last value reaches the
        # browser), so each value carries every command the browser has not reported as ``seen``;
        # the browser skips sequence numbers it has already handled.
        recent = [*self._recent, *cmds][-self.MAX_PENDING :]
        self._recent = recent
        batch = {"type": "batch", "seq": next(self._counter), "commands": list(recent)}
        self.command = batch
        return cmds[-1] if len(cmds) == 1 else batch
