// The route policy: one JSON format and one validator for every server the guard runs in (the Worker,
// Express, Fastify, Hono, any fetch handler). Reference: worker/README.md.
//
// A policy is validated completely, when the guard is created, before the first request: every problem
// is collected and thrown together in one PolicyError, so a typo (`"scope"` for `"scopes"`, a path
// parameter that does not exist, an http:// key URL) stops the server at startup instead of quietly
// opening or closing a route. Pure JavaScript with no imports, so a policy can be checked anywhere
// (scripts/start.mjs checks the demo's before wrangler starts).
//
// The validator checks the shape; the options that end up in jwtward (algorithm names, issuer,
// audience, claims, ...) are checked again by jwtward itself when the guard builds its verifiers
// (pkg/src/guard/verifiers.js), so the two can never disagree about what is valid.

import { compilePattern } from './routes.js';

/** Every algorithm jwtward verifies (common brief; `none` is never one of them). */
const ALGORITHMS = Object.freeze([
  'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
]);

/** The algorithms a DPoP proof may be signed with: the asymmetric ones (RFC 9449 §4.2: never HMAC). */
const DPOP_ALGORITHMS = Object.freeze(ALGORITHMS.filter((alg) => !alg.startsWith('HS')));

/** `senderConstraint` (jwtward's option): which sender-constrained tokens a route requires. */
const SENDER_CONSTRAINTS = Object.freeze(['none', 'dpop', 'mtls', 'any']);

/** Seconds between two server-issued DPoP nonces (RFC 9449 §9), unless `dpop.nonce.rotation` says. */
const DPOP_NONCE_ROTATION = 300;

/** The identity headers the Worker always sets (and always strips from incoming requests). */
const IDENTITY_HEADERS = Object.freeze({
  subject: 'X-Auth-Subject',
  scopes: 'X-Auth-Scopes',
  tenant: 'X-Auth-Tenant',
});

/** Incoming headers with this prefix are removed before proxying: nobody but the Worker sets them. */
const IDENTITY_HEADER_PREFIX = 'x-auth-';

/**
 * Headers that ask an origin to run another method than the request's (Rails, Laravel, Express's
 * method-override, ASP.NET, ...): removed unless the policy says `forwardMethodOverride`, since the
 * route check only ever saw the request's own method.
 */
const METHOD_OVERRIDE_HEADERS = Object.freeze(['x-http-method-override', 'x-http-method', 'x-method-override']);

/**
 * A header name as CGI, WSGI, PHP and Rack see it: case-insensitive, `_` and `-` the same
 * (`X_Auth_Tenant` and `X-Auth-Tenant` both become HTTP_X_AUTH_TENANT). Every comparison with a name
 * the Worker sets or removes is made on this form.
 */
function canonicalHeaderName(name) {
  return name.toLowerCase().replaceAll('_', '-');
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
// RFC 9110 token: what a header name may contain.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Headers a claim may not be copied into: transport, credentials, or the Worker's own identity headers.
const RESERVED_FORWARD_HEADERS = new Set([
  'authorization', 'proxy-authorization', 'cookie', 'host', 'content-length', 'content-type',
  'content-encoding', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer',
  ...METHOD_OVERRIDE_HEADERS,
  ...Object.values(IDENTITY_HEADERS).map((h) => h.toLowerCase()),
]);
// RFC 6749 §3.3 scope-token; also exactly what may appear inside the quoted `scope="..."` of RFC 6750.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
// What may appear inside a quoted realm without escaping (RFC 9110 qdtext minus obs-text).
const REALM_TEXT = /^[\x20\x21\x23-\x5B\x5D-\x7E]+$/;
const CLAIM_NAME = /^[^\s]+$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
// Members of a JWK that are private key material (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const TOP_LEVEL_KEYS = new Set([
  '$schema', 'description', 'realm', 'issuer', 'audience', 'algorithms', 'typ', 'clockTolerance',
  'maxTokenAge', 'maxTokenLength', 'requiredClaims', 'claims', 'scopeClaims', 'jwks', 'jwksUri', 'discovery',
  'issuers', 'jwksCache',
  'publishJwks', 'resource', 'tokenSources', 'tenantClaim', 'forwardClaims', 'forwardAuthorization',
  'forwardMethodOverride', 'keepUnderscoreHeaders', 'unmatched', 'cors', 'routes',
  'senderConstraint', 'dpop', 'mtls',
]);
const ROUTE_KEYS = new Set([
  'name', 'description', 'methods', 'path', 'public', 'scopes', 'claims', 'requiredClaims',
  'forwardClaims', 'forwardAuthorization', 'otherMethods', 'tokenSources', 'senderConstraint', 'dpop',
]);
const DPOP_KEYS = new Set(['algorithms', 'iatWindow', 'nonce', 'publicOrigin']);
const MTLS_KEYS = new Set(['certificate']);
const JWKS_CACHE_KEYS = new Set(['cooldown', 'minTtl', 'maxTtl', 'defaultTtl', 'timeout', 'maxStale']);
const ISSUER_ENTRY_KEYS = new Set(['issuer', 'jwksUri', 'discovery', 'audience']);
const CORS_KEYS = new Set(['allowOrigins', 'allowMethods', 'allowHeaders', 'exposeHeaders', 'maxAge', 'allowCredentials']);
const TOKEN_SOURCE_KEYS = new Set(['cookie', 'query']);

/** RFC 9728 §3.1: the metadata of a protected resource is at this path, before the resource's own path. */
const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

/**
 * Defaults of the key cache, in seconds: jwtward's RemoteJwks defaults (TTL clamped to [1 min, 24 h],
 * 30 s unknown-kid cooldown, 5 s timeout, the last good keys served up to 7 days with the issuer down).
 */
const JWKS_CACHE_DEFAULTS = Object.freeze({ cooldown: 30, minTtl: 60, maxTtl: 86400, defaultTtl: 600, timeout: 5, maxStale: 7 * 86400 });

