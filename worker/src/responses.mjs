// HTTP responses: RFC 6750 bearer challenges, JSON error bodies, CORS headers.
//
// Every error body is `{ error, code, message }`:
//   error   the RFC 6750 error code where one applies (invalid_token, insufficient_scope,
//           invalid_request), else a short word (unauthorized, not_found, ...)
//   code    jwtward's code (ERR_JWT_EXPIRED, ...) or the Worker's own (ERR_AUTH_MISSING, ...)
//   message what failed, in words
// Error responses carry `Cache-Control: no-store`: a 401 must not be cached by anything in between.

/**
 * Text that may go inside a quoted auth-param. RFC 6750 §3 allows only %x20-21 / %x23-5B / %x5D-7E in
 * error_description, so `"` and `\` (which would end or escape the quoted string) and anything outside
 * printable ASCII are replaced rather than trusted to escaping. jwtward messages can quote token
 * contents (an unexpected issuer, say), so this matters.
 */
export function quotable(text, max = 400) {
  const clean = String(text).replace(/"/g, "'").replace(/\\/g, '/').replace(/[^\x20-\x7E]/g, '?');
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean;
}

/**
 * A `WWW-Authenticate: Bearer ...` value (RFC 6750 §3).
 * @param {string} realm validated by the policy: needs no escaping
 * @param {{ error?: string, description?: string, scope?: string }} [params]
 */
export function bearerChallenge(realm, { error, description, scope } = {}) {
  const params = [`realm="${realm}"`];
  if (error) params.push(`error="${error}"`);
  if (description) params.push(`error_description="${quotable(description)}"`);
  if (scope) params.push(`scope="${scope}"`);
  return `Bearer ${params.join(', ')}`;
}

export function jsonResponse(status, body, headers = {}) {
  return new Response(JSON.stringify(body, null, 2), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

export function errorResponse(status, error, code, message, headers = {}) {
  return jsonResponse(status, { error, code, message }, headers);
}

/** 401 without a token: the bare challenge, no error code (RFC 6750 §3.1: the client did not try). */
export function missingToken(realm) {
  return errorResponse(401, 'unauthorized', 'ERR_AUTH_MISSING', 'this route requires a bearer token (Authorization: Bearer <token>)', {
    'www-authenticate': bearerChallenge(realm),
  });
}

/** 401 invalid_token with `error_description="<code>: <message>"`. */
export function invalidToken(realm, code, message) {
  return errorResponse(401, 'invalid_token', code, message, {
    'www-authenticate': bearerChallenge(realm, { error: 'invalid_token', description: `${code}: ${message}` }),
  });
}

/** 403 insufficient_scope with the route's scopes in `scope` (omitted when the route names none). */
export function insufficientScope(realm, code, message, scope) {
  return errorResponse(403, 'insufficient_scope', code, message, {
    'www-authenticate': bearerChallenge(realm, { error: 'insufficient_scope', description: `${code}: ${message}`, scope }),
  });
}

/**
 * CORS headers for an allowed Origin, or null when the request has no Origin or it is not allowed.
 * @param {object | null} cors the compiled `cors` policy
 * @param {string | null} origin the request's Origin header
 */
export function corsHeaders(cors, origin) {
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
export function preflightResponse(cors, origin) {
  const allowed = corsHeaders(cors, origin);
  if (!allowed) return errorResponse(403, 'cors_denied', 'ERR_CORS_ORIGIN', 'this origin is not allowed by the policy', { vary: 'Origin' });
  const headers = {
    ...allowed,
    'access-control-allow-methods': [...cors.allowMethods].join(', '),
    'access-control-allow-headers': cors.allowHeaders.join(', '),
    'access-control-max-age': String(cors.maxAge),
  };
  delete headers['access-control-expose-headers']; // only meaningful on the actual response
  return new Response(null, { status: 204, headers });
}

/** Adds headers to a response, copying it first if its headers are immutable (fetch results are). */
export function withHeaders(response, headers) {
  // A 101 (WebSocket upgrade) cannot be copied; it goes through untouched.
  if (!headers || response.status === 101) return response;
  const out = new Response(response.body, response);
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'vary') out.headers.append('vary', value);
    else out.headers.set(name, value);
  }
  return out;
}
