/*
 * Arealkart Trøndelag map script (runs inside the map iframe built by apps/planner/mapping.py).
 *
 * - creates the catalogue layers (GeoJSON fetched per zoom band from the app's endpoint),
 * - a layer control grouped by theme (unavailable layers greyed with their reason),
 * - a legend of the visible layers, and the credits (Leaflet attribution follows the layers),
 * - the bridge: clicks, drawings, view and layer changes are posted to the parent page
 *   (window.parent.postMessage), and commands from the parent (site, municipality, visible
 *   layers, view) are received the same way.
 */
(function () {
  "use strict";

  function esc(v) {
    return String(v).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  var seq = 0;
  function post(type, payload) {
    var msg = Object.assign({ areal: 1, n: ++seq, type: type }, payload || {});
    if (window.parent && window.parent !== window) {
      window.parent.postMessage(msg, "*");
    }
    return msg;
  }

  function featureStyle(lc, f) {
    var st = lc.style;
    var code = f && f.properties ? f.properties._c : undefined;
    var cat = code !== undefined && st.categories && st.categories[code];
    var fill = cat || st.fill_color;
    var line = lc.family === "line" && cat ? cat : st.color;
    return {
      color: line, weight: st.weight, fillColor: fill, fillOpacity: st.fill_opacity,
      dashArray: st.dash_array || null, opacity: 0.9
    };
  }

  function tooltipHtml(lc, props) {
    var html = "<b>" + esc(lc.title) + "</b>";
    for (var col in lc.fields) {
      if (props && props[col] !== undefined && props[col] !== null && props[col] !== "") {
        html += "<br><span class='areal-tt-label'>" + esc(lc.fields[col]) + ":</span> " + esc(props[col]);
      }
    }
    return html;
  }

  function swatch(lg, colour) {
    var c = colour || lg.fill_color;
    if (lg.symbol === "line") {
      return "<span class='areal-sw areal-sw-line' style='border-top:3px " + (lg.dash_array ? "dashed " : "solid ") +
        esc(colour || lg.color) + "'></span>";
    }
    if (lg.symbol === "point") {
      return "<span class='areal-sw areal-sw-point' style='background:" + esc(c) + ";border-color:" + esc(lg.color) + "'></span>";
    }
    var op = Math.max(lg.fill_opacity, colour ? 0.6 : 0);
    return "<span class='areal-sw' style='background:" + esc(c) + ";opacity:" + (op > 0 ? 1 : 1) +
      ";border-color:" + esc(lg.color) + ";" + (op === 0 ? "background:transparent;" : "") + "'></span>";
  }

  var ArealMap = {};
  window.ArealMap = ArealMap;

  ArealMap.init = function (map, cfg, bases) {
    var S = {
      map: map, cfg: cfg, entries: {}, muni: cfg.municipality || "", pending: 0, requests: 0,
      started: performance.now(), firstDone: false, siteLayer: null, drawing: false
    };
    ArealMap.state = S;
    window.arealStats = { bytes: 0, requests: 0, loaded: false, firstPaintMs: null, layers: {} };

    // ---------------------------------------------------------------- base maps
    var currentBase = bases[cfg.base] || bases.topo;
    if (currentBase && !map.hasLayer(currentBase)) currentBase.addTo(map);
    currentBase && currentBase.bringToBack();

    // ---------------------------------------------------------------- layers
    function bandFor(z) {
      for (var i = 0; i < cfg.bands.length; i++) if (z <= cfg.bands[i].max_zoom) return cfg.bands[i];
      return cfg.bands[cfg.bands.length - 1];
    }

    function makeEntry(lc) {
      var e = { cfg: lc, band: null, bbox: null, muni: null, bytes: 0, token: 0, layer: null, gj: null };
      if (lc.kind === "raster") {
        var b = lc.bounds;
        e.layer = L.imageOverlay(cfg.data_url + "/raster/" + lc.id + ".png", [[b[0], b[1]], [b[2], b[3]]],
          { opacity: 0.75, attribution: lc.attribution, interactive: false });
        e.raster = true;
        return e;
      }
      e.gj = L.geoJSON(null, {
        attribution: lc.attribution,
        style: function (f) { return featureStyle(lc, f); },
        pointToLayer: function (f, ll) {
          var s = featureStyle(lc, f);
          s.radius = lc.style.radius;
          return L.circleMarker(ll, s);
        },
        onEachFeature: function (f, l) {
          l.bindTooltip(tooltipHtml(lc, f.properties), { sticky: true, className: "areal-tt" });
        }
      });
      if (lc.cluster && L.markerClusterGroup) {
        e.layer = L.markerClusterGroup({ attribution: lc.attribution, showCoverageOnHover: false, maxClusterRadius: 40 });
      } else {
        e.layer = e.gj;
      }
      return e;
    }

    function setData(e, data) {
      e.gj.clearLayers();
      e.gj.addData(data);
      if (e.layer !== e.gj) {
        e.layer.clearLayers();
        e.layer.addLayer(e.gj);
      }
      e.tooLarge = !!data.too_large;
      if (S.siteLayer) S.siteLayer.bringToFront();
      updateControl();
    }

    function totalBytes() {
      var t = 0;
      for (var id in S.entries) if (map.hasLayer(S.entries[id].layer)) t += S.entries[id].bytes;
      return t;
    }

    function finishOne() {
      S.pending -= 1;
      window.arealStats.bytes = totalBytes();
      if (S.pending === 0) {
        window.arealStats.loaded = true;
        if (!S.firstDone) {
          S.firstDone = true;
          window.arealStats.firstPaintMs = performance.now() - S.started;
        }
        post("stats", { bytes: window.arealStats.bytes, requests: S.requests, first_paint_ms: window.arealStats.firstPaintMs,
                        visible: visibleIds() });
      }
    }

    function refresh(e, force) {
      if (e.raster || !map.hasLayer(e.layer)) return;
      if (e.cfg.data) { // inlined (standalone export)
        if (!e.inlined) { setData(e, e.cfg.data); e.inlined = true; e.bytes = JSON.stringify(e.cfg.data).length; }
        return;
      }
      if (!cfg.data_url) return;
      var band = bandFor(map.getZoom());
      var url = cfg.data_url + "/geojson/" + e.cfg.id + "?band=" + band.index + "&lang=" + cfg.lang;
      var bbox = null;
      if (!band.whole) {
        var view = map.getBounds();
        if (!force && e.band === band.index && e.muni === S.muni && e.bbox && e.bbox.contains(view)) return;
        bbox = view.pad(0.5);
        url += "&bbox=" + [bbox.getWest(), bbox.getSouth(), bbox.getEast(), bbox.getNorth()].map(function (v) { return v.toFixed(4); }).join(",");
      } else if (!force && e.band === band.index && e.muni === S.muni) {
        return;
      }
      if (S.muni) url += "&kommune=" + encodeURIComponent(S.muni);
      var token = ++e.token;
      S.pending += 1; S.requests += 1; window.arealStats.requests = S.requests;
      window.arealStats.loaded = false;
      fetch(url).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.text();
      }).then(function (text) {
        if (token !== e.token) return;
        var data = JSON.parse(text);
        e.band = band.index; e.bbox = bbox; e.muni = S.muni; e.bytes = text.length;
        window.arealStats.layers[e.cfg.id] = text.length;
        setData(e, data);
      }).catch(function (err) {
        e.error = String(err);
        updateControl();
      }).then(finishOne);
    }

    cfg.layers.forEach(function (lc) {
      if (!lc.available) return;
      var e = makeEntry(lc);
      S.entries[lc.id] = e;
      if (lc.visible) e.layer.addTo(map);
    });

    function visibleIds() {
      return cfg.layers.filter(function (lc) { var e = S.entries[lc.id]; return e && map.hasLayer(e.layer); })
        .map(function (lc) { return lc.id; });
    }

    function refreshAll(force) {
      for (var id in S.entries) refresh(S.entries[id], force);
      if (S.pending === 0) { S.pending = 1; finishOne(); }
    }

    function setVisible(id, on) {
      var e = S.entries[id];
      if (!e) return;
      if (on && !map.hasLayer(e.layer)) { e.layer.addTo(map); refresh(e, false); }
      if (!on && map.hasLayer(e.layer)) map.removeLayer(e.layer);
      if (S.siteLayer) S.siteLayer.bringToFront();
      updateControl();
      updateLegend();
    }

    // ---------------------------------------------------------------- layer control (grouped by theme)
    var Panel = L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        var div = L.DomUtil.create("div", "areal-panel leaflet-bar");
        div.id = "areal-layer-panel";
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        this._div = div;
        return div;
      }
    });
    var panel = new Panel();
    panel.addTo(map);

    function updateControl() {
      var div = panel._div;
      var open = div.getAttribute("data-open") !== "0";
      var html = "<div class='areal-panel-head'><button type='button' class='areal-toggle' aria-expanded='" + open + "'>" +
        esc(cfg.text.layers) + "</button></div>";
      html += "<div class='areal-panel-body' style='" + (open ? "" : "display:none") + "'>";
      html += "<div class='areal-group'><div class='areal-group-title'>" + esc(cfg.text.base) + "</div>";
      Object.keys(bases).forEach(function (k) {
        html += "<label class='areal-row'><input type='radio' name='areal-base' value='" + esc(k) + "'" +
          (map.hasLayer(bases[k]) ? " checked" : "") + "> " + esc(cfg.base_titles[k] || k) + "</label>";
      });
      html += "</div>";
      cfg.themes.forEach(function (th) {
        var items = cfg.layers.filter(function (lc) { return lc.theme === th.id; });
        if (!items.length) return;
        html += "<div class='areal-group' data-theme='" + esc(th.id) + "'><div class='areal-group-title'>" + esc(th.title) + "</div>";
        items.forEach(function (lc) {
          var e = S.entries[lc.id];
          if (!lc.available) {
            html += "<label class='areal-row areal-unavailable' title='" + esc(lc.reason) + "' data-layer='" + esc(lc.id) + "'>" +
              "<input type='checkbox' disabled> " + esc(lc.title) + " <span class='areal-reason'>(" + esc(cfg.text.unavailable) + ")</span></label>";
            return;
          }
          var on = map.hasLayer(e.layer);
          html += "<label class='areal-row' data-layer='" + esc(lc.id) + "'><input type='checkbox' class='areal-layer-cb' value='" +
            esc(lc.id) + "'" + (on ? " checked" : "") + "> " + swatch(lc.legend) + esc(lc.title) +
            (lc.kind === "raster" ? " <span class='areal-reason'>(" + esc(cfg.text.raster) + ")</span>" : "") +
            (on && e.tooLarge ? " <span class='areal-reason'>(" + esc(cfg.text.too_large) + ")</span>" : "") + "</label>";
        });
        html += "</div>";
      });
      html += "</div>";
      div.innerHTML = html;
      div.querySelector(".areal-toggle").onclick = function () {
        div.setAttribute("data-open", open ? "0" : "1");
        updateControl();
      };
      div.querySelectorAll("input[name=areal-base]").forEach(function (inp) {
        inp.onchange = function () {
          for (var k in bases) if (map.hasLayer(bases[k])) map.removeLayer(bases[k]);
          bases[inp.value].addTo(map);
          bases[inp.value].bringToBack();
          post("base", { base: inp.value });
        };
      });
      div.querySelectorAll("input.areal-layer-cb").forEach(function (inp) {
        inp.onchange = function () {
          setVisible(inp.value, inp.checked);
          post("layers", { visible: visibleIds() });
        };
      });
    }

    // ---------------------------------------------------------------- legend of the visible layers
    var Legend = L.Control.extend({
      options: { position: "bottomleft" },
      onAdd: function () {
        var div = L.DomUtil.create("div", "areal-legend");
        div.id = "areal-legend";
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        this._div = div;
        return div;
      }
    });
    var legend = new Legend();
    legend.addTo(map);

    function updateLegend() {
      var html = "<div class='areal-legend-title'>" + esc(cfg.text.legend) + "</div>";
      var any = false;
      cfg.layers.forEach(function (lc) {
        var e = S.entries[lc.id];
        if (!e || !map.hasLayer(e.layer) || lc.kind === "raster") return;
        any = true;
        html += "<div class='areal-legend-item'>" + swatch(lc.legend) + esc(lc.title) + "</div>";
        (lc.legend.categories || []).forEach(function (c) {
          html += "<div class='areal-legend-cat'>" + swatch(lc.legend, c.color) + esc(c.label) + "</div>";
        });
      });
      if (S.siteLayer) {
        any = true;
        html += "<div class='areal-legend-item'><span class='areal-sw' style='background:#ffeb3b;border-color:#d50000'></span>" +
          esc(cfg.text.site) + "</div>";
      }
      (S.overlayOrder || []).forEach(function (id) {
        var o = S.overlays[id];
        if (!o) return;
        any = true;
        html += "<div class='areal-legend-item'><b>" + esc(o.title || id) + "</b></div>";
        o.legend.forEach(function (it) {
          var sw;
          if (it.gradient) {
            sw = "<span class='areal-sw' style='width:60px;background:linear-gradient(to right," + it.gradient.map(esc).join(",") + ")'></span>";
          } else if (it.hollow) {
            sw = "<span class='areal-sw' style='background:transparent;border:2px dashed " + esc(it.color) + "'></span>";
          } else {
            sw = "<span class='areal-sw' style='background:" + esc(it.color) + ";border-color:" + esc(it.color) + "'></span>";
          }
          html += "<div class='areal-legend-cat'>" + sw + esc(it.label) + "</div>";
        });
      });
      legend._div.innerHTML = html;
      legend._div.style.display = any ? "" : "none";
    }

    // ---------------------------------------------------------------- site, drawing and clicks
    function showSite(geojson, fit) {
      if (S.siteLayer) { map.removeLayer(S.siteLayer); S.siteLayer = null; }
      if (geojson) {
        S.siteLayer = L.geoJSON(geojson, {
          style: function () { return { color: "#d50000", weight: 3, fillColor: "#ffeb3b", fillOpacity: 0.35 }; },
          pointToLayer: function (f, ll) {
            return L.circleMarker(ll, { radius: 8, color: "#d50000", weight: 3, fillColor: "#ffeb3b", fillOpacity: 0.9 });
          },
          interactive: false
        }).addTo(map);
        if (fit) {
          var b = S.siteLayer.getBounds();
          if (b.isValid()) {
            var ne = b.getNorthEast(), sw = b.getSouthWest();
            if (ne.equals(sw)) map.setView(ne, Math.max(map.getZoom(), 12));
            else map.fitBounds(b, { maxZoom: 13, padding: [60, 60] });
          }
        }
      }
      updateLegend();
    }

    if (cfg.draw && L.Control.Draw) {
      var drawn = new L.FeatureGroup();
      map.addLayer(drawn);
      if (L.drawLocal && cfg.lang === "nb") {
        L.drawLocal.draw.toolbar.buttons.polygon = cfg.text["draw.polygon"];
        L.drawLocal.draw.toolbar.buttons.marker = cfg.text["draw.marker"];
      }
      var drawControl = new L.Control.Draw({
        position: "topleft",
        draw: {
          polygon: { allowIntersection: false, showArea: true, shapeOptions: { color: "#d50000" } },
          rectangle: { shapeOptions: { color: "#d50000" } },
          marker: true, polyline: false, circle: false, circlemarker: false
        },
        edit: false
      });
      map.addControl(drawControl);
      map.on("draw:drawstart", function () { S.drawing = true; });
      map.on("draw:drawstop", function () { setTimeout(function () { S.drawing = false; }, 50); });
      map.on("draw:created", function (ev) {
        var gj = ev.layer.toGeoJSON();
        showSite(gj, false);
        post("draw", { geojson: gj.geometry });
      });
      map.on("click", function (ev) {
        if (S.drawing) return;
        var gj = { type: "Point", coordinates: [ev.latlng.lng, ev.latlng.lat] };
        showSite(gj, false);
        post("click", { geojson: gj });
      });
    }

    // ---------------------------------------------------------------- analysis overlays (from Python)
    // {id, kind: "geojson" | "image", geojson | url+bounds, title, legend: [{label, color|gradient, hollow}]}
    // Feature properties: _color, _hollow, _id, _tip, _popup [[label, value]...], _link [label, url].
    S.overlays = {};
    S.overlayOrder = [];
    function popupHtml(title, p) {
      var html = "<div class='areal-popup'><b>" + esc(title || "") + "</b>";
      (p._popup || []).forEach(function (row) {
        if (row[1] === undefined || row[1] === null || row[1] === "") return;
        html += "<br><span class='areal-tt-label'>" + esc(row[0]) + ":</span> " + esc(row[1]);
      });
      if (p._link && /^https?:\/\//.test(String(p._link[1]))) {
        html += "<br><a href='" + esc(p._link[1]) + "' target='_blank' rel='noopener'>" + esc(p._link[0]) + "</a>";
      }
      return html + "</div>";
    }
    function clearOverlay(id) {
      var o = S.overlays[id];
      if (o) { map.removeLayer(o.layer); delete S.overlays[id]; }
      S.overlayOrder = S.overlayOrder.filter(function (k) { return k !== id; });
    }
    function setOverlay(d) {
      clearOverlay(d.id);
      var lyr;
      if (d.kind === "image") {
        var b = d.bounds;
        lyr = L.imageOverlay(d.url, [[b[0], b[1]], [b[2], b[3]]], { opacity: d.opacity || 0.7, interactive: false, className: "areal-overlay-img" });
      } else {
        var fo = d.fill_opacity || 0.45;
        lyr = L.geoJSON(d.geojson, {
          style: function (f) {
            var p = f.properties || {};
            var c = p._color || "#d32f2f";
            var hollow = p._hollow || d.hollow;
            return { color: c, weight: hollow ? 3 : 1.5, fillColor: c, fillOpacity: hollow ? 0.05 : fo,
                     dashArray: p._hollow ? "5 4" : null, opacity: 0.95, bubblingMouseEvents: false };
          },
          pointToLayer: function (f, ll) {
            var p = f.properties || {};
            var c = p._color || "#d32f2f";
            return L.circleMarker(ll, { radius: p._hollow ? 10 : 7, color: c, weight: p._hollow ? 3 : 2, fillColor: c,
              fillOpacity: p._hollow ? 0 : 0.85, dashArray: p._hollow ? "4 3" : null, bubblingMouseEvents: false });
          },
          onEachFeature: function (f, l) {
            var p = f.properties || {};
            if (p._tip) l.bindTooltip(esc(p._tip), { sticky: true });
            l.bindPopup(popupHtml(d.title, p), { maxWidth: 360 });
            l.on("click", function (ev) {
              if (ev.originalEvent) L.DomEvent.stopPropagation(ev.originalEvent);
              if (p._id !== undefined) post("feature", { overlay: d.id, fid: p._id });
            });
          }
        });
      }
      lyr.addTo(map);
      if (lyr.bringToFront && d.kind !== "image") lyr.bringToFront();
      S.overlays[d.id] = { layer: lyr, title: d.title, legend: d.legend || [] };
      S.overlayOrder.push(d.id);
      if (d.fit && lyr.getBounds) {
        var bb = lyr.getBounds();
        if (bb.isValid()) map.fitBounds(bb, { maxZoom: 12, padding: [40, 40] });
      }
      document.body.dataset.overlays = S.overlayOrder.join(",");
      updateLegend();
    }

    // ---------------------------------------------------------------- view changes
    var viewTimer = null;
    map.on("moveend", function () {
      refreshAll(false);
      clearTimeout(viewTimer);
      viewTimer = setTimeout(function () {
        var c = map.getCenter();
        post("view", { lat: +c.lat.toFixed(5), lon: +c.lng.toFixed(5), zoom: map.getZoom() });
      }, 150);
    });

    // ---------------------------------------------------------------- commands from the parent page
    window.addEventListener("message", function (ev) {
      var d = ev.data;
      if (!d || d.areal !== 1 || ev.source !== window.parent) return;
      if (d.type === "site") showSite(d.geojson, d.fit !== false);
      else if (d.type === "clear_site") showSite(null, false);
      else if (d.type === "visible") {
        var want = {};
        (d.visible || []).forEach(function (id) { want[id] = true; });
        for (var id in S.entries) setVisible(id, !!want[id]);
      } else if (d.type === "municipality") {
        S.muni = d.kommune || "";
        if (d.bounds) map.fitBounds([[d.bounds[0], d.bounds[1]], [d.bounds[2], d.bounds[3]]]);
        refreshAll(true);
      } else if (d.type === "view") {
        map.setView([d.lat, d.lon], d.zoom);
      } else if (d.type === "overlay") {
        setOverlay(d.overlay);
      } else if (d.type === "clear_overlay") {
        clearOverlay(d.id);
        document.body.dataset.overlays = S.overlayOrder.join(",");
        updateLegend();
      }
    });

    // ---------------------------------------------------------------- start
    updateControl();
    updateLegend();
    if (cfg.site) showSite(cfg.site, true);
    else if (cfg.municipality_bounds) {
      var mb = cfg.municipality_bounds;
      map.fitBounds([[mb[0], mb[1]], [mb[2], mb[3]]]);
    }
    refreshAll(false);
    post("ready", { visible: visibleIds() });
  };
})();
