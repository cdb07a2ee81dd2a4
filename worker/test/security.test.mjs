// Issue 10's Worker findings, in real workerd against an origin that records every header it receives:
// identity headers spoofed with underscores (1), forwarded values that decode into another identity (2),
// `unmatched` skipping a route's checks for other methods (3), method-override headers (4).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bearer, closeAll, startEchoOrigin, startIssuer, startWorker, testPolicy } from '../testkit/harness.mjs';

after(closeAll);

let issuer;
let origin;
before(async () => {
  issuer = await startIssuer();
  issuer.publish(await issuer.addKey('k1'));
  origin = await startEchoOrigin();
});

/** What the origin received for one request through `worker`. */
async function received(worker, path, init) {
  const response = await worker.request(path, init);
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return JSON.parse(text);
}

describe('1. identity headers spoofed with underscores never reach the origin', { timeout: 120_000 }, () => {
  let worker;
  let token;
  before(async () => {
    worker = await startWorker({
      policy: testPolicy(issuer, {
        forwardClaims: { client_id: 'X-Auth-Client', email: 'X-User-Email' },
        routes: [
          { name: 'api', path: '/api/*' },
          { name: 'legacy', path: '/legacy/*', forwardAuthorization: true },
          { name: 'health', path: '/health', public: true },
        ],
      }),
      vars: { ORIGIN_URL: origin.url },
    });
    token = await issuer.sign({ tenant_id: 'acme', client_id: 'machine-7' });
  });

  // Names that CGI, WSGI, PHP and Rack all read as the identity headers (HTTP_X_AUTH_TENANT, ...).
  const spoofs = {
    X_Auth_Tenant: 'globex',
    X_AUTH_SUBJECT: 'admin',
    'X-Auth_Scopes': 'everything',
    x_auth_client: 'root',
    X_User_Email: 'ceo@globex.example',
    X_Auth_Role: 'superuser',
  };

  test('on a protected route: the Worker\'s values alone arrive, under their own names', async () => {
    const seen = await received(worker, '/api/orders', { headers: { ...bearer(token), ...spoofs } });
    const names = Object.keys(seen.headers);
    assert.deepEqual(names.filter((name) => name.includes('_')), [], 'no underscore header reaches the origin');
    assert.equal(seen.headers['x-auth-tenant'], 'acme');
    assert.equal(seen.headers['x-auth-subject'], 'client-1');
    assert.equal(seen.headers['x-auth-scopes'], undefined, 'the token grants no scope');
    assert.equal(seen.headers['x-auth-client'], 'machine-7');
    assert.equal(seen.headers['x-user-email'], undefined, 'the token has no email claim');
  });

  test('on a public route too, and Authorization spelt any way is removed unless forwarded', async () => {
    const seen = await received(worker, '/health', { headers: { ...spoofs, authorization: 'Bearer client-supplied' } });
    assert.deepEqual(Object.keys(seen.headers).filter((name) => name.includes('_') || name.startsWith('x-auth') || name === 'authorization' || name === 'x-user-email'), []);
    const legacy = await received(worker, '/legacy/report', { headers: { ...bearer(token), X_Auth_Tenant: 'globex' } });
    assert.equal(legacy.headers.authorization, `Bearer ${token}`);
    assert.equal(legacy.headers.x_auth_tenant, undefined);
    assert.equal(legacy.headers['x-auth-tenant'], 'acme');
  });

  test('other underscore headers are dropped by default, kept with keepUnderscoreHeaders (never the identity ones)', async () => {
    const headers = { ...bearer(token), X_Request_Source: 'batch', ...spoofs };
    assert.equal((await received(worker, '/api/x', { headers })).headers.x_request_source, undefined);
    const keeping = await startWorker({
      policy: testPolicy(issuer, { keepUnderscoreHeaders: true, forwardClaims: { email: 'X-User-Email' } }),
      vars: { ORIGIN_URL: origin.url },
    });
    const seen = await received(keeping, '/api/x', { headers });
    assert.equal(seen.headers.x_request_source, 'batch');
    assert.deepEqual(Object.keys(seen.headers).filter((name) => name.includes('_')), ['x_request_source']);
    assert.equal(seen.headers['x-auth-tenant'], 'acme');
    await keeping.close();
  });
});

