// Type-checks the declarations of jwtward/guard and its adapters the way users call them (with hono's
// and fastify's own types; Express needs none). The `@ts-expect-error` lines make the check fail if the
// declarations become too loose. Run by pkg/test/guard/modules.test.mjs (tsc --noEmit).
import { createServer } from 'node:http';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { createGuard, PolicyError, type Auth, type AuditRecord, type PolicyDocument } from 'jwtward/guard';
import { guard as expressGuard } from 'jwtward/express';
import { jwtward } from 'jwtward/fastify';
import { guard as honoGuard } from 'jwtward/hono';
import { createWorker, DpopReplayStore } from 'jwtward/worker';
import { memoryReplayStore } from 'jwtward';
import policyJson from '../../../examples/policy.json' with { type: 'json' };

const policy: PolicyDocument = {
  issuers: [{ issuer: 'https://a.example', discovery: true }, { issuer: 'https://b.example', jwksUri: 'https://b.example/keys', audience: 'api://b' }],
  audience: 'api://orders',
  algorithms: ['ES256'],
  resource: 'https://api.example',
  tokenSources: { cookie: 'at' },
  routes: [
    { path: '/health', public: true },
    { path: '/api/orders', methods: ['GET'], scopes: { anyOf: ['orders:read'] }, otherMethods: 'deny' },
    { path: '/events', tokenSources: { query: true } },
    { path: '/api/payments', senderConstraint: 'dpop', dpop: { nonce: true } },
  ],
  dpop: { algorithms: ['ES256', 'EdDSA'], iatWindow: 30, nonce: { rotation: 120 }, publicOrigin: 'https://api.example' },
  mtls: { certificate: 'verified' },
};
// @ts-expect-error: a DPoP proof is never signed with HMAC
const hmacProofs: PolicyDocument = { algorithms: ['ES256'], routes: [], dpop: { algorithms: ['HS256'] } };
// @ts-expect-error: not a sender constraint
const tls: PolicyDocument = { algorithms: ['ES256'], routes: [], senderConstraint: 'tls' };
// @ts-expect-error: methods are upper case
const lowerCase: PolicyDocument = { algorithms: ['ES256'], routes: [{ path: '/a', methods: ['get'] }] };
// @ts-expect-error: an issuers entry takes jwksUri or discovery, not both
const both: PolicyDocument = { algorithms: ['ES256'], routes: [], issuers: [{ issuer: 'https://a.example', jwksUri: 'https://a.example/k', discovery: true }] };
// @ts-expect-error: not an algorithm
const none: PolicyDocument = { algorithms: ['none'], routes: [] };

const records: AuditRecord[] = [];
const g = createGuard(policy, { log: (record) => records.push(record), dpopReplayStore: memoryReplayStore(), dpopNonceSecret: 'a-test-only-dpop-nonce-secret-of-32-bytes' });
const warnings: readonly string[] = g.warnings;
const outcome = await g.check(new Request('https://api.example/api/orders'), { waitUntil: () => {} });
if (outcome.allow) {
  const auth: Auth | null = outcome.auth;
  const sub: string | null = auth?.sub ?? null;
  const forwarded: Request = outcome.request;
  const jkt: string | undefined = auth?.cnf?.jkt;
  void [sub, forwarded, outcome.headers, jkt];
} else {
  const response: Response = outcome.response;
  // @ts-expect-error: a denial has no auth
  void outcome.auth;
  void response;
}

// Hono: c.get('auth') is typed, the JSON import is accepted as a policy.
const api = new Hono().use(honoGuard(policyJson)).get('/api/orders', (c) => {
  const auth = c.get('auth');
  const scopes: string[] = auth?.scopes ?? [];
  // @ts-expect-error: clientId is a string or null
  const wrong: number = auth?.clientId ?? 0;
  return c.json({ scopes, tenant: auth?.tenant ?? null, wrong });
});

// Fastify: request.auth is typed.
const fastify = Fastify();
await fastify.register(jwtward, { policy, log: (record) => records.push(record) });
fastify.get('/api/orders', async (request) => ({ client: request.auth?.clientId ?? null, route: request.auth?.route }));
// @ts-expect-error: the plugin needs a policy
await fastify.register(jwtward, {});

// Express (or plain node:http): a (req, res, next) middleware.
const middleware = expressGuard(policy, { log: (record) => records.push(record) });
createServer((req, res) => middleware(req, res, (error) => res.end(String(error ?? 'next'))));

try {
  createGuard({ routes: [] });
} catch (error) {
  if (error instanceof PolicyError) {
    const problems: readonly string[] = error.problems;
    void problems;
  }
}

const worker = createWorker(policyJson, { env: { ORIGIN_URL: 'https://origin.example' } });
const response: Promise<Response> = worker.fetch(new Request('https://api.example/'), {}, { waitUntil: () => {} });
export { api, lowerCase, both, none, hmacProofs, tls, warnings, response, DpopReplayStore };
