// The examples as a newcomer meets them:
// - examples/express and examples/hono: started with the command their README gives, then called with
//   every curl line of the README, as written (only the port changes), each against the status its
//   comment promises;
// - examples/worker: the template copied out of the repository into a fresh project, the packed
//   package installed into it, bundled with `wrangler deploy --dry-run` and run with `wrangler dev`
//   in front of an origin that records what it receives.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { mintDemoToken } from '../../../worker/demo/token.mjs';
import { OFFLINE_ENV, ROOT, closeAll, runWrangler, scratchDir, startEchoOrigin, waitFor } from '../../../worker/testkit/harness.mjs';
import { pack } from '../../testkit/project.mjs';

const execFileP = promisify(execFile);
after(closeAll);

const README_PORT = '3000';

async function freePort() {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** The shell lines of a README's ```sh blocks. */
function shellLines(readme) {
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap(([, block]) => block.split('\n').map((line) => line.trim()).filter(Boolean));
}

/** Spawns a long-running command in its own process group; resolves once `ready` shows in its output. */
async function startProcess(command, { cwd, env, ready, timeoutMs = 60_000 }) {
  const child = spawn('bash', ['-c', command], { cwd, env: { ...process.env, ...OFFLINE_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      let timer;
      const stopped = await Promise.race([exited.then(() => true), new Promise((r) => (timer = setTimeout(() => r(false), 10_000)))]);
      clearTimeout(timer);
      if (!stopped) process.kill(-child.pid, 'SIGKILL');
    }
  };
  const up = await waitFor(() => ready.test(output) || child.exitCode !== null, timeoutMs, 100);
  if (!up || child.exitCode !== null) {
    await stop();
    throw new Error(`${command} did not become ready:\n${output}`);
  }
  return { output: () => output, stop };
}

for (const name of ['express', 'hono']) {
  describe(`examples/${name}: started and called as its README says`, { timeout: 180_000 }, () => {
    test('every curl line of the README gets the status its comment promises', async () => {
      const dir = join(ROOT, 'examples', name);
      assert.ok(readFileSync(join(dir, 'server.mjs'), 'utf8').split('\n').length < 40, 'under 40 lines');
      const lines = shellLines(readFileSync(join(dir, 'README.md'), 'utf8'));
      const start = lines.find((line) => line.includes(`node examples/${name}/server.mjs`));
      const curls = lines.filter((line) => line.startsWith('curl '));
      assert.ok(start && curls.length >= 8, 'the README has a start command and curl lines');
      const port = String(await freePort());
      const server = await startProcess(start.replaceAll(README_PORT, port), { cwd: ROOT, ready: new RegExp(`127\\.0\\.0\\.1:${port}`) });
      try {
        // Run as printed (through bash, with `npm run -s token`), concurrently: each line is independent.
        const results = await Promise.all(curls.map(async (line) => {
          const expected = Number(/#\s*(\d{3})/.exec(line)[1]);
          const command = line.replace(/\s+#.*$/, '').replace(/^curl -i /, 'curl -s -o /dev/null -w "%{http_code}" ').replaceAll(`127.0.0.1:${README_PORT}`, `127.0.0.1:${port}`);
          const { stdout } = await execFileP('bash', ['-c', command], { cwd: ROOT, env: { ...process.env, ...OFFLINE_ENV } });
          return { line, expected, got: Number(stdout.trim()) };
        }));
        for (const { line, expected, got } of results) assert.equal(got, expected, line);

        // What the handlers answer, and what the server logged.
        const token = await mintDemoToken({ scope: 'orders:read', tenant: 'acme', sub: 'svc-1' });
        const response = await fetch(`http://127.0.0.1:${port}/api/orders`, { headers: { authorization: `Bearer ${token}` } });
        assert.deepEqual(await response.json(), { for: 'svc-1', orders: [{ id: 1, tenant: 'acme', item: 'widget' }] });
        // The server's output reaches this process asynchronously.
        const requestLines = () => server.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((r) => r.event === 'request');
        await waitFor(() => requestLines().length >= curls.length + 1, 5000);
        assert.equal(requestLines().length, curls.length + 1, 'one audit line per request');
        assert.ok(!server.output().includes(token.split('.')[2]), 'no token in the logs');
      } finally {
        await server.stop();
      }
    });
  });
}

describe('examples/worker: the template, copied out and run with the packed package', { timeout: 240_000 }, () => {
  test('wrangler deploy --dry-run bundles it; wrangler dev guards an origin with it', async () => {
    const project = scratchDir('jwtward-worker-template-');
    cpSync(join(ROOT, 'examples', 'worker'), project, { recursive: true });
    assert.deepEqual(readFileSync(join(project, 'src', 'index.js'), 'utf8').trim().split('\n'), [
      "import { createWorker } from 'jwtward/worker';",
      "import policy from '../policy.json';",
      'export default createWorker(policy);',
    ]);
    // Offline: wrangler comes from this repository's node_modules, not the registry.
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    assert.ok(manifest.devDependencies.wrangler);
    delete manifest.devDependencies;
    writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
    const { tarball } = pack(project);
    await execFileP('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: project });
    const wrangler = (args) => `node ${JSON.stringify(join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js'))} ${args}`;

    const { stdout } = await execFileP('bash', ['-c', wrangler('deploy --dry-run --outdir out')], { cwd: project, env: { ...process.env, ...OFFLINE_ENV } });
    assert.match(stdout, /Total Upload/);
    assert.ok(readdirSync(join(project, 'out')).some((file) => file.endsWith('.wasm')), 'jwtward\'s .wasm is a module of the upload');
    assert.ok(existsSync(join(project, 'out', 'index.js')));

    const origin = await startEchoOrigin();
    const port = await freePort();
    const dev = await startProcess(wrangler(`dev --ip 127.0.0.1 --port ${port} --var ORIGIN_URL:${origin.url} --show-interactive-dev-session=false`), {
      cwd: project,
      ready: /Ready on http/,
      timeoutMs: 120_000,
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      assert.ok(await waitFor(async () => (await fetch(`${base}/health`).catch(() => null))?.status === 200, 30_000, 250), dev.output());
      const token = await mintDemoToken({ scope: 'orders:read', tenant: 'acme', clientId: 'machine-7' });
      const allowed = await fetch(`${base}/api/orders?page=2`, { headers: { authorization: `Bearer ${token}`, 'X-Auth-Tenant': 'globex' } });
      assert.equal(allowed.status, 200);
      const seen = await allowed.json();
      assert.equal(seen.url, '/api/orders?page=2');
      assert.equal(seen.headers['x-auth-subject'], 'demo-client');
      assert.equal(seen.headers['x-auth-tenant'], 'acme');
      assert.equal(seen.headers['x-auth-client'], 'machine-7');
      assert.equal(seen.headers.authorization, undefined);

      const missing = await fetch(`${base}/api/orders`);
      assert.equal(missing.status, 401);
      assert.equal((await missing.json()).code, 'ERR_AUTH_MISSING');
      const otherTenant = await fetch(`${base}/tenants/globex/orders`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(otherTenant.status, 403);
      assert.equal((await otherTenant.json()).code, 'ERR_JWT_BAD_CLAIM');
      assert.deepEqual(origin.received.map((r) => r.url).filter((url) => url !== '/health'), ['/api/orders?page=2'], 'denied requests never reach the origin');
    } finally {
      await dev.stop();
      await origin.close();
    }
  });
});
