// End-to-end tests of the inspector page in Debian's Chromium (playwright-core), against www/
// served from 127.0.0.1. Tokens are signed here with `jose`; the page's verdicts, checks and
// warnings are compared with what the jwtward package says in Node for the same inputs, so the
// page can't drift into rules of its own. Screenshots of each state go to <repo>/screenshots/
// (git-ignored) for people to look at.
//
// Needs the package built (node scripts/build.mjs); the test copies it into www/vendor/ itself.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createHash } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { Verifier, inspect } from 'jwtward';
import { buildVendor } from '../build.mjs';
import { startStaticServer } from '../serve.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
/** The identity-provider profiles the core and package tests verify (issue 11 §4). */
const IDP = JSON.parse(readFileSync(resolve(here, '../../tests/fixtures/idp/profiles.json'), 'utf8'));
const SCREENSHOTS = resolve(here, '../../screenshots');
const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];
const ISSUER = 'https://auth.example.test/';
const AUDIENCE = 'api://orders';

let server;
let context;
let profileDir;
let keys;
/** Every request any page made, for the network assertions. */
const requests = [];

before(async () => {
  buildVendor(); // fails with "build the package first" when pkg/ is not built
  mkdirSync(SCREENSHOTS, { recursive: true });
  keys = await makeKeys();
  server = await startStaticServer({ routes: { '/issuer/jwks.json': { body: JSON.stringify(keys.jwks) } } });
  profileDir = mkdtempSync(join(tmpdir(), 'jwtward-inspector-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1360, height: 1000 },
    deviceScaleFactor: 1,
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
  });
  context.on('request', (request) => requests.push(request.url()));
  // Anything not for 127.0.0.1 is recorded above and refused here, so a leak fails loudly
  // instead of reaching the network.
  await context.route('**/*', (route) => {
    const { hostname } = new URL(route.request().url());
    return hostname === '127.0.0.1' ? route.continue() : route.abort('blockedbyclient');
  });
});

after(async () => {
  await context?.close();
  await server?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

async function makeKeys() {
  const rs = await generateKeyPair('RS256', { modulusLength: 2048 });
  const es = await generateKeyPair('ES256');
  const rsJwk = { ...(await exportJWK(rs.publicKey)), kid: 'test-rs', alg: 'RS256', use: 'sig' };
  const esJwk = { ...(await exportJWK(es.publicKey)), kid: 'test-es', alg: 'ES256', use: 'sig' };
  return { rs, es, jwks: { keys: [rsJwk, esJwk] } };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

async function sign({ alg = 'RS256', kid = 'test-rs', key = keys.rs.privateKey, claims = {}, header = {}, iat, exp } = {}) {
  const now = nowSeconds();
  const jwt = new SignJWT({ scope: 'orders:read orders:write', tenant_id: 'acme', client_id: 'inventory-sync', ...claims })
    .setProtectedHeader({ alg, kid, typ: 'at+jwt', ...header })
    .setIssuer(ISSUER)
    .setSubject('inventory-sync')
    .setAudience(claims.aud ?? AUDIENCE)
    .setIssuedAt(iat ?? now - 60)
    .setJti('4f1c2b9e-7d0a-4c55-9a51-2b8e6f0d1c3a');
  if (exp !== null) jwt.setExpirationTime(exp ?? now + 12 * 60 + 30);
  return jwt.sign(key);
}

/** A fresh page on the inspector, engine loaded. */
async function openPage({ width = 1360, height = 1000, colorScheme = 'light' } = {}) {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.setViewportSize({ width, height });
  await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(new Error(message.text()));
  });
  page.errors = errors;
  await page.goto(server.url);
  await page.waitForSelector('html[data-ready=true]');
  return page;
}

async function fillPolicy(page, { issuer = ISSUER, audience = AUDIENCE, scopes = 'orders:read', algorithms = ['RS256', 'ES256'] } = {}) {
  await page.fill('#issuer', issuer);
  await page.fill('#audience', audience);
  await page.fill('#scopes', scopes);
  for (const alg of algorithms) await page.check(`#alg-groups input[value="${alg}"]`);
}

async function verdictText(page) {
  return (await page.textContent('#verdict')).trim();
}

async function waitForVerdict(page, state) {
  await page.waitForSelector(`#verdict[data-state=${state}]`);
  return verdictText(page);
}

/** The checklist as the page shows it (the token's lines, then the sender constraint's): [{ id, status }]. */
function pageChecks(page) {
  return page.$$eval('#checks-card li.check', (items) => items.map((li) => ({ id: li.dataset.check, status: li.dataset.status })));
}

/** The same token through the package in Node, for comparison with the page; `request`: explain's dpop / clientCertificate. */
function nodeExplain(token, options, now = nowSeconds(), request = {}) {
  const verifier = new Verifier({ jwks: keys.jwks, cache: false, ...options });
  try {
    return verifier.explain(token, { ...request, now });
  } finally {
    verifier.free();
  }
}

const POLICY = { issuer: ISSUER, audience: AUDIENCE, requiredScopes: ['orders:read'], algorithms: ['RS256', 'ES256'] };

async function shot(page, name, { fullPage = true } = {}) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}

function assertNoPageErrors(page) {
  assert.deepEqual(page.errors.map((e) => e.message), [], 'the page logged errors');
}

