/*
 * Arealkart Trøndelag map script, part 6 of 6: the map (runs inside the iframe built by
 * apps/planner/mapping.py; parts 1–5 are loaded before it).
 *
 * - the catalogue layers (GeoJSON fetched per zoom band from the app's endpoint),
 * - base maps: Kartverket tiles online; a base map drawn from the app's own data (N1000 sea,
 *   lakes, rivers, forest, built-up, roads, municipality boundaries, place names) when tiles
 *   fail or when chosen,
 * - the site, drawing, clicks that know the drawing state, analysis overlays,
 * - the bridge: clicks, drawings, view and layer changes are posted to the parent page
 *   (window.parent.postMessage), and commands from the parent are received the same way.
 */
(function () {
  "use strict";
  var lib = window.ArealLib;
  var style = lib.style, geo = lib.geo, ui = lib.controls;

  var seq = 0;
  function post(type, payload) {
    var msg = Object.assign({ areal: 1, n: ++seq, type: type }, payload || {});
    if (window.parent && window.parent !== window) window.parent.postMessage(msg, "*");
    return msg;
  }

  var ArealMap = {};
  window.ArealMap = ArealMap;

  ArealMap.init = function (map, cfg, tileBases) {
    var T = cfg.text;
    var S = {
      map: map, cfg: cfg, text: T, entries: {}, baseEntries: {}, muni: cfg.municipality || "", pending: 0,
      requests: 0, started: performance.now(), firstDone: false, siteLayer: null, siteGeo: null, sitePopup: [],
      drawing: false, measuring: false, pointMode: cfg.point_mode !== false, overlays: {}, overlayOrder: [],
      places: cfg.places || null, post: post
    };
    ArealMap.state = S;
    window.arealStats = { bytes: 0, requests: 0, loaded: false, firstPaintMs: null, layers: {}, features: {}, failed: {} };
    // The zoom range is the map's own, not its tile layers': with the offline base no layer sets
    // one, and markercluster then loops from an infinite max zoom.
    map.setMaxZoom(20);
    map.setMinZoom(3);
    L.control.scale({ metric: true, imperial: false, maxWidth: 160, position: "bottomleft" }).addTo(map);

    // ---------------------------------------------------------------- fetching layers per zoom band
    function totalBytes() {
      var t = 0, id;
      for (id in S.entries) if (map.hasLayer(S.entries[id].layer)) t += S.entries[id].bytes;
      for (id in S.baseEntries) if (map.hasLayer(S.baseEntries[id].layer)) t += S.baseEntries[id].bytes;
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
          if (S.base === "offline") setTimeout(function () { S.setBase("offline", false); }, 0);
        }
        post("stats", { bytes: window.arealStats.bytes, requests: S.requests, first_paint_ms: window.arealStats.firstPaintMs,
                        visible: S.visibleIds() });
      }
    }

    function setData(e, data) {
      e.gj.clearLayers();
      e.gj.addData(data);
      if (e.layer !== e.gj) { e.layer.clearLayers(); e.layer.addLayer(e.gj); }
      e.tooLarge = !!data.too_large;
      e.thinned = data.thinned || null;
      e.error = null;
      frontLayers();
    }

    // Catalogue layers redrawn for a new view must not cover the site and the analysis overlays
    // (a click on a conflict polygon would hit a built-up area drawn over it).
    function frontLayers() {
      if (S.siteLayer) S.siteLayer.bringToFront();
      S.overlayOrder.forEach(function (id) {
        var o = S.overlays[id];
        if (o && !o.hidden && o.layer.bringToFront && o.kind !== "image") o.layer.bringToFront();
      });
    }


    function refresh(e, force) {
      if (e.raster || !map.hasLayer(e.layer)) return;
      if (e.base && !S.firstDone) return; // the base map waits for the catalogue layers
      if (e.cfg.data) { // inlined (standalone export)
        if (!e.inlined) { setData(e, e.cfg.data); e.inlined = true; e.bytes = JSON.stringify(e.cfg.data).length; }
        return;
      }
      if (!cfg.data_url) return;
      var band = geo.bandFor(cfg.bands, map.getZoom());
      var url = cfg.data_url + "/geojson/" + e.cfg.id + "?band=" + band.index + "&lang=" + cfg.lang;
      var bbox = null;
      var muni = e.base ? "" : S.muni;
      if (!band.whole) {
        var view = map.getBounds();
        if (!force && e.band === band.index && e.muni === muni && e.bbox && e.bbox.contains(view)) return;
        bbox = view.pad(0.5);
        url += "&bbox=" + [bbox.getWest(), bbox.getSouth(), bbox.getEast(), bbox.getNorth()].map(function (v) { return v.toFixed(4); }).join(",");
      } else if (!force && e.band === band.index && e.muni === muni) {
        return;
      }
      if (muni) url += "&kommune=" + encodeURIComponent(muni);
      var token = ++e.token;
      // the offline base map does not hold up "first paint" (that is the catalogue layers drawn)
      if (!e.base) { S.pending += 1; window.arealStats.loaded = false; }
      S.requests += 1; window.arealStats.requests = S.requests;
      fetch(url).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.text();
      }).then(function (text) {
        if (token !== e.token) return;
        var data = JSON.parse(text);
        e.band = band.index; e.bbox = bbox; e.muni = muni; e.bytes = text.length;
        var key = (e.base ? "base:" : "") + e.cfg.id;
        window.arealStats.layers[key] = text.length;
        window.arealStats.features[key] = (data.features || []).length;
        delete window.arealStats.failed[key];
        setData(e, data);
      }).catch(function (err) {
        e.error = String(err);
        window.arealStats.failed[(e.base ? "base:" : "") + e.cfg.id] = e.error;
      }).then(function () {
        update();
        if (!e.base) finishOne();
      });
    }

    // ---------------------------------------------------------------- catalogue layers
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
        style: function (f) { return style.featureStyle(lc, f); },
        pointToLayer: function (f, ll) {
          var s = style.featureStyle(lc, f);
          s.radius = lc.style.radius;
          return L.circleMarker(ll, s);
        },
        onEachFeature: function (f, l) {
          l.bindTooltip(style.tooltipHtml(lc, f.properties), { sticky: true, className: "areal-tt" });
        }
      });
      e.layer = lc.cluster && L.markerClusterGroup ?
        L.markerClusterGroup({ attribution: lc.attribution, showCoverageOnHover: false, maxClusterRadius: 40 }) : e.gj;
      return e;
    }

    cfg.layers.forEach(function (lc) {
      if (!lc.available) return;
      var e = makeEntry(lc);
      S.entries[lc.id] = e;
      if (lc.visible) e.layer.addTo(map);
    });

    S.visibleIds = function () {
      return cfg.layers.filter(function (lc) { var e = S.entries[lc.id]; return e && map.hasLayer(e.layer); })
        .map(function (lc) { return lc.id; });
    };
    S.visibleLayerConfigs = function () {
      return cfg.layers.filter(function (lc) { var e = S.entries[lc.id]; return e && map.hasLayer(e.layer); });
    };

    function refreshAll(force) {
      var id;
      for (id in S.entries) refresh(S.entries[id], force);
      for (id in S.baseEntries) refresh(S.baseEntries[id], force);
      if (S.pending === 0) { S.pending = 1; finishOne(); }
    }

    S.setVisible = function (id, on) {
      var e = S.entries[id];
      if (!e) return;
      if (on && !map.hasLayer(e.layer)) { e.layer.addTo(map); refresh(e, false); }
      if (!on && map.hasLayer(e.layer)) map.removeLayer(e.layer);
      frontLayers();
      update();
    };

    // ---------------------------------------------------------------- base maps (tiles or the app's data)
    map.createPane("arealBase");
    map.getPane("arealBase").style.zIndex = 210;
    map.getPane("arealBase").style.pointerEvents = "none";
    map.createPane("arealLabels"); // names above the overlays, never in the way of a click
    map.getPane("arealLabels").style.zIndex = 450;
    map.getPane("arealLabels").style.pointerEvents = "none";
    var baseRenderer = L.canvas({ pane: "arealBase", padding: 0.3 });
    var offline = L.layerGroup([], { attribution: cfg.offline_attribution || "" });
    offline.getAttribution = function () { return cfg.offline_attribution || ""; };
    (cfg.offline_layers || []).forEach(function (id) {
      var e = { cfg: { id: id }, base: true, band: null, bbox: null, muni: null, bytes: 0, token: 0 };
      e.gj = L.geoJSON(null, {
        pane: "arealBase", renderer: baseRenderer, interactive: false,
        style: function (f) { return style.baseStyle(id, f); },
        pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 2, renderer: baseRenderer, interactive: false }); }
      });
      e.layer = e.gj;
      S.baseEntries[id] = e;
      offline.addLayer(e.layer);
    });
    var labels = L.layerGroup();
    offline.addLayer(labels);
    var bases = Object.assign({}, tileBases);
    if (cfg.offline_layers && cfg.offline_layers.length) bases.offline = offline;
    S.bases = bases;

    function drawLabels() {
      labels.clearLayers();
      (S.places || []).forEach(function (p) {
        if (!p.label) return;
        L.marker([p.lat, p.lon], {
          interactive: false, keyboard: false, pane: "arealLabels",
          icon: L.divIcon({ className: "areal-label areal-label-" + p.kind, html: lib.format.esc(p.label), iconSize: null })
        }).addTo(labels);
      });
    }
    function zoomClass() {
      var z = map.getZoom(), c = map.getContainer().classList;
      c.toggle("areal-z-far", z <= 8);
      c.toggle("areal-z-near", z >= 10);
    }
    map.on("zoomend", zoomClass);
    zoomClass();

    var autoSwitched = false;
    S.setBase = function (key, byUser) {
      if (!bases[key]) return;
      for (var k in bases) if (map.hasLayer(bases[k])) map.removeLayer(bases[k]);
      bases[key].addTo(map);
      if (bases[key].bringToBack) bases[key].bringToBack();
      S.base = key;
      document.body.dataset.base = key;
      // the catalogue layers first: the offline base map loads once they are drawn
      if (key === "offline" && S.firstDone) {
        S.loadPlaces(drawLabels);
        for (var id in S.baseEntries) refresh(S.baseEntries[id], false);
      }
      if (byUser) { post("base", { base: key }); S.notice.show(""); }
      update();
    };

    // Tiles unreachable (no network, a blocked host): switch to the offline base map once.
    Object.keys(tileBases).forEach(function (k) {
      var tl = tileBases[k], errors = 0, loads = 0;
      tl.on("tileload", function () { loads += 1; });
      tl.on("tileerror", function () {
        errors += 1;
        if (!autoSwitched && bases.offline && errors >= 3 && loads === 0 && map.hasLayer(tl)) {
          autoSwitched = true;
          S.setBase("offline", false);
          S.notice.show(T.offline_switched);
        }
      });
    });

    var placesWaiting = null;
    S.loadPlaces = function (done) {
      if (S.places) { done(); return; }
      if (placesWaiting) { placesWaiting.push(done); return; }
      if (!cfg.data_url) { S.places = []; done(); return; }
      placesWaiting = [done];
      fetch(cfg.data_url + "/places?lang=" + cfg.lang).then(function (r) { return r.ok ? r.json() : []; })
        .catch(function () { return []; }).then(function (list) {
          S.places = list || [];
          var w = placesWaiting; placesWaiting = null;
          w.forEach(function (f) { f(); });
        });
    };

    // ---------------------------------------------------------------- controls
    S.notice = ui.notice(S);
    S.search = ui.searchBox(S);
    S.panel = ui.layerPanel(S);
    S.legend = ui.legend(S);
    S.sources = ui.sources(S);
    function update() {
      S.panel.update();
      S.legend.update();
      S.sources.update();
      document.body.dataset.overlays = S.overlayOrder.join(",");
    }
    S.update = update;

    // ---------------------------------------------------------------- site, drawing and clicks
    function showSite(geojson, fit, popupRows) {
      if (S.siteLayer) { map.removeLayer(S.siteLayer); S.siteLayer = null; }
      S.siteGeo = geojson || null;
      S.sitePopup = popupRows || [];
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
      update();
    }

    if (cfg.draw) {
      S.measure = ui.measureTool(S);
      S.pointButton = ui.pointModeButton(S);
    }
    if (cfg.draw && L.Control.Draw) {
      if (L.drawLocal) {  // every text of the drawing tool in the UI language
        var D = L.drawLocal.draw, H = D.handlers;
        D.toolbar.buttons.polygon = T["draw.polygon"];
        D.toolbar.buttons.marker = T["draw.marker"];
        D.toolbar.buttons.rectangle = T["draw.rectangle"];
        D.toolbar.actions = { title: T["draw.cancel_title"], text: T["draw.cancel"] };
        D.toolbar.finish = { title: T["draw.finish_title"], text: T["draw.finish"] };
        D.toolbar.undo = { title: T["draw.undo_title"], text: T["draw.undo"] };
        H.polygon.tooltip = { start: T["draw.poly_start"], cont: T["draw.poly_cont"], end: T["draw.poly_end"] };
        H.polyline.tooltip = { start: T["draw.poly_start"], cont: T["draw.poly_cont"], end: T["draw.poly_end"] };
        H.polyline.error = T["draw.error"];
        H.rectangle.tooltip = { start: T["draw.rect_start"] };
        H.simpleshape.tooltip = { end: T["draw.shape_end"] };
        H.marker.tooltip = { start: T["draw.marker_start"] };
      }
      if (L.GeometryUtil) {  // the running measure while drawing: metric, in the UI's number format
        var FMT = window.ArealLib.format;
        L.GeometryUtil.readableArea = function (m2) { return FMT.measureArea(m2, cfg.lang); };
        L.GeometryUtil.readableDistance = function (m) { return FMT.measureDistance(m, cfg.lang); };
      }
      var drawControl = new L.Control.Draw({
        position: "topleft",
        draw: {
          polygon: { allowIntersection: false, showArea: true, metric: true, shapeOptions: { color: "#d50000" } },
          rectangle: { metric: true, shapeOptions: { color: "#d50000" } },
          marker: true, polyline: false, circle: false, circlemarker: false
        },
        edit: false
      });
      map.addControl(drawControl);
      map.on("draw:drawstart", function () { S.drawing = true; if (S.measure) S.measure.stop(); S.panel.setOpen(false); });
      map.on("draw:drawstop", function () { setTimeout(function () { S.drawing = false; }, 50); });
      map.on("draw:created", function (ev) {
        var gj = ev.layer.toGeoJSON();
        showSite(gj, false);
        post("draw", { geojson: gj.geometry });
      });
    }
    if (cfg.draw) {
      map.on("click", function (ev) {
        var action = style.clickAction({ drawing: S.drawing, measuring: S.measuring, site: S.siteGeo, pointMode: S.pointMode },
          ev.latlng.lng, ev.latlng.lat);
        document.body.dataset.lastClick = action;
        if (action === "site-popup") {
          L.popup({ maxWidth: 360 }).setLatLng(ev.latlng)
            .setContent(style.popupHtml(T.site, { _popup: S.sitePopup }) +
              "<div class='areal-reason'>" + lib.format.esc(T.site_open) + "</div>").openOn(map);
        } else if (action === "check-point") {
          var gj = { type: "Point", coordinates: [ev.latlng.lng, ev.latlng.lat] };
          showSite(gj, false);
          post("click", { geojson: gj });
        }
      });
    }

    // ---------------------------------------------------------------- analysis overlays (from Python)
    // {id, kind: "geojson" | "image", geojson | url+bounds, title, legend: [{label, color|gradient, hollow}]}
    // Feature properties: _color, _hollow, _id, _tip, _popup [[label, value]...], _link [label, url].
    function clearOverlay(id) {
      var o = S.overlays[id];
      if (o) { map.removeLayer(o.layer); delete S.overlays[id]; }
      S.overlayOrder = S.overlayOrder.filter(function (k) { return k !== id; });
    }
    S.showOverlay = function (id, on) {
      var o = S.overlays[id];
      if (!o) return;
      o.hidden = !on;
      if (on && !map.hasLayer(o.layer)) o.layer.addTo(map);
      if (!on && map.hasLayer(o.layer)) map.removeLayer(o.layer);
      frontLayers();
      update();
    };
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
            if (p._tip) l.bindTooltip(lib.format.esc(p._tip), { sticky: true });
            l.bindPopup(style.popupHtml(d.title, p), { maxWidth: 360 });
            l.on("click", function (ev) {
              if (ev.originalEvent) L.DomEvent.stopPropagation(ev.originalEvent);
              if (S.drawing || S.measuring) return;
              if (p._id !== undefined) post("feature", { overlay: d.id, fid: p._id });
            });
          }
        });
      }
      lyr.addTo(map);
      if (lyr.bringToFront && d.kind !== "image") lyr.bringToFront();
      S.overlays[d.id] = { layer: lyr, title: d.title, legend: d.legend || [], hidden: false, kind: d.kind };
      S.overlayOrder.push(d.id);
      if (d.fit && lyr.getBounds) {
        var bb = lyr.getBounds();
        if (bb.isValid()) map.fitBounds(bb, { maxZoom: 12, padding: [40, 40] });
      }
      update();
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
      if (d.type === "site") showSite(d.geojson, d.fit !== false, d.popup);
      else if (d.type === "clear_site") showSite(null, false);
      else if (d.type === "visible") {
        var want = {};
        (d.visible || []).forEach(function (id) { want[id] = true; });
        for (var id in S.entries) S.setVisible(id, !!want[id]);
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
        update();
      }
    });

    // ---------------------------------------------------------------- start
    S.setBase(bases[cfg.base] ? cfg.base : "topo", false);
    if (cfg.site) showSite(cfg.site, cfg.site_fit !== false, cfg.site_popup);
    else if (cfg.municipality_bounds) {
      var mb = cfg.municipality_bounds;
      map.fitBounds([[mb[0], mb[1]], [mb[2], mb[3]]]);
    }
    update();
    refreshAll(false);
    post("ready", { visible: S.visibleIds() });
  };
})();
