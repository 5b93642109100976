/*
 * Arealkart Trøndelag map script, part 2 of 6: coordinates (pure, no DOM).
 *
 * - EPSG:25833 (ETRS89 / UTM 33N) to and from lon/lat: Krüger's series to the 4th order in n
 *   (sub-millimetre inside the zone; tests/js/geo.test.js compares with pyproj),
 * - parsing a coordinate typed into the search box ("271000 7040000", "63.43, 10.39",
 *   "10.39 63.43", "63,43 10,39") with a plausibility check,
 * - lengths and areas measured in EPSG:25833 (the app's working CRS, so a measured area is the
 *   area the site check reports), point-in-polygon for GeoJSON geometries.
 */
(function (root, factory) {
  var api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  else { root.ArealLib = root.ArealLib || {}; root.ArealLib.geo = api; }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var A_GRS80 = 6378137.0, F_GRS80 = 1 / 298.257222101, K0 = 0.9996, LON0 = 15, FE = 500000;
  var n = F_GRS80 / (2 - F_GRS80), n2 = n * n, n3 = n2 * n, n4 = n3 * n;
  var A = A_GRS80 / (1 + n) * (1 + n2 / 4 + n4 / 64);
  var ALPHA = [n / 2 - 2 * n2 / 3 + 5 * n3 / 16 + 41 * n4 / 180, 13 * n2 / 48 - 3 * n3 / 5 + 557 * n4 / 1440,
    61 * n3 / 240 - 103 * n4 / 140, 49561 * n4 / 161280];
  var BETA = [n / 2 - 2 * n2 / 3 + 37 * n3 / 96 - n4 / 360, n2 / 48 + n3 / 15 - 437 * n4 / 1440,
    17 * n3 / 480 - 37 * n4 / 840, 4397 * n4 / 161280];
  var DELTA = [2 * n - 2 * n2 / 3 - 2 * n3 + 116 * n4 / 45, 7 * n2 / 3 - 8 * n3 / 5 - 227 * n4 / 45,
    56 * n3 / 15 - 136 * n4 / 35, 4279 * n4 / 630];
  var RAD = Math.PI / 180;
  var C2 = 2 * Math.sqrt(n) / (1 + n);

  /** [lon, lat] (degrees) -> [E, N] in EPSG:25833. */
  function toUtm33(lon, lat) {
    var phi = lat * RAD, dl = (lon - LON0) * RAD;
    var t = Math.sinh(Math.atanh(Math.sin(phi)) - C2 * Math.atanh(C2 * Math.sin(phi)));
    var xi = Math.atan(t / Math.cos(dl)), eta = Math.atanh(Math.sin(dl) / Math.sqrt(1 + t * t));
    var e = eta, nn = xi;
    for (var j = 1; j <= 4; j++) {
      e += ALPHA[j - 1] * Math.cos(2 * j * xi) * Math.sinh(2 * j * eta);
      nn += ALPHA[j - 1] * Math.sin(2 * j * xi) * Math.cosh(2 * j * eta);
    }
    return [FE + K0 * A * e, K0 * A * nn];
  }

  /** [E, N] in EPSG:25833 -> [lon, lat] (degrees). */
  function fromUtm33(east, north) {
    var xi = north / (K0 * A), eta = (east - FE) / (K0 * A);
    var xp = xi, ep = eta;
    for (var j = 1; j <= 4; j++) {
      xp -= BETA[j - 1] * Math.sin(2 * j * xi) * Math.cosh(2 * j * eta);
      ep -= BETA[j - 1] * Math.cos(2 * j * xi) * Math.sinh(2 * j * eta);
    }
    var chi = Math.asin(Math.sin(xp) / Math.cosh(ep));
    var phi = chi;
    for (var k = 1; k <= 4; k++) phi += DELTA[k - 1] * Math.sin(2 * k * chi);
    return [LON0 + Math.atan(Math.sinh(ep) / Math.cos(xp)) / RAD, phi / RAD];
  }

  // Trøndelag's extent with a margin (lon/lat) and a wider "is in Norway's waters" box.
  var COUNTY = { west: 8.0, south: 62.2, east: 14.9, north: 65.6 };
  var NORWAY = { west: 0.0, south: 57.0, east: 32.0, north: 72.0 };
  function inBox(b, lon, lat) { return lon >= b.west && lon <= b.east && lat >= b.south && lat <= b.north; }

  function num(s) {
    var t = String(s).trim().replace(/^[NEØnø]\s*|\s*[NEØnø°]$/g, "").replace("°", "").replace(",", ".");
    if (!/^[-+\u2212]?\d+(\.\d+)?$/.test(t)) return NaN;
    return Number(t.replace("\u2212", "-"));
  }

  function splitPair(q) {
    var s = String(q).trim().replace(/\s+/g, " ");
    if (!s) return null;
    var parts;
    if (s.indexOf(";") >= 0) parts = s.split(/\s*;\s*/);
    else if (s.indexOf(" ") >= 0) parts = s.split(/\s*,\s+|\s+/); // a comma before a space separates
    else parts = s.split(",");                                   // "63.43,10.39"
    parts = parts.filter(function (p) { return p !== ""; });
    return parts.length === 2 ? parts : null;
  }

  /**
   * A coordinate typed by a user, or null when the text is not one.
   * Returns {kind: "utm33" | "lonlat", lon, lat, east, north, inCounty}; a pair that is neither a
   * plausible UTM 33 position nor a plausible lat/lon in Norway is null.
   */
  function parseCoordinate(q) {
    var pair = splitPair(q);
    if (!pair) return null;
    var a = num(pair[0]), b = num(pair[1]);
    if (!isFinite(a) || !isFinite(b)) return null;
    var out = null;
    var isE = function (v) { return v > -200000 && v < 1300000; };
    var isN = function (v) { return v > 6300000 && v < 8100000; };
    if (Math.abs(a) > 1000 || Math.abs(b) > 1000) {            // metres: EPSG:25833
      var east = null, north = null;
      if (isE(a) && isN(b)) { east = a; north = b; } else if (isN(a) && isE(b)) { east = b; north = a; }
      if (east === null) return null;
      var ll = fromUtm33(east, north);
      out = { kind: "utm33", lon: ll[0], lat: ll[1], east: east, north: north };
    } else {                                                    // degrees: which is the latitude?
      var lat, lon;
      if (a >= NORWAY.south && a <= NORWAY.north && b >= NORWAY.west && b <= NORWAY.east) { lat = a; lon = b; }
      else if (b >= NORWAY.south && b <= NORWAY.north && a >= NORWAY.west && a <= NORWAY.east) { lat = b; lon = a; }
      else return null;
      var en = toUtm33(lon, lat);
      out = { kind: "lonlat", lon: lon, lat: lat, east: en[0], north: en[1] };
    }
    if (!inBox(NORWAY, out.lon, out.lat)) return null;
    out.inCounty = inBox(COUNTY, out.lon, out.lat);
    return out;
  }

  /** Length (m) of a lon/lat path measured in EPSG:25833. */
  function pathLength(lonlats) {
    var total = 0;
    for (var i = 1; i < lonlats.length; i++) {
      var p = toUtm33(lonlats[i - 1][0], lonlats[i - 1][1]), q = toUtm33(lonlats[i][0], lonlats[i][1]);
      total += Math.hypot(q[0] - p[0], q[1] - p[1]);
    }
    return total;
  }

  /** Area (m²) of a lon/lat ring (closed or not) measured in EPSG:25833 (shoelace). */
  function ringArea(lonlats) {
    var pts = lonlats.map(function (c) { return toUtm33(c[0], c[1]); });
    var s = 0;
    for (var i = 0; i < pts.length; i++) {
      var p = pts[i], q = pts[(i + 1) % pts.length];
      s += p[0] * q[1] - q[0] * p[1];
    }
    return Math.abs(s) / 2;
  }

  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  function inPolygon(x, y, rings) {
    if (!rings.length || !inRing(x, y, rings[0])) return false;
    for (var h = 1; h < rings.length; h++) if (inRing(x, y, rings[h])) return false;
    return true;
  }

  /** Whether lon/lat lies inside a GeoJSON geometry, Feature or FeatureCollection (polygons only). */
  function contains(geojson, lon, lat) {
    if (!geojson) return false;
    if (geojson.type === "FeatureCollection") return geojson.features.some(function (f) { return contains(f, lon, lat); });
    if (geojson.type === "Feature") return contains(geojson.geometry, lon, lat);
    if (geojson.type === "Polygon") return inPolygon(lon, lat, geojson.coordinates);
    if (geojson.type === "MultiPolygon") return geojson.coordinates.some(function (p) { return inPolygon(lon, lat, p); });
    if (geojson.type === "GeometryCollection") return geojson.geometries.some(function (g) { return contains(g, lon, lat); });
    return false;
  }

  /** The zoom band (from the map config) that serves a zoom level. */
  function bandFor(bands, z) {
    for (var i = 0; i < bands.length; i++) if (z <= bands[i].max_zoom) return bands[i];
    return bands[bands.length - 1];
  }

  return {
    toUtm33: toUtm33, fromUtm33: fromUtm33, parseCoordinate: parseCoordinate, pathLength: pathLength,
    ringArea: ringArea, contains: contains, bandFor: bandFor, COUNTY: COUNTY
  };
});