test('valid token and JWK Set: verdict valid, claims explained, checklist matches the engine', async () => {
  const token = await sign();
  const page = await openPage();
  await page.fill('#token', token);
  await page.fill('#jwks', JSON.stringify(keys.jwks, null, 2));
  await fillPolicy(page);
  const text = await waitForVerdict(page, 'valid');
  assert.match(text, /\bvalid\b/);

  // Claims shown, each with its meaning; times relative and absolute.
  assert.match(await page.textContent('[data-claim=sub]'), /inventory-sync/);
  assert.match(await page.textContent('[data-claim=iss]'), /auth\.example\.test/);
  assert.match(await page.textContent('[data-claim=aud]'), /api:\/\/orders/);
  assert.match(await page.textContent('[data-claim=tenant_id]'), /acme/);
  const exp = await page.textContent('[data-claim=exp]');
  assert.match(exp, /expires in 1[23] min/);
  assert.match(exp, /UTC/);
  assert.match(await page.textContent('[data-claim=iat]'), /issued 1 min( \d+ s)? ago/);
  assert.equal(await page.isVisible('#timeline'), true);
  assert.match(await page.textContent('#payload-json'), /"tenant_id"/);
  assert.match(await page.textContent('#header-json'), /"RS256"/);

  // The checklist is the engine's: same ids and statuses as the package says in Node.
  const expected = nodeExplain(token, POLICY);
  assert.equal(expected.valid, true);
  assert.deepEqual(await pageChecks(page), expected.checks.map(({ id, status }) => ({ id, status })));
  assert.ok((await pageChecks(page)).some((c) => c.id === 'signature' && c.status === 'passed'));
  // The verdict names the key that verified it.
  assert.match(await page.textContent('#verdict-facts'), /test-rs/);
  // The verdict region is announced to screen readers.
  assert.equal(await page.getAttribute('.verdict-live', 'aria-live'), 'polite');

  await shot(page, '01-valid-desktop-light');
  assertNoPageErrors(page);
  await page.close();
});

test('one character of the signature changed: ERR_JWT_BAD_SIGNATURE', async () => {
  const token = await sign({ alg: 'ES256', kid: 'test-es', key: keys.es.privateKey });
  const [header, payload, signature] = token.split('.');
  // A character in the middle: changing the last one could set unused bits, a different error.
  const at = Math.floor(signature.length / 2);
  const swapped = signature[at] === 'A' ? 'B' : 'A';
  const tampered = `${header}.${payload}.${signature.slice(0, at)}${swapped}${signature.slice(at + 1)}`;

  const page = await openPage();
  await page.fill('#jwks', JSON.stringify(keys.jwks));
  await fillPolicy(page);
  await page.fill('#token', tampered);
  const text = await waitForVerdict(page, 'rejected');
  assert.match(text, /ERR_JWT_BAD_SIGNATURE/);
  assert.doesNotMatch(text, /\bvalid\b/);
  const checks = await pageChecks(page);
  assert.equal(checks.find((c) => c.id === 'signature').status, 'failed');
  assert.equal(checks.find((c) => c.id === 'exp').status, 'not_reached');
  assert.deepEqual(checks, nodeExplain(tampered, POLICY).checks.map(({ id, status }) => ({ id, status })));
  // Decoding still shows what the token claims (marked as not verified).
  assert.match(await page.textContent('[data-claim=sub]'), /inventory-sync/);
  // Format pretty-prints the minified JWK Set; the verdict does not change.
  await page.click('#format-jwks');
  assert.equal(await page.inputValue('#jwks'), JSON.stringify(keys.jwks, null, 2));
  assert.match(await waitForVerdict(page, 'rejected'), /ERR_JWT_BAD_SIGNATURE/);
  await shot(page, '02-bad-signature');
  assertNoPageErrors(page);
  await page.close();
});

test('expired token: relative time and ERR_JWT_EXPIRED', async () => {
  const now = nowSeconds();
  const token = await sign({ iat: now - 4 * 3600, exp: now - 3 * 3600 - 5 * 60 });
  const page = await openPage();
  await page.fill('#jwks', JSON.stringify(keys.jwks));
  await fillPolicy(page);
  await page.fill('#tolerance', '30');
  await page.fill('#token', token);
  const text = await waitForVerdict(page, 'rejected');
  assert.match(text, /ERR_JWT_EXPIRED/);
  assert.match(await page.textContent('[data-claim=exp]'), /expired 3 h 5 min ago/);
  assert.match(await page.textContent('[data-claim=iat]'), /issued 4 h ago/);
  assert.equal((await pageChecks(page)).find((c) => c.id === 'exp').status, 'failed');
  assert.match(await page.textContent('#verdict-facts'), /exp/);
  await shot(page, '03-expired');
  assertNoPageErrors(page);
  await page.close();
});

