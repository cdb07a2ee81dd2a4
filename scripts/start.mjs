#!/usr/bin/env node
// `npm start` (after scripts/setup.sh and scripts/build.mjs): the jwtward Worker in local workerd,
// `wrangler dev --local` on http://127.0.0.1:8787, with the demo configuration of wrangler.toml
// (worker/policy.demo.json), then the curl lines to try.
//
// Offline by construction: no Cloudflare login, no account, no metrics, no update check, no download of
// the `Request.cf` template. The policy is validated here first, so a mistake in it is reported in plain
// words before wrangler starts (the Worker would refuse to start with the same error anyway).

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.0.1';
const PORT = 8787;
const BASE = `http://${HOST}:${PORT}`;
const READY_TIMEOUT_MS = 90_000;

function fail(message) {
  console.error(`start: ${message}`);
  process.exit(1);
}

// 1. The policy wrangler.toml points the Worker at, validated in Node with the Worker's own validator.
const wranglerToml = readFileSync(join(root, 'wrangler.toml'), 'utf8');
const alias = /^\s*"@jwtward\/policy"\s*=\s*"([^"]+)"/m.exec(wranglerToml);
if (!alias) fail('wrangler.toml has no [alias] "@jwtward/policy" = "<policy file>"');
const policyPath = resolve(root, alias[1]);
const { compilePolicy } = await import('../pkg/src/guard/policy.js');
let compiled;
try {
  compiled = compilePolicy(JSON.parse(readFileSync(policyPath, 'utf8')));
} catch (error) {
  fail(`${policyPath}:\n${error.message}`);
}
// Valid, but weaker than the defaults: said before anything starts (the Worker logs them too).
for (const warning of compiled.warnings) console.warn(`start: WARNING ${policyPath.slice(root.length + 1)}: ${warning}`);

if (!existsSync(join(root, 'pkg', 'dist', 'jwtward_bg.wasm'))) fail('pkg/dist/ is missing: run `npm run build` (npm start does it).');

// 2. The port must be free: the demo policy fetches its keys from http://127.0.0.1:8787.
await new Promise((resolveFree) => {
  const probe = createServer();
  probe.once('error', () => fail(`port ${PORT} on ${HOST} is in use (is another \`npm start\` running?)`));
  probe.listen(PORT, HOST, () => probe.close(resolveFree));
});

// 3. wrangler dev, offline.
const env = { ...process.env };
for (const name of Object.keys(env)) if (name.startsWith('CLOUDFLARE_')) delete env[name];
Object.assign(env, {
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false', // miniflare: use the built-in Request.cf placeholder
  WRANGLER_HIDE_BANNER: 'true', // the banner would check npm for a newer wrangler
});
const wrangler = spawn(
  process.execPath,
  [
    join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js'),
    'dev',
    '--config', join(root, 'wrangler.toml'),
    '--local',
    '--ip', HOST,
    '--port', String(PORT),
    '--show-interactive-dev-session=false',
  ],
  // Same process group as this script: Ctrl-C in a terminal reaches wrangler and workerd directly, and
  // whoever stops this script's group stops them too, so nothing is left on the port.
  { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] },
);

let stopping = false;
function stop(signal = 'SIGTERM') {
  if (stopping) return;
  stopping = true;
  // wrangler shuts workerd down on SIGINT/SIGTERM; if it has not exited after 5 s, it is killed.
  wrangler.kill(signal);
  setTimeout(() => wrangler.kill('SIGKILL'), 5000).unref();
  process.exitCode = 130;
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
wrangler.on('exit', (code, signal) => {
  if (!stopping) {
    console.error(`start: wrangler dev exited (${signal ?? `code ${code}`})`);
    process.exitCode = code || 1;
  }
  stopping = true;
  process.exit();
});

// 4. Ready when /health answers; then one real request through the demo's own jwksUri.
const deadline = Date.now() + READY_TIMEOUT_MS;
let ready = false;
while (!stopping && Date.now() < deadline) {
  try {
    const response = await fetch(`${BASE}/health`);
    await response.arrayBuffer();
    if (response.ok) {
      ready = true;
      break;
    }
  } catch {
    // not listening yet
  }
  await new Promise((r) => setTimeout(r, 250));
}
if (!ready) {
  if (!stopping) {
    console.error(`start: the Worker did not answer on ${BASE}/health within ${READY_TIMEOUT_MS / 1000} s`);
    stop();
    process.exitCode = 1;
  }
} else {
  const { mintDemoToken } = await import('../worker/demo/token.mjs');
  const check = await fetch(`${BASE}/api/orders`, { headers: { authorization: `Bearer ${await mintDemoToken({ scope: 'orders:read', tenant: 'acme' })}` } });
  await check.arrayBuffer();
  const note = check.ok ? 'a demo token was verified (keys fetched from its jwksUri)' : `WARNING: a demo token got HTTP ${check.status}`;
  const token = (args) => `$(npm run -s token -- ${args})`;
  console.log(`
jwtward Worker running in workerd at ${BASE} (${note}).
  ${BASE}/                       the token inspector page
  ${BASE}/.well-known/jwks.json  the demo issuer's public keys (TEST ONLY key pair, worker/demo/)

Try it (one token per line, minted by worker/demo/token.mjs):
  curl -i ${BASE}/health                                                            # 200, public
  curl -i ${BASE}/api/orders                                                        # 401, no token
  curl -i -H "Authorization: Bearer ${token('--scope orders:read --tenant acme')}" ${BASE}/api/orders   # 200
  curl -i -H "Authorization: Bearer ${token('--scope orders:read --expires-in -60')}" ${BASE}/api/orders   # 401 invalid_token, ERR_JWT_EXPIRED
  curl -i -H "Authorization: Bearer ${token('--scope orders:write')}" ${BASE}/api/orders   # 403 insufficient_scope
  curl -i -H "Authorization: Bearer ${token('--tenant acme')}" ${BASE}/tenants/acme/orders     # 200
  curl -i -H "Authorization: Bearer ${token('--tenant acme')}" ${BASE}/tenants/globex/orders   # 403, another tenant

Policy: ${policyPath.slice(root.length + 1)} (reference: worker/README.md). Ctrl-C stops the Worker.
`);
}
