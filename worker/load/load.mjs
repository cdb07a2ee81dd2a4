#!/usr/bin/env node
// `npm run load`: the Worker under load in local workerd, checking every single answer.
//
// The Worker is the exact upload `wrangler deploy --dry-run` produces, run in workerd through Miniflare
// (wrangler dev's local server adds its own per-request cost, which would measure wrangler, not the
// Worker), with the demo policy (worker/policy.demo.json) whose jwksUri is pointed at a JWK Set server
// in this process (so it needs no port 8787 and runs next to `npm start`). autocannon sends
// >= 10,000 requests on 127.0.0.1, cycling through a mix of valid, expired, tampered, wrong-scope,
// cross-tenant and token-less requests, and checks each answer's status AND its code against what that
// request must get. Any wrong decision, any 5xx or any unanswered request fails the run (exit 1). Prints
// requests/s, latency p50/p99 and workerd's memory (RSS sampled every second), next to a no-op Worker's.
//
//   npm run load                      (build first; `npm run load` does)
//   LOAD_REQUESTS=50000 LOAD_CONNECTIONS=64 npm run load

import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { mintDemoToken } from '../demo/token.mjs';
import { bundleWorker, configWithPolicy, ROOT, runBundle, scratchDir } from '../testkit/harness.mjs';

const REQUESTS = Number(process.env.LOAD_REQUESTS ?? 12_000);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 32);
const TIME_LIMIT_S = Number(process.env.LOAD_TIME_LIMIT ?? 180);
const DISTINCT_TOKENS = 200; // per kind: valid tokens repeat (cache hits) and come fresh (misses)

const say = (message) => process.stdout.write(`${message}\n`);

// --- the issuer's JWK Set, served on 127.0.0.1 ---
const demoPolicy = JSON.parse(readFileSync(join(ROOT, 'worker/policy.demo.json'), 'utf8'));
const jwksServer = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
  res.end(JSON.stringify(demoPolicy.publishJwks.jwks));
});
jwksServer.listen(0, '127.0.0.1');
await once(jwksServer, 'listening');
const policy = { ...demoPolicy, jwksUri: `http://127.0.0.1:${jwksServer.address().port}/jwks.json` };

