#!/usr/bin/env node
// `npm run load:guards`: what the guard costs an Express and a Hono service. The examples
// (examples/express, examples/hono) run as they are, each twice: with jwtward's guard, and with the
// guard taken out (worker/load/unguarded.mjs: the same code, `guard()` a pass-through that sets a fixed
// `auth`). autocannon sends the same valid requests (GET /api/orders, 20 demo tokens in turn) to both,
// alternating rounds of LOAD_SECONDS in one run so both see the same machine, and checks every answer
// is a 200. The guarded example also writes its audit line per request to stdout (read by this script),
// as it would in production; the unguarded one writes nothing. A
// check with bad tokens first shows the guard is really on (401/403) in the one and off in the other.
// Prints requests/s, latency p50/p99, the ratio guarded / unguarded, and the server's own CPU time per
// request (user + system, from /proc, over the measured rounds: what the guard costs, whatever share of
// the two cores autocannon takes), with issue 16's target line.
//
//   npm run load:guards              (build first; the npm script does)
//   LOAD_SECONDS=10 LOAD_ROUNDS=3 LOAD_CONNECTIONS=32 npm run load:guards

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { mintDemoToken } from '../demo/token.mjs';
import { ROOT, waitFor } from '../testkit/harness.mjs';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 5); // per round
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 16);
const ROUNDS = Number(process.env.LOAD_ROUNDS ?? 2);
const say = (message) => process.stdout.write(`${message}\n`);

async function freePort() {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** One example server, guarded or not; its stdout (the audit lines) is read and dropped. */
async function startExample(name, guarded) {
  const port = await freePort();
  const args = [...(guarded ? [] : ['--import', join(ROOT, 'worker', 'load', 'unguarded.mjs')]), join(ROOT, 'examples', name, 'server.mjs')];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
  let banner = '';
  child.stdout.on('data', (d) => {
    if (banner.length < 1000) banner += d;
  });
  if (!(await waitFor(() => banner.includes(`127.0.0.1:${port}`) || child.exitCode !== null, 30_000, 50)) || child.exitCode !== null) {
    child.kill();
    throw new Error(`examples/${name} did not start:\n${banner}`);
  }
  return { name, guarded, url: `http://127.0.0.1:${port}`, stop: () => child.kill(), cpu: () => cpuMicros(child.pid) };
}

/** CPU time (user + system) a process has used, in microseconds; undefined without /proc. */
function cpuMicros(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime, in clock ticks (USER_HZ: 100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

// Issue 16: the guard adds nothing measurable per request once warm. "Measurable" here: more than 5 %
// of the unguarded example's CPU time per request.
const CPU_TARGET = 1.05;

const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => mintDemoToken({ scope: 'orders:read', tenant: 'acme', sub: `client-${i}` })));
const refused = {
  expired: await mintDemoToken({ scope: 'orders:read', tenant: 'acme', expiresIn: -60 }),
  wrongScope: await mintDemoToken({ scope: 'orders:write', tenant: 'acme' }),
};

/**
 * Valid requests for `seconds` (or `amount` requests); resolves autocannon's result with `rate`, the
 * requests answered per second, or rejects if any answer is not a 200.
 */
function measure(server, { seconds, amount }) {
  let next = 0;
  let wrong = 0;
  return new Promise((resolve, reject) => {
    autocannon({
      url: server.url,
      connections: CONNECTIONS,
      ...(amount ? { amount } : { duration: seconds }),
      timeout: 30,
      requests: [{
        method: 'GET',
        setupRequest(request) {
          request.path = '/api/orders';
          request.headers = { authorization: `Bearer ${tokens[next++ % tokens.length]}` };
          return request;
        },
        onResponse(status) {
          if (status !== 200) wrong += 1;
        },
      }],
    }, (error, result) => {
      if (error) reject(error);
      else if (wrong > 0 || result.errors > 0 || result.timeouts > 0) reject(new Error(`${server.name}: ${wrong} answers were not 200, ${result.errors} errors`));
      else resolve({ ...result, rate: result.requests.total / result.duration });
    });
  });
}

let exitCode = 0;
const servers = [];
try {
  for (const name of ['express', 'hono']) {
    const pair = [await startExample(name, true), await startExample(name, false)];
    servers.push(...pair);
    // The guard is on in the one and off in the other.
    for (const server of pair) {
      const statuses = [];
      for (const token of Object.values(refused)) statuses.push((await fetch(`${server.url}/api/orders`, { headers: { authorization: `Bearer ${token}` } })).status);
      const expected = server.guarded ? [401, 403] : [200, 200];
      if (statuses.join() !== expected.join()) throw new Error(`${name} (${server.guarded ? 'guarded' : 'unguarded'}): expired and wrong-scope tokens got ${statuses}, expected ${expected}`);
    }
    for (const server of pair) await measure(server, { amount: 2000 }); // warm-up: JIT, the verified-token cache
    const runs = { true: [], false: [] };
    const cpu = { true: { micros: 0, requests: 0 }, false: { micros: 0, requests: 0 } };
    for (let round = 0; round < ROUNDS; round++) {
      for (const server of pair) {
        const before = server.cpu();
        const result = await measure(server, { seconds: SECONDS });
        const after = server.cpu();
        runs[server.guarded].push(result);
        if (before !== undefined && after !== undefined) {
          cpu[server.guarded].micros += after - before;
          cpu[server.guarded].requests += result.requests.total;
        }
      }
    }
    const mean = (results, pick) => results.reduce((sum, r) => sum + pick(r), 0) / results.length;
    const line = (label, results) => `${label.padEnd(10)} ${String(Math.round(mean(results, (r) => r.rate))).padStart(6)} requests/s   p50 ${mean(results, (r) => r.latency.p50).toFixed(1)} ms   p99 ${mean(results, (r) => r.latency.p99).toFixed(1)} ms`;
    const ratio = mean(runs.true, (r) => r.rate) / mean(runs.false, (r) => r.rate);
    say('');
    say(`load:guards examples/${name}: GET /api/orders, valid tokens, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s each, alternating`);
    say(`  ${line('guarded', runs.true)}`);
    say(`  ${line('unguarded', runs.false)}`);
    say(`  guarded / unguarded: ${ratio.toFixed(2)} (${((1 - ratio) * 100).toFixed(0)} % fewer requests/s with the guard)`);
    if (cpu.true.requests > 0 && cpu.false.requests > 0) {
      const per = (c) => c.micros / c.requests;
      const [guarded, unguarded] = [per(cpu.true), per(cpu.false)];
      say(`  server CPU per request: guarded ${guarded.toFixed(1)} us, unguarded ${unguarded.toFixed(1)} us: the guard, its audit line included, ${(guarded - unguarded).toFixed(1)} us`);
      const met = guarded / unguarded <= CPU_TARGET;
      say(`  target (issue 16): the guard adds nothing measurable (<= ${Math.round((CPU_TARGET - 1) * 100)} % CPU per request): ${(guarded / unguarded).toFixed(2)}x, ${met ? 'met' : 'NOT met'}`);
    }
    for (const server of pair) server.stop();
  }
  say('load:guards: PASS (every answer checked)');
} catch (error) {
  say(`load:guards: FAIL: ${error.message}`);
  exitCode = 1;
} finally {
  for (const server of servers) server.stop();
}
process.exit(exitCode);
