// Sender-constrained tokens in Cloudflare Workers: the scenarios of pkg/testkit/dpop-scenarios.mjs
// (the same in Node and Chromium) inside a worker that imports 'jwtward' from the packed package,
// bundled by wrangler and run by miniflare in real workerd, where verifyAsync hands both the
// token's and the proof's signatures to WebCrypto.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Miniflare } from 'miniflare';

import { SCENARIO_NAMES } from '../testkit/dpop-scenarios.mjs';
import { makeProject, workerdBundle } from '../testkit/project.mjs';

const WORKER = `import * as jwtward from 'jwtward';
import { runScenario } from './dpop-scenarios.mjs';

export default {
  async fetch(request) {
    const { name } = await request.json();
    return Response.json(await runScenario(name, jwtward));
  },
};
`;

let project;
let mf;

before(async () => {
  project = makeProject('dpop-workerd', {
    'src/index.js': WORKER,
    'src/dpop-scenarios.mjs': readFileSync(new URL('../testkit/dpop-scenarios.mjs', import.meta.url), 'utf8'),
    'wrangler.toml': 'name = "jwtward-dpop-test"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\n',
  });
  mf = new Miniflare(workerdBundle(project.dir));
  await mf.ready;
});

after(async () => {
  await mf?.dispose();
  project?.cleanup();
});

for (const name of SCENARIO_NAMES()) {
  test(`workerd: ${name}`, async () => {
    const response = await mf.dispatchFetch('http://worker.test/', { method: 'POST', body: JSON.stringify({ name }) });
    const result = await response.json();
    assert.ok(result.ok, `${name} in workerd:\n${result.error}`);
  });
}
