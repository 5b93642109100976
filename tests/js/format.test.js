// Number formatting of the map script (areal-format.js): Norwegian by default, as the Python formatter.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fmt = require("../../apps/static/app/areal-format.js");

const NB = "\u00a0";

test("Norwegian groups with a no-break space and a decimal comma", () => {
  assert.equal(fmt.number(1320.94, 1), `1${NB}320,9`);
  assert.equal(fmt.number(93829.04, 1), `93${NB}829,0`);
  assert.equal(fmt.number(1234567, 0), `1${NB}234${NB}567`);
  assert.equal(fmt.number(-4000, 0), `\u22124${NB}000`);
  assert.equal(fmt.number(-0.04, 1), "0,0"); // rounds to zero: no sign
});

test("English uses comma groups and a decimal point", () => {
  assert.equal(fmt.number(1320.94, 1, "en"), "1,320.9");
  assert.equal(fmt.number(-4000, 0, "en"), "-4,000");
});

test("exact ties round half to even, as Python does", () => {
  assert.equal(fmt.number(0.125, 2, "en"), "0.12");
  assert.equal(fmt.number(0.375, 2, "en"), "0.38");
  assert.equal(fmt.number(2.5, 0, "en"), "2");
  assert.equal(fmt.number(3.5, 0, "en"), "4");
  assert.equal(fmt.number(1.005, 2, "en"), "1.00"); // 1.005 is 1.00499999... in binary
  assert.equal(fmt.number(12.345, 2, "en"), "12.35"); // 12.345 is 12.34500000000000064 in binary
  assert.equal(fmt.number(999.95, 1), `1${NB}000,0`); // a carry through every digit
});

test("missing values show a dash, never NaN or null", () => {
  for (const v of [null, undefined, NaN, Infinity, "", "x"]) assert.equal(fmt.number(v, 1), "–");
  assert.equal(fmt.metres(NaN), "–");
  assert.equal(fmt.measureArea(null), "–");
});

test("measuring tool: metres, kilometres, decares, hectares", () => {
  assert.equal(fmt.measureDistance(1320.94), `1${NB}320,9${NB}m`);
  assert.equal(fmt.measureDistance(12345.6), `12,35${NB}km`);
  assert.equal(fmt.measureDistance(1320.94, "en"), "1,320.9 m");
  assert.equal(fmt.measureArea(12500), `12,5${NB}daa`);
  assert.equal(fmt.measureArea(1113386.69), `111,3${NB}ha`);
  assert.equal(fmt.measureArea(2.5e8), `250,0${NB}km²`);
  assert.equal(fmt.areaHa(0.254), `0,25${NB}ha`);
  assert.equal(fmt.megawatt(6), `6,0${NB}MW`);
});

test("escaping and placeholders", () => {
  assert.equal(fmt.esc("<b a='1'>&"), "&lt;b a=&#39;1&#39;&gt;&amp;");
  assert.equal(fmt.fill("{n} av {total}", { n: 3, total: 5 }), "3 av 5");
});
