// One verdict, whichever crypto does the arithmetic: every corpus through every path, compared
// code and message.
//
//   auto       verify() in Node: node:crypto (OpenSSL) for RSA, ECDSA and Ed25519, the core for HMAC
//   wasm       verify() with backend: 'wasm': the core alone (the portable path)
//   async      verifyAsync() in Node (same as verify: node:crypto is synchronous)
//   webcrypto  verifyAsync() of the browser/workerd build (the small module, pkg/src/api.js and
//              platform-webcrypto.js) on Node's WebCrypto
//
// Corpora: the shared Wycheproof-derived JWT cases (../shared/vectors, skipped when absent), and
// signature-encoding attacks generated here for every public-key algorithm (r or s = 0 or n,
// high S, S + L, small-order R, RSA signature = n, wrong lengths, bit flips, wrong key,
// algorithm swaps, tampered payloads). Also: the platform is really used, and a platform that
// lies (says every signature verifies) still cannot get a malformed signature, an HMAC forgery or
// an algorithm confusion through, because those are the core's checks.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import { JwtError, Verifier } from 'jwtward';
import { PUBLIC_KEY_ALGS, attackCases } from '../testkit/attacks.mjs';
import { ALGORITHMS, NOW, b64url, makeKeys, sign } from '../testkit/keys.mjs';

const require = createRequire(import.meta.url);
const pkgDir = fileURLToPath(new URL('..', import.meta.url));

// The web build in Node, as workerd.js and browser.js assemble it.
const webBindings = await import(new URL('../dist/web/jwtward.js', import.meta.url).href);
webBindings.initSync({ module: readFileSync(new URL('../dist/jwtward_bg.wasm', import.meta.url)) });
const { createApi } = await import(new URL('../src/api.js', import.meta.url).href);
const { webCryptoPlatform } = await import(new URL('../src/platform-webcrypto.js', import.meta.url).href);
const web = createApi(webBindings, { platform: webCryptoPlatform });

const casesFile = fileURLToPath(new URL('../../../shared/vectors/wycheproof-jwt-cases.jsonl', import.meta.url));

function verdictOf(error) {
  if (!error || typeof error.code !== 'string') throw error;
  return `${error.code}: ${error.message}`;
}

/** The verdict of every path for one token, as `{ path: 'valid' | 'CODE: message' }`. */
async function verdicts(token, options, now = NOW) {
  const out = {};
  const run = async (path, make, call) => {
    let verifier;
    try {
      verifier = make();
    } catch (error) {
      out[path] = `config ${verdictOf(error)}`;
      return;
    }
    try {
      await call(verifier);
      out[path] = 'valid';
    } catch (error) {
      out[path] = verdictOf(error);
    } finally {
      verifier.free();
    }
  };
  await run('auto', () => new Verifier(options), (v) => v.verify(token, { now }));
  await run('wasm', () => new Verifier({ ...options, backend: 'wasm' }), (v) => v.verify(token, { now }));
  await run('async', () => new Verifier(options), (v) => v.verifyAsync(token, { now }));
  await run('webcrypto', () => new web.Verifier(options), (v) => v.verifyAsync(token, { now }));
  return out;
}

/** Runs `cases` ([name, token, options, now?]) through every path; returns counts, fails on any difference. */
async function compareAll(cases) {
  const differences = [];
  let valid = 0;
  let invalid = 0;
  for (const [name, token, options, now] of cases) {
    const got = await verdicts(token, options, now);
    const distinct = new Set(Object.values(got));
    if (distinct.size !== 1) differences.push(`${name}: ${JSON.stringify(got, null, 1)}`);
    else if (got.wasm === 'valid') valid++;
    else invalid++;
  }
  assert.deepEqual(differences, []);
  return { valid, invalid };
}

const keys = await makeKeys(ALGORITHMS);
const otherKeys = await makeKeys(PUBLIC_KEY_ALGS);

test('generated signature attacks: the same verdict through node:crypto, wasm, verifyAsync and WebCrypto', async (t) => {
  const cases = await attackCases(keys, otherKeys);
  const { valid, invalid } = await compareAll(cases);
  t.diagnostic(`${cases.length} tokens x 4 paths: ${valid} valid, ${invalid} rejected, no difference`);
  // Every algorithm's unmodified and high-S tokens verify; the rest are rejected.
  assert.equal(valid, PUBLIC_KEY_ALGS.length + 3);
  assert.ok(invalid > PUBLIC_KEY_ALGS.length * 15, `${invalid}`);
});

