// Remote JWK Sets in Node: the key-source scenarios (pkg/testkit/keys-scenarios.mjs, the same in
// workerd and Chromium) against the issuer server (loopback fault issuers and a real
// oidc-provider), through the package imported by name.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import * as jwtward from 'jwtward';
import { startIssuerServer } from '../testkit/issuer-server.mjs';
import { SCENARIO_NAMES, runScenario } from '../testkit/keys-scenarios.mjs';

let server;
// The same store objects for both halves of the warm-store pair (a process's memory).
const stores = { memory: jwtward.memoryStore(), default: undefined };

before(async () => {
  server = await startIssuerServer();
});
after(() => server?.close());

async function run(name, input) {
  const result = await runScenario(name, { api: jwtward, control: server.url, stores: () => stores, input });
  assert.ok(result.ok, `${name}:\n${result.error}`);
  return result;
}

for (const name of SCENARIO_NAMES().filter((n) => !n.startsWith('store-'))) {
  test(name, async () => {
    await run(name);
  });
}

test('a fresh key source with a warm store verifies its first token without fetching', async () => {
  const primed = await run('store-prime');
  await run('store-fresh', primed.output);
});
