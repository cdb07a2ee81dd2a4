// The policy validator and the route matcher, in Node (they are plain JavaScript). What the Worker does
// with a compiled policy is tested in workerd (routes.test.mjs, jwks.test.mjs). Problems are asserted by
// the field they name (the stable part of a problem), never by their wording.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compilePolicy, PolicyError } from '../../pkg/src/guard/policy.js';
import { compilePattern, findRoute, matchPattern, splitPath, UnsafePathError } from '../../pkg/src/guard/routes.js';
import { ROOT } from '../testkit/harness.mjs';

const base = () => ({
  issuer: 'https://issuer.example',
  audience: 'api://orders',
  algorithms: ['ES256'],
  jwksUri: 'https://issuer.example/.well-known/jwks.json',
  routes: [{ path: '/api/orders', scopes: ['orders:read'] }],
});

/** The fields the PolicyError names, e.g. ["routes[0].scopes"]. */
function problemFields(policy) {
  try {
    compilePolicy(policy);
  } catch (error) {
    assert.ok(error instanceof PolicyError, `expected a PolicyError, got ${error}`);
    assert.equal(error.code, 'ERR_POLICY_INVALID');
    return error.problems.map((p) => p.slice(0, p.indexOf(':')));
  }
  assert.fail('the policy compiled, but it is invalid');
}

test('the demo policy compiles', () => {
  const policy = compilePolicy(JSON.parse(readFileSync(join(ROOT, 'worker/policy.demo.json'), 'utf8')));
  assert.equal(policy.routes.length, 3);
  assert.deepEqual(policy.keys.remote, [{ issuer: 'https://issuer.jwtward.example', jwksUri: 'http://127.0.0.1:8787/.well-known/jwks.json', discovery: false }]);
  assert.equal(policy.keys.cache.cooldown, 30);
  assert.equal(policy.keys.cache.minTtl, 60);
  assert.equal(policy.keys.cache.maxTtl, 86_400);
  assert.equal(policy.unmatched, 'deny');
  assert.equal(policy.fallbackRoute, null);
  // The two protected routes have different requirements: two jwtward Verifiers.
  const keys = new Set(policy.routes.filter((r) => !r.public).map((r) => r.requirementKey));
  assert.equal(keys.size, 2);
  assert.ok(Object.isFrozen(policy.routes[0]));
});

test('required fields: issuer, audience, algorithms, keys, routes', () => {
  assert.deepEqual(problemFields({}).sort(), ['algorithms', 'audience', 'issuer', 'jwks', 'routes']);
  assert.deepEqual(problemFields(null), ['(root)']);
});

test('every problem is reported at once', () => {
  const policy = { ...base(), algorithms: ['none', 'ES256'], realm: 'has "quote"', routes: [{ path: 'no-slash', scope: ['x'] }] };
  assert.deepEqual(problemFields(policy).sort(), ['algorithms[0]', 'realm', 'routes[0].path', 'routes[0].scope']);
});

test('unknown fields are errors, not silently ignored', () => {
  assert.deepEqual(problemFields({ ...base(), audiences: ['x'] }), ['audiences']);
  assert.deepEqual(problemFields({ ...base(), routes: [{ path: '/x', requiredScopes: ['a'] }] }), ['routes[0].requiredScopes']);
  assert.deepEqual(problemFields({ ...base(), jwksCache: { ttl: 5 } }), ['jwksCache.ttl']);
});

test('keys: exactly one of jwks and jwksUri; https unless loopback', () => {
  const { jwksUri, ...noKeys } = base();
  assert.deepEqual(problemFields(noKeys), ['jwks']);
  assert.deepEqual(problemFields({ ...base(), jwks: { keys: [] } }), ['jwks']);
  assert.deepEqual(problemFields({ ...base(), jwksUri: 'http://issuer.example/jwks.json' }), ['jwksUri']);
  assert.deepEqual(problemFields({ ...base(), jwksUri: 'https://user:pw@issuer.example/jwks.json' }), ['jwksUri']);
  assert.deepEqual(problemFields({ ...base(), jwksUri: 'not a url' }), ['jwksUri']);
  for (const host of ['127.0.0.1:8787', 'localhost', '[::1]:9000']) {
    assert.equal(compilePolicy({ ...base(), jwksUri: `http://${host}/jwks.json` }).keys.remote[0].jwksUri, `http://${host}/jwks.json`);
  }
  assert.deepEqual(problemFields({ ...noKeys, jwks: { keys: [] }, jwksCache: { cooldown: 5 } }), ['jwksCache']);
  assert.deepEqual(problemFields({ ...base(), jwksCache: { minTtl: 600, maxTtl: 60 } }), ['jwksCache']);
  assert.deepEqual(problemFields({ ...base(), jwksCache: { cooldown: 0 } }), ['jwksCache.cooldown']);
  const inline = compilePolicy({ ...noKeys, jwks: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'AA' }] } });
  assert.ok(inline.keys.inline);
});

