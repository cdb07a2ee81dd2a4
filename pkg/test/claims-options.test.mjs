// The claim options as a JavaScript user writes them (issue 10 finding 7, issue 11 §3):
// `claims` values are converted value by value, never through JSON.stringify (which turns NaN
// into null and drops undefined), integers beyond 2^53 come as BigInt, and `scopeClaims` says
// where scopes are read. Run after `node scripts/build.mjs`.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { JwtError, Verifier, inspect } from 'jwtward';
import { NOW, hs256, hs256Fixture } from '../testkit/keys.mjs';
import { jwtError } from '../testkit/errors.mjs';

const fx = hs256Fixture('claims');

/** A token whose payload is this exact JSON text (numbers spelt as the issuer wrote them). */
function tokenWithPayloadText(text) {
  return hs256(fx.secret, { alg: 'HS256', kid: 'claims' }, text);
}


function optionsError(options, field) {
  const error = jwtError(() => new Verifier({ jwks: fx.jwks, ...options }));
  assert.equal(error.code, 'ERR_OPTIONS_INVALID', error.message);
  assert.equal(error.field, field, error.message);
  return error;
}

function verdict(verifier, token) {
  try {
    verifier.verify(token, { now: NOW });
    return 'valid';
  } catch (error) {
    if (!(error instanceof JwtError)) throw error;
    return error.code;
  }
}

test('claims: NaN and infinities are refused, never read as null (issue 10 finding 7)', () => {
  for (const value of [NaN, Infinity, -Infinity]) {
    optionsError({ claims: { lvl: value } }, 'claims.lvl');
  }
  // What the finding showed: a token whose lvl is null was accepted by `claims: { lvl: NaN }`.
  const nullLevel = fx.token({ sub: 'x', lvl: null });
  const withNull = new Verifier({ jwks: fx.jwks, claims: { lvl: null } });
  assert.equal(verdict(withNull, nullLevel), 'valid', 'null itself is a JSON value and still works');
});

test('claims: undefined, functions, symbols, holes and non-finite numbers nested anywhere are refused', () => {
  const sparse = [1];
  sparse[2] = 3; // a hole at index 1, which JSON.stringify would write as null
  const refused = [
    undefined,
    [1, NaN],
    [Infinity],
    [undefined],
    sparse,
    { a: undefined },
    { a: { b: -Infinity } },
    { a: [1, { b: [NaN] }] },
    () => 1,
    { f() {} },
    [Symbol('x')],
    Symbol('x'),
    { s: Symbol.iterator },
    new Date(0),
    { at: new Date(0) },
    new Map([['a', 1]]),
    { toJSON: () => 'acme' },
    /acme/,
    new Number(5),
    new String('acme'),
  ];
  for (const value of refused) {
    optionsError({ claims: { lvl: value } }, 'claims.lvl');
  }
  // The claims option itself must be a plain object: a Map's entries are not own properties,
  // so it would otherwise silently require nothing.
  for (const claims of [new Map([['tenant_id', 'acme']]), [['tenant_id', 'acme']], 'tenant_id=acme', 5]) {
    optionsError({ claims }, 'claims');
  }
  // A Proxy whose trap throws is an options error, not an exception thrown through the module.
  const hostile = new Proxy({}, { getPrototypeOf() { throw new Error('trap'); } });
  optionsError({ claims: { lvl: hostile } }, 'claims.lvl');
  // Nesting is bounded, like a token's JSON.
  let deep = 'leaf';
  for (let i = 0; i < 80; i++) deep = [deep];
  optionsError({ claims: { lvl: deep } }, 'claims.lvl');
});

