// The JavaScript API in Node: results, every ERR_JWT_ code, JwtError, options and JWKS errors,
// decode / inspect / lintJwks / explain, free(). Run after `node scripts/build.mjs`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { JwtError, Verifier, decode, inspect, lintJwks, ready } from 'jwtward';
import { NOW, b64url, hs256, hs256Fixture, makeKeys, sign, tamper } from '../testkit/keys.mjs';
import { jwtError } from '../testkit/errors.mjs';

const D_TS = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8');

/** The string literals of a union type alias in index.d.ts. */
function unionOf(name) {
  const match = D_TS.match(new RegExp(`export type ${name} =([^;]+);`));
  assert.ok(match, `index.d.ts declares ${name}`);
  return [...match[1].matchAll(/'([^']+)'/g)].map((m) => m[1]);
}


test('the package exports the documented API and needs no init in Node', async () => {
  assert.equal(typeof Verifier, 'function');
  assert.equal(typeof decode, 'function');
  assert.equal(typeof inspect, 'function');
  assert.equal(typeof lintJwks, 'function');
  assert.equal(await ready(), undefined);
});

test('verify returns header, payload, scopes, alg and kid', () => {
  const fx = hs256Fixture('k1');
  const payload = { iss: 'https://issuer.example', sub: 'u1', aud: 'api', exp: NOW + 60, scope: 'a b', n: 5 };
  const token = fx.token(payload, { typ: 'JWT' });
  const verifier = new Verifier({ jwks: fx.jwks, issuer: 'https://issuer.example', audience: 'api' });
  const result = verifier.verify(token, { now: NOW });
  assert.deepEqual(result.header, { alg: 'HS256', kid: 'k1', typ: 'JWT' });
  assert.deepEqual(result.payload, payload);
  assert.deepEqual(result.scopes, ['a', 'b']);
  assert.equal(result.alg, 'HS256');
  assert.equal(result.kid, 'k1');
  // The JWK Set may also be given as JSON text.
  const fromText = new Verifier({ jwks: JSON.stringify(fx.jwks), audience: ['x', 'api'] });
  assert.deepEqual(fromText.verify(token, { now: NOW }).payload, payload);
});

test('verify reads the clock when now is not given, and floors fractional seconds', () => {
  const fx = hs256Fixture();
  const realNow = Math.floor(Date.now() / 1000);
  const verifier = new Verifier({ jwks: fx.jwks, cache: false });
  assert.equal(verifier.verify(fx.token({ exp: realNow + 120 })).payload.exp, realNow + 120);
  assert.equal(verifier.verify(fx.token({ exp: realNow + 120 }), {}).alg, 'HS256');
  assert.equal(jwtError(() => verifier.verify(fx.token({ exp: realNow - 120 }))).code, 'ERR_JWT_EXPIRED');
  // exp is exclusive: at exp - 0.5 the token is still valid, at exp it is not.
  const token = fx.token({ exp: NOW + 10 });
  assert.equal(verifier.verify(token, { now: NOW + 9.5 }).alg, 'HS256');
  assert.equal(jwtError(() => verifier.verify(token, { now: NOW + 10 })).code, 'ERR_JWT_EXPIRED');
});

test('JwtError is a real Error subclass with code, claim, message and stack', () => {
  const fx = hs256Fixture();
  const verifier = new Verifier({ jwks: fx.jwks });
  const error = jwtError(() => verifier.verify(fx.token({ exp: NOW - 1 }), { now: NOW }));
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'JwtError');
  assert.equal(error.code, 'ERR_JWT_EXPIRED');
  assert.equal(error.claim, 'exp');
  assert.equal(typeof error.message, 'string');
  assert.ok(error.message.length > 0);
  assert.equal(typeof error.stack, 'string');
  assert.match(error.stack, /^JwtError: /);
  // The stack starts at the caller, and names this file.
  assert.match(error.stack.split('\n')[1], /api\.test\.mjs/);
  assert.equal(Object.prototype.toString.call(error), '[object Error]');
  // Users can build their own (e.g. in tests of their middleware).
  const own = new JwtError('ERR_JWT_BAD_ISSUER', 'nope', { claim: 'iss' });
  assert.ok(own instanceof Error && own.code === 'ERR_JWT_BAD_ISSUER' && own.claim === 'iss');
});

