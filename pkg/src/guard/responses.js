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
 * A `WWW-Authenticate: Bearer ...` value (RFC 6750 §3), with `resource_metadata` (RFC 9728 §5.1) when
 * the policy names its resource.
 * @param {{ realm: string, resource: { url: string } | null }} policy realm and resource URL are
 *   validated by the policy: they need no escaping
 * @param {{ error?: string, description?: string, scope?: string, metadata?: boolean }} [params]
 */
function bearerChallenge(policy, { error, description, scope, metadata = false } = {}) {
  const params = [`realm="${policy.realm}"`];
  if (error) params.push(`error="${error}"`);
  if (description) params.push(`error_description="${quotable(description)}"`);
  if (scope) params.push(`scope="${scope}"`);
  if (metadata && policy.resource) params.push(`resource_metadata="${policy.resource.url}"`);
  return `Bearer ${params.join(', ')}`;
}

function jsonAnswer(status, body, headers = {}) {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body, null, 2),
  };
}

function errorAnswer(status, error, code, message, headers = {}) {
  return jsonAnswer(status, { error, code, message }, headers);
}

/** 401 without a token: the bare challenge, no error code (RFC 6750 §3.1: the client did not try). */
function missingToken(policy) {
  return errorAnswer(401, 'unauthorized', 'ERR_AUTH_MISSING', 'this route requires a bearer token (Authorization: Bearer <token>)', {
    'www-authenticate': bearerChallenge(policy, { metadata: true }),
  });
}

/** 401 invalid_token with `error_description="<code>: <message>"`. */
function invalidToken(policy, code, message) {
  return errorAnswer(401, 'invalid_token', code, message, {
    'www-authenticate': bearerChallenge(policy, { error: 'invalid_token', description: `${code}: ${message}`, metadata: true }),
  });
}

/** 403 insufficient_scope with the route's scopes in `scope` (omitted when the route names none). */
function insufficientScope(policy, code, message, scope) {
  return errorAnswer(403, 'insufficient_scope', code, message, {
    'www-authenticate': bearerChallenge(policy, { error: 'insufficient_scope', description: `${code}: ${message}`, scope }),
  });
}

/** 400 invalid_request (RFC 6750 §3.1): a malformed request, e.g. a token presented twice. */
function invalidRequest(policy, code, message) {
  return errorAnswer(400, 'invalid_request', code, message, {
    'www-authenticate': bearerChallenge(policy, { error: 'invalid_request', description: `${code}: ${message}` }),
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
  bearerChallenge,
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
