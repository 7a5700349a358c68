// presets/presets.json: shape, and what each preset's destination may send.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const presets = JSON.parse(readFileSync(new URL("../../presets/presets.json", import.meta.url), "utf8"));
const MODES = new Set(["cors", "simple", "no-cors"]);
const FORMATS = new Set(["json", "form", "text"]);

function markers(v, out = new Set()) {
  if (typeof v === "string") for (const m of v.matchAll(/\{\{field:([A-Za-z0-9_]+)\}\}/g)) out.add(m[1]);
  else if (v && typeof v === "object") for (const x of Object.values(v)) markers(x, out);
  return out;
}

test("every preset has an id, a name, a docs URL, browser.works/why and fields", () => {
  const ids = new Set();
  for (const p of presets) {
    assert.match(p.id, /^[a-z0-9-]+$/);
    assert.ok(!ids.has(p.id), `duplicate id ${p.id}`);
    ids.add(p.id);
    assert.ok(p.name && /^https:\/\//.test(p.docs), p.id);
    assert.equal(typeof p.browser.works, "boolean", p.id);
    assert.ok(p.browser.why.length > 20, p.id);
    for (const f of p.fields) {
      for (const k of ["key", "label", "help", "placeholder"]) assert.equal(typeof f[k], "string", `${p.id}.${k}`);
      for (const k of ["secret", "publishable", "required"]) assert.equal(typeof f[k], "boolean", `${p.id}.${f.key}.${k}`);
      assert.ok(!(f.secret && f.publishable), `${p.id}.${f.key}: secret and publishable`);
      if (f.pattern) assert.match(f.placeholder, new RegExp(f.pattern), `${p.id}.${f.key}: the placeholder fits the pattern`);
    }
  }
});

test("destinations: only presets that work from a browser have one; modes, formats and markers fit", () => {
  for (const p of presets) {
    if (!p.browser.works) {
      assert.equal(p.destination, undefined, `${p.id} does not work from a browser and must not offer a destination`);
      continue;
    }
    const d = p.destination;
    assert.ok(d, p.id);
    assert.ok(MODES.has(d.mode) && FORMATS.has(d.format), p.id);
    // In simple / no-cors mode only form and text are possible.
    if (d.mode !== "cors") assert.notEqual(d.format, "json", `${p.id}: json needs cors mode`);
    if (d.mode !== "cors") assert.ok(!d.headers || d.headers.length === 0, `${p.id}: no custom headers outside cors`);
    const keys = new Set(p.fields.map((f) => f.key));
    for (const m of markers([d, p.batch])) assert.ok(keys.has(m), `${p.id}: {{field:${m}}} has no field`);
    if (p.batch) {
      assert.ok(JSON.stringify(p.batch.body).includes('"{{batch}}"'), `${p.id}: batch.body holds "{{batch}}"`);
      assert.ok(p.batch.maxEvents >= 1 && p.batch.maxWaitMs >= 0, p.id);
    }
    if (p.rate) assert.ok(p.rate.requests >= 1 && p.rate.seconds >= 1, p.id);
  }
});

test("documented batch limits are respected", () => {
  const by = Object.fromEntries(presets.map((p) => [p.id, p]));
  assert.ok(by["amplitude"].batch.maxEvents <= 2000);
  assert.ok(by["amplitude-batch"].batch.maxEvents <= 2000);
  assert.ok(by["segment-batch"].batch.maxEvents <= 2500);
  assert.equal(by["slack"].rate.requests, 1);
});