test('no request leaves 127.0.0.1 while decoding and verifying; the JWKS URL is fetched only on click', async () => {
  requests.length = 0;
  const hitsBefore = server.hits.length;
  const token = await sign();
  const page = await openPage();
  await page.fill('#token', token);
  await page.waitForSelector('#verdict[data-state=unverified]');
  await page.fill('#jwks-url', `${server.url}issuer/jwks.json`);
  await page.waitForTimeout(300);
  assert.ok(!server.hits.slice(hitsBefore).includes('/issuer/jwks.json'), 'the JWKS URL was fetched before the click');

  await page.click('#fetch-jwks');
  await page.waitForSelector('#fetch-status[data-kind=ok]');
  await fillPolicy(page);
  assert.match(await waitForVerdict(page, 'valid'), /\bvalid\b/);
  assert.equal(server.hits.slice(hitsBefore).filter((p) => p === '/issuer/jwks.json').length, 1);

  // Editing and re-verifying makes no request at all.
  const count = requests.length;
  await page.fill('#token', `${token.slice(0, -3)}AAA`);
  await page.waitForSelector('#verdict[data-state=rejected]');
  await page.fill('#token', token);
  await page.waitForSelector('#verdict[data-state=valid]');
  await page.waitForTimeout(1200); // a tick of the live clock
  assert.equal(requests.length, count, `requests while verifying: ${requests.slice(count).join(', ')}`);

  const foreign = requests.filter((url) => new URL(url).hostname !== '127.0.0.1');
  assert.deepEqual(foreign, [], 'requests to other hosts');
  assert.ok(requests.length > 0, 'request interception saw the page load');
  // The token never goes into the URL.
  assert.ok(!page.url().includes(token.split('.')[1]));
  assert.equal(new URL(page.url()).hash, '');
  assert.equal(new URL(page.url()).search, '');
  assertNoPageErrors(page);
  await page.close();
});

test('a discovery document URL leads to its jwks_uri', async () => {
  const token = await sign();
  const page = await openPage();
  // The discovery route answers with the JWKS route's absolute URL.
  const discovery = `${server.url}issuer/.well-known/openid-configuration`;
  await page.route(discovery, (route) => route.fulfill({
    contentType: 'application/json',
    body: JSON.stringify({ issuer: ISSUER, jwks_uri: `${server.url}issuer/jwks.json` }),
  }));
  await page.fill('#token', token);
  await page.fill('#jwks-url', discovery);
  await page.press('#jwks-url', 'Enter');
  await page.waitForSelector('#fetch-status[data-kind=ok]');
  assert.match(await page.textContent('#fetch-status'), /jwks_uri/);
  await fillPolicy(page);
  assert.match(await waitForVerdict(page, 'valid'), /\bvalid\b/);
  assertNoPageErrors(page);
  await page.close();
});

test('warnings without a JWK Set come from the engine, and JWKS lint shows', async () => {
  const secret = new TextEncoder().encode('a-shared-secret-that-is-32-bytes!');
  const token = await sign({ alg: 'HS256', kid: 'shared', key: secret, exp: null, header: { jku: 'https://evil.example/jwks.json' } });
  const page = await openPage();
  await page.fill('#token', token);
  const text = await waitForVerdict(page, 'unverified');
  assert.doesNotMatch(text, /\bvalid\b/);
  const expected = inspect(token).warnings.map((w) => w.code);
  assert.ok(expected.length >= 3, `the engine warns about HS256, no exp and jku: ${expected}`);
  const shown = await page.$$eval('#warnings .warning', (items) => items.map((li) => li.dataset.code));
  assert.deepEqual(shown, expected);
  await shot(page, '04-warnings-no-jwks');

  // A JWK Set with lint findings: an RSA key with no alg, and a private member.
  const lintJwks = { keys: [{ ...keys.jwks.keys[0], alg: undefined, kid: 'no-alg' }, { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA', kid: 'mixed' }] };
  await page.fill('#jwks', JSON.stringify(lintJwks));
  await page.waitForSelector('#warnings .warning-group:nth-of-type(2)');
  const lintShown = await page.$$eval('#warnings .warning-group:nth-of-type(2) .warning', (items) => items.map((li) => li.dataset.code));
  const { lintJwks: lint } = await import('jwtward');
  assert.deepEqual(lintShown, lint(JSON.stringify(lintJwks)).map((w) => w.code));
  assert.ok(lintShown.length > 0);
  assertNoPageErrors(page);
  await page.close();
});

test('malformed token and invalid JWK Set give the engine codes', async () => {
  const page = await openPage();
  await page.fill('#token', 'not-a-jwt');
  assert.match(await waitForVerdict(page, 'rejected'), /ERR_JWT_MALFORMED/);
  const token = await sign();
  await page.fill('#token', token);
  await page.fill('#jwks', '{"keys": [');
  assert.match(await waitForVerdict(page, 'config'), /ERR_JWKS_INVALID/);
  assert.equal(await page.getAttribute('#jwks', 'aria-invalid'), 'true');
  assert.match(await page.textContent('[data-claim=sub]'), /inventory-sync/);
  await shot(page, '05-invalid-jwks');
  assertNoPageErrors(page);
  await page.close();
});

test('the built-in sample verifies offline', async () => {
  requests.length = 0;
  const page = await openPage();
  await page.click('#load-sample');
  assert.match(await waitForVerdict(page, 'valid'), /\bvalid\b/);
  assert.match(await page.textContent('[data-claim=scope]'), /orders:read/);
  assert.deepEqual(requests.filter((url) => new URL(url).hostname !== '127.0.0.1'), []);
  await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
  await shot(page, '06-sample-dark');
  assertNoPageErrors(page);
  await page.close();
});

test('keyboard: Tab reaches the token, the JWK Set and the policy, with a visible focus ring', async () => {
  const page = await openPage();
  await page.evaluate(() => document.activeElement?.blur());
  const order = [];
  const rings = {};
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      return { id: el.id, outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0, shadow: style.boxShadow !== 'none' };
    });
    order.push(info.id);
    rings[info.id] = info.outline || info.shadow;
  }
  for (const id of ['token', 'jwks', 'jwks-url', 'fetch-jwks', 'issuer', 'audience', 'scopes', 'tolerance']) {
    assert.ok(order.includes(id), `Tab never reached #${id}: ${order.join(' ')}`);
    assert.ok(rings[id], `#${id} shows no focus ring`);
  }
  assert.ok(order.indexOf('token') < order.indexOf('jwks'), 'the token comes before the keys');
  // Typing works from the keyboard alone.
  await page.focus('#token');
  await page.keyboard.type('eyJ');
  assert.equal(await page.inputValue('#token'), 'eyJ');
  // Every input has a label.
  const unlabelled = await page.$$eval('input, textarea, select', (els) => els
    .filter((el) => el.type !== 'hidden' && !el.labels?.length && !el.getAttribute('aria-label') && !el.closest('label'))
    .map((el) => el.id || el.name));
  assert.deepEqual(unlabelled, []);
  assertNoPageErrors(page);
  await page.close();
});

