// How the guard and its adapters load: in Node through `import` and `require` alike (one instance: the
// ES module sources' CommonJS copies, which must be those of the current sources), from the packed
// package by name, `jwtward/guard` in workerd from the packed package (bundled by wrangler), and their
// TypeScript declarations (tsc --noEmit on a sample that uses them as users do).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { nodeModules, toCommonJs } from '../../../scripts/build.mjs';
import { OFFLINE_ENV, runBundle } from '../../../worker/testkit/harness.mjs';
import { bin, makeProject, pkgDir } from '../../testkit/project.mjs';

const require = createRequire(import.meta.url);
const SUBPATHS = {
  'jwtward/guard': ['PolicyError', 'compilePolicy', 'createGuard', 'jsonLines'],
  'jwtward/express': ['guard'],
  'jwtward/fastify': ['jwtward'],
  'jwtward/hono': ['guard'],
  'jwtward/worker': ['createWorker', 'resolveOrigin'],
};

// An HS256 policy and token: the guard verifies with jwtward wherever it is loaded.
const SECRET = Buffer.alloc(32, 7);
const POLICY = {
  issuer: 'https://issuer.example',
  audience: 'api',
  algorithms: ['HS256'],
  jwks: { keys: [{ kty: 'oct', k: SECRET.toString('base64url'), alg: 'HS256', kid: 'k1' }] },
  routes: [{ name: 'orders', path: '/api/orders', scopes: ['orders:read'] }],
};

function hs256Token() {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64({ alg: 'HS256', kid: 'k1' })}.${b64({ iss: 'https://issuer.example', aud: 'api', sub: 'u', scope: 'orders:read', exp: 4102444800 })}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}

test('import and require load the same instance of every subpath', async () => {
  for (const [specifier, names] of Object.entries(SUBPATHS)) {
    const required = require(specifier);
    const imported = await import(specifier);
    assert.deepEqual(Object.keys(required).sort(), names, specifier);
    for (const name of names) assert.equal(imported[name], required[name], `${specifier}: ${name}`);
    assert.match(require.resolve(specifier), /pkg\/dist\/node\/(guard|adapters)\/\w+\.cjs$/);
  }
  const { PolicyError, createGuard } = await import('jwtward/guard');
  assert.throws(() => require('jwtward/express').guard({}), PolicyError, 'one PolicyError class for both module systems');
  assert.throws(() => createGuard({}), (error) => error.code === 'ERR_POLICY_INVALID' && error.problems.length >= 4);
});