test('every one of the 19 ERR_JWT_ codes reaches JavaScript, with the claim at fault', async () => {
  const fx = hs256Fixture('hs');
  const keys = await makeKeys(['RS256']);
  const jwks = { keys: [...fx.jwks.keys, keys.RS256.jwk] };
  const good = { iss: 'iss-1', sub: 'sub-1', aud: 'aud-1', exp: NOW + 600, iat: NOW - 10, scope: 'read', tenant: 'acme' };
  const strict = new Verifier({
    jwks,
    issuer: 'iss-1',
    audience: 'aud-1',
    subject: 'sub-1',
    requiredClaims: ['tenant'],
    requiredScopes: ['read'],
    claims: { tenant: 'acme' },
    maxTokenAge: 3600,
    typ: 'at+jwt',
    maxTokenLength: 4096,
  });
  const at = { typ: 'at+jwt' };
  assert.equal(strict.verify(fx.token(good, at), { now: NOW }).payload.tenant, 'acme');
  const tampered = tamper(fx.token(good, at));
  const rsOnly = new Verifier({ jwks, algorithms: ['RS256'] });

  const cases = [
    ['ERR_JWT_MALFORMED', strict, 'not.a.jwt'],
    ['ERR_JWT_TOO_LARGE', strict, fx.token({ ...good, pad: 'x'.repeat(5000) }, at)],
    ['ERR_JWT_UNSUPPORTED_ALG', strict, `${b64url({ alg: 'none' })}.${b64url(good)}.`],
    ['ERR_JWT_ALG_NOT_ALLOWED', rsOnly, fx.token(good)],
    ['ERR_JWT_KEY_NOT_FOUND', strict, hs256(fx.secret, { alg: 'HS256', kid: 'nope', ...at }, good)],
    ['ERR_JWT_KEY_MISMATCH', strict, hs256(fx.secret, { alg: 'HS256', kid: keys.RS256.kid, ...at }, good)],
    ['ERR_JWT_BAD_SIGNATURE', strict, tampered],
    ['ERR_JWT_EXPIRED', strict, fx.token({ ...good, exp: NOW - 1 }, at), 'exp'],
    ['ERR_JWT_NOT_YET_VALID', strict, fx.token({ ...good, nbf: NOW + 60 }, at), 'nbf'],
    ['ERR_JWT_ISSUED_IN_FUTURE', strict, fx.token({ ...good, iat: NOW + 60 }, at), 'iat'],
    ['ERR_JWT_TOO_OLD', strict, fx.token({ ...good, iat: NOW - 7200 }, at), 'iat'],
    ['ERR_JWT_BAD_ISSUER', strict, fx.token({ ...good, iss: 'other' }, at), 'iss'],
    ['ERR_JWT_BAD_AUDIENCE', strict, fx.token({ ...good, aud: 'other' }, at), 'aud'],
    ['ERR_JWT_BAD_SUBJECT', strict, fx.token({ ...good, sub: 'other' }, at), 'sub'],
    ['ERR_JWT_BAD_CLAIM', strict, fx.token({ ...good, tenant: 'evil' }, at), 'tenant'],
    ['ERR_JWT_MISSING_CLAIM', strict, fx.token({ ...good, tenant: undefined }, at), 'tenant'],
    ['ERR_JWT_INSUFFICIENT_SCOPE', strict, fx.token({ ...good, scope: 'write' }, at)],
    ['ERR_JWT_BAD_TYP', strict, fx.token(good, { typ: 'JWT' }), 'typ'],
    ['ERR_JWT_UNSUPPORTED_CRIT', strict, fx.token(good, { ...at, crit: ['exp'], exp: 1 })],
  ];
  const seen = new Set();
  for (const [code, verifier, token, claim] of cases) {
    const error = jwtError(() => verifier.verify(token, { now: NOW }));
    assert.equal(error.code, code, `${code}: got ${error.code} (${error.message})`);
    if (claim !== undefined) assert.equal(error.claim, claim, `${code} names the claim`);
    seen.add(error.code);
  }
  // The d.ts union and the runtime agree, code for code.
  assert.deepEqual([...seen].sort(), unionOf('VerifyErrorCode').sort());
  assert.equal(seen.size, 19);
});

