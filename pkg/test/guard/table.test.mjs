// One table of requests and the answers they must get (status, WWW-Authenticate, body code, Allow, CORS,
// what the application receives), run against every server the guard runs in: the Worker in workerd,
// Express 5 and 4, Fastify 5 and 4, Hono on Node and the same Hono app in workerd. Each answer must be the expected one,
// and every host's answers identical. Each host is started once, with one policy covering every row of
// the policy reference.

import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { exportJWK } from 'jose';
import { closeAll, startIssuer } from '../../../worker/testkit/harness.mjs';
import { ath, dpopClient } from '../../testkit/dpop-client.mjs';
import { startAllHosts } from '../../testkit/guard-hosts.mjs';

after(closeAll);

const RESOURCE = 'https://orders.example.test/';
const METADATA_URL = 'https://orders.example.test/.well-known/oauth-protected-resource';
const APP_ORIGIN = 'https://app.example.test';

// Headers that say who the caller is or what the application should do: what the table compares of
// the headers the application receives (the transport headers differ between hosts and do not matter).
const RELEVANT_HEADER = /^(x[-_]auth|x[-_]user|x[-_]http|x[-_]method|authorization$|cookie$|dpop$)|_/;
// What a DPoP challenge says about proofs (RFC 9449 §7.1): every asymmetric algorithm by default.
const ALGS = 'RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA Ed25519';

/** What a host answered, reduced to what the table compares. */
async function answerOf(response, { withAuth }) {
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { unparsed: text.slice(0, 200) };
  }
  const out = {
    status: response.status,
    // The description's words are the message (time, values): compared up to the code only.
    challenge: response.headers.get('www-authenticate')?.replace(/(error_description="[A-Z_]+: )[^"]*"/, '$1..."') ?? null,
    description: /error_description="([^"]*)"/.exec(response.headers.get('www-authenticate') ?? '')?.[1] ?? null,
    message: body?.message ?? null,
    allow: response.headers.get('allow'),
    acao: response.headers.get('access-control-allow-origin'),
    expose: response.headers.get('access-control-expose-headers'),
    cacheControl: response.status >= 400 ? response.headers.get('cache-control') : null,
    // Whether a DPoP nonce came with the answer (its value is each host's own).
    dpopNonce: response.headers.get('dpop-nonce') !== null,
    code: body?.code ?? null,
    claim: body?.claim ?? null,
    error: body?.error ?? null,
  };
  if (body && typeof body.url === 'string' && body.headers) {
    // The application answered: what it received.
    out.seen = {
      method: body.method,
      url: body.url,
      headers: Object.fromEntries(Object.entries(body.headers).filter(([name]) => RELEVANT_HEADER.test(name)).sort()),
    };
    if (withAuth) out.auth = body.auth;
    // What the Node frameworks' handlers read as the parsed query (Express 4 parses it first of all).
    if (body.query) out.query = body.query;
  } else if (body && body.resource) {
    out.metadata = body;
  }
  return out;
}

