// Cloudflare Workers: a minimal worker imports 'jwtward' by name from the packed package, wrangler
// bundles it (`deploy --dry-run`, so its `workerd` export condition and .wasm module rule are what
// a user gets), and miniflare runs the bundle in the real workerd runtime. The worker has no init
// code and builds its Verifier at module scope (synchronous initialisation).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Miniflare } from 'miniflare';

import { COMPARE_VERDICTS_SOURCE, PUBLIC_KEY_ALGS, attackCases, differences } from '../testkit/attacks.mjs';
import { NOW, hs256Fixture, makeKeys, sign } from '../testkit/keys.mjs';
import { makeProject, workerdBundle } from '../testkit/project.mjs';
import { readmeBlock } from '../testkit/readme.mjs';

let project;
let mf;
let readmeMf;
let fx;
let es;
let bundle;

before(async () => {
  fx = hs256Fixture('hs');
  es = (await makeKeys(['ES256'])).ES256;
  const jwks = { keys: [...fx.jwks.keys, es.jwk] };
  const worker = `import { Verifier, JwtError, decode, ready } from 'jwtward';

${COMPARE_VERDICTS_SOURCE}

// At module scope: the wasm is already instantiated when the import resolves.
const verifier = new Verifier({
  jwks: ${JSON.stringify(jwks)},
  issuer: 'https://issuer.example',
  audience: 'api',
});

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/decode') {
      await ready();
      return Response.json(decode(url.searchParams.get('token')));
    }
    if (url.pathname === '/compare') {
      return Response.json(await compareVerdicts({ Verifier, JwtError }, await request.json()));
    }
    const { token, now } = await request.json();
    try {
      const { payload, kid, alg } = verifier.verify(token, { now });
      return Response.json({ valid: true, sub: payload.sub, kid, alg, stats: verifier.cacheStats() });
    } catch (error) {
      if (!(error instanceof JwtError)) throw error;
      return Response.json(
        { valid: false, code: error.code, claim: error.claim, isError: error instanceof Error, hasStack: typeof error.stack === 'string' },
        { status: 401 },
      );
    }
  },
};
`;
  project = makeProject('workerd', {
    'src/index.js': worker,
    'wrangler.toml': 'name = "jwtward-test"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\n',
    // The README's worker, as pasted by a newcomer.
    'readme/wrangler.toml': readmeBlock('Cloudflare Workers', 'toml'),
    'readme/src/index.js': readmeBlock('Cloudflare Workers', 'js'),
  });
  mf = new Miniflare(workerdBundle(project.dir));
  bundle = readFileSync(join(project.dir, 'out', 'index.js'), 'utf8');
  readmeMf = new Miniflare(workerdBundle(join(project.dir, 'readme')));
  await Promise.all([mf.ready, readmeMf.ready]);
});

after(async () => {
  await mf?.dispose();
  await readmeMf?.dispose();
  project?.cleanup();
});

async function post(token, now = NOW) {
  const response = await mf.dispatchFetch('http://worker.test/verify', {
    method: 'POST',
    body: JSON.stringify({ token, now }),
  });
  return { status: response.status, body: await response.json() };
}

test('wrangler picked the workerd entry and ships the .wasm as a module', () => {
  assert.match(bundle, /\/\/ node_modules\/jwtward\/src\/workerd\.js/);
  assert.doesNotMatch(bundle, /jwtward\/src\/(browser|node)/);
  assert.match(bundle, /import \w+ from "\.\/[0-9a-f]+-jwtward_bg\.wasm"/);
  assert.equal(readdirSync(join(project.dir, 'out')).filter((f) => f.endsWith('.wasm')).length, 1);
});

test('the worker verifies HS256 and ES256 tokens in workerd', async () => {
  const claims = { iss: 'https://issuer.example', aud: 'api', exp: NOW + 60, sub: 'u-1' };
  const hs = await post(fx.token(claims));
  assert.deepEqual(hs, { status: 200, body: { valid: true, sub: 'u-1', kid: 'hs', alg: 'HS256', stats: { hits: 0, misses: 1, entries: 1, maxEntries: 1000 } } });
  const esToken = await sign(es, { ...claims, sub: 'u-2' });
  const first = await post(esToken);
  assert.equal(first.body.sub, 'u-2');
  assert.equal(first.body.alg, 'ES256');
  const again = await post(esToken);
  assert.equal(again.body.stats.hits, 1, 'the verifier (and its cache) lives across requests');
});

test('workerd: verify, verifyAsync on WebCrypto and the portable path give the same verdicts', async (t) => {
  const keys = await makeKeys(PUBLIC_KEY_ALGS);
  const otherKeys = await makeKeys(PUBLIC_KEY_ALGS);
  const cases = await attackCases(keys, otherKeys);
  const response = await mf.dispatchFetch('http://worker.test/compare', { method: 'POST', body: JSON.stringify(cases) });
  const compared = await response.json();
  assert.equal(compared.length, cases.length);
  assert.deepEqual(differences(compared), []);
  const valid = compared.filter(([, got]) => got.sync === 'valid').length;
  t.diagnostic(`${cases.length} tokens x 3 paths in workerd: ${valid} valid, no difference`);
  assert.equal(valid, PUBLIC_KEY_ALGS.length + 3);
});

test('failures are JwtErrors with codes and claims inside workerd', async () => {
  const claims = { iss: 'https://issuer.example', aud: 'api', exp: NOW + 60 };
  const expired = await post(fx.token({ ...claims, exp: NOW - 1 }));
  assert.deepEqual(expired, { status: 401, body: { valid: false, code: 'ERR_JWT_EXPIRED', claim: 'exp', isError: true, hasStack: true } });
  assert.equal((await post(fx.token({ ...claims, aud: 'other' }))).body.code, 'ERR_JWT_BAD_AUDIENCE');
  assert.equal((await post('nope')).body.code, 'ERR_JWT_MALFORMED');
  assert.equal((await post(undefined)).body.code, 'ERR_JWT_MALFORMED');
});

test('decode works and ready() resolves at once in workerd', async () => {
  const token = fx.token({ sub: 'd' });
  const response = await mf.dispatchFetch(`http://worker.test/decode?token=${token}`);
  assert.deepEqual(await response.json(), { header: { alg: 'HS256', kid: 'hs' }, payload: { sub: 'd' } });
});

test("the README's worker runs as written", async () => {
  const token = await (await readmeMf.dispatchFetch('http://localhost:8787/token')).text();
  const ok = await readmeMf.dispatchFetch('http://localhost:8787/', { headers: { authorization: `Bearer ${token}` } });
  assert.equal(ok.status, 200);
  assert.equal(await ok.text(), 'hello client-42\n');
  const missing = await readmeMf.dispatchFetch('http://localhost:8787/');
  assert.equal(missing.status, 401);
  assert.equal(await missing.text(), 'ERR_JWT_MALFORMED\n');
});