test('a token that is not a string is ERR_JWT_MALFORMED, not a TypeError', () => {
  const verifier = new Verifier({ jwks: hs256Fixture().jwks });
  for (const token of [undefined, null, 42, {}, Buffer.from('x')]) {
    assert.equal(jwtError(() => verifier.verify(token)).code, 'ERR_JWT_MALFORMED');
    assert.equal(jwtError(() => decode(token)).code, 'ERR_JWT_MALFORMED');
    assert.equal(jwtError(() => inspect(token)).code, 'ERR_JWT_MALFORMED');
  }
});

test('verify options: now must be a finite number and nothing else is accepted', () => {
  const fx = hs256Fixture();
  const verifier = new Verifier({ jwks: fx.jwks });
  const token = fx.token({ exp: NOW + 60 });
  for (const [options, field] of [
    [{ now: '1750000000' }, 'now'],
    [{ now: Number.NaN }, 'now'],
    [{ now: Number.POSITIVE_INFINITY }, 'now'],
    [{ now: 1e300 }, 'now'],
    [{ noww: NOW }, 'noww'],
    [null, 'options'],
    [NOW, 'options'],
  ]) {
    const error = jwtError(() => verifier.verify(token, options));
    assert.equal(error.code, 'ERR_OPTIONS_INVALID', JSON.stringify(options));
    assert.equal(error.field, field);
  }
});

test('constructor: wrong option types throw ERR_OPTIONS_INVALID naming the field', () => {
  const { jwks } = hs256Fixture();
  const cases = [
    [undefined, 'options'],
    [null, 'options'],
    ['jwks', 'options'],
    [[jwks], 'options'],
    [{}, 'jwks'],
    [{ jwks: 5 }, 'jwks'],
    [{ jwks: [jwks] }, 'jwks'],
    [{ jwks: null }, 'jwks'],
    [{ jwks, issuers: ['x'] }, 'issuers'],
    [{ jwks, aud: 'x' }, 'aud'],
    [{ jwks, issuer: 5 }, 'issuer'],
    [{ jwks, issuer: ['a', 5] }, 'issuer'],
    [{ jwks, audience: { a: 1 } }, 'audience'],
    [{ jwks, subject: ['s'] }, 'subject'],
    [{ jwks, typ: 1 }, 'typ'],
    [{ jwks, algorithms: 'RS256' }, 'algorithms'],
    [{ jwks, algorithms: [256] }, 'algorithms'],
    [{ jwks, requiredClaims: 'tenant' }, 'requiredClaims'],
    [{ jwks, requiredScopes: [null] }, 'requiredScopes'],
    [{ jwks, claims: ['tenant'] }, 'claims'],
    [{ jwks, claims: { tenant: undefined } }, 'claims.tenant'],
    [{ jwks, claims: { tenant: () => 'x' } }, 'claims.tenant'],
    [{ jwks, claims: { tenant: 10n ** 30n } }, 'claims.tenant'], // a BigInt beyond 64 bits (within, it is an exact integer)
    [{ jwks, clockTolerance: '30' }, 'clockTolerance'],
    [{ jwks, clockTolerance: -1 }, 'clockTolerance'],
    [{ jwks, clockTolerance: 1.5 }, 'clockTolerance'],
    [{ jwks, clockTolerance: Number.NaN }, 'clockTolerance'],
    [{ jwks, maxTokenAge: Number.POSITIVE_INFINITY }, 'maxTokenAge'],
    [{ jwks, maxTokenLength: 0 }, 'maxTokenLength'],
    [{ jwks, cache: 'yes' }, 'cache'],
    [{ jwks, cache: null }, 'cache'],
    [{ jwks, cache: { max: 10 } }, 'cache.max'],
    [{ jwks, cache: { maxEntries: -1 } }, 'cache.maxEntries'],
  ];
  for (const [options, field] of cases) {
    const error = jwtError(() => new Verifier(options));
    assert.equal(error.code, 'ERR_OPTIONS_INVALID', `${field}: ${error.message}`);
    assert.equal(error.field, field, `field of ${error.message}`);
  }
});

test('constructor: the core rejects unusable values (empty strings, empty lists)', () => {
  const { jwks } = hs256Fixture();
  for (const [options, field] of [
    [{ jwks, issuer: '' }, 'issuer'],
    [{ jwks, issuer: [] }, 'issuer'],
    [{ jwks, audience: [] }, 'audience'],
    [{ jwks, algorithms: [] }, 'algorithms'],
    [{ jwks, typ: '' }, 'typ'],
    [{ jwks, subject: '' }, 'subject'],
    [{ jwks, clockTolerance: 100_000 }, 'clockTolerance'],
    [{ jwks, maxTokenLength: 17 * 1024 * 1024 }, 'maxTokenLength'],
  ]) {
    const error = jwtError(() => new Verifier(options));
    assert.equal(error.code, 'ERR_OPTIONS_INVALID');
    assert.equal(error.field, field);
  }
});

