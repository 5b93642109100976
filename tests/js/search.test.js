// Finding places (areal-search.js).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const search = require("../../apps/static/app/areal-search.js");

const PLACES = [
  { name: "Rosse - Røros", kind: "municipality", lat: 62.57, lon: 11.38 },
  { name: "Røros", kind: "station", lat: 62.574, lon: 11.385 },
  { name: "Trondheim - Tråante", kind: "municipality", lat: 63.4, lon: 10.4 },
  { name: "Trondheim lufthavn, Værnes", kind: "airport", lat: 63.46, lon: 10.92 },
  { name: "Oppdal", kind: "municipality", lat: 62.6, lon: 9.7 },
  { name: "Oppdal", kind: "station", lat: 62.59, lon: 9.69 },
  { name: "Snåase - Snåsa", kind: "municipality", lat: 64.2, lon: 12.4 },
];

test("both forms of a municipality name find it", () => {
  for (const q of ["røros", "Rosse", "roros", "RØROS"]) {
    const hits = search.matchPlaces(PLACES, q);
    assert.equal(hits[0].place.name, "Rosse - Røros", q);
  }
  assert.equal(search.matchPlaces(PLACES, "snasa")[0].place.name, "Snåase - Snåsa");
});

test("municipalities before stations of the same name; prefixes before substrings", () => {
  const hits = search.matchPlaces(PLACES, "oppdal").map((h) => h.place.kind);
  assert.deepEqual(hits, ["municipality", "station"]);
  const tr = search.matchPlaces(PLACES, "trond").map((h) => h.place.name);
  assert.deepEqual(tr, ["Trondheim - Tråante", "Trondheim lufthavn, Værnes"]);
  assert.equal(search.matchPlaces(PLACES, "værnes")[0].place.kind, "airport");
  assert.deepEqual(search.matchPlaces(PLACES, "x"), []); // one letter: nothing yet
  assert.deepEqual(search.matchPlaces(PLACES, "zzz"), []);
});

test("a coordinate query gives a coordinate first", () => {
  const r = search.search(PLACES, "63.43, 10.39");
  assert.equal(r[0].kind, "coordinate");
  assert.ok(Math.abs(r[0].lat - 63.43) < 1e-9);
  assert.equal(search.search(PLACES, "271000 7040000")[0].coordinate.kind, "utm33");
  assert.equal(search.search(PLACES, "Oppdal")[0].kind, "municipality");
});
