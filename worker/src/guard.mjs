// The request pipeline: CORS preflight, published JWKS, path safety, route, token, keys, verdict,
// route checks, forward. One log line per request, whatever happens.
//
// The verdict on a token is jwtward's. What this file decides is HTTP: which route applies, what a
// jwtward error code means for the status (401 for a token that is not valid, 403 for a valid token
// that lacks what the route needs), and where the request goes next.

import { JwtError, decode } from 'jwtward';
import { findRoute, splitPath, UnsafePathError } from './routes.mjs';
import { VerifierSet } from './verifiers.mjs';
import { InlineKeys, RemoteKeys, KeysUnavailableError } from './jwks.mjs';
import {
  corsHeaders, errorResponse, insufficientScope, invalidToken, missingToken, preflightResponse, withHeaders,
} from './responses.mjs';
import {
  demoIdentityResponse, demoPublicResponse, identityHeaders, proxy, resolveOrigin, strippedHeaderNames, upstreamHeaders,
} from './forward.mjs';
import { logLine } from './log.mjs';

// An Ed25519 public key from RFC 8037 Appendix A.2. It is only used at startup, with a `jwksUri`
// policy, to let jwtward check the policy's options before any key has been fetched; those Verifiers are
// freed at once and never verify a token.
const OPTIONS_CHECK_JWKS = { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }] };

/**
 * Builds the request handler for a compiled policy. Everything that can be wrong with the
 * configuration throws here, at startup: inline keys jwtward refuses, options jwtward refuses,
 * a bad ORIGIN_URL.
 * @param {object} policy from compilePolicy()
 * @param {object} env the Worker's bindings (ORIGIN_URL, ORIGIN)
 */