/** Nothing on the page reaches past the viewport's right edge (no horizontal scrolling). */
async function assertNoOverflow(page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(scrollWidth <= clientWidth, `page is ${scrollWidth}px wide in a ${clientWidth}px viewport`);
  const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
    .filter((el) => !el.closest('.visually-hidden') && getComputedStyle(el).position !== 'fixed')
    .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className}`));
  assert.deepEqual(wide, []);
}

test('narrow screen (375 px): no horizontal overflow', async () => {
  const token = await sign({ claims: { long_claim: 'x'.repeat(300), groups: ['a-very-long-group-name-without-spaces-0123456789', 'ops'] } });
  const page = await openPage({ width: 375, height: 812 });
  await page.fill('#token', token);
  await page.fill('#jwks', JSON.stringify(keys.jwks));
  await fillPolicy(page);
  await waitForVerdict(page, 'valid');
  await assertNoOverflow(page);
  await shot(page, '07-narrow-375');
  await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, '08-narrow-375-dark-top', { fullPage: false });
  assertNoPageErrors(page);
  await page.close();
});

test('storage: nothing stored unless the user opts in; opted in, it survives a reload', async () => {
  const token = await sign();
  const page = await openPage();
  await page.evaluate(() => localStorage.clear());
  await page.fill('#token', token);
  await page.fill('#jwks', JSON.stringify(keys.jwks));
  await fillPolicy(page);
  await page.waitForSelector('#verdict[data-state=valid]');
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);

  await page.check('#remember');
  await page.reload();
  await page.waitForSelector('html[data-ready=true]');
  assert.equal(await page.inputValue('#token'), token);
  assert.equal(await page.isChecked('#remember'), true);
  await page.waitForSelector('#verdict[data-state=valid]');

  await page.uncheck('#remember');
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  assertNoPageErrors(page);
  await page.close();
});

test('evaluate at a chosen time: the engine judges the token at that moment', async () => {
  const now = nowSeconds();
  const token = await sign({ iat: now - 4 * 3600, exp: now - 3 * 3600 });
  const page = await openPage();
  await page.fill('#token', token);
  await page.fill('#jwks', JSON.stringify(keys.jwks));
  await fillPolicy(page);
  assert.match(await waitForVerdict(page, 'rejected'), /ERR_JWT_EXPIRED/);
  await page.click('#more-policy summary');
  // 30 min after issue, in the page's (emulated Berlin) local time.
  const at = await page.evaluate((seconds) => {
    const d = new Date(seconds * 1000);
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }, now - 4 * 3600 + 30 * 60);
  await page.fill('#evaluate-at', at);
  assert.match(await waitForVerdict(page, 'valid'), /\bvalid\b/);
  assert.match(await page.textContent('[data-claim=exp]'), /expires in 30 min/);
  await page.click('#evaluate-now');
  assert.match(await waitForVerdict(page, 'rejected'), /ERR_JWT_EXPIRED/);
  assertNoPageErrors(page);
  await page.close();
});

test('header members and claims named like Object.prototype members are not taken for registered ones', async () => {
  // Issue 10 finding 11: lookups in plain objects found `toString`, `valueOf`, `__proto__` and
  // `constructor` on Object.prototype, listing them as registered headers labelled "undefined"
  // and explaining alg "constructor" as `function Object() { [native code] }`.
  const segment = (json) => Buffer.from(json).toString('base64url');
  const header = '{"alg":"constructor","kid":"k","toString":"x","valueOf":1,"__proto__":{"a":1},"typ":"JWT"}';
  const payload = '{"sub":"s","constructor":"c","toString":"t","hasOwnProperty":"h","__proto__":"p","exp":4102444800}';
  const token = `${segment(header)}.${segment(payload)}.c2lnbmF0dXJl`;
  const page = await openPage();
  await page.fill('#token', token);
  await waitForVerdict(page, 'unverified');
  const listed = await page.$$eval('#header-info dt', (items) => items.map((dt) => dt.dataset.header));
  assert.deepEqual(listed.sort(), ['alg', 'kid', 'typ']);
  const headerInfo = await page.textContent('#header-info');
  assert.doesNotMatch(headerInfo, /undefined|native code|function/);
  // An unknown algorithm gets the meaning of the alg member, not a name.
  const algInfo = await page.textContent('#header-info dd[data-header=alg] .claim-info');
  assert.equal(algInfo, 'How the signature was made.');
  for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
    const row = page.locator(`#claims [data-claim="${name}"]`);
    assert.equal(await row.getAttribute('class'), 'claim claim-custom', `${name} is listed as a custom claim`);
    assert.equal(await row.locator('.claim-title').textContent(), 'Custom claim');
  }
  assert.doesNotMatch(await page.textContent('#claims'), /undefined|native code/);
  assertNoPageErrors(page);
  await page.close();
});