test('published JWK Sets may hold public keys only', () => {
  const publishJwks = { path: '/.well-known/jwks.json', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'secret' }] } };
  assert.deepEqual(problemFields({ ...base(), publishJwks }), ['publishJwks.jwks.keys[0]']);
  const hmac = { path: '/jwks', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } };
  assert.deepEqual(problemFields({ ...base(), publishJwks: hmac }), ['publishJwks.jwks.keys[0]']);
});

test('route claims: ":param" must name a parameter of the path', () => {
  assert.deepEqual(problemFields({ ...base(), routes: [{ path: '/tenants/:tenant/*', claims: { tenant_id: ':tenantId' } }] }), ['routes[0].claims.tenant_id']);
  const policy = compilePolicy({ ...base(), routes: [{ path: '/tenants/:tenant/*', claims: { tenant_id: ':tenant', plan: 'gold' } }] });
  const [route] = policy.routes;
  assert.deepEqual(route.paramClaims, [{ claim: 'tenant_id', param: 'tenant' }]);
  assert.deepEqual(route.staticClaims, { plan: 'gold' });
  // jwtward checks presence of the parameter-bound claim and the fixed value.
  assert.deepEqual(route.requirements, { requiredScopes: [], requiredClaims: ['tenant_id'], claims: { plan: 'gold' }, senderConstraint: 'none' });
  assert.deepEqual([...route.routeClaimNames].sort(), ['plan', 'tenant_id']);
});

test('route claims may not redefine a policy-level claim; ":param" only in routes', () => {
  assert.deepEqual(problemFields({ ...base(), claims: { plan: 'gold' }, routes: [{ path: '/x', claims: { plan: 'silver' } }] }), ['routes[0].claims.plan']);
  assert.deepEqual(problemFields({ ...base(), claims: { tenant_id: ':tenant' } }), ['claims.tenant_id']);
});

test('scopes: all-of array, or allOf/anyOf; scope tokens only', () => {
  const policy = compilePolicy({ ...base(), routes: [{ path: '/a', scopes: { allOf: ['w'], anyOf: ['b', 'a'] } }, { path: '/b', scopes: ['x', 'x'] }] });
  assert.deepEqual(policy.routes[0].allScopes, ['w']);
  assert.deepEqual(policy.routes[0].anyScopes, ['b', 'a']);
  assert.equal(policy.routes[0].challengeScope, 'a b w');
  assert.deepEqual(policy.routes[1].allScopes, ['x']);
  assert.deepEqual(problemFields({ ...base(), routes: [{ path: '/a', scopes: ['has space'] }] }), ['routes[0].scopes[0]']);
  assert.deepEqual(problemFields({ ...base(), routes: [{ path: '/a', scopes: ['quo"te'] }] }), ['routes[0].scopes[0]']);
  assert.deepEqual(problemFields({ ...base(), routes: [{ path: '/a', scopes: [] }] }), ['routes[0].scopes']);
  assert.deepEqual(problemFields({ ...base(), routes: [{ path: '/a', scopes: {} }] }), ['routes[0].scopes']);
});

test('public routes take no requirements', () => {
  assert.deepEqual(problemFields({ ...base(), routes: [{ path: '/h', public: true, scopes: ['a'] }] }), ['routes[0]']);
  assert.deepEqual(problemFields({ ...base(), routes: [{ path: '/h', public: 'yes' }] }), ['routes[0].public']);
});

test('routes with the same requirements share one requirement key', () => {
  const policy = compilePolicy({
    ...base(),
    routes: [
      { path: '/a', scopes: ['x', 'y'] },
      { path: '/b', scopes: ['y', 'x'] },
      { path: '/c', scopes: ['x'] },
    ],
  });
  assert.equal(policy.routes[0].requirementKey, policy.routes[1].requirementKey);
  assert.notEqual(policy.routes[0].requirementKey, policy.routes[2].requirementKey);
});

