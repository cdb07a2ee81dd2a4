// What only the connection knows, read by each adapter and judged by jwtward (issue 14):
//   - the TLS client certificate of a certificate-bound token (RFC 8705, `cnf.x5t#S256`): Node HTTPS
//     servers that ask for client certificates (a CA, two client certificates it signed and a
//     self-signed one, all made here with openssl) behind Express, Fastify and Hono on
//     @hono/node-server; Cloudflare's `request.cf.tlsClientAuth` in workerd (miniflare's `cf`)
//   - the origin a DPoP proof must name in `htu` (RFC 9449 §4.3): https on a TLS socket, the Host
//     header, or the policy's `dpop.publicOrigin` behind a reverse proxy; X-Forwarded-* never read
// Each server is started once, with the policy it tests.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { checkServerIdentity } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { serve } from '@hono/node-server';
import { guard } from 'jwtward/express';
import { jwtward } from 'jwtward/fastify';
import { closeAll, parseChallenge, startIssuer, startWorker } from '../../../worker/testkit/harness.mjs';
import { makeCertificates } from '../../testkit/certificates.mjs';
import { dpopClient } from '../../testkit/dpop-client.mjs';
import { honoApp } from '../../testkit/guard-hono-app.mjs';

after(closeAll);

const PUBLIC_ORIGIN = 'https://api.example.test';

/** A request over TLS (with a client certificate, or none) or plain HTTP; the answer parsed. */
function call(host, path, { certificate, headers = {}, method = 'GET' } = {}) {
  const url = new URL(path, host.url);
  const tls = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    // The server's certificate is checked for `localhost` whatever Host header a test sends.
    const server = { ca: host.ca, checkServerIdentity: (_name, cert) => checkServerIdentity('localhost', cert) };
    const options = { method, headers, agent: false, ...(tls ? { ...server, ...(certificate ? { cert: certificate.cert, key: certificate.key } : {}) } : {}) };
    const request = (tls ? httpsRequest : httpRequest)(url, options, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: text ? JSON.parse(text) : null }));
    });
    request.on('error', reject);
    request.end();
  });
}

async function listening(server, protocol) {
  if (!server.listening) await once(server, 'listening');
  return `${protocol}://127.0.0.1:${server.address().port}`;
}