test('shared Wycheproof JWT cases: the same verdict through every path', async (t) => {
  if (!existsSync(casesFile)) {
    t.skip(`skipping: ${casesFile} absent (the shared vectors live beside the repository)`);
    return;
  }
  const rename = { clockToleranceSeconds: 'clockTolerance', maxTokenAgeSeconds: 'maxTokenAge' };
  const cases = readFileSync(casesFile, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const testCase = JSON.parse(line);
      const options = { jwks: testCase.jwks };
      for (const [name, value] of Object.entries(testCase.options)) {
        if (name !== 'now') options[rename[name] ?? name] = value;
      }
      const token = typeof testCase.token === 'string' ? testCase.token : JSON.stringify(testCase.token);
      return [testCase.id, token, options, testCase.options.now];
    });
  const { valid, invalid } = await compareAll(cases);
  t.diagnostic(`${cases.length} shared cases x 4 paths: ${valid} valid, ${invalid} rejected, no difference`);
  assert.ok(valid > 0 && invalid > 600, `${valid} valid, ${invalid} rejected`);
});

/** Counts node:crypto.verify calls during `fn`, optionally replacing its answer. */
function withCryptoVerify(fn, answer) {
  const original = crypto.verify;
  let calls = 0;
  crypto.verify = (...args) => {
    calls++;
    return answer === undefined ? original(...args) : answer;
  };
  try {
    fn();
  } finally {
    crypto.verify = original;
  }
  return calls;
}

test("node:crypto does RSA, ECDSA and Ed25519 arithmetic in Node; backend: 'wasm' never calls it", async () => {
  for (const alg of ['RS256', 'PS384', 'ES256', 'ES512', 'EdDSA', 'Ed25519']) {
    const token = await sign(keys[alg], { sub: 'x' });
    const jwks = { keys: [keys[alg].jwk] };
    const auto = new Verifier({ jwks, cache: false });
    const portable = new Verifier({ jwks, cache: false, backend: 'wasm' });
    assert.equal(withCryptoVerify(() => auto.verify(token, { now: NOW })), 1, alg);
    assert.equal(withCryptoVerify(() => portable.verify(token, { now: NOW })), 0, alg);
  }
  // HMAC secrets never leave the core.
  for (const alg of ['HS256', 'HS512']) {
    const token = await sign(keys[alg], { sub: 'x' });
    const verifier = new Verifier({ jwks: { keys: [keys[alg].jwk] }, cache: false });
    assert.equal(withCryptoVerify(() => verifier.verify(token, { now: NOW })), 0, alg);
  }
});

test('a platform that says every signature verifies still cannot pass what the core checks', async () => {
  const code = (verifier, token) => {
    try {
      verifier.verify(token, { now: NOW });
      return 'valid';
    } catch (error) {
      assert.ok(error instanceof JwtError);
      return error.code;
    }
  };
  const es = keys.ES256;
  const token = await sign(es, { sub: 'x' });
  const [h, p, s] = token.split('.');
  const sig = Buffer.from(s, 'base64url');
  const verifier = new Verifier({ jwks: { keys: [es.jwk, keys.HS256.jwk] }, cache: false });
  const zeroR = Buffer.concat([Buffer.alloc(32), sig.subarray(32)]);
  const cases = {
    'r = 0': `${h}.${p}.${zeroR.toString('base64url')}`,
    'DER-length signature': `${h}.${p}.${Buffer.concat([sig, Buffer.alloc(8)]).toString('base64url')}`,
    'HS256 forgery': `${b64url({ alg: 'HS256', kid: keys.HS256.kid })}.${p}.${b64url('forged-tag-forged-tag-forged-tag')}`,
    'alg none': `${b64url({ alg: 'none' })}.${p}.`,
    'ES384 header on a P-256 key': `${b64url({ alg: 'ES384', kid: es.kid })}.${p}.${s}`,
  };
  let calls = 0;
  for (const [name, forged] of Object.entries(cases)) {
    let got;
    calls += withCryptoVerify(() => {
      got = code(verifier, forged);
    }, true);
    assert.notEqual(got, 'valid', name);
  }
  assert.equal(calls, 0, 'none of these reached the platform');
});