test('forwardClaims: header names, no reserved headers; route maps merge over the policy map', () => {
  assert.deepEqual(problemFields({ ...base(), forwardClaims: { sub: 'X-Auth-Subject' } }), ['forwardClaims.sub']);
  assert.deepEqual(problemFields({ ...base(), forwardClaims: { sub: 'Authorization' } }), ['forwardClaims.sub']);
  assert.deepEqual(problemFields({ ...base(), forwardClaims: { sub: 'CF-Connecting-IP' } }), ['forwardClaims.sub']);
  assert.deepEqual(problemFields({ ...base(), forwardClaims: { sub: 'Bad Header' } }), ['forwardClaims.sub']);
  // `_` reads as `-` at the origin: no target name with one, and reserved names in any spelling.
  assert.deepEqual(problemFields({ ...base(), forwardClaims: { sub: 'X_User' } }), ['forwardClaims.sub']);
  assert.deepEqual(problemFields({ ...base(), forwardClaims: { sub: 'X-HTTP-Method-Override' } }), ['forwardClaims.sub']);
  const policy = compilePolicy({
    ...base(),
    forwardClaims: { client_id: 'X-Auth-Client', email: 'X-Email' },
    routes: [{ path: '/a', forwardClaims: { email: 'X-User-Email' } }],
  });
  assert.deepEqual(policy.routes[0].forwardClaims, [{ claim: 'client_id', header: 'X-Auth-Client' }, { claim: 'email', header: 'X-User-Email' }]);
});

test('forwardAuthorization: policy default, route override', () => {
  const policy = compilePolicy({ ...base(), forwardAuthorization: true, routes: [{ path: '/a' }, { path: '/b', forwardAuthorization: false }] });
  assert.equal(policy.routes[0].forwardAuthorization, true);
  assert.equal(policy.routes[1].forwardAuthorization, false);
  assert.equal(compilePolicy(base()).routes[0].forwardAuthorization, false);
});

test('unmatched: deny by default; authenticate and public give a fallback route', () => {
  assert.equal(compilePolicy(base()).fallbackRoute, null);
  const auth = compilePolicy({ ...base(), unmatched: 'authenticate' }).fallbackRoute;
  assert.equal(auth.public, false);
  assert.deepEqual(auth.requirements, { requiredScopes: [], requiredClaims: [], claims: {}, senderConstraint: 'none' });
  assert.equal(compilePolicy({ ...base(), unmatched: 'public' }).fallbackRoute.public, true);
  assert.deepEqual(problemFields({ ...base(), unmatched: 'allow' }), ['unmatched']);
});

/** The fields a compiled policy's warnings name. */
const warningFields = (policy) => compilePolicy(policy).warnings.map((w) => w.slice(0, w.indexOf(':')));

test('settings that weaken a default compile, each with a warning naming its field', () => {
  assert.deepEqual(warningFields(base()), []);
  assert.deepEqual(warningFields({ ...base(), unmatched: 'deny' }), []);
  assert.deepEqual(warningFields({ ...base(), unmatched: 'authenticate' }), ['unmatched']);
  assert.deepEqual(warningFields({ ...base(), unmatched: 'public' }), ['unmatched']);
  assert.deepEqual(warningFields({ ...base(), forwardMethodOverride: true, keepUnderscoreHeaders: true }), ['forwardMethodOverride', 'keepUnderscoreHeaders']);
  assert.deepEqual(warningFields({ ...base(), forwardMethodOverride: false, keepUnderscoreHeaders: false }), []);
  assert.deepEqual(problemFields({ ...base(), forwardMethodOverride: 'yes' }), ['forwardMethodOverride']);
});

test('otherMethods: "deny" (default) or "unmatched", per route', () => {
  const policy = compilePolicy({ ...base(), routes: [{ path: '/a', methods: ['GET'] }, { path: '/b', methods: ['GET'], otherMethods: 'unmatched' }] });
  assert.deepEqual(policy.routes.map((r) => r.otherMethods), ['deny', 'unmatched']);
  assert.deepEqual(problemFields({ ...base(), routes: [{ path: '/a', otherMethods: 'allow' }] }), ['routes[0].otherMethods']);
});

test('cors: origins are origins; "*" never with credentials', () => {
  assert.deepEqual(problemFields({ ...base(), cors: { allowOrigins: ['https://app.example/'] } }), ['cors.allowOrigins[0]']);
  assert.deepEqual(problemFields({ ...base(), cors: { allowOrigins: ['*'], allowCredentials: true } }), ['cors']);
  assert.deepEqual(problemFields({ ...base(), cors: {} }), ['cors.allowOrigins']);
  const cors = compilePolicy({ ...base(), cors: { allowOrigins: ['https://app.example'] } }).cors;
  assert.ok(cors.allowOrigins.has('https://app.example'));
  assert.equal(cors.anyOrigin, false);
});

