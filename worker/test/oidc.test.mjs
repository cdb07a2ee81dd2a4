// End to end, machine to machine: a real OAuth 2.0 authorization server (npm oidc-provider) on 127.0.0.1
// issues client-credentials JWT access tokens (RFC 9068, typ at+jwt) for a resource indicator
// (RFC 8707); the Worker, in workerd, fetches the server's JWK Set from the jwks_uri its discovery
// document names, and guards an origin with them.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bearer, closeAll, parseChallenge, startEchoOrigin, startWorker } from '../testkit/harness.mjs';
import { startAuthorizationServer } from '../testkit/oidc.mjs';

after(closeAll);

const RESOURCES = {
  'api://orders': 'orders:read orders:write',
  'api://billing': 'billing:read',
};
const CLIENTS = {
  'orders-sync': { secret: 'orders-sync-secret-0123456789abcdef0123456789', scope: 'orders:read orders:write' },
  'report-job': { secret: 'report-job-secret-0123456789abcdef01234567890', scope: 'orders:read billing:read' },
};

describe('oidc-provider client credentials -> Worker -> origin', { timeout: 120_000 }, () => {
  let authorizationServer;
  let discovery;
  let origin;
  let worker;
  const clientCredentials = (...args) => authorizationServer.clientCredentials(...args);

  before(async () => {
    authorizationServer = await startAuthorizationServer({ resources: RESOURCES, clients: CLIENTS });
    ({ discovery } = authorizationServer);

    origin = await startEchoOrigin();
    worker = await startWorker({
      policy: {
        realm: 'orders-api',
        issuer: discovery.issuer,
        audience: 'api://orders',
        algorithms: ['ES256', 'RS256'],
        typ: 'at+jwt',
        jwksUri: discovery.jwks_uri,
        forwardClaims: { client_id: 'X-Auth-Client' },
        routes: [
          { name: 'list orders', methods: ['GET'], path: '/api/orders', scopes: ['orders:read'] },
          { name: 'create order', methods: ['POST'], path: '/api/orders', scopes: ['orders:write'] },
        ],
      },
      vars: { ORIGIN_URL: origin.url },
    });
  });

  after(async () => {
    await worker?.dispose();
    await origin?.close();
    await authorizationServer?.close();
  });

  test('a client-credentials access token reaches the origin with the client\'s identity', async () => {
    const token = await clientCredentials('orders-sync', { scope: 'orders:read', resource: 'api://orders' });
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
    assert.equal(header.typ, 'at+jwt', 'the server issues RFC 9068 tokens');
    const response = await worker.request('/api/orders?status=open', { headers: bearer(token) });
    assert.equal(response.status, 200);
    const seen = await response.json();
    assert.equal(seen.url, '/api/orders?status=open');
    assert.equal(seen.headers['x-auth-subject'], 'orders-sync');
    assert.equal(seen.headers['x-auth-client'], 'orders-sync');
    assert.equal(seen.headers['x-auth-scopes'], 'orders:read');
    assert.equal(seen.headers.authorization, undefined);
    await worker.requestLines(1);
    const line = worker.logs().filter((l) => l.event === 'request' && l.decision === 'allow').at(-1);
    assert.equal(line.client_id, 'orders-sync');
    assert.equal(line.kid, 'op-es256-1');
  });

  test('the scope granted decides: orders:read cannot create, orders:write can', async () => {
    const reader = await clientCredentials('orders-sync', { scope: 'orders:read', resource: 'api://orders' });
    const denied = await worker.request('/api/orders', { method: 'POST', headers: bearer(reader), body: '{}' });
    assert.equal(denied.status, 403);
    const challenge = parseChallenge(denied.headers.get('www-authenticate'));
    assert.equal(challenge.error, 'insufficient_scope');
    assert.equal(challenge.scope, 'orders:write');
    assert.equal((await denied.json()).code, 'ERR_JWT_INSUFFICIENT_SCOPE');

    const writer = await clientCredentials('orders-sync', { scope: 'orders:read orders:write', resource: 'api://orders' });
    const created = await worker.request('/api/orders', { method: 'POST', headers: bearer(writer), body: '{"item":"widget"}' });
    assert.equal(created.status, 200);
    const seen = await created.json();
    assert.equal(seen.method, 'POST');
    assert.equal(seen.body, '{"item":"widget"}');
  });

  test('a token for another resource server is refused: audience', async () => {
    const billing = await clientCredentials('report-job', { scope: 'billing:read', resource: 'api://billing' });
    const response = await worker.request('/api/orders', { headers: bearer(billing) });
    assert.equal(response.status, 401);
    assert.equal((await response.json()).code, 'ERR_JWT_BAD_AUDIENCE');
  });

  test('a token altered after issuance is refused', async () => {
    const token = await clientCredentials('report-job', { scope: 'orders:read', resource: 'api://orders' });
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope: 'orders:read orders:write' })).toString('base64url')}.${s}`;
    const response = await worker.request('/api/orders', { method: 'POST', headers: bearer(forged), body: '{}' });
    assert.equal(response.status, 401);
    assert.equal((await response.json()).code, 'ERR_JWT_BAD_SIGNATURE');
  });
});
