// The DevTools extension in real Chromium (Debian's, headless, through playwright-core): it is
// loaded unpacked from www/extension/dist/ (built by www/build.mjs), DevTools is opened on a real
// test page (--auto-open-devtools-for-tabs), the JWT panel is shown in that DevTools, and the panel
// receives the page's requests through chrome.devtools.network itself: nothing is simulated. The
// page gets a token from its token endpoint and calls a local API (another origin, which verifies
// with jwtward in Node) with valid, expired, tampered and wrong-audience bearer tokens, DPoP-bound
// tokens with the proofs the page signs for each request (one for another URL), and a cookie.
//
// Playwright does not expose DevTools windows as pages, so the test drives them over CDP: the
// DevTools front end (to show the panel, dock it and take screenshots) and the panel's frame (to
// read rows and click like a user). Screenshots go to <repo>/test-results/extension/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { Verifier } from 'jwtward';
import { buildVendor } from '../build.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const EXTENSION = resolve(here, '../extension/dist');
const RESULTS = resolve(here, '../../test-results/extension');
const AUDIENCE = 'api://orders';

let keys;
let issuer;
/** Two more authorization servers: one whose keys the panel fetches, one without CORS headers. */
let otherIssuer;
let closedIssuer;
let api;
let app;
let context;
let profileDir;
let devtools;
/** The extension's DevTools page (extension/devtools.html) in that DevTools window. */
let devtoolsPage;
let panel;
let extensionId;
/** The tokens the test page sends, by case. */
const tokens = {};

// ---------------------------------------------------------------- servers

/** An HTTP server on 127.0.0.1 answering with `handle(req, url, body)`; counts hits per path. */
async function serve(handle) {
  const hits = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    hits.push(`${req.method} ${url.pathname}`);
    let body = '';
    for await (const chunk of req) body += chunk;
    const { status = 200, headers = {}, text = '' } = await handle(req, url, body);
    res.writeHead(status, headers).end(text);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}`, hits, close: () => new Promise((ok) => server.close(ok)) };
}

const json = (value, headers = {}) => ({ headers: { 'content-type': 'application/json', ...headers }, text: JSON.stringify(value) });

async function startServers() {
  // The authorization server: the token issuer, and its keys (CORS open, as IdPs publish them).
  issuer = await serve((req, url) => {
    const cors = { 'access-control-allow-origin': '*' };
    if (url.pathname === '/.well-known/openid-configuration') return json({ issuer: issuer.url, jwks_uri: `${issuer.url}/jwks.json` }, cors);
    if (url.pathname === '/jwks.json') return json(keys.jwks, cors);
    return { status: 404 };
  });
  // Another issuer (ES256), whose keys the panel fetches on a click, and one that sends no CORS
  // headers (a browser page may not read it; an extension may, with the user's permission).
  const discoveryOf = (server, cors) => (req, url) => {
    if (url.pathname === '/.well-known/openid-configuration') return json({ issuer: server().url, jwks_uri: `${server().url}/keys` }, cors);
    if (url.pathname === '/keys') return json({ keys: [{ ...keys.esJwk, kid: 'other-es' }] }, cors);
    return { status: 404 };
  };
  otherIssuer = await serve(discoveryOf(() => otherIssuer, { 'access-control-allow-origin': '*' }));
  closedIssuer = await serve(discoveryOf(() => closedIssuer, {}));
  // The API the page calls: verifies bearer tokens with jwtward, as a resource server would.
  const verifier = new Verifier({ jwks: keys.jwks, issuer: issuer.url, audience: AUDIENCE, requiredScopes: ['orders:read'] });
  api = await serve((req, url) => {
    const cors = {
      'access-control-allow-origin': app.url, 'access-control-allow-headers': 'authorization, dpop, content-type',
      'access-control-allow-methods': 'GET, POST', vary: 'origin',
    };
    if (req.method === 'OPTIONS') return { status: 204, headers: cors };
    const [, scheme, token] = /^(Bearer|DPoP) (.+)$/.exec(req.headers.authorization ?? '') ?? [];
    try {
      // A DPoP-bound token needs its proof (RFC 9449): the DPoP header, checked for this request
      // (and recorded: the API's replay store refuses the same proof twice).
      const dpop = { proof: req.headers.dpop ?? null, method: req.method, url: `${api.url}${url.pathname}` };
      const { payload } = verifier.verify(token, scheme === 'DPoP' ? { dpop } : undefined);
      return json({ orders: [], sub: payload.sub }, cors);
    } catch (error) {
      return { status: 401, headers: { ...cors, 'www-authenticate': `Bearer error="invalid_token", error_description="${error.code}"` }, text: '' };
    }
  });
  // The web app: its page (which sets a session cookie holding a JWT) and its token endpoint.
  app = await serve((req, url) => {
    if (url.pathname === '/') {
      return {
        headers: { 'content-type': 'text/html; charset=utf-8', 'set-cookie': `session=${tokens.session}; Path=/; SameSite=Strict` },
        text: `<!doctype html><title>orders app</title><h1>Orders</h1>