/** Thrown for an invalid policy; `problems` lists every problem as "<field>: <what is wrong>". */
class PolicyError extends Error {
  constructor(problems) {
    super(`jwtward: invalid policy [ERR_POLICY_INVALID], ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'PolicyError';
    this.code = 'ERR_POLICY_INVALID';
    this.problems = problems;
  }
}

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNonEmptyString = (v) => typeof v === 'string' && v.length > 0;

/**
 * Validates and compiles a policy. Returns a frozen, normalised structure the Worker uses as is;
 * throws PolicyError listing every problem. Settings that are valid but weaken a default are listed in
 * the result's `warnings` ("<field>: <why>"), which the Worker logs at startup and `npm start` prints.
 * @param {unknown} raw the parsed policy JSON
 */
function compilePolicy(raw) {
  const problems = [];
  const problem = (field, message) => problems.push(`${field}: ${message}`);
  const warnings = [];
  const warn = (field, message) => warnings.push(`${field}: ${message}`);

  if (!isObject(raw)) throw new PolicyError(['(root): must be a JSON object']);
  unknownKeys(raw, TOP_LEVEL_KEYS, '', problem);

  const realm = raw.realm ?? 'jwtward';
  if (!isNonEmptyString(realm) || !REALM_TEXT.test(realm)) {
    problem('realm', 'must be a non-empty string of printable ASCII without `"` or `\\` (it is quoted in WWW-Authenticate)');
  }

  // --- where the keys come from, and whose tokens are accepted ---
  const { keys, issuer, audience, authorizationServers } = keySources(raw, problem);

  // --- what every token must satisfy (handed to jwtward as Verifier options) ---
  const algorithms = algorithmList(raw.algorithms, problem);
  const typ = optionalString(raw.typ, 'typ', problem);
  const clockTolerance = integer(raw.clockTolerance, 'clockTolerance', problem, { min: 0, max: 600, fallback: 0 });
  const maxTokenAge = integer(raw.maxTokenAge, 'maxTokenAge', problem, { min: 1, max: 31_536_000, fallback: undefined });
  const maxTokenLength = integer(raw.maxTokenLength, 'maxTokenLength', problem, { min: 64, max: 1 << 20, fallback: undefined });
  const requiredClaims = claimNameList(raw.requiredClaims, 'requiredClaims', problem);
  // Where granted scopes are read (jwtward's default: `scope`, then `scp`); route scopes, `anyOf`
  // included, and X-Auth-Scopes all use jwtward's list from these claims.
  const scopeClaims = raw.scopeClaims === undefined ? undefined : claimNameList(raw.scopeClaims, 'scopeClaims', problem);
  if (scopeClaims !== undefined && Array.isArray(raw.scopeClaims) && raw.scopeClaims.length === 0) problem('scopeClaims', 'must name at least one claim');
  // A name starting with `/` is a JSON Pointer (RFC 6901) into the claims (Keycloak's nested roles).
  scopeClaims?.forEach((name, i) => {
    if (typeof name === 'string' && name.startsWith('/') && /~(?![01])/.test(name)) problem(`scopeClaims[${i}]`, 'is not a JSON Pointer (RFC 6901): `~` must be followed by 0 or 1');
  });
  const claims = staticClaims(raw.claims, 'claims', problem);

  const publishJwks = publishedJwks(raw.publishJwks, problem);

  // --- how clients find and present tokens ---
  const tokenSources = tokenSourceOptions(raw.tokenSources, 'tokenSources', { cookie: null, query: false }, problem, warn);
  const resource = resourceMetadata(raw.resource, problem);

  // --- sender-constrained tokens (RFC 9449 DPoP, RFC 8705 mTLS): checked by jwtward ---
  const senderConstraint = senderConstraintOf(raw.senderConstraint, 'senderConstraint', 'none', problem);
  const dpop = dpopOptions(raw.dpop, problem);
  const mtls = mtlsOptions(raw.mtls, problem);

  // --- what the origin receives ---
  const tenantClaim = raw.tenantClaim ?? 'tenant_id';
  if (!isNonEmptyString(tenantClaim)) problem('tenantClaim', 'must be a claim name');
  const forwardClaims = forwardClaimMap(raw.forwardClaims, 'forwardClaims', problem);
  const forwardAuthorization = boolean(raw.forwardAuthorization, 'forwardAuthorization', problem, false);
  const forwardMethodOverride = boolean(raw.forwardMethodOverride, 'forwardMethodOverride', problem, false);
  if (forwardMethodOverride) {
    warn('forwardMethodOverride', 'method-override headers reach the origin: an origin that honours them runs a method the route check never saw');
  }
  const keepUnderscoreHeaders = boolean(raw.keepUnderscoreHeaders, 'keepUnderscoreHeaders', problem, false);
  if (keepUnderscoreHeaders) {
    warn('keepUnderscoreHeaders', 'headers with "_" in their name reach the origin; CGI, WSGI, PHP and Rack read them as the "-" names of headers a proxy may set');
  }

  const unmatched = raw.unmatched ?? 'deny';
  if (!['deny', 'authenticate', 'public'].includes(unmatched)) {
    problem('unmatched', 'must be "deny" (default), "authenticate" (any valid token) or "public"');
  } else if (unmatched !== 'deny') {
    warn('unmatched', `"${unmatched}" lets requests no route names through${unmatched === 'public' ? ' without a token' : ' with any valid token'}; "deny" is safer`);
  }

  const cors = corsOptions(raw.cors, problem);

  // --- routes ---
  const routes = [];
  if (!Array.isArray(raw.routes) || raw.routes.length === 0) {
    problem('routes', 'must be a non-empty array');
  } else {
    raw.routes.forEach((r, i) => {
      const route = compileRoute(r, `routes[${i}]`, i, { claims, requiredClaims, forwardClaims, forwardAuthorization, tokenSources, senderConstraint, dpop }, problem, warn);
      if (route) routes.push(route);
    });
  }
  if (resource && publishJwks && publishJwks.path === resource.path) problem('publishJwks.path', 'is the RFC 9728 metadata path of "resource"');
  if (problems.length > 0) throw new PolicyError(problems);

  // The route used for unmatched requests when `unmatched` is "authenticate" or "public".
  const fallbackRoute = unmatched === 'deny' ? null : finishRoute({
    index: -1,
    name: `unmatched (${unmatched})`,
    methods: null,
    otherMethods: 'deny',
    tokenSources,
    pattern: compilePattern('/*'),
    public: unmatched === 'public',
    allScopes: [],
    anyScopes: [],
    staticClaims: {},
    paramClaims: [],
    requiredClaims: [],
    forwardClaims,
    forwardAuthorization,
    senderConstraint,
    dpopNonce: dpop.nonce,
    dpopSection: false,
  }, { claims, requiredClaims, dpop });

  const protectedRoutes = [...routes, ...(fallbackRoute ? [fallbackRoute] : [])].filter((route) => !route.public);
  const readsCertificates = mtls.given || protectedRoutes.some((route) => route.senderConstraint === 'mtls' || route.senderConstraint === 'any');
  return deepFreeze({
    realm,
    verify: {
      issuer, audience, algorithms, typ, clockTolerance, maxTokenAge, maxTokenLength, requiredClaims, claims, scopeClaims,
      dpopAlgorithms: dpop.algorithmsGiven ? dpop.algorithms : undefined,
      dpopIatWindow: dpop.iatWindow,
    },
    dpop: {
      algorithms: dpop.algorithms,
      publicOrigin: dpop.publicOrigin,
      // Whether a route asks for nonces, and their rotation (the policy's, for every route).
      nonces: protectedRoutes.some((route) => route.dpopNonce !== null),
      rotation: dpop.nonce?.rotation ?? DPOP_NONCE_ROTATION,
    },
    // Client certificates are read where the policy speaks of mTLS: an `mtls` section, or a route that
    // requires certificate-bound tokens ("mtls", "any"). Elsewhere no certificate is looked at (a
    // certificate-bound token is then refused: ERR_JWT_BAD_BINDING).
    mtls: { ...mtls, read: readsCertificates },
    keys,
    publishJwks,
    tokenSources,
    resource: resource && {
      ...resource,
      // RFC 9728 §2: what the metadata document says. Issuers are the authorization servers; the scopes
      // are every scope a route names.
      metadata: JSON.stringify({
        resource: resource.id,
        authorization_servers: authorizationServers,
        ...(scopesOf(routes).length ? { scopes_supported: scopesOf(routes) } : {}),
        bearer_methods_supported: [tokenSources, ...routes.map((r) => r.tokenSources)].some((t) => t.query) ? ['header', 'query'] : ['header'],
        // RFC 9728 §2 on sender-constrained tokens: the DPoP algorithms where a route advertises DPoP,
        // whether every protected route requires DPoP, whether certificate-bound tokens are taken.
        ...(protectedRoutes.some((route) => route.schemes.dpop) ? { dpop_signing_alg_values_supported: dpop.algorithms } : {}),
        ...(protectedRoutes.length && protectedRoutes.every((route) => route.senderConstraint === 'dpop') ? { dpop_bound_access_tokens_required: true } : {}),
        ...(readsCertificates ? { tls_client_certificate_bound_access_tokens: true } : {}),
      }),
    },
    tenantClaim,
    forwardAuthorization,
    forwardMethodOverride,
    keepUnderscoreHeaders,
    unmatched,
    fallbackRoute,
    cors,
    routes,
    warnings,
  });
}

function compileRoute(raw, field, index, policyLevel, problem, warn) {
  if (!isObject(raw)) {
    problem(field, 'must be an object');
    return null;
  }
  unknownKeys(raw, ROUTE_KEYS, field, problem);

  let pattern = null;
  try {
    pattern = compilePattern(raw.path);
  } catch (e) {
    problem(`${field}.path`, e.message);
  }

  let methods = null;
  if (raw.methods !== undefined && raw.methods !== '*') {
    if (!Array.isArray(raw.methods) || raw.methods.length === 0) {
      problem(`${field}.methods`, 'must be a non-empty array of HTTP methods, or "*" (the default: any method)');
    } else {
      methods = new Set();
      raw.methods.forEach((m, j) => {
        if (typeof m !== 'string' || !METHODS.has(m)) problem(`${field}.methods[${j}]`, `must be one of ${[...METHODS].join(', ')} (upper case)`);
        else methods.add(m);
      });
    }
  }

  // Other methods on this route's path: 405 (the route owns the path), or handed to `unmatched` when
  // the policy says so for this route explicitly.
  const otherMethods = raw.otherMethods ?? 'deny';
  if (otherMethods !== 'deny' && otherMethods !== 'unmatched') {
    problem(`${field}.otherMethods`, 'must be "deny" (default: 405 with Allow) or "unmatched" (other methods follow the policy\'s "unmatched")');
  }

  const isPublic = boolean(raw.public, `${field}.public`, problem, false);
  let allScopes = [];
  let anyScopes = [];
  if (raw.scopes !== undefined) {
    if (Array.isArray(raw.scopes)) {
      allScopes = scopeList(raw.scopes, `${field}.scopes`, problem);
    } else if (isObject(raw.scopes)) {
      unknownKeys(raw.scopes, new Set(['allOf', 'anyOf']), `${field}.scopes`, problem);
      if (raw.scopes.allOf !== undefined) allScopes = scopeList(raw.scopes.allOf, `${field}.scopes.allOf`, problem);
      if (raw.scopes.anyOf !== undefined) anyScopes = scopeList(raw.scopes.anyOf, `${field}.scopes.anyOf`, problem);
      if (raw.scopes.allOf === undefined && raw.scopes.anyOf === undefined) problem(`${field}.scopes`, 'give "allOf" and/or "anyOf"');
    } else {
      problem(`${field}.scopes`, 'must be an array of scopes (all required) or { "allOf": [...], "anyOf": [...] }');
    }
  }

  // Route claims: a string starting with ":" names a path parameter (tenant isolation); anything else
  // is a fixed value compared by jwtward.
  const staticClaimValues = {};
  const paramClaims = [];
  if (raw.claims !== undefined) {
    if (!isObject(raw.claims)) {
      problem(`${field}.claims`, 'must be an object { claim: value | ":pathParameter" }');
    } else {
      for (const [claim, value] of Object.entries(raw.claims)) {
        const f = `${field}.claims.${claim}`;
        if (!CLAIM_NAME.test(claim)) problem(f, 'claim names may not be empty or contain whitespace');
        else if (typeof value === 'string' && value.startsWith(':')) {
          const param = value.slice(1);
          if (pattern && !pattern.params.includes(param)) {
            problem(f, `names path parameter ":${param}", but the path "${raw.path}" has ${pattern.params.length ? pattern.params.map((p) => `:${p}`).join(', ') : 'no parameters'}`);
          } else paramClaims.push({ claim, param });
        } else if (['string', 'number', 'boolean'].includes(typeof value)) {
          staticClaimValues[claim] = value;
        } else {
          problem(f, 'must be a string, number or boolean (or ":param" for a path parameter)');
        }
        if (Object.hasOwn(policyLevel.claims, claim)) problem(f, 'is already required at policy level ("claims"); set it in one place');
      }
    }
  }
  const routeRequired = claimNameList(raw.requiredClaims, `${field}.requiredClaims`, problem);

  if (isPublic && (raw.scopes !== undefined || raw.claims !== undefined || raw.requiredClaims !== undefined || raw.forwardClaims !== undefined || raw.tokenSources !== undefined)) {
    problem(field, 'a public route takes no token, so it cannot require scopes or claims, forward claims or name token sources');
  }
  // A route may accept a token from another place than the policy says (an EventSource or WebSocket
  // endpoint that cannot set headers, say): its fields win over the policy's.
  const tokenSources = tokenSourceOptions(raw.tokenSources, `${field}.tokenSources`, policyLevel.tokenSources, problem, warn);

  const senderConstraint = senderConstraintOf(raw.senderConstraint, `${field}.senderConstraint`, policyLevel.senderConstraint, problem);
  const dpopNonce = routeDpopNonce(raw.dpop, `${field}.dpop`, policyLevel.dpop, problem);
  if (isPublic && (raw.senderConstraint !== undefined || raw.dpop !== undefined)) {
    problem(field, 'a public route takes no token, so it cannot name a sender constraint or DPoP settings');
  }

  const routeForward = forwardClaimMap(raw.forwardClaims, `${field}.forwardClaims`, problem);
  const forwardAuthorization = boolean(raw.forwardAuthorization, `${field}.forwardAuthorization`, problem, policyLevel.forwardAuthorization);
  if (!pattern) return null;

  const name = raw.name ?? `${methods ? [...methods].join(',') : '*'} ${raw.path}`;
  if (!isNonEmptyString(name)) problem(`${field}.name`, 'must be a non-empty string');

  return finishRoute({
    index,
    name,
    methods,
    otherMethods,
    tokenSources,
    pattern,
    public: isPublic,
    allScopes,
    anyScopes,
    staticClaims: staticClaimValues,
    paramClaims,
    requiredClaims: routeRequired,
    // A route's own map wins for a claim named in both.
    forwardClaims: mergeForward(policyLevel.forwardClaims, routeForward),
    forwardAuthorization,
    senderConstraint,
    dpopNonce,
    dpopSection: raw.dpop !== undefined,
  }, policyLevel);
}

// Adds what is derived from a route's requirements: the names used to tell a route failure (403) from
// a token failure (401), the `scope` of the 403 challenge, and the key under which routes with the same
// requirements share one jwtward Verifier.
function finishRoute(route, policyLevel) {
  const policyClaimNames = new Set([...policyLevel.requiredClaims, ...Object.keys(policyLevel.claims)]);
  const routeClaimNames = new Set([
    ...Object.keys(route.staticClaims),
    ...route.requiredClaims,
    ...route.paramClaims.map((p) => p.claim),
  ].filter((name) => !policyClaimNames.has(name)));
  const sorted = (list) => [...new Set(list)].sort();
  const requirements = {
    requiredScopes: sorted(route.allScopes),
    // A claim bound to a path parameter must at least be present: jwtward checks that, the Worker then
    // compares its value with the parameter (see pkg/src/guard/engine.js).
    requiredClaims: sorted([...route.requiredClaims, ...route.paramClaims.map((p) => p.claim)]),
    claims: Object.fromEntries(Object.entries(route.staticClaims).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    senderConstraint: route.senderConstraint,
  };
  return {
    ...route,
    schemes: schemesOf(route, policyLevel.dpop),
    routeClaimNames,
    challengeScope: sorted([...route.allScopes, ...route.anyScopes]).join(' '),
    requirements,
    requirementKey: JSON.stringify(requirements),
  };
}

/**
 * The authentication schemes of a route's challenges (RFC 9449 §7.1, §7.2). `bearer`/`dpop`: the
 * schemes it advertises (a challenge each in every 401 and 403): Bearer unless DPoP is required, DPoP
 * where DPoP-bound tokens are required or allowed explicitly (`senderConstraint` "dpop" or "any", or a
 * `dpop` section). `dpopAccepted`: DPoP-bound tokens with their proofs pass jwtward (every constraint
 * but "mtls"), advertised or not, so a client that used the DPoP scheme gets its error under DPoP.
 * `algs`: the challenge's list of proof algorithms.
 */
function schemesOf(route, dpop) {
  const dpopAccepted = route.senderConstraint !== 'mtls';
  return {
    bearer: route.senderConstraint !== 'dpop',
    dpop: dpopAccepted && (route.senderConstraint === 'dpop' || route.senderConstraint === 'any' || dpop.given || route.dpopSection),
    dpopAccepted,
    algs: dpop.algorithms.join(' '),
  };
}

/** `senderConstraint` at policy level or on a route (`inherited`: the policy's, for a route). */
function senderConstraintOf(value, field, inherited, problem) {
  if (value === undefined) return inherited;
  if (!SENDER_CONSTRAINTS.includes(value)) {
    problem(field, 'must be "none" (unbound tokens too; bound ones need their proof or certificate), "dpop" (DPoP-bound tokens only, RFC 9449), "mtls" (certificate-bound only, RFC 8705) or "any" (bound either way)');
    return inherited;
  }
  return value;
}

/**
 * `dpop`: how DPoP proofs are checked, for every route. `algorithms`: what a proof may be signed with
 * (asymmetric only; the challenges' `algs`); `iatWindow`: seconds a proof's `iat` may be from now
 * (jwtward's default 60); `nonce`: server-issued nonces (RFC 9449 §9), `true` or `{ "rotation":
 * seconds }`; `publicOrigin`: the scheme://host[:port] clients address the API at, which `htu` must
 * name, where the server cannot see it (behind a reverse proxy or TLS terminator).
 */
function dpopOptions(value, problem) {
  const out = { given: value !== undefined, algorithms: DPOP_ALGORITHMS, algorithmsGiven: false, iatWindow: undefined, nonce: null, publicOrigin: null };
  if (value === undefined) return out;
  if (!isObject(value)) {
    problem('dpop', 'must be an object { "algorithms", "iatWindow", "nonce", "publicOrigin" }');
    return out;
  }
  unknownKeys(value, DPOP_KEYS, 'dpop', problem);
  if (value.algorithms !== undefined) {
    if (!Array.isArray(value.algorithms) || value.algorithms.length === 0) {
      problem('dpop.algorithms', `must be a non-empty array of asymmetric algorithms (${DPOP_ALGORITHMS.join(', ')})`);
    } else {
      value.algorithms.forEach((alg, i) => {
        if (!DPOP_ALGORITHMS.includes(alg)) problem(`dpop.algorithms[${i}]`, `"${alg}" is not an asymmetric algorithm jwtward verifies (a proof is signed with a private key: ${DPOP_ALGORITHMS.join(', ')})`);
      });
      out.algorithms = [...new Set(value.algorithms)];
      out.algorithmsGiven = true;
    }
  }
  out.iatWindow = integer(value.iatWindow, 'dpop.iatWindow', problem, { min: 1, max: 3600, fallback: undefined });
  if (value.nonce === true) out.nonce = { rotation: DPOP_NONCE_ROTATION };
  else if (isObject(value.nonce)) {
    unknownKeys(value.nonce, new Set(['rotation']), 'dpop.nonce', problem);
    out.nonce = { rotation: integer(value.nonce.rotation, 'dpop.nonce.rotation', problem, { min: 10, max: 86400, fallback: DPOP_NONCE_ROTATION }) };
  } else if (value.nonce !== undefined && value.nonce !== false) {
    problem('dpop.nonce', 'must be true, false or { "rotation": seconds } (server-issued nonces, RFC 9449 section 9)');
  }
  if (value.publicOrigin !== undefined) out.publicOrigin = publicOrigin(value.publicOrigin, problem);
  return out;
}

/** A route's `dpop`: `{ "nonce": true | false }` over the policy's (its rotation is the policy's). */
function routeDpopNonce(value, field, policyDpop, problem) {
  if (value === undefined) return policyDpop.nonce;
  if (!isObject(value)) {
    problem(field, 'must be an object { "nonce": true | false }');
    return policyDpop.nonce;
  }
  unknownKeys(value, new Set(['nonce']), field, problem);
  if (value.nonce === undefined) return policyDpop.nonce;
  if (typeof value.nonce !== 'boolean') {
    problem(`${field}.nonce`, 'must be true or false (the rotation is the policy\'s "dpop.nonce")');
    return policyDpop.nonce;
  }
  return value.nonce ? policyDpop.nonce ?? { rotation: DPOP_NONCE_ROTATION } : null;
}

/** `dpop.publicOrigin`: an origin (https, or http on a loopback host), its `origin` form. */
function publicOrigin(value, problem) {
  let url;
  try {
    url = new URL(value);
  } catch {
    problem('dpop.publicOrigin', 'must be an origin: scheme://host[:port]');
    return null;
  }
  if (url.origin !== value && `${url.origin}/` !== value) {
    problem('dpop.publicOrigin', 'must be an origin: scheme://host[:port], no path, query or credentials');
    return null;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    problem('dpop.publicOrigin', 'must use https:// (http:// is accepted only for 127.0.0.1, localhost and [::1])');
    return null;
  }
  return url.origin;
}

/**
 * `mtls`: which client certificates count (RFC 8705): `"verified"` (default: the TLS server verified
 * it against its CAs, Workers' `certVerified: "SUCCESS"`, Node's `socket.authorized`) or `"presented"`
 * (any certificate the client proved it holds, self-signed ones too, RFC 8705 §2.2: the token's
 * `cnf.x5t#S256` is what binds it).
 */
function mtlsOptions(value, problem) {
  const out = { given: value !== undefined, certificate: 'verified' };
  if (value === undefined) return out;
  if (!isObject(value)) {
    problem('mtls', 'must be an object { "certificate": "verified" | "presented" }');
    return out;
  }
  unknownKeys(value, MTLS_KEYS, 'mtls', problem);
  if (value.certificate !== undefined) {
    if (value.certificate !== 'verified' && value.certificate !== 'presented') {
      problem('mtls.certificate', 'must be "verified" (checked by the TLS server against its CAs) or "presented" (any certificate, self-signed included: RFC 8705 section 2.2)');
    } else out.certificate = value.certificate;
  }
  return out;
}

/** Every scope any route names, sorted (RFC 9728 `scopes_supported`). */
function scopesOf(routes) {
  return [...new Set(routes.flatMap((route) => [...route.allScopes, ...route.anyScopes]))].sort();
}

/**
 * `tokenSources`: where a token may come from besides `Authorization: Bearer` (RFC 6750 §2.1, always
 * on): a cookie by name, and the `access_token` query parameter (RFC 6750 §2.3) only when asked for.
 */
function tokenSourceOptions(value, field, inherited, problem, warn) {
  const out = { ...inherited };
  if (value === undefined) return out;
  if (!isObject(value)) {
    problem(field, 'must be an object { "cookie": "<name>" | null, "query": true | false }');
    return out;
  }
  unknownKeys(value, TOKEN_SOURCE_KEYS, field, problem);
  if (value.cookie !== undefined) {
    // RFC 6265 §4.1.1: a cookie-name is an RFC 9110 token. null turns an inherited cookie off.
    if (value.cookie !== null && (typeof value.cookie !== 'string' || !HEADER_NAME.test(value.cookie))) problem(`${field}.cookie`, 'must be a cookie name, or null');
    else out.cookie = value.cookie;
  }
  out.query = boolean(value.query, `${field}.query`, problem, inherited.query);
  if (value.query === true) {
    warn(`${field}.query`, 'tokens in URLs end up in browser history, proxy and server logs (RFC 6750 section 2.3 advises against it)');
  }
  return out;
}

/**
 * `resource` (RFC 9728): the protected resource's identifier, an https URL (http on loopback hosts,
 * for tests). The guard serves its metadata and points every 401 at it.
 */
function resourceMetadata(value, problem) {
  if (value === undefined) return null;
  let url;
  try {
    url = new URL(value);
  } catch {
    problem('resource', 'must be an absolute URL (RFC 9728: the resource identifier)');
    return null;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    problem('resource', 'must use https:// (http:// is accepted only for 127.0.0.1, localhost and [::1])');
  }
  if (url.hash || url.search || url.username || url.password) problem('resource', 'must have no fragment, query or credentials (RFC 9728 section 1.2)');
  if (!REALM_TEXT.test(url.href)) problem('resource', 'must be printable ASCII (it is quoted in WWW-Authenticate)');
  // RFC 9728 §3.1: "/.well-known/oauth-protected-resource" goes between the host and the path.
  const path = RESOURCE_METADATA_PATH + (url.pathname === '/' ? '' : url.pathname);
  return { id: value, path, url: url.origin + path };
}

function mergeForward(base, extra) {
  const byClaim = new Map(base.map((f) => [f.claim, f]));
  for (const f of extra) byClaim.set(f.claim, f);
  return [...byClaim.values()];
}

function unknownKeys(obj, allowed, field, problem) {
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key)) problem(field ? `${field}.${key}` : key, `unknown field (allowed: ${[...allowed].join(', ')})`);
  }
}

