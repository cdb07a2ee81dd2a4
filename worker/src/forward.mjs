// What the origin receives: the request, minus anything a client could use to impersonate someone,
// plus the verified identity in headers.

import { canonicalHeaderName, IDENTITY_HEADERS, IDENTITY_HEADER_PREFIX, METHOD_OVERRIDE_HEADERS } from './policy.mjs';
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

const utf8 = new TextEncoder();

/**
 * Text as a header value that decodes back to exactly that text: every character outside the safe set
 * (visible ASCII, 0x21-0x7E, except `%`) is percent-encoded as UTF-8 (`%XX`, upper-case hex), and so is
 * `%` itself. So `decodeURIComponent(value)` always gives back the text (`%61dmin` arrives as
 * `%2561dmin`, never readable as `admin`; `é` as `%C3%A9`, which arrives as `%25C3%25A9`), and nothing
 * HTTP trims, folds or forbids (spaces, tabs, CR/LF, NUL) is left in the value. Text made of safe
 * characters only arrives as it is. (jwtward refuses tokens with lone surrogates, so every claim
 * string has a UTF-8 form.)
 */
export function encodeHeaderText(text) {
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x21 && c <= 0x7e && c !== 0x25) continue;
    // One character (two UTF-16 units for a surrogate pair) outside the safe set.
    const end = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? i + 2 : i + 1;
    out += text.slice(start, i);
    for (const byte of utf8.encode(text.slice(i, end))) out += `%${byte < 16 ? '0' : ''}${byte.toString(16).toUpperCase()}`;
    start = end;
    i = end - 1;
  }
  return start === 0 ? text : out + text.slice(start);
}

/**
 * A claim value as a header value: strings, numbers and booleans as their text, arrays and objects as
 * JSON, then encoded by encodeHeaderText.
 */
export function headerValue(value) {
  if (value === undefined || value === null) return null;
  return encodeHeaderText(typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value));
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
  // Each scope encoded on its own, joined by single spaces: a scope with a space in it (an `scp` array
  // may hold one) cannot pass for two.
  if (verified.scopes.length) headers[IDENTITY_HEADERS.scopes] = verified.scopes.map(encodeHeaderText).join(' ');
  put(IDENTITY_HEADERS.tenant, payload[policy.tenantClaim]);
  for (const { claim, header } of route.forwardClaims) put(header, payload[claim]);
  return headers;
}

/**
 * Every header name (in canonicalHeaderName form) that only the Worker may set: every header any
 * `forwardClaims` map of the policy writes (those need not start with X-Auth-), and the method-override
 * headers unless the policy forwards them. Names starting with X-Auth- are removed as well.
 */
export function strippedHeaderNames(policy) {
  const names = new Set(policy.forwardMethodOverride ? [] : METHOD_OVERRIDE_HEADERS);
  for (const route of [...policy.routes, policy.fallbackRoute].filter(Boolean)) {
    for (const { header } of route.forwardClaims) names.add(canonicalHeaderName(header));
  }
  return names;
}

/**
 * The headers sent to the origin: spoofable ones removed first, then the identity added. Names are
 * compared in canonicalHeaderName form, so `X_Auth_Tenant` goes as surely as `X-Auth-Tenant`; other
 * names with `_` are dropped too unless the policy keeps them (nginx's default: one header an origin
 * reads under two spellings is a spoofing channel for every header a proxy sets, not only ours).
 * `Authorization` passes only as itself, and only where the route forwards it.
 */
export function upstreamHeaders(request, route, stripped, identity, policy) {
  const headers = new Headers(request.headers);
  for (const name of [...headers.keys()]) {
    const canonical = canonicalHeaderName(name);
    if (
      canonical.startsWith(IDENTITY_HEADER_PREFIX)
      || stripped.has(canonical)
      || (canonical === 'authorization' && !(route.forwardAuthorization && name === 'authorization'))
      || (name.includes('_') && !policy.keepUnderscoreHeaders)
    ) {
      headers.delete(name);
    }
  }
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
