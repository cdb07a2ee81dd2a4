// The verified-token cache through the JavaScript API: on by default (1000 entries), a hit skips
// the signature check, time claims are re-checked on every hit, failures are never cached, LRU
// bound, `cache: false`.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { JwtError, Verifier } from 'jwtward';
import { NOW, b64url, hs256Fixture, makeKeys, sign, tamper } from '../testkit/keys.mjs';

function codeOf(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof JwtError, String(error));
    return error.code;
  }
  return 'valid';
}

test('the cache is on by default with 1000 entries; cache: true is the same', () => {
  const { jwks } = hs256Fixture();
  assert.deepEqual(new Verifier({ jwks }).cacheStats(), { hits: 0, misses: 0, entries: 0, maxEntries: 1000 });
  assert.equal(new Verifier({ jwks, cache: true }).cacheStats().maxEntries, 1000);
  assert.equal(new Verifier({ jwks, cache: {} }).cacheStats().maxEntries, 1000);
  assert.equal(new Verifier({ jwks, cache: { maxEntries: 7 } }).cacheStats().maxEntries, 7);
});

test('a repeated token is a hit: same result, the signature is not checked again', async () => {
  const keys = await makeKeys(['ES256']);
  const verifier = new Verifier({ jwks: { keys: [keys.ES256.jwk] } });
  const token = await sign(keys.ES256, { sub: 'a', exp: NOW + 60 });
  const first = verifier.verify(token, { now: NOW });
  assert.deepEqual(verifier.cacheStats(), { hits: 0, misses: 1, entries: 1, maxEntries: 1000 });
  const second = verifier.verify(token, { now: NOW + 1 });
  assert.deepEqual(second, first);
  assert.deepEqual(verifier.cacheStats(), { hits: 1, misses: 1, entries: 1, maxEntries: 1000 });
  // Results are fresh objects, hits too: a caller mutating one cannot poison the cache.
  assert.notEqual(second, first);
  second.payload.sub = 'mallory';
  second.scopes.push('admin');
  assert.equal(verifier.verify(token, { now: NOW }).payload.sub, 'a');
  assert.deepEqual(verifier.verify(token, { now: NOW }).scopes, first.scopes);

  // Timing evidence that hits skip ECDSA: 200 hits cost far less than 200 full verifications.
  const uncached = new Verifier({ jwks: { keys: [keys.ES256.jwk] }, cache: false });
  const time = (v) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 200; i++) v.verify(token, { now: NOW });
    return Number(process.hrtime.bigint() - start);
  };
  time(uncached);
  const full = Math.min(time(uncached), time(uncached));
  const hits = Math.min(time(verifier), time(verifier));
  assert.ok(hits * 3 < full, `hits ${hits} ns vs full ${full} ns for 200 verifications`);
  assert.equal(uncached.cacheStats().hits, 0);
});

test('time claims are re-checked on every hit: exp, nbf', () => {
  const fx = hs256Fixture();
  const verifier = new Verifier({ jwks: fx.jwks });
  const token = fx.token({ nbf: NOW, exp: NOW + 10 });
  assert.equal(codeOf(() => verifier.verify(token, { now: NOW })), 'valid');
  assert.equal(codeOf(() => verifier.verify(token, { now: NOW + 9 })), 'valid');
  // Before nbf: the cached entry does not make it valid.
  assert.equal(codeOf(() => verifier.verify(token, { now: NOW - 1 })), 'ERR_JWT_NOT_YET_VALID');
  assert.equal(codeOf(() => verifier.verify(token, { now: NOW + 5 })), 'valid');
  // At exp: expired although it was cached, and the entry is dropped.
  assert.equal(codeOf(() => verifier.verify(token, { now: NOW + 10 })), 'ERR_JWT_EXPIRED');
  // Hits are answers from the cache (NOW + 9, NOW + 5); outside the window the core answered.
  const stats = verifier.cacheStats();
  assert.equal(stats.misses, 3);
  assert.equal(stats.hits, 2);
  assert.equal(stats.entries, 0);
  // And it stays rejected (now a miss, a full verification that fails).
  assert.equal(codeOf(() => verifier.verify(token, { now: NOW + 10 })), 'ERR_JWT_EXPIRED');
  assert.equal(verifier.cacheStats().entries, 0);
});

