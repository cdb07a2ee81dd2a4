// What the origin receives: the request, minus anything a client could use to impersonate someone,
// plus the verified identity in headers.

import { IDENTITY_HEADERS, IDENTITY_HEADER_PREFIX } from './policy.mjs';
import { jsonResponse } from './responses.mjs';

/**
 * Where allowed requests go, from the Worker's bindings:
 *   ORIGIN      a service binding (another Worker): takes precedence
 *   ORIGIN_URL  a base URL; the request path and query are appended to its path
 *   neither     demo mode: the Worker answers with the verified identity as JSON
 * Throws (at startup) for an ORIGIN_URL that is not an absolute http(s) URL.
 */
export function resolveOrigin(env) {
  if (env?.ORIGIN && typeof env.ORIGIN.fetch === 'function') return { kind: 'service', fetcher: env.ORIGIN };
  const raw = env?.ORIGIN_URL;
  if (raw === undefined || raw === null || raw === '') return { kind: 'demo' };
  let base;
  try {
    base = new URL(raw);
  } catch {
    throw new Error(`jwtward: ORIGIN_URL "${raw}" is not an absolute URL [ERR_ORIGIN_URL_INVALID]`);
  }
  if (!['http:', 'https:'].includes(base.protocol) || base.search || base.hash || base.username || base.password) {
    throw new Error(`jwtward: ORIGIN_URL must be an http(s) URL without credentials, query or fragment, got "${raw}" [ERR_ORIGIN_URL_INVALID]`);
  }
  return { kind: 'url', base };
}

/**
 * A claim value as a header value. Strings, numbers and booleans go as they are; arrays and objects as
 * JSON. Anything that is not printable ASCII (a header cannot carry it; CR/LF would split headers) is
 * percent-encoded (RFC 3986, like encodeURIComponent), so the origin can always decode it unambiguously.
 */
export function headerValue(value) {
  if (value === undefined || value === null) return null;
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /^[\x20-\x7E]*$/.test(text) ? text : encodeURIComponent(text);
}

/** The identity headers for a verified token on a route, in the order they are documented. */
export function identityHeaders(policy, route, verified) {
  const { payload } = verified;
  const headers = {};
  const put = (name, value) => {
    const text = headerValue(value);
    if (text !== null) headers[name] = text;
  };
  put(IDENTITY_HEADERS.subject, payload.sub);
  put(IDENTITY_HEADERS.scopes, verified.scopes.length ? verified.scopes.join(' ') : undefined);
  put(IDENTITY_HEADERS.tenant, payload[policy.tenantClaim]);
  for (const { claim, header } of route.forwardClaims) put(header, payload[claim]);
  return headers;
}

/**
 * Every header name that only the Worker may set: the X-Auth-* prefix plus every header any
 * `forwardClaims` map of the policy writes (those need not start with X-Auth-).
 */
export function strippedHeaderNames(policy) {
  const names = new Set();
  for (const route of [...policy.routes, policy.fallbackRoute].filter(Boolean)) {
    for (const { header } of route.forwardClaims) names.add(header.toLowerCase());
  }
  return names;
}

/** The headers sent to the origin: spoofable ones removed first, then the identity added. */
export function upstreamHeaders(request, route, stripped, identity) {
  const headers = new Headers(request.headers);
  for (const name of [...headers.keys()]) {
    if (name.startsWith(IDENTITY_HEADER_PREFIX) || stripped.has(name)) headers.delete(name);
  }
  if (!route.forwardAuthorization) headers.delete('authorization');
  for (const [name, value] of Object.entries(identity)) headers.set(name, value);
  return headers;
}

/** Sends the request on to the origin. Redirects are passed back to the client, not followed. */
export function proxy(origin, request, url, headers) {
  const init = { method: request.method, headers, body: request.body, redirect: 'manual' };
  if (origin.kind === 'service') return origin.fetcher.fetch(new Request(url, init));
  const target = new URL(origin.base);
  target.pathname = origin.base.pathname.replace(/\/$/, '') + url.pathname;
  target.search = url.search;
  return fetch(new Request(target, init));
}

/** Demo mode: the verified identity, and the headers an origin would have received. */
export function demoIdentityResponse(policy, route, verified, identity) {
  const { payload } = verified;
  return jsonResponse(200, {
    route: route.name,
    decision: 'allow',
    identity: {
      sub: payload.sub ?? null,
      client_id: payload.client_id ?? payload.azp ?? null,
      tenant: payload[policy.tenantClaim] ?? null,
      scopes: verified.scopes,
      iss: payload.iss ?? null,
      aud: payload.aud ?? null,
      exp: payload.exp ?? null,
      kid: verified.kid ?? null,
      alg: verified.alg ?? verified.header?.alg ?? null,
    },
    forwardedHeaders: identity,
    note: 'No ORIGIN_URL or ORIGIN binding is configured, so the Worker answers with the identity it would forward.',
  });
}

/** Demo mode, public route: nothing verified, nothing forwarded. */
export function demoPublicResponse(route) {
  return jsonResponse(200, { route: route.name, decision: 'public', status: 'ok' });
}