test('first minute: token and keys only; the verdict says no audience or issuer is configured and offers the token\'s own', async () => {
  // Issue 11 §6: with no policy, a token with aud is refused (RFC 7519 §4.1.3). The verdict stays,
  // and the panel offers the token's aud and iss, each one click from a verified token.
  const token = await sign({ claims: { aud: [AUDIENCE, 'api://billing'] } });
  const page = await openPage();
  await page.fill('#token', token);
  await page.fill('#jwks', JSON.stringify(keys.jwks));
  assert.match(await waitForVerdict(page, 'rejected'), /ERR_JWT_BAD_AUDIENCE/);
  const notes = () => page.$$eval('#verdict-notes .policy-note', (items) => items.map((p) => p.dataset.claim));
  assert.deepEqual(await notes(), ['aud', 'iss']);
  const offered = await page.$$eval('#verdict-notes button', (buttons) => buttons.map((b) => [b.dataset.option, b.dataset.value]));
  assert.deepEqual(offered, [['audience', AUDIENCE], ['audience', 'api://billing'], ['issuer', ISSUER]]);
  await shot(page, '09-first-minute-no-audience', { fullPage: false });

  await page.click(`#verdict-notes button[data-option=audience][data-value="${AUDIENCE}"]`);
  assert.equal(await page.inputValue('#audience'), AUDIENCE);
  assert.match(await waitForVerdict(page, 'valid'), /\bvalid\b/);
  assert.deepEqual(await notes(), ['iss'], 'the issuer note stays while no issuer is configured');
  assert.deepEqual(await pageChecks(page), nodeExplain(token, { audience: AUDIENCE }).checks.map(({ id, status }) => ({ id, status })));

  await page.click('#verdict-notes button[data-option=issuer]');
  assert.equal(await page.inputValue('#issuer'), ISSUER);
  await page.waitForSelector('#verdict-notes', { state: 'hidden' });
  assert.equal((await pageChecks(page)).find((c) => c.id === 'iss').status, 'passed');
  assert.match(await verdictText(page), /\bvalid\b/);
  // Focus stays in the verdict card, not lost with the button.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'verdict-card');

  // A configured audience that does not match is the user's policy: no offer to replace it.
  await page.fill('#audience', 'api://other');
  assert.match(await waitForVerdict(page, 'rejected'), /ERR_JWT_BAD_AUDIENCE/);
  assert.equal(await page.isHidden('#verdict-notes'), true);
  assertNoPageErrors(page);
  await page.close();
});

/** A token of a provider profile's documented shape, signed now with this test's key of its algorithm. */
function profileToken(profile, { claims = {}, header = {} } = {}) {
  const present = (entries) => Object.fromEntries(entries.filter(([, value]) => value !== null));
  // The fixture's times are around IDP.now: moved to the present, so the token is current.
  const shift = nowSeconds() - IDP.now;
  const payload = present(Object.entries({ ...profile.claims, ...claims }))
  for (const name of ['iat', 'nbf', 'exp', 'auth_time']) if (typeof payload[name] === 'number') payload[name] += shift;
  const key = profile.signing.alg === 'ES256' ? keys.es.privateKey : keys.rs.privateKey;
  return new SignJWT(payload).setProtectedHeader(present(Object.entries({ ...profile.header, ...header }))).sign(key);
}

/** The profile's JWK Set: this test's public key of its algorithm, published as the provider does. */
function profileJwks(profile) {
  const { alg, kid, ...base } = keys.jwks.keys[profile.signing.alg === 'ES256' ? 1 : 0];
  return { keys: [{ ...base, ...profile.jwk, kid: profile.header.kid }] };
}

test('provider choice: each preset is the tested profile policy, and its tokens get the profile\'s verdicts', { timeout: 120_000 }, async () => {
  const page = await openPage();
  const offered = await page.$$eval('#provider option', (options) => options.map((o) => o.value));
  assert.deepEqual(offered, ['', ...IDP.profiles.map((p) => p.id)], 'Custom, then every profile');
  for (const profile of IDP.profiles) {
    await page.selectOption('#provider', profile.id);
    // The form holds the profile's policy: the page's options are exactly the tested ones.
    const { policy } = profile;
    assert.equal(await page.inputValue('#issuer'), [policy.issuer].flat().join(' '), profile.id);
    assert.equal(await page.inputValue('#audience'), [policy.audience ?? []].flat().join(' '));
    assert.equal(await page.inputValue('#scope-claims'), (policy.scopeClaims ?? []).join(' '));
    assert.equal(await page.inputValue('#scopes'), (policy.requiredScopes ?? []).join(' '));
    assert.equal(await page.inputValue('#typ'), policy.typ ?? '');
    assert.deepEqual(JSON.parse((await page.inputValue('#claim-values')) || 'null'), policy.claims ?? null);
    assert.deepEqual(await page.$$eval('#alg-groups input:checked', (boxes) => boxes.map((b) => b.value)), policy.algorithms);
    await page.fill('#jwks', JSON.stringify(profileJwks(profile)));

    for (const example of [{ name: 'the documented token', expect: 'valid' }, ...profile.cases]) {
      const token = await profileToken(profile, example);
      await page.fill('#token', '');
      await page.waitForSelector('#verdict[data-state=empty]');
      await page.fill('#token', token);
      const state = await (await page.waitForSelector('#verdict:not([data-state=empty])')).getAttribute('data-state');
      const shown = state === 'valid' ? 'valid' : await page.textContent('#verdict .verdict-code');
      assert.equal(shown, example.expect, `${profile.id}: ${example.name}`);
      // And the package in Node, with the same preset, says the same.
      const verifier = new Verifier({ jwks: profileJwks(profile), cache: false, ...policy });
      const expected = verifier.explain(token);
      verifier.free();
      assert.deepEqual(await pageChecks(page), expected.checks.map(({ id, status }) => ({ id, status })), `${profile.id}: ${example.name}`);
    }
  }
  await page.selectOption('#provider', 'entra-id-app-roles');
  await page.fill('#token', await profileToken(IDP.profiles.find((p) => p.id === 'entra-id-app-roles')));
  await page.fill('#jwks', JSON.stringify(profileJwks(IDP.profiles.find((p) => p.id === 'entra-id-app-roles'))));
  await waitForVerdict(page, 'valid');
  // The app roles are listed as granted scopes, as the preset's scope claims say.
  assert.match(await page.textContent('[data-claim=roles] .chips'), /Orders\.Read\.All/);
  await shot(page, '10-provider-entra-app-roles');
  assertNoPageErrors(page);
  await page.close();
});