test('constructor: undefined means "not set"; inherited properties are ignored', () => {
  const fx = hs256Fixture();
  const token = fx.token({ iss: 'someone' });
  const verifier = new Verifier({ jwks: fx.jwks, issuer: undefined, cache: undefined });
  assert.equal(verifier.verify(token, { now: NOW }).payload.iss, 'someone');
  // A polluted prototype cannot add a check or change one.
  const options = Object.create({ issuer: 'injected', cache: 'not-a-cache' });
  options.jwks = fx.jwks;
  assert.equal(new Verifier(options).verify(token, { now: NOW }).payload.iss, 'someone');
});

test('constructor: a bad JWK Set throws ERR_JWKS_INVALID with field jwks', () => {
  const cyclic = { keys: [] };
  cyclic.self = cyclic;
  for (const jwks of ['{not json', '[]', '{}', '{"keys": 5}', { keys: 'x' }, { nokeys: [] }, cyclic]) {
    const error = jwtError(() => new Verifier({ jwks }));
    assert.equal(error.code, 'ERR_JWKS_INVALID', `${typeof jwks} jwks: ${error.message}`);
    assert.equal(error.field, 'jwks');
  }
});

test('algorithms are passed through: unknown names, none included, never verify anything', () => {
  const fx = hs256Fixture();
  const verifier = new Verifier({ jwks: fx.jwks, algorithms: ['none', 'XYZ'] });
  assert.equal(jwtError(() => verifier.verify(fx.token({}), { now: NOW })).code, 'ERR_JWT_ALG_NOT_ALLOWED');
  const none = `${b64url({ alg: 'none' })}.${b64url({})}.`;
  assert.equal(jwtError(() => verifier.verify(none, { now: NOW })).code, 'ERR_JWT_UNSUPPORTED_ALG');
});

test('custom claim values compare as JSON: integers, nested objects, arrays', () => {
  const fx = hs256Fixture();
  const claims = { level: 5, org: { id: 'acme', tier: [1, 2] }, ok: true, none: null };
  const verifier = new Verifier({ jwks: fx.jwks, claims });
  assert.equal(verifier.verify(fx.token({ ...claims }), { now: NOW }).payload.level, 5);
  const error = jwtError(() => verifier.verify(fx.token({ ...claims, level: 5.5 }), { now: NOW }));
  assert.equal(error.code, 'ERR_JWT_BAD_CLAIM');
  assert.equal(error.claim, 'level');
});

test('decode returns header and payload unverified; bad input throws MALFORMED or TOO_LARGE', () => {
  const token = `${b64url({ alg: 'RS256', kid: 'x' })}.${b64url({ sub: 'a', n: [1, 2] })}.c2ln`;
  assert.deepEqual(decode(token), { header: { alg: 'RS256', kid: 'x' }, payload: { sub: 'a', n: [1, 2] } });
  for (const bad of ['', 'a.b', 'a.b.c.d', `${b64url('[1]')}.${b64url({})}.x`, `${b64url({ alg: 'HS256' })}.${b64url('"foo"')}.x`]) {
    assert.equal(jwtError(() => decode(bad)).code, 'ERR_JWT_MALFORMED', bad);
  }
  const huge = `${b64url({ alg: 'HS256' })}.${b64url({ pad: 'x'.repeat(70_000) })}.c2ln`;
  assert.equal(jwtError(() => decode(huge)).code, 'ERR_JWT_TOO_LARGE');
});