function closeServer(server) {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The application behind each guard: what it was given. */
const echo = (auth, url) => ({ auth, url });

describe('client certificates and the origin a DPoP proof names', { timeout: 120_000 }, () => {
  let certs;
  let issuer;
  let client; // a DPoP client key
  const hosts = {};
  const t = {};
  const records = [];

  const policy = (extra = {}) => ({
    realm: 'transport',
    issuer: issuer.issuer,
    audience: 'api://test',
    algorithms: ['ES256'],
    jwksUri: issuer.jwksUri,
    routes: [
      { name: 'mtls', path: '/mtls', senderConstraint: 'mtls' },
      { name: 'any', path: '/any' },
    ],
    ...extra,
  });

  before(async () => {
    certs = makeCertificates(['client-a', 'client-b'], ['client-self']);
    issuer = await startIssuer();
    issuer.publish(await issuer.addKey('k1'));
    client = await dpopClient();
    t.boundA = await issuer.sign({ cnf: { 'x5t#S256': certs['client-a'].x5t } });
    t.boundSelf = await issuer.sign({ cnf: { 'x5t#S256': certs['client-self'].x5t } });
    t.unbound = await issuer.sign({});
    t.dpop = await issuer.sign({ cnf: { jkt: client.jkt } });
    const tlsOptions = { key: certs.server.key, cert: certs.server.cert, ca: certs.ca, requestCert: true };

    // Express on an HTTPS server that requires a client certificate its CA signed.
    const app = express();
    app.use(guard(policy(), { log: (record) => records.push(record) }));
    app.use((req, res) => res.json(echo(req.auth, req.url)));
    const expressServer = createHttpsServer({ ...tlsOptions, rejectUnauthorized: true }, app).listen(0, '127.0.0.1');
    hosts.express = { name: 'express', url: await listening(expressServer, 'https'), ca: certs.ca, close: () => closeServer(expressServer) };

    // Fastify and Hono ask for a certificate and let the guard judge it (none, or self-signed, pass TLS).
    const fastify = Fastify({ https: { ...tlsOptions, rejectUnauthorized: false } });
    await fastify.register(jwtward, { policy: policy() });
    fastify.all('/*', async (request) => echo(request.auth, request.url));
    hosts.fastify = { name: 'fastify', url: (await fastify.listen({ port: 0, host: '127.0.0.1' })).replace('http:', 'https:'), ca: certs.ca, close: () => fastify.close() };

    // Hono takes any certificate the client proves it holds (RFC 8705 §2.2, self-signed).
    const hono = honoApp(policy({ mtls: { certificate: 'presented' } }));
    const honoServer = serve({ fetch: hono.fetch, port: 0, hostname: '127.0.0.1', createServer: createHttpsServer, serverOptions: { ...tlsOptions, rejectUnauthorized: false } });
    hosts.hono = { name: 'hono', url: await listening(honoServer, 'https'), ca: certs.ca, close: () => closeServer(honoServer) };

    // Express over plain HTTP behind a TLS-terminating proxy: the policy names the public origin.
    const proxied = express();
    proxied.use(guard(policy({ dpop: { publicOrigin: PUBLIC_ORIGIN } })));
    proxied.use((req, res) => res.json(echo(req.auth, req.url)));
    const proxiedServer = proxied.listen(0, '127.0.0.1');
    hosts.proxied = { name: 'proxied', url: await listening(proxiedServer, 'http'), close: () => closeServer(proxiedServer) };

    hosts.worker = await startWorker({ policy: policy() });
  });
  after(async () => {
    await Promise.all(Object.values(hosts).map((host) => host.close()));
  });

  const tlsHosts = () => [hosts.express, hosts.fastify, hosts.hono];
  const bearer = (token) => ({ authorization: `Bearer ${token}` });

  test('a certificate-bound token passes with its certificate: Express, Fastify, Hono on Node', async () => {
    for (const host of tlsHosts()) {
      const answer = await call(host, '/mtls', { certificate: certs['client-a'], headers: bearer(t.boundA) });
      assert.equal(answer.status, 200, host.name);
      assert.deepEqual(answer.body.auth.cnf, { 'x5t#S256': certs['client-a'].x5t }, host.name);
      // On a route without a constraint too: the token's binding holds everywhere.
      assert.equal((await call(host, '/any', { certificate: certs['client-a'], headers: bearer(t.boundA) })).status, 200, host.name);
    }
    const line = records.find((record) => record.event === 'request' && record.decision === 'allow');
    assert.equal(line.binding, 'mtls');
  });

  test('with the other certificate: 401 ERR_JWT_BAD_BINDING (cnf.x5t#S256)', async () => {
    for (const host of tlsHosts()) {
      for (const path of ['/mtls', '/any']) {
        const answer = await call(host, path, { certificate: certs['client-b'], headers: bearer(t.boundA) });
        assert.deepEqual([answer.status, answer.body.code, answer.body.claim], [401, 'ERR_JWT_BAD_BINDING', 'cnf.x5t#S256'], `${host.name} ${path}`);
        const challenge = parseChallenge(answer.headers['www-authenticate']);
        assert.deepEqual([challenge.scheme, challenge.error], ['Bearer', 'invalid_token'], host.name);
      }
    }
  });

  test('without a certificate: refused by TLS (Express requires one), else 401 ERR_JWT_BAD_BINDING', async () => {
    await assert.rejects(call(hosts.express, '/mtls', { headers: bearer(t.boundA) }));
    for (const host of [hosts.fastify, hosts.hono]) {
      const answer = await call(host, '/mtls', { headers: bearer(t.boundA) });
      assert.deepEqual([answer.status, answer.body.code, answer.body.claim], [401, 'ERR_JWT_BAD_BINDING', 'cnf.x5t#S256'], host.name);
    }
  });

  test('an unbound token: refused where the route requires mTLS, accepted where it does not', async () => {
    for (const host of tlsHosts()) {
      const refused = await call(host, '/mtls', { certificate: certs['client-a'], headers: bearer(t.unbound) });
      assert.deepEqual([refused.status, refused.body.code, refused.body.claim], [401, 'ERR_JWT_BAD_BINDING', 'cnf'], host.name);
      const allowed = await call(host, '/any', { certificate: certs['client-a'], headers: bearer(t.unbound) });
      assert.equal(allowed.status, 200, host.name);
      assert.equal(allowed.body.auth.cnf, null, host.name);
    }
  });

  test('a self-signed certificate counts only where the policy says "presented" (mtls.certificate)', async () => {
    await assert.rejects(call(hosts.express, '/mtls', { certificate: certs['client-self'], headers: bearer(t.boundSelf) }), 'the TLS server refuses it');
    const verifiedOnly = await call(hosts.fastify, '/mtls', { certificate: certs['client-self'], headers: bearer(t.boundSelf) });
    assert.deepEqual([verifiedOnly.status, verifiedOnly.body.code, verifiedOnly.body.claim], [401, 'ERR_JWT_BAD_BINDING', 'cnf.x5t#S256']);
    const presented = await call(hosts.hono, '/mtls', { certificate: certs['client-self'], headers: bearer(t.boundSelf) });
    assert.equal(presented.status, 200);
    assert.deepEqual(presented.body.auth.cnf, { 'x5t#S256': certs['client-self'].x5t });
  });

  test('DPoP over TLS: the proof names https and the Host; another scheme or host is ERR_JWT_BAD_DPOP_PROOF (htu)', async () => {
    for (const host of tlsHosts()) {
      const dpop = async (htu, headers = {}) => call(host, '/any', {
        certificate: certs['client-a'],
        headers: { authorization: `DPoP ${t.dpop}`, dpop: await client.proof(t.dpop, htu), ...headers },
      });
      const port = new URL(host.url).port;
      assert.equal((await dpop(`https://127.0.0.1:${port}/any`)).status, 200, host.name);
      const http = await dpop(`http://127.0.0.1:${port}/any`);
      assert.deepEqual([http.status, http.body.code, http.body.claim], [401, 'ERR_JWT_BAD_DPOP_PROOF', 'htu'], host.name);
      // The Host header is the client's word for the origin (as in every Node framework): without
      // dpop.publicOrigin a proof for the name the client used passes; a Host that is not a
      // host[:port] names no origin at all.
      assert.equal((await dpop(`https://api.example.test:${port}/any`, { host: `api.example.test:${port}` })).status, 200, host.name);
      const odd = await dpop(`https://api.example.test/x/any`, { host: 'api.example.test/x' });
      if (host.name === 'hono') assert.equal(odd.status, 400, '@hono/node-server refuses such a Host itself');
      else assert.deepEqual([odd.status, odd.body.claim], [401, 'htu'], host.name);
    }
  });

  test('behind a proxy: dpop.publicOrigin is what the proof must name; X-Forwarded-* are not read', async () => {
    const host = hosts.proxied;
    const dpop = async (htu, headers = {}) => call(host, '/any', { headers: { authorization: `DPoP ${t.dpop}`, dpop: await client.proof(t.dpop, htu), ...headers } });
    const allowed = await dpop(`${PUBLIC_ORIGIN}/any`);
    assert.equal(allowed.status, 200);
    assert.deepEqual(allowed.body.auth.cnf, { jkt: client.jkt });
    const direct = await dpop(`${host.url}/any`);
    assert.deepEqual([direct.status, direct.body.code, direct.body.claim], [401, 'ERR_JWT_BAD_DPOP_PROOF', 'htu'], 'the address the proxy used');
    const spoofed = await dpop('https://evil.example/any', { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', forwarded: 'host=evil.example;proto=https' });
    assert.deepEqual([spoofed.status, spoofed.body.claim], [401, 'htu'], 'X-Forwarded-Host is the client\'s to write');
  });

  test('the Worker: Cloudflare\'s tlsClientAuth (certFingerprintSHA256 in hex) counts when presented and verified', async () => {
    const worker = hosts.worker;
    const tlsClientAuth = (certificate, fields = {}) => ({
      tlsClientAuth: { certPresented: '1', certVerified: 'SUCCESS', certRevoked: '0', certFingerprintSHA256: certificate.sha256Hex, ...fields },
    });
    const send = async (token, cf) => {
      const response = await worker.dispatch('/mtls', { headers: bearer(token), ...(cf ? { cf } : {}) });
      return { status: response.status, body: await response.json() };
    };
    assert.equal((await send(t.boundA, tlsClientAuth(certs['client-a']))).status, 200);
    assert.equal((await send(t.boundA, tlsClientAuth(certs['client-a'], { certFingerprintSHA256: certs['client-a'].sha256Hex.toUpperCase() }))).status, 200);
    const refused = [
      ['another certificate', tlsClientAuth(certs['client-b']), 'cnf.x5t#S256'],
      ['not verified', tlsClientAuth(certs['client-a'], { certVerified: 'FAILED:self signed certificate' }), 'cnf.x5t#S256'],
      ['revoked', tlsClientAuth(certs['client-a'], { certRevoked: '1' }), 'cnf.x5t#S256'],
      ['not presented', tlsClientAuth(certs['client-a'], { certPresented: '0' }), 'cnf.x5t#S256'],
      ['no mTLS on the zone', undefined, 'cnf.x5t#S256'],
    ];
    for (const [label, cf, claim] of refused) {
      const answer = await send(t.boundA, cf);
      assert.deepEqual([answer.status, answer.body.code, answer.body.claim], [401, 'ERR_JWT_BAD_BINDING', claim], label);
    }
    const unbound = await send(t.unbound, tlsClientAuth(certs['client-a']));
    assert.deepEqual([unbound.status, unbound.body.claim], [401, 'cnf'], 'an unbound token where mTLS is required');
  });
});