test('methods: upper-case HTTP methods or "*"', () => {
  assert.deepEqual(problemFields({ ...base(), routes: [{ path: '/a', methods: ['get'] }] }), ['routes[0].methods[0]']);
  assert.deepEqual(problemFields({ ...base(), routes: [{ path: '/a', methods: [] }] }), ['routes[0].methods']);
  assert.equal(compilePolicy({ ...base(), routes: [{ path: '/a', methods: '*' }] }).routes[0].methods, null);
});

test('numbers are range-checked integers', () => {
  assert.deepEqual(problemFields({ ...base(), clockTolerance: -1 }), ['clockTolerance']);
  assert.deepEqual(problemFields({ ...base(), clockTolerance: 1.5 }), ['clockTolerance']);
  assert.deepEqual(problemFields({ ...base(), maxTokenAge: 0 }), ['maxTokenAge']);
  assert.deepEqual(problemFields({ ...base(), jwksCache: { timeout: 0 } }), ['jwksCache.timeout']);
});

test('patterns: literals, :params, a trailing *', () => {
  assert.deepEqual(compilePattern('/tenants/:tenant/*'), {
    source: '/tenants/:tenant/*',
    segments: [{ literal: 'tenants' }, { param: 'tenant' }],
    wildcard: true,
    params: ['tenant'],
  });
  for (const bad of ['api', '/a/*/b', '/:', '/:1x', '/:a/:a', '/a//b', '/a b', '/a%2Fb']) {
    assert.throws(() => compilePattern(bad), Error, bad);
  }
});

test('matching: exact literals, one segment per :param, * needs one more segment', () => {
  const match = (pattern, path) => matchPattern(compilePattern(pattern), splitPath(path));
  assert.deepEqual(match('/api/orders', '/api/orders'), {});
  assert.equal(match('/api/orders', '/api/orders/'), null);
  assert.equal(match('/api/orders', '/API/orders'), null);
  assert.equal(match('/api/orders/*', '/api/orders'), null);
  assert.deepEqual(match('/api/orders/*', '/api/orders/'), {});
  assert.deepEqual(match('/api/orders/*', '/api/orders/1/items'), {});
  assert.deepEqual(match('/tenants/:tenant/*', '/tenants/acme/orders'), { tenant: 'acme' });
  assert.equal(match('/tenants/:tenant/*', '/tenants//orders'), null);
  assert.equal(match('/tenants/:tenant/*', '/tenants/acme'), null);
  assert.deepEqual(match('/tenants/:tenant', '/tenants/a%20b'), { tenant: 'a b' });
  assert.deepEqual(match('/', '/'), {});
  assert.deepEqual(match('/*', '/'), {});
  assert.deepEqual(match('/*', '/anything/at/all'), {});
  // Matching is on decoded segments: an encoded letter is the same path for the origin.
  assert.deepEqual(match('/api/orders', '/api/%6Frders'), {});
});

test('paths that split differently once decoded are refused', () => {
  for (const path of ['/tenants/acme%2F..%2Fglobex/x', '/a%2fb', '/a%5Cb', '/a%00', '/a\\b', '/bad%zz']) {
    assert.throws(() => splitPath(path), UnsafePathError, path);
  }
});

