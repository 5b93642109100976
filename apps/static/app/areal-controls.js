/*
 * Arealkart Trøndelag map script, part 5 of 6: the map's controls (Leaflet, DOM).
 *
 * Layer panel (grouped by theme, collapsible, analysis overlays listed), legend, the compact
 * "Kilder" credits (expand for the full list; a non-commercial licence is always shown), the
 * search box, the measuring tool, the "click checks a point" switch and a notice line. Each
 * control reads the shared map state S (made by areal-map.js) and redraws itself on update().
 */
(function (root) {
  "use strict";
  var lib = root.ArealLib;
  var fmt = lib.format, style = lib.style, search = lib.search, geo = lib.geo;
  var esc = fmt.esc;

  // Icons as inline SVG (an emoji needs a font the machine may not have).
  var ICON_RULER = "<svg viewBox='0 0 24 24' width='18' height='18' aria-hidden='true'><g fill='none' stroke='currentColor' stroke-width='2'>" +
    "<rect x='2' y='8' width='20' height='8' rx='1'/><path d='M6 8v4M10 8v3M14 8v4M18 8v3'/></g></svg>";
  var ICON_POINT = "<svg viewBox='0 0 24 24' width='18' height='18' aria-hidden='true'><g fill='none' stroke='currentColor' stroke-width='2'>" +
    "<circle cx='12' cy='12' r='6'/><path d='M12 2v5M12 17v5M2 12h5M17 12h5'/></g></svg>";

  function control(position, className, id) {
    var C = L.Control.extend({
      options: { position: position },
      onAdd: function () {
        var div = L.DomUtil.create("div", className);
        if (id) div.id = id;
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        // Leaflet 1.9 tells control clicks from map clicks by walking up from the target; a
        // control that redraws itself detaches the target, and the click would check a point.
        L.DomEvent.on(div, "click", L.DomEvent.stopPropagation);
        this._div = div;
        return div;
      }
    });
    return new C();
  }

  function remember(key, value) {
    try {
      if (value === undefined) return window.sessionStorage.getItem(key);
      window.sessionStorage.setItem(key, value);
    } catch (e) { /* storage blocked: the default applies */ }
    return null;
  }

  // ---------------------------------------------------------------- layer panel
  function layerPanel(S) {
    var cfg = S.cfg, T = S.text, map = S.map;
    var panel = control("topright", "areal-panel leaflet-bar", "areal-layer-panel");
    panel.addTo(map);
    var div = panel._div;
    div.setAttribute("data-open", remember("areal-panel-open") === "1" ? "1" : "0");

    function setOpen(open) {
      div.setAttribute("data-open", open ? "1" : "0");
      remember("areal-panel-open", open ? "1" : "0");
      update();
    }

    function update() {
      var open = div.getAttribute("data-open") === "1";
      var html = "<div class='areal-panel-head'><button type='button' class='areal-toggle' aria-expanded='" + open + "'>" +
        esc(T.layers) + (open ? " ▴" : " ▾") + "</button></div>";
      html += "<div class='areal-panel-body' style='" + (open ? "" : "display:none") + "'>";
      html += "<div class='areal-group'><div class='areal-group-title'>" + esc(T.base) + "</div>";
      Object.keys(S.bases).forEach(function (k) {
        html += "<label class='areal-row'><input type='radio' name='areal-base' value='" + esc(k) + "'" +
          (map.hasLayer(S.bases[k]) ? " checked" : "") + "> " + esc(cfg.base_titles[k] || k) + "</label>";
      });
      html += "</div>";
      if (S.overlayOrder.length) {
        html += "<div class='areal-group' data-theme='overlays'><div class='areal-group-title'>" + esc(T.overlays) + "</div>";
        S.overlayOrder.forEach(function (id) {
          var o = S.overlays[id];
          html += "<label class='areal-row' data-overlay='" + esc(id) + "'><input type='checkbox' class='areal-overlay-cb' value='" +
            esc(id) + "'" + (o.hidden ? "" : " checked") + "> " + esc(o.title || id) + "</label>";
        });
        html += "</div>";
      }
      cfg.themes.forEach(function (th) {
        var items = cfg.layers.filter(function (lc) { return lc.theme === th.id; });
        if (!items.length) return;
        html += "<div class='areal-group' data-theme='" + esc(th.id) + "'><div class='areal-group-title'>" + esc(th.title) + "</div>";
        items.forEach(function (lc) {
          var e = S.entries[lc.id];
          if (!lc.available) {
            html += "<label class='areal-row areal-unavailable' title='" + esc(lc.reason) + "' data-layer='" + esc(lc.id) + "'>" +
              "<input type='checkbox' disabled> " + esc(lc.title) + " <span class='areal-reason'>(" + esc(T.unavailable) + ")</span></label>";
            return;
          }
          var on = map.hasLayer(e.layer);
          var note = on ? style.layerStatus(e, T) : "";
          html += "<label class='areal-row' data-layer='" + esc(lc.id) + "' title='" + esc(lc.title) + "'><input type='checkbox' class='areal-layer-cb' value='" +
            esc(lc.id) + "'" + (on ? " checked" : "") + "> " + style.swatch(lc.legend) + esc(lc.title) +
            (lc.kind === "raster" ? " <span class='areal-reason'>(" + esc(T.raster) + ")</span>" : "") +
            (note ? " <span class='areal-reason areal-status'>(" + esc(note) + ")</span>" : "") + "</label>";
        });
        html += "</div>";
      });
      html += "</div>";
      div.innerHTML = html;
      div.querySelector(".areal-toggle").onclick = function () { setOpen(!open); };
      div.querySelectorAll("input[name=areal-base]").forEach(function (inp) {
        inp.onchange = function () { S.setBase(inp.value, true); };
      });
      div.querySelectorAll("input.areal-layer-cb").forEach(function (inp) {
        inp.onchange = function () {
          S.setVisible(inp.value, inp.checked);
          S.post("layers", { visible: S.visibleIds() });
        };
      });
      div.querySelectorAll("input.areal-overlay-cb").forEach(function (inp) {
        inp.onchange = function () { S.showOverlay(inp.value, inp.checked); };
      });
    }
    return { update: update, setOpen: setOpen, el: div };
  }

  // ---------------------------------------------------------------- legend
  function legend(S) {
    var T = S.text, map = S.map;
    var c = control("bottomleft", "areal-legend", "areal-legend");
    c.addTo(map);
    function update() {
      var html = "<div class='areal-legend-title'>" + esc(T.legend) + "</div>";
      var any = false;
      S.cfg.layers.forEach(function (lc) {
        var e = S.entries[lc.id];
        if (!e || !map.hasLayer(e.layer) || lc.kind === "raster") return;
        any = true;
        html += "<div class='areal-legend-item'>" + style.swatch(lc.legend) + esc(lc.title) + "</div>";
        (lc.legend.categories || []).forEach(function (cat) {
          html += "<div class='areal-legend-cat'>" + style.swatch(lc.legend, cat.color) + esc(cat.label) + "</div>";
        });
      });
      if (S.siteLayer) {
        any = true;
        html += "<div class='areal-legend-item'><span class='areal-sw' style='background:#ffeb3b;border-color:#d50000'></span>" +
          esc(T.site) + "</div>";
      }
      S.overlayOrder.forEach(function (id) {
        var o = S.overlays[id];
        if (!o || o.hidden) return;
        any = true;
        html += "<div class='areal-legend-item'><b>" + esc(o.title || id) + "</b></div>";
        o.legend.forEach(function (it) {
          html += "<div class='areal-legend-cat'>" + style.overlaySwatch(it) + esc(it.label) + "</div>";
        });
      });
      c._div.innerHTML = html;
      c._div.style.display = any ? "" : "none";
    }
    return { update: update };
  }

  // ---------------------------------------------------------------- "Kilder": compact credits
  function sources(S) {
    var T = S.text, map = S.map;
    var attr = map.attributionControl;
    var c = control("bottomright", "areal-sources", "areal-sources");
    c.addTo(map);
    var open = false;
    function update() {
      if (attr) attr.getContainer().style.display = open ? "" : "none";
      var nc = style.credits(null, S.visibleLayerConfigs()).filter(function (cr) { return cr.noncommercial; });
      var html = "<button type='button' class='areal-sources-btn' aria-expanded='" + open + "'>" + esc(T.sources) +
        (open ? " ▾" : " ▸") + "</button>";
      nc.forEach(function (cr) {
        html += "<div class='areal-nc'>" + esc(cr.title) + ": " + esc(cr.text) + "</div>";
      });
      c._div.innerHTML = html;
      c._div.querySelector("button").onclick = function () { open = !open; update(); };
    }
    return { update: update };
  }

  // ---------------------------------------------------------------- notice line (top centre)
  function notice(S) {
    var c = control("topright", "areal-notice", "areal-notice");
    c.addTo(S.map);
    c._div.style.display = "none";
    return {
      show: function (text) { c._div.textContent = text; c._div.style.display = text ? "" : "none"; }
    };
  }

  // ---------------------------------------------------------------- search box
  function searchBox(S) {
    var T = S.text, map = S.map;
    var c = control("topright", "areal-search leaflet-bar", "areal-search");
    c.addTo(map);
    var div = c._div;
    div.innerHTML = "<input type='search' class='areal-search-input' autocomplete='off' placeholder='" + esc(T.search) +
      "' aria-label='" + esc(T.search) + "'><ul class='areal-search-results' role='listbox'></ul>";
    var input = div.querySelector("input"), list = div.querySelector("ul");
    var results = [];
    var marker = null;

    function label(r) {
      if (r.kind === "coordinate") {
        var cc = r.coordinate;
        return "<b>" + esc(T.search_coord) + "</b> " + esc(fmt.number(cc.lat, 5, S.cfg.lang)) + " N, " +
          esc(fmt.number(cc.lon, 5, S.cfg.lang)) + " Ø · UTM33 " + esc(fmt.number(cc.east, 0, S.cfg.lang)) + " " +
          esc(fmt.number(cc.north, 0, S.cfg.lang)) + (cc.inCounty ? "" : "<br><span class='areal-warn'>" + esc(T.search_outside) + "</span>");
      }
      return esc(r.name) + " <span class='areal-reason'>" + esc(T["kind." + r.kind] || r.kind) + "</span>";
    }

    function render() {
      var q = input.value;
      results = q.trim().length >= 2 ? search.search(S.places || [], q, 8) : [];
      if (!q.trim()) { list.innerHTML = ""; return; }
      list.innerHTML = results.length ? results.map(function (r, i) {
        return "<li role='option' data-i='" + i + "' class='areal-search-hit'>" + label(r) + "</li>";
      }).join("") : (q.trim().length >= 2 ? "<li class='areal-search-none'>" + esc(T.search_none) + "</li>" : "");
      list.querySelectorAll("li[data-i]").forEach(function (li) {
        li.onclick = function () { go(results[+li.getAttribute("data-i")]); };
      });
    }

    function go(r) {
      if (!r) return;
      if (marker) map.removeLayer(marker);
      marker = L.circleMarker([r.lat, r.lon], { radius: 7, color: "#1f3b73", weight: 3, fillColor: "#fff", fillOpacity: 1, interactive: false })
        .bindTooltip(esc(r.name), { permanent: true, direction: "right", className: "areal-search-label" }).addTo(map);
      if (r.bounds) map.fitBounds([[r.bounds[0], r.bounds[1]], [r.bounds[2], r.bounds[3]]], { maxZoom: 12 });
      else map.setView([r.lat, r.lon], Math.max(map.getZoom(), r.kind === "coordinate" ? 13 : 12));
      list.innerHTML = "";
      div.dataset.found = r.name;
    }

    input.addEventListener("focus", function () { S.loadPlaces(render); });
    input.addEventListener("input", function () { S.loadPlaces(render); });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { ev.preventDefault(); S.loadPlaces(function () { render(); go(results[0]); }); }
      if (ev.key === "Escape") { input.value = ""; list.innerHTML = ""; }
    });
    return { go: go, input: input };
  }

  // ---------------------------------------------------------------- measuring tool
  function measureTool(S) {
    var T = S.text, map = S.map, lang = S.cfg.lang;
    var c = control("topleft", "areal-measure leaflet-bar", "areal-measure");
    c.addTo(map);
    var div = c._div;
    div.innerHTML = "<a href='#' role='button' class='areal-measure-btn' title='" + esc(T.measure) + "' aria-label='" +
      esc(T.measure) + "'>" + ICON_RULER + "</a><div class='areal-measure-box' style='display:none'></div>";
    var btn = div.querySelector("a"), box = div.querySelector(".areal-measure-box");
    var pts = [], closed = false, line = null, poly = null, dots = null;
    var result = { distance_m: 0, area_m2: null, points: 0 };
    window.arealMeasure = result;

    function draw() {
      var lls = pts.map(function (p) { return [p[1], p[0]]; });
      if (line) map.removeLayer(line);
      if (poly) map.removeLayer(poly);
      if (closed) {
        poly = L.polygon(lls, { color: "#6a1b9a", weight: 2, dashArray: "6 4", fillOpacity: 0.1, interactive: false }).addTo(map);
        line = null;
      } else {
        line = L.polyline(lls, { color: "#6a1b9a", weight: 2, dashArray: "6 4", interactive: false }).addTo(map);
        poly = null;
      }
      dots.clearLayers();
      lls.forEach(function (ll) { L.circleMarker(ll, { radius: 3, color: "#6a1b9a", weight: 2, fillOpacity: 1, interactive: false }).addTo(dots); });
      var path = closed ? pts.concat([pts[0]]) : pts;
      result.distance_m = geo.pathLength(path);
      result.area_m2 = closed ? geo.ringArea(pts) : null;
      result.points = pts.length;
      var html = "<div class='areal-measure-help'>" + esc(T.measure_help) + "</div>";
      html += "<div class='areal-measure-distance'>" + esc(T.measure_distance) + ": <b>" + esc(fmt.measureDistance(result.distance_m, lang)) + "</b></div>";
      if (closed) html += "<div class='areal-measure-area'>" + esc(T.measure_area) + ": <b>" + esc(fmt.measureArea(result.area_m2, lang)) + "</b></div>";
      html += "<button type='button' class='areal-measure-end'>" + esc(T.measure_end) + "</button>";
      box.innerHTML = html;
      box.querySelector("button").onclick = function (ev) { ev.preventDefault(); stop(); };
      div.dataset.distance = String(result.distance_m);
      div.dataset.area = result.area_m2 === null ? "" : String(result.area_m2);
    }

    function onClick(ev) {
      if (closed) { pts = []; closed = false; }
      var p = [ev.latlng.lng, ev.latlng.lat];
      if (pts.length >= 3) {
        var first = map.latLngToContainerPoint([pts[0][1], pts[0][0]]);
        if (first.distanceTo(ev.containerPoint) < 10) { closed = true; draw(); return; }
      }
      pts.push(p);
      draw();
    }
    function onDbl(ev) { L.DomEvent.stop(ev); if (pts.length > 1) pts.pop(); draw(); stopClicks(); }

    function stopClicks() {
      map.off("click", onClick);
      map.off("dblclick", onDbl);
      S.measuring = false;
      map.doubleClickZoom.enable();
      map.getContainer().classList.remove("areal-measuring");
    }
    function start() {
      S.measuring = true;
      S.panel.setOpen(false);
      pts = []; closed = false;
      if (!dots) dots = L.layerGroup().addTo(map);
      map.doubleClickZoom.disable();
      map.on("click", onClick);
      map.on("dblclick", onDbl);
      map.getContainer().classList.add("areal-measuring");
      box.style.display = "";
      btn.classList.add("areal-on");
      draw();
    }
    function stop() {
      stopClicks();
      pts = []; closed = false;
      if (line) map.removeLayer(line);
      if (poly) map.removeLayer(poly);
      if (dots) dots.clearLayers();
      line = poly = null;
      box.style.display = "none";
      btn.classList.remove("areal-on");
    }
    btn.onclick = function (ev) { ev.preventDefault(); if (S.measuring) stop(); else start(); };
    return { start: start, stop: stop, result: result };
  }

  // ---------------------------------------------------------------- "a click checks a point"
  function pointModeButton(S) {
    var T = S.text;
    var c = control("topleft", "areal-pointmode leaflet-bar", "areal-pointmode");
    c.addTo(S.map);
    function update() {
      c._div.innerHTML = "<a href='#' role='button' class='areal-pointmode-btn" + (S.pointMode ? " areal-on" : "") +
        "' title='" + esc(T.point_mode) + "' aria-pressed='" + S.pointMode + "'>" + ICON_POINT + "</a>";
      c._div.querySelector("a").onclick = function (ev) { ev.preventDefault(); S.pointMode = !S.pointMode; update(); };
    }
    update();
    return { update: update };
  }

  lib.controls = {
    layerPanel: layerPanel, legend: legend, sources: sources, notice: notice, searchBox: searchBox,
    measureTool: measureTool, pointModeButton: pointModeButton
  };
})(window);