test('jwtward/express is plain Node middleware too: node:http without Express', async () => {
  const { guard } = require('jwtward/express');
  const middleware = guard(POLICY);
  const server = createServer((req, res) => middleware(req, res, () => res.end(JSON.stringify({ url: req.url, sub: req.auth.sub, subject: req.headers['x-auth-subject'] }))));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const url = `http://127.0.0.1:${server.address().port}/api/orders?x=1`;
    const denied = await fetch(url);
    assert.equal(denied.status, 401);
    assert.equal((await denied.json()).code, 'ERR_AUTH_MISSING');
    const allowed = await fetch(url, { headers: { authorization: `Bearer ${hs256Token()}`, 'x-auth-subject': 'admin' } });
    assert.deepEqual(await allowed.json(), { url: '/api/orders?x=1', sub: 'u', subject: 'u' });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('the CommonJS copies are those of the current sources (npm run build writes them)', () => {
  const copied = nodeModules().filter((file) => /^(guard|adapters)\//.test(file));
  assert.ok(copied.includes('guard/engine.js') && copied.includes('adapters/express.js'));
  assert.ok(!copied.some((file) => file.endsWith('.workerd.js')), 'workerd-only entries have no copy');
  for (const file of copied) {
    const expected = toCommonJs(readFileSync(join(pkgDir, 'src', file), 'utf8'), file);
    const actual = readFileSync(join(pkgDir, 'dist', 'node', file.replace(/\.js$/, '.cjs')), 'utf8');
    assert.ok(actual === expected, `pkg/dist/node/${file.replace(/\.js$/, '.cjs')} is stale: run npm run build`);
  }
});

test('the declarations type-check as users call them (tsc --noEmit)', () => {
  const project = fileURLToPath(new URL('../../testkit/guard-types/tsconfig.json', import.meta.url));
  try {
    execFileSync(bin('tsc'), ['-p', project], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    assert.fail(`tsc reported errors:\n${error.stdout}${error.stderr}`);
  }
});

describe('the packed package', { timeout: 180_000 }, () => {
  let project;
  const consumer = (load) => `
${load}
const { createHmac } = require('node:crypto');
const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const input = b64({ alg: 'HS256', kid: 'k1' }) + '.' + b64({ iss: 'https://issuer.example', aud: 'api', sub: 'u', scope: 'orders:read', exp: 4102444800 });
const token = input + '.' + createHmac('sha256', Buffer.alloc(32, 7)).update(input).digest('base64url');
const g = guard.createGuard(${JSON.stringify(POLICY)});
Promise.all([
  g.check(new Request('http://x/api/orders', { headers: { authorization: 'Bearer ' + token } })),
  g.check(new Request('http://x/api/orders')),
]).then(([ok, denied]) => console.log(JSON.stringify({
  sub: ok.auth.sub, denied: denied.response.status,
  adapters: [typeof express.guard, typeof fastify.jwtward, typeof hono.guard, typeof worker.createWorker],
  resolved: resolved.replace(process.cwd(), '.'),
})));
`;
  const workerSource = `import { createGuard } from 'jwtward/guard';
const g = createGuard(${JSON.stringify(POLICY)});
export default {
  async fetch(request) {
    const outcome = await g.check(request);
    return outcome.allow ? Response.json(outcome.auth) : outcome.response;
  },
};
`;

  before(() => {
    project = makeProject('guard-modules', {
      'cjs.cjs': consumer(`const guard = require('jwtward/guard'); const express = require('jwtward/express'); const fastify = require('jwtward/fastify');
const hono = require('jwtward/hono'); const worker = require('jwtward/worker'); const resolved = require.resolve('jwtward/express');`),
      'esm.mjs': `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const guard = await import('jwtward/guard'); const express = await import('jwtward/express'); const fastify = await import('jwtward/fastify');
const hono = await import('jwtward/hono'); const worker = await import('jwtward/worker'); const resolved = import.meta.resolve('jwtward/express').replace('file://', '');
${consumer('').replace("const { createHmac } = require('node:crypto');", "const { createHmac } = await import('node:crypto');")}`,
      'worker/src/index.js': workerSource,
      'worker/wrangler.toml': 'name = "guard-check"\nmain = "src/index.js"\ncompatibility_date = "2026-04-20"\n',
    });
  });
  after(() => project?.cleanup());

  test('the tarball holds the guard, the adapters, their CommonJS copies and declarations', () => {
    const { files } = project.packed;
    for (const file of [
      'src/guard/index.js', 'src/guard/index.d.ts', 'src/guard/engine.js', 'src/adapters/express.js', 'src/adapters/express.d.ts',
      'src/adapters/fastify.d.ts', 'src/adapters/hono.d.ts', 'src/adapters/worker.js', 'src/adapters/worker.workerd.js', 'src/adapters/worker.d.ts',
      'dist/node/guard/index.cjs', 'dist/node/adapters/express.cjs', 'dist/node/adapters/hono.cjs', 'dist/node/adapters/worker.cjs',
    ]) {
      assert.ok(files.includes(file), `${file} is in the tarball`);
    }
  });

  test('require and import by name in Node, from the installed package', () => {
    for (const file of ['cjs.cjs', 'esm.mjs']) {
      const out = JSON.parse(execFileSync(process.execPath, [file], { cwd: project.dir, encoding: 'utf8' }).trim());
      assert.deepEqual(out, {
        sub: 'u',
        denied: 401,
        adapters: ['function', 'function', 'function', 'function'],
        resolved: './node_modules/jwtward/dist/node/adapters/express.cjs',
      }, file);
    }
  });

  test('jwtward/guard in workerd: bundled by wrangler from the installed package', async () => {
    const dir = join(project.dir, 'worker');
    execFileSync(process.execPath, [bin('wrangler'), 'deploy', '--dry-run', '--outdir', 'out'], {
      cwd: dir,
      env: { ...process.env, ...OFFLINE_ENV },
      stdio: 'pipe',
    });
    assert.ok(existsSync(join(dir, 'out', 'index.js')));
    const mf = await runBundle(join(dir, 'out'));
    try {
      const denied = await mf.dispatchFetch('http://x/api/orders');
      assert.equal(denied.status, 401);
      assert.equal((await denied.json()).code, 'ERR_AUTH_MISSING');
      const allowed = await mf.dispatchFetch('http://x/api/orders', { headers: { authorization: `Bearer ${hs256Token()}` } });
      assert.equal(allowed.status, 200);
      assert.equal((await allowed.json()).sub, 'u');
    } finally {
      await mf.dispose();
    }
  });
});