<script type="application/json" id="cases">${JSON.stringify({ api: api.url, tokens, dpopKey: keys.clientJwks })}</script>
<script src="/app.js"></script>`,
      };
    }
    if (url.pathname === '/app.js') return { headers: { 'content-type': 'text/javascript' }, text: APP_SCRIPT };
    if (url.pathname === '/oauth/token' && req.method === 'POST') return json({ access_token: tokens.valid, token_type: 'Bearer', expires_in: 900 });
    if (url.pathname === '/me') return json({ name: 'someone' });
    return { status: 404 };
  });
}

// The test page's own script: what a single-page app does with tokens. As a DPoP client (RFC 9449)
// it signs a fresh proof for each request with WebCrypto, with the key its tokens are bound to.
const APP_SCRIPT = `
const { api, tokens, dpopKey } = JSON.parse(document.getElementById('cases').textContent);
const enc = new TextEncoder();
const b64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
const part = (value) => b64(enc.encode(JSON.stringify(value)));
const signingKey = crypto.subtle.importKey('jwk', dpopKey.private, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
window.sentProofs = [];
async function proofFor(token, htm, htu) {
  const ath = b64(await crypto.subtle.digest('SHA-256', enc.encode(token)));
  const input = part({ typ: 'dpop+jwt', alg: 'ES256', jwk: dpopKey.public }) + '.' + part({ jti: crypto.randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000), ath });
  const proof = input + '.' + b64(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, await signingKey, enc.encode(input)));
  sentProofs.push({ token, proof, htm, htu });
  return proof;
}
// proofFor: the URL the proof is made for (another one than the request's, for the test).
window.callApi = async (token, { scheme = 'Bearer', method = 'GET', proofFor: htu } = {}) => {
  const url = api + '/api/orders';
  const dpop = scheme === 'DPoP' ? await proofFor(token, method, htu ?? url) : undefined;
  const response = await fetch(url, { method, headers: { authorization: scheme + ' ' + token, ...(dpop ? { dpop } : {}) } });
  return response.status;
};
(async () => {
  const { access_token } = await (await fetch('/oauth/token', { method: 'POST', body: 'grant_type=client_credentials' })).json();
  const statuses = [await callApi(access_token)];
  for (const name of ['expired', 'tampered', 'wrongAudience']) statuses.push(await callApi(tokens[name]));
  statuses.push(await callApi(tokens.dpopBound, { scheme: 'DPoP', method: 'POST' }));
  statuses.push(await callApi(tokens.dpopElsewhere, { scheme: 'DPoP', method: 'POST', proofFor: api + '/api/admin' }));
  await fetch('/me');
  document.body.dataset.statuses = statuses.join(' ');
})();
`;

// ---------------------------------------------------------------- tokens

async function makeKeys() {
  const rs = await generateKeyPair('RS256', { modulusLength: 2048 });
  const es = await generateKeyPair('ES256');
  const rsJwk = { ...(await exportJWK(rs.publicKey)), kid: 'app-rs', alg: 'RS256', use: 'sig' };
  const esJwk = { ...(await exportJWK(es.publicKey)), alg: 'ES256', use: 'sig' };
  // The DPoP client's key, which the test page signs its proofs with.
  const client = await generateKeyPair('ES256', { extractable: true });
  const clientPublic = await exportJWK(client.publicKey);
  const clientJwks = { private: await exportJWK(client.privateKey), public: { kty: clientPublic.kty, crv: clientPublic.crv, x: clientPublic.x, y: clientPublic.y } };
  return { rs, es, esJwk, jwks: { keys: [rsJwk] }, clientJwks, clientJkt: await calculateJwkThumbprint(clientPublic) };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function sign(claims, { aud = AUDIENCE, expiresIn = 900, header = {}, by = issuer } = {}) {
  const now = nowSeconds();
  // The first issuer signs with its RS256 key, the others with the ES256 key they publish.
  const [alg, kid, key] = by === issuer ? ['RS256', 'app-rs', keys.rs.privateKey] : ['ES256', 'other-es', keys.es.privateKey];
  return new SignJWT({ scope: 'orders:read orders:write', client_id: 'orders-web', ...claims })
    .setProtectedHeader({ alg, kid, typ: 'at+jwt', ...header })
    .setIssuer(by.url).setSubject(claims.sub ?? 'orders-web').setAudience(aud)
    .setIssuedAt(now - 60).setExpirationTime(now + expiresIn)
    .sign(key);
}

async function makeTokens() {
  tokens.valid = await sign({ sub: 'alice' });
  tokens.expired = await sign({ sub: 'bob' }, { expiresIn: -3600 });
  const other = await sign({ sub: 'carol' });
  const [h, p, s] = other.split('.');
  const at = Math.floor(s.length / 2);
  tokens.tampered = `${h}.${p}.${s.slice(0, at)}${s[at] === 'A' ? 'B' : 'A'}${s.slice(at + 1)}`;
  tokens.wrongAudience = await sign({ sub: 'dave' }, { aud: 'api://billing' });
  // Bound to the client's key (cnf.jkt: its RFC 7638 thumbprint), which signs the proofs the page
  // sends in the DPoP header beside them (RFC 9449); the panel keeps each beside its request.
  tokens.dpopBound = await sign({ sub: 'erin', cnf: { jkt: keys.clientJkt } });
  // The same client's token, sent with a proof made for another URL (as a replayed proof would be).
  tokens.dpopElsewhere = await sign({ sub: 'mallory', cnf: { jkt: keys.clientJkt } });
  tokens.session = await sign({ sub: 'alice', sid: 'session-1' }, { aud: 'orders-web' });
}

// ---------------------------------------------------------------- CDP: DevTools windows are targets

/**
 * A CDP connection to one target (the DevTools front end, the panel's frame), through a session
 * of the browser's first page: Target.attachToTarget without flattening, messages relayed by
 * Target.sendMessageToTarget. `errors` collects the target's exceptions and console errors.
 */
class Target {
  static #nextId = 1;

  constructor(cdp, sessionId) {
    this.cdp = cdp;
    this.sessionId = sessionId;
    this.pending = new Map();
    this.errors = [];
    this.requests = [];
    cdp.on('Target.receivedMessageFromTarget', ({ sessionId: from, message }) => {
      if (from !== this.sessionId) return;
      const data = JSON.parse(message);
      if (data.id && this.pending.has(data.id)) {
        const { ok, fail } = this.pending.get(data.id);
        this.pending.delete(data.id);
        if (data.error) fail(new Error(`${data.error.message} ${data.error.data ?? ''}`));
        else ok(data.result);
      } else if (data.method === 'Runtime.exceptionThrown') {
        this.errors.push(data.params.exceptionDetails.exception?.description ?? data.params.exceptionDetails.text);
      } else if (data.method === 'Runtime.consoleAPICalled' && data.params.type === 'error') {
        this.errors.push(data.params.args.map((arg) => arg.value ?? arg.description).join(' '));
      } else if (data.method === 'Network.requestWillBeSent') {
        this.requests.push(data.params.request.url);
      }
    });
  }

  /** Attaches to the one target that `matches` (waiting while there is none, or several). */
  static async attach(cdp, matches, { timeout = 30_000 } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const { targetInfos } = await cdp.send('Target.getTargets');
      const candidates = targetInfos.filter(matches);
      if (candidates.length === 1) {
        const [found] = candidates;
        const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: found.targetId, flatten: false });
        return new Target(cdp, sessionId);
      }
      if (Date.now() > deadline) throw new Error(`not exactly one such target: ${targetInfos.map((t) => `${t.type} ${t.url}`).join(', ')}`);
      await new Promise((ok) => setTimeout(ok, 200));
    }
  }

  /** A CDP command; fails after `timeout` ms rather than waiting forever on a target that went away. */
  send(method, params = {}, { timeout = 30_000 } = {}) {
    const id = Target.#nextId++;
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        fail(new Error(`${method}: no answer within ${timeout} ms`));
      }, timeout);
      this.pending.set(id, { ok: (value) => (clearTimeout(timer), ok(value)), fail: (error) => (clearTimeout(timer), fail(error)) });
      this.cdp.send('Target.sendMessageToTarget', { sessionId: this.sessionId, message: JSON.stringify({ id, method, params }) }).catch(fail);
    });
  }

  /** Runs `fn(...args)` in the target and returns its (JSON) result. */
  async evaluate(fn, ...args) {
    const { result, exceptionDetails } = await this.send('Runtime.evaluate', {
      expression: `(${fn})(...${JSON.stringify(args)})`, returnByValue: true, awaitPromise: true,
    }).catch((error) => {
      throw new Error(`${error.message}: ${String(fn).slice(0, 120)}`);
    });
    if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
    return result.value;
  }

  /** Waits until `fn(...args)` is truthy in the target; returns its value. */
  async waitFor(fn, args = [], { timeout = 20_000, what = String(fn) } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const value = await this.evaluate(fn, ...args);
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((ok) => setTimeout(ok, 150));
    }
  }
}

/** The DevTools front end that shows the JWT panel's tab, and that tab's id. */
async function findDevTools(cdp, { timeout = 30_000 } = {}) {
  const deadline = Date.now() + timeout;
  const tried = new Map();
  for (;;) {
    const { targetInfos } = await cdp.send('Target.getTargets');
    for (const info of targetInfos.filter((t) => t.type === 'page' && t.url.startsWith('devtools://'))) {
      if (!tried.has(info.targetId)) {
        // A DevTools window closing with its tab is listed, then gone: skip it.
        const attached = await cdp.send('Target.attachToTarget', { targetId: info.targetId, flatten: false }).catch(() => null);
        tried.set(info.targetId, attached && new Target(cdp, attached.sessionId));
      }
      const target = tried.get(info.targetId);
      if (!target) continue;
      const tab = await target.send('Runtime.evaluate', {
        expression: `import('./ui/legacy/legacy.js').then((UI) => UI.InspectorView.InspectorView.instance().tabbedPane.tabIds().find((id) => id.startsWith('chrome-extension://${extensionId}')))`,
        awaitPromise: true, returnByValue: true,
      }, { timeout: 5000 }).then(({ result }) => result.value, () => undefined);
      if (tab) return { devtools: target, panelTab: tab };
    }
    if (Date.now() > deadline) throw new Error('no DevTools window shows the JWT panel');
    await new Promise((ok) => setTimeout(ok, 200));
  }
}

// ---------------------------------------------------------------- the panel, as a user sees it

/** The table as shown: one entry per row. */
function panelRows() {
  return panel.evaluate(() => [...document.querySelectorAll('#token-rows tr')].filter((tr) => !tr.hidden).map((tr) => ({
    verdict: tr.dataset.verdict,
    code: tr.dataset.code,
    sub: tr.querySelector('.cell-sub').textContent,
    iss: tr.querySelector('.cell-iss').textContent,
    source: tr.querySelector('.request-source').textContent,
    request: tr.querySelector('.request-url').textContent,
  })));
}

/** Clicks the row whose subject is `sub`, like a user would, and waits for its detail. */
async function selectRow(sub) {
  const id = await panel.evaluate((wanted) => {
    const tr = [...document.querySelectorAll('#token-rows tr')].find((row) => row.querySelector('.cell-sub').textContent === wanted);
    tr.click();
    return tr.dataset.id;
  }, sub);
  await panel.waitFor((selected) => document.querySelector(`#detail[data-id="${selected}"]`), [id], { what: `the detail of ${sub}` });
}