test('provider placeholders: named in the form, and filled from the token only on a click', async () => {
  const entra = IDP.profiles.find((p) => p.id === 'entra-id-v2');
  const tenant = '8d3f1c2e-0b7a-4f61-9c55-3e2a1b0c9d8e';
  const api = '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  const token = await profileToken(entra, { claims: { iss: `https://login.microsoftonline.com/${tenant}/v2.0`, tid: tenant, aud: api } });
  const page = await openPage();
  await page.selectOption('#provider', entra.id);
  await page.fill('#token', token);
  await page.fill('#jwks', JSON.stringify(profileJwks(entra)));
  assert.match(await waitForVerdict(page, 'rejected'), /ERR_JWT_BAD_ISSUER/);
  assert.equal(await page.getAttribute('#provider-note [data-placeholders]', 'data-placeholders'), 'tenant-id api-client-id');
  assert.equal(await page.getAttribute('#provider-note a', 'href'), entra.provenance.docs[0]);
  await page.locator('#policy-card').screenshot({ path: join(SCREENSHOTS, '11-provider-placeholders.png') });
  await page.click('#use-token-values');
  assert.equal(await page.inputValue('#issuer'), `https://login.microsoftonline.com/${tenant}/v2.0`);
  assert.equal(await page.inputValue('#audience'), api);
  assert.deepEqual(JSON.parse(await page.inputValue('#claim-values')), { tid: tenant });
  assert.match(await waitForVerdict(page, 'valid'), /\bvalid\b/);
  assert.equal(await page.locator('#provider-note [data-placeholders]').count(), 0, 'no placeholder left');
  // A token whose tid contradicts its issuer's tenant fills nothing for the tenant.
  await page.selectOption('#provider', entra.id);
  await page.fill('#token', await profileToken(entra, { claims: { iss: `https://login.microsoftonline.com/${tenant}/v2.0`, tid: 'another-tenant', aud: api } }));
  // The offer drawn for the previous token is still there until the new one renders: wait for the
  // new token's offer (a timeout here means the tenant was still offered).
  await page.waitForFunction(() => /api-client-id/.test(document.querySelector('#use-token-values')?.textContent ?? '')
    && !/tenant-id/.test(document.querySelector('#use-token-values').textContent));
  assert.doesNotMatch(await page.textContent('#use-token-values'), /tenant-id/);
  assertNoPageErrors(page);
  await page.close();
});

// ---------------------------------------------------------------- sender-constrained tokens (issue 14)

const API_URL = 'https://api.example.test/orders';

/** A client's DPoP key: ES256 pair, its public JWK and RFC 7638 thumbprint (jose's, not the engine's). */
async function dpopKey() {
  const pair = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(pair.publicKey);
  return { ...pair, jwk, jkt: await calculateJwkThumbprint(jwk) };
}