test('inspect lists token warnings without a key', () => {
  const unsecured = `${b64url({ alg: 'none' })}.${b64url({ sub: 'a' })}.`;
  const report = inspect(unsecured);
  assert.deepEqual(report.header, { alg: 'none' });
  assert.deepEqual(report.payload, { sub: 'a' });
  const codes = report.warnings.map((w) => w.code);
  assert.ok(codes.includes('alg_none'), codes.join());
  assert.ok(codes.includes('no_exp'), codes.join());
  for (const warning of report.warnings) assert.equal(typeof warning.message, 'string');
  const withJku = `${b64url({ alg: 'RS256', jku: 'https://evil.example/jwks' })}.${b64url({ exp: NOW, iat: NOW - 100 })}.c2ln`;
  assert.ok(inspect(withJku).warnings.some((w) => w.code === 'key_in_header'));
  // Every code the core emits is one the d.ts names.
  const risky = `${b64url({ alg: 'HS256', crit: ['x'], x: 1, jwk: {} })}.${b64url({ iat: NOW, exp: NOW + 10 * 86400, pad: 'x'.repeat(9000) })}.c2ln`;
  const all = [...report.warnings, ...inspect(withJku).warnings, ...inspect(risky).warnings].map((w) => w.code);
  assert.ok(all.length >= 5, all.join());
  for (const code of all) assert.ok(unionOf('TokenWarningCode').includes(code), `${code} is in TokenWarningCode`);
});

test('inspect reports scopes from the claims named by scopeClaims', () => {
  const token = `${b64url({ alg: 'RS256' })}.${b64url({ scope: 'a b', roles: ['app.read'] })}.c2ln`;
  assert.deepEqual(inspect(token).scopes, ['a', 'b']);
  assert.deepEqual(inspect(token, { scopeClaims: ['roles'] }).scopes, ['app.read']);
  assert.deepEqual(inspect(token, { scopeClaims: ['roles', 'scope'] }).scopes, ['app.read', 'a', 'b']);
  assert.equal(jwtError(() => inspect(token, { scopeClaims: [] })).code, 'ERR_OPTIONS_INVALID');
  assert.equal(jwtError(() => inspect(token, { scopeClaim: ['roles'] })).code, 'ERR_OPTIONS_INVALID');
});

test('lintJwks reports key problems; bad sets throw ERR_JWKS_INVALID', async () => {
  const keys = await makeKeys(['RS256']);
  const { alg: _alg, ...noAlg } = keys.RS256.jwk;
  const warnings = lintJwks({
    keys: [noAlg, { ...keys.RS256.jwk, kid: 'dup' }, { ...keys.RS256.jwk, kid: 'dup' }],
  });
  const codes = warnings.map((w) => w.code);
  assert.ok(codes.includes('missing_alg'), codes.join());
  assert.ok(codes.includes('duplicate_kid'), codes.join());
  assert.ok(warnings.some((w) => w.kid === 'dup'));
  for (const w of warnings) assert.ok(unionOf('JwksWarningCode').includes(w.code), w.code);
  assert.deepEqual(lintJwks(JSON.stringify({ keys: [keys.RS256.jwk] })), []);
  assert.equal(jwtError(() => lintJwks('nope')).code, 'ERR_JWKS_INVALID');
  assert.equal(jwtError(() => lintJwks(7)).code, 'ERR_OPTIONS_INVALID');
});

test('explain: the verdict of verify plus every check, never throwing for a bad token', () => {
  const fx = hs256Fixture('k');
  const verifier = new Verifier({ jwks: fx.jwks, issuer: 'i' });
  const ok = verifier.explain(fx.token({ iss: 'i', exp: NOW + 5 }), { now: NOW });
  assert.equal(ok.valid, true);
  assert.equal(ok.alg, 'HS256');
  assert.equal(ok.kid, 'k');
  assert.deepEqual(ok.payload, { iss: 'i', exp: NOW + 5 });
  assert.ok(ok.checks.length >= 10);
  for (const check of ok.checks) {
    assert.deepEqual(Object.keys(check).sort(), ['detail', 'id', 'label', 'status']);
    assert.ok(['passed', 'skipped'].includes(check.status), `${check.id}: ${check.status}`);
  }
  assert.equal(ok.checks.find((c) => c.id === 'signature').status, 'passed');

  const bad = verifier.explain(fx.token({ iss: 'i', exp: NOW - 5 }), { now: NOW });
  assert.equal(bad.valid, false);
  assert.equal(bad.code, 'ERR_JWT_EXPIRED');
  assert.equal(bad.claim, 'exp');
  assert.deepEqual(bad.payload, { iss: 'i', exp: NOW - 5 });
  const statuses = bad.checks.map((c) => c.status);
  assert.equal(statuses.filter((s) => s === 'failed').length, 1);
  assert.equal(bad.checks.find((c) => c.id === 'exp').status, 'failed');
  assert.ok(statuses.slice(statuses.indexOf('failed') + 1).every((s) => s === 'not_reached' || s === 'skipped'));
  // Same verdict as verify, every time.
  assert.equal(jwtError(() => verifier.verify(fx.token({ iss: 'i', exp: NOW - 5 }), { now: NOW })).code, bad.code);

  const garbage = verifier.explain('garbage', { now: NOW });
  assert.equal(garbage.valid, false);
  assert.equal(garbage.code, 'ERR_JWT_MALFORMED');
  assert.equal(garbage.header, undefined);
  assert.equal(verifier.explain(undefined).code, 'ERR_JWT_MALFORMED');
});