test('claims: JSON values keep working, compared by exact value', () => {
  const plain = Object.create(null);
  plain.id = 'x';
  const verifier = new Verifier({
    jwks: fx.jwks,
    claims: { tenant_id: 'acme', level: 5, ratio: 1.5, zero: -0, flags: [true, null], org: plain, big: 2 ** 53 - 1 },
  });
  const token = (level, big = '9007199254740991') =>
    tokenWithPayloadText(
      `{"tenant_id":"acme","level":${level},"ratio":1.5,"zero":0,"flags":[true,null],"org":{"id":"x"},"big":${big}}`,
    );
  assert.equal(verdict(verifier, token('5')), 'valid');
  assert.equal(verdict(verifier, token('5.0')), 'valid', '5 equals 5.0');
  assert.equal(verdict(verifier, token('6')), 'ERR_JWT_BAD_CLAIM');
  assert.equal(verdict(verifier, token('5', '9007199254740990')), 'ERR_JWT_BAD_CLAIM');
});

test('claims: an integer beyond 2^53 as a number is refused (pass a BigInt); a BigInt is exact', () => {
  // 1234567890123456789 as a JS number is already 1234567890123456768.
  for (const value of [1234567890123456789, 2 ** 53, -(2 ** 53), 1e300, Number.MAX_VALUE, [2 ** 60], { id: 2 ** 64 }]) {
    optionsError({ claims: { org_id: value } }, 'claims.org_id');
  }
  const verifier = new Verifier({ jwks: fx.jwks, claims: { org_id: 1234567890123456789n } });
  const withOrgId = (number) => tokenWithPayloadText(`{"sub":"x","org_id":${number}}`);
  assert.equal(verdict(verifier, withOrgId('1234567890123456789')), 'valid');
  // The cases: every one rounds to the same double as the expected id.
  for (const number of ['1234567890123456700', '1234567890123456800', '1234567890123456831', '1.2345678901234568e18', '1234567890123456788', '1234567890123456790']) {
    assert.equal(verdict(verifier, withOrgId(number)), 'ERR_JWT_BAD_CLAIM', number);
  }
  // The 64-bit limits, nested too.
  const limits = new Verifier({
    jwks: fx.jwks,
    claims: { ids: [-(2n ** 63n), 2n ** 64n - 1n, { small: 7n }] },
  });
  const withIds = (a, b, c) => tokenWithPayloadText(`{"ids":[${a},${b},{"small":${c}}]}`);
  assert.equal(verdict(limits, withIds('-9223372036854775808', '18446744073709551615', '7')), 'valid');
  assert.equal(verdict(limits, withIds('-9223372036854775808', '18446744073709551615', '7.0')), 'valid');
  assert.equal(verdict(limits, withIds('-9223372036854775807', '18446744073709551615', '7')), 'ERR_JWT_BAD_CLAIM');
  assert.equal(verdict(limits, withIds('-9223372036854775808', '18446744073709551614', '7')), 'ERR_JWT_BAD_CLAIM');
  for (const value of [2n ** 64n, -(2n ** 63n) - 1n, [10n ** 30n]]) {
    optionsError({ claims: { org_id: value } }, 'claims.org_id');
  }
});