test('verifyAsync: same results and errors as verify, cached, rejects for bad input', async () => {
  const token = await sign(keys.ES256, { sub: 'x', exp: NOW + 60 });
  const verifier = new Verifier({ jwks: { keys: [keys.ES256.jwk] } });
  const viaAsync = await verifier.verifyAsync(token, { now: NOW });
  assert.deepEqual(viaAsync, verifier.verify(token, { now: NOW }));
  await assert.rejects(verifier.verifyAsync(token, { now: NOW + 60 }), { code: 'ERR_JWT_EXPIRED', claim: 'exp' });
  await assert.rejects(verifier.verifyAsync(42), { code: 'ERR_JWT_MALFORMED' });
  await assert.rejects(verifier.verifyAsync(token, { nope: 1 }), { code: 'ERR_OPTIONS_INVALID' });

  // The WebCrypto path, with its cache: the second call is a hit, no promise from WebCrypto.
  const webVerifier = new web.Verifier({ jwks: { keys: [keys.ES256.jwk] } });
  const first = await webVerifier.verifyAsync(token, { now: NOW });
  assert.deepEqual(first, viaAsync);
  const hit = await webVerifier.verifyAsync(token, { now: NOW + 1 });
  assert.deepEqual(hit, first);
  assert.notEqual(hit, first, 'a fresh object');
  assert.deepEqual(webVerifier.cacheStats(), { hits: 1, misses: 1, entries: 1, maxEntries: 1000 });
  await assert.rejects(webVerifier.verifyAsync(token, { now: NOW + 61 }), { code: 'ERR_JWT_EXPIRED' });
  await assert.rejects(webVerifier.verifyAsync(`${token}.${'A'.repeat(70_000)}`), { code: 'ERR_JWT_TOO_LARGE' });
  await assert.rejects(webVerifier.verifyAsync(null), { code: 'ERR_JWT_MALFORMED' });
  // Freed while a check is in flight: the pending result still arrives.
  const other = await sign(keys.ES256, { sub: 'y' });
  const pending = webVerifier.verifyAsync(other, { now: NOW });
  webVerifier.free();
  assert.equal((await pending).payload.sub, 'y');
});

test('WebCrypto refusing a key: the core verifies those tokens, same verdicts', async () => {
  const refusing = {
    importKey: () => Promise.reject(new Error('NotSupportedError')),
    verify: () => Promise.reject(new Error('unreachable')),
  };
  const api = createApi(webBindings, { platform: (k) => webCryptoPlatform(k, refusing) });
  for (const alg of ['ES512', 'EdDSA', 'RS256']) {
    const token = await sign(keys[alg], { sub: alg });
    const verifier = new api.Verifier({ jwks: { keys: [keys[alg].jwk] }, cache: false });
    assert.equal((await verifier.verifyAsync(token, { now: NOW })).payload.sub, alg);
    const [h, p, s] = token.split('.');
    const flipped = Buffer.from(s, 'base64url');
    flipped[3] ^= 1;
    await assert.rejects(verifier.verifyAsync(`${h}.${p}.${flipped.toString('base64url')}`, { now: NOW }), {
      code: 'ERR_JWT_BAD_SIGNATURE',
    });
  }
});

test("backend must be 'auto' or 'wasm'", () => {
  const jwks = { keys: [keys.ES256.jwk] };
  assert.throws(() => new Verifier({ jwks, backend: 'openssl' }), { code: 'ERR_OPTIONS_INVALID', field: 'backend' });
  assert.throws(() => new Verifier({ jwks, backend: 1 }), { code: 'ERR_OPTIONS_INVALID', field: 'backend' });
  new Verifier({ jwks, backend: 'auto' }).free();
  // The Node module is the speed build; the package ships it beside its glue.
  assert.ok(existsSync(`${pkgDir}dist/node/jwtward_bg.wasm`));
  assert.equal(typeof require('jwtward').Verifier.prototype.verifyAsync, 'function');
});
