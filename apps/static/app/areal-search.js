/*
 * Arealkart Trøndelag map script, part 4 of 6: finding places (pure, no DOM).
 *
 * The place index comes from the app (/areal/api/places: municipalities with their Sámi forms,
 * stations, airports, protected areas, test arenas). A query is matched on every name part
 * ("Rosse - Røros" is found by "røros" and by "rosse"), folding case and the Norwegian letters
 * for the typist without them ("roros" finds Røros). A query that is a coordinate gives a
 * coordinate result first.
 */
(function (root, factory) {
  var geo = typeof module === "object" && module.exports ? require("./areal-geo.js") : root.ArealLib.geo;
  var api = factory(geo);
  if (typeof module === "object" && module.exports) module.exports = api;
  else { root.ArealLib = root.ArealLib || {}; root.ArealLib.search = api; }
})(typeof self !== "undefined" ? self : this, function (geo) {
  "use strict";

  var KIND_ORDER = { municipality: 0, place: 1, station: 2, airport: 3, park: 4, arena: 5 };

  /** Lower case, "æøå" and accents folded: fold("Røros") === fold("roros"). */
  function fold(s) {
    return String(s).toLowerCase().replace(/æ/g, "ae").replace(/ø/g, "o").replace(/å/g, "a")
      .normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, " ").trim();
  }

  function tokens(name) {
    return String(name).split(/\s+-\s+|\s*\/\s*|\s*,\s*/).map(fold).filter(Boolean);
  }

  /** How well a place matches (lower is better), or -1 for no match. */
  function kindRank(k) { return Object.prototype.hasOwnProperty.call(KIND_ORDER, k) ? KIND_ORDER[k] : 9; }

  function score(place, q) {
    var full = fold(place.name);
    var parts = tokens(place.name);
    if (full === q || parts.indexOf(q) >= 0) return 0; // "røros" is all of "Rosse - Røros"'s Norwegian form
    if (full.indexOf(q) === 0 || parts.some(function (p) { return p.indexOf(q) === 0; })) return 2;
    var words = full.split(/[\s-]+/);
    if (words.some(function (w) { return w.indexOf(q) === 0; })) return 3;
    return full.indexOf(q) >= 0 ? 4 : -1;
  }

  /** The best `limit` places for a query: [{place, score}] best first. */
  function matchPlaces(places, query, limit) {
    var q = fold(query);
    if (q.length < 2) return [];
    var hits = [];
    places.forEach(function (p) {
      var s = score(p, q);
      if (s >= 0) hits.push({ place: p, score: s });
    });
    hits.sort(function (a, b) {
      return a.score - b.score || kindRank(a.place.kind) - kindRank(b.place.kind) ||
        fold(a.place.name).localeCompare(fold(b.place.name));
    });
    return hits.slice(0, limit || 8);
  }

  /**
   * Everything a query finds: a coordinate (if it is one) then the places.
   * Each result: {kind, name, lat, lon, bounds?, coordinate?}.
   */
  function search(places, query, limit) {
    var out = [];
    var c = geo.parseCoordinate(query);
    if (c) out.push({ kind: "coordinate", name: String(query).trim(), lat: c.lat, lon: c.lon, coordinate: c });
    matchPlaces(places, query, limit).forEach(function (h) { out.push(h.place); });
    return out;
  }

  return { fold: fold, matchPlaces: matchPlaces, search: search };
});