test('scopeClaims: where scopes are read, validated like every option (issue 11 §3)', () => {
  for (const scopeClaims of [[], [''], ['scp', ''], 'scp', [5], null, {}]) {
    optionsError({ scopeClaims }, 'scopeClaims');
  }
  const verifier = new Verifier({ jwks: fx.jwks, scopeClaims: ['scp', 'roles'], requiredScopes: ['Orders.Read'] });
  const result = verifier.verify(fx.token({ scp: 'User.Read', roles: ['Orders.Read', 'Orders.Write'] }), { now: NOW });
  assert.deepEqual(result.scopes, ['User.Read', 'Orders.Read', 'Orders.Write']);
  // `scope` is not read here.
  assert.equal(verdict(verifier, fx.token({ scope: 'Orders.Read' })), 'ERR_JWT_INSUFFICIENT_SCOPE');
  // A scope claim of another type is malformed, with the claim named.
  const malformed = jwtError(() => verifier.verify(fx.token({ roles: [1] }), { now: NOW }));
  assert.equal(malformed.code, 'ERR_JWT_MALFORMED');
  assert.equal(malformed.claim, 'roles');
  // The default still reads `scope` and `scp`, and refuses a `scope` of another type.
  const byDefault = new Verifier({ jwks: fx.jwks });
  assert.deepEqual(byDefault.verify(fx.token({ scope: 'a b', scp: ['c'] }), { now: NOW }).scopes, ['a', 'b', 'c']);
  assert.equal(jwtError(() => byDefault.verify(fx.token({ scope: 5 }), { now: NOW })).claim, 'scope');
  // explain: the checklist names the claims read, and a rejected token still shows its scopes.
  const report = verifier.explain(fx.token({ roles: ['Orders.Write'] }), { now: NOW });
  assert.equal(report.valid, false);
  assert.equal(report.code, 'ERR_JWT_INSUFFICIENT_SCOPE');
  assert.deepEqual(report.scopes, ['Orders.Write']);
  const line = report.checks.find((check) => check.id === 'scopes');
  assert.equal(line.status, 'failed');
  assert.ok(line.detail.includes('scp') && line.detail.includes('roles'), line.detail);
  const badType = verifier.explain(fx.token({ roles: 'a', scp: {} }), { now: NOW });
  assert.equal(badType.code, 'ERR_JWT_MALFORMED');
  assert.equal(badType.scopes, undefined, 'no scopes from a malformed scope claim');
  // A name starting with `/` is a JSON Pointer (RFC 6901): Keycloak's nested realm and client roles,
  // in verify, explain and inspect alike; `~` only as `~0` or `~1`.
  const keycloak = new Verifier({ jwks: fx.jwks, scopeClaims: ['scope', '/realm_access/roles', '/resource_access/orders-api/roles'], requiredScopes: ['orders-writer'] });
  const roles = { scope: 'profile', realm_access: { roles: ['offline_access'] }, resource_access: { 'orders-api': { roles: ['orders-writer'] }, account: { roles: ['view-profile'] } } };
  assert.deepEqual(keycloak.verify(fx.token(roles), { now: NOW }).scopes, ['profile', 'offline_access', 'orders-writer']);
  assert.equal(verdict(keycloak, fx.token({ resource_access: { account: { roles: ['orders-writer'] } } })), 'ERR_JWT_INSUFFICIENT_SCOPE');
  const nested = jwtError(() => keycloak.verify(fx.token({ realm_access: { roles: 'a' }, resource_access: { 'orders-api': { roles: {} } } }), { now: NOW }));
  assert.deepEqual([nested.code, nested.claim], ['ERR_JWT_MALFORMED', '/resource_access/orders-api/roles']);
  assert.deepEqual(keycloak.explain(fx.token(roles), { now: NOW }).scopes, ['profile', 'offline_access', 'orders-writer']);
  assert.deepEqual(inspect(fx.token(roles), { scopeClaims: ['/resource_access/orders-api/roles'] }).scopes, ['orders-writer']);
  assert.deepEqual(new Verifier({ jwks: fx.jwks, scopeClaims: ['/https:~1~1example.com~1roles'] }).verify(fx.token({ 'https://example.com/roles': ['x'] }), { now: NOW }).scopes, ['x']);
  optionsError({ scopeClaims: ['/a~2b'] }, 'scopeClaims');
  assert.equal(jwtError(() => inspect(fx.token(roles), { scopeClaims: ['/a~'] })).code, 'ERR_OPTIONS_INVALID');
  // inspect (no key, nothing verified) reports what the default scope claims grant.
  assert.deepEqual(inspect(fx.token({ scope: 'a b', scp: ['c', 'a'] })).scopes, ['a', 'b', 'c']);
  assert.equal(inspect(fx.token({ scope: 5 })).scopes, undefined);
});