/** A DPoP proof (RFC 9449 §4.2) for `token`, made like a client library does, with `claims` changed. */
function dpopProof(token, key, claims = {}) {
  const ath = createHash('sha256').update(token).digest('base64url');
  return new SignJWT({ jti: `proof-${Math.random().toString(36).slice(2)}`, htm: 'GET', htu: API_URL, iat: nowSeconds(), ath, ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
    .sign(key.privateKey);
}

/** The sender-constraint card's rows: { member: [value, status] }. */
function proofRows(page) {
  return page.$$eval('#proof-card .proof-row', (rows) => Object.fromEntries(rows.map((row) => [row.dataset.member, [
    row.querySelector('.proof-value > p').textContent, row.querySelector('.proof-status')?.dataset.status ?? null,
  ]])));
}

/** Waits for the verdict to name `code` (a state alone may still be the previous input's). */
async function waitForCode(page, code) {
  await page.waitForFunction((wanted) => document.querySelector('#verdict .verdict-code')?.textContent === wanted, code);
  return verdictText(page);
}

/** The page's verdict as { valid, code, claim } and its checklist, against the package's in Node. */
async function assertSameAsPackage(page, token, request, label, policy = POLICY) {
  const expected = nodeExplain(token, policy, nowSeconds(), request);
  const state = await page.getAttribute('#verdict', 'data-state');
  const shown = state === 'valid' ? { valid: true } : {
    valid: false,
    code: await page.textContent('#verdict .verdict-code'),
    claim: await page.$eval('#verdict-facts', (dl) => [...dl.querySelectorAll('dt')].find((dt) => dt.textContent === 'Claim')?.nextElementSibling.textContent),
  };
  assert.deepEqual(shown, expected.valid ? { valid: true } : { valid: false, code: expected.code, claim: expected.claim }, label);
  assert.deepEqual(await pageChecks(page), expected.checks.map(({ id, status }) => ({ id, status })), label);
  return expected;
}

test('DPoP: a bound token without its proof is refused and offered the proof field; with its proof it verifies; another URL or another key is refused, as the package says', async () => {
  const client = await dpopKey();
  const attacker = await dpopKey();
  const token = await sign({ alg: 'ES256', kid: 'test-es', key: keys.es.privateKey, claims: { cnf: { jkt: client.jkt } } });
  const page = await openPage();
  await page.fill('#jwks', JSON.stringify(keys.jwks));
  await fillPolicy(page);
  await page.fill('#token', token);

  // Missing proof: refused for its binding, in the engine's words, and the page says what the API needs.
  assert.match(await waitForVerdict(page, 'rejected'), /ERR_JWT_BAD_BINDING/);
  await assertSameAsPackage(page, token, {}, 'no proof');
  assert.equal(await page.getAttribute('#verdict-notes .policy-note', 'data-need'), 'dpop');
  assert.match(await page.textContent('#verdict-notes'), /bound to a DPoP key \(cnf\.jkt\)/);
  // The cnf claim is explained member by member; the card shows the binding the token asks for.
  assert.match(await page.textContent('#claims [data-claim=cnf]'), /JWK thumbprint/);
  assert.deepEqual((await proofRows(page))['cnf.jkt'], [client.jkt, 'failed']);
  assert.equal((await proofRows(page)).thumbprint[1], 'skipped');
  await shot(page, '12-dpop-missing-proof', { fullPage: false });
  // The sender-constraint checks are listed under their own heading, unfolded: one failed.
  assert.equal(await page.locator('#sender-checks details').count(), 0);
  assert.equal(await page.getAttribute('#sender-checks li[data-check=cnf_jkt]', 'data-status'), 'failed');

  // The offer opens the request fields at the proof.
  await page.click('#verdict-notes button[data-present=dpop]');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'dpop-proof');
  assert.equal(await page.evaluate(() => document.getElementById('presentation').open), true);

  // The proof, as the request carried it (header name and all), for the request it was made for.
  const proof = await dpopProof(token, client);
  await page.fill('#dpop-proof', `DPoP: ${proof}`);
  await page.fill('#dpop-method', 'GET');
  await page.fill('#dpop-url', `${API_URL}?page=2`);
  assert.match(await waitForVerdict(page, 'valid'), /\bvalid\b/);
  assert.match(await page.textContent('#proof-note'), /the "DPoP:" prefix/);
  const request = { dpop: { proof, method: 'GET', url: `${API_URL}?page=2` } };
  await assertSameAsPackage(page, token, request, 'valid proof');
  // The proof decoded by the engine, each member beside its check; the thumbprint the engine
  // computed for the proof's key equals the token's cnf.jkt (and jose's).
  const rows = await proofRows(page);
  assert.deepEqual(rows['header.typ'], ['dpop+jwt', 'passed']);
  assert.deepEqual(rows['header.alg'], ['ES256', 'passed']);
  assert.deepEqual(JSON.parse(rows['header.jwk'][0]), JSON.parse(JSON.stringify(client.jwk)));
  assert.deepEqual(rows['payload.htm'], ['GET', 'passed']);
  assert.deepEqual(rows['payload.htu'], [API_URL, 'passed']);
  assert.equal(rows['payload.iat'][1], 'passed');
  assert.deepEqual(rows['payload.ath'], [createHash('sha256').update(token).digest('base64url'), 'passed']);
  assert.equal(rows['payload.nonce'][1], 'skipped');
  assert.deepEqual(rows.thumbprint, [client.jkt, 'passed']);
  assert.deepEqual(rows['cnf.jkt'], [client.jkt, 'passed']);
  assert.match(await page.textContent('#proof-request'), new RegExp(`^GET ${API_URL.replace(/[.?]/g, '\\$&')}\\?page=2$`));
  assert.match(await page.textContent('#proof-card [data-member="payload.jti"]'), /Replays are not detected here/);
  assert.match(await page.textContent('#header-info'), /Type/);
  await shot(page, '13-dpop-valid');
  // The live clock explains the same proof again each second: still valid (explain records no proof).
  await page.waitForTimeout(1200);
  assert.equal(await page.getAttribute('#verdict', 'data-state'), 'valid');

  // A proof made for another URL: the proof itself is refused, its part named.
  const elsewhere = await dpopProof(token, client, { htu: 'https://api.example.test/admin' });
  await page.fill('#dpop-url', API_URL);
  await page.fill('#dpop-proof', elsewhere);
  await waitForCode(page, 'ERR_JWT_BAD_DPOP_PROOF');
  const wrongUrl = await assertSameAsPackage(page, token, { dpop: { proof: elsewhere, method: 'GET', url: API_URL } }, 'wrong htu');
  assert.equal(wrongUrl.claim, 'htu');
  assert.deepEqual((await proofRows(page))['payload.htu'], ['https://api.example.test/admin', 'failed']);
  assert.match(await page.textContent('#proof-card [data-member="payload.htu"] .proof-detail'), /the request is https:\/\/api\.example\.test\/orders/);
  await shot(page, '14-dpop-wrong-htu');

  // A valid proof signed by another key (a thief's): the binding is refused; the engine's
  // thumbprint of that key is not the token's cnf.jkt.
  const stolen = await dpopProof(token, attacker);
  await page.fill('#dpop-proof', stolen);
  await waitForCode(page, 'ERR_JWT_BAD_BINDING');
  const wrongKey = await assertSameAsPackage(page, token, { dpop: { proof: stolen, method: 'GET', url: API_URL } }, 'wrong key');
  assert.equal(wrongKey.claim, 'cnf.jkt');
  const keyRows = await proofRows(page);
  assert.deepEqual(keyRows.thumbprint, [attacker.jkt, 'passed']);
  assert.deepEqual(keyRows['cnf.jkt'], [client.jkt, 'failed']);
  assert.equal(await page.isHidden('#verdict-notes'), true, 'a proof was given: nothing to offer');
  await shot(page, '15-dpop-wrong-key');
  // On a phone: the proof's rows stack, nothing overflows.
  await page.setViewportSize({ width: 375, height: 812 });
  await page.evaluate(() => document.getElementById('proof-binding').scrollIntoView());
  await assertNoOverflow(page);
  await shot(page, '15-dpop-wrong-key-narrow', { fullPage: false });
  await page.setViewportSize({ width: 1360, height: 1000 });

  // Not a proof at all: the engine's decoding error, and the dpop_proof check failed.
  await page.fill('#dpop-proof', 'not-a-proof');
  await waitForCode(page, 'ERR_JWT_BAD_DPOP_PROOF');
  await assertSameAsPackage(page, token, { dpop: { proof: 'not-a-proof', method: 'GET', url: API_URL } }, 'garbage');
  assert.match(await page.textContent('#proof-card .proof-decode-error'), /ERR_JWT_MALFORMED/);
  // A proof without the request's URL: the engine refuses the option, and the page marks the field.
  await page.fill('#dpop-proof', proof);
  await page.fill('#dpop-url', '');
  assert.match(await waitForVerdict(page, 'config'), /ERR_OPTIONS_INVALID/);
  assert.equal(await page.getAttribute('#dpop-url', 'aria-invalid'), 'true');
  assert.match(await page.textContent('#presentation-error'), /dpop\.url/);

  // An unbound token: the sender-constraint checks are folded away, all skipped, and no card.
  await page.fill('#dpop-proof', '');
  const unbound = await sign();
  await page.fill('#token', unbound);
  assert.match(await waitForVerdict(page, 'valid'), /\bvalid\b/);
  assert.equal(await page.locator('#sender-checks details:not([open])').count(), 1);
  assert.match(await page.textContent('#sender-checks summary'), /skipped \(not sender-constrained\)/);
  assert.equal(await page.isHidden('#proof-card'), true);
  // A policy that requires DPoP-bound tokens refuses it (senderConstraint), as the package does.
  await page.click('#more-policy summary');
  await page.selectOption('#sender-constraint', 'dpop');
  await waitForCode(page, 'ERR_JWT_BAD_BINDING');
  const required = await assertSameAsPackage(page, unbound, {}, 'unbound, DPoP required', { ...POLICY, senderConstraint: 'dpop' });
  assert.equal(required.claim, 'cnf');
  assert.equal(await page.getAttribute('#sender-checks li[data-check=sender_constraint]', 'data-status'), 'failed');
  assertNoPageErrors(page);
  await page.close();
});

test('mTLS: a certificate-bound token checks the client certificate\'s SHA-256 against cnf.x5t#S256, as the package does', async () => {
  const der = Buffer.from('a client certificate, as DER bytes, for this test');
  const sha256 = createHash('sha256').update(der).digest('base64url');
  const other = createHash('sha256').update('another certificate').digest('base64url');
  const token = await sign({ claims: { cnf: { 'x5t#S256': sha256 } } });
  const page = await openPage();
  await page.fill('#jwks', JSON.stringify(keys.jwks));
  await fillPolicy(page);
  await page.fill('#token', token);
  assert.match(await waitForVerdict(page, 'rejected'), /ERR_JWT_BAD_BINDING/);
  await assertSameAsPackage(page, token, {}, 'no certificate');
  assert.equal(await page.getAttribute('#verdict-notes .policy-note', 'data-need'), 'mtls');
  await page.click('#verdict-notes button[data-present=mtls]');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'client-cert');

  await page.fill('#client-cert', sha256);
  assert.match(await waitForVerdict(page, 'valid'), /\bvalid\b/);
  await assertSameAsPackage(page, token, { clientCertificate: der }, 'its certificate');
  assert.deepEqual((await proofRows(page))['cnf.x5t#S256'], [sha256, 'passed']);

  await page.fill('#client-cert', other);
  assert.match(await waitForVerdict(page, 'rejected'), /ERR_JWT_BAD_BINDING/);
  await assertSameAsPackage(page, token, { clientCertificate: { sha256: other } }, 'another certificate');
  assert.deepEqual(await proofRows(page), { certificate: [other, null], 'cnf.x5t#S256': [sha256, 'failed'] });
  await shot(page, '16-mtls-other-certificate', { fullPage: false });

  await page.fill('#client-cert', 'not base64url!');
  assert.match(await waitForVerdict(page, 'config'), /ERR_OPTIONS_INVALID/);
  assert.equal(await page.getAttribute('#client-cert', 'aria-invalid'), 'true');
  assertNoPageErrors(page);
  await page.close();
});