/** Types into a field of the panel (sets the value, then the input event a keystroke fires). */
function type(selector, value) {
  return panel.evaluate((sel, text) => {
    const el = document.querySelector(sel);
    el.focus();
    el.value = text;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, selector, value);
}

async function screenshot(name) {
  await panel.evaluate(() => document.activeElement?.blur());
  await new Promise((ok) => setTimeout(ok, 400)); // the verdict card's colour transition
  const { data } = await devtools.send('Page.captureScreenshot', { format: 'png' });
  const path = join(RESULTS, `${name}.png`);
  writeFileSync(path, Buffer.from(data, 'base64'));
  return path;
}

/** What the engine says in Node for the same token, options and request (explain's dpop, now): the panel must agree. */
function nodeExplain(token, options, request) {
  const verifier = new Verifier({ jwks: keys.jwks, cache: false, ...options });
  try {
    return verifier.explain(token, request);
  } finally {
    verifier.free();
  }
}

function nodeVerdict(token, options, request) {
  const report = nodeExplain(token, options, request);
  return report.valid ? { verdict: 'valid', code: '' } : { verdict: 'rejected', code: report.code };
}

/** The proof the test page sent with `token`, and the request it went with (explain's dpop option). */
async function sentWith(token) {
  const [page] = context.pages();
  const sent = (await page.evaluate(() => window.sentProofs)).filter((entry) => entry.token === token);
  assert.equal(sent.length, 1, 'one request with a proof for this token');
  return { proof: sent[0].proof, method: 'POST', url: `${api.url}/api/orders` };
}

// ---------------------------------------------------------------- the run

before(async () => {
  buildVendor(); // fails with "build the package first" when pkg/ is not built; builds the extension
  mkdirSync(RESULTS, { recursive: true });
  keys = await makeKeys();
  await startServers();
  await makeTokens();
  profileDir = mkdtempSync(join(tmpdir(), 'jwtward-extension-'));
  // Developer mode from the start, so chrome://extensions collects every error of the extension's
  // pages (the DevTools page loads with the first tab, before any test runs).
  mkdirSync(join(profileDir, 'Default'));
  writeFileSync(join(profileDir, 'Default', 'Preferences'), JSON.stringify({ extensions: { ui: { developer_mode: true } } }));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: null,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--window-size=1500,1000',
      `--disable-extensions-except=${EXTENSION}`, `--load-extension=${EXTENSION}`,
      '--auto-open-devtools-for-tabs',
    ],
  });
});

