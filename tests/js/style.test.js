// Style, legend and click decisions of the map script (areal-style.js).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const style = require("../../apps/static/app/areal-style.js");

const roads = {
  title: "Veger", family: "line",
  style: { color: "#e65100", fill_color: "#e65100", weight: 1.2, fill_opacity: 0.35, categories: { E: "#d50000" } },
  fields: { vegkategori: "Vegkategori" },
};

test("a feature takes its class colour, an uncategorised one the layer colour", () => {
  assert.equal(style.featureStyle(roads, { properties: { _c: "E" } }).color, "#d50000");
  assert.equal(style.featureStyle(roads, { properties: {} }).color, "#e65100");
  assert.equal(style.featureStyle(roads, { properties: { _c: null } }).color, "#e65100");
  const poly = { family: "polygon", style: { color: "#333", fill_color: "#aaa", weight: 1, fill_opacity: 0.2, categories: { "0": "#bdbdbd" } } };
  const s = style.featureStyle(poly, { properties: { _c: "0" } });
  assert.equal(s.fillColor, "#bdbdbd");
  assert.equal(s.color, "#333");
});

test("tooltips escape values and skip empty ones", () => {
  const html = style.tooltipHtml(roads, { vegkategori: "<E6>", other: "x" });
  assert.ok(html.includes("&lt;E6&gt;") && !html.includes("other"));
  assert.equal(style.tooltipHtml(roads, { vegkategori: "" }), "<b>Veger</b>");
});

test("a hollow polygon legend swatch has no fill", () => {
  const sw = style.swatch({ symbol: "polygon", color: "#ef6c00", fill_color: "#ef6c00", fill_opacity: 0, dash_array: "8 5" });
  assert.ok(sw.includes("background:transparent") && sw.includes("dashed"));
  assert.ok(style.swatch({ symbol: "line", color: "#000" }).includes("border-top:3px solid #000"));
});

test("the layer note says why a layer is not drawn in full", () => {
  const T = { failed: "kunne ikke lastes", too_large: "for stort", thinned: "forenklet" };
  assert.equal(style.layerStatus({}, T), "");
  assert.equal(style.layerStatus({ error: "HTTP 500" }, T), "kunne ikke lastes");
  assert.equal(style.layerStatus({ thinned: { kept: 10, total: 20 } }, T), "forenklet");
  assert.equal(style.layerStatus({ thinned: { kept: 20, total: 20 } }, T), "");
});

test("credits: one per attribution, the non-commercial ones flagged", () => {
  const cr = style.credits("© Kartverket", [
    { attribution: "© Kartverket" }, { attribution: "WattApp (CC BY-NC-SA 4.0)", noncommercial: true, title: "Nett" },
    { attribution: "WattApp (CC BY-NC-SA 4.0)", noncommercial: true }, { attribution: "© NVE" },
  ]);
  assert.deepEqual(cr.map((c) => c.text), ["© Kartverket", "WattApp (CC BY-NC-SA 4.0)", "© NVE"]);
  assert.deepEqual(cr.map((c) => c.noncommercial), [false, true, false]);
});

test("a click knows the drawing state", () => {
  const site = { type: "Polygon", coordinates: [[[10, 63], [11, 63], [11, 64], [10, 64], [10, 63]]] };
  const base = { drawing: false, measuring: false, site: site, pointMode: true };
  assert.equal(style.clickAction(base, 10.5, 63.5), "site-popup"); // inside the proposal: keep it
  assert.equal(style.clickAction(base, 12, 63.5), "check-point");
  assert.equal(style.clickAction({ ...base, pointMode: false }, 12, 63.5), "none");
  assert.equal(style.clickAction({ ...base, drawing: true }, 10.5, 63.5), "ignore");
  assert.equal(style.clickAction({ ...base, measuring: true }, 12, 63.5), "ignore");
  assert.equal(style.clickAction({ ...base, site: { type: "Point", coordinates: [10.5, 63.5] } }, 10.5, 63.5), "check-point");
});

test("popups escape and allow only http(s) links", () => {
  const html = style.popupHtml("Konflikt", { _popup: [["Grunnlag", "PBL § 11-8 <a>"], ["Tom", ""]], _link: ["Kilde", "javascript:alert(1)"] });
  assert.ok(html.includes("PBL § 11-8 &lt;a&gt;") && !html.includes("Tom") && !html.includes("javascript"));
  assert.ok(style.popupHtml("x", { _link: ["Kilde", "https://example.org"] }).includes("href='https://example.org'"));
});

test("the offline base map draws main roads wider", () => {
  assert.ok(style.baseStyle("roads", { properties: { _c: "E" } }).weight > style.baseStyle("roads", { properties: { _c: "K" } }).weight);
  assert.equal(style.baseStyle("sea").interactive, false);
});