test('first match wins; a path match with another method lists the allowed methods', () => {
  const policy = compilePolicy({
    ...base(),
    routes: [
      { name: 'public-get', methods: ['GET'], path: '/api/orders', public: true },
      { name: 'post', methods: ['POST'], path: '/api/orders', scopes: ['w'] },
      { name: 'any', path: '/api/items/*' },
    ],
  });
  assert.equal(findRoute(policy.routes, 'GET', splitPath('/api/orders')).route.name, 'public-get');
  assert.equal(findRoute(policy.routes, 'POST', splitPath('/api/orders')).route.name, 'post');
  assert.equal(findRoute(policy.routes, 'DELETE', splitPath('/api/orders')).route, null);
  assert.deepEqual(findRoute(policy.routes, 'DELETE', splitPath('/api/orders')).allowedMethods, ['GET', 'POST']);
  assert.equal(findRoute(policy.routes, 'DELETE', splitPath('/api/items/1')).route.name, 'any');
  assert.equal(findRoute(policy.routes, 'DELETE', splitPath('/api/items')).route, null);
  assert.deepEqual(findRoute(policy.routes, 'DELETE', splitPath('/api/items')).allowedMethods, []);
  // The path belongs to its routes: another method is theirs to refuse, unless every one of them opts out.
  assert.equal(findRoute(policy.routes, 'DELETE', splitPath('/api/orders')).pathOwned, true);
  assert.equal(findRoute(policy.routes, 'DELETE', splitPath('/api/items')).pathOwned, false);
  const optedOut = compilePolicy({
    ...base(),
    routes: [
      { methods: ['GET'], path: '/a', otherMethods: 'unmatched' },
      { methods: ['POST'], path: '/a', otherMethods: 'unmatched' },
      { methods: ['GET'], path: '/b', otherMethods: 'unmatched' },
      { methods: ['POST'], path: '/b' },
    ],
  }).routes;
  assert.deepEqual(findRoute(optedOut, 'DELETE', splitPath('/a')), { route: null, allowedMethods: ['GET', 'POST'], pathOwned: false });
  assert.deepEqual(findRoute(optedOut, 'DELETE', splitPath('/b')), { route: null, allowedMethods: ['GET', 'POST'], pathOwned: true });
});

test('resource (RFC 9728): an https URL; its metadata path, URL and document', () => {
  const policy = compilePolicy({
    ...base(),
    issuer: ['https://a.example', 'https://b.example'],
    resource: 'https://api.example.com/orders',
    routes: [{ path: '/x', scopes: { allOf: ['w'], anyOf: ['b', 'a'] } }, { path: '/y', scopes: ['w', 'r'] }, { path: '/z', public: true }],
  });
  assert.equal(policy.resource.path, '/.well-known/oauth-protected-resource/orders');
  assert.equal(policy.resource.url, 'https://api.example.com/.well-known/oauth-protected-resource/orders');
  assert.deepEqual(JSON.parse(policy.resource.metadata), {
    resource: 'https://api.example.com/orders',
    authorization_servers: ['https://a.example', 'https://b.example'],
    scopes_supported: ['a', 'b', 'r', 'w'],
    bearer_methods_supported: ['header'],
  });
  assert.equal(compilePolicy({ ...base(), resource: 'https://api.example.com/' }).resource.path, '/.well-known/oauth-protected-resource');
  assert.equal(compilePolicy({ ...base(), resource: 'http://127.0.0.1:8080/' }).resource.url, 'http://127.0.0.1:8080/.well-known/oauth-protected-resource');
  assert.equal(compilePolicy(base()).resource, null);
  for (const bad of ['http://api.example.com/', 'https://api.example.com/#x', 'https://api.example.com/?a=1', 'not a url', 'https://u:p@api.example.com/']) {
    assert.deepEqual(problemFields({ ...base(), resource: bad }), ['resource'], bad);
  }
  const publishJwks = { path: '/.well-known/oauth-protected-resource', jwks: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'AA' }] } };
  assert.deepEqual(problemFields({ ...base(), resource: 'https://api.example.com', publishJwks }), ['publishJwks.path']);
});

test('tokenSources: a cookie by name, the query by opt-in (a warning), per route over the policy', () => {
  const policy = compilePolicy({
    ...base(),
    tokenSources: { cookie: 'at' },
    routes: [{ path: '/a' }, { path: '/events', tokenSources: { query: true, cookie: null } }, { path: '/h', public: true }],
  });
  assert.deepEqual(policy.routes.map((r) => r.tokenSources), [{ cookie: 'at', query: false }, { cookie: null, query: true }, { cookie: 'at', query: false }]);
  assert.deepEqual(compilePolicy(base()).routes[0].tokenSources, { cookie: null, query: false });
  assert.deepEqual(policy.warnings.map((w) => w.slice(0, w.indexOf(':'))), ['routes[1].tokenSources.query']);
  assert.deepEqual(warningFields({ ...base(), tokenSources: { query: true } }), ['tokenSources.query']);
  assert.deepEqual(JSON.parse(compilePolicy({ ...base(), resource: 'https://api.example', routes: [{ path: '/e', tokenSources: { query: true } }] }).resource.metadata).bearer_methods_supported, ['header', 'query']);
  assert.deepEqual(problemFields({ ...base(), tokenSources: { cookie: 'a b' } }), ['tokenSources.cookie']);
  assert.deepEqual(problemFields({ ...base(), tokenSources: { header: false } }), ['tokenSources.header']);
  assert.deepEqual(problemFields({ ...base(), tokenSources: { query: 'yes' } }), ['tokenSources.query']);
  assert.deepEqual(problemFields({ ...base(), routes: [{ path: '/h', public: true, tokenSources: { query: true } }] }), ['routes[0]']);
});

