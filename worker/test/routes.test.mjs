// Every route decision of the Worker, in real workerd: public, 401 without a token, 401 invalid_token,
// 403 insufficient_scope, tenant isolation, unmatched routes, identity headers and spoofing, the
// Authorization header, the proxy to ORIGIN_URL, the demo identity answer, CORS, and the log lines.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bearer, closeAll, parseChallenge, startEchoOrigin, startIssuer, startWorker, testPolicy } from '../testkit/harness.mjs';

after(closeAll);

const ERROR_BODY_KEYS = ['code', 'error', 'message'];
// jwtward's errors name the claim (or the part of a DPoP proof) that failed, when there is one.
const errorBodyKeys = (body) => (body.claim === undefined ? ERROR_BODY_KEYS : ['claim', ...ERROR_BODY_KEYS]);

async function json(response) {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    assert.fail(`not JSON (HTTP ${response.status}): ${text.slice(0, 200)}`);
  }
}

/**
 * Asserts an RFC 6750 error answer: the status, the challenge (realm, error, error_description
 * "<code>: <message>", scope for a 403) and the JSON body { error, code, message }.
 */
async function assertBearerError(response, { status, error, code, scope }) {
  assert.equal(response.status, status);
  const challenge = parseChallenge(response.headers.get('www-authenticate'));
  assert.equal(challenge.scheme, 'Bearer');
  assert.equal(challenge.realm, 'test-api');
  assert.equal(challenge.error, error);
  assert.ok(challenge.error_description.startsWith(`${code}: `), challenge.error_description);
  assert.ok(challenge.error_description.length > code.length + 2, 'the description carries the message');
  assert.equal(challenge.scope, scope);
  assert.equal(challenge.unparsed, undefined);
  const body = await json(response);
  assert.deepEqual(Object.keys(body).sort(), errorBodyKeys(body));
  assert.equal(body.error, error);
  assert.equal(body.code, code);
  assert.equal(response.headers.get('cache-control'), 'no-store');
}

/** A 401 invalid_token answer with jwtward's code. */
const assertInvalidToken = (response, code) => assertBearerError(response, { status: 401, error: 'invalid_token', code, scope: undefined });

/** A 403 insufficient_scope answer with the code and the `scope` attribute (undefined: none). */
const assertForbidden = (response, code, scope) => assertBearerError(response, { status: 403, error: 'insufficient_scope', code, scope });