function stringOrStrings(value, field, problem, { required }) {
  if (value === undefined) {
    if (required) problem(field, 'is required (a string or an array of strings)');
    return undefined;
  }
  if (isNonEmptyString(value)) return value;
  if (Array.isArray(value) && value.length > 0 && value.every(isNonEmptyString)) return [...value];
  problem(field, 'must be a non-empty string or a non-empty array of non-empty strings');
  return undefined;
}

function optionalString(value, field, problem) {
  if (value === undefined) return undefined;
  if (isNonEmptyString(value)) return value;
  problem(field, 'must be a non-empty string');
  return undefined;
}

function integer(value, field, problem, { min, max, fallback }) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    problem(field, `must be an integer from ${min} to ${max}`);
    return fallback;
  }
  return value;
}

function boolean(value, field, problem, fallback) {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    problem(field, 'must be true or false');
    return fallback;
  }
  return value;
}

function algorithmList(value, problem) {
  if (!Array.isArray(value) || value.length === 0) {
    problem('algorithms', `is required: a non-empty allow-list, from ${ALGORITHMS.join(', ')}`);
    return [];
  }
  value.forEach((alg, i) => {
    if (!ALGORITHMS.includes(alg)) problem(`algorithms[${i}]`, `"${alg}" is not a supported algorithm (${ALGORITHMS.join(', ')})`);
  });
  return [...new Set(value)];
}

