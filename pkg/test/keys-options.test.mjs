// Remote keys, the parts that need no issuer: options of RemoteJwks and of a Verifier with
// `jwksUri`, `discovery` or `issuers` (strict, own properties only, every error naming the field
// as the user wrote it), the hint for a URL given as `jwks`, the TTL rule and the metadata URLs.
// The behaviour against issuers is in keys-node / keys-workerd / keys-browser.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { JwtError, RemoteJwks, Verifier, cacheApiStore, kvStore, lintJwks, memoryStore } from 'jwtward';
import { metadataUrls } from '../src/keys/discovery.js';
import { ttlFromHeaders } from '../src/keys/fetch.js';
import { NOW, hs256Fixture } from '../testkit/keys.mjs';
import { jwtError } from '../testkit/errors.mjs';

const ISSUER = 'https://login.example.com/';
const JWKS_URI = 'https://login.example.com/.well-known/jwks.json';


test('a URL given as `jwks` is refused with a hint: pass `jwksUri`', () => {
  for (const make of [
    () => new Verifier({ jwks: JWKS_URI }),
    () => new Verifier({ jwks: ' http://127.0.0.1:8080/jwks.json' }),
    () => new Verifier({ issuers: [{ issuer: ISSUER, jwks: JWKS_URI }] }),
    () => lintJwks(JWKS_URI),
  ]) {
    const error = jwtError(make);
    assert.equal(error.code, 'ERR_JWKS_INVALID');
    assert.match(error.field, /^(issuers\[0\]\.)?jwks$/);
    // The hint is the point of this check.
    assert.ok(error.message.includes('jwksUri'), error.message);
  }
});

test('Verifier: where keys come from is checked before anything is fetched', () => {
  const { jwks } = hs256Fixture();
  const keys = new RemoteJwks({ jwksUri: JWKS_URI, issuer: ISSUER });
  const cases = [
    [{ issuer: ISSUER }, 'jwks', 'ERR_OPTIONS_INVALID'],
    [{ jwks, jwksUri: JWKS_URI }, 'jwksUri', 'ERR_OPTIONS_INVALID'],
    [{ jwks, discovery: true, issuer: ISSUER }, 'discovery', 'ERR_OPTIONS_INVALID'],
    [{ discovery: true }, 'issuer', 'ERR_OPTIONS_INVALID'],
    [{ discovery: true, issuer: [ISSUER] }, 'issuer', 'ERR_OPTIONS_INVALID'],
    [{ discovery: true, issuer: 'https://login.example.com/?tenant=a' }, 'issuer', 'ERR_OPTIONS_INVALID'],
    [{ discovery: true, issuer: 'http://login.example.com/' }, 'issuer', 'ERR_OPTIONS_INVALID'],
    [{ discovery: 'yes', issuer: ISSUER }, 'discovery', 'ERR_OPTIONS_INVALID'],
    [{ discovery: true, issuer: ISSUER, jwksUri: JWKS_URI }, 'jwksUri', 'ERR_OPTIONS_INVALID'],
    [{ jwksUri: 'http://login.example.com/jwks' }, 'jwksUri', 'ERR_OPTIONS_INVALID'],
    [{ jwksUri: 5 }, 'jwksUri', 'ERR_OPTIONS_INVALID'],
    // Key-source tuning without a key source would be silently ignored.
    [{ jwks, cooldown: 30 }, 'cooldown', 'ERR_OPTIONS_INVALID'],
    [{ jwks, onEvent: () => {} }, 'onEvent', 'ERR_OPTIONS_INVALID'],
    [{ jwks: keys, timeout: 5 }, 'timeout', 'ERR_OPTIONS_INVALID'],
    [{ jwks: keys, jwksUri: JWKS_URI }, 'jwksUri', 'ERR_OPTIONS_INVALID'],
    [{ jwks: keys, issuer: 'https://other.example/' }, 'issuer', 'ERR_OPTIONS_INVALID'],
    [{ jwksUri: JWKS_URI, cooldown: 0 }, 'cooldown', 'ERR_OPTIONS_INVALID'],
    [{ jwksUri: JWKS_URI, timeout: Number.NaN }, 'timeout', 'ERR_OPTIONS_INVALID'],
    [{ jwksUri: JWKS_URI, timeout: '5' }, 'timeout', 'ERR_OPTIONS_INVALID'],
    [{ jwksUri: JWKS_URI, maxStale: -1 }, 'maxStale', 'ERR_OPTIONS_INVALID'],
    [{ jwksUri: JWKS_URI, minTtl: 600, maxTtl: 60 }, 'minTtl', 'ERR_OPTIONS_INVALID'],
    [{ jwksUri: JWKS_URI, fetch: 'fetch' }, 'fetch', 'ERR_OPTIONS_INVALID'],
    [{ jwksUri: JWKS_URI, store: new Map() }, 'store', 'ERR_OPTIONS_INVALID'],
    [{ jwksUri: JWKS_URI, clock: 5 }, 'clock', 'ERR_OPTIONS_INVALID'],
    // The policy still goes to the core, which checks it at construction.
    [{ jwksUri: JWKS_URI, audience: [] }, 'audience', 'ERR_OPTIONS_INVALID'],
    [{ jwksUri: JWKS_URI, aud: 'x' }, 'aud', 'ERR_OPTIONS_INVALID'],
    [{ jwksUri: JWKS_URI, cache: 'yes' }, 'cache', 'ERR_OPTIONS_INVALID'],
  ];
  for (const [options, field, code] of cases) {
    const error = jwtError(() => new Verifier(options));
    assert.equal(error.code, code, `${JSON.stringify(options)}: ${error.message}`);
    assert.equal(error.field, field, `${JSON.stringify(options)}: ${error.message}`);
  }
});

