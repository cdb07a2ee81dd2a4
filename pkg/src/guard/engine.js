// The guard engine: one request's decision, the same in every runtime and every adapter.
//
//   CORS preflight, RFC 9728 metadata, published JWKS, path safety, route, token source, keys,
//   verdict, route checks -> an answer of the guard's own, or "allow" with the verified identity and
//   the headers to pass on.
//
// The verdict on a token is jwtward's. What this file decides is HTTP: which route applies, where the
// token comes from, what a jwtward error code means for the status (401 for a token that is not valid,
// 403 for a valid token that lacks what the route needs, 503 when there are no keys), and what the
// application receives. It reads only the method, the URL (a fetch `URL`) and the headers (fetch
// `Headers`, or anything with the same get/has/keys over lower-case names), never a body and never a
// framework object: the adapters (pkg/src/adapters/) turn their request into those three and the
// decision into their response. What only the transport knows (the origin the client addressed, for
// a DPoP proof; the TLS client certificate) comes through the adapter's transport (sender.js).

import { decode, memoryReplayStore } from 'jwtward';
import { compilePolicy } from './policy.js';
import { findRoute, splitPath, UnsafePathError } from './routes.js';
import { createVerifiers } from './verifiers.js';
import { findToken, withoutQueryToken } from './token.js';
import {
  addHeaders, corsHeaders, errorAnswer, insufficientScope, invalidRequest, invalidToken, missingToken,
  preflightAnswer, resourceMetadataAnswer,
} from './responses.js';
import { identityHeaders, strippedHeaderNames, upstreamChanges } from './forward.js';
import { auditRecord } from './log.js';
import { FETCH_TRANSPORT, bindingOf, dpopNonces, nonceSecret, presentationOf } from './sender.js';

/**
 * Builds the engine for a policy document. Everything that can be wrong with the configuration throws
 * here, at startup: the policy (PolicyError, every problem at once), inline keys or options jwtward
 * refuses.
 * @param {unknown} policyDocument the policy JSON (parsed)
 * @param {{ log?: (record: object) => void, dpopReplayStore?: { record(key: string, expiresAt: number, now: number): boolean | Promise<boolean> },
 *   dpopNonceSecret?: string | Uint8Array | (() => string | Uint8Array | undefined) }} [options]
 *   `log` receives one audit record per decision and per key fetch (default: none);
 *   `dpopReplayStore`: where accepted DPoP proofs are remembered, shared by every route (default: this
 *   guard's memory); `dpopNonceSecret`: the secret of the server-issued DPoP nonces (default: a random
 *   one per process or isolate; a function: read when the first nonce is needed)
 */
