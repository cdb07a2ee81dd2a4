// End to end, sender-constrained (issue 14): oidc-provider on 127.0.0.1 issues DPoP-bound
// client-credentials JWT access tokens (RFC 9449 §5: `cnf.jkt`, token_type DPoP) to clients that prove
// their key at its token endpoint; a guarded Express API and the guarded Worker (workerd) require
// DPoP, with server-issued nonces on one route. Two real clients:
//   - oauth4webapi's DPoP handle: the grant, then the API call, the `use_dpop_nonce` challenge and the
//     retry with the DPoP-Nonce it was given, as its documentation says to do
//   - the `dpop` library (testkit/dpop-client.mjs), for the token endpoint's proof and the attacks:
//     each refused by both APIs with jwtward's code and the part of the proof that failed

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { decodeJwt, exportJWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { guard } from 'jwtward/express';
import { closeAll, parseChallenge, startWorker } from '../../../worker/testkit/harness.mjs';
import { startAuthorizationServer } from '../../../worker/testkit/oidc.mjs';
import { ath, dpopClient } from '../../testkit/dpop-client.mjs';
import { readmeBlock } from '../../testkit/readme.mjs';
import { generateKeyPair, generateProof } from 'dpop';

after(closeAll);

const insecure = { [oauth.allowInsecureRequests]: true }; // http on 127.0.0.1 only
const CLIENT = { id: 'orders-sync', secret: 'orders-sync-secret-0123456789abcdef0123456789' };
const RESOURCES = { express: 'https://orders.express.test/', worker: 'https://orders.worker.test/' };

/** The API's policy: DPoP-bound tokens only; nonces on /api/orders. */
function apiPolicy(as, audience) {
  return {
    realm: 'orders',
    issuer: as.issuer,
    discovery: true,
    audience,
    algorithms: ['ES256'],
    typ: 'at+jwt',
    senderConstraint: 'dpop',
    routes: [
      { name: 'list orders', methods: ['GET', 'POST'], path: '/api/orders', scopes: ['orders:read'], dpop: { nonce: true } },
      { name: 'reports', methods: ['GET'], path: '/api/reports', scopes: ['orders:read'] },
    ],
  };
}

describe('oidc-provider issues DPoP-bound tokens; Express and the Worker require their proofs', { timeout: 240_000 }, () => {
  let as;
  const apis = {};

  before(async () => {
    as = await startAuthorizationServer({
      resources: { [RESOURCES.express]: 'orders:read', [RESOURCES.worker]: 'orders:read' },
      clients: { [CLIENT.id]: { secret: CLIENT.secret, scope: 'orders:read' } },
    });
    const app = express();
    app.use(guard(apiPolicy(as, RESOURCES.express)));
    app.all('/api/*path', (req, res) => res.json({ client: req.auth.clientId, cnf: req.auth.cnf }));
    const server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    apis.express = {
      url: `http://127.0.0.1:${server.address().port}`,
      resource: RESOURCES.express,
      close: () => {
        server.closeAllConnections();
        return new Promise((resolve) => server.close(resolve));
      },
    };
    const worker = await startWorker({ policy: apiPolicy(as, RESOURCES.worker), vars: { DPOP_NONCE_SECRET: 'e2e-test-only-dpop-nonce-secret-0123456789' } });
    apis.worker = { url: worker.url.href.replace(/\/$/, ''), resource: RESOURCES.worker, close: () => worker.close() };
  });
  after(async () => {
    await Promise.all(Object.values(apis).map((api) => api.close()));
    await as?.close();
  });

  for (const name of ['express', 'worker']) {
    test(`${name}: oauth4webapi gets a DPoP-bound token, is told to use a nonce, retries, and passes`, async () => {
      const issuer = new URL(as.issuer);
      const server = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
      const client = { client_id: CLIENT.id };
      const keypair = await oauth.generateKeyPair('ES256');
      const DPoP = oauth.DPoP(client, keypair);
      const grant = await oauth.clientCredentialsGrantRequest(server, client, oauth.ClientSecretBasic(CLIENT.secret), new URLSearchParams({ scope: 'orders:read', resource: apis[name].resource }), { ...insecure, DPoP });
      const tokens = await oauth.processClientCredentialsResponse(server, client, grant);
      assert.equal(tokens.token_type, 'dpop');
      const jkt = await DPoP.calculateThumbprint();
      assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt }, 'bound by the issuer to the client\'s key');

      const url = new URL('/api/orders', apis[name].url);
      const call = () => oauth.protectedResourceRequest(tokens.access_token, 'GET', url, new Headers(), null, { ...insecure, DPoP });
      let nonceError;
      await assert.rejects(call(), (error) => {
        nonceError = error;
        return oauth.isDPoPNonceError(error);
      });
      assert.equal(nonceError.status, 401);
      const response = await call(); // the handle kept the DPoP-Nonce of the 401
      assert.equal(response.status, 200);
      // Express's application answers with req.auth; the Worker (no origin: demo mode) with the identity.
      const body = await response.json();
      const { client: clientId, cnf } = name === 'express' ? body : { client: body.identity.client_id, cnf: body.identity.cnf };
      assert.deepEqual({ clientId, cnf }, { clientId: CLIENT.id, cnf: { jkt } });
      // The nonce the 200 carried is still the one to use: the next call passes at once.
      assert.equal((await call()).status, 200);
      // As a bearer token, it is refused (RFC 9449 §7.2).
      const asBearer = await fetch(url, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(asBearer.status, 401);
      assert.deepEqual([(await asBearer.json()).code, parseChallenge(asBearer.headers.get('www-authenticate')).scheme], ['ERR_JWT_BAD_BINDING', 'DPoP']);
    });
  }

  test('the README\'s client (the dpop library) gets a bound token and passes Express\'s nonce route on its retry', async () => {
    let block;
    for (let i = 0; !block?.includes('generateProof'); i += 1) block = readmeBlock('Guards', 'js', i, 'root');
    const source = block
      .replace(/^import .*\n/m, '')
      .replace("'https://api.example.com/api/orders'", JSON.stringify(`${apis.express.url}/api/orders`))
      .replace("'https://api.example.com/'", JSON.stringify(RESOURCES.express));
    assert.ok(!source.includes('api.example.com'), 'the README names the API as the test expects');
    const calls = [];
    const counted = (url, init) => {
      calls.push(String(url));
      return fetch(url, init);
    };
    const AsyncFunction = (async () => {}).constructor;
    const run = new AsyncFunction('generateKeyPair', 'generateProof', 'fetch', 'tokenEndpoint', 'clientId', 'clientSecret', `${source}\nreturn response;`);
    const response = await run(generateKeyPair, generateProof, counted, as.discovery.token_endpoint, CLIENT.id, CLIENT.secret);
    assert.equal(response.status, 200);
    assert.equal((await response.json()).client, CLIENT.id);
    assert.deepEqual(calls, [as.discovery.token_endpoint, `${apis.express.url}/api/orders`, `${apis.express.url}/api/orders`], 'the token, the call told to use a nonce, the retry');
  });

  test('every attack on the proof or the binding is refused by both, with its code and part', async () => {
    // A token bound to a key of the `dpop` library's, proven at the token endpoint with its proof.
    const holder = await dpopClient();
    const attacker = await dpopClient();
    const privateJwk = await exportJWK(holder.keypair.privateKey);
    for (const [name, api] of Object.entries(apis)) {
      const response = await fetch(as.discovery.token_endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`,
          dpop: await holder.proof(undefined, as.discovery.token_endpoint, 'POST'),
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'orders:read', resource: api.resource }),
      });
      const { access_token: token, token_type: type } = await response.json();
      assert.equal(type, 'DPoP');
      const url = `${api.url}/api/reports`;
      const send = async (headers) => {
        const answer = await fetch(url, { headers });
        const body = await answer.json();
        return [answer.status, body.code, body.claim ?? null];
      };
      const dpop = async (options = {}, key = holder) => ({ authorization: `DPoP ${token}`, dpop: await key.proof(token, options.htu ?? url, options.htm ?? 'GET', options) });
      const good = await dpop();
      assert.deepEqual(await send(good), [200, undefined, null], `${name}: its own proof`);
      const attacks = [
        ['the proof replayed', good, 'ERR_JWT_BAD_DPOP_PROOF', 'jti'],
        ['a proof for another URL', await dpop({ htu: `${api.url}/api/orders` }), 'ERR_JWT_BAD_DPOP_PROOF', 'htu'],
        ['a proof for another method', await dpop({ htm: 'POST' }), 'ERR_JWT_BAD_DPOP_PROOF', 'htm'],
        ['a proof made with another key', await dpop({}, attacker), 'ERR_JWT_BAD_BINDING', 'cnf.jkt'],
        ['the token without a proof', { authorization: `DPoP ${token}` }, 'ERR_JWT_BAD_BINDING', 'cnf.jkt'],
        ['the token as a bearer token', { authorization: `Bearer ${token}` }, 'ERR_JWT_BAD_BINDING', 'cnf.jkt'],
        ['a stale proof', await dpop({ claims: { iat: Math.floor(Date.now() / 1000) - 300 } }), 'ERR_JWT_BAD_DPOP_PROOF', 'iat'],
        ['a proof for another token', await dpop({ claims: { ath: ath(`${token}x`) } }), 'ERR_JWT_BAD_DPOP_PROOF', 'ath'],
        ['a proof signed with HS256', await dpop({ header: { alg: 'HS256' }, sign: 'HS256' }), 'ERR_JWT_BAD_DPOP_PROOF', 'alg'],
        ['a proof with alg none', await dpop({ header: { alg: 'none' }, sign: 'none' }), 'ERR_JWT_BAD_DPOP_PROOF', 'alg'],
        ['a private key in the proof\'s jwk', await dpop({ header: { jwk: privateJwk } }), 'ERR_JWT_BAD_DPOP_PROOF', 'jwk'],
      ];
      for (const [label, headers, code, claim] of attacks) assert.deepEqual(await send(headers), [401, code, claim], `${name}: ${label}`);
    }
  });
});