test('scopeClaims: a non-empty list of claim names, handed to jwtward', () => {
  assert.deepEqual(compilePolicy({ ...base(), scopeClaims: ['roles', 'scp'] }).verify.scopeClaims, ['roles', 'scp']);
  assert.equal(compilePolicy(base()).verify.scopeClaims, undefined, "jwtward's default (scope, scp)");
  assert.deepEqual(problemFields({ ...base(), scopeClaims: [] }), ['scopeClaims']);
  assert.deepEqual(problemFields({ ...base(), scopeClaims: 'roles' }), ['scopeClaims']);
  assert.deepEqual(problemFields({ ...base(), scopeClaims: ['has space'] }), ['scopeClaims[0]']);
  // JSON Pointers (RFC 6901) for nested roles; a `~` that is not an escape is listed like any problem.
  assert.deepEqual(compilePolicy({ ...base(), scopeClaims: ['scope', '/realm_access/roles'] }).verify.scopeClaims, ['scope', '/realm_access/roles']);
  assert.deepEqual(problemFields({ ...base(), scopeClaims: ['scope', '/a~2', '/ok~0~1'] }), ['scopeClaims[1]']);
});

test('keys from discovery, or from several issuers, each entry with jwksUri or discovery', () => {
  const { jwksUri, ...noKeys } = base();
  const discovered = compilePolicy({ ...noKeys, discovery: true });
  assert.deepEqual(discovered.keys.remote, [{ issuer: 'https://issuer.example', discovery: true }]);
  assert.deepEqual(problemFields({ ...noKeys, discovery: true, issuer: ['https://a.example', 'https://b.example'] }), ['issuer']);
  assert.deepEqual(problemFields({ ...noKeys, discovery: true, issuer: 'http://issuer.example' }), ['issuer']);
  assert.deepEqual(problemFields({ ...noKeys, discovery: false }), ['discovery']);
  assert.deepEqual(problemFields({ ...base(), discovery: true }), ['discovery']);

  const { issuer, ...noIssuer } = noKeys;
  const issuers = [
    { issuer: 'https://a.example', discovery: true },
    { issuer: 'https://b.example', jwksUri: 'https://b.example/keys', audience: 'api://b' },
  ];
  const multi = compilePolicy({ ...noIssuer, issuers, resource: 'https://api.example' });
  assert.equal(multi.keys.issuers, true);
  assert.deepEqual(multi.keys.remote, [
    { issuer: 'https://a.example', discovery: true },
    { issuer: 'https://b.example', jwksUri: 'https://b.example/keys', discovery: false, audience: 'api://b' },
  ]);
  assert.deepEqual(JSON.parse(multi.resource.metadata).authorization_servers, ['https://a.example', 'https://b.example']);
  assert.deepEqual(problemFields({ ...noIssuer, issuers, issuer: 'https://a.example' }), ['issuer']);
  assert.deepEqual(problemFields({ ...noIssuer, issuers: [] }), ['issuers']);
  assert.deepEqual(problemFields({ ...noIssuer, issuers: [{ issuer: 'https://a.example' }] }), ['issuers[0].jwksUri']);
  assert.deepEqual(problemFields({ ...noIssuer, issuers: [{ issuer: 'https://a.example', discovery: true, jwksUri: 'https://a.example/k' }] }), ['issuers[0].jwksUri']);
  assert.deepEqual(problemFields({ ...noIssuer, issuers: [{ jwksUri: 'https://a.example/k' }] }), ['issuers[0].issuer']);
  assert.deepEqual(problemFields({ ...noIssuer, issuers: [issuers[0], issuers[0]] }), ['issuers[1].issuer']);
  assert.deepEqual(problemFields({ ...noIssuer, issuers: [{ ...issuers[0], typ: 'x' }] }), ['issuers[0].typ']);
  const { audience, ...noAudience } = noIssuer;
  assert.deepEqual(problemFields({ ...noAudience, issuers }), ['issuers[0].audience']);
  assert.deepEqual(problemFields({ ...noIssuer, issuers, jwksCache: { maxStale: -1 } }), ['jwksCache.maxStale']);
  assert.equal(compilePolicy({ ...noIssuer, issuers, jwksCache: { maxStale: 0 } }).keys.cache.maxStale, 0);
});