function createEngine(policyDocument, options = {}) {
  if (options === null || typeof options !== 'object') throw new TypeError('jwtward guard: options must be an object like { log }');
  const { log, dpopReplayStore = memoryReplayStore(), dpopNonceSecret } = options;
  if (log !== undefined && typeof log !== 'function') throw new TypeError('jwtward guard: `log` must be a function (record) => void');
  if (dpopReplayStore === null || typeof dpopReplayStore !== 'object' || typeof dpopReplayStore.record !== 'function') {
    throw new TypeError('jwtward guard: `dpopReplayStore` must be an object with record(key, expiresAt, now)');
  }
  const policy = compilePolicy(policyDocument);
  // A given secret is checked now (a short one stops the guard at startup); a random one is made when
  // the first nonce is needed (Workers allow no randomness at startup).
  if (dpopNonceSecret !== undefined && typeof dpopNonceSecret !== 'function') nonceSecret(dpopNonceSecret);
  const nonces = dpopNonces(dpopNonceSecret, policy.dpop.rotation);
  const emit = (fields) => {
    if (log) log(auditRecord(fields));
  };
  // Valid settings that weaken a default (`unmatched` other than "deny", ...): one record each, at startup.
  for (const warning of policy.warnings) {
    const at = warning.indexOf(': ');
    emit({ event: 'policy_warning', field: warning.slice(0, at), message: warning.slice(at + 2) });
  }
  const verifiers = createVerifiers(policy, emit, dpopReplayStore);
  const stripped = strippedHeaderNames(policy);

  // A token failure caused by what this route asks for (a scope, or a claim the route names and the
  // policy as a whole does not) is 403 insufficient_scope: the token is valid, it is just not enough.
  // Everything else (signature, time, issuer, audience, claims every token must have) is 401.
  function isRouteFailure(route, error) {
    if (error.code === 'ERR_JWT_INSUFFICIENT_SCOPE') return true;
    return (error.code === 'ERR_JWT_BAD_CLAIM' || error.code === 'ERR_JWT_MISSING_CLAIM') && route.routeClaimNames.has(error.claim);
  }

  const deny = (entry, answer) => ({ allow: false, answer, entry });

  function allow(entry, route, url, headers, verified, nonce) {
    const identity = verified ? identityHeaders(policy, route, verified) : {};
    const cors = corsHeaders(policy.cors, headers.get('origin'));
    return {
      allow: true,
      auth: verified ? authOf(policy, route, verified) : null,
      route,
      url,
      changes: upstreamChanges(headers, policy, stripped, route, identity),
      identity,
      // For the application's response: CORS for an allowed Origin, the current DPoP nonce.
      headers: nonce ? { ...cors, ...nonce } : cors,
      entry,
    };
  }

  async function decide(method, requestUrl, headers, ctx, entry, transport, source) {
    const requestOrigin = headers.get('origin');
    if (policy.cors && method === 'OPTIONS' && requestOrigin && headers.has('access-control-request-method')) {
      entry.decision = 'preflight';
      return deny(entry, preflightAnswer(policy.cors, requestOrigin));
    }

    const readOnly = method === 'GET' || method === 'HEAD';
    if (policy.resource && requestUrl.pathname === policy.resource.path && readOnly) {
      entry.decision = 'metadata';
      return deny(entry, resourceMetadataAnswer(policy));
    }
    if (policy.publishJwks && requestUrl.pathname === policy.publishJwks.path && readOnly) {
      entry.decision = 'jwks';
      return deny(entry, {
        status: 200,
        headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' },
        body: policy.publishJwks.body,
      });
    }

    let segments;
    try {
      segments = splitPath(requestUrl.pathname);
    } catch (error) {
      if (!(error instanceof UnsafePathError)) throw error;
      entry.decision = 'deny';
      entry.code = 'ERR_PATH_UNSAFE';
      return deny(entry, errorAnswer(400, 'invalid_request', 'ERR_PATH_UNSAFE', error.message));
    }

    const match = findRoute(policy.routes, method, segments);
    // A path some route owns is never handed to `unmatched` for another method: that would skip the
    // route's checks (its tenant rule, say) for DELETE when it lists GET.
    const route = match.route ?? (match.pathOwned ? null : policy.fallbackRoute);
    if (!route) {
      entry.decision = 'deny';
      if (match.allowedMethods.length) {
        entry.code = 'ERR_METHOD_NOT_ALLOWED';
        return deny(entry, errorAnswer(405, 'method_not_allowed', 'ERR_METHOD_NOT_ALLOWED', `${method} is not allowed on this path`, {
          allow: match.allowedMethods.join(', '),
        }));
      }
      entry.code = 'ERR_ROUTE_NOT_FOUND';
      return deny(entry, errorAnswer(404, 'not_found', 'ERR_ROUTE_NOT_FOUND', 'no route of the policy matches this request'));
    }
    const params = match.route ? match.params : {};
    entry.route = route.name;
    // With query tokens allowed, the token leaves the URL here, on every route: nothing after this
    // point (the application, the origin, a log) sees it.
    const url = withoutQueryToken(requestUrl, route.tokenSources);

    if (route.public) {
      entry.decision = 'public';
      return allow(entry, route, url, headers, null, null);
    }

    // Where the route asks for DPoP nonces, a proof may carry the current one or the previous one, and
    // every answer on the route carries the current one (RFC 9449 §9, §8.2: a client keeps the last
    // it was given).
    const expectedNonces = route.dpopNonce === null ? null : await nonces.expected();
    const nonce = expectedNonces === null ? null : { 'dpop-nonce': expectedNonces[0] };
    const refuse = (answer) => deny(entry, nonce ? addHeaders(answer, nonce) : answer);

    const found = findToken(headers, requestUrl, route.tokenSources);
    if (found.multiple) {
      entry.decision = 'deny';
      entry.code = 'ERR_AUTH_MULTIPLE_TOKENS';
      return refuse(invalidRequest(policy, route, entry.code, `more than one token was presented (${found.multiple}); send exactly one (RFC 6750 section 2)`));
    }
    if (found.token === null) {
      entry.decision = 'deny';
      entry.code = 'ERR_AUTH_MISSING';
      return refuse(missingToken(policy, route));
    }
    const { token, scheme } = found;

    const presentation = presentationOf(policy, found, method, requestUrl, headers, transport, source, expectedNonces);
    const outcome = await verifiers.verify(route, token, ctx, presentation);
    if (outcome.error) {
      const { code, claim, message } = outcome.error;
      entry.decision = code === 'ERR_JWKS_UNAVAILABLE' ? 'error' : 'deny';
      entry.code = code;
      if (code === 'ERR_JWKS_UNAVAILABLE') {
        // No keys to verify with: not a verdict on the token. jwtward says when it tries again.
        const retryAfter = Math.max(1, Math.ceil(outcome.error.retryAfter ?? 5));
        return refuse(errorAnswer(503, 'temporarily_unavailable', code, message, { 'retry-after': String(retryAfter) }));
      }
      const routeFailure = isRouteFailure(route, outcome.error);
      // jwtward checks the sender constraint after every rule of the token itself: a token refused
      // for its binding or its proof is authentic, like one refused for the route.
      const senderFailure = code === 'ERR_JWT_BAD_BINDING' || code === 'ERR_JWT_BAD_DPOP_PROOF';
      Object.assign(entry, unverifiedIdentity(token, policy, routeFailure || senderFailure, senderFailure));
      if (routeFailure) return refuse(insufficientScope(policy, route, scheme, outcome.error));
      let error = 'invalid_token';
      if (code === 'ERR_JWT_BAD_DPOP_PROOF') error = claim === 'nonce' && route.dpopNonce !== null ? 'use_dpop_nonce' : 'invalid_dpop_proof';
      return refuse(invalidToken(policy, route, scheme, outcome.error, error));
    }

    const { verified } = outcome;
    const { payload } = verified;
    Object.assign(entry, {
      sub: stringOrUndefined(payload.sub),
      client_id: stringOrUndefined(payload.client_id ?? payload.azp),
      tenant: stringOrUndefined(payload[policy.tenantClaim]),
      kid: stringOrUndefined(verified.kid),
      binding: bindingOf(verified.cnf),
    });

    // Route checks jwtward cannot take as fixed options (see verifiers.js); both work only on what
    // jwtward verified: its list of granted scopes and the verified payload.
    if (route.anyScopes.length && !route.anyScopes.some((scope) => verified.scopes.includes(scope))) {
      entry.decision = 'deny';
      entry.code = 'ERR_JWT_INSUFFICIENT_SCOPE';
      return refuse(insufficientScope(policy, route, scheme, { code: entry.code, message: `none of the scopes ${route.anyScopes.join(', ')} is granted` }));
    }
    for (const { claim, param } of route.paramClaims) {
      // Strict equality with the decoded path segment: the claim must be exactly that string (jwtward
      // already checked it is present: it is in the route Verifier's requiredClaims).
      if (payload[claim] !== params[param]) {
        entry.decision = 'deny';
        entry.code = 'ERR_JWT_BAD_CLAIM';
        return refuse(insufficientScope(policy, route, scheme, { code: entry.code, message: `claim ${claim} does not match the path parameter :${param}`, claim }));
      }
    }

    entry.decision = 'allow';
    return allow(entry, route, url, headers, verified, nonce);
  }

  return {
    policy,
    /**
     * The decision for one request. Never throws: a fault of the guard itself is a 500 answer
     * (ERR_INTERNAL). The guard's own answers carry the CORS headers for an allowed Origin; for an
     * allowed request they are in `cors`, for the adapter to put on the application's response.
     * @param {string} method
     * @param {URL} url the request URL (dot segments resolved, as the URL parser does)
     * @param {{ get(name: string): string | null, has(name: string): boolean, keys(): Iterable<string> }} headers
     *   fetch Headers, or the same three methods over lower-case names (Node adapters)
     * @param {{ waitUntil?(promise: Promise<unknown>): void }} [ctx] the Worker's ctx, for key refreshes
     *   that outlive the request
     * @param {{ origin(source: unknown, url: URL): string | null, certificate(source: unknown): object | null }} [transport]
     *   what the connection says (sender.js): a fetch Request's by default
     * @param {unknown} [source] the adapter's request object, for `transport` (default: none)
     */
    async decide(method, url, headers, ctx, transport = FETCH_TRANSPORT, source = null) {
      const entry = { event: 'request', method, path: url.pathname, started: Date.now() };
      let decision;
      try {
        decision = await decide(method, url, headers, ctx, entry, transport, source ?? {});
      } catch (error) {
        entry.decision = 'error';
        entry.code = 'ERR_INTERNAL';
        entry.error = String(error?.name ?? 'Error');
        decision = deny(entry, errorAnswer(500, 'server_error', 'ERR_INTERNAL', 'internal error in the auth guard'));
      }
      if (!decision.allow && entry.decision !== 'preflight') {
        decision.answer = addHeaders(decision.answer, corsHeaders(policy.cors, headers.get('origin')));
      }
      return decision;
    },
    /**
     * Writes the audit record of a decision: `status` is the final status where the adapter knows it
     * (the guard's answer, or the Worker's origin), left out otherwise.
     */
    record(decision, status) {
      if (!log) return;
      // The entry is the decision's own: completed in place rather than copied twice.
      const { entry } = decision;
      entry.status = status;
      entry.latency_ms = Date.now() - entry.started;
      emit(entry);
    },
  };
}