after(async () => {
  await context?.close();
  for (const server of [issuer, otherIssuer, closedIssuer, api, app]) await server?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

/** The extension as chrome://extensions reports it (in developer mode, with the errors it collected). */
async function extensionInfo() {
  const page = await context.newPage();
  try {
    await page.goto('chrome://extensions/');
    return await page.evaluate(async () => {
      const { inDeveloperMode } = await chrome.developerPrivate.getProfileConfiguration();
      if (!inDeveloperMode) throw new Error('developer mode is off: errors are not collected');
      const all = await chrome.developerPrivate.getExtensionsInfo();
      return all.find((extension) => extension.name.startsWith('jwtward'));
    });
  } finally {
    await page.close();
  }
}

test('the extension loads unpacked without errors or warnings, asking for no host permission', { timeout: 60_000 }, async () => {
  const info = await extensionInfo();
  assert.ok(info, 'chrome://extensions lists the jwtward extension');
  extensionId = info.id;
  assert.equal(info.state, 'ENABLED');
  assert.deepEqual(info.manifestErrors, []);
  assert.deepEqual(info.installWarnings, []);
  assert.deepEqual(info.runtimeErrors, []);
  // Chrome gives every DevTools extension (devtools_page) this warning, since the DevTools APIs
  // could run script in the inspected page; this extension never does. Nothing else is asked for:
  // no host is granted (the panel's chrome.permissions.getAll() says so below).
  assert.deepEqual(info.permissions.simplePermissions.map((p) => p.message), ['Read and change all your data on all websites']);
  assert.equal(info.permissions.runtimeHostPermissions.hasAllHosts, false);
  assert.deepEqual(info.permissions.runtimeHostPermissions.hosts, []);
});

test('DevTools on a page that calls a guarded API: the JWT panel lists every token, de-duplicated', { timeout: 90_000 }, async () => {
  const [page] = context.pages();
  const cdp = await context.newCDPSession(page);
  // The DevTools window where the extension's DevTools page has added the JWT panel: that of this
  // tab (DevTools on chrome:// pages, like the one test 1 opened, run no extensions). From then on
  // its network log records.
  let panelTab;
  ({ devtools, panelTab } = await findDevTools(cdp));
  // Its console from the start: V8 replays the messages logged before Runtime.enable.
  devtoolsPage = await Target.attach(cdp, (t) => t.url === `chrome-extension://${extensionId}/extension/devtools.html`);
  await devtoolsPage.send('Runtime.enable');

  await page.goto(app.url);
  await page.waitForSelector('body[data-statuses]');
  // What the API itself answered: the valid token and the DPoP-bound one with its proof pass; the
  // others are refused, among them the DPoP-bound token whose proof was made for another URL.
  assert.equal(await page.getAttribute('body', 'data-statuses'), '200 401 401 401 200 401');

  // Undock DevTools (its own window, so the panel is large in the screenshots) and show the JWT
  // panel, as a click on its tab would: the page's requests so far reach it through getHAR.
  await devtools.evaluate(async (tab) => {
    const UI = await import('./ui/legacy/legacy.js');
    UI.DockController.DockController.instance().setDockSide('undocked');
    await UI.InspectorView.InspectorView.instance().showPanel(tab);
  }, panelTab);
  panel = await Target.attach(cdp, (t) => t.url === `chrome-extension://${extensionId}/extension/panel.html`);
  await panel.send('Runtime.enable');
  await panel.send('Network.enable');
  await panel.waitFor(() => document.documentElement.dataset.ready === 'true', [], { what: 'the engine in the panel' });
  // Granted: DevTools (the panel itself), storage (for opted-in policies), and no host at all.
  assert.deepEqual(await panel.evaluate(() => chrome.permissions.getAll()), { origins: [], permissions: ['devtools', 'storage'] });

  // Requests made before the panel opened arrive through getHAR: seven distinct tokens, one row each
  // (a DPoP proof rides beside its token and is not a row of its own).
  await panel.waitFor(() => document.querySelectorAll('#token-rows tr').length >= 7, [], { what: 'seven rows' });
  await new Promise((ok) => setTimeout(ok, 500)); // nothing more arrives
  const rows = await panelRows();
  assert.deepEqual(rows.map((row) => row.sub).sort(), ['alice', 'alice', 'bob', 'carol', 'dave', 'erin', 'mallory']);
  const bySource = (sub, source) => rows.find((row) => row.sub === sub && row.source.startsWith(source));
  // The token endpoint's access_token and the API call that presented it: one row, two sightings.
  const apiHost = new URL(api.url).host;
  assert.equal(bySource('alice', 'Authorization: Bearer').source, `Authorization: Bearer ×2 · ${apiHost}`);
  assert.match(bySource('alice', 'Cookie session').source, new RegExp(`^Cookie session ×\\d+ · ${new URL(app.url).host}$`));
  assert.equal(bySource('erin', 'Authorization: DPoP').request, 'POST /api/orders');
  // No keys yet: decoded, not verified.
  assert.ok(rows.every((row) => row.verdict === 'unverified'), JSON.stringify(rows));
  assert.ok(rows.every((row) => row.iss === issuer.url));
});

test('keys pasted for the issuer and the API\'s audience, one click from the verdict: the engine\'s verdict on every row', { timeout: 60_000 }, async () => {
  await selectRow('bob');
  await type('#keys-jwks', JSON.stringify(keys.jwks, null, 2));
  // Keys, but no audience for the API: tokens naming one are refused, and the verdict offers it.
  await panel.waitFor(() => document.querySelector('#token-rows tr[data-verdict=rejected]'), [], { what: 'verdicts' });
  let rows = await panelRows();
  const apiRows = rows.filter((row) => row.request.includes('/api/orders'));
  assert.ok(apiRows.every((row) => row.code === 'ERR_JWT_BAD_AUDIENCE' || row.code === 'ERR_JWT_BAD_SIGNATURE'), JSON.stringify(apiRows));
  const offered = await panel.evaluate(() => [...document.querySelectorAll('#verdict-notes button')].map((b) => [b.dataset.option, b.dataset.value]));
  assert.deepEqual(offered, [['audience', AUDIENCE]]);
  await panel.evaluate(() => document.querySelector('#verdict-notes button[data-option=audience]').click());
  assert.equal(await panel.evaluate(() => document.querySelector('#policy-audience').value), AUDIENCE);
  assert.equal(await panel.evaluate(() => document.querySelector('#policy-origin').textContent), api.url);

  await panel.waitFor(() => document.querySelector('#token-rows tr[data-verdict=valid]'), [], { what: 'a valid row' });
  rows = await panelRows();
  const verdict = (sub, source) => {
    const row = rows.find((r) => r.sub === sub && r.source.startsWith(source));
    return { verdict: row.verdict, code: row.code };
  };
  assert.deepEqual(verdict('alice', 'Authorization: Bearer'), { verdict: 'valid', code: '' });
  assert.deepEqual(verdict('bob', 'Authorization'), { verdict: 'rejected', code: 'ERR_JWT_EXPIRED' });
  assert.deepEqual(verdict('carol', 'Authorization'), { verdict: 'rejected', code: 'ERR_JWT_BAD_SIGNATURE' });
  assert.deepEqual(verdict('dave', 'Authorization'), { verdict: 'rejected', code: 'ERR_JWT_BAD_AUDIENCE' });
  // The DPoP-bound token is checked with the proof, method and URL its request carried (RFC 9449):
  // valid, as the API found it; the one whose proof was made for another URL is refused, its part named.
  assert.deepEqual(verdict('erin', 'Authorization: DPoP'), { verdict: 'valid', code: '' });
  assert.deepEqual(verdict('mallory', 'Authorization: DPoP'), { verdict: 'rejected', code: 'ERR_JWT_BAD_DPOP_PROOF' });
  assert.equal(await panel.evaluate(() => [...document.querySelectorAll('#token-rows tr')].find((tr) => tr.querySelector('.cell-sub').textContent === 'mallory').dataset.verdictClaim), 'htu');
  assert.equal(await panel.evaluate(() => [...document.querySelectorAll('#token-rows tr')].find((tr) => tr.querySelector('.cell-sub').textContent === 'mallory').querySelector('.pill').textContent), 'bad_dpop_proof: htu');
  // The session cookie belongs to the app's origin, whose policy names no audience (yet).
  assert.deepEqual(verdict('alice', 'Cookie session'), { verdict: 'rejected', code: 'ERR_JWT_BAD_AUDIENCE' });
  // The same verdicts as the package in Node for the same token, keys, policy and request (DPoP
  // rows at the time of their proof, which the client made for that request).
  const apiPolicy = { issuer: issuer.url, audience: AUDIENCE };
  for (const [sub, name] of [['alice', 'valid'], ['bob', 'expired'], ['carol', 'tampered'], ['dave', 'wrongAudience'], ['erin', 'dpopBound'], ['mallory', 'dpopElsewhere']]) {
    const request = name.startsWith('dpop') ? { dpop: await sentWith(tokens[name]), now: proofTime((await sentWith(tokens[name])).proof) } : undefined;
    assert.deepEqual(verdict(sub, 'Authorization'), nodeVerdict(tokens[name], apiPolicy, request), name);
  }
  // Without its proof, the package refuses the DPoP-bound token (what the panel said before it
  // passed the proof it keeps).
  assert.equal(nodeVerdict(tokens.dpopBound, apiPolicy).code, 'ERR_JWT_BAD_BINDING');
  assert.deepEqual(verdict('alice', 'Cookie session'), nodeVerdict(tokens.session, { issuer: issuer.url }));

  // The selected row's view: the checklist is explain's, as on the inspector page.
  await selectRow('bob');
  await panel.waitFor(() => document.querySelector('#verdict[data-state=rejected]')?.textContent.includes('ERR_JWT_EXPIRED'), [], { what: 'bob in the view' });
  const checks = await panel.evaluate(() => [...document.querySelectorAll('#checks-card li.check')].map((li) => ({ id: li.dataset.check, status: li.dataset.status })));
  const verifier = new Verifier({ jwks: keys.jwks, cache: false, ...apiPolicy });
  assert.deepEqual(checks, verifier.explain(tokens.expired).checks.map(({ id, status }) => ({ id, status })));
  verifier.free();
  assert.match(await panel.evaluate(() => document.querySelector('[data-claim=exp]').textContent), /expired 1 h( \d+ min)? ago/);
});

/** A proof's iat (when the client made it, just before its request). */
function proofTime(proof) {
  return JSON.parse(Buffer.from(proof.split('.')[1], 'base64url').toString()).iat;
}

/** The sender-constraint card's rows in the panel: { member: [value, status] }. */
function proofRows() {
  return panel.evaluate(() => Object.fromEntries([...document.querySelectorAll('#proof-card .proof-row')].map((row) => [row.dataset.member, [
    row.querySelector('.proof-value > p').textContent, row.querySelector('.proof-status')?.dataset.status ?? null,
  ]])));
}

test('a DPoP row shows its proof\'s checks, judged when its request was sent, as the package does; replays are not the panel\'s to detect', { timeout: 60_000 }, async () => {
  const apiPolicy = { issuer: issuer.url, audience: AUDIENCE };
  const checksShown = () => panel.evaluate(() => [...document.querySelectorAll('#checks-card li.check')].map((li) => ({ id: li.dataset.check, status: li.dataset.status })));
  await selectRow('erin');
  await panel.waitFor(() => document.querySelector('#verdict[data-state=valid]') && !document.querySelector('#proof-card').hidden, [], { what: 'erin valid, with its proof' });
  const erin = await sentWith(tokens.dpopBound);
  // Judged at the moment of the request (HAR startedDateTime), when the proof was made for it.
  const at = Number(await panel.evaluate(() => document.querySelector('#verdict-card').dataset.now));
  assert.ok(Math.abs(at - proofTime(erin.proof)) <= 2, `evaluated at ${at}, proof made at ${proofTime(erin.proof)}`);
  assert.match(await panel.evaluate(() => document.querySelector('#verdict-facts').textContent), /Evaluated at.*when the request was sent with its DPoP proof/);
  const expected = nodeExplain(tokens.dpopBound, apiPolicy, { dpop: erin, now: at });
  assert.equal(expected.valid, true);
  assert.deepEqual(await checksShown(), expected.checks.map(({ id, status }) => ({ id, status })));
  assert.ok(expected.checks.some((check) => check.id === 'dpop_signature' && check.status === 'passed'));
  const rows = await proofRows();
  assert.deepEqual(rows['payload.htm'], ['POST', 'passed']);
  assert.deepEqual(rows['payload.htu'], [`${api.url}/api/orders`, 'passed']);
  assert.deepEqual(rows.thumbprint, [keys.clientJkt, 'passed']);
  assert.deepEqual(rows['cnf.jkt'], [keys.clientJkt, 'passed']);
  assert.equal(await panel.evaluate(() => document.querySelector('#proof-request').textContent), `POST ${api.url}/api/orders`);
  // The API recorded this proof (a second use is a replay to it); the panel, which sees the same
  // proof, records none and says so.
  assert.match(await panel.evaluate(() => document.querySelector('#proof-card [data-member="payload.jti"]').textContent), /Replays are not checked in this panel/);

  await selectRow('mallory');
  await panel.waitFor(() => document.querySelector('#verdict')?.textContent.includes('ERR_JWT_BAD_DPOP_PROOF'), [], { what: 'mallory refused' });
  const mallory = await sentWith(tokens.dpopElsewhere);
  const malloryAt = Number(await panel.evaluate(() => document.querySelector('#verdict-card').dataset.now));
  const refused = nodeExplain(tokens.dpopElsewhere, apiPolicy, { dpop: mallory, now: malloryAt });
  assert.deepEqual([refused.code, refused.claim], ['ERR_JWT_BAD_DPOP_PROOF', 'htu']);
  assert.deepEqual(await checksShown(), refused.checks.map(({ id, status }) => ({ id, status })));
  assert.match(await panel.evaluate(() => document.querySelector('#verdict-facts').textContent), /Claimhtu/);
  assert.deepEqual((await proofRows())['payload.htu'], [`${api.url}/api/admin`, 'failed']);
  // The detail pane scrolled to the verdict and the proof (the list and the bar stay where they are).
  await panel.evaluate(() => {
    const detail = document.querySelector('#detail');
    detail.scrollTop += document.querySelector('#verdict-card').getBoundingClientRect().top - detail.getBoundingClientRect().top - 12;
  });
  await screenshot('devtools-panel-dpop');
});

test('a request made while the panel is open arrives through onRequestFinished, with its DPoP proof kept', { timeout: 60_000 }, async () => {
  const [page] = context.pages();
  tokens.noScope = await sign({ sub: 'frank', scope: 'billing:read' });
  assert.equal(await page.evaluate((token) => window.callApi(token), tokens.noScope), 401);
  await panel.waitFor(() => [...document.querySelectorAll('#token-rows .cell-sub')].some((td) => td.textContent === 'frank'), [], { what: 'the new row' });
  // The API's policy (audience) applies to it at once; the panel's policy names no scope, so the
  // engine's verdict is valid where the API, which requires orders:read, said 401.
  const frank = (await panelRows()).find((row) => row.sub === 'frank');
  assert.deepEqual([frank.verdict, frank.code], ['valid', '']);
  await selectRow('frank');
  await type('#policy-scopes', 'orders:read');
  await panel.waitFor(() => document.querySelector('#token-rows tr[data-code=ERR_JWT_INSUFFICIENT_SCOPE]'), [], { what: 'insufficient scope' });
  assert.deepEqual(nodeVerdict(tokens.noScope, { issuer: issuer.url, audience: AUDIENCE, requiredScopes: ['orders:read'] }), { verdict: 'rejected', code: 'ERR_JWT_INSUFFICIENT_SCOPE' });

  // A client-credentials token that carries its permissions as app roles (Entra ID's shape): the
  // API's policy names `roles` as its scope claim, and the engine's scopes come from there.
  tokens.appRoles = await sign({ sub: 'grace', scope: undefined, roles: ['orders:read'] });
  await page.evaluate((token) => window.callApi(token), tokens.appRoles);
  await panel.waitFor(() => [...document.querySelectorAll('#token-rows .cell-sub')].some((td) => td.textContent === 'grace'), [], { what: 'the app-roles row' });
  const scopesOf = (sub) => panel.evaluate((wanted) => [...document.querySelectorAll('#token-rows tr')]
    .find((tr) => tr.querySelector('.cell-sub').textContent === wanted).querySelector('.cell-scopes').textContent, sub);
  assert.equal((await panelRows()).find((row) => row.sub === 'grace').code, 'ERR_JWT_INSUFFICIENT_SCOPE');
  assert.equal(await scopesOf('grace'), '');
  await selectRow('grace');
  await type('#policy-scope-claims', 'scope roles');
  await panel.waitFor(() => [...document.querySelectorAll('#token-rows tr')].find((tr) => tr.querySelector('.cell-sub').textContent === 'grace')?.dataset.verdict === 'valid', [], { what: 'grace valid' });
  assert.equal(await scopesOf('grace'), 'orders:read');
  assert.deepEqual(nodeVerdict(tokens.appRoles, { issuer: issuer.url, audience: AUDIENCE, requiredScopes: ['orders:read'], scopeClaims: ['scope', 'roles'] }), { verdict: 'valid', code: '' });
  assert.match(await panel.evaluate(() => document.querySelector('[data-claim=roles] .chips')?.textContent ?? ''), /orders:read/);

  // The DPoP-presented row keeps the request's method, URL and proof for sender-constraint checks.
  await selectRow('erin');
  const sighting = await panel.evaluate(() => [...document.querySelectorAll('#sightings-list li')].map((li) => li.textContent));
  assert.equal(sighting.length, 1);
  assert.match(sighting[0], new RegExp(`Authorization: DPoP.*POST ${api.url}/api/orders.*DPoP proof`));
});

test('screenshot of the panel in DevTools', { timeout: 60_000 }, async () => {
  await selectRow('carol');
  await panel.waitFor(() => document.querySelector('#verdict')?.textContent.includes('ERR_JWT_BAD_SIGNATURE'), [], { what: 'carol in the view' });
  const path = await screenshot('devtools-panel');
  assert.ok(path.endsWith('.png'));
  // DevTools docked at the side is narrow: the list goes above the selected token.
  await devtools.send('Emulation.setDeviceMetricsOverride', { width: 640, height: 900, deviceScaleFactor: 1, mobile: false });
  try {
    await screenshot('devtools-panel-narrow');
    const overflow = await panel.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the panel is ${overflow}px wider than DevTools`);
  } finally {
    await devtools.send('Emulation.clearDeviceMetricsOverride');
  }
});

test('privacy: no request leaves the panel, no token is stored; a policy is stored only when the user opts in', { timeout: 60_000 }, async () => {
  const foreign = panel.requests.filter((url) => !url.startsWith(`chrome-extension://${extensionId}/`));
  assert.deepEqual(foreign, [], 'the panel fetched something');
  assert.deepEqual(issuer.hits, [], 'the issuer was contacted without a click');
  assert.deepEqual(await panel.evaluate(() => chrome.storage.local.get(null)), {});

  await selectRow('dave');
  await panel.evaluate(() => document.querySelector('#policy-remember').click());
  const stored = await panel.waitFor(async () => {
    const all = await chrome.storage.local.get(null);
    return Object.keys(all).length ? all : null;
  }, [], { what: 'the remembered policy' });
  assert.deepEqual(stored, { [`policy:${api.url}`]: { audience: AUDIENCE, scopes: 'orders:read', typ: '', tolerance: '', scopeClaims: 'scope roles' } });
  assert.ok(!JSON.stringify(stored).includes('eyJ'), 'no token in storage');
  await panel.evaluate(() => document.querySelector('#policy-remember').click());
  await panel.waitFor(async () => Object.keys(await chrome.storage.local.get(null)).length === 0, [], { what: 'the policy forgotten' });
});

test('keys fetched by discovery, only on a click, only from the token\'s iss, once per issuer for the session', { timeout: 60_000 }, async () => {
  const [page] = context.pages();
  const before = panel.requests.length;
  tokens.fromOther = await sign({ sub: 'heidi' }, { by: otherIssuer });
  await page.evaluate((token) => window.callApi(token), tokens.fromOther);
  await panel.waitFor(() => [...document.querySelectorAll('#token-rows .cell-sub')].some((td) => td.textContent === 'heidi'), [], { what: 'heidi' });
  await selectRow('heidi');
  // The issuer is named on the button before anything is fetched; nothing is, yet.
  assert.equal(await panel.evaluate(() => document.querySelector('#fetch-keys').textContent), `Fetch keys from ${otherIssuer.url}`);
  assert.equal((await panelRows()).find((row) => row.sub === 'heidi').verdict, 'unverified');
  assert.deepEqual(otherIssuer.hits, []);

  await panel.evaluate(() => document.querySelector('#fetch-keys').click());
  await panel.waitFor(() => document.querySelector('#fetch-status[data-kind=ok]'), [], { what: 'the keys fetched' });
  assert.deepEqual(otherIssuer.hits, ['GET /.well-known/openid-configuration', 'GET /keys']);
  // Fetched by the package's RemoteJwks: the fetched JWK Set is shown (and linted), and the
  // verdict is the engine's with those keys and the API's policy.
  assert.deepEqual(JSON.parse(await panel.evaluate(() => document.querySelector('#keys-jwks').value)), { keys: [{ ...keys.esJwk, kid: 'other-es' }] });
  assert.deepEqual(await panel.evaluate(() => [...document.querySelectorAll('#fetch-log li')].map((li) => li.dataset.type)), ['fetch_finished', 'fetch_finished', 'keys_rotated']);
  await panel.waitFor(() => [...document.querySelectorAll('#token-rows tr')].find((tr) => tr.querySelector('.cell-sub').textContent === 'heidi')?.dataset.verdict === 'valid', [], { what: 'heidi valid' });
  const esJwks = { keys: [{ ...keys.esJwk, kid: 'other-es' }] };
  const verifier = new Verifier({ jwks: esJwks, cache: false, issuer: otherIssuer.url, audience: AUDIENCE, requiredScopes: ['orders:read'], scopeClaims: ['scope', 'roles'] });
  assert.equal(verifier.explain(tokens.fromOther).valid, true);
  verifier.free();
  // The panel's requests since: exactly those two, to the token's issuer.
  assert.deepEqual(panel.requests.slice(before).filter((url) => !url.startsWith('chrome-extension:')), [
    `${otherIssuer.url}/.well-known/openid-configuration`, `${otherIssuer.url}/keys`,
  ]);

  // Another token of the same issuer: verified with the session's keys, no new fetch.
  tokens.fromOtherExpired = await sign({ sub: 'ivan' }, { by: otherIssuer, expiresIn: -60 });
  await page.evaluate((token) => window.callApi(token), tokens.fromOtherExpired);
  await panel.waitFor(() => [...document.querySelectorAll('#token-rows tr')].find((tr) => tr.querySelector('.cell-sub').textContent === 'ivan')?.dataset.code === 'ERR_JWT_EXPIRED', [], { what: 'ivan expired' });
  assert.equal(otherIssuer.hits.length, 2);

  // An issuer that sends no CORS headers: the fetch fails, and the panel offers to ask for
  // permission on that host (a prompt the user answers; not clicked here).
  tokens.fromClosed = await sign({ sub: 'judy' }, { by: closedIssuer });
  await page.evaluate((token) => window.callApi(token), tokens.fromClosed);
  await panel.waitFor(() => [...document.querySelectorAll('#token-rows .cell-sub')].some((td) => td.textContent === 'judy'), [], { what: 'judy' });
  await selectRow('judy');
  await panel.evaluate(() => document.querySelector('#fetch-keys').click());
  await panel.waitFor(() => document.querySelector('#fetch-status[data-kind=error]'), [], { what: 'the fetch refused' });
  assert.equal(await panel.evaluate(() => document.querySelector('#grant-origin').dataset.origins), 'http://127.0.0.1/*');
  assert.equal(await panel.evaluate(() => document.querySelector('#grant-origin').hidden), false);
  assert.equal((await panelRows()).find((row) => row.sub === 'judy').verdict, 'unverified');
  assert.deepEqual(await panel.evaluate(() => chrome.permissions.getAll()), { origins: [], permissions: ['devtools', 'storage'] });
  await screenshot('devtools-panel-fetch-refused');

  // An issuer that is no https URL (nor a loopback http one): nothing to fetch from, no button.
  tokens.fromUrn = await sign({ sub: 'ken', scope: undefined, roles: ['orders:admin'] }, { by: { url: 'urn:example:issuer' } });
  await page.evaluate((token) => window.callApi(token), tokens.fromUrn);
  await panel.waitFor(() => [...document.querySelectorAll('#token-rows .cell-sub')].some((td) => td.textContent === 'ken'), [], { what: 'ken' });
  await selectRow('ken');
  assert.equal(await panel.evaluate(() => document.querySelector('#fetch-box').hidden), true);
  // Not verified (no keys), yet its scopes are read from the API policy's scope claims.
  assert.deepEqual(await panel.evaluate(() => {
    const tr = [...document.querySelectorAll('#token-rows tr')].find((row) => row.querySelector('.cell-sub').textContent === 'ken');
    return [tr.dataset.verdict, tr.querySelector('.cell-scopes').textContent];
  }), ['unverified', 'orders:admin']);
});

test('no errors in the panel or the extension', async () => {
  assert.deepEqual(panel.errors, []);
  assert.deepEqual(devtoolsPage.errors, []);
  const info = await extensionInfo();
  assert.deepEqual(info.runtimeErrors, []);
  assert.deepEqual(info.manifestErrors, []);
});