test('senderConstraint: policy level, overridden per route; one of none, dpop, mtls, any', () => {
  const policy = compilePolicy({ ...base(), senderConstraint: 'any', routes: [{ path: '/a' }, { path: '/b', senderConstraint: 'dpop' }, { path: '/c', senderConstraint: 'none' }] });
  assert.deepEqual(policy.routes.map((route) => route.senderConstraint), ['any', 'dpop', 'none']);
  // jwtward checks it: a requirement of the route's Verifier.
  assert.deepEqual(policy.routes.map((route) => route.requirements.senderConstraint), ['any', 'dpop', 'none']);
  assert.equal(new Set(policy.routes.map((route) => route.requirementKey)).size, 3);
  assert.equal(compilePolicy(base()).routes[0].senderConstraint, 'none');
  assert.equal(compilePolicy({ ...base(), senderConstraint: 'mtls', unmatched: 'authenticate' }).fallbackRoute.senderConstraint, 'mtls');
  assert.deepEqual(problemFields({ ...base(), senderConstraint: 'tls' }), ['senderConstraint']);
  assert.deepEqual(problemFields({ ...base(), routes: [{ path: '/a', senderConstraint: 'DPoP' }] }), ['routes[0].senderConstraint']);
  assert.deepEqual(problemFields({ ...base(), routes: [{ path: '/a', public: true, senderConstraint: 'dpop' }] }), ['routes[0]']);
  assert.deepEqual(problemFields({ ...base(), routes: [{ path: '/a', public: true, dpop: { nonce: true } }] }), ['routes[0]']);
});

test('the schemes a route advertises in its challenges (RFC 9449 §7.1, §7.2)', () => {
  const schemes = (policy) => compilePolicy(policy).routes.map(({ schemes: { bearer, dpop, dpopAccepted } }) => ({ bearer, dpop, dpopAccepted }));
  const routes = ['none', 'dpop', 'mtls', 'any'].map((senderConstraint, i) => ({ path: `/r${i}`, senderConstraint }));
  // Without a `dpop` section DPoP is advertised only where bound tokens are required; with one, wherever DPoP is accepted.
  assert.deepEqual(schemes({ ...base(), routes }), [
    { bearer: true, dpop: false, dpopAccepted: true },
    { bearer: false, dpop: true, dpopAccepted: true },
    { bearer: true, dpop: false, dpopAccepted: false },
    { bearer: true, dpop: true, dpopAccepted: true },
  ]);
  assert.deepEqual(schemes({ ...base(), dpop: {}, routes }).map((s) => s.dpop), [true, true, false, true]);
  assert.deepEqual(schemes({ ...base(), routes: [{ path: '/a', dpop: { nonce: false } }] }).map((s) => s.dpop), [true]);
  assert.equal(compilePolicy({ ...base(), dpop: { algorithms: ['ES256', 'EdDSA'] } }).routes[0].schemes.algs, 'ES256 EdDSA');
});

