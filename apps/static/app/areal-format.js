/*
 * Arealkart Trøndelag map script, part 1 of 6: text and number formatting (pure, no DOM).
 *
 * The same conventions as the Python formatter (areal.apps.formatting): Norwegian bokmål groups
 * thousands with a no-break space and marks decimals with a comma ("1 320,9 m"), a real minus
 * sign; English uses "1,320.9 m". Missing values show "–". Exact ties round half to even, as
 * Python's format() does, so both give the same string for the same number
 * (tests/js/format.test.js and tests/apps/test_js.py check that).
 *
 * Loaded as a plain script (window.ArealLib.format) and by node's test runner (module.exports).
 */
(function (root, factory) {
  var api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  else { root.ArealLib = root.ArealLib || {}; root.ArealLib.format = api; }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var NBSP = "\u00a0";
  var MISSING = "–";

  function esc(v) {
    return String(v === undefined || v === null ? "" : v).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /** "{n} av {total}" with values filled in. */
  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (m, k) {
      return values && values[k] !== undefined ? String(values[k]) : m;
    });
  }

  function isMissing(v) {
    return v === null || v === undefined || v === "" || typeof v === "boolean" || !isFinite(Number(v));
  }

  // Fixed-point digits of x >= 0 rounded from its exact binary value, half to even on an exact
  // tie: what Python's format() gives (toFixed alone rounds ties away from zero).
  function fixed(x, d) {
    var exact = x.toFixed(Math.min(d + 40, 100));
    var dot = exact.indexOf(".");
    var ip = exact.slice(0, dot), fp = exact.slice(dot + 1);
    var digits = ip + fp.slice(0, d), rest = fp.slice(d);
    var last = Number(digits.charAt(digits.length - 1));
    var up = rest.charAt(0) > "5" || (rest.charAt(0) === "5" && (/[1-9]/.test(rest.slice(1)) || last % 2 === 1));
    if (up) {
      var arr = digits.split(""), i = arr.length - 1;
      while (i >= 0) {
        if (arr[i] === "9") { arr[i] = "0"; i -= 1; } else { arr[i] = String(Number(arr[i]) + 1); break; }
      }
      digits = (i < 0 ? "1" : "") + arr.join("");
    }
    var cut = digits.length - d;
    return d > 0 ? digits.slice(0, cut) + "." + digits.slice(cut) : digits;
  }

  /**
   * number(1320.94, 1) -> "1 320,9" (nb) ; number(1320.94, 1, "en") -> "1,320.9".
   */
  function number(value, decimals, lang) {
    if (isMissing(value)) return MISSING;
    var v = Number(value);
    var d = Math.max(decimals === undefined ? 1 : Math.floor(decimals), 0);
    var digits = fixed(Math.abs(v), d);
    var parts = digits.split(".");
    var sep = lang === "en" ? "," : NBSP;
    var intPart = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, sep);
    var text = parts.length > 1 ? intPart + (lang === "en" ? "." : ",") + parts[1] : intPart;
    if (v < 0 && Number(digits) !== 0) text = (lang === "en" ? "-" : "\u2212") + text;
    return text;
  }

  function unit(text, u, lang) {
    if (text === MISSING || !u) return text;
    return text + (lang === "en" ? " " : NBSP) + u;
  }

  /** Hectares: one decimal, two below 1 ha ("12,5 ha", "0,25 ha"). */
  function areaHa(value, lang) {
    var d = !isMissing(value) && Math.abs(Number(value)) < 1 ? 2 : 1;
    return unit(number(value, d, lang), "ha", lang);
  }

  /** Decares: one decimal ("12,5 daa"). */
  function areaDaa(value, lang) { return unit(number(value, 1, lang), "daa", lang); }

  /** Metres with one decimal ("1 320,9 m"), the measuring tool's distances. */
  function metres(value, lang) { return unit(number(value, 1, lang), "m", lang); }

  /** Kilometres with two decimals ("12,35 km"). */
  function kilometres(valueM, lang) {
    return unit(number(isMissing(valueM) ? null : Number(valueM) / 1000, 2, lang), "km", lang);
  }

  /** A measured length: metres below 10 km, kilometres above. */
  function measureDistance(m, lang) {
    return !isMissing(m) && Math.abs(Number(m)) >= 10000 ? kilometres(m, lang) : metres(m, lang);
  }

  /** A measured area (m²): decares below 10 ha (100 daa), hectares above, km² from 100 km². */
  function measureArea(m2, lang) {
    if (isMissing(m2)) return MISSING;
    var a = Math.abs(Number(m2));
    if (a < 100000) return areaDaa(Number(m2) / 1000, lang);
    if (a < 1e8) return areaHa(Number(m2) / 10000, lang);
    return unit(number(Number(m2) / 1e6, 1, lang), "km²", lang);
  }

  /** Free power in MW, one decimal ("6,0 MW"). */
  function megawatt(value, lang) { return unit(number(value, 1, lang), "MW", lang); }

  return {
    NBSP: NBSP, MISSING: MISSING, esc: esc, fill: fill, number: number, areaHa: areaHa, areaDaa: areaDaa,
    metres: metres, kilometres: kilometres, measureDistance: measureDistance, measureArea: measureArea,
    megawatt: megawatt
  };
});