function claimNameList(value, field, problem) {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problem(field, 'must be an array of claim names');
    return [];
  }
  value.forEach((name, i) => {
    if (typeof name !== 'string' || !CLAIM_NAME.test(name)) problem(`${field}[${i}]`, 'must be a claim name (non-empty, no whitespace)');
  });
  return [...new Set(value)];
}

function staticClaims(value, field, problem) {
  if (value === undefined) return {};
  if (!isObject(value)) {
    problem(field, 'must be an object { claim: value }');
    return {};
  }
  for (const [claim, v] of Object.entries(value)) {
    if (!CLAIM_NAME.test(claim)) problem(`${field}.${claim}`, 'claim names may not be empty or contain whitespace');
    if (!['string', 'number', 'boolean'].includes(typeof v)) problem(`${field}.${claim}`, 'must be a string, number or boolean');
    if (typeof v === 'string' && v.startsWith(':')) problem(`${field}.${claim}`, 'path parameters (":name") can only be used in a route\'s claims');
  }
  return { ...value };
}

function scopeList(value, field, problem) {
  if (!Array.isArray(value) || value.length === 0) {
    problem(field, 'must be a non-empty array of scopes');
    return [];
  }
  value.forEach((scope, i) => {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      problem(`${field}[${i}]`, 'must be a scope token (RFC 6749 §3.3: printable ASCII, no space, `"` or `\\`)');
    }
  });
  return [...new Set(value)];
}