test('clock tolerance and maxTokenAge apply on hits too', () => {
  const fx = hs256Fixture();
  const verifier = new Verifier({ jwks: fx.jwks, clockTolerance: 5, maxTokenAge: 100 });
  const token = fx.token({ iat: NOW, exp: NOW + 1000 });
  assert.equal(codeOf(() => verifier.verify(token, { now: NOW })), 'valid');
  assert.equal(codeOf(() => verifier.verify(token, { now: NOW + 105 })), 'valid');
  assert.equal(codeOf(() => verifier.verify(token, { now: NOW + 106 })), 'ERR_JWT_TOO_OLD');
  assert.deepEqual(verifier.cacheStats(), { hits: 1, misses: 2, entries: 0, maxEntries: 1000 });
  // Too old is as final as expired: the entry went, and a clock turned back verifies in full.
  assert.equal(codeOf(() => verifier.verify(token, { now: NOW - 6 })), 'ERR_JWT_ISSUED_IN_FUTURE');
  assert.equal(codeOf(() => verifier.verify(token, { now: NOW - 5 })), 'valid');
  assert.deepEqual(verifier.cacheStats(), { hits: 1, misses: 4, entries: 1, maxEntries: 1000 });
});

test('failures are never cached', () => {
  const fx = hs256Fixture();
  const verifier = new Verifier({ jwks: fx.jwks, issuer: 'good' });
  const tampered = tamper(fx.token({ iss: 'good' }));
  const wrongIssuer = fx.token({ iss: 'bad' });
  for (let i = 0; i < 3; i++) {
    assert.equal(codeOf(() => verifier.verify(tampered, { now: NOW })), 'ERR_JWT_BAD_SIGNATURE');
    assert.equal(codeOf(() => verifier.verify(wrongIssuer, { now: NOW })), 'ERR_JWT_BAD_ISSUER');
    assert.equal(codeOf(() => verifier.verify('garbage', { now: NOW })), 'ERR_JWT_MALFORMED');
  }
  assert.deepEqual(verifier.cacheStats(), { hits: 0, misses: 9, entries: 0, maxEntries: 1000 });
  // A token that was not yet valid at first is verified in full once it is.
  const early = fx.token({ iss: 'good', nbf: NOW + 100 });
  assert.equal(codeOf(() => verifier.verify(early, { now: NOW })), 'ERR_JWT_NOT_YET_VALID');
  assert.equal(verifier.cacheStats().entries, 0);
  assert.equal(codeOf(() => verifier.verify(early, { now: NOW + 100 })), 'valid');
  assert.equal(verifier.cacheStats().entries, 1);
});

test('the cache is LRU-bounded', () => {
  const fx = hs256Fixture();
  const verifier = new Verifier({ jwks: fx.jwks, cache: { maxEntries: 3 } });
  const tokens = Array.from({ length: 6 }, (_, i) => fx.token({ i }));
  for (const token of tokens.slice(0, 3)) verifier.verify(token, { now: NOW });
  assert.equal(verifier.cacheStats().entries, 3);
  verifier.verify(tokens[0], { now: NOW }); // 0 becomes the most recent: 1 is now the oldest
  verifier.verify(tokens[3], { now: NOW }); // evicts 1
  assert.equal(verifier.cacheStats().entries, 3);
  let stats = verifier.cacheStats();
  verifier.verify(tokens[0], { now: NOW });
  verifier.verify(tokens[2], { now: NOW });
  verifier.verify(tokens[3], { now: NOW });
  assert.equal(verifier.cacheStats().hits, stats.hits + 3, '0, 2 and 3 are cached');
  stats = verifier.cacheStats();
  verifier.verify(tokens[1], { now: NOW });
  assert.equal(verifier.cacheStats().misses, stats.misses + 1, '1 was evicted');
  for (const token of tokens) verifier.verify(token, { now: NOW });
  assert.equal(verifier.cacheStats().entries, 3);
});

test('cache: false and maxEntries: 0 turn the cache off', () => {
  const fx = hs256Fixture();
  const token = fx.token({ sub: 'x' });
  for (const cache of [false, { maxEntries: 0 }]) {
    const verifier = new Verifier({ jwks: fx.jwks, cache });
    for (let i = 0; i < 3; i++) verifier.verify(token, { now: NOW });
    assert.deepEqual(verifier.cacheStats(), { hits: 0, misses: 3, entries: 0, maxEntries: 0 });
  }
});

test('explain bypasses the cache; each verifier has its own cache', () => {
  const fx = hs256Fixture();
  const a = new Verifier({ jwks: fx.jwks });
  const b = new Verifier({ jwks: fx.jwks });
  const token = fx.token({ sub: 'x' });
  a.verify(token, { now: NOW });
  a.verify(token, { now: NOW });
  const report = a.explain(token, { now: NOW });
  assert.equal(report.checks.find((c) => c.id === 'signature').status, 'passed');
  assert.deepEqual(a.cacheStats(), { hits: 1, misses: 1, entries: 1, maxEntries: 1000 });
  b.verify(token, { now: NOW });
  assert.deepEqual(b.cacheStats(), { hits: 0, misses: 1, entries: 1, maxEntries: 1000 });
});

