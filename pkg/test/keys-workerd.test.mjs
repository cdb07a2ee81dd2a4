// Remote JWK Sets in Cloudflare Workers: the key-source scenarios (pkg/testkit/keys-scenarios.mjs,
// the same in Node and Chromium) inside a worker that imports 'jwtward' from the packed package,
// bundled by wrangler and run by miniflare in real workerd, fetching from the issuer server on
// loopback. The warm-store pair runs across a restart of workerd (a fresh isolate), with the
// Cache API (the default store in Workers) and KV persisted on disk.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Miniflare } from 'miniflare';

import { startIssuerServer } from '../testkit/issuer-server.mjs';
import { SCENARIO_NAMES } from '../testkit/keys-scenarios.mjs';
import { bin, makeProject } from '../testkit/project.mjs';

const WORKER = `import * as jwtward from 'jwtward';
import { runScenario } from './keys-scenarios.mjs';

export default {
  async fetch(request, env) {
    const { name, control, input } = await request.json();
    // Made per request: the Cache API and KV are reached through the request's I/O.
    const stores = { cacheApi: jwtward.cacheApiStore(), kv: jwtward.kvStore(env.JWKS_KV), default: undefined };
    return Response.json(await runScenario(name, { api: jwtward, control, stores: () => stores, input }));
  },
};
`;

let server;
let project;
let persist;
let mf;
let options;

before(async () => {
  server = await startIssuerServer();
  project = makeProject('keys-workerd', {
    'src/index.js': WORKER,
    'src/keys-scenarios.mjs': readFileSync(new URL('../testkit/keys-scenarios.mjs', import.meta.url), 'utf8'),
    'wrangler.toml': 'name = "jwtward-keys-test"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\n',
  });
  execFileSync(bin('wrangler'), ['deploy', '--dry-run', '--outdir', 'out'], {
    cwd: project.dir,
    stdio: 'pipe',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' },
  });
  const out = join(project.dir, 'out');
  persist = mkdtempSync(join(tmpdir(), 'jwtward-keys-persist-'));
  options = {
    modulesRoot: out,
    modules: [
      { type: 'ESModule', path: join(out, 'index.js') },
      ...readdirSync(out)
        .filter((f) => f.endsWith('.wasm'))
        .map((f) => ({ type: 'CompiledWasm', path: join(out, f) })),
    ],
    compatibilityDate: '2025-01-01',
    kvNamespaces: ['JWKS_KV'],
    kvPersist: join(persist, 'kv'),
    cachePersist: join(persist, 'cache'),
  };
  mf = new Miniflare(options);
  await mf.ready;
});

after(async () => {
  await mf?.dispose();
  await server?.close();
  project?.cleanup();
  if (persist) rmSync(persist, { recursive: true, force: true });
});

async function run(name, input) {
  const response = await mf.dispatchFetch('http://worker.test/', {
    method: 'POST',
    body: JSON.stringify({ name, control: server.url, input }),
  });
  const result = await response.json();
  assert.ok(result.ok, `${name} in workerd:\n${result.error}`);
  return result;
}

for (const name of SCENARIO_NAMES().filter((n) => !n.startsWith('store-'))) {
  test(`workerd: ${name}`, async () => {
    await run(name);
  });
}

test('workerd: a fresh isolate with a warm Cache API / KV verifies its first token without fetching', async () => {
  const primed = await run('store-prime');
  // A restart of workerd: a new isolate, nothing in memory; the Cache API and KV were on disk.
  await mf.setOptions(options);
  await run('store-fresh', primed.output);
});