/**
 * Where the keys come from (exactly one of `jwks`, `jwksUri`, `discovery: true`, `issuers`) and whose
 * tokens are accepted (`issuer`, or each entry's), with the audience every token must carry (`audience`,
 * or an entry's own). The compiled `keys`:
 *   { inline: jwks }                                   keys in the policy
 *   { remote: [{ issuer?, jwksUri?, discovery }], cache }  one entry per (issuer, JWK Set URL): one
 *                                                      shared key source each (jwtward's RemoteJwks)
 *   with `issuers: true` when the token's `iss` picks the entry (several issuers)
 */
function keySources(raw, problem) {
  const given = ['jwks', 'jwksUri', 'discovery', 'issuers'].filter((name) => raw[name] !== undefined);
  if (given.length !== 1) {
    problem(given.length === 0 || given.includes('jwks') ? 'jwks' : given[1], 'give the keys, one way: "jwksUri" (fetched and cached), "discovery": true (the issuer\'s metadata names its JWK Set), "issuers" (several issuers, each with "jwksUri" or "discovery") or "jwks" (an inline JWK Set)');
  }
  if (raw.jwks !== undefined && raw.jwksCache !== undefined) problem('jwksCache', 'only applies to keys fetched from an issuer');
  const cache = raw.jwks === undefined ? jwksCache(raw.jwksCache, problem) : null;

  if (raw.issuers !== undefined && given.length === 1) {
    if (raw.issuer !== undefined) problem('issuer', 'with "issuers", each entry names its issuer');
    const audience = stringOrStrings(raw.audience, 'audience', problem, { required: false });
    const entries = [];
    if (!Array.isArray(raw.issuers) || raw.issuers.length === 0) {
      problem('issuers', 'must be a non-empty array of { "issuer", "jwksUri" | "discovery": true, "audience"? }');
    } else {
      raw.issuers.forEach((entry, i) => {
        const field = `issuers[${i}]`;
        if (!isObject(entry)) {
          problem(field, 'must be an object { "issuer", "jwksUri" | "discovery": true, "audience"? }');
          return;
        }
        unknownKeys(entry, ISSUER_ENTRY_KEYS, field, problem);
        const remote = remoteSource(entry, field, problem);
        if (remote && entries.some((e) => e.issuer === remote.issuer)) problem(`${field}.issuer`, 'names an issuer listed before');
        const own = stringOrStrings(entry.audience, `${field}.audience`, problem, { required: false });
        if (own === undefined && audience === undefined) problem(`${field}.audience`, 'is required here, or "audience" for every issuer');
        if (remote) entries.push({ ...remote, ...(own === undefined ? {} : { audience: own }) });
      });
    }
    return { keys: { remote: entries, cache, issuers: true }, issuer: undefined, audience, authorizationServers: entries.map((e) => e.issuer) };
  }

  const issuer = stringOrStrings(raw.issuer, 'issuer', problem, { required: true });
  const audience = stringOrStrings(raw.audience, 'audience', problem, { required: true });
  const authorizationServers = [...new Set(Array.isArray(issuer) ? issuer : issuer === undefined ? [] : [issuer])];
  if (given.length !== 1) return { keys: null, issuer, audience, authorizationServers };
  if (raw.jwks !== undefined) {
    if (!isObject(raw.jwks) || !Array.isArray(raw.jwks.keys)) problem('jwks', 'must be a JWK Set: an object with a "keys" array');
    return { keys: { inline: raw.jwks }, issuer, audience, authorizationServers };
  }
  // One issuer's key source. With several accepted `iss` values and one JWK Set URL, the source is
  // the URL's alone (no issuer to scope it to); discovery needs the one issuer whose metadata it reads.
  const remote = remoteSource({ ...raw, issuer: typeof issuer === 'string' ? issuer : undefined }, '', problem);
  if (raw.discovery !== undefined && typeof issuer !== 'string') problem('issuer', 'discovery reads the metadata of one issuer: give one URL string');
  return { keys: remote ? { remote: [remote], cache, issuers: false } : null, issuer, audience, authorizationServers };
}