test('dpop: asymmetric algorithms, an iat window, nonces, a public origin', () => {
  const policy = compilePolicy({ ...base(), dpop: { algorithms: ['ES256', 'ES256', 'PS256'], iatWindow: 30, nonce: { rotation: 120 }, publicOrigin: 'https://api.example.com' } });
  assert.deepEqual(policy.verify.dpopAlgorithms, ['ES256', 'PS256']);
  assert.equal(policy.verify.dpopIatWindow, 30);
  assert.deepEqual(policy.routes[0].dpopNonce, { rotation: 120 });
  assert.equal(policy.dpop.publicOrigin, 'https://api.example.com');
  assert.equal(policy.dpop.nonces, true);
  // jwtward's defaults stand when the policy says nothing.
  assert.equal(compilePolicy(base()).verify.dpopAlgorithms, undefined);
  assert.equal(compilePolicy(base()).verify.dpopIatWindow, undefined);
  assert.equal(compilePolicy(base()).routes[0].dpopNonce, null);
  assert.deepEqual(compilePolicy({ ...base(), dpop: { nonce: true } }).routes[0].dpopNonce, { rotation: 300 });
  assert.equal(compilePolicy({ ...base(), dpop: { nonce: false } }).dpop.nonces, false);
  assert.equal(compilePolicy({ ...base(), dpop: { publicOrigin: 'http://127.0.0.1:8787/' } }).dpop.publicOrigin, 'http://127.0.0.1:8787');
  // A route turns nonces on or off; the rotation stays the policy's.
  const routes = compilePolicy({ ...base(), dpop: { nonce: { rotation: 60 } }, routes: [{ path: '/a', dpop: { nonce: false } }, { path: '/b' }] }).routes;
  assert.deepEqual(routes.map((route) => route.dpopNonce), [null, { rotation: 60 }]);
  assert.deepEqual(compilePolicy({ ...base(), routes: [{ path: '/a', dpop: { nonce: true } }] }).routes[0].dpopNonce, { rotation: 300 });

  assert.deepEqual(problemFields({ ...base(), dpop: { algorithms: ['HS256'] } }), ['dpop.algorithms[0]']);
  assert.deepEqual(problemFields({ ...base(), dpop: { algorithms: [] } }), ['dpop.algorithms']);
  assert.deepEqual(problemFields({ ...base(), dpop: { iatWindow: 0 } }), ['dpop.iatWindow']);
  assert.deepEqual(problemFields({ ...base(), dpop: { iatWindow: 7200 } }), ['dpop.iatWindow']);
  assert.deepEqual(problemFields({ ...base(), dpop: { nonce: 'yes' } }), ['dpop.nonce']);
  assert.deepEqual(problemFields({ ...base(), dpop: { nonce: { rotation: 5 } } }), ['dpop.nonce.rotation']);
  assert.deepEqual(problemFields({ ...base(), dpop: { nonce: { every: 60 } } }), ['dpop.nonce.every']);
  for (const origin of ['https://api.example.com/v1', 'http://api.example.com', 'api.example.com', 'https://u:p@api.example.com']) {
    assert.deepEqual(problemFields({ ...base(), dpop: { publicOrigin: origin } }), ['dpop.publicOrigin'], origin);
  }
  assert.deepEqual(problemFields({ ...base(), dpop: { window: 60 } }), ['dpop.window']);
  assert.deepEqual(problemFields({ ...base(), dpop: true }), ['dpop']);
  assert.deepEqual(problemFields({ ...base(), routes: [{ path: '/a', dpop: { nonce: 1 } }] }), ['routes[0].dpop.nonce']);
  assert.deepEqual(problemFields({ ...base(), routes: [{ path: '/a', dpop: { algorithms: ['ES256'] } }] }), ['routes[0].dpop.algorithms']);
});

test('mtls: which client certificates count', () => {
  assert.deepEqual(compilePolicy(base()).mtls, { given: false, certificate: 'verified', read: false });
  // Certificates are read where the policy speaks of mTLS.
  assert.equal(compilePolicy({ ...base(), mtls: {} }).mtls.read, true);
  assert.equal(compilePolicy({ ...base(), routes: [{ path: '/a', senderConstraint: 'any' }] }).mtls.read, true);
  assert.equal(compilePolicy({ ...base(), senderConstraint: 'dpop' }).mtls.read, false);
  assert.equal(compilePolicy({ ...base(), mtls: { certificate: 'presented' } }).mtls.certificate, 'presented');
  assert.deepEqual(problemFields({ ...base(), mtls: { certificate: 'any' } }), ['mtls.certificate']);
  assert.deepEqual(problemFields({ ...base(), mtls: { ca: 'x' } }), ['mtls.ca']);
});

test('RFC 9728 metadata says what sender constraints the resource takes', () => {
  const metadata = (policy) => JSON.parse(compilePolicy({ ...base(), resource: 'https://api.example.com/', ...policy }).resource.metadata);
  const plain = metadata({});
  for (const name of ['dpop_signing_alg_values_supported', 'dpop_bound_access_tokens_required', 'tls_client_certificate_bound_access_tokens']) {
    assert.equal(plain[name], undefined, name);
  }
  const dpop = metadata({ senderConstraint: 'dpop', dpop: { algorithms: ['ES256'] } });
  assert.deepEqual(dpop.dpop_signing_alg_values_supported, ['ES256']);
  assert.equal(dpop.dpop_bound_access_tokens_required, true);
  const some = metadata({ routes: [{ path: '/a', senderConstraint: 'dpop' }, { path: '/b' }, { path: '/c', public: true }] });
  assert.equal(some.dpop_bound_access_tokens_required, undefined, 'not every protected route requires DPoP');
  assert.equal(some.dpop_signing_alg_values_supported.length, 11);
  assert.equal(metadata({ senderConstraint: 'mtls' }).tls_client_certificate_bound_access_tokens, true);
  assert.equal(metadata({ mtls: {} }).tls_client_certificate_bound_access_tokens, true);
});
