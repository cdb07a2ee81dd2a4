// Deployability and startup: `wrangler deploy --dry-run` bundles the Worker offline (its size against the
// Workers free plan is reported), the bundle runs as is in workerd, and a configuration the Worker
// cannot enforce stops it at startup instead of serving.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { Miniflare } from 'miniflare';
import { OFFLINE_ENV, ROOT, scratchDir } from './helpers.mjs';

const FREE_PLAN_LIMIT = 3 * 1024 * 1024; // Workers free plan: 3 MiB after compression
const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const DEMO_POLICY = JSON.parse(readFileSync(join(ROOT, 'worker/policy.demo.json'), 'utf8'));

function run(args, { timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRANGLER, ...args], { cwd: ROOT, env: { ...process.env, ...OFFLINE_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`wrangler ${args.join(' ')} timed out:\n${output}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * A copy of the repository's wrangler.toml in a scratch directory, with its relative paths made absolute
 * and the policy alias pointed at `policyPath`: what a user does to protect their own API.
 * (`wrangler deploy --alias` would be simpler, but wrangler 4.86's deploy ignores it.)
 */
function configWithPolicy(policy) {
  const dir = scratchDir('jwtward-deploy-');
  const policyPath = join(dir, 'policy.json');
  writeFileSync(policyPath, JSON.stringify(policy));
  const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')
    .replace(/^main = "(.+)"$/m, (_, main) => `main = ${JSON.stringify(join(ROOT, main))}`)
    .replace(/^"@jwtward\/policy" = ".+"$/m, `"@jwtward/policy" = ${JSON.stringify(policyPath)}`)
    .replace(/^directory = "(.+)"$/m, (_, assets) => `directory = ${JSON.stringify(join(ROOT, assets))}`);
  assert.ok(toml.includes(policyPath), 'the alias line of wrangler.toml was found');
  const configPath = join(dir, 'wrangler.toml');
  writeFileSync(configPath, toml);
  return configPath;
}

async function bundle(configPath) {
  const outdir = scratchDir('jwtward-bundle-');
  const { code, output } = await run(['deploy', '--dry-run', '--outdir', outdir, '--config', configPath]);
  assert.equal(code, 0, output);
  return { outdir, output };
}

/** Runs a bundle from `wrangler deploy --dry-run` in workerd; resolves with the instance or rejects with the startup error and its output. */
async function runBundle(outdir, bindings = {}) {
  let stdio = '';
  const mf = new Miniflare({
    modules: true,
    modulesRoot: outdir,
    scriptPath: join(outdir, 'index.js'),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: readFileSync(join(ROOT, 'wrangler.toml'), 'utf8').match(/^compatibility_date = "(.+)"$/m)[1],
    bindings,
    handleRuntimeStdio(stdout, stderr) {
      stdout.on('data', (d) => (stdio += d));
      stderr.on('data', (d) => (stdio += d));
    },
  });
  try {
    await mf.ready;
  } catch (error) {
    await mf.dispose().catch(() => {});
    error.stdio = stdio;
    throw error;
  }
  return mf;
}

describe('wrangler deploy --dry-run', () => {
  let demo;

  test('bundles the Worker without network or login; bundle size against the free plan', async (t) => {
    demo = await bundle(join(ROOT, 'wrangler.toml'));
    const files = readdirSync(demo.outdir).filter((name) => name.endsWith('.js') || name.endsWith('.wasm'));
    assert.ok(files.includes('index.js'));
    assert.ok(files.some((name) => name.endsWith('.wasm')), 'the jwtward .wasm is uploaded as a module');
    let raw = 0;
    let gzipped = 0;
    for (const name of files) {
      const bytes = readFileSync(join(demo.outdir, name));
      raw += statSync(join(demo.outdir, name)).size;
      gzipped += gzipSync(bytes, { level: 9 }).length;
      t.diagnostic(`${name}: ${bytes.length} bytes raw, ${gzipSync(bytes, { level: 9 }).length} gzipped`);
    }
    const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
    t.diagnostic(`bundle: ${kib(raw)} raw, ${kib(gzipped)} gzipped = ${((100 * gzipped) / FREE_PLAN_LIMIT).toFixed(1)}% of the 3 MiB free-plan limit`);
    const upload = /Total Upload: (.+)/.exec(demo.output);
    if (upload) t.diagnostic(`wrangler: Total Upload: ${upload[1]}`);
    assert.ok(gzipped < FREE_PLAN_LIMIT, `${gzipped} bytes gzipped exceed the free plan`);
  });

  test('the bundle runs as is in workerd', async () => {
    assert.ok(demo, 'the previous test produced the bundle');
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
    assert.ok(demo);
    await assert.rejects(runBundle(demo.outdir, { ORIGIN_URL: 'ftp://files.example/x' }), (error) => {
      assert.equal(error.code, 'ERR_RUNTIME_FAILURE');
      assert.match(error.stdio, /ERR_ORIGIN_URL_INVALID/);
      return true;
    });
  });
});

describe('an invalid configuration stops the Worker at startup', () => {
  test('a policy the validator rejects', async () => {
    const { outdir } = await bundle(configWithPolicy({ ...DEMO_POLICY, routes: [{ path: '/api/orders', scope: ['orders:read'] }] }));
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
    const { outdir } = await bundle(configWithPolicy(policy));
    await assert.rejects(runBundle(outdir), (error) => {
      assert.equal(error.code, 'ERR_RUNTIME_FAILURE');
      assert.match(error.stdio, /ERR_JWKS_NO_USABLE_KEY/);
      return true;
    });
  });
});