/** `{ issuer, jwksUri }` or `{ issuer, discovery: true }` of a policy (field '') or an `issuers` entry. */
function remoteSource(entry, field, problem) {
  const at = (name) => (field ? `${field}.${name}` : name);
  const issuer = entry.issuer;
  if (field && !isNonEmptyString(issuer)) {
    problem(at('issuer'), 'is required: the issuer, one string');
    return null;
  }
  if (entry.discovery !== undefined) {
    if (entry.discovery !== true) problem(at('discovery'), 'must be true (the keys come from the issuer\'s metadata), or left out');
    if (field && entry.jwksUri !== undefined) problem(at('jwksUri'), 'give "jwksUri" or "discovery": true, not both');
    if (typeof issuer === 'string' && !remoteUrl(issuer, at('issuer'), problem)) return null;
    return { issuer, discovery: true };
  }
  if (entry.jwksUri === undefined) {
    problem(at('jwksUri'), 'give "jwksUri" or "discovery": true');
    return null;
  }
  const uri = remoteUrl(entry.jwksUri, at('jwksUri'), problem);
  return uri ? { ...(issuer === undefined ? {} : { issuer }), jwksUri: uri, discovery: false } : null;
}

/**
 * A URL keys (or metadata) are fetched from: https, or http on a loopback host (a development issuer
 * on this machine); no credentials, no fragment. Returns its href, or null after a problem.
 */
