// Remote JWK Sets in Cloudflare Workers: the key-source scenarios (pkg/testkit/keys-scenarios.mjs,
// the same in Node and Chromium) inside a worker that imports 'jwtward' from the packed package,
// bundled by wrangler and run by miniflare in real workerd, fetching from the issuer server on
// loopback. The warm-store pair runs across a restart of workerd (a fresh isolate), with the
// Cache API (the default store in Workers) and KV persisted on disk.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Miniflare } from 'miniflare';

import { startIssuerServer } from '../testkit/issuer-server.mjs';
import { SCENARIO_NAMES } from '../testkit/keys-scenarios.mjs';
import { makeProject, workerdBundle } from '../testkit/project.mjs';
import { readmeBlock } from '../testkit/readme.mjs';

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
let readmeOptions;
let readmeMf;

before(async () => {
  server = await startIssuerServer();
  project = makeProject('keys-workerd', {
    'src/index.js': WORKER,
    'src/keys-scenarios.mjs': readFileSync(new URL('../testkit/keys-scenarios.mjs', import.meta.url), 'utf8'),
    'wrangler.toml': 'name = "jwtward-keys-test"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\n',
    // The README's Worker with keys from the issuer, as pasted by a newcomer.
    'readme/src/index.js': readmeBlock('Cloudflare Workers', 'js', 1),
    'readme/wrangler.toml': 'name = "jwtward-readme-keys"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\n',
  });
  persist = mkdtempSync(join(tmpdir(), 'jwtward-keys-persist-'));
  options = { ...workerdBundle(project.dir), kvNamespaces: ['JWKS_KV'], kvPersist: join(persist, 'kv'), cachePersist: join(persist, 'cache') };
  const { issuer } = await (await fetch(`${server.url}/oidc/reset`)).json();
  readmeOptions = {
    ...workerdBundle(join(project.dir, 'readme')),
    bindings: { OAUTH_ISSUER: issuer, OAUTH_AUDIENCE: 'api://orders' },
    cachePersist: join(persist, 'readme-cache'),
  };
  mf = new Miniflare(options);
  readmeMf = new Miniflare(readmeOptions);
  await Promise.all([mf.ready, readmeMf.ready]);
});

after(async () => {
  await mf?.dispose();
  await readmeMf?.dispose();
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

test("workerd: the README's Worker verifies a real issuer's tokens, across a rotation and a fresh isolate", async () => {
  const oidc = async (op, params = '') => (await fetch(`${server.url}/oidc/${op}${params}`)).json();
  const call = async (token) => {
    const response = await readmeMf.dispatchFetch('http://worker.test/', { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return [response.status, await response.text()];
  };
  await oidc('reset');
  const first = (await oidc('token', '?scope=orders%3Aread')).token;
  assert.deepEqual(await call(first), [200, 'hello orders-sync\n']);
  assert.deepEqual(await call(first), [200, 'hello orders-sync\n']);
  assert.deepEqual(await call(), [401, 'ERR_JWT_MALFORMED\n']);
  assert.deepEqual(await oidc('counts'), { oidc: 1, oauth: 0, jwks: 1 }, 'discovered and fetched once');
  await oidc('rotate');
  const second = (await oidc('token', '?scope=orders%3Aread')).token;
  assert.deepEqual(await call(second), [200, 'hello orders-sync\n'], 'the new key, after one refetch');
  assert.deepEqual(await oidc('counts'), { oidc: 1, oauth: 0, jwks: 2 });
  // A fresh isolate: the keys come from the Cache API (the default store in Workers).
  await readmeMf.setOptions(readmeOptions);
  assert.deepEqual(await call(first), [200, 'hello orders-sync\n']);
  assert.deepEqual(await call(second), [200, 'hello orders-sync\n']);
  assert.deepEqual(await oidc('counts'), { oidc: 1, oauth: 0, jwks: 2 }, 'a fresh isolate verifies without fetching');
});