test('Verifier with issuers: each entry checked, errors name the entry', () => {
  const { jwks } = hs256Fixture();
  const a = { issuer: 'https://a.example/', discovery: true };
  const cases = [
    [{ issuers: [] }, 'issuers'],
    [{ issuers: a }, 'issuers'],
    [{ issuers: [a], issuer: 'https://a.example/' }, 'issuer'],
    [{ issuers: [a], jwks }, 'issuers'],
    [{ issuers: [a], jwksUri: JWKS_URI }, 'issuers'],
    [{ issuers: ['https://a.example/'] }, 'issuers[0]'],
    [{ issuers: [a, { discovery: true }] }, 'issuers[1].issuer'],
    [{ issuers: [a, { issuer: 'https://b.example/' }] }, 'issuers[1].jwksUri'],
    [{ issuers: [a, { issuer: 'https://b.example/', discovery: true, jwksUri: JWKS_URI }] }, 'issuers[1].discovery'],
    [{ issuers: [a, { ...a }] }, 'issuers[1].issuer'],
    [{ issuers: [a, { issuer: 'https://b.example/', jwksUri: 'ftp://b.example/keys' }] }, 'issuers[1].jwksUri'],
    [{ issuers: [{ ...a, cache: false }] }, 'issuers[0].cache'],
    [{ issuers: [{ ...a, cooldown: 5 }] }, 'issuers[0].cooldown'],
    [{ issuers: [{ ...a, audience: [] }] }, 'issuers[0].audience'],
    [{ issuers: [{ ...a, claims: { tenant: undefined } }] }, 'issuers[0].claims.tenant'],
    [{ issuers: [a], audience: [] }, 'audience'],
    [{ issuers: [a], cooldown: -1 }, 'cooldown'],
  ];
  for (const [options, field] of cases) {
    const error = jwtError(() => new Verifier(options));
    assert.equal(error.code, 'ERR_OPTIONS_INVALID', `${JSON.stringify(options)}: ${error.message}`);
    assert.equal(error.field, field, `${JSON.stringify(options)}: ${error.message}`);
    assert.ok(error.message.includes(`\`${field}\``), error.message);
  }
  // An entry may hold its keys inline: that issuer's tokens verify with no network.
  const fx = hs256Fixture('inline');
  const verifier = new Verifier({ issuers: [{ issuer: 'https://inline.example/', jwks: fx.jwks }, a], algorithms: ['HS256', 'ES256'] });
  assert.equal(verifier.verify(fx.token({ iss: 'https://inline.example/' }), { now: NOW }).kid, 'inline');
  assert.equal(jwtError(() => verifier.verify(fx.token({ iss: 'https://c.example/' }), { now: NOW })).code, 'ERR_JWT_BAD_ISSUER');
  assert.equal(jwtError(() => verifier.verify('x.y', { now: NOW })).code, 'ERR_JWT_MALFORMED');
  verifier.free();
});

test('RemoteJwks: options', () => {
  const cases = [
    [undefined, 'options'],
    [JWKS_URI, 'options'],
    [{}, 'jwksUri'],
    [{ jwksUri: JWKS_URI, issuer: [ISSUER] }, 'issuer'],
    [{ jwksUri: JWKS_URI, audience: 'x' }, 'audience'],
    [{ discovery: true, issuer: ISSUER, cooldown: 1e9 }, 'cooldown'],
    [{ jwksUri: JWKS_URI, store: { get() {} } }, 'store'],
  ];
  for (const [options, field] of cases) {
    const error = jwtError(() => new RemoteJwks(options));
    assert.equal(error.code, 'ERR_OPTIONS_INVALID', `${JSON.stringify(options)}: ${error.message}`);
    assert.equal(error.field, field);
  }
  const keys = new RemoteJwks({ issuer: ISSUER, discovery: true, cooldown: 30, timeout: 5, store: null });
  assert.equal(keys.issuer, ISSUER);
  assert.deepEqual(keys.status(), { issuer: ISSUER, jwksUri: undefined, loaded: false, stale: false, kids: [], fetchedAt: undefined, expiresAt: undefined, lastError: undefined });
  // The keys' issuer is the Verifier's when it sets none.
  const verifier = new Verifier({ jwks: keys, audience: 'api://orders' });
  verifier.free();
});