describe('the shared table: every host gives every answer', { timeout: 240_000 }, () => {
  let issuer;
  let partner; // a second issuer, with an audience of its own
  let hosts;
  const t = {}; // tokens
  let client; // the DPoP client's key: t.bound and t.boundWrite are bound to it
  let attacker; // another key
  let privateJwk; // the client key's private JWK (a proof that leaks it)
  const answers = new Map(); // host name -> row name -> answer
  const proofsSent = []; // every proof sent: none may reach a log

  const policy = () => ({
    realm: 'table-api',
    // Two issuers, each with its keys; the token's `iss` picks one, and nothing else is ever fetched.
    issuers: [
      { issuer: issuer.issuer, jwksUri: issuer.jwksUri },
      { issuer: partner.issuer, jwksUri: partner.jwksUri, audience: 'api://partner' },
    ],
    audience: 'api://test',
    algorithms: ['ES256'],
    // Entra ID application permissions arrive in `roles`: scopes are read from `scope` and `roles`
    // (not `scp`), for allOf, anyOf and X-Auth-Scopes alike.
    scopeClaims: ['scope', 'roles'],
    resource: RESOURCE,
    tokenSources: { cookie: 'access_token' },
    forwardClaims: { client_id: 'X-Auth-Client' },
    cors: { allowOrigins: [APP_ORIGIN] },
    routes: [
      { name: 'health', methods: ['GET', 'HEAD'], path: '/health', public: true },
      { name: 'list orders', methods: ['GET'], path: '/api/orders', scopes: ['orders:read'] },
      { name: 'create order', methods: ['POST'], path: '/api/orders', scopes: { allOf: ['orders:write'], anyOf: ['clerk', 'admin'] } },
      { name: 'tenant API', path: '/tenants/:tenant/*', claims: { tenant_id: ':tenant' } },
      { name: 'events', methods: ['GET'], path: '/events', tokenSources: { query: true } },
      { name: 'dpop orders', methods: ['GET'], path: '/dpop/orders', scopes: ['orders:read'], senderConstraint: 'dpop' },
      { name: 'dpop nonce', methods: ['GET'], path: '/dpop/nonce', senderConstraint: 'dpop', dpop: { nonce: true } },
      { name: 'forwarding', methods: ['GET'], path: '/forward/orders', scopes: ['orders:read'], forwardAuthorization: true },
    ],
  });

  const bearer = (token) => ({ authorization: `Bearer ${token}` });
  const challenge = (params = '') => `Bearer realm="table-api"${params}`;
  const invalid = (code) => ({ status: 401, code, error: 'invalid_token', challengeStart: challenge(`, error="invalid_token", error_description="${code}: `), metadata: true });
  const forbidden = (code, scope) => ({ status: 403, code, error: 'insufficient_scope', challengeStart: challenge(', error="insufficient_scope", error_description='), scope });
  const identity = (extra = {}) => ({ 'x-auth-subject': 'client-1', 'x-auth-scopes': 'orders:read', 'x-auth-tenant': 'acme', 'x-auth-client': 'machine-7', ...extra });

  // DPoP (RFC 9449). Proofs name the URL of the host they are sent to, so these requests are made per
  // host: (host, state) => request, `state` what earlier rows on that host left (a proof, a nonce).
  const META = `resource_metadata="${METADATA_URL}"`;
  const bearerBare = `Bearer realm="table-api", ${META}`;
  const dpopBare = `DPoP realm="table-api", algs="${ALGS}", ${META}`;
  const dpopError = (error, code) => `DPoP realm="table-api", error="${error}", error_description="${code}: ...", algs="${ALGS}", ${META}`;
  const badProof = (claim) => ({ status: 401, code: 'ERR_JWT_BAD_DPOP_PROOF', claim, error: 'invalid_dpop_proof', challenge: `${bearerBare}, ${dpopError('invalid_dpop_proof', 'ERR_JWT_BAD_DPOP_PROOF')}` });
  const badBinding = { status: 401, code: 'ERR_JWT_BAD_BINDING', claim: 'cnf.jkt', error: 'invalid_token', challenge: `${bearerBare}, ${dpopError('invalid_token', 'ERR_JWT_BAD_BINDING')}` };
  const htuOf = (host, path) => {
    const url = new URL(path, host.url);
    return url.origin + url.pathname;
  };
  /** A request with `token` under `scheme` and a proof from `key` (options: dpopClient's, `htu`, `htm`). */
  const dpop = (path, token, { scheme = 'DPoP', key = () => client, keep, reuse, ...options } = {}) => async (host, state) => {
    const proof = reuse ? state[reuse] : await key().proof(token, options.htu ?? htuOf(host, path), options.htm ?? 'GET', options);
    proofsSent.push(proof);
    if (keep) state[keep] = proof;
    return { path, headers: { authorization: `${scheme} ${token}`, dpop: proof } };
  };
  const dpopSeen = (path) => ({ method: 'GET', url: path, headers: identity() });

  // name, request, expected. `seen`: what the application must receive (absent: it must not be reached).
  const rows = () => [
    ['no token', { path: '/api/orders' }, { status: 401, code: 'ERR_AUTH_MISSING', error: 'unauthorized', challenge: challenge(`, resource_metadata="${METADATA_URL}"`) }],
    ['wrong scheme', { path: '/api/orders', headers: { authorization: 'Basic dXNlcjpwYXNz' } }, { status: 401, code: 'ERR_AUTH_MISSING', challenge: challenge(`, resource_metadata="${METADATA_URL}"`) }],
    ['empty bearer', { path: '/api/orders', headers: { authorization: 'Bearer ' } }, { status: 401, code: 'ERR_AUTH_MISSING' }],
    ['two Authorization headers', { path: '/api/orders', headers: [['authorization', `Bearer ${t.read}`], ['authorization', `Bearer ${t.read}`]] }, { status: 400, code: 'ERR_AUTH_MULTIPLE_TOKENS', error: 'invalid_request', challengeStart: challenge(', error="invalid_request"') }],
    ['header and cookie', { path: '/api/orders', headers: { ...bearer(t.read), cookie: `access_token=${t.read}` } }, { status: 400, code: 'ERR_AUTH_MULTIPLE_TOKENS' }],
    ['two token cookies', { path: '/api/orders', headers: { cookie: `access_token=${t.read}; theme=dark; access_token=${t.read}` } }, { status: 400, code: 'ERR_AUTH_MULTIPLE_TOKENS' }],
    ['cookie token', { path: '/api/orders', headers: { cookie: `theme=dark; access_token=${t.read}` } }, { status: 200, seen: { method: 'GET', url: '/api/orders', headers: { ...identity(), cookie: 'theme=dark' } } }],
    ['valid, scheme in any case', { path: '/api/orders?page=2', headers: { authorization: `bEaReR ${t.read}` } }, { status: 200, seen: { method: 'GET', url: '/api/orders?page=2', headers: identity() } }],
    ['expired', { path: '/api/orders', headers: bearer(t.expired) }, invalid('ERR_JWT_EXPIRED')],
    ['tampered', { path: '/api/orders', headers: bearer(t.tampered) }, invalid('ERR_JWT_BAD_SIGNATURE')],
    ['wrong audience', { path: '/api/orders', headers: bearer(t.otherAudience) }, invalid('ERR_JWT_BAD_AUDIENCE')],
    ['not a JWT', { path: '/api/orders', headers: bearer('abc.def') }, invalid('ERR_JWT_MALFORMED')],
    // jwtward's message cites "RFC 7515 §2": the challenge spells it in ASCII, the body keeps it.
    ['not base64url', { path: '/api/orders', headers: bearer('eyJhbGciOiJFUzI1NiJ9.e30.AA*A') }, { ...invalid('ERR_JWT_MALFORMED'), descriptionHas: 'RFC 7515 section 2' }],
    ['missing scope', { path: '/api/orders', headers: bearer(t.write) }, forbidden('ERR_JWT_INSUFFICIENT_SCOPE', 'orders:read')],
    ['no scope at all', { path: '/api/orders', headers: bearer(t.none) }, forbidden('ERR_JWT_INSUFFICIENT_SCOPE', 'orders:read')],
    ['anyOf met', { method: 'POST', path: '/api/orders', headers: { ...bearer(t.writeClerk), 'content-type': 'application/json' }, body: '{}' }, { status: 200, seen: { method: 'POST', url: '/api/orders', headers: identity({ 'x-auth-scopes': 'orders:write clerk' }) } }],
    ['anyOf not met', { method: 'POST', path: '/api/orders', headers: bearer(t.write), body: '{}' }, forbidden('ERR_JWT_INSUFFICIENT_SCOPE', 'admin clerk orders:write')],
    ['scope from roles (scopeClaims)', { path: '/api/orders', headers: bearer(t.roles) }, { status: 200, seen: { method: 'GET', url: '/api/orders', headers: identity() } }],
    ['scp is not a scope claim here', { path: '/api/orders', headers: bearer(t.scp) }, forbidden('ERR_JWT_INSUFFICIENT_SCOPE', 'orders:read')],
    ['anyOf met from roles', { method: 'POST', path: '/api/orders', headers: bearer(t.writeRolesClerk), body: '{}' }, { status: 200, seen: { method: 'POST', url: '/api/orders', headers: identity({ 'x-auth-scopes': 'orders:write clerk' }) } }],
    ['a scope claim of another type', { path: '/api/orders', headers: bearer(t.rolesNumber) }, invalid('ERR_JWT_MALFORMED')],
    ['the second issuer, its audience', { path: '/api/orders', headers: bearer(t.partner) }, { status: 200, seen: { method: 'GET', url: '/api/orders', headers: identity() } }],
    ['the second issuer, the first one\'s audience', { path: '/api/orders', headers: bearer(t.partnerWrongAudience) }, invalid('ERR_JWT_BAD_AUDIENCE')],
    ['an issuer outside the list', { path: '/api/orders', headers: bearer(t.stranger) }, invalid('ERR_JWT_BAD_ISSUER')],
    ['the first issuer named, the second one\'s key', { path: '/api/orders', headers: bearer(t.crossIssuer) }, invalid('ERR_JWT_KEY_NOT_FOUND')],
    ['tenant match', { path: '/tenants/acme/orders/42', headers: bearer(t.read) }, { status: 200, seen: { method: 'GET', url: '/tenants/acme/orders/42', headers: identity() } }],
    ['tenant mismatch', { path: '/tenants/globex/orders/42', headers: bearer(t.read) }, forbidden('ERR_JWT_BAD_CLAIM', null)],
    ['tenant, encoded letter', { path: '/tenants/ac%6De/orders', headers: bearer(t.read) }, { status: 200 }],
    ['encoded slash', { path: '/tenants/acme%2F..%2Fglobex/orders', headers: bearer(t.read) }, { status: 400, code: 'ERR_PATH_UNSAFE', error: 'invalid_request' }],
    ['unmatched route', { path: '/admin', headers: bearer(t.read) }, { status: 404, code: 'ERR_ROUTE_NOT_FOUND' }],
    ['trailing slash is another path', { path: '/api/orders/', headers: bearer(t.read) }, { status: 404, code: 'ERR_ROUTE_NOT_FOUND' }],
    ['405 with Allow', { method: 'DELETE', path: '/api/orders', headers: bearer(t.read) }, { status: 405, code: 'ERR_METHOD_NOT_ALLOWED', allow: 'GET, POST' }],
    ['CORS preflight', { method: 'OPTIONS', path: '/api/orders', headers: { origin: APP_ORIGIN, 'access-control-request-method': 'GET' } }, { status: 204, acao: APP_ORIGIN }],
    ['CORS preflight, other origin', { method: 'OPTIONS', path: '/api/orders', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } }, { status: 403, code: 'ERR_CORS_ORIGIN', acao: null }],
    ['CORS on a 401', { path: '/api/orders', headers: { origin: APP_ORIGIN } }, { status: 401, acao: APP_ORIGIN, expose: 'WWW-Authenticate, DPoP-Nonce' }],
    ['CORS on an allowed request', { path: '/api/orders', headers: { origin: APP_ORIGIN, ...bearer(t.read) } }, { status: 200, acao: APP_ORIGIN }],
    ['public route, spoofed identity removed', { path: '/health', headers: { 'X-Auth-Subject': 'admin', X_Auth_Tenant: 'globex', 'X-HTTP-Method-Override': 'DELETE', authorization: 'Bearer whatever' } }, { status: 200, seen: { method: 'GET', url: '/health', headers: {} } }],
    ['spoofed identity on a protected route', { path: '/api/orders', headers: { ...bearer(t.read), 'X-Auth-Tenant': 'globex', X_AUTH_SUBJECT: 'admin', 'x-auth-client': 'root', X_Forwarded_User: 'admin', 'X-Method-Override': 'DELETE' } }, { status: 200, seen: { method: 'GET', url: '/api/orders', headers: identity() } }],
    ['query token refused where not opted in', { path: `/api/orders?access_token=${t.read}` }, { status: 401, code: 'ERR_AUTH_MISSING' }],
    ['query token allowed by opt-in, removed from the URL', { path: `/events?since=1&access_token=${t.read}&b=a%20b` }, { status: 200, seen: { method: 'GET', url: '/events?since=1&b=a%20b', headers: identity() } }],
    ['query token and header', { path: `/events?access_token=${t.read}`, headers: bearer(t.read) }, { status: 400, code: 'ERR_AUTH_MULTIPLE_TOKENS' }],
    ['two query tokens', { path: `/events?access_token=${t.read}&access_token=${t.read}` }, { status: 400, code: 'ERR_AUTH_MULTIPLE_TOKENS' }],
    ['RFC 9728 metadata', { path: '/.well-known/oauth-protected-resource' }, {
      status: 200,
      metadataBody: {
        resource: RESOURCE,
        authorization_servers: [issuer.issuer, partner.issuer],
        scopes_supported: ['admin', 'clerk', 'orders:read', 'orders:write'],
        bearer_methods_supported: ['header', 'query'],
        dpop_signing_alg_values_supported: ALGS.split(' '),
      },
    }],

    // DPoP on a route that takes bearer tokens too (senderConstraint "none", no DPoP challenge of its own).
    ['DPoP: a bound token with its proof', dpop('/api/orders', t.bound, { keep: 'proof' }), { status: 200, seen: dpopSeen('/api/orders') }],
    ['DPoP: the same proof again (replay)', dpop('/api/orders', t.bound, { reuse: 'proof' }), badProof('jti')],
    ['DPoP: a proof for another URL', dpop('/api/orders', t.bound, { claims: { htu: 'https://elsewhere.example/api/orders' } }), badProof('htu')],
    ['DPoP: a proof for another method', dpop('/api/orders', t.bound, { htm: 'POST' }), badProof('htm')],
    ['DPoP: a proof made with another key', dpop('/api/orders', t.bound, { key: () => attacker }), badBinding],
    ['DPoP: a stale proof (iat 2 minutes ago)', dpop('/api/orders', t.bound, { claims: { iat: Math.floor(Date.now() / 1000) - 120 } }), badProof('iat')],
    ['DPoP: a proof for another token (ath)', dpop('/api/orders', t.bound, { claims: { ath: ath(t.read) } }), badProof('ath')],
    ['DPoP: a proof signed with HS256', dpop('/api/orders', t.bound, { header: { alg: 'HS256' }, sign: 'HS256' }), badProof('alg')],
    ['DPoP: a proof with alg none', dpop('/api/orders', t.bound, { header: { alg: 'none' }, sign: 'none' }), badProof('alg')],
    ['DPoP: a private key in the proof\'s jwk', dpop('/api/orders', t.bound, { header: { jwk: privateJwk } }), badProof('jwk')],
    ['DPoP: two DPoP headers', async (host) => {
      const [one, two] = [await client.proof(t.bound, htuOf(host, '/api/orders')), await client.proof(t.bound, htuOf(host, '/api/orders'))];
      proofsSent.push(one, two);
      return { path: '/api/orders', headers: [['authorization', `DPoP ${t.bound}`], ['dpop', one], ['dpop', two]] };
    }, badProof('proof')],
    ['DPoP: a bound token without a proof', { path: '/api/orders', headers: { authorization: `DPoP ${t.bound}` } }, badBinding],
    ['DPoP: a bound token as a bearer token', { path: '/api/orders', headers: bearer(t.bound) }, { ...invalid('ERR_JWT_BAD_BINDING'), challenge: `Bearer realm="table-api", error="invalid_token", error_description="ERR_JWT_BAD_BINDING: ...", ${META}` }],
    ['DPoP: a bound token as a bearer token, with its proof', dpop('/api/orders', t.bound, { scheme: 'Bearer' }), { ...invalid('ERR_JWT_BAD_BINDING') }],
    // The Bearer scheme: the proof is not for it. An unbound token is the bearer token it is.
    ['DPoP: an unbound token as a bearer token, with a DPoP header', dpop('/api/orders', t.read, { scheme: 'Bearer' }), { status: 200, seen: dpopSeen('/api/orders') }],
    ['DPoP: an unbound token under the DPoP scheme', dpop('/api/orders', t.read), badBinding],
    ['DPoP: the scheme in any case', dpop('/api/orders', t.bound, { scheme: 'dpop' }), { status: 200 }],
    ['DPoP: a Bearer and a DPoP Authorization header', async (host) => ({ path: '/api/orders', headers: [['authorization', `Bearer ${t.read}`], ['authorization', `DPoP ${t.bound}`]] }), { status: 400, code: 'ERR_AUTH_MULTIPLE_TOKENS' }],

    // A route that requires DPoP: its challenges name DPoP alone.
    ['DPoP only: no token', { path: '/dpop/orders' }, { status: 401, code: 'ERR_AUTH_MISSING', challenge: dpopBare }],
    ['DPoP only: a bound token with its proof', dpop('/dpop/orders', t.bound), { status: 200, seen: dpopSeen('/dpop/orders') }],
    ['DPoP only: an unbound bearer token', { path: '/dpop/orders', headers: bearer(t.read) }, { status: 401, code: 'ERR_JWT_BAD_BINDING', claim: 'cnf', error: 'invalid_token', challenge: dpopError('invalid_token', 'ERR_JWT_BAD_BINDING') }],
    ['DPoP only: a proof with another key', dpop('/dpop/orders', t.bound, { key: () => attacker }), { status: 401, code: 'ERR_JWT_BAD_BINDING', claim: 'cnf.jkt', challenge: dpopError('invalid_token', 'ERR_JWT_BAD_BINDING') }],
    ['DPoP only: a bound token without the scope', dpop('/dpop/orders', t.boundWrite), {
      status: 403, code: 'ERR_JWT_INSUFFICIENT_SCOPE', error: 'insufficient_scope',
      challenge: `DPoP realm="table-api", error="insufficient_scope", error_description="ERR_JWT_INSUFFICIENT_SCOPE: ...", scope="orders:read", algs="${ALGS}"`,
    }],

    // Server-issued nonces (RFC 9449 §9): the first proof has none, the client retries with the one
    // the answer gave, as the dpop and oauth4webapi clients do.
    ['DPoP nonce: a proof without a nonce', dpop('/dpop/nonce', t.bound), { status: 401, code: 'ERR_JWT_BAD_DPOP_PROOF', claim: 'nonce', error: 'use_dpop_nonce', challenge: dpopError('use_dpop_nonce', 'ERR_JWT_BAD_DPOP_PROOF'), dpopNonce: true }],
    ['DPoP nonce: the retry with the nonce given', async (host, state) => dpop('/dpop/nonce', t.bound, { nonce: state.nonce })(host, state), { status: 200, seen: dpopSeen('/dpop/nonce'), dpopNonce: true }],
    ['DPoP nonce: a nonce it was never given', dpop('/dpop/nonce', t.bound, { nonce: 'made-up-nonce' }), { status: 401, claim: 'nonce', error: 'use_dpop_nonce', dpopNonce: true }],
    ['DPoP nonce: no token', { path: '/dpop/nonce' }, { status: 401, code: 'ERR_AUTH_MISSING', dpopNonce: true }],

    // A route that forwards credentials (forwardAuthorization): what was presented reaches the
    // application as presented, the DPoP proof with its token, the identity headers beside them.
    ['forwardAuthorization: a Bearer header passes on', { path: '/forward/orders', headers: bearer(t.read) }, { status: 200, seen: { method: 'GET', url: '/forward/orders', headers: identity({ authorization: `Bearer ${t.read}` }) } }],
    ['forwardAuthorization: the token cookie stays', { path: '/forward/orders', headers: { cookie: `theme=dark; access_token=${t.read}` } }, { status: 200, seen: { method: 'GET', url: '/forward/orders', headers: identity({ cookie: `theme=dark; access_token=${t.read}` }) } }],
    ['forwardAuthorization: a DPoP token and its proof pass on', dpop('/forward/orders', t.bound, { keep: 'forwardedProof' }), {
      status: 200, sentProof: 'forwardedProof',
      seen: { method: 'GET', url: '/forward/orders', headers: identity({ authorization: `DPoP ${t.bound}`, dpop: 'the proof sent' }) },
    }],
    ['forwardAuthorization: spoofed identity still removed', { path: '/forward/orders', headers: { ...bearer(t.read), 'X-Auth-Tenant': 'globex', X_Auth_Subject: 'admin' } }, { status: 200, seen: { method: 'GET', url: '/forward/orders', headers: identity({ authorization: `Bearer ${t.read}` }) } }],
  ];

  before(async () => {
    issuer = await startIssuer();
    issuer.publish(await issuer.addKey('k1'));
    partner = await startIssuer();
    partner.publish(await partner.addKey('p1'));
    const claims = { tenant_id: 'acme', client_id: 'machine-7' };
    t.read = await issuer.sign({ ...claims, scope: 'orders:read' });
    t.write = await issuer.sign({ ...claims, scope: 'orders:write' });
    t.writeClerk = await issuer.sign({ ...claims, scope: 'orders:write clerk' });
    t.none = await issuer.sign(claims);
    t.roles = await issuer.sign({ ...claims, roles: ['orders:read'] });
    t.scp = await issuer.sign({ ...claims, scp: ['orders:read'] });
    t.writeRolesClerk = await issuer.sign({ ...claims, scope: 'orders:write', roles: ['clerk'] });
    t.rolesNumber = await issuer.sign({ ...claims, scope: 'orders:read', roles: 7 });
    t.expired = await issuer.sign({ ...claims, scope: 'orders:read' }, { expiresIn: -60 });
    t.otherAudience = await issuer.sign({ ...claims, scope: 'orders:read' }, { audience: 'api://other' });
    t.partner = await partner.sign({ ...claims, scope: 'orders:read' }, { audience: 'api://partner' });
    t.partnerWrongAudience = await partner.sign({ ...claims, scope: 'orders:read' });
    t.stranger = await partner.sign({ ...claims, scope: 'orders:read' }, { issuer: 'https://stranger.example', audience: 'api://partner' });
    t.crossIssuer = await partner.sign({ ...claims, scope: 'orders:read' }, { issuer: issuer.issuer });
    const [h, p, s] = t.read.split('.');
    t.tampered = `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
    client = await dpopClient();
    attacker = await dpopClient();
    privateJwk = await exportJWK(client.keypair.privateKey);
    t.bound = await issuer.sign({ ...claims, scope: 'orders:read', cnf: { jkt: client.jkt } });
    t.boundWrite = await issuer.sign({ ...claims, scope: 'orders:write', cnf: { jkt: client.jkt } });
    hosts = await startAllHosts(policy());
    for (const host of hosts) {
      const byRow = new Map();
      const state = {};
      for (const [name, row, expected] of rows()) {
        const request = typeof row === 'function' ? await row(host, state) : row;
        const { path, method = 'GET', headers = {}, body } = request;
        const response = await host.request(path, { method, headers, body });
        state.nonce = response.headers.get('dpop-nonce') ?? state.nonce;
        const answer = await answerOf(response, { withAuth: host.name !== 'worker' });
        // A forwarded proof is each host's own (its URL is in it): the very one sent must arrive.
        if (expected.sentProof && answer.seen?.headers.dpop === state[expected.sentProof]) answer.seen.headers.dpop = 'the proof sent';
        byRow.set(name, answer);
      }
      answers.set(host.name, byRow);
    }
  });
  after(async () => {
    await Promise.all((hosts ?? []).map((host) => host.close()));
  });

  test('every row gets its expected answer on every host', () => {
    assert.deepEqual([...answers.keys()].sort(), ['express', 'express4', 'fastify', 'fastify4', 'hono-node', 'hono-workerd', 'worker']);
    for (const [name, , expected] of rows()) {
      for (const [hostName, byRow] of answers) {
        const got = byRow.get(name);
        const where = `${hostName}: ${name}: ${JSON.stringify(got)}`;
        assert.equal(got.status, expected.status, where);
        if (expected.code !== undefined) assert.equal(got.code, expected.code, where);
        if (expected.claim !== undefined) assert.equal(got.claim, expected.claim, where);
        if (expected.error !== undefined) assert.equal(got.error, expected.error, where);
        if (expected.challenge !== undefined) assert.equal(got.challenge, expected.challenge, where);
        if (expected.challengeStart !== undefined) assert.ok(got.challenge?.startsWith(expected.challengeStart), where);
        if (expected.metadata) assert.ok(got.challenge.endsWith(`, resource_metadata="${METADATA_URL}"`), where);
        if (expected.descriptionHas) {
          assert.ok(got.description.includes(expected.descriptionHas), where);
          assert.ok(got.message.includes('§'), `${where}: the JSON body keeps jwtward's message`);
        }
        if (expected.scope !== undefined) {
          const scope = /scope="([^"]*)"/.exec(got.challenge.replace(/error_description="[^"]*"/, ''))?.[1] ?? null;
          assert.equal(scope, expected.scope, where);
          assert.ok(!got.challenge.includes('resource_metadata'), `${where}: resource_metadata is for 401s`);
        }
        if (expected.allow !== undefined) assert.equal(got.allow, expected.allow, where);
        if (expected.acao !== undefined) assert.equal(got.acao, expected.acao, where);
        if (expected.expose !== undefined) assert.equal(got.expose, expected.expose, where);
        if (expected.seen !== undefined) assert.deepEqual(got.seen, expected.seen, where);
        if (got.status !== 200 && got.status !== 204) {
          assert.equal(got.seen, undefined, `${where}: the application was reached`);
          assert.equal(got.cacheControl, 'no-store', where);
        }
        if (expected.metadataBody !== undefined) assert.deepEqual(got.metadata, expected.metadataBody, where);
        assert.equal(got.dpopNonce, expected.dpopNonce ?? false, `${where}: DPoP-Nonce`);
        if (got.challenge !== null) assert.match(got.challenge, /^[\x20-\x7E]*$/, `${where}: WWW-Authenticate is ASCII`);
      }
    }
  });

  test('identical answers on every host', () => {
    const [reference, ...others] = [...answers.keys()];
    const strip = ({ auth, description, message, query, ...rest }) => rest;
    for (const [name] of rows()) {
      for (const other of others) {
        assert.deepEqual(strip(answers.get(other).get(name)), strip(answers.get(reference).get(name)), `${name}: ${other} vs ${reference}`);
      }
    }
  });

  test('a query token is gone from the parsed query too (Express 4 parses it before any middleware)', () => {
    for (const name of ['express', 'express4', 'fastify', 'fastify4']) {
      const got = answers.get(name).get('query token allowed by opt-in, removed from the URL');
      assert.deepEqual(got.query, { since: '1', b: 'a b' }, name);
    }
  });

  test('`auth` is the same object in every adapter', () => {
    const adapters = [...answers.keys()].filter((name) => name !== 'worker');
    const auth = answers.get(adapters[0]).get('tenant match').auth;
    assert.deepEqual(Object.keys(auth).sort(), ['alg', 'aud', 'claims', 'clientId', 'cnf', 'exp', 'iss', 'kid', 'route', 'scopes', 'sub', 'tenant']);
    assert.equal(auth.cnf, null, 'an unbound token');
    assert.deepEqual(answers.get(adapters[0]).get('DPoP: a bound token with its proof').auth.cnf, { jkt: client.jkt });
    assert.equal(auth.sub, 'client-1');
    assert.equal(auth.clientId, 'machine-7');
    assert.equal(auth.tenant, 'acme');
    assert.deepEqual(auth.scopes, ['orders:read']);
    assert.equal(auth.iss, issuer.issuer);
    assert.equal(auth.aud, 'api://test');
    assert.equal(auth.kid, 'k1');
    assert.equal(auth.alg, 'ES256');
    assert.equal(auth.route, 'tenant API');
    assert.equal(auth.claims.tenant_id, 'acme');
    assert.equal(typeof auth.exp, 'number');
    for (const name of adapters) {
      for (const [row] of rows()) assert.deepEqual(answers.get(name).get(row).auth, answers.get(adapters[0]).get(row).auth, `${row}: ${name}`);
    }
    assert.equal(answers.get(adapters[0]).get('public route, spoofed identity removed').auth, null, 'null on a public route');
  });

  test('one audit record per decision on every host, never the token', async () => {
    const count = rows().length;
    for (const host of hosts) {
      let records = [];
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        records = host.records().filter((r) => r.event === 'request');
        if (records.length >= count) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(records.length, count, host.name);
      const text = JSON.stringify(host.records());
      for (const token of Object.values(t)) assert.ok(!text.includes(token.split('.')[2]), `${host.name} logged a token`);
      for (const proof of proofsSent) assert.ok(!text.includes(proof.split('.')[1]), `${host.name} logged a DPoP proof`);
      const byRow = Object.fromEntries(rows().map(([name], i) => [name, records[i]]));
      assert.equal(byRow['tenant match'].decision, 'allow');
      assert.equal(byRow['tenant match'].route, 'tenant API');
      assert.equal(byRow['tenant match'].sub, 'client-1');
      assert.equal(byRow['tenant match'].client_id, 'machine-7');
      assert.equal(byRow['tenant match'].kid, 'k1');
      assert.equal(typeof byRow['tenant match'].latency_ms, 'number');
      assert.equal(byRow.expired.code, 'ERR_JWT_EXPIRED');
      assert.equal(byRow['two Authorization headers'].code, 'ERR_AUTH_MULTIPLE_TOKENS');
      assert.equal(byRow['query token allowed by opt-in, removed from the URL'].path, '/events');
      assert.equal(byRow['RFC 9728 metadata'].decision, 'metadata');
      // Which binding was checked.
      assert.equal(byRow['DPoP: a bound token with its proof'].binding, 'dpop');
      assert.equal(byRow['DPoP: a bound token with its proof'].sub, 'client-1');
      assert.deepEqual([byRow['DPoP: the same proof again (replay)'].code, byRow['DPoP: the same proof again (replay)'].binding], ['ERR_JWT_BAD_DPOP_PROOF', 'dpop']);
      assert.deepEqual([byRow['DPoP only: an unbound bearer token'].code, byRow['DPoP only: an unbound bearer token'].binding], ['ERR_JWT_BAD_BINDING', 'none']);
      assert.equal(byRow['valid, scheme in any case'].binding, undefined, 'an unbound token allowed: no binding');
    }
  });

  test('raw dot segments (which fetch never sends): the path the guard matched is the path routed', async () => {
    const raw = (host, path, token) => new Promise((resolve, reject) => {
      const request = httpRequest(new URL(path, host.url), { headers: { authorization: `Bearer ${token}` } }, (response) => {
        let text = '';
        response.on('data', (d) => (text += d));
        response.on('end', () => resolve({ status: response.statusCode, body: JSON.parse(text) }));
      });
      request.on('error', reject);
      request.path = path; // as written: the URL parser would resolve the dots
      request.end();
    });
    const globex = await issuer.sign({ tenant_id: 'globex' });
    const byName = Object.fromEntries(hosts.map((host) => [host.name, host]));
    for (const name of ['express', 'express4', 'hono-node']) {
      // Checked and routed as /tenants/globex/orders: the acme token is refused, the globex one reaches
      // the application on that path, never on /tenants/acme/...
      assert.equal((await raw(byName[name], '/tenants/acme/../globex/orders', t.read)).status, 403, name);
      const allowed = await raw(byName[name], '/tenants/acme/../globex/orders', globex);
      assert.equal(allowed.status, 200, name);
      assert.equal(allowed.body.url, '/tenants/globex/orders', name);
    }
    // Fastify has chosen its route on the raw path before the guard runs: refused.
    for (const name of ['fastify', 'fastify4']) {
      const fastify = await raw(byName[name], '/tenants/acme/../globex/orders', globex);
      assert.deepEqual([fastify.status, fastify.body.code], [400, 'ERR_PATH_UNSAFE'], name);
    }
  });
});
