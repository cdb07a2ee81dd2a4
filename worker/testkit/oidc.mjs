// Test authorization server: npm oidc-provider on 127.0.0.1 (a port the OS picks), issuing
// client-credentials JWT access tokens (RFC 9068, typ at+jwt, ES256) for resource indicators
// (RFC 8707): each resource's identifier is the token's `aud`. Used by the Worker's end-to-end test
// and by the guards' (Express, Hono).

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

/**
 * @param {{ resources: Record<string, string>, clients: Record<string, { secret: string, scope: string }>, kid?: string }} config
 *   resources: resource identifier -> the scopes it knows (space-separated); clients: client_id ->
 *   its secret and the scopes it may ask for
 * @returns {Promise<{ issuer: string, discovery: object, clientCredentials(clientId: string,
 *   request: { scope: string, resource: string }): Promise<string>, close(): Promise<void> }>}
 */
export async function startAuthorizationServer({ resources, clients, kid = 'op-es256-1' }) {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
  const provider = new Provider(issuer, {
    clients: Object.entries(clients).map(([clientId, { secret, scope }]) => ({
      client_id: clientId,
      client_secret: secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope,
      id_token_signed_response_alg: 'ES256',
    })),
    jwks: { keys: [signingKey] },
    scopes: [...new Set(Object.values(resources).join(' ').split(' '))],
    ttl: { ClientCredentials: 300 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => Object.keys(resources)[0],
        useGrantedResource: () => true,
        // Every resource server gets RFC 9068 JWT access tokens signed with ES256, its identifier as aud.
        getResourceServerInfo: (_ctx, resource) => {
          if (!resources[resource]) throw new Provider.errors.InvalidTarget();
          return { scope: resources[resource], audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: 300, jwt: { sign: { alg: 'ES256' } } };
        },
      },
    },
  });
  server.on('request', provider.callback());
  const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();

  /** A client-credentials token from the authorization server, as a machine client gets it. */
  async function clientCredentials(clientId, { scope, resource }) {
    const response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:${clients[clientId].secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource }),
    });
    const body = await response.json();
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.equal(body.token_type, 'Bearer');
    return body.access_token;
  }

  return {
    issuer,
    discovery,
    clientCredentials,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