function remoteUrl(value, field, problem) {
  let url;
  try {
    url = new URL(value);
  } catch {
    problem(field, 'must be an absolute URL');
    return null;
  }
  let ok = true;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    // Keys fetched over plain HTTP could be swapped on the way: every token would then verify.
    problem(field, 'must use https:// (http:// is accepted only for 127.0.0.1, localhost and [::1])');
    ok = false;
  }
  if (url.username || url.password) {
    problem(field, 'must not contain credentials');
    ok = false;
  }
  if (url.hash) {
    problem(field, 'must not contain a fragment');
    ok = false;
  }
  return ok ? url.href : null;
}

/** `jwksCache`, in seconds: the tuning of every key source of the policy (RemoteJwks options). */
function jwksCache(value, problem) {
  const out = { ...JWKS_CACHE_DEFAULTS };
  if (value === undefined) return out;
  if (!isObject(value)) {
    problem('jwksCache', 'must be an object');
    return out;
  }
  unknownKeys(value, JWKS_CACHE_KEYS, 'jwksCache', problem);
  out.cooldown = integer(value.cooldown, 'jwksCache.cooldown', problem, { min: 1, max: 3600, fallback: out.cooldown });
  out.minTtl = integer(value.minTtl, 'jwksCache.minTtl', problem, { min: 1, max: 86400, fallback: out.minTtl });
  out.maxTtl = integer(value.maxTtl, 'jwksCache.maxTtl', problem, { min: 1, max: 7 * 86400, fallback: out.maxTtl });
  out.defaultTtl = integer(value.defaultTtl, 'jwksCache.defaultTtl', problem, { min: 1, max: 7 * 86400, fallback: out.defaultTtl });
  out.timeout = integer(value.timeout, 'jwksCache.timeout', problem, { min: 1, max: 60, fallback: out.timeout });
  out.maxStale = integer(value.maxStale, 'jwksCache.maxStale', problem, { min: 0, max: 30 * 86400, fallback: out.maxStale });
  if (out.minTtl > out.maxTtl) problem('jwksCache', 'minTtl must not exceed maxTtl');
  return out;
}

