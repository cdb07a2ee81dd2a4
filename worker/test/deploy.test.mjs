// Deployability and startup: `wrangler deploy --dry-run` bundles the Worker offline (its size against the
// Workers free plan is reported), the bundle runs as is in workerd, and a configuration the Worker
// cannot enforce stops it at startup instead of serving.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { before, describe, test } from 'node:test';
import { bundleWorker, configWithPolicy, ROOT, runBundle } from '../testkit/harness.mjs';

const FREE_PLAN_LIMIT = 3 * 1024 * 1024; // Workers free plan: 3 MiB after compression
const DEMO_POLICY = JSON.parse(readFileSync(join(ROOT, 'worker/policy.demo.json'), 'utf8'));

describe('wrangler deploy --dry-run', { timeout: 240_000 }, () => {
  let demo;
  before(async () => {
    demo = await bundleWorker();
  });

  test('bundles the Worker without network or login; bundle size against the free plan', async (t) => {
    const files = readdirSync(demo.outdir).filter((name) => name.endsWith('.js') || name.endsWith('.wasm'));
    assert.ok(files.includes('index.js'));
    assert.ok(files.some((name) => name.endsWith('.wasm')), 'the jwtward .wasm is uploaded as a module');
    let raw = 0;
    let gzipped = 0;
    for (const name of files) {
      const bytes = readFileSync(join(demo.outdir, name));
      const compressed = gzipSync(bytes, { level: 9 }).length;
      raw += bytes.length;
      gzipped += compressed;
      t.diagnostic(`${name}: ${bytes.length} bytes raw, ${compressed} gzipped`);
    }
    const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
    t.diagnostic(`bundle: ${kib(raw)} raw, ${kib(gzipped)} gzipped = ${((100 * gzipped) / FREE_PLAN_LIMIT).toFixed(1)}% of the 3 MiB free-plan limit`);
    const upload = /Total Upload: (.+)/.exec(demo.output);
    if (upload) t.diagnostic(`wrangler: Total Upload: ${upload[1]}`);
    assert.ok(gzipped < FREE_PLAN_LIMIT, `${gzipped} bytes gzipped exceed the free plan`);
  });

  test('the bundle runs as is in workerd', async () => {
    const mf = await runBundle(demo.outdir);
    try {
      const health = await mf.dispatchFetch('http://127.0.0.1/health');
      assert.equal(health.status, 200);
      assert.equal((await health.json()).decision, 'public');
      const orders = await mf.dispatchFetch('http://127.0.0.1/api/orders');
      assert.equal(orders.status, 401);
      assert.equal(orders.headers.get('www-authenticate'), 'Bearer realm="jwtward-demo"');
      await orders.arrayBuffer();
      const jwks = await mf.dispatchFetch('http://127.0.0.1/.well-known/jwks.json');
      const published = await jwks.json();
      assert.equal(published.keys.length, 1);
      assert.equal(published.keys[0].d, undefined, 'only the public key is published');
    } finally {
      await mf.dispose();
    }
  });

  test('an ORIGIN_URL that is not an http(s) URL stops the Worker at startup', async () => {
    await assert.rejects(runBundle(demo.outdir, { bindings: { ORIGIN_URL: 'ftp://files.example/x' } }), (error) => {
      assert.equal(error.code, 'ERR_RUNTIME_FAILURE');
      assert.match(error.stdio, /ERR_ORIGIN_URL_INVALID/);
      return true;
    });
  });
});

describe('an invalid configuration stops the Worker at startup', { timeout: 240_000 }, () => {
  test('a policy the validator rejects', async () => {
    const { outdir } = await bundleWorker(configWithPolicy({ ...DEMO_POLICY, routes: [{ path: '/api/orders', scope: ['orders:read'] }] }));
    await assert.rejects(runBundle(outdir), (error) => {
      assert.equal(error.code, 'ERR_RUNTIME_FAILURE');
      // The PolicyError names the field; the Worker never served a request.
      assert.match(error.stdio, /ERR_POLICY_INVALID/);
      assert.match(error.stdio, /routes\[0\]\.scope/);
      return true;
    });
  });

  test('inline keys jwtward cannot use', async () => {
    const { jwksUri, publishJwks, ...rest } = DEMO_POLICY;
    const policy = { ...rest, jwks: { keys: [{ kty: 'EC', crv: 'P-256', kid: 'broken', x: 'AAAA', y: 'AAAA' }] } };
    const { outdir } = await bundleWorker(configWithPolicy(policy));
    await assert.rejects(runBundle(outdir), (error) => {
      assert.equal(error.code, 'ERR_RUNTIME_FAILURE');
      assert.match(error.stdio, /ERR_JWKS_NO_USABLE_KEY/);
      return true;
    });
  });
});