test('a cached token under a different policy is judged by that policy', () => {
  const fx = hs256Fixture();
  const token = fx.token({ aud: 'one' });
  const one = new Verifier({ jwks: fx.jwks, audience: 'one' });
  const two = new Verifier({ jwks: fx.jwks, audience: 'two' });
  one.verify(token, { now: NOW });
  one.verify(token, { now: NOW });
  assert.equal(codeOf(() => two.verify(token, { now: NOW })), 'ERR_JWT_BAD_AUDIENCE');
  // An unsigned look-alike of a cached token (same header and payload) is not a hit.
  const [h, p] = token.split('.');
  assert.equal(codeOf(() => one.verify(`${h}.${p}.${b64url('forged')}`, { now: NOW })), 'ERR_JWT_BAD_SIGNATURE');
});

test('a "__proto__" claim stays an own property on hits too (no prototype swap)', () => {
  const fx = hs256Fixture();
  const verifier = new Verifier({ jwks: fx.jwks });
  // JSON.parse makes "__proto__" an own member, and JSON.stringify (the signer) keeps it.
  const token = fx.token(JSON.parse('{"sub":"x","__proto__":{"admin":true},"nested":{"__proto__":[1]}}'));
  for (const call of ['miss', 'hit']) {
    const { payload } = verifier.verify(token, { now: NOW });
    assert.equal(Object.getPrototypeOf(payload), Object.prototype, call);
    assert.equal(payload.admin, undefined, call);
    assert.deepEqual(Object.getOwnPropertyDescriptor(payload, '__proto__').value, { admin: true }, call);
    assert.ok(Array.isArray(Object.getOwnPropertyDescriptor(payload.nested, '__proto__').value), call);
  }
  assert.equal(verifier.cacheStats().hits, 1);
});

// Issue 10, finding 5: the cache must never answer for a `now` the core refuses.
test('a `now` the core refuses is refused on a cache hit too', async () => {
  const fx = hs256Fixture();
  const verifier = new Verifier({ jwks: fx.jwks });
  const token = fx.token({ sub: 'x' });
  verifier.verify(token, { now: NOW });
  await verifier.verifyAsync(token, { now: NOW });
  for (const now of [1e300, -1e300, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, -Number.MAX_VALUE]) {
    for (const call of [(o) => verifier.verify(token, o), (o) => verifier.explain(token, o)]) {
      assert.throws(() => call({ now }), (error) => error instanceof JwtError && error.code === 'ERR_OPTIONS_INVALID' && error.field === 'now', String(now));
    }
    await assert.rejects(verifier.verifyAsync(token, { now }), (error) => error.code === 'ERR_OPTIONS_INVALID' && error.field === 'now');
  }
  // The largest safe integers are still fine (and the cache answers for them when inside the window).
  assert.equal(codeOf(() => verifier.verify(token, { now: Number.MAX_SAFE_INTEGER })), 'valid');
  assert.equal(codeOf(() => verifier.verify(token, { now: -Number.MAX_SAFE_INTEGER })), 'valid');
});

// Issue 10, finding 8: a cached result is copied with own keys only.
test('cache hits equal misses under a polluted Object.prototype', () => {
  const fx = hs256Fixture();
  const verifier = new Verifier({ jwks: fx.jwks });
  const token = fx.token({ sub: 'x', nested: { a: 1 } });
  const miss = verifier.verify(token, { now: NOW });
  Object.prototype.polluted = 'yes'; // eslint-disable-line no-extend-native
  try {
    const hit = verifier.verify(token, { now: NOW });
    assert.equal(verifier.cacheStats().hits, 1);
    for (const [a, b] of [[hit, miss], [hit.payload, miss.payload], [hit.header, miss.header], [hit.payload.nested, miss.payload.nested]]) {
      assert.deepEqual(Object.keys(a), Object.keys(b));
      assert.equal(Object.hasOwn(a, 'polluted'), false);
    }
  } finally {
    delete Object.prototype.polluted;
  }
});

// Issue 10, finding 9: `hits` counts answers given from the cache, nothing else.
test('cacheStats: a lookup outside the time window is a miss, not a hit', () => {
  const fx = hs256Fixture();
  const verifier = new Verifier({ jwks: fx.jwks });
  const token = fx.token({ nbf: NOW, exp: NOW + 10 });
  verifier.verify(token, { now: NOW });
  assert.equal(codeOf(() => verifier.verify(token, { now: NOW - 1 })), 'ERR_JWT_NOT_YET_VALID');
  assert.deepEqual(verifier.cacheStats(), { hits: 0, misses: 2, entries: 1, maxEntries: 1000 });
  assert.equal(codeOf(() => verifier.verify(token, { now: NOW + 1 })), 'valid');
  assert.deepEqual(verifier.cacheStats(), { hits: 1, misses: 2, entries: 1, maxEntries: 1000 });
});
