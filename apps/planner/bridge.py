"""The map bridge: a Panel component that hosts the folium map and talks to it both ways.

folium renders a one-way HTML document. Here the document runs inside an ``<iframe srcdoc>``
owned by :class:`MapFrame`, a Panel ``JSComponent``:

* map → Python: the map script posts ``window.parent.postMessage({areal: 1, type, ...})`` for
  clicks, drawings (GeoJSON in lon/lat), view and layer changes and load statistics; the
  component accepts messages only from its own iframe and sets its ``event`` parameter, which
  Panel syncs to Python (``MapView`` hands it to :meth:`PlannerState.handle_map_event`).
* Python → map: setting ``command`` posts it into the iframe (show a site, filter by
  municipality, set the visible layers, move the view); commands sent before the map says
  "ready" are queued.

The component also mirrors the load statistics into ``data-*`` attributes of its element
(``data-loaded``, ``data-geojson-bytes``, ``data-first-paint-ms``) for the browser tests.
"""

from __future__ import annotations

import itertools
import time

import param
from panel.custom import JSComponent


class MapFrame(JSComponent):
    """An iframe holding the map document, with a two-way message bridge."""

    html = param.String(default="", doc="the map's HTML document (folium output)")
    event = param.Dict(default={}, doc="the last message the map posted (set from the browser)")
    command = param.Dict(default={}, doc="a message for the map (set from Python)")

    _counter = itertools.count(1)
    RESEND_S = 2.0

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
        list.forEach((x) => {
          if (x.seq !== undefined) {
            if (x.seq <= lastSeq) return;  // already handled (commands are re-sent, see send())
            lastSeq = x.seq;
          }
          if (ready) send(x); else queue.push(x);
        });
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
        model.event = d;
      };
      window.addEventListener("message", onmsg);
      model.on("remove", () => window.removeEventListener("message", onmsg));
      return wrap;
    }
    """

    @property
    def last_command(self) -> dict:
        """The last command posted (the ``command`` value also carries the recent earlier ones)."""
        recent = getattr(self, "_recent", [])
        return recent[-1][1] if recent else {}

    def send_batch(self, commands: list[dict]) -> dict:
        """Post several commands in one property change."""
        return self._post([{"seq": next(self._counter), **c} for c in commands])

    def send(self, type_: str, **payload) -> dict:
        """Post a command to the map (a sequence number makes repeated commands distinct)."""
        return self._post([{"type": type_, "seq": next(self._counter), **payload}])

    def _post(self, cmds: list[dict]) -> dict:
        # Changes of ``command`` within one tick are combined (only the last value reaches the
        # browser), so each value also carries the commands of the last few seconds; the browser
        # skips sequence numbers it has already handled.
        now = time.monotonic()
        recent = getattr(self, "_recent", [])
        recent = [(t, c) for t, c in recent if now - t < self.RESEND_S] + [(now, c) for c in cmds]
        self._recent = recent
        batch = {"type": "batch", "seq": next(self._counter), "commands": [c for _, c in recent]}
        self.command = batch
        return cmds[-1] if len(cmds) == 1 else batch