/**
 * `auth`: the verified identity, the same object in every adapter. `sub`, `clientId`, `iss` and `kid`
 * are strings or null (a claim of another type is null here, and as it is in `claims`); `tenant` is the
 * tenant claim's value as the token has it (a string or a number id), null when absent.
 * @param {object} policy
 * @param {object} route
 * @param {{ payload: object, scopes: string[], kid?: string, alg: string }} verified jwtward's result
 */
function authOf(policy, route, verified) {
  const { payload, cnf } = verified;
  const text = (value) => (typeof value === 'string' ? value : null);
  const aud = payload.aud;
  return {
    sub: text(payload.sub),
    clientId: text(payload.client_id) ?? text(payload.azp),
    tenant: payload[policy.tenantClaim] ?? null,
    scopes: verified.scopes,
    iss: text(payload.iss),
    aud: typeof aud === 'string' || Array.isArray(aud) ? aud : null,
    exp: typeof payload.exp === 'number' ? payload.exp : null,
    kid: text(verified.kid),
    alg: verified.alg,
    claims: payload,
    route: route.name,
    // The confirmed binding: `{ jkt }` (DPoP, RFC 9449), `{ 'x5t#S256' }` (mTLS, RFC 8705), null for
    // an unbound token.
    cnf: cnf ?? null,
  };
}

// For the log line of a denied request: the kid of the token (which key was asked for), and for a route
// failure, who was denied. A route failure comes after jwtward checked the signature (claims and scopes
// are checked after it), so the subject is authentic even though the token was not accepted; so does a
// failure of the sender constraint, whose line also says which binding was checked (`binding`).
function unverifiedIdentity(token, policy, authentic, binding = false) {
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
    if (binding) out.binding = bindingOf(payload.cnf, true);
  }
  return out;
}

function stringOrUndefined(value) {
  return typeof value === 'string' ? value : undefined;
}

export { createEngine };
