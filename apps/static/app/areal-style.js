/*
 * Arealkart Trøndelag map script, part 3 of 6: style, legend and click decisions (pure, no DOM).
 *
 * What a feature looks like, what its tooltip/popup says, what the legend shows, what a layer's
 * status note is (thinned, failed), the credits of what is on the map, and what a click on the
 * map means given the drawing state. Everything returns plain values or HTML strings.
 */
(function (root, factory) {
  var fmt = typeof module === "object" && module.exports ? require("./areal-format.js") : root.ArealLib.format;
  var geo = typeof module === "object" && module.exports ? require("./areal-geo.js") : root.ArealLib.geo;
  var api = factory(fmt, geo);
  if (typeof module === "object" && module.exports) module.exports = api;
  else { root.ArealLib = root.ArealLib || {}; root.ArealLib.style = api; }
})(typeof self !== "undefined" ? self : this, function (fmt, geo) {
  "use strict";
  var esc = fmt.esc;

  /** Leaflet path options of a catalogue feature (its class colour from "_c" when the layer has classes). */
  function featureStyle(lc, f) {
    var st = lc.style;
    var code = f && f.properties ? f.properties._c : undefined;
    var cat = code !== undefined && code !== null && st.categories ? st.categories[code] : undefined;
    var fill = cat || st.fill_color;
    var line = lc.family === "line" && cat ? cat : st.color;
    return {
      color: line, weight: st.weight, fillColor: fill, fillOpacity: st.fill_opacity,
      dashArray: st.dash_array || null, opacity: 0.9
    };
  }

  /** The fixed look of the offline base map's layers (data the app has, drawn like a paper map). */
  var BASE_STYLES = {
    sea: { color: "#9cc3e4", weight: 0, fillColor: "#cfe3f3", fillOpacity: 1 },
    lakes: { color: "#7fb0da", weight: 0.5, fillColor: "#bcd9f0", fillOpacity: 1 },
    rivers: { color: "#7fb0da", weight: 1, opacity: 1 },
    forest: { color: "#b9d6a3", weight: 0, fillColor: "#dcebcf", fillOpacity: 1 },
    built_up: { color: "#d9b9a3", weight: 0.5, fillColor: "#f0ddd0", fillOpacity: 1 },
    roads: { color: "#c77b3b", weight: 1.2, opacity: 0.9 },
    municipalities: { color: "#8d8d8d", weight: 1, dashArray: "4 3", fill: false, opacity: 0.9 }
  };
  function baseStyle(id, f) {
    var s = Object.assign({ interactive: false }, BASE_STYLES[id] || {});
    if (id === "roads" && f && f.properties && (f.properties._c === "E" || f.properties._c === "R")) {
      s.weight = 2.2; s.color = "#b5552a";
    }
    return s;
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
    var hollow = !colour && !(lg.fill_opacity > 0);
    return "<span class='areal-sw' style='background:" + (hollow ? "transparent" : esc(c)) + ";border-color:" +
      esc(lg.color) + (lg.dash_array ? ";border-style:dashed" : "") + "'></span>";
  }

  /** Legend rows of one overlay item ({label, color | gradient, hollow}). */
  function overlaySwatch(it) {
    if (it.gradient) {
      return "<span class='areal-sw' style='width:60px;background:linear-gradient(to right," + it.gradient.map(esc).join(",") + ")'></span>";
    }
    if (it.hollow) return "<span class='areal-sw' style='background:transparent;border:2px dashed " + esc(it.color) + "'></span>";
    return "<span class='areal-sw' style='background:" + esc(it.color) + ";border-color:" + esc(it.color) + "'></span>";
  }

  /** Popup of an analysis feature or the site: a title and [label, value] rows, a link if http(s). */
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

  /**
   * The note after a layer's name: "" when it is drawn in full, else why not
   * (entry: {error, thinned: {kept, total}, tooLarge}).
   */
  function layerStatus(entry, text) {
    if (!entry) return "";
    if (entry.error) return text.failed;
    if (entry.tooLarge) return text.too_large;
    if (entry.thinned && entry.thinned.kept < entry.thinned.total) return text.thinned;
    return "";
  }

  /**
   * The credits of what is on the map, one per distinct attribution, non-commercial ones flagged:
   * [{text, noncommercial}] in layer order, the base map first.
   */
  function credits(base, layers) {
    var out = [], seen = {};
    if (base) { out.push({ text: base, noncommercial: false }); seen[base] = true; }
    layers.forEach(function (lc) {
      if (!lc.attribution || seen[lc.attribution]) return;
      seen[lc.attribution] = true;
      out.push({ text: lc.attribution, noncommercial: !!lc.noncommercial, title: lc.title });
    });
    return out;
  }

  /**
   * What a click on the map does, from the drawing state:
   *   "ignore"      while drawing a site or measuring (the tool owns the click),
   *   "site-popup"  inside the current site polygon (its popup; the site is kept),
   *   "check-point" elsewhere in "check a point" mode,
   *   "none"        otherwise.
   * A click on an analysis feature (conflict polygon, candidate site) never reaches the map: the
   * feature opens its own popup.
   */
  function clickAction(s, lon, lat) {
    if (s.drawing || s.measuring) return "ignore";
    if (s.site && geo.contains(s.site, lon, lat)) return "site-popup";
    return s.pointMode ? "check-point" : "none";
  }

  return {
    featureStyle: featureStyle, baseStyle: baseStyle, BASE_STYLES: BASE_STYLES, tooltipHtml: tooltipHtml,
    swatch: swatch, overlaySwatch: overlaySwatch, popupHtml: popupHtml, layerStatus: layerStatus,
    credits: credits, clickAction: clickAction
  };
});
