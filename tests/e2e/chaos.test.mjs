import { test } from "node:test";
import assert from "node:assert/strict";
import { runChaos } from "./chaos.mjs";

test("chaos: 1000 events, 5 webhooks, 3 destinations, 30% faults, a reload, two tabs: nothing lost, no unexplained duplicate", { timeout: 300_000 }, async () => {
  const r = await runChaos({ events: 1000, faultRate: 0.3, reloads: 1, log: (m) => console.log(m) });
  console.log("chaos figures: " + JSON.stringify(r));
  assert.equal(r.lost, 0, "every (event, webhook) delivered");
  assert.equal(r.unexplainedDuplicates, 0, JSON.stringify(r.detail));
  assert.deepEqual(r.pageErrors, []);
  assert.ok(r.faults.total >= 0.2 * r.deliveries, "faults were injected");
  assert.equal(r.queuedAtEnd, 0);
});