test('options are read from own properties only (a polluted prototype adds no key source)', async () => {
  const fx = hs256Fixture();
  const token = fx.token({ iss: 'https://issuer.example' });
  let fetched = 0;
  const originalFetch = globalThis.fetch;
  globalThis.fetch = () => {
    fetched += 1;
    return Promise.reject(new Error('no network in this test'));
  };
  Object.prototype.jwksUri = 'https://attacker.example/jwks.json'; // eslint-disable-line no-extend-native
  Object.prototype.discovery = true; // eslint-disable-line no-extend-native
  let storeReads = 0;
  Object.prototype.store = { get: () => (storeReads += 1) && undefined, put() {} }; // eslint-disable-line no-extend-native
  try {
    const verifier = new Verifier({ jwks: fx.jwks });
    assert.equal((await verifier.verifyAsync(token, { now: NOW })).alg, 'HS256');
    // With a real key source, the prototype's `store` and `discovery` are not read either.
    const remote = new Verifier({ jwksUri: 'https://issuer.example/jwks.json', timeout: 0.5 });
    await assert.rejects(remote.verifyAsync(token, { now: NOW }), (error) => error.code === 'ERR_JWKS_UNAVAILABLE');
    assert.equal(fetched, 1, 'the configured URL, once');
    assert.equal(storeReads, 0, 'no store but the configured (default) one');
  } finally {
    delete Object.prototype.jwksUri;
    delete Object.prototype.discovery;
    delete Object.prototype.store;
    globalThis.fetch = originalFetch;
  }
});

test('verify options: waitUntil must be a function; ERR_JWKS_UNAVAILABLE carries retryAfter', async () => {
  const { jwks } = hs256Fixture();
  const inline = new Verifier({ jwks });
  const error = jwtError(() => inline.verify('x', { waitUntil: 'ctx' }));
  assert.equal(error.code, 'ERR_OPTIONS_INVALID');
  assert.equal(error.field, 'waitUntil');
  const remote = new Verifier({ jwksUri: 'https://127.0.0.1:1/jwks.json', fetch: () => Promise.reject(new TypeError('refused')), store: null });
  const unavailable = await remote.verifyAsync(hs256Fixture().token({}), { waitUntil: () => {} }).catch((e) => e);
  assert.ok(unavailable instanceof JwtError);
  assert.equal(unavailable.code, 'ERR_JWKS_UNAVAILABLE');
  assert.equal(unavailable.retryAfter, 5, 'min(cooldown, 5 s) before the first retry');
  await assert.rejects(remote.ready({ waitUntil: 5 }), (e) => e.code === 'ERR_OPTIONS_INVALID' && e.field === 'waitUntil');
  await assert.rejects(remote.ready({ now: 5 }), (e) => e.code === 'ERR_OPTIONS_INVALID' && e.field === 'now');
});

test('free() while verifyAsync waits for keys: the call fails with the freed error, nothing leaks', async () => {
  let release;
  const gate = new Promise((resolve) => {
    release = resolve;
  });
  const fx = hs256Fixture();
  const fetchImpl = async () => {
    await gate;
    return new Response(JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', kid: 'k', alg: 'ES256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] }), { status: 200 });
  };
  const verifier = new Verifier({ jwksUri: JWKS_URI, fetch: fetchImpl, store: null, algorithms: ['ES256', 'HS256'] });
  const pending = verifier.verifyAsync(fx.token({}));
  verifier.free();
  release();
  await assert.rejects(pending, (error) => !(error instanceof JwtError) && /freed/.test(error.message));
});