describe('2. forwarded values decode back to the exact claim', { timeout: 120_000 }, () => {
  // Each decodes, if taken as text, into something else: percent signs, escapes of letters, the
  // characters HTTP trims or forbids, a value that looks like a list, non-ASCII in NFC and NFD.
  const HOSTILE = [
    '%61dmin', 'admin', 'é', '%C3%A9', 'e\u0301', '%', '%%', '%zz', '%25', ' padded ', '\tadmin', 'a\r\nX-Evil: 1',
    'nul\u0000byte', 'del\u007f', 'admin,root', '"quoted"', 'back\\slash', '💥', '\u00a0nbsp', 'plus+sign', 'a b c',
  ];
  let worker;
  before(async () => {
    worker = await startWorker({
      policy: testPolicy(issuer, { forwardClaims: { name: 'X-User-Name', groups: 'X-User-Groups' } }),
      vars: { ORIGIN_URL: origin.url },
    });
  });

  test('decodeURIComponent of every identity header gives back the claim exactly', async () => {
    for (const value of HOSTILE) {
      const token = await issuer.sign({ sub: value, tenant_id: value, name: value, groups: [value, 'ops'] });
      const { headers } = await received(worker, '/x', { headers: bearer(token) });
      for (const name of ['x-auth-subject', 'x-auth-tenant', 'x-user-name']) {
        assert.match(headers[name], /^[\x21-\x7E]+$/, `${name} for ${JSON.stringify(value)} is visible ASCII`);
        assert.equal(decodeURIComponent(headers[name]), value, `${name} for ${JSON.stringify(value)}`);
      }
      assert.deepEqual(JSON.parse(decodeURIComponent(headers['x-user-groups'])), [value, 'ops']);
      assert.equal(headers.x_evil ?? headers['x-evil'], undefined);
    }
  });

  test('values that differ arrive different: é and %C3%A9, %61dmin and admin', async () => {
    const forward = async (sub) => (await received(worker, '/x', { headers: bearer(await issuer.sign({ sub })) })).headers['x-auth-subject'];
    assert.notEqual(await forward('é'), await forward('%C3%A9'));
    assert.notEqual(await forward('%61dmin'), await forward('admin'));
    assert.equal(await forward('admin'), 'admin', 'plain values stay readable');
  });

  test('X-Auth-Scopes: each scope encoded, separated by single spaces', async () => {
    const scopes = ['orders:read', 'a b', '%61', 'é'];
    const token = await issuer.sign({ scp: scopes });
    const header = (await received(worker, '/x', { headers: bearer(token) })).headers['x-auth-scopes'];
    assert.deepEqual(header.split(' ').map(decodeURIComponent), scopes);
  });
});

describe('3. a path that matches a route is that route\'s business', { timeout: 120_000 }, () => {
  const routes = [{ name: 'tenant read', methods: ['GET'], path: '/tenants/:tenant/*', claims: { tenant_id: ':tenant' } }];
  let acme;
  before(async () => {
    acme = await issuer.sign({ tenant_id: 'acme' });
  });

  test('unmatched "authenticate": another method on the route\'s path is 405 with Allow, not a pass', async () => {
    const worker = await startWorker({ policy: testPolicy(issuer, { unmatched: 'authenticate', routes }), vars: { ORIGIN_URL: origin.url } });
    assert.equal((await worker.request('/tenants/globex/x', { headers: bearer(acme) })).status, 403);
    for (const method of ['DELETE', 'PUT', 'POST', 'PATCH']) {
      const response = await worker.request('/tenants/globex/x', { method, headers: bearer(acme) });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.get('allow'), 'GET');
      assert.equal((await response.json()).code, 'ERR_METHOD_NOT_ALLOWED');
    }
    // Paths no route matches still follow `unmatched`.
    assert.equal((await worker.request('/elsewhere', { method: 'DELETE', headers: bearer(acme) })).status, 200);
    await worker.close();
  });

  test('unmatched "public": the same, with no token at all', async () => {
    const worker = await startWorker({ policy: testPolicy(issuer, { unmatched: 'public', routes }), vars: { ORIGIN_URL: origin.url } });
    const response = await worker.request('/tenants/globex/x', { method: 'DELETE' });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET');
    await response.body.cancel();
    await worker.close();
  });

  test('a route may hand its other methods to `unmatched` explicitly (otherMethods: "unmatched")', async () => {
    const optedOut = [{ ...routes[0], otherMethods: 'unmatched' }];
    const worker = await startWorker({ policy: testPolicy(issuer, { unmatched: 'authenticate', routes: optedOut }), vars: { ORIGIN_URL: origin.url } });
    const seen = await received(worker, '/tenants/globex/x', { method: 'DELETE', headers: bearer(acme) });
    assert.equal(seen.method, 'DELETE');
    assert.equal((await worker.request('/tenants/globex/x', { method: 'DELETE' })).status, 401);
    await worker.close();
  });

  test('a policy whose `unmatched` is not "deny" starts, with a warning logged at startup', async () => {
    const worker = await startWorker({ policy: testPolicy(issuer, { unmatched: 'public', routes }), vars: { ORIGIN_URL: origin.url } });
    const warnings = worker.logs().filter((line) => line.event === 'policy_warning');
    assert.deepEqual(warnings.map((w) => w.field), ['unmatched']);
    await worker.close();
  });
});

describe('4. method-override headers are removed unless the policy keeps them', { timeout: 120_000 }, () => {
  const OVERRIDES = { 'X-HTTP-Method-Override': 'DELETE', 'X-HTTP-Method': 'DELETE', 'X-Method-Override': 'DELETE' };
  const routes = [{ name: 'read', methods: ['GET'], path: '/api/orders' }];

  test('by default none of them reaches the origin of a GET route', async () => {
    const worker = await startWorker({ policy: testPolicy(issuer, { routes }), vars: { ORIGIN_URL: origin.url } });
    const token = await issuer.sign({});
    const seen = await received(worker, '/api/orders', { headers: { ...bearer(token), ...OVERRIDES, X_HTTP_Method_Override: 'PUT' } });
    for (const name of ['x-http-method-override', 'x-http-method', 'x-method-override', 'x_http_method_override']) {
      assert.equal(seen.headers[name], undefined, name);
    }
    await worker.close();
  });

  test('forwardMethodOverride: true keeps them', async () => {
    const worker = await startWorker({ policy: testPolicy(issuer, { routes, forwardMethodOverride: true }), vars: { ORIGIN_URL: origin.url } });
    const seen = await received(worker, '/api/orders', { headers: { ...bearer(await issuer.sign({})), ...OVERRIDES } });
    for (const name of Object.keys(OVERRIDES)) assert.equal(seen.headers[name.toLowerCase()], 'DELETE', name);
    await worker.close();
  });
});
