// End to end, machine to machine: oidc-provider on 127.0.0.1 issues client-credentials JWT access
// tokens (RFC 9068) for resource indicators (RFC 8707); the APIs' policies name the authorization
// server by its URL alone (`discovery: true`); a machine client written with oauth4webapi
// calls a guarded Express API and a guarded Hono API the way an MCP client does: no token first, the
// 401's `resource_metadata` (RFC 9728) to the API's metadata, its `authorization_servers` to the
// authorization server's discovery document, a client-credentials grant for that resource, the call.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import * as oauth from 'oauth4webapi';
import { guard as expressGuard } from 'jwtward/express';
import { guard as honoGuard } from 'jwtward/hono';
import { closeAll, parseChallenge } from '../../../worker/testkit/harness.mjs';
import { startAuthorizationServer } from '../../../worker/testkit/oidc.mjs';

after(closeAll);

const insecure = { [oauth.allowInsecureRequests]: true }; // http on 127.0.0.1 only
const CLIENTS = {
  'orders-sync': { secret: 'orders-sync-secret-0123456789abcdef0123456789', scope: 'orders:read' },
  'orders-admin': { secret: 'orders-admin-secret-0123456789abcdef012345678', scope: 'orders:read orders:write' },
};

async function freeServer() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** The guard policy of one API: its own URL is its resource identifier and the tokens' audience. */
function apiPolicy(as, resource) {
  return {
    realm: 'orders',
    // Named by its URL only: the keys come from the JWK Set its discovery document names.
    issuer: as.issuer,
    discovery: true,
    audience: resource,
    resource,
    algorithms: ['ES256'],
    typ: 'at+jwt',
    routes: [
      { name: 'list orders', methods: ['GET'], path: '/api/orders', scopes: ['orders:read'] },
      { name: 'create order', methods: ['POST'], path: '/api/orders', scopes: ['orders:write'] },
    ],
  };
}

/**
 * A machine client that knows only the API's URL and its own credentials: it finds the authorization
 * server through the API's 401 (RFC 9728) and gets a token for exactly that API (RFC 8707).
 */
async function machineClient(apiUrl, clientId) {
  const probe = await fetch(new URL('/api/orders', apiUrl));
  assert.equal(probe.status, 401);
  const challenge = parseChallenge(probe.headers.get('www-authenticate'));
  assert.equal(challenge.scheme, 'Bearer');
  await probe.arrayBuffer();
  const resource = new URL(apiUrl);
  const metadata = await oauth.processResourceDiscoveryResponse(resource, await fetch(challenge.resource_metadata));
  const issuer = new URL(metadata.authorization_servers[0]);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  const client = { client_id: clientId };
  const clientAuth = oauth.ClientSecretBasic(CLIENTS[clientId].secret);
  return {
    metadata,
    async token(scope) {
      const response = await oauth.clientCredentialsGrantRequest(as, client, clientAuth, new URLSearchParams({ scope, resource: metadata.resource }), insecure);
      return (await oauth.processClientCredentialsResponse(as, client, response)).access_token;
    },
    call: (token, method = 'GET', body = null) => oauth.protectedResourceRequest(token, method, new URL('/api/orders', apiUrl), new Headers({ 'content-type': 'application/json' }), body, insecure),
  };
}

describe('oidc-provider -> machine client -> guarded Express and Hono APIs', { timeout: 120_000 }, () => {
  let as;
  const apis = {};

  before(async () => {
    // The APIs' ports first: their URLs are the resource identifiers the authorization server knows.
    const expressServer = await freeServer();
    const honoServer = await freeServer();
    const urlOf = (server) => `http://127.0.0.1:${server.address().port}/`;
    apis.express = { url: urlOf(expressServer), server: expressServer };
    apis.hono = { url: urlOf(honoServer) };
    as = await startAuthorizationServer({
      resources: { [apis.express.url]: 'orders:read orders:write', [apis.hono.url]: 'orders:read orders:write' },
      clients: CLIENTS,
    });

    const app = express();
    app.use(expressGuard(apiPolicy(as, apis.express.url)));
    app.get('/api/orders', (req, res) => res.json({ api: 'express', client: req.auth.clientId, scopes: req.auth.scopes }));
    app.post('/api/orders', (req, res) => res.status(201).json({ api: 'express', client: req.auth.clientId }));
    expressServer.on('request', app);

    const hono = new Hono()
      .use(honoGuard(apiPolicy(as, apis.hono.url)))
      .get('/api/orders', (c) => c.json({ api: 'hono', client: c.get('auth').clientId, scopes: c.get('auth').scopes }))
      .post('/api/orders', (c) => c.json({ api: 'hono', client: c.get('auth').clientId }, 201));
    // @hono/node-server makes its own server: the port reserved above is handed over to it.
    await new Promise((resolve) => honoServer.close(resolve));
    apis.hono.server = serve({ fetch: hono.fetch, port: Number(new URL(apis.hono.url).port), hostname: '127.0.0.1' });
    if (!apis.hono.server.listening) await once(apis.hono.server, 'listening');
  });
  after(async () => {
    for (const { server } of Object.values(apis)) {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(() => resolve()));
    }
    await as?.close();
  });

  for (const name of ['express', 'hono']) {
    test(`${name}: discovered through RFC 9728, a client-credentials token for it passes`, async () => {
      const client = await machineClient(apis[name].url, 'orders-sync');
      assert.deepEqual(client.metadata, {
        resource: apis[name].url,
        authorization_servers: [as.issuer],
        scopes_supported: ['orders:read', 'orders:write'],
        bearer_methods_supported: ['header'],
      });
      const token = await client.token('orders:read');
      const response = await client.call(token);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { api: name, client: 'orders-sync', scopes: ['orders:read'] });
    });

    test(`${name}: the scope decides; 403 insufficient_scope names the scope to ask for`, async () => {
      const reader = await machineClient(apis[name].url, 'orders-sync');
      await assert.rejects(reader.call(await reader.token('orders:read'), 'POST', '{}'), (error) => {
        assert.ok(error instanceof oauth.WWWAuthenticateChallengeError);
        assert.equal(error.status, 403);
        assert.equal(error.cause[0].parameters.error, 'insufficient_scope');
        assert.equal(error.cause[0].parameters.scope, 'orders:write');
        return true;
      });
      const admin = await machineClient(apis[name].url, 'orders-admin');
      const created = await admin.call(await admin.token('orders:read orders:write'), 'POST', '{}');
      assert.equal(created.status, 201);
      assert.deepEqual(await created.json(), { api: name, client: 'orders-admin' });
    });
  }

  test('a token issued for one API is refused by the other (audience), with resource_metadata', async () => {
    const forExpress = await (await machineClient(apis.express.url, 'orders-sync')).token('orders:read');
    const response = await fetch(new URL('/api/orders', apis.hono.url), { headers: { authorization: `Bearer ${forExpress}` } });
    assert.equal(response.status, 401);
    assert.equal((await response.json()).code, 'ERR_JWT_BAD_AUDIENCE');
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    assert.equal(challenge.error, 'invalid_token');
    assert.equal(challenge.resource_metadata, `${apis.hono.url}.well-known/oauth-protected-resource`);
  });
});
