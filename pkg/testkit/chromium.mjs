// Test helper: headless Chromium (Debian's /usr/bin/chromium through playwright-core, never a
// downloaded browser) with a fresh profile, and a loopback server for pages that import the
// package by name: an import map points 'jwtward' at the package's `browser` export, and /pkg/...
// serves the package's own files (src, dist, testkit), so a page runs exactly what users load.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';

import { chromium } from 'playwright-core';

import { pkgDir } from './project.mjs';

export const CHROMIUM = '/usr/bin/chromium';

// Without the background-networking flags, Chromium's connections are refused by this machine's
// closed network, many at a time.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.json': 'application/json' };

const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
/** The package's browser entry, relative to pkg/ (e.g. `src/browser.js`). */
export const browserEntry = manifest.exports['.'].browser.default.replace(/^\.\//, '');

/** A page's <head> that maps the bare name 'jwtward' to the package's browser entry under /pkg/. */
export const IMPORT_MAP = `<script type="importmap">${JSON.stringify({ imports: { jwtward: `/pkg/${browserEntry}` } })}</script>`;

/** Chromium with a fresh profile; `close()` also removes the profile. */
export async function launchChromium() {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is required (scripts/setup.sh installs Debian's chromium)`);
  const userDataDir = mkdtempSync(join(tmpdir(), 'jwtward-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: FLAGS });
  const close = context.close.bind(context);
  context.close = async () => {
    await close();
    rmSync(userDataDir, { recursive: true, force: true });
  };
  return context;
}

/**
 * A loopback server: `pages` maps paths to HTML; `/pkg/<file>` serves pkg/<file>, and `aliases`
 * maps other path prefixes onto pkg/ too (a README page importing ./node_modules/jwtward/...);
 * `roots` maps further prefixes onto other folders (the benchmark's own modules, jose).
 * Every requested path is recorded in `served`. Loopback is a secure context: WebCrypto is there.
 */
export async function servePackage(pages, { aliases = [], roots = {} } = {}) {
  const served = [];
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://127.0.0.1').pathname));
    served.push(path);
    if (Object.hasOwn(pages, path)) {
      response.writeHead(200, { 'content-type': 'text/html' }).end(pages[path]);
      return;
    }
    const root = Object.keys(roots).find((p) => path.startsWith(p));
    const prefix = root ?? ['/pkg/', ...aliases].find((p) => path.startsWith(p));
    const dir = root === undefined ? pkgDir : roots[root];
    const file = prefix === undefined ? undefined : join(dir, path.slice(prefix.length));
    if (file === undefined || !file.startsWith(dir) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    served,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/**
 * One page of Chromium running `moduleSource` (an ES module that imports 'jwtward' and sets
 * `window.__run`): the runner of a scenario list written once for Node, workerd and browsers.
 * Returns { page, pageErrors, close }.
 */
export async function openScenarioPage(moduleSource) {
  const server = await servePackage({ '/': `<!doctype html>\n<meta charset="utf-8">\n${IMPORT_MAP}\n<script type="module">\n${moduleSource}\n</script>` });
  let browser;
  try {
    browser = await launchChromium();
    const page = browser.pages()[0] ?? (await browser.newPage());
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await page.goto(`${server.origin}/`);
    await page.waitForFunction(() => typeof window.__run === 'function', null, { timeout: 30_000 });
    return {
      page,
      pageErrors,
      async close() {
        await browser.close();
        server.close();
      },
    };
  } catch (error) {
    await browser?.close();
    server.close();
    throw error;
  }
}