describe('demo mode (no origin): decisions and the identity answer', { timeout: 120_000 }, () => {
  let issuer;
  let worker;
  let token; // orders:read, tenant acme, client_id set
  const routes = [
    { name: 'health', methods: ['GET', 'HEAD'], path: '/health', public: true },
    { name: 'list orders', methods: ['GET'], path: '/api/orders', scopes: ['orders:read'] },
    { name: 'create order', methods: ['POST'], path: '/api/orders', scopes: { allOf: ['orders:write'], anyOf: ['clerk', 'admin'] } },
    { name: 'tenant', path: '/tenants/:tenant/*', claims: { tenant_id: ':tenant' } },
    { name: 'premium', path: '/premium', claims: { plan: 'gold' } },
    { name: 'profile', path: '/profile', requiredClaims: ['email'] },
  ];

  before(async () => {
    issuer = await startIssuer();
    issuer.publish(await issuer.addKey('k1'));
    worker = await startWorker({
      policy: testPolicy(issuer, {
        requiredClaims: ['client_id'],
        forwardClaims: { client_id: 'X-Auth-Client' },
        cors: { allowOrigins: ['https://app.example'] },
        routes,
      }),
    });
    token = await issuer.sign({ scope: 'orders:read', tenant_id: 'acme', client_id: 'machine-7' });
  });
  after(async () => {
    await worker?.dispose();
    await issuer?.close();
  });

  test('a public route needs no token, and ignores one', async () => {
    for (const headers of [{}, bearer('not-a-token')]) {
      const response = await worker.request('/health', { headers });
      assert.equal(response.status, 200);
      assert.deepEqual(await json(response), { route: 'health', decision: 'public', status: 'ok' });
    }
    assert.equal((await worker.request('/health', { method: 'HEAD' })).status, 200);
  });

  test('no token: 401 with the bare Bearer challenge', async () => {
    for (const headers of [{}, { authorization: 'Basic dXNlcjpwYXNz' }, { authorization: 'Bearer' }, { authorization: 'Bearer ' }]) {
      const response = await worker.request('/api/orders', { headers });
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="test-api"');
      const body = await json(response);
      assert.deepEqual(Object.keys(body).sort(), ERROR_BODY_KEYS);
      assert.equal(body.code, 'ERR_AUTH_MISSING');
    }
  });

  test('the scheme is case-insensitive', async () => {
    const response = await worker.request('/api/orders', { headers: { authorization: `bEaReR ${token}` } });
    assert.equal(response.status, 200);
    await response.body.cancel();
  });

  test('a valid token with the scope: 200 and the verified identity as JSON', async () => {
    const response = await worker.request('/api/orders', { headers: bearer(token) });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = await json(response);
    assert.equal(body.route, 'list orders');
    assert.equal(body.decision, 'allow');
    assert.equal(body.identity.sub, 'client-1');
    assert.equal(body.identity.client_id, 'machine-7');
    assert.equal(body.identity.tenant, 'acme');
    assert.deepEqual(body.identity.scopes, ['orders:read']);
    assert.equal(body.identity.iss, issuer.issuer);
    assert.equal(body.identity.kid, 'k1');
    assert.equal(body.identity.alg, 'ES256');
    assert.deepEqual(body.forwardedHeaders, {
      'X-Auth-Subject': 'client-1',
      'X-Auth-Scopes': 'orders:read',
      'X-Auth-Tenant': 'acme',
      'X-Auth-Client': 'machine-7',
    });
  });

  test('invalid tokens: 401 invalid_token with jwtward\'s code', async () => {
    const [h, p, s] = token.split('.');
    // One character of the signature changed (not the last one, whose low bits may be unused).
    const tampered = `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
    const other = await startIssuer();
    other.publish(await other.addKey('k1')); // same kid, different key
    const cases = [
      ['expired', await issuer.sign({ scope: 'orders:read', client_id: 'c' }, { expiresIn: -60 }), 'ERR_JWT_EXPIRED'],
      ['tampered signature', tampered, 'ERR_JWT_BAD_SIGNATURE'],
      ['tampered payload', `${h}.${Buffer.from(JSON.stringify({ sub: 'admin', scope: 'orders:read' })).toString('base64url')}.${s}`, 'ERR_JWT_BAD_SIGNATURE'],
      ['another issuer\'s key under the same kid', await other.sign({ scope: 'orders:read', client_id: 'c' }), 'ERR_JWT_BAD_SIGNATURE'],
      ['wrong audience', await issuer.sign({ scope: 'orders:read', client_id: 'c' }, { audience: 'api://other' }), 'ERR_JWT_BAD_AUDIENCE'],
      ['not a JWT', 'abc.def', 'ERR_JWT_MALFORMED'],
      ['alg none, with a signature', `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.${s}`, 'ERR_JWT_UNSUPPORTED_ALG'],
      ['HS256 (not in the allow-list)', `${Buffer.from('{"alg":"HS256","kid":"k1"}').toString('base64url')}.${p}.${s}`, 'ERR_JWT_ALG_NOT_ALLOWED'],
      ['policy-level required claim missing', await issuer.sign({ scope: 'orders:read' }), 'ERR_JWT_MISSING_CLAIM'],
      ['unknown kid', await other.sign({ scope: 'orders:read', client_id: 'c' }, { kid: await other.addKey('k-unknown') }), 'ERR_JWT_KEY_NOT_FOUND'],
    ];
    await other.close();
    for (const [label, bad, code] of cases) {
      await assertInvalidToken(await worker.request('/api/orders', { headers: bearer(bad) }), code).catch((error) => {
        error.message = `${label}: ${error.message}`;
        throw error;
      });
    }
  });

  test('a token from the right key but the wrong issuer: ERR_JWT_BAD_ISSUER', async () => {
    const wrongIssuer = await issuer.sign({ scope: 'orders:read', client_id: 'c' }, { issuer: 'https://evil.example' });
    await assertInvalidToken(await worker.request('/api/orders', { headers: bearer(wrongIssuer) }), 'ERR_JWT_BAD_ISSUER');
  });

  test('missing scope: 403 insufficient_scope with the scope the route needs', async () => {
    const noScope = await issuer.sign({ scope: 'orders:write', client_id: 'c' });
    await assertForbidden(await worker.request('/api/orders', { headers: bearer(noScope) }), 'ERR_JWT_INSUFFICIENT_SCOPE', 'orders:read');
    // scp (array) counts as well as scope (string): jwtward's granted list.
    const scp = await issuer.sign({ scp: ['orders:read'], client_id: 'c' });
    assert.equal((await worker.request('/api/orders', { headers: bearer(scp) })).status, 200);
  });

  test('all-of plus any-of scopes', async () => {
    const post = (t) => worker.request('/api/orders', { method: 'POST', headers: bearer(t), body: '{}' });
    const ok = await post(await issuer.sign({ scope: 'orders:write clerk', client_id: 'c' }));
    assert.equal(ok.status, 200);
    await ok.body.cancel();
    // The all-of part is jwtward's requiredScopes; the any-of part is checked on jwtward's granted list.
    await assertForbidden(await post(await issuer.sign({ scope: 'admin', client_id: 'c' })), 'ERR_JWT_INSUFFICIENT_SCOPE', 'admin clerk orders:write');
    await assertForbidden(await post(await issuer.sign({ scope: 'orders:write', client_id: 'c' })), 'ERR_JWT_INSUFFICIENT_SCOPE', 'admin clerk orders:write');
    // Scopes are compared exactly, case-sensitively.
    await assertForbidden(await post(await issuer.sign({ scope: 'orders:write CLERK', client_id: 'c' })), 'ERR_JWT_INSUFFICIENT_SCOPE', 'admin clerk orders:write');
  });

  test('route claims: a fixed value and a required claim are 403, not 401', async () => {
    const gold = await issuer.sign({ plan: 'gold', client_id: 'c' });
    assert.equal((await worker.request('/premium', { headers: bearer(gold) })).status, 200);
    await assertForbidden(await worker.request('/premium', { headers: bearer(await issuer.sign({ plan: 'silver', client_id: 'c' })) }), 'ERR_JWT_BAD_CLAIM', undefined);
    await assertForbidden(await worker.request('/premium', { headers: bearer(token) }), 'ERR_JWT_MISSING_CLAIM', undefined);
    await assertForbidden(await worker.request('/profile', { headers: bearer(token) }), 'ERR_JWT_MISSING_CLAIM', undefined);
    const withEmail = await issuer.sign({ email: 'a@example.com', client_id: 'c' });
    assert.equal((await worker.request('/profile', { headers: bearer(withEmail) })).status, 200);
    // An invalid token on a route with claims is still a 401: validity first.
    const expiredGold = await issuer.sign({ plan: 'gold', client_id: 'c' }, { expiresIn: -60 });
    await assertInvalidToken(await worker.request('/premium', { headers: bearer(expiredGold) }), 'ERR_JWT_EXPIRED');
  });

  test('tenant isolation: tenant_id must equal :tenant', async () => {
    const acme = await worker.request('/tenants/acme/orders/42', { headers: bearer(token) });
    assert.equal(acme.status, 200);
    assert.equal((await json(acme)).identity.tenant, 'acme');
    await assertForbidden(await worker.request('/tenants/globex/orders/42', { headers: bearer(token) }), 'ERR_JWT_BAD_CLAIM', undefined);
    // Case matters, and a prefix is not a match.
    await assertForbidden(await worker.request('/tenants/ACME/orders', { headers: bearer(token) }), 'ERR_JWT_BAD_CLAIM', undefined);
    await assertForbidden(await worker.request('/tenants/acm/orders', { headers: bearer(token) }), 'ERR_JWT_BAD_CLAIM', undefined);
    // No tenant claim at all, or a non-string one.
    const noTenant = await issuer.sign({ client_id: 'c' });
    await assertForbidden(await worker.request('/tenants/acme/orders', { headers: bearer(noTenant) }), 'ERR_JWT_MISSING_CLAIM', undefined);
    const numeric = await issuer.sign({ client_id: 'c', tenant_id: 7 });
    await assertForbidden(await worker.request('/tenants/7/orders', { headers: bearer(numeric) }), 'ERR_JWT_BAD_CLAIM', undefined);
    // Percent-encoding: the decoded segment is compared, as the origin would decode it.
    assert.equal((await worker.request('/tenants/ac%6De/orders', { headers: bearer(token) })).status, 200);
    // Dot segments are resolved before matching: this is /tenants/globex/orders.
    await assertForbidden(await worker.request('/tenants/acme/../globex/orders', { headers: bearer(token) }), 'ERR_JWT_BAD_CLAIM', undefined);
  });

  test('paths that would decode into other segments are refused with 400', async () => {
    for (const path of ['/tenants/acme%2F..%2Fglobex/orders', '/tenants/acme/..%2f..%2fglobex/orders', '/tenants/acme/x%5C..']) {
      const response = await worker.request(path, { headers: bearer(token) });
      assert.equal(response.status, 400, path);
      const body = await json(response);
      assert.equal(body.error, 'invalid_request');
      assert.equal(body.code, 'ERR_PATH_UNSAFE');
    }
  });

  test('unmatched routes are denied, even with a valid token', async () => {
    for (const path of ['/', '/api', '/api/orders/1', '/api/orders/', '/admin', '/tenants/acme']) {
      const response = await worker.request(path, { headers: bearer(token) });
      assert.equal(response.status, 404, path);
      assert.equal((await json(response)).code, 'ERR_ROUTE_NOT_FOUND');
    }
    const wrongMethod = await worker.request('/api/orders', { method: 'DELETE', headers: bearer(token) });
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'GET, POST');
    assert.equal((await json(wrongMethod)).code, 'ERR_METHOD_NOT_ALLOWED');
  });

  test('CORS: preflight from an allowed origin passes; others are refused', async () => {
    const preflight = await worker.request('/api/orders', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.ok(preflight.headers.get('access-control-allow-methods').split(', ').includes('GET'));
    assert.ok(preflight.headers.get('access-control-allow-headers').split(', ').includes('authorization'));
    assert.ok(preflight.headers.get('access-control-allow-headers').split(', ').includes('dpop'), 'a browser DPoP client sends its proof');
    assert.equal(preflight.headers.get('access-control-max-age'), '600');
    assert.match(preflight.headers.get('vary'), /Origin/);

    const denied = await worker.request('/api/orders', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(denied.status, 403);
    assert.equal(denied.headers.get('access-control-allow-origin'), null);
    assert.equal((await json(denied)).code, 'ERR_CORS_ORIGIN');

    // The actual request's answer, even a 401, lets the page read the status and the challenge.
    const actual = await worker.request('/api/orders', { headers: { origin: 'https://app.example' } });
    assert.equal(actual.status, 401);
    assert.equal(actual.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal(actual.headers.get('access-control-expose-headers'), 'WWW-Authenticate, DPoP-Nonce');
    const foreign = await worker.request('/api/orders', { headers: { origin: 'https://evil.example' } });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
    await Promise.all([actual.body.cancel(), foreign.body.cancel()]);
  });

  test('one JSON log line per request, with the decision and never the token', async () => {
    const before = worker.logs().length;
    const expired = await issuer.sign({ scope: 'orders:read', client_id: 'c' }, { expiresIn: -60 });
    const wrongScope = await issuer.sign({ scope: 'x', client_id: 'c' });
    const requests = [
      ['/api/orders', token, 200],
      ['/api/orders', expired, 401],
      ['/api/orders', wrongScope, 403],
      ['/api/orders', null, 401],
      ['/tenants/globex/a', token, 403],
      ['/health', null, 200],
      [`/api/orders?access_token=${token}`, token, 200],
    ];
    for (const [path, t, status] of requests) {
      const response = await worker.request(path, { headers: t ? bearer(t) : {} });
      assert.equal(response.status, status, path);
      await response.body.cancel();
    }
    // workerd's output reaches this process asynchronously
    const lines = await worker.requestLines(requests.length, before);
    await new Promise((r) => setTimeout(r, 200)); // room for a line too many to show up
    assert.equal(worker.logs().slice(before).filter((l) => l.event === 'request').length, requests.length);
    const raw = JSON.stringify(worker.logs());
    for (const t of [token, expired, wrongScope]) {
      assert.equal(raw.includes(t), false, 'a token was logged');
      assert.equal(raw.includes(t.split('.')[2]), false, 'a signature was logged');
    }
    const [allow, expiredLine, forbidden, missing, tenant, health, query] = lines;
    assert.equal(allow.decision, 'allow');
    assert.equal(allow.status, 200);
    assert.equal(allow.route, 'list orders');
    assert.equal(allow.sub, 'client-1');
    assert.equal(allow.client_id, 'machine-7');
    assert.equal(allow.tenant, 'acme');
    assert.equal(allow.kid, 'k1');
    assert.equal(typeof allow.latency_ms, 'number');
    assert.equal(allow.method, 'GET');
    assert.equal(allow.path, '/api/orders');
    assert.equal(expiredLine.decision, 'deny');
    assert.equal(expiredLine.code, 'ERR_JWT_EXPIRED');
    assert.equal(expiredLine.kid, 'k1');
    assert.equal(forbidden.code, 'ERR_JWT_INSUFFICIENT_SCOPE');
    assert.equal(forbidden.status, 403);
    assert.equal(missing.code, 'ERR_AUTH_MISSING');
    assert.equal(tenant.code, 'ERR_JWT_BAD_CLAIM');
    assert.equal(tenant.tenant, 'acme');
    assert.equal(health.decision, 'public');
    assert.equal(query.path, '/api/orders', 'the query string is not logged');
  });
});

describe('proxy mode: ORIGIN_URL, identity headers, spoofing, Authorization', { timeout: 120_000 }, () => {
  let issuer;
  let origin;
  let worker;
  let token;

  before(async () => {
    issuer = await startIssuer();
    issuer.publish(await issuer.addKey('k1'));
    origin = await startEchoOrigin();
    worker = await startWorker({
      policy: testPolicy(issuer, {
        tenantClaim: 'org',
        forwardClaims: { client_id: 'X-Auth-Client', email: 'X-User-Email' },
        unmatched: 'authenticate',
        routes: [
          { name: 'health', path: '/health', public: true },
          { name: 'orders', path: '/api/orders', scopes: ['orders:read'] },
          { name: 'passthrough', path: '/legacy/*', forwardAuthorization: true },
        ],
      }),
      vars: { ORIGIN_URL: `${origin.url}/base` },
    });
    token = await issuer.sign({ scope: 'orders:read billing', org: 'acme', client_id: 'machine-7', email: 'ops@acme.example', name: 'Zoë' });
  });
  after(async () => {
    await worker?.dispose();
    await origin?.close();
    await issuer?.close();
  });

  test('an allowed request reaches the origin with the identity headers, path and query kept', async () => {
    const response = await worker.request('/api/orders?page=2&sort=desc', { headers: bearer(token) });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-origin'), 'echo', 'the origin\'s response comes back');
    const seen = await json(response);
    assert.equal(seen.url, '/base/api/orders?page=2&sort=desc');
    assert.equal(seen.headers['x-auth-subject'], 'client-1');
    assert.equal(seen.headers['x-auth-scopes'], 'orders:read billing');
    assert.equal(seen.headers['x-auth-tenant'], 'acme');
    assert.equal(seen.headers['x-auth-client'], 'machine-7');
    assert.equal(seen.headers['x-user-email'], 'ops@acme.example');
    assert.equal(seen.headers.authorization, undefined, 'Authorization is stripped by default');
  });

  test('spoofed identity headers are removed before anything is added', async () => {
    const spoof = {
      'X-Auth-Subject': 'admin',
      'X-Auth-Scopes': 'everything',
      'X-Auth-Tenant': 'globex',
      'X-Auth-Client': 'root',
      'X-Auth-Role': 'superuser',
      'X-User-Email': 'ceo@globex.example',
    };
    const allowed = await json(await worker.request('/api/orders', { headers: { ...bearer(token), ...spoof } }));
    assert.equal(allowed.headers['x-auth-subject'], 'client-1');
    assert.equal(allowed.headers['x-auth-scopes'], 'orders:read billing');
    assert.equal(allowed.headers['x-auth-tenant'], 'acme');
    assert.equal(allowed.headers['x-auth-client'], 'machine-7');
    assert.equal(allowed.headers['x-user-email'], 'ops@acme.example');
    assert.equal(allowed.headers['x-auth-role'], undefined);

    // A token without those claims: the spoofed values must not survive in their place.
    const bare = await issuer.sign({ scope: 'orders:read' });
    const seen = await json(await worker.request('/api/orders', { headers: { ...bearer(bare), ...spoof } }));
    for (const name of ['x-auth-tenant', 'x-auth-client', 'x-auth-role', 'x-user-email']) assert.equal(seen.headers[name], undefined, name);
    assert.equal(seen.headers['x-auth-subject'], 'client-1');

    // A public route forwards no identity, and no spoofed one either.
    const publicSeen = await json(await worker.request('/health', { headers: spoof }));
    for (const name of Object.keys(spoof)) assert.equal(publicSeen.headers[name.toLowerCase()], undefined, name);
  });

  test('Authorization is forwarded where the policy says so', async () => {
    const seen = await json(await worker.request('/legacy/report', { headers: bearer(token) }));
    assert.equal(seen.headers.authorization, `Bearer ${token}`);
    assert.equal(seen.headers['x-auth-subject'], 'client-1');
  });

  test('unmatched: "authenticate" proxies any valid token and still rejects the rest', async () => {
    const seen = await json(await worker.request('/anything/else', { headers: bearer(token) }));
    assert.equal(seen.url, '/base/anything/else');
    assert.equal(seen.headers['x-auth-subject'], 'client-1');
    const none = await worker.request('/anything/else');
    assert.equal(none.status, 401);
    await none.body.cancel();
    const expired = await issuer.sign({}, { expiresIn: -60 });
    assert.equal((await json(await worker.request('/anything/else', { headers: bearer(expired) }))).code, 'ERR_JWT_EXPIRED');
  });

  test('the body and method go through; a non-ASCII claim is percent-encoded', async () => {
    const body = JSON.stringify({ item: 'widget', qty: 3 });
    const seen = await json(await worker.request('/anything/orders', { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body }));
    assert.equal(seen.method, 'POST');
    assert.equal(seen.body, body);
    assert.equal(seen.headers['content-type'], 'application/json');
  });

  test('denied requests never reach the origin', async () => {
    const before = origin.received.length;
    for (const headers of [{}, bearer(await issuer.sign({ scope: 'nope' })), bearer('x.y.z')]) {
      const response = await worker.request('/api/orders', { headers });
      assert.ok([401, 403].includes(response.status));
      await response.body.cancel();
    }
    assert.equal(origin.received.length, before);
  });

  test('origin down: 502, not a hang', async () => {
    await origin.close();
    const response = await worker.request('/api/orders', { headers: bearer(token) });
    assert.equal(response.status, 502);
    assert.equal((await json(response)).code, 'ERR_ORIGIN_UNAVAILABLE');
  });
});

describe('claim values as header values', { timeout: 120_000 }, () => {
  test('non-ASCII and structured claims are forwarded unambiguously', async () => {
    const issuer = await startIssuer();
    issuer.publish(await issuer.addKey('k1'));
    const origin = await startEchoOrigin();
    const worker = await startWorker({
      policy: testPolicy(issuer, { forwardClaims: { name: 'X-User-Name', groups: 'X-User-Groups', age: 'X-User-Age', line: 'X-Line' } }),
      vars: { ORIGIN_URL: origin.url },
    });
    try {
      const token = await issuer.sign({ name: 'Zoë Ørsted', groups: ['ops', 'billing'], age: 42, line: 'a\r\nX-Evil: 1' });
      const seen = await json(await worker.request('/x', { headers: bearer(token) }));
      assert.equal(decodeURIComponent(seen.headers['x-user-name']), 'Zoë Ørsted');
      assert.equal(seen.headers['x-user-name'], encodeURIComponent('Zoë Ørsted'));
      assert.deepEqual(JSON.parse(seen.headers['x-user-groups']), ['ops', 'billing']);
      assert.equal(seen.headers['x-user-age'], '42');
      assert.equal(seen.headers['x-evil'], undefined, 'a claim cannot inject a header');
      assert.equal(decodeURIComponent(seen.headers['x-line']), 'a\r\nX-Evil: 1');
    } finally {
      await worker.dispose();
      await origin.close();
      await issuer.close();
    }
  });
});

describe('proxy mode: an ORIGIN service binding', { timeout: 120_000 }, () => {
  test('takes precedence over ORIGIN_URL and receives the same identity headers', async () => {
    const issuer = await startIssuer();
    issuer.publish(await issuer.addKey('k1'));
    const received = [];
    const worker = await startWorker({
      policy: testPolicy(issuer, { routes: [{ path: '/api/*', scopes: ['orders:read'] }] }),
      vars: { ORIGIN_URL: 'http://127.0.0.1:9/unused' },
      serviceBindings: {
        ORIGIN: async (request) => {
          received.push({ url: request.url, headers: Object.fromEntries(request.headers) });
          return new Response('from the bound Worker', { headers: { 'x-origin': 'service' } });
        },
      },
    });
    const token = await issuer.sign({ scope: 'orders:read', tenant_id: 'acme' });
    const response = await worker.request('/api/orders?x=1', { headers: { ...bearer(token), 'x-auth-subject': 'admin' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-origin'), 'service');
    assert.equal(await response.text(), 'from the bound Worker');
    assert.equal(received.length, 1);
    assert.equal(new URL(received[0].url).pathname + new URL(received[0].url).search, '/api/orders?x=1');
    assert.equal(received[0].headers['x-auth-subject'], 'client-1');
    assert.equal(received[0].headers['x-auth-tenant'], 'acme');
    assert.equal(received[0].headers.authorization, undefined);
  });
});
