// Test helper: every server the guard runs in, each started once with a policy, on 127.0.0.1 with a
// port the OS picks, behind the same interface:
//   { name, url, request(path, init), records(), close() }
// `records()` are the audit records the guard sent to its `log` hook (in workerd: what it printed).
// The application behind the guard echoes what it received (method, path and query, headers, auth),
// like worker/testkit's echo origin does for the Worker.
//
//   worker          this repository's Worker (createWorker) in workerd, proxying to an echo origin
//   express         Express 5 + jwtward/express
//   express4        Express 4 (the devDependency `express4`, npm:express@4) + jwtward/express
//   fastify         Fastify 5 + jwtward/fastify
//   fastify4        Fastify 4 (`fastify4`, npm:fastify@4) + jwtward/fastify
//   hono-node       Hono + jwtward/hono on @hono/node-server
//   hono-workerd    the same Hono app (guard-hono-app.mjs), bundled by wrangler, in workerd

import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import express4 from 'express4';
import Fastify from 'fastify';
import Fastify4 from 'fastify4';
import { serve } from '@hono/node-server';
import { guard } from 'jwtward/express';
import { jwtward } from 'jwtward/fastify';
import { honoApp } from './guard-hono-app.mjs';
import { bundleWorker, runBundle, scratchDir, startEchoOrigin, startWorker } from '../../worker/testkit/harness.mjs';

// Its own folder: wrangler names the bundle after the entry's file name, and runBundle runs index.js.
const HONO_WORKER = fileURLToPath(new URL('./hono-worker/index.mjs', import.meta.url));
const COMPATIBILITY_DATE = '2026-04-20';

/** fetch() against a host; never waits more than 30 s. */
function requester(base) {
  return (path, init = {}) => fetch(new URL(path, base), { signal: AbortSignal.timeout(30_000), redirect: 'manual', ...init });
}

function closeServer(server) {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function listen(server) {
  if (!server.listening) await once(server, 'listening');
  return `http://127.0.0.1:${server.address().port}`;
}

/** The echo answer of a Node request after the guard: what the application's handler sees. */
function echoNode(method, url, headers, auth) {
  return { method, url, headers, auth };
}

/** Express (5 by default; `createApp` express4 for Express 4) with the guard in front of the echo app. */
export async function startExpress(policy, { name = 'express', createApp = express } = {}) {
  const records = [];
  const app = createApp();
  app.use(guard(policy, { log: (record) => records.push(record) }));
  // The parsed query too: Express 4 parses it before any middleware runs, Express 5 when it is read.
  app.use((req, res) => res.json({ ...echoNode(req.method, req.url, req.headers, req.auth), query: { ...req.query } }));
  const server = app.listen(0, '127.0.0.1');
  const url = await listen(server);
  return { name, url, request: requester(url), records: () => records, close: () => closeServer(server) };
}

/** Fastify (5 by default; `createApp` Fastify4 for Fastify 4) with the plugin and the echo routes. */
export async function startFastify(policy, { name = 'fastify', createApp = Fastify } = {}) {
  const records = [];
  const app = createApp();
  await app.register(jwtward, { policy, log: (record) => records.push(record) });
  const echo = async (request) => ({ ...echoNode(request.method, request.url, request.headers, request.auth), query: { ...request.query } });
  app.all('/*', echo);
  app.all('/', echo);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { name, url, request: requester(url), records: () => records, close: () => app.close() };
}

export const startExpress4 = (policy) => startExpress(policy, { name: 'express4', createApp: express4 });
export const startFastify4 = (policy) => startFastify(policy, { name: 'fastify4', createApp: Fastify4 });

export async function startHonoNode(policy) {
  const records = [];
  const app = honoApp(policy, { log: (record) => records.push(record) });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  const url = await listen(server);
  return { name: 'hono-node', url, request: requester(url), records: () => records, close: () => closeServer(server) };
}

// One bundle of the Hono Worker per test process, whatever the policies.
let honoBundle;

export async function startHonoWorkerd(policy) {
  honoBundle ??= (() => {
    const dir = scratchDir('jwtward-hono-worker-');
    const config = join(dir, 'wrangler.toml');
    writeFileSync(config, `name = "jwtward-hono-test"\nmain = ${JSON.stringify(HONO_WORKER)}\ncompatibility_date = "${COMPATIBILITY_DATE}"\n`);
    return bundleWorker(config);
  })();
  const { outdir } = await honoBundle;
  const mf = await runBundle(outdir, { bindings: { JWTWARD_TEST_POLICY: JSON.stringify(policy) }, port: 0 });
  const records = () => mf.stdio().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  return { name: 'hono-workerd', url: mf.url.href, request: requester(mf.url), records, close: () => mf.dispose() };
}

/** The Worker of this repository, in workerd, in front of an echo origin of its own. */
export async function startWorkerHost(policy) {
  const origin = await startEchoOrigin();
  // The secret of the DPoP nonces, which the Worker requires where a route asks for nonces (TEST ONLY).
  const worker = await startWorker({ policy, vars: { ORIGIN_URL: origin.url, DPOP_NONCE_SECRET: 'guard-table-test-only-dpop-nonce-secret' } });
  return {
    name: 'worker',
    url: worker.url.href,
    request: requester(worker.url),
    records: () => worker.logs(),
    async close() {
      await worker.close();
      await origin.close();
    },
  };
}

/** Every host, started concurrently with one policy; if one fails to start, the others are closed. */
export async function startAllHosts(policy) {
  const started = await Promise.allSettled([startWorkerHost, startExpress, startExpress4, startFastify, startFastify4, startHonoNode, startHonoWorkerd].map((start) => start(policy)));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.filter((s) => s.status === 'fulfilled').map((s) => s.value.close()));
    throw failed.reason;
  }
  return started.map((s) => s.value);
}
