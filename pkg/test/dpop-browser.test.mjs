// Sender-constrained tokens in browsers: the scenarios of pkg/testkit/dpop-scenarios.mjs (the same
// in Node and workerd) in a page of headless Chromium that imports 'jwtward' by name (import map
// to the package's `browser` export), where verifyAsync hands the signatures to WebCrypto.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { openScenarioPage } from '../testkit/chromium.mjs';
import { SCENARIO_NAMES } from '../testkit/dpop-scenarios.mjs';

let runner;

before(async () => {
  runner = await openScenarioPage(`
import * as jwtward from 'jwtward';
import { runScenario } from '/pkg/testkit/dpop-scenarios.mjs';
await jwtward.ready();
window.__run = (name) => runScenario(name, jwtward);`);
});

after(() => runner?.close());

for (const name of SCENARIO_NAMES()) {
  test(`Chromium: ${name}`, async () => {
    const result = await runner.page.evaluate((n) => window.__run(n), name);
    assert.deepEqual(runner.pageErrors, []);
    assert.ok(result.ok, `${name} in Chromium:\n${result.error}`);
  });
}