function publishedJwks(value, problem) {
  if (value === undefined) return null;
  if (!isObject(value)) {
    problem('publishJwks', 'must be an object { "path": "/.well-known/jwks.json", "jwks": { "keys": [...] } }');
    return null;
  }
  unknownKeys(value, new Set(['path', 'jwks']), 'publishJwks', problem);
  if (typeof value.path !== 'string' || !/^\/[A-Za-z0-9\-._~/]*$/.test(value.path)) problem('publishJwks.path', 'must be a plain path starting with "/"');
  if (!isObject(value.jwks) || !Array.isArray(value.jwks.keys) || value.jwks.keys.length === 0) {
    problem('publishJwks.jwks', 'must be a JWK Set with at least one key');
    return null;
  }
  value.jwks.keys.forEach((jwk, i) => {
    if (!isObject(jwk)) {
      problem(`publishJwks.jwks.keys[${i}]`, 'must be an object');
      return;
    }
    // The Worker publishes public keys only; a private member here would leak the issuer's key.
    const leaked = PRIVATE_JWK_MEMBERS.filter((m) => Object.hasOwn(jwk, m));
    if (leaked.length) problem(`publishJwks.jwks.keys[${i}]`, `contains private key material (${leaked.join(', ')}): publish public keys only`);
  });
  return { path: value.path, body: JSON.stringify(value.jwks) };
}

function forwardClaimMap(value, field, problem) {
  if (value === undefined) return [];
  if (!isObject(value)) {
    problem(field, 'must be an object { claim: "Header-Name" }');
    return [];
  }
  const out = [];
  for (const [claim, header] of Object.entries(value)) {
    const f = `${field}.${claim}`;
    if (!CLAIM_NAME.test(claim)) problem(f, 'claim names may not be empty or contain whitespace');
    if (typeof header !== 'string' || !HEADER_NAME.test(header)) problem(f, 'must be a header name');
    else if (header.includes('_')) problem(f, 'must not contain "_" (origins may read it as "-"; incoming "_" names are dropped)');
    else if (RESERVED_FORWARD_HEADERS.has(header.toLowerCase()) || header.toLowerCase().startsWith('cf-')) {
      problem(f, `"${header}" is reserved (transport, credentials or a built-in identity header)`);
    } else out.push({ claim, header });
  }
  return out;
}

function corsOptions(value, problem) {
  if (value === undefined) return null;
  if (!isObject(value)) {
    problem('cors', 'must be an object');
    return null;
  }
  unknownKeys(value, CORS_KEYS, 'cors', problem);
  const origins = value.allowOrigins;
  let anyOrigin = false;
  const allowOrigins = new Set();
  if (!Array.isArray(origins) || origins.length === 0) {
    problem('cors.allowOrigins', 'must be a non-empty array of origins ("https://app.example") or ["*"]');
  } else {
    origins.forEach((o, i) => {
      if (o === '*') {
        anyOrigin = true;
        return;
      }
      let ok = false;
      try {
        ok = typeof o === 'string' && new URL(o).origin === o;
      } catch {
        // fall through to the problem below
      }
      if (!ok) problem(`cors.allowOrigins[${i}]`, 'must be an origin: scheme://host[:port], no path or trailing slash');
      else allowOrigins.add(o);
    });
  }
  const list = (v, field, fallback, test, what) => {
    if (v === undefined) return fallback;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && test(x))) {
      problem(field, `must be an array of ${what}`);
      return fallback;
    }
    return v;
  };
  const allowMethods = list(value.allowMethods, 'cors.allowMethods', ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], (m) => METHODS.has(m), 'upper-case HTTP methods');
  // DPoP (RFC 9449): a browser client sends its proof in `DPoP` and reads the server's nonce in `DPoP-Nonce`.
  const allowHeaders = list(value.allowHeaders, 'cors.allowHeaders', ['Authorization', 'Content-Type', 'DPoP'], (h) => HEADER_NAME.test(h), 'header names');
  const exposeHeaders = list(value.exposeHeaders, 'cors.exposeHeaders', ['WWW-Authenticate', 'DPoP-Nonce'], (h) => HEADER_NAME.test(h), 'header names');
  const maxAge = integer(value.maxAge, 'cors.maxAge', problem, { min: 0, max: 86400, fallback: 600 });
  const allowCredentials = boolean(value.allowCredentials, 'cors.allowCredentials', problem, false);
  if (anyOrigin && allowCredentials) problem('cors', 'allowCredentials cannot be combined with the "*" origin');
  return {
    anyOrigin,
    allowOrigins,
    allowMethods: new Set(allowMethods),
    allowHeaders: allowHeaders.map((h) => h.toLowerCase()),
    exposeHeaders,
    maxAge,
    allowCredentials,
  };
}

function deepFreeze(value) {
  if (value && typeof value === 'object' && !(value instanceof Set) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export {
  ALGORITHMS,
  DPOP_ALGORITHMS,
  IDENTITY_HEADERS,
  IDENTITY_HEADER_PREFIX,
  METHOD_OVERRIDE_HEADERS,
  canonicalHeaderName,
  JWKS_CACHE_DEFAULTS,
  PolicyError,
  compilePolicy,
};
