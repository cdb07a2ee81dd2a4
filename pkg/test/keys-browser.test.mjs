// Remote JWK Sets in browsers: the key-source scenarios (pkg/testkit/keys-scenarios.mjs, the same
// in Node and workerd) in a page of headless Chromium that imports 'jwtward' by name (import map
// to the package's `browser` export), fetching from the issuer server on another loopback
// origin, with CORS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { openScenarioPage } from '../testkit/chromium.mjs';
import { startIssuerServer } from '../testkit/issuer-server.mjs';
import { SCENARIO_NAMES } from '../testkit/keys-scenarios.mjs';

let issuers;
let runner;

before(async () => {
  issuers = await startIssuerServer();
  runner = await openScenarioPage(`
import * as jwtward from 'jwtward';
import { runScenario } from '/pkg/testkit/keys-scenarios.mjs';
await jwtward.ready();
// The same store objects for both halves of the warm-store pair (the page's memory).
const stores = { memory: jwtward.memoryStore(), default: undefined };
window.__run = (name, control, input) => runScenario(name, { api: jwtward, control, stores: () => stores, input });`);
});

after(async () => {
  await runner?.close();
  await issuers?.close();
});

async function run(name, input) {
  const result = await runner.page.evaluate(([n, control, i]) => window.__run(n, control, i), [name, issuers.url, input]);
  assert.deepEqual(runner.pageErrors, []);
  assert.ok(result.ok, `${name} in Chromium:\n${result.error}`);
  return result;
}

for (const name of SCENARIO_NAMES().filter((n) => !n.startsWith('store-'))) {
  test(`Chromium: ${name}`, async () => {
    await run(name);
  });
}

test('Chromium: a fresh key source with a warm store verifies its first token without fetching', async () => {
  const primed = await run('store-prime');
  await run('store-fresh', primed.output);
});
