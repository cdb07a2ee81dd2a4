// Sender-constrained tokens in browsers: the scenarios of pkg/testkit/dpop-scenarios.mjs (the same
// in Node and workerd) in a page of headless Chromium that imports 'jwtward' by name (import map
// to the package's `browser` export), where verifyAsync hands the signatures to WebCrypto.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { SCENARIO_NAMES } from '../testkit/dpop-scenarios.mjs';

const CHROMIUM = '/usr/bin/chromium';
const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const browserEntry = manifest.exports['.'].browser.default.replace(/^\.\//, '');
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

const PAGE = `<!doctype html>
<meta charset="utf-8">
<script type="importmap">${JSON.stringify({ imports: { jwtward: `/pkg/${browserEntry}` } })}</script>
<script type="module">
import * as jwtward from 'jwtward';
import { runScenario } from '/pkg/testkit/dpop-scenarios.mjs';
await jwtward.ready();
window.__run = (name) => runScenario(name, jwtward);
</script>`;

let pageServer;
let browser;
let userDataDir;
let page;
const pageErrors = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is required (scripts/setup.sh installs Debian's chromium)`);
  pageServer = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://127.0.0.1').pathname));
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      return;
    }
    const file = join(pkgDir, path.replace(/^\/pkg\//, ''));
    if (!path.startsWith('/pkg/') || !file.startsWith(pkgDir) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  userDataDir = mkdtempSync(join(tmpdir(), 'jwtward-chromium-'));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  // A secure context (loopback), so WebCrypto is there.
  await page.goto(`http://127.0.0.1:${pageServer.address().port}/`);
  await page.waitForFunction(() => typeof window.__run === 'function', null, { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  pageServer?.closeAllConnections();
  pageServer?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

for (const name of SCENARIO_NAMES()) {
  test(`Chromium: ${name}`, async () => {
    const result = await page.evaluate((n) => window.__run(n), name);
    assert.deepEqual(pageErrors, []);
    assert.ok(result.ok, `${name} in Chromium:\n${result.error}`);
  });
}