export function createGuard(policy, env) {
  const verifiers = new VerifierSet(policy);
  let keys;
  if (policy.keys.inline) {
    keys = new InlineKeys(policy.keys.inline, verifiers);
  } else {
    for (const verifier of verifiers.build(OPTIONS_CHECK_JWKS).values()) verifier.free();
    keys = new RemoteKeys(policy.keys, verifiers, logLine);
  }
  const origin = resolveOrigin(env);
  const stripped = strippedHeaderNames(policy);
  const { realm } = policy;

  // verifyAsync: WebCrypto does the signature arithmetic (RSA, ECDSA, Ed25519), jwtward's core
  // everything else. A key rotation may free this Verifier while the check is in flight; jwtward
  // frees it only once the check has settled.
  async function verifyWith(route, token) {
    const verifier = verifiers.get(route);
    try {
      return { verified: await verifier.verifyAsync(token) };
    } catch (error) {
      if (error instanceof JwtError) return { error };
      throw error;
    }
  }

  // A token failure caused by what this route asks for (a scope, or a claim the route names and the
  // policy as a whole does not) is 403 insufficient_scope: the token is valid, it is just not enough.
  // Everything else (signature, time, issuer, audience, claims every token must have) is 401.
  function isRouteFailure(route, error) {
    if (error.code === 'ERR_JWT_INSUFFICIENT_SCOPE') return true;
    return (error.code === 'ERR_JWT_BAD_CLAIM' || error.code === 'ERR_JWT_MISSING_CLAIM') && route.routeClaimNames.has(error.claim);
  }

  async function send(request, url, route, entry, verified) {
    const identity = verified ? identityHeaders(policy, route, verified) : {};
    if (origin.kind === 'demo') return verified ? demoIdentityResponse(policy, route, verified, identity) : demoPublicResponse(route);
    try {
      return await proxy(origin, request, url, upstreamHeaders(request, route, stripped, identity, policy));
    } catch {
      entry.code = 'ERR_ORIGIN_UNAVAILABLE';
      return errorResponse(502, 'bad_gateway', 'ERR_ORIGIN_UNAVAILABLE', 'the origin could not be reached');
    }
  }

  async function decide(request, url, ctx, entry) {
    const requestOrigin = request.headers.get('origin');
    if (policy.cors && request.method === 'OPTIONS' && requestOrigin && request.headers.has('access-control-request-method')) {
      entry.decision = 'preflight';
      return preflightResponse(policy.cors, requestOrigin);
    }

    if (policy.publishJwks && url.pathname === policy.publishJwks.path && (request.method === 'GET' || request.method === 'HEAD')) {
      entry.decision = 'jwks';
      return new Response(policy.publishJwks.body, {
        headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' },
      });
    }

    let segments;
    try {
      segments = splitPath(url.pathname);
    } catch (error) {
      if (!(error instanceof UnsafePathError)) throw error;
      entry.decision = 'deny';
      entry.code = 'ERR_PATH_UNSAFE';
      return errorResponse(400, 'invalid_request', 'ERR_PATH_UNSAFE', error.message);
    }

    const match = findRoute(policy.routes, request.method, segments);
    // A path some route owns is never handed to `unmatched` for another method: that would skip the
    // route's checks (its tenant rule, say) for DELETE when it lists GET.
    const route = match.route ?? (match.pathOwned ? null : policy.fallbackRoute);
    if (!route) {
      entry.decision = 'deny';
      if (match.allowedMethods.length) {
        entry.code = 'ERR_METHOD_NOT_ALLOWED';
        return errorResponse(405, 'method_not_allowed', 'ERR_METHOD_NOT_ALLOWED', `${request.method} is not allowed on this path`, {
          allow: match.allowedMethods.join(', '),
        });
      }
      entry.code = 'ERR_ROUTE_NOT_FOUND';
      return errorResponse(404, 'not_found', 'ERR_ROUTE_NOT_FOUND', 'no route of the policy matches this request');
    }
    const params = match.route ? match.params : {};
    entry.route = route.name;

    if (route.public) {
      entry.decision = 'public';
      return send(request, url, route, entry, null);
    }

    const token = bearerToken(request);
    if (token === null) {
      entry.decision = 'deny';
      entry.code = 'ERR_AUTH_MISSING';
      return missingToken(realm);
    }

    try {
      await keys.ready(ctx);
    } catch (error) {
      if (!(error instanceof KeysUnavailableError)) throw error;
      entry.decision = 'error';
      entry.code = 'ERR_JWKS_UNAVAILABLE';
      return errorResponse(503, 'temporarily_unavailable', 'ERR_JWKS_UNAVAILABLE', error.message, { 'retry-after': '5' });
    }

    let outcome = await verifyWith(route, token);
    if (outcome.error?.code === 'ERR_JWT_KEY_NOT_FOUND' && (await keys.refetchForUnknownKid(ctx))) {
      entry.jwks_refetched = true;
      outcome = await verifyWith(route, token);
    }

    if (outcome.error) {
      const { code, message } = outcome.error;
      entry.decision = 'deny';
      entry.code = code;
      const routeFailure = isRouteFailure(route, outcome.error);
      Object.assign(entry, unverifiedIdentity(token, policy, routeFailure));
      return routeFailure ? insufficientScope(realm, code, message, route.challengeScope) : invalidToken(realm, code, message);
    }

    const { verified } = outcome;
    const { payload } = verified;
    Object.assign(entry, {
      sub: stringOrUndefined(payload.sub),
      client_id: stringOrUndefined(payload.client_id ?? payload.azp),
      tenant: stringOrUndefined(payload[policy.tenantClaim]),
      kid: stringOrUndefined(verified.kid),
    });

    // Route checks jwtward cannot take as fixed options (see worker/src/verifiers.mjs); both work only on
    // what jwtward verified: its list of granted scopes and the verified payload.
    if (route.anyScopes.length && !route.anyScopes.some((scope) => verified.scopes.includes(scope))) {
      entry.decision = 'deny';
      entry.code = 'ERR_JWT_INSUFFICIENT_SCOPE';
      return insufficientScope(realm, entry.code, `none of the scopes ${route.anyScopes.join(', ')} is granted`, route.challengeScope);
    }
    for (const { claim, param } of route.paramClaims) {
      // Strict equality with the decoded path segment: the claim must be exactly that string (jwtward
      // already checked it is present: it is in the route Verifier's requiredClaims).
      if (payload[claim] !== params[param]) {
        entry.decision = 'deny';
        entry.code = 'ERR_JWT_BAD_CLAIM';
        return insufficientScope(realm, entry.code, `claim ${claim} does not match the path parameter :${param}`, route.challengeScope);
      }
    }

    entry.decision = 'allow';
    return send(request, url, route, entry, verified);
  }

  return {
    async fetch(request, env, ctx) {
      const started = Date.now();
      const url = new URL(request.url);
      const entry = { event: 'request', method: request.method, path: url.pathname };
      let response;
      try {
        response = await decide(request, url, ctx, entry);
      } catch (error) {
        entry.decision = 'error';
        entry.code = 'ERR_INTERNAL';
        entry.error = String(error?.name ?? 'Error');
        response = errorResponse(500, 'server_error', 'ERR_INTERNAL', 'internal error in the auth gateway');
      }
      if (entry.decision !== 'preflight') response = withHeaders(response, corsHeaders(policy.cors, request.headers.get('origin')));
      entry.status = response.status;
      entry.latency_ms = Date.now() - started;
      logLine(entry);
      return response;
    },
  };
}

/**
 * The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1; the scheme is
 * case-insensitive). Any other scheme, or none, means no bearer token: the bare 401 challenge. The token
 * itself is not inspected here: whatever follows the scheme goes to jwtward, which says what is wrong.
 */
function bearerToken(request) {
  const header = request.headers.get('authorization');
  if (!header) return null;
  const match = /^bearer +(.*)$/i.exec(header.trim());
  if (!match || match[1] === '') return null;
  return match[1];
}

// For the log line of a denied request: the kid of the token (which key was asked for), and for a route
// failure, who was denied. A route failure comes after jwtward checked the signature (claims and scopes
// are checked after it), so the subject is authentic even though the token was not accepted.
function unverifiedIdentity(token, policy, authentic) {
  let decoded;
  try {
    decoded = decode(token);
  } catch {
    return {};
  }
  const out = { kid: stringOrUndefined(decoded.header?.kid) };
  if (authentic) {
    const payload = decoded.payload ?? {};
    Object.assign(out, {
      sub: stringOrUndefined(payload.sub),
      client_id: stringOrUndefined(payload.client_id ?? payload.azp),
      tenant: stringOrUndefined(payload[policy.tenantClaim]),
    });
  }
  return out;
}

function stringOrUndefined(value) {
  return typeof value === 'string' ? value : undefined;
}
