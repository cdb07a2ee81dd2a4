// The guard's own answers: RFC 6750 bearer challenges, RFC 9728 metadata, JSON errors, CORS headers.
//
// An answer is a plain `{ status, headers, body }` (headers: lower-case name -> value, body: text or
// null), so that every adapter writes exactly the same bytes: the fetch adapters turn it into a
// Response, the Node adapters write it to their ServerResponse without building one.
//
// Every error body is `{ error, code, message }`:
//   error   the RFC 6750 error code where one applies (invalid_token, insufficient_scope,
//           invalid_request), else a short word (unauthorized, not_found, ...)
//   code    jwtward's code (ERR_JWT_EXPIRED, ...) or the guard's own (ERR_AUTH_MISSING, ...)
//   message what failed, in words
// Error answers carry `Cache-Control: no-store`: a 401 must not be cached by anything in between.

/**
 * Text that may go inside a quoted auth-param. RFC 6750 §3 allows only %x20-21 / %x23-5B / %x5D-7E in
 * error_description, so `"` and `\` (which would end or escape the quoted string) and anything outside
 * printable ASCII are replaced rather than trusted to escaping; `§` is spelt out ("section") so that
 * the RFC references of jwtward's messages stay readable. jwtward messages can quote token contents
 * (an unexpected issuer, say), so this matters.
 */
function quotable(text, max = 400) {
  const clean = String(text).replace(/§ ?/g, 'section ').replace(/"/g, "'").replace(/\\/g, '/').replace(/[^\x20-\x7E]/g, '?');
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean;
}

/**
 * A `WWW-Authenticate` value (RFC 6750 §3; RFC 9449 §7.1 for DPoP): one challenge per scheme the route
 * advertises (`Bearer` first, as RFC 9449 §7.2 shows them), the error on the challenge of the scheme
 * it concerns (see `errorScheme`), `algs` on the DPoP challenge, and `resource_metadata` (RFC 9728
 * §5.1) on each challenge of a 401 when the policy names its resource.
 * @param {{ realm: string, resource: { url: string } | null }} policy realm and resource URL are
 *   validated by the policy: they need no escaping
 * @param {{ bearer: boolean, dpop: boolean, algs: string }} schemes the route's (policy.js, schemesOf)
 * @param {{ scheme?: 'Bearer' | 'DPoP', error?: string, description?: string, scope?: string, metadata?: boolean }} [params]
 */
function challenge(policy, schemes, { scheme, error, description, scope, metadata = false } = {}) {
  const bearer = schemes.bearer || scheme === 'Bearer';
  const dpop = schemes.dpop || scheme === 'DPoP';
  const one = (name) => {
    const params = [`realm="${policy.realm}"`];
    if (scheme === name) {
      if (error) params.push(`error="${error}"`);
      if (description) params.push(`error_description="${quotable(description)}"`);
      if (scope) params.push(`scope="${scope}"`);
    }
    if (name === 'DPoP') params.push(`algs="${schemes.algs}"`);
    if (metadata && policy.resource) params.push(`resource_metadata="${policy.resource.url}"`);
    return `${name} ${params.join(', ')}`;
  };
  return [bearer ? one('Bearer') : null, dpop ? one('DPoP') : null].filter(Boolean).join(', ');
}

/**
 * The scheme whose challenge carries an error: DPoP for the proof's own errors (`invalid_dpop_proof`,
 * `use_dpop_nonce`); else the scheme the token came with where the route accepts it, else the one it
 * accepts (a Bearer token on a DPoP-only route is told about DPoP; a DPoP one on an mTLS route about
 * Bearer, the scheme of certificate-bound tokens).
 */
function errorScheme(schemes, requestScheme, error) {
  if (error === 'invalid_dpop_proof' || error === 'use_dpop_nonce') return 'DPoP';
  if (requestScheme === 'DPoP') return schemes.dpopAccepted ? 'DPoP' : 'Bearer';
  return schemes.bearer ? 'Bearer' : 'DPoP';
}

function jsonAnswer(status, body, headers = {}) {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body, null, 2),
  };
}

/** An error answer; `claim`: the part of the token (or DPoP proof) jwtward names, when it names one. */
function errorAnswer(status, error, code, message, headers = {}, claim = undefined) {
  return jsonAnswer(status, claim === undefined ? { error, code, message } : { error, code, claim, message }, headers);
}

/** 401 without a token: the bare challenges, no error code (RFC 6750 §3.1: the client did not try). */
function missingToken(policy, route) {
  const { bearer, dpop } = route.schemes;
  const how = [bearer ? 'Authorization: Bearer <token>' : null, dpop ? 'Authorization: DPoP <token> with a DPoP proof' : null].filter(Boolean).join(', or ');
  return errorAnswer(401, 'unauthorized', 'ERR_AUTH_MISSING', `this route requires ${bearer ? 'a bearer' : 'an access'} token (${how})`, {
    'www-authenticate': challenge(policy, route.schemes, { metadata: true }),
  });
}