test('tokens signed by jose for RS256 and ES256 verify; the kid of the key is reported', async () => {
  const keys = await makeKeys(['RS256', 'ES256']);
  const verifier = new Verifier({ jwks: { keys: [keys.RS256.jwk, keys.ES256.jwk] } });
  for (const key of Object.values(keys)) {
    const result = verifier.verify(await sign(key, { sub: key.alg }), { now: NOW });
    assert.equal(result.alg, key.alg);
    assert.equal(result.kid, key.kid);
    assert.equal(result.payload.sub, key.alg);
  }
});

test('free() releases the verifier; later use throws a plain Error; free is idempotent', () => {
  const fx = hs256Fixture();
  const verifier = new Verifier({ jwks: fx.jwks });
  verifier.free();
  verifier.free();
  assert.throws(() => verifier.verify(fx.token({})), (error) => !(error instanceof JwtError) && /freed/.test(error.message));
  assert.throws(() => verifier.cacheStats(), /freed/);
  if (typeof Symbol.dispose === 'symbol') {
    const other = new Verifier({ jwks: fx.jwks });
    other[Symbol.dispose]();
    assert.throws(() => other.explain('x'), /freed/);
  }
});

// Issue 10, finding 6: options are read from own properties only, so a polluted prototype
// cannot set the clock (or anything else) of verify, verifyAsync and explain.
test('a polluted Object.prototype.now does not set the clock', async () => {
  const fx = hs256Fixture();
  const verifier = new Verifier({ jwks: fx.jwks, cache: false });
  const expired = fx.token({ exp: Math.floor(Date.now() / 1000) - 60 });
  Object.prototype.now = 999_999_000; // eslint-disable-line no-extend-native
  try {
    assert.equal(jwtError(() => verifier.verify(expired, {})).code, 'ERR_JWT_EXPIRED');
    await assert.rejects(verifier.verifyAsync(expired, {}), (error) => error.code === 'ERR_JWT_EXPIRED');
    const report = verifier.explain(expired, {});
    assert.equal(report.valid, false);
    assert.equal(report.code, 'ERR_JWT_EXPIRED');
    // An own `now` still counts.
    assert.equal(verifier.verify(expired, { now: NOW - 1e6 }).alg, 'HS256');
  } finally {
    delete Object.prototype.now;
  }
});

// Found in the key-sources review: the JWK Set object used to reach the core through
// JSON.stringify, which calls a `toJSON` inherited from a polluted Object.prototype, so an
// attacker who could pollute it swapped the key set for their own. Own members only, now.
test('a polluted Object.prototype.toJSON cannot swap the JWK Set', () => {
  const owner = hs256Fixture('k');
  const attacker = hs256Fixture('k');
  const forged = attacker.token({ sub: 'admin' });
  Object.prototype.toJSON = function toJSON() { // eslint-disable-line no-extend-native
    return this === owner.jwks ? attacker.jwks : this;
  };
  let verifier;
  let lint;
  try {
    verifier = new Verifier({ jwks: owner.jwks, cache: false });
    lint = lintJwks({ keys: [{ kty: 'oct', kid: 'short', k: 'AAAA' }] });
  } finally {
    delete Object.prototype.toJSON;
  }
  assert.equal(jwtError(() => verifier.verify(forged)).code, 'ERR_JWT_BAD_SIGNATURE');
  assert.equal(verifier.verify(owner.token({ sub: 'client' })).payload.sub, 'client');
  // lintJwks judges the set it was given (a short secret), not the attacker's sound one.
  assert.ok(lint.some((warning) => warning.kid === 'short'), JSON.stringify(lint));
  // Not a JSON value: refused as a JWK Set, never serialised some other way.
  assert.equal(jwtError(() => new Verifier({ jwks: { keys: [{ kty: 'oct', k: 'AAAA', toJSON() {} }] } })).code, 'ERR_JWKS_INVALID');
});