// --- the request mix: every case knows the answer it must get ---
function tamper(token) {
  const [h, p, s] = token.split('.');
  // Change a middle character of the signature, so it stays valid base64url of the right length.
  const i = Math.floor(s.length / 2);
  return `${h}.${p}.${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
}
const kinds = {
  valid: { path: '/api/orders', status: 200, code: undefined },
  tenant: { path: '/tenants/acme/orders', status: 200, code: undefined },
  expired: { path: '/api/orders', status: 401, code: 'ERR_JWT_EXPIRED' },
  tampered: { path: '/api/orders', status: 401, code: 'ERR_JWT_BAD_SIGNATURE' },
  wrongScope: { path: '/api/orders', status: 403, code: 'ERR_JWT_INSUFFICIENT_SCOPE' },
  otherTenant: { path: '/tenants/globex/orders', status: 403, code: 'ERR_JWT_BAD_CLAIM' },
  noToken: { path: '/api/orders', status: 401, code: 'ERR_AUTH_MISSING' },
};
const tokens = { valid: [], tenant: [], expired: [], tampered: [], wrongScope: [], otherTenant: [] };
for (let i = 0; i < DISTINCT_TOKENS; i++) {
  const valid = await mintDemoToken({ scope: 'orders:read', tenant: 'acme', sub: `client-${i}` });
  tokens.valid.push(valid);
  tokens.tenant.push(valid);
  tokens.otherTenant.push(valid);
  tokens.expired.push(await mintDemoToken({ scope: 'orders:read', tenant: 'acme', expiresIn: -60 - i }));
  tokens.tampered.push(tamper(await mintDemoToken({ scope: 'orders:read', tenant: 'acme' })));
  tokens.wrongScope.push(await mintDemoToken({ scope: 'orders:write', tenant: 'acme' }));
}
const order = ['valid', 'expired', 'valid', 'tampered', 'tenant', 'wrongScope', 'valid', 'otherTenant', 'noToken', 'valid'];
const cases = [];
for (let i = 0; i < DISTINCT_TOKENS; i++) {
  for (const kind of order) cases.push({ kind, ...kinds[kind], token: tokens[kind]?.[(i * 7 + cases.length) % DISTINCT_TOKENS] });
}

// --- the Worker ---
say(`load: bundling the Worker (wrangler deploy --dry-run) with the demo policy, keys from ${policy.jwksUri}`);
const { outdir } = await bundleWorker(configWithPolicy(policy));
// The Worker's log lines (one per request) are collected by runBundle, not printed.
const worker = await runBundle(outdir, { port: 0 });
const target = worker.url.origin;
let stopping;
const stopWorker = () => (stopping ??= worker.dispose());
if (new URL(target).hostname !== '127.0.0.1') throw new Error(`refusing to load anything but 127.0.0.1 (${target})`);

/** The workerd processes under this one (Miniflare starts workerd as a child of this process). */
function workerdProcesses() {
  const found = [];
  const children = (pid) => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const walk = (pid) => {
    for (const child of children(pid)) {
      try {
        const status = readFileSync(`/proc/${child}/status`, 'utf8');
        if (/^Name:\s+workerd/m.test(status)) found.push({ pid: child, status });
      } catch {
        // exited meanwhile
      }
      walk(child);
    }
  };
  walk(process.pid);
  return found;
}

function workerdRss() {
  return workerdProcesses().reduce((sum, { status }) => sum + Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024, 0);
}

/** CPU time (user + system) used so far by the workerd processes, in microseconds. */
function workerdCpu() {
  let micros = 0;
  for (const { pid } of workerdProcesses()) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      // utime and stime, in clock ticks (USER_HZ: 100 per second on Linux).
      micros += (Number(fields[11]) + Number(fields[12])) * 10_000;
    } catch {
      // exited meanwhile
    }
  }
  return micros;
}

const tally = Object.fromEntries(Object.keys(kinds).map((kind) => [kind, { requests: 0, wrong: 0 }]));
const wrongExamples = [];
let serverErrors = 0;

/**
 * Sends `amount` requests cycling through the cases to `url`, sampling workerd's RSS every second.
 * With `check`, every answer is compared with what its case must get.
 */
function measure(url, amount, { check }) {
  let next = 0;
  const cpuBefore = workerdCpu();
  const rss = [workerdRss()];
  const sampler = setInterval(() => rss.push(workerdRss()), 1000);
  return new Promise((resolve, reject) => {
    const instance = autocannon({
      url,
      connections: CONNECTIONS,
      amount,
      timeout: 30,
      requests: [{
        method: 'GET',
        setupRequest(request, context) {
          const c = cases[next++ % cases.length];
          context.case = c;
          request.path = c.path;
          request.headers = c.token ? { authorization: `Bearer ${c.token}` } : {};
          return request;
        },
        onResponse(status, body, context) {
          if (!check) return;
          const c = context.case;
          const entry = tally[c.kind];
          entry.requests += 1;
          if (status >= 500) serverErrors += 1;
          let code;
          try {
            code = JSON.parse(body).code;
          } catch {
            code = '(not JSON)';
          }
          if (status !== c.status || code !== c.code) {
            entry.wrong += 1;
            if (wrongExamples.length < 5) wrongExamples.push({ kind: c.kind, expected: [c.status, c.code], got: [status, code] });
          }
        },
      }],
    }, (error, result) => {
      clearInterval(sampler);
      clearTimeout(guard);
      rss.push(workerdRss());
      if (error) reject(error);
      else resolve({ result, rss, cpuMicros: workerdCpu() - cpuBefore });
    });
    const guard = setTimeout(() => {
      instance.stop();
      reject(new Error(`load: over the ${TIME_LIMIT_S} s time limit`));
    }, TIME_LIMIT_S * 1000);
  });
}

// workerd's RSS grows under load even for a Worker that does nothing (V8 and workerd keep what they
// allocated, up to a plateau), so the Worker's memory is shown next to a no-op Worker's under the same
// requests: the difference is what the jwtward Worker itself holds.
async function startNoopWorker() {
  const dir = scratchDir('jwtward-load-noop-');
  writeFileSync(join(dir, 'index.js'), `export default {
  fetch(request) {
    console.log(JSON.stringify({ event: 'request', path: new URL(request.url).pathname }));
    return new Response('{"error":"unauthorized","code":"ERR_AUTH_MISSING","message":"no-op"}', { status: 401, headers: { 'content-type': 'application/json' } });
  },
};
`);
  return runBundle(dir, { port: 0 });
}

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const rssPath = (rss) => {
  const at = (q) => rss[Math.min(rss.length - 1, Math.round((q * (rss.length - 1)) / 4))];
  return `${[0, 1, 2, 3, 4].map((q) => mib(at(q))).join(' -> ')} (start, each quarter of the run; ${rss.length} samples)`;
};

let exitCode = 0;
try {
  await measure(target, 1000, { check: true }); // warm-up: keys fetched, code compiled; checked, not measured
  for (const entry of Object.values(tally)) Object.assign(entry, { requests: 0, wrong: 0 });
  const { result, rss, cpuMicros } = await measure(target, REQUESTS, { check: true });
  await stopWorker(); // before the baseline runs, so the two never compete for the CPU

  const noop = await startNoopWorker();
  let baseline;
  try {
    await measure(noop.url.origin, 1000, { check: false });
    baseline = await measure(noop.url.origin, REQUESTS, { check: false });
  } finally {
    await noop.dispose();
  }

  const checked = Object.values(tally).reduce((sum, e) => sum + e.requests, 0);
  const wrong = Object.values(tally).reduce((sum, e) => sum + e.wrong, 0);
  say('');
  say(`load: ${checked} requests checked one by one in ${result.duration.toFixed(1)} s, ${CONNECTIONS} connections, 127.0.0.1`);
  for (const [kind, entry] of Object.entries(tally)) say(`  ${kind.padEnd(12)} ${String(entry.requests).padStart(6)} requests, expected ${kinds[kind].status} ${kinds[kind].code ?? ''}, wrong: ${entry.wrong}`);
  say(`  wrong decisions: ${wrong}   5xx: ${serverErrors}   non-2xx by design: ${result.non2xx}   errors/timeouts: ${result.errors}/${result.timeouts}`);
  say(`  requests/s: ${Math.round(result.requests.average)} (mean)   latency p50: ${result.latency.p50} ms   p99: ${result.latency.p99} ms   max: ${result.latency.max} ms`);
  if (rss.some(Boolean)) {
    say(`  workerd RSS, jwtward Worker: ${rssPath(rss)}`);
    say(`  workerd RSS, no-op Worker:   ${rssPath(baseline.rss)}`);
    const diff = rss.at(-1) - baseline.rss.at(-1);
    say(`  at the end: ${diff >= 0 ? '+' : '-'}${mib(Math.abs(diff))} compared with the no-op Worker (which served ${Math.round(baseline.result.requests.average)} requests/s)`);
  } else {
    say('  workerd RSS: not measurable here (no /proc)');
  }
  if (cpuMicros > 0 && baseline.cpuMicros > 0) {
    const perRequest = cpuMicros / result.requests.total;
    const noopPerRequest = baseline.cpuMicros / baseline.result.requests.total;
    // Every request but the token-less ones has its token verified (cache hits included).
    const verified = checked - tally.noToken.requests;
    say(`  workerd CPU per request: jwtward Worker ${perRequest.toFixed(0)} us, no-op Worker ${noopPerRequest.toFixed(0)} us; the Worker's own work ${((cpuMicros - baseline.cpuMicros * (result.requests.total / baseline.result.requests.total)) / verified).toFixed(0)} us per verified request (${verified} of ${checked})`);
  }
  // Requests over the whole run's duration: autocannon's per-second average rounds short runs.
  const rate = (r) => r.requests.total / r.duration;
  const rateRatio = rate(result) / rate(baseline.result);
  say(`  target (issue 16): requests/s >= 0.80x a no-op Worker's: ${Math.round(rate(result))} vs ${Math.round(rate(baseline.result))}, ${rateRatio.toFixed(2)}x, ${rateRatio >= 0.8 ? 'met' : 'NOT met'} (p99 ${result.latency.p99} ms, no-op p99 ${baseline.result.latency.p99} ms)`);
  if (wrongExamples.length) say(`  first wrong answers: ${JSON.stringify(wrongExamples)}`);
  if (checked < REQUESTS) say(`  FAILED: only ${checked} of ${REQUESTS} requests were answered`);
  if (wrong > 0 || serverErrors > 0 || result.errors > 0 || result.timeouts > 0 || checked < REQUESTS) exitCode = 1;
  say(exitCode === 0 ? 'load: PASS' : 'load: FAIL');
} catch (error) {
  say(`load: ${error.message}`);
  exitCode = 1;
} finally {
  await stopWorker();
  jwksServer.close();
}
process.exit(exitCode);
