// Browsers: headless Chromium (Debian's /usr/bin/chromium through playwright-core) loads a page
// from 127.0.0.1 that imports 'jwtward' by name through an import map pointing at the package's
// `browser` export, awaits ready(), verifies tokens (HS256, ES256, EdDSA signed by jose) and
// inspects the JwtError of a rejected one.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { COMPARE_VERDICTS_SOURCE, PUBLIC_KEY_ALGS, attackCases, differences } from '../testkit/attacks.mjs';
import { NOW, jwksOf, makeKeys, sign } from '../testkit/keys.mjs';
import { readmeBlock } from '../testkit/readme.mjs';
import { IMPORT_MAP, browserEntry, launchChromium, servePackage } from '../testkit/chromium.mjs';

let server;
let origin;
let served;
let browser;
let page;

before(async () => {
  const keys = await makeKeys(['HS256', 'ES256', 'EdDSA']);
  const claims = { iss: 'https://issuer.example', aud: 'spa', exp: NOW + 60 };
  const fixtures = {
    jwks: jwksOf(keys),
    now: NOW,
    tokens: {
      HS256: await sign(keys.HS256, { ...claims, sub: 'hs' }),
      ES256: await sign(keys.ES256, { ...claims, sub: 'es' }),
      EdDSA: await sign(keys.EdDSA, { ...claims, sub: 'ed' }),
      expired: await sign(keys.ES256, { ...claims, exp: NOW - 1 }),
    },
  };
  const html = `<!doctype html>
<meta charset="utf-8">
<title>jwtward browser test</title>
${IMPORT_MAP}
<script type="module">
import { ready, Verifier, JwtError, decode } from 'jwtward';
${COMPARE_VERDICTS_SOURCE}
window.__compare = (cases) => compareVerdicts({ Verifier, JwtError }, cases);
const fx = ${JSON.stringify(fixtures)};
const out = {};
try { new Verifier({ jwks: fx.jwks }); out.beforeReady = 'no error'; } catch (e) { out.beforeReady = e.message; }
await ready();
await ready(); // idempotent
const verifier = new Verifier({ jwks: fx.jwks, issuer: 'https://issuer.example', audience: 'spa' });
out.verified = {};
for (const alg of ['HS256', 'ES256', 'EdDSA']) {
  const { payload, alg: used, kid } = verifier.verify(fx.tokens[alg], { now: fx.now });
  out.verified[alg] = { sub: payload.sub, alg: used, kid };
}
try {
  verifier.verify(fx.tokens.expired, { now: fx.now });
  out.expired = 'accepted';
} catch (e) {
  out.expired = { code: e.code, claim: e.claim, isJwtError: e instanceof JwtError, isError: e instanceof Error, name: e.name, hasStack: typeof e.stack === 'string' };
}
out.decoded = decode(fx.tokens.HS256).payload.sub;
out.stats = verifier.cacheStats();
verifier.free();
window.__result = out;
</script>`;

  // The README's page imports ./node_modules/jwtward/..., as if installed next to it.
  server = await servePackage({ '/': html, '/readme/': readmeBlock('Browsers', 'html') }, { aliases: ['/readme/node_modules/jwtward/'] });
  ({ origin, served } = server);
  browser = await launchChromium();
  page = browser.pages()[0] ?? (await browser.newPage());
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('Chromium: import by name, await ready(), verify HS256 / ES256 / EdDSA, JwtError', async () => {
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.__result !== undefined || false, null, { timeout: 30_000 }).catch(() => {});
  assert.deepEqual(pageErrors, []);
  const result = await page.evaluate(() => window.__result);
  assert.ok(result, 'the page finished');
  assert.match(result.beforeReady, /ready\(\)/, 'using the API before ready() says what to do');
  assert.deepEqual(result.verified, {
    HS256: { sub: 'hs', alg: 'HS256', kid: 'key-HS256' },
    ES256: { sub: 'es', alg: 'ES256', kid: 'key-ES256' },
    EdDSA: { sub: 'ed', alg: 'EdDSA', kid: 'key-EdDSA' },
  });
  assert.deepEqual(result.expired, { code: 'ERR_JWT_EXPIRED', claim: 'exp', isJwtError: true, isError: true, name: 'JwtError', hasStack: true });
  assert.equal(result.decoded, 'hs');
  assert.deepEqual(result.stats, { hits: 0, misses: 4, entries: 3, maxEntries: 1000 });
  // The entry fetched the one .wasm next to it; nothing else was requested.
  assert.ok(served.includes('/pkg/dist/jwtward_bg.wasm'), served.join(' '));
  assert.ok(served.includes(`/pkg/${browserEntry}`));
});

test('Chromium: verify, verifyAsync on WebCrypto and the portable path give the same verdicts', async (t) => {
  const keys = await makeKeys(PUBLIC_KEY_ALGS);
  const otherKeys = await makeKeys(PUBLIC_KEY_ALGS);
  const cases = await attackCases(keys, otherKeys);
  if (!(await page.evaluate(() => typeof window.__compare === 'function'))) await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 });
  const compared = await page.evaluate((all) => window.__compare(all), cases);
  assert.equal(compared.length, cases.length);
  assert.deepEqual(differences(compared), []);
  const valid = compared.filter(([, got]) => got.sync === 'valid').length;
  t.diagnostic(`${cases.length} tokens x 3 paths in Chromium: ${valid} valid, no difference`);
  assert.equal(valid, PUBLIC_KEY_ALGS.length + 3);
});

test("Chromium: the README's browser page runs as written", async () => {
  const readmePage = await browser.newPage();
  const pageErrors = [];
  readmePage.on('pageerror', (error) => pageErrors.push(String(error)));
  await readmePage.goto(`${origin}/readme/`);
  await readmePage.waitForFunction(() => document.getElementById('out')?.textContent.includes('tampered'), null, { timeout: 30_000 }).catch(() => {});
  assert.deepEqual(pageErrors, []);
  const text = await readmePage.evaluate(() => document.getElementById('out').textContent);
  assert.match(text, /"sub": "demo-user"/);
  assert.match(text, /tampered: ERR_JWT_BAD_SIGNATURE$/);
  await readmePage.close();
});
