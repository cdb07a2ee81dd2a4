// The demo as a newcomer meets it: the token script, and `node scripts/start.mjs` (what `npm start` runs
// after the build) on 127.0.0.1:8787, driven by the very curl lines it prints. The start test needs port
// 8787 and is skipped, saying so, when something already listens there (a running `npm start`).

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { OFFLINE_ENV, ROOT, waitFor } from '../testkit/harness.mjs';

const execFileP = promisify(execFile);
const TOKEN = join(ROOT, 'worker', 'demo', 'token.mjs');

test('token.mjs mints demo tokens: scope, tenant, expiry, subject', async () => {
  const { stdout } = await execFileP(process.execPath, [TOKEN, '--scope', 'orders:read', '--scope', 'orders:write', '--tenant', 'acme', '--sub', 'svc-9']);
  const token = stdout.trim();
  assert.equal(token.split('.').length, 3);
  assert.deepEqual(decodeProtectedHeader(token), { alg: 'ES256', kid: 'jwtward-demo-es256-2026', typ: 'at+jwt' });
  const claims = decodeJwt(token);
  assert.equal(claims.scope, 'orders:read orders:write');
  assert.equal(claims.tenant_id, 'acme');
  assert.equal(claims.sub, 'svc-9');
  assert.equal(claims.iss, 'https://issuer.jwtward.example');
  assert.equal(claims.aud, 'api://jwtward-demo');
  const now = Math.floor(Date.now() / 1000);
  assert.ok(Math.abs(claims.exp - (now + 3600)) <= 5);

  const expired = decodeJwt((await execFileP(process.execPath, [TOKEN, '--expires-in', '-60'])).stdout.trim());
  assert.ok(expired.exp < now && expired.exp >= now - 65, 'a negative --expires-in gives an expired token');
  assert.ok(expired.iat < expired.exp);

  await assert.rejects(execFileP(process.execPath, [TOKEN, '--expires-in', 'soon']), (error) => error.code === 2);
  await assert.rejects(execFileP(process.execPath, [TOKEN, '--scopes', 'x']), (error) => error.code === 2);
});

async function portInUse(port) {
  const probe = createServer();
  probe.listen(port, '127.0.0.1');
  try {
    await once(probe, 'listening');
    return false;
  } catch {
    return true;
  } finally {
    probe.close();
  }
}

test('npm start: the demo Worker on 127.0.0.1:8787 answers the curl lines it prints, then stops cleanly', { timeout: 180_000 }, async (t) => {
  if (await portInUse(8787)) {
    t.skip('port 8787 is in use (a running `npm start`?): the start test needs it');
    return;
  }
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs')], {
    cwd: ROOT,
    env: { ...process.env, ...OFFLINE_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: stopped below by its id, with everything it started
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = once(child, 'exit');
  try {
    assert.ok(await waitFor(() => output.includes('Ctrl-C stops the Worker') || child.exitCode !== null, 150_000, 200), `start.mjs did not become ready:\n${output}`);
    assert.equal(child.exitCode, null, output);
    assert.match(output, /a demo token was verified/);

    // Every curl line it printed, run as printed (through bash, with `npm run -s token`), against the
    // status its comment promises.
    const lines = output.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('curl '));
    assert.ok(lines.length >= 7, output);
    for (const line of lines) {
      const expected = Number(/#\s*(\d{3})/.exec(line)[1]);
      const command = line.replace(/\s+#.*$/, '').replace(/^curl -i /, 'curl -s -o /dev/null -w "%{http_code}" ');
      const { stdout } = await execFileP('bash', ['-c', command], { cwd: ROOT, env: { ...process.env, ...OFFLINE_ENV } });
      assert.equal(Number(stdout.trim()), expected, line);
    }

    const page = await fetch('http://127.0.0.1:8787/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /text\/html/);
    await page.arrayBuffer();
    const jwks = await (await fetch('http://127.0.0.1:8787/.well-known/jwks.json')).json();
    assert.deepEqual(Object.keys(jwks.keys[0]).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  } finally {
    if (child.exitCode === null) process.kill(child.pid, 'SIGINT');
    let timer;
    const stopped = await Promise.race([exited.then(() => true), new Promise((r) => (timer = setTimeout(() => r(false), 15_000)))]);
    clearTimeout(timer);
    if (!stopped) process.kill(-child.pid, 'SIGKILL');
  }
  assert.ok(await waitFor(async () => !(await portInUse(8787)), 10_000, 200), 'port 8787 is free again');
});