/**
 * 401 for a token jwtward refused, with `error_description="<code>: <message>"`: `invalid_token`, or
 * for the DPoP proof itself (ERR_JWT_BAD_DPOP_PROOF) `invalid_dpop_proof`, or `use_dpop_nonce` when
 * what is missing is the nonce the server gave (RFC 9449 §7.1, §9).
 * @param {'Bearer' | 'DPoP'} requestScheme the scheme the token came with
 * @param {{ code: string, message: string, claim?: string }} failure jwtward's error
 */
function invalidToken(policy, route, requestScheme, { code, message, claim }, error = 'invalid_token') {
  return errorAnswer(401, error, code, message, {
    'www-authenticate': challenge(policy, route.schemes, {
      scheme: errorScheme(route.schemes, requestScheme, error), error, description: `${code}: ${message}`, metadata: true,
    }),
  }, claim);
}

/** 403 insufficient_scope with the route's scopes in `scope` (omitted when the route names none). */
function insufficientScope(policy, route, requestScheme, { code, message, claim }) {
  const error = 'insufficient_scope';
  return errorAnswer(403, error, code, message, {
    'www-authenticate': challenge(policy, route.schemes, {
      scheme: errorScheme(route.schemes, requestScheme, error), error, description: `${code}: ${message}`, scope: route.challengeScope,
    }),
  }, claim);
}

/** 400 invalid_request (RFC 6750 §3.1): a malformed request, e.g. a token presented twice. */
function invalidRequest(policy, route, code, message) {
  const error = 'invalid_request';
  return errorAnswer(400, error, code, message, {
    'www-authenticate': challenge(policy, route.schemes, { scheme: errorScheme(route.schemes, 'Bearer', error), error, description: `${code}: ${message}` }),
  });
}

/** RFC 9728 §3.2: the protected resource metadata, as JSON. */
function resourceMetadataAnswer(policy) {
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600' },
    body: policy.resource.metadata,
  };
}

/**
 * CORS headers for an allowed Origin, or null when the request has no Origin or it is not allowed.
 * @param {object | null} cors the compiled `cors` policy
 * @param {string | null} origin the request's Origin header
 */
function corsHeaders(cors, origin) {
  if (!cors || !origin) return null;
  if (!cors.anyOrigin && !cors.allowOrigins.has(origin)) return null;
  const headers = {
    // Echo the origin unless any origin is allowed and no credentials are: then "*" is cacheable by all.
    'access-control-allow-origin': cors.anyOrigin && !cors.allowCredentials ? '*' : origin,
    vary: 'Origin',
  };
  if (cors.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  if (cors.exposeHeaders.length) headers['access-control-expose-headers'] = cors.exposeHeaders.join(', ');
  return headers;
}

/** The answer to a CORS preflight (OPTIONS with Access-Control-Request-Method). */
function preflightAnswer(cors, origin) {
  const allowed = corsHeaders(cors, origin);
  if (!allowed) return errorAnswer(403, 'cors_denied', 'ERR_CORS_ORIGIN', 'this origin is not allowed by the policy', { vary: 'Origin' });
  const headers = {
    ...allowed,
    'access-control-allow-methods': [...cors.allowMethods].join(', '),
    'access-control-allow-headers': cors.allowHeaders.join(', '),
    'access-control-max-age': String(cors.maxAge),
  };
  delete headers['access-control-expose-headers']; // only meaningful on the actual response
  return { status: 204, headers, body: null };
}

/** Adds headers to an answer (a `vary` is appended to the one there). */
function addHeaders(answer, headers) {
  if (!headers) return answer;
  const out = { ...answer.headers };
  for (const [name, value] of Object.entries(headers)) {
    out[name] = name === 'vary' && out.vary ? `${out.vary}, ${value}` : value;
  }
  return { ...answer, headers: out };
}

/** An answer as a fetch Response. A HEAD request gets the headers without the body. */
function toResponse(answer, method) {
  return new Response(method === 'HEAD' ? null : answer.body, { status: answer.status, headers: answer.headers });
}

/** Adds headers to a Response, copying it first if its headers are immutable (fetch results are). */
function withHeaders(response, headers) {
  // A 101 (WebSocket upgrade) cannot be copied; it goes through untouched.
  if (!headers || response.status === 101) return response;
  const out = new Response(response.body, response);
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'vary') out.headers.append('vary', value);
    else out.headers.set(name, value);
  }
  return out;
}

export {
  addHeaders,
  challenge,
  corsHeaders,
  errorAnswer,
  insufficientScope,
  invalidRequest,
  invalidToken,
  jsonAnswer,
  missingToken,
  preflightAnswer,
  quotable,
  resourceMetadataAnswer,
  toResponse,
  withHeaders,
};