test('TTL: Cache-Control max-age minus Age, clamped; no-store and no-cache are the minimum', () => {
  const limits = { minTtlMs: 60_000, maxTtlMs: 86_400_000, defaultTtlMs: 600_000 };
  const ttl = (headers) => ttlFromHeaders(new Headers(headers), limits);
  assert.equal(ttl({}), 600_000);
  assert.equal(ttl({ 'cache-control': 'public, max-age=3600' }), 3_600_000);
  assert.equal(ttl({ 'cache-control': 'max-age=3600', age: '600' }), 3_000_000);
  assert.equal(ttl({ 'cache-control': 'max-age=3600', age: 'soon' }), 3_600_000);
  assert.equal(ttl({ 'cache-control': 'max-age=5' }), 60_000);
  assert.equal(ttl({ 'cache-control': 'max-age=100', age: '400' }), 60_000);
  assert.equal(ttl({ 'cache-control': 'max-age=9999999' }), 86_400_000);
  assert.equal(ttl({ 'cache-control': 'no-store' }), 60_000);
  assert.equal(ttl({ 'cache-control': 'no-cache, max-age=3600' }), 60_000);
  assert.equal(ttl({ 'cache-control': 'max-age=oops' }), 600_000);
  assert.equal(ttl({ 'cache-control': 'MAX-AGE="120"' }), 120_000);
});

test('discovery URLs: OpenID Connect appends, RFC 8414 inserts the well-known path', () => {
  assert.deepEqual(metadataUrls('https://login.example.com/'), [
    'https://login.example.com/.well-known/openid-configuration',
    'https://login.example.com/.well-known/oauth-authorization-server',
  ]);
  assert.deepEqual(metadataUrls('https://login.example.com/tenant/v2'), [
    'https://login.example.com/tenant/v2/.well-known/openid-configuration',
    'https://login.example.com/.well-known/oauth-authorization-server/tenant/v2',
  ]);
  assert.deepEqual(metadataUrls('https://login.example.com/tenant/'), [
    'https://login.example.com/tenant/.well-known/openid-configuration',
    'https://login.example.com/.well-known/oauth-authorization-server/tenant',
  ]);
});

test('stores: memory keeps entries for their ttl; KV and Cache API adapters map keys and ttl', async () => {
  const memory = memoryStore();
  await memory.put('k', 'v', 60);
  assert.equal(await memory.get('k'), 'v');
  await memory.put('gone', 'v', 0);
  assert.equal(await memory.get('gone'), undefined);

  const kv = new Map();
  const namespace = {
    get: async (key) => kv.get(key)?.value ?? null,
    put: async (key, value, options) => kv.set(key, { value, options }),
  };
  const store = kvStore(namespace);
  await store.put('short', 'v', 5);
  assert.deepEqual(kv.get('short'), { value: 'v', options: { expirationTtl: 60 } }, 'KV keeps entries 60 s at least');
  assert.equal(await store.get('short'), 'v');
  assert.equal(await store.get('missing'), undefined);
  const long = 'x'.repeat(600);
  await store.put(long, 'w', 3600);
  const [name] = [...kv.keys()].filter((k) => k !== 'short');
  assert.match(name, /^jwtward:sha256:[0-9a-f]{64}$/, 'KV names are at most 512 bytes');
  assert.equal(await store.get(long), 'w');
  assert.throws(() => kvStore(undefined), TypeError);

  const cached = new Map();
  const cache = {
    match: async (url) => cached.get(url)?.clone(),
    put: async (url, response) => cached.set(url, response),
  };
  const cacheStore = cacheApiStore(cache);
  await cacheStore.put('jwtward/keys/v1 "https://a.example/" https://a.example/jwks', 'doc', 600);
  const [url] = cached.keys();
  assert.match(url, /^https:\/\/jwtward\.invalid\/keys\//);
  assert.equal(cached.get(url).headers.get('cache-control'), 'max-age=600');
  assert.equal(await cacheStore.get('jwtward/keys/v1 "https://a.example/" https://a.example/jwks'), 'doc');
  assert.equal(await cacheStore.get('other'), undefined);
});

test('ready() resolves once the keys are in the store: another isolate finds them there', async () => {
  // RFC 7515 appendix A.3's P-256 public key.
  const jwks = { keys: [{ kty: 'EC', crv: 'P-256', kid: 'a3', alg: 'ES256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] };
  const written = new Map();
  const slowStore = {
    get: async () => undefined,
    put: (key, value) =>
      new Promise((resolve) => {
        setTimeout(() => {
          written.set(key, value);
          resolve();
        }, 100);
      }),
  };
  const keys = new RemoteJwks({ jwksUri: JWKS_URI, store: slowStore, fetch: async () => new Response(JSON.stringify(jwks), { status: 200 }) });
  await keys.ready();
  assert.equal(written.size, 1, 'written before ready() resolved');
  let fetched = 0;
  const fresh = new RemoteJwks({
    jwksUri: JWKS_URI,
    store: { get: async (key) => written.get(key), put() {} },
    fetch: async () => {
      fetched += 1;
      throw new TypeError('unreachable');
    },
  });
  await fresh.ready();
  assert.deepEqual([fresh.status().loaded, fresh.status().kids, fetched], [true, ['a3'], 0]);
});
